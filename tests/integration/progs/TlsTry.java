import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.net.ssl.HttpsURLConnection;

/* TlsTry URL [url] - GET URL with HttpClient (HTTP/1.1), or with
 * HttpsURLConnection given "url", trusting what the default trust store
 * (-Djavax.net.ssl.trustStore) holds and checking the host name as both
 * do by default; prints the status, or the exception and exits 1. */
public class TlsTry {
	public static void main(String[] args) throws Exception {
		try {
			if (args.length > 1 && args[1].equals("url")) {
				HttpsURLConnection u = (HttpsURLConnection)
					new URL(args[0]).openConnection();
				u.setRequestProperty("Connection", "close");
				int st = u.getResponseCode();
				try (InputStream in = u.getInputStream()) {
					in.readAllBytes();
				}
				System.out.println(st);
				return;
			}
			HttpClient c = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1).build();
			HttpRequest r = HttpRequest.newBuilder(URI.create(args[0]))
				.header("Connection", "close").build();
			HttpResponse<String> resp = c.send(r, HttpResponse.BodyHandlers.ofString());
			System.out.println(resp.statusCode());
		} catch (java.io.IOException e) {
			System.out.println(e.getClass().getName() + ": " + e.getMessage());
			System.exit(1);
		}
	}
}

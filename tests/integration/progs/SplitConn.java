// SplitConn.java - java.net.http.HttpClient (HTTP/1.1, plain http) on one
// connection: three GETs of /bytes/N and a POST of 10240 bytes to /echo, one
// after the other.  HttpClient writes a request on the caller's (or an
// executor's) thread and reads the response on its selector thread.
//
//     java SplitConn.java PORT
//
// Prints one line per response: "METHOD PATH STATUS BODY_BYTES".
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class SplitConn {
	public static void main(String[] args) throws Exception {
		String base = "http://127.0.0.1:" + args[0];
		HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1).build();
		String[] paths = {"/bytes/100", "/bytes/2000", "/bytes/30000"};
		for (String p : paths) {
			HttpRequest req = HttpRequest.newBuilder(URI.create(base + p)).GET().build();
			HttpResponse<byte[]> resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
			System.out.println("GET " + p + " " + resp.statusCode() + " " + resp.body().length);
		}
		byte[] body = new byte[10240];
		HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/echo"))
			.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
		HttpResponse<byte[]> resp = client.send(post, HttpResponse.BodyHandlers.ofByteArray());
		System.out.println("POST /echo " + resp.statusCode() + " " + resp.body().length);
	}
}

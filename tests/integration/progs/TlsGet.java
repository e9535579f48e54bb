import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/* TlsGet SNI PORT PATH... - GET each path from https://127.0.0.1:PORT over
 * one HttpClient (one HTTP/1.1 connection), sending SNI, trusting any
 * certificate; prints each status.  The last request asks to close
 * (Connection: close, allowed by -Djdk.httpclient.allowRestrictedHeaders=
 * connection): the connection ends before the JVM does. */
public class TlsGet {
	static class TrustAll extends X509ExtendedTrustManager {
		public void checkClientTrusted(X509Certificate[] c, String a) {}
		public void checkServerTrusted(X509Certificate[] c, String a) {}
		public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}
		public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}
		public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}
		public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}
		public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
	}

	public static void main(String[] args) throws Exception {
		SSLContext ctx = SSLContext.getInstance("TLS");
		ctx.init(null, new TrustManager[] {new TrustAll()}, null);
		SSLParameters p = ctx.getDefaultSSLParameters();
		p.setServerNames(List.of(new SNIHostName(args[0])));
		HttpClient c = HttpClient.newBuilder().sslContext(ctx).sslParameters(p)
			.version(HttpClient.Version.HTTP_1_1).build();
		for (int i = 2; i < args.length; i++) {
			HttpRequest.Builder b = HttpRequest.newBuilder(
				URI.create("https://127.0.0.1:" + args[1] + args[i]));
			if (i == args.length - 1)
				b.header("Connection", "close");
			HttpRequest r = b.build();
			HttpResponse<String> resp = c.send(r, HttpResponse.BodyHandlers.ofString());
			System.out.println(resp.statusCode() + " " + resp.version());
		}
	}
}

package dev.lighttpdboot.test.peers;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Java twin of {@code echo_app.py} (see {@link Echo}). It reads the CGI variables from the request
 * attributes, where Jetty's FastCGI server puts every parameter as it arrived, so both peers echo the same view.
 * It blocks on the request body and the response; {@link Handler.Abstract} tells Jetty so, and Jetty then calls
 * it on a pool thread.
 */
final class JettyEchoHandler extends Handler.Abstract {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Override
	public boolean handle(Request request, Response response, Callback callback) throws Exception {
		Fields query = Request.extractQueryParameters(request);
		MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
		long bodyLength = 0;
		try (InputStream body = Content.Source.asInputStream(request)) {
			byte[] buffer = new byte[8192];
			int read;
			while ((read = body.read(buffer)) != -1) {
				sha256.update(buffer, 0, read);
				bodyLength += read;
			}
		}
		response.setStatus((query.get("status") != null) ? Integer.parseInt(query.getValue("status")) : 200);
		if (query.get("stream") != null) {
			response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
			stream(Integer.parseInt(query.getValue("stream")), response);
			callback.succeeded();
			return true;
		}
		Map<String, Object> echo = new TreeMap<>();
		echo.put("method", attribute(request, "REQUEST_METHOD"));
		echo.put("path", attribute(request, "SCRIPT_NAME") + attribute(request, "PATH_INFO"));
		echo.put("query", attribute(request, "QUERY_STRING"));
		Map<String, Object> cgi = new TreeMap<>();
		Map<String, Object> headers = new TreeMap<>();
		for (String name : request.getAttributeNameSet()) {
			if (Echo.CGI_VARIABLES.contains(name)) {
				cgi.put(name, request.getAttribute(name));
			}
			else if (name.startsWith("HTTP_")) {
				headers.put(name, request.getAttribute(name));
			}
		}
		echo.put("cgi", cgi);
		echo.put("headers", headers);
		echo.put("bodyLength", bodyLength);
		echo.put("bodySha256", HexFormat.of().formatHex(sha256.digest()));
		response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
		Content.Sink.write(response, true, JSON.writeValueAsString(echo), callback);
		return true;
	}

	private static void stream(int length, Response response) throws Exception {
		byte[] piece = Echo.streamed(Echo.PIECE);
		try (OutputStream out = Content.Sink.asOutputStream(response)) {
			for (int written = 0; written < length; written += Echo.PIECE) {
				out.write(piece, 0, Math.min(Echo.PIECE, length - written));
			}
		}
	}

	private static String attribute(Request request, String name) {
		Object value = request.getAttribute(name);
		return (value != null) ? value.toString() : "";
	}

}

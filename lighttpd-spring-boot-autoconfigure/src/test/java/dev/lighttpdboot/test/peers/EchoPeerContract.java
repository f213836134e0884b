package dev.lighttpdboot.test.peers;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour of {@link Echo} that every echo peer must share, so that a test written against one holds against
 * the others.
 */
abstract class EchoPeerContract {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	abstract FastCgiPeer peer();

	@Test
	void echoesTheRequest() throws Exception {
		byte[] body = new byte[200_003];
		new Random(1).nextBytes(body);
		Map<String, String> params = RawFastCgi.params("POST", "/app", "/items/7", "a=1&b=%20", null, body.length);
		params.put("HTTP_X_TRACE", "abc");
		RawFastCgi.Response response = RawFastCgi.exchange(peer().address(), params, body);

		assertThat(response.headers()).containsEntry("content-type", "application/json");
		Map<String, Object> echo = json(response.body());
		assertThat(echo).containsEntry("method", "POST")
			.containsEntry("path", "/app/items/7")
			.containsEntry("query", "a=1&b=%20")
			.containsEntry("bodyLength", body.length)
			.containsEntry("bodySha256", sha256(body));
		assertThat(json(echo, "cgi")).containsEntry("SCRIPT_NAME", "/app")
			.containsEntry("PATH_INFO", "/items/7")
			.containsEntry("CONTENT_LENGTH", String.valueOf(body.length))
			.containsEntry("REQUEST_URI", "/app/items/7?a=1&b=%20");
		assertThat(json(echo, "headers")).containsEntry("HTTP_X_TRACE", "abc")
			.containsEntry("HTTP_HOST", "localhost");
		assertThat(response.appStatus()).isZero();
		assertThat(response.protocolStatus()).isZero();
	}

	@Test
	void echoesAnEmptyBody() throws Exception {
		RawFastCgi.Response response = RawFastCgi.exchange(peer().address(),
				RawFastCgi.params("GET", "/", "", "", null, 0), new byte[0]);
		Map<String, Object> echo = json(response.body());
		assertThat(echo).containsEntry("method", "GET")
			.containsEntry("bodyLength", 0)
			.containsEntry("bodySha256", sha256(new byte[0]));
	}

	@Test
	void setsTheStatusFromTheQuery() throws IOException {
		RawFastCgi.Response response = RawFastCgi.exchange(peer().address(),
				RawFastCgi.params("GET", "/missing", "", "status=404", null, 0), new byte[0]);
		assertThat(response.headers().get("status")).startsWith("404");
		assertThat(response.bodyText()).contains("\"query\"");
	}

	@Test
	void streamsTheRequestedNumberOfBytes() throws IOException {
		int length = 3 * Echo.PIECE + 17;
		RawFastCgi.Response response = RawFastCgi.exchange(peer().address(),
				RawFastCgi.params("GET", "/download", "", "stream=" + length, null, 0), new byte[0]);
		assertThat(response.headers()).containsEntry("content-type", "application/octet-stream")
			.doesNotContainKey("content-length");
		assertThat(response.body()).isEqualTo(Echo.streamed(length));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> json(byte[] body) {
		return JSON.readValue(body, Map.class);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> json(Map<String, Object> echo, String field) {
		return (Map<String, Object>) echo.get(field);
	}

	private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

}

package dev.lighttpdboot.gateway.fastcgi;

import java.util.List;
import java.util.Map;

/**
 * The whole {@code PARAMS} stream of a request: the CGI variables, encoded as many {@code PARAMS} records as they
 * need and the empty record that ends the stream.
 * <p>Names and values are bytes-as-chars, see {@link FastCgiNameValuePairs}.
 *
 * @param requestId the request id, 1 to 65535
 * @param params the variables, in the order they are sent
 */
public record FastCgiParams(int requestId, List<Map.Entry<String, String>> params) implements FastCgiRequestPart {

	public FastCgiParams {
		FastCgiRecordHeader.checkRequestId(requestId);
		// Map.entry refuses nulls and freezes entries a caller might still change.
		params = params.stream().map((param) -> Map.entry(param.getKey(), param.getValue())).toList();
	}

}

package dev.lighttpdboot.gateway.fastcgi;

/**
 * A message {@link FastCgiResponseDecoder} reads from the records a FastCGI application sends. The set is closed:
 * a consumer handles every kind.
 */
public sealed interface FastCgiResponsePart permits FastCgiDecodingFailure, FastCgiEndRequest,
		FastCgiGetValuesResult, FastCgiStderr, FastCgiStdout, FastCgiUnknownType {

}

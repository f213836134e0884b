package dev.lighttpdboot.gateway.fastcgi;

/**
 * A message a FastCGI client writes, which {@link FastCgiRequestEncoder} turns into records. The set is closed:
 * the encoder knows every kind.
 */
public sealed interface FastCgiRequestPart permits FastCgiAbortRequest, FastCgiBeginRequest, FastCgiGetValues,
		FastCgiParams, FastCgiRequestHead, FastCgiStdin {

}

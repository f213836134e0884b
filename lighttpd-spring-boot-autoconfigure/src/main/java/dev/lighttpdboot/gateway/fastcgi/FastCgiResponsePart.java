package dev.lighttpdboot.gateway.fastcgi;

/**
 * A message {@link FastCgiResponseDecoder} reads from the records a FastCGI application sends.
 */
public interface FastCgiResponsePart {

}

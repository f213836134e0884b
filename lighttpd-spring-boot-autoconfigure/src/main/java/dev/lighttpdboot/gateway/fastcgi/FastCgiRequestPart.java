package dev.lighttpdboot.gateway.fastcgi;

/**
 * A message a FastCGI client writes, which {@link FastCgiRequestEncoder} turns into records.
 */
public interface FastCgiRequestPart {

}

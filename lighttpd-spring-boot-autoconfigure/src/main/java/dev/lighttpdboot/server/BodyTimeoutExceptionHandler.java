package dev.lighttpdboot.server;

import io.netty.handler.timeout.ReadTimeoutException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Answers {@code 408} with {@code Connection: close} when a request body stopped arriving (Reactor Netty's read
 * timeout, set from the body timeout), logged at DEBUG and counted. Without it the error reaches Spring Boot's
 * error handler, which answers 500 and logs an ERROR with a stack trace for every slow client.
 */
public final class BodyTimeoutExceptionHandler implements WebExceptionHandler, Ordered {

	private static final Log logger = LogFactory.getLog(BodyTimeoutExceptionHandler.class);

	private final ServerRefusals refusals;

	/**
	 * Create the handler.
	 * @param refusals receives each refusal
	 */
	public BodyTimeoutExceptionHandler(ServerRefusals refusals) {
		this.refusals = refusals;
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (!isReadTimeout(ex)) {
			return Mono.error(ex);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Request body stopped arriving, closing: " + exchange.getRequest().getMethod() + " "
					+ exchange.getRequest().getPath() + " from " + exchange.getRequest().getRemoteAddress());
		}
		this.refusals.refused(ServerRefusals.BODY_TIMEOUT);
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.empty();
		}
		response.setStatusCode(HttpStatus.REQUEST_TIMEOUT);
		response.getHeaders().set(HttpHeaders.CONNECTION, "close");
		return response.setComplete();
	}

	private static boolean isReadTimeout(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ReadTimeoutException) {
				return true;
			}
		}
		return false;
	}

	@Override
	public int getOrder() {
		// Before Spring Boot's ErrorWebExceptionHandler (order -1).
		return -2;
	}

}

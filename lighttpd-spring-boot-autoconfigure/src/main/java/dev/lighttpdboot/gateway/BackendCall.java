package dev.lighttpdboot.gateway;

import java.time.Duration;

/**
 * What a proxied request's backend call was, for the access log: kept as an exchange attribute
 * ({@link #ATTRIBUTE}) by {@link GatewayHandlerMapping}, first when the backend's response head arrives, then again
 * when its response body has been read to the end.
 *
 * @param route the route's (and pool's) name
 * @param backend the name of the backend that answered
 * @param responseTime from the first attempt to the end of the backend's response (to its head while the body is
 * still being read), as nginx's {@code $upstream_response_time}
 */
public record BackendCall(String route, String backend, Duration responseTime) {

	/** The exchange attribute that holds the {@link BackendCall} of a proxied request. */
	public static final String ATTRIBUTE = BackendCall.class.getName();

}

package dev.lighttpdboot.gateway.fastcgi;

import java.util.List;

/**
 * Asks the application for its limits: a {@code GET_VALUES} management record (request id 0), the names with
 * empty values. The names defined by FastCGI 1.0 are {@link #MAX_CONNS}, {@link #MAX_REQS} and
 * {@link #MPXS_CONNS}.
 * <p>php-fpm answers and then closes the connection, so ask on a connection of its own.
 *
 * @param names the names of the values asked for
 */
public record FastCgiGetValues(List<String> names) implements FastCgiRequestPart {

	/**
	 * The most concurrent connections the application accepts.
	 */
	public static final String MAX_CONNS = "FCGI_MAX_CONNS";

	/**
	 * The most concurrent requests the application accepts.
	 */
	public static final String MAX_REQS = "FCGI_MAX_REQS";

	/**
	 * {@code 1} if the application multiplexes requests on a connection, else {@code 0}.
	 */
	public static final String MPXS_CONNS = "FCGI_MPXS_CONNS";

	public FastCgiGetValues {
		names = List.copyOf(names);
	}

}

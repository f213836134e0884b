package dev.lighttpdboot.test.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.eclipse.jetty.fcgi.server.ServerFCGIConnectionFactory;
import org.eclipse.jetty.fcgi.server.internal.ServerFCGIConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;

/**
 * Jetty's FastCGI connection factory with two faults of {@code jetty-fcgi-server} 12.1.10 (the newest on Maven
 * Central) worked around; without this a quarter of the requests of a client that writes record by record hung.
 * <ol>
 * <li>The server starts the handler on another thread from inside its parse loop, so the handler can parse and
 * release the input buffer while the selector thread is still using it (jetty/jetty.project#14403, fixed upstream
 * by PR #15648, not yet released): lost requests, {@code NullPointerException}s in
 * {@code ServerFCGIConnection.onFillable}. Here tasks submitted during {@code onFillable} wait until it returns,
 * which is what the upstream fix does.</li>
 * <li>When a read ends exactly at the end of a record before the request was dispatched (e.g. after
 * BEGIN_REQUEST), the parser says "stop" and {@code onFillable} returns without asking for more input: the
 * connection stalls. Here it asks for more input whenever nothing was dispatched and the connection is open.</li>
 * </ol>
 * {@link #executor(Executor)} must be the connector's executor, as Jetty dispatches through it.
 */
final class DeferredDispatchConnectionFactory extends ServerFCGIConnectionFactory {

	// The tasks submitted by the thread running onFillable, held until it returns; null on other threads.
	private static final ThreadLocal<List<Runnable>> DEFERRED = new ThreadLocal<>();

	private final HttpConfiguration configuration;

	DeferredDispatchConnectionFactory(HttpConfiguration configuration) {
		super(configuration);
		this.configuration = configuration;
	}

	/** Wrap the connector's executor so that it holds back what {@code onFillable} submits. */
	static Executor executor(Executor executor) {
		return (task) -> {
			List<Runnable> deferred = DEFERRED.get();
			if (deferred != null) {
				deferred.add(task);
			}
			else {
				executor.execute(task);
			}
		};
	}

	@Override
	public Connection newConnection(Connector connector, EndPoint endPoint) {
		DeferringConnection connection = new DeferringConnection(connector, endPoint, this.configuration);
		connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
		connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
		return configure(connection, connector, endPoint);
	}

	private static final class DeferringConnection extends ServerFCGIConnection {

		DeferringConnection(Connector connector, EndPoint endPoint, HttpConfiguration configuration) {
			// true: answer "Status: 200" too, as ServerFCGIConnectionFactory does by default
			super(connector, endPoint, configuration, true);
		}

		@Override
		public void onFillable() {
			List<Runnable> deferred = new ArrayList<>();
			DEFERRED.set(deferred);
			try {
				super.onFillable();
			}
			finally {
				DEFERRED.remove();
			}
			if (!deferred.isEmpty()) {
				// The handler (or a failure) owns the connection now; it reads the rest itself.
				deferred.forEach(getExecutor()::execute);
			}
			else if (getEndPoint().isOpen() && !getEndPoint().isInputShutdown() && !isFillInterested()) {
				fillInterested();
			}
		}

	}

}

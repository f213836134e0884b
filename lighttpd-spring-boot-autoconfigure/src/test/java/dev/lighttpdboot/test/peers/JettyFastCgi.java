package dev.lighttpdboot.test.peers;

import java.net.InetSocketAddress;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty's FastCGI server in this JVM, answering like {@link Uwsgi} (see {@link Echo}). It needs no Debian package,
 * so tests against it always run.
 * <p>
 * Jetty turns the FastCGI parameters into an HTTP request: it takes the path from {@code DOCUMENT_URI} and the
 * version from {@code SERVER_PROTOCOL}, so a client must send both, as nginx's {@code fastcgi_params} do.
 */
public final class JettyFastCgi extends FastCgiPeer {

	private Server server;

	private ServerConnector connector;

	private JettyFastCgi() {
	}

	/** Jetty listening on an ephemeral loopback port chosen when it starts. */
	public static JettyFastCgi onFreePort() {
		return new JettyFastCgi();
	}

	@Override
	public void start() {
		if (isStarted()) {
			throw new IllegalStateException("Jetty is already running");
		}
		QueuedThreadPool threads = new QueuedThreadPool(16, 2);
		threads.setName("jetty-fcgi");
		// A server a failed test forgot to stop must not keep the test JVM alive.
		threads.setDaemon(true);
		this.server = new Server(threads);
		this.connector = new ServerConnector(this.server, DeferredDispatchConnectionFactory.executor(threads), null,
				null, 1, 1, new DeferredDispatchConnectionFactory(new HttpConfiguration()));
		this.connector.setHost("127.0.0.1");
		// Port 0: the kernel picks a free port while binding, so unlike the Debian peers there is no race.
		this.connector.setPort(0);
		this.server.addConnector(this.connector);
		this.server.setHandler(new JettyEchoHandler());
		this.server.setStopTimeout(5000);
		try {
			this.server.start();
		}
		catch (Exception ex) {
			stop();
			throw new IllegalStateException("Jetty's FastCGI server did not start", ex);
		}
	}

	@Override
	public void stop() {
		if (this.server != null) {
			try {
				this.server.stop();
			}
			catch (Exception ex) {
				throw new IllegalStateException("Jetty's FastCGI server did not stop", ex);
			}
			finally {
				this.server = null;
				this.connector = null;
			}
		}
	}

	@Override
	public boolean isStarted() {
		return this.server != null;
	}

	@Override
	public InetSocketAddress address() {
		if (!isStarted()) {
			throw new IllegalStateException("Jetty is not running");
		}
		return new InetSocketAddress("127.0.0.1", this.connector.getLocalPort());
	}

}

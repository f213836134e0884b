package dev.lighttpdboot.test.peers;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A FastCGI application server on a loopback port, started and stopped by JUnit. Registered on a static
 * {@code @RegisterExtension} field it lives for the test class; on an instance field, for one test (use that for
 * fault injection such as {@link PeerProcess#kill()}, which leaves the peer dead).
 */
public abstract class FastCgiPeer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	private boolean startedForOneTest;

	/** Where the peer accepts FastCGI connections, on 127.0.0.1. */
	public abstract InetSocketAddress address();

	/** Start the peer and return once its port accepts connections. */
	public abstract void start();

	/** Stop the peer and release everything it holds; does nothing if it is not running. */
	public abstract void stop();

	/** Whether {@link #start()} was called and {@link #stop()} not since. */
	public abstract boolean isStarted();

	@Override
	public void beforeAll(ExtensionContext context) {
		start();
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		// JUnit calls this for static fields too; there the peer is already up and must outlive the test.
		if (!isStarted()) {
			this.startedForOneTest = true;
			start();
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (this.startedForOneTest) {
			this.startedForOneTest = false;
			stop();
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		stop();
	}

}

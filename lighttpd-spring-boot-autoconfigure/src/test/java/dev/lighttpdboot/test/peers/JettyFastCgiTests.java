package dev.lighttpdboot.test.peers;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link JettyFastCgi} answers like the uwsgi echo application.
 */
class JettyFastCgiTests extends EchoPeerContract {

	@RegisterExtension
	static final JettyFastCgi jetty = JettyFastCgi.onFreePort();

	@Override
	FastCgiPeer peer() {
		return jetty;
	}

}

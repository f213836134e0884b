package dev.lighttpdboot.sample;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app gives Reactor Netty one event loop per core unless told otherwise.
 */
class EventLoopsPerCoreTests {

	@Test
	void oneLoopPerCoreWhenNotGiven() {
		Properties system = new Properties();
		SampleApplication.eventLoopsPerCore(system, 2);
		assertThat(system.getProperty(SampleApplication.EVENT_LOOPS_PROPERTY)).isEqualTo("2");
	}

	@Test
	void aGivenCountIsKept() {
		Properties system = new Properties();
		system.setProperty(SampleApplication.EVENT_LOOPS_PROPERTY, "8");
		SampleApplication.eventLoopsPerCore(system, 2);
		assertThat(system.getProperty(SampleApplication.EVENT_LOOPS_PROPERTY)).isEqualTo("8");
	}

}

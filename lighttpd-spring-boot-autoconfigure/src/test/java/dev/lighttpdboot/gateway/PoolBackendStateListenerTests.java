package dev.lighttpdboot.gateway;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import dev.lighttpdboot.gateway.BackendStateChangedEvent.Cause;
import dev.lighttpdboot.gateway.BackendStateChangedEvent.Status;
import dev.lighttpdboot.gateway.PoolBackend.Hold;
import dev.lighttpdboot.gateway.PoolBackend.State;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What a {@link PoolBackend} tells its {@link BackendStateListener}, on a fake clock: each change once, the
 * failed probes of a resting backend not at all, and a failing listener never in the way of the pool.
 */
class PoolBackendStateListenerTests {

	private static final Duration DISABLE_TIME = Duration.ofSeconds(1);

	private final AtomicLong clock = new AtomicLong();

	private final List<BackendStateChangedEvent> events = new CopyOnWriteArrayList<>();

	private final PoolBackend backend = new PoolBackend("php", 0, 1, new NamedBackend("127.0.0.1:9000"),
			DISABLE_TIME, this.clock::get, this.events::add);

	@Test
	void aRefusedRequestThenAnAnsweredProbeAreTwoEvents() {
		this.backend.disable("connection refused");
		this.backend.disable("connection refused again");
		this.clock.addAndGet(DISABLE_TIME.toNanos());
		assertThat(this.backend.tryStartProbe()).isTrue();
		this.backend.failed("probe refused");
		this.clock.addAndGet(DISABLE_TIME.toNanos());
		assertThat(this.backend.tryStartProbe()).isTrue();
		this.backend.answered(Cause.REQUEST);
		assertThat(this.events).extracting(BackendStateChangedEvent::from, BackendStateChangedEvent::to,
				BackendStateChangedEvent::cause, BackendStateChangedEvent::reason)
			.containsExactly(tuple(status(State.ACTIVE), status(State.DISABLED), Cause.REQUEST, "connection refused"),
					tuple(status(State.PROBING), status(State.ACTIVE), Cause.REQUEST, null));
		assertThat(this.events).allSatisfy((event) -> {
			assertThat(event.pool()).isEqualTo("php");
			assertThat(event.backend()).isEqualTo("php-0");
			assertThat(event.address()).isEqualTo("127.0.0.1:9000");
		});
	}

	@Test
	void aStoppedAndRestartedProcessIsTwoEvents() {
		this.backend.processStopped("exited with code 137");
		this.backend.processStopped("exited again");
		this.backend.processStarted();
		assertThat(this.events).extracting(BackendStateChangedEvent::from, BackendStateChangedEvent::to,
				BackendStateChangedEvent::cause, BackendStateChangedEvent::reason)
			.containsExactly(tuple(status(State.ACTIVE), status(State.STOPPED), Cause.PROCESS, "exited with code 137"),
					tuple(status(State.STOPPED), status(State.ACTIVE), Cause.PROCESS, null));
	}

	@Test
	void aChangeUnderAnOperatorsHoldCarriesTheHold() {
		this.backend.hold(Hold.DRAIN);
		this.backend.probeFailed("check failed: connection refused");
		assertThat(this.events).extracting(BackendStateChangedEvent::to, BackendStateChangedEvent::cause)
			.containsExactly(tuple(new Status(State.ACTIVE, Hold.DRAIN), Cause.OPERATOR),
					tuple(new Status(State.DISABLED, Hold.DRAIN), Cause.CHECK));
		assertThat(this.events.get(1).from().serving()).isFalse();
	}

	@Test
	void aFailingListenerDoesNotStopTheChange() {
		PoolBackend backend = new PoolBackend("php", 0, 1, new NamedBackend("127.0.0.1:9000"), DISABLE_TIME,
				this.clock::get, (event) -> {
					throw new IllegalStateException("listener bug");
				});
		backend.disable("connection refused");
		assertThat(backend.state()).isEqualTo(State.DISABLED);
		assertThat(backend.disables()).isEqualTo(1);
	}

	private static Status status(State state) {
		return new Status(state, Hold.NONE);
	}

	private record NamedBackend(String name) implements GatewayBackend {

		@Override
		public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
			return Mono.error(new IllegalStateException("not called in these tests"));
		}

		@Override
		public Mono<Void> dispose() {
			return Mono.empty();
		}

	}

}

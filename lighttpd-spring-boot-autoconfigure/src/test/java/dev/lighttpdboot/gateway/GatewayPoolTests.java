package dev.lighttpdboot.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.lighttpdboot.gateway.PoolBackend.State;
import dev.lighttpdboot.gateway.cgi.CgiResponseHead;
import dev.lighttpdboot.gateway.spool.SpooledBody;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GatewayPool}'s fail-over on a fake clock, with scripted backends (faults a real backend cannot be made to
 * produce on cue): which backend a request reaches, when a backend rests and comes back, and what the client gets.
 */
class GatewayPoolTests {

	private static final Duration DISABLE_TIME = Duration.ofSeconds(3);

	private final AtomicLong clock = new AtomicLong(1_000_000_000L);

	private final List<ScriptedBackend> scripted = new ArrayList<>();

	@Test
	void aBackendThatRefusesIsDisabledAndTheRequestGoesToTheNext() {
		GatewayPool pool = pool(2);
		scripted(0).refuse();
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		assertThat(scripted(0).calls.get()).isEqualTo(1);
		assertThat(scripted(1).calls.get()).isEqualTo(1);
		assertThat(pool.backend(0).state()).isEqualTo(State.DISABLED);
		assertThat(pool.backend(0).disables()).isEqualTo(1);
		assertThat(pool.backend(0).disabledFor()).isEqualTo(DISABLE_TIME);
		// Disabled: the next requests go to the other backend without trying it.
		for (int i = 0; i < 5; i++) {
			StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain)
				.verifyComplete();
		}
		assertThat(scripted(0).calls.get()).isEqualTo(1);
		assertThat(scripted(1).calls.get()).isEqualTo(6);
	}

	@Test
	void afterItsDisableTimeOneRequestProbesTheBackendAndSuccessBringsItBack() {
		GatewayPool pool = pool(2);
		scripted(0).refuse();
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		this.clock.addAndGet(DISABLE_TIME.toNanos() - 1);
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		assertThat(scripted(0).calls.get()).as("still resting one nanosecond before its time").isEqualTo(1);
		this.clock.addAndGet(1);
		scripted(0).answerLater();
		Mono<GatewayResponse> probe = pool.exchange(request("/a.php"), none());
		StepVerifier.create(probe).then(() -> {
			assertThat(pool.backend(0).state()).isEqualTo(State.PROBING);
			// While the probe is out, other requests leave that backend alone.
			StepVerifier.create(pool.exchange(request("/b.php"), none())).assertNext(this::drain)
				.verifyComplete();
			assertThat(scripted(0).calls.get()).isEqualTo(2);
			scripted(0).release();
		}).assertNext(this::drain).verifyComplete();
		assertThat(pool.backend(0).state()).isEqualTo(State.ACTIVE);
	}

	@Test
	void aProbeWhoseClientWentAwayLeavesTheNextRequestToProbe() {
		GatewayPool pool = pool(2);
		scripted(0).refuse();
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		this.clock.addAndGet(DISABLE_TIME.toNanos());
		scripted(0).answerLater();
		StepVerifier.create(pool.exchange(request("/a.php"), none())).thenCancel().verify();
		assertThat(pool.backend(0).state()).isEqualTo(State.DISABLED);
		assertThat(pool.backend(0).load()).isZero();
		scripted(0).release();
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		assertThat(scripted(0).calls.get()).isEqualTo(3);
		assertThat(pool.backend(0).state()).isEqualTo(State.ACTIVE);
	}

	@Test
	void aFailedProbeDisablesTheBackendForAnotherDisableTime() {
		GatewayPool pool = pool(2);
		scripted(0).refuse();
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		this.clock.addAndGet(DISABLE_TIME.toNanos());
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		assertThat(scripted(0).calls.get()).isEqualTo(2);
		assertThat(pool.backend(0).state()).isEqualTo(State.DISABLED);
		assertThat(pool.backend(0).disabledFor()).isEqualTo(DISABLE_TIME);
		assertThat(pool.backend(0).disables()).as("one outage, one disable").isEqualTo(1);
	}

	@Test
	void aRefusalThatComesWhileTheBackendRestsDoesNotProlongTheRest() {
		GatewayPool pool = pool(2);
		scripted(0).refuse();
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		this.clock.addAndGet(DISABLE_TIME.toNanos() / 2);
		// A request that reached the backend before it went down is refused only now, as the requests queued for
		// its connections are.
		pool.backend(0).disable("connection refused");
		assertThat(pool.backend(0).disabledFor()).isEqualTo(DISABLE_TIME.dividedBy(2));
		assertThat(pool.backend(0).disables()).isEqualTo(1);
		this.clock.addAndGet(DISABLE_TIME.toNanos() / 2);
		scripted(0).answer();
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		assertThat(scripted(0).calls.get()).as("probed when the first rest ends").isEqualTo(2);
		assertThat(pool.backend(0).state()).isEqualTo(State.ACTIVE);
	}

	@Test
	void aResponseThatBreaksAfterDeliveryIs502AndNotSentElsewhere() {
		GatewayPool pool = pool(2);
		scripted(0).breakBeforeHead();
		StepVerifier.create(pool.exchange(request("/a.php"), none()))
			.expectErrorSatisfies((ex) -> assertThat(((BackendException) ex).getStatusCode())
				.isEqualTo(HttpStatus.BAD_GATEWAY))
			.verify();
		assertThat(scripted(1).calls.get()).isZero();
		assertThat(pool.backend(0).state()).as("a broken response does not say the backend is down")
			.isEqualTo(State.ACTIVE);
		assertThat(pool.backend(0).failures()).isEqualTo(1);
		assertThat(pool.backend(0).load()).isZero();
	}

	@Test
	void whenNoBackendTakesTheRequestItIs503WithRetryAfterTheSoonestReturn() {
		GatewayPool pool = pool(2);
		scripted(0).refuse();
		scripted(1).refuse();
		StepVerifier.create(pool.exchange(request("/a.php"), none()))
			.expectErrorSatisfies((ex) -> {
				BackendException failure = (BackendException) ex;
				assertThat(failure.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
				assertThat(failure.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("3");
			})
			.verify();
		assertThat(pool.hasUsableBackend()).isFalse();
		this.clock.addAndGet(Duration.ofMillis(1500).toNanos());
		StepVerifier.create(pool.exchange(request("/a.php"), none()))
			.expectErrorSatisfies((ex) -> assertThat(((BackendException) ex).getHeaders().getFirst(HttpHeaders.RETRY_AFTER))
				.isEqualTo("2"))
			.verify();
		assertThat(scripted(0).calls.get() + scripted(1).calls.get()).as("no backend is tried while all rest")
			.isEqualTo(2);
	}

	@Test
	void loadCountsARequestUntilItsBodyEnds() {
		GatewayPool pool = pool(1);
		GatewayResponse response = pool.exchange(request("/a.php"), none()).block(Duration.ofSeconds(5));
		assertThat(pool.backend(0).load()).isEqualTo(1);
		drain(response);
		assertThat(pool.backend(0).load()).isZero();
		assertThat(pool.backend(0).requests()).isEqualTo(1);
	}

	@Test
	void theBodyIsSentAgainToTheNextBackend() {
		GatewayPool pool = pool(2);
		scripted(0).refuse();
		StepVerifier.create(pool.exchange(request("/a.php", new byte[] { 1, 2 }), none())).assertNext(this::drain)
			.verifyComplete();
		assertThat(scripted(1).bodyBytes.get()).isEqualTo(2);
	}

	@Test
	void aStoppedProcessTakesNoRequestsUntilItStartsAgain() {
		GatewayPool pool = pool(2);
		pool.processStopped(0, "exited with 255");
		for (int i = 0; i < 3; i++) {
			StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain)
				.verifyComplete();
		}
		assertThat(scripted(0).calls.get()).isZero();
		this.clock.addAndGet(DISABLE_TIME.toNanos() * 10);
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		assertThat(scripted(0).calls.get()).as("no probe of a stopped process").isZero();
		pool.processStarted(0);
		StepVerifier.create(pool.exchange(request("/a.php"), none())).assertNext(this::drain).verifyComplete();
		assertThat(scripted(0).calls.get()).isEqualTo(1);
	}

	private GatewayPool pool(int size) {
		List<PoolBackend> backends = new ArrayList<>();
		for (int i = 0; i < size; i++) {
			ScriptedBackend backend = new ScriptedBackend("b" + i);
			this.scripted.add(backend);
			backends.add(new PoolBackend("test", i, 1, backend, DISABLE_TIME, this.clock::get));
		}
		// The first usable backend: these tests are about fail-over, not balancing.
		return new GatewayPool("test", backends, (usable, key) -> usable.get(0), "/srv/www", GatewayMetrics.NONE,
				this.clock::get);
	}

	private ScriptedBackend scripted(int position) {
		return this.scripted.get(position);
	}

	private void drain(GatewayResponse response) {
		response.body().blockLast(Duration.ofSeconds(5));
	}

	private static GatewayBackend.StderrListener none() {
		return (backend, text) -> {
		};
	}

	private static GatewayRequest request(String target) {
		return request(target, new byte[0]);
	}

	private static GatewayRequest request(String target, byte[] body) {
		return new GatewayRequest(HttpMethod.POST, target, new HttpHeaders(), null, null, "http", null, "HTTP/1.1",
				target, SpooledBody.of(body), null);
	}

	/**
	 * A backend that answers 200 with an empty body, unless told to refuse (503 before the response, as a refused
	 * connection), to break before its head (502), or to hold its answer until released.
	 */
	private static final class ScriptedBackend implements GatewayBackend {

		private final String name;

		private final AtomicInteger calls = new AtomicInteger();

		private final AtomicInteger bodyBytes = new AtomicInteger();

		private volatile String behaviour = "answer";

		private final Sinks.Empty<Void> released = Sinks.empty();

		ScriptedBackend(String name) {
			this.name = name;
		}

		void refuse() {
			this.behaviour = "refuse";
		}

		void answer() {
			this.behaviour = "answer";
		}

		void breakBeforeHead() {
			this.behaviour = "break";
		}

		void answerLater() {
			this.behaviour = "later";
		}

		void release() {
			this.released.tryEmitEmpty();
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
			this.calls.incrementAndGet();
			Mono<Void> sent = request.body().content(DefaultDataBufferFactory.sharedInstance).doOnNext((buffer) -> this.countBytes(buffer)).then();
			GatewayResponse ok = new GatewayResponse(new CgiResponseHead(HttpStatus.OK, new HttpHeaders()), Flux.empty());
			return switch (this.behaviour) {
				case "refuse" -> Mono.error(BackendException.unavailable("connection refused", null));
				case "break" -> sent.then(Mono.error(BackendException.broken("closed before the head", true, null)));
				case "later" -> sent.then(this.released.asMono()).thenReturn(ok);
				default -> sent.thenReturn(ok);
			};
		}

		private void countBytes(DataBuffer buffer) {
			this.bodyBytes.addAndGet(buffer.readableByteCount());
		}

		@Override
		public Mono<Void> dispose() {
			return Mono.empty();
		}

	}

}

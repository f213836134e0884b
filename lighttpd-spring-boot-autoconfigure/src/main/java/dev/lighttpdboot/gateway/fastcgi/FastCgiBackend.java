package dev.lighttpdboot.gateway.fastcgi;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.GatewayBackend;
import dev.lighttpdboot.gateway.GatewayRequest;
import dev.lighttpdboot.gateway.GatewayResponse;
import dev.lighttpdboot.gateway.cgi.CgiEnvironment;
import dev.lighttpdboot.gateway.cgi.InvalidCgiResponseException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import reactor.pool.InstrumentedPool;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;

/**
 * A FastCGI backend (a php-fpm pool, a uwsgi socket) reached over TCP or a Unix-domain socket, with its own pool
 * of keep-alive connections.
 * <ul>
 * <li>At most {@code maxConnections} connections; requests beyond wait in a queue of {@code queueLimit}; beyond
 * that, 503 at once ({@link BackendException#queueFull()}: this server's limit, not a fault of the backend).</li>
 * <li>A connection the backend closed while idle (php-fpm's {@code pm.max_requests}) is dropped from the pool; a
 * GET, HEAD or OPTIONS whose reused connection turns out closed before any response byte is sent once more, on
 * another connection (other methods are not: the backend may have acted on them). A timeout or a malformed answer
 * is never retried: the backend had the request.</li>
 * <li>Connect failures: 503; silence longer than the read timeout: 504; a connection closed or a malformed
 * response: 502.</li>
 * </ul>
 */
public final class FastCgiBackend implements GatewayBackend {

	private static final Log logger = LogFactory.getLog(FastCgiBackend.class);

	private static final NettyDataBufferFactory BUFFERS = new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);

	private static final int NEW = 0;

	private static final int REQUESTED = 1;

	private static final int ANSWERED = 2;

	private static final int DONE = 3;

	private static final int CANCELLED = 4;

	private final String name;

	private final FastCgiBackendOptions options;

	private final CgiEnvironment environment;

	private final FastCgiConnectionPool pool;

	/**
	 * Requests holding or waiting for a connection. The limit is checked here, before the pool is asked, so that
	 * the excess of a burst is refused by the thread that brings it, at once, and not by whichever thread gives a
	 * connection back.
	 */
	private final AtomicInteger admitted = new AtomicInteger();

	private final int admissionLimit;

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9000}
	 * @param address where it listens ({@code InetSocketAddress} or {@code DomainSocketAddress})
	 * @param options connection limits and timeouts
	 */
	public FastCgiBackend(String name, SocketAddress address, FastCgiBackendOptions options) {
		this(name, address, options, new CgiEnvironment());
	}

	/**
	 * Create a backend.
	 * @param name how logs and metrics name it, for example {@code 127.0.0.1:9000}
	 * @param address where it listens ({@code InetSocketAddress} or {@code DomainSocketAddress})
	 * @param options connection limits and timeouts
	 * @param environment builds the CGI environment of each request
	 */
	public FastCgiBackend(String name, SocketAddress address, FastCgiBackendOptions options,
			CgiEnvironment environment) {
		this.name = name;
		this.environment = environment;
		this.options = options;
		this.admissionLimit = options.maxConnections() + options.queueLimit();
		TcpClient client = TcpClient.newConnection()
			.remoteAddress(() -> address)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis());
		// A connection opens on the event loop of the request that needs it (the server's own, for a request of
		// the gateway route), so that request and response never change threads.
		Function<EventLoop, Mono<FastCgiConnection>> connector = (loop) -> ((loop != null) ? client.runOn(loop) : client)
			.connect()
			.map((connection) -> new FastCgiConnection(connection, options.readTimeout()));
		this.pool = new FastCgiConnectionPool(connector, options.maxConnections(), options.queueLimit(),
				options.maxIdleTime());
	}

	@Override
	public String name() {
		return this.name;
	}

	/**
	 * Send a request as a CGI environment and return the response once its head has arrived.
	 * @param request the request, with its script resolution; its body is read again if the request is sent a
	 * second time
	 * @param stderr receives each STDERR line the backend writes
	 * @return the response; fails with a {@link BackendException} (or {@link InvalidCgiResponseException}) before
	 * the head, or in the body once it started
	 */
	@Override
	public Mono<GatewayResponse> exchange(GatewayRequest request, StderrListener stderr) {
		return Mono.defer(() -> exchange(this.environment.build(request),
				() -> request.body().content(BUFFERS), stderr));
	}

	private Mono<GatewayResponse> exchange(List<Map.Entry<String, String>> params, Supplier<Flux<DataBuffer>> body,
			StderrListener stderr) {
		return new Mono<>() {

			@Override
			public void subscribe(CoreSubscriber<? super GatewayResponse> actual) {
				Call call = new Call(actual, params, body, stderr);
				actual.onSubscribe(call);
				new Attempt(call, true).start();
			}

		};
	}

	private static boolean isSafe(List<Map.Entry<String, String>> params) {
		// Only safe methods are sent twice: a worker that received a POST and died before answering may have
		// acted on it already.
		for (Map.Entry<String, String> param : params) {
			if (param.getKey().equals("REQUEST_METHOD")) {
				return switch (param.getValue()) {
					case "GET", "HEAD", "OPTIONS" -> true;
					default -> false;
				};
			}
		}
		return false;
	}

	private BackendException queueFull() {
		return BackendException.queueFull("all connections to " + this.name + " busy and "
				+ this.options.queueLimit() + " requests waiting");
	}

	private BackendException acquireFailure(Throwable ex) {
		if (ex instanceof BackendException backendException) {
			return backendException;
		}
		return BackendException.unavailable("cannot connect to " + this.name + " (" + BackendException.describe(ex) + ")",
				ex);
	}

	@Override
	public int queued() {
		return this.pool.pendingAcquireSize();
	}

	@Override
	public Mono<Void> dispose() {
		return this.pool.dispose();
	}

	/**
	 * Return the number of connections in use and waiting requests, for metrics and balancing.
	 */
	public InstrumentedPool.PoolMetrics metrics() {
		return this.pool;
	}

	/**
	 * One subscription to {@link #exchange}: the response head for its subscriber, through one attempt or, when a
	 * reused connection turns out closed, two.
	 */
	private final class Call implements Subscription {

		private final CoreSubscriber<? super GatewayResponse> actual;

		private final List<Map.Entry<String, String>> params;

		private final Supplier<Flux<DataBuffer>> body;

		private final StderrListener stderr;

		private final AtomicInteger state = new AtomicInteger(NEW);

		private volatile @Nullable GatewayResponse response;

		private volatile @Nullable Attempt current;

		Call(CoreSubscriber<? super GatewayResponse> actual, List<Map.Entry<String, String>> params,
				Supplier<Flux<DataBuffer>> body, StderrListener stderr) {
			this.actual = actual;
			this.params = params;
			this.body = body;
			this.stderr = stderr;
		}

		boolean isCancelled() {
			return this.state.get() == CANCELLED;
		}

		@Override
		public void request(long n) {
			if (n <= 0) {
				error(new IllegalArgumentException("request must be positive: " + n));
				Attempt attempt = this.current;
				if (attempt != null) {
					attempt.cancel();
				}
				return;
			}
			if (this.state.compareAndSet(NEW, REQUESTED)) {
				return;
			}
			if (this.state.get() == ANSWERED && this.state.compareAndSet(ANSWERED, DONE)) {
				deliver();
			}
		}

		void success(GatewayResponse answer) {
			this.response = answer;
			while (true) {
				int now = this.state.get();
				if (now == REQUESTED) {
					if (this.state.compareAndSet(REQUESTED, DONE)) {
						deliver();
						return;
					}
				}
				else if (now == NEW) {
					if (this.state.compareAndSet(NEW, ANSWERED)) {
						return;
					}
				}
				else {
					discard();
					return;
				}
			}
		}

		private void deliver() {
			GatewayResponse answer = this.response;
			this.response = null;
			this.actual.onNext(answer);
			this.actual.onComplete();
		}

		void error(Throwable ex) {
			while (true) {
				int now = this.state.get();
				if (now == DONE || now == CANCELLED) {
					return;
				}
				if (this.state.compareAndSet(now, DONE)) {
					this.actual.onError(ex);
					return;
				}
			}
		}

		@Override
		public void cancel() {
			int before = this.state.getAndSet(CANCELLED);
			if (before == CANCELLED || before == DONE) {
				if (before == DONE) {
					this.state.set(DONE);
				}
				return;
			}
			if (before == ANSWERED) {
				discard();
				return;
			}
			Attempt attempt = this.current;
			if (attempt != null) {
				attempt.cancel();
			}
		}

		/** A head nobody will take: its body is cancelled, which gives the connection back. */
		private void discard() {
			GatewayResponse answer = this.response;
			this.response = null;
			if (answer != null) {
				answer.body().subscribe(new CoreSubscriber<DataBuffer>() {

					@Override
					public void onSubscribe(Subscription subscription) {
						subscription.cancel();
					}

					@Override
					public void onNext(DataBuffer buffer) {
						DataBufferUtils.release(buffer);
					}

					@Override
					public void onError(Throwable ex) {
					}

					@Override
					public void onComplete() {
					}

				});
			}
		}

	}

	/**
	 * One try at a connection and an answer.
	 */
	private final class Attempt implements FastCgiConnectionPool.Borrower, FastCgiExchange.Listener {

		private final Call call;

		private final boolean mayRetry;

		private final @Nullable EventLoop eventLoop = FastCgiConnectionPool.currentEventLoop();

		private final AtomicBoolean left = new AtomicBoolean();

		private volatile @Nullable FastCgiExchange exchange;

		Attempt(Call call, boolean mayRetry) {
			this.call = call;
			this.mayRetry = mayRetry;
		}

		void start() {
			this.call.current = this;
			if (this.call.isCancelled()) {
				return;
			}
			// A retry is let in whatever the count: the attempt it replaces is on its way out.
			if (admitted.incrementAndGet() > admissionLimit && this.mayRetry) {
				admitted.decrementAndGet();
				this.call.error(queueFull());
				return;
			}
			if (!pool.acquire(this)) {
				leave();
				this.call.error(queueFull());
			}
		}

		void cancel() {
			if (pool.cancel(this)) {
				leave();
				return;
			}
			FastCgiExchange started = this.exchange;
			if (started != null) {
				started.cancel();
			}
		}

		private void leave() {
			if (this.left.compareAndSet(false, true)) {
				admitted.decrementAndGet();
			}
		}

		@Override
		public @Nullable EventLoop eventLoop() {
			return this.eventLoop;
		}

		@Override
		public void granted(FastCgiConnection connection) {
			Call call = this.call;
			FastCgiExchange started = new FastCgiExchange(FastCgiBackend.this.name, call.params, call.body.get(),
					call.stderr, FastCgiBackend.this.options.maxHeadSize(), this);
			this.exchange = started;
			if (call.isCancelled()) {
				started.cancel();
			}
			connection.start(started);
		}

		@Override
		public void failed(Throwable ex) {
			leave();
			this.call.error(acquireFailure(ex));
		}

		@Override
		public void head(GatewayResponse response) {
			this.call.success(response);
		}

		@Override
		public void failed(BackendException ex, boolean reused) {
			// Never after a timeout or a malformed answer: the backend had the request and may still run it.
			if (this.mayRetry && reused && ex.connectionLost() && isSafe(this.call.params)) {
				logger.debug("Retrying on a fresh connection to " + FastCgiBackend.this.name + ": " + ex.getReason());
				new Attempt(this.call, false).start();
				return;
			}
			this.call.error(ex);
		}

		@Override
		public void done(FastCgiConnection connection) {
			// The request leaves once the pool has the connection back (and perhaps handed it to a waiting request).
			pool.release(connection);
			leave();
		}

	}

}

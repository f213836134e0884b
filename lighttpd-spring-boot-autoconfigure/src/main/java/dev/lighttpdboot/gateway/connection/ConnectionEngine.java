package dev.lighttpdboot.gateway.connection;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.lighttpdboot.gateway.BackendException;
import dev.lighttpdboot.gateway.BackendOptions;
import dev.lighttpdboot.gateway.GatewayResponse;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;
import reactor.pool.InstrumentedPool;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * The connection engine of one backend, shared by the protocols that keep connections alive (FastCGI, AJP13): a
 * {@link ConnectionPool} on the callers' event loops, admission against {@code maxConnections + queueLimit}, and
 * the one retry a safe request gets when its reused connection turns out closed before any response byte.
 * <p>The protocol supplies only the {@link ConnectionExchange} of one request; what can fail is told apart here,
 * in {@link BackendException.Kind}s, whose statuses are decided in one place:
 * <ul>
 * <li>not taken: no connection could be opened ({@link BackendException#unavailable}, 503, the pool tries another
 * backend), or this server's queue is full ({@link BackendException#queueFull()}, 503, the backend is not
 * blamed);</li>
 * <li>broken: the connection closed or the answer was malformed (502); closed before any byte on a reused
 * connection is {@link BackendException#connectionLost()}, retried once for GET, HEAD and OPTIONS;</li>
 * <li>timed out: silence longer than the read timeout (504), never retried: the backend had the request.</li>
 * </ul>
 * @param <C> the protocol's connection
 */
public final class ConnectionEngine<C extends PooledConnection> {

	private static final Log logger = LogFactory.getLog(ConnectionEngine.class);

	private static final int NEW = 0;

	private static final int REQUESTED = 1;

	private static final int ANSWERED = 2;

	private static final int DONE = 3;

	private static final int CANCELLED = 4;

	private final String name;

	private final int queueLimit;

	private final ConnectionPool<C> pool;

	/**
	 * Requests holding or waiting for a connection. The limit is checked here, before the pool is asked, so that
	 * the excess of a burst is refused by the thread that brings it, at once, and not by whichever thread gives a
	 * connection back.
	 */
	private final AtomicInteger admitted = new AtomicInteger();

	private final int admissionLimit;

	/**
	 * Create an engine.
	 * @param name the backend's name, for logs
	 * @param connector opens a connection on an event loop ({@code null}: any)
	 * @param options connection limits and idle time
	 */
	public ConnectionEngine(String name, Function<@Nullable EventLoop, Mono<C>> connector, BackendOptions options) {
		this.name = name;
		this.queueLimit = options.queueLimit();
		this.admissionLimit = options.maxConnections() + options.queueLimit();
		this.pool = new ConnectionPool<>(connector, options.maxConnections(), options.queueLimit(),
				options.maxIdleTime());
	}

	/**
	 * Return a connector that opens TCP or Unix-domain connections on the requester's event loop (the server's
	 * own, for a request of a gateway route), so that request and response never change threads.
	 * @param address where the backend listens
	 * @param options the connect timeout
	 * @param wrap makes the protocol's connection of a new one
	 * @param <C> the protocol's connection
	 */
	public static <C extends PooledConnection> Function<@Nullable EventLoop, Mono<C>> connector(SocketAddress address,
			BackendOptions options, Function<Connection, C> wrap) {
		TcpClient client = TcpClient.newConnection()
			.remoteAddress(() -> address)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis());
		return (loop) -> ((loop != null) ? client.runOn(loop) : client).connect().map(wrap);
	}

	/**
	 * Send one request and return the response once its head has arrived.
	 * @param exchanges makes the exchange of one attempt, given the listener it reports to (a second attempt
	 * gets a new one)
	 * @param retrySafe whether the request may be sent twice (a safe method)
	 * @return the response; fails with a {@link BackendException}
	 */
	public Mono<GatewayResponse> exchange(Function<ExchangeListener<C>, ConnectionExchange<C>> exchanges,
			boolean retrySafe) {
		return new Mono<>() {

			@Override
			public void subscribe(CoreSubscriber<? super GatewayResponse> actual) {
				Call call = new Call(actual, exchanges, retrySafe);
				actual.onSubscribe(call);
				new Attempt(call, true).start();
			}

		};
	}

	private BackendException queueFull() {
		return BackendException.queueFull("all connections to " + this.name + " busy and " + this.queueLimit
				+ " requests waiting");
	}

	private BackendException acquireFailure(Throwable ex) {
		if (ex instanceof BackendException backendException) {
			return backendException;
		}
		return BackendException.unavailable("cannot connect to " + this.name + " (" + BackendException.describe(ex) + ")",
				ex);
	}

	/**
	 * Return the requests waiting for a connection.
	 */
	public int queued() {
		return this.pool.pendingAcquireSize();
	}

	/**
	 * Return the number of connections in use and waiting requests, for metrics and balancing.
	 */
	public InstrumentedPool.PoolMetrics metrics() {
		return this.pool;
	}

	/**
	 * Close the idle connections and refuse later requests.
	 */
	public Mono<Void> dispose() {
		return this.pool.dispose();
	}

	/**
	 * One subscription to {@link #exchange}: the response head for its subscriber, through one attempt or, when a
	 * reused connection turns out closed, two.
	 */
	private final class Call implements Subscription {

		private final CoreSubscriber<? super GatewayResponse> actual;

		private final Function<ExchangeListener<C>, ConnectionExchange<C>> exchanges;

		private final boolean retrySafe;

		private final AtomicInteger state = new AtomicInteger(NEW);

		private volatile @Nullable GatewayResponse response;

		private volatile @Nullable Attempt current;

		Call(CoreSubscriber<? super GatewayResponse> actual,
				Function<ExchangeListener<C>, ConnectionExchange<C>> exchanges, boolean retrySafe) {
			this.actual = actual;
			this.exchanges = exchanges;
			this.retrySafe = retrySafe;
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
	private final class Attempt implements ConnectionPool.Borrower<C>, ExchangeListener<C> {

		private final Call call;

		private final boolean mayRetry;

		private final @Nullable EventLoop eventLoop = ConnectionPool.currentEventLoop();

		private final AtomicBoolean left = new AtomicBoolean();

		private volatile @Nullable ConnectionExchange<C> exchange;

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
			ConnectionExchange<C> started = this.exchange;
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
		public void granted(C connection) {
			Call call = this.call;
			ConnectionExchange<C> started = call.exchanges.apply(this);
			this.exchange = started;
			if (call.isCancelled()) {
				started.cancel();
			}
			started.start(connection);
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
			if (this.mayRetry && reused && ex.connectionLost() && this.call.retrySafe) {
				logger.debug("Retrying on a fresh connection to " + ConnectionEngine.this.name + ": " + ex.getReason());
				new Attempt(this.call, false).start();
				return;
			}
			this.call.error(ex);
		}

		@Override
		public void done(C connection) {
			// The request leaves once the pool has the connection back (and perhaps handed it to a waiting request).
			pool.release(connection);
			leave();
		}

	}

}

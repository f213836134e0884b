package dev.lighttpdboot.gateway.connection;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import reactor.core.Disposable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.pool.InstrumentedPool;

/**
 * The keep-alive connections to one backend, whatever its protocol, kept where they are used: a request gets an idle connection
 * of its own event loop when there is one, a new connection opens on the requester's event loop, and a connection
 * given back goes preferably to a waiting request of its own event loop. Request and response then stay on one
 * thread, without a hand-over between the client's event loop and the backend's.
 * <ul>
 * <li>At most {@code maxConnections} connections, open or opening; beyond, requests wait in a queue of at most
 * {@code queueLimit}, in order, except that a waiter of the connection's own event loop may pass the oldest
 * waiter a few times ({@value #MAX_PASSED}) before the oldest gets it anyway.</li>
 * <li>A connection is taken out of the pool when it closes, when its backend closes it or when it stays idle for
 * {@code maxIdleTime}; nothing is checked when a connection is handed out (a reused connection that turns out
 * closed is retried by the caller).</li>
 * </ul>
 * The pool's own state is guarded by its monitor; connections and waiters are signalled outside it.
 * @param <C> the protocol's connection
 */
public final class ConnectionPool<C extends PooledConnection> implements InstrumentedPool.PoolMetrics {

	/** How many times the oldest waiter may be passed by a waiter on the event loop of the connection given back. */
	public static final int MAX_PASSED = 2;

	private static final int ACQUIRED = 1;

	private static final int IDLE = 2;

	private static final int GONE = 3;

	/**
	 * A request that wants a connection.
	 */
	public interface Borrower<C extends PooledConnection> {

		/**
		 * Return the event loop this request runs on, or {@code null} if it runs on none.
		 */
		@Nullable EventLoop eventLoop();

		/**
		 * The connection is this request's until it gives it back with {@link #release}.
		 */
		void granted(C connection);

		/**
		 * No connection could be opened.
		 */
		void failed(Throwable ex);

	}

	private final Function<@Nullable EventLoop, Mono<C>> connector;

	private final int maxConnections;

	private final int queueLimit;

	private final long maxIdleNanos;

	/** Idle connections, the most recently used last. */
	private final ArrayDeque<C> idle = new ArrayDeque<>();

	private final ArrayDeque<Waiter<C>> waiters = new ArrayDeque<>();

	private final Disposable evictor;

	private int allocated;

	private int acquired;

	private boolean disposed;

	private volatile long lastInteraction = System.nanoTime();

	/**
	 * Create a pool.
	 * @param connector opens a connection on an event loop ({@code null}: any)
	 * @param maxConnections the most connections open or opening
	 * @param queueLimit the most requests waiting for a connection
	 * @param maxIdleTime how long an unused connection is kept
	 */
	public ConnectionPool(Function<@Nullable EventLoop, Mono<C>> connector, int maxConnections, int queueLimit,
			Duration maxIdleTime) {
		this.connector = connector;
		this.maxConnections = maxConnections;
		this.queueLimit = queueLimit;
		this.maxIdleNanos = maxIdleTime.toNanos();
		long period = Math.max(1, maxIdleTime.toMillis() / 2);
		// Idle connections are closed even when no request comes: each one holds a php-fpm worker.
		this.evictor = Schedulers.parallel().schedulePeriodically(this::evictIdle, period, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * Return the event loop the calling thread runs, if it is one.
	 */
	public static @Nullable EventLoop currentEventLoop() {
		EventExecutor executor = ThreadExecutorMap.currentExecutor();
		return (executor instanceof EventLoop loop && loop.inEventLoop()) ? loop : null;
	}

	/**
	 * Ask for a connection: the borrower is granted one at once, or when one is free, or told why not.
	 * @return {@code false} if the queue is full (the borrower is not told)
	 */
	public boolean acquire(Borrower<C> borrower) {
		EventLoop loop = borrower.eventLoop();
		@Nullable C granted;
		boolean open = false;
		synchronized (this) {
			this.lastInteraction = System.nanoTime();
			if (this.disposed) {
				granted = null;
			}
			else {
				granted = takeIdle(loop);
				if (granted == null && this.allocated < this.maxConnections) {
					this.allocated++;
					open = true;
				}
				else if (granted == null) {
					if (this.waiters.size() >= this.queueLimit) {
						return false;
					}
					this.waiters.add(new Waiter<>(borrower));
					return true;
				}
				this.acquired++;
			}
		}
		if (granted != null) {
			borrower.granted(granted);
		}
		else if (open) {
			open(borrower);
		}
		else {
			borrower.failed(new IllegalStateException("the connection pool is closed"));
		}
		return true;
	}

	/**
	 * Withdraw a request still waiting for a connection.
	 * @return whether it was waiting (else it was granted a connection, or told of a failure, already)
	 */
	public boolean cancel(Borrower<C> borrower) {
		synchronized (this) {
			for (Iterator<Waiter<C>> iterator = this.waiters.iterator(); iterator.hasNext();) {
				if (iterator.next().borrower == borrower) {
					iterator.remove();
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Give a connection back: it goes to a waiting request, or waits idle, if it can carry another request; else it
	 * is closed, and a waiting request gets a new one.
	 */
	public void release(C connection) {
		@Nullable Borrower<C> next = null;
		@Nullable Borrower<C> opener = null;
		boolean close = false;
		synchronized (this) {
			if (connection.poolState != ACQUIRED) {
				return;
			}
			this.lastInteraction = System.nanoTime();
			this.acquired--;
			if (!this.disposed && connection.isReusable()) {
				next = nextWaiter(connection.eventLoop());
				if (next != null) {
					this.acquired++;
				}
				else {
					connection.poolState = IDLE;
					connection.idleSince = System.nanoTime();
					this.idle.addLast(connection);
				}
			}
			else {
				connection.poolState = GONE;
				this.allocated--;
				close = true;
				opener = openForWaiter();
			}
		}
		if (close) {
			connection.close();
		}
		if (next != null) {
			next.granted(connection);
		}
		if (opener != null) {
			open(opener);
		}
	}

	/** Under the lock: an idle connection of the loop if any, else the most recently used one. */
	private @Nullable C takeIdle(@Nullable EventLoop loop) {
		@Nullable C taken = null;
		if (loop != null) {
			for (Iterator<C> iterator = this.idle.descendingIterator(); iterator.hasNext();) {
				C candidate = iterator.next();
				if (candidate.eventLoop() == loop) {
					iterator.remove();
					taken = candidate;
					break;
				}
			}
		}
		if (taken == null) {
			taken = this.idle.pollLast();
		}
		if (taken != null) {
			taken.poolState = ACQUIRED;
		}
		return taken;
	}

	/** Under the lock: the waiter that gets a connection of this loop. */
	private @Nullable Borrower<C> nextWaiter(@Nullable EventLoop loop) {
		Waiter<C> oldest = this.waiters.peekFirst();
		if (oldest == null) {
			return null;
		}
		if (oldest.borrower.eventLoop() != loop && oldest.passed < MAX_PASSED) {
			Waiter<C> match = null;
			for (Waiter<C> waiter : this.waiters) {
				if (waiter.borrower.eventLoop() == loop) {
					match = waiter;
					break;
				}
			}
			if (match != null) {
				// Everyone it overtakes has been passed once more.
				for (Waiter<C> waiter : this.waiters) {
					if (waiter == match) {
						break;
					}
					waiter.passed++;
				}
				this.waiters.remove(match);
				return match.borrower;
			}
		}
		return this.waiters.pollFirst().borrower;
	}

	/** Under the lock: a waiter for whom a new connection may be opened now. */
	private @Nullable Borrower<C> openForWaiter() {
		if (this.disposed || this.waiters.isEmpty() || this.allocated >= this.maxConnections) {
			return null;
		}
		this.allocated++;
		this.acquired++;
		return this.waiters.pollFirst().borrower;
	}

	private void open(Borrower<C> borrower) {
		Mono<C> connect;
		try {
			connect = this.connector.apply(borrower.eventLoop());
		}
		catch (RuntimeException ex) {
			openFailed(borrower, ex);
			return;
		}
		connect.subscribe((connection) -> opened(borrower, connection), (ex) -> openFailed(borrower, ex));
	}

	private void opened(Borrower<C> borrower, C connection) {
		boolean closed;
		synchronized (this) {
			closed = this.disposed;
			connection.poolState = ACQUIRED;
		}
		connection.onClose(() -> closed(connection));
		if (closed) {
			release(connection);
			borrower.failed(new IllegalStateException("the connection pool is closed"));
			return;
		}
		borrower.granted(connection);
	}

	private void openFailed(Borrower<C> borrower, Throwable ex) {
		Borrower<C> next;
		synchronized (this) {
			this.allocated--;
			this.acquired--;
			// The next waiter tries for itself: it may get a connection, or learn quickly that there is none.
			next = openForWaiter();
		}
		borrower.failed(ex);
		if (next != null) {
			open(next);
		}
	}

	/** A connection closed: if it was idle, it leaves the pool now, not when a request would have taken it. */
	private void closed(C connection) {
		@Nullable Borrower<C> opener = null;
		synchronized (this) {
			if (connection.poolState != IDLE) {
				return;
			}
			this.idle.remove(connection);
			connection.poolState = GONE;
			this.allocated--;
			opener = openForWaiter();
		}
		if (opener != null) {
			open(opener);
		}
	}

	private void evictIdle() {
		List<C> expired = new ArrayList<>();
		long now = System.nanoTime();
		synchronized (this) {
			for (Iterator<C> iterator = this.idle.iterator(); iterator.hasNext();) {
				C connection = iterator.next();
				if (now - connection.idleSince >= this.maxIdleNanos) {
					iterator.remove();
					connection.poolState = GONE;
					this.allocated--;
					expired.add(connection);
				}
			}
		}
		expired.forEach(PooledConnection::close);
	}

	/**
	 * Close the idle connections and refuse waiting and later requests; connections in use are closed when they
	 * are given back.
	 */
	public Mono<Void> dispose() {
		return Mono.fromRunnable(() -> {
			List<C> closing;
			List<Waiter<C>> refused;
			synchronized (this) {
				this.disposed = true;
				closing = new ArrayList<>(this.idle);
				this.idle.clear();
				this.allocated -= closing.size();
				closing.forEach((connection) -> connection.poolState = GONE);
				refused = new ArrayList<>(this.waiters);
				this.waiters.clear();
			}
			this.evictor.dispose();
			closing.forEach(PooledConnection::close);
			refused.forEach((waiter) -> waiter.borrower.failed(new IllegalStateException("the connection pool is closed")));
		});
	}

	@Override
	public synchronized int acquiredSize() {
		return this.acquired;
	}

	@Override
	public synchronized int allocatedSize() {
		return this.allocated;
	}

	@Override
	public synchronized int idleSize() {
		return this.idle.size();
	}

	@Override
	public synchronized int pendingAcquireSize() {
		return this.waiters.size();
	}

	@Override
	public long secondsSinceLastInteraction() {
		return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - this.lastInteraction);
	}

	@Override
	public int getMaxAllocatedSize() {
		return this.maxConnections;
	}

	@Override
	public int getMaxPendingAcquireSize() {
		return this.queueLimit;
	}

	private static final class Waiter<C extends PooledConnection> {

		final Borrower<C> borrower;

		/** Under the pool's lock: how many later waiters got a connection before this one. */
		int passed;

		Waiter(Borrower<C> borrower) {
			this.borrower = borrower;
		}

	}

}

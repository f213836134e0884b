package dev.lighttpdboot.files;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.EventLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.netty.Connection;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ResponseStatusException;

/**
 * The bounded scheduler on which every blocking file-system call of this project runs ({@code stat},
 * {@code realpath}, {@code open}, directory reads), so that event-loop threads never wait for a disk.
 * <p>Bounded twice: a maximum number of threads, and a maximum number of queued tasks beyond which work is
 * rejected instead of piling up.
 * <p>Its own threads are a plain thread pool with one bounded queue, not Reactor's bounded-elastic scheduler:
 * a request's hop to this scheduler is on the path of every small file, and bounded-elastic's per-task
 * bookkeeping (choosing a worker, a delayed-work queue per thread, checking its capacity under a lock) cost more
 * than the {@code lstat} the hop is for. Handing a task over takes no lock, so an event loop never waits for one:
 * the threads are all started with the scheduler and stay, and the queue is lock-free, its bound a counter.
 */
public final class FileSystemScheduler implements Disposable {

	private static final Log logger = LogFactory.getLog(FileSystemScheduler.class);

	private final Scheduler scheduler;

	private final Executor executor;

	/** One Reactor scheduler per event loop for {@link #backTo}, made once rather than for every request. */
	private final Map<EventLoop, Scheduler> loops = new ConcurrentHashMap<>();

	/** The quick calls of each event loop's turn, for {@link #quickCall}. */
	private final Map<EventLoop, Turn> turns = new ConcurrentHashMap<>();

	/**
	 * The most quick calls that share one hop: a bound on the work one task holds, and on how long the first call
	 * of a batch waits for the last.
	 */
	static final int MAX_QUICK_CALLS_PER_HOP = 64;

	/**
	 * Create a scheduler with its own threads, named {@code lighttpd-fs-N}, all started now.
	 * @param threads the maximum number of threads
	 * @param queuedTasks the maximum number of tasks waiting per thread (the queue, shared by the threads, holds
	 * {@code threads * queuedTasks})
	 */
	public FileSystemScheduler(int threads, int queuedTasks) {
		this(newPool(threads, queuedTasks));
	}

	private FileSystemScheduler(ThreadPoolExecutor pool) {
		this.scheduler = Schedulers.fromExecutorService(pool, "lighttpd-fs");
		this.executor = pool;
	}

	/**
	 * Use an existing scheduler, which must allow blocking calls.
	 */
	public FileSystemScheduler(Scheduler scheduler) {
		this.scheduler = scheduler;
		this.executor = scheduler::schedule;
	}

	private static ThreadPoolExecutor newPool(int threads, int queuedTasks) {
		int size = Math.max(1, threads);
		int capacity = (int) Math.min(Integer.MAX_VALUE, (long) size * Math.max(1, queuedTasks));
		return new BoundedPool(size, capacity);
	}

	/**
	 * Run a blocking call on this scheduler. A {@code null} result completes the {@link Mono} empty. When every
	 * thread is busy and the queues are full, the call fails with 503 instead of waiting.
	 */
	public <T> Mono<T> call(Callable<T> blockingCall) {
		return Mono.fromCallable(blockingCall)
			.subscribeOn(this.scheduler)
			.onErrorMap(RejectedExecutionException.class, FileSystemScheduler::saturated);
	}

	/**
	 * Run a blocking call on this scheduler for a request, and continue on the request's event loop: what follows
	 * (handler lookup, error rendering, the response) then runs where WebFlux expects it, not on a thread of this
	 * scheduler.
	 */
	public <T> Mono<T> call(ServerHttpRequest request, Callable<T> blockingCall) {
		EventLoop eventLoop = eventLoopOf(request);
		if (eventLoop == null) {
			return call(blockingCall);
		}
		return call(eventLoop, blockingCall);
	}

	/**
	 * Run a blocking call on this scheduler, and continue on an event loop (see
	 * {@link #call(ServerHttpRequest, Callable)}).
	 */
	public <T> Mono<T> call(EventLoop eventLoop, Callable<T> blockingCall) {
		// One task on this scheduler, one on the event loop, and nothing else: this hop is on the path of every
		// small file, and subscribeOn + publishOn cost more than the call itself. A result that arrives after the
		// request was cancelled is discarded by the sink (an open file closed by the caller's doOnDiscard).
		return Mono.create((sink) -> submit(blockingCall, sink, eventLoop));
	}

	/**
	 * Run a quick blocking call, one that takes microseconds (an {@code lstat} of a file just looked up, whose
	 * inode the kernel holds), on this scheduler for a request of {@code eventLoop}, and continue on that loop.
	 * <p>The quick calls an event loop makes in one turn (while it handles the requests of one read of its
	 * connections) share one hop: they run one after the other in one task on this scheduler, and their results
	 * come back in one task on the loop. Waking a parked thread and switching to it and back is what a hop costs,
	 * far more than the {@code lstat}, so under load this divides the cost of the check of a kept small file by the
	 * number of requests a turn handles. A call that may wait for a disk (an {@code open}, a read) is not quick:
	 * it would hold up the others of its batch; use {@link #call(EventLoop, Callable)}.
	 * <p>Outside the event loop's own thread the call takes a hop of its own.
	 */
	public <T> Mono<T> quickCall(EventLoop eventLoop, Callable<T> quickCall) {
		return Mono.create((sink) -> {
			if (!eventLoop.inEventLoop()) {
				submit(quickCall, sink, eventLoop);
				return;
			}
			this.turns.computeIfAbsent(eventLoop, Turn::new).add(new QuickCall<>(quickCall, sink));
		});
	}

	/**
	 * Run a quick blocking call for a request (see {@link #quickCall(EventLoop, Callable)}), and continue on the
	 * request's event loop.
	 */
	public <T> Mono<T> quickCall(ServerHttpRequest request, Callable<T> quickCall) {
		EventLoop eventLoop = eventLoopOf(request);
		if (eventLoop == null) {
			return call(quickCall);
		}
		return quickCall(eventLoop, quickCall);
	}

	private <T> void submit(Callable<T> blockingCall, MonoSink<T> sink, EventLoop eventLoop) {
		try {
			this.executor.execute(() -> callThenResume(blockingCall, sink, eventLoop));
		}
		catch (RejectedExecutionException ex) {
			sink.error(saturated(ex));
		}
	}

	private static <T> void callThenResume(Callable<T> blockingCall, MonoSink<T> sink, EventLoop eventLoop) {
		@Nullable T value = null;
		@Nullable Throwable failure = null;
		try {
			value = blockingCall.call();
		}
		catch (Throwable ex) {
			Exceptions.throwIfJvmFatal(ex);
			failure = ex;
		}
		resumeOn(eventLoop, signal(sink, value, failure));
	}

	private static void resumeOn(EventLoop eventLoop, Runnable resume) {
		try {
			eventLoop.execute(resume);
		}
		catch (RejectedExecutionException ex) {
			// The event loop is shutting down: finish here rather than never.
			resume.run();
		}
	}

	private static <T> Runnable signal(MonoSink<T> sink, @Nullable T value, @Nullable Throwable failure) {
		if (failure != null) {
			return () -> sink.error(failure);
		}
		return (value != null) ? () -> sink.success(value) : sink::success;
	}

	private static ResponseStatusException saturated(RejectedExecutionException ex) {
		return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "file-system scheduler is saturated", ex);
	}

	/**
	 * Continue the result of a call on this scheduler on the request's event loop.
	 */
	public <T> Mono<T> backTo(ServerHttpRequest request, Mono<T> result) {
		EventLoop eventLoop = eventLoopOf(request);
		if (eventLoop == null) {
			return result;
		}
		return result.publishOn(this.loops.computeIfAbsent(eventLoop, FileSystemScheduler::resumingOn));
	}

	private static Scheduler resumingOn(EventLoop eventLoop) {
		// A result that arrives on the request's loop already (a body that needed no file, say) goes on at once:
		// queueing it as a task would only cost a hand-over.
		Executor backToLoop = (task) -> {
			if (eventLoop.inEventLoop()) {
				task.run();
			}
			else {
				eventLoop.execute(task);
			}
		};
		return Schedulers.fromExecutor(backToLoop);
	}

	private static @Nullable EventLoop eventLoopOf(ServerHttpRequest request) {
		try {
			Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
			return (nativeRequest instanceof Connection connection) ? connection.channel().eventLoop() : null;
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			// Not a request of a server this knows (another server: IllegalArgumentException; Spring's mock
			// request: IllegalStateException): stay where the call ended.
			return null;
		}
	}

	/**
	 * Return the underlying scheduler, for operators such as {@code subscribeOn}.
	 */
	public Scheduler scheduler() {
		return this.scheduler;
	}

	@Override
	public void dispose() {
		this.scheduler.dispose();
	}

	@Override
	public boolean isDisposed() {
		return this.scheduler.isDisposed();
	}

	/**
	 * The quick calls one event loop made in its current turn. Touched only on that loop's thread: calls are
	 * added while the loop handles its connections' reads, and the task it queued at the first one hands them all
	 * over once that is done (the loop runs its queued tasks after its reads).
	 */
	private final class Turn implements Runnable {

		private final EventLoop eventLoop;

		private List<QuickCall<?>> calls = new ArrayList<>();

		private boolean handOverQueued;

		Turn(EventLoop eventLoop) {
			this.eventLoop = eventLoop;
		}

		void add(QuickCall<?> call) {
			this.calls.add(call);
			if (this.calls.size() >= MAX_QUICK_CALLS_PER_HOP) {
				handOver();
			}
			else if (!this.handOverQueued) {
				this.handOverQueued = true;
				this.eventLoop.execute(this);
			}
		}

		@Override
		public void run() {
			this.handOverQueued = false;
			handOver();
		}

		private void handOver() {
			if (this.calls.isEmpty()) {
				return;
			}
			List<QuickCall<?>> batch = this.calls;
			this.calls = new ArrayList<>();
			try {
				FileSystemScheduler.this.executor.execute(() -> callAllThenResume(batch, this.eventLoop));
			}
			catch (RejectedExecutionException ex) {
				ResponseStatusException saturated = saturated(ex);
				batch.forEach((call) -> call.sink.error(saturated));
			}
		}

	}

	private static void callAllThenResume(List<QuickCall<?>> batch, EventLoop eventLoop) {
		Runnable[] signals = new Runnable[batch.size()];
		for (int i = 0; i < signals.length; i++) {
			signals[i] = batch.get(i).call();
		}
		resumeOn(eventLoop, () -> {
			for (Runnable signal : signals) {
				try {
					signal.run();
				}
				catch (Throwable ex) {
					// One subscriber's failure must not leave the others of the batch waiting.
					Exceptions.throwIfJvmFatal(ex);
					logger.warn("A quick file-system call's subscriber failed", ex);
				}
			}
		});
	}

	/**
	 * A quick call and the sink that receives its result.
	 */
	private record QuickCall<T>(Callable<T> callable, MonoSink<T> sink) {

		/**
		 * Make the call here, and return what signals its result to the sink.
		 */
		Runnable call() {
			try {
				return signal(this.sink, this.callable.call(), null);
			}
			catch (Throwable ex) {
				Exceptions.throwIfJvmFatal(ex);
				return signal(this.sink, null, ex);
			}
		}

	}

	/**
	 * Daemon threads named with a prefix and a counter, as Reactor names its schedulers' threads.
	 */
	private static final class NamedDaemonThreads implements ThreadFactory {

		private final String prefix;

		private final AtomicInteger count = new AtomicInteger();

		NamedDaemonThreads(String prefix) {
			this.prefix = prefix;
		}

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = new Thread(task, this.prefix + this.count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

	/**
	 * A fixed pool whose hand-over takes no lock: its threads are started at once and never end (adding or
	 * removing a worker takes the pool's lock), its queue is lock-free, and the bound of queued tasks is a counter.
	 */
	private static final class BoundedPool extends ThreadPoolExecutor {

		private final int capacity;

		private final AtomicInteger queued = new AtomicInteger();

		BoundedPool(int threads, int capacity) {
			super(threads, threads, 0, TimeUnit.SECONDS, new LinkedTransferQueue<>(),
					new NamedDaemonThreads("lighttpd-fs-"), new ThreadPoolExecutor.AbortPolicy());
			this.capacity = capacity;
			prestartAllCoreThreads();
		}

		@Override
		public void execute(Runnable task) {
			if (this.queued.incrementAndGet() > this.capacity) {
				this.queued.decrementAndGet();
				throw new RejectedExecutionException("more than " + this.capacity + " file-system tasks queued");
			}
			try {
				super.execute(task);
			}
			catch (RuntimeException ex) {
				this.queued.decrementAndGet();
				throw ex;
			}
		}

		@Override
		protected void beforeExecute(Thread thread, Runnable task) {
			this.queued.decrementAndGet();
		}

	}

}

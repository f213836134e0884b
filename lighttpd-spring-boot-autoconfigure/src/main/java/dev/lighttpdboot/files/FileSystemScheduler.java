package dev.lighttpdboot.files;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
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
 */
public final class FileSystemScheduler implements Disposable {

	private final Scheduler scheduler;

	/**
	 * Create a scheduler with its own threads, named {@code lighttpd-fs-N}.
	 * @param threads the maximum number of threads
	 * @param queuedTasks the maximum number of tasks waiting on each thread
	 */
	public FileSystemScheduler(int threads, int queuedTasks) {
		this(Schedulers.newBoundedElastic(threads, queuedTasks, "lighttpd-fs", 60, true));
	}

	/**
	 * Use an existing scheduler, which must allow blocking calls.
	 */
	public FileSystemScheduler(Scheduler scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Run a blocking call on this scheduler. A {@code null} result completes the {@link Mono} empty. When every
	 * thread is busy and the queues are full, the call fails with 503 instead of waiting.
	 */
	public <T> Mono<T> call(Callable<T> blockingCall) {
		return Mono.fromCallable(blockingCall)
			.subscribeOn(this.scheduler)
			.onErrorMap(RejectedExecutionException.class, (ex) -> new ResponseStatusException(
					HttpStatus.SERVICE_UNAVAILABLE, "file-system scheduler is saturated", ex));
	}

	/**
	 * Run a blocking call on this scheduler for a request, and continue on the request's event loop: what follows
	 * (handler lookup, error rendering, the response) then runs where WebFlux expects it, not on a thread of this
	 * scheduler.
	 */
	public <T> Mono<T> call(ServerHttpRequest request, Callable<T> blockingCall) {
		return backTo(request, call(blockingCall));
	}

	/**
	 * Continue the result of a call on this scheduler on the request's event loop.
	 */
	public <T> Mono<T> backTo(ServerHttpRequest request, Mono<T> result) {
		EventLoop eventLoop = eventLoopOf(request);
		if (eventLoop == null) {
			return result;
		}
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
		return result.publishOn(Schedulers.fromExecutor(backToLoop));
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

}

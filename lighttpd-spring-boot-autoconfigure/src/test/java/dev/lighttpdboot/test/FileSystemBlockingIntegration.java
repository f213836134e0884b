package dev.lighttpdboot.test;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Makes BlockHound treat file-system calls as blocking (by default it does not), so a {@code stat}, {@code open}
 * or {@code realpath} on an event-loop thread fails the test.
 * <p>Allowed: the places where Reactor Netty and Spring open or stat a file on the event loop while writing a
 * response with {@code sendfile} (outside this project's control), log appenders writing to the console, and the
 * moment Netty's adaptive buffer allocator waits for its own lock while it grows (synchronisation, not I/O).
 */
public class FileSystemBlockingIntegration implements BlockHoundIntegration {

	private static final String UNIX_DISPATCHER = "sun.nio.fs.UnixNativeDispatcher";

	private static final String FILE_DISPATCHER = "sun.nio.ch.FileDispatcherImpl";

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.markAsBlocking(UNIX_DISPATCHER, "stat0", "(JLsun/nio/fs/UnixFileAttributes;)V")
			.markAsBlocking(UNIX_DISPATCHER, "stat1", "(J)I")
			.markAsBlocking(UNIX_DISPATCHER, "lstat0", "(JLsun/nio/fs/UnixFileAttributes;)V")
			.markAsBlocking(UNIX_DISPATCHER, "open0", "(JII)I")
			.markAsBlocking(UNIX_DISPATCHER, "realpath0", "(J)[B")
			.markAsBlocking(UNIX_DISPATCHER, "exists0", "(J)Z")
			.markAsBlocking(UNIX_DISPATCHER, "opendir0", "(J)J")
			.markAsBlocking(FILE_DISPATCHER, "read0", "(Ljava/io/FileDescriptor;JI)I")
			.markAsBlocking(FILE_DISPATCHER, "pread0", "(Ljava/io/FileDescriptor;JIJ)I")
			.allowBlockingCallsInside("reactor.netty.NettyOutbound", "lambda$sendFile$0")
			.allowBlockingCallsInside("reactor.netty.ReactorNetty", "mustChunkFileTransfer")
			.allowBlockingCallsInside("org.springframework.http.codec.ResourceHttpMessageWriter", "zeroCopy")
			// Netty asks whether Brotli and Zstandard are available when Reactor Netty's own compression first runs,
			// on an event loop: the one-time native library load must not leave them unavailable for the whole JVM
			// (our compression loads them at start-up, off the event loop).
			.allowBlockingCallsInside("com.aayushatharva.brotli4j.Brotli4jLoader", "<clinit>")
			.allowBlockingCallsInside("com.github.luben.zstd.util.Native", "load")
			// The same for Netty's own native transport: the first to ask whether epoll is there may be a Reactor or
			// event-loop thread (Reactor Netty's default loops, created on first use), and a load refused there left
			// the whole JVM on NIO, where Unix-domain backends cannot be reached.
			.allowBlockingCallsInside("io.netty.util.internal.NativeLibraryLoader", "load")
			// Under contention Netty 4.2's adaptive allocator grows its array of magazines and frees the old ones
			// under their StampedLock, parking for as long as another thread holds it: on an event loop, in the
			// transport's read of the socket. Netty's own BlockHound integration does not list it (4.2.15); it was
			// seen as a 502 of a big buffered PHP answer in full test runs ("BlockingOperationError").
			.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
			// Netty's DNS resolver draws its query ids from a SecureRandom, seeded from /dev/urandom on first use, on
			// an event loop: a one-time read, not a wait.
			.allowBlockingCallsInside("io.netty.resolver.dns.DnsQueryIdSpace$DnsQueryIdRange", "pushId")
			.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
			.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend");
	}

}

#!/usr/bin/env python3
"""Splits the CPU of our JVM during a benchmark row by layer of the request path.

    bench/layers.py PROFILE_DIR/static-1k.collapsed [CPU_US_PER_REQUEST]

Input: async-profiler's collapsed stacks with thread names (what `PROFILE=dir bench/run.sh` writes). Each sample
goes to one stage (see TIERS), so the shares add up to 100 %. Threads other than the event loops (the
JIT compiler, the garbage collector, the file-system scheduler) are layers of their own. Given the row's CPU
microseconds per request (bench/run.sh's cpu-us/req for our server), each share is also shown in microseconds per
request.
"""

import re
import sys
from collections import Counter

def _filter_layer(match):
    return "filter: " + match.group(1)


# Stage markers in tiers: (layer, pattern on one frame). The first tier with a marker anywhere on the stack decides,
# and within a tier the innermost marker wins (a sample inside the handler mappings called from a WebFilter counts
# for the handler mappings, not the filter). Frames that match no marker (Reactor's operators, the JDK, the
# kernel) count for the stage that called them: the kernel's writev under a flush counts for "write and flush".
TIERS = [
    [
        ("write and flush (encoders, Netty, kernel)", re.compile(r"io/netty/channel/(DefaultChannelPipeline|AbstractChannelHandlerContext)\.(writeAndFlush|flush)$")),
    ],
    [
        ("ours: FastCGI connection and codec", re.compile(r"dev/lighttpdboot/gateway/fastcgi/")),
        ("ours: gateway (route, pool, CGI, buffering)", re.compile(r"dev/lighttpdboot/gateway/")),
        (_filter_layer, re.compile(r"dev/lighttpdboot/[a-z]+/([A-Za-z]+WebFilter)[.$]")),
        # FileSystemScheduler's frames are the hop's plumbing: a result goes on from them on the event loop, and all that
        # follows (the response's send included) would otherwise count as file delivery.
        ("ours: file delivery (files, static, signed links, X-Sendfile)", re.compile(r"dev/lighttpdboot/(files/(?!FileSystemScheduler)|staticfiles/|secdownload/|sendfile/)")),
        ("ours: compression", re.compile(r"dev/lighttpdboot/compression/")),
        ("Spring: handler-mapping chain", re.compile(r"AbstractHandlerMapping\.getHandler")),
        ("Spring: DispatcherHandler and result handling", re.compile(r"org/springframework/web/reactive/(DispatcherHandler|result/)")),
        ("Spring: observation (Micrometer)", re.compile(r"(ObservationSignalListener|ServerHttpObservationFilter|io/micrometer/)")),
        (_filter_layer, re.compile(r"/([A-Za-z]+Filter)\.(filter|lambda\$filter)")),
        ("Spring: WebFilter chain", re.compile(r"org/springframework/web/server/handler/(DefaultWebFilterChain|FilteringWebHandler)")),
        ("Spring: exchange (HttpWebHandlerAdapter)", re.compile(r"org/springframework/web/server/adapter/")),
        ("Spring: Reactor Netty adapter, request and response", re.compile(r"org/springframework/http/server/reactive/")),
        ("Spring: other", re.compile(r"org/springframework/")),
    ],
    [
        ("Reactor Netty: connection and HTTP operations", re.compile(r"reactor/netty/")),
        ("Netty: HTTP codec (decoding)", re.compile(r"io/netty/handler/codec/")),
        ("ours: hand-over to and from the file-system scheduler", re.compile(r"dev/lighttpdboot/files/FileSystemScheduler")),
        ("ours: server limits, upload counter (Netty handlers)", re.compile(r"dev/lighttpdboot/")),
        ("Netty: event loop, epoll, pipeline", re.compile(r"io/netty/")),
    ],
]

THREAD = re.compile(r"^\[(.*?)(?: tid=\d+)?\]$")


def thread_layer(name):
    if re.match(r"C[12] CompilerThre", name):
        return "JVM: JIT compiler"
    if re.match(r"(GC Thread|G1 |VM Thread|ZGC|Parallel GC)", name):
        return "JVM: garbage collector, VM thread"
    if "epoll" in name or "reactor-http" in name or "nio" in name:
        return None  # an event loop: split by stage
    if "lighttpd" in name or "boundedElastic" in name or "parallel" in name:
        return "threads: file-system scheduler and workers"
    return "threads: other"


def layer_of(frames):
    thread = None
    if frames and THREAD.match(frames[0]):
        thread = THREAD.match(frames[0]).group(1)
        frames = frames[1:]
    if thread is not None:
        named = thread_layer(thread)
        if named:
            return named
    for tier in TIERS:
        for frame in reversed(frames):
            for layer, pattern in tier:
                match = pattern.search(frame)
                if match:
                    return layer(match) if callable(layer) else layer
    return "JVM and libc (no Java frame)"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    per_request = float(sys.argv[2]) if len(sys.argv) > 2 else None
    layers = Counter()
    with open(sys.argv[1]) as collapsed:
        for line in collapsed:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            layers[layer_of(stack.split(";"))] += int(count)
    total = sum(layers.values()) or 1
    print(f"{'layer':48} {'share':>7}" + (f" {'us/req':>8}" if per_request else ""))
    for layer, samples in layers.most_common():
        share = samples / total
        line = f"{layer:48} {share * 100:6.1f}%"
        if per_request:
            line += f" {share * per_request:8.1f}"
        print(line)
    print(f"{'(samples)':48} {total:7d}")


if __name__ == "__main__":
    main()

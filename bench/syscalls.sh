#!/usr/bin/env bash
# System calls per request of a running server: perf counts the named system calls of one process (all its
# threads) while wrk loads one URL, and each count is divided by the requests wrk completed.
#
#   bench/syscalls.sh <pid> <url>     e.g. bench/syscalls.sh "$(pgrep -f sample-app.jar)" http://127.0.0.1:8080/1k.bin
#
# Settings (environment variables, defaults in brackets):
#   DURATION [10s] CONNECTIONS [16] THREADS [1]   wrk's -d, -c and -t
#   WARMUP [10s]      an unmeasured wrk run first (a JVM's JIT is still compiling after start)
#   SYSCALLS [statx newfstatat openat close read write writev sendfile64 futex epoll_wait]
#                     the calls counted (perf's syscalls:sys_enter_<name> tracepoints)
#
# Needs perf (apt-get install linux-perf) with tracepoints readable: run as root or lower
# /proc/sys/kernel/perf_event_paranoid.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 <pid> <url>" >&2; exit 2; }
pid=$1
url=$2
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-10s}
SYSCALLS=${SYSCALLS:-statx newfstatat openat close read write writev sendfile64 futex epoll_wait}

for tool in perf wrk; do
	command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install linux-perf wrk)" >&2; exit 1; }
done
kill -0 "$pid" 2>/dev/null || { echo "no process $pid" >&2; exit 1; }

events=()
for name in $SYSCALLS; do
	events+=(-e "syscalls:sys_enter_$name")
done

work=$(mktemp -d "${TMPDIR:-/tmp}/syscalls.XXXXXX")
trap 'rm -rf "$work"' EXIT

wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
# perf stops when the command it runs (wrk) ends; -p counts the server's threads, not wrk's.
perf stat -x, -o "$work/perf.csv" "${events[@]}" -p "$pid" -- \
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$url" >"$work/wrk.txt"

requests=$(awk '/requests in/ { print $1 }' "$work/wrk.txt")
[ "${requests:-0}" -gt 0 ] || { cat "$work/wrk.txt" >&2; echo "wrk completed no request" >&2; exit 1; }
printf '%s requests\n' "$requests"
awk -F, -v requests="$requests" '
	$3 ~ /^syscalls:sys_enter_/ {
		name = $3; sub(/^syscalls:sys_enter_/, "", name)
		printf "%-12s %8.3f per request\n", name, $1 / requests
	}' "$work/perf.csv"

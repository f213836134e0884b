#!/usr/bin/env bash
# A mixed soak of the executable sample app: static files, PHP (spawned php-cgi when installed), a controller,
# signed links, upload-progress polls and a 1,000-connection burst on a small file; then a check that the
# server's file descriptors and its heap after a full GC are back near where they were before the load.
#
#   reliability/soak.sh               build the sample app first: mvn -B -q package -DskipTests
#
# Settings (environment variables, defaults in brackets):
#   DURATION [30s]     how long the mixed load runs (wrk's -d for each of its parallel clients)
#   BURST [1000]       connections of the burst on the small file; BURST_DURATION [10s]
#   FD_SLACK [16]      how many more open descriptors than the baseline still pass
#   HEAP_SLACK_MB [64] how much more heap after a full GC than the baseline still passes
#   APP_JAR [sample-app/target/sample-app.jar]
#
# It prints one table (requests, errors, descriptors and heap before and after) and exits non-zero when a
# request failed where none may, or descriptors or heap did not come back. Everything it starts is stopped by
# pid when it exits; it writes only into its own temporary directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

DURATION=${DURATION:-30s}
BURST=${BURST:-1000}
BURST_DURATION=${BURST_DURATION:-10s}
FD_SLACK=${FD_SLACK:-16}
HEAP_SLACK_MB=${HEAP_SLACK_MB:-64}
APP_JAR=${APP_JAR:-$repo/sample-app/target/sample-app.jar}

log() { printf '%s\n' "$*" >&2; }
die() { log "soak: $*"; exit 1; }

for tool in wrk curl java jcmd python3; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk curl python3 default-jdk-headless)"
done
[ -f "$APP_JAR" ] || die "$APP_JAR is missing: mvn -B -q package -DskipTests"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/www"
head -c 1024 /dev/urandom >"$work/www/small.bin"
printf '<?php echo "hello from ", php_sapi_name();\n' >"$work/www/hello.php"

port=$(free_port)
management_port=$(free_port)
# The burst opens a thousand connections: raise the soft limit where the hard one allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
java -Xmx256m -jar "$APP_JAR" --server.port="$port" --management.server.port="$management_port" \
	--lighttpd.document-root="$work/www" --lighttpd.access-log.enabled=false --logging.level.root=WARN \
	>"$work/app.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 240); do
	curl -fs -o /dev/null "$base/small.bin" && break
	kill -0 "$pid" 2>/dev/null || { cat "$work/app.log"; die "the sample app exited"; }
	sleep 0.5
done
curl -fs -o /dev/null "$base/small.bin" || die "the sample app did not start"

php=0
if curl -fs "$base/hello.php" | grep -q 'hello from'; then
	php=1
fi
link=$(curl -fs "$base/links" | grep -o 'href="/dl/[^"]*notes.txt"' | head -n 1 | sed -e 's/^href="//' -e 's/"$//')
[ -n "$link" ] || die "no signed link on /links"

fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
heap_mb() {
	# The heap in use right after a full collection, in MiB.
	jcmd "$pid" GC.run >/dev/null
	jcmd "$pid" GC.heap_info | python3 -c '
import re, sys
text = sys.stdin.read()
match = re.search(r"total \d+K, used (\d+)K", text)
print(int(match.group(1)) // 1024 if match else -1)'
}

# A short warm-up, so that the baseline includes what the first requests allocate for good (class loading,
# pooled buffers, connections to the PHP backends).
warm() {
	wrk -t1 -c8 -d3s "$base/small.bin" >/dev/null
	wrk -t1 -c8 -d3s "$base/hello" >/dev/null
	[ "$php" = 1 ] && wrk -t1 -c4 -d3s "$base/hello.php" >/dev/null
	true
}
warm
fds_before=$(fds)
heap_before=$(heap_mb)

# wrk prints "Non-2xx or 3xx responses: N" and "Socket errors: ..." only when there were some.
run() {
	local name=$1 connections=$2 duration=$3 url=$4
	wrk -t1 -c"$connections" -d"$duration" --timeout 10s "$url" >"$work/$name.txt" 2>&1
}
requests() { grep -Eo '^ +[0-9]+ requests' "$work/$1.txt" | grep -Eo '[0-9]+' || echo 0; }
non2xx() { grep -Eo 'Non-2xx or 3xx responses: [0-9]+' "$work/$1.txt" | grep -Eo '[0-9]+$' || echo 0; }
socket_errors() {
	grep -Eo 'Socket errors: connect [0-9]+, read [0-9]+, write [0-9]+, timeout [0-9]+' "$work/$1.txt" \
		| grep -Eo '[0-9]+' | awk '{ sum += $1 } END { print sum + 0 }'
}

log "soak: mixed load for $DURATION on port $port (php: $php)"
run static 16 "$DURATION" "$base/small.bin" &
static_job=$!
run controller 8 "$DURATION" "$base/hello" &
controller_job=$!
run signed 8 "$DURATION" "$base$link" &
signed_job=$!
run progress 8 "$DURATION" "$base/progress?X-Progress-ID=0123456789abcdef0123456789abcdef" &
progress_job=$!
php_job=
if [ "$php" = 1 ]; then
	run php 8 "$DURATION" "$base/hello.php" &
	php_job=$!
fi
wait $static_job $controller_job $signed_job $progress_job $php_job

log "soak: burst of $BURST connections for $BURST_DURATION"
run burst "$BURST" "$BURST_DURATION" "$base/small.bin"

# wrk has closed all of its connections; the server closes its ends as it reads their FINs (and connections still in
# the accept backlog are accepted, read and closed), which on a loaded machine takes a moment: wait for it, bounded.
fds_after=$(fds)
for _ in $(seq 1 60); do
	[ "$fds_after" -le $((fds_before + FD_SLACK)) ] && break
	sleep 0.5
	fds_after=$(fds)
done
heap_after=$(heap_mb)

status=0
printf '\n| load | requests | non-2xx | socket errors |\n|---|---|---|---|\n'
rows="static controller signed progress burst"
[ "$php" = 1 ] && rows="$rows php"
for row in $rows; do
	printf '| %s | %s | %s | %s |\n' "$row" "$(requests "$row")" "$(non2xx "$row")" "$(socket_errors "$row")"
	if [ "$row" != burst ] && [ "$(non2xx "$row")" != 0 ]; then
		log "soak: $row answered non-2xx"
		status=1
	fi
done
printf '\n| | before | after |\n|---|---|---|\n| open file descriptors | %s | %s |\n| heap after full GC (MiB) | %s | %s |\n\n' \
	"$fds_before" "$fds_after" "$heap_before" "$heap_after"

if [ "$fds_after" -gt $((fds_before + FD_SLACK)) ]; then
	log "soak: file descriptors did not come back: $fds_before before, $fds_after after"
	ls -l "/proc/$pid/fd" | awk '{ print $NF }' | sed -e 's/:\[[0-9]*\]$//' | sort | uniq -c | sort -rn | head >&2 || true
	status=1
fi
if [ "$heap_after" -gt $((heap_before + HEAP_SLACK_MB)) ]; then
	log "soak: heap did not come back: $heap_before MiB before, $heap_after MiB after"
	status=1
fi
if grep -q 'LEAK:' "$work/app.log"; then
	log "soak: Netty reported a leaked buffer"
	grep -A5 'LEAK:' "$work/app.log" >&2
	status=1
fi
[ "$status" = 0 ] && log "soak: OK"
exit "$status"

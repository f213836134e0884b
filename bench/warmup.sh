#!/usr/bin/env bash
# How long the sample app takes from start to its steady rate, per set of JVM options.
#
#   bench/warmup.sh                   every option set below, on the static-1k row
#
# For each option set, the sample app (extracted with Spring Boot's jar tools) is started on a fresh JVM over a generated 1 KiB file; the time until it
# answers is the start-up time, then wrk runs for SECONDS in 1-second slices. The steady rate is the median of the
# last 10 slices; the warm-up time is the first second from which every slice reaches 90 % of it. Also printed:
# resident memory at the end and the CPU the JVM spent in all.
#
# Settings (environment variables, defaults in brackets):
#   SECONDS_TOTAL [90]  measured seconds after start-up
#   CONNECTIONS [16]    wrk -c (wrk -t1)
#   PATH_UNDER_TEST [/1k.bin]  what is requested: /1k.bin, /dl/... is not generated here
#   OPTION_SETS         newline-separated "name|JVM options" (default: the sets below)
#   APP_JAR [sample-app/target/sample-app.jar]
#   BASE_PORT [18600]   the app on BASE_PORT+1, its actuator on BASE_PORT+2
#   PIN [auto]          1: the JVM on SERVER_CPUS [0], wrk on CLIENT_CPUS [1]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
SECONDS_TOTAL=${SECONDS_TOTAL:-90}
CONNECTIONS=${CONNECTIONS:-16}
PATH_UNDER_TEST=${PATH_UNDER_TEST:-/1k.bin}
APP_JAR=${APP_JAR:-$repo/sample-app/target/sample-app.jar}
BASE_PORT=${BASE_PORT:-18600}
PIN=${PIN:-auto}
SERVER_CPUS=${SERVER_CPUS:-0}
CLIENT_CPUS=${CLIENT_CPUS:-1}
port=$((BASE_PORT + 1))
management_port=$((BASE_PORT + 2))

default_sets="defaults|
serial-gc|-XX:+UseSerialGC
parallel-gc|-XX:+UseParallelGC
recommended|-XX:+UseSerialGC -Xms256m -Xmx1g -XX:+AlwaysPreTouch -XX:SharedArchiveFile=@CDS@ -Dio.netty.leakDetection.level=disabled"
OPTION_SETS=${OPTION_SETS:-$default_sets}

log() { printf '%s\n' "$*" >&2; }
die() { log "warmup: $*"; exit 1; }
command -v wrk >/dev/null || die "wrk is missing (Debian package wrk)"
[ -f "$APP_JAR" ] || (cd "$repo" && mvn -B -q package -DskipTests)

[ "$PIN" = auto ] && { [ "$(nproc)" -ge 2 ] && PIN=1 || PIN=0; }
server_prefix=() client_prefix=()
if [ "$PIN" = 1 ]; then
	server_prefix=(taskset -c "$SERVER_CPUS")
	client_prefix=(taskset -c "$CLIENT_CPUS")
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lighttpd-boot-warmup.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir "$work/www"
head -c 1024 /dev/urandom >"$work/www/1k.bin"

# The jar extracted as Spring Boot recommends for production (class-data sharing needs plain jars on the class path).
java -Djarmode=tools -jar "$APP_JAR" extract --destination "$work/app" >/dev/null || die "cannot extract $APP_JAR"
app_args=(-jar "$work/app/$(basename "$APP_JAR")" --server.port="$port" --server.address=127.0.0.1 --management.server.port="$management_port"
	--logging.level.root=WARN --lighttpd.document-root="$work/www")

# A class-data-sharing archive of the classes the app loads up to a refreshed context (Spring Boot's training run).
cds=$work/app.jsa
if grep -q '@CDS@' <<<"$OPTION_SETS"; then
	log "warmup: training run for the class-data-sharing archive"
	java -XX:ArchiveClassesAtExit="$cds" -Dspring.context.exit=onRefresh "${app_args[@]}" >"$work/cds.out" 2>&1 \
		|| die "the training run failed: $(tail -5 "$work/cds.out")"
fi

ticks_per_second=$(getconf CLK_TCK)
printf '%-12s %9s %9s %12s %10s %9s\n' options start-s warmup-s steady-req/s rss-MiB cpu-s
while IFS='|' read -r name options; do
	[ -n "$name" ] || continue
	options=${options//@CDS@/$cds}
	started=$(date +%s%N)
	# shellcheck disable=SC2086 # options is a list
	"${server_prefix[@]}" java $options "${app_args[@]}" >"$work/$name.out" 2>&1 &
	pid=$!
	until curl -s -o /dev/null "http://127.0.0.1:$port$PATH_UNDER_TEST"; do
		kill -0 "$pid" 2>/dev/null || die "$name: the app exited: $(tail -5 "$work/$name.out")"
		sleep 0.1
	done
	start_s=$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	: >"$work/$name.rates"
	for _ in $(seq 1 "$SECONDS_TOTAL"); do
		"${client_prefix[@]}" wrk -t1 -c"$CONNECTIONS" -d1s "http://127.0.0.1:$port$PATH_UNDER_TEST" \
			| awk '/^Requests\/sec:/ { print $2 }' >>"$work/$name.rates"
	done
	rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
	cpu=$(sed 's/.*) //' "/proc/$pid/stat" | awk -v hz="$ticks_per_second" '{ printf "%.1f", ($12 + $13) / hz }')
	kill "$pid" && wait "$pid" 2>/dev/null || true
	pid=
	steady=$(tail -n 10 "$work/$name.rates" | sort -g \
		| awk '{ v[NR] = $1 } END { printf "%.0f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	warm=$(awk -v steady="$steady" '{ r[NR] = $1 } END {
		warm = NR; for (i = NR; i >= 1 && r[i] >= 0.9 * steady; i--) warm = i - 1; print warm }' "$work/$name.rates")
	printf '%-12s %9s %9s %12s %10s %9s\n' "$name" "$start_s" "$warm" "$steady" "$rss" "$cpu"
done <<<"$OPTION_SETS"

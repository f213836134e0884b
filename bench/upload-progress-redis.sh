#!/usr/bin/env bash
# Upload throughput with the in-memory and the Redis upload-progress store side by side, Redis commands per upload,
# and the latency of progress polls through HAProxy in front of two nodes (docs/scale-out.md).
# Needs: sample-app/target/sample-app.jar (mvn -B -pl sample-app -am package -DskipTests), redis-server, haproxy,
# curl, openssl. Usage: bench/upload-progress-redis.sh [runs] [MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
mib=${2:-256}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

redis_port=16379; memory_port=18301; node1=18302; node2=18303; lb=18300
redis-server --port $redis_port --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
jar=sample-app/target/sample-app.jar
java -jar $jar --server.port=$memory_port --management.server.port=$((memory_port + 100)) >"$work/memory.log" 2>&1 &
pids+=($!)
for port in $node1 $node2; do
	java -jar $jar --server.port=$port --management.server.port=$((port + 100)) --lighttpd.upload-progress.store=redis --spring.data.redis.port=$redis_port \
		>"$work/node-$port.log" 2>&1 &
	pids+=($!)
done
cat >"$work/haproxy.cfg" <<CFG
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout check 5s
listen app
    bind 127.0.0.1:$lb
    balance roundrobin
    option httpchk GET /actuator/health
    http-check expect status 200
    server n1 127.0.0.1:$node1 check port $((node1 + 100)) inter 2s fall 3 rise 2
    server n2 127.0.0.1:$node2 check port $((node2 + 100)) inter 2s fall 3 rise 2
CFG
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
for port in $memory_port $node1 $node2; do
	until curl -sf -o /dev/null "http://127.0.0.1:$((port + 100))/actuator/health"; do sleep 0.5; done
done
head -c $((mib * 1024 * 1024)) /dev/urandom >"$work/upload.bin"

commands() { redis-cli -p $redis_port info commandstats | tr -d '\r' | awk -F'[=:,]' '/^cmdstat_/ {n += $3} END {print n}'; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
upload() { curl -s -o /dev/null -w '%{speed_upload}\n' -F "file=@$work/upload.bin" "http://127.0.0.1:$1/upload?X-Progress-ID=$(openssl rand -hex 16)"; }

echo "# ${mib} MiB, ${runs} runs of each, alternating (MiB/s)"
: >"$work/memory.txt"; : >"$work/redis.txt"; : >"$work/commands.txt"
for _ in $(seq "$runs"); do
	upload $memory_port | awk '{printf "%.1f\n", $1 / 1048576}' | tee -a "$work/memory.txt" | sed 's/^/memory /'
	before=$(commands)
	upload $node1 | awk '{printf "%.1f\n", $1 / 1048576}' | tee -a "$work/redis.txt" | sed 's/^/redis  /'
	# The end is written right after the response; let it land before counting.
	sleep 1
	echo $(( $(commands) - before )) >>"$work/commands.txt"
done
echo "median memory: $(median <"$work/memory.txt") MiB/s, redis: $(median <"$work/redis.txt") MiB/s"
echo "Redis commands per upload (no polls): $(tr '\n' ' ' <"$work/commands.txt")"

id=$(openssl rand -hex 16)
curl -s -o /dev/null -F "file=@$work/upload.bin" "http://127.0.0.1:$node1/upload?X-Progress-ID=$id"
polls=2000
for target in "haproxy $lb" "direct-redis-node $node2" "direct-memory-node $memory_port"; do
	set -- $target
	url="http://127.0.0.1:$2/progress?X-Progress-ID=$id"
	for _ in $(seq $polls); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done >"$work/urls"
	# One connection for all polls (keep-alive), as a page polling every 200 ms uses.
	curl -s -K "$work/urls" -w '%{time_total}\n' >"$work/latency.txt"
	sort -n "$work/latency.txt" | awk -v name="$1" '{a[NR] = $1 * 1000} END {printf "%s: %d polls, p50 %.2f ms, p99 %.2f ms\n", name, NR, a[int(NR * 0.5)], a[int(NR * 0.99)]}'
done

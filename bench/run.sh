#!/usr/bin/env bash
# Side-by-side benchmark of the sample app, lighttpd and nginx over one generated docroot and one php-fpm
# (one identical pool per server).
#
#   bench/run.sh                      build the sample app if needed, run every row, print the table
#
# Settings (environment variables, defaults in brackets):
#   DURATION [5s] CONNECTIONS [16] THREADS [1]   wrk's -d, -c and -t, the same for every server and row
#   REPEAT [3]        measured runs per row and server (servers alternate; the table shows medians)
#   WARMUP [2s]       one unmeasured wrk run per row and server before the measured ones
#   JVM_WARMUP [10s]  before anything is measured, this long a wrk run of every row against the JVM
#   ROWS [all]        e.g. "static-1k php-hello" to run only some rows
#   BENCH_JS [/usr/share/javascript/jquery/jquery.js]  the JavaScript of the compression rows (its first 100 KiB;
#                     Debian's libjs-jquery); generated text when missing
#   SERVERS [ours lighttpd nginx]
#   PIN [auto]        1: servers and php-fpm on SERVER_CPUS [0], wrk on CLIENT_CPUS [1]; 0: no pinning;
#                     auto: pin when the machine has at least 2 cores
#   FPM_CHILDREN [4]  php-fpm's pm.max_children (pm = static); also our pool's max-connections
#   BASE_PORT [18400] ports BASE_PORT+1.. for the servers (+4 our actuator), BASE_PORT+7..9 for php-fpm,
#                     BASE_PORT+10..12 for uwsgi (the scgi-hello row: one uwsgi with FPM_CHILDREN workers per
#                     server, over SCGI), BASE_PORT+13..15 for puma (the http-hello row: one puma with FPM_CHILDREN
#                     threads per server, over HTTP), BASE_PORT+16 for Tomcat's AJP connector (the ajp-hello row:
#                     one Tomcat that ours and lighttpd's mod_ajp13 share; nginx has no AJP module)
#   TOMCAT_CP [built]  class path of the ajp-hello row's Tomcat (the autoconfigure module's test classes and
#                     tomcat-embed-core): by default test-compiled and resolved by Maven (offline) on first use
#   JAVA [java] JAVA_OPTS []   how the sample app is started (JFR, heap, ...)
#   APP_JAR [sample-app/target/sample-app.jar]
#   DISPATCH [webflux]  our lighttpd.files.dispatch: webflux (document root after the application's handlers, through
#                     every WebFilter), direct (document-root files and signed links ahead of the application's
#                     filters and handlers) or netty (as direct, and plain requests for kept small files answered in
#                     the connection's pipeline); the table's mode column says which one each of our rows ran in
#   GATEWAY_DISPATCH [webflux]  our lighttpd.gateway.dispatch: webflux (gateway routes through every WebFilter) or
#                     netty (bodiless GETs call their backend from the connection's pipeline); the mode column of the
#                     gateway rows (*-hello, xsendfile-10m) shows it
#   OPEN_FILE_CACHE [false]  our lighttpd.files.open-file-cache.enabled: true keeps the descriptors of files sent with
#                     sendfile(2) open between requests (nginx's open_file_cache); the mode column then ends in +fd
#   CHECK_VALIDITY [0s]  our lighttpd.files.memory-cache.check-validity and open-file-cache.check-validity: how long
#                     a check that found a kept file unchanged answers later requests without a hop to the file-system
#                     scheduler (lighttpd trusts its stat cache for 1s); above 0s the mode column ends in +<validity>
#   RESULTS [none]    a file that receives every single run (tab-separated) besides the table
#   KEEP [0]          1: keep the temporary directory (configurations, logs) and print its path
#   PROFILE [none]    a directory: our JVM is sampled by async-profiler (Maven Central's tools.profiler:async-profiler,
#                     fetched on first use) during every measured run of a row, one collapsed-stack file per row
#                     (<row>.collapsed) for bench/layers.py, which splits the CPU per request by layer
#   PROFILE_EVENT [cpu]  async-profiler's event: cpu (perf events), or itimer where perf events are not allowed
#
# Everything it starts is stopped by pid when it exits, also on Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-2s}
JVM_WARMUP=${JVM_WARMUP:-10s}
ALL_ROWS="static-1k static-1k-c1000 static-1k-304 static-100k static-10m xsendfile-10m secdownload-1k secdownload-100k flv-seek php-hello scgi-hello http-hello ajp-hello gzip-js-100k br-js-100k gzip-static-js-100k bundle-js-100k"
ROWS=${ROWS:-$ALL_ROWS}
SERVERS=${SERVERS:-ours lighttpd nginx}
FPM_CHILDREN=${FPM_CHILDREN:-4}
BASE_PORT=${BASE_PORT:-18400}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
DISPATCH=${DISPATCH:-webflux}
GATEWAY_DISPATCH=${GATEWAY_DISPATCH:-webflux}
OPEN_FILE_CACHE=${OPEN_FILE_CACHE:-false}
CHECK_VALIDITY=${CHECK_VALIDITY:-0s}
APP_JAR=${APP_JAR:-$repo/sample-app/target/sample-app.jar}
RESULTS=${RESULTS:-}
KEEP=${KEEP:-0}
PIN=${PIN:-auto}
PROFILE=${PROFILE:-}
PROFILE_EVENT=${PROFILE_EVENT:-cpu}
ASYNC_PROFILER_VERSION=${ASYNC_PROFILER_VERSION:-4.1}
SERVER_CPUS=${SERVER_CPUS:-0}
CLIENT_CPUS=${CLIENT_CPUS:-1}
BENCH_JS=${BENCH_JS:-/usr/share/javascript/jquery/jquery.js}
PHP_FPM=${PHP_FPM:-$(command -v php-fpm8.2 || command -v php-fpm || echo php-fpm)}

port_ours=$((BASE_PORT + 1))
port_lighttpd=$((BASE_PORT + 2))
port_nginx=$((BASE_PORT + 3))
port_management=$((BASE_PORT + 4))
fpm_ours=$((BASE_PORT + 7))
fpm_lighttpd=$((BASE_PORT + 8))
fpm_nginx=$((BASE_PORT + 9))
scgi_ours=$((BASE_PORT + 10))
scgi_lighttpd=$((BASE_PORT + 11))
scgi_nginx=$((BASE_PORT + 12))
http_ours=$((BASE_PORT + 13))
http_lighttpd=$((BASE_PORT + 14))
http_nginx=$((BASE_PORT + 15))
ajp_tomcat=$((BASE_PORT + 16))
secret=bench-secret-$RANDOM$RANDOM

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

for tool in wrk curl openssl lighttpd nginx "$PHP_FPM" "$JAVA"; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk curl openssl lighttpd nginx php-fpm default-jre-headless)"
done
case $DISPATCH in webflux | direct | netty) ;; *) die "DISPATCH must be webflux, direct or netty, not '$DISPATCH'" ;; esac
case $GATEWAY_DISPATCH in webflux | netty) ;; *) die "GATEWAY_DISPATCH must be webflux or netty, not '$GATEWAY_DISPATCH'" ;; esac
case $OPEN_FILE_CACHE in true | false) ;; *) die "OPEN_FILE_CACHE must be true or false, not '$OPEN_FILE_CACHE'" ;; esac
[[ $CHECK_VALIDITY =~ ^[0-9]+(ms|s)$ ]] || die "CHECK_VALIDITY must be a duration such as 0s, 500ms or 1s, not '$CHECK_VALIDITY'"
wants_row() { case " $ROWS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
UWSGI=${UWSGI:-$(command -v uwsgi || echo uwsgi)}
if wants_row scgi-hello; then
	command -v "$UWSGI" >/dev/null && [ -f /usr/lib/uwsgi/plugins/python3_plugin.so ] \
		|| die "the scgi-hello row needs uwsgi (apt-get install uwsgi uwsgi-plugin-python3), or leave it out of ROWS"
fi
PUMA=${PUMA:-$(command -v puma || echo puma)}
if wants_row http-hello; then
	command -v "$PUMA" >/dev/null \
		|| die "the http-hello row needs puma (apt-get install puma ruby-rack), or leave it out of ROWS"
fi
if [ "$PIN" = auto ]; then
	if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then PIN=1; else PIN=0; fi
fi
server_prefix=()
client_prefix=()
if [ "$PIN" = 1 ]; then
	server_prefix=(taskset -c "$SERVER_CPUS")
	client_prefix=(taskset -c "$CLIENT_CPUS")
fi

# A server already listening on one of the ports would answer in place of the one started here.
for port in "$port_ours" "$port_lighttpd" "$port_nginx" "$fpm_ours" "$fpm_lighttpd" "$fpm_nginx" \
	"$scgi_ours" "$scgi_lighttpd" "$scgi_nginx" "$http_ours" "$http_lighttpd" "$http_nginx" \
	"$ajp_tomcat"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "port $port is in use; choose other ports with BASE_PORT"
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/lighttpd-boot-bench.XXXXXX")
# Servers that drop privileges (nginx workers, php-fpm children) must read the docroot.
chmod 755 "$work"
pids=()

cleanup() {
	local status=$?
	local pid
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "bench: pid $pid did not stop on TERM, killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	if [ "$KEEP" = 1 ]; then
		log "bench: configurations and logs kept in $work"
	else
		rm -rf "$work"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------------
# The docroot: the same files for every server.
www=$work/www
protected=$work/protected
mkdir -p "$www" "$protected"
head -c 1024 /dev/urandom >"$www/1k.bin"
# What a browser revalidating its copy of 1k.bin sends (static-1k-304): the file's own time, which every server
# takes as "not modified" (nginx's default if_modified_since is an exact match).
last_modified_1k=$(LC_ALL=C date -u -r "$www/1k.bin" '+%a, %d %b %Y %H:%M:%S GMT')
head -c $((100 * 1024)) /dev/urandom >"$www/100k.bin"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$www/10m.bin"
cp "$www/100k.bin" "$protected/100k.bin"
cp "$www/1k.bin" "$protected/1k.bin"
# An FLV header (FLV, version 1, audio+video, header size 9, PreviousTagSize0) and 4 MiB of tag data: the servers
# only copy bytes from the requested offset, they do not parse tags.
{ printf 'FLV\001\005\000\000\000\011\000\000\000\000'; head -c $((4 * 1024 * 1024)) /dev/urandom; } >"$www/video.flv"
flv_start=$((2 * 1024 * 1024))
cat >"$www/hello.php" <<'PHP'
<?php
echo "Hello, world!\n";
PHP
# One script for all three: lighttpd and ours honour X-Sendfile (a file path), nginx honours X-Accel-Redirect
# (a URI of an internal location) and drops the other header.
cat >"$www/xsendfile.php" <<PHP
<?php
header('Content-Type: application/octet-stream');
header('X-Sendfile: $www/10m.bin');
header('X-Accel-Redirect: /internal/10m.bin');
PHP
# Compression rows: 100 KiB of real JavaScript; a copy with a precompressed sibling (gzip_static); the same bytes
# split in three for the bundle row; and untouched copies whose first request is timed (cold cache).
mkdir -p "$www/js" "$www/pre"
if [ -r "$BENCH_JS" ]; then
	head -c $((100 * 1024)) "$BENCH_JS" >"$www/js/app.js"
else
	log "bench: $BENCH_JS is missing (apt-get install libjs-jquery); generating JavaScript-like text instead"
	for i in $(seq 1 3000); do printf 'function f%d(a, b) { return a * %d + b; }\n' "$i" "$((i % 97))"; done \
		| head -c $((100 * 1024)) >"$www/js/app.js"
fi
[ "$(stat -c %s "$www/js/app.js")" = $((100 * 1024)) ] || die "$BENCH_JS is smaller than 100 KiB"
cp "$www/js/app.js" "$www/pre/app.js"
gzip -6 -n -c "$www/pre/app.js" >"$www/pre/app.js.gz"
touch -r "$www/pre/app.js" "$www/pre/app.js.gz"
head -c 34000 "$www/js/app.js" >"$www/js/a.js"
head -c 68000 "$www/js/app.js" | tail -c 34000 >"$www/js/b.js"
tail -c $((100 * 1024 - 68000)) "$www/js/app.js" >"$www/js/c.js"
for server in ours lighttpd nginx; do
	for coding in gzip br; do cp "$www/js/app.js" "$www/js/cold-$server-$coding.js"; done
done
chmod -R a+rX "$www" "$protected"

# ---------------------------------------------------------------------------------------------------------------
# php-fpm: one static pool shared by every server.
mkdir -p "$work/logs"
as_root=0
[ "$(id -u)" = 0 ] && as_root=1
cat >"$work/php-fpm.conf" <<CONF
[global]
pid = $work/php-fpm.pid
error_log = $work/php-fpm.log
daemonize = no
CONF
# One master, one identical pool per server: a keep-alive FastCGI client holds a php-fpm worker for as long as it
# keeps the connection open, so servers sharing one pool would starve each other.
for server in ours lighttpd nginx; do
	port_var=fpm_$server
	cat >>"$work/php-fpm.conf" <<CONF

[$server]
listen = 127.0.0.1:${!port_var}
listen.backlog = 511
pm = static
pm.max_children = $FPM_CHILDREN
pm.max_requests = 0
CONF
	if [ "$as_root" = 1 ]; then
		printf 'user = nobody\ngroup = nogroup\n' >>"$work/php-fpm.conf"
	fi
done

# lighttpd: mod_fastcgi (a new backend connection per request: lighttpd 1.4 has no FastCGI keep-alive), X-Sendfile.
cat >"$work/lighttpd.conf" <<CONF
server.document-root = "$www"
server.bind = "127.0.0.1"
server.port = $port_lighttpd
server.errorlog = "$work/logs/lighttpd-error.log"
server.modules = ( "mod_fastcgi", "mod_scgi", "mod_proxy", "mod_ajp13", "mod_deflate" )
server.max-keep-alive-requests = 100000
# Room for the 1,000-connection row (the default caps connections at a third of max-fds).
server.max-fds = 8192
server.max-connections = 4096
mimetype.assign = ( ".bin" => "application/octet-stream", ".flv" => "video/x-flv", ".html" => "text/html", ".js" => "text/javascript" )
deflate.mimetypes = ( "text/javascript" )
deflate.allowed-encodings = ( "br", "gzip" )
deflate.cache-dir = "$work/lighttpd-deflate-cache"
fastcgi.server = ( ".php" => ( (
	"host" => "127.0.0.1",
	"port" => $fpm_lighttpd,
	"check-local" => "enable",
	"allow-x-send-file" => "enable"
) ) )
scgi.server = ( "/py/" => ( (
	"host" => "127.0.0.1",
	"port" => $scgi_lighttpd,
	"check-local" => "disable"
) ) )
ajp13.server = ( "/java/" => ( (
	"host" => "127.0.0.1",
	"port" => $ajp_tomcat,
	"check-local" => "disable"
) ) )
# mod_proxy: HTTP/1.1 with Connection: close, a new backend connection per request (lighttpd 1.4 has no upstream
# keep-alive).
proxy.server = ( "/rb/" => ( (
	"host" => "127.0.0.1",
	"port" => $http_lighttpd
) ) )
CONF
if [ "$as_root" = 1 ]; then
	# lighttpd opens its error log after dropping privileges.
	chown nobody "$work/logs"
	mkdir -p "$work/lighttpd-deflate-cache"
	chown nobody "$work/lighttpd-deflate-cache"
	printf 'server.username = "nobody"\nserver.groupname = "nogroup"\n' >>"$work/lighttpd.conf"
fi

# nginx: one worker (the servers share one core when pinned), sendfile, fastcgi_pass with keep-alive,
# X-Accel-Redirect to an internal location, the flv module, secure_link_md5 for the signed link.
mkdir -p "$work/nginx-temp"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
$([ "$as_root" = 1 ] && echo "user nobody nogroup;")
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000;
	types { application/octet-stream bin; video/x-flv flv; text/html html; text/javascript js; }
	# gzip on the fly at lighttpd's level (zlib's default 6); no brotli: stock nginx has no module for it.
	gzip on;
	gzip_comp_level 6;
	gzip_types text/javascript;
	gzip_vary on;
	default_type application/octet-stream;
	client_body_temp_path $work/nginx-temp/body;
	fastcgi_temp_path $work/nginx-temp/fastcgi;
	proxy_temp_path $work/nginx-temp/proxy;
	uwsgi_temp_path $work/nginx-temp/uwsgi;
	scgi_temp_path $work/nginx-temp/scgi;
	upstream php {
		server 127.0.0.1:$fpm_nginx;
		keepalive $FPM_CHILDREN;
	}
	upstream rb {
		server 127.0.0.1:$http_nginx;
		keepalive $FPM_CHILDREN;
	}
	server {
		listen 127.0.0.1:$port_nginx;
		root $www;
		location ~ \.flv\$ { flv; }
		location ~ \.php\$ {
			fastcgi_pass php;
			fastcgi_keep_conn on;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
			fastcgi_param QUERY_STRING \$query_string;
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param CONTENT_TYPE \$content_type;
			fastcgi_param CONTENT_LENGTH \$content_length;
			fastcgi_param REQUEST_URI \$request_uri;
			fastcgi_param DOCUMENT_ROOT \$document_root;
			fastcgi_param SERVER_PROTOCOL \$server_protocol;
			fastcgi_param GATEWAY_INTERFACE CGI/1.1;
			fastcgi_param SERVER_SOFTWARE nginx;
			fastcgi_param REMOTE_ADDR \$remote_addr;
			fastcgi_param REMOTE_PORT \$remote_port;
			fastcgi_param SERVER_ADDR \$server_addr;
			fastcgi_param SERVER_PORT \$server_port;
			fastcgi_param SERVER_NAME \$server_name;
			fastcgi_param REDIRECT_STATUS 200;
		}
		location /py/ {
			scgi_pass 127.0.0.1:$scgi_nginx;
			scgi_param SCGI 1;
			scgi_param REQUEST_METHOD \$request_method;
			scgi_param REQUEST_URI \$request_uri;
			scgi_param QUERY_STRING \$query_string;
			scgi_param CONTENT_TYPE \$content_type;
			scgi_param DOCUMENT_URI \$document_uri;
			scgi_param SCRIPT_NAME /py;
			scgi_param PATH_INFO \$uri;
			scgi_param SERVER_PROTOCOL \$server_protocol;
			scgi_param REMOTE_ADDR \$remote_addr;
			scgi_param REMOTE_PORT \$remote_port;
			scgi_param SERVER_PORT \$server_port;
			scgi_param SERVER_NAME \$server_name;
		}
		location /rb/ {
			proxy_pass http://rb;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$http_host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto \$scheme;
		}
		location /internal/ { internal; alias $www/; }
		location /pre/ { gzip_static on; }
		location /s/ {
			secure_link \$arg_md5,\$arg_expires;
			secure_link_md5 "\$secure_link_expires\$uri $secret";
			if (\$secure_link = "") { return 403; }
			if (\$secure_link = "0") { return 410; }
			alias $protected/;
		}
	}
}
CONF

# ---------------------------------------------------------------------------------------------------------------
# Start everything, remembering pids.
start() {
	local name=$1
	shift
	"${server_prefix[@]}" "$@" >"$work/$name.out" 2>&1 &
	pids+=($!)
	eval "pid_$name=$!"
}

wait_for() {
	local name=$1 url=$2 deadline=$((SECONDS + 90))
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ]; do
		local pid_var=pid_$name
		kill -0 "${!pid_var}" 2>/dev/null || { cat "$work/$name.out" >&2; die "$name exited during start-up"; }
		[ $SECONDS -lt $deadline ] || die "$name did not answer $url within 90 s"
		sleep 0.2
	done
}

fpm_args=(-F -y "$work/php-fpm.conf" -p "$work")
[ "$as_root" = 1 ] && fpm_args+=(-R)
start fpm "$PHP_FPM" "${fpm_args[@]}"

wants() { case " $SERVERS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# uwsgi: one per server (SCGI has a connection per request; separate workers keep the servers from starving each
# other, as the php-fpm pools do), serving a WSGI hello of 14 bytes.
if wants_row scgi-hello; then
	cat >"$work/hello_app.py" <<'PY'
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '14')])
    return [b'Hello, world!\n']
PY
	for server in $SERVERS; do
		port_var=scgi_$server
		start "uwsgi_$server" "$UWSGI" --plugin python3 --scgi-socket "127.0.0.1:${!port_var}" \
			--wsgi-file "$work/hello_app.py" --need-app --master --processes "$FPM_CHILDREN" --die-on-term \
			--disable-logging --listen 511
	done
fi

# puma: one per server, as uwsgi, with FPM_CHILDREN threads, serving a Rack hello of 14 bytes.
if wants_row http-hello; then
	cat >"$work/hello_app.ru" <<'RU'
run lambda { |_env| [200, { 'Content-Type' => 'text/plain', 'Content-Length' => '14' }, ["Hello, world!\n"]] }
RU
	for server in $SERVERS; do
		port_var=http_$server
		start "puma_$server" "$PUMA" --environment production --threads "$FPM_CHILDREN:$FPM_CHILDREN" \
			--bind "tcp://127.0.0.1:${!port_var}" "$work/hello_app.ru"
	done
fi

# Tomcat: one AJP connector shared by ours and lighttpd (AJP13 keeps connections alive per server; Tomcat's thread
# pool serves both), answering a servlet hello of 14 bytes.
if wants_row ajp-hello; then
	if [ -z "${TOMCAT_CP:-}" ]; then
		log "bench: building the Tomcat AJP peer's class path"
		(cd "$repo" && mvn -B -q -o -pl lighttpd-spring-boot-autoconfigure test-compile dependency:build-classpath \
			-Dmdep.outputFile="$work/tomcat.cp" -Dmdep.includeScope=test \
			-Dmdep.includeArtifactIds=tomcat-embed-core,tomcat-annotations-api >/dev/null) \
			|| die "cannot build the Tomcat AJP peer (mvn test-compile in lighttpd-spring-boot-autoconfigure)"
		TOMCAT_CP=$repo/lighttpd-spring-boot-autoconfigure/target/test-classes:$(cat "$work/tomcat.cp")
	fi
	start tomcat "$JAVA" -cp "$TOMCAT_CP" dev.lighttpdboot.test.peers.TomcatAjpHello "$ajp_tomcat"
	for _ in $(seq 1 300); do
		(exec 3<>"/dev/tcp/127.0.0.1/$ajp_tomcat") 2>/dev/null && break
		kill -0 "$pid_tomcat" 2>/dev/null || { cat "$work/tomcat.out" >&2; die "Tomcat exited during start-up"; }
		sleep 0.2
	done
fi

if wants ours; then
	if [ ! -f "$APP_JAR" ]; then
		log "bench: building the sample app"
		(cd "$repo" && mvn -B -q package -DskipTests)
	fi
	# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
	start ours "$JAVA" $JAVA_OPTS -jar "$APP_JAR" \
		--server.port="$port_ours" --server.address=127.0.0.1 --management.server.port="$port_management" \
		--logging.level.root=WARN \
		--lighttpd.document-root="$www" \
		--lighttpd.sendfile.allowed-roots="$www" \
		--lighttpd.secdownload.enabled=true \
		--lighttpd.secdownload.secret="$secret" \
		--lighttpd.secdownload.algorithm=hmac-sha256 \
		--lighttpd.secdownload.uri-prefix=/dl/ \
		--lighttpd.secdownload.document-root="$protected" \
		--lighttpd.secdownload.timeout=1h \
		--demo.php-fpm="127.0.0.1:$fpm_ours" \
		--lighttpd.gateway.routes[0].name=php \
		--lighttpd.gateway.routes[0].extensions=.php \
		--lighttpd.gateway.routes[0].document-root="$www" \
		--lighttpd.gateway.routes[0].allow-x-sendfile=true \
		--lighttpd.gateway.routes[0].backends[0].address="127.0.0.1:$fpm_ours" \
		--lighttpd.gateway.routes[0].backends[0].max-connections="$FPM_CHILDREN" \
		--lighttpd.gateway.routes[1].name=py \
		--lighttpd.gateway.routes[1].protocol=scgi \
		--lighttpd.gateway.routes[1].path-prefix=/py/ \
		--lighttpd.gateway.routes[1].document-root="$www" \
		--lighttpd.gateway.routes[1].check-local=false \
		--lighttpd.gateway.routes[1].spawn.command= \
		--lighttpd.gateway.routes[1].backends[0].address="127.0.0.1:$scgi_ours" \
		--lighttpd.gateway.routes[1].backends[0].max-connections="$FPM_CHILDREN" \
		--lighttpd.gateway.routes[2].name=java \
		--lighttpd.gateway.routes[2].protocol=ajp13 \
		--lighttpd.gateway.routes[2].path-prefix=/java/ \
		--lighttpd.gateway.routes[2].health-check.affects-overall-status=false \
		--lighttpd.gateway.routes[2].backends[0].address="127.0.0.1:$ajp_tomcat" \
		--lighttpd.gateway.routes[2].backends[0].max-connections="$FPM_CHILDREN" \
		--lighttpd.gateway.routes[3].name=rb \
		--lighttpd.gateway.routes[3].protocol=http \
		--lighttpd.gateway.routes[3].path-prefix=/rb/ \
		--lighttpd.gateway.routes[3].spawn.command= \
		--lighttpd.gateway.routes[3].backends[0].address="127.0.0.1:$http_ours" \
		--lighttpd.gateway.routes[3].backends[0].max-connections="$FPM_CHILDREN" \
		--lighttpd.compression.enabled=true \
		--lighttpd.compression.bundles.enabled=true \
		--lighttpd.server.max-keep-alive-requests=100000 \
		--lighttpd.access-log.enabled=false \
		--lighttpd.files.dispatch="$DISPATCH" \
		--lighttpd.gateway.dispatch="$GATEWAY_DISPATCH" \
		--lighttpd.files.open-file-cache.enabled="$OPEN_FILE_CACHE" \
		--lighttpd.files.memory-cache.check-validity="$CHECK_VALIDITY" \
		--lighttpd.files.open-file-cache.check-validity="$CHECK_VALIDITY"
fi
wants lighttpd && start lighttpd lighttpd -D -f "$work/lighttpd.conf"
wants nginx && start nginx nginx -c "$work/nginx.conf" -g 'daemon off;'

# ---------------------------------------------------------------------------------------------------------------
# URLs per row and server; an empty URL means the server has no such feature.
issued=$(printf '%08x' "$(date +%s)")
token=$(printf '/%s/100k.bin' "$issued" | openssl dgst -sha256 -mac HMAC -macopt "key:$secret" -binary \
	| openssl base64 -A | tr '+/' '-_' | tr -d '=')
expires=$(($(date +%s) + 7200))
nginx_md5=$(printf '%s/s/100k.bin %s' "$expires" "$secret" | openssl dgst -md5 -binary \
	| openssl base64 -A | tr '+/' '-_' | tr -d '=')
token_1k=$(printf '/%s/1k.bin' "$issued" | openssl dgst -sha256 -mac HMAC -macopt "key:$secret" -binary \
	| openssl base64 -A | tr '+/' '-_' | tr -d '=')
nginx_md5_1k=$(printf '%s/s/1k.bin %s' "$expires" "$secret" | openssl dgst -md5 -binary \
	| openssl base64 -A | tr '+/' '-_' | tr -d '=')

url() {
	local row=$1 server=$2 port_var=port_$2
	local base="http://127.0.0.1:${!port_var}"
	case $row in
		static-1k | static-1k-c1000 | static-1k-304) echo "$base/1k.bin" ;;
		static-100k) echo "$base/100k.bin" ;;
		static-10m) echo "$base/10m.bin" ;;
		xsendfile-10m) echo "$base/xsendfile.php" ;;
		secdownload-1k)
			case $server in
				ours) echo "$base/dl/$token_1k/$issued/1k.bin" ;;
				nginx) echo "$base/s/1k.bin?md5=$nginx_md5_1k&expires=$expires" ;;
				*) echo "" ;; # lighttpd 1.4.68+ no longer ships mod_secdownload
			esac ;;
		secdownload-100k)
			case $server in
				ours) echo "$base/dl/$token/$issued/100k.bin" ;;
				nginx) echo "$base/s/100k.bin?md5=$nginx_md5&expires=$expires" ;;
				*) echo "" ;; # lighttpd 1.4.68+ no longer ships mod_secdownload
			esac ;;
		flv-seek)
			case $server in
				lighttpd) echo "" ;; # lighttpd 1.4.64+ no longer ships mod_flv_streaming
				*) echo "$base/video.flv?start=$flv_start" ;;
			esac ;;
		php-hello) echo "$base/hello.php" ;;
		scgi-hello) echo "$base/py/hello" ;;
		ajp-hello)
			case $server in
				nginx) echo "" ;; # nginx has no AJP module
				*) echo "$base/java/hello" ;;
			esac ;;
		http-hello) echo "$base/rb/hello" ;;
		gzip-js-100k) echo "$base/js/app.js" ;;
		br-js-100k)
			case $server in
				nginx) echo "" ;; # stock nginx has no brotli module
				*) echo "$base/js/app.js" ;;
			esac ;;
		gzip-static-js-100k)
			case $server in
				lighttpd) echo "" ;; # lighttpd has no gzip_static: its row is gzip-js-100k (mod_deflate's cache-dir)
				*) echo "$base/pre/app.js" ;;
			esac ;;
		bundle-js-100k)
			case $server in
				ours) echo "$base/js/??a.js,b.js,c.js" ;;
				*) echo "" ;; # concatenation is Tengine's module; neither peer has it
			esac ;;
		*) die "unknown row $row" ;;
	esac
}

# The Accept-Encoding a row sends, if any.
accept_encoding() {
	case $1 in
		gzip-js-100k | gzip-static-js-100k | bundle-js-100k) echo gzip ;;
		br-js-100k) echo br ;;
		*) echo "" ;;
	esac
}

# wrk's -c for a row: CONNECTIONS, but 1,000 keep-alive connections for the many-connections row.
row_connections() {
	case $1 in
		*-c1000) echo 1000 ;;
		*) echo "$CONNECTIONS" ;;
	esac
}

# wrk's and curl's header options for a row.
row_headers() {
	local coding
	coding=$(accept_encoding "$1")
	[ -n "$coding" ] && printf '%s\n%s\n' -H "Accept-Encoding: $coding"
	[ "$1" = static-1k-304 ] && printf '%s\n%s\n' -H "If-Modified-Since: $last_modified_1k"
	return 0
}

expected_length() {
	case $1 in
		static-1k | static-1k-c1000 | secdownload-1k) echo 1024 ;;
		static-1k-304) echo not-modified ;;
		static-100k | secdownload-100k) echo $((100 * 1024)) ;;
		static-10m | xsendfile-10m) echo $((10 * 1024 * 1024)) ;;
		flv-seek) echo $((13 + 4 * 1024 * 1024 + 13 - flv_start)) ;;
		php-hello | scgi-hello | http-hello | ajp-hello) echo 14 ;;
		*) echo compressed ;;
	esac
}

for server in $SERVERS; do
	wait_for "$server" "$(url static-1k "$server")"
done
log "bench: servers up (pinning: $([ "$PIN" = 1 ] && echo "servers+php-fpm on cpu $SERVER_CPUS, wrk on cpu $CLIENT_CPUS" || echo off))"

# The first request for a compressible file (cold cache: compressed and written to the cache), timed apart, before
# anything else asks for these files.
for row in $ROWS; do
	case $row in gzip-js-100k | br-js-100k) ;; *) continue ;; esac
	coding=$(accept_encoding "$row")
	for server in $SERVERS; do
		u=$(url "$row" "$server")
		[ -n "$u" ] || continue
		u=${u%/js/app.js}/js/cold-$server-$coding.js
		first=$(curl -s -o /dev/null -H "Accept-Encoding: $coding" -w '%{time_total}' "$u")
		second=$(curl -s -o /dev/null -H "Accept-Encoding: $coding" -w '%{time_total}' "$u")
		log "bench: $row $server cold: first request $(awk -v t="$first" 'BEGIN { printf "%.2f", t * 1000 }') ms, second $(awk -v t="$second" 'BEGIN { printf "%.2f", t * 1000 }') ms"
	done
done

# Every URL must answer 200 with the expected body length (compression rows: the expected coding, a body that
# decodes to the file) before anything is measured.
for row in $ROWS; do
	for server in $SERVERS; do
		u=$(url "$row" "$server")
		[ -n "$u" ] || continue
		expected=$(expected_length "$row")
		if [ "$expected" = compressed ]; then
			coding=$(accept_encoding "$row")
			got=$(curl -s -D "$work/headers" -o "$work/body" -H "Accept-Encoding: $coding" -w '%{http_code} %{size_download}' "$u")
			grep -qi "^content-encoding: $coding" "$work/headers" || die "$server $row: $u answered without Content-Encoding: $coding"
			case $coding in gzip) decode=(gzip -dc) ;; br) decode=(brotli -dc) ;; esac
			if command -v "${decode[0]}" >/dev/null; then
				cmp -s <("${decode[@]}" <"$work/body") "$www/js/app.js" || die "$server $row: the body does not decode to the file"
			fi
			log "bench: $row $server: ${got#* } bytes on the wire per response (of $((100 * 1024)))"
			continue
		fi
		if [ "$expected" = not-modified ]; then
			mapfile -t headers < <(row_headers "$row")
			got=$(curl -s -o /dev/null "${headers[@]}" -w '%{http_code} %{size_download}' "$u")
			[ "$got" = "304 0" ] || die "$server $row: $u answered '$got', expected '304 0'"
			continue
		fi
		got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$u")
		[ "$got" = "200 $expected" ] || die "$server $row: $u answered '$got', expected '200 $expected'"
	done
done

# ---------------------------------------------------------------------------------------------------------------
# Measuring.
ticks_per_second=$(getconf CLK_TCK)

# utime + stime, in clock ticks, of a process and its children (nginx's worker, php-fpm's children).
cpu_ticks() {
	local pid total=0 p
	for pid in "$@"; do
		for p in $pid $(pgrep -P "$pid" || true); do
			[ -r "/proc/$p/stat" ] || continue
			# Fields 14 and 15, counted after the ")" that closes the command name.
			total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
		done
	done
	echo "$total"
}

# CPU ticks of the JVM's JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre"); 0 for other servers.
jit_ticks() {
	local total=0 task ticks
	for task in /proc/"$1"/task/*; do
		case $(cat "$task/comm" 2>/dev/null) in
			C1\ Compiler* | C2\ Compiler*)
				# Compiler threads come and go (the JVM sizes their number to the work): one may exit meanwhile.
				ticks=$(sed 's/.*) //' "$task/stat" 2>/dev/null | awk '{ print $12 + $13 }')
				total=$((total + ${ticks:-0})) ;;
		esac
	done
	echo "$total"
}

# Resident memory in MiB of a process and its children (nginx's worker), php-fpm not included.
rss_mib() {
	local pid total=0 p
	for pid in "$@"; do
		for p in $pid $(pgrep -P "$pid" || true); do
			[ -r "/proc/$p/status" ] || continue
			total=$((total + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")))
		done
	done
	awk -v k="$total" 'BEGIN { printf "%.0f", k / 1024 }'
}

# Latency in wrk's units (us, ms, s) to microseconds.
to_us() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1000; else if (v ~ /s$/) m = 1000000; else m = 1; printf "%.0f", n * m }'; }

# wrk's Transfer/sec (B, KB, MB, GB; binary units) to MB/s (MiB/s).
to_mbps() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /GB$/) m = 1024; else if (v ~ /MB$/) m = 1; else if (v ~ /KB$/) m = 1 / 1024; else m = 1 / 1048576; printf "%.1f", n * m }'; }

# Clock ticks to microseconds per request.
# A compiler thread that exited during the run takes its ticks along, hence the floor at zero.
per_request() { awk -v t="$1" -v hz="$ticks_per_second" -v r="$2" 'BEGIN { if (t < 0) t = 0; printf "%.1f", (r > 0) ? t * 1000000 / hz / r : 0 }'; }

samples=$work/samples.tsv
: >"$samples"

# async-profiler, attached to our JVM only while a row is measured (not while it warms up).
profiler_lib=
if [ -n "$PROFILE" ] && wants ours; then
	mkdir -p "$PROFILE"
	PROFILE=$(cd "$PROFILE" && pwd)
	(cd "$work" && mvn -B -q -Dstyle.color=never dependency:copy -DoutputDirectory="$work" \
		-Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION:jar:linux-x64" >/dev/null) || die "cannot fetch async-profiler"
	(cd "$work" && unzip -q -o "async-profiler-$ASYNC_PROFILER_VERSION-linux-x64.jar" 'linux-x64/*')
	profiler_lib=$work/linux-x64/libasyncProfiler.so
fi
profiler() {
	[ -n "$profiler_lib" ] || return 0
	# Quoted, or jcmd splits the agent's options at "=".
	jcmd "$pid_ours" JVMTI.agent_load "$profiler_lib" "\"$1\"" >/dev/null || die "async-profiler: $1 failed"
}

# wrk's voluntary context switches, by GNU time (Debian's time package) where it is installed: how often the client
# slept waiting for an answer, so how often a server's send had to wake it.
wrk_timer=()
[ -x /usr/bin/time ] && wrk_timer=(/usr/bin/time -f %w -o "$work/wrk-switches")

# One wrk run; appends "row server req/s MB/s p50us p99us cpu-us-per-request errors jit-us-per-request rss-MiB
# client-wake-ups-per-request" to the samples (resident memory right after the run).
measure() {
	local row=$1 server=$2 duration=$3 record=$4
	local u pid_var headers before after jit_before jit_after out requests rps transfer p50 p99 errors cpu jit rss wakes
	u=$(url "$row" "$server")
	pid_var=pid_$server
	before=$(cpu_ticks "${!pid_var}")
	jit_before=$(jit_ticks "${!pid_var}")
	mapfile -t headers < <(row_headers "$row")
	out=$("${client_prefix[@]}" "${wrk_timer[@]}" wrk -t"$THREADS" -c"$(row_connections "$row")" -d"$duration" --latency \
		"${headers[@]}" "$u")
	after=$(cpu_ticks "${!pid_var}")
	jit_after=$(jit_ticks "${!pid_var}")
	rss=$(rss_mib "${!pid_var}")
	[ "$record" = 1 ] || return 0
	requests=$(awk '/requests in/ { print $1 }' <<<"$out")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	transfer=$(awk '/^Transfer\/sec:/ { print $2 }' <<<"$out")
	p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")
	cpu=$(per_request $((after - before)) "$requests")
	jit=$(per_request $((jit_after - jit_before)) "$requests")
	wakes=-
	if [ ${#wrk_timer[@]} -gt 0 ] && [ -s "$work/wrk-switches" ]; then
		wakes=$(awk -v n="$(tail -n 1 "$work/wrk-switches")" -v r="$requests" 'BEGIN { printf "%.2f", (r > 0) ? n / r : 0 }')
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$server" "$rps" "$(to_mbps "$transfer")" "$(to_us "$p50")" \
		"$(to_us "$p99")" "$cpu" "$errors" "$jit" "$rss" "$wakes" >>"$samples"
	log "  $row $server: $rps req/s, $transfer/s, p50 $p50, p99 $p99, $cpu us cpu/request ($jit in the JIT), $errors errors, $rss MiB resident, $wakes client wake-ups/request"
}

# The JIT compiles our hot paths during the first minutes; on one shared core it needs long. The peers have
# nothing to warm up. What the compiler still spends during the measured runs is reported on its own (jit-us).
if wants ours; then
	log "bench: warming up the JVM ($JVM_WARMUP per row)"
	for row in $ROWS; do
		[ -n "$(url "$row" ours)" ] || continue
		mapfile -t headers < <(row_headers "$row")
		"${client_prefix[@]}" wrk -t"$THREADS" -c"$(row_connections "$row")" -d"$JVM_WARMUP" "${headers[@]}" "$(url "$row" ours)" >/dev/null
	done
fi

read -r -a server_list <<<"$SERVERS"
for row in $ROWS; do
	log "bench: $row"
	for server in "${server_list[@]}"; do
		[ -n "$(url "$row" "$server")" ] && measure "$row" "$server" "$WARMUP" 0
	done
	profiler "start,event=$PROFILE_EVENT,interval=1ms,threads"
	for rep in $(seq 1 "$REPEAT"); do
		# Rotate the order each repetition, so no server always runs first (or right after a heavy one).
		n=${#server_list[@]}
		for i in $(seq 0 $((n - 1))); do
			server=${server_list[$(((i + rep - 1) % n))]}
			[ -n "$(url "$row" "$server")" ] && measure "$row" "$server" "$DURATION" 1
		done
	done
	profiler "stop,collapsed,threads,file=$PROFILE/$row.collapsed"
done
[ -n "$RESULTS" ] && cp "$samples" "$RESULTS"

# ---------------------------------------------------------------------------------------------------------------
# The table: medians per row and server, and our ratios to each peer (higher is better for us in both).
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_median() { awk -F'\t' -v r="$1" -v s="$2" -v c="$3" '$1 == r && $2 == s { print $c }' "$samples" | median; }

printf '\n%s, %s cores, wrk -t%s -c%s -d%s, %s runs per cell (median), pinning %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	"$(nproc)" "$THREADS" "$CONNECTIONS" "$DURATION" "$REPEAT" "$([ "$PIN" = 1 ] && echo "servers+php-fpm cpu $SERVER_CPUS, wrk cpu $CLIENT_CPUS" || echo off)"
printf '%-17s %-9s %-13s %10s %9s %9s %9s %10s %7s %7s %8s %9s %10s %13s\n' row server mode req/s MB/s p50-ms p99-ms cpu-us/req jit-us errors rss-MiB wakes/req ours/peer cpu-peer/ours
for row in $ROWS; do
	ours_rps=$(column_median "$row" ours 3)
	ours_cpu=$(column_median "$row" ours 7)
	for server in "${server_list[@]}"; do
		rps=$(column_median "$row" "$server" 3)
		if [ -z "$rps" ]; then
			printf '%-17s %-9s %-13s %10s\n' "$row" "$server" - "n/a"
			continue
		fi
		mbps=$(column_median "$row" "$server" 4)
		p50=$(column_median "$row" "$server" 5)
		p99=$(column_median "$row" "$server" 6)
		cpu=$(column_median "$row" "$server" 7)
		jit=$(column_median "$row" "$server" 9)
		rss=$(column_median "$row" "$server" 10)
		wakes=$(awk -F'\t' -v r="$row" -v s="$server" '$1 == r && $2 == s && $11 != "-" { print $11 }' "$samples" | median)
		errors=$(awk -F'\t' -v r="$row" -v s="$server" '$1 == r && $2 == s { n += $8 } END { print n + 0 }' "$samples")
		ratio=- cpu_ratio=-
		if [ "$server" != ours ] && [ -n "$ours_rps" ]; then
			ratio=$(awk -v a="$ours_rps" -v b="$rps" 'BEGIN { printf "%.2f", a / b }')
			cpu_ratio=$(awk -v a="$cpu" -v b="$ours_cpu" 'BEGIN { printf (b > 0) ? "%.2f" : "-", a / b }')
		fi
		mode=-
		if [ "$server" = ours ]; then
			case $row in
			*-hello | xsendfile-*) mode=$GATEWAY_DISPATCH ;;
			*) mode=$DISPATCH ;;
			esac
			if [ "$OPEN_FILE_CACHE" = true ]; then
				mode="$mode+fd"
			fi
			if [[ ! $CHECK_VALIDITY =~ ^0+(ms|s)$ ]]; then
				mode="$mode+$CHECK_VALIDITY"
			fi
		fi
		printf '%-17s %-9s %-13s %10.0f %9.1f %9.2f %9.2f %10.1f %7.1f %7s %8.0f %9s %10s %13s\n' "$row" "$server" "$mode" "$rps" "$mbps" \
			"$(awk -v v="$p50" 'BEGIN { print v / 1000 }')" "$(awk -v v="$p99" 'BEGIN { print v / 1000 }')" "$cpu" \
			"$jit" "$errors" "$rss" "${wakes:--}" "$ratio" "$cpu_ratio"
	done
done

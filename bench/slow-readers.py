#!/usr/bin/env python3
"""Slow readers against a php-fpm pool behind the sample app.

Starts php-fpm (pm = static, WORKERS children) and the sample app with one route to it (max-connections =
WORKERS), opens READERS connections that each fetch big.php?mb=MB and read it at RATE bytes per second, then
measures other PHP requests (/hello.php) one after the other while the slow readers are connected.

    python3 bench/slow-readers.py [--jar sample-app/target/sample-app.jar] [--workers 8] [--readers 8]
                                  [--mb 100] [--rate 1024] [--probes 10] [--extra=--lighttpd...=false]

Everything it starts is stopped when it ends.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on {port} after {timeout}s")


def slow_reader(port, mb, rate, stop, received):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET /big.php?mb={mb} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    s.settimeout(5)
    try:
        while not stop.is_set():
            data = s.recv(rate)
            if not data:
                break
            received.append(len(data))
            stop.wait(1)
    except OSError:
        pass
    finally:
        s.close()


def probe(port, timeout):
    start = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello.php", timeout=timeout) as response:
            response.read()
            return response.status, time.monotonic() - start
    except Exception as ex:  # a timeout is a result here
        return type(ex).__name__, time.monotonic() - start


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--jar", default=os.path.join(here, "..", "sample-app", "target", "sample-app.jar"))
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--rate", type=int, default=1024)
    parser.add_argument("--probes", type=int, default=10)
    parser.add_argument("--probe-timeout", type=float, default=10)
    parser.add_argument("--extra", action="append", default=[])
    args = parser.parse_args()

    fpm = shutil.which("php-fpm8.2") or shutil.which("php-fpm") or "/usr/sbin/php-fpm8.2"
    work = tempfile.mkdtemp(prefix="slow-readers-")
    root = os.path.join(work, "root")
    os.mkdir(root)
    with open(os.path.join(root, "big.php"), "w") as f:
        f.write("<?php $c = str_repeat('x', 1048576); for ($i = 0; $i < intval($_GET['mb']); $i++) "
                "{ echo $c; flush(); }\n")
    with open(os.path.join(root, "hello.php"), "w") as f:
        f.write("<?php echo 'hello';\n")
    fpm_port, app_port = free_port(), free_port()
    conf = os.path.join(work, "fpm.conf")
    with open(conf, "w") as f:
        f.write(f"[global]\nerror_log = {work}/fpm.log\ndaemonize = no\n[bench]\nlisten = 127.0.0.1:{fpm_port}\n"
                f"pm = static\npm.max_children = {args.workers}\n")
        if os.geteuid() == 0:
            f.write("user = root\ngroup = root\n")
    procs = []
    stop = threading.Event()
    try:
        command = [fpm, "-F", "-y", conf] + (["-R"] if os.geteuid() == 0 else [])
        procs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(fpm_port, 10)
        route = "--lighttpd.gateway.routes[0]."
        procs.append(subprocess.Popen(
            ["java", "-jar", args.jar, f"--server.port={app_port}", f"--lighttpd.document-root={root}",
             f"--demo.php-fpm=127.0.0.1:{fpm_port}", route + "name=php", route + "extensions=.php",
             route + f"document-root={root}", route + f"backends[0].address=127.0.0.1:{fpm_port}",
             route + f"backends[0].max-connections={args.workers}"] + args.extra,
            stdout=open(os.path.join(work, "app.log"), "w"), stderr=subprocess.STDOUT))
        wait_for(app_port, 90)
        for _ in range(3):
            probe(app_port, 10)
        received = []
        readers = [threading.Thread(target=slow_reader, args=(app_port, args.mb, args.rate, stop, received),
                                    daemon=True) for _ in range(args.readers)]
        for reader in readers:
            reader.start()
        time.sleep(3)
        results = [probe(app_port, args.probe_timeout) for _ in range(args.probes)]
        ok = [t for status, t in results if status == 200]
        print(f"jar={os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(args.jar))))} "
              f"extra={args.extra} workers={args.workers} readers={args.readers} mb={args.mb} rate={args.rate}B/s")
        print(f"probes: {len(ok)}/{len(results)} answered 200 within {args.probe_timeout:g}s; "
              f"statuses {[status for status, _ in results]}")
        if ok:
            ok.sort()
            print(f"latency of the answered: min {ok[0] * 1000:.1f} ms, median {ok[len(ok) // 2] * 1000:.1f} ms, "
                  f"max {ok[-1] * 1000:.1f} ms")
    finally:
        stop.set()
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Hosted media measured over HTTP: `podsmith probe URL...` against ffprobe
run once per URL (as podcast-rss-generator does), in the same run, against
the same local HTTP server, which answers Range requests after an injected
latency (50 ms a request) and counts requests and bytes per file.

The files: EPISODES episodes of a show, each an MP3 (CBR with a Xing/Info
header) and an Ogg Vorbis file of 15 min 10 s (hard links to the corpus
files under their own names). Writes bench/results/remote.md. Run through
bench/probe.sh, or alone once the corpus is made (bench/make-corpus.sh).
"""
import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PODSMITH = os.path.join(ROOT, "target", "release", "podsmith")
CORPUS = os.path.join(HERE, "corpus")
EPISODES = int(os.environ.get("EPISODES", "200"))
LATENCY = float(os.environ.get("LATENCY", "0.05"))
TRUE_SECONDS = 910.0
SOURCES = {"mp3": "mp3_cbr_info_15m10s.mp3", "ogg": "ogg_vorbis_15m10s.ogg"}


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0

    def add(self, n):
        with self.lock:
            self.requests += 1
            self.bytes += n

    def take(self):
        with self.lock:
            out = (self.requests, self.bytes)
            self.requests, self.bytes = 0, 0
            return out


def serve(root, stats):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, head_only):
            time.sleep(LATENCY)
            path = os.path.join(root, self.path.lstrip("/").split("?")[0])
            if not os.path.isfile(path):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                stats.add(0)
                return
            size = os.path.getsize(path)
            start, end = 0, size - 1
            ranged = re.match(r"bytes=(\d*)-(\d*)$", self.headers.get("Range", ""))
            if ranged:
                a, b = ranged.groups()
                if a == "":
                    start, end = max(0, size - int(b)), size - 1
                else:
                    start, end = int(a), min(int(b) if b else size - 1, size - 1)
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            else:
                self.send_response(200)
            kind = "audio/mpeg" if path.endswith(".mp3") else "audio/ogg"
            self.send_header("Content-Type", kind)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("ETag", f'"{size:x}"')
            self.end_headers()
            sent = 0
            if not head_only:
                with open(path, "rb") as f:
                    f.seek(start)
                    left = end - start + 1
                    try:
                        while left > 0:
                            chunk = f.read(min(left, 1 << 16))
                            self.wfile.write(chunk)
                            sent += len(chunk)
                            left -= len(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
            stats.add(sent)

        def do_GET(self):
            self.send(False)

        def do_HEAD(self):
            self.send(True)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    root = tempfile.mkdtemp(prefix="podsmith-bench-remote-")
    names = []
    for i in range(1, EPISODES + 1):
        for ext, source in SOURCES.items():
            name = f"ep{i:04d}.{ext}"
            os.link(os.path.join(CORPUS, source), os.path.join(root, name))
            names.append(name)
    stats = Stats()
    server = serve(root, stats)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    urls = [base + n for n in names]
    try:
        # podsmith: every URL in one command (16 at a time).
        t0 = time.perf_counter()
        r = subprocess.run([PODSMITH, "probe", "--json", *urls], capture_output=True, text=True)
        podsmith_wall = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(r.stderr[-2000:])
        rows = json.loads(r.stdout)
        podsmith_req, podsmith_bytes = stats.take()
        podsmith_err = max(abs(row["duration_secs"] - TRUE_SECONDS) for row in rows)
        # ffprobe: one process per URL, one after another.
        t0 = time.perf_counter()
        ff_err = 0.0
        for url in urls:
            r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", url],
                               capture_output=True, text=True)
            secs = float(json.loads(r.stdout)["format"]["duration"])
            ff_err = max(ff_err, abs(secs - TRUE_SECONDS))
        ff_wall = time.perf_counter() - t0
        ff_req, ff_bytes = stats.take()
    finally:
        server.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    n = len(urls)
    size = sum(os.path.getsize(os.path.join(CORPUS, s)) for s in SOURCES.values()) * EPISODES
    lines = [
        f"## Hosted media measured over HTTP ({EPISODES} episodes: {n} files of 15 min 10 s, MP3 with a Xing/Info "
        f"header and Ogg Vorbis, {size / 1e6:.0f} MB; {LATENCY * 1000:.0f} ms a request; same run)",
        "",
        "| tool | wall | requests a file | bytes read a file | largest error | podsmith's advantage |",
        "|---|---|---|---|---|---|",
        f"| podsmith probe URL… (16 at a time) | {podsmith_wall:.2f} s | {podsmith_req / n:.1f} | "
        f"{podsmith_bytes / n / 1024:.0f} KiB | {podsmith_err:.3f} s | |",
        f"| ffprobe URL (one process a file) | {ff_wall:.2f} s | {ff_req / n:.1f} | {ff_bytes / n / 1024:.0f} KiB | "
        f"{ff_err:.3f} s | {ff_wall / podsmith_wall:.0f}× faster, {ff_bytes / max(podsmith_bytes, 1):.0f}× fewer bytes |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "remote.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

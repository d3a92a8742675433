#!/usr/bin/env python3
"""A show whose media are hosted: `podsmith build` of a manifest naming its
media by URL (cold, warm, and warm with --recheck) and `podsmith probe
URL...`, against ffprobe run once per URL (as podcast-rss-generator does),
in the same run, against the same local HTTP server. The server answers
after an injected latency (50 ms a request), serves Range requests, ETag
and If-None-Match (304), and counts requests and bytes.

The files: EPISODES episodes (default 1,000), each an MP3 (CBR with a
Xing/Info + LAME header) and an Ogg Vorbis file of 15 min 10 s (hard links
to the corpus files under their own names). Every duration podsmith
writes is checked against the true length, every enclosure length against
the file's size. Peak memory by /usr/bin/time. Writes
bench/results/remote.md. Run through bench/probe.sh, or alone once the
corpus is made (bench/make-corpus.sh).
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
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PODSMITH = os.path.join(ROOT, "target", "release", "podsmith")
CORPUS = os.path.join(HERE, "corpus")
EPISODES = int(os.environ.get("EPISODES", "1000"))
LATENCY = float(os.environ.get("LATENCY", "0.05"))
TRUE_SECONDS = 910.0
SOURCES = {"mp3": "mp3_cbr_info_15m10s.mp3", "ogg": "ogg_vorbis_15m10s.ogg"}
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0
        self.methods = {}

    def add(self, method, n):
        with self.lock:
            self.requests += 1
            self.bytes += n
            self.methods[method] = self.methods.get(method, 0) + 1

    def take(self):
        with self.lock:
            out = (self.requests, self.bytes, dict(self.methods))
            self.requests, self.bytes, self.methods = 0, 0, {}
            return out


def serve(root, stats):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, head_only):
            time.sleep(LATENCY)
            path = os.path.join(root, self.path.lstrip("/").split("?")[0])
            method = "HEAD" if head_only else "GET"
            if not os.path.isfile(path):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                stats.add(method + " 404", 0)
                return
            st = os.stat(path)
            size = st.st_size
            etag = f'"{size:x}-{st.st_mtime_ns:x}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                stats.add(method + " 304", 0)
                return
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
            self.send_header("ETag", etag)
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
            stats.add(method, sent)

        def do_GET(self):
            self.send(False)

        def do_HEAD(self):
            self.send(True)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def manifest(base, names):
    """A show of EPISODES episodes naming their media by URL."""
    lines = [
        "[podcast]",
        'title = "Hosted show"',
        'description = "A show whose media are hosted."',
        'author = "Bench"',
        'owner = { email = "bench@example.com" }',
        'language = "en"',
        'categories = ["Technology"]',
        'base_url = "https://podcast.example.com/"',
        'image = "cover.jpg"',
        "",
    ]
    for i in range(1, EPISODES + 1):
        media = ", ".join(f'"{base}{n}"' for n in names[i - 1])
        lines += [
            "[[episode]]",
            f'title = "Episode {i}"',
            f'guid = "bench-hosted-{i}"',
            f"date = 2020-01-01T00:00:00Z",
            f"episode = {i}",
            f"media = [{media}]",
            f'notes = "Notes of episode {i}."',
            "",
        ]
    return "\n".join(lines)


def timed(args, cwd):
    """Wall seconds, peak RSS in MiB, and stdout of one podsmith run."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M", PODSMITH, *args], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"podsmith {' '.join(args[:3])} failed:\n{r.stderr[-3000:]}")
    rss_kib = int(r.stderr.strip().splitlines()[-1])
    return wall, rss_kib / 1024, r.stdout


def check_feed(show, served):
    """Largest duration error and enclosure-length mismatches of a built feed."""
    items = ET.parse(os.path.join(show, "public", "feed.xml")).getroot().iter("item")
    worst, wrong_lengths, n = 0.0, 0, 0
    for item in items:
        n += 1
        h, m, s = ([0, 0] + [int(x) for x in item.find(f"{ITUNES}duration").text.split(":")])[-3:]
        worst = max(worst, abs(h * 3600 + m * 60 + s - round(TRUE_SECONDS)))
        enc = item.find("enclosure")
        name = enc.get("url").rsplit("/", 1)[1]
        wrong_lengths += int(enc.get("length")) != os.path.getsize(os.path.join(served, name))
    return n, worst, wrong_lengths


def main():
    served = tempfile.mkdtemp(prefix="podsmith-bench-hosted-")
    show = tempfile.mkdtemp(prefix="podsmith-bench-hosted-show-")
    names = []
    for i in range(1, EPISODES + 1):
        pair = []
        for ext, source in SOURCES.items():
            name = f"ep{i:04d}.{ext}"
            os.link(os.path.join(CORPUS, source), os.path.join(served, name))
            pair.append(name)
        names.append(pair)
    stats = Stats()
    server = serve(served, stats)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    urls = [base + n for pair in names for n in pair]
    shutil.copy(os.path.join(ROOT, "media", "cover.jpg"), os.path.join(show, "cover.jpg"))
    with open(os.path.join(show, "episodes.toml"), "w") as f:
        f.write(manifest(base, names))
    rows = {}
    try:
        for label, args in [
            ("cold", ["build"]),
            ("warm (within the hour)", ["build"]),
            ("warm --recheck", ["build", "--recheck"]),
        ]:
            wall, rss, _ = timed([*args, "--format", "json"], show)
            rows[label] = (wall, rss, stats.take())
        items, worst, wrong_lengths = check_feed(show, served)
        if items != EPISODES or worst > 0 or wrong_lengths:
            sys.exit(f"wrong feed: {items} items, duration off by {worst} s, {wrong_lengths} wrong lengths")
        # podsmith probe URL... (16 at a time), for the per-file costs alone.
        wall, rss, out = timed(["probe", "--json", *urls], show)
        probe_err = max(abs(row["duration_secs"] - TRUE_SECONDS) for row in json.loads(out))
        rows["probe"] = (wall, rss, stats.take())
        # ffprobe: one process per URL, one after another.
        t0 = time.perf_counter()
        ff_err = 0.0
        for url in urls:
            r = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", url],
                               capture_output=True, text=True)
            secs = float(json.loads(r.stdout)["format"]["duration"])
            ff_err = max(ff_err, abs(secs - TRUE_SECONDS))
        ff_wall = time.perf_counter() - t0
        rows["ffprobe"] = (ff_wall, None, stats.take())
    finally:
        server.shutdown()
        shutil.rmtree(served, ignore_errors=True)
        shutil.rmtree(show, ignore_errors=True)
    n = len(urls)
    size = sum(os.path.getsize(os.path.join(CORPUS, s)) for s in SOURCES.values()) * EPISODES
    ff_wall, _, (ff_req, ff_bytes, _) = rows["ffprobe"]
    cold_wall, _, (_, cold_bytes, _) = rows["cold"]

    def row(label, tool, errs):
        wall, rss, (req, nbytes, methods) = rows[label]
        how = ", ".join(f"{k} {v}" for k, v in sorted(methods.items())) or "none"
        mem = f"{rss:.0f} MiB" if rss is not None else "n/a"
        return (f"| {tool} | {wall:.2f} s | {req / n:.2f} | {nbytes / n / 1024:.1f} KiB | {how} | {mem} | {errs} |")

    lines = [
        f"## A show with hosted media ({EPISODES} episodes: {n} files of 15 min 10 s, MP3 with a Xing/Info + LAME "
        f"header and Ogg Vorbis, {size / 1e6:.0f} MB; {LATENCY * 1000:.0f} ms a request; same run)",
        "",
        "| run | wall | requests a file | bytes read a file | requests | peak memory | largest duration error |",
        "|---|---|---|---|---|---|---|",
        row("cold", "podsmith build (cold, 64 at a time)", "0 s (every item 15:10, every length the size)"),
        row("warm (within the hour)", "podsmith build (warm, within the hour)", "(unchanged)"),
        row("warm --recheck", "podsmith build --recheck (one conditional HEAD a file)", "(unchanged)"),
        row("probe", "podsmith probe URL… (16 at a time)", f"{probe_err:.3f} s"),
        row("ffprobe", "ffprobe URL (one process a file, one after another)", f"{ff_err:.3f} s"),
        "",
        f"podsmith build (cold) against ffprobe: {ff_wall / cold_wall:.0f}× less wall time, "
        f"{ff_bytes / max(cold_bytes, 1):.0f}× fewer bytes.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "remote.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

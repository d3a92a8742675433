#!/usr/bin/env python3
"""`podsmith publish` against `rclone sync` and `aws s3 sync`, in the same
run, to the same local S3 server (s3s-fs on 127.0.0.1, then Garage if it is
installed; one bucket each):
a 1,000-episode MP3+OGG show published cold, again with nothing changed,
and after one episode is added (these two five times each, the tools in
turn: each tool's median); then (on s3s-fs) shows of one 1 GiB file
and of eight 64 MiB files, for peak memory. Wall time, peak memory (/usr/bin/time) and the requests each tool
made, by method, from the server's log. Beside the short stages, one
listing of the bucket made alone by curl: the floor under any tool that
lists (each of these does, once a run). With LAG_MS=D set, every tool
reaches the server through bench/lag.py, which adds D ms each way (the
shows of big files are then left out). Writes bench/results/publish.md
(with LAG_MS, bench/results/publish-lag.md).
Run through bench/publish.sh (it installs what is missing).
"""
import html
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build  # noqa: E402  (make_show, the corpus)

HERE = build.HERE
PODSMITH = build.PODSMITH
KEY, SECRET = "bench-key", "bench-secret"
AS_OF = "2026-06-01T00:00:00Z"


BUCKETS = ("podsmith-b", "rclone-b", "aws-b")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class LocalServer:
    """A server process on 127.0.0.1 with a folder of its own and a log with
    one line per request; subclasses start it and read the log."""

    def start(self, prefix, cmd, env):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.port = free_port()
        self.log_path = self.root + ".log"
        self.offset = 0
        self.proc = subprocess.Popen(cmd(self), stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT,
                                     env=dict(os.environ, **env))

    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def new_log(self):
        """The log written since the last call."""
        text = open(self.log_path, errors="replace").read()
        new, self.offset = text[self.offset:], len(text)
        return new

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)
        os.remove(self.log_path)


class Server(LocalServer):
    """s3s-fs with one log line per request (`s3s::service` at debug)."""

    name = "s3s-fs 0.14.1 (a folder; lists by walking it)"
    key, secret = KEY, SECRET

    def __init__(self):
        def cmd(me):
            for bucket in BUCKETS:
                os.mkdir(os.path.join(me.root, bucket))
            return ["s3s-fs", "--host", "127.0.0.1", "--port", str(me.port), "--access-key", KEY,
                    "--secret-key", SECRET, me.root]
        self.start("podsmith-bench-s3-", cmd, {"RUST_LOG": "s3s::service=debug"})
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)

    def requests(self):
        """Requests since the last call, by method; and the bytes PUT."""
        counts, sent = {}, 0
        pattern = r"req: Request \{ method: (\w+), uri: [^,]*, version: [^,]*, headers: \{(.*?)\} \}"
        for m in re.finditer(pattern, self.new_log()):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
            if m.group(1) == "PUT":
                length = re.search(r'"content-length": "(\d+)"', m.group(2))
                sent += int(length.group(1)) if length else 0
        return counts, sent


class Garage(LocalServer):
    """Garage (a single node), whose listings come from its metadata
    index, as S3's do; it logs one line per request."""

    name = "Garage 2.5.0 (single node; lists from its index)"
    key, secret = "GK0123456789abcdef01234567", "0123456789abcdef" * 4

    def __init__(self):
        def cmd(me):
            config = os.path.join(me.root, "garage.toml")
            with open(config, "w") as f:
                f.write(f'metadata_dir = "{me.root}/meta"\ndata_dir = "{me.root}/data"\ndb_engine = "sqlite"\n'
                        f'replication_factor = 1\nrpc_bind_addr = "127.0.0.1:{free_port()}"\n'
                        f'rpc_secret = "{os.urandom(32).hex()}"\n[s3_api]\ns3_region = "us-east-1"\n'
                        f'api_bind_addr = "127.0.0.1:{me.port}"\nroot_domain = ".s3.garage.localhost"\n')
            me.cli = ["garage", "-c", config]
            return [*me.cli, "server"]
        self.start("podsmith-bench-garage-", cmd, {"RUST_LOG": "garage=info"})
        for _ in range(200):
            status = subprocess.run([*self.cli, "status"], capture_output=True, text=True)
            if status.returncode == 0 and "HEALTHY" in status.stdout:
                break
            time.sleep(0.1)
        node = re.search(r"^([0-9a-f]{16})\s", status.stdout, re.M).group(1)
        for args in (["layout", "assign", "-z", "dc1", "-c", "20G", node], ["layout", "apply", "--version", "1"],
                     ["key", "import", "--yes", self.key, self.secret, "-n", "bench"]):
            subprocess.run([*self.cli, *args], check=True, capture_output=True)
        for bucket in BUCKETS:
            subprocess.run([*self.cli, "bucket", "create", bucket], check=True, capture_output=True)
            subprocess.run([*self.cli, "bucket", "allow", "--read", "--write", "--owner", bucket, "--key", "bench"],
                           check=True, capture_output=True)

    def requests(self):
        """Requests since the last call, by method (Garage's log has no sizes;
        an error answer has a line of its own, which names the request again)."""
        counts = {}
        for line in self.new_log().splitlines():
            m = re.search(r"\(key \w+\) (\w+) /", line)
            if m and "in response to" not in line:
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        return counts, None


def timed(cmd, cwd, env):
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{r.stdout[-1500:]}\n{r.stderr[-3000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    return wall, rss


def tools(server, show, prefix="show"):
    """How each tool publishes `show`'s public/ to PREFIX in its bucket (podsmith builds first)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_"))}
    env.update(AWS_ACCESS_KEY_ID=server.key, AWS_SECRET_ACCESS_KEY=server.secret, AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    rclone_env = dict(env, RCLONE_CONFIG_BENCH_TYPE="s3", RCLONE_CONFIG_BENCH_PROVIDER="Other",
                      RCLONE_CONFIG_BENCH_ENDPOINT=server.endpoint(), RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=server.key,
                      RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=server.secret, RCLONE_CONFIG_BENCH_REGION="us-east-1")
    public = os.path.join(show, "public")
    return [
        ("podsmith publish", [PODSMITH, "-q", "publish", "--to", f"s3://podsmith-b/{prefix}", "--endpoint",
                              server.endpoint(), "--as-of", AS_OF], env),
        ("rclone sync", ["rclone", "sync", public, f"bench:rclone-b/{prefix}", "--low-level-retries", "1"], rclone_env),
        ("aws s3 sync", ["aws", "s3", "sync", public, f"s3://aws-b/{prefix}", "--endpoint-url", server.endpoint(),
                         "--no-progress", "--only-show-errors"], env),
    ]


def bare_listing(server, bucket="podsmith-b", prefix="show"):
    """One listing of `bucket`'s `prefix` as the leanest client makes it:
    curl, pages of up to 10,000 keys one after another (s3s-fs gives them
    all at once, Garage 1,000 a page), each timed by curl itself (no
    process start). The floor under any tool that lists: the wall time
    summed, and the pages."""
    total, pages, token = 0.0, 0, None
    while True:
        query = f"list-type=2&max-keys=10000&prefix={prefix}%2F"
        if token:
            query = f"continuation-token={urllib.parse.quote(token, safe='')}&" + query
        r = subprocess.run(["curl", "-sS", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user",
                            f"{server.key}:{server.secret}", "-H", f"x-amz-content-sha256: {EMPTY_SHA256}",
                            "-w", "\n%{time_total}", f"{server.endpoint()}/{bucket}?{query}"],
                           capture_output=True, text=True)
        body, _, took = r.stdout.rpartition("\n")
        if r.returncode != 0 or "<Error>" in body:
            sys.exit(f"listing with curl failed:\n{r.stderr}\n{body[-1500:]}")
        total += float(took)
        pages += 1
        m = re.search(r"<NextContinuationToken>([^<]+)</NextContinuationToken>", body)
        if not m:
            return total, pages
        token = html.unescape(m.group(1))


EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def add_episode(show, n):
    name = f"ep{n + 1:05d}"
    shutil.copy(os.path.join(build.CORPUS, "mp3_cbr_info_61s5.mp3"), os.path.join(show, "media", name + ".mp3"))
    shutil.copy(os.path.join(build.CORPUS, "ogg_vorbis_61s5.ogg"), os.path.join(show, "media", name + ".ogg"))
    with open(os.path.join(show, "episodes.toml"), "a") as f:
        f.write("\n".join(["", "[[episode]]", f'title = "Episode {name}: a conversation"', f'slug = "{name}"',
                           f'guid = "bench-{n + 1}"', "date = 2026-05-01T09:00:00Z",
                           f'media = ["media/{name}.mp3", "media/{name}.ogg"]', 'notes = "A new one."', ""]))


def run_stage(server, show, stage, rows, prefix="show", listing=False):
    for label, cmd, env in tools(server, show, prefix):
        # What the tool before wrote is on disk first: its writeback does
        # not slow the next tool down (a cold upload leaves ~900 MB dirty).
        os.sync()
        server.requests()
        wall, rss = timed(cmd, show, env)
        counts, sent = server.requests()
        rows.append((stage, label, wall, rss, counts, sent))
    if listing:
        # The one listing every tool here makes, alone: what no tool that
        # lists the destination can take less than.
        wall, pages = bare_listing(server)
        server.requests()
        rows.append((stage, LISTING, wall, None, {"GET": pages}, None))


LISTING = "one listing alone (curl)"


def big_files_show(count, size):
    """A show of `count` WAV files of `size` bytes of 16-bit stereo PCM at
    48 kHz each (probed from their headers), one episode each."""
    show = tempfile.mkdtemp(prefix="podsmith-bench-big-")
    os.mkdir(os.path.join(show, "media"))
    shutil.copy(os.path.join(build.ROOT, "media", "cover.jpg"), os.path.join(show, "media", "cover.jpg"))
    header = (b"RIFF" + (36 + size).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
              + (1).to_bytes(2, "little") + (2).to_bytes(2, "little") + (48000).to_bytes(4, "little")
              + (48000 * 4).to_bytes(4, "little") + (4).to_bytes(2, "little") + (16).to_bytes(2, "little")
              + b"data" + size.to_bytes(4, "little"))
    block = bytes(range(256)) * 4096
    manifest = ['[podcast]\ntitle = "Big"\ndescription = "Long files."\nauthor = "Bench"\n'
                'owner = { email = "bench@podsmith-bench.net" }\nlanguage = "en"\ncategories = ["Technology"]\n'
                'base_url = "https://podsmith-bench.net/big/"\nimage = "media/cover.jpg"\nformats = "any"\n']
    for i in range(count):
        with open(os.path.join(show, "media", f"long{i}.wav"), "wb") as f:
            f.write(header)
            for _ in range(size // len(block)):
                f.write(block)
        manifest.append(f'\n[[episode]]\ntitle = "Long {i}"\nguid = "long-{i}"\ndate = 2026-01-05T09:00:00Z\n'
                        f'media = ["media/long{i}.wav"]\nnotes = "Long."\n')
    with open(os.path.join(show, "episodes.toml"), "w") as f:
        f.write("".join(manifest))
    subprocess.run([PODSMITH, "-q", "build", "--as-of", AS_OF], cwd=show, check=True)
    return show


def median_rows(rows):
    """Rows of the same stage and tool merged: the median wall time (and
    that run's memory, requests and bytes)."""
    merged = {}
    for row in rows:
        merged.setdefault((row[0], row[1]), []).append(row)
    out = []
    for runs in merged.values():
        runs.sort(key=lambda r: r[2])
        out.append(runs[len(runs) // 2])
    return out


def publish_show(server, n, with_big_files, reps=5):
    """Every stage on `server`; the rows. The short stages (nothing
    changed, one episode added) are run `reps` times, the tools in turn,
    and each tool's median is kept: a single run of a 0.1 s publish moves
    by tens of per cent on this machine."""
    show = build.make_show(n)
    subprocess.run([PODSMITH, "-q", "build", "--as-of", AS_OF], cwd=show, check=True)
    rows = []
    try:
        run_stage(server, show, "cold publish", rows)
        short = []
        for _ in range(reps):
            run_stage(server, show, "nothing changed", short, listing=True)
        for i in range(reps):
            add_episode(show, n + i)
            # The new episode is built first, for every tool alike (podsmith
            # publish builds again: it finds nothing to do, and that is timed).
            subprocess.run([PODSMITH, "-q", "build", "--as-of", AS_OF], cwd=show, check=True)
            run_stage(server, show, "one episode added", short, listing=True)
        rows += median_rows(short)
        if with_big_files:
            for label, count, size, prefix in (("one 1 GiB file", 1, 1 << 30, "big"),
                                               ("eight 64 MiB files", 8, 64 << 20, "many")):
                big = big_files_show(count, size)
                try:
                    run_stage(server, big, label, rows, prefix=prefix)
                finally:
                    shutil.rmtree(big, ignore_errors=True)
    finally:
        shutil.rmtree(show, ignore_errors=True)
    return rows


def main():
    n = 1000
    servers = [Server] + ([Garage] if shutil.which("garage") else [])
    lines = []
    lag_ms = os.environ.get("LAG_MS")
    for i, kind in enumerate(servers):
        server = kind()
        lag = None
        if lag_ms:
            # Every tool (and curl) through a proxy that adds the latency of
            # a network: a round trip of 2 × LAG_MS ms.
            port = free_port()
            lag = subprocess.Popen([sys.executable, os.path.join(HERE, "lag.py"), str(port), str(server.port), lag_ms])
            time.sleep(0.5)
            server.endpoint = lambda port=port: f"http://127.0.0.1:{port}"
        try:
            rows = publish_show(server, n, with_big_files=i == 0 and not lag_ms)
        finally:
            server.stop()
            if lag:
                lag.kill()
        over = f", each request {2 * int(lag_ms)} ms a round trip away" if lag_ms else ""
        lines += [f"## Publish a {n}-episode MP3+OGG show to {server.name}{over}, same run", "",
                  "| stage | tool | wall | tool / podsmith | peak memory | requests | bytes sent |",
                  "|---|---|---|---|---|---|---|"]
        ours = {stage: wall for stage, label, wall, *_ in rows if label == "podsmith publish"}
        for stage, label, wall, rss, counts, sent in rows:
            reqs = ", ".join(f"{m} {c}" for m, c in sorted(counts.items())) or "0"
            ratio = "" if label == "podsmith publish" else f"{wall / ours[stage]:.1f}×"
            size = "" if sent is None else f"{sent / 1e6:.1f} MB"
            memory = "" if rss is None else f"{rss:.0f} MB"
            shown = f"{wall * 1000:.0f} ms" if label == LISTING else f"{wall:.2f} s"
            lines.append(f"| {stage} | {label} | {shown} | {ratio} | {memory} | {reqs} | {size} |")
        lines.append("")
    build.save("publish-lag.md" if lag_ms else "publish.md", lines)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""One episode changed, podsmith against dir2cast (the PHP tool with a
per-file cache that issue 12 names), on the same MP3-only show in the same
run: nothing changed, one episode added, one recording replaced under the
same name. Best of 5 each, wall time and peak memory.

dir2cast writes one feed; podsmith writes the feeds, a page per episode, the
index and the sitemap, validated, and its records. Both keep a cache per
media file. dir2cast keys its caches by whole-second file times, so every
change and every build here is a little over a second after the one
before (for both tools alike).

Needs php-cli and php-xml (Debian packages) and a dir2cast checkout: set
DIR2CAST to one, or the script clones github.com/ben-xo/dir2cast at the
commit below. Writes bench/results/peer-change.md.
"""
import datetime
import os
import re
import shutil
import subprocess
import sys
import time

import build

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PODSMITH = os.path.join(ROOT, "target", "release", "podsmith")
CORPUS = os.path.join(HERE, "corpus")
DIR2CAST_COMMIT = "0e6a394e04dfca154c060f1571632d8925f89b73"
SHORT = os.path.join(CORPUS, "mp3_cbr_info_3s.mp3")
LONG = os.path.join(CORPUS, "mp3_cbr_info_61s5.mp3")
# A little over dir2cast's whole second: its feed is made again only if a
# media file is newer than the feed, and then not within the same second.
GAP = 1.05


def dir2cast_home():
    """A folder holding dir2cast.php, getID3/ and a dir2cast.ini for the run."""
    home = os.path.join(HERE, "peer-dir2cast")
    shutil.rmtree(home, ignore_errors=True)
    src = os.environ.get("DIR2CAST")
    if not src:
        src = os.path.join(HERE, "dir2cast-src")
        if not os.path.isdir(src):
            subprocess.run(["git", "clone", "-q", "https://github.com/ben-xo/dir2cast", src], check=True)
            subprocess.run(["git", "-C", src, "checkout", "-q", DIR2CAST_COMMIT], check=True)
    os.makedirs(os.path.join(home, "temp"))
    shutil.copy(os.path.join(src, "dir2cast.php"), home)
    shutil.copytree(os.path.join(src, "getID3"), os.path.join(home, "getID3"))
    with open(os.path.join(home, "dir2cast.ini"), "w") as f:
        f.write("\n".join([
            "[dir2cast]",
            'TITLE = "Large show"',
            'LINK = "https://podsmith-bench.net/show/"',
            'MP3_URL = "https://podsmith-bench.net/show/media/"',
            f'TMP_DIR = "{os.path.join(home, "temp")}"',
            # Every file in the feed (its default is the newest 10), none
            # held back as still being uploaded, none served from a feed
            # made less than N seconds ago.
            "ITEM_COUNT = 1000000",
            "MIN_FILE_AGE = 0",
            "MIN_CACHE_TIME = 0",
            "",
        ]))
    return home


def make_show(n):
    """N episodes, one MP3 each: copies (dir2cast orders and keys episodes by
    file time, so each has its own), an hour apart."""
    show = os.path.join(HERE, f"peer-show-{n}")
    out = build.new_show(show, n, "A synthetic show for the benchmark against dir2cast.")
    media = os.path.join(show, "media")
    for i in range(1, n + 1):
        name = f"ep{i:05d}"
        path = os.path.join(media, name + ".mp3")
        shutil.copy(SHORT, path)
        t = 1_700_000_000 + i * 3600
        os.utime(path, (t, t))
        # Two episodes a day from 2000 on: all live, in the order of their files.
        date = datetime.datetime(2000, 1, 1, 9, tzinfo=datetime.timezone.utc) + datetime.timedelta(hours=12 * i)
        out += episode(i, name, date.strftime("%Y-%m-%dT%H:%M:%SZ"))
    with open(os.path.join(show, "episodes.toml"), "w") as f:
        f.write("\n".join(out) + "\n")
    return show


def episode(i, name, date):
    return ["", "[[episode]]", f'title = "Episode {name}: a conversation"', f'slug = "{name}"',
            f'guid = "bench-{i}"', f"date = {date}", f'media = ["media/{name}.mp3"]',
            f'notes = "Notes for episode {i}."']


def timed(cmd, cwd):
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"{cmd[0]} failed in {cwd}:\n{r.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    return wall, rss


def podsmith(show):
    return timed([PODSMITH, "-q", "build", "--as-of", "2026-06-01T00:00:00Z"], show)


def dir2cast(show, home):
    feed = os.path.join(show, "dir2cast.xml")
    return timed(["php", os.path.join(home, "dir2cast.php"), f"--media-dir={os.path.join(show, 'media')}",
                  f"--output={feed}"], home)


def items(path):
    with open(path, encoding="utf-8") as f:
        return f.read().count("<item>")


def run(n, home, reps=5):
    show = make_show(n)
    media = os.path.join(show, "media")
    manifest = os.path.join(show, "episodes.toml")
    cold = (podsmith(show), dir2cast(show, home))
    state = {"added": 0, "replaced": 0}

    def add():
        state["added"] += 1
        i = n + state["added"]
        name = f"ep{i:05d}"
        shutil.copy(SHORT, os.path.join(media, name + ".mp3"))
        with open(manifest, "a") as f:
            f.write("\n".join(episode(i, name, "2026-05-01T09:00:00Z")) + "\n")

    def replace():
        state["replaced"] += 1
        target = os.path.join(media, "ep00011.mp3")
        os.remove(target)
        shutil.copy(LONG if state["replaced"] % 2 else SHORT, target)

    rows = []
    for label, change in (("nothing changed", None), ("one episode added", add), ("one recording replaced", replace)):
        best = {"podsmith": (1e9, 0), "dir2cast": (1e9, 0)}
        for _ in range(reps):
            time.sleep(GAP)
            if change:
                change()
            time.sleep(GAP)
            # Both tools see the change; which goes first alternates with the
            # order of the dict, fixed: podsmith first (its records are in
            # the show folder, dir2cast's in its own).
            for tool, go in (("podsmith", lambda: podsmith(show)), ("dir2cast", lambda: dir2cast(show, home))):
                wall, rss = go()
                if wall < best[tool][0]:
                    best[tool] = (wall, rss)
        rows.append((label, best["podsmith"], best["dir2cast"]))
    expected = n + state["added"]
    got = (items(os.path.join(show, "public", "feed.xml")), items(os.path.join(show, "dir2cast.xml")))
    if got != (expected, expected):
        sys.exit(f"feeds hold {got} items, not {expected} each")
    shutil.rmtree(show)
    return cold, rows


def main():
    if not os.path.exists(PODSMITH):
        sys.exit("build podsmith first: cargo build --release --locked")
    if shutil.which("php") is None:
        sys.exit("needs php-cli and php-xml: apt-get install php-cli php-xml")
    home = dir2cast_home()
    lines = ["# One episode changed: podsmith against dir2cast (same MP3-only show, same run)", "",
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; best of 5 each; "
             "dir2cast writes one feed, podsmith its feeds, a page per episode, the index and the sitemap, validated.", "",
             "| episodes | change | podsmith | dir2cast | dir2cast / podsmith | peak memory podsmith / dir2cast |",
             "|---|---|---|---|---|---|"]
    for n in (1000, 10000):
        (pc, dc), rows = run(n, home)
        lines.append(f"| {n} | cold | {pc[0] * 1000:.0f} ms | {dc[0] * 1000:.0f} ms | {dc[0] / pc[0]:.1f}× "
                     f"| {pc[1]:.0f} / {dc[1]:.0f} MB |")
        for label, p, d in rows:
            lines.append(f"| {n} | {label} | {p[0] * 1000:.1f} ms | {d[0] * 1000:.1f} ms | {d[0] / p[0]:.1f}× "
                         f"| {p[1]:.0f} / {d[1]:.0f} MB |")
        print("\n".join(lines[-4:]), flush=True)
    shutil.rmtree(home)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "peer-change.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

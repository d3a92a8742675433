#!/usr/bin/env python3
"""A synthetic large show: N episodes, each an MP3 + OGG pair (hard links to
two 61.5 s corpus files), timed with `podsmith build` cold (no public/, no
probe cache) and warm (nothing changed), with peak memory from
/usr/bin/time. Writes bench/results/build.md. Run through bench/probe.sh.
"""
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PODSMITH = os.path.join(ROOT, "target", "release", "podsmith")
CORPUS = os.path.join(HERE, "corpus")


def make_show(n):
    show = os.path.join(HERE, f"large-show-{n}")
    shutil.rmtree(show, ignore_errors=True)
    os.makedirs(os.path.join(show, "media"))
    shutil.copy(os.path.join(ROOT, "media", "cover.jpg"), os.path.join(show, "media", "cover.jpg"))
    mp3 = os.path.join(CORPUS, "mp3_cbr_info_61s5.mp3")
    ogg = os.path.join(CORPUS, "ogg_vorbis_61s5.ogg")
    out = [
        "[podcast]",
        f'title = "Large show ({n} episodes)"',
        'description = "A synthetic show for the build benchmark."',
        'author = "Bench"',
        'owner = { email = "bench@podsmith-bench.net" }',
        'language = "en"',
        'categories = ["Technology"]',
        'base_url = "https://podsmith-bench.net/show/"',
        'image = "media/cover.jpg"',
    ]
    for i in range(1, n + 1):
        name = f"ep{i:05d}"
        os.link(mp3, os.path.join(show, "media", name + ".mp3"))
        os.link(ogg, os.path.join(show, "media", name + ".ogg"))
        day = i % 28 + 1
        month = (i // 28) % 12 + 1
        year = 2000 + i // 336
        out += [
            "",
            "[[episode]]",
            f'title = "Episode {name}: a conversation"',
            f'slug = "{name}"',
            f'guid = "bench-{i}"',
            f"date = {year:04d}-{month:02d}-{day:02d}T09:{i % 60:02d}:00Z",
            f"episode = {i}",
            f'media = ["media/{name}.mp3", "media/{name}.ogg"]',
            f'notes = "Notes for episode {i}, with a [link](https://podsmith-bench.net/{i})."',
        ]
    with open(os.path.join(show, "episodes.toml"), "w") as f:
        f.write("\n".join(out) + "\n")
    return show


def timed_build(show, *extra):
    t0 = time.perf_counter()
    r = subprocess.run(
        ["/usr/bin/time", "-v", PODSMITH, "-q", "build", "--as-of", "2026-06-01T00:00:00Z", *extra],
        cwd=show, capture_output=True, text=True,
    )
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"build failed in {show}:\n{r.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1024
    return wall, rss


def main():
    lines = ["## Build of a large show (MP3 + OGG per episode, release binary)", "",
             "| episodes | cold build | warm build | cold / warm | peak memory (cold, warm) |", "|---|---|---|---|---|"]
    for n in (1000, 10000):
        show = make_show(n)
        # Cold: a new show folder, so no public/ and no probe cache yet.
        cold, cold_rss = timed_build(show)
        # A warm build: the cache is there and nothing changed.
        warm = min(timed_build(show)[0] for _ in range(3))
        _, warm_rss = timed_build(show)
        lines.append(f"| {n} | {cold:.2f} s | {warm:.3f} s | {cold / warm:.1f}× | {cold_rss:.0f} MB, {warm_rss:.0f} MB |")
        shutil.rmtree(show, ignore_errors=True)
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    open(os.path.join(HERE, "results", "build.md"), "w").write(text)


if __name__ == "__main__":
    main()

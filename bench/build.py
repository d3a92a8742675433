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


# Show notes as long as a real show's: ~1.7 KB of Markdown an episode,
# ~3.7 KB as HTML (under Apple's 4,000 bytes: no warning).
PARAGRAPH = ("This week we talk about **observability**, *tracing* and [logs](https://podsmith-bench.net/logs), "
             "what changed since the last release, and what listeners asked about. ") * 3


def new_show(show, n, description):
    """An empty show folder `show` (its media/ holding the cover), and the
    lines of its [podcast] table, for a show of `n` episodes."""
    shutil.rmtree(show, ignore_errors=True)
    os.makedirs(os.path.join(show, "media"))
    shutil.copy(os.path.join(ROOT, "media", "cover.jpg"), os.path.join(show, "media", "cover.jpg"))
    return [
        "[podcast]",
        f'title = "Large show ({n} episodes)"',
        f'description = "{description}"',
        'author = "Bench"',
        'owner = { email = "bench@podsmith-bench.net" }',
        'language = "en"',
        'categories = ["Technology"]',
        'base_url = "https://podsmith-bench.net/show/"',
        'image = "media/cover.jpg"',
    ]


def make_show(n, long_notes=False):
    show = os.path.join(HERE, f"large-show-{n}" + ("-long-notes" if long_notes else ""))
    out = new_show(show, n, "A synthetic show for the build benchmark.")
    mp3 = os.path.join(CORPUS, "mp3_cbr_info_61s5.mp3")
    ogg = os.path.join(CORPUS, "ogg_vorbis_61s5.ogg")
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
        ]
        first = f"Notes for episode {i}, with a [link](https://podsmith-bench.net/{i})."
        if long_notes:
            out.append('notes = """' + "\n\n".join([first] + [PARAGRAPH] * 6) + '"""')
        else:
            out.append(f'notes = "{first}"')
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


def incremental(show, n, reps=5):
    """One episode changed, in the ways a podcaster changes one, each timed
    against a nothing-changed build of the same show in the same run.
    Every repetition makes a new change, so every timed build has one to do."""
    media = os.path.join(show, "media")
    manifest = os.path.join(show, "episodes.toml")
    mp3 = os.path.join(CORPUS, "mp3_cbr_info_61s5.mp3")
    other = os.path.join(CORPUS, "mp3_cbr_info_3s.mp3")
    state = {"added": 0, "replaced": 0, "notes": 0}
    # The show's media are hard links to one corpus file; the two changed
    # here get files of their own, or touching one would touch them all.
    for name in ("ep00007.mp3", "ep00011.mp3"):
        target = os.path.join(media, name)
        os.remove(target)
        shutil.copy(mp3, target)

    def touch():
        target = os.path.join(media, "ep00007.mp3")
        st = os.stat(target)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))

    def replace():
        # Another recording under the same name: new size, new duration.
        target = os.path.join(media, "ep00011.mp3")
        state["replaced"] += 1
        os.remove(target)
        shutil.copy(other if state["replaced"] % 2 else mp3, target)

    def add():
        state["added"] += 1
        i = n + state["added"]
        name = f"ep{i:05d}"
        shutil.copy(mp3, os.path.join(media, name + ".mp3"))
        with open(manifest, "a") as f:
            f.write("\n".join(["", "[[episode]]", f'title = "Episode {name}: a conversation"',
                               f'slug = "{name}"', f'guid = "bench-{i}"', "date = 2026-05-01T09:00:00Z",
                               f'media = ["media/{name}.mp3"]', 'notes = "A new one."', ""]))

    def notes():
        state["notes"] += 1
        text = open(manifest).read()
        first = r"Notes for episode 5, (with a \[link\]\(https://podsmith-bench\.net/5\)|edited \d+ times)\."
        text, edits = re.subn(first, f"Notes for episode 5, edited {state['notes']} times.", text, count=1)
        assert edits == 1
        with open(manifest, "w") as f:
            f.write(text)

    # Each build with a change follows a nothing-changed build, so both are
    # sampled as often and at the same moments (this machine's speed
    # drifts): the best of each is compared.
    def best(change):
        times, nothing = [], []
        for _ in range(reps):
            nothing.append(timed_build(show)[0])
            change()
            times.append(timed_build(show)[0])
        return min(times), min(nothing)

    timed_build(show)
    rows = []
    for label, change in (("one media file touched", touch), ("one media file replaced", replace),
                          ("one episode added", add), ("one episode's notes edited", notes)):
        rows.append((label, *best(change)))
    # The incremental result is the full build's, byte for byte.
    full = os.path.join(show, "full")
    timed_build(show, "--no-cache", "--out", "full")
    for dirpath, _, files in os.walk(os.path.join(show, "public")):
        for f in files:
            a = os.path.join(dirpath, f)
            b = os.path.join(full, os.path.relpath(a, os.path.join(show, "public")))
            if open(a, "rb").read() != open(b, "rb").read():
                sys.exit(f"incremental and full builds differ: {os.path.relpath(a, show)}")
    shutil.rmtree(full)
    return rows


def main():
    lines = ["## Build of a large show (MP3 + OGG per episode, release binary)", "",
             "| episodes | cold build | warm build | cold / warm | peak memory (cold, warm) |", "|---|---|---|---|---|"]
    changes = []
    for n, long_notes in ((1000, False), (10000, False), (1000, True)):
        show = make_show(n, long_notes)
        # Cold: a new show folder, so no public/ and no probe cache yet.
        cold, cold_rss = timed_build(show)
        # A warm build: the cache is there and nothing changed.
        warm = min(timed_build(show)[0] for _ in range(3))
        _, warm_rss = timed_build(show)
        label = f"{n}, notes of ~3.7 KB" if long_notes else f"{n}"
        lines.append(f"| {label} | {cold:.2f} s | {warm:.3f} s | {cold / warm:.1f}× | {cold_rss:.0f} MB, {warm_rss:.0f} MB |")
        changes.append((label, incremental(show, n)))
        shutil.rmtree(show, ignore_errors=True)
    lines += ["", "## One episode changed (best of 5, each build with a change to make; goal: at most 1.5× nothing changed)", "",
              "| episodes | change | build | nothing changed (built just before each) | build / nothing changed |",
              "|---|---|---|---|---|"]
    for n, rows in changes:
        for label, t, base in rows:
            lines.append(f"| {n} | {label} | {t * 1000:.0f} ms | {base * 1000:.0f} ms | {t / base:.2f}× |")
    save("build.md", lines)


def save(name, lines):
    """Prints a results table and writes it to bench/results/NAME."""
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", name), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""How far any design of an incremental build is from issue 12's goal (one
changed episode within 1.5x of a build with nothing to do) on a large show:
the nothing-changed build, a touched media file (measured again, found the
same: nothing rendered or written), a replaced one, and the bare writing
of the files a replaced file changes (both feeds, the index, the sitemap:
temporary file, one fsync, rename, as podsmith writes them). Best of nine
of each, in turn. Usage: python3 bench/floor.py [EPISODES] (default 1000).
"""
import os
import shutil
import subprocess
import sys
import time

import build

EPISODES = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


def timed(show):
    t = time.perf_counter()
    subprocess.run([build.PODSMITH, "-q", "build", "--as-of", "2026-06-01T00:00:00Z"], cwd=show, check=True,
                   capture_output=True)
    return time.perf_counter() - t


def main():
    show = build.make_show(EPISODES)
    media = os.path.join(show, "media")
    long_one = os.path.join(build.CORPUS, "mp3_cbr_info_61s5.mp3")
    short_one = os.path.join(build.CORPUS, "mp3_cbr_info_3s.mp3")
    # The two changed files get files of their own (the others are hard links of one).
    for name in ("ep00007.mp3", "ep00011.mp3"):
        os.remove(os.path.join(media, name))
        shutil.copy(long_one, os.path.join(media, name))
    timed(show)
    timed(show)
    nothing, touched, replaced = [], [], []
    for i in range(9):
        nothing.append(timed(show))
        target = os.path.join(media, "ep00007.mp3")
        st = os.stat(target)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        touched.append(timed(show))
        nothing.append(timed(show))
        target = os.path.join(media, "ep00011.mp3")
        os.remove(target)
        shutil.copy(short_one if i % 2 == 0 else long_one, target)
        replaced.append(timed(show))
    public = os.path.join(show, "public")
    files = ["feed.xml", "feed.ogg.xml", "index.html", "sitemap.xml"]
    data = {f: open(os.path.join(public, f), "rb").read() for f in files}
    writing = []
    for _ in range(9):
        t = time.perf_counter()
        for f in files:
            tmp = os.path.join(public, f + ".floor-tmp")
            with open(tmp, "wb") as h:
                h.write(data[f])
                if f == "feed.xml":
                    os.fsync(h.fileno())
            os.rename(tmp, os.path.join(public, f))
        writing.append(time.perf_counter() - t)
    shutil.rmtree(show, ignore_errors=True)
    n, t, r, w = (min(x) * 1000 for x in (nothing, touched, replaced, writing))
    mb = sum(len(d) for d in data.values()) / 1e6
    print(f"{EPISODES} episodes: nothing changed {n:.1f} ms; touched {t:.1f} ms ({t / n:.2f}x); "
          f"replaced {r:.1f} ms ({r / n:.2f}x); writing the {mb:.1f} MB a replaced file changes {w:.1f} ms; "
          f"1.5x = {1.5 * n:.1f} ms; touched + writing = {t + w:.1f} ms ({(t + w) / n:.2f}x)")


if __name__ == "__main__":
    main()

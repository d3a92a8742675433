#!/usr/bin/env python3
"""An A/B of two podsmith binaries on one large show (made fresh as
bench/floor.py makes it, once for each binary, so that each keeps its own
records and lock: an older binary refuses a newer lock's keys):
in turn, twelve rounds, the two binaries in alternating order, each time a
nothing-changed build, one with a media file touched, one with a media
file replaced; medians and bests of each. For a change that should not
move a build's time: run it on the commit before and after.
Usage: python3 bench/ab.py BINARY_A BINARY_B [EPISODES]
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build  # noqa: E402

A, B = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 1000


def timed(p, show):
    t = time.perf_counter()
    subprocess.run([p, "-q", "build", "--as-of", "2026-06-01T00:00:00Z"], cwd=show, check=True, capture_output=True)
    return time.perf_counter() - t


long_one = os.path.join(build.CORPUS, "mp3_cbr_info_61s5.mp3")
short_one = os.path.join(build.CORPUS, "mp3_cbr_info_3s.mp3")
shows = {}
for p, suffix in ((A, "-a"), (B, "-b")):
    made = build.make_show(N)
    for name in ("ep00007.mp3", "ep00011.mp3"):
        os.remove(os.path.join(made, "media", name))
        shutil.copy(long_one, os.path.join(made, "media", name))
    shows[p] = made + suffix
    shutil.rmtree(shows[p], ignore_errors=True)
    os.rename(made, shows[p])
res = {p: {"nothing": [], "touched": [], "replaced": []} for p in (A, B)}
for p, show in shows.items():
    timed(p, show)
for i in range(12):
    for p in ((A, B) if i % 2 == 0 else (B, A)):
        show = shows[p]
        media = os.path.join(show, "media")
        timed(p, show)
        res[p]["nothing"].append(timed(p, show))
        target = os.path.join(media, "ep00007.mp3")
        st = os.stat(target)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        res[p]["touched"].append(timed(p, show))
        timed(p, show)
        target = os.path.join(media, "ep00011.mp3")
        os.remove(target)
        shutil.copy(short_one if (i // 2) % 2 == 0 else long_one, target)
        res[p]["replaced"].append(timed(p, show))
for p, name in ((A, "A base"), (B, "B head")):
    r = res[p]
    print(name, " ".join(f"{k} med {statistics.median(v)*1000:.1f} min {min(v)*1000:.1f}" for k, v in r.items()))
for show in shows.values():
    shutil.rmtree(show, ignore_errors=True)

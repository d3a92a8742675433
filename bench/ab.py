#!/usr/bin/env python3
"""An A/B of two podsmith binaries on one large show (a fresh one, as
bench/floor.py makes it): in turn, twelve rounds, the two binaries in
alternating order, each time a nothing-changed build, one with a media
file touched, one with a media file replaced; medians and bests of each.
For a change that should not move a build's time: run it on the commit
before and after. Usage: python3 bench/ab.py BINARY_A BINARY_B [EPISODES]
"""
import os, shutil, subprocess, sys, time, statistics
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build
A, B = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
def timed(p, show):
    t = time.perf_counter()
    subprocess.run([p, "-q", "build", "--as-of", "2026-06-01T00:00:00Z"], cwd=show, check=True, capture_output=True)
    return time.perf_counter() - t
show = build.make_show(N)
media = os.path.join(show, "media")
long_one = os.path.join(build.CORPUS, "mp3_cbr_info_61s5.mp3")
short_one = os.path.join(build.CORPUS, "mp3_cbr_info_3s.mp3")
for name in ("ep00007.mp3", "ep00011.mp3"):
    os.remove(os.path.join(media, name)); shutil.copy(long_one, os.path.join(media, name))
res = {p: {"nothing": [], "touched": [], "replaced": []} for p in (A, B)}
for p in (A, B):
    shutil.rmtree(os.path.join(show, "public"), ignore_errors=True); shutil.rmtree(os.path.join(show, ".podsmith"), ignore_errors=True)
for i in range(12):
    for p in ((A, B) if i % 2 == 0 else (B, A)):
        timed(p, show); timed(p, show)
        res[p]["nothing"].append(timed(p, show))
        target = os.path.join(media, "ep00007.mp3"); st = os.stat(target)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        res[p]["touched"].append(timed(p, show))
        timed(p, show)
        target = os.path.join(media, "ep00011.mp3"); os.remove(target)
        shutil.copy(short_one if (i // 2) % 2 == 0 else long_one, target)
        res[p]["replaced"].append(timed(p, show))
for p, name in ((A, "A base"), (B, "B head")):
    r = res[p]
    print(name, " ".join(f"{k} med {statistics.median(v)*1000:.1f} min {min(v)*1000:.1f}" for k, v in r.items()))
shutil.rmtree(show, ignore_errors=True)

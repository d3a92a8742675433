#!/usr/bin/env python3
"""`podsmith probe --loudness` against ffmpeg's ebur128 filter, in the same
run, on the same files: the values (integrated loudness, true peak) and the
time, file by file (one process each, the best of three), and all the files
at once (podsmith measures them side by side on every core; ffmpeg is run
on each in turn, as a script would). Then a whole show: `podsmith validate
--loudness` of the sample show (its 8 files) the first time (every file
decoded) and again (what was measured taken from the probe cache), against
ffmpeg on the same files. Writes bench/results/loudness.md.

    python3 bench/loudness.py        (needs ffmpeg; bench/make-corpus.sh first)
"""
import json
import os
import re
import shutil
import tempfile
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build  # noqa: E402  (PODSMITH, CORPUS, save)

FILES = [os.path.join(build.ROOT, "media", f) for f in ("coredns-miek-gieben.mp3", "coredns-miek-gieben.ogg")] + [
    os.path.join(build.CORPUS, f)
    for f in ("mp3_cbr_info_15m10s.mp3", "mp3_vbr_xing_15m10s.mp3", "ogg_vorbis_15m10s.ogg", "flac_15m10s.flac",
              "m4a_aac_15m10s.m4a", "wav_15m10s.wav", "mp3_cbr_info_1h.mp3")
]


def best_of(cmd, n=3):
    times, out = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        out = r
    return min(times), out


def ffmpeg(path):
    secs, r = best_of(["ffmpeg", "-nostats", "-hide_banner", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-"])
    summary = r.stderr.split("Summary:")[-1]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return secs, lufs, peak


def podsmith(paths):
    secs, r = best_of([build.PODSMITH, "probe", "--loudness", "--json", *paths])
    rows = json.loads(r.stdout)
    return secs, [(row["loudness"]["integrated_lufs"], row["loudness"]["true_peak_dbtp"]) for row in rows]


def main():
    files = [f for f in FILES if os.path.exists(f)]
    missing = len(FILES) - len(files)
    lines = ["## `podsmith probe --loudness` against ffmpeg's ebur128 filter, same run", "",
             "| file | ffmpeg I | podsmith I | ffmpeg true peak | podsmith true peak | ffmpeg time | podsmith time | ffmpeg / podsmith |",
             "|---|---|---|---|---|---|---|---|"]
    total_ff = 0.0
    for f in files:
        ff_secs, ff_lufs, ff_peak = ffmpeg(f)
        ps_secs, [(ps_lufs, ps_peak)] = podsmith([f])
        total_ff += ff_secs
        lines.append(f"| {os.path.basename(f)} | {ff_lufs:.1f} LUFS | {ps_lufs:.1f} LUFS | {ff_peak:.1f} dBFS | "
                     f"{ps_peak:.1f} dBTP | {ff_secs:.2f} s | {ps_secs:.2f} s | {ff_secs / ps_secs:.1f}× |")
    all_secs, _ = podsmith(files)
    lines += ["", f"All {len(files)} files: ffmpeg one after another {total_ff:.2f} s, podsmith in one command "
              f"{all_secs:.2f} s ({total_ff / all_secs:.1f}×).", ""]
    if missing:
        lines.append(f"({missing} corpus files missing: run `bash bench/make-corpus.sh`.)")
    lines += show_lines()
    build.save("loudness.md", lines)


def show_lines():
    """`validate --loudness` of a copy of the sample show, first time and again."""
    with tempfile.TemporaryDirectory() as tmp:
        show = os.path.join(tmp, "show")
        os.makedirs(show)
        shutil.copy(os.path.join(build.ROOT, "episodes.toml"), show)
        for d in ("media", "transcripts"):
            shutil.copytree(os.path.join(build.ROOT, d), os.path.join(show, d))
        subprocess.run([build.PODSMITH, "-q", "build"], cwd=show, check=True, capture_output=True)
        cache = os.path.join(show, ".podsmith", "cache.json")
        measured_only = open(cache, "rb").read()
        validate = [build.PODSMITH, "validate", "--loudness", "--format", "json"]

        def first():
            open(cache, "wb").write(measured_only)
            t0 = time.perf_counter()
            r = subprocess.run(validate, cwd=show, capture_output=True, text=True)
            return time.perf_counter() - t0, json.loads(r.stdout)["loudness"]

        firsts = [first() for _ in range(3)]
        cold, doc = min(firsts, key=lambda x: x[0])
        assert doc["decoded"] == 8, doc
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            r = subprocess.run(validate, cwd=show, capture_output=True, text=True)
            times.append(time.perf_counter() - t0)
        again = json.loads(r.stdout)["loudness"]
        assert again["cached"] == 8 and again["decoded"] == 0, again
        warm = min(times)
        files = [os.path.join(show, f["file"]) for f in doc["files"]]
        ff = sum(ffmpeg(f)[0] for f in files)
    return ["", "## `podsmith validate --loudness` of the sample show (8 files, 2 h 10 min of 8 kHz speech), same run", "",
            "| | time | ffmpeg one file after another / podsmith |", "|---|---|---|",
            f"| ffmpeg ebur128, each file in turn | {ff:.2f} s | 1.0× |",
            f"| validate --loudness, first time (every file decoded) | {cold:.2f} s | {ff / cold:.1f}× |",
            f"| validate --loudness again (from the probe cache) | {warm * 1000:.0f} ms | {ff / warm:.0f}× |", ""]


if __name__ == "__main__":
    main()

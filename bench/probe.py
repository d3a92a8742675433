#!/usr/bin/env python3
"""Probe accuracy and speed: podsmith against ffprobe and mutagen, measured
in the same run on bench/corpus (made by make-corpus.sh).

Prints two Markdown tables (accuracy per file, speed as ratios) and writes
them to bench/results/probe.md. Run through bench/probe.sh.
"""
import csv
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")
PODSMITH = os.path.join(ROOT, "target", "release", "podsmith")
BENCH = os.path.join(ROOT, "target", "release", "examples", "probe_bench")


def ffprobe(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
        capture_output=True, text=True,
    )
    try:
        return float(out.stdout.strip())
    except ValueError:
        return None


def main():
    import mutagen

    truth = {r["file"]: r for r in csv.DictReader(open(os.path.join(CORPUS, "truth.csv")))}
    files = sorted(truth)
    paths = [os.path.join(CORPUS, f) for f in files]

    # --- accuracy -----------------------------------------------------------
    ours = {os.path.basename(r["path"]): r for r in json.loads(
        subprocess.run([PODSMITH, "probe", "--json", *paths], capture_output=True, text=True).stdout)}
    bench = json.loads(subprocess.run([BENCH, CORPUS, "5"], capture_output=True, text=True, check=True).stdout)
    inproc = {r["file"]: r for r in bench["files"]}
    rows = []
    for f, p in zip(files, paths):
        t = float(truth[f]["true_seconds"])
        o = ours[f].get("duration_secs")
        ff = ffprobe(p)
        try:
            mu = mutagen.File(p).info.length
        except Exception:  # noqa: BLE001 - any failure is a failure
            mu = None
        rows.append((f, t, o, ff, mu, ours[f].get("method", "error")))

    def err(v, t):
        return "fail" if v is None else f"{(v - t) * 1000:+.0f} ms" if abs(v - t) < 10 else f"{v - t:+.1f} s"

    lines = ["## Accuracy (error against the true length)", "",
             "| file | true | podsmith | method | ffprobe | mutagen |", "|---|---|---|---|---|---|"]
    for f, t, o, ff, mu, m in rows:
        lines.append(f"| {f} | {t:.3f} s | {err(o, t)} | {m} | {err(ff, t)} | {err(mu, t)} |")
    worst = max(abs(o - t) for _, t, o, _, _, _ in rows if o is not None)
    failed = [f for f, _, o, _, _, _ in rows if o is None]
    far = lambda i: sum(1 for r in rows if r[i] is None or abs(r[i] - r[1]) > 0.1)  # noqa: E731
    lines += ["", f"podsmith: worst error {worst * 1000:.0f} ms on {len(rows)} files, "
              f"{len(failed)} not measured{(': ' + ', '.join(failed)) if failed else ''}; "
              f"off by more than 0.1 s (or failed): podsmith {far(2)}, ffprobe {far(3)}, mutagen {far(4)}.", ""]

    # --- speed ----------------------------------------------------------------
    def best(fn, n=3):
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return min(times)

    t_podsmith_cli = best(lambda: subprocess.run([PODSMITH, "probe", "--json", *paths], capture_output=True))
    t_ffprobe = best(lambda: [ffprobe(p) for p in paths], n=2)

    def mutagen_all():
        for p in paths:
            try:
                mutagen.File(p).info.length
            except Exception:  # noqa: BLE001
                pass

    t_mutagen = best(mutagen_all)
    t_inproc = sum(r["probe_us"] for r in inproc.values()) / 1e6
    header = [r for r in inproc.values() if r.get("method") == "header"]
    ratios = [r["probe_us"] / max(r["read64k_us"], 0.001) for r in header]
    n = len(paths)
    lines += [
        "## Speed (same run, same files, page cache warm)", "",
        "| measure | files/s | ratio |", "|---|---|---|",
        f"| podsmith probe, one process for all {n} files | {n / t_podsmith_cli:.0f} | {t_ffprobe / t_podsmith_cli:.1f}× ffprobe-per-file |",
        f"| ffprobe, one process per file | {n / t_ffprobe:.0f} | 1.0× |",
        f"| podsmith in-process (library) | {n / t_inproc:.0f} | {t_mutagen / t_inproc:.1f}× mutagen |",
        f"| podsmith in-process, {bench['threads']} threads (as `build` probes) | {n / bench['parallel_secs']:.0f} | {t_mutagen / bench['parallel_secs']:.1f}× mutagen |",
        f"| mutagen in-process (Python) | {n / t_mutagen:.0f} | 1.0× |",
        "",
        f"Header-path files ({len(header)}): probe time / bare open+read of the first 64 KiB: "
        f"median {statistics.median(ratios):.1f}×, worst {max(ratios):.1f}× "
        f"({max(header, key=lambda r: r['probe_us'] / max(r['read64k_us'], 0.001))['file']}).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    open(os.path.join(HERE, "results", "probe.md"), "w").write(text)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""An A/B of two podsmith binaries' publish of one big file: a show of one
1 GiB WAV file (bench/publish.py's) published cold to s3s-fs, each round
into a bucket made anew for it, the two binaries in turn; wall time and
peak memory (GNU time) of each. For a change to how big files go up.
Usage: python3 bench/bigab.py BINARY_A BINARY_B [ROUNDS]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import publish  # noqa: E402

A, B = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 4


def main():
    show = publish.big_files_show(1, 1 << 30)
    server = publish.Server()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=server.key, AWS_SECRET_ACCESS_KEY=server.secret,
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    times = {"A": [], "B": []}
    memory = {"A": [], "B": []}
    try:
        for r in range(ROUNDS):
            for label, binary in (("A", A), ("B", B)):
                bucket = f"big-{label.lower()}-{r}"
                os.mkdir(os.path.join(server.root, bucket))
                # (This computer's notes of the destinations: each run starts cold.)
                shutil.rmtree(os.path.join(show, ".podsmith"), ignore_errors=True)
                subprocess.run(["sync"], check=True)
                t0 = time.perf_counter()
                run = subprocess.run(["/usr/bin/time", "-v", os.path.abspath(binary), "-q", "publish",
                                      "--to", f"s3://{bucket}/x", "--endpoint", f"http://127.0.0.1:{server.port}",
                                      "--as-of", publish.AS_OF], cwd=show, env=env, capture_output=True, text=True)
                wall = time.perf_counter() - t0
                if run.returncode != 0:
                    sys.exit(f"{binary} failed:\n{run.stderr[-2000:]}")
                rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)) / 1024
                times[label].append(wall)
                memory[label].append(rss)
                shutil.rmtree(os.path.join(server.root, bucket))
    finally:
        server.stop()
        shutil.rmtree(show, ignore_errors=True)
    for label, binary in (("A", A), ("B", B)):
        print(f"{label} {binary}: median {statistics.median(times[label]):.2f} s "
              f"({', '.join(f'{t:.2f}' for t in times[label])}), peak {max(memory[label]):.0f} MB")


if __name__ == "__main__":
    main()

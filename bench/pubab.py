#!/usr/bin/env python3
"""An A/B of two podsmith binaries' publish after one episode is added: the
1,000-episode show of bench/build.py published to a local S3 server
(Garage; SERVER=s3s for s3s-fs), `aws s3 sync` beside them as the yardstick.

Each binary has a copy of the show of its own, built by itself before each
round: a build records the program that made it (its size and time), so a
binary that publishes a show another binary built first builds it again,
and an A/B on one shared show times that rebuild (an identical binary under
another file name ran 16 ms slower so; on its own copy, 0.0 ms). Rounds
take the three in turn, the order reversed every six rounds.
For a change that should move a publish's time: the binaries before and
after it. Garage must be installed (bench/publish.sh says how).
Usage: python3 bench/pubab.py BINARY_A BINARY_B [ROUNDS]
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build  # noqa: E402
import publish  # noqa: E402

A, B = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 24
N = 1000


def main():
    server = publish.Server() if os.environ.get("SERVER") == "s3s" else publish.Garage()
    base = build.make_show(N)
    shows = {"A": base + "-a", "B": base + "-b"}
    bins = {"A": A, "B": B}
    buckets = {"A": "podsmith-b", "B": "rclone-b"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_"))}
    env.update(AWS_ACCESS_KEY_ID=server.key, AWS_SECRET_ACCESS_KEY=server.secret, AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    for show in shows.values():
        shutil.rmtree(show, ignore_errors=True)
        subprocess.run(["cp", "-a", base, show], check=True)

    def command(name):
        if name == "aws":
            public = os.path.join(shows["B"], "public")
            return ["aws", "s3", "sync", public, "s3://aws-b/show", "--endpoint-url", server.endpoint(),
                    "--no-progress", "--only-show-errors"], shows["B"]
        return [bins[name], "-q", "publish", "--to", f"s3://{buckets[name]}/show", "--endpoint", server.endpoint(),
                "--as-of", publish.AS_OF], shows[name]

    def run(name):
        os.sync()
        cmd, cwd = command(name)
        started = time.perf_counter()
        r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if r.returncode:
            sys.exit(f"{name}: {r.stderr[-2000:]}")
        return wall

    def build_both():
        for name in ("A", "B"):
            subprocess.run([bins[name], "-q", "build", "--as-of", publish.AS_OF], cwd=shows[name], check=True)

    try:
        build_both()
        for name in ("A", "B", "aws"):
            run(name)  # cold
        times = {"A": [], "B": [], "aws": []}
        order = ["A", "B", "aws"]
        for i in range(ROUNDS):
            for name in ("A", "B"):
                publish.add_episode(shows[name], N + i)
            build_both()
            turn = order[i % 3:] + order[:i % 3]
            for name in turn if (i // 6) % 2 == 0 else turn[::-1]:
                times[name].append(run(name))
            print(i, {k: round(v[-1] * 1000, 1) for k, v in times.items()}, flush=True)
        med = {k: statistics.median(v) * 1000 for k, v in times.items()}
        print(f"medians of {ROUNDS}: A {med['A']:.1f} ms, B {med['B']:.1f} ms, aws s3 sync {med['aws']:.1f} ms")
        print(f"aws/A {med['aws'] / med['A']:.2f}x, aws/B {med['aws'] / med['B']:.2f}x")
    finally:
        for show in (base, *shows.values()):
            shutil.rmtree(show, ignore_errors=True)
        server.stop()


if __name__ == "__main__":
    main()

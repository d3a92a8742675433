#!/usr/bin/env bash
# The publish benchmark, in one command from a fresh clone:
#   bash bench/publish.sh
# Installs what it needs (apt-get: rclone, time, curl; pip: awscli; cargo: s3s-fs
# 0.14.1 and Garage 2.5.0, ~10 minutes once), builds the corpus once if missing (bench/make-corpus.sh), builds
# podsmith in release mode, then prints and saves bench/results/publish.md.
# LAG_MS=15 bash bench/publish.sh: every tool reaches the servers 30 ms a
# round trip away (bench/lag.py); saved as bench/results/publish-lag.md.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in rclone /usr/bin/time curl; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq rclone time curl >/dev/null
fi
command -v aws >/dev/null 2>&1 || pip install -q awscli
command -v s3s-fs >/dev/null 2>&1 || cargo install s3s-fs --version 0.14.1 --features binary --locked
command -v garage >/dev/null 2>&1 || cargo install garage --version 2.5.0 --locked
[ -f bench/corpus/mp3_cbr_info_61s5.mp3 ] || bash bench/make-corpus.sh
cargo build --release --locked --bin podsmith
# rclone rejects the AWS_CA_BUNDLE some machines set; nothing here uses TLS.
env -u AWS_CA_BUNDLE python3 bench/publish.py

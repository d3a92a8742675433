#!/usr/bin/env bash
# The benchmark, in one command from a fresh clone:
#   bash bench/probe.sh
# Installs what it needs (apt-get: lame sox vorbis-tools opus-tools ffmpeg
# time; pip: mutagen), builds the corpus once (bench/corpus, not committed),
# builds podsmith in release mode, then prints and saves
#   bench/results/probe.md  accuracy against ffprobe and mutagen, probe speed as ratios
#   bench/results/build.md  a 1,000- and 10,000-episode show built cold and warm, peak memory
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in lame sox oggenc opusenc ffmpeg ffprobe /usr/bin/time; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: lame sox vorbis-tools opus-tools ffmpeg time" >&2
  apt-get update -qq && apt-get install -y -qq lame sox vorbis-tools opus-tools ffmpeg time >/dev/null
fi
python3 -c "import mutagen" 2>/dev/null || pip install -q mutagen

[ -f bench/corpus/truth.csv ] && [ "$(wc -l < bench/corpus/truth.csv)" -gt 40 ] || bash bench/make-corpus.sh
cargo build --release --locked --bin podsmith --example probe_bench
python3 bench/probe.py
python3 bench/build.py
python3 bench/remote.py

#!/usr/bin/env bash
# `podsmith serve` on a 1,000-episode MP3+OGG show (made by bench/build.py's
# make_show): the first preview build, then two one-line edits of the
# manifest, each rebuilt and reported by serve itself ("rebuilt: … in Ns").
# Run after `cargo build --release --locked` and bench/make-corpus.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
show=$(python3 -c "import sys; sys.path.insert(0, 'bench'); import build; print(build.make_show(1000))")
log=$(mktemp)
(cd "$show" && timeout 30 ../../target/release/podsmith serve --port 18333 >"$log" 2>&1) &
sleep 8
sed -i 's/title = "Episode ep00500: a conversation"/title = "Episode ep00500: edited"/' "$show/episodes.toml"
sleep 3
sed -i 's/title = "Episode ep00700: a conversation"/title = "Episode ep00700: edited"/' "$show/episodes.toml"
sleep 3
grep rebuilt "$log"

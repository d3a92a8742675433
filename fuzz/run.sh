#!/usr/bin/env bash
# Fuzzes podsmith's parsers with AFL++ (through cargo-afl, on stable Rust),
# one target at a time. See FUZZING.md.
#
#   bash fuzz/run.sh                  # every target, 30 minutes each
#   bash fuzz/run.sh 5                # every target, 5 minutes each
#   bash fuzz/run.sh 10 feed art      # those targets, 10 minutes each
#
# Needs only the Rust toolchain: cargo-afl (and with it AFL++, built from the
# source cargo-afl ships) is installed if missing. The harness is built into
# fuzz/target/, seed corpora are made from committed fixtures into
# fuzz/out/seeds/<target>/, AFL++ writes to fuzz/out/<target>/ (both
# gitignored), and every crash or hang found is copied to
# fuzz/regressions/<target>/{crash,hang}-<sha1 prefix>, which `cargo test`
# replays (fuzzing::tests::every_saved_crash_and_hang_runs_clean). A finding
# that cannot be fixed in podsmith (a dependency's bug) belongs in
# fuzz/pending/<target>/ instead: an input already there is not copied again.
#
# Environment: FUZZ_TIMEOUT_MS (per input, default 1000), FUZZ_MEMORY_MB
# (AFL's -m, default 4096), FUZZ_SKIP_BUILD=1 (use the harness as built).

set -euo pipefail

ALL_TARGETS=(mp3 ogg mp4 flac symphonia probe manifest feed art markdown import transcript chapters serve records add site loudness)

FUZZ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$FUZZ")"
OUT="$FUZZ/out"
SEEDS="$OUT/seeds"
DICTS="$OUT/dicts"
BIN="$FUZZ/target/release/afl"
TIMEOUT_MS="${FUZZ_TIMEOUT_MS:-1000}"
MEMORY_MB="${FUZZ_MEMORY_MB:-4096}"

MINUTES="${1:-30}"
[[ "$MINUTES" =~ ^[0-9]+$ && "$MINUTES" -gt 0 ]] || { echo "usage: bash fuzz/run.sh [MINUTES] [TARGET...]" >&2; exit 2; }
shift $(( $# > 0 ? 1 : 0 ))
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
    [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "unknown target '$t' (one of: ${ALL_TARGETS[*]})" >&2; exit 2; }
done

say() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------- tools ----

say "tools"
if ! cargo afl --version >/dev/null 2>&1; then
    # cargo-afl's install also builds AFL++ (afl-fuzz and its LLVM runtime).
    # That needs a C compiler and make; on Debian, the afl++ package's
    # dependencies are not needed for it.
    command -v cc >/dev/null && command -v make >/dev/null || {
        apt-get update -qq && apt-get install -y -qq build-essential
    }
    cargo install cargo-afl --locked
fi
# Builds AFL++ for this toolchain unless it is already there (stable Rust:
# no LLVM plugins, the instrumentation is rustc's own SanitizerCoverage).
config_log="$(mktemp)"
if ! cargo afl config --build >"$config_log" 2>&1; then
    grep -q "already built" "$config_log" || { cat "$config_log" >&2; exit 1; }
fi
rm -f "$config_log"
cargo afl --version

# AFL++'s dictionaries, from the source cargo-afl built it from (optional).
AFL_DICTS=""
for d in "${XDG_DATA_HOME:-$HOME/.local/share}"/afl.rs/AFLplusplus/dictionaries; do
    [[ -d "$d" ]] && AFL_DICTS="$d"
done

# ---------------------------------------------------------------- build ----

if [[ "${FUZZ_SKIP_BUILD:-}" != 1 ]]; then
    say "build (fuzz/target/)"
    (cd "$FUZZ" && cargo afl build --release)
fi
[[ -x "$BIN" ]] || { echo "no harness at $BIN" >&2; exit 1; }

# ---------------------------------------------------------------- seeds ----

# put TARGET NAME < bytes: one seed file.
put() { cat >"$SEEDS/$1/$2"; }
# head_of TARGET FILE BYTES: the file's first BYTES bytes as a seed.
head_of() { head -c "$3" "$2" | put "$1" "$(basename "$2").head$3"; }
# ends_of TARGET FILE HEAD TAIL: its first HEAD and last TAIL bytes, joined
# (keeps what the readers look for at both ends: ID3v1/APE tags, last Ogg page).
ends_of() { { head -c "$3" "$2"; tail -c "$4" "$2"; } | put "$1" "$(basename "$2").ends"; }

seed_mp3() {
    local f
    for f in "$ROOT"/tests/fixtures/audio/*.mp3; do
        head_of mp3 "$f" 4096
        if [[ $(stat -c %s "$f") -gt 8192 ]]; then ends_of mp3 "$f" 3072 1024; fi
    done
    for f in "$ROOT"/media/*.mp3; do head_of mp3 "$f" 4096; done
}
seed_ogg() {
    local f
    for f in "$ROOT"/tests/fixtures/audio/*.ogg "$ROOT"/tests/fixtures/audio/*.opus "$ROOT"/media/*.ogg; do
        [[ -s "$f" ]] || continue
        head_of ogg "$f" 4096
        ends_of ogg "$f" 4096 4096
    done
}
seed_mp4() {
    local f
    for f in "$ROOT"/tests/fixtures/audio/*.m4a; do cp "$f" "$SEEDS/mp4/"; done
}
seed_flac() {
    local f
    for f in "$ROOT"/tests/fixtures/audio/*.flac; do
        head_of flac "$f" 4096
        ends_of flac "$f" 1024 4096
    done
}
# symphonia, probe and loudness: a few KiB of every kind of audio fixture.
seed_audio() {
    local f
    for f in "$ROOT"/tests/fixtures/audio/*.{mp3,ogg,opus,m4a,flac,wav}; do
        [[ -s "$f" ]] || continue
        head_of "$1" "$f" 4096
    done
    for f in "$ROOT"/tests/fixtures/audio/m4a-*.m4a "$ROOT"/tests/fixtures/audio/broken-truncated.m4a; do
        cp "$f" "$SEEDS/$1/"
    done
}
seed_manifest() { seed_manifest_into manifest; }
# The manifest seeds, for TARGET (add and site read manifests too).
seed_manifest_into() {
    cp "$ROOT/episodes.toml" "$SEEDS/$1/episodes.toml"
    cp "$ROOT/src/init/episodes.toml" "$SEEDS/$1/init-episodes.toml"
    # The ```toml examples of README.md, one seed each.
    awk -v dir="$SEEDS/$1" '
        /^```toml/ { n++; f = dir "/readme-" n ".toml"; inblock = 1; next }
        /^```/     { inblock = 0; next }
        inblock    { print > f }' "$ROOT/README.md"
}
seed_feed() {
    local f
    # Real feeds over 64 KiB would slow every execution; the rule fixtures
    # cover the same elements.
    for f in "$ROOT"/tests/fixtures/real-feeds/*.xml "$ROOT"/tests/fixtures/rules/*.xml; do
        if [[ $(stat -c %s "$f") -le 65536 ]]; then cp "$f" "$SEEDS/feed/"; fi
    done
}
seed_import() {
    local f
    # A host's feed, as import reads it: the real feeds under 64 KiB, and
    # the sample show's own.
    for f in "$ROOT"/tests/fixtures/real-feeds/*.xml; do
        if [[ $(stat -c %s "$f") -le 65536 ]]; then cp "$f" "$SEEDS/import/"; fi
    done
}
# The first byte picks the format: 0 VTT, 1 SRT, 2 JSON, 3 HTML.
seed_transcript() {
    { printf '\x00'; cat "$ROOT"/transcripts/*.vtt; } | put transcript sample.vtt
    printf '\x00WEBVTT\n\n00:00.000 --> 00:02.000\n<v Ann>Hello &amp; welcome.\n\n00:02.000 --> 00:04.900\n<v Bob>Thanks.\n' | put transcript voices.vtt
    printf '\x011\n00:00:00,000 --> 00:00:04,000\nHallo.\n\n2\n00:00:04,000 --> 00:00:09,500\n<i>Zwei</i> Zeilen\nhier.\n' | put transcript two.srt
    printf '\x02{"version":"1.0.0","segments":[{"speaker":"Ann","startTime":0,"endTime":1.5,"body":"Hi"},{"startTime":1.5,"endTime":3,"body":"there"}]}' | put transcript segments.json
    printf '\x03<html><body><p>Ann: Hello.</p></body></html>' | put transcript page.html
}
seed_chapters() {
    cp "$ROOT/tests/fixtures/rules/chapters.json" "$SEEDS/chapters/"
    printf '{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"},{"startTime":61.5,"endTime":90,"title":"Talk","url":"https://example.org/a?b=c","img":"https://example.org/i.jpg"},{"startTime":90,"toc":false}]}' | put chapters made.json
}
# What a browser and curl send: pages, a range, HEAD, keep-alive, odd paths.
seed_serve() {
    printf 'GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\n\r\nGET /episodes/one/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | put serve pages.http
    printf 'GET /media/a.mp3 HTTP/1.1\r\nRange: bytes=10-19\r\n\r\nHEAD /media/a.mp3 HTTP/1.1\r\nRange: bytes=50-\r\n\r\nGET /media/empty.ogg HTTP/1.1\r\nRange: bytes=0-0\r\n\r\n' | put serve ranges.http
    printf 'GET /__podsmith/state HTTP/1.0\r\n\r\n' | put serve state.http
    printf 'POST /feed.xml HTTP/1.1\r\n\r\nGET /%%2e%%2e/etc/passwd HTTP/1.1\r\n\r\nGET /episodes HTTP/1.1\r\n\r\nGET /feed.xml?x=1#y HTTP/1.1\r\n\r\n' | put serve odd.http
}
# The state files of the sample show as a build leaves them (the first
# byte picks the file: 0 build.json, 1 pending.json, 2 cache.json, 3
# the memo (in .podsmith/memos/), 4 podsmith.lock, 5 cache.log beside a cache file whose id
# its lines name, 6 build.log beside a record whose id its lines name,
# 7 a destination's .podsmith/published.json, as publish writes it:
# gzipped JSON, and plain; 8 its .podsmith/publishing.json, the note of
# the uploads under way).
seed_records() {
    local show bin n=0 f memo
    show="$(mktemp -d)"
    cp -r "$ROOT/episodes.toml" "$ROOT/media" "$ROOT/transcripts" "$show/"
    for bin in "$ROOT/target/release/podsmith" "$ROOT/target/debug/podsmith"; do
        if [[ -x "$bin" ]]; then
            (cd "$show" && "$bin" -q build >/dev/null 2>&1) || true
            break
        fi
    done
    memo="$(cd "$show" && ls .podsmith/memos/*.json 2>/dev/null | head -n 1 || true)"
    for f in .podsmith/build.json .podsmith/pending.json .podsmith/cache.json "${memo:-.podsmith/memo.json}" podsmith.lock; do
        if [[ -f "$show/$f" ]]; then
            { printf "\\x$(printf '%02x' $n)"; cat "$show/$f"; } | put records "$n-$(basename "$f")"
        fi
        n=$((n + 1))
    done
    printf '\x01{"version":1,"out":"/tmp/x/public","files":["feed.xml","../outside"]}' | put records 1-pending.json
    printf '\x05{"base":"0123456789abcdef","entries":{"media/a.mp3":null}}\n{"base":"0123456789abcdef","hosted":{"https://x/a.mp3":null}}\n' | put records 5-cache.log
    printf '\x06{"base":"0123456789abcdef","order":["/tmp/podsmith-fuzz-out"],"sites":[{"out":"/tmp/podsmith-fuzz-out","inputs":"","summary":{"episodes":0,"feeds":[],"pages":0,"files":0,"media":0,"warnings":[]},"outputs":{"feed.xml":{"size":1,"mtime_ns":2},"../x":null}}]}\n' | put records 6-build.log
    local record='{"version":1,"objects":{"episodes/one/index.html":{"size":120,"fingerprint":"ab","content_type":"text/html; charset=utf-8","cache_control":"public, max-age=300","etag":"\"e1\""},"feed.xml":{"size":300000,"fingerprint":"cd","content_type":"application/rss+xml; charset=utf-8","cache_control":"public, max-age=60","sha256":"00ff"}},"pending":{"media/a.mp3":{"size":7,"fingerprint":"ef","content_type":"audio/mpeg","cache_control":"public, max-age=31536000, immutable"}}}'
    { printf '\x07'; printf '%s' "$record"; } | put records 7-published.json
    { printf '\x07'; printf '%s' "$record" | gzip -c; } | put records 7-published.json.gz
    { printf '\x07'; printf '{"version":1,"objects":{"../outside":{"size":1,"fingerprint":"","content_type":"","cache_control":""}}}'; } | put records 7-outside.json
    local note='{"version":1,"over":"\"e0\"","objects":{"feed.xml":{"size":300000,"fingerprint":"cd","content_type":"application/rss+xml; charset=utf-8","cache_control":"public, max-age=60","etag":"\"e2\""}},"pending":{"media/a.mp3":{"size":7,"fingerprint":"ef","content_type":"audio/mpeg","cache_control":"public, max-age=31536000, immutable"}}}'
    { printf '\x08'; printf '%s' "$note" | gzip -c; } | put records 8-publishing.json.gz
    { printf '\x08'; printf '{"version":1,"over":null,"pending":{"../outside":{"size":1,"fingerprint":"","content_type":"","cache_control":""}}}'; } | put records 8-outside.json
    printf '\x09{"version":1,"uploads":{"VXBsb2FkIElEIGZvciA2aWWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA":"media/a.mp3","2~abc.def":"media/b.ogg"}}' | put records 9-uploads.json
    printf '\x09{"version":1,"uploads":{"id":"../outside"}}' | put records 9-outside.json
    rm -rf "$show"
}
seed_art() {
    local f
    # The header reader stops at the size; 16 KiB holds it for every image here.
    for f in "$ROOT"/tests/fixtures/rules/images/*.{jpg,png} "$ROOT"/media/cover.jpg "$ROOT"/src/init/placeholder-cover.jpg; do
        head -c 16384 "$f" | put art "$(basename "$(dirname "$f")")-$(basename "$f")"
    done
    for f in "$FUZZ"/regressions/art/*; do
        if [[ -f "$f" ]]; then cp "$f" "$SEEDS/art/regression-$(basename "$f")"; fi
    done
}
# notes_of MANIFEST PREFIX: the manifest's `notes = """..."""` blocks, one seed each.
notes_of() {
    awk -v prefix="$SEEDS/markdown/$2" '
        /^notes = """/ { n++; f = prefix "-notes-" n ".md"; inblock = 1; next }
        /^"""/         { inblock = 0; next }
        inblock        { print > f }' "$1"
}
seed_markdown() {
    notes_of "$ROOT/episodes.toml" episodes
    notes_of "$ROOT/src/init/episodes.toml" init
    # README.md, one seed per "## " section; the fixture READMEs whole.
    awk -v dir="$SEEDS/markdown" '/^## / { n++ } { print > (dir "/readme-" n ".md") }' "$ROOT/README.md"
    cp "$ROOT/tests/fixtures/audio/README.md" "$SEEDS/markdown/audio-readme.md"
    cp "$ROOT/tests/fixtures/real-feeds/README.md" "$SEEDS/markdown/real-feeds-readme.md"
    # What the sanitiser is there for: raw HTML and unsafe link schemes.
    printf '%s\n' '<script>alert(1)</script> *x* [a](javascript:alert(1)) ![i](data:x) [b](https://e.com/?a:b) <b>hi</b>' \
        '| a | b |' '|---|---|' '| ~~c~~ | <i>d</i> |' | put markdown sanitiser.md
}

make_seeds() {
    local t="$1"
    rm -rf "${SEEDS:?}/$t"
    mkdir -p "$SEEDS/$t"
    case "$t" in
        mp3 | ogg | mp4 | flac | manifest | feed | art | markdown | import | transcript | chapters | serve | records) "seed_$t" ;;
        add | site) seed_manifest_into "$t" ;;
        symphonia | probe | loudness) seed_audio "$t" ;;
    esac
    # Empty seeds teach nothing and AFL++ rejects them.
    find "$SEEDS/$t" -type f -empty -delete
}

# ---------------------------------------------------------- dictionaries ----

make_dicts() {
    mkdir -p "$DICTS"
    # Magic numbers and tag names our header readers and symphonia look for.
    cat >"$DICTS/audio.dict" <<'EOF'
"ID3"
"TAG"
"APETAGEX"
"Xing"
"Info"
"VBRI"
"LAME"
"\xff\xfb"
"\xff\xf3"
"\xff\xe3"
"OggS"
"\x01vorbis"
"\x03vorbis"
"OpusHead"
"OpusTags"
"fLaC"
"\xff\xf8"
"RIFF"
"WAVE"
"fmt "
"data"
"ftyp"
"moov"
"mdat"
"mvhd"
"trak"
"mdia"
"mdhd"
"minf"
"stbl"
"stsd"
"stts"
"stsz"
"stco"
"co64"
"mp4a"
"esds"
"free"
"M4A "
"\x00\x00\x00\x01"
EOF
    # Element and attribute names of the fixture feeds, as a feed dictionary.
    cat "$ROOT"/tests/fixtures/rules/*.xml "$ROOT"/tests/fixtures/real-feeds/*.xml |
        grep -aoE '</?[A-Za-z][A-Za-z0-9_:.-]*|[A-Za-z][A-Za-z0-9_:-]*="' |
        sed 's/^<\///; s/^<//; s/="$/=/' | sort -u | awk "NR <= 400" |
        awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "\"%s\"\n", $0 }' >"$DICTS/feed.dict"
    # Keys of the manifest (from the sample ones).
    grep -hoE '^\[*[a-z_]+\]*|^[a-z_]+ =' "$ROOT/episodes.toml" "$ROOT/src/init/episodes.toml" |
        sort -u | awk '{ printf "\"%s\"\n", $0 }' >"$DICTS/manifest.dict"
}

# dicts_for TARGET: AFL's -x options.
dicts_for() {
    local -a x=()
    add() { [[ -n "$AFL_DICTS" && -f "$AFL_DICTS/$1" ]] && x+=(-x "$AFL_DICTS/$1"); return 0; }
    case "$1" in
        mp3 | flac) x+=(-x "$DICTS/audio.dict") ;;
        ogg) x+=(-x "$DICTS/audio.dict"); add ogg.dict ;;
        mp4) x+=(-x "$DICTS/audio.dict"); add mp4.dict ;;
        symphonia | probe | loudness) x+=(-x "$DICTS/audio.dict"); add wav.dict ;;
        manifest | add | site) x+=(-x "$DICTS/manifest.dict"); add toml.dict ;;
        feed | import) x+=(-x "$DICTS/feed.dict"); add rss.dict; add xml.dict ;;
        transcript) add html_tags.dict ;;
        chapters | records) add json.dict ;;
        serve) add http.dict ;;
        art) add jpeg.dict; add png.dict ;;
        markdown) add markdown.dict; add html_tags.dict ;;
    esac
    echo "${x[@]}"
}

# -------------------------------------------------------------- summary ----

stat_of() { sed -n "s/^$1 *: *//p" "$2" | head -1; }
summary_header() {
    echo "| target | run time | execs_done | execs/s (avg) | execs_per_sec (last) | corpus_count | bitmap_cvg | edges_found | saved_crashes | saved_hangs |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
}
# summary_row TARGET: its line of the table, from AFL++'s fuzzer_stats.
summary_row() {
    local s="$OUT/$1/default/fuzzer_stats" rt execs
    if [[ ! -f "$s" ]]; then
        echo "| $1 | (no fuzzer_stats) | | | | | | | | |"
        return
    fi
    rt=$(stat_of run_time "$s")
    execs=$(stat_of execs_done "$s")
    printf '| %s | %dm%02ds | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" $((rt / 60)) $((rt % 60)) \
        "$execs" "$(awk -v e="$execs" -v r="$rt" 'BEGIN { printf "%.0f", (r > 0 ? e / r : 0) }')" \
        "$(stat_of execs_per_sec "$s")" \
        "$(stat_of corpus_count "$s")" "$(stat_of bitmap_cvg "$s")" "$(stat_of edges_found "$s")" \
        "$(stat_of saved_crashes "$s")" "$(stat_of saved_hangs "$s")"
}

# ------------------------------------------------------- crashes, hangs ----

# save_findings TARGET: copies each crash and hang input AFL++ kept to
# fuzz/regressions/TARGET/{crash,hang}-<sha1 prefix> (AFL's README.txt skipped).
new=0
save_findings() {
    local t="$1" kind dir f name
    for kind in crash hang; do
        dir="$OUT/$t/default/hangs"
        if [[ $kind == crash ]]; then dir="$OUT/$t/default/crashes"; fi
        for f in "$dir"/id:*; do
            [[ -f "$f" ]] || continue
            name="$kind-$(sha1sum "$f" | cut -c1-16)"
            if [[ -e "$FUZZ/regressions/$t/$name" || -e "$FUZZ/pending/$t/$name" ]]; then
                echo "$t: $name (already saved)"
                continue
            fi
            mkdir -p "$FUZZ/regressions/$t"
            install -m 644 "$f" "$FUZZ/regressions/$t/$name"
            echo "$t: NEW fuzz/regressions/$t/$name  (from ${f#"$FUZZ"/})"
            new=$((new + 1))
        done
    done
}

# ------------------------------------------------------------------ run ----

# Needed in this sandbox: no CPU governor or core_pattern to set, no screen,
# and the other core may be busy.
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1
export AFL_NO_AFFINITY=1
export AFL_IGNORE_SEED_PROBLEMS=1

mkdir -p "$OUT"
make_dicts
{
    echo "started: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "commit: $(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "uncommitted changes under src/ (built into the harness): $(git -C "$ROOT" status --porcelain -- src 2>/dev/null | wc -l) file(s)"
    git -C "$ROOT" status --porcelain -- src 2>/dev/null | sed 's/^/    /'
    echo "minutes per target: $MINUTES; targets: ${TARGETS[*]}"
    echo "machine: $(nproc) cores, $(uname -srm)"
    cargo afl --version
} | tee "$OUT/run-info.txt"

for t in "${TARGETS[@]}"; do
    make_seeds "$t"
    say "$t: $(find "$SEEDS/$t" -type f | wc -l) seeds, $MINUTES min, -t $TIMEOUT_MS ms ($(date -u '+%H:%M:%S UTC'))"
    rm -rf "${OUT:?}/$t"
    # shellcheck disable=SC2046 # dicts_for prints separate words
    cargo afl fuzz -i "$SEEDS/$t" -o "$OUT/$t" -t "$TIMEOUT_MS" -m "$MEMORY_MB" \
        -V $((MINUTES * 60)) $(dicts_for "$t") -- "$BIN" "$t" \
        >"$OUT/$t.log" 2>&1 || { echo "afl-fuzz failed for $t; last lines of $OUT/$t.log:"; tail -20 "$OUT/$t.log"; }
    summary_header
    summary_row "$t"
    save_findings "$t"
done

say "crash and hang inputs"
if [[ $new -gt 0 ]]; then
    echo "$new new input(s) in fuzz/regressions/. Replay one: fuzz/target/release/replay TARGET FILE"
    echo "(RUST_BACKTRACE=1 for where); all of them: fuzz/target/release/replay. Fix the bug, or,"
    echo "if it is in a dependency, move the file to fuzz/pending/<target>/ and report it."
else
    echo "none new"
fi

# -------------------------------------------------------------- summary ----

say "summary (fuzz/out/summary.md)"
{
    summary_header
    for t in "${TARGETS[@]}"; do summary_row "$t"; done
} | tee "$OUT/summary.md"
echo "(execs/s (avg): execs_done / run_time; execs_per_sec: fuzzer_stats' own figure, recent speed.)"

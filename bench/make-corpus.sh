#!/usr/bin/env bash
# Builds the benchmark corpus in bench/corpus/ (not committed): every format
# and MP3 variant podsmith measures, at 3 s, 61.5 s, 15:10 and 1 h, with the
# true length of each (the sample count of the PCM that was encoded) in
# truth.csv. Takes a few minutes and ~400 MB of disk; run once.
set -euo pipefail
cd "$(dirname "$0")"
out=corpus
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "file,true_seconds,category" > "$out/truth.csv"

strip_first_frame() { # in.mp3 out.mp3: drop the Xing/Info frame (what a tag-less encoder writes)
  python3 - "$1" "$2" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
b = d[2]
size = 144 * L3[b >> 4] * 1000 // 44100 + ((b >> 1) & 1)
open(sys.argv[2], 'wb').write(d[size:])
PY
}

big_id3() { # in.mp3 out.mp3: a 500 KB ID3v2 picture of random bytes (full of 0xFF) in front
  python3 - "$1" "$2" <<'PY'
import os, struct, sys
pic = os.urandom(500 * 1024)
apic = b'\x00image/jpeg\x00\x03\x00' + pic
frame = b'APIC' + struct.pack('>I', len(apic)) + b'\x00\x00' + apic
n = len(frame)
ss = bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])
open(sys.argv[2], 'wb').write(b'ID3\x03\x00\x00' + ss + frame + open(sys.argv[1], 'rb').read())
PY
}

for spec in 3:3s 61.5:61s5 910:15m10s 3600:1h; do
  secs=${spec%%:*}; tag=${spec##*:}
  samples=$(python3 -c "print(int(round($secs * 44100)))")
  true_s=$(python3 -c "print(f'{$samples/44100:.6f}')")
  echo "== $tag"
  # Speech-like: a tone and noise; the VBR source starts quiet for 10 % of its length.
  sox -R -r 44100 -c 1 -n -b 16 "$tmp/t.wav" synth "${samples}s" sine 220 vol 0.3
  sox -R -r 44100 -c 1 -n -b 16 "$tmp/p.wav" synth "${samples}s" pinknoise vol 0.2
  sox -R -m "$tmp/t.wav" "$tmp/p.wav" "$tmp/src.wav"
  quiet=$(( samples / 10 ))
  sox -R "$tmp/src.wav" "$tmp/loud.wav" trim "${quiet}s"
  sox -R -r 44100 -c 1 -n -b 16 "$tmp/q.wav" trim 0s "${quiet}s"
  sox -R "$tmp/q.wav" "$tmp/loud.wav" "$tmp/vbrsrc.wav"

  lame --quiet -b 64 --cbr "$tmp/src.wav" "$out/mp3_cbr_info_$tag.mp3"
  strip_first_frame "$out/mp3_cbr_info_$tag.mp3" "$out/mp3_cbr_noxing_$tag.mp3"
  lame --quiet -V 5 "$tmp/vbrsrc.wav" "$out/mp3_vbr_xing_$tag.mp3"
  strip_first_frame "$out/mp3_vbr_xing_$tag.mp3" "$out/mp3_vbr_noxing_$tag.mp3"
  big_id3 "$out/mp3_cbr_info_$tag.mp3" "$out/mp3_bigid3_info_$tag.mp3"
  big_id3 "$out/mp3_vbr_noxing_$tag.mp3" "$out/mp3_bigid3_vbr_noxing_$tag.mp3"
  lame --quiet -b 32 --resample 22.05 -t "$tmp/src.wav" "$out/mp3_mpeg2_noxing_$tag.mp3"
  oggenc --quiet -s 7 -q 0 -o "$out/ogg_vorbis_$tag.ogg" "$tmp/src.wav"
  opusenc --quiet --serial 7 --bitrate 24 "$tmp/src.wav" "$out/opus_$tag.opus"
  ffmpeg -v error -y -i "$tmp/src.wav" -c:a aac -b:a 48k "$out/m4a_aac_$tag.m4a"
  if [ "$tag" != 1h ]; then
    ffmpeg -v error -y -i "$tmp/src.wav" -ar 16000 "$out/flac_$tag.flac"
    ffmpeg -v error -y -i "$tmp/src.wav" -ar 16000 -f flac - > "$out/flac_streamed_$tag.flac"
    ffmpeg -v error -y -i "$tmp/src.wav" -ar 8000 -c:a pcm_u8 "$out/wav_$tag.wav"
  fi
  for f in "$out"/*_"$tag".*; do
    name=$(basename "$f")
    case "$name" in
      flac_*|wav_*) t=$(python3 -c "print(f'{$secs:.6f}')") ;;  # resampled: the length is the same
      *) t=$true_s ;;
    esac
    echo "$name,$t,${name%_"$tag".*}" >> "$out/truth.csv"
  done
done
ls "$out" | wc -l
du -sh "$out"

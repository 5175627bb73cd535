#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, not committed) from the real AIS feeds in
# agent/tests/data/ais/input/: one line per seed for the sentence layer, one payload per seed
# for the decoder, chunks of 40 lines for the stream decoder. The reassembler's input is
# structured (see fuzz_targets/reassembler.rs) and starts from an empty corpus.
set -euo pipefail

fuzz="$(cd "$(dirname "$0")" && pwd)"
data="$fuzz/../agent/tests/data/ais/input"
corpus="$fuzz/corpus"
mkdir -p "$corpus"/{nmea_sentence,ais_decoder,decode_stream,reassembler}

inputs() { find "$data" -type f ! -name COPYING ! -name LICENSE -print0 | sort -z; }

# Sentence layer: every distinct line, named by its hash.
inputs | xargs -0 cat | tr -d '\r' | sort -u | while IFS= read -r line; do
  printf '%s' "$line" >"$corpus/nmea_sentence/$(printf '%s' "$line" | sha1sum | cut -c1-16)"
done

# Decoder: a control byte ('0' + fill bits) then one byte per armour character whose low six
# bits are the character's value (value + 64, printable), as the target reads them.
inputs | xargs -0 cat | tr -d '\r' |
  awk -F, '/VD[MO],/ {
    for (i = 1; i <= NF; i++) if ($i ~ /VD[MO]$/) break
    payload = $(i + 5); fill = substr($(i + 6), 1, 1)
    if (payload == "" || fill !~ /^[0-5]$/) next
    alphabet = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"
    out = fill
    for (j = 1; j <= length(payload); j++) {
      v = index(alphabet, substr(payload, j, 1)) - 1
      if (v < 0) next
      out = out sprintf("%c", v + 64)
    }
    print out
  }' | sort -u | while IFS= read -r seed; do
  printf '%s' "$seed" >"$corpus/ais_decoder/$(printf '%s' "$seed" | sha1sum | cut -c1-16)"
done

# Stream decoder: each file in chunks of 40 lines, line endings as they are.
inputs | while IFS= read -r -d '' f; do
  split -l 40 -a 4 "$f" "$corpus/decode_stream/$(basename "$f")."
done

for target in nmea_sentence ais_decoder decode_stream reassembler; do
  echo "$target: $(find "$corpus/$target" -type f | wc -l) seeds"
done

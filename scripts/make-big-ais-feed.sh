#!/usr/bin/env bash
# Writes a large AIS feed for throughput measurements: the real feeds of
# agent/tests/data/ais/input/ (gpsd, libais and pyais test data: AIS of every type, tag blocks,
# Gatehouse wrappers, GPS sentences, comments and junk lines) repeated whole until the file
# holds at least SENTENCES NMEA sentences (lines starting with `!`, `$` or a `\` tag block).
#
# Usage: scripts/make-big-ais-feed.sh OUT [SENTENCES]    (SENTENCES defaults to 1000000)
# Example: scripts/make-big-ais-feed.sh /tmp/ais-1m.nmea
# The file is about 70 MB for a million sentences: write it outside the repository.
set -euo pipefail

out=${1:?usage: $0 OUT [SENTENCES]}
want=${2:-1000000}
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/agent/tests/data/ais/input"

pass="$(mktemp)"
trap 'rm -f "$pass"' EXIT
# One pass over every input in a fixed order; `awk 1` ends each file with a newline (some
# lack a final one), so that no line runs into the next file's first.
find "$data" -type f ! -name COPYING ! -name LICENSE -print0 | sort -z |
  while IFS= read -r -d '' f; do awk 1 "$f"; done >"$pass"

per_pass=$(grep -c '^[!$\\]' "$pass")
ais_per_pass=$(grep -c -E '^(\\[^\\]*\\)?![A-Z]{2}VD[MO],' "$pass")
passes=$(((want + per_pass - 1) / per_pass))
for ((i = 0; i < passes; i++)); do cat "$pass"; done >"$out"
echo "$out: $passes passes of $per_pass sentences ($ais_per_pass AIS) =" \
  "$((passes * per_pass)) sentences ($((passes * ais_per_pass)) AIS), $(wc -c <"$out") bytes"

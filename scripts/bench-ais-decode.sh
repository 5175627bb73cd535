#!/usr/bin/env bash
# Whole-process throughput of `borderfuse-agent ais-decode` against gpsd's
# `gpsdecode -u -j` on the same large feed: RUNS timed runs of each, alternated after a
# warm-up of each, median wall-clock time, sentences per second and the ratio.
#
# Usage: scripts/bench-ais-decode.sh [FEED] [RUNS]
#   FEED  defaults to /tmp/ais-1m.nmea, made by scripts/make-big-ais-feed.sh when missing
#   RUNS  defaults to 5
# Needs gpsdecode: `apt-get install gpsd-clients` (Debian 12 ships gpsd 3.22).
# Uses hyperfine when it is installed, plain bash timing otherwise.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
feed=${1:-/tmp/ais-1m.nmea}
runs=${2:-5}

if ! command -v gpsdecode >/dev/null; then
  echo "gpsdecode not found: install it with 'apt-get install gpsd-clients'" >&2
  exit 2
fi
[ -f "$feed" ] || "$root/scripts/make-big-ais-feed.sh" "$feed"

(cd "$root" && cargo build --release --quiet -p borderfuse-agent --bin borderfuse-agent)
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
agent="$target/release/borderfuse-agent"

sentences=$(grep -c '^[!$\\]' "$feed")
ours="$agent ais-decode < '$feed' > /dev/null 2>&1"
# gpsdecode's stderr (a line per sentence it rejects) is thrown away too, as ours is.
theirs="gpsdecode -u -j < '$feed' > /dev/null 2>&1"

# Median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if command -v hyperfine >/dev/null; then
  csv="$(mktemp)"
  trap 'rm -f "$csv"' EXIT
  hyperfine --style basic --warmup 1 --runs "$runs" --export-csv "$csv" \
    -n borderfuse "$ours" -n gpsdecode "$theirs" >&2
  # Columns: command,mean,stddev,median,...
  t_ours=$(awk -F, '$1 == "borderfuse" { print $4 }' "$csv")
  t_theirs=$(awk -F, '$1 == "gpsdecode" { print $4 }' "$csv")
else
  now() { date +%s.%N; }
  elapsed() {
    local start
    start=$(now)
    bash -c "$1"
    awk -v s="$start" -v e="$(now)" 'BEGIN { print e - s }'
  }
  bash -c "$ours"
  bash -c "$theirs"
  ours_times=() theirs_times=()
  for ((i = 0; i < runs; i++)); do
    ours_times+=("$(elapsed "$ours")")
    theirs_times+=("$(elapsed "$theirs")")
  done
  t_ours=$(printf '%s\n' "${ours_times[@]}" | median)
  t_theirs=$(printf '%s\n' "${theirs_times[@]}" | median)
fi

awk -v n="$sentences" -v a="$t_ours" -v b="$t_theirs" -v runs="$runs" -v feed="$feed" 'BEGIN {
  printf "feed: %s, %d sentences; median of %d runs, whole process\n", feed, n, runs
  printf "%-32s %8.3f s %12.0f sentences/s\n", "borderfuse-agent ais-decode", a, n / a
  printf "%-32s %8.3f s %12.0f sentences/s\n", "gpsdecode -u -j", b, n / b
  printf "ratio: %.2fx gpsdecode\n", b / a
}'

#!/usr/bin/env python3
"""Stone Soup and borderfuse over many seeds of the small random scenarios.

One seed of a 10-target, 40-scan scenario is a few hundred position errors: two trackers
within a few tenths of a metre GOSPA of each other on it differ by chance as often as by
merit. This script runs scripts/compare-stonesoup.py once per seed (each in DIR/seed-N, reused
when already there), collects its compare.json rows, and prints for each scenario and target
count our GOSPA/truth minus Stone Soup's best, per seed and as a mean with its standard error,
and on how many seeds ours was better. Stone Soup's runs are kept for the next call; ours are
always run again.

Usage:
  scripts/compare-seeds.py [--seeds 30] [--scenarios random-rb ...] [--targets 10 ...]
        [--out DIR]

Needs what compare-stonesoup.py needs (python3 with stonesoup==1.9.1, cargo).
"""

import argparse
import json
import math
import os
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=30, help="seeds 1..N")
    ap.add_argument("--scenarios", nargs="+", default=["random-xy", "random-rb", "random-both"])
    ap.add_argument("--targets", type=int, nargs="+", default=[10])
    ap.add_argument("--out", default="compare-seeds", help="output directory")
    args = ap.parse_args()

    here = os.path.dirname(os.path.abspath(__file__))
    compare = os.path.join(here, "compare-stonesoup.py")
    diffs = {}
    for seed in range(1, args.seeds + 1):
        out = os.path.join(args.out, f"seed-{seed}")
        cmd = [sys.executable, compare, "--out", out, "--seed", str(seed), "--reuse",
               "--no-crosscheck", "--scenarios", *args.scenarios,
               "--targets", *map(str, args.targets)]
        if seed > 1:
            cmd.append("--no-build")
        # Stone Soup's outputs are reused; ours are made anew by the binary under test.
        for root, _, files in os.walk(out):
            for name in files:
                if name in ("tracks_borderfuse.csv", "timing_borderfuse.json"):
                    os.remove(os.path.join(root, name))
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(out, "compare.json")) as f:
            rows = json.load(f)["rows"]
        for row in rows:
            if row["tracker"] == "borderfuse" and "gospa_per_truth_minus_best_stonesoup" in row:
                key = (row["scenario"], row["targets"])
                diffs.setdefault(key, []).append((seed, row["gospa_per_truth_minus_best_stonesoup"]))

    print("| scenario | targets | seeds | ours − Stone Soup, GOSPA/truth (m): mean ± s.e. "
          "| ours better on |")
    print("|---|---|---|---|---|")
    for (scenario, targets), values in sorted(diffs.items()):
        d = [v for _, v in values]
        n = len(d)
        mean = sum(d) / n
        se = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1) / n) if n > 1 else float("nan")
        better = sum(1 for x in d if x < 0)
        print(f"| {scenario} | {targets} | {n} | {mean:+.3f} ± {se:.3f} | {better} of {n} |")
    print()
    print("per seed: " + "; ".join(
        f"{s}/{t}: " + " ".join(f"{seed}:{v:+.2f}" for seed, v in values)
        for (s, t), values in sorted(diffs.items())))


if __name__ == "__main__":
    main()

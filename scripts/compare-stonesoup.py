#!/usr/bin/env python3
"""Stone Soup and borderfuse side by side: the same detection files, the same scorer.

For each scenario this script generates truth.csv + detections.csv, runs Stone Soup's GNN
tracker through shared/tools/stonesoup_gnn.py (gnn2d, and kdtree where the script allows it:
a single Cartesian sensor) and ours (`borderfuse-agent track`), scores every output with
`bordersim score` (GOSPA c = 100 m, p = 1, identity switches; the first --warmup scans left
out, as the script's bench does) and cross-checks that scorer against the script's own, then
prints a markdown table.

Scenarios:
  random-xy, random-rb, random-both   the script's `simulate` (its bench defaults: 40 scans
                                      of 2 s, pd 0.9, 0.1 clutter/km^2, seed 1), for each
                                      --targets (default 10 100 500; --quick: 10 100)
  crossing, sharp-turn, delayed-ais   `bordersim scenario NAME` (default sizes, seed 1)
  dense                               `bordersim scenario dense` (5,000 vessels): ours only,
                                      Stone Soup would take hours (shown as n/a)

Columns: GOSPA/truth (m), missed rate, false tracks per scan, identity switches (CLEAR MOT,
see simulators/src/score.rs), median wall-clock ms per scan after the warm-up scans (from each
tracker's timing JSON, per_scan_s), and for our rows: the speed-up against the fastest Stone
Soup run of the scenario (its median / ours) and GOSPA/truth minus the best Stone Soup
GOSPA/truth (negative: ours is better).

delayed-ais is run twice. "AIS on time": every report at its own time (t_arrival dropped),
which no real-time tracker gets. "real time": ours reads the reports in t_arrival order, up to
10 s late, through its 1 s re-ordering window and re-filtering; its picture at time t is the
one it holds once t's reports have had the window to arrive (a later report improves the
pictures after it, not the one of its own time). Stone Soup, which cannot go back in time,
gets the rows a tracker without re-ordering can use: a report that arrives after a later scan
was processed is dropped. Ours is told which sensor is AIS (`--ais-sensor`, from meta.json).
Each of our rows is compared with Stone Soup fed the same way.

Usage:
  scripts/compare-stonesoup.py [--quick] [--out DIR] [--targets N ...]
        [--scenarios NAME ...] [--no-build] [--reuse] [--no-crosscheck]
  scripts/compare-stonesoup.py --quick --scenarios random-xy crossing

Needs: python3 with stonesoup==1.9.1 (pip install stonesoup==1.9.1), cargo. Stone Soup runs
at 500 targets take minutes each (gnn2d: ~5 s a scan). Results also go to DIR/compare.md and
DIR/compare.json.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RANDOM = ["random-xy", "random-rb", "random-both"]
OURS = ["crossing", "sharp-turn", "delayed-ais", "dense"]
SCORE_FIELDS = ["mean_gospa", "gospa_per_truth", "mean_localisation_per_truth", "missed_rate",
                "false_tracks_per_scan", "mean_truths", "mean_tracks"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    """Runs a command; returns (ok, seconds, combined output)."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    return p.returncode == 0, time.perf_counter() - t0, p.stdout


def target_dir():
    t = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return t if os.path.isabs(t) else os.path.join(ROOT, t)


def build(package, binary):
    ok, secs, out = run(["cargo", "build", "--release", "-q", "-p", package, "--bin", binary],
                        cwd=ROOT)
    if not ok:
        log(f"cargo build of {binary} failed:\n{out[-3000:]}")
    return ok


def agent_tracks(agent):
    """Whether the agent binary has the offline `track` command."""
    if not os.path.exists(agent):
        return False, f"{agent} not found"
    ok, _, out = run([agent, "track", "--help"])
    if not ok or "--detections" not in out:
        return False, f"{agent} has no `track --detections` command yet"
    return True, ""


def stonesoup_available():
    ok, _, out = run([sys.executable, "-c", "import stonesoup; print(stonesoup.__version__)"])
    return ok, out.strip()


def median_ms(timing_path, warmup):
    with open(timing_path) as f:
        timing = json.load(f)
    per = timing["per_scan_s"]
    used = per[warmup:] or per              # as the script: warm-up scans excluded
    return statistics.median(used) * 1e3


def fmt_ms(ms):
    return f"{ms:.2f}" if ms >= 1 else f"{ms:.3g}"


def max_abs_diff(ours, script):
    worst = 0.0
    for k in SCORE_FIELDS:
        worst = max(worst, abs(ours["summary"][k] - script["summary"][k]))
    if len(ours["per_scan"]) != len(script["per_scan"]):
        return math.inf
    for a, b in zip(ours["per_scan"], script["per_scan"]):
        for k in ("t", "gospa", "localisation", "missed", "false", "n_truth", "n_tracks"):
            worst = max(worst, abs(a[k] - b[k]))
    return worst


def strip_arrival(src, dst):
    """The detections with every row at its own time: the t_arrival column dropped."""
    with open(src) as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    if "t_arrival" not in header:
        shutil.copyfile(src, dst)
        return
    k = header.index("t_arrival")
    with open(dst, "w") as f:
        for line in lines:
            fields = line.split(",")
            f.write(",".join(fields[:k] + fields[k + 1:]) + "\n")


def realtime_without_reordering(src, dst):
    """What a tracker that takes detections in arrival order and cannot go back in time can
    use: a row is kept only if it arrives before any row of a later time has been processed
    (rows sorted by arrival, then time; a row older than the newest processed is dropped)."""
    with open(src) as f:
        lines = f.read().splitlines()
    header = lines[0].split(",")
    kt, ka = header.index("t"), header.index("t_arrival")
    rows = [line.split(",") for line in lines[1:] if line]
    rows.sort(key=lambda r: (float(r[ka]), float(r[kt])))
    kept, newest = [], -math.inf
    for r in rows:
        t = round(float(r[kt]) * 1000)
        if t >= newest:
            kept.append(r)
            newest = t
    kept.sort(key=lambda r: float(r[kt]))
    with open(dst, "w") as f:
        f.write(",".join(h for i, h in enumerate(header) if i != ka) + "\n")
        for r in kept:
            f.write(",".join(v for i, v in enumerate(r) if i != ka) + "\n")
    return len(rows) - len(kept)


def feeds(name, d):
    """How each tracker is fed a scenario: (condition, Stone Soup data dir, our detections
    file, our output dir). Only delayed-ais has two: AIS on time (every report at its own
    time, which no real-time tracker gets; Stone Soup reads rows by `t` and so gets this from
    the original file) and real time (ours reads the reports in arrival order through its
    re-ordering window; Stone Soup gets what a tracker without one can use)."""
    if name != "delayed-ais":
        return [("", d, os.path.join(d, "detections.csv"), d)]
    ontime, realtime = os.path.join(d, "ontime"), os.path.join(d, "realtime")
    for sub in (ontime, realtime):
        os.makedirs(sub, exist_ok=True)
        shutil.copyfile(os.path.join(d, "truth.csv"), os.path.join(sub, "truth.csv"))
    strip_arrival(os.path.join(d, "detections.csv"), os.path.join(ontime, "detections.csv"))
    dropped = realtime_without_reordering(os.path.join(d, "detections.csv"),
                                          os.path.join(realtime, "detections.csv"))
    log(f"delayed-ais real time: a tracker without re-ordering drops {dropped} late rows")
    return [("AIS on time", ontime, os.path.join(ontime, "detections.csv"), ontime),
            ("real time", realtime, os.path.join(d, "detections.csv"), realtime)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="compare-stonesoup", help="output directory")
    ap.add_argument("--quick", action="store_true", help="10 and 100 targets only")
    ap.add_argument("--targets", type=int, nargs="+", default=None,
                    help="targets of the script's random scenarios (default 10 100 500)")
    ap.add_argument("--scenarios", nargs="+", default=RANDOM + OURS,
                    choices=RANDOM + OURS, metavar="NAME",
                    help="subset of: " + " ".join(RANDOM + OURS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=5,
                    help="first scans left out of the score and the timing (script bench: 5)")
    ap.add_argument("--stonesoup-script",
                    default=os.path.join(os.path.dirname(ROOT), "shared", "tools",
                                         "stonesoup_gnn.py"))
    ap.add_argument("--bordersim", default=None, help="default: TARGET/release/bordersim")
    ap.add_argument("--agent", default=None, help="default: TARGET/release/borderfuse-agent")
    ap.add_argument("--tracker-args", default="",
                    help="extra options for `borderfuse-agent track`, one string")
    ap.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    ap.add_argument("--no-stonesoup", action="store_true", help="run our tracker only")
    ap.add_argument("--reuse", action="store_true",
                    help="keep scenario files and tracker outputs already in --out")
    ap.add_argument("--no-crosscheck", action="store_true",
                    help="skip the script's scorer (slow at 500 targets)")
    args = ap.parse_args()
    targets = args.targets or ([10, 100] if args.quick else [10, 100, 500])
    script = args.stonesoup_script
    if not os.path.exists(script):
        sys.exit(f"{script} not found (--stonesoup-script)")
    os.makedirs(args.out, exist_ok=True)

    tdir = target_dir()
    bordersim = args.bordersim or os.path.join(tdir, "release", "bordersim")
    agent = args.agent or os.path.join(tdir, "release", "borderfuse-agent")
    if not args.no_build:
        log("building bordersim and borderfuse-agent (release)...")
        if not build("borderfuse-sim", "bordersim"):
            sys.exit("cannot build bordersim")
        build("borderfuse-agent", "borderfuse-agent")
    if not os.path.exists(bordersim):
        sys.exit(f"{bordersim} not found (--bordersim, or drop --no-build)")
    have_ours, why_not = agent_tracks(agent)
    if not have_ours:
        log(f"SKIPPING our tracker: {why_not}")
    have_ss, ss_version = (False, "") if args.no_stonesoup else stonesoup_available()
    if not args.no_stonesoup and not have_ss:
        log("SKIPPING Stone Soup: `import stonesoup` failed (pip install stonesoup==1.9.1)")

    # (name, targets, sensor label, data dir, how to generate, Stone Soup associators)
    jobs = []
    for name in args.scenarios:
        if name in RANDOM:
            sensor = name.split("-", 1)[1]
            for n in targets:
                d = os.path.join(args.out, f"{name}_{n}")
                gen = [sys.executable, script, "simulate", "--targets", str(n), "--sensor",
                       sensor, "--seed", str(args.seed), "--out", d]
                assoc = ["gnn2d", "kdtree"] if sensor == "xy" else ["gnn2d"]
                jobs.append((name, n, sensor, d, gen, assoc))
        else:
            d = os.path.join(args.out, name)
            gen = [bordersim, "scenario", name, "--seed", str(args.seed), "--out", d]
            sensor = "rb+ais" if name == "delayed-ais" else "xy"
            assoc = {"delayed-ais": ["gnn2d"], "dense": []}.get(name, ["gnn2d", "kdtree"])
            jobs.append((name, None, sensor, d, gen, assoc))

    rows, crosscheck = [], []
    for name, n, sensor, d, gen, assoc in jobs:
        truth = os.path.join(d, "truth.csv")
        if not (args.reuse and os.path.exists(truth)):
            if os.path.isdir(d):
                shutil.rmtree(d)
            ok, _, out = run(gen)
            if not ok:
                sys.exit(f"generating {d} failed:\n{out}")
        if n is None:
            with open(os.path.join(d, "meta.json")) as f:
                n = json.load(f)["targets"]
        runs = []                                 # (tracker label, condition, tracks, timing)
        for condition, ss_dir, ours_detections, ours_dir in feeds(name, d):
            for a in assoc:
                if not have_ss:
                    break
                tracks = os.path.join(ss_dir, f"tracks_stonesoup_{a}.csv")
                timing = os.path.join(ss_dir, f"timing_stonesoup_{a}.json")
                if not (args.reuse and os.path.exists(tracks) and os.path.exists(timing)):
                    log(f"{name} {n} {condition}: Stone Soup {a}...")
                    ok, secs, out = run([sys.executable, script, "track", "--data", ss_dir,
                                         "--associator", a, "--warmup", str(args.warmup)])
                    if not ok:
                        log(f"Stone Soup {a} failed on {ss_dir}:\n{out[-2000:]}")
                        continue
                    log(f"  {secs:.0f} s")
                runs.append((f"stonesoup {a}", condition, tracks, timing))
            if not have_ours:
                continue
            tracks = os.path.join(ours_dir, "tracks_borderfuse.csv")
            timing = os.path.join(ours_dir, "timing_borderfuse.json")
            if not (args.reuse and os.path.exists(tracks) and os.path.exists(timing)):
                log(f"{name} {n} {condition}: borderfuse...")
                cmd = [agent, "track", "--detections", ours_detections, "--out", tracks,
                       "--timing", timing] + args.tracker_args.split()
                # The format has no sensor kinds: tell ours which sensor is AIS (its reports
                # are not scans of every vessel), as the scenario's meta.json says.
                meta = os.path.join(d, "meta.json")
                if os.path.exists(meta):
                    with open(meta) as f:
                        ais = json.load(f).get("ais")
                    if ais:
                        cmd += ["--ais-sensor", str(ais["sensor_id"])]
                ok, secs, out = run(cmd)
                if not ok:
                    log(f"borderfuse-agent track failed on {ours_detections}:\n{out[-2000:]}")
                    continue
            runs.append(("borderfuse", condition, tracks, timing))
        results = []
        for label, condition, tracks, timing in runs:
            score_json = tracks[:-4] + ".score.json"
            ok, _, out = run([bordersim, "score", "--truth", truth, "--tracks", tracks,
                              "--warmup", str(args.warmup), "--json", score_json])
            if not ok:
                log(f"bordersim score failed on {tracks}:\n{out}")
                continue
            with open(score_json) as f:
                ours = json.load(f)
            if not args.no_crosscheck and have_ss:
                script_json = tracks[:-4] + ".script-score.json"
                ok, _, out = run([sys.executable, script, "score", "--truth", truth,
                                  "--tracks", tracks, "--warmup", str(args.warmup),
                                  "--json", script_json])
                if ok:
                    with open(script_json) as f:
                        diff = max_abs_diff(ours, json.load(f))
                    crosscheck.append((tracks, diff))
                else:
                    log(f"the script's scorer failed on {tracks}:\n{out[-2000:]}")
            ms = median_ms(timing, args.warmup)
            results.append(dict(ours["summary"], scenario=name, targets=n, sensor=sensor,
                                tracker=label, condition=condition, median_ms=ms))
        if name == "dense" and not args.no_stonesoup:
            results.insert(0, dict(scenario=name, targets=n, sensor=sensor,
                                   tracker="stonesoup", skipped="n/a (hours)"))
        if not have_ours:
            results.append(dict(scenario=name, targets=n, sensor=sensor, tracker="borderfuse",
                                skipped="n/a (no `track` command)"))
        for r in results:
            # Each of ours is compared with Stone Soup fed the same way.
            ss = [s for s in results if s["tracker"].startswith("stonesoup")
                  and "skipped" not in s and s.get("condition") == r.get("condition")]
            if r["tracker"] == "borderfuse" and "skipped" not in r and ss:
                fastest = min(ss, key=lambda s: s["median_ms"])
                best = min(s["gospa_per_truth"] for s in ss)
                r["speedup_vs_stonesoup"] = fastest["median_ms"] / max(r["median_ms"], 1e-9)
                r["speedup_reference"] = fastest["tracker"]
                r["gospa_per_truth_minus_best_stonesoup"] = r["gospa_per_truth"] - best
        rows.extend(results)

    table = ["| scenario | targets | sensor | tracker | GOSPA/truth (m) | missed rate "
             "| false tracks/scan | ID switches | median ms/scan | speed-up vs SS "
             "| ΔGOSPA/truth vs SS (m) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        tracker = r["tracker"] + (f", {r['condition']}" if r.get("condition") else "")
        head = f"| {r['scenario']} | {r['targets']} | {r['sensor']} | {tracker} "
        if "skipped" in r:
            table.append(head + f"| {r['skipped']} | | | | | | |")
            continue
        speed = (f"{r['speedup_vs_stonesoup']:.0f}× ({r['speedup_reference'].split()[-1]})"
                 if "speedup_vs_stonesoup" in r else "")
        delta = (f"{r['gospa_per_truth_minus_best_stonesoup']:+.2f}"
                 if "gospa_per_truth_minus_best_stonesoup" in r else "")
        table.append(head + f"| {r['gospa_per_truth']:.2f} | {r['missed_rate']:.3f} "
                     f"| {r['false_tracks_per_scan']:.2f} | {r['identity_switches']} "
                     f"| {fmt_ms(r['median_ms'])} | {speed} | {delta} |")
    notes = [f"GOSPA c = 100 m, p = 1, alpha = 2, first {args.warmup} scans excluded; "
             f"Stone Soup {ss_version or 'not run'}; seed {args.seed}."]
    if crosscheck:
        worst = max(crosscheck, key=lambda c: c[1])
        notes.append(f"Scorer cross-check: `bordersim score` vs the script's `score` on "
                     f"{len(crosscheck)} track files, max abs difference {worst[1]:.2e} "
                     f"({worst[0]}).")
    text = "\n".join(table + [""] + notes) + "\n"
    print(text)
    with open(os.path.join(args.out, "compare.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "compare.json"), "w") as f:
        json.dump(dict(rows=rows, crosscheck=crosscheck), f, indent=1)


if __name__ == "__main__":
    main()

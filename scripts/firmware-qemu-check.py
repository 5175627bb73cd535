#!/usr/bin/env python3
"""Checks what a node sent under QEMU (`borderfuse-agent frames` JSON lines) against the
expected values in firmware/fixtures/NODE.expected; used by scripts/firmware-qemu."""
import json
import sys

node, frames_path, expected_path = sys.argv[1:4]
frames = [json.loads(line) for line in open(frames_path)]
expected = [line.rstrip("\n") for line in open(expected_path) if line.strip()]


def fmt(x):
    """A float as the fixture writes it (shortest decimal, no trailing zeros)."""
    return ("%.4f" % x).rstrip("0").rstrip(".")


seqs = [f["seq"] for f in frames]
assert seqs == list(range(len(frames))), f"{node}: sequence gaps {seqs}"
health = [f for f in frames if f["kind"] == "health"]
assert health, f"{node}: no Health frame"
counters = health[-1]["counters"]
# The board's clock: Health frames are due every second of node time, and the node checks
# often, so consecutive ones are 1 s apart on the clock they report (less a millisecond
# of rounding; up to 3 s when QEMU is starved of CPU on a loaded machine).
gaps = [b["uptime_ms"] - a["uptime_ms"] for a, b in zip(health, health[1:])]
assert all(990 <= g <= 3000 for g in gaps), f"{node}: Health gaps {gaps} ms"
if node == "ais-node":
    got = [f["sentence"] for f in frames if f["kind"] == "ais_sentence"]
    want = {"dropped_bad_checksum": 2, "dropped_overlong": 1, "dropped_not_ais": 1, "dropped_malformed": 1}
elif node == "plate-node":
    got = [
        f"{f['plate']} {fmt(f['confidence'])} {f['country']} {f['camera']} {f['lane']} {f['direction']}"
        for f in frames
        if f["kind"] == "plate_read"
    ]
    want = {"dropped_half_record": 2, "dropped_bad_confidence": 1, "dropped_bad_plate": 1, "dropped_overlong": 1}
else:
    got = []
    for f in frames:
        if f["kind"] == "radar_plot":
            got.append(f"{f['scan']} plot {fmt(f['range_m'])} {fmt(f['bearing_deg'])} {f['amplitude']}")
        elif f["kind"] == "radar_north_marker":
            got.append(f"{f['scan']} north")
    want = {"dropped_malformed": 1, "radar_sweeps": 4}
assert got == expected, f"{node}: frames differ\n got: {got}\nwant: {expected}"
for name, value in want.items():
    assert counters.get(name) == value, f"{node}: counter {name} = {counters.get(name)}, want {value}"
assert counters.get("link_write_errors", 0) == 0, f"{node}: link errors {counters}"
print(f"{node}: {len(got)} frames as expected, {len(health)} Health frames, counters {counters}")

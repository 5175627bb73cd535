#!/usr/bin/env python3
"""Checks what a node sent under QEMU (`borderfuse-agent frames` JSON lines) against the
expected values in firmware/fixtures/NODE.expected; used by scripts/firmware-qemu.

QEMU's UARTs never make the node wait and never overrun, so these runs cannot show link
timeouts or lost sensor bytes; the host tests (firmware/tests/nonblocking_link.rs) do."""
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
# The board's clock: Health frames are due every second of node time, so consecutive ones
# are at least a second apart on the clock they report (less a millisecond of rounding).
# No upper bound: QEMU starved of CPU on a loaded runner stretches the gaps arbitrarily.
uptimes = [h["uptime_ms"] for h in health]
assert all(a < b for a, b in zip(uptimes, uptimes[1:])), f"{node}: Health uptimes not increasing {uptimes}"
gaps = [b - a for a, b in zip(uptimes, uptimes[1:])]
assert all(g >= 900 for g in gaps), f"{node}: Health gaps {gaps} ms"
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
# Required, not defaulted: a node that stopped reporting them would pass otherwise.
for name in ("link_write_errors", "link_write_timeouts", "uart_read_errors"):
    if name == "uart_read_errors" and node == "radar-node":
        continue  # the radar node counts UART errors in dropped_malformed
    assert name in counters, f"{node}: no {name} counter in {counters}"
    assert counters[name] == 0, f"{node}: {name} = {counters[name]}"
print(f"{node}: {len(got)} frames as expected, {len(health)} Health frames, counters {counters}")

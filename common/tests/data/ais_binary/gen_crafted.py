#!/usr/bin/env python3
"""Generates crafted.txt: type 6 and 8 messages carrying every application payload gpsd 3.22
decodes (and a few it leaves raw), at the standard length and at the lengths where gpsd's
rules change (empty, cut, one bit more or less, every group boundary, five slots), with
random, all-zero and all-one bits, each followed by the line `gpsdecode -u -j` prints for it.

Run from this directory with gpsd-clients 3.22 installed (Debian 12: `apt-get install
gpsd-clients`): `python3 gen_crafted.py > crafted.txt`. The seed is fixed, so the output is
the same on every run with the same gpsdecode.
"""

import random
import subprocess
import sys

random.seed(20240603)

TYPE6_MAX = 1008 - 88
TYPE8_MAX = 1008 - 56

# (message type, dac, fid, standard payload bits, repeated group (base, size) or None)
APPS = [
    (6, 1, 12, 272, None),
    (6, 1, 14, 9 + 3 * 93, (9, 93)),
    (6, 1, 15, 16, None),
    (6, 1, 16, 136, None),
    (6, 1, 18, 272, None),
    (6, 1, 20, 272, None),
    (6, 1, 25, 12 + 4 * 17, (12, 17)),
    (6, 1, 28, 61 + 5 * 55, (61, 55)),
    (6, 1, 30, 10 + 6 * 20, None),
    (6, 1, 32, 9 + 3 * 88, (9, 88)),
    (6, 200, 21, 160, None),
    (6, 200, 22, 144, None),
    (6, 200, 55, 80, None),
    (6, 235, 10, 48, None),
    (6, 250, 10, 48, None),
    (6, 1, 23, 200, None),
    (6, 1, 40, 16, None),
    (6, 999, 1, 100, None),
    (8, 1, 11, 296, None),
    (8, 1, 13, 416, None),
    (8, 1, 15, 16, None),
    (8, 1, 16, 72, None),
    (8, 1, 16, 136, None),
    (8, 1, 17, 4 * 122, (0, 122)),
    (8, 1, 19, 304, None),
    (8, 1, 27, 61 + 5 * 55, (61, 55)),
    (8, 1, 29, 10 + 6 * 30, None),
    (8, 1, 31, 304, None),
    (8, 200, 10, 112, None),
    (8, 200, 23, 200, None),
    (8, 200, 24, 112, None),
    (8, 200, 40, 112, None),
    (8, 1, 22, 300, None),
    (8, 366, 56, 256, None),
]

# Six-bit text that gpsd prints without JSON escaping: a `"` (34) or `\` (28) there makes
# gpsd's line invalid JSON, so those characters are replaced in these bit ranges.
UNESCAPED_TEXT = {(6, 200, 21): (0, 120), (6, 200, 22): (0, 120), (8, 200, 24): (0, 12)}


def u(value, width):
    return format(value & ((1 << width) - 1), "0%db" % width)


def rand_bits(n):
    return "".join(random.choice("01") for _ in range(n))


def lengths(std, group, maximum):
    out = [std] * 4 + [0, 1, 6, 7, std // 2, std - 1, std + 1, std - 8, std + 8, maximum]
    out += [random.randint(0, maximum) for _ in range(3)]
    if group:
        base, size = group
        k = 0
        while base + k * size <= maximum and k <= 4:
            out += [base + k * size - 1, base + k * size, base + k * size + 1]
            k += 1
        out.append(base + ((maximum - base) // size) * size)
    return sorted({n for n in out if 0 <= n <= maximum}, key=out.index)


def sanitize(key, bits):
    if key not in UNESCAPED_TEXT:
        return bits
    start, end = UNESCAPED_TEXT[key]
    out = list(bits)
    for at in range(start, min(end, len(bits) - len(bits) % 6), 6):
        if int(bits[at:at + 6], 2) in (28, 34):
            out[at:at + 6] = u(1, 6)
    return "".join(out)


def payloads():
    for msg_type, dac, fid, std, group in APPS:
        key = (msg_type, dac, fid)
        maximum = TYPE6_MAX if msg_type == 6 else TYPE8_MAX
        for n in lengths(std, group, maximum):
            yield key, "random", sanitize(key, rand_bits(n))
        yield key, "zeros", "0" * std
        yield key, "ones", sanitize(key, "1" * std)
    # Inland static data: every hazard code (gpsd leaves the payload raw above 5).
    for hazard in range(8):
        bits = rand_bits(85) + u(hazard, 3) + rand_bits(24)
        yield (8, 200, 10), "hazard %d" % hazard, bits
    # Marine traffic signal: positions whose degrees end on a rounding tie or round to -0.
    for lon, lat in ((1875, -1875), (-1, 1), (0, 0)):
        bits = rand_bits(130) + u(lon, 25) + u(lat, 24) + rand_bits(125)
        yield (8, 1, 19), "position %d %d" % (lon, lat), bits


def envelope(index, key, data):
    msg_type, dac, fid = key
    mmsi = 100000 + index
    if msg_type == 6:
        head = u(6, 6) + u(0, 2) + u(mmsi, 30) + u(index % 4, 2) + u(987654321, 30)
        head += u(index % 2, 1) + u(0, 1)
    else:
        head = u(8, 6) + u(0, 2) + u(mmsi, 30) + u(0, 2)
    return mmsi, head + u(dac, 10) + u(fid, 6) + data


def checksum(body):
    c = 0
    for ch in body:
        c ^= ord(ch)
    return "%02X" % c


def sentences(bits, seq):
    fill = (-len(bits)) % 6
    padded = bits + "0" * fill
    armour = ""
    for i in range(0, len(padded), 6):
        v = int(padded[i:i + 6], 2)
        armour += chr(v + 48 if v < 40 else v + 56)
    frags = [armour[i:i + 60] for i in range(0, len(armour), 60)] or [""]
    out = []
    for i, frag in enumerate(frags):
        body = "AIVDM,%d,%d,%s,A,%s,%d" % (
            len(frags), i + 1, seq if len(frags) > 1 else "", frag,
            fill if i == len(frags) - 1 else 0)
        out.append("!" + body + "*" + checksum(body))
    return out


def main():
    blocks = []
    for index, (key, label, data) in enumerate(payloads()):
        mmsi, bits = envelope(index, key, data)
        blocks.append((mmsi, "# %d/%d/%d %s, %d payload bits" % (key + (label, len(data))),
                       sentences(bits, index % 10)))
    feed = "".join(s + "\n" for _, _, lines in blocks for s in lines)
    run = subprocess.run(["gpsdecode", "-u", "-j"], input=feed, capture_output=True,
                         text=True, check=True)
    outputs = run.stdout.splitlines()
    if len(outputs) != len(blocks):
        sys.exit("gpsdecode printed %d lines for %d messages" % (len(outputs), len(blocks)))
    print("# Crafted type 6/8 application payloads and gpsdecode 3.22's output for each:")
    print("# a comment (DAC/FI, what the bits are, payload length), the sentences, gpsd's line.")
    print("# Generated by gen_crafted.py; see PROVENANCE.md.")
    for (mmsi, comment, lines), output in zip(blocks, outputs):
        if '"mmsi":%d,' % mmsi not in output:
            sys.exit("gpsdecode output out of step at MMSI %d" % mmsi)
        print(comment)
        for line in lines:
            print(line)
        print(output)


if __name__ == "__main__":
    main()

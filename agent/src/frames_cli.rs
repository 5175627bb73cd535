//! `borderfuse-agent frames`: node frames (binary, `0x00`-delimited, as a node's serial link
//! carries them) in, one JSON object per frame out, through the same [`FrameDecoder`] the
//! agent's serial sources use. For checking a node's output (the firmware's QEMU test does)
//! and for looking at a captured link.

use borderfuse_common::frame::{DecodeStats, Frame, FrameDecoder, Payload, counter};
use serde_json::{Map, Value, json};
use std::io::{self, Read, Write};

/// Decodes every frame of `input` and writes one JSON object a line to `out`; returns the
/// decoder's counts (frames, and bad frames by reason).
pub fn frames_to_json(mut input: impl Read, mut out: impl Write) -> io::Result<DecodeStats> {
    let mut decoder = FrameDecoder::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        // Bad frames are counted by the decoder; only good ones are printed.
        for frame in decoder.feed(&buf[..n]).flatten() {
            serde_json::to_writer(&mut out, &frame_json(&frame))?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(*decoder.stats())
}

/// One frame as a flat JSON object: the header fields, `kind`, and the payload's fields.
pub fn frame_json(frame: &Frame) -> Value {
    let (kind, body) = match &frame.payload {
        Payload::AisSentence(s) => ("ais_sentence", json!({ "sentence": s.as_str() })),
        Payload::RadarPlot(p) => ("radar_plot", to_value(p)),
        Payload::RadarTrack(t) => ("radar_track", to_value(t)),
        Payload::PlateRead(r) => ("plate_read", to_value(r)),
        Payload::RadarNorthMarker(m) => ("radar_north_marker", to_value(m)),
        Payload::Health(h) => {
            let counters: Map<String, Value> = h
                .counters
                .iter()
                .map(|c| {
                    let name = counter::name(c.id).map_or_else(|| c.id.to_string(), str::to_owned);
                    (name, json!(c.value))
                })
                .collect();
            (
                "health",
                json!({ "uptime_ms": h.uptime_ms, "counters": counters }),
            )
        }
    };
    let mut object = Map::new();
    object.insert("node_id".into(), json!(frame.node_id));
    object.insert("seq".into(), json!(frame.seq));
    object.insert("t_node_us".into(), json!(frame.t_node_us));
    object.insert("t_utc_ms".into(), json!(frame.t_utc_ms));
    object.insert("kind".into(), json!(kind));
    if let Value::Object(fields) = body {
        object.extend(fields);
    }
    Value::Object(object)
}

fn to_value(payload: &impl serde::Serialize) -> Value {
    serde_json::to_value(payload).unwrap_or(Value::Null)
}

/// The decoder's counts as one line for stderr.
pub fn summary(stats: &DecodeStats) -> String {
    format!(
        "frames: {} frames, {} bad (cobs {}, short {}, crc {}, version {}, postcard {}, oversize {}), {} bytes",
        stats.frames,
        stats.bad_frames(),
        stats.cobs,
        stats.short,
        stats.crc,
        stats.version,
        stats.postcard,
        stats.oversize,
        stats.bytes
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::frame::{Counter, Health, MAX_WIRE_LEN, PlateRead, encode};

    #[test]
    fn frames_come_out_as_flat_json_and_garbage_is_counted() {
        let read = PlateRead {
            plate: "AB123CD".try_into().unwrap(),
            country: "GR".try_into().unwrap(),
            confidence: 0.5,
            camera: 1,
            lane: 2,
            direction: borderfuse_common::frame::Direction::Entering,
        };
        let health = Health {
            uptime_ms: 7,
            counters: [Counter {
                id: counter::RX_BYTES,
                value: 99,
            }]
            .into_iter()
            .collect(),
        };
        let mut wire = b"noise\0".to_vec();
        for (seq, payload) in [Payload::PlateRead(read), Payload::Health(health)]
            .into_iter()
            .enumerate()
        {
            let mut buf = [0u8; MAX_WIRE_LEN];
            let n = encode(&Frame::new(3, seq as u32, 10, None, payload), &mut buf).unwrap();
            wire.extend_from_slice(&buf[..n]);
        }
        let mut out = Vec::new();
        let stats = frames_to_json(&wire[..], &mut out).unwrap();
        assert_eq!((stats.frames, stats.bad_frames()), (2, 1));
        let lines: Vec<Value> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines[0]["kind"], "plate_read");
        assert_eq!(lines[0]["plate"], "AB123CD");
        assert_eq!(lines[0]["direction"], "Entering");
        assert_eq!(lines[1]["counters"]["rx_bytes"], 99);
    }
}

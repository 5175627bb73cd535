//! Bad input on a real (pseudo-terminal) serial port: garbage, a wrong CRC, a truncated
//! frame, an unknown version, an AIS sentence with a wrong NMEA checksum, and the port
//! disappearing and coming back under the same (udev-style symlink) path. Each is counted,
//! and the agent keeps running.

mod link_support;

use borderfuse_agent::config::Config;
use borderfuse_agent::metrics::Metrics;
use borderfuse_common::frame::{AisSentence, Payload, RadarNorthMarker, RadarPlot};
use borderfuse_firmware::link::FrameLink;
use borderfuse_sim::pty::Pty;
use link_support::wait_for;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn config(path: &std::path::Path, mqtt_port: u16, outbox: &std::path::Path) -> Config {
    Config::parse(&format!(
        r#"
[post]
country = "GR"
post = "test-post"
origin = {{ lat = 37.70, lon = 27.00 }}

[[source]]
name = "concentrator"
path = "{}"
reopen_min_ms = 50
reopen_max_ms = 200

[[radar]]
node_id = 17
name = "radar"
position = {{ lat = 37.70, lon = 27.00 }}
sigma_range_m = 15.0
sigma_bearing_deg = 0.3

[[ais_receiver]]
node_id = 7
name = "ais"
position = {{ lat = 37.70, lon = 27.00 }}
range_m = 40000.0

[mqtt]
host = "127.0.0.1"
port = {mqtt_port}
keep_alive_s = 5

[outbox]
dir = "{}"

[status]
log_interval_s = 0
"#,
        path.display(),
        outbox.display()
    ))
    .expect("valid test config")
}

fn plot(scan: u32) -> Payload {
    Payload::RadarPlot(RadarPlot {
        scan,
        range_m: 4000.0,
        bearing_deg: 45.0,
        amplitude: 800,
    })
}

/// The same frame with one bit of its content flipped (re-encoded as valid COBS, so only the
/// CRC can tell).
fn flip_a_body_bit(wire: &[u8]) -> Vec<u8> {
    let encoded: Vec<u8> = wire.iter().copied().filter(|&b| b != 0).collect();
    let mut raw = [0u8; 512];
    let n = cobs::decode(&encoded, &mut raw).unwrap().frame_size();
    raw[3] ^= 0x01;
    let mut again = [0u8; 600];
    let m = cobs::encode(&raw[..n], &mut again);
    let mut out = again[..m].to_vec();
    out.push(0);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bytes_are_counted_by_reason_and_a_vanished_port_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let link_path = dir.path().join("ttyBorderfuse0");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    borderfuse_agent::demo::start_broker(port).unwrap();

    let first = Pty::open().unwrap();
    first.link(&link_path).unwrap();
    let metrics = Arc::new(Metrics::default());
    let config = config(&link_path, port, &dir.path().join("outbox"));
    let policy = borderfuse_agent::share::Policy::of_agent_or_throwaway(&config).unwrap();
    let agent = borderfuse_agent::run::spawn(config, Arc::new(policy), metrics.clone());

    let mut radar = FrameLink::new(Vec::new(), 17);
    let mut ais = FrameLink::new(Vec::new(), 7);
    let t0 = 1_764_331_200_000u64;
    let mut out = first.writer().unwrap();

    // 1. Line noise without a delimiter, then one: one oversize-or-COBS bad frame.
    out.write_all(&[0x55; 40]).unwrap();
    out.write_all(&[0x00]).unwrap();
    // 2. A good plot.
    radar.send(0, Some(t0), plot(1)).unwrap();
    // 3. A frame with a flipped bit: CRC.
    radar.send(1_000, Some(t0 + 1), plot(1)).unwrap();
    out.write_all(&std::mem::take(radar.writer_mut())).unwrap();
    radar.send(1_500, Some(t0 + 1), plot(1)).unwrap();
    out.write_all(&flip_a_body_bit(&std::mem::take(radar.writer_mut())))
        .unwrap();
    // 4. A truncated frame followed by a delimiter.
    radar.send(2_000, Some(t0 + 2), plot(1)).unwrap();
    let whole = std::mem::take(radar.writer_mut());
    out.write_all(&whole[..whole.len() / 2]).unwrap();
    out.write_all(&[0x00]).unwrap();
    // 5. An AIS frame whose sentence has a wrong NMEA checksum (a rogue node, the real node
    //    would have dropped it).
    let bad_sentence = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B";
    ais.send(
        0,
        Some(t0),
        Payload::AisSentence(AisSentence::new(bad_sentence).unwrap()),
    )
    .unwrap();
    out.write_all(&std::mem::take(ais.writer_mut())).unwrap();
    out.flush().unwrap();

    let s = wait_for(&metrics, "bad frames counted", |s| {
        s.bad_frames_crc >= 1 && s.bad_frames() >= 3 && s.ais_bad_sentences == 1 && s.frames_in >= 3
    })
    .await;
    assert_eq!(s.frames_lost, 0, "{s:?}");

    // 6. The port vanishes (USB unplugged) and comes back as another device under the same
    //    symlink, as udev's /dev/serial/by-id links do.
    drop(out);
    drop(first);
    wait_for(&metrics, "the disconnect", |s| s.source_disconnects >= 1).await;
    let second = Pty::open().unwrap();
    second.link(&link_path).unwrap();
    let mut out = second.writer().unwrap();
    let frames_before = metrics.snapshot().frames_in;
    let deadline = Instant::now() + Duration::from_secs(10);
    // Write until the agent has reopened the port and reads again (bytes written before it
    // opens the new device wait in the pty, so this also survives a slow reopen).
    let mut scan = 2;
    while metrics.snapshot().frames_in <= frames_before {
        assert!(
            Instant::now() < deadline,
            "agent never read from the new port: {:?}",
            metrics.snapshot()
        );
        radar
            .send(
                0,
                Some(t0 + 3_000),
                Payload::RadarNorthMarker(RadarNorthMarker {
                    scan,
                    period_ms: 2000,
                }),
            )
            .unwrap();
        out.write_all(&std::mem::take(radar.writer_mut())).unwrap();
        scan += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    agent.stop().await;
}

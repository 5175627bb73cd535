//! The player delivers every byte in order, on time, to memory or to a pty.

mod support;

use borderfuse_sim::{Pty, Scenario, TimedBytes, generate, play};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Default)]
struct Memory(Arc<Mutex<Vec<u8>>>);

impl Write for Memory {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn memory_sinks(ids: &[u32]) -> (HashMap<u32, Box<dyn Write + Send>>, HashMap<u32, Memory>) {
    let mut sinks: HashMap<u32, Box<dyn Write + Send>> = HashMap::new();
    let mut mems = HashMap::new();
    for &id in ids {
        let m = Memory::default();
        sinks.insert(id, Box::new(m.clone()));
        mems.insert(id, m);
    }
    (sinks, mems)
}

#[test]
fn at_infinite_speed_every_byte_arrives_in_order() {
    let g = generate(&Scenario::border_crossing(), 0);
    let expected = g.bytes_by_node();
    let (sinks, mems) = memory_sinks(&[7, 17]);
    let n_events = g.events.len() as u64;
    let started = Instant::now();
    let stats = play(g.events, sinks, f64::INFINITY, Arc::default())
        .join()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(stats.events, n_events);
    assert_eq!(stats.write_errors, 0);
    let total: usize = expected.values().map(Vec::len).sum();
    assert_eq!(stats.bytes, total as u64);
    for (id, bytes) in &expected {
        assert_eq!(&*mems[id].0.lock().unwrap(), bytes, "node {id}");
    }
}

#[test]
fn events_for_nodes_without_a_sink_are_skipped() {
    let g = generate(&Scenario::border_crossing(), 0);
    let radar_bytes = g.bytes_by_node()[&17].clone();
    let (sinks, mems) = memory_sinks(&[17]);
    let stats = play(g.events, sinks, f64::INFINITY, Arc::default())
        .join()
        .unwrap();
    assert_eq!(stats.bytes, radar_bytes.len() as u64);
    assert_eq!(*mems[&17].0.lock().unwrap(), radar_bytes);
}

#[test]
fn at_speed_20_a_2_second_scenario_takes_about_a_tenth_of_a_second() {
    let mut s = Scenario::border_crossing();
    s.duration_s = 2.0;
    let g = generate(&s, 0);
    assert!(
        g.events.iter().any(|e| e.t_s >= 1.9),
        "a north marker at 2 s"
    );
    let (sinks, _) = memory_sinks(&[7, 17]);
    let started = Instant::now();
    play(g.events, sinks, 20.0, Arc::default()).join().unwrap();
    let took = started.elapsed();
    // The last event is due at 2 s / 20 = 0.1 s: never earlier; loosely bounded above.
    assert!(took >= Duration::from_millis(95), "{took:?}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn events_are_written_when_they_are_due() {
    let events = vec![
        TimedBytes {
            t_s: 0.0,
            node_id: 1,
            bytes: b"a".to_vec(),
        },
        TimedBytes {
            t_s: 3.0,
            node_id: 1,
            bytes: b"b".to_vec(),
        },
    ];
    let (sinks, mems) = memory_sinks(&[1]);
    let handle = play(events, sinks, 10.0, Arc::default());
    std::thread::sleep(Duration::from_millis(100));
    // At 0.1 s the second event (due at 0.3 s) is not out yet, unless the machine stalled.
    let early = mems[&1].0.lock().unwrap().clone();
    handle.join().unwrap();
    assert!(early == b"a" || early == b"ab", "{early:?}");
    assert_eq!(*mems[&1].0.lock().unwrap(), b"ab");
}

#[test]
fn a_reader_on_the_pty_gets_every_frame_even_at_infinite_speed() {
    // The pty's buffer is a few kilobytes: the player must wait for the reader, not drop.
    let g = generate(&Scenario::border_crossing(), 0);
    let expected = g.bytes_by_node()[&17].clone();
    let pty = Pty::open().unwrap();
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NOCTTY.bits())
        .open(pty.path())
        .unwrap();
    let mut sinks: HashMap<u32, Box<dyn Write + Send>> = HashMap::new();
    sinks.insert(17, Box::new(pty.writer().unwrap()));
    let len = expected.len();
    let read = std::thread::spawn(move || {
        let mut got = vec![0u8; len];
        reader.read_exact(&mut got).unwrap();
        got
    });
    let stats = play(
        g.events,
        sinks,
        f64::INFINITY,
        Arc::new(AtomicBool::new(false)),
    )
    .join()
    .unwrap();
    assert_eq!(stats.write_errors, 0);
    let got = read.join().unwrap();
    assert_eq!(got, expected);
    let (_, decode) = support::decode(&got);
    assert_eq!(decode.bad_frames(), 0);
}

#[test]
fn a_pty_nobody_reads_does_not_hang_the_player() {
    let g = generate(&Scenario::border_crossing(), 0);
    let pty = Pty::open().unwrap();
    let mut sinks: HashMap<u32, Box<dyn Write + Send>> = HashMap::new();
    sinks.insert(17, Box::new(pty.writer().unwrap()));
    let started = Instant::now();
    let stats = play(g.events, sinks, f64::INFINITY, Arc::default())
        .join()
        .unwrap();
    // One stall timeout, then stalled events are dropped at once.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(stats.write_errors > 0);
    assert!(stats.events > 0);
}

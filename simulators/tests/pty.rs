//! Bytes written to a Pty come out of its slave device unchanged.

mod support;

use borderfuse_sim::{Pty, Scenario, generate};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn open_slave(path: &Path) -> File {
    // O_NOCTTY: the test process must not adopt the terminal as its controlling terminal.
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NOCTTY.bits())
        .open(path)
        .unwrap()
}

/// Writes everything to the non-blocking master, waiting while the reader catches up.
fn write_all_patiently(w: &mut File, mut bytes: &[u8]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !bytes.is_empty() {
        match w.write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => panic!("{e}"),
        }
    }
}

fn read_back(pty: &Pty, payload: Vec<u8>) -> Vec<u8> {
    let mut reader = open_slave(pty.path());
    let len = payload.len();
    let mut writer = pty.writer().unwrap();
    let write = std::thread::spawn(move || write_all_patiently(&mut writer, &payload));
    let mut got = vec![0u8; len];
    reader.read_exact(&mut got).unwrap();
    write.join().unwrap();
    got
}

#[test]
fn frame_bytes_with_zeros_and_newlines_pass_through_unchanged() {
    let pty = Pty::open().unwrap();
    assert!(
        pty.path().starts_with("/dev/pts"),
        "{}",
        pty.path().display()
    );
    // Every byte value, twice, with the ones a cooked terminal would eat or translate
    // (NUL, CR, LF, ^C, ^S/^Q, ^D, DEL) among them, then real frames.
    let mut payload: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
    payload.extend_from_slice(b"\r\n\n\r\0\x03\x04\x11\x13\x7f\0");
    let g = generate(&Scenario::border_crossing(), 0);
    for e in g.events.iter().take(200) {
        payload.extend_from_slice(&e.bytes);
    }
    assert!(payload.contains(&0) && payload.contains(&b'\n'));
    let got = read_back(&pty, payload.clone());
    assert_eq!(got, payload);
}

#[test]
fn a_reader_can_close_and_reopen_the_device() {
    let pty = Pty::open().unwrap();
    assert_eq!(read_back(&pty, b"first\0\n".to_vec()), b"first\0\n");
    // No reader now: writes still succeed (the Pty holds the slave open).
    pty.writer().unwrap().write_all(b"between\0").unwrap();
    let mut reader = open_slave(pty.path());
    let mut got = [0u8; 8];
    reader.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"between\0");
}

#[test]
fn frames_read_from_the_device_decode_cleanly() {
    let pty = Pty::open().unwrap();
    let g = generate(&Scenario::border_crossing(), 0);
    let bytes = g.bytes_by_node()[&17].clone();
    let got = read_back(&pty, bytes.clone());
    let (frames, stats) = support::decode(&got);
    assert_eq!(stats.bad_frames(), 0);
    assert_eq!(
        frames.len(),
        g.events.iter().filter(|e| e.node_id == 17).count()
    );
}

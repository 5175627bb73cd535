//! An AIS receiver's network outputs: every NMEA line the scenario's receiver prints reaches
//! a TCP client and a UDP listener intact, in order, each a verified `!AIVDM` sentence.

use borderfuse_common::nmea;
use borderfuse_sim::emit::{TcpServer, UdpSender};
use borderfuse_sim::{Scenario, generate, play};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

fn receiver_lines(scenario: &Scenario) -> (u32, Vec<Vec<u8>>) {
    let receiver = scenario.ais_receivers[0].node_id;
    let generated = generate(scenario, 1_795_000_000_000);
    let lines = generated
        .nmea
        .iter()
        .filter(|e| e.node_id == receiver)
        .map(|e| e.bytes.clone())
        .collect();
    (receiver, lines)
}

fn assert_verified(line: &str) {
    let sentence = nmea::parse(line).unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
    sentence
        .require_checksum()
        .unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
    assert!(line.starts_with("!AIVDM"), "{line}");
}

#[test]
fn a_tcp_client_and_a_udp_listener_get_every_line() {
    let scenario = Scenario::border_crossing();
    let (receiver, expected) = receiver_lines(&scenario);
    assert!(
        expected.len() > 50,
        "the AIS ship reports: {}",
        expected.len()
    );

    let server = TcpServer::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(server.local_addr()).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.clients() == 0 {
        assert!(Instant::now() < deadline, "the client was never accepted");
        std::thread::sleep(Duration::from_millis(5));
    }
    let listener = UdpSocket::bind("127.0.0.1:0").unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let udp = UdpSender::connect(listener.local_addr().unwrap()).unwrap();

    // Two receivers' worth of sinks on one player: the same lines to TCP and to UDP.
    let udp_id = receiver + 1_000;
    let mut events = generate(&scenario, 1_795_000_000_000).nmea;
    let copies: Vec<_> = events
        .iter()
        .map(|e| {
            let mut c = e.clone();
            c.node_id = udp_id;
            c
        })
        .collect();
    events.extend(copies);
    events.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    let mut sinks: HashMap<u32, Box<dyn Write + Send>> = HashMap::new();
    sinks.insert(receiver, Box::new(server));
    sinks.insert(udp_id, Box::new(udp));
    let stats = play(
        events,
        sinks,
        f64::INFINITY,
        Arc::new(AtomicBool::new(false)),
    )
    .join()
    .unwrap();
    assert_eq!(stats.write_errors, 0);

    let mut reader = BufReader::new(client);
    for want in &expected {
        let mut got = Vec::new();
        reader.read_until(b'\n', &mut got).unwrap();
        assert_eq!(&got, want, "TCP");
        assert_verified(std::str::from_utf8(&got).unwrap().trim_end());
    }
    let mut buf = [0u8; 512];
    for want in &expected {
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], &want[..], "UDP: one line a datagram");
    }
}

#[test]
fn a_client_that_goes_away_is_dropped_and_the_others_still_served() {
    let mut server = TcpServer::bind("127.0.0.1:0").unwrap();
    let gone = TcpStream::connect(server.local_addr()).unwrap();
    let stays = TcpStream::connect(server.local_addr()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.clients() < 2 {
        assert!(Instant::now() < deadline, "clients never accepted");
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(gone);
    // Writing to a closed peer fails on the first or a later write (the RST must come back).
    for _ in 0..50 {
        server
            .write_all(b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\r\n")
            .unwrap();
        if server.clients() == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(server.clients(), 1);
    stays
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut line = String::new();
    BufReader::new(stays).read_line(&mut line).unwrap();
    assert!(line.starts_with("!AIVDM"));
}

#[test]
fn udp_to_nobody_is_not_an_error() {
    // A port nobody listens on: the datagrams are lost as on the wire, the sender goes on.
    let nobody = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = nobody.local_addr().unwrap();
    drop(nobody);
    let mut udp = UdpSender::connect(addr).unwrap();
    for _ in 0..3 {
        udp.write_all(b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\r\n")
            .unwrap();
    }
}

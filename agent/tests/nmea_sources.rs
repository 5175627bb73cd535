//! NMEA 0183 sources end to end: bordersim's network emitters (the TCP server and UDP sender a
//! shore AIS receiver offers) → the agent's `nmea_source` task → the pipeline's AIS picture.
//! Garbage, over-long and non-UTF-8 lines on the same feed are counted and dropped.

use borderfuse_agent::config::{Config, NmeaSourceConfig};
use borderfuse_agent::ingest::nmea::{self, MAX_LINE, NmeaLine};
use borderfuse_agent::ingest::now_utc_ms;
use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::pipeline::Pipeline;
use borderfuse_sim::emit::{TcpServer, UdpSender};
use borderfuse_sim::generate::generate;
use borderfuse_sim::scenario::Scenario;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// MV AEGEAN STAR in the border-crossing scenario.
const AEGEAN_STAR: u32 = 239_123_000;

/// Lines no receiver should send, written among the AIS lines.
fn junk() -> Vec<Vec<u8>> {
    let mut overlong = vec![b'!'; MAX_LINE * 4];
    overlong.extend_from_slice(b"\r\n");
    vec![
        b"hello, this is not NMEA\r\n".to_vec(),
        overlong,
        b"!AIVDM,1,1,,A,\xff\xfe\xfd,0*00\r\n".to_vec(),
        // A checksum that does not match: counted with the AIS sentences rejected.
        b"!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*00\r\n".to_vec(),
        // Valid NMEA of no use to the agent.
        b"$GPZDA,120000.00,29,11,2026,00,00*68\r\n".to_vec(),
    ]
}

fn config(transport: impl FnOnce(&mut NmeaSourceConfig)) -> Config {
    let scenario = Scenario::border_crossing();
    let mut config = borderfuse_agent::demo::agent_config(&scenario, &HashMap::new(), 1883)
        .expect("scenario config");
    let mut source = NmeaSourceConfig {
        name: "ais-samos-net".into(),
        receiver: scenario.ais_receivers[0].name.clone(),
        tcp: None,
        udp: None,
        serial: None,
        baud: None,
        reopen_min_ms: 20,
        reopen_max_ms: 200,
    };
    transport(&mut source);
    config.nmea_sources.push(source);
    config.validate().expect("valid config");
    config
}

/// Feeds the pipeline every line the source task forwards until none came for a while after
/// `writer` finished.
async fn drain<T>(
    pipeline: &mut Pipeline,
    rx: &mut mpsc::Receiver<NmeaLine>,
    writer: tokio::task::JoinHandle<T>,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !writer.is_finished() && Instant::now() < deadline {
        while let Ok(line) = rx.try_recv() {
            pipeline.handle_nmea_line(line.source, &line.text, line.arrival_ms);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let written = writer.await.expect("writer");
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
        pipeline.handle_nmea_line(line.source, &line.text, line.arrival_ms);
    }
    written
}

/// `sent_lines` AIS lines and [`junk`] were written, after `probes` lines the pipeline was
/// not given.
fn check(pipeline: &Pipeline, metrics: &Metrics, sent_lines: u64, probes: u64) {
    let s = metrics.snapshot();
    assert!(s.ais_messages > 0, "{s:?}");
    assert!(pipeline.ais_picture().get(AEGEAN_STAR).is_some(), "{s:?}");
    // Everything written arrived (loopback loses nothing at this rate): every AIS line, the
    // garbage line, the bad-checksum line and the unused sentence as lines...
    assert_eq!(s.nmea_lines, probes + sent_lines + 3, "{s:?}");
    // ... the over-long line as over-long, the binary one as not UTF-8.
    assert_eq!(s.nmea_lines_overlong, 1, "{s:?}");
    assert_eq!(s.nmea_lines_not_utf8, 1, "{s:?}");
    assert_eq!(s.nmea_lines_malformed, 1, "{s:?}");
    assert_eq!(s.nmea_lines_unused, 1, "{s:?}");
    assert_eq!(s.ais_bad_sentences, 1, "{s:?}");
    assert_eq!(s.ais_sentences, sent_lines + 1, "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ais_lines_from_a_tcp_server_reach_the_ais_picture() {
    let mut server = TcpServer::bind("127.0.0.1:0").expect("bind");
    let addr = server.local_addr();
    let config = config(|s| s.tcp = Some(addr.to_string()));
    let metrics = Arc::new(Metrics::default());
    let mut pipeline = Pipeline::new(&config, metrics.clone());
    let (tx, mut rx) = mpsc::channel(4096);
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(nmea::run(
        0,
        config.nmea_sources[0].clone(),
        tx,
        metrics.clone(),
        stop_rx,
    ));
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.clients() == 0 {
        assert!(Instant::now() < deadline, "the agent never connected");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let generated = generate(&Scenario::border_crossing(), now_utc_ms());
    let sent = generated.nmea.len() as u64;
    assert!(sent > 0);
    let writer = tokio::task::spawn_blocking(move || {
        for line in junk() {
            server.write_all(&line).expect("write");
        }
        for event in &generated.nmea {
            server.write_all(&event.bytes).expect("write");
        }
        // Dropping the server here would cut the agent off before it read everything.
        server
    });
    let server = drain(&mut pipeline, &mut rx, writer).await;
    assert_eq!(metrics.snapshot().nmea_reconnects, 0);
    drop(server);
    check(&pipeline, &metrics, sent, 0);
    stop.send(true).expect("stop");
    task.await.expect("task");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ais_datagrams_reach_the_ais_picture() {
    // A free port for the agent to bind: bind one, note it, let it go.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free port")
        .port();
    let config = config(|s| s.udp = Some(format!("127.0.0.1:{port}")));
    let metrics = Arc::new(Metrics::default());
    let mut pipeline = Pipeline::new(&config, metrics.clone());
    let (tx, mut rx) = mpsc::channel(4096);
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(nmea::run(
        0,
        config.nmea_sources[0].clone(),
        tx,
        metrics.clone(),
        stop_rx,
    ));
    // The agent is bound once a probe datagram arrives as a line.
    let mut sender = UdpSender::connect(([127, 0, 0, 1], port).into()).expect("sender");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        sender.write_all(b"$GPZDA,probe\r\n").expect("probe");
        if let Ok(Some(line)) = tokio::time::timeout(Duration::from_millis(50), rx.recv()).await {
            assert_eq!(line.text, "$GPZDA,probe");
            break;
        }
        assert!(Instant::now() < deadline, "the agent never bound");
    }
    // Probes in flight when the first arrived.
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {}
    let probes = metrics.snapshot().nmea_lines;

    let generated = generate(&Scenario::border_crossing(), now_utc_ms());
    let sent = generated.nmea.len() as u64;
    let writer = tokio::task::spawn_blocking(move || {
        for line in junk() {
            sender.write_all(&line).expect("write");
        }
        // Two lines in one datagram, the last without its terminator: both are lines.
        let mut lines = generated.nmea.iter();
        if let (Some(a), Some(b)) = (lines.next(), lines.next()) {
            let mut datagram = a.bytes.clone();
            datagram.extend_from_slice(b.bytes.trim_ascii_end());
            sender.write_all(&datagram).expect("write");
        }
        for event in lines {
            sender.write_all(&event.bytes).expect("write");
            // Datagrams are not flow-controlled: pace them so the kernel's buffer holds.
            std::thread::sleep(Duration::from_micros(200));
        }
    });
    drain(&mut pipeline, &mut rx, writer).await;
    check(&pipeline, &metrics, sent, probes);
    stop.send(true).expect("stop");
    task.await.expect("task");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tcp_source_reconnects_after_the_server_hangs_up() {
    // A receiver that serves one line per connection, then hangs up.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = std::thread::spawn(move || {
        for i in 0..2 {
            let (mut stream, _) = listener.accept().expect("accept");
            writeln!(stream, "$GPZDA,connection-{i}\r").expect("write");
        }
    });
    let config = config(|s| s.tcp = Some(addr.to_string()));
    let metrics = Arc::new(Metrics::default());
    let (tx, mut rx) = mpsc::channel(16);
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(nmea::run(
        0,
        config.nmea_sources[0].clone(),
        tx,
        metrics.clone(),
        stop_rx,
    ));
    for i in 0..2 {
        let line = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("a line in time")
            .expect("a line");
        assert_eq!(line.text, format!("$GPZDA,connection-{i}"));
    }
    server.join().expect("server");
    assert!(metrics.snapshot().nmea_reconnects >= 1);
    stop.send(true).expect("stop");
    task.await.expect("task");
}

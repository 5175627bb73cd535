//! The radar node on arbitrary bytes from its UART line protocol (plots, raw sweeps through
//! the CFAR extractor, north markers). Any panic is a bug; every frame it sends must decode.
#![no_main]

use borderfuse_common::frame::FrameDecoder;
use borderfuse_firmware::Clock;
use borderfuse_firmware::cfar::CfarConfig;
use borderfuse_firmware::radar_node::{RadarNode, UartRadar};
use libfuzzer_sys::fuzz_target;

struct StepClock(u64);

impl Clock for StepClock {
    fn now_us(&mut self) -> u64 {
        self.0 += 1000;
        self.0
    }
}

/// A byte slice as a UART that is ready while it has bytes.
struct SliceUart<'a>(&'a [u8]);

impl embedded_io::ErrorType for SliceUart<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for SliceUart<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

impl embedded_io::ReadReady for SliceUart<'_> {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        Ok(!self.0.is_empty())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut node = RadarNode::new(
        UartRadar::new(SliceUart(data)),
        Vec::new(),
        StepClock(0),
        2,
        5_000,
        CfarConfig::default(),
    );
    while node.poll() {}
    for frame in FrameDecoder::new().feed(node.link_writer_mut()) {
        assert!(frame.is_ok(), "the node sent a frame its agent cannot decode");
    }
});

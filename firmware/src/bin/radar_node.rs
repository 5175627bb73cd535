//! The radar node on the reference board: the radar's plots and raw sweeps as a line protocol
//! on UART1 ([`UartRadar`]), frames to the agent on UART0.
#![no_std]
#![no_main]

use borderfuse_firmware::board::{self, Board, BoardClock, Uart};
use borderfuse_firmware::cfar::CfarConfig;
use borderfuse_firmware::radar_node::{RadarNode, UartRadar};
use borderfuse_firmware::status::StatusLed;
use cortex_m_rt::entry;

/// This node's id in the agent's config.
const NODE_ID: u32 = 2;

type Node = RadarNode<UartRadar<Uart>, Uart, BoardClock>;

#[entry]
fn main() -> ! {
    let Some(board) = Board::take() else {
        board::halt()
    };
    let mut delay = board.delay;
    let mut status = StatusLed::new(board.led, &mut delay);
    let Some(node) = cortex_m::singleton!(: Node = RadarNode::new(
        UartRadar::new(board.sensor),
        board.link,
        board.clock,
        NODE_ID,
        board::HEALTH_INTERVAL_US,
        CfarConfig::default(),
    )
    .with_link_timeout_us(board::LINK_TIMEOUT_US)) else {
        board::halt()
    };
    loop {
        // Never waits on the link: a frame goes out a byte or two per turn.
        node.poll_ready();
        status.show(node.link_stats());
    }
}

//! The status LED as a node shows it: three blinks at boot, then lit while the link takes
//! frames, dark after a frame was lost on it until one goes through again.

use crate::link::LinkStats;
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::OutputPin;

/// Drives a status LED from the link's counters.
#[derive(Debug)]
pub struct StatusLed<P> {
    led: P,
    write_errors: u32,
    frames_sent: u32,
}

impl<P: OutputPin> StatusLed<P> {
    /// Blinks `led` three times (30 ms on, 30 ms off, timed by `delay`) and lights it. A pin
    /// error is ignored: the LED is for people on site, the node works without it.
    pub fn new(mut led: P, delay: &mut impl DelayNs) -> Self {
        for _ in 0..3 {
            let _ = led.set_high();
            delay.delay_ms(30);
            let _ = led.set_low();
            delay.delay_ms(30);
        }
        let _ = led.set_high();
        StatusLed {
            led,
            write_errors: 0,
            frames_sent: 0,
        }
    }

    /// Updates the LED from the link's counters; touches the pin only on a change.
    pub fn show(&mut self, link: &LinkStats) {
        if link.write_errors != self.write_errors {
            self.write_errors = link.write_errors;
            let _ = self.led.set_low();
        } else if link.frames_sent != self.frames_sent {
            let _ = self.led.set_high();
        }
        self.frames_sent = link.frames_sent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_hal_mock::eh1::delay::NoopDelay;
    use embedded_hal_mock::eh1::digital::{Mock, State, Transaction};
    use std::vec::Vec;

    #[test]
    fn the_led_blinks_at_boot_then_follows_the_link() {
        let mut expected: Vec<Transaction> = (0..3)
            .flat_map(|_| [Transaction::set(State::High), Transaction::set(State::Low)])
            .collect();
        expected.push(Transaction::set(State::High)); // lit after boot
        expected.push(Transaction::set(State::Low)); // a frame lost
        expected.push(Transaction::set(State::High)); // frames go through again
        let pin = Mock::new(&expected);
        let mut status = StatusLed::new(pin.clone(), &mut NoopDelay::new());
        let mut link = LinkStats {
            write_errors: 1,
            ..LinkStats::default()
        };
        status.show(&link);
        status.show(&link);
        link.frames_sent = 1;
        status.show(&link);
        let mut pin = pin;
        pin.done();
    }
}

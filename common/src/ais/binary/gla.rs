//! The General Lighthouse Authorities' AtoN monitoring message (UK DAC 235, Ireland DAC 250,
//! FI 10), sent by aids to navigation to report their lantern, RACON and supply voltages.

use super::{BinaryData, DataWriter, JsonObject, legend};
use core::fmt;

const RACON_STATES: [&str; 4] = [
    "No RACON installed",
    "RACON not monitored",
    "RACON operational",
    "RACON ERROR",
];

const LIGHT_STATES: [&str; 4] = [
    "No light or no monitoring",
    "Light ON",
    "Light OFF",
    "Light ERROR",
];

/// AtoN monitoring data (type 6, DAC 235 or 250, FI 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtonMonitoring {
    /// Internal analogue input (supply voltage), 0.05 V, 10 bits.
    pub ana_int: u16,
    /// External analogue input 1, 0.05 V, 10 bits.
    pub ana_ext1: u16,
    /// External analogue input 2, 0.05 V, 10 bits.
    pub ana_ext2: u16,
    /// RACON status, 2 bits (`racon_text` in gpsd's JSON).
    pub racon: u8,
    /// Light status, 2 bits (`light_text` in gpsd's JSON).
    pub light: u8,
    /// Health alarm.
    pub alarm: bool,
    /// External digital status bits.
    pub stat_ext: u8,
    /// Off-position status.
    pub off_pos: bool,
}

impl AtonMonitoring {
    /// Payload length, the only one gpsd decodes.
    pub const BITS: usize = 48;

    pub(super) fn decode(d: &BinaryData) -> Option<Self> {
        (d.bitcount() == Self::BITS).then(|| AtonMonitoring {
            ana_int: d.uint(0, 10) as u16,
            ana_ext1: d.uint(10, 10) as u16,
            ana_ext2: d.uint(20, 10) as u16,
            racon: d.uint(30, 2) as u8,
            light: d.uint(32, 2) as u8,
            alarm: d.flag(34),
            stat_ext: d.uint(35, 8) as u8,
            off_pos: d.flag(43),
        })
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.uint(self.ana_int.into(), 10);
        w.uint(self.ana_ext1.into(), 10);
        w.uint(self.ana_ext2.into(), 10);
        w.uint(self.racon.into(), 2);
        w.uint(self.light.into(), 2);
        w.flag(self.alarm);
        w.uint(self.stat_ext.into(), 8);
        w.flag(self.off_pos);
        w.spare(4);
    }

    pub(super) fn write_gpsd<W: fmt::Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.bool("off_pos", self.off_pos)
            .bool("alarm", self.alarm)
            .uint("stat_ext", self.stat_ext.into())
            .uint("ana_int", self.ana_int.into())
            .uint("ana_ext1", self.ana_ext1.into())
            .uint("ana_ext2", self.ana_ext2.into())
            .uint("racon", self.racon.into())
            .str("racon_text", legend(&RACON_STATES, self.racon.into(), ""))
            .uint("light", self.light.into())
            .str("light_text", legend(&LIGHT_STATES, self.light.into(), ""));
        Ok(())
    }
}

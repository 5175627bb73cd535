//! Meteorological and hydrological data: IMO236 (type 8, DAC 1, FI 11, a trial message
//! withdrawn in 2013 but still on the air) and its successor IMO289 (FI 31). Raw values as
//! transmitted; gpsd's unscaled JSON prints them as they are.

use super::{BinaryData, DataWriter, JsonObject, legend};
use core::fmt::{self, Write};

/// WMO 306 code table 4.201, as gpsd names the precipitation types.
const PRECIP_TYPES: [&str; 8] = [
    "reserved",
    "rain",
    "thunderstorm",
    "freezing rain",
    "mixed/ice",
    "snow",
    "reserved",
    "N/A",
];

const ICE: [&str; 4] = ["no", "yes", "reserved", "N/A"];

/// Writes gpsd's `"DDThh:mmZ"` day-and-time stamp.
fn write_timestamp<W: Write>(
    obj: &mut JsonObject<'_, W>,
    day: u8,
    hour: u8,
    minute: u8,
) -> fmt::Result {
    let out = obj.raw_value("timestamp")?;
    write!(out, "\"{day:02}T{hour:02}:{minute:02}Z\"")
}

/// IMO236 meteorological and hydrological data (type 8, DAC 1, FI 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetHydro236 {
    /// Latitude, 1/1 000 minute, 24 bits (0x7FFFFF not available).
    pub lat: i32,
    /// Longitude, 1/1 000 minute, 25 bits (0xFFFFFF not available).
    pub lon: i32,
    /// UTC day.
    pub day: u8,
    /// UTC hour.
    pub hour: u8,
    /// UTC minute.
    pub minute: u8,
    /// Average wind speed, knots, 7 bits (127 not available).
    pub wspeed: u8,
    /// Wind gust, knots, 7 bits.
    pub wgust: u8,
    /// Wind direction, degrees, 9 bits (511 not available).
    pub wdir: u16,
    /// Wind gust direction, degrees, 9 bits.
    pub wgustdir: u16,
    /// Air temperature, 1/10 °C plus 600 (offset), 11 bits (2047 not available).
    pub airtemp: u16,
    /// Relative humidity, %, 7 bits (127 not available).
    pub humidity: u8,
    /// Dew point, 1/10 °C plus 200, 10 bits (1023 not available).
    pub dewpoint: u16,
    /// Air pressure, hPa minus 800, 9 bits (511 not available).
    pub pressure: u16,
    /// Pressure tendency, 2 bits (0 steady, 1 increasing, 2 decreasing, 3 not available).
    pub pressuretend: u8,
    /// Horizontal visibility, 1/10 nautical mile, 8 bits (255 not available).
    pub visibility: u8,
    /// Water level, 1/10 metre plus 100, 9 bits (511 not available).
    pub waterlevel: u16,
    /// Water level trend, 2 bits.
    pub leveltrend: u8,
    /// Surface current speed, 1/10 knot, 8 bits (255 not available).
    pub cspeed: u8,
    /// Surface current direction, degrees, 9 bits.
    pub cdir: u16,
    /// Current speed at `cdepth2`.
    pub cspeed2: u8,
    /// Current direction at `cdepth2`.
    pub cdir2: u16,
    /// Second measuring depth, metres, 5 bits.
    pub cdepth2: u8,
    /// Current speed at `cdepth3`.
    pub cspeed3: u8,
    /// Current direction at `cdepth3`.
    pub cdir3: u16,
    /// Third measuring depth, metres.
    pub cdepth3: u8,
    /// Significant wave height, 1/10 metre, 8 bits.
    pub waveheight: u8,
    /// Wave period, seconds, 6 bits.
    pub waveperiod: u8,
    /// Wave direction, degrees, 9 bits.
    pub wavedir: u16,
    /// Swell height, 1/10 metre.
    pub swellheight: u8,
    /// Swell period, seconds.
    pub swellperiod: u8,
    /// Swell direction, degrees.
    pub swelldir: u16,
    /// Sea state, Beaufort, 4 bits (15 not available).
    pub seastate: u8,
    /// Water temperature, 1/10 °C plus 100, 10 bits (1023 not available).
    pub watertemp: u16,
    /// Precipitation type, 3 bits (WMO 306 code table 4.201).
    pub preciptype: u8,
    /// Salinity, 1/10 ‰, 9 bits (511 not available).
    pub salinity: u16,
    /// Ice, 2 bits (0 no, 1 yes, 3 not available).
    pub ice: u8,
}

impl MetHydro236 {
    /// Standard payload length (gpsd decodes any length).
    pub const BITS: usize = 296;

    pub(super) fn decode(d: &BinaryData) -> Self {
        MetHydro236 {
            lat: d.int(0, 24),
            lon: d.int(24, 25),
            day: d.uint(49, 5) as u8,
            hour: d.uint(54, 5) as u8,
            minute: d.uint(59, 6) as u8,
            wspeed: d.uint(65, 7) as u8,
            wgust: d.uint(72, 7) as u8,
            wdir: d.uint(79, 9) as u16,
            wgustdir: d.uint(88, 9) as u16,
            airtemp: d.uint(97, 11) as u16,
            humidity: d.uint(108, 7) as u8,
            dewpoint: d.uint(115, 10) as u16,
            pressure: d.uint(125, 9) as u16,
            pressuretend: d.uint(134, 2) as u8,
            visibility: d.uint(136, 8) as u8,
            waterlevel: d.uint(144, 9) as u16,
            leveltrend: d.uint(153, 2) as u8,
            cspeed: d.uint(155, 8) as u8,
            cdir: d.uint(163, 9) as u16,
            cspeed2: d.uint(172, 8) as u8,
            cdir2: d.uint(180, 9) as u16,
            cdepth2: d.uint(189, 5) as u8,
            cspeed3: d.uint(194, 8) as u8,
            cdir3: d.uint(202, 9) as u16,
            cdepth3: d.uint(211, 5) as u8,
            waveheight: d.uint(216, 8) as u8,
            waveperiod: d.uint(224, 6) as u8,
            wavedir: d.uint(230, 9) as u16,
            swellheight: d.uint(239, 8) as u8,
            swellperiod: d.uint(247, 6) as u8,
            swelldir: d.uint(253, 9) as u16,
            seastate: d.uint(262, 4) as u8,
            watertemp: d.uint(266, 10) as u16,
            preciptype: d.uint(276, 3) as u8,
            salinity: d.uint(279, 9) as u16,
            ice: d.uint(288, 2) as u8,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.int(self.lat, 24);
        w.int(self.lon, 25);
        w.uint(self.day.into(), 5);
        w.uint(self.hour.into(), 5);
        w.uint(self.minute.into(), 6);
        w.uint(self.wspeed.into(), 7);
        w.uint(self.wgust.into(), 7);
        w.uint(self.wdir.into(), 9);
        w.uint(self.wgustdir.into(), 9);
        w.uint(self.airtemp.into(), 11);
        w.uint(self.humidity.into(), 7);
        w.uint(self.dewpoint.into(), 10);
        w.uint(self.pressure.into(), 9);
        w.uint(self.pressuretend.into(), 2);
        w.uint(self.visibility.into(), 8);
        w.uint(self.waterlevel.into(), 9);
        w.uint(self.leveltrend.into(), 2);
        w.uint(self.cspeed.into(), 8);
        w.uint(self.cdir.into(), 9);
        w.uint(self.cspeed2.into(), 8);
        w.uint(self.cdir2.into(), 9);
        w.uint(self.cdepth2.into(), 5);
        w.uint(self.cspeed3.into(), 8);
        w.uint(self.cdir3.into(), 9);
        w.uint(self.cdepth3.into(), 5);
        w.uint(self.waveheight.into(), 8);
        w.uint(self.waveperiod.into(), 6);
        w.uint(self.wavedir.into(), 9);
        w.uint(self.swellheight.into(), 8);
        w.uint(self.swellperiod.into(), 6);
        w.uint(self.swelldir.into(), 9);
        w.uint(self.seastate.into(), 4);
        w.uint(self.watertemp.into(), 10);
        w.uint(self.preciptype.into(), 3);
        w.uint(self.salinity.into(), 9);
        w.uint(self.ice.into(), 2);
        w.spare(6);
    }

    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.int("lat", self.lat.into()).int("lon", self.lon.into());
        write_timestamp(obj, self.day, self.hour, self.minute)?;
        obj.uint("wspeed", self.wspeed.into())
            .uint("wgust", self.wgust.into())
            .uint("wdir", self.wdir.into())
            .uint("wgustdir", self.wgustdir.into())
            .uint("humidity", self.humidity.into())
            .uint("airtemp", self.airtemp.into())
            .uint("dewpoint", self.dewpoint.into())
            .uint("pressure", self.pressure.into())
            .uint("pressuretend", self.pressuretend.into())
            .uint("visibility", self.visibility.into())
            .uint("waterlevel", self.waterlevel.into())
            .uint("leveltrend", self.leveltrend.into())
            .uint("cspeed", self.cspeed.into())
            .uint("cdir", self.cdir.into())
            .uint("cspeed2", self.cspeed2.into())
            .uint("cdir2", self.cdir2.into())
            .uint("cdepth2", self.cdepth2.into())
            .uint("cspeed3", self.cspeed3.into())
            .uint("cdir3", self.cdir3.into())
            .uint("cdepth3", self.cdepth3.into())
            .uint("waveheight", self.waveheight.into())
            .uint("waveperiod", self.waveperiod.into())
            .uint("wavedir", self.wavedir.into())
            .uint("swellheight", self.swellheight.into())
            .uint("swellperiod", self.swellperiod.into())
            .uint("swelldir", self.swelldir.into())
            .uint("seastate", self.seastate.into())
            .uint("watertemp", self.watertemp.into())
            .uint("preciptype", self.preciptype.into())
            .str(
                "preciptype_text",
                legend(&PRECIP_TYPES, self.preciptype.into(), ""),
            )
            .uint("salinity", self.salinity.into())
            .uint("ice", self.ice.into())
            .str("ice_text", legend(&ICE, self.ice.into(), ""));
        Ok(())
    }
}

/// IMO289 meteorological and hydrological data (type 8, DAC 1, FI 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetHydro289 {
    /// Longitude, 1/1 000 minute, 25 bits (181° not available).
    pub lon: i32,
    /// Latitude, 1/1 000 minute, 24 bits (91° not available).
    pub lat: i32,
    /// Position accuracy: true for better than 10 m.
    pub accuracy: bool,
    /// UTC day (0 not available).
    pub day: u8,
    /// UTC hour (24 not available).
    pub hour: u8,
    /// UTC minute (60 not available).
    pub minute: u8,
    /// Average wind speed, knots, 7 bits (127 not available).
    pub wspeed: u8,
    /// Wind gust, knots, 7 bits.
    pub wgust: u8,
    /// Wind direction, degrees, 9 bits (360 not available).
    pub wdir: u16,
    /// Wind gust direction, degrees, 9 bits.
    pub wgustdir: u16,
    /// Air temperature, 1/10 °C, signed 11 bits (-1024 not available).
    pub airtemp: i16,
    /// Relative humidity, %, 7 bits (101 not available).
    pub humidity: u8,
    /// Dew point, 1/10 °C, signed 10 bits (501 not available).
    pub dewpoint: i16,
    /// Air pressure, 9 bits: 1-401 are 800-1200 hPa (0 is 799 or less, 511 not available).
    pub pressure: u16,
    /// Pressure tendency, 2 bits (0 steady, 1 decreasing, 2 increasing, 3 not available).
    pub pressuretend: u8,
    /// Visibility is greater than the value given.
    pub visgreater: bool,
    /// Horizontal visibility, 1/10 nautical mile, 7 bits (127 not available).
    pub visibility: u8,
    /// Water level including tide, 1/100 metre above -10 m, 12 bits (4001 not available).
    pub waterlevel: u16,
    /// Water level trend, 2 bits.
    pub leveltrend: u8,
    /// Surface current speed, 1/10 knot, 8 bits (255 not available).
    pub cspeed: u8,
    /// Surface current direction, degrees, 9 bits (360 not available).
    pub cdir: u16,
    /// Current speed at `cdepth2`.
    pub cspeed2: u8,
    /// Current direction at `cdepth2`.
    pub cdir2: u16,
    /// Second measuring depth, metres, 5 bits (31 not available).
    pub cdepth2: u8,
    /// Current speed at `cdepth3`.
    pub cspeed3: u8,
    /// Current direction at `cdepth3`.
    pub cdir3: u16,
    /// Third measuring depth, metres.
    pub cdepth3: u8,
    /// Significant wave height, 1/10 metre, 8 bits (255 not available).
    pub waveheight: u8,
    /// Wave period, seconds, 6 bits (63 not available).
    pub waveperiod: u8,
    /// Wave direction, degrees, 9 bits (360 not available).
    pub wavedir: u16,
    /// Swell height, 1/10 metre.
    pub swellheight: u8,
    /// Swell period, seconds.
    pub swellperiod: u8,
    /// Swell direction, degrees.
    pub swelldir: u16,
    /// Sea state, Beaufort, 4 bits (13 not available).
    pub seastate: u8,
    /// Water temperature, 1/10 °C, signed 10 bits (501 not available).
    pub watertemp: i16,
    /// Precipitation type, 3 bits (WMO 306 code table 4.201; 7 not available).
    pub preciptype: u8,
    /// Salinity, 1/10 ‰, 9 bits.
    pub salinity: u16,
    /// Ice, 2 bits (0 no, 1 yes, 3 not available).
    pub ice: u8,
}

impl MetHydro289 {
    /// Standard payload length (gpsd decodes any length).
    pub const BITS: usize = 304;

    pub(super) fn decode(d: &BinaryData) -> Self {
        MetHydro289 {
            lon: d.int(0, 25),
            lat: d.int(25, 24),
            accuracy: d.flag(49),
            day: d.uint(50, 5) as u8,
            hour: d.uint(55, 5) as u8,
            minute: d.uint(60, 6) as u8,
            wspeed: d.uint(66, 7) as u8,
            wgust: d.uint(73, 7) as u8,
            wdir: d.uint(80, 9) as u16,
            wgustdir: d.uint(89, 9) as u16,
            airtemp: d.int(98, 11) as i16,
            humidity: d.uint(109, 7) as u8,
            dewpoint: d.int(116, 10) as i16,
            pressure: d.uint(126, 9) as u16,
            pressuretend: d.uint(135, 2) as u8,
            visgreater: d.flag(137),
            visibility: d.uint(138, 7) as u8,
            waterlevel: d.uint(145, 12) as u16,
            leveltrend: d.uint(157, 2) as u8,
            cspeed: d.uint(159, 8) as u8,
            cdir: d.uint(167, 9) as u16,
            cspeed2: d.uint(176, 8) as u8,
            cdir2: d.uint(184, 9) as u16,
            cdepth2: d.uint(193, 5) as u8,
            cspeed3: d.uint(198, 8) as u8,
            cdir3: d.uint(206, 9) as u16,
            cdepth3: d.uint(215, 5) as u8,
            waveheight: d.uint(220, 8) as u8,
            waveperiod: d.uint(228, 6) as u8,
            wavedir: d.uint(234, 9) as u16,
            swellheight: d.uint(243, 8) as u8,
            swellperiod: d.uint(251, 6) as u8,
            swelldir: d.uint(257, 9) as u16,
            seastate: d.uint(266, 4) as u8,
            watertemp: d.int(270, 10) as i16,
            preciptype: d.uint(280, 3) as u8,
            salinity: d.uint(283, 9) as u16,
            ice: d.uint(292, 2) as u8,
        }
    }

    pub(super) fn encode(&self, w: &mut DataWriter) {
        w.int(self.lon, 25);
        w.int(self.lat, 24);
        w.flag(self.accuracy);
        w.uint(self.day.into(), 5);
        w.uint(self.hour.into(), 5);
        w.uint(self.minute.into(), 6);
        w.uint(self.wspeed.into(), 7);
        w.uint(self.wgust.into(), 7);
        w.uint(self.wdir.into(), 9);
        w.uint(self.wgustdir.into(), 9);
        w.int(self.airtemp.into(), 11);
        w.uint(self.humidity.into(), 7);
        w.int(self.dewpoint.into(), 10);
        w.uint(self.pressure.into(), 9);
        w.uint(self.pressuretend.into(), 2);
        w.flag(self.visgreater);
        w.uint(self.visibility.into(), 7);
        w.uint(self.waterlevel.into(), 12);
        w.uint(self.leveltrend.into(), 2);
        w.uint(self.cspeed.into(), 8);
        w.uint(self.cdir.into(), 9);
        w.uint(self.cspeed2.into(), 8);
        w.uint(self.cdir2.into(), 9);
        w.uint(self.cdepth2.into(), 5);
        w.uint(self.cspeed3.into(), 8);
        w.uint(self.cdir3.into(), 9);
        w.uint(self.cdepth3.into(), 5);
        w.uint(self.waveheight.into(), 8);
        w.uint(self.waveperiod.into(), 6);
        w.uint(self.wavedir.into(), 9);
        w.uint(self.swellheight.into(), 8);
        w.uint(self.swellperiod.into(), 6);
        w.uint(self.swelldir.into(), 9);
        w.uint(self.seastate.into(), 4);
        w.int(self.watertemp.into(), 10);
        w.uint(self.preciptype.into(), 3);
        w.uint(self.salinity.into(), 9);
        w.uint(self.ice.into(), 2);
        w.spare(10);
    }

    /// gpsd's unscaled form has no `*_text` legends for this message, unlike FI 11.
    pub(super) fn write_gpsd<W: Write>(&self, obj: &mut JsonObject<'_, W>) -> fmt::Result {
        obj.int("lat", self.lat.into())
            .int("lon", self.lon.into())
            .bool("accuracy", self.accuracy);
        write_timestamp(obj, self.day, self.hour, self.minute)?;
        obj.uint("wspeed", self.wspeed.into())
            .uint("wgust", self.wgust.into())
            .uint("wdir", self.wdir.into())
            .uint("wgustdir", self.wgustdir.into())
            .uint("humidity", self.humidity.into())
            .int("airtemp", self.airtemp.into())
            .int("dewpoint", self.dewpoint.into())
            .uint("pressure", self.pressure.into())
            .uint("pressuretend", self.pressuretend.into())
            .bool("visgreater", self.visgreater)
            .uint("visibility", self.visibility.into())
            .uint("waterlevel", self.waterlevel.into())
            .uint("leveltrend", self.leveltrend.into())
            .uint("cspeed", self.cspeed.into())
            .uint("cdir", self.cdir.into())
            .uint("cspeed2", self.cspeed2.into())
            .uint("cdir2", self.cdir2.into())
            .uint("cdepth2", self.cdepth2.into())
            .uint("cspeed3", self.cspeed3.into())
            .uint("cdir3", self.cdir3.into())
            .uint("cdepth3", self.cdepth3.into())
            .uint("waveheight", self.waveheight.into())
            .uint("waveperiod", self.waveperiod.into())
            .uint("wavedir", self.wavedir.into())
            .uint("swellheight", self.swellheight.into())
            .uint("swellperiod", self.swellperiod.into())
            .uint("swelldir", self.swelldir.into())
            .uint("seastate", self.seastate.into())
            .int("watertemp", self.watertemp.into())
            .uint("preciptype", self.preciptype.into())
            .uint("salinity", self.salinity.into())
            .uint("ice", self.ice.into());
        Ok(())
    }
}

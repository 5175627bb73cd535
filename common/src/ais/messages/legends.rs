//! The texts gpsd writes beside coded fields (`status_text`, `shiptype_text`, `epfd_text`,
//! `aid_type_text`, `stationtype_text`): ITU-R M.1371-5's tables in gpsd 3.22's wording, so
//! that our JSON matches `gpsdecode`. Where gpsd's wording departs from ITU it is kept and the
//! difference noted.

/// gpsd's text for a navigational status (types 1-3), 0-15.
///
/// ITU-R M.1371-5 assigns 14 to AIS-SART (active), MOB-AIS, EPIRB-AIS; gpsd 3.22 still says
/// "Reserved". gpsd's spelling "manoeuverability" is kept.
pub fn nav_status_text(status: u8) -> &'static str {
    match status {
        0 => "Under way using engine",
        1 => "At anchor",
        2 => "Not under command",
        3 => "Restricted manoeuverability",
        4 => "Constrained by her draught",
        5 => "Moored",
        6 => "Aground",
        7 => "Engaged in fishing",
        8 => "Under way sailing",
        9 => "Reserved for HSC",
        10 => "Reserved for WIG",
        11..=14 => "Reserved",
        _ => "Not defined",
    }
}

/// gpsd's text for a type of electronic position fixing device, 0-15.
///
/// ITU-R M.1371-5 also names 15 (internal GNSS); gpsd 3.22 calls 9-15 invalid.
pub fn epfd_text(epfd: u8) -> &'static str {
    match epfd {
        0 => "Undefined",
        1 => "GPS",
        2 => "GLONASS",
        3 => "Combined GPS/GLONASS",
        4 => "Loran-C",
        5 => "Chayka",
        6 => "Integrated navigation system",
        7 => "Surveyed",
        8 => "Galileo",
        _ => "INVALID EPFD",
    }
}

/// gpsd's text for a type of ship and cargo, 0-255 (ITU-R M.1371-5 table 53; 100-255 are
/// reserved for regional use, which gpsd calls invalid).
pub fn ship_type_text(shiptype: u8) -> &'static str {
    let second = usize::from(shiptype % 10);
    let category =
        |texts: &[&'static str; 5], reserved| texts.get(second).copied().unwrap_or(reserved);
    match shiptype {
        0 => "Not available",
        1..=19 => "Reserved for future use",
        20..=29 => category(&WIG, WIG_RESERVED),
        30 => "Fishing",
        31 => "Towing",
        32 => "Towing: length exceeds 200m or breadth exceeds 25m",
        33 => "Dredging or underwater ops",
        34 => "Diving ops",
        35 => "Military ops",
        36 => "Sailing",
        37 => "Pleasure Craft",
        38 | 39 => "Reserved",
        40..=48 => category(&HSC, HSC_RESERVED),
        49 => "High speed craft (HSC) - No additional information",
        50 => "Pilot Vessel",
        51 => "Search and Rescue vessel",
        52 => "Tug",
        53 => "Port Tender",
        54 => "Anti-pollution equipment",
        55 => "Law Enforcement",
        56 | 57 => "Spare - Local Vessel",
        58 => "Medical Transport",
        59 => "Ship according to RR Resolution No. 18",
        60..=68 => category(&PASSENGER, PASSENGER_RESERVED),
        69 => "Passenger - No additional information",
        70..=78 => category(&CARGO, CARGO_RESERVED),
        79 => "Cargo - No additional information",
        80..=88 => category(&TANKER, TANKER_RESERVED),
        89 => "Tanker - No additional information",
        90..=98 => category(&OTHER, OTHER_RESERVED),
        // gpsd's lower-case "no" here, unlike the other categories.
        99 => "Other Type - no additional information",
        _ => "INVALID SHIP TYPE",
    }
}

const WIG: [&str; 5] = [
    "Wing in ground (WIG) - all ships of this type",
    "Wing in ground (WIG) - Hazardous category A",
    "Wing in ground (WIG) - Hazardous category B",
    "Wing in ground (WIG) - Hazardous category C",
    "Wing in ground (WIG) - Hazardous category D",
];
const WIG_RESERVED: &str = "Wing in ground (WIG) - Reserved for future use";
const HSC: [&str; 5] = [
    "High speed craft (HSC) - all ships of this type",
    "High speed craft (HSC) - Hazardous category A",
    "High speed craft (HSC) - Hazardous category B",
    "High speed craft (HSC) - Hazardous category C",
    "High speed craft (HSC) - Hazardous category D",
];
const HSC_RESERVED: &str = "High speed craft (HSC) - Reserved for future use";
const PASSENGER: [&str; 5] = [
    "Passenger - all ships of this type",
    "Passenger - Hazardous category A",
    "Passenger - Hazardous category B",
    "Passenger - Hazardous category C",
    "Passenger - Hazardous category D",
];
const PASSENGER_RESERVED: &str = "Passenger - Reserved for future use";
const CARGO: [&str; 5] = [
    "Cargo - all ships of this type",
    "Cargo - Hazardous category A",
    "Cargo - Hazardous category B",
    "Cargo - Hazardous category C",
    "Cargo - Hazardous category D",
];
const CARGO_RESERVED: &str = "Cargo - Reserved for future use";
const TANKER: [&str; 5] = [
    "Tanker - all ships of this type",
    "Tanker - Hazardous category A",
    "Tanker - Hazardous category B",
    "Tanker - Hazardous category C",
    "Tanker - Hazardous category D",
];
const TANKER_RESERVED: &str = "Tanker - Reserved for future use";
const OTHER: [&str; 5] = [
    "Other Type - all ships of this type",
    "Other Type - Hazardous category A",
    "Other Type - Hazardous category B",
    "Other Type - Hazardous category C",
    "Other Type - Hazardous category D",
];
const OTHER_RESERVED: &str = "Other Type - Reserved for future use";

/// gpsd's text for a type of aid to navigation (type 21), 0-31 (ITU-R M.1371-5 table 74).
pub fn aid_type_text(aid_type: u8) -> &'static str {
    const TEXT: [&str; 32] = [
        "Unspecified",
        "Reference point",
        "RACON",
        "Fixed offshore structure",
        "Spare, Reserved for future use.",
        "Light, without sectors",
        "Light, with sectors",
        "Leading Light Front",
        "Leading Light Rear",
        "Beacon, Cardinal N",
        "Beacon, Cardinal E",
        "Beacon, Cardinal S",
        "Beacon, Cardinal W",
        "Beacon, Port hand",
        "Beacon, Starboard hand",
        "Beacon, Preferred Channel port hand",
        "Beacon, Preferred Channel starboard hand",
        "Beacon, Isolated danger",
        "Beacon, Safe water",
        "Beacon, Special mark",
        "Cardinal Mark N",
        "Cardinal Mark E",
        "Cardinal Mark S",
        "Cardinal Mark W",
        "Port hand Mark",
        "Starboard hand Mark",
        "Preferred Channel Port hand",
        "Preferred Channel Starboard hand",
        "Isolated danger",
        "Safe Water",
        "Special Mark",
        "Light Vessel / LANBY / Rigs",
    ];
    TEXT.get(usize::from(aid_type))
        .copied()
        .unwrap_or("INVALID NAVAID TYPE")
}

/// gpsd's text for a station type (type 23), 0-15 (ITU-R M.1371-5 §4.2 of message 23).
pub fn station_type_text(stationtype: u8) -> &'static str {
    match stationtype {
        0 => "All types of mobiles",
        2 => "All types of Class B mobile stations",
        3 => "SAR airborne mobile station",
        4 => "Aid to Navigation station",
        5 => "Class B shipborne mobile station",
        6..=9 => "Regional use and inland waterways",
        _ => "Reserved for future use",
    }
}

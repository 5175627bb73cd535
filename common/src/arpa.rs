//! Radar ARPA sentences of IEC 61162-1: `TTM` (tracked target message), `TLL` (target
//! latitude and longitude), `OSD` (own ship data), `RSD` (radar system data).

//! Plate formats per country: which characters a plate may hold and how long it may be.
//!
//! Normalisation is [`crate::share::normalise_plate`] (letters and digits only, upper case),
//! the same function plate hashes are made with, followed by the country's own rules: Greek
//! plates are written with the 14 capitals Greek and Latin share (Α Β Ε Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ Ζ),
//! and cameras report either script, so a Greek plate is transliterated to the Latin
//! look-alikes. The result is always a fixed point of `normalise_plate`, so
//! `PlateKey::hash(normalised)` is the hash a partner using `share::plate` computes.
//!
//! Only the alphabet and the length are checked, not the full pattern (German district
//! codes, French SIV blocks): a pattern check would reject the older formats that are still
//! on the road and the cross-border variants (diplomatic, military, temporary plates).

use crate::share::normalise_plate;

/// Digits, common to every format here.
const DIGITS: &str = "0123456789";
/// The Latin capitals.
const LATIN: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The rules one country's plates follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryFormat {
    /// ISO 3166-1 alpha-2 code; `""` for the generic fallback.
    pub country: &'static str,
    /// Letters allowed besides the digits.
    pub letters: &'static str,
    /// Shortest normalised plate.
    pub min_len: usize,
    /// Longest normalised plate.
    pub max_len: usize,
}

impl CountryFormat {
    /// Whether `c` may appear on this country's plates.
    pub fn allows(&self, c: char) -> bool {
        if self.country.is_empty() {
            // Generic: any letter or digit of any script.
            return c.is_alphanumeric();
        }
        DIGITS.contains(c) || self.letters.contains(c)
    }
}

/// The formats known, by country. Sources: the countries' vehicle registration rules as
/// summarised in the EU's cross-border ANPR practice (letters in use since the current
/// series began; older series are covered by the length bounds).
pub const FORMATS: [CountryFormat; 6] = [
    // Germany: district code, recognition letters, number (and E/H suffixes); umlauts in
    // some district codes.
    CountryFormat {
        country: "DE",
        letters: "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ",
        min_len: 3,
        max_len: 8,
    },
    // France: SIV `AA-123-AA` since 2009, FNI `1234 AB 56` before.
    CountryFormat {
        country: "FR",
        letters: LATIN,
        min_len: 5,
        max_len: 9,
    },
    // Spain: `1234 BCD` since 2000 (consonants only); provincial `M-1234-AB` before.
    CountryFormat {
        country: "ES",
        letters: LATIN,
        min_len: 4,
        max_len: 8,
    },
    // Italy: `AA 123 AA` since 1994, without I, O, Q, U (they read as 1, 0, 0, V).
    CountryFormat {
        country: "IT",
        letters: "ABCDEFGHJKLMNPRSTVWXYZ",
        min_len: 5,
        max_len: 8,
    },
    // Poland: district code of 2-3 letters and 4-5 characters.
    CountryFormat {
        country: "PL",
        letters: LATIN,
        min_len: 4,
        max_len: 8,
    },
    // Greece: the 14 letters Greek and Latin share, in Latin after transliteration.
    CountryFormat {
        country: "GR",
        letters: "ABEHIKMNOPTXYZ",
        min_len: 4,
        max_len: 8,
    },
];

/// Plates of a country not in [`FORMATS`], or of no known country.
pub const GENERIC: CountryFormat = CountryFormat {
    country: "",
    letters: "",
    min_len: 1,
    max_len: 10,
};

/// The format of `country` (alpha-2 or alpha-3, any case; the generic one when unknown).
pub fn format_of(country: &str) -> &'static CountryFormat {
    let code = alpha2(country);
    FORMATS
        .iter()
        .find(|f| f.country.eq_ignore_ascii_case(code))
        .unwrap_or(&GENERIC)
}

/// The alpha-2 code of the alpha-3 codes of [`FORMATS`] (cameras report either).
fn alpha2(country: &str) -> &str {
    const ALPHA3: [(&str, &str); 6] = [
        ("DEU", "DE"),
        ("FRA", "FR"),
        ("ESP", "ES"),
        ("ITA", "IT"),
        ("POL", "PL"),
        ("GRC", "GR"),
    ];
    ALPHA3
        .iter()
        .find(|(a3, _)| a3.eq_ignore_ascii_case(country))
        .map_or(country, |(_, a2)| a2)
}

/// Why a plate does not fit its country's format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// A character the country's plates never carry.
    #[error("{plate:?}: {character:?} is not used on {country} plates")]
    Alphabet {
        /// The plate after normalisation.
        plate: String,
        /// The first offending character.
        character: char,
        /// The country ("generic" for the fallback).
        country: &'static str,
    },
    /// Too short or too long.
    #[error("{plate:?}: {len} characters, {country} plates have {min}-{max}")]
    Length {
        /// The plate after normalisation.
        plate: String,
        /// Its length in characters.
        len: usize,
        /// Shortest allowed.
        min: usize,
        /// Longest allowed.
        max: usize,
        /// The country ("generic" for the fallback).
        country: &'static str,
    },
}

/// Greek capitals and their Latin look-alikes on Greek plates.
fn greek_to_latin(c: char) -> char {
    match c {
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        'Ζ' => 'Z',
        other => other,
    }
}

/// `plate` normalised for `format`, or why it cannot be one of its plates. The separators
/// (spaces, dashes, dots) are removed and letters upper-cased first, as for hashing.
pub fn normalise(plate: &str, format: &CountryFormat) -> Result<String, FormatError> {
    let mut text = normalise_plate(plate);
    if format.country == "GR" {
        text = text.chars().map(greek_to_latin).collect();
    }
    let name = if format.country.is_empty() {
        "generic"
    } else {
        format.country
    };
    if let Some(character) = text.chars().find(|c| !format.allows(*c)) {
        return Err(FormatError::Alphabet {
            plate: text,
            character,
            country: name,
        });
    }
    let len = text.chars().count();
    if len < format.min_len || len > format.max_len {
        return Err(FormatError::Length {
            plate: text,
            len,
            min: format.min_len,
            max: format.max_len,
            country: name,
        });
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::share::PlateKey;

    #[test]
    fn separators_and_case_are_removed_as_for_hashing() {
        assert_eq!(normalise("ab-123-cd", format_of("FR")).unwrap(), "AB123CD");
        assert_eq!(normalise("B MW 1234", format_of("DEU")).unwrap(), "BMW1234");
        assert_eq!(normalise("1234 bcd", format_of("es")).unwrap(), "1234BCD");
    }

    #[test]
    fn greek_plates_in_either_script_normalise_to_the_same_latin_text() {
        let gr = format_of("GR");
        assert_eq!(normalise("ΙΚΒ-1234", gr).unwrap(), "IKB1234");
        assert_eq!(normalise("IKB 1234", gr).unwrap(), "IKB1234");
    }

    #[test]
    fn letters_outside_the_countrys_alphabet_are_refused() {
        // Italian plates have no O; Greek plates no C.
        assert!(matches!(
            normalise("AO123BC", format_of("IT")),
            Err(FormatError::Alphabet { character: 'O', .. })
        ));
        assert!(matches!(
            normalise("CKB1234", format_of("GR")),
            Err(FormatError::Alphabet { character: 'C', .. })
        ));
        assert!(matches!(
            normalise("AB1Ж3CD", format_of("FR")),
            Err(FormatError::Alphabet {
                character: 'Ж', ..
            })
        ));
    }

    #[test]
    fn plates_too_short_or_too_long_for_the_country_are_refused() {
        assert!(matches!(
            normalise("A1", format_of("PL")),
            Err(FormatError::Length { len: 2, .. })
        ));
        assert!(matches!(
            normalise("ABCDEFGHIJK", format_of("")),
            Err(FormatError::Length { len: 11, .. })
        ));
    }

    #[test]
    fn unknown_countries_fall_back_to_the_generic_format() {
        assert_eq!(format_of("XX"), &GENERIC);
        assert_eq!(normalise("Ж 123", format_of("UA")).unwrap(), "Ж123");
    }

    #[test]
    fn a_normalised_plate_hashes_as_share_plate_hashes_it() {
        let key = PlateKey::from_bytes(&[7; 32]).unwrap();
        for (plate, country) in [("ab-123-cd", "FR"), ("B MW 1234", "DE"), ("Ж 123", "")] {
            let n = normalise(plate, format_of(country)).unwrap();
            assert_eq!(normalise_plate(&n), n, "a fixed point of normalise_plate");
            assert_eq!(key.hash(&n), key.hash(plate));
        }
    }
}

//! What a plate may really say, given what the camera read: OCR confusions.
//!
//! Plate OCR confuses characters of the same shape: O/0, I/1, B/8, S/5, Z/2, D/0, G/6. From
//! the camera's reading and its candidates (each with a confidence) we generate the
//! readings within `max_substitutions` confusions, each scored `confidence ×
//! substitution_penalty^k` for `k` substitutions, only with characters the country's
//! format allows (an Italian plate has no O, so a 0 on one is never tried as an O). The
//! set is bounded: fewer substitutions first, the rest cut at `max_variants` (and the cut
//! reported, for the caller to count).

use super::format::CountryFormat;
use super::read::PlateObservation;

/// The characters OCR mistakes `c` for.
pub fn confusions(c: char) -> &'static [char] {
    match c {
        '0' => &['O', 'D'],
        'O' | 'D' => &['0'],
        'I' => &['1'],
        '1' => &['I'],
        'B' => &['8'],
        '8' => &['B'],
        'S' => &['5'],
        '5' => &['S'],
        'Z' => &['2'],
        '2' => &['Z'],
        'G' => &['6'],
        '6' => &['G'],
        _ => &[],
    }
}

/// How variants are generated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VariantLimits {
    /// Most confusions assumed in one reading.
    pub max_substitutions: usize,
    /// Most variants per read, all sources together.
    pub max_variants: usize,
    /// Factor on the score per confusion assumed, `(0, 1]`.
    pub substitution_penalty: f32,
}

impl Default for VariantLimits {
    fn default() -> Self {
        VariantLimits {
            max_substitutions: 2,
            max_variants: 64,
            substitution_penalty: 0.5,
        }
    }
}

/// One reading the plate may have.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The plate text.
    pub plate: String,
    /// `confidence × substitution_penalty^substitutions`, the best over the sources.
    pub score: f32,
    /// Confusions assumed from the source it came from.
    pub substitutions: usize,
}

/// The variants of one read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variants {
    /// Unique plates, in generation order: the readings themselves first, then one
    /// confusion away, and so on.
    pub list: Vec<Variant>,
    /// Whether `max_variants` cut the set short.
    pub capped: bool,
}

/// A reading under construction: its characters and the first position still free to change
/// (substituting left to right only, so each set of positions is generated once).
struct Partial {
    chars: Vec<char>,
    next: usize,
    score: f32,
}

impl Variants {
    /// Adds `plate`; false when the cap is reached.
    fn push(&mut self, plate: String, score: f32, substitutions: usize, cap: usize) -> bool {
        if let Some(v) = self.list.iter_mut().find(|v| v.plate == plate) {
            if score > v.score {
                v.score = score;
                v.substitutions = substitutions;
            }
            return true;
        }
        if self.list.len() >= cap {
            self.capped = true;
            return false;
        }
        self.list.push(Variant {
            plate,
            score,
            substitutions,
        });
        true
    }

    /// The variants of `sources` (reading, confidence) under `limits`, for `format`.
    pub fn of<'a>(
        sources: impl IntoIterator<Item = (&'a str, f32)>,
        format: &CountryFormat,
        limits: &VariantLimits,
    ) -> Variants {
        let cap = limits.max_variants;
        let mut out = Variants::default();
        let mut layer: Vec<Partial> = Vec::new();
        for (plate, confidence) in sources {
            if !out.push(plate.to_owned(), confidence, 0, cap) {
                return out;
            }
            layer.push(Partial {
                chars: plate.chars().collect(),
                next: 0,
                score: confidence,
            });
        }
        for k in 1..=limits.max_substitutions {
            let mut next_layer = Vec::new();
            for partial in &layer {
                for pos in partial.next..partial.chars.len() {
                    let Some(&original) = partial.chars.get(pos) else {
                        continue;
                    };
                    for &alt in confusions(original) {
                        if !format.allows(alt) {
                            continue;
                        }
                        let mut chars = partial.chars.clone();
                        if let Some(slot) = chars.get_mut(pos) {
                            *slot = alt;
                        }
                        let score = partial.score * limits.substitution_penalty;
                        if !out.push(chars.iter().collect(), score, k, cap) {
                            return out;
                        }
                        next_layer.push(Partial {
                            chars,
                            next: pos + 1,
                            score,
                        });
                    }
                }
            }
            layer = next_layer;
        }
        out
    }

    /// The variants of an observation: its reading and its candidates.
    pub fn of_observation(observation: &PlateObservation, limits: &VariantLimits) -> Variants {
        let sources = std::iter::once((observation.plate.as_str(), observation.confidence)).chain(
            observation
                .candidates
                .iter()
                .map(|c| (c.plate.as_str(), c.confidence)),
        );
        Variants::of(sources, observation.format, limits)
    }
}

/// How well `read` matches `listed`: 1 for the same text, multiplied by
/// `substitution_penalty` for each position where they differ by an OCR confusion; 0 when
/// they differ in length or anywhere else.
pub fn match_score(read: &str, listed: &str, substitution_penalty: f32) -> f32 {
    if read.chars().count() != listed.chars().count() {
        return 0.0;
    }
    let mut score = 1.0;
    for (r, l) in read.chars().zip(listed.chars()) {
        if r == l {
            continue;
        }
        if confusions(r).contains(&l) {
            score *= substitution_penalty;
        } else {
            return 0.0;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plates::format::{GENERIC, format_of};

    fn plates(v: &Variants) -> Vec<&str> {
        v.list.iter().map(|v| v.plate.as_str()).collect()
    }

    #[test]
    fn one_confusion_gives_the_confusable_alternatives_scored_by_the_penalty() {
        let v = Variants::of([("AB10", 0.8)], &GENERIC, &VariantLimits::default());
        // B→8, 1→I, 0→O, 0→D, then the pairs.
        assert_eq!(
            plates(&v),
            [
                "AB10", "A810", "ABI0", "AB1O", "AB1D", "A8I0", "A81O", "A81D", "ABIO", "ABID"
            ]
        );
        assert_eq!(v.list[1].score, 0.4);
        assert_eq!(v.list[5].substitutions, 2);
        assert!((v.list[5].score - 0.2).abs() < 1e-6);
        assert!(!v.capped);
    }

    #[test]
    fn characters_the_country_does_not_use_are_never_tried() {
        // Italian plates have no O and no I.
        let v = Variants::of(
            [("AB100CD", 0.9)],
            format_of("IT"),
            &VariantLimits::default(),
        );
        assert!(
            plates(&v)
                .iter()
                .all(|p| !p.contains('O') && !p.contains('I'))
        );
        assert!(plates(&v).contains(&"A8100CD"));
        assert!(plates(&v).contains(&"AB1D0CD"));
    }

    #[test]
    fn the_cap_keeps_the_fewest_substitutions_and_says_it_cut() {
        let limits = VariantLimits {
            max_variants: 3,
            ..VariantLimits::default()
        };
        let v = Variants::of([("0000", 1.0), ("1111", 0.5)], &GENERIC, &limits);
        assert_eq!(plates(&v), ["0000", "1111", "O000"]);
        assert!(v.capped);
    }

    #[test]
    fn a_plate_reached_from_two_sources_keeps_its_best_score() {
        let v = Variants::of(
            [("AB8", 0.3), ("ABB", 0.9)],
            &GENERIC,
            &VariantLimits::default(),
        );
        let abb = v.list.iter().find(|v| v.plate == "ABB").unwrap();
        assert_eq!((abb.score, abb.substitutions), (0.9, 0));
        let a8b = v.list.iter().find(|v| v.plate == "A8B").unwrap();
        assert_eq!(
            (a8b.score, a8b.substitutions),
            (0.45, 1),
            "one confusion from ABB, better than two from AB8"
        );
    }

    #[test]
    fn the_match_score_counts_confusions_and_refuses_other_differences() {
        assert_eq!(match_score("AB123CD", "AB123CD", 0.5), 1.0);
        assert_eq!(match_score("A8123CD", "AB123CD", 0.5), 0.5);
        assert_eq!(match_score("A8I23CD", "AB123CD", 0.5), 0.25);
        assert_eq!(match_score("AX123CD", "AB123CD", 0.5), 0.0);
        assert_eq!(match_score("AB123C", "AB123CD", 0.5), 0.0);
    }
}

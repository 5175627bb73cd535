//! The plate engine as a whole: single situations, retention, and a simulated checkpoint day
//! measured for precision and recall.

use super::confusion::confusions;
use super::format::{CountryFormat, format_of};
use super::read::Candidate;
use super::*;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

const NOW: Time = 1_795_000_000.0;

fn key() -> PlateKey {
    PlateKey::from_bytes(&[0x5a; 32]).unwrap()
}

/// Four Greek land border posts (TR, MK, BG, AL).
fn checkpoints() -> Vec<Checkpoint> {
    [
        ("kipoi", 40.93, 26.33),
        ("evzoni", 41.11, 22.56),
        ("promachonas", 41.37, 23.36),
        ("kakavia", 39.90, 20.37),
    ]
    .into_iter()
    .map(|(id, lat, lon)| Checkpoint {
        id: id.into(),
        lat,
        lon,
    })
    .collect()
}

fn engine(hotlist: &[&str]) -> PlateEngine {
    let settings = EngineSettings {
        checkpoints: checkpoints(),
        ..EngineSettings::default()
    };
    let hotlist = Hotlist::from_digests(hotlist.iter().map(|p| PlateDigest::of(&key(), p)));
    PlateEngine::new(settings, key(), hotlist)
}

fn obs(plate: &str, country: &str, checkpoint: &str, t: Time) -> PlateObservation {
    PlateObservation {
        plate: plate.into(),
        confidence: 0.9,
        candidates: Vec::new(),
        format: format_of(country),
        checkpoint: checkpoint.into(),
        camera: "1".into(),
        lane: Some(1),
        direction: borderfuse_common::frame::Direction::Entering,
        t,
    }
}

#[test]
fn a_misread_hotlisted_plate_raises_one_hotlist_event_per_passage() {
    let mut e = engine(&["AB123CD"]);
    let ev = e.ingest(&obs("A8123CD", "FR", "kipoi", NOW), NOW);
    let [
        PlateEvent::Hotlist {
            plate,
            read,
            substitutions,
            ..
        },
    ] = ev.as_slice()
    else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (plate.as_str(), read.as_str(), *substitutions),
        ("AB123CD", "A8123CD", 1)
    );
    // The rear camera reads it right a second later: the same passage, no second event.
    let ev = e.ingest(&obs("AB123CD", "FR", "kipoi", NOW + 1.0), NOW + 1.0);
    assert!(ev.is_empty(), "{ev:?}");
    assert_eq!(e.stats().merged_reads, 1);
    assert_eq!(e.stats().hotlist_events, 1);
}

#[test]
fn a_plate_at_two_distant_posts_within_the_hour_raises_plate_clone() {
    let mut e = engine(&[]);
    assert!(
        e.ingest(&obs("IKB1234", "GR", "kipoi", NOW), NOW)
            .is_empty()
    );
    let ev = e.ingest(&obs("IKB1234", "GR", "kakavia", NOW + 3600.0), NOW + 3600.0);
    let [
        PlateEvent::Clone {
            plate, evidence, ..
        },
    ] = ev.as_slice()
    else {
        panic!("{ev:?}")
    };
    assert_eq!(plate.as_deref(), Some("IKB1234"));
    assert_eq!(evidence.other_checkpoint, "kipoi");
    assert_eq!(ev[0].kind(), "plate_clone");
}

#[test]
fn a_partners_hashed_sighting_counts_for_clones() {
    let mut e = engine(&[]);
    let d = e.digest("IKB1234");
    assert!(e.ingest_partner_sighting(d, "kakavia", NOW, NOW).is_empty());
    let ev = e.ingest(&obs("IKB1234", "GR", "kipoi", NOW + 600.0), NOW + 600.0);
    assert!(
        matches!(ev.as_slice(), [PlateEvent::Clone { .. }]),
        "{ev:?}"
    );
    assert!(
        e.ingest_partner_sighting(d, "atlantis", NOW, NOW)
            .is_empty()
    );
    assert_eq!(e.stats().rejected_checkpoint, 1);
}

#[test]
fn bad_reads_are_counted_by_reason_and_never_stored() {
    let mut e = engine(&["AB123CD"]);
    let bad = [
        "{not json",
        r#"{"plate": "AO123BC", "confidence": 0.9, "region": "it", "epoch_time": 1}"#,
        r#"{"plate": "A1", "confidence": 0.9, "region": "pl", "epoch_time": 1}"#,
        r#"{"plate": "AB123CD", "confidence": 1.2, "epoch_time": 1}"#,
        r#"{"plate": "AB123CD", "confidence": 0.9, "epoch_time": 9999999999999}"#,
    ];
    for text in bad {
        assert!(e.ingest_json(text, "kipoi", NOW).is_empty(), "{text}");
    }
    let s = *e.stats();
    assert_eq!(
        (
            s.reads,
            s.accepted,
            s.rejected_malformed,
            s.rejected_alphabet,
            s.rejected_length,
            s.rejected_confidence,
            s.rejected_time
        ),
        (5, 0, 1, 1, 1, 1, 1)
    );
    assert!(e.clear.is_empty() && e.crossings.is_empty());
    let ok =
        r#"{"plate": "ab-123-cd", "confidence": 0.9, "region": "fr", "epoch_time": 1795000000000}"#;
    assert_eq!(e.ingest_json(ok, "kipoi", NOW).len(), 1);
    assert_eq!(e.ingest_json(ok, "atlantis", NOW).len(), 0);
    assert_eq!(e.stats().rejected_checkpoint, 1);
}

#[test]
fn the_clear_plate_is_deleted_after_its_retention_while_its_digest_state_lasts_longer() {
    let settings = EngineSettings {
        checkpoints: checkpoints(),
        clear_retention_s: 3600.0,
        crossing: CrossingLimits {
            retention_s: 86_400.0,
            ..CrossingLimits::default()
        },
        ..EngineSettings::default()
    };
    let mut e = PlateEngine::new(settings, key(), Hotlist::default());
    e.ingest(&obs("IKB1234", "GR", "kipoi", NOW), NOW);
    let d = e.digest("IKB1234");
    assert_eq!(e.clear_plate(&d), Some("IKB1234"));
    // The injected clock: just before, then just after the retention time.
    e.purge(NOW + 3599.0);
    assert_eq!(e.clear_plate(&d), Some("IKB1234"));
    e.purge(NOW + 3601.0);
    assert_eq!(e.clear_plate(&d), None, "the clear plate is gone");
    assert!(
        !format!("{e:?}").contains("IKB1234"),
        "nowhere in the engine"
    );
    assert!(e.tracks(&d), "its passages, by digest, are kept for clones");
    assert_eq!(e.stats().clear_plates_deleted, 1);
    // A clone seen after the clear plate's deletion is reported by digest, in clear only
    // when read again here.
    let ev = e.ingest_partner_sighting(d, "kakavia", NOW + 3700.0, NOW + 3700.0);
    assert!(
        matches!(ev.as_slice(), [PlateEvent::Clone { plate: None, .. }]),
        "{ev:?}"
    );
    e.purge(NOW + 3700.0 + 86_401.0);
    assert!(
        !e.tracks(&d),
        "and the digest state goes after its own retention"
    );
    assert_eq!(e.stats().plates_forgotten, 1);
}

#[test]
fn reads_beyond_the_plate_cap_are_counted_and_still_checked_against_the_hotlist() {
    let settings = EngineSettings {
        checkpoints: checkpoints(),
        crossing: CrossingLimits {
            max_plates: 1,
            ..CrossingLimits::default()
        },
        ..EngineSettings::default()
    };
    let hot = Hotlist::from_digests([PlateDigest::of(&key(), "XY987ZZ")]);
    let mut e = PlateEngine::new(settings, key(), hot);
    e.ingest(&obs("AB123CD", "FR", "kipoi", NOW), NOW);
    let ev = e.ingest(&obs("XY987ZZ", "FR", "kipoi", NOW), NOW);
    assert_eq!(ev.len(), 1);
    assert_eq!(e.stats().plate_cap_hits, 1);
    assert_eq!(
        e.clear.len(),
        1,
        "the plate beyond the cap is not kept in clear either"
    );
}

// ---------------------------------------------------------------------------------------
// A simulated checkpoint day.

/// A random plate in `country`'s current format.
fn random_plate(rng: &mut StdRng, country: &str) -> String {
    let f: &CountryFormat = format_of(country);
    let letters: Vec<char> = f
        .letters
        .chars()
        .filter(|c| c.is_ascii_uppercase())
        .collect();
    let l = |n: usize, rng: &mut StdRng| -> String {
        (0..n)
            .map(|_| *letters.choose(rng).unwrap_or(&'A'))
            .collect()
    };
    let d = |n: usize, rng: &mut StdRng| -> String {
        (0..n)
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect()
    };
    match country {
        "GR" => format!("{}{}", l(3, rng), d(4, rng)),
        "DE" => {
            let district = rng.random_range(1..=3);
            let letters_n = rng.random_range(1..=2);
            let digits_n = rng.random_range(1..=4);
            format!(
                "{}{}{}",
                l(district, rng),
                l(letters_n, rng),
                d(digits_n, rng)
            )
        }
        "PL" => format!("{}{}", l(3, rng), d(5, rng)),
        "ES" => {
            let consonants: Vec<char> = "BCDFGHJKLMNPRSTVWXYZ".chars().collect();
            let c: String = (0..3)
                .map(|_| *consonants.choose(rng).unwrap_or(&'B'))
                .collect();
            format!("{}{c}", d(4, rng))
        }
        // FR and IT: AA123AA.
        _ => format!("{}{}{}", l(2, rng), d(3, rng), l(2, rng)),
    }
}

/// `plate` with one OCR confusion the country's alphabet allows, if it has a confusable
/// character.
fn misread(rng: &mut StdRng, plate: &str, format: &CountryFormat) -> Option<String> {
    let chars: Vec<char> = plate.chars().collect();
    let options: Vec<(usize, char)> = chars
        .iter()
        .enumerate()
        .flat_map(|(i, &c)| confusions(c).iter().map(move |&a| (i, a)))
        .filter(|&(_, a)| format.allows(a))
        .collect();
    let &(i, alt) = options.choose(rng)?;
    let mut out = chars;
    out[i] = alt;
    Some(out.into_iter().collect())
}

struct Passage {
    plate: String,
    country: &'static str,
    checkpoint: usize,
    t: Time,
}

#[derive(Debug, Default)]
struct Score {
    tp: usize,
    fp: usize,
    truths: usize,
    found: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.found as f64 / self.truths.max(1) as f64
    }
}

/// Shortest plausible travel time between two checkpoints under the default limits.
fn min_travel_s(cps: &[Checkpoint], a: usize, b: usize) -> f64 {
    let l = CrossingLimits::default();
    crossing::great_circle_m(&cps[a], &cps[b]) * l.detour_factor / l.max_speed_mps
}

#[test]
fn a_simulated_checkpoint_day_finds_hotlisted_and_cloned_plates_with_precision_and_recall_over_99_percent()
 {
    const VEHICLES: usize = 10_000;
    const HOTLISTED: usize = 100;
    const CLONED: usize = 50;
    const DECOYS: usize = 10_000;
    let mut rng = StdRng::seed_from_u64(8);
    let cps = checkpoints();
    let countries = ["GR", "GR", "GR", "DE", "FR", "IT", "PL", "ES"];
    let mut seen = HashSet::new();
    let mut plates: Vec<(String, &'static str)> = Vec::new();
    while plates.len() < VEHICLES + DECOYS {
        let country = *countries.choose(&mut rng).unwrap();
        let p = random_plate(&mut rng, country);
        if seen.insert(p.clone()) {
            plates.push((p, country));
        }
    }
    let (vehicles, decoys) = plates.split_at(VEHICLES);
    // Hotlisted: the first HOTLISTED vehicles and every decoy (listed, never seen).
    let hotlisted: HashSet<&str> = vehicles[..HOTLISTED]
        .iter()
        .chain(decoys)
        .map(|(p, _)| p.as_str())
        .collect();
    // Cloned: the next CLONED vehicles get a twin plate elsewhere, too soon.
    let cloned: HashSet<&str> = vehicles[HOTLISTED..HOTLISTED + CLONED]
        .iter()
        .map(|(p, _)| p.as_str())
        .collect();

    let mut passages = Vec::new();
    for (i, (plate, country)) in vehicles.iter().enumerate() {
        let a = rng.random_range(0..cps.len());
        let t = rng.random_range(0.0..80_000.0);
        passages.push(Passage {
            plate: plate.clone(),
            country,
            checkpoint: a,
            t,
        });
        let is_clone = (HOTLISTED..HOTLISTED + CLONED).contains(&i);
        if is_clone || rng.random_bool(0.3) {
            let b = (a + rng.random_range(1..cps.len())) % cps.len();
            let travel = min_travel_s(&cps, a, b);
            let factor = if is_clone {
                rng.random_range(0.05..0.7)
            } else {
                rng.random_range(1.1..3.0)
            };
            passages.push(Passage {
                plate: plate.clone(),
                country,
                checkpoint: b,
                t: t + travel * factor,
            });
        }
    }

    // Reads: one or two cameras a passage, 1 % misread by an OCR confusion.
    let mut reads = Vec::new();
    let mut misreads = 0;
    for p in &passages {
        let format = format_of(p.country);
        let cameras = if rng.random_bool(0.8) { 2 } else { 1 };
        for camera in 0..cameras {
            let t = p.t + rng.random_range(0.0..5.0);
            let mut o = obs(&p.plate, p.country, &cps[p.checkpoint].id, t);
            o.camera = camera.to_string();
            o.confidence = rng.random_range(0.8..0.99);
            if rng.random_bool(0.01)
                && let Some(wrong) = misread(&mut rng, &p.plate, format)
            {
                misreads += 1;
                o.plate = wrong;
                o.confidence = rng.random_range(0.5..0.8);
                if rng.random_bool(0.5) {
                    o.candidates.push(Candidate {
                        plate: p.plate.clone(),
                        confidence: o.confidence * 0.8,
                    });
                }
            } else if rng.random_bool(0.3)
                && let Some(alt) = misread(&mut rng, &p.plate, format)
            {
                // Cameras offer a confusable alternative as a weak candidate.
                o.candidates.push(Candidate {
                    plate: alt,
                    confidence: 0.1,
                });
            }
            reads.push(o);
        }
    }
    reads.shuffle(&mut rng);
    reads.sort_by(|a, b| a.t.total_cmp(&b.t));

    let mut e = PlateEngine::new(
        EngineSettings {
            checkpoints: cps.clone(),
            ..EngineSettings::default()
        },
        key(),
        Hotlist::from_digests(hotlisted.iter().map(|p| PlateDigest::of(&key(), p))),
    );
    let by_digest: HashMap<PlateDigest, &str> = vehicles
        .iter()
        .map(|(p, _)| (PlateDigest::of(&key(), p), p.as_str()))
        .collect();
    let mut events = Vec::new();
    for r in &reads {
        events.extend(e.ingest(r, r.t));
    }

    // plate_hotlist, per passage.
    let hot_passages: Vec<&Passage> = passages
        .iter()
        .filter(|p| hotlisted.contains(p.plate.as_str()))
        .collect();
    let mut hot = Score {
        truths: hot_passages.len(),
        ..Score::default()
    };
    let mut hit = vec![false; hot_passages.len()];
    // plate_clone, per plate.
    let mut clone = Score {
        truths: cloned.len(),
        ..Score::default()
    };
    let mut clones_found = HashSet::new();
    for ev in &events {
        match ev {
            PlateEvent::Hotlist {
                plate,
                checkpoint,
                t,
                ..
            } => {
                let m = hot_passages.iter().position(|p| {
                    p.plate == *plate
                        && cps[p.checkpoint].id == *checkpoint
                        && (t - p.t).abs() < 10.0
                });
                match m {
                    Some(i) if !hit[i] => {
                        hit[i] = true;
                        hot.tp += 1;
                    }
                    _ => hot.fp += 1,
                }
            }
            PlateEvent::Clone { digest, .. } => {
                match by_digest.get(digest).filter(|p| cloned.contains(**p)) {
                    Some(p) => {
                        clone.tp += 1;
                        clones_found.insert(*p);
                    }
                    None => clone.fp += 1,
                }
            }
            PlateEvent::RepeatCrossing { .. } => {}
        }
    }
    hot.found = hit.iter().filter(|h| **h).count();
    clone.found = clones_found.len();
    for missed in cloned.difference(&clones_found) {
        for p in passages.iter().filter(|p| p.plate == *missed) {
            println!(
                "missed clone {missed} at {} t={}",
                cps[p.checkpoint].id, p.t
            );
        }
        for r in reads
            .iter()
            .filter(|r| r.plate == *missed || r.candidates.iter().any(|c| c.plate == *missed))
        {
            println!(
                "  read {} at {} t={} {:?}",
                r.plate, r.checkpoint, r.t, r.candidates
            );
        }
    }
    let s = e.stats();
    println!(
        "checkpoint day: {} vehicles, {} passages, {} reads ({misreads} misread), hotlist of {}",
        VEHICLES,
        passages.len(),
        reads.len(),
        hotlisted.len()
    );
    println!(
        "plate_hotlist: precision {:.4} recall {:.4} ({hot:?})",
        hot.precision(),
        hot.recall()
    );
    println!(
        "plate_clone: precision {:.4} recall {:.4} ({clone:?})",
        clone.precision(),
        clone.recall()
    );
    println!("{s:?}");
    assert!(misreads > reads.len() / 200, "about 1 % misread");
    assert!(hot.precision() >= 0.99 && hot.recall() >= 0.99, "{hot:?}");
    assert!(
        clone.precision() >= 0.99 && clone.recall() >= 0.99,
        "{clone:?}"
    );
    assert_eq!(s.repeat_events, 0, "nobody crosses more than twice");
    assert_eq!(s.reads, reads.len() as u64);
}

#[test]
fn plate_events_become_alerts_of_their_kind_at_the_checkpoint_with_stable_ids() {
    let mut e = engine(&["AB123CD"]);
    let ev = e.ingest(&obs("A8123CD", "FR", "kipoi", NOW), NOW);
    let a = e.alert(&ev[0], "GR", "kipoi");
    assert_eq!(a.kind.as_str(), "plate_hotlist");
    assert_eq!((a.lat, a.lon), (40.93, 26.33));
    assert_eq!(a.identity.plate.as_deref(), Some("AB123CD"));
    assert_eq!(a.evidence["plates"]["read"], "A8123CD");
    assert_eq!(
        a.id,
        e.alert(&ev[0], "GR", "kipoi").id,
        "replayed, the same id"
    );
    assert_ne!(a.id, e.alert(&ev[0], "GR", "evros").id);
    e.ingest(&obs("IKB1234", "GR", "kipoi", NOW), NOW);
    let ev = e.ingest(&obs("IKB1234", "GR", "kakavia", NOW + 60.0), NOW + 60.0);
    let a = e.alert(&ev[0], "GR", "kipoi");
    assert_eq!(a.kind.as_str(), "plate_clone");
    assert_eq!(a.evidence["other_checkpoint"], "kipoi");
    assert_eq!(a.evidence["plate_hash"], key().hash("IKB1234"));
    // The payload validates against the published schema's kind list.
    let payload = serde_json::to_value(a.payload("GR", "kipoi")).unwrap();
    assert_eq!(payload["kind"], "plate_clone");
}

#[test]
fn a_shared_hotlist_is_matched_once_taken_replaced_by_newer_versions_only_and_withdrawn() {
    use super::hotlist::{ListId, ListUpdate};
    let mut e = engine(&[]);
    let list = |version: u64, plates: &[&str]| {
        HotlistUpdate::Replace(ListUpdate {
            id: ListId {
                topic: "borderfuse/v1/hotlist/bg".into(),
                name: "wanted".into(),
            },
            version,
            digests: plates.iter().map(|p| PlateDigest::of(&key(), p)).collect(),
        })
    };
    e.update_hotlist(list(2, &["AB123CD"]));
    let ev = e.ingest(&obs("AB123CD", "FR", "kipoi", NOW), NOW);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0].kind(), "plate_hotlist");
    // A replayed older version changes nothing.
    e.update_hotlist(list(1, &["XY987ZZ"]));
    assert!(e.hotlist().contains(&PlateDigest::of(&key(), "AB123CD")));
    // Version 3 no longer lists it.
    e.update_hotlist(list(3, &["XY987ZZ"]));
    let ev = e.ingest(&obs("AB123CD", "FR", "evzoni", NOW + 7200.0), NOW + 7200.0);
    assert!(ev.iter().all(|e| e.kind() != "plate_hotlist"), "{ev:?}");
    e.update_hotlist(HotlistUpdate::Withdraw {
        topic: "borderfuse/v1/hotlist/bg".into(),
    });
    let s = e.stats();
    assert_eq!(
        (
            s.hotlist_updates,
            s.hotlist_stale,
            s.hotlist_withdrawn,
            s.hotlist_listed
        ),
        (2, 1, 1, 0)
    );
}

//! Plate matching throughput against a 1,000,000-entry hashed hotlist, on one core.
//!
//! - `hotlist_match`: a read's confusion variants (its reading and two candidates, up to two
//!   confusions each, at most 64) generated, hashed (HMAC-SHA256) and looked up.
//! - `engine_ingest`: the whole `PlateEngine::ingest` on a stream of reads at four
//!   checkpoints (variants, hashes, passage merging, clone check, hotlist, retention).
//!
//! Issue 8's target is 10,000 reads/s. `cargo bench -p borderfuse-agent --bench plates`.

use borderfuse_agent::plates::format::format_of;
use borderfuse_agent::plates::read::Candidate;
use borderfuse_agent::plates::{
    Checkpoint, EngineSettings, Hotlist, PlateDigest, PlateEngine, PlateObservation, VariantLimits,
    Variants,
};
use borderfuse_agent::share::PlateKey;
use borderfuse_common::frame::Direction;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const HOTLIST_ENTRIES: usize = 1_000_000;
const READS: usize = 1_000;

/// A French-format plate (AA123AA) of random letters and digits: digits 0, 1, 2, 5, 6, 8
/// and letters B, D, G, I, O, S, Z give confusion variants, as on real plates.
fn random_plate(rng: &mut StdRng) -> String {
    let letter = |rng: &mut StdRng| char::from(b'A' + rng.random_range(0..26u8));
    let digit = |rng: &mut StdRng| char::from(b'0' + rng.random_range(0..10u8));
    [
        letter(rng),
        letter(rng),
        digit(rng),
        digit(rng),
        digit(rng),
        letter(rng),
        letter(rng),
    ]
    .into_iter()
    .collect()
}

fn reads(rng: &mut StdRng, checkpoints: &[Checkpoint]) -> Vec<PlateObservation> {
    (0..READS)
        .map(|i| PlateObservation {
            plate: random_plate(rng),
            confidence: 0.9,
            candidates: vec![
                Candidate {
                    plate: random_plate(rng),
                    confidence: 0.5,
                },
                Candidate {
                    plate: random_plate(rng),
                    confidence: 0.3,
                },
            ],
            format: format_of("FR"),
            checkpoint: checkpoints[i % checkpoints.len()].id.clone(),
            camera: "1".into(),
            lane: Some(1),
            direction: Direction::Entering,
            t: i as f64,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let key = PlateKey::from_bytes(&[0x42; 32]).expect("32-byte key");
    let mut rng = StdRng::seed_from_u64(8);
    // Random digests stand for a partner's list; a few real plates among them so that some
    // reads hit.
    let mut hotlist =
        Hotlist::from_digests((0..HOTLIST_ENTRIES).map(|_| PlateDigest(rng.random())));
    let checkpoints: Vec<Checkpoint> = [
        ("a", 40.9, 26.3),
        ("b", 41.1, 22.6),
        ("c", 41.4, 23.4),
        ("d", 39.9, 20.4),
    ]
    .into_iter()
    .map(|(id, lat, lon)| Checkpoint {
        id: id.into(),
        lat,
        lon,
    })
    .collect();
    let reads = reads(&mut rng, &checkpoints);
    for r in reads.iter().step_by(100) {
        hotlist.insert(PlateDigest::of(&key, &r.plate));
    }
    let limits = VariantLimits::default();
    let variants_per_read: usize = reads
        .iter()
        .map(|r| Variants::of_observation(r, &limits).list.len())
        .sum::<usize>()
        / READS;
    eprintln!(
        "{variants_per_read} variants a read on average, {} hotlist entries",
        hotlist.len()
    );

    let mut group = c.benchmark_group("plates");
    group.throughput(Throughput::Elements(READS as u64));
    group.bench_function("hotlist_match_1M", |b| {
        b.iter(|| {
            let mut hits = 0;
            for r in &reads {
                let v = Variants::of_observation(r, &limits);
                hits += usize::from(hotlist.best_match(&key, &v, 0.0).is_some());
            }
            black_box(hits)
        })
    });
    let settings = EngineSettings {
        checkpoints,
        ..EngineSettings::default()
    };
    group.bench_function("engine_ingest_1M", |b| {
        b.iter_batched(
            || PlateEngine::new(settings.clone(), key.clone(), hotlist.clone()),
            |mut engine| {
                let mut events = 0;
                for r in &reads {
                    events += engine.ingest(r, r.t).len();
                }
                black_box(events)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);

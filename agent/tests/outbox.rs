//! The outbox under random sequences of appends, acknowledgements, clean restarts and crashes
//! that tear the last write at any byte (with or without garbage after the tear): a message
//! stored and not durably removed is never lost, a message durably removed never comes back,
//! and a torn commit counts for a prefix of its records, never for more.

use borderfuse_agent::publish::outbox::{
    Class, Committed, LOG_FILE, Message, Outbox, OutboxLimits, Outcome, Refusal, Seq,
};
use proptest::prelude::*;
use proptest::sample::Index;
use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone)]
enum Op {
    Append(Vec<(bool, usize)>),
    Remove(Vec<Index>),
    RemoveUnknown(u64),
    Reopen,
    /// Commit, then tear the commit's write at `cut` (0..=1 of its bytes) and append
    /// `garbage`, then reopen.
    Crash {
        append: Vec<(bool, usize)>,
        remove: Vec<Index>,
        cut: f64,
        garbage: Vec<u8>,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let msgs = prop::collection::vec((any::<bool>(), 0usize..300), 0..6);
    prop_oneof![
        4 => msgs.clone().prop_map(Op::Append),
        3 => prop::collection::vec(any::<Index>(), 0..4).prop_map(Op::Remove),
        1 => (0u64..1000).prop_map(Op::RemoveUnknown),
        1 => Just(Op::Reopen),
        3 => (msgs, prop::collection::vec(any::<Index>(), 0..3), 0.0f64..=1.0, prop::collection::vec(any::<u8>(), 0..24))
            .prop_map(|(append, remove, cut, garbage)| Op::Crash { append, remove, cut, garbage }),
    ]
}

struct Maker(u64);

impl Maker {
    fn make(&mut self, spec: &[(bool, usize)]) -> Vec<Message> {
        spec.iter()
            .map(|&(alert, len)| {
                self.0 += 1;
                Message {
                    class: if alert { Class::Alert } else { Class::Track },
                    topic: format!(
                        "borderfuse/v1/GR/p/{}",
                        if alert {
                            "alerts/dark_target"
                        } else {
                            "tracks"
                        }
                    ),
                    payload: (0..len).map(|i| (i as u64 + self.0) as u8).collect(),
                    id: format!("m{}", self.0),
                    created_ms: 1_764_331_200_000 + self.0,
                    expiry_s: (self.0 % 3 != 0).then_some(60),
                    user_properties: vec![("schema".into(), "borderfuse.alert/1".into())],
                }
            })
            .collect()
    }
}

type Model = BTreeMap<Seq, Message>;

fn state(o: &Outbox) -> Model {
    o.pending().map(|(s, m)| (s, (**m).clone())).collect()
}

/// Applies a successful commit's report to the model; returns (removed seqs, new seqs).
fn apply(
    model: &mut Model,
    removals: &[Seq],
    given: &[Message],
    c: &Committed,
) -> (Vec<Seq>, Vec<Seq>) {
    let mut removed = Vec::new();
    for s in removals {
        if model.remove(s).is_some() {
            removed.push(*s);
        }
    }
    for s in &c.shed {
        let m = model.remove(s).expect("only live messages are shed");
        assert_eq!(m.class, Class::Track, "only tracks are shed");
        removed.push(*s);
    }
    let mut new = Vec::new();
    assert_eq!(c.outcomes.len(), given.len());
    for (o, g) in c.outcomes.iter().zip(given) {
        match o {
            Outcome::Stored(s, m) => {
                assert_eq!(**m, *g);
                assert!(model.keys().all(|k| k < s), "sequence numbers increase");
                model.insert(*s, g.clone());
                new.push(*s);
            }
            Outcome::Refused(m, r) => {
                assert_eq!(m, g);
                assert!(matches!(r, Refusal::Full | Refusal::Invalid { .. }));
            }
        }
    }
    (removed, new)
}

fn file_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join(LOG_FILE)).unwrap().len()
}

fn check_limits(o: &Outbox, limits: OutboxLimits) {
    assert!(o.live_bytes() <= limits.max_bytes);
    assert!(o.len() <= limits.max_messages);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_stored_message_is_lost_and_no_removed_one_comes_back(
        ops in prop::collection::vec(op(), 1..30),
        max_messages in 2usize..40,
        max_bytes in 1_500u64..20_000,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let limits = OutboxLimits { max_bytes, max_messages };
        let mut maker = Maker(0);
        let mut model = Model::new();
        let mut outbox = Some(Outbox::open(dir.path(), limits).unwrap().0);
        for op in ops {
            let o = outbox.as_mut().unwrap();
            match op {
                Op::Append(spec) => {
                    let given = maker.make(&spec);
                    let c = o.append(given.clone()).unwrap();
                    apply(&mut model, &[], &given, &c);
                }
                Op::Remove(picks) => {
                    let keys: Vec<Seq> = model.keys().copied().collect();
                    if keys.is_empty() { continue; }
                    let seqs: Vec<Seq> = picks.iter().map(|i| *i.get(&keys)).collect();
                    let c = o.remove(&seqs).unwrap();
                    apply(&mut model, &seqs, &[], &c);
                }
                Op::RemoveUnknown(offset) => {
                    let unknown = model.keys().last().map_or(0, |k| k + 1) + offset;
                    let c = o.remove(&[unknown]).unwrap();
                    prop_assert_eq!(c.removed, 0);
                }
                Op::Reopen => {
                    drop(outbox.take());
                    let (o, r) = Outbox::open(dir.path(), limits).unwrap();
                    prop_assert_eq!(r.cut_bytes, 0);
                    prop_assert_eq!(&state(&o), &model);
                    outbox = Some(o);
                }
                Op::Crash { append, remove, cut, garbage } => {
                    let keys: Vec<Seq> = model.keys().copied().collect();
                    let seqs: Vec<Seq> = if keys.is_empty() { Vec::new() } else { remove.iter().map(|i| *i.get(&keys)).collect() };
                    let given = maker.make(&append);
                    let before = file_len(dir.path());
                    let old = model.clone();
                    let c = o.commit(&seqs, given.clone()).unwrap();
                    let (removed, new) = apply(&mut model, &seqs, &given, &c);
                    let after = file_len(dir.path());
                    drop(outbox.take());
                    if !c.compacted {
                        let cut_at = before + ((after - before) as f64 * cut) as u64;
                        let f = OpenOptions::new().write(true).open(dir.path().join(LOG_FILE)).unwrap();
                        f.set_len(cut_at).unwrap();
                        drop(f);
                        let mut f = OpenOptions::new().append(true).open(dir.path().join(LOG_FILE)).unwrap();
                        f.write_all(&garbage).unwrap();
                    }
                    let (o, recovery) = Outbox::open(dir.path(), limits).unwrap();
                    let s = state(&o);
                    let why = format!("{recovery:?} before={before} after={after} cut={cut} compacted={} removed={removed:?} new={new:?} old={:?} now={:?}", c.compacted, old.keys().collect::<Vec<_>>(), s.keys().collect::<Vec<_>>());
                    // Nothing unknown, and every message as it was given.
                    for (seq, m) in &s {
                        prop_assert!(old.get(seq).or_else(|| model.get(seq)) == Some(m), "unknown or altered message {}", seq);
                    }
                    // Untouched messages survive.
                    for seq in old.keys().filter(|k| !removed.contains(k)) {
                        prop_assert!(s.contains_key(seq), "lost {}: {}", seq, why);
                    }
                    // The torn commit counts for a prefix: its removals first, then its
                    // messages in order.
                    let present: Vec<bool> = new.iter().map(|k| s.contains_key(k)).collect();
                    prop_assert!(present.windows(2).all(|w| w[0] || !w[1]), "not a prefix: {:?}", present);
                    if present.first() == Some(&true) {
                        prop_assert!(removed.iter().all(|k| !s.contains_key(k)), "messages applied before removals");
                    }
                    let removal_applied = removed.iter().all(|k| !s.contains_key(k));
                    let removal_none = removed.iter().all(|k| s.contains_key(k));
                    prop_assert!(removal_applied || removal_none, "a removal record applied in part");
                    if c.compacted || (cut >= 1.0 && garbage.is_empty()) {
                        prop_assert_eq!(&s, &model);
                    }
                    model = s;
                    outbox = Some(o);
                }
            }
            check_limits(outbox.as_ref().unwrap(), limits);
            prop_assert_eq!(&state(outbox.as_ref().unwrap()), &model);
        }
        drop(outbox);
        let (o, _) = Outbox::open(dir.path(), limits).unwrap();
        prop_assert_eq!(&state(&o), &model);
    }
}

#[test]
fn disk_use_stays_bounded_by_what_is_unacknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let limits = OutboxLimits {
        max_bytes: 64 * 1024,
        max_messages: 1000,
    };
    let (mut o, _) = Outbox::open(dir.path(), limits).unwrap();
    let mut maker = Maker(0);
    let mut largest = 0;
    for _ in 0..2000 {
        let c = o.append(maker.make(&[(true, 500)])).unwrap();
        let Outcome::Stored(seq, _) = c.outcomes[0] else {
            panic!("stored");
        };
        o.remove(&[seq]).unwrap();
        largest = largest.max(o.file_bytes());
    }
    // Over a megabyte went through; the file never held more than about twice the limit.
    assert!(largest <= 2 * limits.max_bytes + 1024, "{largest}");
    assert!(o.is_empty());
}

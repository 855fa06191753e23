//! The audit trail's hash chain: canonical bytes, hashing and verification.
//!
//! docs/audit-format.md is the specification; this module and that page
//! must agree, and the known-answer test below pins them together.

pub mod bundle;
pub mod checkpoint;
pub mod merkle;
pub mod report;
pub mod rows;

use std::fmt;

use sha2::{Digest, Sha256};

/// Domain-separation prefix of an event hash (format version 1).
pub const EVENT_PREFIX: &[u8] = b"ccu-audit-event-v1\0";
/// Domain-separation prefix of an event hash (format version 2: the event
/// also commits to the rows its transaction wrote, through `rows_hash`).
pub const EVENT_PREFIX_V2: &[u8] = b"ccu-audit-event-v2\0";
/// Domain-separation prefix of the genesis value (format version 1).
pub const GENESIS_PREFIX: &[u8] = b"ccu-audit-genesis-v1\0";

/// An audit event as stored. Every field is hashed exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub seq: i64,
    /// UTC, RFC 3339 with microseconds and `Z`.
    pub at: String,
    pub actor: String,
    /// The actor's roles at the time, comma-separated.
    pub actor_roles: String,
    pub action: String,
    pub entity_type: String,
    pub entity_ref: String,
    /// `ok` or `denied`.
    pub outcome: String,
    /// A JSON object: what changed, before and after where that applies.
    pub details: String,
    /// Format version 2 only: the hash of the list of rows this event's
    /// transaction wrote ([`rows::rows_hash`]). `None` marks a version 1
    /// event, written before case files committed to their rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_hash: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    /// The event's format version: 2 if it commits to rows, else 1.
    pub fn version(&self) -> u8 {
        if self.rows_hash.is_some() { 2 } else { 1 }
    }

    /// Its fields, borrowed.
    pub fn fields(&self) -> EventFields<'_> {
        EventFields {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            actor_roles: &self.actor_roles,
            action: &self.action,
            entity_type: &self.entity_type,
            entity_ref: &self.entity_ref,
            outcome: &self.outcome,
            details: &self.details,
            rows_hash: self.rows_hash.as_deref(),
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        }
    }
}

/// An event's fields borrowed from wherever they are (a row being read,
/// say), so that a long walk hashes each event without copying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub actor_roles: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_ref: &'a str,
    pub outcome: &'a str,
    pub details: &'a str,
    pub rows_hash: Option<&'a str>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// The value seq 1 chains from: SHA-256 over the genesis prefix and the
/// case file's id, as lower-case hex.
pub fn genesis_hash(casefile_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(GENESIS_PREFIX);
    h.update(casefile_id.as_bytes());
    hex::encode(h.finalize())
}

/// The canonical bytes of an event (all fields but `hash`): the prefix,
/// then each field as a 4-byte big-endian length and its UTF-8 bytes, in
/// the order seq (decimal), at, actor, actor_roles, action, entity_type,
/// entity_ref, outcome, details, then (version 2 only) rows_hash, and last
/// prev_hash.
pub fn canonical_bytes(event: &Event) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    canonical_into(&event.fields(), |bytes| out.extend_from_slice(bytes));
    out
}

/// Feeds the canonical bytes of an event, piece by piece, to `put`.
fn canonical_into(event: &EventFields<'_>, mut put: impl FnMut(&[u8])) {
    let seq = event.seq.to_string();
    put(match event.rows_hash {
        None => EVENT_PREFIX,
        Some(_) => EVENT_PREFIX_V2,
    });
    let mut field = |text: &str| {
        let len = u32::try_from(text.len()).expect("an audit field is under 4 GiB");
        put(&len.to_be_bytes());
        put(text.as_bytes());
    };
    for text in [
        seq.as_str(),
        event.at,
        event.actor,
        event.actor_roles,
        event.action,
        event.entity_type,
        event.entity_ref,
        event.outcome,
        event.details,
    ] {
        field(text);
    }
    if let Some(rows) = event.rows_hash {
        field(rows);
    }
    field(event.prev_hash);
}

/// A field of the canonical encodings: a 4-byte big-endian length, then
/// the bytes.
pub(crate) fn put_field(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("an audit field is under 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// SHA-256 of the canonical bytes, as lower-case hex.
pub fn event_hash(event: &Event) -> String {
    hex::encode(fields_hash(&event.fields()))
}

/// SHA-256 of an event's canonical bytes, hashed as they are made.
pub fn fields_hash(event: &EventFields<'_>) -> [u8; 32] {
    let mut sha = Sha256::new();
    canonical_into(event, |bytes| sha.update(bytes));
    sha.finalize().into()
}

/// Whether `stored` (hex) is the hash of the event's canonical bytes.
pub fn hash_matches(event: &EventFields<'_>) -> bool {
    let mut hex = [0u8; 64];
    hex::encode_to_slice(fields_hash(event), &mut hex).expect("32 bytes are 64 hex digits");
    hex == event.hash.as_bytes()
}

/// What is wrong at the first bad event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Events are missing: the trail jumps from `seq - 1` to `found`.
    Gap { found: i64 },
    /// Seq 1 does not chain from this case file's genesis value.
    BadGenesis,
    /// `prev_hash` is not the hash of the event before.
    BrokenLink,
    /// The event was chained after a different event than the one before it
    /// (`after_seq` is where that event now stands).
    OutOfOrder { after_seq: i64 },
    /// This event was put in afterwards: the next event was chained
    /// directly to the one before it.
    Inserted,
    /// The stored hash is not the hash of the stored contents.
    HashMismatch,
    /// A field could not be read as the format requires (say, text where
    /// a number belongs): the row was altered from outside ccu.
    Malformed { detail: String },
    /// A version 1 event (committing to no rows) after a version 2 one:
    /// ccu never goes back, so the event was rewritten to shed its rows.
    OlderFormat,
    /// The rows recorded for the event are not the ones its `rows_hash`
    /// commits to: a row commitment was added, removed or changed.
    RowsMismatch,
}

/// The first event at which the chain fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub problem: Problem,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match &self.problem {
            Problem::Gap { found } if *found == seq.saturating_add(1) => write!(
                f,
                "seq {seq}: gap: event {seq} is missing (the trail jumps from {} to {found})",
                seq.saturating_sub(1)
            ),
            Problem::Gap { found } => write!(
                f,
                "seq {seq}: gap: events {seq} to {} are missing (the trail jumps from {} to {found})",
                found.saturating_sub(1),
                seq.saturating_sub(1)
            ),
            Problem::BadGenesis => write!(
                f,
                "seq {seq}: bad genesis: the first event does not chain from this case file's id"
            ),
            Problem::BrokenLink => write!(
                f,
                "seq {seq}: broken link: prev_hash is not the hash of seq {}",
                seq.saturating_sub(1)
            ),
            Problem::OutOfOrder { after_seq } => write!(
                f,
                "seq {seq}: out of order: it was chained after the event now at seq {after_seq}, not after seq {}",
                seq.saturating_sub(1)
            ),
            Problem::Inserted => write!(
                f,
                "seq {seq}: inserted: seq {} was chained directly after seq {}, so this event was added afterwards",
                seq.saturating_add(1),
                seq.saturating_sub(1)
            ),
            Problem::HashMismatch => write!(
                f,
                "seq {seq}: hash mismatch: the contents were changed after the event was recorded"
            ),
            Problem::Malformed { detail } => {
                write!(f, "seq {seq}: malformed: {detail}")
            }
            Problem::OlderFormat => write!(
                f,
                "seq {seq}: older format: a version 1 event after version 2 events, so it was rewritten to drop the rows it committed to"
            ),
            Problem::RowsMismatch => write!(
                f,
                "seq {seq}: rows mismatch: the rows recorded for this event (audit_row) are not the ones it committed to"
            ),
        }
    }
}

/// Checks events one at a time, in `seq` order, without holding the trail
/// in memory. `locate` answers "which seq holds this hash?" so a broken link
/// can be told apart from a reordering or an insertion. Its whole state is
/// the next seq and the hash to chain from, so a clone can be kept between
/// steps of a long verification and carried on later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    /// Whether a version 2 event has been seen: none may follow in version 1.
    seen_v2: bool,
}

impl ChainVerifier {
    pub fn new(casefile_id: &str) -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: genesis_hash(casefile_id),
            seen_v2: false,
        }
    }

    /// A verifier that carries on after event `seq`, whose hash is `hash`
    /// and which is already trusted; `seen_v2` if it is of version 2 (it
    /// commits to rows).
    pub fn after(seq: i64, hash: &str, seen_v2: bool) -> Self {
        ChainVerifier {
            expected_seq: seq + 1,
            prev_hash: hash.to_owned(),
            seen_v2,
        }
    }

    /// Number of events verified so far.
    pub fn verified(&self) -> i64 {
        self.expected_seq - 1
    }

    /// The break to report for an event that could not even be read.
    pub fn malformed(&self, detail: impl Into<String>) -> ChainBreak {
        ChainBreak {
            seq: self.expected_seq,
            problem: Problem::Malformed {
                detail: detail.into(),
            },
        }
    }

    pub fn push(
        &mut self,
        event: &Event,
        locate: impl FnMut(&str) -> Option<i64>,
    ) -> Result<(), ChainBreak> {
        self.push_fields(&event.fields(), locate)
    }

    /// As [`ChainVerifier::push`], for an event's borrowed fields.
    pub fn push_fields(
        &mut self,
        event: &EventFields<'_>,
        mut locate: impl FnMut(&str) -> Option<i64>,
    ) -> Result<(), ChainBreak> {
        let seq = self.expected_seq;
        let fail = |problem| Err(ChainBreak { seq, problem });
        if event.seq != seq {
            return fail(Problem::Gap { found: event.seq });
        }
        if event.prev_hash != self.prev_hash {
            if seq == 1 {
                return fail(Problem::BadGenesis);
            }
            return match locate(event.prev_hash) {
                Some(at) if at == seq - 2 => Err(ChainBreak {
                    seq: seq - 1,
                    problem: Problem::Inserted,
                }),
                Some(at) => fail(Problem::OutOfOrder { after_seq: at }),
                None => fail(Problem::BrokenLink),
            };
        }
        if !hash_matches(event) {
            return fail(Problem::HashMismatch);
        }
        match event.rows_hash {
            None if self.seen_v2 => return fail(Problem::OlderFormat),
            None => {}
            Some(_) => self.seen_v2 = true,
        }
        self.prev_hash.clear();
        self.prev_hash.push_str(event.hash);
        self.expected_seq += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASEFILE_ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_break_at_the_edges_of_seq_is_described_without_overflow() {
        for (seq, problem) in [
            (1, Problem::Gap { found: i64::MIN }),
            (i64::MAX, Problem::Gap { found: i64::MIN }),
            (i64::MAX, Problem::Inserted),
            (i64::MIN, Problem::BrokenLink),
            (i64::MIN, Problem::OutOfOrder { after_seq: 0 }),
        ] {
            let text = ChainBreak { seq, problem }.to_string();
            assert!(text.starts_with(&format!("seq {seq}: ")), "{text}");
        }
    }

    fn event(seq: i64, prev_hash: &str, action: &str) -> Event {
        let mut e = Event {
            seq,
            at: format!("2026-11-23T21:30:0{seq}.000000Z"),
            actor: "admin".into(),
            actor_roles: "administrator".into(),
            action: action.into(),
            entity_type: "user".into(),
            entity_ref: "jokafor".into(),
            outcome: "ok".into(),
            details: "{}".into(),
            rows_hash: None,
            prev_hash: prev_hash.into(),
            hash: String::new(),
        };
        e.hash = event_hash(&e);
        e
    }

    fn chain(n: i64) -> Vec<Event> {
        let mut prev = genesis_hash(CASEFILE_ID);
        (1..=n)
            .map(|seq| {
                let e = event(seq, &prev, "user.add");
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(events: &[Event]) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new(CASEFILE_ID);
        for e in events {
            v.push(e, |h| events.iter().find(|x| x.hash == h).map(|x| x.seq))?;
        }
        Ok(v.verified())
    }

    /// The worked example in docs/audit-format.md; the expected values were
    /// computed independently with Python's hashlib from the specification.
    #[test]
    fn known_answer_matches_the_documented_example() {
        let genesis = genesis_hash(CASEFILE_ID);
        assert_eq!(
            genesis,
            "143f231bedc827b78bf05602b4efe73a80edd47cc6d933d5d711e0489133d80d"
        );
        let e = Event {
            seq: 1,
            at: "2026-11-23T21:30:00.000000Z".into(),
            actor: "admin".into(),
            actor_roles: "administrator".into(),
            action: "casefile.init".into(),
            entity_type: "casefile".into(),
            entity_ref: CASEFILE_ID.into(),
            outcome: "ok".into(),
            details: r#"{"schema_version":1}"#.into(),
            rows_hash: None,
            prev_hash: genesis,
            hash: String::new(),
        };
        assert_eq!(
            event_hash(&e),
            "fd10b765bdc61334a59d3cde413a2829f1c6ab1bc37c6e88c0a0b7640541b382"
        );
    }

    #[test]
    fn canonical_bytes_are_length_prefixed_in_the_documented_order() {
        let e = event(1, "p", "login");
        let bytes = canonical_bytes(&e);
        assert!(bytes.starts_with(EVENT_PREFIX));
        let rest = &bytes[EVENT_PREFIX.len()..];
        assert_eq!(&rest[..5], &[0, 0, 0, 1, b'1']);
        assert!(bytes.ends_with(&[0, 0, 0, 1, b'p']));
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn each_kind_of_tampering_names_its_seq() {
        let mut edited = chain(5);
        edited[2].details = r#"{"changed":true}"#.into();
        assert_eq!(
            verify(&edited).unwrap_err(),
            ChainBreak {
                seq: 3,
                problem: Problem::HashMismatch
            }
        );

        let mut deleted = chain(5);
        deleted.remove(2);
        assert_eq!(
            verify(&deleted).unwrap_err(),
            ChainBreak {
                seq: 3,
                problem: Problem::Gap { found: 4 }
            }
        );

        let mut swapped = chain(5);
        let (a, b) = (swapped[1].clone(), swapped[3].clone());
        swapped[1] = Event { seq: 2, ..b };
        swapped[3] = Event { seq: 4, ..a };
        let err = verify(&swapped).unwrap_err();
        assert_eq!(err.seq, 2);
        assert_eq!(err.problem, Problem::OutOfOrder { after_seq: 3 });

        let mut genesis = chain(3);
        genesis[0] = event(1, &genesis_hash("another-file"), "user.add");
        assert_eq!(verify(&genesis).unwrap_err().problem, Problem::BadGenesis);

        let mut relinked = chain(4);
        relinked[2] = event(3, &"0".repeat(64), "user.add");
        assert_eq!(
            verify(&relinked).unwrap_err(),
            ChainBreak {
                seq: 3,
                problem: Problem::BrokenLink
            }
        );
    }

    #[test]
    fn a_well_forged_insertion_is_named_by_its_own_seq() {
        let original = chain(4);
        let mut forged = original[..2].to_vec();
        forged.push(event(3, &original[1].hash, "forged"));
        for e in &original[2..] {
            forged.push(Event {
                seq: e.seq + 1,
                ..e.clone()
            });
        }
        assert_eq!(
            verify(&forged).unwrap_err(),
            ChainBreak {
                seq: 3,
                problem: Problem::Inserted
            }
        );
    }
}

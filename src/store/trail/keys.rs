//! The case file's signing key and the signed checkpoints of its trail.

use crate::store::Cached;
use ed25519_dalek::SigningKey;
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::json;
use zeroize::Zeroizing;

use super::tree::{StoredTree, TreeError};
use crate::audit::checkpoint::{self, Checkpoint};
use crate::audit::merkle::{self, Hash, RootBuilder};
use crate::store::write::{Applied, Ctx, Done, Fail, NewEvent, append};
use crate::store::{CaseFile, Error, Result, sqlite_err};

/// The stored signing key, if there is one.
pub(super) fn load(conn: &rusqlite::Connection) -> rusqlite::Result<Option<SigningKey>> {
    // The key is wiped from memory as soon as it is not needed: the text
    // and bytes it was read through here, and the SigningKey when dropped.
    let seed: Option<Zeroizing<String>> = conn
        .query_row("SELECT secret_key FROM signing_key", [], |r| r.get(0))
        .optional()?
        .map(Zeroizing::new);
    Ok(seed.and_then(|s| {
        let bytes = Zeroizing::new(hex::decode(s.as_str()).ok()?);
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(bytes.as_slice().try_into().ok()?);
        Some(SigningKey::from_bytes(&seed))
    }))
}

/// Creates the key if the case file has none, with its audit event.
pub(in crate::store) fn ensure(
    tx: &Transaction<'_>,
    casefile_id: &str,
    at: &str,
    actor: &str,
    actor_roles: &str,
) -> Result<(), Error> {
    let path = std::path::PathBuf::new();
    if load(tx).map_err(|e| sqlite_err(&path, e))?.is_some() {
        return Ok(());
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut seed[..]).map_err(|e| Error::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&seed);
    let public = key.verifying_key();
    let secret_hex = Zeroizing::new(hex::encode(&seed[..]));
    let write = || -> rusqlite::Result<()> {
        tx.execute(
            "INSERT INTO signing_key (singleton, public_key, secret_key, created_at) VALUES (1, ?1, ?2, ?3)",
            params![hex::encode(public.to_bytes()), secret_hex.as_str(), at],
        )?;
        append(
            tx,
            casefile_id,
            NewEvent {
                at,
                actor,
                actor_roles,
                action: "audit.key.create",
                entity_type: "casefile",
                entity_ref: casefile_id,
                outcome: "ok",
                details: json!({ "fingerprint": checkpoint::fingerprint(&public) }),
            },
        )?;
        Ok(())
    };
    write().map_err(|e| sqlite_err(&path, e))
}

pub(in crate::store) fn record_checkpoint(ctx: &Ctx<'_>) -> Result<(Applied, Done), Fail> {
    let (cp, key, _) = sign_checkpoint(ctx)?;
    let root = merkle::to_hex(&cp.root);
    let applied = Applied {
        entity_type: "checkpoint",
        entity_ref: cp.tree_size.to_string(),
        details: json!({
            "tree_size": cp.tree_size,
            "root": root,
            "fingerprint": checkpoint::fingerprint(&key.verifying_key()),
        }),
    };
    let done = Done::Checkpoint {
        tree_size: cp.tree_size,
        root,
    };
    Ok((applied, done))
}

/// The case file's signing key, which signing needs.
pub(super) fn signing_key(tx: &rusqlite::Connection) -> Result<SigningKey, Fail> {
    load(tx)?.ok_or_else(|| {
        Fail::Store(Error::Invalid(crate::domain::InvalidInput::new(
            "signing key",
            "this case file has no signing key",
        )))
    })
}

/// Signs and stores a checkpoint of every event so far, once
/// [`verify_since_checkpoint`] has passed; returns it, the key, and the
/// signed note.
pub(super) fn sign_checkpoint(ctx: &Ctx<'_>) -> Result<(Checkpoint, SigningKey, String), Fail> {
    let key = signing_key(ctx.tx)?;
    let (tree_size, root) = verify_since_checkpoint(ctx.tx, ctx.casefile_id, &key)?;
    let (cp, note) = store_checkpoint(ctx, &key, tree_size, root)?;
    Ok((cp, key, note))
}

/// Signs and stores a checkpoint of the first `tree_size` events, whose
/// root the caller has verified.
pub(super) fn store_checkpoint(
    ctx: &Ctx<'_>,
    key: &SigningKey,
    tree_size: u64,
    root: Hash,
) -> Result<(Checkpoint, String), Fail> {
    let cp = Checkpoint {
        origin: Checkpoint::origin_for(ctx.casefile_id),
        tree_size,
        root,
        time: ctx.at.to_owned(),
    };
    let note = checkpoint::sign(&cp, key);
    ctx.tx.exec_cached(
        "INSERT INTO checkpoint (tree_size, root_hash, at, note) VALUES (?1, ?2, ?3, ?4)",
        params![cp.tree_size as i64, merkle::to_hex(&cp.root), ctx.at, note],
    )?;
    Ok((cp, note))
}

/// The latest stored checkpoint, its signature verified: what a new one
/// must extend. None if nothing has been signed (or only the empty trail).
pub(super) struct LatestSigned {
    pub size: i64,
    pub root: Hash,
    pub at: String,
    /// How many events the trail holds now, for the messages.
    events: i64,
}

impl LatestSigned {
    /// The refusal for a trail that no longer extends it, as `ccu check`
    /// words it.
    pub fn broken(&self, problem: String) -> Fail {
        Fail::Check(crate::store::CheckReport::CheckpointBroken {
            events: self.events,
            checkpoint_at: self.at.clone(),
            problem,
            findings: Vec::new(),
        })
    }

    pub fn rewritten(&self) -> Fail {
        self.broken(format!(
            "events 1 to {} no longer have the Merkle root that was signed: the trail was rewritten",
            self.size
        ))
    }

    pub fn cut_short(&self, events: i64) -> Fail {
        self.broken(format!(
            "it covers {} events, but only {events} remain: the trail was cut short",
            self.size
        ))
    }
}

pub(super) fn latest_signed(
    conn: &rusqlite::Connection,
    casefile_id: &str,
    key: &SigningKey,
    events: i64,
) -> Result<Option<LatestSigned>, Fail> {
    let Some((size, at, note)) = latest(conn)? else {
        return Ok(None);
    };
    if size == 0 {
        return Ok(None);
    }
    let mut latest = LatestSigned {
        size,
        root: [0; 32],
        at,
        events,
    };
    let verifier_key =
        checkpoint::verifier_key(&Checkpoint::origin_for(casefile_id), &key.verifying_key());
    let signed =
        checkpoint::verify(&note, &verifier_key).map_err(|e| latest.broken(e.to_string()))?;
    if signed.tree_size != size as u64 {
        return Err(
            latest.broken("the stored checkpoint's size differs from its signed size".into())
        );
    }
    latest.root = signed.root;
    Ok(Some(latest))
}

/// What is checked before anything is signed, reading O(k + log n) rows
/// for the k events since the latest checkpoint, and what it gives: the
/// size of the trail and its Merkle root.
///
/// - The latest checkpoint verifies with the case file's key, and the
///   stored tree still makes its signed root: the stored subtrees, and the
///   events of any subtree too small to store, are as they were signed.
/// - The last event it covers still hashes to what its contents make,
///   and is the leaf that checkpoint holds.
/// - Every event since chains on from it: each in turn, linked, hashed.
/// - The stored tree makes the root those events make with it.
///
/// Nothing before the latest checkpoint is read beyond those few
/// subtrees: whatever was done to it since, the root signed here is the
/// one it was signed with, and `ccu check` reads every event and row.
pub(super) fn verify_since_checkpoint(
    tx: &rusqlite::Connection,
    casefile_id: &str,
    key: &SigningKey,
) -> Result<(u64, Hash), Fail> {
    use crate::audit::ChainVerifier;
    use crate::store::CheckReport;
    let events: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM audit_event", [], |r| {
        r.get(0)
    })?;
    let mut tree = StoredTree::new(tx);
    let tree_fail = |e: TreeError| e.fail(events);
    let (mut verifier, mut builder, first) = match latest_signed(tx, casefile_id, key, events)? {
        None => (ChainVerifier::new(casefile_id), RootBuilder::new(), 1),
        Some(latest) => {
            let size = latest.size;
            if events < size {
                return Err(latest.cut_short(events));
            }
            let frontier = merkle::frontier(&mut tree, size as u64).map_err(tree_fail)?;
            if frontier.root() != latest.root {
                return Err(latest.rewritten());
            }
            let last = tx
                .query_row(
                    &format!(
                        "SELECT {} FROM audit_event WHERE seq = ?1",
                        super::check::EVENT_COLUMNS
                    ),
                    [size],
                    super::check::event_from_row,
                )
                .optional()?;
            let Some(last) = last else {
                return Err(tree_fail(TreeError::Gap {
                    seq: size,
                    found: None,
                }));
            };
            if crate::audit::event_hash(&last) != last.hash {
                return Err(Fail::Check(CheckReport::Broken {
                    verified: size - 1,
                    at: crate::audit::ChainBreak {
                        seq: size,
                        problem: crate::audit::Problem::HashMismatch,
                    },
                }));
            }
            let path = merkle::inclusion_proof_in(&mut tree, size as u64 - 1, size as u64)
                .map_err(tree_fail)?
                .expect("the last leaf is in the tree");
            let leaf = super::check::leaf_of(&last.hash);
            if !merkle::verify_inclusion(&leaf, size as u64 - 1, size as u64, &path, &latest.root) {
                return Err(latest.rewritten());
            }
            (
                ChainVerifier::after(size, &last.hash, last.rows_hash.is_some()),
                frontier,
                size + 1,
            )
        }
    };
    let mut locate = tx.prepare("SELECT seq FROM audit_event WHERE hash = ?1")?;
    let mut stmt = tx.prepare(&format!(
        "SELECT {} FROM audit_event WHERE seq >= ?1 ORDER BY seq",
        super::check::EVENT_COLUMNS
    ))?;
    let mut rows = stmt.query([first])?;
    while let Some(row) = rows.next()? {
        let pushed = match super::check::fields_from_row(row) {
            Ok(event) => verifier
                .push_fields(&event, |hash| {
                    locate
                        .query_row([hash], |r| r.get(0))
                        .optional()
                        .ok()
                        .flatten()
                })
                .map(|()| super::check::leaf_of(event.hash)),
            Err(e) => Err(verifier.malformed(e.to_string())),
        };
        match pushed {
            Ok(leaf) => builder.push(leaf),
            Err(at) => {
                return Err(Fail::Check(CheckReport::Broken {
                    verified: at.seq - 1,
                    at,
                }));
            }
        }
    }
    let root = builder.root();
    let size = builder.size();
    if tree.root(size).map_err(tree_fail)? != root {
        return Err(Fail::Check(CheckReport::Altered {
            events: size as i64,
            findings: vec![format!(
                "audit_node: the stored Merkle tree does not answer to events {first} to {size}"
            )],
            more: 0,
        }));
    }
    Ok((size, root))
}

/// The latest checkpoint, as stored.
pub(super) fn latest(
    conn: &rusqlite::Connection,
) -> rusqlite::Result<Option<(i64, String, String)>> {
    conn.query_row(
        "SELECT tree_size, at, note FROM checkpoint ORDER BY id DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

impl CaseFile {
    /// The public half of the signing key as a signed-note verifier key
    /// line, and its fingerprint: what oversight keeps.
    pub fn verifier_key(&self) -> Result<(String, String)> {
        let key = load(&self.conn)
            .map_err(|e| self.sqlite_err(e))?
            .ok_or_else(|| {
                Error::Invalid(crate::domain::InvalidInput::new(
                    "signing key",
                    "this case file has no signing key",
                ))
            })?;
        let public = key.verifying_key();
        Ok((
            checkpoint::verifier_key(&Checkpoint::origin_for(&self.id), &public),
            checkpoint::fingerprint(&public),
        ))
    }

    /// Gives a case file from before signing keys its key (audited).
    pub(in crate::store) fn ensure_signing_key(&mut self) -> Result<()> {
        let at = self.now();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        ensure(&tx, &self.id, &at, "ccu", "")?;
        crate::store::write::commit(tx).map_err(|e| sqlite_err(&path, e))
    }
}

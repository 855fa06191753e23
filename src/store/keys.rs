//! The case file's signing key and the signed checkpoints of its trail.

use ed25519_dalek::SigningKey;
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::json;
use zeroize::Zeroizing;

use super::write::{Applied, Ctx, Fail, NewEvent, append};
use super::{CaseFile, Error, Result, sqlite_err};
use crate::audit::checkpoint::{self, Checkpoint};
use crate::audit::merkle::{self, Hash};

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
pub(super) fn ensure(
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

/// The leaf hashes of the first `size` events (all of them if None).
pub(super) fn leaves(
    conn: &rusqlite::Connection,
    size: Option<u64>,
) -> rusqlite::Result<Vec<Hash>> {
    let mut stmt = conn.prepare("SELECT hash FROM audit_event ORDER BY seq LIMIT ?1")?;
    let limit = size.map_or(-1, |s| s as i64);
    let rows = stmt.query_map([limit], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for hash in rows {
        out.push(super::check::leaf_of(&hash?));
    }
    Ok(out)
}

pub(super) fn record_checkpoint(ctx: &Ctx<'_>) -> Result<Applied, Fail> {
    let (cp, key, _) = sign_checkpoint(ctx)?;
    Ok(Applied {
        entity_type: "checkpoint",
        entity_ref: cp.tree_size.to_string(),
        details: json!({
            "tree_size": cp.tree_size,
            "root": merkle::to_hex(&cp.root),
            "fingerprint": checkpoint::fingerprint(&key.verifying_key()),
        }),
    })
}

/// Signs and stores a checkpoint of every event so far; returns it, the
/// key, and the signed note.
pub(super) fn sign_checkpoint(ctx: &Ctx<'_>) -> Result<(Checkpoint, SigningKey, String), Fail> {
    let key = load(ctx.tx)?.ok_or_else(|| {
        Fail::Store(Error::Invalid(crate::domain::InvalidInput::new(
            "signing key",
            "this case file has no signing key",
        )))
    })?;
    let leaves = leaves(ctx.tx, None)?;
    let cp = Checkpoint {
        origin: Checkpoint::origin_for(ctx.casefile_id),
        tree_size: leaves.len() as u64,
        root: merkle::root(&leaves),
        time: ctx.at.to_owned(),
    };
    let note = checkpoint::sign(&cp, &key);
    ctx.tx.execute(
        "INSERT INTO checkpoint (tree_size, root_hash, at, note) VALUES (?1, ?2, ?3, ?4)",
        params![cp.tree_size as i64, merkle::to_hex(&cp.root), ctx.at, note],
    )?;
    Ok((cp, key, note))
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
    pub(super) fn ensure_signing_key(&mut self) -> Result<()> {
        let at = self.now();
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| sqlite_err(&path, e))?;
        ensure(&tx, &self.id, &at, "ccu", "")?;
        super::write::commit(tx).map_err(|e| sqlite_err(&path, e))
    }
}

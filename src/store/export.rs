//! `ccu audit export`: the oversight bundle (docs/oversight-export.md).
//! Everything is written inside the export command's transaction, so a
//! bundle that could not be written leaves no export event behind.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde_json::json;

use super::Error;
use super::audit_view::{AuditQuery, Selection};
use super::write::{Applied, Ctx, Fail};
use crate::audit::bundle::{self, ConsistencyProof, Filter, InclusionProof, Manifest};
use crate::audit::checkpoint::{self, Checkpoint};
use crate::audit::{Event, merkle};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::operation::Codename;

/// What to export and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub out: PathBuf,
    /// UK days, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub operation: Option<Codename>,
    pub user: Option<Username>,
}

impl ExportRequest {
    /// The filter as the audit viewer's query, so both select alike.
    fn query(&self) -> AuditQuery {
        AuditQuery {
            operation: self.operation.clone(),
            user: self.user.as_ref().map(|u| u.to_string()),
            action: None,
            from: self.from,
            to: self.to,
        }
    }

    fn filter(&self) -> Filter {
        Filter {
            from: self.from.map(|d| d.to_string()),
            to: self.to.map(|d| d.to_string()),
            operation: self.operation.as_ref().map(|c| c.to_string()),
            user: self.user.as_ref().map(|u| u.to_string()),
        }
    }
}

fn io(path: &Path, e: std::io::Error) -> Fail {
    Fail::Store(Error::Io {
        path: path.to_owned(),
        source: e,
    })
}

fn all_events(ctx: &Ctx<'_>, size: u64) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = ctx.tx.prepare(&format!(
        "SELECT {} FROM audit_event ORDER BY seq LIMIT ?1",
        super::check::EVENT_COLUMNS
    ))?;
    let rows = stmt.query_map([size as i64], super::check::event_from_row)?;
    rows.collect()
}

/// The references that belong to an operation: its codename and the URNs
/// of its intelligence, bids, authorisations and referrals. None if there
/// is no such operation. An audit event is about the operation when its
/// `entity_ref` is one of these (see `audit_view::Selection`).
pub(super) fn operation_refs(
    conn: &rusqlite::Connection,
    codename: &Codename,
) -> rusqlite::Result<Option<Vec<String>>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM operation WHERE codename = ?1",
            [codename.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else {
        return Ok(None);
    };
    let mut refs = vec![codename.to_string()];
    for table in ["intelligence", "bid", "authorisation", "referral"] {
        let mut stmt = conn.prepare(&format!("SELECT urn FROM {table} WHERE operation_id = ?1"))?;
        let urns = stmt.query_map(params![id], |r| r.get::<_, String>(0))?;
        for urn in urns {
            refs.push(urn?);
        }
    }
    Ok(Some(refs))
}

/// The seqs of the events among the first `size` that `request`'s filter
/// selects, through the same [`Selection`] the audit viewer uses.
fn selected_seqs(
    ctx: &Ctx<'_>,
    selection: &Selection,
    size: u64,
) -> rusqlite::Result<HashSet<i64>> {
    let size = size as i64;
    let mut stmt = ctx.tx.prepare(&format!(
        "SELECT seq FROM audit_event WHERE seq <= :size AND {}",
        selection.condition()
    ))?;
    let mut params = selection.params();
    params.push((":size", &size as &dyn rusqlite::ToSql));
    let rows = stmt.query_map(&params[..], |r| r.get(0))?;
    rows.collect()
}

pub(super) fn export(ctx: &Ctx<'_>, request: ExportRequest) -> Result<Applied, Fail> {
    let out = &request.out;
    if let (Some(from), Some(to)) = (request.from, request.to)
        && from > to
    {
        return Err(InvalidInput::new("to", "is before --from").into());
    }
    let selection = Selection::of(ctx.tx, &request.query())?.ok_or_else(|| {
        Fail::Store(Error::NoSuch {
            what: "operation",
            reference: request
                .operation
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
        })
    })?;
    let created = match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(InvalidInput::new(
                    "out",
                    format!(
                        "{} is not empty; export into a new or empty folder",
                        out.display()
                    ),
                )
                .into());
            }
            false
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(io(out, e)),
    };

    let (cp, key, note) = super::keys::sign_checkpoint(ctx)?;
    let events = all_events(ctx, cp.tree_size)?;
    let seqs = selected_seqs(ctx, &selection, cp.tree_size)?;
    let selected: Vec<&Event> = events.iter().filter(|e| seqs.contains(&e.seq)).collect();
    let filter = request.filter();
    let full = filter.is_full();
    let leaves: Vec<merkle::Hash> = events.iter().map(|e| bundle::leaf(&e.hash)).collect();

    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut entries = String::new();
    for e in &selected {
        // Control, bidi and zero-width characters as `\uXXXX` escapes: the
        // same JSON values (the hashes are over them, not these bytes), and
        // the file is safe to `cat`.
        entries.push_str(&crate::sanitise::to_json(e).expect("an event serialises"));
        entries.push('\n');
    }
    files.insert(bundle::ENTRIES.into(), entries.into_bytes());
    files.insert(bundle::CHECKPOINT.into(), note.into_bytes());
    if !full {
        let mut proofs = String::new();
        for e in &selected {
            let proof = merkle::inclusion_proof(&leaves, e.seq as usize - 1)
                .expect("the event is in the tree");
            let line = InclusionProof {
                seq: e.seq as u64,
                proof: proof.iter().map(merkle::to_hex).collect(),
            };
            proofs.push_str(&serde_json::to_string(&line).expect("a proof serialises"));
            proofs.push('\n');
        }
        files.insert(bundle::PROOFS.into(), proofs.into_bytes());
    }
    // Proofs from every earlier checkpoint, so an inspector holding any of
    // them can check that this one extends it.
    let mut consistency = String::new();
    let mut stmt = ctx.tx.prepare("SELECT DISTINCT tree_size FROM checkpoint WHERE tree_size > 0 AND tree_size < ?1 ORDER BY tree_size")?;
    let sizes: Vec<i64> = stmt
        .query_map([cp.tree_size as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for old in sizes {
        let proof = merkle::consistency_proof(&leaves, old as usize).expect("an earlier size");
        let line = ConsistencyProof {
            old_size: old as u64,
            proof: proof.iter().map(merkle::to_hex).collect(),
        };
        consistency.push_str(&serde_json::to_string(&line).expect("a proof serialises"));
        consistency.push('\n');
    }
    files.insert(bundle::CONSISTENCY.into(), consistency.into_bytes());
    let chosen: Vec<Event> = selected.iter().map(|e| (*e).clone()).collect();
    files.insert(bundle::CSV.into(), crate::audit::report::audit_csv(&chosen));
    let title = format!(
        "Audit trail of case file {} ({})",
        ctx.casefile_id,
        if full { "full" } else { "filtered" }
    );
    files.insert(
        bundle::REPORT.into(),
        crate::audit::report::report_html(&title, &chosen).into_bytes(),
    );

    let manifest = Manifest {
        format: bundle::FORMAT.into(),
        casefile_id: ctx.casefile_id.into(),
        origin: Checkpoint::origin_for(ctx.casefile_id),
        created_at: ctx.at.into(),
        exported_by: ctx.actor.username.clone(),
        filter: filter.clone(),
        full,
        tree_size: cp.tree_size,
        entries: selected.len() as u64,
        files: files
            .iter()
            .map(|(name, bytes)| (name.clone(), bundle::sha256_hex(bytes)))
            .collect(),
        non_authoritative: vec![bundle::CSV.into(), bundle::REPORT.into()],
    };
    let manifest_bytes = crate::sanitise::to_json_pretty(&manifest)
        .expect("a manifest serialises")
        .into_bytes();
    let signature = checkpoint::sign_note(
        &bundle::manifest_note_body(&manifest_bytes),
        &manifest.origin,
        &key,
    );
    files.insert(bundle::MANIFEST.into(), manifest_bytes);
    files.insert(bundle::MANIFEST_SIGNATURE.into(), signature.into_bytes());
    // Nothing is left behind if the bundle cannot be written whole (and
    // the transaction, with its checkpoint and export event, rolls back).
    let write = || -> Result<(), Fail> {
        // Owner only, whatever the umask: the bundle names officers.
        if created {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(out)
                .map_err(|e| io(out, e))?;
        }
        for (name, bytes) in &files {
            use std::io::Write;
            let path = out.join(name);
            super::keyring::private_options()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut f| f.write_all(bytes))
                .map_err(|e| io(&path, e))?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        for name in files.keys() {
            let _ = std::fs::remove_file(out.join(name));
        }
        if created {
            let _ = std::fs::remove_dir(out);
        }
        return Err(e);
    }
    Ok(Applied {
        entity_type: "export",
        entity_ref: out.display().to_string(),
        details: json!({
            "filter": filter,
            "full": full,
            "entries": selected.len(),
            "tree_size": cp.tree_size,
            "root": merkle::to_hex(&cp.root),
        }),
    })
}

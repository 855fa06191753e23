//! `ccu audit export`: the oversight bundle (docs/oversight-export.md).
//! Everything is written inside the export command's transaction, so a
//! bundle that could not be written leaves no export event behind.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::Error;
use super::audit_view::{AuditQuery, Selection};
use super::write::{Applied, Ctx, Fail};
use crate::audit::bundle::{self, ConsistencyProof, Filter, InclusionProof, Manifest};
use crate::audit::checkpoint::{self, Checkpoint};
use crate::audit::merkle;
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
    let filter = request.filter();
    let full = filter.is_full();
    // Owner only, whatever the umask: the bundle names officers.
    if created {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(out)
            .map_err(|e| io(out, e))?;
    }
    let written = write_bundle(ctx, &request, &selection, &cp, &key, &note);
    // The scratch file goes whatever happens; the rest too if the bundle
    // could not be written whole (and the transaction, with its
    // checkpoint and export event, rolls back).
    let _ = std::fs::remove_file(out.join(SCRATCH));
    let entries = match written {
        Ok(entries) => entries,
        Err(e) => {
            for name in bundle::ALL_FILES {
                let _ = std::fs::remove_file(out.join(name));
            }
            if created {
                let _ = std::fs::remove_dir(out);
            }
            return Err(e);
        }
    };
    Ok(Applied {
        entity_type: "export",
        entity_ref: out.display().to_string(),
        details: json!({
            "filter": filter,
            "full": full,
            "entries": entries,
            "tree_size": cp.tree_size,
            "root": merkle::to_hex(&cp.root),
        }),
    })
}

/// The report's scratch database, beside the bundle while it is written.
const SCRATCH: &str = ".report-scratch.sqlite";

/// A file of the bundle being written, hashed as it is written.
struct Hashed {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    hash: Sha256,
}

impl Hashed {
    fn create(dir: &Path, name: &str) -> Result<Hashed, Fail> {
        let path = dir.join(name);
        let file = super::keyring::private_options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        Ok(Hashed {
            path,
            out: std::io::BufWriter::with_capacity(1 << 16, file),
            hash: Sha256::new(),
        })
    }

    /// Flushes and syncs the file; its SHA-256 in hex.
    fn finish(self) -> Result<String, Fail> {
        let path = self.path;
        let file = self
            .out
            .into_inner()
            .map_err(|e| io(&path, e.into_error()))?;
        file.sync_all().map_err(|e| io(&path, e))?;
        Ok(hex::encode(self.hash.finalize()))
    }
}

impl Write for Hashed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Writes every file of the bundle into `request.out`, reading the trail
/// once, in seq order, and only the events the filter selects; returns
/// how many entries it holds. A full export verifies the whole chain as it
/// goes and that it makes the signed root; a filtered one verifies each
/// entry's hash and its inclusion proof.
fn write_bundle(
    ctx: &Ctx<'_>,
    request: &ExportRequest,
    selection: &Selection,
    cp: &Checkpoint,
    key: &ed25519_dalek::SigningKey,
    note: &str,
) -> Result<u64, Fail> {
    use crate::audit::{ChainBreak, ChainVerifier, Problem};
    use crate::store::CheckReport;
    let out = &request.out;
    let filter = request.filter();
    let full = filter.is_full();
    let mut files: BTreeMap<String, String> = BTreeMap::new();

    let mut checkpoint_file = Hashed::create(out, bundle::CHECKPOINT)?;
    checkpoint_file
        .write_all(note.as_bytes())
        .map_err(|e| io(out, e))?;
    files.insert(bundle::CHECKPOINT.into(), checkpoint_file.finish()?);

    let mut entries_file = Hashed::create(out, bundle::ENTRIES)?;
    let mut csv = crate::audit::report::CsvWriter::new(Hashed::create(out, bundle::CSV)?)
        .map_err(|e| io(out, e))?;
    let mut proofs_file = if full {
        None
    } else {
        Some(Hashed::create(out, bundle::PROOFS)?)
    };
    // Made owner-only before SQLite opens it: it holds the report's text.
    let scratch_path = out.join(SCRATCH);
    super::keyring::private_options()
        .write(true)
        .create_new(true)
        .open(&scratch_path)
        .map_err(|e| io(&scratch_path, e))?;
    let scratch = rusqlite::Connection::open(&scratch_path)
        .map_err(|e| Fail::Store(super::sqlite_err(&scratch_path, e)))?;
    let mut report = crate::audit::report::Report::new(scratch).map_err(|e| io(out, e))?;

    let size = cp.tree_size as i64;
    let mut stmt = ctx.tx.prepare(&format!(
        "SELECT {} FROM audit_event WHERE seq <= :size AND {} ORDER BY seq",
        super::check::EVENT_COLUMNS,
        if full {
            "1".to_owned()
        } else {
            selection.condition()
        }
    ))?;
    let mut params = if full { Vec::new() } else { selection.params() };
    params.push((":size", &size as &dyn rusqlite::ToSql));
    let mut rows = stmt.query(&params[..])?;
    let mut tree = super::tree::StoredTree::new(ctx.tx);
    let mut chain = ChainVerifier::new(ctx.casefile_id);
    let mut built = merkle::RootBuilder::new();
    let mut locate = ctx
        .tx
        .prepare("SELECT seq FROM audit_event WHERE hash = ?1")?;
    let mut entries: u64 = 0;
    let broken = |at: ChainBreak| {
        Fail::Check(CheckReport::Broken {
            verified: at.seq - 1,
            at,
        })
    };
    let mut line = String::new();
    while let Some(row) = rows.next()? {
        let event = match super::check::event_from_row(row) {
            Ok(event) => event,
            Err(e) => return Err(broken(chain.malformed(e.to_string()))),
        };
        let leaf = super::check::leaf_of(&event.hash);
        if full {
            chain
                .push(&event, |hash| {
                    locate
                        .query_row([hash], |r| r.get(0))
                        .optional()
                        .ok()
                        .flatten()
                })
                .map_err(broken)?;
            built.push(leaf);
        } else {
            let seq = event.seq;
            if crate::audit::event_hash(&event) != event.hash {
                return Err(broken(ChainBreak {
                    seq,
                    problem: Problem::HashMismatch,
                }));
            }
            let tree_fail = |e: super::tree::TreeError| match e.report(size) {
                Ok(report) => Fail::Check(report),
                Err(e) => Fail::Sql(e),
            };
            let proof = merkle::inclusion_proof_in(&mut tree, seq as u64 - 1, cp.tree_size)
                .map_err(tree_fail)?
                .expect("a selected event is in the tree");
            if !merkle::verify_inclusion(&leaf, seq as u64 - 1, cp.tree_size, &proof, &cp.root) {
                return Err(Fail::Check(CheckReport::Altered {
                    events: size,
                    findings: vec![format!(
                        "audit_node: the stored Merkle tree does not lead from event {seq} to the signed root"
                    )],
                    more: 0,
                }));
            }
            let proof = InclusionProof {
                seq: seq as u64,
                proof: proof.iter().map(merkle::to_hex).collect(),
            };
            let file = proofs_file.as_mut().expect("a filtered export has proofs");
            serde_json::to_writer(&mut *file, &proof).map_err(|e| io(out, e.into()))?;
            file.write_all(b"\n").map_err(|e| io(out, e))?;
        }
        // Control, bidi and zero-width characters as `\uXXXX` escapes: the
        // same JSON values (the hashes are over them, not these bytes), and
        // the file is safe to `cat`.
        line.clear();
        line.push_str(&crate::sanitise::to_json(&event).expect("an event serialises"));
        line.push('\n');
        entries_file
            .write_all(line.as_bytes())
            .map_err(|e| io(out, e))?;
        csv.push(&event).map_err(|e| io(out, e))?;
        report.push(&event).map_err(|e| io(out, e))?;
        entries += 1;
    }
    drop(rows);
    if full && (built.size() != cp.tree_size || built.root() != cp.root) {
        // The chain held, so the events are whole; the tree stored as they
        // were appended makes another root.
        return Err(Fail::Check(CheckReport::Altered {
            events: size,
            findings: vec![format!(
                "audit_node: the stored Merkle tree does not answer to events 1 to {size}"
            )],
            more: 0,
        }));
    }
    files.insert(bundle::ENTRIES.into(), entries_file.finish()?);
    files.insert(
        bundle::CSV.into(),
        csv.finish().map_err(|e| io(out, e))?.finish()?,
    );
    if let Some(file) = proofs_file {
        files.insert(bundle::PROOFS.into(), file.finish()?);
    }
    let title = format!(
        "Audit trail of case file {} ({})",
        ctx.casefile_id,
        if full { "full" } else { "filtered" }
    );
    let mut report_file = Hashed::create(out, bundle::REPORT)?;
    report
        .finish(&title, &mut report_file)
        .map_err(|e| io(out, e))?;
    files.insert(bundle::REPORT.into(), report_file.finish()?);

    // Proofs from every earlier checkpoint, so an inspector holding any of
    // them can check that this one extends it: O(log n) each.
    let mut consistency = Hashed::create(out, bundle::CONSISTENCY)?;
    let mut sizes = ctx.tx.prepare(
        "SELECT DISTINCT tree_size FROM checkpoint WHERE tree_size > 0 AND tree_size < ?1 ORDER BY tree_size",
    )?;
    let sizes: Vec<i64> = sizes
        .query_map([size], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for old in sizes {
        let proof = merkle::consistency_proof_in(&mut tree, old as u64, cp.tree_size)
            .map_err(|e| match e.report(size) {
                Ok(report) => Fail::Check(report),
                Err(e) => Fail::Sql(e),
            })?
            .expect("an earlier size");
        let line = ConsistencyProof {
            old_size: old as u64,
            proof: proof.iter().map(merkle::to_hex).collect(),
        };
        serde_json::to_writer(&mut consistency, &line).map_err(|e| io(out, e.into()))?;
        consistency.write_all(b"\n").map_err(|e| io(out, e))?;
    }
    files.insert(bundle::CONSISTENCY.into(), consistency.finish()?);

    let manifest = Manifest {
        format: bundle::FORMAT.into(),
        casefile_id: ctx.casefile_id.into(),
        origin: Checkpoint::origin_for(ctx.casefile_id),
        created_at: ctx.at.into(),
        exported_by: ctx.actor.username.clone(),
        filter,
        full,
        tree_size: cp.tree_size,
        entries,
        files,
        non_authoritative: vec![bundle::CSV.into(), bundle::REPORT.into()],
    };
    let manifest_bytes = crate::sanitise::to_json_pretty(&manifest)
        .expect("a manifest serialises")
        .into_bytes();
    let signature = checkpoint::sign_note(
        &bundle::manifest_note_body(&manifest_bytes),
        &manifest.origin,
        key,
    );
    for (name, bytes) in [
        (bundle::MANIFEST, manifest_bytes),
        (bundle::MANIFEST_SIGNATURE, signature.into_bytes()),
    ] {
        let mut file = Hashed::create(out, name)?;
        file.write_all(&bytes).map_err(|e| io(out, e))?;
        file.finish()?;
    }
    Ok(entries)
}

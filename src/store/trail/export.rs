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

use super::audit_view::{AuditQuery, Selection};
use crate::audit::bundle::{self, ConsistencyProof, Filter, InclusionProof, Manifest};
use crate::audit::checkpoint::{self, Checkpoint};
use crate::audit::{Event, merkle};
use crate::domain::InvalidInput;
use crate::domain::account::Username;
use crate::domain::operation::Codename;
use crate::store::Error;
use crate::store::plumbing::{private_options, try_lock};
use crate::store::write::{Applied, Ctx, Done, Fail};

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
            outcome: None,
            through: None,
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

/// What the first phase of an export wrote and verified: every file of
/// the bundle but the checkpoint, the consistency proofs and the signed
/// manifest, which the second phase adds under the write lock.
///
/// The bundle is written into a hidden folder beside `out`
/// (`.NAME.export`, one export of a name at a time by its lock,
/// `.NAME.export.lock`), and the two signed files, the checkpoint and the
/// manifest's signature, are held in memory until the `audit.export`
/// event has committed: [`Prepared::publish`] writes them and renames the
/// folder to `out`. So a bundle that verifies always has its event, and a
/// killed export leaves no signature on disk and nothing at `out`.
pub(crate) struct Prepared {
    out: PathBuf,
    /// The hidden folder the bundle is written into.
    dir: PathBuf,
    lock_path: PathBuf,
    /// Held while the export runs; its `flock` goes with it.
    _lock: std::fs::File,
    full: bool,
    /// The trail's size in the snapshot read, and its verified root.
    size: u64,
    root: merkle::Hash,
    entries: u64,
    files: BTreeMap<String, String>,
    /// The signed files, written once the event has committed.
    signed: std::cell::RefCell<Vec<(&'static str, Vec<u8>)>>,
}

impl Prepared {
    /// Removes what the export wrote, for a bundle that will not be
    /// finished: nothing that looks like a bundle is left behind.
    pub(crate) fn discard(&self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(&self.lock_path);
    }

    /// After the `audit.export` event has committed: writes the signed
    /// files and puts the bundle at `out`.
    pub(crate) fn publish(&self) -> Result<(), Error> {
        let moved = || -> Result<(), Fail> {
            for (name, bytes) in self.signed.borrow().iter() {
                let mut file = Hashed::create(&self.dir, name)?;
                file.write_all(bytes).map_err(|e| io(&self.dir, e))?;
                file.finish()?;
            }
            // An empty folder given as `out` is replaced by the bundle;
            // one that gained files meanwhile is not (the rename fails).
            std::fs::rename(&self.dir, &self.out).map_err(|e| io(&self.out, e))?;
            if let Some(parent) = self.out.parent() {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                if let Ok(d) = std::fs::File::open(parent) {
                    let _ = d.sync_all();
                }
            }
            Ok(())
        };
        let done = moved();
        let _ = std::fs::remove_file(&self.lock_path);
        done.map_err(|e| {
            let detail = match e {
                Fail::Store(Error::Io { source, .. }) => source.to_string(),
                _ => "it could not be written".into(),
            };
            Error::Io {
                path: self.out.clone(),
                source: std::io::Error::other(format!(
                    "the export is recorded in the audit trail, but its bundle could not be put here ({detail}); it is in {}",
                    self.dir.display()
                )),
            }
        })
    }
}

/// The hidden folder, and its lock, an export to `out` is written in.
fn staging(out: &Path) -> Result<(PathBuf, PathBuf, std::fs::File), Fail> {
    let name = out
        .file_name()
        .ok_or_else(|| InvalidInput::new("out", format!("{} is not a folder name", out.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = out.parent().unwrap_or(Path::new(""));
    let dir = parent.join(format!(".{name}.export"));
    let lock_path = parent.join(format!(".{name}.export.lock"));
    let Some(lock) = try_lock(&lock_path).map_err(|e| io(&lock_path, e))? else {
        return Err(InvalidInput::new(
            "out",
            format!(
                "another export into {} is running; wait for it to finish",
                out.display()
            ),
        )
        .into());
    };
    // What a killed export into the same folder left: never a bundle
    // with its signature (see [`Prepared`]).
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(&dir, e)),
    }
    Ok((dir, lock_path, lock))
}

/// The first phase of `ccu audit export`, outside the write lock: `conn`
/// is in a read transaction (a snapshot), so the others using the file
/// write on meanwhile. Validates the request, reads the selected events
/// in seq order and verifies them (see [`write_bundle`]), and writes the
/// entries, proofs, CSV and report. On failure it leaves nothing behind.
pub(crate) fn prepare(
    conn: &rusqlite::Connection,
    casefile_id: &str,
    request: &ExportRequest,
) -> Result<Prepared, Fail> {
    let out = &request.out;
    if let (Some(from), Some(to)) = (request.from, request.to)
        && from > to
    {
        return Err(InvalidInput::new("to", "is before --from").into());
    }
    let selection = Selection::of(conn, &request.query())?.ok_or_else(|| {
        Fail::Store(Error::NoSuch {
            what: "operation",
            reference: request
                .operation
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
        })
    })?;
    match std::fs::read_dir(out) {
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
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(out, e)),
    }
    let key = super::keys::signing_key(conn)?;
    // A filtered export proves its entries against the root that signing
    // verifies; a full one reads every event anyway, and verifies the
    // root they make as it goes.
    let proved = if request.filter().is_full() {
        None
    } else {
        Some(super::keys::verify_since_checkpoint(
            conn,
            casefile_id,
            &key,
        )?)
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(|e| io(parent, e))?;
    }
    let (dir, lock_path, lock) = staging(out)?;
    // Owner only, whatever the umask: the bundle names officers.
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| io(&dir, e))?;
    }
    let mut prepared = Prepared {
        out: out.clone(),
        dir,
        lock_path,
        _lock: lock,
        full: proved.is_none(),
        size: 0,
        root: [0; 32],
        entries: 0,
        files: BTreeMap::new(),
        signed: Default::default(),
    };
    match write_bundle(conn, casefile_id, &selection, &key, proved, &mut prepared) {
        Ok(()) => {
            let _ = std::fs::remove_file(prepared.dir.join(SCRATCH));
            Ok(prepared)
        }
        Err(e) => {
            prepared.discard();
            Err(e)
        }
    }
}

/// `ccu audit export` under the write lock. With the first phase done
/// outside it (`ctx.export`, as `CaseFile::execute` does), this checks
/// that the stored tree still makes the root it verified, at the size it
/// read (O(log n)), signs that checkpoint and writes the rest; otherwise
/// it runs the first phase here too. A failure leaves no bundle, and the
/// transaction (checkpoint and event) rolls back.
pub(in crate::store) fn export(
    ctx: &Ctx<'_>,
    request: ExportRequest,
) -> Result<(Applied, Done), Fail> {
    // The first phase runs for those the command permits, before the
    // lock; roles given in between are not enough to skip it.
    let prepared = ctx.export.ok_or_else(|| {
        InvalidInput::new(
            "export",
            "your roles changed as the export began; run it again",
        )
    })?;
    finish(ctx, &request, prepared)
}

fn finish(
    ctx: &Ctx<'_>,
    request: &ExportRequest,
    prepared: &Prepared,
) -> Result<(Applied, Done), Fail> {
    let out = &prepared.dir;
    let key = super::keys::signing_key(ctx.tx)?;
    let mut tree = super::tree::StoredTree::new(ctx.tx);
    let size = prepared.size as i64;
    let tree_fail = |e: super::tree::TreeError| e.fail(size);
    // Events appended since the snapshot come after it; what it read must
    // still be what the trail holds.
    if tree.root(prepared.size).map_err(tree_fail)? != prepared.root {
        return Err(Fail::Check(crate::store::CheckReport::Altered {
            events: size,
            findings: vec![format!(
                "audit_node: the stored Merkle tree of events 1 to {size} changed while they were exported"
            )],
            more: 0,
        }));
    }
    let (cp, note) = super::keys::store_checkpoint(ctx, &key, prepared.size, prepared.root)?;
    let filter = request.filter();
    let mut files = prepared.files.clone();
    files.insert(
        bundle::CHECKPOINT.into(),
        hex::encode(Sha256::digest(note.as_bytes())),
    );

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
            .map_err(tree_fail)?
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
        filter: filter.clone(),
        full: prepared.full,
        tree_size: cp.tree_size,
        entries: prepared.entries,
        files,
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
    let mut file = Hashed::create(out, bundle::MANIFEST)?;
    file.write_all(&manifest_bytes).map_err(|e| io(out, e))?;
    file.finish()?;
    *prepared.signed.borrow_mut() = vec![
        (bundle::CHECKPOINT, note.into_bytes()),
        (bundle::MANIFEST_SIGNATURE, signature.into_bytes()),
    ];
    let applied = Applied {
        entity_type: "export",
        entity_ref: request.out.display().to_string(),
        details: json!({
            "filter": filter,
            "full": prepared.full,
            "entries": prepared.entries,
            "tree_size": cp.tree_size,
            "root": merkle::to_hex(&cp.root),
        }),
    };
    let done = Done::Exported {
        entries: prepared.entries,
        full: prepared.full,
        tree_size: cp.tree_size,
    };
    Ok((applied, done))
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
        let file = private_options()
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

/// Writes the entries, proofs, CSV and report into `prepared.dir`,
/// reading the trail once, in seq order, and only the events the filter
/// selects; records in `prepared` what it wrote and the verified root.
///
/// A full export (`proved` is None) verifies the whole chain as it goes,
/// and that it makes the root of the latest checkpoint on the way and the
/// stored tree's root at the end. A filtered one is given the size and
/// root signing verified, and verifies each entry's hash and its inclusion
/// proof. The CSV and the report are written on a second thread from the
/// entries as they are read, in batches through a bounded channel, so
/// memory stays flat.
fn write_bundle(
    conn: &rusqlite::Connection,
    casefile_id: &str,
    selection: &Selection,
    key: &ed25519_dalek::SigningKey,
    proved: Option<(u64, merkle::Hash)>,
    prepared: &mut Prepared,
) -> Result<(), Fail> {
    let out = prepared.dir.clone();
    let out = &out;
    let full = proved.is_none();
    let size: i64 = match proved {
        Some((size, _)) => size as i64,
        None => conn.query_row("SELECT coalesce(max(seq), 0) FROM audit_event", [], |r| {
            r.get(0)
        })?,
    };
    let latest = if full {
        super::keys::latest_signed(conn, casefile_id, key, size)?
    } else {
        None
    };

    let entries_file = Hashed::create(out, bundle::ENTRIES)?;
    let csv = crate::audit::report::CsvWriter::new(Hashed::create(out, bundle::CSV)?)
        .map_err(|e| io(out, e))?;
    let proofs_file = if full {
        None
    } else {
        Some(Hashed::create(out, bundle::PROOFS)?)
    };
    // Made owner-only before SQLite opens it: it holds the report's text.
    let scratch_path = out.join(SCRATCH);
    private_options()
        .write(true)
        .create_new(true)
        .open(&scratch_path)
        .map_err(|e| io(&scratch_path, e))?;
    let scratch = rusqlite::Connection::open(&scratch_path)
        .map_err(|e| Fail::Store(crate::store::sqlite_err(&scratch_path, e)))?;
    let report = crate::audit::report::Report::new(scratch).map_err(|e| io(out, e))?;

    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Event>>(8);
    let (streamed, derived) = std::thread::scope(|scope| {
        let derived = scope.spawn(move || -> std::io::Result<_> {
            let (mut csv, mut report) = (csv, report);
            for batch in receive {
                for event in &batch {
                    csv.push(event)?;
                    report.push(event)?;
                }
            }
            Ok((csv, report))
        });
        let streamed = stream(
            conn,
            casefile_id,
            selection,
            size,
            proved,
            latest.as_ref().map(|l| l.size),
            entries_file,
            proofs_file,
            send,
        );
        (streamed, derived.join())
    });
    let streamed = streamed?;
    let (csv, report) = match derived {
        Ok(done) => done.map_err(|e| io(out, e))?,
        Err(_) => {
            return Err(io(
                out,
                std::io::Error::other("writing the CSV and report failed"),
            ));
        }
    };

    let root = match proved {
        Some((_, root)) => root,
        None => {
            // The events chained; now they must still make the roots that
            // were signed and stored.
            if let Some(latest) = &latest {
                if streamed.built.size() < latest.size as u64 {
                    return Err(latest.cut_short(streamed.built.size() as i64));
                }
                if streamed.root_at_latest != Some(latest.root) {
                    return Err(latest.rewritten());
                }
            }
            let root = streamed.built.root();
            let mut tree = super::tree::StoredTree::new(conn);
            let stored = tree.root(size as u64).map_err(|e| e.fail(size))?;
            if stored != root {
                return Err(Fail::Check(crate::store::CheckReport::Altered {
                    events: size,
                    findings: vec![format!(
                        "audit_node: the stored Merkle tree does not answer to events 1 to {size}"
                    )],
                    more: 0,
                }));
            }
            root
        }
    };
    prepared.size = size as u64;
    prepared.root = root;
    prepared.entries = streamed.entries;
    prepared
        .files
        .insert(bundle::ENTRIES.into(), streamed.entries_hash);
    if let Some(hash) = streamed.proofs_hash {
        prepared.files.insert(bundle::PROOFS.into(), hash);
    }
    prepared.files.insert(
        bundle::CSV.into(),
        csv.finish().map_err(|e| io(out, e))?.finish()?,
    );
    let title = format!(
        "Audit trail of case file {casefile_id} ({})",
        if full { "full" } else { "filtered" }
    );
    let mut report_file = Hashed::create(out, bundle::REPORT)?;
    report
        .finish(&title, &mut report_file)
        .map_err(|e| io(out, e))?;
    prepared
        .files
        .insert(bundle::REPORT.into(), report_file.finish()?);
    Ok(())
}

/// What reading the selected events made.
struct Streamed {
    entries: u64,
    entries_hash: String,
    proofs_hash: Option<String>,
    /// The root of every event (a full export).
    built: merkle::RootBuilder,
    /// The root of the first events, as many as the latest checkpoint
    /// covers, once passed (a full export).
    root_at_latest: Option<merkle::Hash>,
}

/// Reads the selected events in seq order, verifying each, and writes
/// entries.jsonl (and proofs.jsonl) from them; sends each batch on to the
/// thread writing the CSV and report.
#[allow(clippy::too_many_arguments)]
fn stream(
    conn: &rusqlite::Connection,
    casefile_id: &str,
    selection: &Selection,
    size: i64,
    proved: Option<(u64, merkle::Hash)>,
    latest_size: Option<i64>,
    mut entries_file: Hashed,
    mut proofs_file: Option<Hashed>,
    send: std::sync::mpsc::SyncSender<Vec<Event>>,
) -> Result<Streamed, Fail> {
    use crate::audit::{ChainBreak, ChainVerifier, Problem};
    use crate::store::CheckReport;
    let out = entries_file
        .path
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let full = proved.is_none();
    let mut stmt = conn.prepare(&format!(
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
    let mut tree = super::tree::StoredTree::new(conn);
    let mut chain = ChainVerifier::new(casefile_id);
    let mut built = merkle::RootBuilder::new();
    let mut root_at_latest = None;
    let mut locate = conn.prepare("SELECT seq FROM audit_event WHERE hash = ?1")?;
    let mut entries: u64 = 0;
    let broken = |at: ChainBreak| {
        Fail::Check(CheckReport::Broken {
            verified: at.seq - 1,
            at,
        })
    };
    const BATCH: usize = 512;
    let mut batch = Vec::with_capacity(BATCH);
    let mut line = Vec::new();
    while let Some(row) = rows.next()? {
        let event = match super::check::event_from_row(row) {
            Ok(event) => event,
            Err(e) => return Err(broken(chain.malformed(e.to_string()))),
        };
        let leaf = super::check::leaf_of(&event.hash);
        match proved {
            None => {
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
                if latest_size == Some(built.size() as i64) {
                    root_at_latest = Some(built.root());
                }
            }
            Some((tree_size, root)) => {
                let seq = event.seq;
                if crate::audit::event_hash(&event) != event.hash {
                    return Err(broken(ChainBreak {
                        seq,
                        problem: Problem::HashMismatch,
                    }));
                }
                let tree_fail = |e: super::tree::TreeError| e.fail(size);
                let proof = merkle::inclusion_proof_in(&mut tree, seq as u64 - 1, tree_size)
                    .map_err(tree_fail)?
                    .expect("a selected event is in the tree");
                if !merkle::verify_inclusion(&leaf, seq as u64 - 1, tree_size, &proof, &root) {
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
                serde_json::to_writer(&mut *file, &proof).map_err(|e| io(&out, e.into()))?;
                file.write_all(b"\n").map_err(|e| io(&out, e))?;
            }
        }
        // Control, bidi and zero-width characters as `\uXXXX` escapes: the
        // same JSON values (the hashes are over them, not these bytes), and
        // the file is safe to `cat`.
        line.clear();
        crate::sanitise::write_json(&mut line, &event).expect("an event serialises");
        line.push(b'\n');
        entries_file.write_all(&line).map_err(|e| io(&out, e))?;
        entries += 1;
        batch.push(event);
        if batch.len() == BATCH {
            let full_batch = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if send.send(full_batch).is_err() {
                // The other thread stopped: its error is reported.
                break;
            }
        }
    }
    if !batch.is_empty() {
        let _ = send.send(batch);
    }
    Ok(Streamed {
        entries,
        entries_hash: entries_file.finish()?,
        proofs_hash: proofs_file.map(Hashed::finish).transpose()?,
        built,
        root_at_latest,
    })
}

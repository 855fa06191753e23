//! The oversight export bundle and its offline verifier. Verifying needs
//! nothing but the bundle and the public key: no case file, no ccu data.
//! docs/oversight-export.md specifies the format.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::checkpoint::{self, Checkpoint};
use super::merkle::{self, Hash};
use super::{ChainVerifier, Event, event_hash};

pub const FORMAT: &str = "ccu-audit-export/1";
pub const MANIFEST: &str = "manifest.json";
pub const MANIFEST_SIGNATURE: &str = "manifest.sig";
pub const ENTRIES: &str = "entries.jsonl";
pub const CHECKPOINT: &str = "checkpoint.txt";
pub const PROOFS: &str = "proofs.jsonl";
pub const CONSISTENCY: &str = "consistency.jsonl";
pub const CSV: &str = "audit.csv";
pub const REPORT: &str = "report.html";
/// Every file an export may write, for removing a bundle that could not
/// be written whole.
pub const ALL_FILES: [&str; 8] = [
    MANIFEST,
    MANIFEST_SIGNATURE,
    ENTRIES,
    CHECKPOINT,
    PROOFS,
    CONSISTENCY,
    CSV,
    REPORT,
];
/// The first line of the signed manifest note.
pub const MANIFEST_NOTE: &str = "ccu-audit-manifest/1";

/// What was asked for; `None` everywhere is a full export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub from: Option<String>,
    pub to: Option<String>,
    pub operation: Option<String>,
    pub user: Option<String>,
}

impl Filter {
    pub fn is_full(&self) -> bool {
        *self == Filter::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub casefile_id: String,
    pub origin: String,
    pub created_at: String,
    pub exported_by: String,
    pub filter: Filter,
    pub full: bool,
    /// Events covered by the checkpoint.
    pub tree_size: u64,
    /// Entries in entries.jsonl.
    pub entries: u64,
    /// SHA-256 (hex) of every other file in the bundle.
    pub files: BTreeMap<String, String>,
    /// The files derived for reading, which prove nothing.
    pub non_authoritative: Vec<String>,
}

/// An inclusion proof for one entry (a line of proofs.jsonl).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    pub seq: u64,
    pub proof: Vec<String>,
}

/// A consistency proof from an earlier checkpoint (a line of consistency.jsonl).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub proof: Vec<String>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The leaf of an event: its 32-byte hash (docs/audit-format.md).
pub fn leaf(event_hash_hex: &str) -> Hash {
    merkle::leaf_hash(
        &hex::decode(event_hash_hex).unwrap_or_else(|_| event_hash_hex.as_bytes().to_vec()),
    )
}

/// The body of the signed manifest note.
pub fn manifest_note_body(manifest_bytes: &[u8]) -> String {
    format!("{MANIFEST_NOTE}\n{}\n", sha256_hex(manifest_bytes))
}

/// Why a bundle did not verify: the first problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleError {
    /// The entry it concerns, if it concerns one, by the seq it gives
    /// (which may be any number in a bundle that was tampered with).
    pub seq: Option<i64>,
    pub reason: String,
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "entry seq {seq}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

fn fail<T>(reason: impl Into<String>) -> Result<T, BundleError> {
    Err(BundleError {
        seq: None,
        reason: reason.into(),
    })
}

fn fail_at<T>(seq: i64, reason: impl Into<String>) -> Result<T, BundleError> {
    Err(BundleError {
        seq: Some(seq),
        reason: reason.into(),
    })
}

/// The most a small file of a bundle (the manifest, a signature, the
/// checkpoint, the consistency proofs) may hold: anything larger is not
/// one ccu wrote, and is refused rather than read into memory.
const SMALL_FILE: u64 = 16 << 20;

/// The most one line of entries.jsonl or proofs.jsonl may hold. The
/// longest entry ccu writes is well under a megabyte; a longer line is not
/// one it wrote, and is refused rather than read into memory.
const LONGEST_LINE: u64 = 16 << 20;

/// The largest file `ccu audit verify --pubkey` reads the key from: the
/// key is one line of about ninety characters.
pub const MAX_KEY_FILE_BYTES: u64 = 64 << 10;

/// The largest earlier checkpoint `ccu audit verify --since` reads: a
/// signed checkpoint is a few hundred bytes.
pub const MAX_HELD_CHECKPOINT_BYTES: u64 = 64 << 10;

/// Opens a file of the bundle, which must be a regular file: a device, a
/// pipe or a folder in its place (or a link to one) would never end. It is
/// looked at before it is opened and again once open, and a pipe put there
/// in between is not waited on ([`crate::files::open_regular`]).
fn open_file(dir: &Path, name: &str) -> Result<std::fs::File, BundleError> {
    use crate::files::ReadFailure;
    match crate::files::open_regular(&dir.join(name)) {
        Ok((file, _)) => Ok(file),
        Err(ReadFailure::NotRegular(_)) => fail(format!("{name}: not a regular file")),
        Err(ReadFailure::NotFound(e) | ReadFailure::Io(e)) => Err(cannot_read(name, e)),
        Err(other) => fail(format!("{name}: cannot read it: {other}")),
    }
}

fn cannot_read(name: &str, e: std::io::Error) -> BundleError {
    BundleError {
        seq: None,
        reason: format!("{name}: cannot read it: {e}"),
    }
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, BundleError> {
    let file = open_file(dir, name)?;
    let mut bytes = Vec::new();
    file.take(SMALL_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot_read(name, e))?;
    if bytes.len() as u64 > SMALL_FILE {
        return fail(format!(
            "{name}: larger than {} MiB, so not a file ccu wrote",
            SMALL_FILE >> 20
        ));
    }
    Ok(bytes)
}

/// A file of the bundle read line by line, hashed as it is read.
struct Lines {
    name: &'static str,
    reader: std::io::BufReader<Hashing>,
    line: Vec<u8>,
    number: u64,
}

struct Hashing {
    file: std::fs::File,
    hash: Sha256,
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

impl Lines {
    fn open(dir: &Path, name: &'static str) -> Result<Lines, BundleError> {
        let file = open_file(dir, name)?;
        Ok(Lines {
            name,
            reader: std::io::BufReader::with_capacity(
                1 << 16,
                Hashing {
                    file,
                    hash: Sha256::new(),
                },
            ),
            line: Vec::new(),
            number: 0,
        })
    }

    /// The next line without its newline, as UTF-8, with its number;
    /// None at the end.
    fn next(&mut self) -> Result<Option<(u64, &str)>, BundleError> {
        self.line.clear();
        let n = (&mut self.reader)
            .take(LONGEST_LINE + 1)
            .read_until(b'\n', &mut self.line)
            .or_else(|e| fail(format!("{}: cannot read it: {e}", self.name)))?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        if n as u64 > LONGEST_LINE {
            return fail(format!(
                "{} line {}: longer than {} MiB, so not one ccu wrote",
                self.name,
                self.number,
                LONGEST_LINE >> 20
            ));
        }
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        }
        match std::str::from_utf8(&self.line) {
            Ok(text) => Ok(Some((self.number, text))),
            Err(_) => fail(format!("{} is not UTF-8", self.name)),
        }
    }

    /// Reads whatever is left and gives the whole file's SHA-256 in hex.
    fn finish(mut self) -> Result<String, BundleError> {
        let name = self.name;
        std::io::copy(&mut self.reader, &mut std::io::sink())
            .or_else(|e| fail(format!("{name}: cannot read it: {e}")))?;
        Ok(hex::encode(self.reader.into_inner().hash.finalize()))
    }
}

/// SHA-256 of a file of any size, in hex, read in pieces.
fn hash_file(dir: &Path, name: &str) -> Result<String, BundleError> {
    let file = open_file(dir, name)?;
    let mut hashing = Hashing {
        file,
        hash: Sha256::new(),
    };
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match hashing.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(cannot_read(name, e)),
        }
    }
    Ok(hex::encode(hashing.hash.finalize()))
}

/// The seq of the entry whose hash is `hash`, found by reading
/// entries.jsonl again: only asked when a link is broken, to tell a
/// reordering from an insertion.
fn locate(dir: &Path, hash: &str) -> Option<i64> {
    let mut lines = Lines::open(dir, ENTRIES).ok()?;
    while let Ok(Some((_, line))) = lines.next() {
        if !line.contains(hash) {
            continue;
        }
        if let Ok(e) = serde_json::from_str::<Event>(line)
            && e.hash == hash
        {
            return Some(e.seq);
        }
    }
    None
}

/// The hashes of a proof: of the entry `seq`, or of none for a
/// consistency proof.
fn hashes(hex_list: &[String], what: &str, seq: Option<i64>) -> Result<Vec<Hash>, BundleError> {
    hex_list
        .iter()
        .map(|h| {
            merkle::from_hex(h).ok_or_else(|| BundleError {
                seq,
                reason: format!("{what} holds a value that is not a 32-byte hex hash"),
            })
        })
        .collect()
}

/// What a bundle that verifies contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    pub full: bool,
    pub checkpoint: Checkpoint,
    /// The size of the earlier checkpoint it was shown to extend.
    pub extends: Option<u64>,
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ok: {} entries ({}), checkpoint of {} events at {} verified",
            self.entries,
            if self.full {
                "full export, chain verified"
            } else {
                "filtered export, each proved included"
            },
            self.checkpoint.tree_size,
            self.checkpoint.time
        )?;
        if let Some(old) = self.extends {
            write!(f, "; it extends the earlier checkpoint of {old} events")?;
        }
        Ok(())
    }
}

/// Verifies a bundle in `dir` with nothing but the verifier key (and,
/// optionally, an earlier signed checkpoint oversight held).
///
/// Memory stays flat in the size of the bundle: each file is hashed as it
/// is read, entries.jsonl and proofs.jsonl are read a line at a time in
/// step, the chain and the Merkle root are checked as the entries pass,
/// and the two derived files are hashed on a second thread meanwhile.
/// Problems are reported in the order a reader would check them: a file
/// that differs from the manifest first (in the manifest's order), then
/// what is wrong inside.
pub fn verify(dir: &Path, verifier: &str, since: Option<&str>) -> Result<Verified, BundleError> {
    // 1. The manifest is signed, and lists the files it must.
    let manifest_bytes = read(dir, MANIFEST)?;
    let signature = String::from_utf8(read(dir, MANIFEST_SIGNATURE)?)
        .or_else(|_| fail("manifest.sig is not text"))?;
    let body = checkpoint::verify_note(&signature, verifier)
        .or_else(|e| fail(format!("manifest.sig: {e}")))?;
    if body != manifest_note_body(&manifest_bytes) {
        return fail(
            "manifest.json does not match its signature: the manifest was altered or forged",
        );
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .or_else(|e| fail(format!("manifest.json is malformed: {e}")))?;
    if manifest.format != FORMAT {
        return fail(format!(
            "manifest.json: format {:?} is not {FORMAT}",
            manifest.format
        ));
    }
    for required in [ENTRIES, CHECKPOINT] {
        if !manifest.files.contains_key(required) {
            return fail(format!("manifest.json does not list {required}"));
        }
    }
    if !manifest.full && !manifest.files.contains_key(PROOFS) {
        return fail("a filtered export must carry proofs.jsonl");
    }
    for name in manifest.files.keys() {
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            return fail(format!(
                "manifest.json names a file outside the bundle: {name}"
            ));
        }
    }

    // 2. Every other file is hashed: the small ones read whole (they are
    // used below), the large derived ones on a second thread.
    let mut small: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    let mut streamed: Vec<&str> = Vec::new();
    for name in manifest.files.keys() {
        match name.as_str() {
            ENTRIES | PROOFS => {}
            CHECKPOINT | CONSISTENCY => {
                small.insert(name, read(dir, name)?);
            }
            other => streamed.push(other),
        }
    }
    let (hashed, content) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| {
            streamed
                .iter()
                .map(|name| Ok((*name, hash_file(dir, name)?)))
                .collect::<Result<Vec<(&str, String)>, BundleError>>()
        });
        let content = verify_content(dir, &manifest, &small, verifier, since);
        let hashed = hashing
            .join()
            .unwrap_or_else(|_| fail("hashing a file failed"));
        (hashed, content)
    });
    let mut hashes: BTreeMap<&str, String> = hashed?.into_iter().collect();
    for (name, bytes) in &small {
        hashes.insert(name, sha256_hex(bytes));
    }
    let (verified, streamed_hashes) = content?;
    hashes.extend(streamed_hashes);
    for (name, expected) in &manifest.files {
        if hashes.get(name.as_str()) != Some(expected) {
            return fail(format!(
                "{name}: its SHA-256 differs from the manifest: the file was changed, truncated or replaced"
            ));
        }
    }
    verified
}

/// Steps 3 to 5 of [`verify`]: the checkpoint, the entries with their
/// chain or proofs, and the earlier checkpoint. The outer result is what
/// stopped the reading; the inner one the verdict, with the hashes of the
/// files read line by line (each read to its end, so a file that differs
/// from the manifest is reported as such whatever was found inside).
#[allow(clippy::type_complexity)]
fn verify_content(
    dir: &Path,
    manifest: &Manifest,
    small: &BTreeMap<&str, Vec<u8>>,
    verifier: &str,
    since: Option<&str>,
) -> Result<(Result<Verified, BundleError>, Vec<(&'static str, String)>), BundleError> {
    let mut entries = Lines::open(dir, ENTRIES)?;
    let mut proofs = if manifest.full {
        None
    } else {
        Some(Lines::open(dir, PROOFS)?)
    };
    let verdict = verify_lines(
        dir,
        manifest,
        small,
        verifier,
        since,
        &mut entries,
        &mut proofs,
    );
    let mut hashes = vec![(ENTRIES, entries.finish()?)];
    if let Some(proofs) = proofs {
        hashes.push((PROOFS, proofs.finish()?));
    }
    Ok((verdict, hashes))
}

fn verify_lines(
    dir: &Path,
    manifest: &Manifest,
    small: &BTreeMap<&str, Vec<u8>>,
    verifier: &str,
    since: Option<&str>,
    entries: &mut Lines,
    proofs: &mut Option<Lines>,
) -> Result<Verified, BundleError> {
    // 3. The checkpoint is signed by the same key, for this case file.
    let note = String::from_utf8(small[CHECKPOINT].clone())
        .or_else(|_| fail("checkpoint.txt is not text"))?;
    let cp =
        checkpoint::verify(&note, verifier).or_else(|e| fail(format!("checkpoint.txt: {e}")))?;
    if cp.origin != Checkpoint::origin_for(&manifest.casefile_id) || cp.origin != manifest.origin {
        return fail("the checkpoint is for another case file than the manifest names");
    }
    if cp.tree_size != manifest.tree_size {
        return fail("the checkpoint's size differs from the manifest's");
    }
    // The earlier checkpoint is read now, for the size whose root a full
    // export must make on the way; what is wrong with it is said last.
    let earlier = since.map(|note| checkpoint::verify(note, verifier));
    let earlier_size = match &earlier {
        Some(Ok(old)) => Some(old.tree_size),
        _ => None,
    };

    // 4. The entries, one at a time. Every line is read whatever is found,
    // and the first problem of each kind kept: they are reported in the
    // order of a reader who checked the whole file for each in turn (that
    // every line is an entry, their number, their order, each one's seq
    // and hash, then the chain or the proofs).
    let mut chain = ChainVerifier::new(&manifest.casefile_id);
    let mut tree = merkle::RootBuilder::new();
    let mut earlier_root = (earlier_size == Some(0)).then(|| tree.root());
    let mut count: u64 = 0;
    let mut previous: Option<i64> = None;
    let mut order: Option<BundleError> = None;
    let mut contents: Option<BundleError> = None;
    let mut linked: Option<BundleError> = None;
    while let Some((number, line)) = entries.next()? {
        let e: Event = serde_json::from_str(line)
            .or_else(|e| fail(format!("entries.jsonl line {number}: not an entry: {e}")))?;
        count += 1;
        // As written, for the messages; as a tree index only once it is
        // known to be one.
        let seq = e.seq;
        if let Some(before) = previous
            && seq <= before
            && order.is_none()
        {
            order = fail_at::<()>(seq, format!("out of order: it follows seq {before}")).err();
        }
        previous = Some(seq);
        let index = u64::try_from(seq)
            .ok()
            .and_then(|s| s.checked_sub(1))
            .filter(|i| *i < cp.tree_size);
        if contents.is_none() {
            if index.is_none() {
                contents = fail_at::<()>(
                    seq,
                    format!(
                        "outside the checkpoint, which covers seq 1 to {}",
                        cp.tree_size
                    ),
                )
                .err();
            } else if event_hash(&e) != e.hash {
                contents =
                    fail_at::<()>(seq, "hash mismatch: its contents are not what was recorded")
                        .err();
            }
        }
        // Links and proofs are checked until one fails, and never for an
        // entry outside the checkpoint: that is what is reported for it,
        // whatever its link or proof would show, since it is no leaf of the
        // signed tree.
        let (Some(index), None) = (index, &linked) else {
            continue;
        };
        let leaf = leaf(&e.hash);
        match proofs {
            None => match chain.push(&e, |h| locate(dir, h)) {
                Ok(()) => {
                    tree.push(leaf);
                    if earlier_size == Some(tree.size()) {
                        earlier_root = Some(tree.root());
                    }
                }
                Err(b) => linked = fail_at::<()>(b.seq, b.to_string()).err(),
            },
            Some(proofs) => {
                let proof = match proofs.next() {
                    Err(e) => Err(e),
                    Ok(None) => fail_at(seq, "no inclusion proof"),
                    Ok(Some((_, line))) => serde_json::from_str::<InclusionProof>(line)
                        .or_else(|e| fail(format!("proofs.jsonl: {e}")))
                        .and_then(|p| {
                            if i64::try_from(p.seq) == Ok(seq) {
                                Ok(p)
                            } else {
                                fail_at(seq, "no inclusion proof")
                            }
                        }),
                };
                let proved = proof
                    .and_then(|p| hashes(&p.proof, "its inclusion proof", Some(seq)))
                    .and_then(|proof| {
                        if merkle::verify_inclusion(&leaf, index, cp.tree_size, &proof, &cp.root) {
                            Ok(())
                        } else {
                            fail_at(seq, "its inclusion proof does not lead to the signed root")
                        }
                    });
                linked = proved.err();
            }
        }
    }
    if count != manifest.entries {
        return fail(format!(
            "entries.jsonl holds {count} entries; the manifest says {}",
            manifest.entries
        ));
    }
    if let Some(found) = order.or(contents).or(linked) {
        return Err(found);
    }
    if manifest.full {
        if count != cp.tree_size {
            return fail(format!(
                "the checkpoint covers {} events but the full export holds {count}: entries are missing",
                cp.tree_size,
            ));
        }
        if tree.root() != cp.root {
            return fail("the entries' Merkle root is not the signed root");
        }
    }

    // 5. Optionally: the new checkpoint extends one oversight held before.
    let mut extends = None;
    if let Some(old) = earlier {
        let old = old.or_else(|e| fail(format!("the earlier checkpoint: {e}")))?;
        if old.origin != cp.origin {
            return fail("the earlier checkpoint is for another case file");
        }
        if old.tree_size > cp.tree_size {
            return fail(format!(
                "the earlier checkpoint covers {} events, more than this one's {}: the trail was cut short",
                old.tree_size, cp.tree_size
            ));
        }
        let consistent = if manifest.full {
            earlier_root == Some(old.root)
        } else if old.tree_size == cp.tree_size {
            old.root == cp.root
        } else {
            let text = small
                .get(CONSISTENCY)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            let proof = text
                .lines()
                .filter_map(|l| serde_json::from_str::<ConsistencyProof>(l).ok())
                .find(|p| p.old_size == old.tree_size);
            match proof {
                None => {
                    return fail(format!(
                        "the bundle has no consistency proof from size {}",
                        old.tree_size
                    ));
                }
                Some(p) => {
                    let proof = hashes(&p.proof, "the consistency proof", None)?;
                    merkle::verify_consistency(
                        old.tree_size,
                        cp.tree_size,
                        &old.root,
                        &cp.root,
                        &proof,
                    )
                }
            }
        };
        if !consistent {
            return fail(format!(
                "this checkpoint does not extend the earlier checkpoint of {} events ({}): history before it was rewritten",
                old.tree_size, old.time
            ));
        }
        extends = Some(old.tree_size);
    }
    Ok(Verified {
        entries: count,
        full: manifest.full,
        checkpoint: cp,
        extends,
    })
}

//! The oversight export bundle and its offline verifier. Verifying needs
//! nothing but the bundle and the public key: no case file, no ccu data.
//! docs/oversight-export.md specifies the format.

use std::collections::BTreeMap;
use std::fmt;
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
    /// The entry it concerns, if it concerns one.
    pub seq: Option<u64>,
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

fn fail_at<T>(seq: u64, reason: impl Into<String>) -> Result<T, BundleError> {
    Err(BundleError {
        seq: Some(seq),
        reason: reason.into(),
    })
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, BundleError> {
    std::fs::read(dir.join(name)).or_else(|e| fail(format!("{name}: cannot read it: {e}")))
}

fn hashes(hex_list: &[String], what: &str, seq: u64) -> Result<Vec<Hash>, BundleError> {
    hex_list
        .iter()
        .map(|h| {
            merkle::from_hex(h).ok_or_else(|| BundleError {
                seq: Some(seq),
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
pub fn verify(dir: &Path, verifier: &str, since: Option<&str>) -> Result<Verified, BundleError> {
    // 1. The manifest is signed, and every file matches its hash.
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
    let mut contents = BTreeMap::new();
    for (name, expected) in &manifest.files {
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            return fail(format!(
                "manifest.json names a file outside the bundle: {name}"
            ));
        }
        let bytes = read(dir, name)?;
        if sha256_hex(&bytes) != *expected {
            return fail(format!(
                "{name}: its SHA-256 differs from the manifest: the file was changed, truncated or replaced"
            ));
        }
        contents.insert(name.as_str(), bytes);
    }

    // 2. The checkpoint is signed by the same key, for this case file.
    let note = String::from_utf8(contents[CHECKPOINT].clone())
        .or_else(|_| fail("checkpoint.txt is not text"))?;
    let cp =
        checkpoint::verify(&note, verifier).or_else(|e| fail(format!("checkpoint.txt: {e}")))?;
    if cp.origin != Checkpoint::origin_for(&manifest.casefile_id) || cp.origin != manifest.origin {
        return fail("the checkpoint is for another case file than the manifest names");
    }
    if cp.tree_size != manifest.tree_size {
        return fail("the checkpoint's size differs from the manifest's");
    }

    // 3. The entries.
    let text = String::from_utf8(contents[ENTRIES].clone())
        .or_else(|_| fail("entries.jsonl is not UTF-8"))?;
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let event: Event = serde_json::from_str(line)
            .or_else(|e| fail(format!("entries.jsonl line {}: not an entry: {e}", i + 1)))?;
        entries.push(event);
    }
    if entries.len() as u64 != manifest.entries {
        return fail(format!(
            "entries.jsonl holds {} entries; the manifest says {}",
            entries.len(),
            manifest.entries
        ));
    }
    for pair in entries.windows(2) {
        if pair[1].seq <= pair[0].seq {
            return fail_at(
                pair[1].seq as u64,
                format!("out of order: it follows seq {}", pair[0].seq),
            );
        }
    }
    for e in &entries {
        if e.seq < 1 || e.seq as u64 > cp.tree_size {
            return fail_at(
                e.seq as u64,
                format!(
                    "outside the checkpoint, which covers seq 1 to {}",
                    cp.tree_size
                ),
            );
        }
        if event_hash(e) != e.hash {
            return fail_at(
                e.seq as u64,
                "hash mismatch: its contents are not what was recorded",
            );
        }
    }
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf(&e.hash)).collect();
    if manifest.full {
        let mut chain = ChainVerifier::new(&manifest.casefile_id);
        for e in &entries {
            chain
                .push(e, |h| entries.iter().find(|x| x.hash == h).map(|x| x.seq))
                .or_else(|b| fail_at(b.seq as u64, b.to_string()))?;
        }
        if entries.len() as u64 != cp.tree_size {
            return fail(format!(
                "the checkpoint covers {} events but the full export holds {}: entries are missing",
                cp.tree_size,
                entries.len()
            ));
        }
        if merkle::root(&leaves) != cp.root {
            return fail("the entries' Merkle root is not the signed root");
        }
    } else {
        let proofs_text = String::from_utf8(contents[PROOFS].clone())
            .or_else(|_| fail("proofs.jsonl is not UTF-8"))?;
        let mut proofs = BTreeMap::new();
        for line in proofs_text.lines() {
            let p: InclusionProof =
                serde_json::from_str(line).or_else(|e| fail(format!("proofs.jsonl: {e}")))?;
            proofs.insert(p.seq, p.proof);
        }
        for (e, leaf) in entries.iter().zip(&leaves) {
            let seq = e.seq as u64;
            let Some(proof) = proofs.get(&seq) else {
                return fail_at(seq, "no inclusion proof");
            };
            let proof = hashes(proof, "its inclusion proof", seq)?;
            if !merkle::verify_inclusion(leaf, seq - 1, cp.tree_size, &proof, &cp.root) {
                return fail_at(seq, "its inclusion proof does not lead to the signed root");
            }
        }
    }

    // 4. Optionally: the new checkpoint extends one oversight held before.
    let mut extends = None;
    if let Some(old_note) = since {
        let old = checkpoint::verify(old_note, verifier)
            .or_else(|e| fail(format!("the earlier checkpoint: {e}")))?;
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
            merkle::root(&leaves[..old.tree_size as usize]) == old.root
        } else if old.tree_size == cp.tree_size {
            old.root == cp.root
        } else {
            let text = contents
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
                    let proof = hashes(&p.proof, "the consistency proof", 0)?;
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
        entries: entries.len() as u64,
        full: manifest.full,
        checkpoint: cp,
        extends,
    })
}

//! Signed checkpoints of the audit trail, in the C2SP formats: a
//! `tlog-checkpoint` body (origin, tree size, base64 Merkle root, one
//! extension line with the time) signed as a `signed-note` with Ed25519.
//! Oversight keeps the public key apart from the case file, so a checkpoint
//! it holds can be checked against the trail without trusting the unit.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The signed-note signature type byte for Ed25519.
const ED25519: u8 = 0x01;

/// The unsigned content of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// `ccu/<case-file id>`: names the log, and the key.
    pub origin: String,
    pub tree_size: u64,
    pub root: Hash,
    /// UTC, RFC 3339, as the `time` extension line.
    pub time: String,
}

impl Checkpoint {
    pub fn origin_for(casefile_id: &str) -> String {
        format!("ccu/{casefile_id}")
    }

    /// The exact text that is signed.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\ntime {}\n",
            self.origin,
            self.tree_size,
            B64.encode(self.root),
            self.time
        )
    }
}

/// The 4-byte key id of signed-note: SHA-256(name || "\n" || 0x01 || key).
pub fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(key.to_bytes());
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The verifier key in signed-note form: `name+hexid+base64(0x01||key)`.
/// This one line is what oversight keeps.
pub fn verifier_key(name: &str, key: &VerifyingKey) -> String {
    let mut typed = vec![ED25519];
    typed.extend_from_slice(&key.to_bytes());
    format!(
        "{name}+{}+{}",
        hex::encode(key_id(name, key)),
        B64.encode(typed)
    )
}

/// SHA-256 of the raw public key, in hex: easy to read out over a phone.
pub fn fingerprint(key: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(key.to_bytes()))
}

/// Signs a checkpoint: the body, a blank line, and one signature line.
pub fn sign(checkpoint: &Checkpoint, key: &SigningKey) -> String {
    sign_note(&checkpoint.body(), &checkpoint.origin, key)
}

/// Signs any note body (lines each ending in a newline) as `name`.
pub fn sign_note(body: &str, name: &str, key: &SigningKey) -> String {
    let signature = key.sign(body.as_bytes());
    let mut blob = key_id(name, &key.verifying_key()).to_vec();
    blob.extend_from_slice(&signature.to_bytes());
    format!("{body}\n\u{2014} {name} {}\n", B64.encode(blob))
}

/// Why a note did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the verifier key is malformed: {0}")]
    BadKey(String),
    #[error("the signed note is malformed: {0}")]
    Malformed(String),
    #[error("it bears no signature by key {0}")]
    NotSignedByKey(String),
    #[error("the signature by key {0} does not verify: it was altered or forged")]
    BadSignature(String),
}

/// Parses a verifier key line (`name+hexid+base64`).
pub fn parse_verifier_key(text: &str) -> Result<(String, VerifyingKey), NoteError> {
    let bad = |why: &str| NoteError::BadKey(why.to_owned());
    // A name never contains '+'; the base64 key may.
    let mut parts = text.trim().splitn(3, '+');
    let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected name+keyid+key"));
    };
    let typed = B64.decode(b64).map_err(|_| bad("the key is not base64"))?;
    let [ED25519, rest @ ..] = typed.as_slice() else {
        return Err(bad("not an Ed25519 key"));
    };
    let bytes: [u8; 32] = rest
        .try_into()
        .map_err(|_| bad("an Ed25519 key is 32 bytes"))?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad("not a valid Ed25519 point"))?;
    if hex::encode(key_id(name, &key)) != id.to_ascii_lowercase() {
        return Err(bad("the key id does not match the name and key"));
    }
    Ok((name.to_owned(), key))
}

/// Verifies a signed checkpoint against a verifier key and parses it.
pub fn verify(note: &str, verifier: &str) -> Result<Checkpoint, NoteError> {
    let body = verify_note(note, verifier)?;
    parse_body(&body)
}

/// Verifies a signed note against a verifier key; returns its body.
pub fn verify_note(note: &str, verifier: &str) -> Result<String, NoteError> {
    let (name, key) = parse_verifier_key(verifier)?;
    let malformed = |why: &str| NoteError::Malformed(why.to_owned());
    let split = note
        .find("\n\n")
        .ok_or_else(|| malformed("no blank line before the signatures"))?;
    let (body, signatures) = (&note[..split + 1], &note[split + 2..]);
    let wanted_id = key_id(&name, &key);
    let mut found = false;
    for line in signatures.lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return Err(malformed("a signature line must start with an em dash"));
        };
        let Some((signer, b64)) = rest.rsplit_once(' ') else {
            return Err(malformed("a signature line is '— name signature'"));
        };
        let blob = B64
            .decode(b64)
            .map_err(|_| malformed("a signature is not base64"))?;
        if signer != name || blob.len() != 68 || blob[..4] != wanted_id {
            continue;
        }
        found = true;
        let signature = Signature::from_slice(&blob[4..])
            .map_err(|_| malformed("a signature is not 64 bytes"))?;
        key.verify_strict(body.as_bytes(), &signature)
            .map_err(|_| NoteError::BadSignature(name.clone()))?;
    }
    if !found {
        return Err(NoteError::NotSignedByKey(name));
    }
    Ok(body.to_owned())
}

fn parse_body(body: &str) -> Result<Checkpoint, NoteError> {
    let malformed = |why: &str| NoteError::Malformed(why.to_owned());
    let lines: Vec<&str> = body.lines().collect();
    let [origin, size, root, time_line, ..] = lines.as_slice() else {
        return Err(malformed(
            "a checkpoint has origin, size, root and time lines",
        ));
    };
    let tree_size = size
        .parse()
        .map_err(|_| malformed("the tree size is not a number"))?;
    let root: Hash = B64
        .decode(root)
        .ok()
        .and_then(|r| r.try_into().ok())
        .ok_or_else(|| malformed("the root is not 32 base64 bytes"))?;
    let time = time_line
        .strip_prefix("time ")
        .ok_or_else(|| malformed("the fourth line is 'time <RFC 3339>'"))?;
    Ok(Checkpoint {
        origin: (*origin).to_owned(),
        tree_size,
        root,
        time: time.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: Checkpoint::origin_for("0123456789abcdef0123456789abcdef"),
            tree_size: 42,
            root: [9u8; 32],
            time: "2026-11-23T21:30:00.000000Z".into(),
        }
    }

    #[test]
    fn a_signed_checkpoint_verifies_and_parses_back() {
        let note = sign(&checkpoint(), &key());
        assert!(note.starts_with("ccu/0123456789abcdef0123456789abcdef\n42\n"));
        assert!(note.contains("\n\n\u{2014} ccu/0123456789abcdef0123456789abcdef "));
        let verifier = verifier_key(&checkpoint().origin, &key().verifying_key());
        assert_eq!(verify(&note, &verifier).unwrap(), checkpoint());
    }

    #[test]
    fn any_change_to_the_note_or_a_different_key_fails() {
        let note = sign(&checkpoint(), &key());
        let verifier = verifier_key(&checkpoint().origin, &key().verifying_key());
        let altered = note.replacen("\n42\n", "\n41\n", 1);
        assert!(matches!(
            verify(&altered, &verifier),
            Err(NoteError::BadSignature(_))
        ));
        let other = SigningKey::from_bytes(&[8u8; 32]);
        let other_verifier = verifier_key(&checkpoint().origin, &other.verifying_key());
        assert!(matches!(
            verify(&note, &other_verifier),
            Err(NoteError::NotSignedByKey(_))
        ));
        let forged = sign(&checkpoint(), &other);
        assert!(verify(&forged, &verifier).is_err());
        assert!(matches!(
            verify("garbage", &verifier),
            Err(NoteError::Malformed(_))
        ));
    }

    #[test]
    fn verifier_keys_are_checked() {
        // Keys whose base64 holds a '+' must parse too.
        for seed in 0..=255u8 {
            let k = SigningKey::from_bytes(&[seed; 32]).verifying_key();
            let line = verifier_key("ccu/x", &k);
            assert_eq!(parse_verifier_key(&line).unwrap().1, k, "{line}");
        }
        let good = verifier_key("ccu/x", &key().verifying_key());
        assert!(parse_verifier_key(&good).is_ok());
        let wrong_id = good.replacen("ccu/x+", "ccu/y+", 1);
        assert!(parse_verifier_key(&wrong_id).is_err());
        assert!(parse_verifier_key("nonsense").is_err());
    }
}

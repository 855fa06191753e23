//! The case file's keys: the random data key SQLCipher encrypts the file
//! with, and the keyring beside the file that seals it to each active
//! account (docs/security.md).
//!
//! The keyring is `<case file>.keys`, JSON, readable before the case file
//! is unlocked and telling nothing without a password:
//!
//! - each account's X25519 key pair has its secret sealed (NaCl secretbox,
//!   XSalsa20-Poly1305) under a key derived from the account's password
//!   with argon2id, salted with the keyring's salt and the username; the
//!   entry is found by a label derived from the same key, so the keyring
//!   names no one;
//! - the data key is sealed (NaCl sealed box, X25519 + XSalsa20-Poly1305)
//!   to the public key of every active account, and the case file itself
//!   holds each account's public key, so a key put into the keyring from
//!   outside opens nothing;
//! - a failed unlock cannot be written into the locked case file, so it is
//!   sealed to the keyring's notice key and appended as a line; the next
//!   unlock writes it into the audit trail.
//!
//! No cipher is made here: the sealing is the `crypto_box` and
//! `crypto_secretbox` crates', the derivation `argon2`'s, the labels
//! HMAC-SHA-256.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use hmac::{KeyInit as _, Mac};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

pub(in crate::store) use crate::store::plumbing::private_options;
use crate::store::{Error, Result};

/// The keyring format this ccu writes and reads.
pub const KEYRING_FORMAT: u32 = 1;

/// The largest keyring ccu reads (a unit's few hundred accounts and a
/// backlog of failed-unlock notes fit in a small fraction of it).
const MAX_KEYRING_BYTES: u64 = 16 * 1024 * 1024;

/// SQLCipher settings every case file is encrypted with: a raw 256-bit
/// key (so no password-based derivation inside SQLCipher), SQLCipher 4's
/// format (AES-256-CBC with a random IV per page) with an HMAC-SHA256 per
/// page in place of its default HMAC-SHA512 (as strong a MAC, and on CPUs
/// with SHA extensions three times as fast: every page read is verified),
/// 4096-byte pages. Stated, not left to defaults, so that a later SQLCipher
/// reads the file the same.
pub const CIPHER_SETTINGS: &str = "PRAGMA cipher_compatibility = 4;
PRAGMA cipher_page_size = 4096;
PRAGMA cipher_hmac_algorithm = HMAC_SHA256;
PRAGMA cipher_kdf_algorithm = PBKDF2_HMAC_SHA256;";

/// The page size of an encrypted case file: every such file is a whole
/// number of these.
pub const CIPHER_PAGE_SIZE: u64 = 4096;

/// The keyring's path for a case file: the same name with `.keys` added.
pub fn keyring_path(casefile: &Path) -> PathBuf {
    let mut p = casefile.as_os_str().to_owned();
    p.push(".keys");
    PathBuf::from(p)
}

/// The random key the case file is encrypted with. Never written down
/// unsealed; wiped from memory when dropped.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>, Cipher);

/// Whether a key is applied: always, but for the copy `cargo bench` measures
/// the cost of encryption against ([`crate::store::bench`]).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Cipher {
    SqlCipher,
    None,
}

impl DataKey {
    pub(in crate::store) fn generate() -> Result<DataKey> {
        let mut key = Zeroizing::new([0u8; 32]);
        random(&mut key[..])?;
        Ok(DataKey(key, Cipher::SqlCipher))
    }

    /// The same key, not applied: the file is plain SQLite (benchmarks).
    pub(in crate::store) fn unapplied(&self) -> DataKey {
        DataKey(self.0.clone(), Cipher::None)
    }

    /// The key's bytes, for checking pages SQLCipher wrote with it; None
    /// for a key not applied.
    pub(super) fn cipher_bytes(&self) -> Option<&[u8]> {
        self.applied().then_some(&self.0[..])
    }

    pub(in crate::store) fn applied(&self) -> bool {
        self.1 == Cipher::SqlCipher
    }

    fn from_slice(bytes: &[u8]) -> Option<DataKey> {
        let key: [u8; 32] = bytes.try_into().ok()?;
        Some(DataKey(Zeroizing::new(key), Cipher::SqlCipher))
    }

    /// The statements that unlock a connection with this key (SQLCipher's
    /// raw-key form, then the cipher settings), for SQLCipher and the
    /// `sqlcipher` program alike.
    pub fn unlock_sql(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "PRAGMA key = \"x'{}'\";\n{CIPHER_SETTINGS}",
            hex::encode(&self.0[..])
        ))
    }

    /// `PRAGMA rekey` to this key.
    pub(super) fn rekey_sql(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "PRAGMA rekey = \"x'{}'\";",
            hex::encode(&self.0[..])
        ))
    }

    fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        hmac32(&self.0[..], purpose)
    }

    /// A short fingerprint of the key, safe to record: which key, not it.
    pub(super) fn fingerprint(&self) -> String {
        hex::encode(&self.derive("ccu-keyring-v1 fingerprint")[..8])
    }
}

fn random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| Error::Random(e.to_string()))
}

fn hmac32(key: &[u8], purpose: &str) -> Zeroizing<[u8; 32]> {
    let mut mac = <hmac::Hmac<sha2::Sha256>>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(purpose.as_bytes());
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

/// How passwords are stretched: argon2id with these costs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Kdf {
    pub algorithm: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hex; salted further with each username.
    pub salt: String,
}

impl Kdf {
    fn new() -> Result<Kdf> {
        let mut salt = [0u8; 16];
        random(&mut salt)?;
        let params = argon2::Params::default();
        Ok(Kdf {
            algorithm: "argon2id".into(),
            memory_kib: params.m_cost(),
            iterations: params.t_cost(),
            parallelism: params.p_cost(),
            salt: hex::encode(salt),
        })
    }

    /// The costs, refused when out of range (a keyring changed to ask for
    /// terabytes of memory gets an error, not an out-of-memory kill).
    fn params(&self) -> std::result::Result<argon2::Params, String> {
        if self.algorithm != "argon2id" {
            return Err(format!("unknown key derivation '{}'", self.algorithm));
        }
        if !(8..=4 * 1024 * 1024).contains(&self.memory_kib)
            || !(1..=64).contains(&self.iterations)
            || !(1..=16).contains(&self.parallelism)
        {
            return Err("its argon2id costs are out of range".into());
        }
        argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| format!("its argon2id costs are invalid: {e}"))
    }

    /// The key that seals `username`'s secret, from their password.
    fn derive(&self, username: &str, password: &str) -> Result<PasswordKey> {
        let params = self.params().map_err(Error::PasswordHash)?;
        let mut salt = hex::decode(&self.salt)
            .map_err(|_| Error::PasswordHash("the keyring's salt is not hex".into()))?;
        salt.extend_from_slice(username.as_bytes());
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; 32]);
        argon
            .hash_password_into(password.as_bytes(), &salt, &mut key[..])
            .map_err(|e| Error::PasswordHash(e.to_string()))?;
        Ok(PasswordKey(key))
    }
}

/// A key derived from one account's password.
struct PasswordKey(Zeroizing<[u8; 32]>);

impl PasswordKey {
    fn label(&self) -> String {
        hex::encode(&hmac32(&self.0[..], "ccu-keyring-v1 label")[..16])
    }

    fn secretbox(&self) -> XSalsa20Poly1305 {
        let key = hmac32(&self.0[..], "ccu-keyring-v1 secret");
        XSalsa20Poly1305::new_from_slice(&key[..]).expect("a 32-byte key")
    }
}

/// Seals `plain` under a secretbox key: base64 of nonce and ciphertext.
fn secretbox_seal(cipher: &XSalsa20Poly1305, plain: &[u8]) -> Result<String> {
    let mut nonce = [0u8; 24];
    random(&mut nonce)?;
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), plain)
        .map_err(|_| Error::Random("sealing failed".into()))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(B64.encode(out))
}

fn secretbox_open(cipher: &XSalsa20Poly1305, sealed: &str) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = B64.decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, body) = bytes.split_at(24);
    cipher
        .decrypt(Nonce::from_slice(nonce), body)
        .ok()
        .map(Zeroizing::new)
}

fn seal_to(public: &PublicKey, plain: &[u8]) -> Result<String> {
    public
        .seal(&mut OsRng, plain)
        .map(|b| B64.encode(b))
        .map_err(|_| Error::Random("sealing failed".into()))
}

fn open_sealed(secret: &SecretKey, sealed: &str) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = B64.decode(sealed).ok()?;
    secret.unseal(&bytes).ok().map(Zeroizing::new)
}

pub(in crate::store) fn public_hex(secret: &SecretKey) -> String {
    hex::encode(secret.public_key().as_bytes())
}

/// One account's place in the keyring.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// Found from the password: names no one.
    pub label: String,
    /// Hex X25519 public key; the case file holds the same for the account.
    pub public_key: String,
    /// The secret key, sealed under the password-derived key.
    pub secret: String,
    /// The data key sealed to `public_key`; none for a disabled account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_key: Option<String>,
    /// During a re-key, the new data key; the file opens with one of the
    /// two (docs/security.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_data_key: Option<String>,
}

/// The keyring document (its first line).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Keyring {
    pub ccu_keyring: u32,
    /// The case file's own id (inside the encrypted file too).
    pub case_id: String,
    /// The case file's schema version as ccu last left it, so that a file
    /// made by a newer ccu is refused before anyone unlocks it.
    pub schema_version: u32,
    /// A demonstration case file of invented data.
    #[serde(default)]
    pub demo: bool,
    pub kdf: Kdf,
    /// Hex X25519 public key that failed-unlock notes are sealed to.
    pub notice_key: String,
    /// Its secret, sealed under a key derived from the data key.
    pub notice_secret: String,
    pub accounts: Vec<Entry>,
    /// Failed logins in a row, by throttle label, carried over once their
    /// notices are in the trail (a successful login clears its own).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub throttle: BTreeMap<String, Failures>,
}

/// Failed logins in a row for one username.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Failures {
    pub count: u32,
    /// When the last one was, RFC 3339.
    pub last: String,
}

/// How many failures in a row are allowed before logins wait.
pub const FREE_ATTEMPTS: u32 = 5;

/// How long after the last failure the next attempt must wait, with
/// `count` failures in a row: none under [`FREE_ATTEMPTS`], then 30 s,
/// doubling, at most 15 minutes.
pub fn backoff(count: u32) -> Option<chrono::Duration> {
    let over = count.checked_sub(FREE_ATTEMPTS)?;
    let seconds = 30i64.saturating_mul(1i64 << over.min(10)).min(15 * 60);
    Some(chrono::Duration::seconds(seconds))
}

/// A failed unlock, sealed to the notice key until it reaches the trail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Notice {
    pub at: String,
    /// As typed, at most 64 characters.
    pub username: String,
    /// Whether the password matched an entry (an account with no data key
    /// sealed to it: disabled, or not yet sealed in).
    pub matched: bool,
    /// Refused without the password being checked: too many failures in a
    /// row for the username.
    #[serde(default)]
    pub throttled: bool,
}

/// What unlocking with a password gave.
pub(in crate::store) struct Unsealed {
    pub secret: SecretKey,
    /// The data keys to try, current first; none for an account that
    /// was disabled (or left out of a re-key).
    pub data_keys: Vec<DataKey>,
}

/// Why a password did not unlock the keyring.
#[derive(Debug, PartialEq)]
pub(in crate::store) enum Refused {
    /// No entry answers to this username and password.
    NoEntry,
}

/// A keyring as read from disk, with the failed-unlock lines after it.
#[derive(Clone)]
pub struct KeyringFile {
    pub path: PathBuf,
    pub keyring: Keyring,
    /// The sealed notices, as the lines read.
    pub notices: Vec<String>,
}

fn damaged(path: &Path, detail: impl Into<String>) -> Error {
    Error::KeyringDamaged {
        path: path.to_owned(),
        detail: detail.into(),
    }
}

/// A line after the keyring document: a failed login. `notice` is sealed
/// (a failure on a locked file, for the trail); `throttle` and `at` count
/// it against the username's label; `refused` marks an attempt refused
/// unchecked while the username waits, which does not count.
#[derive(Serialize, Deserialize, Default)]
struct NoticeLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    throttle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    refused: bool,
}

impl Keyring {
    /// A new keyring for a new case file.
    pub(in crate::store) fn new(case_id: &str, demo: bool, data_key: &DataKey) -> Result<Keyring> {
        let notice = SecretKey::generate(&mut OsRng);
        let cipher =
            XSalsa20Poly1305::new_from_slice(&data_key.derive("ccu-keyring-v1 notice")[..])
                .expect("a 32-byte key");
        Ok(Keyring {
            ccu_keyring: KEYRING_FORMAT,
            case_id: case_id.to_owned(),
            schema_version: crate::store::LATEST_VERSION,
            demo,
            kdf: Kdf::new()?,
            notice_key: public_hex(&notice),
            notice_secret: secretbox_seal(&cipher, &notice.to_bytes())?,
            accounts: Vec::new(),
            throttle: BTreeMap::new(),
        })
    }

    /// A new key pair for `username`, its secret sealed under `password`
    /// and `data_key` sealed to it. The entry replaces none: the caller
    /// puts it in (and the public key into the case file).
    pub(in crate::store) fn new_entry(
        &self,
        username: &str,
        password: &str,
        data_key: &DataKey,
    ) -> Result<Entry> {
        self.new_entry_sealing(username, password, Some(data_key))
    }

    /// As [`Keyring::new_entry`]; with no `data_key`, the entry opens
    /// nothing until one is sealed to it (access waiting for approval).
    pub(in crate::store) fn new_entry_sealing(
        &self,
        username: &str,
        password: &str,
        data_key: Option<&DataKey>,
    ) -> Result<Entry> {
        let secret = SecretKey::generate(&mut OsRng);
        let key = self.kdf.derive(username, password)?;
        Ok(Entry {
            label: key.label(),
            public_key: public_hex(&secret),
            secret: secretbox_seal(&key.secretbox(), &secret.to_bytes())?,
            data_key: match data_key {
                Some(k) => Some(seal_to(&secret.public_key(), &k.0[..])?),
                None => None,
            },
            next_data_key: None,
        })
    }

    /// The entry for `public_key`, if there is one.
    pub(in crate::store) fn entry_mut(&mut self, public_key: &str) -> Option<&mut Entry> {
        self.accounts
            .iter_mut()
            .find(|e| e.public_key == public_key)
    }

    /// Puts `entry` in, in place of any with the same public key or label.
    pub(in crate::store) fn put(&mut self, entry: Entry) {
        self.accounts
            .retain(|e| e.public_key != entry.public_key && e.label != entry.label);
        self.accounts.push(entry);
    }

    /// Seals `data_key` to `public_key`'s entry (an account enabled again);
    /// false if there is no such entry.
    pub(in crate::store) fn seal_data_key(
        &mut self,
        public_key: &str,
        data_key: &DataKey,
    ) -> Result<bool> {
        let Some(entry) = self.entry_mut(public_key) else {
            return Ok(false);
        };
        let public = parse_public(public_key)
            .ok_or_else(|| Error::Random("a public key in the keyring is not hex".into()))?;
        entry.data_key = Some(seal_to(&public, &data_key.0[..])?);
        entry.next_data_key = None;
        Ok(true)
    }

    /// Unseals `username`'s secret with `password`, and the data keys
    /// sealed to it. Always spends one argon2id derivation, found or not.
    pub(in crate::store) fn unseal(
        &self,
        username: &str,
        password: &str,
    ) -> Result<std::result::Result<Unsealed, Refused>> {
        let key = self.kdf.derive(username, password)?;
        let label = key.label();
        let Some(entry) = self.accounts.iter().find(|e| e.label == label) else {
            return Ok(Err(Refused::NoEntry));
        };
        let Some(secret) = secretbox_open(&key.secretbox(), &entry.secret)
            .and_then(|b| <[u8; 32]>::try_from(&b[..]).ok())
            .map(SecretKey::from)
        else {
            return Ok(Err(Refused::NoEntry));
        };
        if public_hex(&secret) != entry.public_key {
            return Ok(Err(Refused::NoEntry));
        }
        let data_keys: Vec<DataKey> = [&entry.data_key, &entry.next_data_key]
            .into_iter()
            .flatten()
            .filter_map(|sealed| open_sealed(&secret, sealed))
            .filter_map(|bytes| DataKey::from_slice(&bytes))
            .collect();
        Ok(Ok(Unsealed { secret, data_keys }))
    }

    /// Seals a failed-unlock notice to the notice key.
    pub(in crate::store) fn seal_notice(&self, notice: &Notice) -> Result<String> {
        let public = parse_public(&self.notice_key)
            .ok_or_else(|| Error::Random("the keyring's notice key is not hex".into()))?;
        seal_to(
            &public,
            &serde_json::to_vec(notice).expect("plain data serialises"),
        )
    }

    /// Opens sealed notices with the notice key (itself opened with the
    /// data key); a line that does not open is returned as `None`. Lines
    /// that only count a failure (see [`KeyringFile::throttle_lines`]) are
    /// not notices and are left out.
    pub(in crate::store) fn open_notices(
        &self,
        data_key: &DataKey,
        lines: &[String],
    ) -> Vec<Option<Notice>> {
        let cipher =
            XSalsa20Poly1305::new_from_slice(&data_key.derive("ccu-keyring-v1 notice")[..])
                .expect("a 32-byte key");
        let secret = secretbox_open(&cipher, &self.notice_secret)
            .and_then(|b| <[u8; 32]>::try_from(&b[..]).ok())
            .map(SecretKey::from);
        lines
            .iter()
            .filter(|line| {
                serde_json::from_str::<NoticeLine>(line).map_or(true, |l| l.notice.is_some())
            })
            .map(|line| {
                let sealed: NoticeLine = serde_json::from_str(line).ok()?;
                let plain = open_sealed(secret.as_ref()?, sealed.notice.as_deref()?)?;
                serde_json::from_slice(&plain).ok()
            })
            .collect()
    }

    /// The notice key's secret sealed again under a new data key (a
    /// re-key); the key pair itself stays.
    pub(super) fn reseal_notice_key(&mut self, old: &DataKey, new: &DataKey) -> Result<()> {
        let open = XSalsa20Poly1305::new_from_slice(&old.derive("ccu-keyring-v1 notice")[..])
            .expect("a 32-byte key");
        let secret = secretbox_open(&open, &self.notice_secret).ok_or_else(|| {
            Error::Random("the notice key does not open with the data key".into())
        })?;
        let seal = XSalsa20Poly1305::new_from_slice(&new.derive("ccu-keyring-v1 notice")[..])
            .expect("a 32-byte key");
        self.notice_secret = secretbox_seal(&seal, &secret)?;
        Ok(())
    }

    /// Seals `data_key` as the next key to each of `public_keys`' entries
    /// (the accounts active now), and removes every data key from the rest.
    pub(super) fn stage_rekey(&mut self, public_keys: &[String], next: &DataKey) -> Result<()> {
        for entry in &mut self.accounts {
            if public_keys.contains(&entry.public_key) {
                let public = parse_public(&entry.public_key).ok_or_else(|| {
                    Error::Random("a public key in the keyring is not hex".into())
                })?;
                entry.next_data_key = Some(seal_to(&public, &next.0[..])?);
            } else {
                entry.data_key = None;
                entry.next_data_key = None;
            }
        }
        Ok(())
    }

    /// After a re-key: the next key becomes the only one.
    pub(super) fn finish_rekey(&mut self) {
        for entry in &mut self.accounts {
            entry.data_key = entry.next_data_key.take();
        }
    }
}

fn parse_public(text: &str) -> Option<PublicKey> {
    let bytes: [u8; 32] = hex::decode(text).ok()?.try_into().ok()?;
    Some(PublicKey::from(bytes))
}

impl KeyringFile {
    /// Reads the keyring beside `casefile`. `Ok(None)` if there is none.
    pub fn read(casefile: &Path) -> Result<Option<KeyringFile>> {
        use crate::files::ReadFailure;
        let path = keyring_path(casefile);
        // A pipe in its place would be waited on for ever, a device read for
        // ever: only a regular file is opened, and read up to the limit.
        let bytes = match crate::files::read_bounded(&path, MAX_KEYRING_BYTES, "the keyring") {
            Ok(bytes) => bytes,
            Err(e) => {
                return match e.failure {
                    ReadFailure::NotFound(_) => Ok(None),
                    ReadFailure::NotRegular(kind) => {
                        Err(damaged(&path, format!("it is {kind}, not a regular file")))
                    }
                    ReadFailure::TooLarge { .. } => Err(damaged(
                        &path,
                        format!("it is larger than a keyring can be ({MAX_KEYRING_BYTES} bytes)"),
                    )),
                    ReadFailure::Io(source) => Err(Error::Io { path, source }),
                    ReadFailure::NotUtf8 => Err(damaged(&path, "it is not UTF-8 text")),
                };
            }
        };
        let text = String::from_utf8(bytes).map_err(|_| damaged(&path, "it is not UTF-8 text"))?;
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(first)
            .map_err(|e| damaged(&path, format!("its first line is not a keyring: {e}")))?;
        match value.get("ccu_keyring").and_then(|v| v.as_u64()) {
            None => return Err(damaged(&path, "its first line is not a ccu keyring")),
            Some(v) if v > u64::from(KEYRING_FORMAT) => {
                return Err(Error::NewerVersion {
                    path: casefile.to_owned(),
                    found: value
                        .get("schema_version")
                        .and_then(|v| v.as_u64())
                        .map(|v| v.min(u64::from(u32::MAX)) as u32)
                        .unwrap_or(crate::store::LATEST_VERSION + 1),
                    supported: crate::store::LATEST_VERSION,
                });
            }
            Some(_) => {}
        }
        let keyring: Keyring = serde_json::from_value(value)
            .map_err(|e| damaged(&path, format!("its first line is not a keyring: {e}")))?;
        keyring.kdf.params().map_err(|e| damaged(&path, e))?;
        let notices = lines
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Some(KeyringFile {
            path,
            keyring,
            notices,
        }))
    }

    /// Writes the keyring whole (a temporary file, then a rename), owner
    /// only. Notices on disk now are kept, but for `taken`.
    pub(in crate::store) fn write(&self, taken: &[String]) -> Result<()> {
        let on_disk =
            match crate::files::read_bounded_text(&self.path, MAX_KEYRING_BYTES, "the keyring") {
                Ok(text) => text.lines().skip(1).map(str::to_owned).collect(),
                Err(_) => Vec::new(),
            };
        let mut text = serde_json::to_string(&self.keyring).expect("plain data serialises");
        text.push('\n');
        for line in on_disk
            .iter()
            .filter(|l| !taken.contains(l) && !l.trim().is_empty())
        {
            text.push_str(line);
            text.push('\n');
        }
        remove_stale_temporaries(&self.path);
        write_whole(&self.path, text.as_bytes())
    }

    /// Writes a new keyring where there is none.
    pub(in crate::store) fn create(path: PathBuf, keyring: Keyring) -> Result<KeyringFile> {
        let file = KeyringFile {
            path,
            keyring,
            notices: Vec::new(),
        };
        file.write(&[])?;
        Ok(file)
    }

    /// The label failures of `username` are counted under: cheap (no
    /// password stretching), keyed with the keyring's salt.
    pub fn throttle_label(&self, username: &str) -> String {
        let salt = hex::decode(&self.keyring.kdf.salt).unwrap_or_default();
        hex::encode(&hmac32(&salt, &format!("ccu-throttle-v1 {username}"))[..16])
    }

    /// Failures in a row under `label`: those carried over and those on
    /// lines not yet taken in.
    pub fn failures(&self, label: &str) -> Option<Failures> {
        let mut found = self.keyring.throttle.get(label).cloned();
        for line in &self.notices {
            let Ok(l) = serde_json::from_str::<NoticeLine>(line) else {
                continue;
            };
            if l.refused || l.throttle.as_deref() != Some(label) {
                continue;
            }
            let at = l.at.unwrap_or_default();
            found = Some(match found {
                None => Failures { count: 1, last: at },
                Some(f) => Failures {
                    count: f.count.saturating_add(1),
                    last: f.last.max(at),
                },
            });
        }
        found
    }

    /// Until when a login as `label` waits, if it waits at `now`.
    pub fn waits_until(
        &self,
        label: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        let failures = self.failures(label)?;
        let last = chrono::DateTime::parse_from_rfc3339(&failures.last)
            .ok()?
            .with_timezone(&chrono::Utc);
        let until = last.checked_add_signed(backoff(failures.count)?)?;
        (now < until).then_some(until)
    }

    /// Moves the failures counted on `taken` lines into the keyring
    /// document (they are about to be removed), and clears `cleared`.
    pub(in crate::store) fn carry_failures(&mut self, taken: &[String], cleared: Option<&str>) {
        for line in taken {
            let Ok(l) = serde_json::from_str::<NoticeLine>(line) else {
                continue;
            };
            let (Some(label), false) = (l.throttle, l.refused) else {
                continue;
            };
            let at = l.at.unwrap_or_default();
            let entry = self.keyring.throttle.entry(label).or_insert(Failures {
                count: 0,
                last: at.clone(),
            });
            entry.count = entry.count.saturating_add(1);
            entry.last = entry.last.clone().max(at);
        }
        if let Some(label) = cleared {
            self.keyring.throttle.remove(label);
        }
    }

    /// Whether a successful login under `label` has anything to clear.
    pub(in crate::store) fn has_failures(&self, label: &str) -> bool {
        self.failures(label).is_some()
    }

    /// The lines that count a failure under `label`, to take out when a
    /// login as it succeeds on an open file.
    pub(in crate::store) fn lines_of(&self, label: &str) -> Vec<String> {
        self.notices
            .iter()
            .filter(|line| {
                serde_json::from_str::<NoticeLine>(line)
                    .is_ok_and(|l| l.notice.is_none() && l.throttle.as_deref() == Some(label))
            })
            .cloned()
            .collect()
    }

    /// Appends a sealed notice as one line (one `write` with `O_APPEND`),
    /// counted against `label` unless it was `refused` unchecked.
    pub(in crate::store) fn append_notice(
        &self,
        sealed: String,
        label: &str,
        at: &str,
        refused: bool,
    ) -> Result<()> {
        self.append_line(NoticeLine {
            notice: Some(sealed),
            throttle: Some(label.to_owned()),
            at: Some(at.to_owned()),
            refused,
        })
    }

    /// Appends a line that only counts a failure against `label` (a login
    /// on an open file, audited there already).
    pub(in crate::store) fn append_failure(&self, label: &str, at: &str) -> Result<()> {
        self.append_line(NoticeLine {
            notice: None,
            throttle: Some(label.to_owned()),
            at: Some(at.to_owned()),
            refused: false,
        })
    }

    fn append_line(&self, line: NoticeLine) -> Result<()> {
        let mut line = serde_json::to_string(&line).expect("plain data serialises");
        line.push('\n');
        let io = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        let mut file = private_options()
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        file.write_all(line.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)
    }
}

/// Removes the temporary copies ([`write_whole`]) of the keyring at
/// `path` that a process killed while writing it left: each a stale copy
/// of the keyring, which would keep a disabled account's sealed key. Every
/// whole write of a keyring is made under the case file's write lock (or,
/// at init, the init's own lock), so none is being written now.
fn remove_stale_temporaries(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}.tmp-", name.to_string_lossy());
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes `bytes` to `path` whole or not at all: a private temporary file
/// beside it, synced, then renamed over it.
pub(super) fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut suffix = [0u8; 6];
    random(&mut suffix)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", hex::encode(suffix)));
    let tmp = PathBuf::from(tmp);
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let result = (|| {
        let mut file = private_options().write(true).create_new(true).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename is durable once the folder is synced.
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring() -> (Keyring, DataKey) {
        let key = DataKey::generate().unwrap();
        (Keyring::new("00ff", false, &key).unwrap(), key)
    }

    #[test]
    fn a_whole_write_clears_the_copies_a_killed_write_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("unit.ccu.keys");
        let (ring, _) = keyring();
        let file = KeyringFile::create(path.clone(), ring).unwrap();
        let stale = dir.path().join("unit.ccu.keys.tmp-0a1b2c3d4e5f");
        let other = dir.path().join("other.ccu.keys.tmp-0a1b2c3d4e5f");
        fs::write(&stale, b"an old keyring").unwrap();
        fs::write(&other, b"another file's").unwrap();
        file.write(&[]).unwrap();
        assert!(!stale.exists());
        assert!(other.exists(), "only this keyring's copies");
        assert!(path.exists());
    }

    #[test]
    fn a_password_opens_its_own_entry_and_nothing_else() {
        let (mut ring, key) = keyring();
        ring.put(
            ring.new_entry("alice", "alice's long password", &key)
                .unwrap(),
        );
        ring.put(ring.new_entry("bob", "bob's long password", &key).unwrap());
        let opened = ring
            .unseal("alice", "alice's long password")
            .unwrap()
            .ok()
            .unwrap();
        assert_eq!(opened.data_keys.len(), 1);
        assert_eq!(&opened.data_keys[0].0[..], &key.0[..]);
        assert_eq!(
            ring.unseal("alice", "bob's long password").unwrap().err(),
            Some(Refused::NoEntry)
        );
        // The username salts the derivation: bob's password under alice's
        // name opens nothing.
        assert_eq!(
            ring.unseal("bob", "alice's long password").unwrap().err(),
            Some(Refused::NoEntry)
        );
        let text = serde_json::to_string(&ring).unwrap();
        assert!(!text.contains("alice") && !text.contains("bob"), "{text}");
    }

    #[test]
    fn a_rekey_leaves_out_those_not_sealed_in() {
        let (mut ring, old) = keyring();
        let alice = ring
            .new_entry("alice", "alice's long password", &old)
            .unwrap();
        let bob = ring.new_entry("bob", "bob's long password", &old).unwrap();
        ring.put(alice.clone());
        ring.put(bob);
        let new = DataKey::generate().unwrap();
        ring.stage_rekey(std::slice::from_ref(&alice.public_key), &new)
            .unwrap();
        ring.reseal_notice_key(&old, &new).unwrap();
        ring.finish_rekey();
        let opened = ring
            .unseal("alice", "alice's long password")
            .unwrap()
            .ok()
            .unwrap();
        assert_eq!(&opened.data_keys[0].0[..], &new.0[..]);
        let bob = ring
            .unseal("bob", "bob's long password")
            .unwrap()
            .ok()
            .unwrap();
        assert!(bob.data_keys.is_empty());
    }

    #[test]
    fn notices_open_only_with_the_data_key() {
        let (ring, key) = keyring();
        let notice = Notice {
            at: "2026-12-01T10:00:00.000000Z".into(),
            username: "ghost".into(),
            matched: false,
            throttled: false,
        };
        let line = serde_json::to_string(&NoticeLine {
            notice: Some(ring.seal_notice(&notice).unwrap()),
            ..NoticeLine::default()
        })
        .unwrap();
        assert!(!line.contains("ghost"));
        assert_eq!(
            ring.open_notices(&key, std::slice::from_ref(&line)),
            vec![Some(notice)]
        );
        let other = DataKey::generate().unwrap();
        assert_eq!(ring.open_notices(&other, &[line]), vec![None]);
    }

    #[test]
    fn costs_out_of_range_are_refused() {
        let (mut ring, _) = keyring();
        ring.kdf.memory_kib = u32::MAX;
        assert!(ring.kdf.params().is_err());
        assert!(ring.unseal("alice", "x").is_err());
    }
}

//! A write-ahead log beside a case file is replayed into it by SQLite the
//! moment the file is opened, and written into it for good at the next
//! checkpoint. SQLite checks only that the log is consistent with itself
//! (its salts and running checksums), not that it belongs to the file
//! beside it: a `-wal` copied from another case file would change this one.
//!
//! So before any connection opens the file, ccu reads the log as SQLite
//! would (the frames whose salts and checksums hold, up to the first that
//! does not) and checks each frame's page against this file's key: every
//! page SQLCipher writes carries an HMAC-SHA256 under a key derived from
//! the data key and the file's own random salt (its first 16 bytes), over
//! the encrypted page, its IV and its page number. A page from any other
//! file, or another key, fails; so does one changed by hand. A log that
//! fails is refused, and neither file is touched.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use hmac::{KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::keyring::{CIPHER_PAGE_SIZE, DataKey};
use crate::store::{Error, Result};

const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;
const PAGE: usize = CIPHER_PAGE_SIZE as usize;
/// SQLCipher's per-page reserve ends with the page's HMAC-SHA256, after
/// its 16-byte IV; the MAC covers the page up to it.
const MAC: usize = 32;
/// The first page begins with the file's salt, in the clear.
const SALT: usize = 16;

/// SQLite's WAL checksum over `data` (a multiple of 8 bytes), carried on
/// from `s`; `big`: the words are big-endian.
fn checksum(data: &[u8], big: bool, mut s: (u32, u32)) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let word = |b: &[u8]| {
            let b: [u8; 4] = b.try_into().expect("four bytes");
            if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        s.0 = s.0.wrapping_add(word(&pair[..4]).wrapping_add(s.1));
        s.1 = s.1.wrapping_add(word(&pair[4..]).wrapping_add(s.0));
    }
    s
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes(b[..4].try_into().expect("four bytes"))
}

/// SQLCipher's HMAC key for a file: PBKDF2-HMAC-SHA256 of the data key,
/// over the file's salt with each byte XORed with 0x3a, two iterations.
fn hmac_key(key: &[u8], salt: &[u8; SALT]) -> Zeroizing<[u8; 32]> {
    let mut masked = *salt;
    for b in &mut masked {
        *b ^= 0x3a;
    }
    let mut out = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<Sha256>(key, &masked, 2, &mut out[..]);
    out
}

/// Whether `page`, page number `number` of the file, carries a good HMAC.
fn page_verifies(mac_key: &[u8], number: u32, page: &[u8]) -> bool {
    let from = if number == 1 { SALT } else { 0 };
    let end = PAGE - MAC;
    let mut mac = <hmac::Hmac<Sha256>>::new_from_slice(mac_key).expect("HMAC takes any key");
    mac.update(&page[from..end]);
    mac.update(&number.to_le_bytes());
    mac.verify_slice(&page[end..]).is_ok()
}

fn wal_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// Refuses a write-ahead log beside `path` holding a page that is not
/// this file's under `key`. No log, an empty one, or one SQLite would not
/// replay (no valid header) passes: there is nothing to replay.
pub(in crate::store) fn check(path: &Path, key: &DataKey) -> Result<()> {
    let Some(key_bytes) = key.cipher_bytes() else {
        return Ok(());
    };
    let wal = wal_path(path);
    let file = match File::open(&wal) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(Error::Io { path: wal, source }),
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(foreign(path, &wal, "it is not a regular file"));
    }
    let io = |source| Error::Io {
        path: wal.clone(),
        source,
    };
    let mut salt = [0u8; SALT];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut salt))
        .map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut header = [0u8; WAL_HEADER];
    if !read_full(&mut reader, &mut header).map_err(io)? {
        return Ok(());
    }
    let magic = be32(&header[0..]);
    if magic & !1 != 0x377f_0682 {
        return Ok(());
    }
    let big = magic & 1 == 1;
    let sum = checksum(&header[..24], big, (0, 0));
    if sum != (be32(&header[24..]), be32(&header[28..])) {
        return Ok(());
    }
    if be32(&header[8..]) as usize != PAGE {
        return Err(foreign(
            path,
            &wal,
            &format!(
                "its pages are {} bytes, and this file's are {PAGE}",
                be32(&header[8..])
            ),
        ));
    }
    let mac_key = hmac_key(key_bytes, &salt);
    let mut frame = vec![0u8; FRAME_HEADER + PAGE];
    let mut running = sum;
    let mut frames = 0u64;
    while read_full(&mut reader, &mut frame).map_err(io)? {
        // A frame from before the log last restarted, or one half
        // written: SQLite stops reading here, and so does this.
        if frame[8..16] != header[16..24] {
            break;
        }
        let next = checksum(
            &frame[FRAME_HEADER..],
            big,
            checksum(&frame[..8], big, running),
        );
        if next != (be32(&frame[16..]), be32(&frame[20..])) {
            break;
        }
        running = next;
        frames += 1;
        let number = be32(&frame[0..]);
        if number == 0 || !page_verifies(&mac_key[..], number, &frame[FRAME_HEADER..]) {
            return Err(foreign(
                path,
                &wal,
                &format!(
                    "page {number} in its frame {frames} is not this case file's (it does not verify under its key)"
                ),
            ));
        }
    }
    Ok(())
}

/// [`check`] for a file that opens with one of `keys` (two while a re-key
/// is interrupted): the log must be wholly that of one of them.
pub(in crate::store) fn check_any(path: &Path, keys: &[DataKey]) -> Result<()> {
    let mut first = None;
    for key in keys {
        match check(path, key) {
            Ok(()) => return Ok(()),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    first.map_or(Ok(()), Err)
}

/// Fills `buf` from `r`: false at a clean or partial end.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => return Ok(false),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn foreign(path: &Path, wal: &Path, why: &str) -> Error {
    Error::ForeignWal {
        path: path.to_owned(),
        wal: wal.to_owned(),
        detail: why.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_is_sqlites() {
        // Two words, little-endian: s0 = 1 + 0 = 1, s1 = 2 + 1 = 3.
        let data = [1, 0, 0, 0, 2, 0, 0, 0];
        assert_eq!(checksum(&data, false, (0, 0)), (1, 3));
        assert_eq!(
            checksum(&data, true, (0, 0)),
            (1 << 24, (2 << 24) + (1 << 24))
        );
    }

    #[test]
    fn a_page_verifies_only_under_its_number_and_key() {
        let key = [7u8; 32];
        let salt = [9u8; SALT];
        let mac_key = hmac_key(&key, &salt);
        let mut page = vec![0x5au8; PAGE];
        let mut mac = <hmac::Hmac<Sha256>>::new_from_slice(&mac_key[..]).unwrap();
        mac.update(&page[..PAGE - MAC]);
        mac.update(&3u32.to_le_bytes());
        let tag = mac.finalize().into_bytes();
        page[PAGE - MAC..].copy_from_slice(&tag);
        assert!(page_verifies(&mac_key[..], 3, &page));
        assert!(!page_verifies(&mac_key[..], 4, &page));
        assert!(!page_verifies(&hmac_key(&[8u8; 32], &salt)[..], 3, &page));
        page[100] ^= 1;
        assert!(!page_verifies(&mac_key[..], 3, &page));
    }
}

//! The RFC 9162 (Certificate Transparency v2) Merkle tree of section 2.1, over SHA-256.
//!
//! Everything here is pure: trees are slices of leaf hashes held by the
//! caller, proofs are plain vectors, and verification never panics. The
//! generation side follows the recursive definitions of MTH, PATH and PROOF
//! (2.1.1, 2.1.3.1, 2.1.4.1); the verification side is the iterative
//! algorithms of 2.1.3.2 and 2.1.4.2 step by step, so that a proof accepted
//! here is accepted by any conforming CT verifier and vice versa.
//!
//! A note on what a proof binds: the verification algorithms use the tree
//! size only to decide the shape of the path. A root and a size must
//! therefore come from the same trusted tree head; an inclusion proof checked
//! against one tree's root under another tree's size can succeed when both
//! sizes give the leaf the same path shape (see the tests).

use sha2::{Digest, Sha256};

/// A SHA-256 value: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// SHA-256(0x00 || data): the hash of one leaf.
pub fn leaf_hash(data: &[u8]) -> Hash {
    // The 0x00 / 0x01 prefixes separate leaves from interior nodes, so no
    // leaf can be passed off as a subtree (second-preimage resistance).
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The k of RFC 9162 2.1.1: the largest power of two smaller than `n`.
/// Only called with `n >= 2`, where it is at least 1.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (u64::BITS - 1 - (n - 1).leading_zeros())
}

/// Where the roots of complete subtrees come from. A tree held in memory
/// computes them from its leaves ([`Leaves`]); a tree too large to hold
/// reads them from where they were stored as leaves were appended. Every
/// root and proof below needs O(log n) of them.
pub trait Subtrees {
    type Error;
    /// MTH of the 2^`level` leaves from `index << level` on, all of which exist.
    fn subtree(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// A tree whose leaf hashes are all in memory.
pub struct Leaves<'a>(pub &'a [Hash]);

impl Subtrees for Leaves<'_> {
    type Error = std::convert::Infallible;

    fn subtree(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        let start = (index << level) as usize;
        Ok(root(&self.0[start..start + (1usize << level)]))
    }
}

/// MTH(D[lo:hi]), built from complete subtrees. Every node of an RFC 9162
/// tree is a range whose start is a multiple of its split, so a range of
/// a power-of-two size there is one stored subtree.
pub fn range_root<S: Subtrees>(s: &mut S, lo: u64, hi: u64) -> Result<Hash, S::Error> {
    let n = hi - lo;
    if n == 0 {
        return Ok(Sha256::digest([]).into());
    }
    if n.is_power_of_two() && lo.is_multiple_of(n) {
        let level = n.trailing_zeros();
        return s.subtree(level, lo >> level);
    }
    let k = split(n);
    let left = range_root(s, lo, lo + k)?;
    let right = range_root(s, lo + k, hi)?;
    Ok(node_hash(&left, &right))
}

/// The roots of the complete subtrees that make up the first `size`
/// leaves, largest first: what a [`RootBuilder`] of `size` leaves holds.
pub fn frontier<S: Subtrees>(s: &mut S, size: u64) -> Result<RootBuilder, S::Error> {
    let mut subtrees = Vec::new();
    let mut start = 0u64;
    for level in (0..u64::BITS).rev() {
        if size & (1 << level) != 0 {
            subtrees.push(s.subtree(level, start >> level)?);
            start += 1 << level;
        }
    }
    Ok(RootBuilder { size, subtrees })
}

/// MTH over leaves given as leaf hashes; the empty tree is SHA-256 of the empty string.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        // The leaves are already leaf hashes, so MTH({d0}) is the leaf itself.
        1 => leaves[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// PATH(m, D[n]) of RFC 9162 2.1.3.1, for leaf `index` of `leaves`. Panics-free: returns None if index >= len.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    let Ok(proof) = inclusion_proof_in(&mut Leaves(leaves), index as u64, leaves.len() as u64);
    proof
}

/// PATH(m, D[n]) for leaf `index` of a tree of `size` leaves, from its
/// subtrees; None if index >= size.
pub fn inclusion_proof_in<S: Subtrees>(
    s: &mut S,
    index: u64,
    size: u64,
) -> Result<Option<Vec<Hash>>, S::Error> {
    if index >= size {
        return Ok(None);
    }
    // The recursion, unrolled from the top down: at each level keep the
    // half that holds the leaf and record the other half's root. PATH
    // appends each level's sibling after the deeper levels' path, so the
    // siblings collected here are reversed at the end (leaf level first).
    let mut proof = Vec::new();
    let (mut lo, mut hi) = (0u64, size);
    while hi - lo > 1 {
        let k = split(hi - lo);
        if index < lo + k {
            proof.push(range_root(s, lo + k, hi)?);
            hi = lo + k;
        } else {
            proof.push(range_root(s, lo, lo + k)?);
            lo += k;
        }
    }
    proof.reverse();
    Ok(Some(proof))
}

/// RFC 9162 2.1.3.2 verification algorithm (the iterative one with fn/sn), exactly.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> bool {
    // Step 1.
    if index >= tree_size {
        return false;
    }
    // Step 2 (`fn` is a keyword, hence `fn_`).
    let mut fn_ = index;
    let mut sn = tree_size - 1;
    // Step 3.
    let mut r = *leaf;
    // Step 4.
    for p in proof {
        // 4a: a path longer than the tree is deep.
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            // 4b: the node is a right child, or the last node of its level
            // (which has no right sibling and is promoted unchanged).
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        // 4c.
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5: sn == 0 rejects a path shorter than the tree is deep.
    sn == 0 && r == *root
}

/// PROOF(m, D[n]) of RFC 9162 2.1.4.1 (SUBPROOF with b = true). None if old_size == 0 or old_size > leaves.len().
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Option<Vec<Hash>> {
    let Ok(proof) = consistency_proof_in(&mut Leaves(leaves), old_size as u64, leaves.len() as u64);
    proof
}

/// PROOF(m, D[n]) for a tree of `size` leaves, from its subtrees. None if
/// old_size == 0 or old_size > size.
pub fn consistency_proof_in<S: Subtrees>(
    s: &mut S,
    old_size: u64,
    size: u64,
) -> Result<Option<Vec<Hash>>, S::Error> {
    // RFC 9162 defines PROOF only for 0 < m <= n.
    if old_size == 0 || old_size > size {
        return Ok(None);
    }
    // SUBPROOF(m, D[n], b), unrolled from the top down as in
    // inclusion_proof_in. `b` records whether the subtree still being
    // descended is a prefix of D[n] whose root the verifier already holds
    // (the old root): once the walk steps right it is not, and the final
    // subtree's root must then be part of the proof.
    let mut proof = Vec::new();
    let (mut lo, mut hi, mut m, mut b) = (0u64, size, old_size, true);
    // m < hi - lo inside the loop, so the range holds two leaves or more
    // and split() is defined; m stays >= 1 because it is only reduced
    // when m > k.
    while m != hi - lo {
        let k = split(hi - lo);
        if m <= k {
            proof.push(range_root(s, lo + k, hi)?);
            hi = lo + k;
        } else {
            proof.push(range_root(s, lo, lo + k)?);
            lo += k;
            m -= k;
            b = false;
        }
    }
    if !b {
        proof.push(range_root(s, lo, hi)?);
    }
    proof.reverse();
    Ok(Some(proof))
}

/// RFC 9162 2.1.4.2 verification algorithm, exactly (including: if old_size == new_size the proof must be empty and roots equal; if old_size is a power of two prepend old root; the fn/sn loop; final checks fr == old_root, sr == new_root, sn == 0).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    // PROOF(m, D[n]) exists only for 0 < m <= n.
    if old_size == 0 || old_size > new_size {
        return false;
    }
    // PROOF(n, D[n]) is empty, which step 1 below would reject; a tree is
    // consistent with itself exactly when the roots agree.
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    // Step 1: fail on an empty path.
    let Some((head, tail)) = proof.split_first() else {
        return false;
    };
    // Step 2: for a power-of-two old size the old tree is a complete subtree
    // of the new one, so the proof leaves out its root and the verifier
    // supplies it. Prepending is done by choosing the starting value and the
    // rest of the path, which avoids copying the proof.
    let (first, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        (head, tail)
    };
    // Step 3 (`fn` is a keyword, hence `fn_`).
    let mut fn_ = old_size - 1;
    let mut sn = new_size - 1;
    // Step 4.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5.
    let mut fr = *first;
    let mut sr = *first;
    // Step 6.
    for c in rest {
        // 6a.
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            // 6b: c is a left sibling, shared by the old and the new tree.
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            // c is a right sibling, present only in the new tree.
            sr = node_hash(&sr, c);
        }
        // 6c.
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    fr == *old_root && sr == *new_root && sn == 0
}

/// MTH computed one leaf at a time, holding only the roots of the complete
/// subtrees so far (at most one per bit of the size), so a long trail can be
/// hashed in steps without keeping its leaves. [`RootBuilder::root`] equals
/// [`root`] over the same leaves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RootBuilder {
    size: u64,
    /// Roots of complete subtrees, largest (leftmost) first; their sizes
    /// are the set bits of `size`, from the highest down.
    subtrees: Vec<Hash>,
}

impl RootBuilder {
    pub fn new() -> RootBuilder {
        RootBuilder::default()
    }

    /// How many leaves have been added.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds the next leaf (a leaf hash), merging equal-sized subtrees as a
    /// binary counter carries.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut carried = self.size;
        while carried & 1 == 1 {
            let left = self.subtrees.pop().expect("one subtree per set bit");
            node = node_hash(&left, &node);
            carried >>= 1;
        }
        self.subtrees.push(node);
        self.size += 1;
    }

    /// MTH of the leaves added so far. RFC 9162 splits at the largest power
    /// of two below the size, so the tree is the complete subtrees from the
    /// left, each joined to everything on its right.
    pub fn root(&self) -> Hash {
        let mut nodes = self.subtrees.iter().rev();
        let Some(last) = nodes.next() else {
            return Sha256::digest([]).into();
        };
        nodes.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// A hash as 64 lower-case hex digits.
pub fn to_hex(h: &Hash) -> String {
    hex::encode(h)
}

/// Parses exactly 64 hex digits (either case); anything else is None.
pub fn from_hex(s: &str) -> Option<Hash> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Hash {
        from_hex(s).expect("a 64-digit hex constant")
    }

    fn hs(list: &[&str]) -> Vec<Hash> {
        list.iter().map(|s| h(s)).collect()
    }

    /// The certificate-transparency reference test data (merkle_tree_test.cc),
    /// as leaf hashes.
    fn ct_leaves() -> Vec<Hash> {
        let data: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        data.iter().map(|d| leaf_hash(d)).collect()
    }

    /// Distinct leaves for the exhaustive tests.
    fn leaves(n: usize) -> Vec<Hash> {
        (0..n as u64).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// A tree that keeps the subtrees of 8 leaves and more, as a case
    /// file does, and counts how many it is asked for.
    struct Kept {
        leaves: Vec<Hash>,
        kept: std::collections::HashMap<(u32, u64), Hash>,
        asked: usize,
    }

    impl Kept {
        fn new(leaves: Vec<Hash>) -> Kept {
            let mut kept = std::collections::HashMap::new();
            for level in 3..8u32 {
                let width = 1usize << level;
                for index in 0..leaves.len() / width {
                    kept.insert(
                        (level, index as u64),
                        root(&leaves[index * width..(index + 1) * width]),
                    );
                }
            }
            Kept {
                leaves,
                kept,
                asked: 0,
            }
        }
    }

    impl Subtrees for Kept {
        type Error = String;

        fn subtree(&mut self, level: u32, index: u64) -> Result<Hash, String> {
            self.asked += 1;
            if level >= 3 {
                return self
                    .kept
                    .get(&(level, index))
                    .copied()
                    .ok_or_else(|| format!("no subtree ({level}, {index})"));
            }
            let start = (index as usize) << level;
            Ok(root(&self.leaves[start..start + (1 << level)]))
        }
    }

    #[test]
    fn roots_and_proofs_from_kept_subtrees_equal_those_from_every_leaf() {
        let all = leaves(140);
        for n in 0..=all.len() {
            let mut kept = Kept::new(all[..n].to_vec());
            assert_eq!(range_root(&mut kept, 0, n as u64).unwrap(), root(&all[..n]));
            let builder = frontier(&mut kept, n as u64).unwrap();
            assert_eq!(builder.size(), n as u64);
            assert_eq!(builder.root(), root(&all[..n]), "frontier of {n}");
            for m in 0..n {
                kept.asked = 0;
                assert_eq!(
                    inclusion_proof_in(&mut kept, m as u64, n as u64).unwrap(),
                    inclusion_proof(&all[..n], m),
                    "leaf {m} of {n}"
                );
                // One subtree per level at most, each read once: log n.
                assert!(
                    kept.asked <= 2 * 8,
                    "{} subtrees for leaf {m} of {n}",
                    kept.asked
                );
            }
            for m in 0..=n + 1 {
                assert_eq!(
                    consistency_proof_in(&mut kept, m as u64, n as u64).unwrap(),
                    consistency_proof(&all[..n], m),
                    "from {m} to {n}"
                );
            }
            assert_eq!(inclusion_proof_in(&mut kept, n as u64, n as u64), Ok(None));
        }
    }

    #[test]
    fn a_missing_subtree_is_an_error_not_a_wrong_root() {
        let all = leaves(40);
        let mut kept = Kept::new(all.clone());
        kept.kept.remove(&(5, 0));
        assert_eq!(
            range_root(&mut kept, 0, 40),
            Err("no subtree (5, 0)".to_owned())
        );
    }

    #[test]
    fn a_root_built_leaf_by_leaf_equals_the_recursive_root() {
        let all = leaves(70);
        let mut builder = RootBuilder::new();
        assert_eq!(builder.root(), root(&[]));
        for (n, leaf) in all.iter().enumerate() {
            builder.push(*leaf);
            assert_eq!(builder.size(), n as u64 + 1);
            assert_eq!(builder.root(), root(&all[..=n]), "{} leaves", n + 1);
        }
        let mut ct = RootBuilder::new();
        for (n, leaf) in ct_leaves().iter().enumerate() {
            ct.push(*leaf);
            assert_eq!(to_hex(&ct.root()), CT_ROOTS[n]);
        }
    }

    fn flipped(x: &Hash, byte: usize) -> Hash {
        let mut y = *x;
        y[byte] ^= 0x01;
        y
    }

    // Computed independently of this code by a Python 3 script using hashlib
    // that implements MTH, PATH and SUBPROOF recursively from the RFC 9162
    // text (k = largest power of two < n; 0x00 / 0x01 prefixes) over the CT
    // reference leaves above. Its 8-leaf root equals the published
    // 5dc9da79...4328, and its proofs equal those of the CT reference tests.
    const EMPTY_ROOT: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const CT_ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// (index, tree size, PATH), from the same script.
    const CT_INCLUSION: [(usize, usize, &[&str]); 4] = [
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    /// (old size, new size, PROOF), from the same script.
    const CT_CONSISTENCY: [(usize, usize, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            3,
            7,
            &[
                "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
            ],
        ),
    ];

    #[test]
    fn leaf_and_node_hashes_are_prefixed_sha256() {
        let mut leaf_input = vec![0x00];
        leaf_input.extend_from_slice(b"abc");
        let leaf: Hash = Sha256::digest(&leaf_input).into();
        assert_eq!(leaf_hash(b"abc"), leaf);

        let (l, r) = (leaf_hash(b"l"), leaf_hash(b"r"));
        let mut node_input = vec![0x01];
        node_input.extend_from_slice(&l);
        node_input.extend_from_slice(&r);
        let node: Hash = Sha256::digest(&node_input).into();
        assert_eq!(node_hash(&l, &r), node);
        assert_ne!(node_hash(&l, &r), node_hash(&r, &l));
    }

    #[test]
    fn roots_match_the_independently_computed_known_answers() {
        let leaves = ct_leaves();
        assert_eq!(to_hex(&root(&[])), EMPTY_ROOT);
        for (i, expected) in CT_ROOTS.iter().enumerate() {
            assert_eq!(to_hex(&root(&leaves[..i + 1])), *expected, "size {}", i + 1);
        }
    }

    #[test]
    fn proofs_match_the_independently_computed_known_answers() {
        let leaves = ct_leaves();
        for (index, size, expected) in CT_INCLUSION {
            let proof = inclusion_proof(&leaves[..size], index).unwrap();
            assert_eq!(proof, hs(expected), "PATH({index}, D[{size}])");
            assert!(verify_inclusion(
                &leaves[index],
                index as u64,
                size as u64,
                &proof,
                &h(CT_ROOTS[size - 1]),
            ));
        }
        for (old, new, expected) in CT_CONSISTENCY {
            let proof = consistency_proof(&leaves[..new], old).unwrap();
            assert_eq!(proof, hs(expected), "PROOF({old}, D[{new}])");
            assert!(verify_consistency(
                old as u64,
                new as u64,
                &h(CT_ROOTS[old - 1]),
                &h(CT_ROOTS[new - 1]),
                &proof,
            ));
        }
    }

    /// The example of RFC 9162 2.1.5. Its figure names the leaf hashes of
    /// d0..d5 a..f and that of d6 j; g, h, i, k and l are interior nodes:
    ///
    /// ```text
    ///             hash
    ///            /    \
    ///           k      l
    ///          / \    / \
    ///         g   h  i   j
    ///        / \ / \ / \ |
    ///        a b c d e f d6
    /// ```
    #[test]
    fn rfc_9162_example_proofs_have_the_published_shapes() {
        let d = ct_leaves();
        let [a, b, c, dd, e, f, j] = [d[0], d[1], d[2], d[3], d[4], d[5], d[6]];
        let g = node_hash(&a, &b);
        let hh = node_hash(&c, &dd);
        let i = node_hash(&e, &f);
        let k = node_hash(&g, &hh);
        let l = node_hash(&i, &j);
        let tree = &d[..7];
        let hash = node_hash(&k, &l);
        assert_eq!(root(tree), hash);

        assert_eq!(inclusion_proof(tree, 0).unwrap(), [b, hh, l]);
        assert_eq!(inclusion_proof(tree, 1).unwrap(), [a, hh, l]);
        assert_eq!(inclusion_proof(tree, 3).unwrap(), [c, g, l]);
        assert_eq!(inclusion_proof(tree, 4).unwrap(), [f, j, k]);
        assert_eq!(inclusion_proof(tree, 6).unwrap(), [i, k]);

        // hash0, hash1 and hash2 are the roots of the first 3, 4 and 6 leaves.
        let hash0 = node_hash(&g, &c);
        let hash1 = k;
        let hash2 = node_hash(&k, &i);
        assert_eq!(root(&d[..3]), hash0);
        assert_eq!(root(&d[..4]), hash1);
        assert_eq!(root(&d[..6]), hash2);
        assert_eq!(consistency_proof(tree, 3).unwrap(), [c, dd, g, l]);
        assert_eq!(consistency_proof(tree, 4).unwrap(), [l]);
        assert_eq!(consistency_proof(tree, 6).unwrap(), [i, j, k]);
        assert!(verify_consistency(3, 7, &hash0, &hash, &[c, dd, g, l]));
        assert!(verify_consistency(4, 7, &hash1, &hash, &[l]));
        assert!(verify_consistency(6, 7, &hash2, &hash, &[i, j, k]));
    }

    #[test]
    fn every_inclusion_proof_up_to_40_leaves_verifies() {
        let all = leaves(40);
        for n in 1..=40 {
            let tree = &all[..n];
            let r = root(tree);
            for index in 0..n {
                let proof = inclusion_proof(tree, index).unwrap();
                assert!(
                    verify_inclusion(&tree[index], index as u64, n as u64, &proof, &r),
                    "index {index} of {n}"
                );
            }
            assert_eq!(inclusion_proof(tree, n), None);
            assert_eq!(inclusion_proof(tree, usize::MAX), None);
        }
        assert_eq!(inclusion_proof(&[], 0), None);
    }

    #[test]
    fn every_consistency_proof_up_to_40_leaves_verifies() {
        let all = leaves(40);
        let roots: Vec<Hash> = (0..=40).map(|n| root(&all[..n])).collect();
        for n in 1..=40 {
            let tree = &all[..n];
            for m in 1..=n {
                let proof = consistency_proof(tree, m).unwrap();
                assert_eq!(proof.is_empty(), m == n, "PROOF({m}, D[{n}])");
                assert!(
                    verify_consistency(m as u64, n as u64, &roots[m], &roots[n], &proof),
                    "PROOF({m}, D[{n}])"
                );
            }
            assert_eq!(consistency_proof(tree, 0), None);
            assert_eq!(consistency_proof(tree, n + 1), None);
        }
        assert_eq!(consistency_proof(&[], 0), None);
    }

    const TAMPER_SIZES: [usize; 12] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 31];

    #[test]
    fn tampered_inclusion_proofs_fail() {
        let all = leaves(40);
        let roots: Vec<Hash> = (0..=40).map(|n| root(&all[..n])).collect();
        let stranger = leaf_hash(b"not in the tree");
        for n in TAMPER_SIZES {
            let tree = &all[..n];
            let (size, r) = (n as u64, roots[n]);
            for index in 0..n {
                let leaf = tree[index];
                let proof = inclusion_proof(tree, index).unwrap();
                let idx = index as u64;
                assert!(verify_inclusion(&leaf, idx, size, &proof, &r));

                // Any bit of any element.
                for e in 0..proof.len() {
                    for byte in 0..32 {
                        let mut bad = proof.clone();
                        bad[e] = flipped(&bad[e], byte);
                        assert!(!verify_inclusion(&leaf, idx, size, &bad, &r));
                    }
                }
                // The leaf and the root themselves.
                for byte in 0..32 {
                    assert!(!verify_inclusion(
                        &flipped(&leaf, byte),
                        idx,
                        size,
                        &proof,
                        &r
                    ));
                    assert!(!verify_inclusion(
                        &leaf,
                        idx,
                        size,
                        &proof,
                        &flipped(&r, byte)
                    ));
                }
                assert!(!verify_inclusion(&stranger, idx, size, &proof, &r));
                // Another leaf's hash at this position.
                for other in (0..n).filter(|&o| o != index) {
                    assert!(!verify_inclusion(&tree[other], idx, size, &proof, &r));
                }
                // A wrong index, in range or not.
                for wrong in (0..size + 2).filter(|&w| w != idx) {
                    assert!(!verify_inclusion(&leaf, wrong, size, &proof, &r));
                }
                assert!(!verify_inclusion(&leaf, u64::MAX, size, &proof, &r));
                // A wrong size with that size's own root: only a proof that
                // is genuinely the same for both trees may pass.
                for wrong in (index + 1..=40).filter(|&w| w != n) {
                    let same = inclusion_proof(&all[..wrong], index).unwrap() == proof;
                    assert_eq!(
                        verify_inclusion(&leaf, idx, wrong as u64, &proof, &roots[wrong]),
                        same,
                        "PATH({index}, D[{n}]) against size {wrong}"
                    );
                }
                assert!(!verify_inclusion(&leaf, idx, 0, &proof, &r));
                assert!(!verify_inclusion(&leaf, idx, u64::MAX, &proof, &r));
                // The right size with another tree's root.
                for other in (0..=40).filter(|&o| o != n) {
                    assert!(!verify_inclusion(&leaf, idx, size, &proof, &roots[other]));
                }
                // Truncated, extended at either end.
                if !proof.is_empty() {
                    let short = &proof[..proof.len() - 1];
                    assert!(!verify_inclusion(&leaf, idx, size, short, &r));
                    assert!(!verify_inclusion(&leaf, idx, size, &proof[1..], &r));
                }
                for extra in [stranger, r, leaf, Hash::default()] {
                    let mut long = proof.clone();
                    long.push(extra);
                    assert!(!verify_inclusion(&leaf, idx, size, &long, &r));
                    // Even when the over-long path does hash to the claimed
                    // root, it is longer than a tree of this size is deep.
                    for taller in [node_hash(&extra, &r), node_hash(&r, &extra)] {
                        assert!(!verify_inclusion(&leaf, idx, size, &long, &taller));
                    }
                    long.pop();
                    long.insert(0, extra);
                    assert!(!verify_inclusion(&leaf, idx, size, &long, &r));
                }
            }
        }
    }

    #[test]
    fn tampered_consistency_proofs_fail() {
        let all = leaves(40);
        let roots: Vec<Hash> = (0..=40).map(|n| root(&all[..n])).collect();
        // genuine[n][m] = PROOF(m, D[n]), computed once for the comparisons
        // below.
        let genuine: Vec<Vec<Vec<Hash>>> = (0..=40)
            .map(|n| {
                (0..=n)
                    .map(|m| consistency_proof(&all[..n], m).unwrap_or_default())
                    .collect()
            })
            .collect();
        let stranger = leaf_hash(b"not in the tree");
        for n in TAMPER_SIZES {
            for m in 1..n {
                let proof = consistency_proof(&all[..n], m).unwrap();
                let (old, new) = (m as u64, n as u64);
                let (ro, rn) = (roots[m], roots[n]);
                assert!(verify_consistency(old, new, &ro, &rn, &proof));

                for e in 0..proof.len() {
                    for byte in 0..32 {
                        let mut bad = proof.clone();
                        bad[e] = flipped(&bad[e], byte);
                        assert!(!verify_consistency(old, new, &ro, &rn, &bad));
                    }
                }
                for byte in 0..32 {
                    let (bo, bn) = (flipped(&ro, byte), flipped(&rn, byte));
                    assert!(!verify_consistency(old, new, &bo, &rn, &proof));
                    assert!(!verify_consistency(old, new, &ro, &bn, &proof));
                }
                assert!(!verify_consistency(old, new, &rn, &ro, &proof));
                // Wrong roots of the right shape: another tree's.
                for other in (0..=40).filter(|&o| o != m) {
                    assert!(!verify_consistency(old, new, &roots[other], &rn, &proof));
                }
                for other in (0..=40).filter(|&o| o != n) {
                    assert!(!verify_consistency(old, new, &ro, &roots[other], &proof));
                }
                // Wrong sizes, each with its own genuine roots: only a proof
                // that is genuinely the same for both pairs may pass.
                for m2 in 1..=40 {
                    for n2 in m2..=40 {
                        if (m2, n2) == (m, n) {
                            continue;
                        }
                        let same = genuine[n2][m2] == proof;
                        assert_eq!(
                            verify_consistency(
                                m2 as u64, n2 as u64, &roots[m2], &roots[n2], &proof
                            ),
                            same,
                            "PROOF({m}, D[{n}]) against ({m2}, {n2})"
                        );
                    }
                }
                // Wrong sizes with the genuine roots.
                for m2 in (1..=n).filter(|&x| x != m) {
                    assert!(!verify_consistency(m2 as u64, new, &ro, &rn, &proof));
                }
                // Truncated, extended at either end, emptied.
                let short = &proof[..proof.len() - 1];
                assert!(!verify_consistency(old, new, &ro, &rn, short));
                assert!(!verify_consistency(old, new, &ro, &rn, &proof[1..]));
                assert!(!verify_consistency(old, new, &ro, &rn, &[]));
                for extra in [stranger, ro, rn, Hash::default()] {
                    let mut long = proof.clone();
                    long.push(extra);
                    assert!(!verify_consistency(old, new, &ro, &rn, &long));
                    long.pop();
                    long.insert(0, extra);
                    assert!(!verify_consistency(old, new, &ro, &rn, &long));
                }
            }
        }
    }

    #[test]
    fn consistency_edge_cases() {
        let all = leaves(8);
        let (r3, r5) = (root(&all[..3]), root(&all[..5]));
        let proof = consistency_proof(&all[..5], 3).unwrap();
        // old_size > new_size, with the proof and roots in either order.
        assert!(!verify_consistency(5, 3, &r3, &r5, &proof));
        assert!(!verify_consistency(5, 3, &r5, &r3, &proof));
        assert!(!verify_consistency(5, 3, &r5, &r3, &[]));
        // A path that the fn/sn loop alone would accept for sizes (3, 2):
        // fr ends as the first element and sr as its hash with the second.
        let x = leaf_hash(b"x");
        assert!(!verify_consistency(
            3,
            2,
            &r3,
            &node_hash(&r3, &x),
            &[r3, x]
        ));
        // old_size == 0, even with the empty tree's root and an empty proof.
        let empty = root(&[]);
        assert!(!verify_consistency(0, 5, &empty, &r5, &[]));
        assert!(!verify_consistency(0, 5, &empty, &r5, &proof));
        assert!(!verify_consistency(0, 0, &empty, &empty, &[]));
        // old == new: empty proof and equal roots, nothing else.
        assert!(verify_consistency(5, 5, &r5, &r5, &[]));
        assert!(verify_consistency(u64::MAX, u64::MAX, &r5, &r5, &[]));
        assert!(!verify_consistency(5, 5, &r5, &r3, &[]));
        assert!(!verify_consistency(5, 5, &r5, &r5, &[r5]));
        assert!(!verify_consistency(5, 5, &r5, &r5, &proof));
        // Huge sizes do not overflow; a short proof for them just fails.
        assert!(!verify_consistency(3, u64::MAX, &r3, &r5, &proof));
        assert!(!verify_consistency(
            u64::MAX - 1,
            u64::MAX,
            &r3,
            &r5,
            &proof
        ));
    }

    /// Documents the caveat in the module docs: verification takes the path
    /// shape from tree_size, so the proof for leaf 0 of a 5-leaf tree also
    /// verifies against that tree's root under size 6 (leaf 0 has the same
    /// three-step left-edge path in both). Callers must take the size and
    /// the root from one trusted tree head.
    #[test]
    fn tree_size_is_bound_only_through_the_tree_head() {
        let all = leaves(6);
        let r5 = root(&all[..5]);
        let proof = inclusion_proof(&all[..5], 0).unwrap();
        assert!(verify_inclusion(&all[0], 0, 5, &proof, &r5));
        assert!(verify_inclusion(&all[0], 0, 6, &proof, &r5));
        assert!(!verify_inclusion(&all[0], 0, 6, &proof, &root(&all[..6])));
    }

    #[test]
    fn hex_round_trips_and_rejects_malformed_input() {
        let x = leaf_hash(b"x");
        let s = to_hex(&x);
        assert_eq!(s.len(), 64);
        assert_eq!(s, s.to_lowercase());
        assert_eq!(from_hex(&s), Some(x));
        assert_eq!(from_hex(&s.to_uppercase()), Some(x));
        assert_eq!(from_hex(&s[..62]), None);
        assert_eq!(from_hex(&format!("{s}00")), None);
        assert_eq!(from_hex(&s[..63]), None);
        assert_eq!(from_hex(&format!("{}g", &s[..63])), None);
        assert_eq!(from_hex(""), None);
        assert_eq!(from_hex(&format!(" {}", &s[1..])), None);
    }
}

//! The timed loops do the work: for every backend and AEAD, the
//! batched calls the engine times (`seal_batch`, `open_batch`, including any
//! adapter override) equal the per-message calls. Seal: the same ciphertext
//! and tag as `seal_in_place` with a fresh nonce per message (the counter
//! advances once per message). Open: the same plaintexts as `open_in_place`,
//! slot by slot, and only the first `n` slots touched.

use crate::algorithm::AeadId;
use crate::backend::{self, AeadKey};
use crate::crosscheck::pattern;

const SIZES: [usize; 4] = [0, 1, 64, 1350];

/// (label, algorithm, key for the batched calls, key for the single calls,
/// the AAD length it carries: 13, or 0 behind a record layer that chooses it)
type Keys = Vec<(String, AeadId, Box<dyn AeadKey>, Box<dyn AeadKey>, usize)>;

fn keys() -> Keys {
    let mut out = Vec::new();
    for b in backend::test_all() {
        for id in AeadId::ALL {
            let Ok(alg) = (b.aead)(id) else { continue };
            let k = pattern(id.key_len(), 1);
            let aad = if alg.framing().is_some() { 0 } else { 13 };
            out.push((
                format!("{} {id}", b.name),
                id,
                alg.key(&k).unwrap(),
                alg.key(&k).unwrap(),
                aad,
            ));
        }
    }
    assert!(out.len() >= 6, "expected AEADs from several backends");
    out
}

#[test]
fn seal_batch_equals_seal_in_place_with_fresh_nonces() {
    for (name, id, mut batched, mut single, aad_len) in keys() {
        // A record carries at least its content-type byte: no empty message.
        for size in SIZES.into_iter().filter(|&s| s > 0 || aad_len > 0) {
            // A fresh key's records start at sequence number 0 (RFC 8446 §5.3);
            // AWS-LC's TLS 1.3 key refuses a run that starts elsewhere.
            let (aad, start) = (pattern(aad_len, 3), 0u64);
            let (mut nonce_b, mut buf_b, mut tag_b) =
                (pattern(id.nonce_len(), 2), pattern(size, 4), vec![0; id.tag_len()]);
            let (mut nonce_s, mut buf_s, mut tag_s) = (nonce_b.clone(), buf_b.clone(), tag_b.clone());
            let mut counter = start;
            batched
                .seal_batch(3, &mut counter, &mut nonce_b, &aad, &mut buf_b, &mut tag_b)
                .unwrap_or_else(|e| panic!("{name} {size}: {e}"));
            assert_eq!(
                counter,
                start + 3,
                "{name} {size}: the counter must advance once per message"
            );
            for i in 0..3u64 {
                let at = nonce_s.len() - 8;
                nonce_s[at..].copy_from_slice(&(start + i).to_be_bytes());
                single.seal_in_place(&nonce_s, &aad, &mut buf_s, &mut tag_s).unwrap();
            }
            assert_eq!(nonce_b, nonce_s, "{name} {size}: last nonce");
            assert_eq!(buf_b, buf_s, "{name} {size}: ciphertext");
            assert_eq!(tag_b, tag_s, "{name} {size}: tag");
        }
    }
}

#[test]
fn open_batch_equals_open_in_place_slot_by_slot() {
    for (name, id, mut batched, mut single, aad_len) in keys() {
        for size in SIZES.into_iter().filter(|&s| s > 0 || aad_len > 0) {
            let (nonce, aad, plain) = (pattern(id.nonce_len(), 2), pattern(aad_len, 3), pattern(size, 4));
            let (mut ct, mut tag) = (plain.clone(), vec![0; id.tag_len()]);
            single.seal_in_place(&nonce, &aad, &mut ct, &mut tag).unwrap();
            let stride = size.max(1) + 3; // slots with a gap, so `stride` is honoured
            let slots = 5;
            let mut pool = vec![0xa5u8; stride * slots];
            for slot in pool.chunks_exact_mut(stride) {
                slot[..size].copy_from_slice(&ct);
            }
            let before = pool.clone();
            batched
                .open_batch(3, &nonce, &aad, &mut pool, stride, size, &tag)
                .unwrap();
            for (i, slot) in pool.chunks_exact(stride).enumerate() {
                let mut expect = before[i * stride..(i + 1) * stride].to_vec();
                if i < 3 {
                    single.open_in_place(&nonce, &aad, &mut expect[..size], &tag).unwrap();
                    assert_eq!(&slot[..size], &plain[..], "{name} {size}: slot {i} not decrypted");
                }
                assert_eq!(slot, &expect[..], "{name} {size}: slot {i}");
            }
            // A forged tag is refused by the batch too.
            let mut forged = tag.clone();
            forged[0] ^= 1;
            let mut pool = before.clone();
            assert!(
                batched
                    .open_batch(1, &nonce, &aad, &mut pool, stride, size, &forged)
                    .is_err(),
                "{name} {size}: forged tag accepted"
            );
        }
    }
}

//! OpenSSL's streaming AEAD (EVP_CipherUpdate over pieces, then Final), for the
//! chunked-versus-one-shot audit. Cryptofuzz found OpenSSL's ChaCha20-Poly1305
//! giving other output when fed in pieces (openssl#8675): the one-shot adapter in
//! `openssl/aead.rs` cannot see that class of bug.

use openssl::symm::{Cipher, Crypter, Mode};

use crate::algorithm::AeadId;
use crate::backend::{rejected, unsupported, Result};

fn cipher(id: AeadId) -> Result<Cipher> {
    match id {
        AeadId::Aes128Gcm => Ok(Cipher::aes_128_gcm()),
        AeadId::Aes256Gcm => Ok(Cipher::aes_256_gcm()),
        AeadId::ChaCha20Poly1305 => Ok(Cipher::chacha20_poly1305()),
        // OpenSSL's AES-GCM-SIV takes one update only (RFC 8452 needs the whole message first).
        _ => unsupported(format!("OpenSSL has no streaming {id}")),
    }
}

/// Whether `id` has a streaming interface here.
pub fn streams(id: AeadId) -> bool {
    cipher(id).is_ok()
}

/// Feeds `input` to `c` in pieces of the given lengths (the rest in a last piece).
fn pieces<'a>(input: &'a [u8], lens: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = input;
    for &n in lens {
        let (head, tail) = rest.split_at(n.min(rest.len()));
        out.push(head);
        rest = tail;
    }
    out.push(rest);
    out
}

fn run(c: &mut Crypter, aad: &[u8], data: &[u8], aad_lens: &[usize], lens: &[usize]) -> Result<Vec<u8>> {
    let err = |e: openssl::error::ErrorStack| crate::backend::Error::Rejected(e.to_string());
    for a in pieces(aad, aad_lens) {
        c.aad_update(a).map_err(err)?;
    }
    let mut out = vec![0u8; data.len() + 32];
    let mut n = 0;
    for p in pieces(data, lens) {
        n += c.update(p, &mut out[n..]).map_err(err)?;
    }
    n += c.finalize(&mut out[n..]).map_err(err)?;
    out.truncate(n);
    Ok(out)
}

/// Seals with the AAD and plaintext cut into the given piece lengths: (ct, tag).
pub fn seal(
    id: AeadId,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    pt: &[u8],
    cuts: (&[usize], &[usize]),
) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut c = Crypter::new(cipher(id)?, Mode::Encrypt, key, Some(nonce)).or_else(|e| rejected(e.to_string()))?;
    let ct = run(&mut c, aad, pt, cuts.0, cuts.1)?;
    let mut tag = vec![0u8; id.tag_len()];
    c.get_tag(&mut tag).or_else(|e| rejected(e.to_string()))?;
    Ok((ct, tag))
}

/// Opens with the AAD and ciphertext cut into the given piece lengths.
pub fn open(
    id: AeadId,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    ct: &[u8],
    tag: &[u8],
    cuts: (&[usize], &[usize]),
) -> Result<Vec<u8>> {
    let mut c = Crypter::new(cipher(id)?, Mode::Decrypt, key, Some(nonce)).or_else(|e| rejected(e.to_string()))?;
    c.set_tag(tag).or_else(|e| rejected(e.to_string()))?;
    run(&mut c, aad, ct, cuts.0, cuts.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_gcm_and_chacha20_poly1305_stream() {
        let streaming: Vec<AeadId> = AeadId::ALL.into_iter().filter(|&id| streams(id)).collect();
        assert_eq!(
            streaming,
            [AeadId::Aes128Gcm, AeadId::Aes256Gcm, AeadId::ChaCha20Poly1305]
        );
    }

    #[test]
    fn pieces_follow_the_cuts_and_the_rest_is_the_last() {
        assert_eq!(pieces(b"abcdef", &[2, 0, 1]), [&b"ab"[..], b"", b"c", b"def"]);
        assert_eq!(pieces(b"abc", &[5, 1]), [&b"abc"[..], b"", b""]);
        assert_eq!(pieces(b"", &[]), [&b""[..]]);
    }

    /// Cut at odd places (empty and one-byte pieces included), the stream
    /// gives exactly ring's one-shot ciphertext and tag, and opens it back;
    /// a flipped tag bit is refused.
    #[test]
    #[cfg(feature = "ring")]
    fn cut_into_pieces_equals_ring_one_shot() {
        let ring = crate::backend::test_named("ring");
        let (aad, pt): (Vec<u8>, Vec<u8>) = ((0..37).collect(), (0..=200).collect());
        let cuts: (&[usize], &[usize]) = (&[0, 1, 16, 3], &[1, 0, 15, 64, 17, 2]);
        for id in [AeadId::Aes128Gcm, AeadId::Aes256Gcm, AeadId::ChaCha20Poly1305] {
            let (key, nonce) = (vec![7u8; id.key_len()], vec![9u8; id.nonce_len()]);
            let (mut want, mut want_tag) = (pt.clone(), vec![0u8; id.tag_len()]);
            let mut k = (ring.aead)(id).unwrap().key(&key).unwrap();
            k.seal_in_place(&nonce, &aad, &mut want, &mut want_tag).unwrap();
            let (ct, tag) = seal(id, &key, &nonce, &aad, &pt, cuts).unwrap();
            assert_eq!((&ct, &tag), (&want, &want_tag), "{id}");
            assert_eq!(open(id, &key, &nonce, &aad, &ct, &tag, cuts).unwrap(), pt, "{id}");
            let mut forged = tag.clone();
            forged[0] ^= 1;
            assert!(open(id, &key, &nonce, &aad, &ct, &forged, cuts).is_err(), "{id}");
        }
        let siv = seal(AeadId::Aes256GcmSiv, &[0; 32], &[0; 12], b"", b"", cuts);
        assert!(siv.unwrap_err().to_string().contains("no streaming"));
    }
}

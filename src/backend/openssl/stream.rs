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

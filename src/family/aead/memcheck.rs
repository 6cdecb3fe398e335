//! The AEAD exercise of the memcheck audit (mounted as `audit::memcheck::aead`).

use super::{begin, declassify, public, secret};
use crate::backend::{self, AeadAlgorithm, Error};

/// AEAD: key schedule, seal and open with the key secret; the plaintext is
/// secret for seal too. Open's accept/reject verdict is declassified.
pub fn exercise_aead(alg: &dyn AeadAlgorithm) -> Result<(), Error> {
    let id = alg.id();
    let (key, nonce, aad) = (vec![0x42u8; id.key_len()], vec![7u8; id.nonce_len()], [1u8; 13]);
    let (mut buf, mut tag) = (vec![0x5au8; 64], vec![0u8; id.tag_len()]);
    begin("key");
    secret(&key);
    let mut k = alg.key(&key)?;
    begin("seal");
    secret(&buf);
    let sealed = k.seal_in_place(&nonce, &aad, &mut buf, &mut tag);
    declassify(&sealed);
    sealed?;
    public(&buf);
    public(&tag);
    begin("open");
    let opened = k.open_in_place(&nonce, &aad, &mut buf, &tag);
    declassify(&opened);
    opened?;
    public(&buf);
    begin("open-forged");
    tag[0] ^= 1;
    let forged = k.open_in_place(&nonce, &aad, &mut buf, &tag);
    declassify(&forged);
    match forged {
        Err(Error::Rejected(_)) => Ok(()),
        Ok(()) => backend::rejected("accepted a forged tag"),
        Err(e) => Err(e),
    }
}

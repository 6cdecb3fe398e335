//! The key-exchange half of the rustls adapter: a provider's `kx_groups` as
//! [`Ecdh`] and [`Kem`] values (the parent module's docs give the mapping).

use std::cell::Cell;

use rustls::crypto::{ActiveKeyExchange, SupportedKxGroup};

use super::super::{unsupported, Ecdh, EcdhPrivateKey, Error, Kem, KemDecapsKey, Result};
use crate::algorithm::KexId;

const NO_KAT_ECDH: &str = "rustls's SupportedKxGroup::start() draws its own private key: no caller-chosen key, \
                           so no known-answer vector reaches it; checked against the native backends instead";
const NO_KAT_KEM: &str = "rustls's SupportedKxGroup takes no seed, encapsulation randomness or key import: no \
                          known-answer vector reaches it; checked against the native backends instead";

/// An ECDH named group: `start()` is keygen, `complete(peer)` the agreement.
pub(super) struct GroupEcdh {
    pub(super) id: KexId,
    pub(super) group: &'static dyn SupportedKxGroup,
}

fn refused(what: &str) -> impl FnOnce(rustls::Error) -> Error + '_ {
    move |e| Error::Rejected(format!("{what}: {e}"))
}

impl Ecdh for GroupEcdh {
    fn id(&self) -> KexId {
        self.id
    }
    fn keygen(&self) -> Result<Box<dyn EcdhPrivateKey>> {
        Ok(Box::new(Share(self.group.start().map_err(refused("start"))?)))
    }
    fn private_key_from_bytes(&self, _: &[u8]) -> Result<Box<dyn EcdhPrivateKey>> {
        unsupported(NO_KAT_ECDH)
    }
    fn why_no_known_answers(&self) -> Option<&'static str> {
        Some(NO_KAT_ECDH)
    }
}

/// A started key exchange (our key share).
struct Share(Box<dyn ActiveKeyExchange>);

impl EcdhPrivateKey for Share {
    fn public_key(&self) -> Result<Vec<u8>> {
        Ok(self.0.pub_key().to_vec())
    }
    fn agree(self: Box<Self>, peer_public: &[u8]) -> Result<Vec<u8>> {
        let secret = self.0.complete(peer_public).map_err(refused("complete"))?;
        Ok(secret.secret_bytes().to_vec())
    }
}

/// A KEM named group: client `start()` = keygen, server
/// `start_and_complete(ek)` = encaps, client `complete(ct)` = decaps.
pub(super) struct GroupKem {
    pub(super) id: KexId,
    pub(super) group: &'static dyn SupportedKxGroup,
}

impl Kem for GroupKem {
    fn id(&self) -> KexId {
        self.id
    }
    fn keygen(&self) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        let share = self.group.start().map_err(refused("start"))?;
        let ek = share.pub_key().to_vec();
        Ok((Box::new(OneShot(Cell::new(Some(share)))), ek))
    }
    fn keygen_from_seed(&self, _: &[u8]) -> Result<(Box<dyn KemDecapsKey>, Vec<u8>)> {
        unsupported(NO_KAT_KEM)
    }
    fn decaps_key_from_bytes(&self, _: &[u8]) -> Result<Box<dyn KemDecapsKey>> {
        unsupported(NO_KAT_KEM)
    }
    fn encaps(&self, ek: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        let done = self
            .group
            .start_and_complete(ek)
            .map_err(refused("start_and_complete"))?;
        Ok((done.pub_key, done.secret.secret_bytes().to_vec()))
    }
    fn encaps_deterministic(&self, _: &[u8], _: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
        unsupported(NO_KAT_KEM)
    }
    fn why_no_known_answers(&self) -> Option<&'static str> {
        Some(NO_KAT_KEM)
    }
}

/// The client's key share, completed once.
struct OneShot(Cell<Option<Box<dyn ActiveKeyExchange>>>);

impl KemDecapsKey for OneShot {
    fn decaps(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let Some(share) = self.0.take() else {
            return unsupported(
                "rustls's ActiveKeyExchange::complete consumes the key share: one decapsulation per key",
            );
        };
        let secret = share.complete(ct).map_err(refused("complete"))?;
        Ok(secret.secret_bytes().to_vec())
    }
    fn dk_bytes(&self) -> Result<Vec<u8>> {
        unsupported("rustls keeps a key share's private key inside its ActiveKeyExchange")
    }
    fn single_use(&self) -> bool {
        true
    }
}

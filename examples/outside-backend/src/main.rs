//! `outside-backend`: the whole cryptobench command line with one more backend,
//! `outside`, that wraps orion's ChaCha20-Poly1305 (RFC 8439) and
//! XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03).
//!
//! ```text
//! cargo run --release -- list
//! cargo run --release -- kat --backend outside
//! cargo run --release -- run --quick --backend outside,ring --algorithm chacha20-poly1305
//! ```

use std::process::ExitCode;

use cryptobench::algorithm::AeadId;
use cryptobench::backend::{
    check_key, check_nonce, check_tag, rejected, unsupported, AeadAlgorithm, AeadKey, Backend, Module, Registry, Result,
};
use orion::hazardous::aead::{chacha20poly1305, xchacha20poly1305};
use orion::hazardous::mac::poly1305::Tag;
use orion::hazardous::stream::{chacha20, xchacha20};

/// The backend: a name, its version, the AEADs it offers, and a fact
/// (`compliance` prints the reason; the other facts keep their defaults).
static OUTSIDE: Backend = Backend::new("outside", || {
    format!("orion {} (outside-backend example)", env!("OUTSIDE_ORION_VERSION"))
})
.aead(|id| match id {
    AeadId::ChaCha20Poly1305 => Ok(&Orion(AeadId::ChaCha20Poly1305)),
    AeadId::XChaCha20Poly1305 => Ok(&Orion(AeadId::XChaCha20Poly1305)),
    _ => unsupported(format!("orion offers no {id}")),
})
.module(Module::NotValidated("orion has no CMVP-validated build"));

/// One of orion's two AEADs (both take a 256-bit key).
struct Orion(AeadId);

impl AeadAlgorithm for Orion {
    fn id(&self) -> AeadId {
        self.0
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        check_key(self.0, key)?;
        let key = chacha20::SecretKey::try_from(key).or_else(|_| rejected("orion refused the key"))?;
        Ok(Box::new(OrionKey(self.0, key)))
    }
}

struct OrionKey(AeadId, chacha20::SecretKey);

impl AeadKey for OrionKey {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        check_nonce(self.0, nonce)?;
        check_tag(self.0, tag)?;
        let sealed = match self.0 {
            AeadId::XChaCha20Poly1305 => {
                let n = xchacha20::Nonce::try_from(nonce).or_else(|_| rejected("nonce"))?;
                xchacha20poly1305::XChaCha20Poly1305::seal_inplace(&self.1, &n, Some(aad), buf)
            }
            _ => {
                let n = chacha20::Nonce::try_from(nonce).or_else(|_| rejected("nonce"))?;
                chacha20poly1305::ChaCha20Poly1305::seal_inplace(&self.1, &n, Some(aad), buf)
            }
        };
        let t = sealed.or_else(|_| rejected("orion refused to seal (message too long)"))?;
        tag.copy_from_slice(t.unprotected_as_ref::<[u8]>());
        Ok(())
    }

    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        check_nonce(self.0, nonce)?;
        check_tag(self.0, tag)?;
        let t = Tag::try_from(tag).or_else(|_| rejected("tag"))?;
        let opened = match self.0 {
            AeadId::XChaCha20Poly1305 => {
                let n = xchacha20::Nonce::try_from(nonce).or_else(|_| rejected("nonce"))?;
                xchacha20poly1305::XChaCha20Poly1305::open_inplace(&self.1, &n, &t, Some(aad), buf)
            }
            _ => {
                let n = chacha20::Nonce::try_from(nonce).or_else(|_| rejected("nonce"))?;
                chacha20poly1305::ChaCha20Poly1305::open_inplace(&self.1, &n, &t, Some(aad), buf)
            }
        };
        opened.or_else(|_| rejected("authentication failed"))
    }
}

fn main() -> ExitCode {
    match Registry::builtin().with(&OUTSIDE) {
        Ok(registry) => cryptobench::cli::main_with(registry),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

//! rustls `CryptoProvider`s as backends, measured through rustls's own TLS 1.3
//! record layer and key-exchange groups, beside the native library each one
//! wraps, so the cost of the layer shows (`rustls-ring` next to `ring`).
//!
//! One generic adapter: [`Adapted::new`] turns any provider into the values a
//! [`Backend`](super::Backend) lists; [`rustls_backend!`](crate::rustls_backend) makes each provider one static.
//!
//! # AEAD: a TLS 1.3 record per message
//!
//! The provider's `Tls13AeadAlgorithm::encrypter(key, iv)` / `decrypter` seal
//! and open whole records (RFC 8446 §5.2). The [`AeadKey`] interface maps onto
//! them so that the AEAD does exactly the caller's work:
//!
//! - `buf` (n ≥ 1 bytes) is the record's whole TLSInnerPlaintext: content
//!   `buf[..n-1]` and content type `buf[n-1]`; rustls appends the type byte
//!   itself, so the AEAD encrypts exactly the caller's n bytes (no padding).
//! - The AAD is the 5-byte record header `17 03 03 ‖ u16(n + 16)`, which rustls
//!   chooses (`make_tls13_aad`); the caller's `aad` must be empty or equal it.
//!   This is why known-answer vectors cannot reach these AEADs ([`Framing`]).
//! - Nonce = static IV XOR the 64-bit sequence number (RFC 8446 §5.3): the
//!   caller's 12-byte nonce N is IV = N[..4] ‖ 0⁸ and seq = N[4..] (big-endian),
//!   so every nonce is reachable and `seal_batch`'s counter (the last 8 bytes)
//!   is the sequence number of one connection's records. The encrypter is built
//!   on first use and again only when N[..4] changes or the sequence number
//!   does not increase (a new connection's run: aws-lc-rs's sealing key
//!   refuses a sequence number that does not follow the last). A run must
//!   start at sequence 0, as a connection's does: AWS-LC's TLS 1.3 key takes
//!   the first nonce it seals as sequence 0 and derives its mask from it, so
//!   a run from 1 came out of order from its third record.
//! - The key reaches the provider through rustls's own AEAD-key derivation
//!   (`derive_traffic_key`, HKDF-Expand-Label of the suite's key length) fed by
//!   an expander that returns the caller's key bytes; the provider never sees
//!   another key, so its output is comparable with the raw AEADs.
//! - rustls seals into a record it allocates (its own cost, kept in the
//!   figures); the adapter copies ciphertext and tag out. Open copies `buf ‖ tag`
//!   into one reused record buffer, as rustls decrypts a received record in
//!   place. A record whose inner plaintext TLS forbids (all zeros, or a
//!   protected change_cipher_spec) is authenticated and decrypted before rustls
//!   refuses its content: the adapter returns the decrypted bytes, since that
//!   refusal is a protocol rule on the content, not the AEAD's.
//! - Records carry 1 to 2^14 + 1 bytes of inner plaintext; other lengths and
//!   any caller AAD are unsupported shapes ([`Backend::carries`](super::Backend::carries)).
//!
//! # Key exchange: the provider's `kx_groups`
//!
//! ECDH groups (X25519, secp256r1, secp384r1): `start()` is keygen, `pub_key()`
//! the public key, `complete(peer)` the agreement. The KEM groups
//! (X25519MLKEM768, ML-KEM where offered): client `start()` is keygen (the key
//! share is ek), the server's `start_and_complete(ek)` is encaps (its key share
//! is the ciphertext), the client's `complete(ct)` decaps, once per key
//! ([`KemDecapsKey::single_use`](super::KemDecapsKey::single_use)). No group takes a caller-chosen key, seed or
//! randomness, so no known-answer vector reaches them; they are checked against
//! the native backends instead (crosscheck, and `rustls_provider_tests`).

use rustls::crypto::cipher::{
    make_tls13_aad, InboundOpaqueMessage, Iv, MessageDecrypter, MessageEncrypter, OutboundChunks, OutboundPlainMessage,
    Tls13AeadAlgorithm,
};
use rustls::crypto::tls13::{HkdfExpander, OkmBlock, OutputLengthError};
use rustls::crypto::CryptoProvider;
use rustls::{CipherSuite, ContentType, NamedGroup, ProtocolVersion, SupportedCipherSuite};

use super::{
    check_key, check_nonce, check_tag, rejected, unsupported, AeadAlgorithm, AeadKey, Error, Framing, KeyExchange,
    Result,
};
use crate::algorithm::{AeadId, HashId, KexId};

#[path = "rustls_groups.rs"]
mod groups;
use groups::{GroupEcdh, GroupKem};

/// Makes any rustls 0.23 `CryptoProvider` a [`Backend`](super::Backend) static, measured
/// through rustls's TLS 1.3 record layer and its key-exchange groups as this
/// module describes. An outside crate brings its own provider this way and
/// hands the static to [`crate::backend::Registry::with`]:
///
///
/// The backend's facts take the outside defaults ([`Backend::new`](super::Backend::new));
/// set any with its setter's name after the version, as `colour([r, g, b])` below.
///
/// ```
/// cryptobench::rustls_backend!(
///     /// My provider (here rustls's ring one, for the example).
///     pub MINE = "rustls-mine",
///     rustls::crypto::ring::default_provider(),
///     "rustls-mine 0.1".to_string(),
///     colour([0x2a, 0x9d, 0x8f])
/// );
/// let r = cryptobench::backend::Registry::builtin().with(&MINE).unwrap();
/// assert!((r.backends().last().unwrap().aead)(cryptobench::algorithm::AeadId::Aes128Gcm).is_ok());
/// assert_eq!((MINE.feature, MINE.colour), ("outside", Some([0x2a, 0x9d, 0x8f])));
/// ```
#[macro_export]
macro_rules! rustls_backend {
    ($(#[$m:meta])* $vis:vis $NAME:ident = $name:expr, $make:expr, $version:expr $(, $fact:ident($($arg:expr),*))* $(,)?) => {
        $(#[$m])*
        $vis static $NAME: $crate::backend::Backend = {
            static ADAPTED: ::std::sync::LazyLock<$crate::backend::rustls_provider::Adapted> =
                ::std::sync::LazyLock::new(|| $crate::backend::rustls_provider::Adapted::new($make));
            $crate::backend::Backend::new($name, || $version)
                .aead(|id| ADAPTED.aead(id))
                .kex(|id| ADAPTED.kex(id))
                .hash($crate::backend::rustls_provider::no_hash)
                $(.$fact($($arg),*))*
        };
    };
}

crate::rustls_backend!(
    /// rustls's built-in provider over ring (deprecated in rustls 0.23 for
    /// having no post-quantum group; measured as shipped).
    #[allow(deprecated)]
    pub RING = "rustls-ring",
    rustls::crypto::ring::default_provider(),
    format!(
        "rustls {} (ring {})",
        crate::dep_version!("rustls"),
        crate::dep_version!("ring")
    ),
    feature("rustls")
);

crate::rustls_backend!(
    /// rustls's built-in provider over aws-lc-rs (non-FIPS unless the `fips` feature is on).
    pub AWS_LC_RS = "rustls-aws-lc-rs",
    rustls::crypto::aws_lc_rs::default_provider(),
    format!(
        "rustls {} (aws-lc-rs {})",
        crate::dep_version!("rustls"),
        crate::dep_version!("aws-lc-rs")
    ),
    feature("rustls"),
    // The same AWS-LC as the aws-lc-rs backend, so the same start-up read of OPENSSL_ia32cap.
    cpu_masking(crate::backend::CpuMasking::Ia32cap)
);

crate::rustls_backend!(
    /// rustls-graviola: graviola's provider for rustls.
    pub GRAVIOLA = "rustls-graviola",
    rustls_graviola::default_provider(),
    format!(
        "rustls {}, rustls-graviola {} (graviola {})",
        crate::dep_version!("rustls"),
        crate::dep_version!("rustls-graviola"),
        crate::dep_version!("graviola")
    ),
    feature("rustls")
);

crate::rustls_backend!(
    /// rustls-openssl: a provider over the openssl crate (the same OpenSSL the
    /// `openssl` backend links: vendored 3.6 with the `openssl` feature).
    pub OPENSSL = "rustls-openssl",
    rustls_openssl::default_provider(),
    format!(
        "rustls {}, rustls-openssl {} (openssl-sys {}{})",
        crate::dep_version!("rustls"),
        crate::dep_version!("rustls-openssl"),
        crate::dep_version!("openssl-sys"),
        if cfg!(feature = "openssl") { ", vendored" } else { ", system" }
    ),
    feature("rustls"),
    // The openssl backend's libcrypto, which reads OPENSSL_ia32cap in OPENSSL_cpuid_setup.
    cpu_masking(crate::backend::CpuMasking::Ia32cap)
);

/// The TLS 1.3 tag length of every suite mapped here (AES-GCM, ChaCha20-Poly1305).
const TAG_LEN: usize = 16;
/// RFC 8446 §5.2: TLSInnerPlaintext is at most 2^14 + 1 bytes (content and type).
const MAX_INNER: usize = (1 << 14) + 1;

static FRAMING: Framing = Framing {
    layer: "rustls TLS 1.3 record layer",
    why_no_known_answers: "measured through rustls's TLS 1.3 record layer, which fixes the AAD to the record \
                           header and appends the content type (RFC 8446 §5.2): known-answer vectors cannot \
                           reach it; checked against the raw AEADs instead (crosscheck)",
    aad: record_aad,
};

/// The record header rustls authenticates for an `len`-byte inner plaintext.
fn record_aad(len: usize) -> Result<Vec<u8>> {
    if len == 0 || len > MAX_INNER {
        return unsupported(format!(
            "a TLS 1.3 record carries 1 to {MAX_INNER} bytes of inner plaintext (RFC 8446 §5.2), not {len}"
        ));
    }
    Ok(make_tls13_aad(len + TAG_LEN).to_vec())
}

/// The hash lookup of every rustls backend: unsupported, with the reason.
pub fn no_hash(_: HashId) -> Result<&'static dyn super::Hash> {
    unsupported("a rustls provider's hash, HMAC and HKDF are reached only inside rustls's key schedule")
}

/// A provider's TLS 1.3 AEADs and key-exchange groups, as backend values.
pub struct Adapted {
    aeads: Vec<RecordAead>,
    groups: Vec<Group>,
}

enum Group {
    Ecdh(GroupEcdh),
    Kem(GroupKem),
}

impl Adapted {
    /// The provider's TLS 1.3 suites and groups that map onto cryptobench's ids.
    pub fn new(provider: CryptoProvider) -> Adapted {
        let aeads = provider
            .cipher_suites
            .iter()
            .filter_map(|s| match s {
                SupportedCipherSuite::Tls13(s) => Some(RecordAead {
                    id: suite_id(s.common.suite)?,
                    alg: s.aead_alg,
                }),
                _ => None,
            })
            .collect();
        let groups = provider
            .kx_groups
            .iter()
            .filter_map(|&group| {
                let id = group_id(group.name())?;
                Some(match id {
                    KexId::X25519 | KexId::P256 | KexId::P384 => Group::Ecdh(GroupEcdh { id, group }),
                    _ => Group::Kem(GroupKem { id, group }),
                })
            })
            .collect();
        Adapted { aeads, groups }
    }

    /// The record-layer AEAD for `id`, or why the provider has none.
    pub fn aead(&'static self, id: AeadId) -> Result<&'static dyn AeadAlgorithm> {
        if let Some(a) = self.aeads.iter().find(|a| a.id == id) {
            return Ok(a);
        }
        match id {
            AeadId::Aes128Gcm | AeadId::Aes256Gcm | AeadId::ChaCha20Poly1305 => {
                unsupported(format!("this rustls provider offers no TLS 1.3 cipher suite for {id}"))
            }
            _ => unsupported(format!(
                "TLS 1.3 has no cipher suite for {id} (rustls: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305)"
            )),
        }
    }

    /// The key-exchange group for `id`, or why the provider has none.
    pub fn kex(&'static self, id: KexId) -> Result<KeyExchange> {
        for g in &self.groups {
            match g {
                Group::Ecdh(e) if e.id == id => return Ok(KeyExchange::Ecdh(e)),
                Group::Kem(k) if k.id == id => return Ok(KeyExchange::Kem(k)),
                _ => {}
            }
        }
        unsupported(format!("this rustls provider's kx_groups offer no {id} group"))
    }
}

pub(super) fn suite_id(suite: CipherSuite) -> Option<AeadId> {
    Some(match suite {
        CipherSuite::TLS13_AES_128_GCM_SHA256 => AeadId::Aes128Gcm,
        CipherSuite::TLS13_AES_256_GCM_SHA384 => AeadId::Aes256Gcm,
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 => AeadId::ChaCha20Poly1305,
        _ => return None,
    })
}

fn group_id(group: NamedGroup) -> Option<KexId> {
    Some(match group {
        NamedGroup::X25519 => KexId::X25519,
        NamedGroup::secp256r1 => KexId::P256,
        NamedGroup::secp384r1 => KexId::P384,
        NamedGroup::X25519MLKEM768 => KexId::X25519MlKem768,
        NamedGroup::MLKEM512 => KexId::MlKem512,
        NamedGroup::MLKEM768 => KexId::MlKem768,
        NamedGroup::MLKEM1024 => KexId::MlKem1024,
        _ => return None,
    })
}

/// A provider's TLS 1.3 suite AEAD, reached through its record encrypter/decrypter.
struct RecordAead {
    id: AeadId,
    alg: &'static dyn Tls13AeadAlgorithm,
}

impl AeadAlgorithm for RecordAead {
    fn id(&self) -> AeadId {
        self.id
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        check_key(self.id, key)?;
        let mut bytes = [0u8; 32];
        bytes[..key.len()].copy_from_slice(key);
        Ok(Box::new(RecordKey {
            id: self.id,
            alg: self.alg,
            key: bytes,
            key_len: key.len(),
            enc: None,
            dec: None,
            record: Vec::new(),
        }))
    }
    fn framing(&self) -> Option<&'static Framing> {
        Some(&FRAMING)
    }
}

/// An HKDF "expander" that yields the caller's key: rustls's own AEAD-key
/// derivation then hands the provider exactly that key, at the suite's length.
struct CallerKey<'a>(&'a [u8]);

impl HkdfExpander for CallerKey<'_> {
    fn expand_slice(&self, _info: &[&[u8]], output: &mut [u8]) -> std::result::Result<(), OutputLengthError> {
        let n = self.0.len().min(output.len());
        output.fill(0);
        output[..n].copy_from_slice(&self.0[..n]);
        Ok(())
    }
    fn expand_block(&self, _info: &[&[u8]]) -> OkmBlock {
        OkmBlock::new(self.0)
    }
    fn hash_len(&self) -> usize {
        32
    }
}

type Prefix = [u8; 4];

struct RecordKey {
    id: AeadId,
    alg: &'static dyn Tls13AeadAlgorithm,
    key: [u8; 32],
    key_len: usize,
    /// The encrypter, its IV prefix and the last sequence number it sealed.
    enc: Option<(Prefix, u64, Box<dyn MessageEncrypter>)>,
    dec: Option<(Prefix, Box<dyn MessageDecrypter>)>,
    /// The received record (ciphertext ‖ tag), decrypted in place by rustls.
    record: Vec<u8>,
}

impl RecordKey {
    /// Nonce → (IV prefix, sequence number): IV = prefix ‖ 0⁸, nonce = IV XOR seq.
    fn split(&self, nonce: &[u8]) -> Result<(Prefix, u64)> {
        let Ok(n) = <[u8; 12]>::try_from(nonce) else {
            return check_nonce(self.id, nonce).and_then(|_| rejected("nonce"));
        };
        let (prefix, seq) = n.split_at(4);
        Ok((prefix.try_into().unwrap(), u64::from_be_bytes(seq.try_into().unwrap())))
    }

    fn parts(&self, prefix: Prefix) -> (rustls::crypto::cipher::AeadKey, Iv) {
        let key = rustls::internal::derive_traffic_key(&CallerKey(&self.key[..self.key_len]), self.alg);
        let mut iv = [0u8; 12];
        iv[..4].copy_from_slice(&prefix);
        (key, Iv::from(iv))
    }

    /// Checks the shape: full tag, and an AAD that is empty or the record header.
    fn check(&self, aad: &[u8], len: usize, tag: &[u8]) -> Result<()> {
        check_tag(self.id, tag)?;
        let header = record_aad(len)?;
        if !aad.is_empty() && aad != header.as_slice() {
            return unsupported(
                "the rustls TLS 1.3 record layer authenticates the record header (RFC 8446 §5.2), not a caller AAD",
            );
        }
        Ok(())
    }
}

impl AeadKey for RecordKey {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        self.check(aad, buf.len(), tag)?;
        let (prefix, seq) = self.split(nonce)?;
        // An encrypter serves one increasing run of sequence numbers, as in a
        // connection (aws-lc-rs's sealing key refuses any other); a nonce
        // that does not follow the last one starts a new run.
        if self
            .enc
            .as_ref()
            .is_none_or(|(p, last, _)| *p != prefix || seq <= *last)
        {
            let (key, iv) = self.parts(prefix);
            self.enc = Some((prefix, seq, self.alg.encrypter(key, iv)));
        }
        let (_, last, enc) = self.enc.as_mut().expect("built above");
        *last = seq;
        let n = buf.len();
        let (content, typ) = buf.split_at(n - 1);
        let msg = OutboundPlainMessage {
            typ: ContentType::from(typ[0]),
            version: ProtocolVersion::TLSv1_2,
            payload: OutboundChunks::Single(content),
        };
        let record = enc
            .encrypt(msg, seq)
            .map_err(|e| Error::Rejected(format!("rustls refused to seal: {e}")))?;
        let out = record.payload.as_ref();
        if out.len() != n + TAG_LEN {
            return rejected(format!(
                "rustls sealed a {}-byte record, want {}",
                out.len(),
                n + TAG_LEN
            ));
        }
        buf.copy_from_slice(&out[..n]);
        tag.copy_from_slice(&out[n..]);
        Ok(())
    }

    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        self.check(aad, buf.len(), tag)?;
        let (prefix, seq) = self.split(nonce)?;
        if self.dec.as_ref().is_none_or(|(p, _)| *p != prefix) {
            let (key, iv) = self.parts(prefix);
            self.dec = Some((prefix, self.alg.decrypter(key, iv)));
        }
        let Self { dec, record, .. } = self;
        let dec = &mut dec.as_mut().expect("built above").1;
        record.clear();
        record.extend_from_slice(buf);
        record.extend_from_slice(tag);
        let msg = InboundOpaqueMessage::new(ContentType::ApplicationData, ProtocolVersion::TLSv1_2, record);
        match dec.decrypt(msg, seq) {
            // Authenticated and decrypted; PeerMisbehaved is TLS refusing the
            // inner plaintext's content after that (all padding, or a protected
            // change_cipher_spec), not the AEAD refusing the record.
            Ok(_) | Err(rustls::Error::PeerMisbehaved(_)) => {}
            Err(rustls::Error::DecryptError) => return rejected("authentication failed (rustls DecryptError)"),
            Err(e) => return rejected(format!("rustls refused the record: {e}")),
        }
        buf.copy_from_slice(&record[..buf.len()]);
        Ok(())
    }
}

//! Differential tests of the rustls providers. rustls's API admits no
//! known-answer vectors (the record layer fixes the AAD and appends the content
//! type; key-exchange groups draw their own keys), so each provider is checked
//! against the native backends (ring, aws-lc-rs, RustCrypto):
//!
//! - rustls's own records, made with its key schedule and record layer, are
//!   opened by the native AEADs from a TLS 1.3 record rebuilt by hand (header
//!   as AAD, nonce = IV XOR sequence number, inner plaintext = content ‖ type),
//!   and records sealed by the native AEADs are opened by rustls;
//! - the adapter (`AeadKey` over the record layer) agrees with the native
//!   AEADs under the record header AAD, both ways, and refuses a forgery;
//! - its key exchanges agree with a native backend's, both directions;
//! - seeded fault: an adapter that flips a tag bit on seal fails the same
//!   differential check (and the crosscheck the engine runs before timing).

use rustls::crypto::cipher::{
    make_tls13_aad, InboundOpaqueMessage, Iv, OutboundChunks, OutboundPlainMessage, Tls13AeadAlgorithm,
};
use rustls::crypto::tls13::OkmBlock;
use rustls::crypto::CryptoProvider;
use rustls::{ConnectionTrafficSecrets, ContentType, ProtocolVersion, SupportedCipherSuite};

use super::{test_all, AeadAlgorithm, AeadKey, Backend, Framing, KeyExchange, Result};
use crate::algorithm::{AeadId, KexId};
use crate::crosscheck::pattern;

const RECORD_AEADS: [AeadId; 3] = [AeadId::Aes128Gcm, AeadId::Aes256Gcm, AeadId::ChaCha20Poly1305];
const SIZES: [usize; 6] = [1, 15, 16, 17, 1350, 1 << 14];

/// The rustls backends and the providers they wrap.
#[allow(deprecated)] // rustls's ring provider: no post-quantum group
fn providers() -> Vec<(&'static Backend, CryptoProvider)> {
    use super::rustls_provider::{AWS_LC_RS, GRAVIOLA, OPENSSL, RING};
    vec![
        (&RING, rustls::crypto::ring::default_provider()),
        (&AWS_LC_RS, rustls::crypto::aws_lc_rs::default_provider()),
        (&GRAVIOLA, rustls_graviola::default_provider()),
        (&OPENSSL, rustls_openssl::default_provider()),
    ]
}

/// The native backends the providers are compared with.
fn natives() -> Vec<&'static Backend> {
    let n: Vec<_> = test_all()
        .into_iter()
        .filter(|b| ["ring", "aws-lc-rs", "RustCrypto"].contains(&b.name))
        .collect();
    assert!(!n.is_empty(), "no native backend to compare with");
    n
}

fn native_aeads(id: AeadId) -> Vec<(&'static str, &'static dyn AeadAlgorithm)> {
    natives()
        .into_iter()
        .filter_map(|b| Some((b.name, (b.aead)(id).ok()?)))
        .collect()
}

/// rustls's own key schedule for one suite: a traffic secret expanded into
/// an encrypter/decrypter pair, and the key and IV they hold (extract_keys).
struct Keyed {
    alg: &'static dyn Tls13AeadAlgorithm,
    key: Vec<u8>,
    iv: [u8; 12],
    secret: OkmBlock,
    hkdf: &'static dyn rustls::crypto::tls13::Hkdf,
}

fn keyed(provider: &CryptoProvider, id: AeadId) -> Option<Keyed> {
    let suite = provider.cipher_suites.iter().find_map(|s| match s {
        SupportedCipherSuite::Tls13(s) if super::rustls_provider::suite_id(s.common.suite) == Some(id) => Some(*s),
        _ => None,
    })?;
    let secret = OkmBlock::new(&pattern(32, 9));
    let parts = || {
        let expander = suite.hkdf_provider.expander_for_okm(&secret);
        (
            rustls::internal::derive_traffic_key(expander.as_ref(), suite.aead_alg),
            rustls::internal::derive_traffic_iv(expander.as_ref()),
        )
    };
    let (key, iv) = parts();
    let (key, iv) = match suite.aead_alg.extract_keys(key, iv).expect("extractable") {
        ConnectionTrafficSecrets::Aes128Gcm { key, iv }
        | ConnectionTrafficSecrets::Aes256Gcm { key, iv }
        | ConnectionTrafficSecrets::Chacha20Poly1305 { key, iv } => (key.as_ref().to_vec(), iv),
        _ => unreachable!("a TLS 1.3 AEAD"),
    };
    Some(Keyed {
        alg: suite.aead_alg,
        key,
        iv: iv.as_ref().try_into().unwrap(),
        secret,
        hkdf: suite.hkdf_provider,
    })
}

impl Keyed {
    fn parts(&self) -> (rustls::crypto::cipher::AeadKey, Iv) {
        let expander = self.hkdf.expander_for_okm(&self.secret);
        (
            rustls::internal::derive_traffic_key(expander.as_ref(), self.alg),
            rustls::internal::derive_traffic_iv(expander.as_ref()),
        )
    }
    /// RFC 8446 §5.3: the per-record nonce.
    fn nonce(&self, seq: u64) -> [u8; 12] {
        let mut n = self.iv;
        n[4..].iter_mut().zip(seq.to_be_bytes()).for_each(|(a, b)| *a ^= b);
        n
    }
}

/// A whole TLS 1.3 application-data record, as rustls writes it on the wire.
fn rustls_record(k: &Keyed, content: &[u8], seq: u64) -> Vec<u8> {
    let (key, iv) = k.parts();
    let mut enc = k.alg.encrypter(key, iv);
    let msg = OutboundPlainMessage {
        typ: ContentType::ApplicationData,
        version: ProtocolVersion::TLSv1_2,
        payload: OutboundChunks::Single(content),
    };
    enc.encrypt(msg, seq).unwrap().encode()
}

/// rustls opening a wire record: its content and type, or None if refused.
fn rustls_open(k: &Keyed, record: &[u8], seq: u64) -> Option<(Vec<u8>, ContentType)> {
    let (key, iv) = k.parts();
    let mut dec = k.alg.decrypter(key, iv);
    let mut body = record[5..].to_vec();
    let msg = InboundOpaqueMessage::new(ContentType::ApplicationData, ProtocolVersion::TLSv1_2, &mut body);
    let plain = dec.decrypt(msg, seq).ok()?;
    Some((plain.payload.to_vec(), plain.typ))
}

/// A native AEAD opening a wire record rebuilt by hand: the inner plaintext.
fn native_open(alg: &dyn AeadAlgorithm, key: &[u8], nonce: &[u8], record: &[u8]) -> Result<Vec<u8>> {
    let (header, body) = record.split_at(5);
    let (ct, tag) = body.split_at(body.len() - 16);
    let mut buf = ct.to_vec();
    alg.key(key)?.open_in_place(nonce, header, &mut buf, tag)?;
    Ok(buf)
}

/// A native AEAD sealing `inner` into a wire record.
fn native_record(alg: &dyn AeadAlgorithm, key: &[u8], nonce: &[u8], inner: &[u8]) -> Vec<u8> {
    let header = make_tls13_aad(inner.len() + 16);
    let (mut buf, mut tag) = (inner.to_vec(), [0u8; 16]);
    alg.key(key)
        .unwrap()
        .seal_in_place(nonce, &header, &mut buf, &mut tag)
        .unwrap();
    [&header[..], &buf, &tag].concat()
}

fn flip_tag_bit(record: &mut [u8]) {
    let last = record.len() - 1;
    record[last] ^= 0x80;
}

#[test]
fn native_aeads_open_rustls_records_and_rustls_opens_theirs() {
    let mut checked = 0;
    for (b, provider) in providers() {
        for id in RECORD_AEADS {
            let Some(k) = keyed(&provider, id) else { continue };
            for (native, alg) in native_aeads(id) {
                for len in SIZES.map(|n| n - 1) {
                    let who = format!("{} {id} vs {native}, {len} B", b.name);
                    let content = pattern(len, 5);
                    let inner = [&content[..], &[0x17]].concat(); // content ‖ application_data
                    for seq in [0u64, 1, 0x0102_0304_0506_0708] {
                        let nonce = k.nonce(seq);
                        let record = rustls_record(&k, &content, seq);
                        assert_eq!(&record[..5], make_tls13_aad(inner.len() + 16), "{who}: header");
                        assert_eq!(native_open(alg, &k.key, &nonce, &record).unwrap(), inner, "{who}");
                        let theirs = native_record(alg, &k.key, &nonce, &inner);
                        assert_eq!(theirs, record, "{who}: the same record from the same inputs");
                        let opened = rustls_open(&k, &theirs, seq).expect("rustls opens the native record");
                        assert_eq!(opened, (content.clone(), ContentType::ApplicationData), "{who}");
                        // A forgery is refused by both, and a wrong sequence number by rustls.
                        let mut forged = record.clone();
                        flip_tag_bit(&mut forged);
                        assert!(rustls_open(&k, &forged, seq).is_none(), "{who}: rustls took a forgery");
                        assert!(native_open(alg, &k.key, &nonce, &forged).is_err(), "{who}: forgery");
                        assert!(rustls_open(&k, &record, seq + 1).is_none(), "{who}: wrong sequence");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0);
}

/// The differential check of a record-layer adapter (a backend's AEAD with a
/// [`Framing`]) against a native AEAD: the adapter's record opens under the
/// native AEAD with the layer's AAD, the native's opens under the adapter, and
/// the adapter refuses a record with a flipped tag bit.
fn differential(adapter: &dyn AeadAlgorithm, native: &dyn AeadAlgorithm, len: usize) -> crate::Result<()> {
    let id = adapter.id();
    let framing: &Framing = adapter
        .framing()
        .ok_or(crate::Error::value("not a record-layer AEAD"))?;
    let (key, inner) = (pattern(id.key_len(), 1), pattern(len, 4));
    let header = (framing.aad)(len)?;
    let mut k = adapter.key(&key)?;
    let mut n = native.key(&key)?;
    for nonce in [pattern(12, 2), vec![0; 12], vec![0xff; 12]] {
        let (mut buf, mut tag) = (inner.clone(), vec![0; 16]);
        k.seal_in_place(&nonce, &[], &mut buf, &mut tag)?;
        let sealed = (buf.clone(), tag.clone());
        n.open_in_place(&nonce, &header, &mut buf, &tag)
            .map_err(|e| crate::Error::wrong(format!("the native AEAD refused the adapter's record: {e}")))?;
        if buf != inner {
            return Err(crate::Error::wrong(
                "the native AEAD opened the adapter's record to other bytes",
            ));
        }
        let (mut buf, mut tag) = (inner.clone(), vec![0; 16]);
        n.seal_in_place(&nonce, &header, &mut buf, &mut tag).unwrap();
        if (&buf, &tag) != (&sealed.0, &sealed.1) {
            return Err(crate::Error::wrong(
                "the adapter's record differs from the native AEAD's",
            ));
        }
        k.open_in_place(&nonce, &[], &mut buf, &tag)
            .map_err(|e| crate::Error::wrong(format!("the adapter refused the native record: {e}")))?;
        if buf != inner {
            return Err(crate::Error::wrong(
                "the adapter opened the native record to other bytes",
            ));
        }
        let (mut buf, mut forged) = (sealed.0.clone(), sealed.1.clone());
        forged[15] ^= 0x80;
        if k.open_in_place(&nonce, &[], &mut buf, &forged).is_ok() {
            return Err(crate::Error::wrong("the adapter accepted a forged record"));
        }
    }
    Ok(())
}

#[test]
fn the_adapter_agrees_with_the_native_aeads_under_the_record_header() {
    let mut checked = 0;
    for (b, _) in providers() {
        for id in RECORD_AEADS {
            let Ok(adapter) = (b.aead)(id) else { continue };
            for (native, alg) in native_aeads(id) {
                for len in SIZES {
                    differential(adapter, alg, len)
                        .unwrap_or_else(|e| panic!("{} {id} vs {native}, {len} B: {e}", b.name));
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0);
}

/// A connection's records from sequence number 0 seal on every provider,
/// after a first message under another nonce has ended its run (as the
/// measured workload's correctness seal does). AWS-LC's TLS 1.3 key takes the
/// first nonce it seals as sequence 0; a run that started at 1 failed from
/// its third record ("cannot encrypt message").
#[test]
fn a_connection_from_sequence_zero_seals_on_every_provider() {
    let mut sealed = 0;
    for (b, _) in providers() {
        for id in RECORD_AEADS {
            let Ok(alg) = (b.aead)(id) else { continue };
            let mut key = alg.key(&pattern(id.key_len(), 1)).unwrap();
            let (mut nonce, mut buf, mut tag) = (pattern(12, 2), pattern(64, 4), [0u8; 16]);
            key.seal_in_place(&nonce, &[], &mut buf, &mut tag).unwrap();
            let mut counter = 0;
            key.seal_batch(5, &mut counter, &mut nonce, &[], &mut buf, &mut tag)
                .unwrap_or_else(|e| panic!("{} {id}: {e}", b.name));
            assert_eq!(counter, 5);
            sealed += 1;
        }
    }
    assert!(sealed >= 4, "{sealed}");
}

#[test]
fn the_adapter_refuses_shapes_a_record_does_not_carry() {
    for (b, _) in providers() {
        let Ok(alg) = (b.aead)(AeadId::Aes128Gcm) else { continue };
        let mut k = alg.key(&[1; 16]).unwrap();
        let mut tag = [0u8; 16];
        for (len, aad) in [(0, &[][..]), ((1 << 14) + 2, &[][..]), (16, &[1u8; 13][..])] {
            let r = k.seal_in_place(&[2; 12], aad, &mut vec![0; len], &mut tag);
            assert!(
                matches!(r, Err(super::Error::Unsupported(_))),
                "{}: {len} B, {} B AAD: {r:?}",
                b.name,
                aad.len()
            );
            assert!(b.carries(AeadId::Aes128Gcm, len, aad.len()).is_err(), "{}", b.name);
        }
        // The record header itself is the one AAD it takes.
        let header = make_tls13_aad(16 + 16);
        k.seal_in_place(&[2; 12], &header, &mut [3; 16], &mut tag).unwrap();
        assert!(b
            .known_answers(crate::algorithm::AlgorithmId::Aead(AeadId::Aes128Gcm))
            .is_err());
        assert!(b
            .supports(crate::algorithm::AlgorithmId::Aead(AeadId::XChaCha20Poly1305))
            .is_err());
    }
}

#[test]
fn key_exchanges_agree_with_a_native_backend() {
    let mut checked = 0;
    let native_of = |id: KexId| {
        test_all()
            .into_iter()
            .filter(|b| !b.name.starts_with("rustls-"))
            .find_map(|b| Some((b.name, (b.kex)(id).ok()?)))
    };
    for (b, _) in providers() {
        for id in KexId::ALL {
            let Ok(x) = (b.kex)(id) else { continue };
            let Some((native, n)) = native_of(id) else { continue };
            let who = format!("{} {id} vs {native}", b.name);
            match (x, n) {
                (KeyExchange::Ecdh(x), KeyExchange::Ecdh(n)) => {
                    let (a, c) = (x.keygen().unwrap(), n.keygen().unwrap());
                    let (pa, pc) = (a.public_key().unwrap(), c.public_key().unwrap());
                    assert_eq!(a.agree(&pc).unwrap(), c.agree(&pa).unwrap(), "{who}");
                    assert!(
                        x.keygen().unwrap().agree(&pc[..pc.len() - 1]).is_err(),
                        "{who}: short key"
                    );
                }
                (KeyExchange::Kem(x), KeyExchange::Kem(n)) => {
                    for (owner, sender) in [(x, n), (n, x)] {
                        let (dk, ek) = owner.keygen().unwrap();
                        let (ct, ss) = sender.encaps(&ek).unwrap();
                        assert_eq!(dk.decaps(&ct).unwrap(), ss, "{who}");
                    }
                    let (dk, ek) = x.keygen().unwrap();
                    let (ct, _) = n.encaps(&ek).unwrap();
                    dk.decaps(&ct).unwrap();
                    assert!(
                        dk.single_use() && dk.decaps(&ct).is_err(),
                        "{who}: a key share completes once"
                    );
                }
                _ => panic!("{who}: ECDH and KEM mixed up"),
            }
            checked += 1;
        }
        for id in [KexId::X25519, KexId::P256] {
            assert!((b.kex)(id).is_ok(), "{}: {id} missing", b.name);
        }
    }
    assert!(checked > 0);
}

// ---- Seeded fault: an adapter that flips a tag bit on seal. ----

struct TagFlipped(&'static dyn AeadAlgorithm);
struct TagFlippedKey(Box<dyn AeadKey>);

impl AeadAlgorithm for TagFlipped {
    fn id(&self) -> AeadId {
        self.0.id()
    }
    fn key(&self, key: &[u8]) -> Result<Box<dyn AeadKey>> {
        Ok(Box::new(TagFlippedKey(self.0.key(key)?)))
    }
    fn framing(&self) -> Option<&'static Framing> {
        self.0.framing()
    }
}

impl AeadKey for TagFlippedKey {
    fn seal_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &mut [u8]) -> Result<()> {
        self.0.seal_in_place(nonce, aad, buf, tag)?;
        tag[0] ^= 1;
        Ok(())
    }
    fn open_in_place(&mut self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        self.0.open_in_place(nonce, aad, buf, tag)
    }
}

static FAULTY: std::sync::LazyLock<TagFlipped> =
    std::sync::LazyLock::new(|| TagFlipped((providers()[0].0.aead)(AeadId::Aes128Gcm).unwrap()));

static FAULTY_BACKEND: Backend = Backend::new("rustls-tag-flipped", || "seeded fault".into())
    .aead(|id| match id {
        AeadId::Aes128Gcm => Ok(&*FAULTY),
        _ => super::unsupported("seeded fault: AES-128-GCM only"),
    })
    .kex(|_| super::unsupported("seeded fault: AEAD only"))
    .hash(|_| super::unsupported("seeded fault: AEAD only"));

#[test]
fn seeded_fault_a_flipped_tag_bit_on_seal_is_caught() {
    let (_, native) = native_aeads(AeadId::Aes128Gcm)[0];
    // The real adapter passes the check the faulty one must fail.
    differential(FAULTY.0, native, 1350).unwrap();
    let err = differential(&*FAULTY, native, 1350).unwrap_err().to_string();
    assert!(err.contains("refused the adapter's record"), "{err}");
    // The engine's check before timing catches it too.
    let mut backends = natives();
    backends.push(&FAULTY_BACKEND);
    let problems = crate::crosscheck::aead_problems(&backends, AeadId::Aes128Gcm, 1350, 0);
    assert!(problems.iter().any(|(b, _)| b == "rustls-tag-flipped"), "{problems:?}");
}

/// `run --cpu-features` masks a provider exactly when its library reads
/// `OPENSSL_ia32cap`: the providers over AWS-LC and OpenSSL, not those over
/// ring or graviola (which ask CPUID themselves).
#[test]
fn providers_over_openssl_and_aws_lc_are_maskable() {
    for (b, _) in providers() {
        let maskable = matches!(b.name, "rustls-aws-lc-rs" | "rustls-openssl");
        assert_eq!(
            b.cpu_masking == crate::backend::CpuMasking::Ia32cap,
            maskable,
            "{}",
            b.name
        );
    }
}

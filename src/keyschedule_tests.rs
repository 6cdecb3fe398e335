//! The key schedules against RFC 8448 §3 (the simple 1-RTT handshake trace),
//! on every backend, and the call counts the cost model cites.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::*;
use crate::backend::{self, HkdfSource};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// RFC 8448 §3 values (SHA-256, X25519): the ECDHE secret, the transcript
/// hashes CH..SH and CH..server Finished, the secrets derived from them.
const ECDHE: &str = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
const HELLO: &str = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
const SERVER_FINISHED: &str = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
const EARLY: &str = "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a";
const DERIVED: &str = "6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba";
const S_HS_TRAFFIC: &str = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
const C_AP_TRAFFIC: &str = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";

#[test]
fn every_backend_derives_the_rfc_8448_secrets() {
    let (hello, fin) = (h(HELLO), h(SERVER_FINISHED));
    let t = Transcripts {
        hello: &hello,
        server_cv: &hello,
        server_finished: &fin,
        client_finished: &fin,
    };
    for b in backend::test_all() {
        let Ok(x) = (b.hash)(HashId::Sha256) else { continue };
        let (mut early, mut derived, mut empty) = ([0u8; 32], [0u8; 32], [0u8; 32]);
        x.digest(&[], &mut empty).unwrap();
        x.hkdf_extract(&[], &[0u8; 32], &mut early).unwrap();
        assert_eq!(hex::encode(early), EARLY, "{}", b.name);
        expand_label(x, &early, "derived", &empty, &mut derived).unwrap();
        assert_eq!(hex::encode(derived), DERIVED, "{}", b.name);
        // The server handshake write key and IV (RFC 8448 §3, "{server} derive write traffic keys").
        let (mut key, mut iv) = ([0u8; 16], [0u8; 12]);
        expand_label(x, &h(S_HS_TRAFFIC), "key", &[], &mut key).unwrap();
        expand_label(x, &h(S_HS_TRAFFIC), "iv", &[], &mut iv).unwrap();
        assert_eq!(hex::encode(key), "3fce516009c21727d0f2e4e86ee403bc", "{}", b.name);
        assert_eq!(hex::encode(iv), "5d313eb2671276ee13000b30", "{}", b.name);
        let c_ap = tls13_one_side(x, &h(ECDHE), 16, &t).unwrap();
        assert_eq!(hex::encode(c_ap), C_AP_TRAFFIC, "{}", b.name);
    }
}

/// Counts the calls a key schedule makes (delegating to a real hash).
struct Counting {
    inner: &'static dyn Hash,
    digests: AtomicUsize,
    hmacs: AtomicUsize,
    extracts: AtomicUsize,
    expands: AtomicUsize,
}

impl Hash for Counting {
    fn id(&self) -> HashId {
        self.inner.id()
    }
    fn digest(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        self.digests.fetch_add(1, Relaxed);
        self.inner.digest(parts, out)
    }
    fn hmac(&self, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        self.hmacs.fetch_add(1, Relaxed);
        self.inner.hmac(key, parts, out)
    }
    fn hkdf_extract(&self, salt: &[u8], ikm: &[u8], prk: &mut [u8]) -> Result<()> {
        self.extracts.fetch_add(1, Relaxed);
        self.inner.hkdf_extract(salt, ikm, prk)
    }
    fn hkdf_expand(&self, prk: &[u8], info: &[u8], okm: &mut [u8]) -> Result<()> {
        self.expands.fetch_add(1, Relaxed);
        self.inner.hkdf_expand(prk, info, okm)
    }
    fn hkdf_source(&self) -> HkdfSource {
        self.inner.hkdf_source()
    }
}

#[test]
fn one_side_of_a_full_handshake_makes_the_calls_the_model_counts() {
    for id in HashId::ALL {
        let inner = (backend::test_all()[0].hash)(id).unwrap();
        let c = Counting {
            inner,
            digests: 0.into(),
            hmacs: 0.into(),
            extracts: 0.into(),
            expands: 0.into(),
        };
        let th = vec![7u8; id.output_len()];
        let t = Transcripts {
            hello: &th,
            server_cv: &th,
            server_finished: &th,
            client_finished: &th,
        };
        tls13_one_side(&c, &[1; 32], 32, &t).unwrap();
        let got = [&c.extracts, &c.expands, &c.hmacs, &c.digests].map(|a| a.load(Relaxed));
        // One digest: Transcript-Hash("") of the two "derived" secrets, computed once.
        assert_eq!(
            got,
            [TLS13_EXTRACTS, TLS13_EXPAND_LABELS, TLS13_FINISHED_HMACS, 1],
            "{id}"
        );
    }
}

#[test]
fn labels_too_long_are_refused_and_the_signal_kdfs_run() {
    let x = (backend::test_all()[0].hash)(HashId::Sha256).unwrap();
    let mut out = [0u8; 32];
    assert!(expand_label(x, &[1; 32], &"x".repeat(250), &[], &mut out).is_err());
    let mut sk = [0u8; 32];
    session_key(x, &[0xFF; 160], &mut sk).unwrap();
    let mut rk_ck = [0u8; 64];
    kdf_rk(x, &[7; 32], &[9; 32], &mut rk_ck).unwrap();
    let mut ck_mk = [0u8; KDF_CK_BYTES];
    kdf_ck(x, &[8; 32], &mut ck_mk).unwrap();
    assert!(sk != [0; 32] && rk_ck[..32] != rk_ck[32..] && ck_mk[..32] != [8; 32]);
    assert_eq!(KdfTask::Tls13Schedule(HashId::Sha384).hash(), HashId::Sha384);
    assert_eq!(KdfTask::KdfCk.hash(), HashId::Sha256);
}

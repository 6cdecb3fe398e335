//! One conformance check for every backend's [`super::Hash`]: FIPS 180-4
//! digests, RFC 4231 HMAC and RFC 5869 HKDF, one loop over every backend and
//! hash function. A backend that offers no hash must say why (unsupported).

use super::hash::{expand_over_hmac, extract_over_hmac};
use super::{test_all, Error, Hash};
use crate::algorithm::HashId;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// (message parts, SHA-256, SHA-384). "abc" is the one-block example of
/// NIST's FIPS 180-4 examples; the two-block messages (448 bits for SHA-256,
/// 896 bits for SHA-384) go in as parts that split a block.
fn digests() -> Vec<(Vec<&'static [u8]>, HashId, &'static str)> {
    vec![
        (
            vec![b"abc"],
            HashId::Sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            vec![b"ab", b"", b"c"],
            HashId::Sha384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            vec![b"abcdbcdecdefdefgefghfghighijhijkijkljklm", b"klmnlmnomnopnopq"],
            HashId::Sha256,
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        ),
        (
            vec![
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno",
                b"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            ],
            HashId::Sha384,
            "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039",
        ),
    ]
}

/// RFC 4231 test cases 1, 2 and 6 (a key longer than a block): (key, data, SHA-256 tag, SHA-384 tag).
fn hmacs() -> Vec<(Vec<u8>, &'static [u8], &'static str, &'static str)> {
    vec![
        (
            vec![0x0b; 20],
            b"Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
        ),
        (
            b"Jefe".to_vec(),
            b"what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
        ),
        (
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
        ),
    ]
}

fn check(name: &str, x: &dyn Hash) {
    let id = x.id();
    let mut out = vec![0u8; id.output_len()];
    for (parts, want_id, want) in digests().into_iter().filter(|d| d.1 == id) {
        x.digest(&parts, &mut out).unwrap();
        assert_eq!(hex::encode(&out), want, "{name} {want_id} digest of {parts:?}");
    }
    for (key, data, t256, t384) in hmacs() {
        let want = if id == HashId::Sha256 { t256 } else { t384 };
        let (a, b) = data.split_at(data.len() / 2);
        x.hmac(&key, &[a, b], &mut out).unwrap();
        assert_eq!(hex::encode(&out), want, "{name} HMAC-{id} RFC 4231");
    }
    // RFC 5869 test case 1 (SHA-256 only; the RFC has no SHA-384 case).
    let (ikm, salt, info) = (
        vec![0x0b; 22],
        h("000102030405060708090a0b0c"),
        h("f0f1f2f3f4f5f6f7f8f9"),
    );
    let mut prk = vec![0u8; id.output_len()];
    x.hkdf_extract(&salt, &ikm, &mut prk).unwrap();
    let mut okm = [0u8; 42];
    x.hkdf_expand(&prk, &info, &mut okm).unwrap();
    if id == HashId::Sha256 {
        assert_eq!(
            hex::encode(&prk),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "{name} RFC 5869 PRK"
        );
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
            "{name} RFC 5869 OKM"
        );
    }
    // The library's own HKDF equals RFC 5869 over its (checked) HMAC, for both
    // hashes, an empty salt and an output of several blocks.
    let (mut prk2, mut long, mut long2) = (vec![0u8; id.output_len()], [0u8; 130], [0u8; 130]);
    for salt in [&salt[..], &[]] {
        x.hkdf_extract(salt, &ikm, &mut prk).unwrap();
        extract_over_hmac(x, salt, &ikm, &mut prk2).unwrap();
        assert_eq!(prk, prk2, "{name} {id} HKDF-Extract");
        x.hkdf_expand(&prk, &info, &mut long).unwrap();
        expand_over_hmac(x, &prk, &info, &mut long2).unwrap();
        assert_eq!(long, long2, "{name} {id} HKDF-Expand");
    }
    let mut too_long = vec![0u8; 255 * id.output_len() + 1];
    assert!(matches!(
        x.hkdf_expand(&prk, &info, &mut too_long),
        Err(Error::Rejected(_))
    ));
}

#[test]
fn every_backend_hashes_macs_and_derives_as_the_standards_say() {
    let mut checked = 0;
    for b in test_all() {
        for id in HashId::ALL {
            match (b.hash)(id) {
                Ok(x) => {
                    assert_eq!(x.id(), id, "{}", b.name);
                    check(b.name, x);
                    checked += 1;
                }
                Err(Error::Unsupported(why)) => assert!(!why.is_empty(), "{}", b.name),
                Err(e) => panic!("{} {id}: {e}", b.name),
            }
        }
    }
    assert!(checked > 0, "no backend offers a hash");
}

//! Differential AEAD target: the fuzzer picks the algorithm, key, nonce and tag
//! lengths, AAD and message; every compiled-in backend seals it, then opens the
//! fuzzer's own ciphertext and tag. Any unexplained disagreement, broken spec
//! rule or panic (as judged by `audit diff`) aborts.
#![no_main]
use cryptobench::algorithm::{AeadId, AlgorithmId};
use cryptobench::audit::allow::AllowList;
use cryptobench::audit::cases::{AeadMsg, DiffCase, DiffInput, Tamper};
use cryptobench::audit::diff;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [sel, nonce_len, tag_len, aad_len, rest @ ..] = data else {
        return;
    };
    let id = AeadId::ALL[*sel as usize % AeadId::ALL.len()];
    // Mostly the standard lengths, sometimes any length up to 32.
    let pick = |b: u8, std: usize| if b < 200 { std } else { (b - 200) as usize };
    let (nonce_len, tag_len) = (pick(*nonce_len, id.nonce_len()), pick(*tag_len, id.tag_len()));
    let need = id.key_len() + nonce_len + *aad_len as usize;
    if rest.len() < need {
        return;
    }
    let (key, rest) = rest.split_at(id.key_len());
    let (nonce, rest) = rest.split_at(nonce_len);
    let (aad, msg) = rest.split_at(*aad_len as usize);
    let kind = match (nonce_len == id.nonce_len(), tag_len == id.tag_len()) {
        (false, _) => "nonce-length",
        (true, false) => "tag-length",
        _ => "boundary-size",
    };
    let aead_msg = |pt: &[u8]| AeadMsg {
        key: key.to_vec(),
        nonce: nonce.to_vec(),
        aad: aad.to_vec(),
        pt: pt.to_vec(),
    };
    let seal = DiffInput::Seal {
        msg: aead_msg(msg),
        tag_len,
        offset: msg.len() % 16,
    };
    // Open: the message is taken as ciphertext with its last `tag_len` bytes as the tag.
    let split = msg.len().saturating_sub(tag_len);
    let open = DiffInput::Open {
        msg: aead_msg(&[]),
        tamper: Tamper::TagFirstByte,
        ct: msg[..split].to_vec(),
        tag: msg[split..].to_vec(),
    };
    let backends = cryptobench::backend::Registry::builtin().backends().to_vec();
    let allow = AllowList::builtin();
    for (input, kind) in [(seal, kind), (open, "open-tag-first-byte")] {
        let case = DiffCase {
            algorithm: AlgorithmId::Aead(id),
            index: 0,
            kind,
            input,
        };
        let (_, findings) = diff::check(&backends, &case, 0, &allow);
        if let Some(f) = findings.iter().find(|f| !f.explained()) {
            panic!("{}", diff::describe(f));
        }
    }
});

//! k-of-n opening of standard SM2 ciphertexts: any k holders open, k−1 cannot, a wrong partial is
//! caught by its proof and does not stop an opening that has k good ones.

use crypto::{Partial, PlatformKey, deal, decrypt_sm2, sm2_kdf, sm3_concat};

const CONTEXT: &[u8] = b"lot A-1 / bid 7";

#[test]
fn any_two_of_three_open_a_standard_ciphertext() {
    let (key, shares) = deal(2, 3).unwrap();
    let data_key = *b"sixteen byte key";
    let ciphertext = key.public_key.encrypt(&data_key).unwrap();
    let partials: Vec<Partial> = shares
        .iter()
        .map(|s| s.partial_decrypt(&ciphertext, CONTEXT).unwrap())
        .collect();
    for (a, b) in [(0, 1), (0, 2), (1, 2), (2, 0)] {
        let opened = key
            .combine(
                &ciphertext,
                &[partials[a].clone(), partials[b].clone()],
                CONTEXT,
            )
            .unwrap();
        assert_eq!(opened, data_key, "holders {a} and {b}");
    }
    // One partial alone does not open, nor does the same holder twice.
    assert!(key.combine(&ciphertext, &partials[..1], CONTEXT).is_err());
    assert!(
        key.combine(
            &ciphertext,
            &[partials[0].clone(), partials[0].clone()],
            CONTEXT
        )
        .is_err()
    );
}

#[test]
fn three_of_five_and_every_partial_proves_itself() {
    let (key, shares) = deal(3, 5).unwrap();
    let ciphertext = key.public_key.encrypt(b"bid package key!").unwrap();
    let mut partials: Vec<Partial> = shares
        .iter()
        .map(|s| s.partial_decrypt(&ciphertext, CONTEXT).unwrap())
        .collect();
    for partial in &partials {
        key.verify_partial(&ciphertext, partial, CONTEXT).unwrap();
        // A proof made for another context (another bid) does not transfer.
        assert!(
            key.verify_partial(&ciphertext, partial, b"another bid")
                .is_err()
        );
    }
    // Holder 1 cheats with a wrong point; its proof fails, and four honest holders still open.
    let mut bad = partials[0].clone();
    bad.point = partials[1].point.clone();
    assert!(key.verify_partial(&ciphertext, &bad, CONTEXT).is_err());
    partials[0] = bad;
    assert_eq!(
        key.combine(&ciphertext, &partials, CONTEXT).unwrap(),
        b"bid package key!"
    );
    // With the cheat and only one honest partial more than k−1, nothing opens.
    assert!(key.combine(&ciphertext, &partials[..3], CONTEXT).is_err());
}

#[test]
fn partials_for_one_ciphertext_do_not_open_another() {
    let (key, shares) = deal(2, 3).unwrap();
    let first = key.public_key.encrypt(b"first").unwrap();
    let second = key.public_key.encrypt(b"second").unwrap();
    let partials: Vec<Partial> = shares[..2]
        .iter()
        .map(|s| s.partial_decrypt(&first, CONTEXT).unwrap())
        .collect();
    assert!(key.combine(&second, &partials, CONTEXT).is_err());
}

#[test]
fn the_kdf_is_the_one_of_gb_t_32918_4() {
    // Decrypting with our own KDF and the crate's decryption agree on a fresh ciphertext.
    let owner = PlatformKey::generate();
    let ciphertext = owner.public_key().encrypt(b"kdf check").unwrap();
    assert_eq!(owner.decrypt(&ciphertext).unwrap(), b"kdf check");
    let block = sm2_kdf(b"z", 40);
    assert_eq!(
        &block[..32],
        sm3_concat(&[b"z", &1u32.to_be_bytes()]).as_bytes()
    );
    assert_eq!(
        &block[32..],
        &sm3_concat(&[b"z", &2u32.to_be_bytes()]).as_bytes()[..8]
    );
    // The published GB/T 32918.4 example decrypts (its KDF is the same construction).
    let secret =
        hex::decode("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8").unwrap();
    let c = hex::decode("04".to_owned()
        + "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0"
        + "59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766"
        + "21886CA989CA9C7D58087307CA93092D651EFA").unwrap();
    assert_eq!(decrypt_sm2(&secret, &c).unwrap(), b"encryption standard");
}

#[test]
fn a_dealer_less_ceremony_makes_a_key_nobody_holds() {
    use crypto::{CeremonyHolder, ceremony_public_key, finish_ceremony, verify_ceremony_share};
    let (k, n) = (2usize, 3u32);
    let holders: Vec<CeremonyHolder> = (1..=n)
        .map(|i| CeremonyHolder::new(i, k).unwrap())
        .collect();
    let commitments: Vec<(u32, Vec<Vec<u8>>)> =
        holders.iter().map(|h| (h.index, h.commitments())).collect();
    let mut results = Vec::new();
    for j in 1..=n {
        let received: Vec<(u32, [u8; 32])> =
            holders.iter().map(|h| (h.index, h.share_for(j))).collect();
        results.push(finish_ceremony(j, k, &received, &commitments).unwrap());
    }
    // Everyone, and anyone from the commitments alone, agrees on the public facts.
    let public = ceremony_public_key(k, &commitments).unwrap();
    for (_, shared) in &results {
        assert_eq!(shared, &public);
    }
    let ciphertext = public.public_key.encrypt(b"opened by two").unwrap();
    let partials: Vec<Partial> = [&results[0].0, &results[2].0]
        .iter()
        .map(|share| share.partial_decrypt(&ciphertext, CONTEXT).unwrap())
        .collect();
    assert_eq!(
        public.combine(&ciphertext, &partials, CONTEXT).unwrap(),
        b"opened by two"
    );
    assert!(
        public
            .combine(&ciphertext, &partials[..1], CONTEXT)
            .is_err()
    );

    // A holder that sends a share off its own polynomial is caught by the recipient.
    let honest = holders[0].share_for(2);
    let mut forged = honest;
    forged[31] ^= 1;
    assert!(verify_ceremony_share(&holders[0].commitments(), 2, &honest).is_ok());
    assert!(verify_ceremony_share(&holders[0].commitments(), 2, &forged).is_err());
    let mut received: Vec<(u32, [u8; 32])> =
        holders.iter().map(|h| (h.index, h.share_for(2))).collect();
    received[0].1 = forged;
    assert!(finish_ceremony(2, k, &received, &commitments).is_err());
}

/// A data key encrypted by OpenSSL 3 (`pkeyutl -encrypt` with the opening key) opens the same way:
/// bidders may use any standard SM2 tool. `.ci/run` makes sure `openssl` is installed.
#[test]
fn a_ciphertext_made_by_openssl_opens_with_k_partials() {
    use std::process::Command;
    if Command::new("openssl").arg("version").output().is_err() {
        assert!(std::env::var("CI").is_err(), "openssl is required in CI");
        eprintln!("note: openssl not found; the interoperability check is skipped");
        return;
    }
    let (key, shares) = deal(2, 3).unwrap();
    let dir = std::env::temp_dir().join(format!("ggzy-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("opening.pem"),
        key.public_key.to_spki_pem().unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("data-key.bin"), b"0123456789abcdef").unwrap();
    let output = Command::new("openssl")
        .args(["pkeyutl", "-encrypt", "-pubin", "-inkey"])
        .arg(dir.join("opening.pem"))
        .arg("-in")
        .arg(dir.join("data-key.bin"))
        .arg("-out")
        .arg(dir.join("wrapped.der"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let der = std::fs::read(dir.join("wrapped.der")).unwrap();
    let raw = crypto::sm2_ciphertext_der_to_raw(&der).unwrap();
    let partials: Vec<Partial> = shares[..2]
        .iter()
        .map(|s| s.partial_decrypt(&raw, CONTEXT).unwrap())
        .collect();
    assert_eq!(
        key.combine(&raw, &partials, CONTEXT).unwrap(),
        b"0123456789abcdef"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

//! Published test vectors of GB/T 32905 (SM3), GB/T 32907 (SM4) and GB/T 32918 (SM2).

use crypto::{
    DEFAULT_DIST_ID, PlatformKey, PublicKey, Signature, decrypt_sm2, sm3, sm4_decrypt_block,
    sm4_encrypt_block, z_value,
};

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text.replace(' ', "")).unwrap()
}

#[test]
fn sm3_examples_of_gb_t_32905() {
    let cases = [
        (
            "abc".to_string(),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
        ),
        (
            "abcd".repeat(16),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(sm3(input.as_bytes()).to_hex(), expected, "SM3({input})");
    }
}

#[test]
fn sm4_example_of_gb_t_32907() {
    let key: [u8; 16] = unhex("0123456789abcdeffedcba9876543210")
        .try_into()
        .unwrap();
    let ciphertext = sm4_encrypt_block(&key, &key);
    assert_eq!(hex::encode(ciphertext), "681edf34d206965e86b3e94f536e4246");
    assert_eq!(sm4_decrypt_block(&key, &ciphertext), key);
}

#[test]
fn sm4_million_iterations_of_gb_t_32907() {
    let key: [u8; 16] = unhex("0123456789abcdeffedcba9876543210")
        .try_into()
        .unwrap();
    let mut block = key;
    for _ in 0..1_000_000 {
        block = sm4_encrypt_block(&key, &block);
    }
    assert_eq!(hex::encode(block), "595298c7c6fd271f0402f804c33d3f66");
}

const EXAMPLE_SECRET: &str =
    "3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8";
const EXAMPLE_PUBLIC: &str = "04 09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020 \
     CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13";

#[test]
fn sm2_signature_example_of_gb_t_32918_2() {
    let key = PlatformKey::from_secret_bytes(&unhex(EXAMPLE_SECRET)).unwrap();
    let public = key.public_key();
    assert_eq!(public.to_sec1_bytes(), unhex(EXAMPLE_PUBLIC));
    assert_eq!(
        z_value(DEFAULT_DIST_ID, &public).to_hex(),
        "b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3"
    );
    // The standard's signature was made with its fixed k; any conforming verifier accepts it.
    let signature = Signature::from_hex(
        &"F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3 \
          B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA"
            .replace(' ', ""),
    )
    .unwrap();
    public.verify(b"message digest", &signature).unwrap();
    assert!(public.verify(b"message digest!", &signature).is_err());
}

#[test]
fn sm2_encryption_example_of_gb_t_32918_4() {
    let c1 = "04 04EBFC71 8E8D1798 62043226 8E77FEB6 415E2EDE 0E073C0F 4F640ECD 2E149A73 \
              E858F9D8 1E5430A5 7B36DAAB 8F950A3C 64E6EE6A 63094D99 283AFF76 7E124DF0";
    let c3 = "59983C18 F809E262 923C53AE C295D303 83B54E39 D609D160 AFCB1908 D0BD8766";
    let c2 = "21886CA9 89CA9C7D 58087307 CA93092D 651EFA";
    let ciphertext = unhex(&format!("{c1}{c3}{c2}"));
    let plaintext = decrypt_sm2(&unhex(EXAMPLE_SECRET), &ciphertext).unwrap();
    assert_eq!(plaintext, b"encryption standard");
}

#[test]
fn sm2_sign_verify_round_trip_and_tamper() {
    let key = PlatformKey::generate();
    let public = key.public_key();
    let signature = key.sign(b"tree head");
    public.verify(b"tree head", &signature).unwrap();
    let mut bad = signature;
    bad.0[10] ^= 1;
    assert!(public.verify(b"tree head", &bad).is_err());
    let other = PlatformKey::generate().public_key();
    assert!(other.verify(b"tree head", &signature).is_err());
}

#[test]
fn sm2_encryption_round_trip() {
    let key = PlatformKey::generate();
    let data_key = [7u8; 16];
    let ciphertext = key.public_key().encrypt(&data_key).unwrap();
    assert_eq!(ciphertext[0], 0x04, "raw C1 starts uncompressed");
    assert_eq!(key.decrypt(&ciphertext).unwrap(), data_key);
    let mut tampered = ciphertext.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(key.decrypt(&tampered).is_err());
}

#[test]
fn pem_round_trip_keeps_the_key() {
    let key = PlatformKey::generate();
    let pem = key.to_pkcs8_pem();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    let again = PlatformKey::from_pkcs8_pem(&pem).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    assert!(!format!("{key:?}").contains("PRIVATE"));
    let round = PublicKey::from_hex(&key.public_key().to_hex()).unwrap();
    assert_eq!(round, key.public_key());
}

//! Signed tree heads and entries' leaves.

use crypto::{PlatformKey, sm3};
use ledger::{Entry, TreeHead, Visibility, payload_commitment};
use serde_json::json;

fn head() -> TreeHead {
    TreeHead {
        origin: "ggzy.test".into(),
        size: 7,
        root: sm3(b"root"),
        timestamp_ms: 1_796_088_600_000,
    }
}

#[test]
fn signed_heads_verify_and_detect_changes() {
    let key = PlatformKey::generate();
    let signed = head().sign(&key);
    signed.verify(&key.public_key()).unwrap();
    let mut changed = signed.clone();
    changed.head.size = 8;
    assert!(changed.verify(&key.public_key()).is_err());
    assert!(
        signed
            .verify(&PlatformKey::generate().public_key())
            .is_err()
    );
}

#[test]
fn checkpoint_text_has_the_c2sp_layout() {
    let key = PlatformKey::generate();
    let signed = head().sign(&key);
    let text = signed.to_checkpoint(&key.public_key());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "ggzy.test");
    assert_eq!(lines[1], "7");
    assert_eq!(lines[3], "time 1796088600000");
    assert_eq!(lines[4], "");
    assert!(lines[5].starts_with("\u{2014} ggzy.test "));
}

#[test]
fn the_leaf_commits_to_payload_with_salt() {
    let entry = Entry {
        seq: 0,
        stream: "entity/1".into(),
        kind: "entity.registered".into(),
        visibility: Visibility::Public,
        actor: "system".into(),
        at_ms: 1,
        payload: json!({"name": "杭州市建设集团"}),
        salt: [9; 32],
    };
    let header = entry.header().unwrap();
    assert_eq!(
        header.commit,
        payload_commitment(&[9; 32], &entry.payload).unwrap()
    );
    let mut other_salt = entry.clone();
    other_salt.salt = [8; 32];
    assert_ne!(other_salt.leaf_hash().unwrap(), entry.leaf_hash().unwrap());
    let mut other_payload = entry.clone();
    other_payload.payload = json!({"name": "宁波"});
    assert_ne!(
        other_payload.leaf_hash().unwrap(),
        entry.leaf_hash().unwrap()
    );
}

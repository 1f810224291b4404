//! Store behaviour that must be identical on both backends.

use std::sync::Arc;

use store::testing::fresh_databases;
use store::{AccountRow, EntityRow, EntryRow, HeadRow, SessionRow, Store, TokenRow};

fn entry(seq: i64, stream: &str) -> EntryRow {
    EntryRow {
        seq,
        stream: stream.into(),
        kind: "test.kind".into(),
        visibility: "public".into(),
        actor: "system".into(),
        at_ms: 1_000 + seq,
        payload: format!("{{\"n\":{seq}}}"),
        salt: vec![seq as u8; 32],
        leaf_hash: vec![0xAB; 32],
    }
}

async fn append(store: &Store, stream: &str, count: usize) -> Vec<i64> {
    let mut tx = store.begin().await.unwrap();
    let mut seqs = vec![];
    for _ in 0..count {
        let seq = tx.size() as i64;
        tx.insert_entry(&entry(seq, stream)).await.unwrap();
        seqs.push(seq);
    }
    tx.commit().await.unwrap();
    seqs
}

#[tokio::test]
async fn entries_round_trip_and_stay_in_order() {
    for db in fresh_databases().await {
        let store = db.open().await.unwrap();
        assert_eq!(store.ledger_size().await.unwrap(), 0, "{}", db.name);
        append(&store, "a", 2).await;
        append(&store, "b", 1).await;
        assert_eq!(store.ledger_size().await.unwrap(), 3);
        let all = store.entries(0, 10).await.unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(
            all[1],
            entry(1, "a"),
            "{}: binary and text survive",
            db.name
        );
        let stream_a = store.stream_entries("a").await.unwrap();
        assert_eq!(stream_a.len(), 2);
        assert_eq!(store.entry(2).await.unwrap().unwrap().stream, "b");
        assert!(store.entry(3).await.unwrap().is_none());
        assert_eq!(store.count_entries().await.unwrap(), 3);
    }
}

#[tokio::test]
async fn a_dropped_transaction_leaves_nothing() {
    for db in fresh_databases().await {
        let store = db.open().await.unwrap();
        {
            let mut tx = store.begin().await.unwrap();
            tx.insert_entry(&entry(0, "a")).await.unwrap();
            tx.upsert_account(&AccountRow {
                username: "x".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        }
        assert_eq!(store.ledger_size().await.unwrap(), 0, "{}", db.name);
        assert!(store.entries(0, 10).await.unwrap().is_empty());
        assert!(store.account("x").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_wrong_sequence_number_is_refused() {
    for db in fresh_databases().await {
        let store = db.open().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(
            tx.insert_entry(&entry(5, "a")).await.is_err(),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn concurrent_appends_keep_one_gap_free_order() {
    for db in fresh_databases().await {
        let store = Arc::new(db.open().await.unwrap());
        let mut tasks = vec![];
        for task in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..10 {
                    append(&store, &format!("s{task}"), 2).await;
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let all = store.entries(0, 1000).await.unwrap();
        assert_eq!(all.len(), 160, "{}", db.name);
        for (idx, entry) in all.iter().enumerate() {
            assert_eq!(entry.seq, idx as i64);
        }
        // Each transaction's two entries are adjacent: no interleaving.
        for pair in all.chunks(2) {
            assert_eq!(pair[0].stream, pair[1].stream);
        }
    }
}

#[tokio::test]
async fn nodes_and_heads() {
    for db in fresh_databases().await {
        let store = db.open().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.insert_node(0, 0, &[1; 32]).await.unwrap();
        tx.insert_node(0, 1, &[2; 32]).await.unwrap();
        tx.insert_node(1, 0, &[3; 32]).await.unwrap();
        tx.insert_head(&HeadRow {
            size: 2,
            root: vec![3; 32],
            at_ms: 9,
            signature: vec![7; 64],
        })
        .await
        .unwrap();
        assert_eq!(tx.nodes(&[(0, 1), (1, 0), (2, 0)]).await.unwrap().len(), 2);
        tx.commit().await.unwrap();
        let nodes = store.nodes(&[(0, 0), (1, 0), (5, 5)]).await.unwrap();
        assert_eq!(nodes.len(), 2, "{}", db.name);
        assert_eq!(store.all_nodes().await.unwrap().len(), 3);
        let head = store.latest_head().await.unwrap().unwrap();
        assert_eq!(head.size, 2);
        assert_eq!(store.head_at(2).await.unwrap(), Some(head));
        assert!(store.head_at(1).await.unwrap().is_none());
        // A node is written once: a second write of the same key is refused.
        let mut tx = store.begin().await.unwrap();
        assert!(tx.insert_node(0, 0, &[9; 32]).await.is_err());
    }
}

#[tokio::test]
async fn projections_upsert_and_page() {
    for db in fresh_databases().await {
        let store = db.open().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        for n in 0..5 {
            tx.upsert_entity(&EntityRow {
                id: format!("E{n}"),
                name: format!("单位{n}"),
                status: if n % 2 == 0 { "pending" } else { "active" }.into(),
                registered_at_ms: n,
                ..Default::default()
            })
            .await
            .unwrap();
        }
        tx.upsert_entity(&EntityRow {
            id: "E0".into(),
            name: "单位零".into(),
            status: "active".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.entity("E0").await.unwrap().unwrap().name,
            "单位零",
            "{}",
            db.name
        );
        let pending = store.entities(Some("pending"), None, 0, 10).await.unwrap();
        assert_eq!(pending.total, 2);
        let page = store.entities(None, None, 1, 2).await.unwrap();
        assert_eq!(page.total, 5);
        assert_eq!(
            page.items.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            vec!["E3", "E2"]
        );
        assert_eq!(store.all_entities().await.unwrap().len(), 5);
        let mut tx = store.begin().await.unwrap();
        tx.upsert_entity(&EntityRow {
            id: "X".into(),
            roles: "bidder,expert".into(),
            status: "active".into(),
            ..Default::default()
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.entities(None, None, 0, 10).await.unwrap().total, 6);
        assert_eq!(
            store
                .entities(None, Some("expert"), 0, 10)
                .await
                .unwrap()
                .total,
            5
        );
        assert_eq!(
            store
                .entities(Some("active"), Some("expert"), 0, 10)
                .await
                .unwrap()
                .total,
            3
        );
    }
}

#[tokio::test]
async fn secrets_sessions_tokens_and_blobs() {
    for db in fresh_databases().await {
        let store = db.open().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.put_credential("li", "$argon2id$x", 1).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.password_hash("li").await.unwrap().as_deref(),
            Some("$argon2id$x")
        );
        let session = SessionRow {
            id: "s1".into(),
            username: "li".into(),
            csrf: "c".into(),
            created_at_ms: 1,
            expires_at_ms: 100,
        };
        store.insert_session(&session).await.unwrap();
        assert_eq!(store.session("s1").await.unwrap(), Some(session));
        assert_eq!(
            store.delete_expired_sessions(101).await.unwrap(),
            1,
            "{}",
            db.name
        );
        assert!(store.session("s1").await.unwrap().is_none());
        let token = TokenRow {
            id: "t".into(),
            username: "li".into(),
            name: "ci".into(),
            created_at_ms: 1,
            expires_at_ms: 2,
            revoked: true,
        };
        store.insert_token(&token).await.unwrap();
        assert_eq!(store.token("t").await.unwrap(), Some(token));
        let content = "招标文件".as_bytes();
        let hash = store.put_blob(content, 1).await.unwrap();
        assert_eq!(hash, crypto::sm3(content).to_hex());
        assert_eq!(store.put_blob(content, 2).await.unwrap(), hash);
        assert_eq!(store.blob(&hash).await.unwrap().as_deref(), Some(content));
        assert!(store.blob("00").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn streamed_blobs_round_trip_and_aborted_ones_leave_nothing() {
    for db in store::testing::fresh_databases().await {
        let store = db.open().await.unwrap();
        // 2.5 parts, written in odd-sized pieces.
        let content: Vec<u8> = (0..(store::PART_SIZE * 5 / 2))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let mut upload = store.blob_upload();
        for piece in content.chunks(300_007) {
            upload.write(piece).await.unwrap();
        }
        assert_eq!(upload.size(), content.len() as u64);
        let (hash, size) = upload.finish(1).await.unwrap();
        assert_eq!(hash, crypto::sm3(&content).to_hex(), "{}", db.name);
        assert_eq!(size, content.len() as u64);
        assert_eq!(store.blob(&hash).await.unwrap().unwrap(), content);
        assert_eq!(store.blob_size(&hash).await.unwrap(), Some(size));
        // The same bytes again: same address, still readable.
        let mut again = store.blob_upload();
        again.write(&content).await.unwrap();
        assert_eq!(again.finish(2).await.unwrap().0, hash);
        assert_eq!(store.blob(&hash).await.unwrap().unwrap(), content);
        // An aborted upload leaves no blob.
        let mut aborted = store.blob_upload();
        aborted
            .write(&content[..store::PART_SIZE + 5])
            .await
            .unwrap();
        aborted.abort().await.unwrap();
        let other = crypto::sm3(&content[..store::PART_SIZE + 5]).to_hex();
        assert!(store.blob(&other).await.unwrap().is_none());
    }
}

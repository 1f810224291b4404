//! One province, several nodes: real `ggzy serve` processes for two cities and a county, each with
//! its own store and key, and a `ggzy hub` process following them over HTTP. The hub mirrors what
//! they witness, catches up a node that was stopped, and flags — with the node's own signed heads
//! as evidence — a node whose database was rolled back and a node that serves a forked history.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::login;

/// A node process on a fixed port (so the hub's node list stays true across restarts).
struct Node {
    origin: &'static str,
    region: &'static str,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
    registered: usize,
    /// The witness list the node runs with, once there is one.
    witnesses: Option<PathBuf>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn spawn(args: &[&str]) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ggzy"))
        .env("GGZY_CLOCK_START", crate::TEST_DAY)
        .env("GGZY_LOG", "warn")
        .args(args)
        .arg("--insecure-fast-passwords")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start ggzy");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
            .await
            .expect("ggzy did not start in time")
            .unwrap()
            .expect("ggzy exited before listening");
        if line.starts_with("GGZY listening on ") {
            break;
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    child
}

impl Node {
    fn new(root: &Path, origin: &'static str, region: &'static str) -> Self {
        Self {
            origin,
            region,
            dir: root.join(origin),
            port: free_port(),
            child: None,
            registered: 0,
            witnesses: None,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn start(&mut self) {
        let listen = format!("127.0.0.1:{}", self.port);
        let mut args = vec![
            "serve".to_string(),
            "--data-dir".into(),
            self.dir.to_str().unwrap().into(),
            "--origin".into(),
            self.origin.into(),
            "--listen".into(),
            listen,
            "--registrations-per-hour".into(),
            "0".into(),
        ];
        if let Some(file) = &self.witnesses {
            args.extend([
                "--witnesses".into(),
                file.to_str().unwrap().into(),
                "--witness-grace-ms".into(),
                "1000".into(),
            ]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.child = Some(spawn(&args).await);
    }

    /// Stops the node as a crash would (SIGKILL).
    async fn kill(&mut self) {
        let mut child = self.child.take().expect("the node runs");
        child.start_kill().unwrap();
        child.wait().await.unwrap();
    }

    /// A self-service registration: a public act (and a confidential one) in the node's ledger.
    async fn register(&mut self, client: &reqwest::Client) {
        self.registered += 1;
        let n = self.registered + 1000 * self.port as usize;
        let prefix = format!("91{}MA{:07}", self.region, n % 10_000_000);
        let code = format!("{prefix}{}", domain::Uscc::check_char_for(&prefix).unwrap());
        let response = client
            .post(format!("{}/api/v1/registrations", self.base()))
            .json(&json!({
                "kind": "organisation",
                "code": code,
                "name": format!("联邦测试建设有限公司{n}"),
                "region": self.region,
                "legal_representative": "张三",
                "contact_name": "张三",
                "contact_phone": "0571-1111111",
                "roles": ["bidder"],
                "username": format!("fed{n}"),
                "display_name": "张三",
                "password": "Secret2026x"
            }))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
    }

    async fn head(&self, client: &reqwest::Client) -> Value {
        get(client, &format!("{}/api/v1/ledger/head", self.base())).await
    }

    /// Waits until the node's witness list satisfies `check`.
    async fn wait_witnesses(
        &self,
        client: &reqwest::Client,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        poll_json(
            client,
            &format!("{}/api/v1/ledger/witnesses", self.base()),
            &format!("{} {what}", self.origin),
            check,
        )
        .await
    }

    /// Waits until the node's newest checkpoint is cosigned by the hub, and checks the
    /// cosignature offline with the hub's pinned key.
    async fn cosigned(
        &self,
        client: &reqwest::Client,
        hub_name: &str,
        hub_key: &crypto::PublicKey,
    ) -> String {
        let size = self.head(client).await["size"].as_u64().unwrap();
        self.wait_witnesses(client, &format!("cosigned at {size}"), |w| {
            w["cosigned_size"].as_u64() == Some(size)
        })
        .await;
        let note = client
            .get(format!("{}/api/v1/ledger/checkpoint/cosigned", self.base()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(note.lines().nth(1).unwrap(), size.to_string(), "{note}");
        let witnesses = [(hub_name.to_string(), hub_key.clone())];
        assert_eq!(
            ledger::count_valid_cosignatures(&note, &witnesses),
            1,
            "{note}"
        );
        let other = [(
            hub_name.to_string(),
            crypto::PlatformKey::generate().public_key(),
        )];
        assert_eq!(ledger::count_valid_cosignatures(&note, &other), 0);
        note
    }
}

/// Polls `url` (JSON) every 100 ms until `check` holds, for at most 30 s.
async fn poll_json(
    client: &reqwest::Client,
    url: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        last = get(client, url).await;
        if check(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never {what}: {last}");
}

async fn get(client: &reqwest::Client, url: &str) -> Value {
    let response = client.get(url).send().await.unwrap();
    assert!(response.status().is_success(), "{url}");
    response.json().await.unwrap()
}

/// Copies a stopped node's data directory (its crash image) aside, or back.
fn copy_dir(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

struct Hub {
    base: String,
    client: reqwest::Client,
}

impl Hub {
    async fn node(&self, origin: &str) -> Value {
        get(
            &self.client,
            &format!("{}/api/v1/hub/nodes/{origin}", self.base),
        )
        .await
    }

    /// Waits until `check` holds for the hub's view of `origin`.
    async fn wait_for(&self, origin: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        poll_json(
            &self.client,
            &format!("{}/api/v1/hub/nodes/{origin}", self.base),
            &format!("the hub's view of {origin} {what}"),
            check,
        )
        .await
    }

    /// Waits until the hub has accepted and mirrored exactly the node's current head.
    async fn synced(&self, node: &Node) -> Value {
        let head = node.head(&self.client).await;
        let size = head["size"].as_u64().unwrap();
        let root = head["root"].as_str().unwrap().to_string();
        self.wait_for(node.origin, &format!("synced to {size}"), |d| {
            d["node"]["head"]["size"].as_u64() == Some(size)
                && d["node"]["head"]["root"].as_str() == Some(root.as_str())
                && d["node"]["mirrored_size"].as_u64() == Some(size)
                && d["node"]["error"] == ""
        })
        .await
    }
}

#[tokio::test]
async fn a_hub_follows_its_nodes_and_flags_rollbacks_and_forks() {
    let root = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let mut hz = Node::new(root.path(), "ggzy.hangzhou.example", "330100");
    let mut nb = Node::new(root.path(), "ggzy.ningbo.example", "330200");
    let mut xh = Node::new(root.path(), "ggzy.xihu.example", "330106");
    for node in [&mut hz, &mut nb, &mut xh] {
        node.start().await;
    }
    let mut list = String::new();
    for (node, name) in [
        (&hz, "杭州市公共资源交易中心"),
        (&nb, "宁波市公共资源交易中心"),
        (&xh, "杭州市西湖区公共资源交易中心"),
    ] {
        let key = node.head(&client).await["public_key"]
            .as_str()
            .unwrap()
            .to_string();
        list.push_str(&format!(
            "[[node]]\norigin = \"{}\"\nname = \"{name}\"\nregion = \"{}\"\nurl = \"{}\"\npublic_key = \"{key}\"\n\n",
            node.origin,
            node.region,
            node.base()
        ));
    }
    let nodes_file = root.path().join("nodes.toml");
    std::fs::write(&nodes_file, list).unwrap();
    let hub_port = free_port();
    let hub_dir = root.path().join("hub");
    // The hub's key is made beforehand, so the nodes can pin it as their witness's key.
    let hub_secret = crypto::PlatformKey::generate();
    let hub_key = hub_secret.public_key();
    std::fs::create_dir_all(&hub_dir).unwrap();
    std::fs::write(hub_dir.join("platform-key.pem"), hub_secret.to_pkcs8_pem()).unwrap();
    let witnesses_file = root.path().join("witnesses.toml");
    std::fs::write(
        &witnesses_file,
        format!(
            "[[witness]]\nname = \"ggzy.zj.example\"\nurl = \"http://127.0.0.1:{hub_port}\"\npublic_key = \"{}\"\n",
            hub_key.to_hex()
        ),
    )
    .unwrap();
    let _hub_process = spawn(&[
        "hub",
        "--data-dir",
        hub_dir.to_str().unwrap(),
        "--origin",
        "ggzy.zj.example",
        "--nodes",
        nodes_file.to_str().unwrap(),
        "--follow-interval-ms",
        "100",
        "--listen",
        &format!("127.0.0.1:{hub_port}"),
    ])
    .await;
    let hub = Hub {
        base: format!("http://127.0.0.1:{hub_port}"),
        client: client.clone(),
    };

    // Every node now asks the hub to cosign its checkpoints.
    for node in [&mut hz, &mut nb, &mut xh] {
        node.kill().await;
        node.witnesses = Some(witnesses_file.clone());
        node.start().await;
    }

    // Acts witnessed at each node reach the hub, checked against the node's signed tree, and
    // the hub, as a witness, cosigns each node's newest checkpoint.
    for node in [&mut hz, &mut nb, &mut xh] {
        node.register(&client).await;
        node.register(&client).await;
    }
    for node in [&hz, &nb, &xh] {
        hub.synced(node).await;
        node.cosigned(&client, "ggzy.zj.example", &hub_key).await;
    }
    let listing = get(&client, &format!("{}/api/v1/hub/nodes", hub.base)).await;
    assert_eq!(listing["nodes"].as_array().unwrap().len(), 3);
    // The province's copy of a node's entries, each with the node's own proof: checked here as
    // an outside verifier would, from the header, the path and the head signed with the node's key.
    let nb_key =
        crypto::PublicKey::from_hex(nb.head(&client).await["public_key"].as_str().unwrap())
            .unwrap();
    let mirrored = get(
        &client,
        &format!(
            "{}/api/v1/hub/nodes/{}/entries?from=0&to=1000",
            hub.base, nb.origin
        ),
    )
    .await;
    let entries = mirrored["entries"].as_array().unwrap();
    assert_eq!(
        entries.len() as u64,
        mirrored["mirrored_size"].as_u64().unwrap()
    );
    for entry in entries {
        let seq = entry["seq"].as_u64().unwrap();
        let proof = get(
            &client,
            &format!(
                "{}/api/v1/hub/nodes/{}/entries/{seq}/proof",
                hub.base, nb.origin
            ),
        )
        .await;
        let head = &proof["tree_head"];
        let signed = ledger::SignedTreeHead {
            head: ledger::TreeHead {
                origin: head["origin"].as_str().unwrap().into(),
                size: head["size"].as_u64().unwrap(),
                root: crypto::Sm3Hash::from_hex(head["root"].as_str().unwrap()).unwrap(),
                timestamp_ms: head["timestamp_ms"].as_i64().unwrap(),
            },
            signature: crypto::Signature::from_hex(head["signature"].as_str().unwrap()).unwrap(),
        };
        signed.verify(&nb_key).unwrap();
        let e = &proof["entry"];
        let leaf = ledger::LeafHeader {
            seq,
            stream: e["stream"].as_str().unwrap().into(),
            kind: e["kind"].as_str().unwrap().into(),
            visibility: ledger::Visibility::parse(e["visibility"].as_str().unwrap()).unwrap(),
            actor: e["actor"].as_str().unwrap().into(),
            at_ms: e["at_ms"].as_i64().unwrap(),
            commit: crypto::Sm3Hash::from_hex(e["commit"].as_str().unwrap()).unwrap(),
        }
        .leaf_hash()
        .unwrap();
        let path: Vec<crypto::Sm3Hash> = proof["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| crypto::Sm3Hash::from_hex(h.as_str().unwrap()).unwrap())
            .collect();
        ledger::verify_inclusion(&leaf, seq, signed.head.size, &path, &signed.head.root).unwrap();
        if let (Some(payload), Some(salt)) = (e["payload"].as_object(), e["salt"].as_str()) {
            let salt: [u8; 32] = hex::decode(salt).unwrap().try_into().unwrap();
            let commit =
                ledger::payload_commitment(&salt, &Value::Object(payload.clone())).unwrap();
            assert_eq!(commit.to_hex(), e["commit"].as_str().unwrap());
        }
    }

    // A node stopped is reported unreachable, and caught up once it is back.
    nb.kill().await;
    hub.wait_for(nb.origin, "unreachable", |d| d["node"]["error"] != "")
        .await;
    nb.start().await;
    nb.register(&client).await;
    hub.synced(&nb).await;
    nb.cosigned(&client, "ggzy.zj.example", &hub_key).await;

    // A county node's database restored from an older copy: a rollback, proven by two heads
    // the node signed itself.
    xh.kill().await;
    let old_xh = root.path().join("xihu-copy");
    copy_dir(&xh.dir, &old_xh);
    xh.start().await;
    xh.register(&client).await;
    let accepted = hub.synced(&xh).await;
    let xh_kept = xh.cosigned(&client, "ggzy.zj.example", &hub_key).await;
    let accepted_size = accepted["node"]["head"]["size"].as_u64().unwrap();
    let xh_accepted_size = accepted_size;
    xh.kill().await;
    copy_dir(&old_xh, &xh.dir);
    xh.start().await;
    let flagged = hub
        .wait_for(xh.origin, "flagged", |d| d["node"]["flagged"] == "rollback")
        .await;
    let flag = &flagged["flags"][0];
    assert_eq!(flag["kind"], "rollback");
    let accepted_note = flag["accepted"].as_str().unwrap();
    let offending_note = flag["offending"].as_str().unwrap();
    assert_eq!(
        accepted_note.lines().nth(1).unwrap(),
        accepted_size.to_string()
    );
    assert!(
        offending_note
            .lines()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            < accepted_size,
        "{offending_note}"
    );
    // Acts at the rolled-back node are no longer mirrored, and the witness refuses to cosign
    // them (a conflict with what it cosigned, or a fork at the same size, depending on what the
    // node reached first): the node says so on its pages.
    xh.register(&client).await;
    let refused = xh
        .wait_witnesses(&client, "refused", |w| {
            w["witnesses"][0]["error"]
                .as_str()
                .unwrap_or("")
                .contains("拒绝副署")
                && w["behind"] == true
        })
        .await;
    assert!(
        refused["cosigned_size"].as_u64().unwrap() < xh_accepted_size,
        "{refused}"
    );
    assert_eq!(
        hub.node(xh.origin).await["node"]["head"]["size"].as_u64(),
        Some(accepted_size)
    );
    // Every page says so (within a round of the node's witnessing).
    let mut page = String::new();
    for _ in 0..50 {
        page = client
            .get(format!("{}/", xh.base()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if page.contains("未能及时取得见证方副署") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(page.contains("未能及时取得见证方副署"), "{page}");
    let ledger_page = client
        .get(format!("{}/ledger", xh.base()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ledger_page.contains("id=\"witnesses\""));
    assert!(ledger_page.contains("拒绝或无法连接"), "{ledger_page}");

    // A city node that went back to an older copy and then witnessed other acts serves a longer
    // head that does not extend the one it signed before: a fork.
    hz.kill().await;
    let old_hz = root.path().join("hangzhou-copy");
    copy_dir(&hz.dir, &old_hz);
    hz.start().await;
    hz.register(&client).await;
    let accepted = hub.synced(&hz).await;
    let hz_kept = hz.cosigned(&client, "ggzy.zj.example", &hub_key).await;
    let accepted_size = accepted["node"]["head"]["size"].as_u64().unwrap();
    hz.kill().await;
    copy_dir(&old_hz, &hz.dir);
    // The other history is written out of the hub's sight (on another port), so what the hub
    // sees next is a longer head, never the shorter one in between.
    let port = hz.port;
    hz.port = free_port();
    hz.start().await;
    while hz.head(&client).await["size"].as_u64().unwrap() <= accepted_size {
        hz.register(&client).await;
    }
    hz.kill().await;
    hz.port = port;
    hz.start().await;
    let flagged = hub
        .wait_for(hz.origin, "flagged", |d| d["node"]["flagged"] == "fork")
        .await;
    let flag = &flagged["flags"][0];
    assert_eq!(flag["kind"], "fork");
    assert!(
        flag["offending"]
            .as_str()
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > accepted_size
    );
    // The node's new tree disagrees with what it signed at the accepted size.
    assert_ne!(
        flag["detail"]["consistency"]["first_root"],
        accepted["node"]["head"]["root"]
    );

    // The witness refuses the forked head too: its consistency proof does not verify.
    hz.wait_witnesses(&client, "refused the fork", |w| {
        w["witnesses"][0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("HTTP 422")
    })
    .await;

    // The honest node is untouched by its neighbours' misbehaviour, and the pages say it all.
    nb.register(&client).await;
    hub.synced(&nb).await;
    nb.cosigned(&client, "ggzy.zj.example", &hub_key).await;
    let page = client
        .get(format!("{}/", nb.base()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("未能及时取得见证方副署"));
    let page = client
        .get(format!("{}/nodes", hub.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("已标记：账本回滚"), "{page}");
    assert!(page.contains("已标记：账本分叉"), "{page}");
    assert!(page.contains("宁波市公共资源交易中心"));
    let page = client
        .get(format!("{}/nodes/{}", hub.base, xh.origin))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("此前接受的树头"), "{page}");
    assert!(
        page.contains(&format!("{}\n{xh_accepted_size}\n", xh.origin)),
        "{page}"
    );

    // Offline, with the witness's key pinned: the honest node's store is cosigned; the rolled-back
    // and the forked stores fail against the cosigned checkpoints kept from before.
    let nb_kept = nb.cosigned(&client, "ggzy.zj.example", &hub_key).await;
    let witness = format!("ggzy.zj.example={}", hub_key.to_hex());
    for (node, kept, expect) in [
        (&mut nb, &nb_kept, None),
        // Rolled back, then written on: fewer entries, or as many with another history.
        (&mut xh, &xh_kept, Some("rolled back|rewritten")),
        (&mut hz, &hz_kept, Some("rewritten")),
    ] {
        let key = node.head(&client).await["public_key"]
            .as_str()
            .unwrap()
            .to_string();
        node.kill().await;
        let kept_file = root.path().join(format!("{}.checkpoint", node.origin));
        std::fs::write(&kept_file, kept).unwrap();
        let (ok, text) = crate::run_verify(&[
            "--data-dir",
            node.dir.to_str().unwrap(),
            "--public-key",
            &key,
            "--witness",
            &witness,
            "--checkpoint",
            kept_file.to_str().unwrap(),
        ])
        .await;
        match expect {
            None => assert!(
                ok && text.contains("cosigned by 1 of 1 witnesses"),
                "{text}"
            ),
            Some(why) => assert!(
                !ok && why.split('|').any(|w| text.contains(w)),
                "{} {text}",
                node.origin
            ),
        }
    }
    // A witness key nobody cosigned with is not enough.
    let stranger = format!(
        "ggzy.zj.example={}",
        crypto::PlatformKey::generate().public_key().to_hex()
    );
    let (ok, text) = crate::run_verify(&[
        "--data-dir",
        nb.dir.to_str().unwrap(),
        "--witness",
        &stranger,
    ])
    .await;
    assert!(
        !ok && text.contains("no checkpoint in this store is cosigned"),
        "{text}"
    );
}

/// A demo platform (no history) following `follow`, on `port`.
async fn spawn_demo(dir: &Path, origin: &str, port: u16, follow: &Path) -> Child {
    spawn(&[
        "demo",
        "--history-lots",
        "0",
        "--data-dir",
        dir.to_str().unwrap(),
        "--origin",
        origin,
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--registrations-per-hour",
        "0",
        "--follow",
        follow.to_str().unwrap(),
        "--follow-interval-ms",
        "100",
    ])
    .await
}

/// A call with a bearer token: (status, JSON body).
async fn call(
    client: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Adds a CA root to the trust store in force at `base` (its operator).
async fn trust_root(client: &reqwest::Client, base: &str, operator: &str, root_pem: &str) {
    let current = get(client, &format!("{base}/api/v1/reference/trust")).await;
    let text = format!(
        "{}\n# 省内互认测试 CA\n{root_pem}\n",
        current["text"].as_str().unwrap()
    );
    let (status, body) = call(
        client,
        operator,
        reqwest::Method::POST,
        &format!("{base}/api/v1/reference/trust"),
        Some(json!({"text": text, "reason": "认可省内互认测试 CA"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// Waits until the trust store in force at `base` holds `root_pem`, taken in from the registry it
/// follows (a version published by `relay:…`).
async fn recognised_root(client: &reqwest::Client, base: &str, root_pem: &str) {
    let body: String = root_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let trust = poll_json(
        client,
        &format!("{base}/api/v1/reference/trust"),
        &format!("the province's root recognised at {base}"),
        |t| {
            t["text"]
                .as_str()
                .is_some_and(|text| text.lines().collect::<String>().contains(&body))
        },
    )
    .await;
    assert!(
        trust["text"].as_str().unwrap().contains("全省互认"),
        "{trust}"
    );
}

/// A new CA, its root published at `registry` by its operator, and recognised at every one of
/// `bases` (which follow it, directly or through a hub that does).
async fn recognised_ca(
    client: &reqwest::Client,
    name: &str,
    (registry, operator): (&str, &str),
    bases: &[&str],
) -> crypto::CertificateAuthority {
    let ca = crypto::CertificateAuthority::new_root(
        &crypto::Subject {
            common_name: name.into(),
            organization: name.into(),
            code: String::new(),
        },
        1_700_000_000_000,
        2_000_000_000_000,
    )
    .unwrap();
    trust_root(client, registry, operator, &ca.root().to_pem()).await;
    for base in bases {
        recognised_root(client, base, &ca.root().to_pem()).await;
    }
    ca
}

/// A published open tender with two lots at `base`; their codes.
async fn two_lots(client: &reqwest::Client, base: &str) -> (String, String) {
    let tenderee = login(base, "tenderee", app::DEMO_PASSWORD).await;
    let (status, body) = call(
        client,
        &tenderee,
        reqwest::Method::POST,
        &format!("{base}/api/v1/procedures"),
        Some(json!({
            "project_code": "2026-330200-48-01-512399",
            "title": "宁波市第三中学图书馆工程",
            "category": "construction",
            "method": "open_tender",
            "region": "330200",
            "description": "新建图书馆一座，建筑面积5000平方米。",
            "qualification": "建筑工程施工总承包二级及以上。",
            "lots": [
                {"name": "施工一标段", "budget_fen": 1_800_000_000_i64},
                {"name": "施工二标段", "budget_fen": 1_200_000_000_i64}
            ],
            "deadline": "2026-12-28 09:30",
            "contact": "李老师 0574-87000000",
        })),
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
    let id = body["procedure"]["id"].as_str().unwrap().to_string();
    let response = client
        .put(format!(
            "{base}/api/v1/procedures/{id}/documents?name=%E6%8B%9B%E6%A0%87%E6%96%87%E4%BB%B6.pdf"
        ))
        .bearer_auth(&tenderee)
        .body(b"%PDF-1.7 tender documents".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, body) = call(
        client,
        &tenderee,
        reqwest::Method::POST,
        &format!("{base}/api/v1/procedures/{id}/publish"),
        None,
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
    let lot = |n: usize| {
        body["procedure"]["lots"][n]["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (lot(0), lot(1))
}

/// Polls an entity at `base` until `check` holds.
async fn wait_entity(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let url = format!("{base}/api/v1/entities/{id}");
    let mut last = Value::Null;
    for _ in 0..300 {
        let response = client.get(&url).send().await.unwrap();
        if response.status().is_success() {
            last = response.json().await.unwrap();
            if check(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{id} at {base} never {what}: {last}");
}

#[tokio::test]
async fn an_entity_registered_at_one_node_trades_at_another_until_the_hub_bars_it() {
    let root = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let (hub_port, hz_port, nb_port) = (free_port(), free_port(), free_port());
    let hub_base = format!("http://127.0.0.1:{hub_port}");
    let hz_base = format!("http://127.0.0.1:{hz_port}");
    let nb_base = format!("http://127.0.0.1:{nb_port}");
    // The hub's key is made beforehand, so the nodes can pin it.
    let hub_dir = root.path().join("hub");
    let hub_secret = crypto::PlatformKey::generate();
    std::fs::create_dir_all(&hub_dir).unwrap();
    std::fs::write(hub_dir.join("platform-key.pem"), hub_secret.to_pkcs8_pem()).unwrap();
    let province = root.path().join("province.toml");
    std::fs::write(
        &province,
        format!(
            "[[node]]\norigin = \"ggzy.zj.example\"\nname = \"浙江省公共资源交易服务平台\"\nregion = \"330000\"\nurl = \"{hub_base}\"\npublic_key = \"{}\"\n",
            hub_secret.public_key().to_hex()
        ),
    )
    .unwrap();
    let hz_dir = root.path().join("hz");
    let nb_dir = root.path().join("nb");
    let _hz = spawn_demo(&hz_dir, "ggzy.hangzhou.example", hz_port, &province).await;
    let mut nb = Some(spawn_demo(&nb_dir, "ggzy.ningbo.example", nb_port, &province).await);
    let mut list = String::new();
    for (origin, name, region, base) in [
        (
            "ggzy.hangzhou.example",
            "杭州市公共资源交易中心",
            "330100",
            &hz_base,
        ),
        (
            "ggzy.ningbo.example",
            "宁波市公共资源交易中心",
            "330200",
            &nb_base,
        ),
    ] {
        let key = get(&client, &format!("{base}/api/v1/ledger/head")).await["public_key"]
            .as_str()
            .unwrap()
            .to_string();
        list.push_str(&format!(
            "[[node]]\norigin = \"{origin}\"\nname = \"{name}\"\nregion = \"{region}\"\nurl = \"{base}\"\npublic_key = \"{key}\"\n\n"
        ));
    }
    let nodes_file = root.path().join("nodes.toml");
    std::fs::write(&nodes_file, list).unwrap();
    let hub_args = [
        "hub",
        "--demo",
        "--data-dir",
        hub_dir.to_str().unwrap(),
        "--origin",
        "ggzy.zj.example",
        "--nodes",
        nodes_file.to_str().unwrap(),
        "--follow-interval-ms",
        "100",
        "--listen",
        &format!("127.0.0.1:{hub_port}"),
    ];
    let mut hub = Some(spawn(&hub_args).await);

    // A CA the province recognises (全省互认): published at the hub, recognised at both cities.
    let hz_operator = login(&hz_base, "operator", app::DEMO_PASSWORD).await;
    let hub_operator = login(&hub_base, "operator", app::DEMO_PASSWORD).await;
    let ca = recognised_ca(
        &client,
        "省内互认测试 CA",
        (&hub_base, &hub_operator),
        &[&hz_base, &nb_base],
    )
    .await;

    // A firm registers at Hangzhou, is approved there and binds its certificate.
    let prefix = "91330100MA2H0F871";
    let code = format!("{prefix}{}", domain::Uscc::check_char_for(prefix).unwrap());
    let (firm_key, certificate) = certified_firm(
        &client,
        (&hz_base, &hz_operator),
        &ca,
        (&code, "杭州互认建设有限公司", "330100", "hzfirm"),
        7001,
    )
    .await;

    // Through the hub, Ningbo recognises the firm — active, with its certificate — as an act
    // of its own ledger that names the hub's entry it came from.
    let at_nb = wait_entity(&client, &nb_base, &code, "recognised", |e| {
        e["status"] == "active" && e["certificates"].as_array().is_some_and(|c| c.len() == 1)
    })
    .await;
    assert_eq!(at_nb["name"], "杭州互认建设有限公司");
    // The hub keeps it in its own ledger too.
    wait_entity(&client, &hub_base, &code, "recognised", |e| {
        e["status"] == "active"
    })
    .await;

    // The firm opens its Ningbo account by a claim signed with its certificate: no second
    // registration. A claim signed for another node, or with a certificate not bound to the
    // firm, is refused and opens nothing.
    let claim = |payload: Value, key: &crypto::PlatformKey, cert: &crypto::Certificate| {
        claim_body(payload, key, cert, "Secret2026y")
    };
    let payload = get(
        &client,
        &format!("{nb_base}/api/v1/accounts/claim?username=hzfirm"),
    )
    .await;
    assert_eq!(payload["node"], "ggzy.ningbo.example");
    let mut for_hz = payload.clone();
    for_hz["node"] = json!("ggzy.hangzhou.example");
    let stranger_key = crypto::PlatformKey::generate();
    let stranger = certificate_for(&ca, &code, "杭州互认建设有限公司", &stranger_key, 7002);
    for (bad, why) in [
        (
            claim(for_hz, &firm_key, &certificate),
            "ACCOUNT_CLAIM_INVALID",
        ),
        (
            claim(payload.clone(), &stranger_key, &stranger),
            "CERT_NOT_FOUND",
        ),
        (
            claim(payload.clone(), &stranger_key, &certificate),
            "CERT_BAD_SIGNATURE",
        ),
    ] {
        let response = client
            .post(format!("{nb_base}/api/v1/accounts/claim"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error());
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], why, "{body}");
    }
    let response = client
        .post(format!("{nb_base}/api/v1/session"))
        .json(&json!({"username": "hzfirm", "password": "Secret2026y"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // The firm does it in the browser — the log-in and registration pages lead to it —: the page
    // shows what to sign for the chosen username, and takes the signed JSON as `ggzy sign`
    // prints it.
    for entry in ["/login", "/register"] {
        let page = client
            .get(format!("{nb_base}{entry}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("href=\"/claim\""), "{entry}: {page}");
    }
    let page = client
        .get(format!("{nb_base}/claim?username=hzfirm"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("account.claim")
            && page.contains("ggzy.ningbo.example")
            && page.contains("ggzy sign"),
        "{page}"
    );
    let signed = claim(payload.clone(), &firm_key, &certificate)["signed"].to_string();
    let page = client
        .post(format!("{nb_base}/claim"))
        .form(&[
            ("username", "hzfirm"),
            ("signed", signed.as_str()),
            ("display_name", "赵六"),
            ("password", "Secret2026y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("账号「hzfirm」已开通"), "{page}");
    // The same claim again is refused on the page, in words.
    let again = client
        .post(format!("{nb_base}/claim"))
        .form(&[
            ("username", "hzfirm"),
            ("signed", signed.as_str()),
            ("display_name", "赵六"),
            ("password", "Secret2026y"),
        ])
        .send()
        .await
        .unwrap();
    assert!(again.status().is_client_error());
    assert!(again.text().await.unwrap().contains("USERNAME_TAKEN"));
    // What is not the signed JSON is refused with the claim's own code.
    let garbage = client
        .post(format!("{nb_base}/claim"))
        .form(&[
            ("username", "hzfirm2"),
            ("signed", "签名"),
            ("display_name", "赵六"),
            ("password", "Secret2026y"),
        ])
        .send()
        .await
        .unwrap();
    assert!(garbage.status().is_client_error());
    assert!(
        garbage
            .text()
            .await
            .unwrap()
            .contains("ACCOUNT_CLAIM_INVALID")
    );
    let firm_at_nb = login(&nb_base, "hzfirm", "Secret2026y").await;

    // It registers for a Ningbo lot.
    let (lot1, lot2) = two_lots(&client, &nb_base).await;
    let (status, body) = call(
        &client,
        &firm_at_nb,
        reqwest::Method::POST,
        &format!("{nb_base}/api/v1/lots/{lot1}/registration"),
        None,
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");

    // The hub judges Ningbo's data quality from Ningbo's own entries: every notice is complete,
    // every payload decodes as its kind, and the only invalid values are the demo's notices of
    // projects outside Ningbo's region (the demo's data is the whole province's).
    let detail = poll_json(
        &client,
        &format!("{hub_base}/api/v1/hub/nodes/ggzy.ningbo.example"),
        "Ningbo's notice judged at the hub",
        |d| d["quality"]["completeness"]["judged"].as_u64() >= Some(1),
    )
    .await;
    let quality = &detail["quality"];
    assert_eq!(quality["completeness"]["rate_bp"], 10_000, "{quality}");
    assert!(
        quality["validity"]["judged"].as_u64().unwrap() > 10,
        "{quality}"
    );
    for item in quality["failing"].as_array().unwrap() {
        let problem = item["problem"].as_str().unwrap();
        assert!(
            item["measure"] == "timeliness"
                || (item["kind"] == "announcement.published"
                    && problem.contains("不在本节点所辖地区 330200 内")
                    && !problem.contains("行政区划代码 3302")),
            "{item}"
        );
    }
    let page = client
        .get(format!("{hub_base}/nodes/ggzy.ningbo.example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("数据质量") && page.contains("完整性"),
        "{page}"
    );
    let list = client
        .get(format!("{hub_base}/nodes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("数据质量") && list.contains("/nodes/ggzy.ningbo.example#quality"),
        "{list}"
    );
    // Ningbo's own list shows the hub as the registry it takes shared acts from.
    let list = client
        .get(format!("{nb_base}/nodes"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("共享登记来源") && list.contains("浙江省公共资源交易服务平台"),
        "{list}"
    );
    // The province portal's feeds carry Ningbo's notice, linking to Ningbo's own page; the
    // region feed finds it by Ningbo's region.
    for feed in ["all.atom", "construction.atom", "search.atom?region=330200"] {
        let mut atom = String::new();
        for _ in 0..300 {
            atom = client
                .get(format!("{hub_base}/feeds/{feed}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if atom.contains("宁波市第三中学图书馆工程") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(atom.contains("宁波市第三中学图书馆工程"), "{feed}: {atom}");
        assert!(
            atom.contains(&format!("<link href=\"{nb_base}/announcements/"))
                && atom.contains(&format!(
                    "{hub_base}/api/v1/hub/nodes/ggzy.ningbo.example/entries/"
                )),
            "{feed}: {atom}"
        );
        assert!(
            atom.contains(&format!("{nb_base}/announcements/")),
            "{feed}: {atom}"
        );
    }

    // The province bars it at the hub: within seconds it is barred at both cities, and Ningbo
    // refuses its next act.
    let (status, body) = call(
        &client,
        &hub_operator,
        reqwest::Method::POST,
        &format!("{hub_base}/api/v1/entities/{code}/bar"),
        Some(json!({"until": "2026-11-30", "reason": "串通投标，省行政监督部门处理决定"})),
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
    for base in [&nb_base, &hz_base] {
        let barred = wait_entity(&client, base, &code, "barred", |e| e["status"] == "barred").await;
        assert_eq!(barred["restricted_until"], "2026-11-30");
    }
    let (status, body) = call(
        &client,
        &firm_at_nb,
        reqwest::Method::POST,
        &format!("{nb_base}/api/v1/lots/{lot2}/registration"),
        None,
    )
    .await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert_eq!(body["code"], "ENTITY_NOT_ACTIVE");

    // With the hub down, Ningbo keeps trading; the bar lifted at Hangzhou meanwhile reaches
    // Ningbo once the hub is back and has caught up.
    let mut stopped = hub.take().unwrap();
    stopped.start_kill().unwrap();
    stopped.wait().await.unwrap();
    let bidder = login(&nb_base, "bidder", app::DEMO_PASSWORD).await;
    let (status, body) = call(
        &client,
        &bidder,
        reqwest::Method::POST,
        &format!("{nb_base}/api/v1/lots/{lot2}/registration"),
        None,
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
    let (status, body) = call(
        &client,
        &hz_operator,
        reqwest::Method::POST,
        &format!("{hz_base}/api/v1/entities/{code}/reinstate"),
        Some(json!({"reason": "处理决定已被撤销"})),
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
    hub = Some(spawn(&hub_args).await);
    wait_entity(&client, &nb_base, &code, "reinstated", |e| {
        e["status"] == "active"
    })
    .await;
    let (status, body) = call(
        &client,
        &firm_at_nb,
        reqwest::Method::POST,
        &format!("{nb_base}/api/v1/lots/{lot2}/registration"),
        None,
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");

    // Ningbo's own ledger holds what it took in, each act naming the hub entry it came from,
    // and the store verifies.
    let size = get(&client, &format!("{nb_base}/api/v1/ledger/head")).await["size"]
        .as_u64()
        .unwrap();
    let mut entries = Vec::new();
    for from in (0..size).step_by(1000) {
        let page = get(
            &client,
            &format!(
                "{nb_base}/api/v1/ledger/entries?from={from}&to={}",
                (from + 1000).min(size)
            ),
        )
        .await;
        entries.extend(page["entries"].as_array().unwrap().iter().cloned());
    }
    let relayed: Vec<&Value> = entries
        .iter()
        .filter(|e| e["stream"] == format!("entity/{code}"))
        .collect();
    let kinds: Vec<&str> = relayed
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "entity.shared",
            "entity.certificate_bound",
            "entity.barred",
            "entity.reinstated"
        ]
    );
    assert!(
        relayed.iter().all(|e| e["actor"]
            .as_str()
            .unwrap()
            .starts_with("relay:ggzy.zj.example#")),
        "{relayed:?}"
    );
    let mut stopped = nb.take().unwrap();
    stopped.start_kill().unwrap();
    stopped.wait().await.unwrap();
    let (ok, text) = crate::run_verify(&["--data-dir", nb_dir.to_str().unwrap()]).await;
    assert!(ok, "{text}");
    drop(hub);
}

/// A `[[node]]` list naming one log.
fn node_list(origin: &str, name: &str, region: &str, base: &str, key: &str) -> String {
    format!(
        "[[node]]\norigin = \"{origin}\"\nname = \"{name}\"\nregion = \"{region}\"\nurl = \"{base}\"\npublic_key = \"{key}\"\n\n"
    )
}

/// A hub key made beforehand (so that others can pin it), in `dir`.
fn hub_key(dir: &Path) -> String {
    let secret = crypto::PlatformKey::generate();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("platform-key.pem"), secret.to_pkcs8_pem()).unwrap();
    secret.public_key().to_hex()
}

/// Registers an organisation at `base` (self-service) and has the operator approve it.
async fn approved_firm(
    client: &reqwest::Client,
    base: &str,
    operator: &str,
    code: &str,
    name: &str,
    region: &str,
    username: &str,
) {
    let response = client
        .post(format!("{base}/api/v1/registrations"))
        .json(&json!({
            "kind": "organisation",
            "code": code,
            "name": name,
            "region": region,
            "legal_representative": "钱七",
            "contact_name": "钱七",
            "contact_phone": "025-3333333",
            "roles": ["bidder"],
            "username": username,
            "display_name": "钱七",
            "password": "Secret2026x"
        }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let (status, body) = call(
        client,
        operator,
        reqwest::Method::POST,
        &format!("{base}/api/v1/entities/{code}/approve"),
        None,
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
}

/// A certificate from `ca` for the firm `code` named `name`, for `key`.
fn certificate_for(
    ca: &crypto::CertificateAuthority,
    code: &str,
    name: &str,
    key: &crypto::PlatformKey,
    serial: u64,
) -> crypto::Certificate {
    ca.issue(
        &crypto::Subject {
            common_name: name.into(),
            organization: name.into(),
            code: code.into(),
        },
        &key.public_key(),
        serial,
        1_700_000_000_000,
        2_000_000_000_000,
    )
    .unwrap()
}

/// A firm registered and approved at `base` (by its `operator`), with a certificate from `ca`
/// bound by its own account (password `Secret2026x`): its key and certificate.
async fn certified_firm(
    client: &reqwest::Client,
    (base, operator): (&str, &str),
    ca: &crypto::CertificateAuthority,
    (code, name, region, username): (&str, &str, &str, &str),
    serial: u64,
) -> (crypto::PlatformKey, crypto::Certificate) {
    approved_firm(client, base, operator, code, name, region, username).await;
    let key = crypto::PlatformKey::generate();
    let certificate = certificate_for(ca, code, name, &key, serial);
    let own = login(base, username, "Secret2026x").await;
    let (status, body) = call(
        client,
        &own,
        reqwest::Method::POST,
        &format!("{base}/api/v1/entities/{code}/certificates"),
        Some(json!({"pem": certificate.to_pem()})),
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
    (key, certificate)
}

/// An account claim: `payload` signed with `key`, as `ggzy sign` prints it with `certificate`.
fn claim_body(
    payload: Value,
    key: &crypto::PlatformKey,
    certificate: &crypto::Certificate,
    password: &str,
) -> Value {
    json!({
        "display_name": "钱七",
        "password": password,
        "signed": {
            "payload": payload,
            "signature": key.sign_json(&payload).unwrap().to_hex(),
            "certificate": certificate.to_pem(),
        }
    })
}

#[tokio::test]
async fn a_firm_of_another_delta_province_trades_here_under_its_own_credit() {
    let root = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let ports: Vec<u16> = (0..4).map(|_| free_port()).collect();
    let base = |n: usize| format!("http://127.0.0.1:{}", ports[n]);
    let (js_hub, zj_hub, nanjing, hangzhou) = (base(0), base(1), base(2), base(3));
    let (js_dir, zj_dir) = (root.path().join("js"), root.path().join("zj"));
    let js_key = hub_key(&js_dir);
    let zj_key = hub_key(&zj_dir);
    let js_list = root.path().join("js-hub.toml");
    let zj_list = root.path().join("zj-hub.toml");
    std::fs::write(
        &js_list,
        node_list(
            "ggzy.js.example",
            "江苏省公共资源交易平台",
            "320000",
            &js_hub,
            &js_key,
        ),
    )
    .unwrap();
    std::fs::write(
        &zj_list,
        node_list(
            "ggzy.zj.example",
            "浙江省公共资源交易服务平台",
            "330000",
            &zj_hub,
            &zj_key,
        ),
    )
    .unwrap();
    let nj_dir = root.path().join("nanjing");
    let _nj = spawn_demo(&nj_dir, "ggzy.nanjing.example", ports[2], &js_list).await;
    let _hz = spawn_demo(
        &root.path().join("hangzhou"),
        "ggzy.hangzhou.example",
        ports[3],
        &zj_list,
    )
    .await;
    let key_of = |base: String| {
        let client = client.clone();
        async move {
            get(&client, &format!("{base}/api/v1/ledger/head")).await["public_key"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let js_nodes = root.path().join("js-nodes.toml");
    std::fs::write(
        &js_nodes,
        node_list(
            "ggzy.nanjing.example",
            "南京市公共资源交易中心",
            "320100",
            &nanjing,
            &key_of(nanjing.clone()).await,
        ),
    )
    .unwrap();
    let zj_nodes = root.path().join("zj-nodes.toml");
    std::fs::write(
        &zj_nodes,
        node_list(
            "ggzy.hangzhou.example",
            "杭州市公共资源交易中心",
            "330100",
            &hangzhou,
            &key_of(hangzhou.clone()).await,
        ),
    )
    .unwrap();
    // Each province's hub follows its own nodes and the other province's hub.
    let mut hubs = Vec::new();
    for (dir, origin, nodes, other, port) in [
        (&js_dir, "ggzy.js.example", &js_nodes, &zj_list, ports[0]),
        (&zj_dir, "ggzy.zj.example", &zj_nodes, &js_list, ports[1]),
    ] {
        hubs.push(
            spawn(&[
                "hub",
                "--demo",
                "--data-dir",
                dir.to_str().unwrap(),
                "--origin",
                origin,
                "--nodes",
                nodes.to_str().unwrap(),
                "--follow",
                other.to_str().unwrap(),
                "--follow-interval-ms",
                "100",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .await,
        );
    }

    // A Nanjing firm, with a certificate both provinces recognise.
    // Jiangsu recognises the CA; Zhejiang's hub, following Jiangsu's as a registry, recognises it
    // too, and so does every node of both.
    let nj_operator = login(&nanjing, "operator", app::DEMO_PASSWORD).await;
    let js_operator = login(&js_hub, "operator", app::DEMO_PASSWORD).await;
    let ca = recognised_ca(
        &client,
        "长三角互认测试 CA",
        (&js_hub, &js_operator),
        &[&nanjing, &zj_hub, &hangzhou],
    )
    .await;
    let prefix = "91320100MA1NJ0001";
    let code = format!("{prefix}{}", domain::Uscc::check_char_for(prefix).unwrap());
    let (firm_key, certificate) = certified_firm(
        &client,
        (&nanjing, &nj_operator),
        &ca,
        (&code, "南京长三角建设有限公司", "320100", "njfirm"),
        9001,
    )
    .await;

    // Hangzhou recognises it through both hubs, with where it registered.
    let at_hz = wait_entity(&client, &hangzhou, &code, "recognised", |e| {
        e["status"] == "active" && e["certificates"].as_array().is_some_and(|c| c.len() == 1)
    })
    .await;
    assert_eq!(at_hz["home"], "ggzy.nanjing.example");
    let page = client
        .get(format!("{hangzhou}/entities/{code}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("ggzy.nanjing.example") && page.contains("一处登记、全省通用"),
        "{page}"
    );

    // It opens its Hangzhou account and registers for a lot there.
    let payload = get(
        &client,
        &format!("{hangzhou}/api/v1/accounts/claim?username=njfirm"),
    )
    .await;
    let response = client
        .post(format!("{hangzhou}/api/v1/accounts/claim"))
        .json(&claim_body(payload, &firm_key, &certificate, "Secret2026z"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let firm_at_hz = login(&hangzhou, "njfirm", "Secret2026z").await;
    let (lot1, lot2) = two_lots(&client, &hangzhou).await;
    let (status, body) = call(
        &client,
        &firm_at_hz,
        reqwest::Method::POST,
        &format!("{hangzhou}/api/v1/lots/{lot1}/registration"),
        None,
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");

    // Nanjing lists it as a judgment defaulter (a signed list import): the record reaches
    // Hangzhou with its provenance, and Hangzhou's credit gate refuses the firm's next lot.
    let certs = nj_dir.join("demo-certificates");
    let signer = crypto::PlatformKey::from_pkcs8_pem(
        &std::fs::read_to_string(certs.join("operator-key.pem")).unwrap(),
    )
    .unwrap();
    let signer_cert = std::fs::read_to_string(certs.join("operator-cert.pem")).unwrap();
    let cutoff = get(&client, &format!("{nanjing}/api/v1/ledger/head")).await["timestamp_ms"]
        .as_i64()
        .unwrap()
        - 1_000;
    let csv = format!(
        "{}\n南京长三角建设有限公司,{code},320100,2026-05-01,,未履行生效法律文书确定的义务\n",
        domain::LIST_CSV_HEADER
    );
    let source = "中国执行信息公开网，2026年6月1日下载";
    let signed = app::list_signing_payload("dishonest_debtors", source, cutoff, &csv);
    let (status, body) = call(
        &client,
        &nj_operator,
        reqwest::Method::POST,
        &format!("{nanjing}/api/v1/credit/lists"),
        Some(json!({
            "list": "dishonest_debtors",
            "source": source,
            "cutoff_ms": cutoff,
            "csv": csv,
            "signature": signer.sign_json(&signed).unwrap().to_hex(),
            "certificate_pem": signer_cert,
        })),
    )
    .await;
    assert!(matches!(status, 200 | 201), "{status} {body}");
    let credit = poll_json(
        &client,
        &format!("{hangzhou}/api/v1/credit/subjects/{code}"),
        "the Nanjing record at Hangzhou",
        |c| {
            c["file"]["records"]
                .as_array()
                .is_some_and(|r| !r.is_empty())
        },
    )
    .await;
    let record = &credit["file"]["records"][0];
    assert_eq!(record["fact"], "judgment_defaulter");
    assert_eq!(record["source"]["origin"], "ggzy.nanjing.example");
    assert!(
        record["id"]
            .as_str()
            .unwrap()
            .starts_with("ggzy.nanjing.example:"),
        "{record}"
    );
    let (status, body) = call(
        &client,
        &firm_at_hz,
        reqwest::Method::POST,
        &format!("{hangzhou}/api/v1/lots/{lot2}/registration"),
        None,
    )
    .await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert_eq!(body["code"], "CREDIT_REFUSED", "{body}");
    drop(hubs);
}

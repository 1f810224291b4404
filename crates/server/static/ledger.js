// GGZY witness ledger: checks an entry's commitment, leaf hash and inclusion proof in the
// browser, with SM3 (GB/T 32905) and RFC 9162 hashing, so that nobody has to trust the server's
// word for it. Pure functions first; the page wiring is at the end.
"use strict";

function rotl(x, n) { n %= 32; return ((x << n) | (x >>> (32 - n))) >>> 0; }

function sm3(bytes) {
  const len = bytes.length;
  const padded = new Uint8Array(((len + 9 + 63) >> 6) << 6);
  padded.set(bytes);
  padded[len] = 0x80;
  const bitLen = len * 8;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLen / 0x100000000));
  view.setUint32(padded.length - 4, bitLen >>> 0);
  let v = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];
  const w = new Array(68);
  const w1 = new Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let j = 0; j < 16; j++) w[j] = view.getUint32(off + 4 * j);
    for (let j = 16; j < 68; j++) {
      const x = w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15);
      w[j] = ((x ^ rotl(x, 15) ^ rotl(x, 23)) ^ rotl(w[j - 13], 7) ^ w[j - 6]) >>> 0;
    }
    for (let j = 0; j < 64; j++) w1[j] = (w[j] ^ w[j + 4]) >>> 0;
    let [a, b, c, d, e, f, g, h] = v;
    for (let j = 0; j < 64; j++) {
      const t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
      const ss1 = rotl((rotl(a, 12) + e + rotl(t, j)) >>> 0, 7);
      const ss2 = (ss1 ^ rotl(a, 12)) >>> 0;
      const ff = j < 16 ? (a ^ b ^ c) : ((a & b) | (a & c) | (b & c));
      const gg = j < 16 ? (e ^ f ^ g) : ((e & f) | (~e & g));
      const tt1 = (ff + d + ss2 + w1[j]) >>> 0;
      const tt2 = (gg + h + ss1 + w[j]) >>> 0;
      d = c; c = rotl(b, 9); b = a; a = tt1;
      h = g; g = rotl(f, 19); f = e; e = (tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17)) >>> 0;
    }
    v = [a, b, c, d, e, f, g, h].map((x, i) => (x ^ v[i]) >>> 0);
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  v.forEach((x, i) => outView.setUint32(4 * i, x));
  return out;
}

function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""); }
function unhex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}
function utf8(text) { return new TextEncoder().encode(text); }
function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

// Canonical JSON as documented in docs/canonical-json.md: keys sorted by UTF-8 bytes (the same
// order as code points), no whitespace, integers only.
function canonical(value) {
  if (value === null || typeof value === "boolean" || typeof value === "number") return JSON.stringify(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  const keys = Object.keys(value).sort((x, y) => {
    const a = utf8(x), b = utf8(y);
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  });
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
}

function nodeHash(left, right) { return sm3(concat(Uint8Array.of(1), left, right)); }
function leafHash(leafBytes) { return sm3(concat(Uint8Array.of(0), leafBytes)); }

// RFC 9162 §2.1.3.2.
function verifyInclusion(leaf, index, size, path, root) {
  if (index >= size) return false;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && hex(r) === hex(root);
}

function checkEntry(data) {
  const lines = [];
  let ok = true;
  if (data.payload !== null && data.salt !== null) {
    const commit = hex(sm3(concat(unhex(data.salt), utf8(canonical(data.payload)))));
    const same = commit === data.commit;
    ok = ok && same;
    lines.push((same ? "✔ " : "✘ ") + "内容承诺 SM3(盐值‖内容) " + (same ? "与账本一致" : "与账本不符"));
  } else {
    lines.push("• 内容暂未公开，仅核验承诺值");
  }
  const header = { actor: data.actor, at_ms: data.at_ms, commit: data.commit, kind: data.kind, seq: data.seq, stream: data.stream, visibility: data.visibility };
  const leaf = leafHash(utf8(canonical(header)));
  const leafOk = hex(leaf) === data.leaf_hash;
  ok = ok && leafOk;
  lines.push((leafOk ? "✔ " : "✘ ") + "叶子哈希 " + (leafOk ? "与条目内容一致" : "与条目内容不符"));
  const proofOk = verifyInclusion(leaf, data.seq, data.size, data.path.map(unhex), unhex(data.root));
  ok = ok && proofOk;
  lines.push((proofOk ? "✔ " : "✘ ") + "包含性证明 " + (proofOk ? "通向已签名树头的根哈希" : "不能通向树头根哈希"));
  return { ok, lines };
}

if (typeof module !== "undefined") {
  module.exports = { sm3, hex, utf8, canonical, verifyInclusion, checkEntry };
}

if (typeof document !== "undefined") {
  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("proof-data");
    const target = document.getElementById("verify-result");
    if (!source || !target) return;
    const result = checkEntry(JSON.parse(source.textContent));
    target.innerHTML = "";
    const title = document.createElement("p");
    title.className = "verify-result";
    title.textContent = result.ok ? "浏览器本地核验通过" : "浏览器本地核验未通过";
    target.appendChild(title);
    const list = document.createElement("ul");
    for (const line of result.lines) {
      const item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    }
    target.appendChild(list);
    target.className = "alert " + (result.ok ? "ok" : "bad");
  });
}

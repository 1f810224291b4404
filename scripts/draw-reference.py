#!/usr/bin/env python3
"""Independent reference implementation of the GGZY expert draw (docs/experts.md, "The draw
algorithm, byte by byte"). Python 3 standard library only; it shares no code with the Rust
implementation (`domain::draw_experts` in crates/domain/src/experts/draw.rs, seed derivation in
`app::check_draw` in crates/app/src/experts/draws.rs).

Usage:
  draw-reference.py POOL.json --seed HEX             draw with a given 32-byte seed
  draw-reference.py POOL.json --secret HEX --root HEX [--contribution HEX ...]
                                                      derive seed = SM3(secret || root ||
                                                      contribution...), then draw
  draw-reference.py RECORD.json                       a public record (GET /api/v1/draws/{id}):
                                                      re-checks commitment, seed and result
  draw-reference.py --example                         the worked example of docs/experts.md
  draw-reference.py --self-test                       SM3 and ChaCha20 known-answer tests
Add --trace to print the keystream and every random number drawn.

POOL.json is one of
  {"needs": [["A", 2], ["B", 1]], "backups": 1,
   "pool": [{"pseudonym": "P1", "categories": ["A"]}, ...]}
  {"request": {"needs": ..., "backups": ...}, "pool": [...]}    (a draw.committed payload)
  {"committed": {...}, "revealed": {...}}                        (a public draw record)
Pool entries may also carry the avoidance facts of `domain::PoolExpert` (active, employer,
region, related, recent, leave, booked) and the request the parties (tenderee, agency, bidders,
recent_days, excluded_regions, evaluation_date); a published pool has none of them and every
expert in it is eligible.

The output is the result as JSON, in the shape of `domain::DrawResult`:
  {"panels": [{"category": ..., "experts": [...], "backups": [...]}, ...], "excluded": [...]}
"""

import argparse
import datetime
import hashlib
import json
import struct
import sys

MASK32 = 0xFFFFFFFF
TWO64 = 1 << 64

# ---------------------------------------------------------------------------------------------
# SM3 (GB/T 32905-2016). OpenSSL's when this Python has it, else the pure-Python one below.


def _rotl(x, n):
    n %= 32
    return ((x << n) | (x >> (32 - n))) & MASK32


_SM3_IV = [0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600,
           0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E]


def sm3_pure(data: bytes) -> bytes:
    """SM3 per GB/T 32905-2016, section 5."""
    length = len(data) * 8
    msg = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack(">Q", length)
    v = list(_SM3_IV)
    for off in range(0, len(msg), 64):
        w = list(struct.unpack(">16I", msg[off:off + 64]))
        for j in range(16, 68):
            x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
            p1 = x ^ _rotl(x, 15) ^ _rotl(x, 23)
            w.append(p1 ^ _rotl(w[j - 13], 7) ^ w[j - 6])
        w1 = [w[j] ^ w[j + 4] for j in range(64)]
        a, b, c, d, e, f, g, h = v
        for j in range(64):
            t = 0x79CC4519 if j < 16 else 0x7A879D8A
            ss1 = _rotl((_rotl(a, 12) + e + _rotl(t, j)) & MASK32, 7)
            ss2 = ss1 ^ _rotl(a, 12)
            if j < 16:
                ff = a ^ b ^ c
                gg = e ^ f ^ g
            else:
                ff = (a & b) | (a & c) | (b & c)
                gg = (e & f) | (~e & g)
            tt1 = (ff + d + ss2 + w1[j]) & MASK32
            tt2 = (gg + h + ss1 + w[j]) & MASK32
            d, c, b, a = c, _rotl(b, 9), a, tt1
            h, g, f = g, _rotl(f, 19), e
            e = tt2 ^ _rotl(tt2, 9) ^ _rotl(tt2, 17)
        v = [x ^ y for x, y in zip(v, [a, b, c, d, e, f, g, h])]
    return struct.pack(">8I", *v)


def sm3(data: bytes) -> bytes:
    try:
        return hashlib.new("sm3", data).digest()
    except ValueError:
        return sm3_pure(data)


# ---------------------------------------------------------------------------------------------
# ChaCha20 block function (RFC 8439 section 2.3), with the state layout `rand_chacha` 0.9 uses:
# words 0-3 the constants, 4-11 the key (little-endian words), 12-13 a 64-bit block counter
# (low word first), 14-15 the 64-bit stream id (0). For block counters below 2^32 this is exactly
# RFC 8439 with a 12-byte all-zero nonce.


def _quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & MASK32; s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & MASK32; s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & MASK32; s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & MASK32; s[b] = _rotl(s[b] ^ s[c], 7)


def chacha20_block(key: bytes, counter: int, nonce: bytes) -> bytes:
    """RFC 8439 block function: 32-byte key, 32-bit counter, 12-byte nonce -> 64 bytes."""
    assert len(key) == 32 and len(nonce) == 12 and 0 <= counter <= MASK32
    state = ([0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
             + list(struct.unpack("<8I", key))
             + [counter]
             + list(struct.unpack("<3I", nonce)))
    work = list(state)
    for _ in range(10):  # 20 rounds: 10 x (column round + diagonal round)
        _quarter(work, 0, 4, 8, 12); _quarter(work, 1, 5, 9, 13)
        _quarter(work, 2, 6, 10, 14); _quarter(work, 3, 7, 11, 15)
        _quarter(work, 0, 5, 10, 15); _quarter(work, 1, 6, 11, 12)
        _quarter(work, 2, 7, 8, 13); _quarter(work, 3, 4, 9, 14)
    return struct.pack("<16I", *[(x + y) & MASK32 for x, y in zip(work, state)])


class Keystream:
    """ChaCha20Rng::from_seed(seed) as the draw uses it: only next_u64, i.e. the keystream cut
    into consecutive 8-byte pieces, each read as a little-endian unsigned 64-bit integer."""

    def __init__(self, seed: bytes):
        assert len(seed) == 32
        self.key = seed
        self.block = 0      # the first block has counter 0 (not 1 as in RFC 8439's AEAD)
        self.buffer = b""
        self.used = 0       # bytes consumed so far

    def _bytes(self, n):
        while len(self.buffer) < n:
            counter = self.block & MASK32
            # words 13-15: high half of the 64-bit counter, then the zero stream id
            nonce = struct.pack("<I", self.block >> 32) + b"\x00" * 8
            self.buffer += chacha20_block(self.key, counter, nonce)
            self.block += 1
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        self.used += n
        return out

    def next_u64(self):
        return struct.unpack("<Q", self._bytes(8))[0]


def keystream_prefix(seed: bytes, n: int) -> bytes:
    return Keystream(seed)._bytes(n)


# ---------------------------------------------------------------------------------------------
# The draw (`domain::draw_experts`).


def uniform(rng: Keystream, bound: int, trace):
    """`uniform(rng, bound)`: an integer in 0..=bound by rejection sampling."""
    rng_range = bound + 1
    zone = (TWO64 - 1) - (TWO64 % rng_range)  # accept x <= zone, i.e. x < 2^64 - (2^64 mod range)
    while True:
        offset = rng.used
        x = rng.next_u64()
        accepted = x <= zone
        if trace is not None:
            trace.append({"offset": offset, "x": x, "bound": bound,
                          "accepted": accepted, "j": x % rng_range if accepted else None})
        if accepted:
            return x % rng_range


EXCLUSION_ORDER = ["not_active", "employer", "related", "recent_same_tenderee", "busy",
                   "excluded_region", "on_leave"]


def _date(text):
    return datetime.date.fromisoformat(text)


def exclusion(request, expert):
    """`DrawRequest::exclusion`: the first rule that applies, or None. A published draw has
    none of these facts (avoidance was applied before publication)."""
    parties = set(request.get("bidders", []))
    if "tenderee" in request:  # always present in a DrawRequest ("（已隐去）" once published)
        parties.add(request["tenderee"])
    if request.get("agency") is not None:
        parties.add(request["agency"])
    if not expert.get("active", True):
        return "not_active"
    if expert.get("employer", "") in parties:
        return "employer"
    if any(r in parties for r in expert.get("related", [])):
        return "related"
    recent_days = request.get("recent_days", 0)
    day = _date(request["evaluation_date"]) if "evaluation_date" in request else None
    if recent_days > 0 and any(
            t == request.get("tenderee") and abs((_date(d) - day).days) <= recent_days
            for t, d in expert.get("recent", [])):
        return "recent_same_tenderee"
    if day is not None and any(_date(d) == day for d in expert.get("booked", [])):
        return "busy"
    if expert.get("region", "") in request.get("excluded_regions", []):
        return "excluded_region"
    if day is not None and any(_date(a) <= day <= _date(b) for a, b in expert.get("leave", [])):
        return "on_leave"
    return None


class DrawShort(Exception):
    pass


def utf8_key(text):
    return text.encode("utf-8")


def draw(pool, request, seed: bytes, trace=None):
    rng = Keystream(seed)
    excluded, eligible = [], []
    for expert in pool:
        reason = exclusion(request, expert)
        if reason is None:
            eligible.append(expert)
        else:
            excluded.append((expert["pseudonym"], reason))
    excluded.sort(key=lambda e: (utf8_key(e[0]), EXCLUSION_ORDER.index(e[1])))
    chosen = set()
    panels = []
    backups = request.get("backups", 0)
    for category, count in request["needs"]:
        candidates = sorted(
            {e["pseudonym"] for e in eligible
             if category in e["categories"] and e["pseudonym"] not in chosen},
            key=utf8_key)
        wanted = count + backups
        if len(candidates) < wanted:
            raise DrawShort(f"category {category}: needed {wanted}, available {len(candidates)}")
        if trace is not None:
            trace.append({"category": category, "sorted": list(candidates), "draws": []})
        draws = trace[-1]["draws"] if trace is not None else None
        for i in range(len(candidates) - 1, 0, -1):
            j = uniform(rng, i, draws)
            candidates[i], candidates[j] = candidates[j], candidates[i]
        if trace is not None:
            trace[-1]["shuffled"] = list(candidates)
        panels.append({"category": category,
                       "experts": candidates[:count],
                       "backups": candidates[count:wanted]})
        chosen.update(candidates[:wanted])
    return {"panels": panels, "excluded": [list(e) for e in excluded]}


# ---------------------------------------------------------------------------------------------
# Inputs, the worked example, self-tests.

EXAMPLE = {
    "secret": bytes(range(0x00, 0x20)).hex(),
    "head_root": bytes(range(0x20, 0x40)).hex(),
    "needs": [["A01", 2], ["B02", 1]],
    "backups": 1,
    # Deliberately not in sorted order; P3 and P8 hold both categories.
    "pool": [
        {"pseudonym": "P3", "categories": ["A01", "B02"]},
        {"pseudonym": "P10", "categories": ["A01"]},
        {"pseudonym": "P1", "categories": ["A01"]},
        {"pseudonym": "P7", "categories": ["A01"]},
        {"pseudonym": "P5", "categories": ["A01"]},
        {"pseudonym": "P8", "categories": ["A01", "B02"]},
        {"pseudonym": "P2", "categories": ["A01"]},
        {"pseudonym": "Q2", "categories": ["B02"]},
        {"pseudonym": "Q1", "categories": ["B02"]},
        {"pseudonym": "Q3", "categories": ["B02"]},
    ],
}


def self_test():
    assert sm3_pure(b"abc").hex() == \
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_pure(b"abcd" * 16).hex() == \
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    assert sm3(b"abc") == sm3_pure(b"abc")
    assert sm3(b"") == sm3_pure(b"")
    # RFC 8439 section 2.3.2 test vector.
    block = chacha20_block(bytes(range(32)), 1, bytes.fromhex("000000090000004a00000000"))
    assert block.hex() == (
        "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e")
    # rand_chacha 0.9's own test (ChaChaRng::from_seed([0; 32]), first words 0xade0b876 ...).
    ks = Keystream(bytes(32))
    assert ks.next_u64() == 0x903DF1A0ADE0B876
    assert keystream_prefix(bytes(32), 64)[60:64] == struct.pack("<I", 0x8665EEB2)
    assert keystream_prefix(bytes(32), 128)[64:68] == struct.pack("<I", 0xBEE7079F)
    print("self-test OK (SM3 GB/T 32905 vectors, ChaCha20 RFC 8439 2.3.2, rand_chacha zero seed)")


def load(doc):
    """(pool, request, record-or-None) from one of the accepted JSON shapes."""
    if "committed" in doc:
        return doc["committed"]["pool"], doc["committed"]["request"], doc
    if "request" in doc:
        return doc["pool"], doc["request"], None
    request = {k: v for k, v in doc.items() if k != "pool"}
    return doc["pool"], request, None


def print_trace(seed, trace):
    print("keystream[0..64] =", keystream_prefix(seed, 64).hex())
    for step in trace:
        print(f"category {step['category']}: sorted candidates {step['sorted']}")
        for d in step["draws"]:
            status = f"j = {d['j']}" if d["accepted"] else "REJECTED"
            print(f"  bytes {d['offset']:4}..{d['offset'] + 8:<4} x = {d['x']:20} "
                  f"(0x{d['x']:016x})  i = {d['bound']:3}  x mod {d['bound'] + 1} -> {status}")
        print(f"  after the shuffle: {step['shuffled']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?")
    parser.add_argument("--seed")
    parser.add_argument("--secret")
    parser.add_argument("--root")
    parser.add_argument("--contribution", action="append", default=[],
                        help="a contribution's 32 bytes, hex (repeat in the record's order)")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--example", action="store_true")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return 0
    record = None
    if args.example:
        pool, request = EXAMPLE["pool"], {"needs": EXAMPLE["needs"], "backups": EXAMPLE["backups"]}
        args.secret, args.root, args.trace = EXAMPLE["secret"], EXAMPLE["head_root"], True
    elif args.file:
        with open(args.file, encoding="utf-8") as f:
            pool, request, record = load(json.load(f))
    else:
        parser.error("give a JSON file, --example or --self-test")
    if record is not None and not args.seed:
        args.secret = args.secret or record["revealed"]["secret"]
        args.root = args.root or record["revealed"]["head_root"]
        if not args.contribution:
            args.contribution = [c["value"] for c in record["revealed"].get("contributions", [])]
    if args.seed:
        seed = bytes.fromhex(args.seed)
    elif args.secret and args.root:
        secret, root = bytes.fromhex(args.secret), bytes.fromhex(args.root)
        assert len(root) == 32, "the root is 32 bytes"
        contributions = [bytes.fromhex(c) for c in args.contribution]
        assert all(len(c) == 32 for c in contributions), "a contribution is 32 bytes"
        seed = sm3(secret + root + b"".join(contributions))
        print("secret      =", secret.hex())
        print("SM3(secret) =", sm3(secret).hex(), "(the commitment)")
        print("head_root   =", root.hex())
        for c in contributions:
            print("contribution=", c.hex())
        print("seed        =", seed.hex(),
              "= SM3(secret || root" + " || contribution" * len(contributions) + ")")
    else:
        parser.error("give --seed, or --secret and --root")
    assert len(seed) == 32, "the seed is 32 bytes"
    trace = [] if args.trace else None
    try:
        result = draw(pool, request, seed, trace)
    except DrawShort as short:
        print("draw fails:", short)
        return 1
    if trace is not None:
        print_trace(seed, trace)
    print(json.dumps(result, ensure_ascii=False))
    if record is not None:
        revealed, committed = record["revealed"], record["committed"]
        checks = [
            ("commitment = SM3(secret)",
             sm3(bytes.fromhex(revealed["secret"])).hex() == committed["commitment"]),
            ("seed = SM3(secret || head_root || contributions)",
             sm3(bytes.fromhex(revealed["secret"]) + bytes.fromhex(revealed["head_root"])
                 + b"".join(bytes.fromhex(c["value"])
                            for c in revealed.get("contributions", []))).hex()
             == revealed["seed"]),
            ("result = the published result", result == revealed["result"]),
        ]
        for what, ok in checks:
            print(("OK   " if ok else "FAIL ") + what)
        return 0 if all(ok for _, ok in checks) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

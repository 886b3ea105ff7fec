import { sha256, sha256Init, sha256Update, sha256Final, SHA256_LEN } from "../../../assembly/util/sha256";

// Expected digests: the NIST "Example Algorithm" vectors for SHA-256 (FIPS 180-4 examples,
// csrc.nist.gov/projects/cryptographic-standards-and-guidelines/example-values: SHA256.pdf and
// the SHAVS long-message examples) — "", "abc", the 448-bit and 896-bit messages and one million
// 'a'. The boundary-length digests were produced with Node's crypto.createHash("sha256").

const out = heap.alloc(SHA256_LEN);

function hex(p: usize, n: i32): string {
  let s = "";
  for (let i = 0; i < n; i++) s += (<i32>load<u8>(p + <usize>i)).toString(16).padStart(2, "0");
  return s;
}
function digest(s: string): string { sha256(utf8(s), String.UTF8.byteLength(s), out); return hex(out, SHA256_LEN); }

describe("util/sha256 (FIPS 180-4)", () => {
  it("hashes the empty message", () => {
    expect(digest("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
  it("hashes \"abc\" (one block)", () => {
    expect(digest("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("hashes the 448-bit message (padding needs a second block)", () => {
    expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
      .toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });
  it("hashes the 896-bit message", () => {
    expect(digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"))
      .toBe("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  });
  it("hashes one million 'a' in one call and streamed in uneven pieces", () => {
    const n = 1000000;
    const p = heap.alloc(<usize>n);
    memory.fill(p, 0x61, <usize>n);
    const want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    sha256(p, n, out);
    expect(hex(out, SHA256_LEN)).toBe(want);
    sha256Init();
    let off = 0, step = 1;
    while (off < n) {
      const k = min(step, n - off);
      sha256Update(p + <usize>off, k);
      off += k;
      step = step * 7 % 997 + 1;   // 1..997, so pieces straddle block boundaries every way
    }
    sha256Final(out);
    expect(hex(out, SHA256_LEN)).toBe(want);
    heap.free(p);
  });
  it("pads correctly at every length around the block boundaries", () => {
    expect(digest("x".repeat(55))).toBe("d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
    expect(digest("x".repeat(56))).toBe("04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
    expect(digest("x".repeat(63))).toBe("75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2");
    expect(digest("x".repeat(64))).toBe("7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
    expect(digest("x".repeat(65))).toBe("9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9");
    expect(digest("x".repeat(119))).toBe("000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c");
    expect(digest("x".repeat(120))).toBe("13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98");
    expect(digest("x".repeat(127))).toBe("70156a14adbabf98cff3a71c7084b417abf057a8efd27329ca36b7202c87d81f");
    expect(digest("x".repeat(128))).toBe("24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464");
  });
  it("treats a negative length as empty and starts afresh after each digest", () => {
    sha256(utf8("abc"), -5, out);
    expect(hex(out, SHA256_LEN)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256Init(); sha256Update(utf8("ab"), 2); sha256Update(utf8("c"), 1); sha256Final(out);
    expect(hex(out, SHA256_LEN)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("hashes HelloRetryRequest into the RFC 8446 §4.1.3 special random", () => {
    expect(digest("HelloRetryRequest")).toBe("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
  });
});

import * as bpf from "../../../assembly/filter/bpf";
import { Err } from "../../../assembly/errors";

// Writes instructions (code, jt, jf, k) at the scratch, as the host does.
let n = 0;
function begin(): void { n = 0; }
function ins(code: u32, jt: u32, jf: u32, k: u32): void {
  const q = bpf.BPF_SCRATCH + <usize>(n * 8);
  store<u16>(q, <u16>code); store<u8>(q, <u8>jt, 2); store<u8>(q, <u8>jf, 3); store<u32>(q, k, 4);
  n++;
}
// Validates and runs the program at the scratch over (p, len); returns the verdict.
function exec(p: usize, len: i32, wire: u32 = 0): u32 {
  expect(bpf.validate(bpf.BPF_SCRATCH, n)).toBe(Err.OK);
  return bpf.run(bpf.BPF_SCRATCH, p, <u32>len, wire == 0 ? <u32>len : wire);
}

// Ethernet + IPv4 + TCP SYN 127.0.0.1:57614 → 127.0.0.1:28081 (h1-keepalive-lo.pcap, packet 1).
const SYN = "000000000000 000000000000 0800" +
  "4500003cb24140004006 8a787f0000017f000001 e10e6db10104d8f200000000a002ffd7fe300000020 4ffd70402080a57f4201d0000000001030 30a";
const SYN_LEN = hexLen(SYN);

describe("filter/bpf: loads", () => {
  it("loads words, halves and bytes at absolute offsets, big-endian", () => {
    const p = hexBytes(SYN);
    begin(); ins(0x20, 0, 0, 26); ins(0x16, 0, 0, 0); // ld [26]; ret a
    expect(exec(p, SYN_LEN)).toBe(0x7f000001);
    begin(); ins(0x28, 0, 0, 12); ins(0x16, 0, 0, 0); // ldh [12]
    expect(exec(p, SYN_LEN)).toBe(0x0800);
    begin(); ins(0x30, 0, 0, 23); ins(0x16, 0, 0, 0); // ldb [23]
    expect(exec(p, SYN_LEN)).toBe(6);
  });
  it("loads indirectly, with the IPv4 header length idiom (ldxb 4*([14]&0xf))", () => {
    const p = hexBytes(SYN);
    begin(); ins(0xb1, 0, 0, 14); ins(0x48, 0, 0, 16); ins(0x16, 0, 0, 0); // ldxb msh; ldh [x+16] = dst port
    expect(exec(p, SYN_LEN)).toBe(28081);
    begin(); ins(0xb1, 0, 0, 14); ins(0x50, 0, 0, 27); ins(0x16, 0, 0, 0); // ldb [x+27]: TCP flags
    expect(exec(p, SYN_LEN)).toBe(0x02);
    begin(); ins(0x01, 0, 0, 24); ins(0x40, 0, 0, 2); ins(0x16, 0, 0, 0); // ldx #24; ld [x+2]
    expect(exec(p, SYN_LEN)).toBe(0x7f000001);
  });
  it("loads the wire length, immediates and scratch memory", () => {
    const p = hexBytes(SYN);
    begin(); ins(0x80, 0, 0, 0); ins(0x16, 0, 0, 0);
    expect(exec(p, SYN_LEN, 1500)).toBe(1500);
    begin(); ins(0x81, 0, 0, 0); ins(0x87, 0, 0, 0); ins(0x16, 0, 0, 0); // ldx len; txa
    expect(exec(p, SYN_LEN, 999)).toBe(999);
    begin(); ins(0x00, 0, 0, 77); ins(0x02, 0, 0, 15); ins(0x00, 0, 0, 0); ins(0x61, 0, 0, 15); ins(0x87, 0, 0, 0); ins(0x16, 0, 0, 0);
    expect(exec(p, SYN_LEN)).toBe(77); // ld #77; st M[15]; ld #0; ldx M[15]; txa
    begin(); ins(0x01, 0, 0, 5); ins(0x03, 0, 0, 3); ins(0x60, 0, 0, 3); ins(0x16, 0, 0, 0);
    expect(exec(p, SYN_LEN)).toBe(5); // ldx #5; stx M[3]; ld M[3]
    begin(); ins(0x60, 0, 0, 9); ins(0x16, 0, 0, 0); // a slot never written reads 0
    expect(exec(p, SYN_LEN)).toBe(0);
  });
  it("rejects the packet when a load leaves the captured bytes", () => {
    const p = hexBytes(SYN);
    begin(); ins(0x20, 0, 0, <u32>SYN_LEN - 4); ins(0x06, 0, 0, 1);
    expect(exec(p, SYN_LEN)).toBe(1); // the last whole word is inside
    begin(); ins(0x20, 0, 0, <u32>SYN_LEN - 3); ins(0x06, 0, 0, 1);
    expect(exec(p, SYN_LEN)).toBe(0);
    begin(); ins(0x30, 0, 0, <u32>SYN_LEN); ins(0x06, 0, 0, 1);
    expect(exec(p, SYN_LEN)).toBe(0);
    begin(); ins(0x28, 0, 0, 0xffffffff); ins(0x06, 0, 0, 1); // no wraparound of k + size
    expect(exec(p, SYN_LEN)).toBe(0);
    begin(); ins(0x01, 0, 0, 0xffffffff); ins(0x50, 0, 0, 2); ins(0x06, 0, 0, 1); // X + k does not wrap to 1
    expect(exec(p, SYN_LEN)).toBe(0);
    begin(); ins(0xb1, 0, 0, 1000); ins(0x06, 0, 0, 1);
    expect(exec(p, SYN_LEN)).toBe(0);
    begin(); ins(0x30, 0, 0, 0); ins(0x06, 0, 0, 1);
    expect(exec(p, 0)).toBe(0); // an empty packet
  });
});

describe("filter/bpf: ALU, jumps, returns, misc", () => {
  it("computes every ALU operation with K and X", () => {
    const p = hexBytes("00");
    // [op, a, k, expected]
    const cases: u32[] = [
      0x00, 7, 5, 12, 0x10, 7, 5, 2, 0x20, 7, 5, 35, 0x30, 7, 2, 3, 0x40, 0x70, 0x0f, 0x7f,
      0x50, 0x7f, 0x0f, 0x0f, 0x60, 1, 31, 0x80000000, 0x70, 0x80000000, 31, 1, 0x90, 17, 5, 2, 0xa0, 0xff, 0x0f, 0xf0,
      0x10, 0, 1, 0xffffffff, 0x20, 0x10000, 0x10000, 0,
    ];
    for (let i = 0; i < cases.length; i += 4) {
      begin(); ins(0x00, 0, 0, cases[i + 1]); ins(0x04 | cases[i], 0, 0, cases[i + 2]); ins(0x16, 0, 0, 0);
      expect(exec(p, 1)).toBe(cases[i + 3]);
      begin(); ins(0x01, 0, 0, cases[i + 2]); ins(0x00, 0, 0, cases[i + 1]); ins(0x0c | cases[i], 0, 0, 0); ins(0x16, 0, 0, 0);
      expect(exec(p, 1)).toBe(cases[i + 3]);
    }
    begin(); ins(0x00, 0, 0, 1); ins(0x84, 0, 0, 0); ins(0x16, 0, 0, 0); // neg
    expect(exec(p, 1)).toBe(0xffffffff);
  });
  it("rejects on division or modulo by a zero X, and shifts by X ≥ 32 to zero", () => {
    const p = hexBytes("00");
    begin(); ins(0x00, 0, 0, 9); ins(0x01, 0, 0, 0); ins(0x3c, 0, 0, 0); ins(0x06, 0, 0, 1);
    expect(exec(p, 1)).toBe(0);
    begin(); ins(0x00, 0, 0, 9); ins(0x01, 0, 0, 0); ins(0x9c, 0, 0, 0); ins(0x06, 0, 0, 1);
    expect(exec(p, 1)).toBe(0);
    begin(); ins(0x00, 0, 0, 9); ins(0x01, 0, 0, 32); ins(0x6c, 0, 0, 0); ins(0x16, 0, 0, 0);
    expect(exec(p, 1)).toBe(0);
    begin(); ins(0x00, 0, 0, 9); ins(0x01, 0, 0, 33); ins(0x7c, 0, 0, 0); ins(0x16, 0, 0, 0);
    expect(exec(p, 1)).toBe(0);
  });
  it("takes every conditional jump both ways, and ja", () => {
    const p = hexBytes("00");
    // [code, a, k, taken]
    const cases: u32[] = [0x15, 5, 5, 1, 0x15, 5, 6, 0, 0x25, 6, 5, 1, 0x25, 5, 5, 0, 0x35, 5, 5, 1, 0x35, 4, 5, 0, 0x45, 6, 2, 1, 0x45, 5, 2, 0];
    for (let i = 0; i < cases.length; i += 4) {
      // ld #a; jxx #k jt 1 jf 0; ret #10; ret #20
      begin(); ins(0x00, 0, 0, cases[i + 1]); ins(cases[i], 1, 0, cases[i + 2]); ins(0x06, 0, 0, 10); ins(0x06, 0, 0, 20);
      expect(exec(p, 1)).toBe(cases[i + 3] ? 20 : 10);
      begin(); ins(0x01, 0, 0, cases[i + 2]); ins(0x00, 0, 0, cases[i + 1]); ins(cases[i] | 0x08, 1, 0, 0); ins(0x06, 0, 0, 10); ins(0x06, 0, 0, 20);
      expect(exec(p, 1)).toBe(cases[i + 3] ? 20 : 10);
    }
    begin(); ins(0x05, 0, 0, 1); ins(0x06, 0, 0, 10); ins(0x06, 0, 0, 20);
    expect(exec(p, 1)).toBe(20);
  });
  it("returns k or A, and moves between A and X", () => {
    const p = hexBytes("00");
    begin(); ins(0x06, 0, 0, 262144);
    expect(exec(p, 1)).toBe(262144);
    begin(); ins(0x00, 0, 0, 3); ins(0x07, 0, 0, 0); ins(0x00, 0, 0, 0); ins(0x87, 0, 0, 0); ins(0x16, 0, 0, 0);
    expect(exec(p, 1)).toBe(3); // tax; txa
  });
  it("runs libpcap's program for `ip and tcp dst port 18080` (tcpdump -ddd, Ethernet)", () => {
    begin();
    ins(40, 0, 0, 12); ins(21, 0, 8, 2048); ins(48, 0, 0, 23); ins(21, 0, 6, 6); ins(40, 0, 0, 20);
    ins(69, 4, 0, 8191); ins(177, 0, 0, 14); ins(72, 0, 0, 16); ins(21, 0, 1, 18080); ins(6, 0, 0, 262144); ins(6, 0, 0, 0);
    const p = hexBytes(SYN);
    expect(exec(p, SYN_LEN)).toBe(0); // dst port 28081
    store<u16>(p + 36, bswap<u16>(18080));
    expect(exec(p, SYN_LEN)).toBe(262144);
    expect(exec(p, 37)).toBe(0); // the port is not captured
  });
});

describe("filter/bpf: validation", () => {
  it("rejects empty and over-long programs", () => {
    begin();
    expect(bpf.validate(bpf.BPF_SCRATCH, 0)).toBe(Err.BPF_LENGTH);
    expect(bpf.validate(bpf.BPF_SCRATCH, 4097)).toBe(Err.BPF_LENGTH);
    for (let i = 0; i < 4096; i++) ins(0x06, 0, 0, 1);
    expect(bpf.validate(bpf.BPF_SCRATCH, 4096)).toBe(Err.OK);
  });
  it("rejects unknown opcodes (and ret x, which libpcap never emits)", () => {
    const bad: u32[] = [0x18, 0x38, 0x68, 0x21, 0x09, 0x0e, 0x1e, 0x55, 0x0d, 0xb4, 0x17, 0x8c, 0xffff];
    for (let i = 0; i < bad.length; i++) {
      begin(); ins(0x00, 0, 0, 0); ins(bad[i], 0, 0, 0); ins(0x06, 0, 0, 0);
      expect(bpf.validate(bpf.BPF_SCRATCH, n)).toBe(Err.BPF_OPCODE);
      expect(bpf.badInsn).toBe(1);
    }
  });
  it("rejects jumps past the end, and needs a final return", () => {
    begin(); ins(0x15, 1, 0, 0); ins(0x06, 0, 0, 0);
    expect(bpf.validate(bpf.BPF_SCRATCH, n)).toBe(Err.BPF_JUMP);
    begin(); ins(0x15, 0, 1, 0); ins(0x06, 0, 0, 0);
    expect(bpf.validate(bpf.BPF_SCRATCH, n)).toBe(Err.BPF_JUMP);
    begin(); ins(0x05, 0, 0, 0xffffffff); ins(0x06, 0, 0, 0); // ja cannot wrap around backwards
    expect(bpf.validate(bpf.BPF_SCRATCH, n)).toBe(Err.BPF_JUMP);
    begin(); ins(0x15, 1, 0, 0); ins(0x06, 0, 0, 0); ins(0x06, 0, 0, 1);
    expect(bpf.validate(bpf.BPF_SCRATCH, n)).toBe(Err.OK);
    begin(); ins(0x06, 0, 0, 0); ins(0x00, 0, 0, 0);
    expect(bpf.validate(bpf.BPF_SCRATCH, n)).toBe(Err.BPF_NO_RETURN);
    expect(bpf.badInsn).toBe(1);
  });
  it("rejects memory slots outside 0..15, constant division by zero and constant shifts ≥ 32", () => {
    const bad: u32[] = [0x60, 16, Err.BPF_MEMORY, 0x61, 16, Err.BPF_MEMORY, 0x02, 16, Err.BPF_MEMORY, 0x03, 0xffffffff, Err.BPF_MEMORY,
      0x34, 0, Err.BPF_DIVISION, 0x94, 0, Err.BPF_DIVISION, 0x64, 32, Err.BPF_SHIFT, 0x74, 40, Err.BPF_SHIFT];
    for (let i = 0; i < bad.length; i += 3) {
      begin(); ins(bad[i], 0, 0, bad[i + 1]); ins(0x06, 0, 0, 0);
      expect(bpf.validate(bpf.BPF_SCRATCH, n)).toBe(<i32>bad[i + 2]);
      expect(bpf.badInsn).toBe(0);
    }
  });
});

describe("filter/bpf: the per-link-type table", () => {
  it("keeps one program per link type and rejects link types without one", () => {
    bpf.clear();
    expect(bpf.active()).toBe(false);
    const p = hexBytes("00");
    begin(); ins(0x06, 0, 0, 1);
    expect(bpf.setProgram(1, n)).toBe(Err.OK);
    begin(); ins(0x06, 0, 0, 0);
    expect(bpf.setProgram(113, n)).toBe(Err.OK);
    expect(bpf.active()).toBe(true);
    expect(bpf.accepts(1, p, 1, 1)).toBe(true);
    expect(bpf.accepts(113, p, 1, 1)).toBe(false);
    expect(bpf.accepts(101, p, 1, 1)).toBe(false);
    begin(); ins(0x06, 0, 0, 1);
    expect(bpf.setProgram(113, n)).toBe(Err.OK); // replaces
    expect(bpf.accepts(113, p, 1, 1)).toBe(true);
    for (let lt: u32 = 200; lt < 214; lt++) expect(bpf.setProgram(lt, n)).toBe(Err.OK);
    expect(bpf.setProgram(300, n)).toBe(Err.BPF_TABLE_FULL);
    begin(); ins(0x15, 9, 0, 0); ins(0x06, 0, 0, 1);
    expect(bpf.setProgram(1, n)).toBe(Err.BPF_JUMP); // a rejected program leaves the old one
    expect(bpf.accepts(1, p, 1, 1)).toBe(true);
    bpf.clear();
    expect(bpf.active()).toBe(false);
  });
});

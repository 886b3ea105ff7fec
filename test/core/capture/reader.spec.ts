import * as R from "../../../assembly/capture/reader";
import { Next } from "../../../assembly/capture/reader";
import { Err } from "../../../assembly/errors";

// Packets seen by feed(), flattened: caplen, origlen, sec, nsec, link, iface per packet.
let seen: i64[] = [];

/** Feeds hex bytes in chunks of `chunk` bytes; returns the last next() result. */
function feed(h: string, chunk: i32): Next {
  R.resetReader();
  seen = [];
  const src = hexBytes(h);
  const n = hexLen(h);
  let last = Next.NEED_MORE;
  for (let off = 0; off < n; off += chunk) {
    const k = min(chunk, n - off);
    memory.copy(R.inPtr(), src + <usize>off, <usize>k);
    R.append(k);
    while (true) {
      last = R.next();
      if (last != Next.PACKET) break;
      seen.push(<i64>R.pktCapLen); seen.push(<i64>R.pktOrigLen); seen.push(R.pktSec); seen.push(<i64>R.pktNsec);
      seen.push(<i64>R.pktLink); seen.push(<i64>R.pktIface);
    }
    if (last == Next.ERROR) return last;
    R.compact();
  }
  return last;
}

// Classic pcap, little-endian, microseconds, Ethernet; two records of 4 and 2 bytes.
const PCAP_LE = "d4c3b2a1 0200 0400 00000000 00000000 00000400 01000000" +
  "00f15365 40e20100 04000000 3c000000 deadbeef" +
  "01f15365 01000000 02000000 02000000 cafe";
// The same, big-endian with nanosecond magic.
const PCAP_BE_NS = "a1b23c4d 0002 0004 00000000 00000000 00040000 00000065" +
  "6553f100 075bcd15 00000004 0000003c deadbeef";
// pcapng: SHB (LE), IDB link 1 with if_tsresol 9 and if_name "eth0", EPB iface 0 with 4 bytes.
const SHB_LE = "0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000";
const IDB_NS = "01000000 28000000 0100 0000 00000400 0900 0100 09000000 0200 0400 65746830 0000 0000 28000000";
const EPB = "06000000 24000000 00000000 c6a5b317 cea9025f 04000000 40000000 deadbeef 24000000";

describe("capture/reader classic pcap", () => {
  it("reads little-endian microsecond records, whole or byte by byte", () => {
    for (let chunk = 1; chunk <= 64; chunk *= 4) {
      expect(feed(PCAP_LE, chunk)).toBe(Next.NEED_MORE);
      expect(seen.length).toBe(12);
      expect(seen[0]).toBe(4); expect(seen[1]).toBe(60); expect(seen[2]).toBe(1700000000); expect(seen[3]).toBe(123456000);
      expect(seen[4]).toBe(1);
      expect(seen[6]).toBe(2); expect(seen[8]).toBe(1700000001); expect(seen[9]).toBe(1000);
      expect(R.finishReader()).toBe(Err.OK);
    }
  });
  it("reads big-endian nanosecond records and the link type", () => {
    feed(PCAP_BE_NS, 7);
    expect(seen.length).toBe(6);
    expect(seen[2]).toBe(1700000000); expect(seen[3]).toBe(123456789); expect(seen[4]).toBe(101);
  });
  it("reports a record cut short as truncation at the record's offset", () => {
    const cut = PCAP_LE.replaceAll(" ", "").slice(0, (24 + 20 + 16 + 1) * 2);
    feed(cut, 5);
    expect(seen.length).toBe(6);
    expect(R.finishReader()).toBe(Err.TRUNCATED);
    expect(R.errOffset).toBe(44);
  });
  it("rejects input that is not a capture at offset 0", () => {
    expect(feed("3c68746d6c3e", 3)).toBe(Next.ERROR);
    expect(R.errCode).toBe(Err.NOT_A_CAPTURE);
    expect(R.errOffset).toBe(0);
  });
  it("reports empty input", () => { feed("", 1); expect(R.finishReader()).toBe(Err.EMPTY); });
  it("rejects a record larger than MAX_PACKET", () => {
    expect(feed("d4c3b2a1 0200 0400 00000000 00000000 00000400 01000000 00000000 00000000 01000400 01000400", 8)).toBe(Next.ERROR);
    expect(R.errCode).toBe(Err.PACKET_TOO_LARGE);
    expect(R.errOffset).toBe(24);
  });
  it("reads the Kuznetzov modified-pcap magic with 24-byte record headers", () => {
    feed("34cdb2a1 0200 0400 00000000 00000000 00000400 01000000 00f15365 00000000 02000000 02000000 0000000000000000 abcd", 3);
    expect(seen.length).toBe(6);
    expect(seen[0]).toBe(2);
  });
});

describe("capture/reader pcapng", () => {
  it("reads SHB, IDB with if_tsresol 9 and if_name, EPB", () => {
    for (let chunk = 1; chunk <= 128; chunk *= 2) {
      feed(SHB_LE + IDB_NS + EPB, chunk);
      expect(seen.length).toBe(6);
      // ticks 0x17b3a5c6_5f02a9ce ns = 1706000000.123456462... checked against the arithmetic below
      const ticks: u64 = 0x17b3a5c65f02a9ce;
      expect(seen[2]).toBe(<i64>(ticks / 1000000000));
      expect(seen[3]).toBe(<i64>(ticks % 1000000000));
      expect(seen[0]).toBe(4); expect(seen[1]).toBe(64);
      expect(R.ifNameLength(0)).toBe(4);
      expect(String.UTF8.decodeUnsafe(R.ifNamePtr(0), 4)).toBe("eth0");
      expect(R.finishReader()).toBe(Err.OK);
    }
  });
  it("defaults to microseconds and honours 2^-n resolution and if_tsoffset", () => {
    // IDB without options: 10^-6. EPB ts = 1 000 001 µs → 1 s + 1000 ns.
    const idbUs = "01000000 14000000 0100 0000 00000400 14000000";
    const epbUs = "06000000 20000000 00000000 00000000 41420f00 00000000 00000000 20000000";
    feed(SHB_LE + idbUs + epbUs, 5);
    expect(seen[2]).toBe(1); expect(seen[3]).toBe(1000);
    // if_tsresol 0x8a = 2^-10, if_tsoffset 100 s; ts = 3 * 1024 + 512 → 103.5 s.
    const idb2 = "01000000 2c000000 0100 0000 00000400 0900 0100 8a000000 0e00 0800 6400000000000000 0000 0000 2c000000";
    const epb2 = "06000000 20000000 00000000 00000000 000e0000 00000000 00000000 20000000";
    feed(SHB_LE + idb2 + epb2, 9);
    expect(seen[2]).toBe(103); expect(seen[3]).toBe(500000000);
  });
  it("skips NRB, ISB and unknown blocks, and reads SPB on interface 0", () => {
    const nrb = "04000000 10000000 00000000 10000000";
    const unknown = "99999999 0c000000 0c000000";
    const spb = "03000000 14000000 03000000 aabbcc00 14000000";
    feed(SHB_LE + IDB_NS + nrb + unknown + spb + EPB, 3);
    expect(seen.length).toBe(12);
    expect(seen[0]).toBe(3); expect(seen[1]).toBe(3); expect(seen[2]).toBe(0);
  });
  it("reads a big-endian section after a little-endian one, interface ids restarting", () => {
    const shbBe = "0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffffffffffff 0000001c";
    const idbBe = "00000001 00000014 0071 0000 00000400 00000014";
    const epbBe = "00000006 00000020 00000000 00000000 000f4241 00000000 00000000 00000020";
    feed(SHB_LE + IDB_NS + EPB + shbBe + idbBe + epbBe, 11);
    expect(seen.length).toBe(12);
    expect(seen[10]).toBe(113); expect(seen[11]).toBe(0);
    expect(seen[8]).toBe(1); expect(seen[9]).toBe(1000);
    expect(R.sectionCount).toBe(2);
  });
  it("rejects a block whose trailing length differs", () => {
    expect(feed(SHB_LE + "01000000 14000000 0100 0000 00000400 18000000", 4)).toBe(Next.ERROR);
    expect(R.errCode).toBe(Err.BLOCK_LENGTH_MISMATCH);
    expect(R.errOffset).toBe(28);
  });
  it("rejects a bad block length", () => {
    expect(feed(SHB_LE + "01000000 13000000", 4)).toBe(Next.ERROR);
    expect(R.errCode).toBe(Err.BAD_BLOCK_LENGTH);
  });
  it("rejects a packet on an interface no IDB defined", () => {
    expect(feed(SHB_LE + EPB, 64)).toBe(Next.ERROR);
    expect(R.errCode).toBe(Err.UNKNOWN_INTERFACE);
    expect(R.errOffset).toBe(28);
  });
  it("rejects a section header with a bad byte-order magic", () => {
    expect(feed("0a0d0d0a 1c000000 11223344", 64)).toBe(Next.ERROR);
    expect(R.errCode).toBe(Err.BAD_BYTE_ORDER);
  });
  it("reports a capture that ends inside a block", () => {
    feed(SHB_LE + IDB_NS + EPB.slice(0, 30), 6);
    expect(R.finishReader()).toBe(Err.TRUNCATED);
    expect(R.errOffset).toBe(68);
  });
});

// tracecap's source block (src/merge.ts): type 0x80000F11, magic "tcap", file 1, name "b.pcap".
const SOURCE_B = "110f0080 1c000000 74636170 01000000 622e7063 61700000 1c000000";
// The same type from another writer (magic "xxxx"): skipped.
const FOREIGN = "110f0080 1c000000 78787878 01000000 622e7063 61700000 1c000000";

describe("capture/reader source blocks", () => {
  it("names the file of the packets after it, whole or byte by byte", () => {
    for (let chunk = 1; chunk <= 64; chunk *= 8) {
      const gen = R.srcGen;
      expect(feed(SHB_LE + IDB_NS + SOURCE_B + EPB, chunk)).toBe(Next.NEED_MORE);
      expect(seen.length).toBe(6);
      expect(R.srcFile).toBe(1);
      expect(R.srcNameLen).toBe(6);
      expect(String.UTF8.decodeUnsafe(R.SRC_NAME, 6)).toBe("b.pcap");
      expect(R.srcGen).not.toBe(gen);
    }
  });
  it("is absent from any other capture, and a foreign block of its type is skipped", () => {
    feed(SHB_LE + IDB_NS + EPB, 64);
    expect(R.srcFile).toBe(-1);
    feed(SHB_LE + IDB_NS + FOREIGN + EPB, 64);
    expect(seen.length).toBe(6);
    expect(R.srcFile).toBe(-1);
  });
  it("ends with its section", () => {
    feed(SHB_LE + IDB_NS + SOURCE_B + EPB + SHB_LE, 64);
    expect(R.srcFile).toBe(-1);
  });
});

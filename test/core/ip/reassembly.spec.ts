import {
  fragAdd, fragDatagram, fragDatagramLen, fragProto, fragIndex, fragGen, fragCountHeld, fragOverlap,
  fragInFlight, fragTombstones, fragBytesHeld, fragCount, fragExpire, fragReset, fragLimit, FragResult, FragCount,
} from "../../../assembly/ip/reassembly";
import { FRAG_DATAGRAMS, FRAG_BYTES_TOTAL, FRAG_CHUNK_BYTES, FRAG_HOLES, FRAG_TIMEOUT_NS } from "../../../assembly/config";

const SEC: i64 = 1_000_000_000;
const T0: i64 = 1_700_000_000 * SEC;
const A4 = hexBytes("0a000001"), B4 = hexBytes("0a000002"), C4 = hexBytes("0a000003");
const A6 = hexBytes("20010db8000000000000000000000001"), B6 = hexBytes("20010db8000000000000000000000002");
const C6 = hexBytes("20010db8000000000000000000000003");

// n bytes, each depending on its position and the seed, so a byte in the wrong place shows.
function bytes(n: i32, seed: u32): usize {
  const p = heap.alloc(n > 0 ? <usize>n : 1);
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>((<u32>i * 31 + (<u32>i >> 8) * 7 + seed * 101) & 0xff));
  return p;
}

// The fragment [off, off + len) of datagram payload p (p is the whole payload; the fragment's
// bytes are at p + off), IPv4 from src to B4.
function v4(id: u32, p: usize, off: i32, len: i32, more: bool, t: i64 = T0, scope: u32 = 0, src: usize = A4, proto: u32 = 17): FragResult {
  return fragAdd(scope, false, src, B4, id, proto, <u32>off, more, p + <usize>off, len, t);
}

// The same for IPv6 from src to B6; nh is the Fragment header's next header.
function v6(id: u32, p: usize, off: i32, len: i32, more: bool, t: i64 = T0, scope: u32 = 0, src: usize = A6, nh: u32 = 17): FragResult {
  return fragAdd(scope, true, src, B6, id, nh, <u32>off, more, p + <usize>off, len, t);
}

// Whether the reassembled datagram is the n bytes at p.
function got(p: usize, n: i32): bool { return fragDatagramLen() == n && memory.compare(fragDatagram(), p, <usize>n) == 0; }

describe("ip/reassembly", () => {
  it("reassembles IPv4 fragments in order, then holds nothing", () => {
    fragLimit(0, 0, 0);
    const p = bytes(3000, 1);
    expect(v4(7, p, 0, 1480, true)).toBe(FragResult.PENDING);
    expect(fragInFlight()).toBe(1);
    expect(fragBytesHeld()).toBe(FRAG_CHUNK_BYTES);
    const idx = fragIndex(), gen = fragGen();
    expect(idx).toBeGreaterThanOrEqual(0);
    expect(v4(7, p, 1480, 1480, true)).toBe(FragResult.PENDING);
    expect(fragIndex()).toBe(idx); expect(fragGen()).toBe(gen); expect(fragCountHeld()).toBe(2);
    expect(v4(7, p, 2960, 40, false)).toBe(FragResult.COMPLETE);
    expect(got(p, 3000)).toBe(true);
    expect(fragProto()).toBe(17);
    expect(fragIndex()).toBe(idx); expect(fragGen()).toBe(gen); expect(fragCountHeld()).toBe(3);
    expect(fragInFlight()).toBe(0); expect(fragBytesHeld()).toBe(0);
    expect(fragCount(FragCount.COMPLETED)).toBe(1);
  });

  it("reassembles out of order (IPv4 and IPv6, across chunk boundaries)", () => {
    fragReset();
    const p = bytes(3000, 2);
    expect(v4(8, p, 1480, 1480, true)).toBe(FragResult.PENDING);
    expect(v4(8, p, 2960, 40, false)).toBe(FragResult.PENDING);
    expect(v4(8, p, 0, 1480, true)).toBe(FragResult.COMPLETE);
    expect(got(p, 3000)).toBe(true);
    // 1232 bytes: the most a 1280-byte IPv6 minimum MTU carries after the headers, a multiple of 8.
    const q = bytes(5000, 3);
    expect(v6(0x12345678, q, 3696, 1232, true)).toBe(FragResult.PENDING);
    expect(v6(0x12345678, q, 0, 1232, true)).toBe(FragResult.PENDING);
    expect(v6(0x12345678, q, 4928, 72, false)).toBe(FragResult.PENDING);
    expect(v6(0x12345678, q, 2464, 1232, true)).toBe(FragResult.PENDING);
    expect(fragCountHeld()).toBe(4);
    expect(v6(0x12345678, q, 1232, 1232, true)).toBe(FragResult.COMPLETE);
    expect(got(q, 5000)).toBe(true);
    expect(fragProto()).toBe(17);
    expect(fragCount(FragCount.COMPLETED)).toBe(2);
    expect(fragBytesHeld()).toBe(0);
  });

  it("reassembles in reverse order, last fragment first", () => {
    fragReset();
    const q = bytes(4000, 4);
    expect(v6(1, q, 3696, 304, false)).toBe(FragResult.PENDING);
    expect(v6(1, q, 2464, 1232, true)).toBe(FragResult.PENDING);
    expect(v6(1, q, 1232, 1232, true)).toBe(FragResult.PENDING);
    expect(v6(1, q, 0, 1232, true)).toBe(FragResult.COMPLETE);
    expect(got(q, 4000)).toBe(true);
    const p = bytes(2000, 5);
    expect(v4(1, p, 1600, 400, false)).toBe(FragResult.PENDING);
    expect(v4(1, p, 800, 800, true)).toBe(FragResult.PENDING);
    expect(v4(1, p, 0, 800, true)).toBe(FragResult.COMPLETE);
    expect(got(p, 2000)).toBe(true);
  });

  it("reassembles the largest datagram, 65535 bytes", () => {
    fragReset();
    const p = bytes(65535, 6);
    let r = FragResult.BAD;
    for (let off = 0; off < 65535; off += 1480) {
      const len = 65535 - off < 1480 ? 65535 - off : 1480;
      r = v4(2, p, off, len, off + len < 65535);
      if (off + len < 65535) expect(r).toBe(FragResult.PENDING);
    }
    expect(r).toBe(FragResult.COMPLETE);
    expect(got(p, 65535)).toBe(true);
    expect(fragCountHeld()).toBe(45);
  });

  it("holds a lone first or last fragment until its timeout, in capture time", () => {
    fragReset();
    const p = bytes(64, 7);
    expect(v4(3, p, 0, 32, true)).toBe(FragResult.PENDING);
    expect(v6(3, p, 32, 32, false, T0 + SEC)).toBe(FragResult.PENDING);
    expect(fragInFlight()).toBe(2);
    expect(fragExpire(T0 + FRAG_TIMEOUT_NS - 1)).toBe(0);
    expect(fragExpire(T0 + FRAG_TIMEOUT_NS)).toBe(1);
    expect(fragExpire(T0 + SEC + FRAG_TIMEOUT_NS)).toBe(1);
    expect(fragInFlight()).toBe(0); expect(fragBytesHeld()).toBe(0);
    expect(fragCount(FragCount.TIMED_OUT)).toBe(2);
  });

  it("completes just before the timeout; a fragment at the timeout starts a new datagram", () => {
    fragReset();
    const p = bytes(32, 8);
    expect(v4(4, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v4(4, p, 16, 16, false, T0 + FRAG_TIMEOUT_NS - 1)).toBe(FragResult.COMPLETE);
    expect(v4(5, p, 0, 16, true)).toBe(FragResult.PENDING);
    const gen = fragGen();
    expect(v4(5, p, 16, 16, false, T0 + FRAG_TIMEOUT_NS)).toBe(FragResult.PENDING);
    expect(fragGen()).not.toBe(gen);
    expect(fragCountHeld()).toBe(1);
    expect(fragCount(FragCount.TIMED_OUT)).toBe(1);
    // Capture time stepping back does not age a datagram.
    expect(v4(5, p, 0, 16, true, T0 + 10 * SEC)).toBe(FragResult.COMPLETE);
    expect(got(p, 32)).toBe(true);
  });

  it("ignores exact duplicates, IPv4 and IPv6 (RFC 8200 §4.5), even one spanning two fragments", () => {
    fragReset();
    const p = bytes(48, 9);
    expect(v4(6, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v4(6, p, 0, 16, true)).toBe(FragResult.DUPLICATE);
    expect(fragCountHeld()).toBe(1);
    expect(v4(6, p, 16, 16, true)).toBe(FragResult.PENDING);
    expect(v4(6, p, 8, 16, true)).toBe(FragResult.DUPLICATE);
    expect(v4(6, p, 32, 16, false)).toBe(FragResult.COMPLETE);
    expect(got(p, 48)).toBe(true);
    expect(v6(6, p, 16, 16, true)).toBe(FragResult.PENDING);
    expect(v6(6, p, 16, 16, true)).toBe(FragResult.DUPLICATE);
    expect(v6(6, p, 32, 16, false)).toBe(FragResult.PENDING);
    expect(v6(6, p, 24, 16, true)).toBe(FragResult.DUPLICATE);
    expect(v6(6, p, 0, 16, true)).toBe(FragResult.COMPLETE);
    expect(got(p, 48)).toBe(true);
    expect(fragCount(FragCount.DUPLICATE)).toBe(4);
    expect(fragCount(FragCount.OVERLAP)).toBe(0);
  });

  it("IPv4 overlap: the bytes received first win, the new fragment's other bytes are kept", () => {
    fragReset();
    const x = bytes(32, 10), y = bytes(32, 11);
    expect(v4(9, x, 0, 16, true)).toBe(FragResult.PENDING);
    // [8, 24) of other bytes: [8, 16) is ignored, [16, 24) kept.
    expect(v4(9, y, 8, 16, true)).toBe(FragResult.OVERLAP_KEPT);
    expect(fragOverlap()).toBe(2);
    expect(fragCountHeld()).toBe(2);
    // Wholly inside what is held, with other bytes: nothing changes.
    expect(v4(9, y, 0, 8, true)).toBe(FragResult.OVERLAP_KEPT);
    expect(fragCountHeld()).toBe(2);
    expect(v4(9, x, 24, 8, false)).toBe(FragResult.COMPLETE);
    expect(fragOverlap()).toBe(0);
    const d = fragDatagram();
    expect(fragDatagramLen()).toBe(32);
    expect(memory.compare(d, x, 16)).toBe(0);
    expect(memory.compare(d + 16, y + 16, 8)).toBe(0);
    expect(memory.compare(d + 24, x + 24, 8)).toBe(0);
    // Overlapping with the same bytes is said apart from other bytes.
    expect(v4(10, x, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v4(10, x, 8, 16, true)).toBe(FragResult.OVERLAP_KEPT);
    expect(fragOverlap()).toBe(1);
    // An overlapping fragment that completes the datagram says COMPLETE, and fragOverlap() says it overlapped.
    expect(v4(10, y, 16, 16, false)).toBe(FragResult.COMPLETE);
    expect(fragOverlap()).toBe(2);
    expect(memory.compare(fragDatagram(), x, 24)).toBe(0);
    expect(memory.compare(fragDatagram() + 24, y + 24, 8)).toBe(0);
    expect(fragCount(FragCount.OVERLAP_KEPT)).toBe(4);
    // A fragment contradicting the end the last fragment set is ignored (first wins).
    expect(v4(11, x, 16, 8, false)).toBe(FragResult.PENDING);
    expect(v4(11, x, 24, 8, true)).toBe(FragResult.BAD);
    expect(v4(11, x, 8, 24, false)).toBe(FragResult.BAD);
    expect(v4(11, x, 0, 16, true)).toBe(FragResult.COMPLETE);
    expect(got(x, 24)).toBe(true);
  });

  it("IPv6 overlap discards the whole datagram and its later fragments until the timeout (RFC 5722)", () => {
    fragReset();
    const x = bytes(32, 12);
    expect(v6(20, x, 0, 16, true)).toBe(FragResult.PENDING);
    const idx = fragIndex(), gen = fragGen();
    expect(v6(20, x, 8, 16, true)).toBe(FragResult.OVERLAP);   // same bytes, other boundaries: still an overlap
    expect(fragInFlight()).toBe(0); expect(fragTombstones()).toBe(1); expect(fragBytesHeld()).toBe(0);
    expect(v6(20, x, 16, 16, false, T0 + SEC)).toBe(FragResult.DISCARDED);
    expect(fragIndex()).toBe(idx); expect(fragGen()).toBe(gen);
    expect(v6(20, x, 0, 16, true, T0 + 2 * SEC)).toBe(FragResult.DISCARDED);
    expect(fragCount(FragCount.OVERLAP)).toBe(1); expect(fragCount(FragCount.DISCARDED)).toBe(2);
    // At the timeout the tombstone goes; the key starts anew.
    expect(v6(20, x, 0, 16, true, T0 + FRAG_TIMEOUT_NS)).toBe(FragResult.PENDING);
    expect(fragTombstones()).toBe(0);
    expect(fragGen()).not.toBe(gen);
    expect(v6(20, x, 16, 16, false, T0 + FRAG_TIMEOUT_NS)).toBe(FragResult.COMPLETE);
    expect(got(x, 32)).toBe(true);
    expect(fragCount(FragCount.TIMED_OUT)).toBe(0);
    // Bytes held already but different: an overlap, not a duplicate.
    const y = bytes(32, 13);
    expect(v6(21, x, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v6(21, y, 0, 16, true)).toBe(FragResult.OVERLAP);
    // A second last fragment with another end contradicts the first: discarded too.
    expect(v6(22, x, 16, 16, false)).toBe(FragResult.PENDING);
    expect(v6(22, x, 16, 8, false)).toBe(FragResult.OVERLAP);
    expect(fragCount(FragCount.OVERLAP)).toBe(3);
    expect(fragTombstones()).toBe(2);
  });

  it("an atomic fragment is a datagram alone (RFC 6946 §4): a datagram in progress under its key is untouched", () => {
    fragReset();
    const p = bytes(32, 14), a = bytes(24, 15);
    expect(v6(30, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v6(30, a, 0, 24, false, T0, 0, A6, 58)).toBe(FragResult.COMPLETE);
    expect(got(a, 24)).toBe(true);
    expect(fragProto()).toBe(58); expect(fragIndex()).toBe(-1);
    expect(fragInFlight()).toBe(1);
    expect(v6(30, p, 16, 16, false)).toBe(FragResult.COMPLETE);
    expect(got(p, 32)).toBe(true);
    expect(fragCount(FragCount.ATOMIC)).toBe(1); expect(fragCount(FragCount.COMPLETED)).toBe(1);
  });

  it("keeps datagrams apart by scope, source, version and IPv4 protocol; not by IPv6 next header (RFC 8200 §4.5)", () => {
    fragReset();
    const p = bytes(32, 16), q = bytes(32, 17), r = bytes(32, 18), s = bytes(32, 19), u = bytes(32, 20);
    expect(v4(40, p, 0, 16, true, T0, 1)).toBe(FragResult.PENDING);
    expect(v4(40, q, 0, 16, true, T0, 2)).toBe(FragResult.PENDING);
    expect(v4(40, r, 0, 16, true, T0, 1, C4)).toBe(FragResult.PENDING);
    expect(v4(40, s, 0, 16, true, T0, 1, A4, 6)).toBe(FragResult.PENDING);
    expect(v6(40, u, 0, 16, true, T0, 1)).toBe(FragResult.PENDING);
    expect(fragInFlight()).toBe(5);
    expect(v4(40, q, 16, 16, false, T0, 2)).toBe(FragResult.COMPLETE); expect(got(q, 32)).toBe(true);
    expect(v4(40, s, 16, 16, false, T0, 1, A4, 6)).toBe(FragResult.COMPLETE); expect(got(s, 32)).toBe(true);
    expect(fragProto()).toBe(6);
    expect(v4(40, p, 16, 16, false, T0, 1)).toBe(FragResult.COMPLETE); expect(got(p, 32)).toBe(true);
    expect(v4(40, r, 16, 16, false, T0, 1, C4)).toBe(FragResult.COMPLETE); expect(got(r, 32)).toBe(true);
    // The later fragment's next header differs: the offset-zero fragment's is the datagram's.
    expect(v6(40, u, 16, 16, false, T0, 1, A6, 6)).toBe(FragResult.COMPLETE); expect(got(u, 32)).toBe(true);
    expect(fragProto()).toBe(17);
    // Another IPv6 source with the same id stays apart.
    expect(v6(41, p, 0, 16, true, T0, 0, A6)).toBe(FragResult.PENDING);
    expect(v6(41, q, 16, 16, false, T0, 0, C6)).toBe(FragResult.PENDING);
    expect(fragInFlight()).toBe(2);
  });

  it("rejects fragments invalid alone (RFC 791 §3.2, RFC 8200 §4.5) without touching their datagram", () => {
    fragReset();
    const p = bytes(70000, 21);
    expect(v4(50, p, 0, 1480, true)).toBe(FragResult.PENDING);
    expect(v4(50, p, 1480, 1001, true)).toBe(FragResult.BAD);     // not a multiple of 8, and not the last
    expect(v4(50, p, 1480, 0, true)).toBe(FragResult.BAD);        // empty
    expect(v4(50, p, 1480, 0, false)).toBe(FragResult.BAD);
    expect(v4(50, p, 1480, -8, true)).toBe(FragResult.BAD);
    expect(fragAdd(0, false, A4, B4, 50, 17, 1484, true, p, 8, T0)).toBe(FragResult.BAD);   // offset not in 8-byte units
    // The ping of death: an offset near the top whose bytes reach past 65535.
    expect(v4(50, p, 65528, 1480, false)).toBe(FragResult.BAD);
    expect(v6(50, p, 65000, 1000, false)).toBe(FragResult.BAD);
    expect(fragAdd(0, false, A4, B4, 50, 17, 0x7ffffff8, false, p, 8, T0)).toBe(FragResult.BAD);
    expect(fragIndex()).toBe(-1);
    expect(fragCount(FragCount.BAD)).toBe(8);
    expect(fragInFlight()).toBe(1);
    expect(fragCountHeld()).toBe(0);
    expect(v4(50, p, 1480, 8, false)).toBe(FragResult.COMPLETE);
    expect(got(p, 1488)).toBe(true);
  });

  it("drops a datagram larger than the limit (fragLimit lowers it); IPv6 discards its later fragments", () => {
    fragLimit(0, 4096, 0);
    const p = bytes(8192, 22);
    expect(v4(60, p, 0, 2048, true)).toBe(FragResult.PENDING);
    expect(v4(60, p, 2048, 2048, true)).toBe(FragResult.PENDING);
    expect(v4(60, p, 4096, 8, false)).toBe(FragResult.TOO_LARGE);
    expect(fragInFlight()).toBe(0); expect(fragBytesHeld()).toBe(0);
    // IPv4 keeps no tombstone: the identification may come back soon (RFC 4963).
    expect(v4(60, p, 0, 2048, true)).toBe(FragResult.PENDING);
    // IPv6: the too-large fragment came first, and the rest is discarded.
    expect(v6(60, p, 4096, 8, false)).toBe(FragResult.TOO_LARGE);
    expect(v6(60, p, 0, 2048, true)).toBe(FragResult.DISCARDED);
    expect(fragTombstones()).toBe(1);
    // An atomic fragment above the limit too.
    expect(v6(61, p, 0, 5000, false)).toBe(FragResult.TOO_LARGE);
    expect(fragCount(FragCount.TOO_LARGE)).toBe(3);
    fragLimit(0, 0, 0);
  });

  it("survives a tiny-fragment attack (RFC 1858 §3.1): 8-byte fragments reassemble; more than FRAG_HOLES separate ranges drop the datagram", () => {
    fragReset();
    // A TCP header cut after its ports: the filter's concern; the reassembler just joins it.
    const tcp = bytes(40, 23);
    expect(v4(70, tcp, 0, 8, true, T0, 0, A4, 6)).toBe(FragResult.PENDING);
    expect(v4(70, tcp, 8, 32, false, T0, 0, A4, 6)).toBe(FragResult.COMPLETE);
    expect(got(tcp, 40)).toBe(true);
    // 128 fragments of 8 bytes, every other one first: FRAG_HOLES separate ranges at the most.
    const p = bytes(1024, 24);
    for (let i = 0; i < 128; i += 2) expect(v6(71, p, i * 8, 8, true)).toBe(FragResult.PENDING);
    for (let i = 1; i < 127; i += 2) expect(v6(71, p, i * 8, 8, true)).toBe(FragResult.PENDING);
    expect(v6(71, p, 1016, 8, false)).toBe(FragResult.COMPLETE);
    expect(got(p, 1024)).toBe(true); expect(fragCountHeld()).toBe(128);
    // Spread over the whole offset space: one range more than FRAG_HOLES drops the datagram;
    // the bytes held meanwhile never exceed one datagram's chunks.
    const big = bytes(65535, 25);
    const step = 1024;
    for (let i = 0; i < FRAG_HOLES; i++) expect(v4(72, big, i * step, 8, true)).toBe(FragResult.PENDING);
    expect(fragBytesHeld()).toBeLessThanOrEqual(65536);
    expect(v4(72, big, 65528, 7, false)).toBe(FragResult.TOO_FRAGMENTED);
    expect(fragInFlight()).toBe(0); expect(fragBytesHeld()).toBe(0);
    for (let i = 0; i < FRAG_HOLES; i++) expect(v6(73, big, i * step, 8, true)).toBe(FragResult.PENDING);
    expect(v6(73, big, 65528, 7, false)).toBe(FragResult.TOO_FRAGMENTED);
    expect(v6(73, big, 8, 8, true)).toBe(FragResult.DISCARDED);
    expect(fragCount(FragCount.TOO_FRAGMENTED)).toBe(2);
  });

  it("evicts the oldest datagram when the table or the pool is full; NO_ROOM only when even that cannot help", () => {
    const p = bytes(8192, 26);
    fragLimit(4, 0, 0);
    for (let id: u32 = 80; id < 84; id++) expect(v4(id, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v4(84, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(fragCount(FragCount.EVICTED)).toBe(1); expect(fragInFlight()).toBe(4);
    // 80 was evicted: its last fragment starts a new datagram (evicting 81).
    expect(v4(80, p, 16, 16, false)).toBe(FragResult.PENDING);
    expect(v4(82, p, 16, 16, false)).toBe(FragResult.COMPLETE);
    expect(fragCount(FragCount.EVICTED)).toBe(2);
    // A tombstone goes before any datagram in progress.
    fragLimit(2, 0, 0);
    expect(v6(85, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v6(85, p, 8, 16, true)).toBe(FragResult.OVERLAP);
    expect(v4(86, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v4(87, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(fragCount(FragCount.EVICTED)).toBe(0); expect(fragTombstones()).toBe(0);
    // A pool of 4 chunks: the third datagram's chunk comes from the oldest datagram.
    fragLimit(0, 0, 4 * FRAG_CHUNK_BYTES);
    expect(v4(90, p, 0, 4096, true)).toBe(FragResult.PENDING);
    expect(v4(91, p, 0, 4096, true)).toBe(FragResult.PENDING);
    expect(fragBytesHeld()).toBe(4 * FRAG_CHUNK_BYTES);
    expect(v4(92, p, 0, 2048, true)).toBe(FragResult.PENDING);
    expect(fragCount(FragCount.EVICTED)).toBe(1);
    expect(v4(91, p, 4096, 8, false)).toBe(FragResult.COMPLETE);
    expect(got(p, 4104)).toBe(true);
    // A pool of 2 chunks cannot hold a third slice of one datagram: NO_ROOM, the datagram dropped.
    fragLimit(0, 0, 2 * FRAG_CHUNK_BYTES);
    expect(v4(93, p, 0, 16, true)).toBe(FragResult.PENDING);
    expect(v4(94, p, 0, 4096, true)).toBe(FragResult.PENDING);
    expect(fragCount(FragCount.EVICTED)).toBe(1);
    expect(v4(94, p, 4096, 8, false)).toBe(FragResult.NO_ROOM);
    expect(fragCount(FragCount.NO_ROOM)).toBe(1);
    expect(fragInFlight()).toBe(0); expect(fragBytesHeld()).toBe(0);
    fragLimit(0, 0, 0);
  });

  it("is deterministic: the same fragments give the same results, slots and generations", () => {
    let first: u64 = 0;
    for (let run = 0; run < 2; run++) {
      fragLimit(8, 0, 0);
      const p = bytes(4096, 27);
      let h: u64 = 0;
      let x: u32 = 12345;
      for (let i = 0; i < 500; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        const r = v4(x & 15, p, <i32>((x >> 8) & 3) * 1024, 1024, (x >> 10 & 3) != 3, T0 + <i64>i * SEC);
        h = (h ^ (<u64>r | <u64>fragIndex() << 8 | <u64>fragGen() << 16)) * 1099511628211;
      }
      if (run == 0) first = h; else expect(h).toBe(first);
    }
    fragLimit(0, 0, 0);
  });

  it("a flood of 100,000 unfinished datagrams stays bounded and a normal datagram still reassembles; nothing is allocated", () => {
    fragReset();
    const p = bytes(65535, 28), q = bytes(3000, 29);
    const src4 = heap.alloc(4), src6 = heap.alloc(16);
    memory.copy(src6, A6, 16);
    const before = memory.size();
    let x: u32 = 2463534242, pending = 0, maxHeld = 0, maxBytes = 0;
    for (let i = 0; i < 100_000; i++) {
      x ^= x << 13; x ^= x >> 17; x ^= x << 5;
      // Random identifications and sources, one fragment each at a random offset, 1 ms apart.
      const off = <i32>((x >> 8) & 31) * 1480;
      const t = T0 + <i64>i * 1_000_000;
      let r = FragResult.PENDING;
      if ((x & 1) == 0) { store<u32>(src4, x); r = fragAdd(0, false, src4, B4, x >> 16, 17, <u32>off, true, p + <usize>off, 1480, t); }
      else { store<u32>(src6 + 12, x); r = fragAdd(0, true, src6, B6, x, 17, <u32>off, true, p + <usize>off, 1480, t); }
      if (r == FragResult.PENDING) pending++;
      if (fragInFlight() > maxHeld) maxHeld = fragInFlight();
      if (fragBytesHeld() > maxBytes) maxBytes = fragBytesHeld();
    }
    const t = T0 + 100 * SEC;
    const r1 = v4(99, q, 1480, 1480, true, t), r2 = v4(99, q, 2960, 40, false, t), r3 = v4(99, q, 0, 1480, true, t);
    const ok = got(q, 3000);
    const after = memory.size();
    expect(pending).toBe(100_000);
    expect(maxHeld).toBe(FRAG_DATAGRAMS);
    expect(maxBytes).toBeLessThanOrEqual(FRAG_BYTES_TOTAL);
    expect(fragCount(FragCount.EVICTED) + fragCount(FragCount.TIMED_OUT)).toBe(<u64>(100_000 - FRAG_DATAGRAMS + 1));
    expect(r1).toBe(FragResult.PENDING); expect(r2).toBe(FragResult.PENDING); expect(r3).toBe(FragResult.COMPLETE);
    expect(ok).toBe(true);
    expect(after).toBe(before);
  });
});

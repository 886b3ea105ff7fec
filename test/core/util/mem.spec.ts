import { copy, findByte } from "../../../assembly/util/mem";

// A buffer of n bytes 1, 2, 3, ... with a guard byte 0xee on both sides.
function pattern(n: i32): usize {
  const p = heap.alloc(<usize>n + 2);
  store<u8>(p, 0xee);
  for (let i = 0; i < n; i++) store<u8>(p + 1 + <usize>i, <u8>(i + 1));
  store<u8>(p + 1 + <usize>n, 0xee);
  return p + 1;
}

describe("util/mem copy", () => {
  it("copies every length from 0 to 300 exactly, never touching the byte after", () => {
    const src = pattern(300);
    for (let n = 0; n <= 300; n++) {
      const dst = heap.alloc(<usize>n + 32);
      memory.fill(dst, 0xaa, <usize>n + 32);
      copy(dst, src, <usize>n);
      let bad = -1;
      for (let i = 0; i < n + 32 && bad < 0; i++) if (load<u8>(dst + <usize>i) != (i < n ? <u8>(i + 1) : 0xaa)) bad = i;
      expect(bad).toBe(-1, `length ${n}`);
    }
  });
  it("moves a range forward over itself (dst < src), as the writer's comma removal needs", () => {
    for (let n = 1; n <= 200; n += 7) {
      for (let d = 1; d <= 17; d += 4) {
        const p = pattern(n + d);
        copy(p, p + <usize>d, <usize>n);
        let bad = -1;
        for (let i = 0; i < n && bad < 0; i++) if (load<u8>(p + <usize>i) != <u8>(i + d + 1)) bad = i;
        expect(bad).toBe(-1, `length ${n}, distance ${d}`);
      }
    }
  });
});

describe("util/mem findByte", () => {
  it("finds the first match at every position of a 100-byte range, and returns `to` when absent", () => {
    const p = heap.alloc(120);
    for (let at = 0; at < 100; at++) {
      memory.fill(p, 0x41, 120);
      store<u8>(p + <usize>at, 0x0a);
      expect(findByte(p, 0, 100, 0x0a)).toBe(at);
      // a search range that ends before the match does not see it
      expect(findByte(p, 0, at, 0x0a)).toBe(at);
      // a match after `to` (here, the byte at index `to`) is not reported
      if (at > 3) expect(findByte(p, 0, at - 1, 0x0a)).toBe(at - 1);
    }
    memory.fill(p, 0x41, 120);
    expect(findByte(p, 5, 100, 0x0a)).toBe(100);
    expect(findByte(p, 7, 7, 0x0a)).toBe(7);
  });
  it("starts at `from`", () => {
    const p = heap.alloc(64);
    memory.fill(p, 0x0a, 64);
    expect(findByte(p, 33, 64, 0x0a)).toBe(33);
  });
});

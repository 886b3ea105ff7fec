// Test helpers shared by every core spec (as-pect includes *.include.ts into each spec).

/** Copies the bytes written as hex ("de ad be ef", spaces ignored) into fresh memory. */
@global export function hexBytes(s: string): usize {
  const clean = s.replaceAll(" ", "");
  const n = clean.length >> 1;
  const p = heap.alloc(n > 0 ? <usize>n : 1);
  for (let i = 0; i < n; i++) store<u8>(p + i, <u8>I32.parseInt(clean.substr(i * 2, 2), 16));
  return p;
}

/** Length in bytes of a hex string. */
@global export function hexLen(s: string): i32 { return s.replaceAll(" ", "").length >> 1; }

/** Copies a string's UTF-8 bytes into fresh memory. */
@global export function utf8(s: string): usize {
  const n = String.UTF8.byteLength(s);
  const p = heap.alloc(n > 0 ? <usize>n : 1);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p);
  return p;
}

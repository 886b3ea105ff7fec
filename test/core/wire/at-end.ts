// Bytes placed so that they end exactly at the end of linear memory: a decoder that reads past
// the length it was given traps instead of reading neighbouring bytes, so a truncation test
// proves the bounds checks, not only the error values.
//
// The last page is grown here and never handed to the allocator (the TLSF allocator adds only
// the pages it grows itself); a new page is grown whenever the allocator has grown past ours.

let top: usize = 0;

function guardTop(): usize {
  const end = <usize>memory.size() << 16;
  if (end != top) {
    if (memory.grow(1) < 0) unreachable();
    top = <usize>memory.size() << 16;
  }
  return top;
}

/** Copies the first n bytes at src to the end of linear memory and returns their new start. */
export function atEnd(src: usize, n: i32): usize {
  const t = guardTop();
  const p = t - <usize>n;
  memory.copy(p, src, <usize>n);
  return p;
}

/**
 * Trace names interned to dense ids without a string per trace: a capture of millions of
 * requests has about as many traces, and a JS string plus a Map entry each cost ~150 bytes,
 * where a trace id is 16 bytes. Names of the form `projects/<p>/traces/<32 hex digits>` (what
 * the core writes) are kept as their prefix's number and the 128-bit id in an open-addressing
 * table of typed arrays; any other text falls back to a Map (the core writes none such, but a
 * table must not be wrong on one).
 */

const HEX_LEN = 32;
const MARKER = '/traces/';
/** Slots grow at this load factor. */
const LOAD = 0.6;

const hexVal = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) hexVal[48 + i] = i;
for (let i = 0; i < 6; i++) { hexVal[97 + i] = 10 + i; hexVal[65 + i] = 10 + i; }

/** Interned trace names: ids from 1 (0 is "no trace"). */
export class TraceTable {
  /** Four 32-bit words per id (the 128-bit trace id), or the fallback marker. */
  #words = new Uint32Array(4 * 1024);
  /** Prefix number per id (index into #prefixes), 0xffff for a fallback name. */
  #prefixOf = new Uint16Array(1024);
  readonly #prefixes: string[] = [];
  readonly #prefixIds = new Map<string, number>();
  /** Open-addressing slots: id, or 0 when empty. */
  #slots = new Uint32Array(2048);
  #count = 0;
  readonly #other = new Map<string, number>();
  readonly #otherText = new Map<number, string>();
  #lower = new Uint32Array(0);

  /** Names interned. */
  get size(): number { return this.#count; }

  /** Bytes it holds, about (typed arrays exactly; a name outside the compact form ~2 bytes a character and ~80 for its map entries). */
  get bytes(): number {
    let b = this.#words.byteLength + this.#prefixOf.byteLength + this.#slots.byteLength + this.#lower.byteLength;
    for (const k of this.#other.keys()) b += 2 * k.length * 2 + 160;
    for (const p of this.#prefixes) b += 2 * p.length + 80;
    return b;
  }

  /** The id of `name`, interned when new. */
  id(name: string): number { return this.#find(name, true); }

  /** The id of `name`, or 0 when it was never interned. */
  find(name: string): number { return this.#find(name, false); }

  /** The name of id (ids from 1). */
  name(id: number): string {
    if (id <= 0 || id > this.#count) return '';
    const p = this.#prefixOf[id]!;
    if (p === 0xffff) return this.#otherText.get(id) ?? '';
    let hex = '';
    for (let k = 0; k < 4; k++) hex += this.#words[id * 4 + k]!.toString(16).padStart(8, '0');
    return this.#prefixes[p]! + hex;
  }

  /** The trace's short form: the 32 hex digits (or the whole name when it has no /traces/ part). */
  short(id: number): string {
    const n = this.name(id);
    const i = n.lastIndexOf(MARKER);
    return i >= 0 ? n.slice(i + MARKER.length) : n;
  }

  /**
   * Names of ids in a compact form another table reads (TraceTable.lookup): the prefixes, five
   * numbers per id (prefix index, the four words; prefix index 0xffffffff: see `other`), and the
   * names that have no 128-bit form.
   */
  encode(ids: ArrayLike<number>): { prefixes: string[]; words: Uint32Array; other: string[] } {
    const words = new Uint32Array(ids.length * 5);
    const other: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const p = this.#prefixOf[id]!;
      if (id <= 0 || id > this.#count || p === 0xffff) { words[i * 5] = 0xffffffff; words[i * 5 + 1] = other.length; other.push(this.name(id)); continue; }
      words[i * 5] = p;
      words.set(this.#words.subarray(id * 4, id * 4 + 4), i * 5 + 1);
    }
    return { prefixes: [...this.#prefixes], words, other };
  }

  /** This table's ids (0: not in it) of names another table encoded (encode()). */
  lookup(e: { prefixes: string[]; words: Uint32Array; other: string[] }): Uint32Array {
    const n = e.words.length / 5;
    const out = new Uint32Array(n);
    const mine = e.prefixes.map((p) => this.#prefixIds.get(p));
    const w = new Uint32Array(4);
    for (let i = 0; i < n; i++) {
      const pi = e.words[i * 5]!;
      if (pi === 0xffffffff) { out[i] = this.find(e.other[e.words[i * 5 + 1]!] ?? ''); continue; }
      const p = mine[pi];
      if (p === undefined) continue;
      w.set(e.words.subarray(i * 5 + 1, i * 5 + 5));
      out[i] = this.#probe(w, p);
    }
    return out;
  }

  #probe(w: Uint32Array, p: number): number {
    const mask = this.#slots.length - 1;
    let s = (hash(w, p) & mask) >>> 0;
    for (;;) {
      const id = this.#slots[s]!;
      if (id === 0) return 0;
      if (this.#prefixOf[id] === p && this.#words[id * 4] === w[0] && this.#words[id * 4 + 1] === w[1] && this.#words[id * 4 + 2] === w[2] && this.#words[id * 4 + 3] === w[3]) return id;
      s = (s + 1) & mask;
    }
  }

  /** Ids whose short form or name equals `text` (a short id may stand for names of several projects). */
  matching(text: string): number[] {
    const exact = this.find(text);
    if (exact) return [exact];
    const out: number[] = [];
    if (text.length === HEX_LEN) for (const p of this.#prefixes) { const id = this.find(p + text); if (id) out.push(id); }
    return out;
  }

  #find(name: string, add: boolean): number {
    const at = name.lastIndexOf(MARKER);
    const hexAt = at + MARKER.length;
    if (at < 0 || name.length - hexAt !== HEX_LEN) return this.#fallback(name, add);
    const w = this.#parse(name, hexAt);
    if (w === null) return this.#fallback(name, add);
    const prefix = name.slice(0, hexAt);
    let p = this.#prefixIds.get(prefix);
    if (p === undefined) {
      if (!add) return 0;
      if (this.#prefixes.length >= 0xffff) return this.#fallback(name, add);
      p = this.#prefixes.length; this.#prefixes.push(prefix); this.#prefixIds.set(prefix, p);
    }
    const mask = this.#slots.length - 1;
    let s = (hash(w, p) & mask) >>> 0;
    for (;;) {
      const id = this.#slots[s]!;
      if (id === 0) break;
      if (this.#prefixOf[id] === p && this.#words[id * 4] === w[0] && this.#words[id * 4 + 1] === w[1] && this.#words[id * 4 + 2] === w[2] && this.#words[id * 4 + 3] === w[3]) return id;
      s = (s + 1) & mask;
    }
    if (!add) return 0;
    const id = this.#grow();
    this.#words.set(w, id * 4);
    this.#prefixOf[id] = p;
    this.#slots[s] = id;
    if (this.#count > this.#slots.length * LOAD) this.#rehash();
    return id;
  }

  #parse(name: string, at: number): Uint32Array | null {
    const w = this.#lower.length ? this.#lower : (this.#lower = new Uint32Array(4));
    for (let k = 0; k < 4; k++) {
      let v = 0;
      for (let j = 0; j < 8; j++) {
        const c = name.charCodeAt(at + k * 8 + j);
        const d = c < 128 ? hexVal[c]! : -1;
        // Upper-case hex would print back in lower case: such a name goes to the fallback.
        if (d < 0 || (c >= 65 && c <= 70)) return null;
        v = (v << 4) | d;
      }
      w[k] = v >>> 0;
    }
    return w;
  }

  #fallback(name: string, add: boolean): number {
    let id = this.#other.get(name);
    if (id !== undefined || !add) return id ?? 0;
    id = this.#grow();
    this.#prefixOf[id] = 0xffff;
    this.#other.set(name, id);
    this.#otherText.set(id, name);
    return id;
  }

  #grow(): number {
    const id = ++this.#count;
    if (id >= this.#prefixOf.length) {
      const p = new Uint16Array(this.#prefixOf.length * 2); p.set(this.#prefixOf); this.#prefixOf = p;
      const w = new Uint32Array(this.#words.length * 2); w.set(this.#words); this.#words = w;
    }
    return id;
  }

  #rehash(): void {
    const slots = new Uint32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 1; id <= this.#count; id++) {
      const p = this.#prefixOf[id]!;
      if (p === 0xffff) continue;
      let s = (hash(this.#words.subarray(id * 4, id * 4 + 4), p) & mask) >>> 0;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = id;
    }
    this.#slots = slots;
  }
}

// The trace id is random: its words mixed with the prefix number spread well.
function hash(w: Uint32Array, p: number): number {
  let h = (w[0]! ^ Math.imul(w[1]!, 0x9e3779b1) ^ Math.imul(w[2]!, 0x85ebca77) ^ Math.imul(w[3]!, 0xc2b2ae3d) ^ p) >>> 0;
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d); h ^= h >>> 15;
  return h >>> 0;
}

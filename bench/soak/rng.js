// Seeded pseudo-random numbers for the soak generator (sfc32: small, fast, and the same stream
// for the same seed on every machine), with the draws the connection scripts need.

/** A deterministic random source; every draw comes from one sfc32 stream. */
export class Rng {
  /** Seeds the stream from a 32-bit integer or a string. */
  constructor(seed) {
    let h = 0x811c9dc5;
    for (const ch of String(seed)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    this.a = h >>> 0; this.b = 0x9e3779b9; this.c = 0x243f6a88; this.d = 1;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next() { return this.u32() / 4294967296; }

  /** A uniform integer in [lo, hi] (inclusive). */
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); }

  /** True with probability p. */
  chance(p) { return this.next() < p; }

  /** One element of an array. */
  pick(arr) { return arr[Math.floor(this.next() * arr.length)]; }

  /** An index drawn by weights (an array of non-negative numbers). */
  weighted(weights) {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) { r -= weights[i]; if (r < 0) return i; }
    return weights.length - 1;
  }

  /** An exponential draw with the given mean. */
  exp(mean) { return -Math.log(1 - this.next()) * mean; }

  /** A log-uniform draw in [lo, hi] (sizes and delays spread over orders of magnitude). */
  logUniform(lo, hi) { return Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo))); }

  /** n random bytes. */
  bytes(n) {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) { const v = this.u32(); for (let k = 0; k < 4 && i + k < n; k++) b[i + k] = (v >>> (8 * k)) & 0xff; }
    return b;
  }

  /** n lowercase hexadecimal digits. */
  hex(n) { let s = ''; while (s.length < n) s += this.u32().toString(16).padStart(8, '0'); return s.slice(0, n); }
}

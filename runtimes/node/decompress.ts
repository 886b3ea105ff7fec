/** Node's adapter of src/stream.ts Decompressor: zlib decodes gzip, deflate and br. */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { Coding } from '../../src/stream.js';

/**
 * Decompresses with node:zlib. "deflate" is the zlib format (RFC 9110 §8.4.1.2), but some servers
 * send raw deflate (RFC 1951): tried when the zlib header is not there, as browsers do.
 */
export async function nodeDecompress(coding: Coding, data: Uint8Array): Promise<Uint8Array> {
  if (coding === 'gzip') return gunzipSync(data);
  if (coding === 'br') return brotliDecompressSync(data);
  try { return inflateSync(data); } catch { return inflateRawSync(data); }
}

/** The browser's adapter of src/stream.ts Decompressor: DecompressionStream (gzip, deflate, and brotli where the browser has it). */
import { UnsupportedCoding, type Coding } from '../../../src/stream.js';

/** Whether this browser's DecompressionStream takes a format (Chromium has "brotli" only in recent versions). */
function supports(format: string): boolean {
  try { new DecompressionStream(format as CompressionFormat); return true; } catch { return false; }
}

async function run(format: string, data: Uint8Array): Promise<Uint8Array> {
  const ds = new DecompressionStream(format as CompressionFormat);
  const out = new Response(new Blob([data.slice()]).stream().pipeThrough(ds));
  return new Uint8Array(await out.arrayBuffer());
}

/**
 * Decompresses with DecompressionStream. "deflate" is the zlib format (RFC 9110 §8.4.1.2); raw
 * deflate ("deflate-raw"), which some servers send, is tried when that fails, as browsers do.
 */
export async function browserDecompress(coding: Coding, data: Uint8Array): Promise<Uint8Array> {
  if (coding === 'gzip') return run('gzip', data);
  if (coding === 'br') {
    if (!supports('brotli')) throw new UnsupportedCoding('br (brotli) bodies are not decoded: this browser\'s DecompressionStream has no "brotli" format');
    return run('brotli', data);
  }
  try { return await run('deflate', data); } catch { return run('deflate-raw', data); }
}

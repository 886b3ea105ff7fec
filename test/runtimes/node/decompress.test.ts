// The Node adapter of the stream decompressor: gzip, zlib and raw deflate, br; garbage throws.
import { describe, it, expect } from 'vitest';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { nodeDecompress } from '../../../runtimes/node/decompress.js';

describe('nodeDecompress', () => {
  it('decodes each coding, raw deflate too, and throws on bytes of none', async () => {
    const t = Buffer.from('tracecap '.repeat(50));
    expect(Buffer.from(await nodeDecompress('gzip', gzipSync(t)))).toEqual(t);
    expect(Buffer.from(await nodeDecompress('deflate', deflateSync(t)))).toEqual(t);
    expect(Buffer.from(await nodeDecompress('deflate', deflateRawSync(t)))).toEqual(t);
    expect(Buffer.from(await nodeDecompress('br', brotliCompressSync(t)))).toEqual(t);
    await expect(nodeDecompress('gzip', Buffer.from('not gzip'))).rejects.toThrow();
  });
});

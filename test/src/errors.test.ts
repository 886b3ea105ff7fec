// The host's copy of the core's error codes (src/errors.ts) must match assembly/errors.ts.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { ErrCode } from '../../src/errors.js';

const coreSource = readFileSync('assembly/errors.ts', 'utf8');

describe('src/errors', () => {
  it('lists exactly the codes of the core, with the same numbers', () => {
    const core = Object.fromEntries([...coreSource.matchAll(/^\s+([A-Z_]+) = (\d+),/gm)].map((m) => [m[1], Number(m[2])]));
    expect(ErrCode).toEqual(core);
  });
  it('has a reason text in the core for every code', async () => {
    const mod = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
    const inst = new WebAssembly.Instance(mod, { env: { abort() { throw new Error('abort'); } } });
    const ex = inst.exports as any;
    for (const [name, code] of Object.entries(ErrCode)) {
      const n = ex.errReason(code);
      const text = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ex.optScratch(), n));
      expect(text, name).not.toBe('unknown error');
      expect(text.length, name).toBeGreaterThan(0);
    }
  });
});

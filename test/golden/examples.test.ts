// The committed examples are golden files: examples/NAME.pcap must translate to exactly
// examples/NAME.ndjson (DEBUG, project "my-project"). After a deliberate output change,
// regenerate with: UPDATE_GOLDEN=1 npx vitest run test/golden/examples.test.ts
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { createTranslator } from '../../src/index.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const examples = readdirSync('examples').filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'));

describe('examples/ golden files', () => {
  for (const f of examples) {
    it(f, async () => {
      const t = await createTranslator(wasm, { project: 'my-project' });
      const data = readFileSync(`examples/${f}`);
      const out = new Uint8Array([...t.push(data), ...t.finish()]);
      expect(t.error).toBeNull();
      const golden = `examples/${f.replace(/\.pcap(ng)?$/, '.ndjson')}`;
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden, out);
      expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(Buffer.from(out).toString('utf8')).toBe(readFileSync(golden, 'utf8'));
    });
  }
});

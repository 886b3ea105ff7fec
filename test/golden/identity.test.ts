// Byte identity of the core's output: the SHA-256 of the NDJSON (and the capture error, if any)
// of every capture of ../shared/corpus/ and test/captures/, at INFO and DEBUG, against
// identity.json, written by the build before the core's files were reorganised (issue 11). A
// change that is meant to change output updates the file on purpose:
//   UPDATE_IDENTITY=1 npx vitest run test/golden/identity.test.ts
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/index.js';
import { coreModule } from '../diff/support.js';
import { allCaptures, identityKey } from '../helpers/shards.js';

const FILE = join(import.meta.dirname, 'identity.json');
const update = process.env.UPDATE_IDENTITY === '1';

// The enumeration and keys the parallel tests share (test/helpers/shards.ts).
const captures = allCaptures();
const key = identityKey;

async function digest(file: string, verbosity: 'info' | 'debug'): Promise<string> {
  const t = await createTranslator(await coreModule(), { verbosity });
  const h = createHash('sha256');
  t.setSink((v) => h.update(v));
  const data = new Uint8Array(readFileSync(file));
  for (let o = 0; o < data.length; o += 1 << 20) t.push(data.subarray(o, o + (1 << 20)));
  t.finish();
  const e = t.error;
  return `${h.digest('hex')}${e ? ` ${e.codeName}@${e.offset}/${e.packets}` : ''}`;
}

describe('byte identity with the reference build (identity.json)', () => {
  const want: Record<string, string> = existsSync(FILE) && !update ? JSON.parse(readFileSync(FILE, 'utf8')) : {};
  it(`${captures.length} captures × INFO and DEBUG`, async () => {
    expect(captures.length).toBeGreaterThan(400);
    const got: Record<string, string> = {};
    for (const f of captures) for (const v of ['info', 'debug'] as const) got[`${key(f)} ${v}`] = await digest(f, v);
    if (update) { writeFileSync(FILE, JSON.stringify(got, null, 1) + '\n'); return; }
    const diff = Object.keys({ ...want, ...got }).filter((k) => want[k] !== got[k]);
    expect(diff, `outputs that changed: ${diff.slice(0, 20).join(', ')}`).toEqual([]);
  }, 600_000);
});

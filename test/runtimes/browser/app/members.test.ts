// members.ts: the top-level members of every corpus record found without parsing, equal to
// JSON.parse's; LazyRecord answers every path of every record as the whole record does.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { members, LazyRecord } from '../../../../runtimes/browser/app/members.js';
import { resolvePath } from '../../../../runtimes/browser/app/query.js';
import { spawnSync } from 'node:child_process';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');

// Every path to a leaf or an object of a value (arrays counted as leaves).
function paths(v: unknown, prefix: string, out: string[]): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v)) { const p = prefix ? `${prefix}.${k}` : k; out.push(p); paths(x, p, out); }
  return out;
}

describe('members', () => {
  for (const name of readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort()) {
    it(`${name}: every top-level member, and every path through LazyRecord`, () => {
      // The CLI's own lines (its escapes, such as \u003e), not a re-serialisation.
      const out = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracecap.js'), join(CORPUS, name)], { encoding: 'utf8', maxBuffer: 1 << 30 });
      for (const text of out.stdout.split('\n').filter(Boolean)) {
        const r = JSON.parse(text);
        const m = members(text)!;
        expect([...m.keys()]).toEqual(Object.keys(r));
        for (const [k, [a, b]] of m) expect(JSON.parse(text.slice(a, b))).toEqual(r[k]);
        const lazy = new LazyRecord(text);
        for (const p of paths(r, '', [])) expect(resolvePath(lazy.forPath(p), p)).toEqual(resolvePath(r, p));
      }
    });
  }
  it('odd texts: spaces, escapes in keys and strings, literals, not an object', () => {
    const text = ' {"a" : 1 , "b\\"c":"x}\\"]" , "d":[1,{"e":"]"}], "f":true,"g":null,"h":-1.5e3} '.trim();
    const m = members(text)!;
    expect([...m.keys()]).toEqual(['a', 'b"c', 'd', 'f', 'g', 'h']);
    for (const [k, [a, b]] of m) expect(JSON.parse(text.slice(a, b))).toEqual(JSON.parse(text)[k]);
    expect(members('[1,2]')).toBeUndefined();
    expect(members('{"a":')).toBeUndefined();
    expect(members('{"a":1')).toBeUndefined();
    expect(new LazyRecord('{"x.y":1,"x":{"y":2}}').forPath('x.y')).toEqual({ 'x.y': 1 });
  });
});

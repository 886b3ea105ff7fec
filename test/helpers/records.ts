// Records of a capture built in a test, and their field paths as the app's field catalog names
// them (runtimes/browser/app/fields.ts). Not a test file itself.
import { expect } from 'vitest';
import { createTranslator } from '../../src/index.js';
import { bytes } from './build.js';

/** Adds every path of the value v (found at path) to `into`: keys joined by dots, array indices dropped, objects included. */
export function addPaths(into: Set<string>, v: unknown, path = ''): void {
  if (Array.isArray(v)) { for (const x of v) addPaths(into, x, path); return; }
  if (path !== '') into.add(path);
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) addPaths(into, x, path === '' ? k : `${path}.${k}`);
}

/** The keys of every object in v that are not in bytewise order (README "Output": Go's encoding/json order). */
export function unsortedKeys(v: unknown, path = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => unsortedKeys(x, path));
  if (v === null || typeof v !== 'object') return [];
  const keys = Object.keys(v);
  const out = keys.filter((k, i) => i > 0 && Buffer.compare(Buffer.from(keys[i - 1]!), Buffer.from(k)) >= 0).map((k) => `${path}.${k}`);
  return [...out, ...keys.flatMap((k) => unsortedKeys((v as Record<string, unknown>)[k], `${path}.${k}`))];
}

/**
 * The records the core writes for a whole capture (no capture error allowed, every record's keys
 * in bytewise order); their paths go to `paths` when given.
 */
export async function recordsOf(wasm: WebAssembly.Module, cap: Uint8Array, verbosity: 'info' | 'debug', paths?: Set<string>): Promise<any[]> {
  const t = await createTranslator(wasm, { verbosity });
  const out = bytes(t.push(cap), t.finish());
  expect(t.error).toBeNull();
  const recs = new TextDecoder().decode(out).split('\n').slice(0, -1).map((l) => JSON.parse(l));
  for (const r of recs) expect(unsortedKeys(r)).toEqual([]);
  if (paths) for (const r of recs) addPaths(paths, r);
  return recs;
}

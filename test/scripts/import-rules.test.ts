// The core's import rules (scripts/import-rules.mjs, README "The core's rooms") hold on
// assembly/, and the script finds each kind of breach in a small tree made to break it.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'import-rules.mjs');

function run(root?: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...(root ? ['--root', root] : [])], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

/** A tree of files (path → text) under a fresh directory. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tracecap-rules-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

describe('scripts/import-rules.mjs', () => {
  it('finds no breach in assembly/', () => {
    const r = run();
    expect(r.out).toContain('import cycles: 0');
    expect(r.code, r.out).toBe(0);
  });

  it('finds a cycle, a renderer importing analysis, analysis writing JSON or importing record/, facts importing analysis, and wire bytes copied unescaped', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'flow/a.ts': 'import { b } from "../http/b";\n', 'http/b.ts': 'import { a } from "../flow/a";\n' }, 'import cycles: 1'],
      [{ 'json/r.ts': 'import { c } from "../flow/conn";\n', 'flow/conn.ts': 'export const c = 1;\n' }, 'renderers importing analysis: 1'],
      [{ 'http/x.ts': 'const K = frag("{");\n' }, 'analysis writing JSON: 1'],
      [{ 'trace/t.ts': 'import { w } from "../json/writer";\n', 'json/writer.ts': 'export function w(): void {}\n' }, 'analysis writing JSON: 1'],
      [{ 'flow/t.ts': 'import { S } from "../record/state";\n', 'record/state.ts': 'export const S = 0;\n' }, 'analysis importing record/: 1'],
      [{ 'facts/f.ts': 'import { c } from "../flow/conn";\n', 'flow/conn.ts': 'export const c = 1;\n' }, 'facts importing more than config, wire, util: 1'],
      [{ 'json/h.ts': 'function f(buf: usize, h: Head): void { raw(buf + <usize>h.version, h.versionLen); }\n' }, 'unescaped copies (raw) of what may be wire bytes: 1'],
    ];
    for (const [files, want] of cases) {
      const root = tree(files);
      try {
        const r = run(root);
        expect(r.out).toContain(want);
        expect(r.code).toBe(1);
      } finally { rmSync(root, { recursive: true, force: true }); }
    }
  });
});

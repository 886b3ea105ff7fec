// The CLI as a live-capture test runs it: `node bin/tracecap.js …` in a network namespace of the
// test's own, its stderr watched for "listening on", traffic from the shared generator, stopped by
// SIGINT; and the CLI translating a `tcpdump -w` file of the same traffic, the reference.
import { expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { exited, collect, waitFor, receiveTimestamps, type Netns } from './netns.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/tracecap.js');
export const TRAFFIC = join(ROOT, '../shared/tools/traffic.mjs');
/** What the CLI must be told to translate a file recorded on `lo` in a fresh namespace. */
export const LO_ARGS = ['--iface', 'lo', '--iface-index', '1', '--iface-addr', '127.0.0.1', '--iface-addr', '::1'];
export const ID_ARGS = ['--id', 'cli-live', '--log-name', 'log/cli-live'];

/**
 * A test file's temporary directory (`prefix…` in the system's, removed after its tests), and
 * kernel receive time stamps while they run, so that every capture handle reports a UDP
 * packet's one stamp (unless namespaces are `unavailable`).
 */
export function liveTestFile(prefix: string, unavailable: string | null): { tmp: string } {
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  let rxStamps: ChildProcess | null = null;
  beforeAll(async () => {
    if (!unavailable) rxStamps = await receiveTimestamps();
  });
  afterAll(() => {
    rxStamps?.kill();
    rmSync(tmp, { recursive: true, force: true });
  });
  return { tmp };
}

/** A CLI process in the namespace; `ready` once it said it listens. */
export interface Cli { child: ChildProcess; ready: Promise<void>; out: () => Buffer; err: () => string }

export function cli(ns: Netns, args: string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = ns.spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  const { out, err } = collect(child);
  const ready = waitFor(child.stderr!, 'tracecap: listening on', 15_000).catch((e: Error) => {
    throw new Error(`${e.message}; stderr: ${err()}`);
  });
  ready.catch(() => { /* whoever awaits `ready` sees the error */ });
  return { child, ready, out, err };
}

/** Resolves once `cond()` holds (polled every 50 ms), or after `ms` anyway: the assertions then say what was missing. */
export async function until(cond: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 50));
}

/** Records (lines) written so far. */
export const count = (b: Buffer) => b.toString('utf8').split('\n').length - 1;

/** Every line complete JSON, the text ending with a newline; returns the parsed records. */
export function records(text: string, what: string): Record<string, any>[] {
  if (text === '') return [];
  expect(text.endsWith('\n'), `${what}: ends with a newline`).toBe(true);
  return text.slice(0, -1).split('\n').map((l, i) => {
    try { return JSON.parse(l) as Record<string, any>; } catch { throw new Error(`${what}: line ${i} is no JSON: ${l.slice(0, 200)}`); }
  });
}

/** Runs the traffic generator in the namespace to its end. */
export async function traffic(ns: Netns, scenario: 'dns' | 'h1' | 'h2', p: number, n: number): Promise<void> {
  const t = ns.spawn(process.execPath, [TRAFFIC, scenario, String(p), String(n)]);
  const e = collect(t);
  expect((await exited(t, 60_000)).code, e.err()).toBe(0);
}

/** Stops with SIGINT; the exit status, stdout and the stderr lines. */
export async function interrupt(c: Cli): Promise<{ code: number | null; out: string; lines: string[] }> {
  c.child.kill('SIGINT');
  const { code } = await exited(c.child, 20_000);
  return { code, out: c.out().toString('utf8'), lines: c.err().split('\n').filter(Boolean) };
}

/** The CLI's translation of a capture file recorded on the namespace's lo. */
export function translateFile(file: string, verbosity: string): string {
  const r = spawnSync(process.execPath, [BIN, ...LO_ARGS, ...ID_ARGS, '--verbosity', verbosity, file], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

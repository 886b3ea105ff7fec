// The Worker adapter's format=otlp (runtimes/workers/index.ts), run in Node on the built core:
// the same span lines as the CLI reading the capture from standard input (no file name to put
// in the resource), and a clear 400 for what it cannot do.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createHandler } from '../../../runtimes/workers/index.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const handler = createHandler(new WebAssembly.Module(readFileSync(join(ROOT, 'build/tracecap.wasm'))));
const post = async (query: string, body: Uint8Array): Promise<{ status: number; text: string }> => {
  const r = await handler.fetch(new Request(`http://w/${query}`, { method: 'POST', body }));
  return { status: r.status, text: await r.text() };
};

describe('Worker format=otlp', () => {
  it.each(['examples/http-keepalive.pcap', '../shared/corpus/http/h2c-mtu1500.pcap', '../shared/corpus/http/h1-resets-mtu1500.pcap'])('gives the CLI\'s span lines for %s', async (file) => {
    const bytes = readFileSync(join(ROOT, file));
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/tracecap.js'), '--format', 'otlp', '-'], { input: bytes, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const r = await post('?format=otlp', bytes);
    expect(r.status).toBe(200);
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.text).toBe(cli.stdout);
  });

  it('refuses a format it does not know, and spans from INFO records', async () => {
    const bytes = readFileSync(join(ROOT, 'examples/http-keepalive.pcap'));
    expect(await post('?format=har', bytes)).toEqual({ status: 400, text: 'format must be ndjson or otlp, not "har"\n' });
    expect(await post('?format=otlp&verbosity=info', bytes)).toEqual({ status: 400, text: 'format=otlp makes spans from the debug records: not with verbosity=info\n' });
  });
});

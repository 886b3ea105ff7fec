// Drives the output layer with a translator the way the CLI does (pushFrom + setSink), with the
// writer thread forced on or off, which the CLI cannot do: bench/run.js measures the CLI itself
// on each sink, and this to check the choice `auto` makes (inline or thread) for files and pipes.
//   node bench/sink.js [--mode direct|thread|auto] [--verbosity info|debug] [-w FILE] [--report] CAPTURE
import { openSync, readSync, closeSync } from 'node:fs';
import { createNodeTranslator } from '../dist/runtimes/node/core.js';
import { createFdSink } from '../dist/runtimes/node/output/sink.js';
import { openFileOutput } from '../dist/runtimes/node/output/rotate.js';

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); if (i < 0) return dflt; const v = argv[i + 1]; argv.splice(i, 2); return v; };
const mode = opt('--mode', 'auto');
const verbosity = opt('--verbosity', 'debug');
const out = opt('-w', null);
// --report: one line on stderr: total ms, ms the translator spent inside write() and close().
const reportAt = argv.indexOf('--report');
const report = reportAt >= 0; if (report) argv.splice(reportAt, 1);
const input = argv[0];
// As bin/tracecap.js does: touching process.stdout makes a pipe on fd 1 non-blocking.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

const t = await createNodeTranslator({ verbosity });
const sink = out ? openFileOutput({ template: out, mode }) : createFdSink(1, { mode });
const t0 = performance.now();
let inWrite = 0;
try {
  t.setSink(report ? (v) => { const a = performance.now(); sink.write(v); inWrite += performance.now() - a; } : (v) => sink.write(v));
  const fd = openSync(input, 'r');
  while (t.pushFrom((space) => readSync(fd, space, 0, space.length, null)) > 0) if (t.error) break;
  closeSync(fd);
  if (!t.error) t.finish();
  const c0 = performance.now();
  sink.close();
  const now = performance.now();
  if (report) process.stderr.write(`${mode} total ${(now - t0).toFixed(0)} ms, in write ${inWrite.toFixed(0)} ms, close ${(now - c0).toFixed(0)} ms\n`);
} catch (e) {
  if (e.code === 'EPIPE') process.exit(0);
  process.stderr.write(`sink bench: ${e.message}\n`); process.exit(1);
}

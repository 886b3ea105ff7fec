#!/usr/bin/env node
// tracecap CLI entry: runs the Node host, bundled into one module by `npm run build`.
import { main } from '../dist/runtimes/node/cli.bundle.js';

process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`tracecap: internal error: ${e && e.message ? e.message : e}\n`); process.exitCode = 70; },
);

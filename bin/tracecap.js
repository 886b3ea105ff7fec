#!/usr/bin/env node
// tracecap CLI entry: runs the Node host, bundled into one module by `npm run build`.
// TRACECAP_SIDECAR=1 (the Docker image sets it) first maps pcap-sidecar's environment
// (PCAP_IFACE, PCAP_FILTER, ...) to arguments, for the options the command line leaves open.
import { main } from '../dist/runtimes/node/cli.bundle.js';

process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

async function argv() {
  const args = process.argv.slice(2);
  if (!/^(1|true)$/i.test(process.env.TRACECAP_SIDECAR ?? '')) return args;
  const { sidecarArgv, EnvError } = await import('../dist/runtimes/node/env.js');
  try {
    return sidecarArgv(process.env, args);
  } catch (e) {
    if (!(e instanceof EnvError)) throw e;
    process.stderr.write(`tracecap: ${e.message}\n`);
    process.exit(1);
  }
}

argv().then((args) => main(args)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`tracecap: internal error: ${e && e.message ? e.message : e}\n`); process.exitCode = 70; },
);

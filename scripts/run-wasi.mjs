// Runs build/tracecap-wasi.wasm under Node's built-in WASI (node:wasi, preview 1): arguments,
// environment and the three standard descriptors pass through, the exit status is the command's.
//   node --no-warnings scripts/run-wasi.mjs [options] < capture.pcap > records.ndjson
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const wasm = new URL('../build/tracecap-wasi.wasm', import.meta.url);
const wasi = new WASI({ version: 'preview1', args: ['tracecap-wasi', ...process.argv.slice(2)], env: process.env, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(wasm));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);

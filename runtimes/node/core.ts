import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTranslator, type Translator, type TranslatorOptions } from '../../src/index.js';

/** Path of the core's wasm file shipped with the package. */
export const wasmPath = fileURLToPath(new URL('../../../build/tracecap.wasm', import.meta.url));

/** Path of the same core built with shared memory (the threads of a parallel run). */
export const sharedWasmPath = fileURLToPath(new URL('../../../build/tracecap-shared.wasm', import.meta.url));

let compiled: Promise<WebAssembly.Module> | undefined;
let compiledShared: Promise<WebAssembly.Module> | undefined;

/** Compiles the shared-memory core once per process. */
export function loadSharedCore(): Promise<WebAssembly.Module> {
  compiledShared ??= new Promise((resolve) => resolve(new WebAssembly.Module(readFileSync(sharedWasmPath))));
  return compiledShared;
}

/** Compiles the packaged core once per process. */
export function loadCore(): Promise<WebAssembly.Module> {
  // Synchronous on purpose: V8 compiles lazily, so this takes about 2 ms, and a CLI run saves
  // the fs/promises module and the thread-pool round trips of an asynchronous read.
  compiled ??= new Promise((resolve) => resolve(new WebAssembly.Module(readFileSync(wasmPath))));
  return compiled;
}

/** Creates a translator backed by the packaged core. */
export async function createNodeTranslator(options: TranslatorOptions = {}): Promise<Translator> {
  return createTranslator(await loadCore(), options);
}

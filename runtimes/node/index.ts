/** @module tracecap/node — the Node host: the packaged core, and the CLI's entry point. */
export { loadCore, createNodeTranslator, wasmPath } from './core.js';
export { main } from './cli.js';
export * from './output/index.js';
export * from '../../src/index.js';

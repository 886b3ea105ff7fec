/** @module tracecap/workers/worker — the Worker's entry: the core arrives as a module import (Workers refuse to compile wasm bytes). */
import wasm from '../../build/tracecap.wasm';
import { createHandler } from './index.js';

export default createHandler(wasm);

/** The core's exports (assembly/index.ts): numbers only. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  inPtr(): number;
  inCap(): number;
  outPtr(): number;
  outLen(): number;
  outReset(): void;
  push(n: number): number;
  resume(): number;
  finish(): number;
  reset(): void;
  setLimit(n: number): void;
  setSerial(n: number): void;
  errCode(): number;
  errOffset(): number;
  errPacket(): number;
  packets(): number;
  errReason(code: number): number;
  optScratch(): number;
  optCap(): number;
  setOption(key: number, len: number): number;
  addAddr(len: number): number;
  addOsIface(index: number, nameLen: number): number;
  addOsIfaceAddr(len: number): number;
  clearOsIfaces(): void;
  setVerbosity(v: number): void;
  setIfaceIndex(i: number): void;
  setEphemeral(lo: number, hi: number): void;
  setMplsPseudowire(kind: number): void;
  setMaxFlows(n: number): void;
  setMaxHead(n: number): void;
  setPoolCaps(exchanges: number, headBuffers: number, sampleBuffers: number, tables: number): void;
  skipKinds(): number;
  skipCount(k: number): number;
  recordsWritten(): number;
  setIndexing(on: number): void;
  idxPtr(): number;
  idxCount(): number;
  idxEntryBytes(): number;
  maxShards(): number;
  setShard(k: number, n: number): number;
  setRenderRange(from: number, to: number): void;
  shardBlock(): number;
  setMarks(on: number): void;
  setWindows(n: number): void;
  maxWindows(): number;
  markPtr(): number;
  markCount(): number;
  markBytes(): number;
  nextSerial(): number;
  bpfScratch(): number;
  bpfCap(): number;
  setBpf(linkType: number, count: number): number;
  bpfBadInsn(): number;
  clearBpf(): void;
  clearFilters(): void;
  filterL3(mask: number): void;
  filterL4(mask: number): void;
  filterTcpFlags(mask: number): void;
  filterPort(port: number, deny: number): number;
  filterNet(len: number, bits: number): number;
  filterDenySocket(len: number, portA: number, portB: number): number;
}

/** Results of addOsIface/addOsIfaceAddr (assembly/record/options.ts OsIfaceErr). */
export const OsIfaceErr = { OK: 0, FULL: 1, BAD_INDEX: 2, BAD_NAME: 3, NO_IFACE: 4, BAD_ADDR: 5, ADDRS_FULL: 6 } as const;

/** String option keys of setOption (assembly/record/options.ts Opt). */
export const OptKey = { PROJECT: 1, IFACE_NAME: 2, LOG_NAME: 3, ID: 4 } as const;

// The core imports only abort(); calling it is a bug in the core, never a property of the input.
function coreImports(): WebAssembly.Imports {
  return {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        void msg; void file;
        throw new Error(`tracecap core aborted at ${line}:${col} (a bug in tracecap; please report it with the capture)`);
      },
    },
  };
}

/** Instantiates the core from a compiled module; abort() is a bug in the core, never input. */
export async function instantiateCore(module: WebAssembly.Module): Promise<CoreExports> {
  const instance = await WebAssembly.instantiate(module, coreImports());
  return instance.exports as unknown as CoreExports;
}

/**
 * Instantiates the core synchronously (a few milliseconds), for hosts that must start a
 * translator inside a callback, such as the trigger ring starting a window on a signal.
 */
export function instantiateCoreSync(module: WebAssembly.Module): CoreExports {
  return new WebAssembly.Instance(module, coreImports()).exports as unknown as CoreExports;
}

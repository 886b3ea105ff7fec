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
  errCode(): number;
  errOffset(): number;
  errPacket(): number;
  packets(): number;
  errReason(code: number): number;
  optScratch(): number;
  optCap(): number;
  setOption(key: number, len: number): number;
  addAddr(len: number): number;
  setVerbosity(v: number): void;
  setIfaceIndex(i: number): void;
  setEphemeral(lo: number, hi: number): void;
  setMaxFlows(n: number): void;
  setMaxHead(n: number): void;
  recordsWritten(): number;
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

/** String option keys of setOption (assembly/record/options.ts Opt). */
export const OptKey = { PROJECT: 1, IFACE_NAME: 2, LOG_NAME: 3, ID: 4 } as const;

/** Instantiates the core from a compiled module; abort() is a bug in the core, never input. */
export async function instantiateCore(module: WebAssembly.Module): Promise<CoreExports> {
  let mem: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        void msg; void file; void mem;
        throw new Error(`tracecap core aborted at ${line}:${col} (a bug in tracecap; please report it with the capture)`);
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  const ex = instance.exports as unknown as CoreExports;
  mem = ex.memory;
  return ex;
}

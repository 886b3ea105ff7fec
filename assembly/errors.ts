// Error codes of the core. Errors are values: the core never throws (a trap would kill the
// instance and every record behind it). The host keeps a copy of these codes in
// src/errors.ts; test/host/errors.test.ts checks that both agree.

/** Status and error codes returned across the wasm ABI. */
export const enum Err {
  OK = 0,
  /** Output window is nearly full: drain it and call resume(). Not an error. */
  OUTPUT_FULL = 1,
  NOT_A_CAPTURE = 10,
  TRUNCATED = 11,
  BAD_VERSION = 12,
  PACKET_TOO_LARGE = 13,
  BAD_BLOCK_LENGTH = 14,
  BLOCK_TOO_LARGE = 15,
  BLOCK_LENGTH_MISMATCH = 16,
  BAD_BYTE_ORDER = 17,
  UNKNOWN_INTERFACE = 18,
  TOO_MANY_INTERFACES = 19,
  BAD_BLOCK = 20,
  BAD_SNAPLEN = 21,
  EMPTY = 22,
  // Rejections of a classic BPF program by setBpf() (filter/bpf.ts); never sticky.
  BPF_LENGTH = 30,
  BPF_OPCODE = 31,
  BPF_JUMP = 32,
  BPF_MEMORY = 33,
  BPF_DIVISION = 34,
  BPF_SHIFT = 35,
  BPF_NO_RETURN = 36,
  BPF_TABLE_FULL = 37,
}

/** Human-readable reason for an error code; the host prefixes the byte offset and packet number. */
export function reason(code: i32): string {
  switch (code) {
    case Err.OK: return "ok";
    case Err.OUTPUT_FULL: return "output window full";
    case Err.NOT_A_CAPTURE: return "not a pcap or pcapng capture (unknown magic number)";
    case Err.TRUNCATED: return "capture is truncated: it ends inside a record";
    case Err.BAD_VERSION: return "unsupported capture file version";
    case Err.PACKET_TOO_LARGE: return "packet record is larger than the 262144-byte limit";
    case Err.BAD_BLOCK_LENGTH: return "pcapng block length is smaller than 12 or not a multiple of 4";
    case Err.BLOCK_TOO_LARGE: return "pcapng block is larger than the 2 MiB limit";
    case Err.BLOCK_LENGTH_MISMATCH: return "pcapng block's trailing length differs from its leading length";
    case Err.BAD_BYTE_ORDER: return "pcapng section header has an invalid byte-order magic";
    case Err.UNKNOWN_INTERFACE: return "packet refers to an interface no Interface Description Block defined";
    case Err.TOO_MANY_INTERFACES: return "pcapng section defines more than 1024 interfaces";
    case Err.BAD_BLOCK: return "pcapng block is too short for its fields";
    case Err.BAD_SNAPLEN: return "captured length is larger than the block that holds it";
    case Err.EMPTY: return "input is empty";
    case Err.BPF_LENGTH: return "BPF program is empty or longer than 4096 instructions";
    case Err.BPF_OPCODE: return "BPF program has an unknown opcode";
    case Err.BPF_JUMP: return "BPF program jumps past its end";
    case Err.BPF_MEMORY: return "BPF program uses a scratch memory slot outside 0..15";
    case Err.BPF_DIVISION: return "BPF program divides by the constant zero";
    case Err.BPF_SHIFT: return "BPF program shifts by a constant of 32 or more";
    case Err.BPF_NO_RETURN: return "BPF program does not end in a return";
    case Err.BPF_TABLE_FULL: return "BPF programs for more than 16 link types";
  }
  return "unknown error";
}

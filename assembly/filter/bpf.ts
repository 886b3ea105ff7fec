// Classic BPF (McCanne & Jacobson 1993; the instruction set of bpf(4) and Linux
// Documentation/networking/filter.txt), the machine libpcap compiles filter expressions to.
//
// Contract: a program is validated once when loaded (setProgram()), with the rules of the Linux
// kernel's bpf_check_classic(): 1..BPF_MAXINSNS instructions, known opcodes only, every jump
// forward and inside the program, memory slots 0..BPF_MEMWORDS-1, no division or modulo by the
// constant 0, no shift by a constant ≥ 32, and a return as the last instruction. Since every
// jump goes forward, run() executes each instruction at most once: it cannot loop, and it
// cannot trap (every packet load is bounds-checked; a load outside the captured bytes, like a
// division by a zero X, rejects the packet, as both the kernel and libpcap's bpf_filter() do).
//
// One program per link type (the same expression compiles to different code for Ethernet,
// Linux cooked, raw IP, ...). Once any program is set, a packet whose link type has none is
// rejected: it cannot be judged by the expression. Nothing is allocated per packet.

import { BPF_MAXINSNS, BPF_PROGRAMS, BPF_MEMWORDS } from "../config";
import { Err } from "../errors";

// Instruction classes, sizes, modes and operations (bpf(4), <pcap/bpf.h>).
const LD: u32 = 0x00, LDX: u32 = 0x01, ST: u32 = 0x02, STX: u32 = 0x03;
const ALU: u32 = 0x04, JMP: u32 = 0x05, RET: u32 = 0x06, MISC: u32 = 0x07;
const W: u32 = 0x00, H: u32 = 0x08, B: u32 = 0x10;
const IMM: u32 = 0x00, ABS: u32 = 0x20, IND: u32 = 0x40, MEM: u32 = 0x60, LEN: u32 = 0x80, MSH: u32 = 0xa0;
const ADD: u32 = 0x00, SUB: u32 = 0x10, MUL: u32 = 0x20, DIV: u32 = 0x30, OR: u32 = 0x40, AND: u32 = 0x50;
const LSH: u32 = 0x60, RSH: u32 = 0x70, NEG: u32 = 0x80, MOD: u32 = 0x90, XOR: u32 = 0xa0;
const JA: u32 = 0x00, JEQ: u32 = 0x10, JGT: u32 = 0x20, JGE: u32 = 0x30, JSET: u32 = 0x40;
const K: u32 = 0x00, X: u32 = 0x08, A: u32 = 0x10;
const TAX: u32 = 0x00, TXA: u32 = 0x80;

/** Bytes of one instruction as the host writes it: u16 code, u8 jt, u8 jf, u32 k (little-endian, struct sock_filter). */
export const INSN_SIZE: i32 = 8;

/** Where the host writes a program's instructions before setBpf(). */
export const BPF_SCRATCH: usize = heap.alloc(<usize>(BPF_MAXINSNS * INSN_SIZE));

// The loaded programs: slot i holds the program of link type slotLink[i].
const PROGRAMS: usize = heap.alloc(<usize>(BPF_PROGRAMS * BPF_MAXINSNS * INSN_SIZE));
const slotLink = new StaticArray<u32>(BPF_PROGRAMS);
const slotLen = new StaticArray<i32>(BPF_PROGRAMS);
let slots: i32 = 0;
// The machine's scratch memory M[], cleared before each run so a program that reads a slot it
// never wrote sees 0 (the kernel instead refuses such programs; libpcap never emits them).
const M = new StaticArray<u32>(BPF_MEMWORDS);

/** Index of the instruction that failed validation in the last setProgram(). */
export let badInsn: i32 = -1;

/** Whether any program is set (then every packet must pass its link type's program). */
@inline export function active(): bool { return slots > 0; }

/** Forgets every program: all packets pass again. */
export function clear(): void { slots = 0; }

// Whether code is an opcode of the classic instruction set.
function known(code: u32): bool {
  switch (code) {
    case LD | W | ABS: case LD | H | ABS: case LD | B | ABS:
    case LD | W | IND: case LD | H | IND: case LD | B | IND:
    case LD | W | LEN: case LD | IMM: case LD | MEM:
    case LDX | W | IMM: case LDX | W | MEM: case LDX | W | LEN: case LDX | B | MSH:
    case ST: case STX:
    case ALU | ADD | K: case ALU | ADD | X: case ALU | SUB | K: case ALU | SUB | X:
    case ALU | MUL | K: case ALU | MUL | X: case ALU | DIV | K: case ALU | DIV | X:
    case ALU | MOD | K: case ALU | MOD | X: case ALU | AND | K: case ALU | AND | X:
    case ALU | OR | K: case ALU | OR | X: case ALU | XOR | K: case ALU | XOR | X:
    case ALU | LSH | K: case ALU | LSH | X: case ALU | RSH | K: case ALU | RSH | X:
    case ALU | NEG:
    case JMP | JA: case JMP | JEQ | K: case JMP | JEQ | X: case JMP | JGT | K: case JMP | JGT | X:
    case JMP | JGE | K: case JMP | JGE | X: case JMP | JSET | K: case JMP | JSET | X:
    case RET | K: case RET | A:
    case MISC | TAX: case MISC | TXA:
      return true;
  }
  return false;
}

/** Validates the program of count instructions at p; Err.OK or the reason, with badInsn set. */
export function validate(p: usize, count: i32): i32 {
  badInsn = -1;
  if (count < 1 || count > BPF_MAXINSNS) return Err.BPF_LENGTH;
  for (let pc = 0; pc < count; pc++) {
    const q = p + <usize>(pc * INSN_SIZE);
    const code = <u32>load<u16>(q);
    const k = load<u32>(q, 4);
    badInsn = pc;
    if (!known(code)) return Err.BPF_OPCODE;
    switch (code & 0x07) {
      case LD: case LDX:
        if ((code & 0xe0) == MEM && k >= <u32>BPF_MEMWORDS) return Err.BPF_MEMORY;
        break;
      case ST: case STX:
        if (k >= <u32>BPF_MEMWORDS) return Err.BPF_MEMORY;
        break;
      case ALU: {
        const op = code & 0xf0;
        if ((code & X) == 0 && (op == DIV || op == MOD) && k == 0) return Err.BPF_DIVISION;
        if ((code & X) == 0 && (op == LSH || op == RSH) && k >= 32) return Err.BPF_SHIFT;
        break;
      }
      case JMP: {
        // Offsets count from the next instruction (bpf(4)); the target must be an instruction.
        const left = <u64>(count - pc - 1);
        if ((code & 0xf0) == JA) { if (<u64>k >= left) return Err.BPF_JUMP; }
        else if (<u64>load<u8>(q, 2) >= left || <u64>load<u8>(q, 3) >= left) return Err.BPF_JUMP;
        break;
      }
    }
  }
  badInsn = count - 1;
  if ((<u32>load<u16>(p + <usize>((count - 1) * INSN_SIZE)) & 0x07) != RET) return Err.BPF_NO_RETURN;
  badInsn = -1;
  return Err.OK;
}

/** Validates the program of count instructions at BPF_SCRATCH and sets it for linkType. */
export function setProgram(linkType: u32, count: i32): i32 {
  const e = validate(BPF_SCRATCH, count);
  if (e != Err.OK) return e;
  let slot = 0;
  while (slot < slots && unchecked(slotLink[slot]) != linkType) slot++;
  if (slot == BPF_PROGRAMS) { badInsn = -1; return Err.BPF_TABLE_FULL; }
  memory.copy(PROGRAMS + <usize>(slot * BPF_MAXINSNS * INSN_SIZE), BPF_SCRATCH, <usize>(count * INSN_SIZE));
  unchecked(slotLink[slot] = linkType);
  unchecked(slotLen[slot] = count);
  if (slot == slots) slots++;
  return Err.OK;
}

/** Whether the packet (ptr, capLen bytes captured of wireLen) of linkType passes its program. */
export function accepts(linkType: u32, ptr: usize, capLen: i32, wireLen: u32): bool {
  for (let s = 0; s < slots; s++) {
    if (unchecked(slotLink[s]) == linkType) {
      return run(PROGRAMS + <usize>(s * BPF_MAXINSNS * INSN_SIZE), ptr, <u32>capLen, wireLen) != 0;
    }
  }
  return false;
}

// Reads size (4, 2 or 1) big-endian bytes at packet offset off; sets oob when they lie outside.
let oob = false;
@inline function pkt(p: usize, len: u32, off: u64, size: u32): u32 {
  if (off + <u64>size > <u64>len) { oob = true; return 0; }
  const a = p + <usize>off;
  if (size == 4) return bswap<u32>(load<u32>(a));
  if (size == 2) return <u32>bswap<u16>(load<u16>(a));
  return <u32>load<u8>(a);
}

/**
 * Runs a validated program over a packet and returns its verdict: 0 rejects, anything else is
 * the snapshot length it accepts (classic BPF semantics; the core only tests for non-zero).
 */
export function run(prog: usize, p: usize, len: u32, wireLen: u32): u32 {
  let a: u32 = 0, x: u32 = 0;
  for (let i = 0; i < BPF_MEMWORDS; i++) unchecked(M[i] = 0);
  oob = false;
  let pc: i32 = 0;
  // Validated programs always return before the end; the bound only guards a misuse of run().
  while (pc < BPF_MAXINSNS) {
    const q = prog + <usize>(pc * INSN_SIZE);
    const code = <u32>load<u16>(q);
    const k = load<u32>(q, 4);
    pc++;
    switch (code) {
      case LD | W | ABS: a = pkt(p, len, <u64>k, 4); break;
      case LD | H | ABS: a = pkt(p, len, <u64>k, 2); break;
      case LD | B | ABS: a = pkt(p, len, <u64>k, 1); break;
      // Indirect offsets are X + k without 32-bit wraparound, so they cannot alias a low offset.
      case LD | W | IND: a = pkt(p, len, <u64>x + <u64>k, 4); break;
      case LD | H | IND: a = pkt(p, len, <u64>x + <u64>k, 2); break;
      case LD | B | IND: a = pkt(p, len, <u64>x + <u64>k, 1); break;
      case LD | W | LEN: a = wireLen; break;
      case LD | IMM: a = k; break;
      case LD | MEM: a = unchecked(M[k]); break;
      case LDX | W | IMM: x = k; break;
      case LDX | W | MEM: x = unchecked(M[k]); break;
      case LDX | W | LEN: x = wireLen; break;
      // The IPv4 header length idiom: X = 4 * (P[k] & 0xf) (bpf(4) BPF_MSH).
      case LDX | B | MSH: x = (pkt(p, len, <u64>k, 1) & 0xf) << 2; break;
      case ST: unchecked(M[k] = a); break;
      case STX: unchecked(M[k] = x); break;
      case ALU | ADD | K: a += k; break;
      case ALU | ADD | X: a += x; break;
      case ALU | SUB | K: a -= k; break;
      case ALU | SUB | X: a -= x; break;
      case ALU | MUL | K: a *= k; break;
      case ALU | MUL | X: a *= x; break;
      case ALU | DIV | K: a /= k; break;
      case ALU | DIV | X: if (x == 0) return 0; a /= x; break;
      case ALU | MOD | K: a %= k; break;
      case ALU | MOD | X: if (x == 0) return 0; a %= x; break;
      case ALU | AND | K: a &= k; break;
      case ALU | AND | X: a &= x; break;
      case ALU | OR | K: a |= k; break;
      case ALU | OR | X: a |= x; break;
      case ALU | XOR | K: a ^= k; break;
      case ALU | XOR | X: a ^= x; break;
      case ALU | LSH | K: a <<= k; break;
      // A shift by X ≥ 32 gives 0, what a 32-bit register shifted that far holds: C leaves it
      // undefined (old bpf_filter()s inherit that) and wasm would shift by X mod 32.
      case ALU | LSH | X: a = x < 32 ? a << x : 0; break;
      case ALU | RSH | K: a >>= k; break;
      case ALU | RSH | X: a = x < 32 ? a >> x : 0; break;
      case ALU | NEG: a = 0 - a; break;
      case JMP | JA: pc += <i32>k; break;
      case JMP | JEQ | K: pc += a == k ? <i32>load<u8>(q, 2) : <i32>load<u8>(q, 3); break;
      case JMP | JEQ | X: pc += a == x ? <i32>load<u8>(q, 2) : <i32>load<u8>(q, 3); break;
      case JMP | JGT | K: pc += a > k ? <i32>load<u8>(q, 2) : <i32>load<u8>(q, 3); break;
      case JMP | JGT | X: pc += a > x ? <i32>load<u8>(q, 2) : <i32>load<u8>(q, 3); break;
      case JMP | JGE | K: pc += a >= k ? <i32>load<u8>(q, 2) : <i32>load<u8>(q, 3); break;
      case JMP | JGE | X: pc += a >= x ? <i32>load<u8>(q, 2) : <i32>load<u8>(q, 3); break;
      case JMP | JSET | K: pc += (a & k) != 0 ? <i32>load<u8>(q, 2) : <i32>load<u8>(q, 3); break;
      case JMP | JSET | X: pc += (a & x) != 0 ? <i32>load<u8>(q, 2) : <i32>load<u8>(q, 3); break;
      case RET | K: return k;
      case RET | A: return a;
      case MISC | TAX: x = a; break;
      case MISC | TXA: a = x; break;
      default: return 0; // unreachable for a validated program
    }
    if (oob) return 0;
  }
  return 0;
}

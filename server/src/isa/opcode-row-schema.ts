// The shape of one row of the opcode table, as written by hand in the opcode-table-*.ts files.
//
// A row is declarative: an encoding in Intel SDM notation, the Intel mnemonic, the operands in
// SDM Appendix A notation, and the facts later layers need (control flow, flags, LOCK/REP
// acceptance, ISA extension). Everything else (decoder dispatch, lengths, formatter spelling,
// emulator dispatch keys, kprobe facts) is derived from rows by opcode-table-compiler.ts.

/**
 * Control-flow kind of an instruction. Relative, indirect and far are not stored: they follow from
 * the operands (a `J` operand is relative; an `E`/`M` target is indirect; `A`/`Mp` is far).
 */
export type ControlFlowKind =
  | 'jmp' // unconditional jump
  | 'jcc' // conditional jump on flags
  | 'loop' // loop/loope/loopne and jcxz/jecxz: conditional on (E)CX
  | 'call'
  | 'ret' // near or far return (far when the row says `far: true`)
  | 'iret'
  | 'int' // int n, int3, into, int1: software interrupts
  | 'sys' // sysenter/sysexit/syscall/sysret: privilege transfers
  | 'halt' // hlt, and the mwait family that stops the CPU
  | 'ud'; // ud0/ud1/ud2: guaranteed #UD

/** ISA extension that introduced a form; the emulator and the hover use it. */
export type IsaExtension =
  | '8086' | '186' | '286' | '386' | '486' | 'P5' | 'P6' | 'X87'
  | 'MMX' | 'SSE' | 'SSE2' | 'SSE3' | 'SSSE3' | 'SSE4.1' | 'SSE4.2' | 'SSE4A'
  | 'AES' | 'PCLMUL' | 'SHA' | 'POPCNT' | 'LZCNT' | 'BMI1' | 'BMI2' | 'ADX' | 'F16C' | 'FMA'
  | 'AVX' | 'AVX2' | 'MOVBE' | 'RDRAND' | 'RDSEED' | 'XSAVE' | 'VMX' | 'SVM' | 'SMX'
  | 'FSGSBASE' | 'RDTSCP' | 'CLFLUSHOPT' | 'CLWB' | 'MONITOR' | 'MONITORX' | 'WAITPKG'
  | 'SERIALIZE' | 'INVPCID' | 'PREFETCHW' | 'OTHER';

/**
 * Flags are written as letters: O S Z A P C (arithmetic), D (direction), I (interrupt enable),
 * T (trap), N (nested task), R (resume), K (alignment check), J (ID), L (IOPL).
 * `r` is what the instruction reads, `w` what it may change (set, clear or compute), and `u`
 * the subset of `w` the SDM calls undefined afterwards (masked in tests against the real CPU).
 */
export interface FlagEffects {
  r?: string;
  w?: string;
  u?: string;
}

/** Extra facts of a row beyond encoding, mnemonic and operands. All optional. */
export interface RowFacts {
  /** AT&T mnemonic as objdump spells it, when it is not the Intel one (e.g. `movzbl`, `cltd`). */
  att?: string;
  /**
   * Whether objdump appends an operand-size suffix (b/w/l) in AT&T syntax. `auto` (the default
   * for integer instructions): only when no register operand gives the size and an operand is
   * in memory. `never`: never (setcc, lea, xlat...). `always`: every form (movzb + l).
   * `data16`: only `w`, and only when a 66 prefix made the operand size 16 (push $imm, call *).
   * `xy`: memory forms only, `x` for a 16-byte operand and `y` for a 32-byte one, where the xmm
   * destination does not tell them apart (vcvtpd2psx/vcvtpd2psy). `env16`: the x87 environment
   * and state forms with a 66 prefix (the 16-bit layout): AT&T appends `s`, Intel `w` (fldenvs).
   */
  suffix?: 'auto' | 'never' | 'always' | 'data16' | 'xy' | 'env16';
  /** AT&T keeps the Intel operand order instead of reversing it (objdump: enter, bound). */
  attKeepsOrder?: true;
  /**
   * The operands are implicit registers that objdump lists in AT&T syntax only, in the order
   * written, and omits in Intel syntax (monitor `%eax,%ecx,%edx`, mwait `%eax,%ecx`).
   */
  attOnlyOperands?: true;
  /**
   * objdump folds the imm8 into the mnemonic when it names a predicate of this family and then
   * omits it (cmpps $0x0 → cmpeqps, pclmulqdq $0x11 → pclmulhqhqdq); see format-pseudo-ops.ts.
   */
  pseudoOps?: 'sse-compare' | 'avx-compare' | 'pclmul';
  /**
   * objdump writes `{vex}` before the mnemonic in both syntaxes: the name also belongs to an EVEX
   * (AVX-512) instruction, and the pseudo-prefix tells the VEX form apart (AVX-VNNI, AVX-IFMA).
   */
  vexPseudoPrefix?: true;
  /** Text objdump appends to the mnemonic in both syntaxes (fneni → `fneni(8087 only)`). */
  objdumpRemark?: string;
  /**
   * objdump 2.40 does not know this form and prints `(bad)` (after any prefix words) over the
   * same length; the decoder still accepts it, as CPUs and iced-x86 do (undocumented x87 aliases).
   */
  objdumpBad?: true;
  /**
   * The operand (index in Intel order) of an xmm register that objdump names as the ymm register
   * when VEX.L = 1, although the instruction ignores L (vmovss/vmovsd register store).
   */
  objdumpYmmAtL1?: number;
  /** Intel syntax calls the 16-byte memory operand `OWORD PTR`, not `XMMWORD PTR` (invept). */
  octaword?: true;
  /**
   * objdump calls an F3 prefix `repz` on this row, even where F3 is the row's mandatory prefix
   * or the row repeats as `rep` (VIA PadLock).
   */
  repzAlways?: true;
  flow?: ControlFlowKind;
  /** Far transfer that is not visible from the operands (lret, retf). */
  far?: true;
  flags?: FlagEffects;
  /** LOCK is accepted when the destination operand is in memory. */
  lock?: true;
  /** The instruction repeats under F3 (`rep`) or under F2/F3 (`repe`/`repne`: compares). */
  rep?: 'rep' | 'repe';
  ext?: IsaExtension;
  /** Restriction of the row to one operand size (66 prefix) or address size (67 prefix). */
  osize?: 16 | 32;
  asize?: 16 | 32;
  /** Privileged (CPL 0 only): #GP at ring 3. */
  privileged?: true;
  /**
   * The memory operand is a VSIB address (AVX2 gathers): a SIB byte is required, its index is an
   * xmm or ymm register, and the destination, index and mask registers must differ (else #UD).
   */
  vsib?: 'xmm' | 'ymm';
  /** Undocumented by Intel but decoded by real CPUs and by iced-x86 (salc, int1, ...). */
  undocumented?: true;
  /** Free text kept for the hover: why a form is odd. */
  note?: string;
}

/**
 * One row. `enc` uses SDM notation:
 * - legacy: `[NP|66|F2|F3] [0F [38|3A]] XX [/digit|/r|+r|YY] [ib|iw|id|iz|cb|cz]` where the
 *   optional leading prefix is a mandatory prefix, `/digit` selects ModRM.reg, `/r` means any
 *   ModRM, `+r` puts a register in the low three bits, and a second hex byte after the opcode is
 *   a fixed ModRM (e.g. `0F 01 D0` xgetbv; `D8 C0+i` for x87 register forms). Immediates and
 *   displacements are carried by the operands, so the trailing ib/iz are documentation only.
 *   `/digit` or `/r` may be followed by `mem` or `reg` to restrict ModRM.mod.
 * - VEX: `VEX.L.pp.map.W XX /r` with L in 128|256|LIG|LZ|L0|L1, pp in NP|66|F3|F2, map in
 *   0F|0F38|0F3A, W in W0|W1|WIG; e.g. `VEX.256.66.0F38.W0 18 /r`.
 */
export interface OpcodeRow extends RowFacts {
  enc: string;
  /** Intel mnemonic, lower case. */
  m: string;
  /**
   * Operands in Intel order (destination first), SDM Appendix A codes separated by commas:
   * addressing letter + size (`Eb`, `Gv`, `Iz`, `Jb`, `Ov`, `Ap`, `Mq`, `Vps`, `Wsd`, `Hx`...),
   * or a fixed operand (`AL`, `CL`, `DX`, `eAX`, `ES`..`GS`, `1`, `ST0`, `STi`, `Zb`/`Zv` for the
   * register in the opcode's low bits). See operand-codes.ts for the full list.
   */
  ops?: string;
}

/** Builds a row; the tables read as one call per line. */
export function op(enc: string, m: string, ops = '', facts: RowFacts = {}): OpcodeRow {
  return { enc, m, ops, ...facts };
}

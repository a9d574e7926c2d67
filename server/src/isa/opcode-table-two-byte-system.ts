// System rows of the two-byte opcode map (0F xx) in 32-bit protected mode: descriptor tables
// (Grp6 0F 00, Grp7 0F 01 with its fixed-ModRM forms), control/debug registers, MSRs, fast system
// calls, Grp9 (0F C7: cmpxchg8b, rdrand, VMX pointers), Grp15 (0F AE: fxsave, xsave, fences,
// cache-line flushes) and the VMX/SVM instructions. Forms that exist only in 64-bit mode (swapgs,
// rdfsbase..wrgsbase) are absent, so the decoder reports them invalid as iced-x86 does.

import { op, type FlagEffects, type OpcodeRow } from './opcode-row-schema';
import { WRITES_ALL } from './opcode-table-flags';

/** VMX instructions report VMsucceed/VMfail in CF and ZF and clear the other four. */
const VMX_STATUS: FlagEffects = { w: 'OSZAPC' };
/** Instructions that set ZF or CF as a result and clear the rest (rdrand, umwait, enqcmd...). */
const STATUS_RESULT: FlagEffects = { w: 'OSZAPC' };
const ZF_ONLY: FlagEffects = { w: 'Z' };
/** mov to/from control and debug registers leaves OF SF ZF AF PF CF undefined. */
const MOV_SYSTEM_REGISTER: FlagEffects = { w: 'OSZAPC', u: 'OSZAPC' };

/**
 * Grp6 (0F 00). sldt/str/smsw store 16 bits to memory but a full register in the register form,
 * so their memory and register forms are separate rows. objdump adds no suffix to any of them.
 */
const GROUP6_ROWS: OpcodeRow[] = [
  op('0F 00 /0 mem', 'sldt', 'Mw', { suffix: 'never', ext: '286' }),
  op('0F 00 /0 reg', 'sldt', 'Rv', { ext: '286' }),
  op('0F 00 /1 mem', 'str', 'Mw', { suffix: 'never', ext: '286' }),
  op('0F 00 /1 reg', 'str', 'Rv', { ext: '286' }),
  op('0F 00 /2', 'lldt', 'Ew', { suffix: 'never', privileged: true, ext: '286' }),
  op('0F 00 /3', 'ltr', 'Ew', { suffix: 'never', privileged: true, ext: '286' }),
  op('0F 00 /4', 'verr', 'Ew', { suffix: 'never', flags: ZF_ONLY, ext: '286' }),
  op('0F 00 /5', 'verw', 'Ew', { suffix: 'never', flags: ZF_ONLY, ext: '286' }),
];

/**
 * Grp7 (0F 01), memory forms and the register forms of /4 /6. objdump spells the operand size of
 * the descriptor-table instructions into the name: `sgdtl`/`sgdtw` (AT&T), `sgdtd`/`sgdtw` (Intel),
 * and shows no `PTR` size in Intel syntax, hence the size-less `M` operand.
 */
function group7MemoryRows(): OpcodeRow[] {
  const tables = [
    { m: 'sgdt', privileged: false },
    { m: 'sidt', privileged: false },
    { m: 'lgdt', privileged: true },
    { m: 'lidt', privileged: true },
  ];
  const rows = tables.flatMap(({ m, privileged }, i) => {
    const priv = privileged ? { privileged: true as const } : {};
    return [
      op(`0F 01 /${i} mem`, `${m}d`, 'M', { att: `${m}l`, suffix: 'never', osize: 32, ...priv, ext: '286' }),
      op(`0F 01 /${i} mem`, `${m}w`, 'M', { att: `${m}w`, suffix: 'never', osize: 16, ...priv, ext: '286' }),
    ];
  });
  return [
    ...rows,
    op('0F 01 /4 mem', 'smsw', 'Mw', { suffix: 'never', ext: '286' }),
    op('0F 01 /4 reg', 'smsw', 'Rv', { ext: '286' }),
    op('F3 0F 01 /5 mem', 'rstorssp', 'Mq', { suffix: 'never', flags: STATUS_RESULT, ext: 'OTHER', note: 'CET shadow stack' }),
    op('0F 01 /6', 'lmsw', 'Ew', { suffix: 'never', privileged: true, ext: '286' }),
    op('0F 01 /7 mem', 'invlpg', 'Mb', { suffix: 'never', privileged: true, ext: '486' }),
  ];
}

/**
 * Grp7 register forms with a fixed ModRM byte (C0-FF). objdump shows the implicit operands of
 * monitor/mwait/monitorx/mwaitx in AT&T syntax only (`monitor %eax,%ecx,%edx`), hence their
 * operands and `attOnlyOperands`; monitor's address register follows the address size.
 */
const GROUP7_FIXED_ROWS: OpcodeRow[] = [
  op('NP 0F 01 C0', 'enclv', '', { flags: STATUS_RESULT, privileged: true, ext: 'OTHER', note: 'SGX' }),
  op('NP 0F 01 C1', 'vmcall', '', { flow: 'sys', flags: VMX_STATUS, ext: 'VMX', note: 'exits to the VMM' }),
  op('NP 0F 01 C2', 'vmlaunch', '', { flow: 'sys', flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
  op('NP 0F 01 C3', 'vmresume', '', { flow: 'sys', flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
  op('NP 0F 01 C4', 'vmxoff', '', { flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
  op('NP 0F 01 C5', 'pconfig', '', { flags: STATUS_RESULT, privileged: true, ext: 'OTHER', note: 'PCONFIG' }),
  op('NP 0F 01 C6', 'wrmsrns', '', { privileged: true, ext: 'OTHER', note: 'non-serializing wrmsr' }),
  op('NP 0F 01 C8', 'monitor', 'aAX,ECX,EDX', { attOnlyOperands: true, ext: 'MONITOR', note: 'address in DS:(E)AX, so 67 changes it' }),
  op('NP 0F 01 C9', 'mwait', 'EAX,ECX', { attOnlyOperands: true, flow: 'halt', ext: 'MONITOR' }),
  op('NP 0F 01 CA', 'clac', '', { flags: { w: 'K' }, privileged: true, ext: 'OTHER', note: 'SMAP' }),
  op('NP 0F 01 CB', 'stac', '', { flags: { w: 'K' }, privileged: true, ext: 'OTHER', note: 'SMAP' }),
  op('66 0F 01 CC', 'tdcall', '', { flow: 'sys', privileged: true, ext: 'OTHER', note: 'TDX guest call' }),
  op('NP 0F 01 CF', 'encls', '', { flags: STATUS_RESULT, privileged: true, ext: 'OTHER', note: 'SGX' }),
  op('NP 0F 01 D0', 'xgetbv', '', { ext: 'XSAVE' }),
  op('NP 0F 01 D1', 'xsetbv', '', { privileged: true, ext: 'XSAVE' }),
  op('NP 0F 01 D4', 'vmfunc', '', { flags: VMX_STATUS, ext: 'VMX' }),
  op('NP 0F 01 D5', 'xend', '', { ext: 'OTHER', note: 'RTM: commits, or jumps to the xbegin fallback' }),
  op('NP 0F 01 D6', 'xtest', '', { flags: STATUS_RESULT, ext: 'OTHER', note: 'RTM/HLE' }),
  op('NP 0F 01 D7', 'enclu', '', { flow: 'sys', flags: STATUS_RESULT, ext: 'OTHER', note: 'SGX (eenter/eexit transfer control)' }),
  op('0F 01 D8', 'vmrun', '', { flow: 'sys', flags: { r: 'OSZAPCDIK' }, privileged: true, ext: 'SVM', note: 'VMCB address in (E)AX' }),
  op('0F 01 D9', 'vmmcall', '', { flow: 'sys', ext: 'SVM' }),
  op('F3 0F 01 D9', 'vmgexit', '', { flow: 'sys', ext: 'SVM', note: 'SEV-ES' }),
  op('F2 0F 01 D9', 'vmgexit', '', { flow: 'sys', ext: 'SVM', note: 'SEV-ES (F2 alias)' }),
  op('0F 01 DA', 'vmload', '', { privileged: true, ext: 'SVM' }),
  op('0F 01 DB', 'vmsave', '', { privileged: true, ext: 'SVM' }),
  op('0F 01 DC', 'stgi', '', { privileged: true, ext: 'SVM' }),
  op('0F 01 DD', 'clgi', '', { privileged: true, ext: 'SVM' }),
  op('0F 01 DE', 'skinit', '', { flow: 'sys', flags: { w: 'OSZAPCDIK' }, privileged: true, ext: 'SVM' }),
  op('0F 01 DF', 'invlpga', '', { privileged: true, ext: 'SVM' }),
  op('NP 0F 01 E8', 'serialize', '', { ext: 'SERIALIZE' }),
  op('F2 0F 01 E8', 'xsusldtrk', '', { ext: 'OTHER', note: 'TSXLDTRK' }),
  op('F3 0F 01 E8', 'setssbsy', '', { privileged: true, ext: 'OTHER', note: 'CET shadow stack' }),
  op('F2 0F 01 E9', 'xresldtrk', '', { ext: 'OTHER', note: 'TSXLDTRK' }),
  op('F3 0F 01 EA', 'saveprevssp', '', { flags: { r: 'C' }, ext: 'OTHER', note: 'CET shadow stack' }),
  op('NP 0F 01 EE', 'rdpkru', '', { ext: 'OTHER', note: 'PKU' }),
  op('NP 0F 01 EF', 'wrpkru', '', { ext: 'OTHER', note: 'PKU' }),
  op('0F 01 F9', 'rdtscp', '', { ext: 'RDTSCP' }),
  op('NP 0F 01 FA', 'monitorx', 'aAX,ECX,EDX', { attOnlyOperands: true, ext: 'MONITORX' }),
  op('F3 0F 01 FA', 'mcommit', '', { flags: STATUS_RESULT, ext: 'OTHER', note: 'AMD MCOMMIT' }),
  op('NP 0F 01 FB', 'mwaitx', 'EAX,ECX,EBX', { attOnlyOperands: true, flow: 'halt', ext: 'MONITORX' }),
  op('0F 01 FC', 'clzero', '', { ext: 'OTHER', note: 'AMD CLZERO, address in (E)AX' }),
  op('NP 0F 01 FD', 'rdpru', '', { flags: STATUS_RESULT, ext: 'OTHER', note: 'AMD RDPRU' }),
  op('NP 0F 01 FE', 'invlpgb', '', { privileged: true, ext: 'OTHER', note: 'AMD INVLPGB' }),
  op('NP 0F 01 FF', 'tlbsync', '', { privileged: true, ext: 'OTHER', note: 'AMD TLBSYNC' }),
  op('F2 0F 01 FF', 'pvalidate', '', { flags: STATUS_RESULT, privileged: true, ext: 'OTHER', note: 'SEV-SNP' }),
];

/**
 * mov to/from CR and DR always uses the register form: ModRM.mod is ignored, so these rows must
 * not be restricted to `reg` and the decoder must read rm as a register whatever mod says.
 * CR1 and CR5-CR7 are invalid (iced); every DR encoding is accepted.
 */
function systemRegisterRows(): OpcodeRow[] {
  const facts = { flags: MOV_SYSTEM_REGISTER, privileged: true as const, ext: '386' as const };
  const controlRegisters = [0, 2, 3, 4];
  return [
    ...controlRegisters.map((cr) => op(`0F 20 /${cr}`, 'mov', 'Rd,Cd', facts)),
    op('0F 21 /r', 'mov', 'Rd,Dd', facts),
    ...controlRegisters.map((cr) => op(`0F 22 /${cr}`, 'mov', 'Cd,Rd', facts)),
    op('0F 23 /r', 'mov', 'Dd,Rd', facts),
  ];
}

const MISC_SYSTEM_ROWS: OpcodeRow[] = [
  // lar/lsl read a 16-bit selector from memory but show a full register in the register form.
  op('0F 02 /r mem', 'lar', 'Gv,Mw', { flags: ZF_ONLY, ext: '286' }),
  op('0F 02 /r reg', 'lar', 'Gv,Rv', { flags: ZF_ONLY, ext: '286' }),
  op('0F 03 /r mem', 'lsl', 'Gv,Mw', { flags: ZF_ONLY, ext: '286' }),
  op('0F 03 /r reg', 'lsl', 'Gv,Rv', { flags: ZF_ONLY, ext: '286' }),
  op('0F 05', 'syscall', '', { flow: 'sys', flags: { w: 'IR' }, ext: 'OTHER', note: 'AMD syscall (legacy mode)' }),
  op('0F 06', 'clts', '', { privileged: true, ext: '286' }),
  op('0F 07', 'sysret', '', { flow: 'sys', flags: { w: 'I' }, privileged: true, ext: 'OTHER', note: 'AMD sysret (legacy mode)' }),
  op('0F 08', 'invd', '', { privileged: true, ext: '486' }),
  op('0F 09', 'wbinvd', '', { privileged: true, ext: '486' }),
  op('F3 0F 09', 'wbnoinvd', '', { privileged: true, ext: 'OTHER', note: 'WBNOINVD' }),
  op('0F 30', 'wrmsr', '', { privileged: true, ext: 'P5' }),
  op('0F 31', 'rdtsc', '', { ext: 'P5' }),
  op('0F 32', 'rdmsr', '', { privileged: true, ext: 'P5' }),
  op('0F 33', 'rdpmc', '', { ext: 'P6' }),
  op('0F 34', 'sysenter', '', { flow: 'sys', flags: { w: 'IR' }, ext: 'P6' }),
  op('0F 35', 'sysexit', '', { flow: 'sys', privileged: true, ext: 'P6' }),
  op('NP 0F 37', 'getsec', '', { flow: 'sys', ext: 'SMX' }),
  op('0F AA', 'rsm', '', { flow: 'iret', flags: WRITES_ALL, privileged: true, ext: '386', note: 'leaves system management mode' }),
  op('NP 0F 78 /r', 'vmread', 'Ed,Gd', { flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
  op('NP 0F 79 /r', 'vmwrite', 'Gd,Ed', { flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
];

/** Grp15 (0F AE). The fences accept any rm in the register form (iced; objdump only F0 and F8). */
const GROUP15_ROWS: OpcodeRow[] = [
  op('NP 0F AE /0 mem', 'fxsave', 'Mfx', { suffix: 'never', ext: 'P6', note: 'FXSR' }),
  op('NP 0F AE /1 mem', 'fxrstor', 'Mfx', { suffix: 'never', ext: 'P6', note: 'FXSR' }),
  op('NP 0F AE /2 mem', 'ldmxcsr', 'Md', { suffix: 'never', ext: 'SSE' }),
  op('NP 0F AE /3 mem', 'stmxcsr', 'Md', { suffix: 'never', ext: 'SSE' }),
  op('NP 0F AE /4 mem', 'xsave', 'Mxs', { suffix: 'never', ext: 'XSAVE' }),
  op('NP 0F AE /5 mem', 'xrstor', 'Mxs', { suffix: 'never', ext: 'XSAVE' }),
  op('NP 0F AE /6 mem', 'xsaveopt', 'Mxs', { suffix: 'never', ext: 'XSAVE' }),
  op('NP 0F AE /7 mem', 'clflush', 'Mb', { suffix: 'never', ext: 'SSE2' }),
  op('NP 0F AE /5 reg', 'lfence', '', { ext: 'SSE2' }),
  op('NP 0F AE /6 reg', 'mfence', '', { ext: 'SSE2' }),
  op('NP 0F AE /7 reg', 'sfence', '', { ext: 'SSE' }),
  op('66 0F AE /6 mem', 'clwb', 'Mb', { suffix: 'never', ext: 'CLWB' }),
  op('66 0F AE /6 reg', 'tpause', 'Rd', { flow: 'halt', flags: STATUS_RESULT, ext: 'WAITPKG' }),
  op('66 0F AE /7 mem', 'clflushopt', 'Mb', { suffix: 'never', ext: 'CLFLUSHOPT' }),
  // ptwrite has no 16-bit form: with a 66 prefix the encoding is invalid.
  op('F3 0F AE /4', 'ptwrite', 'Ed', { osize: 32, suffix: 'never', ext: 'OTHER', note: 'PTWRITE' }),
  op('F3 0F AE /5 reg', 'incsspd', 'Rd', { ext: 'OTHER', note: 'CET shadow stack' }),
  op('F3 0F AE /6 mem', 'clrssbsy', 'Mq', { suffix: 'never', flags: STATUS_RESULT, privileged: true, ext: 'OTHER', note: 'CET shadow stack' }),
  // umonitor takes an address register: its size follows the address size (67), not 66.
  op('F3 0F AE /6 reg', 'umonitor', 'Rd', { asize: 32, ext: 'WAITPKG' }),
  op('F3 0F AE /6 reg', 'umonitor', 'Rw', { asize: 16, ext: 'WAITPKG' }),
  op('F2 0F AE /6 reg', 'umwait', 'Rd', { flow: 'halt', flags: STATUS_RESULT, ext: 'WAITPKG' }),
];

/**
 * Grp9 (0F C7). rdrand/rdseed accept 66 (16-bit result) but not F2/F3, hence NP and 66 rows;
 * a 66 consumed as a mandatory prefix does not change the operand size, so the 66 rows name the
 * 16-bit register directly. cmpxchg8b accepts every prefix.
 */
const GROUP9_ROWS: OpcodeRow[] = [
  op('0F C7 /1 mem', 'cmpxchg8b', 'Mq', { flags: ZF_ONLY, lock: true, suffix: 'never', ext: 'P5' }),
  op('NP 0F C7 /3 mem', 'xrstors', 'Mxs', { suffix: 'never', privileged: true, ext: 'XSAVE' }),
  op('NP 0F C7 /4 mem', 'xsavec', 'Mxs', { suffix: 'never', ext: 'XSAVE' }),
  op('NP 0F C7 /5 mem', 'xsaves', 'Mxs', { suffix: 'never', privileged: true, ext: 'XSAVE' }),
  op('NP 0F C7 /6 mem', 'vmptrld', 'Mq', { suffix: 'never', flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
  op('66 0F C7 /6 mem', 'vmclear', 'Mq', { suffix: 'never', flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
  op('F3 0F C7 /6 mem', 'vmxon', 'Mq', { suffix: 'never', flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
  op('NP 0F C7 /7 mem', 'vmptrst', 'Mq', { suffix: 'never', flags: VMX_STATUS, privileged: true, ext: 'VMX' }),
  op('NP 0F C7 /6 reg', 'rdrand', 'Rd', { flags: STATUS_RESULT, ext: 'RDRAND' }),
  op('66 0F C7 /6 reg', 'rdrand', 'Rw', { flags: STATUS_RESULT, ext: 'RDRAND' }),
  op('NP 0F C7 /7 reg', 'rdseed', 'Rd', { flags: STATUS_RESULT, ext: 'RDSEED' }),
  op('66 0F C7 /7 reg', 'rdseed', 'Rw', { flags: STATUS_RESULT, ext: 'RDSEED' }),
  op('F3 0F C7 /7 reg', 'rdpid', 'Rd', { ext: 'OTHER', note: 'RDPID' }),
];

/**
 * VIA PadLock (0F A6/A7 with a register-form ModRM selecting the operation by its reg field).
 * All but xstore require F3, and F3 makes each of them repeat by (E)CX. objdump 2.40 spells that
 * F3 `repz` (also for xstore-rng), accepts only rm = 0, and does not know A6 /3-/7 or A7 /6-/7;
 * iced-x86 decodes every rm and those newer operations.
 */
function padlockRows(): OpcodeRow[] {
  const facts = (name: string) => ({ rep: 'rep' as const, repzAlways: true as const, ext: 'OTHER' as const, note: `VIA PadLock ${name}` });
  const a6 = ['montmul', 'xsha1', 'xsha256', 'xsha512-alt', 'xsha512', 'ccs-hash', 'undoc', 'undoc'];
  const a7 = ['', 'xcrypt-ecb', 'xcrypt-cbc', 'xcrypt-ctr', 'xcrypt-cfb', 'xcrypt-ofb', 'ccs-encrypt', 'xstore-alt'];
  return [
    // iced-x86 rejects montmul under a 67 prefix (16-bit addressing) while accepting the others.
    ...a6.map((m, i) => op(`F3 0F A6 /${i} reg`, m, '', { ...facts(m), ...(i === 0 ? { asize: 32 as const } : {}) })),
    op('0F A7 /0 reg', 'xstore-rng', '', facts('xstore')),
    ...a7.flatMap((m, i) => (i === 0 ? [] : [op(`F3 0F A7 /${i} reg`, m, '', facts(m))])),
  ];
}

export const TWO_BYTE_SYSTEM_ROWS: OpcodeRow[] = [
  ...GROUP6_ROWS,
  ...group7MemoryRows(),
  ...GROUP7_FIXED_ROWS,
  ...systemRegisterRows(),
  ...MISC_SYSTEM_ROWS,
  ...GROUP15_ROWS,
  ...GROUP9_ROWS,
  ...padlockRows(),
];

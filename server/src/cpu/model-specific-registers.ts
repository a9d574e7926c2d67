// The machine's small MSR file for rdmsr/wrmsr: the time-stamp counter (IA32_TIME_STAMP_COUNTER,
// the instruction count plus an offset wrmsr sets, so rdtsc stays deterministic), the three
// SYSENTER MSRs sysenter/sysexit read, and IA32_TSC_AUX (rdtscp's ECX). Any other MSR number is
// not implemented, and rdmsr/wrmsr raise #GP(0) as the SDM says for a reserved or unimplemented MSR.

export const IA32_TIME_STAMP_COUNTER = 0x10;
export const IA32_SYSENTER_CS = 0x174;
export const IA32_SYSENTER_ESP = 0x175;
export const IA32_SYSENTER_EIP = 0x176;
export const IA32_TSC_AUX = 0xc0000103;

const STORED = [IA32_SYSENTER_CS, IA32_SYSENTER_ESP, IA32_SYSENTER_EIP, IA32_TSC_AUX];

export class ModelSpecificRegisters {
  /** MSR number -> 64-bit value, for the MSRs kept as plain storage. */
  readonly values = new Map<number, bigint>(STORED.map((n) => [n, 0n]));
  /** TSC = instruction count + tscOffset (mod 2^64). */
  tscOffset = 0n;

  has(msr: number): boolean {
    return msr === IA32_TIME_STAMP_COUNTER || this.values.has(msr);
  }

  /** The value, or null when the MSR is not implemented. */
  read(msr: number, instructionCount: number): bigint | null {
    if (msr === IA32_TIME_STAMP_COUNTER) return this.tsc(instructionCount);
    return this.values.get(msr) ?? null;
  }

  /** False when the MSR is not implemented. */
  write(msr: number, value: bigint, instructionCount: number): boolean {
    if (msr === IA32_TIME_STAMP_COUNTER) {
      this.tscOffset = BigInt.asUintN(64, value - BigInt(instructionCount));
      return true;
    }
    if (!this.values.has(msr)) return false;
    // The SYSENTER CS MSR holds a selector: bits 63:32 are reserved and read as written here.
    this.values.set(msr, BigInt.asUintN(64, value));
    return true;
  }

  tsc(instructionCount: number): bigint {
    return BigInt.asUintN(64, BigInt(instructionCount) + this.tscOffset);
  }

  low32(msr: number): number {
    return Number((this.values.get(msr) ?? 0n) & 0xffffffffn);
  }

  clone(): ModelSpecificRegisters {
    const c = new ModelSpecificRegisters();
    for (const [k, v] of this.values) c.values.set(k, v);
    c.tscOffset = this.tscOffset;
    return c;
  }
}

// Internal signals a handler throws to end an instruction early: a fault (#DE #UD #GP #BR...),
// a trap-style software interrupt (int n, int3, into, int1) or hlt. machine.ts catches them and
// turns them into CpuException events; they never leave the emulator.

export class CpuSignal {
  constructor(
    /** 'fault': EIP goes back to the instruction; 'trap': EIP stays at the next one. */
    readonly kind: 'fault' | 'trap' | 'halt',
    readonly vector: number,
    readonly message: string,
    readonly errorCode = 0,
  ) {}
}

export function fault(vector: number, message: string, errorCode = 0): CpuSignal {
  return new CpuSignal('fault', vector, message, errorCode);
}

export function trap(vector: number, message: string): CpuSignal {
  return new CpuSignal('trap', vector, message);
}

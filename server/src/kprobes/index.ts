// Public face of the kprobe engine (static verdicts so far; live probes on the emulator follow).

export * from './kprobe-vocabulary';
export { staticVerdict, type StaticVerdict, type VerdictResult } from './static-verdict';
export { probedInstruction, type ProbedInstruction } from './probed-instruction';

// Public face of the kprobe engine (static verdicts so far; live probes on the emulator follow).

export * from './kprobe-vocabulary';
export { staticVerdict, type StaticVerdict, type VerdictResult } from './static-verdict';
export { probedInstruction, type ProbedInstruction } from './probed-instruction';
export { analyzeFunction, probeAt, NO_KERNEL_AREAS } from './function-probe-analysis';
export type { FunctionAnalysis, FunctionCode, FunctionSummary, InstructionProbe, KernelAreas, Optimizability } from './function-probe-analysis';
export { exceptionTableSites, markedAreas, parseKprobesBlacklist } from './kernel-areas';
export { CALIBRATION, REFERENCE_CPU, kprobeHitCost, kretprobeReturnCost, type HitCost, type CostPart } from './overhead-model';

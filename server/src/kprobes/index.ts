// Public face of the kprobe engine: static verdicts, function analysis, the overhead model, and
// live probes on the emulator (live/).

export * from './kprobe-vocabulary';
export { staticVerdict, type StaticVerdict, type VerdictResult } from './static-verdict';
export { probedInstruction, type ProbedInstruction } from './probed-instruction';
export { analyzeFunction, probeAt, NO_KERNEL_AREAS } from './function-probe-analysis';
export { reanalyzeFunction, ReusableFunctionAnalysis } from './function-probe-reanalysis';
export type { FunctionAnalysis, FunctionCode, FunctionSummary, InstructionProbe, KernelAreas, Optimizability } from './function-probe-analysis';
export { isOptimized, optimizabilityOf, scanFunction, type FunctionScan } from './function-probe-scan';
export { exceptionTableSites, markedAreas, parseKprobesBlacklist } from './kernel-areas';
export { CALIBRATION, REFERENCE_CPU, kprobeHitCost, kretprobeReturnCost, type HitCost, type CostPart } from './overhead-model';
export * as live from './live';

// Public face of live kprobes on the emulator: the engine (registry + hit paths per profile), its
// event and handler types. Protocol-free: it drives the cpu only through its public API.

export { KprobeEngine, SLOT_SIZE_6_1, type KprobeEngineOptions, type ProbeSite } from './kprobe-engine';
export { SLOT_SIZE_2_6 } from './resume-execution-2-6';
export { INT3, jmpRel32 } from './text-poke-and-slot-page';
export type {
  KprobeRequest, KprobeStatus, LiveKprobe, ProbeContext, ProbeEvent, ProbeEventKind, ProbeHandler, PtRegs, RegisterErrno, RegisterResult, StepTrapKind,
} from './live-probe-types';
export { classifyHits, type ObservedHit } from './hit-classification';
export { registerKretprobe, type KretprobeRequest, type LiveKretprobe } from './kretprobe-trampoline';
export { PT_REGS_FIELDS, PT_REGS_SIZE, assemblyHandler } from './assembly-handler-call';
export {
  EMPTY_POST_HANDLER, addHandlerOption, handlerLabelsAt, probeHandlersAt, readHandlerAssignments, resolveHandlerAssignments,
  type HandlerAssignments, type HandlerKind, type HandlerLabels, type ResolvedHandlers,
} from './assembly-handlers-by-place';
export {
  PROGRAM_STACK_BASE, PROGRAM_STACK_SIZE, formatProbeEvent, kernelConfigFor, loadAssemblyProgram, probeSiteState, probeSummaryLine, profileSummaryLine,
  emptyHitTally, symbolizeAddress, tallyHits, type AssemblyProgram, type HitTally,
} from './probed-assembly-program';

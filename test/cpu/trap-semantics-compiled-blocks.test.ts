// The trap fixtures of trap-semantics.test.ts again, with every block compiled on its first visit,
// so run() executes them through the block compiler: faults restarting inside a block, #PF with
// CR2, int3, self-modifying stores and int3 arming over compiled code, host breakpoints and DR7
// (which fall back to the interpreter) must behave exactly as in the interpreter.

process.env.KBOOST_CPU_COMPILE_FIRST_VISIT = '1';
// require, not import: the variable must be set before the fixtures load.
require('./trap-semantics.test');

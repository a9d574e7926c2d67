// The sources the editor's incremental-versus-fresh tests draw lines and documents from: samples
// and fixtures with functions, verdict contracts, Intel syntax, macros and relaxed branches.

export const ANALYSIS_SAMPLE_FILES = [
  'samples/seed-walkthrough.S',
  'samples/three-generations.S',
  'test/fixtures/lsp/verdicts-linux-2.6.18.S',
  'test/fixtures/asm/intel-syntax.s',
  'test/fixtures/asm/macros-and-conditionals.s',
  'test/fixtures/asm/branches-and-relaxation.s',
];

// The live engine against the static verdict: for many instructions, each run twice in a loop
// under a probe, the first hit executes as verdict.firstHit says, later hits as verdict.laterHits,
// and (2.6.x) the probe's boostable flag goes from atRegistration to afterFirstHit. With 6.1's
// optprobes due at once, every hit of a probe the function analysis calls optimizable goes through
// the detour, and the others execute as without optprobes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFunction, type KernelConfig } from '../../../server/src/kprobes';
import { classifyHits } from '../../../server/src/kprobes/live';
import { containingFunction } from '../../../server/src/kprobes/live/kprobe-registry';
import { engineFor, loadProgram, PROFILE_CONFIGS, runToHalt } from './live-probe-support';

/** One instruction (or a line ending at `probe:`), executed twice; it must keep %ebp and stay safe. */
const SNIPPETS: readonly string[] = [
  'add %ecx, %eax', 'sub $3, %ebx', 'adc %edx, %eax', 'and $0xff, %eax', 'or %ebx, %ecx', 'xor %eax, %eax', 'cmp $1, %eax',
  'test %eax, %ebx', 'inc %eax', 'dec %ebx', 'neg %ecx', 'not %edx', 'lea 4(%eax,%ebx,2), %edx', 'mov $0x12345678, %eax',
  'mov %eax, scratch', 'mov scratch, %ebx', 'movl $7, scratch+4', 'movb $7, scratch+4', 'movzbl %al, %ecx', 'movswl %ax, %edx',
  'xchg %eax, %ebx', 'xchg %ecx, %edx', 'nop', 'cwtl', 'cltd', 'shl $3, %edx', 'sar %cl, %eax', 'rol $1, %ebx', 'shr %edx',
  'imul $7, %eax, %eax', 'imul %ebx, %eax', 'mul %ebx', 'bsf %ebx, %eax', 'bt $3, %eax', 'bswap %eax', 'cmovz %ebx, %ecx',
  'sete %al', 'shld $4, %ebx, %eax', 'xadd %eax, %ebx', 'cmpxchg %ebx, scratch', 'movsbl scratch, %eax',
  'addw $1, %ax', 'movw %ax, scratch', 'movl %fs:scratch, %eax', 'movl %cs:scratch, %eax', 'movl %ds:scratch, %eax', 'movl %ss:scratch, %eax',
  'push %eax\n  pop %ebx', 'push $5\n  add $4, %esp', 'pushf\n  popf', 'cli', 'sti', 'cld', 'std\n  cld', 'stc', 'cmc', 'sahf', 'lahf',
  'lodsl', 'stosb', 'movsl', 'rep stosb', 'rep movsb', 'repe cmpsb',
  'jmp 1f\n1:', 'jz 1f\n  inc %eax\n1:', 'jnz 1f\n  inc %eax\n1:', 'jecxz 1f\n1:', 'loop 1f\n1:',
  'call f', 'push $1f\n  ret\n1:', 'mov $f, %edx\n  call *%edx', 'mov $1f, %edx\n  jmp *%edx\n1:',
];

function programFor(snippet: string): string {
  // The probe is on the first instruction of the snippet (label probe).
  return `
.data
scratch: .long 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24
.text
.globl _start
_start:
  mov $2, %ebp
top:
  lea scratch, %esi
  lea scratch+32, %edi
  mov $3, %ecx
  mov $5, %ebx
probe:
  ${snippet}
  dec %ebp
  jnz top
  hlt
f:
  ret
`;
}

for (const pc of PROFILE_CONFIGS) {
  test(`${pc.label}: hits execute as the static verdict predicts (${SNIPPETS.length} instructions)`, () => {
    let checked = 0;
    for (const snippet of SNIPPETS) {
      const p = loadProgram(programFor(snippet));
      const engine = engineFor(p, pc.profile, pc.config);
      const r = engine.register({ symbol: 'probe', preHandler: () => 0 });
      assert.ok(r.ok, `${snippet}: ${r.ok ? '' : r.rule}`);
      if (!r.ok) continue;
      const site = engine.site(r.probe.address)!;
      const v = site.verdict;
      if (v.boostable !== null) assert.equal(site.boostable, v.boostable.atRegistration, `${snippet}: boostable at registration`);
      assert.equal(runToHalt(p.machine), 'halt', snippet);
      const hits = classifyHits(engine.trace, r.probe.address);
      assert.ok(hits.length >= 2, `${snippet}: ${hits.length} hits`);
      assert.equal(hits[0]!.execution, v.firstHit, `${snippet}: first hit (${v.summary})`);
      if (v.laterHits !== 'depends') {
        for (const h of hits.slice(1)) assert.equal(h.execution, v.laterHits, `${snippet}: later hit (${v.summary})`);
      }
      if (v.boostable !== null && v.boostable.afterFirstHit !== 'depends') {
        assert.equal(site.boostable, v.boostable.afterFirstHit, `${snippet}: boostable after the first hit`);
      }
      checked++;
    }
    assert.equal(checked, SNIPPETS.length);
  });
}

for (const config of [{ preemption: true, optprobes: true }, { preemption: false, optprobes: true }] satisfies KernelConfig[]) {
  test(`linux-6.1 (PREEMPTION=${config.preemption ? 'y' : 'n'}) with optprobes due at once: optimizable probes run through the detour (${SNIPPETS.length} instructions)`, () => {
    let optimized = 0;
    for (const snippet of SNIPPETS) {
      const reference = loadProgram(programFor(snippet));
      const address = reference.loaded.symbols.get('probe')!;
      const fn = containingFunction(address, reference.loaded)!;
      const bytes = reference.machine.memory.readBytes(fn.start, fn.end - fn.start) as Uint8Array;
      const analysis = analyzeFunction({ name: fn.name, address: fn.start, bytes }, 'linux-6.1', { postHandler: false }, config);
      const probe = analysis.instructions.find((i) => i.address === address)!;
      const p = loadProgram(programFor(snippet));
      const engine = engineFor(p, 'linux-6.1', config, { optimizeDelay: 0 });
      const r = engine.register({ symbol: 'probe', preHandler: () => 0 });
      assert.ok(r.ok, snippet);
      assert.equal(runToHalt(p.machine), 'halt', snippet);
      const hits = classifyHits(engine.trace, address).map((h) => h.execution);
      const v = probe.verdict!;
      if (probe.optimizable?.ok) {
        assert.ok(hits.length >= 2 && hits.every((h) => h === 'optimized'), `${snippet}: ${hits.join(',')} (${probe.optimizable.why})`);
        optimized++;
      } else {
        assert.equal(hits[0], v.firstHit, `${snippet}: ${probe.optimizable?.why}`);
        if (v.laterHits !== 'depends') for (const h of hits.slice(1)) assert.equal(h, v.laterHits, snippet);
      }
    }
    assert.ok(optimized > 0);
    console.log(`# optprobes: ${optimized} of ${SNIPPETS.length} snippets optimized`);
  });
}

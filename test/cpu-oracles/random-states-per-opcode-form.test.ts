// Random states per opcode form against the real CPU: every integer 386/486/P5/P6 form of the
// opcode table (register and memory operands, 16- and 32-bit, with and without rep; jcc and loop
// jumping over an `inc %eax`) runs from
// KBOOST_SNIPPET_STATES random states (default 1000, seed KBOOST_SNIPPET_SEED) natively in the
// snippet runner and in the emulator; results must agree, undefined flags masked from the table.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildNativeOracles, envCount } from './native-oracle-builds';
import { Rng, randomCaseOfEntry, seedOf, snippetForms, type SnippetCase, type SnippetForm } from './opcode-form-snippets';
import { EmulatorSnippetRunner, compareOutcomes, describeCase, runNative } from './snippet-runner-comparison';

/** Forms the emulator does not match yet (form name -> reason); kept empty when all agree. */
const KNOWN_MISMATCHES: Record<string, string> = {};

const lookup = buildNativeOracles();
const states = envCount('KBOOST_SNIPPET_STATES', 1000);
const seed = envCount('KBOOST_SNIPPET_SEED', 1);
/** What the known mismatches still show, for the todo test below. */
const todo: string[] = [];

describe(`random states per opcode form (${states} per form, seed ${seed})`, { skip: lookup.ok ? false : lookup.reason }, () => {
  if (!lookup.ok) return;
  const runner = lookup.builds.snippetRunner;
  const forms = snippetForms();

  it('the generator builds encodings the decoder maps back to their entry', () => {
    const bad = forms.filter((form) => randomCaseOfEntry(form, new Rng(seedOf(form.name, seed))) === null).map((f) => f.name);
    assert.deepEqual(bad, []);
    assert.ok(forms.length > 300, `only ${forms.length} forms`);
  });

  it(`every form agrees with the real CPU (${forms.length} forms)`, () => {
    const emulator = new EmulatorSnippetRunner();
    const failures: string[] = [];

    let compared = 0;
    let faults = 0;
    // Batches of forms keep the runner's pipes small and the process count low.
    const batchForms = 16;
    for (let f = 0; f < forms.length; f += batchForms) {
      const group = forms.slice(f, f + batchForms);
      const cases: SnippetCase[] = [];
      const caseForms: SnippetForm[] = [];
      for (const form of group) {
        const rng = new Rng(seedOf(form.name, seed));
        for (let k = 0; k < states; k++) {
          const c = randomCaseOfEntry(form, rng);
          if (c === null) continue;
          cases.push(c);
          caseForms.push(form);
        }
      }
      const native = runNative(runner, cases);
      if ('error' in native) assert.fail(native.error);
      const firstFailure = new Map<SnippetForm, { text: string; failed: number }>();
      cases.forEach((c, k) => {
        const form = caseForms[k]!;
        const n = native[k]!;
        if (n.signal) faults++;
        const problem = compareOutcomes(form, n, emulator.run(c));
        compared++;
        if (problem) {
          const seen = firstFailure.get(form);
          if (seen) seen.failed++;
          else firstFailure.set(form, { text: `${describeCase(c)}: ${problem}`, failed: 1 });
        }
      });
      for (const [form, { text, failed }] of firstFailure) {
        (KNOWN_MISMATCHES[form.name] ? todo : failures).push(`${form.name}: ${failed} of ${states} states differ; first: ${text}`);
      }
    }
    console.log(`snippets: ${forms.length} forms, ${compared} states compared, ${faults} faulted natively, ${failures.length} forms differ, ${todo.length} known`);
    for (const line of [...failures, ...todo]) console.log(`  ${line}`);
    assert.deepEqual(failures, []);
  });

  const known = Object.entries(KNOWN_MISMATCHES);
  it('the known mismatches agree too', known.length ? { todo: known.map(([f, why]) => `${f.trim()}: ${why}`).join('; ') } : {}, () => {
    assert.deepEqual(todo, []);
  });
});

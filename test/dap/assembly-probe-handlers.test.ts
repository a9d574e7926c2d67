// Probe handlers written in assembly (launch `handlers`, `kboost run --pre-handler/--post-handler`).
// Oracle: the KprobeEngine driven directly here on the same program, with the same handlers made by
// engine.assemblyHandler. A post_handler turns a boosted probe into a single-stepped one (step trap,
// fix-up, post_handler) and the adapter's stages are the engine's events; a pre_handler that adds 1
// to pt_regs->ax changes the final %eax as the direct run does, and `kboost run` prints the same
// probe summary. Unknown places and labels are launch errors naming them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { hex } from '../../server/src/cpu';
import { DEFAULT_KERNEL_CONFIG, analyzeFunction, probeAt, type KernelConfig, type ProfileId } from '../../server/src/kprobes';
import { KprobeEngine, loadAssemblyProgram, probeSummaryLine, symbolizeAddress, type ProbeEvent, type ProbeHandler } from '../../server/src/kprobes/live';
import { runCli } from '../cli/cli-test-support';
import { FIXTURES, collectOutput, launchConfigured, launchWithBreakpoints, lineOf, runToEndContinuing, shownRegisters, hitStageKinds, stepInThroughHit, withAdapter } from './debug-adapter-client';

const PROGRAM = path.join(FIXTURES, 'assembly-handlers.s');
const SOURCE = readFileSync(PROGRAM, 'utf8');
const LINE = lineOf(SOURCE, 'bp-loop');

interface DirectRun { events: ProbeEvent[]; eax: number; summary: string }

/** The program run here with a probe on `body`, its handlers made by the engine from labels. */
function directRun(profile: ProfileId, config: KernelConfig, labels: { pre?: string; post?: string }): DirectRun {
  const program = loadAssemblyProgram(PROGRAM, '_start');
  assert.ok(!('errors' in program));
  const engine = new KprobeEngine(program.machine, { profile, config, image: program.loaded });
  const made = (label: string | undefined): ProbeHandler | undefined => (label === undefined ? undefined : engine.assemblyHandler(program.loaded.symbols.get(label)!));
  const r = engine.register({ symbol: 'body', preHandler: made(labels.pre) ?? (() => 0), ...(labels.post !== undefined ? { postHandler: made(labels.post) } : {}) });
  assert.ok(r.ok);
  assert.equal(program.machine.run(100_000).stop.kind, 'halt');
  const summary = probeSummaryLine(engine, r.probe, (a) => symbolizeAddress(program.loaded, a));
  return { events: engine.trace.filter((e) => e.kind !== 'arm'), eax: program.machine.getRegisters().eax, summary };
}

/** The static verdict of `body`'s first instruction with or without a post_handler (what `kboost check --post-handler` says). */
function staticVerdict(profile: ProfileId, config: KernelConfig, postHandler: boolean) {
  const program = loadAssemblyProgram(PROGRAM, '_start');
  assert.ok(!('errors' in program));
  const text = program.image.sections.find((s) => s.name === '.text')!;
  const at = (name: string) => program.image.symbols.find((s) => s.name === name)!.value;
  const address = program.loaded.symbols.get('body')!;
  const probe = probeAt(analyzeFunction({ name: 'body', address, bytes: text.bytes.subarray(at('body'), at('bump_ax')) }, profile, { postHandler }, config), address);
  assert.ok(probe.ok);
  return probe.probe.verdict!;
}

function firstHit(events: ProbeEvent[]): ProbeEvent[] {
  let last = 0;
  events.forEach((e, k) => { if ('hit' in e && e.hit === 1) last = k; });
  return events.slice(0, last + 1);
}

/** stepIn from the breakpoint through the hit: each stop's description, and the Hit stages rows' kinds. */
async function walkHit(client: DebugClient): Promise<{ words: string[]; kinds: string[] }> {
  const words = await stepInThroughHit(client);
  return { words, kinds: (await hitStageKinds(client)).filter((k) => k !== 'cpu') };
}

const PROFILES: Array<{ profile: ProfileId; launch: Record<string, unknown>; config: KernelConfig }> = [
  { profile: 'rfc-2.6.15', launch: {}, config: DEFAULT_KERNEL_CONFIG['rfc-2.6.15'] },
  { profile: 'linux-2.6.18', launch: {}, config: DEFAULT_KERNEL_CONFIG['linux-2.6.18'] },
  { profile: 'linux-6.1', launch: { preemption: 'off' }, config: { preemption: false, optprobes: true } },
];

for (const c of PROFILES) {
  test(`${c.profile}: a post_handler makes the boosted probe single-stepped, stage by stage as the engine runs it`, async () => {
    const plain = directRun(c.profile, c.config, {});
    const withPost = directRun(c.profile, c.config, { post: 'quiet_post' });
    const modes = (events: ProbeEvent[]) => events.flatMap((e) => (e.kind === 'slot-enter' ? [e.mode] : []));
    assert.ok(modes(plain.events).includes('boosted'), 'boosted without a post_handler');
    assert.deepEqual(modes(withPost.events), ['single-step', 'single-step', 'single-step']);
    const expected = firstHit(withPost.events);
    for (const kind of ['step-trap', 'fixup', 'handler-enter', 'handler-leave']) assert.ok(expected.some((e) => e.kind === kind), kind);
    assert.equal(withPost.eax, plain.eax, 'an empty post_handler changes no result');

    for (const launch of [{ handlers: { body: { post: 'quiet_post' } } }, { handlers: { '*': { post: 'quiet_post' } } }]) {
      await withAdapter(async ({ client }) => {
        const stopped = client.waitForEvent('stopped');
        const set = await launchWithBreakpoints(client, { program: PROGRAM, profile: c.profile, ...c.launch, ...launch }, [LINE]);
        await stopped;
        const message = set.body.breakpoints[0]!.message ?? '';
        const verdict = staticVerdict(c.profile, c.config, true);
        assert.notEqual(verdict.summary, staticVerdict(c.profile, c.config, false).summary);
        assert.ok(message.includes(`first hit ${verdict.firstHit}`) && message.includes(verdict.summary), message);
        if (c.profile === 'linux-6.1') assert.match(message, /first hit single-stepped/, message);
        const { words, kinds } = await walkHit(client);
        assert.deepEqual(kinds, expected.map((e) => e.kind));
        assert.ok(words.some((w) => /^post_handler quiet_post of probe \d+ returned 0; no register changed$/.test(w)), words.join('\n'));
      });
    }
  });
}

test('the shorthand postHandler: true gives every probe an empty post_handler (linux-6.1, preemption off)', async () => {
  const expected = firstHit(directRun('linux-6.1', { preemption: false, optprobes: true }, { post: 'quiet_post' }).events);
  await withAdapter(async ({ client }) => {
    const stopped = client.waitForEvent('stopped');
    const set = await launchWithBreakpoints(client, { program: PROGRAM, profile: 'linux-6.1', preemption: 'off', postHandler: true }, [LINE]);
    await stopped;
    assert.match(set.body.breakpoints[0]!.message ?? '', /first hit single-stepped/);
    const { kinds } = await walkHit(client);
    assert.deepEqual(kinds, expected.map((e) => e.kind));
  });
});

test('a pre_handler adding 1 to pt_regs->ax: the final %eax and the summary of the direct run, of kboost run and of the adapter agree', async () => {
  const config = { preemption: false, optprobes: true };
  const plain = directRun('linux-6.1', config, {});
  const direct = directRun('linux-6.1', config, { pre: 'bump_ax' });
  assert.equal(direct.eax, (plain.eax + 3) >>> 0, 'three hits, one more each');
  const cli = await runCli(['run', '--probe', 'body', '--profile', 'linux-6.1', '--preemption', 'off', '--pre-handler', 'body=bump_ax', PROGRAM]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.ok(cli.stdout.split('\n').includes(direct.summary), `${direct.summary}\n${cli.stdout}`);
  await withAdapter(async ({ client }) => {
    const { output } = await runToEndContinuing(client, { program: PROGRAM, profile: 'linux-6.1', preemption: 'off', handlers: { body: { pre: 'bump_ax' } } }, [LINE]);
    assert.match(output, new RegExp(`# hlt after \\d+ instructions: eax=0x${hex(direct.eax)} `));
    assert.ok(output.split('\n').includes(direct.summary), output);
  });
  // Stepping names the handler and the register it changed (hit 1: ax was 0).
  await withAdapter(async ({ client }) => {
    const stopped = client.waitForEvent('stopped');
    await launchWithBreakpoints(client, { program: PROGRAM, profile: 'linux-6.1', preemption: 'off', handlers: { body: { pre: 'bump_ax' } } }, [LINE]);
    await stopped;
    const { words } = await walkHit(client);
    assert.ok(words.some((w) => /^pre_handler bump_ax of probe \d+ called/.test(w)), words.join('\n'));
    assert.ok(words.some((w) => new RegExp(`^pre_handler bump_ax of probe \\d+ returned 0; changed eax 0x${hex(0)} -> 0x${hex(1)}$`).test(w)), words.join('\n'));
  });
});

test('beside a user pre_handler, a condition still decides the stop and a logpoint still prints (before the handler runs)', async () => {
  const direct = directRun('linux-6.1', { preemption: false, optprobes: true }, { pre: 'bump_ax' });
  const launch = { program: PROGRAM, profile: 'linux-6.1', preemption: 'off', handlers: { '*': { pre: 'bump_ax' } } };
  await withAdapter(async ({ client }) => {
    const stopped = client.waitForEvent('stopped');
    // Hits see cx = 3, 2, 1: the condition stops at the third only, where ax is 3 + 1 + 2 + 1 = 7.
    await launchConfigured(client, launch, () => client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [{ line: LINE, condition: '%cx == 1' }] }));
    await stopped;
    assert.equal((await shownRegisters(client)).ecx, 1);
    assert.equal((await shownRegisters(client)).eax, 7);
    const terminated = client.waitForEvent('terminated');
    const output = collectOutput(client);
    await client.continueRequest({ threadId: 1 });
    await terminated;
    assert.match(output(), new RegExp(`eax=0x${hex(direct.eax)} `));
  });
  await withAdapter(async ({ client }) => {
    const output = collectOutput(client);
    const terminated = client.waitForEvent('terminated');
    await launchConfigured(client, launch, () => client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [{ line: LINE, logMessage: 'ax={%ax:u32}' }] }));
    await terminated;
    const logged = output().split('\n').filter((l) => l.includes('p_body_0:')).map((l) => l.replace(/^.*ax=/, ''));
    assert.deepEqual(logged, ['0', '4', '7']);
    assert.match(output(), new RegExp(`eax=0x${hex(direct.eax)} `));
  });
});

test('unknown places and labels are launch errors naming them; kboost run says the same', async () => {
  await withAdapter(async ({ client }) => {
    const error = async (handlers: unknown): Promise<string> => {
      try {
        await client.launchRequest({ program: PROGRAM, handlers } as never);
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
      return assert.fail(`launch with ${JSON.stringify(handlers)} succeeded`);
    };
    assert.match(await error({ nowhere: { pre: 'bump_ax' } }), /unknown probe place 'nowhere'/);
    assert.match(await error({ 'body+2': { post: 'no_such_label' } }), /post_handler of body\+2: unknown label 'no_such_label'/);
    assert.match(await error({ body: { mid: 'bump_ax' } }), /unknown key 'mid'/);
    assert.match(await error(['body']), /'handlers' must be an object/);
  });
  const cli = await runCli(['run', '--probe', 'body', '--pre-handler', 'body=no_such_label', PROGRAM]);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /pre_handler of body: unknown label 'no_such_label'/);
  const malformed = await runCli(['run', '--probe', 'body', '--post-handler', 'quiet_post', PROGRAM]);
  assert.notEqual(malformed.code, 0);
  assert.match(malformed.stderr, /--post-handler needs PLACE=LABEL/);
});

// Static verdicts of chosen instructions, each line a statement of kprobes-reference.md: the
// registration result, how hits execute, and (2.6.x) the `boostable` flag before and after the
// first hit. Format per fixture: hex bytes, profile, expected fields.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '../../server/src/isa';
import { staticVerdict, type ProfileId } from '../../server/src/kprobes';

interface Fixture {
  hex: string;
  profile: ProfileId;
  registration?: string; // 'ok' or an errno
  first?: string;
  later?: string;
  flag?: string; // "before->after"
  note?: RegExp;
  postHandler?: boolean;
  preemption?: boolean;
}

const FIXTURES: Fixture[] = [
  // §2 rfc-2.6.15: lazy boost after the first step.
  { hex: '55', profile: 'rfc-2.6.15', first: 'single-stepped', later: 'boosted', flag: '0->1' },
  { hex: 'eb 00', profile: 'rfc-2.6.15', flag: '0->1' },
  { hex: 'eb 08', profile: 'rfc-2.6.15', flag: '0->1' },
  { hex: 'eb 09', profile: 'rfc-2.6.15', flag: '0->-1' },
  { hex: 'e9 00 01 00 00', profile: 'rfc-2.6.15', flag: '0->-1' },
  { hex: 'c3', profile: 'rfc-2.6.15', flag: '0->1' },
  { hex: 'ea 00 00 00 00 10 00', profile: 'rfc-2.6.15', flag: '0->1' },
  { hex: 'ff e0', profile: 'rfc-2.6.15', flag: '-1->1', later: 'boosted' },
  { hex: 'ff 20', profile: 'rfc-2.6.15', flag: '-1->1' },
  { hex: 'ff d0', profile: 'rfc-2.6.15', flag: '-1->-1', later: 'single-stepped' },
  { hex: 'cf', profile: 'rfc-2.6.15', flag: '0->-1', note: /no fix-up case for iret/ },
  { hex: 'e8 00 00 00 00', profile: 'rfc-2.6.15', flag: '-1->-1' },
  { hex: '9c', profile: 'rfc-2.6.15', flag: '-1->-1' },
  { hex: 'f3 a5', profile: 'rfc-2.6.15', flag: '-1->-1' },
  { hex: '8e d0', profile: 'rfc-2.6.15', flag: '0->depends', later: 'depends' },
  { hex: '55', profile: 'rfc-2.6.15', postHandler: true, later: 'single-stepped', flag: '0->1' },
  { hex: '55', profile: 'rfc-2.6.15', preemption: true, later: 'single-stepped' },
  // An instruction of 10 bytes leaves room for the jump back; 11 does not ((ip - slot) + 5 < 16).
  { hex: 'c7 80 00 01 00 00 01 00 00 00', profile: 'linux-2.6.18', flag: '0->1' },
  { hex: 'c7 84 24 00 01 00 00 01 00 00 00', profile: 'linux-2.6.18', flag: '0->-1' },
  // §3 linux-2.6.18.
  { hex: '9c', profile: 'linux-2.6.18', flag: '0->1', later: 'boosted' },
  { hex: 'cf', profile: 'linux-2.6.18', flag: '0->1' },
  { hex: 'c6 00 01', profile: 'linux-2.6.18', flag: '0->1' },
  { hex: 'f3 c3', profile: 'linux-2.6.18', flag: '0->-1', note: /kernel bug/ },
  { hex: '3e c3', profile: 'linux-2.6.18', flag: '0->-1', note: /kernel bug/ },
  { hex: '9a 00 00 00 00 10 00', profile: 'linux-2.6.18', flag: '-1->-1' },
  { hex: 'eb 00', profile: 'linux-2.6.18', flag: '-1->-1' },
  { hex: 'f3 a5', profile: 'linux-2.6.18', flag: '0->depends', later: 'depends' },
  { hex: '0f b6 c0', profile: 'linux-2.6.18', flag: '0->1' },
  { hex: '0f 84 00 00 00 00', profile: 'linux-2.6.18', flag: '-1->-1' },
  { hex: '55', profile: 'linux-2.6.18', preemption: true, later: 'single-stepped' },
  // §4 linux-6.1: refusals, boosting at registration, emulation.
  { hex: 'cc', profile: 'linux-6.1', registration: 'EINVAL', first: 'refused' },
  { hex: '8e d0', profile: 'linux-6.1', registration: 'EINVAL' },
  { hex: '1f', profile: 'linux-6.1', registration: 'EINVAL', note: undefined },
  { hex: '17', profile: 'linux-6.1', registration: 'ok', first: 'boosted' },
  { hex: '9a 00 00 00 00 10 00', profile: 'linux-6.1', registration: 'EOPNOTSUPP' },
  { hex: 'ea 00 00 00 00 10 00', profile: 'linux-6.1', registration: 'EOPNOTSUPP' },
  { hex: 'cf', profile: 'linux-6.1', registration: 'EOPNOTSUPP' },
  { hex: 'ff 18', profile: 'linux-6.1', registration: 'EOPNOTSUPP' },
  { hex: 'ff 10', profile: 'linux-6.1', registration: 'EOPNOTSUPP' },
  { hex: '67 ff d0', profile: 'linux-6.1', registration: 'EOPNOTSUPP' },
  { hex: '0f 01 c1', profile: 'linux-6.1', registration: 'EOPNOTSUPP' },
  // 6.1's case 0xff: "Only indirect jmp is boostable"; call *reg is emulated, inc/push are stepped.
  { hex: 'ff d0', profile: 'linux-6.1', registration: 'ok', first: 'emulated' },
  { hex: 'ff e0', profile: 'linux-6.1', first: 'boosted' },
  { hex: 'ff e0', profile: 'linux-6.1', preemption: true, first: 'emulated' },
  { hex: 'ff c0', profile: 'linux-6.1', first: 'single-stepped' },
  { hex: 'ff f0', profile: 'linux-6.1', first: 'single-stepped' },
  { hex: '74 00', profile: 'linux-6.1', first: 'emulated' },
  { hex: '0f 84 00 00 00 00', profile: 'linux-6.1', first: 'emulated' },
  { hex: 'e2 00', profile: 'linux-6.1', first: 'emulated' },
  { hex: 'c3', profile: 'linux-6.1', first: 'boosted' },
  { hex: 'c3', profile: 'linux-6.1', preemption: true, first: 'emulated', note: /preemptible/ },
  { hex: 'fa', profile: 'linux-6.1', preemption: true, first: 'emulated' },
  { hex: '55', profile: 'linux-6.1', preemption: true, first: 'single-stepped', note: /boostable, but this kernel is preemptible/ },
  { hex: '55', profile: 'linux-6.1', postHandler: true, first: 'single-stepped' },
  { hex: 'c7 84 24 00 01 00 00 01 00 00 00', profile: 'linux-6.1', first: 'single-stepped', note: /does not fit/ },
  { hex: '0f c1 01', profile: 'linux-6.1', first: 'boosted' },
  { hex: '0f 1f 44 00 00', profile: 'linux-6.1', first: 'boosted' },
  { hex: '0f 19 00', profile: 'linux-6.1', note: /unreliable/ },
];

test('static verdicts follow the reference, fixture by fixture', () => {
  const wrong: string[] = [];
  for (const fx of FIXTURES) {
    const insn = decode(Uint8Array.from(fx.hex.split(' ').map((h) => parseInt(h, 16))), 0, 0xc1000000);
    const r = staticVerdict(fx.profile, insn, { postHandler: fx.postHandler ?? false }, { preemption: fx.preemption ?? false, optprobes: false });
    if (!r.ok) {
      wrong.push(`${fx.hex} ${fx.profile}: ${r.error}`);
      continue;
    }
    const v = r.verdict;
    const got = {
      registration: v.registration.ok ? 'ok' : v.registration.errno,
      first: v.firstHit,
      later: v.laterHits,
      flag: v.boostable ? `${v.boostable.atRegistration}->${v.boostable.afterFirstHit}` : undefined,
    };
    for (const key of ['registration', 'first', 'later', 'flag'] as const) {
      if (fx[key] !== undefined && fx[key] !== got[key]) wrong.push(`${fx.hex} ${fx.profile}: ${key} ${got[key]}, expected ${fx[key]} (${v.summary})`);
    }
    if (fx.note && !v.notes.some((n) => fx.note!.test(n))) wrong.push(`${fx.hex} ${fx.profile}: no note matching ${fx.note} in ${JSON.stringify(v.notes)}`);
  }
  assert.deepEqual(wrong, []);
});

test('an invalid instruction gets an error, not a verdict', () => {
  const r = staticVerdict('linux-6.1', decode(Uint8Array.from([0x0f, 0x04]), 0, 0), { postHandler: false }, { preemption: false, optprobes: false });
  assert.equal(r.ok, false);
});

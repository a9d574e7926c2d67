// can_boost of each profile against the reference tables of kprobes-reference.md: every one-byte
// opcode form and every two-byte opcode the table decodes, with and without prefixes. The expected
// lists below are transcribed from the reference; the profiles derive their answers from
// opcode-table facts, so the two are independent except for the two-byte bitmap, which both copy.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, type DecodedInstruction } from '../../server/src/isa';
import { staticVerdict, type ProfileId } from '../../server/src/kprobes';

function ranges(text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const [a, b = a] = part.split('-').map((h) => parseInt(h, 16)) as [number, number?];
    for (let x = a; x <= (b ?? a); x++) out.add(x);
  }
  return out;
}

/** §2: the seed's first bytes that are not boostable. */
const RFC_NOT_BOOSTABLE = ranges('0F 70-7F 9A 9C C0-C1 C6-C7 CC-CE D0-D3 D6 D8-DF E0-E3 E8 F0-F3 F4 F6-F7 FE-FF');
/** §3: one-byte opcodes boostable in 2.6.18 after prefix skipping, row by row. */
function linux2618OneByte(op: number): boolean {
  const row = op >> 4;
  if (row === 0x6) return op !== 0x62;
  if (row === 0x7) return false;
  if (row === 0xc) return (op >= 0xc2 && op <= 0xcb) || op === 0xcf;
  if (row === 0xd) return op === 0xd4 || op === 0xd5 || op === 0xd7;
  if (row === 0xe) return (op >= 0xe4 && op <= 0xe7) || op === 0xea || (op >= 0xec && op <= 0xef);
  if (row === 0xf) return op === 0xf5 || (op >= 0xf8 && op <= 0xfd);
  return op !== 0x9a;
}
const TWO_BYTE_2618 = ranges(
  '02-03 06 08-09 20-23 31 40-4F 60-6B 6E-6F 74-77 7E-7F 90-9F A0-A1 A3-A5 A8-A9 AB-AD AF B0-B7 BB-BF C0-C1 C8-CF D1-D3 D5 D8-D9 DB-DD DF E1-E2 E5 E8-E9 EB-ED EF F1-F3 F5 F8-FA FC-FE',
);
/** §4: one-byte opcodes that 6.1's can_boost refuses; FF passes only with ModRM.reg 4 (the kernel's `reg == 4`). */
const LINUX61_NOT_BOOSTABLE = ranges('62 70-7F 9A C0-C1 CC-CE D0-D3 D6 D8-DF E0-E3 E8-E9 EB F0-F4 F6-F7 FE');

const NO_POST = { postHandler: false };
const CONFIG = { preemption: false, optprobes: false };

function canBoost(profile: ProfileId, insn: DecodedInstruction): boolean {
  const r = staticVerdict(profile, insn, NO_POST, CONFIG);
  assert.ok(r.ok);
  return r.verdict.canBoost.ok;
}

/** Every valid instruction made of `lead` bytes, then an opcode, then ModRM forms per reg. */
function forms(lead: number[], opcode: number): DecodedInstruction[] {
  const out: DecodedInstruction[] = [];
  for (const modrm of [0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0xc0, 0xc8, 0xd0, 0xd8, 0xe0, 0xe8, 0xf0, 0xf8, 0xc1]) {
    const bytes = Uint8Array.from([...lead, opcode, modrm, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const insn = decode(bytes, 0, 0x1000);
    if (insn.valid && !out.some((o) => o.entry === insn.entry && o.length === insn.length)) out.push(insn);
  }
  return out;
}

const PREFIX_BYTES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x0f]);
const hex = (i: DecodedInstruction): string => Array.from(i.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

test('one-byte opcodes: can_boost of every profile equals the reference lists', () => {
  const wrong: string[] = [];
  let checked = 0;
  for (let op = 0; op < 256; op++) {
    if (PREFIX_BYTES.has(op) || op === 0xc4 || op === 0xc5) continue;
    for (const insn of forms([], op)) {
      checked++;
      const reg = (insn.modrm >> 3) & 7;
      const expected: Record<ProfileId, boolean> = {
        'rfc-2.6.15': !RFC_NOT_BOOSTABLE.has(op),
        'linux-2.6.18': linux2618OneByte(op),
        'linux-6.1': op === 0xff ? reg === 4 : !LINUX61_NOT_BOOSTABLE.has(op),
      };
      for (const profile of Object.keys(expected) as ProfileId[]) {
        if (canBoost(profile, insn) !== expected[profile]) wrong.push(`${profile} ${hex(insn)} (${insn.mnemonic}): expected ${expected[profile]}`);
      }
    }
  }
  assert.ok(checked > 400, `only ${checked} forms`);
  assert.deepEqual(wrong, []);
});

test('two-byte opcodes: the bitmap in 2.6.18 and 6.1 (plus 0F 1F), never in the seed', () => {
  const wrong: string[] = [];
  for (let op = 0; op < 256; op++) {
    if (op === 0x38 || op === 0x3a) continue;
    for (const lead of [[0x0f], [0x66, 0x0f], [0xf3, 0x0f], [0xf2, 0x0f]]) {
      for (const insn of forms(lead, op)) {
        const expect2618 = TWO_BYTE_2618.has(op);
        const expect61 = TWO_BYTE_2618.has(op) || op === 0x1f;
        // The seed's table sees the first byte: 0F fails, and so do F2/F3; 66 passes.
        const expectRfc = lead[0] === 0x66;
        if (canBoost('linux-2.6.18', insn) !== expect2618) wrong.push(`2.6.18 ${hex(insn)} ${insn.mnemonic}`);
        if (canBoost('linux-6.1', insn) !== expect61) wrong.push(`6.1 ${hex(insn)} ${insn.mnemonic}`);
        if (canBoost('rfc-2.6.15', insn) !== expectRfc) wrong.push(`rfc ${hex(insn)} ${insn.mnemonic}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('prefix rules of each profile', () => {
  const at = (hexText: string) => decode(Uint8Array.from(hexText.split(' ').map((h) => parseInt(h, 16))), 0, 0x1000);
  // rfc: the first byte only; F3 fails, segment and size prefixes pass whatever follows.
  assert.equal(canBoost('rfc-2.6.15', at('f3 a5')), false);
  assert.equal(canBoost('rfc-2.6.15', at('66 0f 84 00 00')), true);
  assert.equal(canBoost('rfc-2.6.15', at('3e 74 00')), true);
  // 2.6.18: 26 36 3E 64 65 66 F0 F2 F3 are skipped; 2E and 67 refuse.
  for (const p of ['26', '36', '3e', '64', '65', '66', 'f2', 'f3']) assert.equal(canBoost('linux-2.6.18', at(`${p} 89 c3`)), true, p);
  assert.equal(canBoost('linux-2.6.18', at('f0 01 03')), true);
  assert.equal(canBoost('linux-2.6.18', at('2e 89 c3')), false);
  assert.equal(canBoost('linux-2.6.18', at('67 89 07')), false);
  // 6.1: 2E/67 refuse a one-byte opcode, but a two-byte opcode is looked up before any prefix.
  assert.equal(canBoost('linux-6.1', at('2e 89 c3')), false);
  assert.equal(canBoost('linux-6.1', at('2e 0f b6 c0')), true);
  assert.equal(canBoost('linux-6.1', at('0f 38 00 c0')), false);
});

// The x87 state instructions against the real CPU: fnstenv, fnsave and fxsave images after random
// x87 work (which also checks the last instruction/data pointers and opcode the emulator records),
// fldenv/frstor/fxrstor round trips from random environments, and fninit/fnclex/ffree/fincstp/
// fdecstp as seen through fnstenv. Each image is copied 64 bytes at a time into the harness's data
// area; the same static ELF runs natively and on the emulator (native-snippet-harness.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { seededRandom, tempDir, type SnippetCase, type SnippetState, runHarnessBothWays } from './native-snippet-harness';
import { hasCommand } from './cpu-test-support';

const skip = !hasCommand('as') || !hasCommand('ld') || process.arch !== 'x64' ? 'needs GNU as, ld and an x86-64 host' : false;
const STATES = 12;

/** AMD CPUs store FIP/FOP/FDP in fxsave only while an exception is pending (unlike Intel, whom the emulator follows). */
const hostIsAmd = (): boolean => {
  try {
    return /AuthenticAMD/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
};

/**
 * Random x87 work on the data area: loads of its integers and floats, arithmetic, stores. The
 * stack depth is tracked so nothing underflows or overflows (the state instructions are under
 * test here, not the masked stack-fault responses).
 */
function x87Work(next: () => number): string {
  // [instruction, depth needed, depth change]
  const ops: Array<[string, number, number]> = [
    ['fildl (%esi)', 0, 1], ['flds 4(%esi)', 0, 1], ['fildl 8(%esi)', 0, 1], ['fld1', 0, 1], ['fldz', 0, 1], ['fldpi', 0, 1],
    ['fld %st(0)', 1, 1], ['faddp', 2, -1], ['fmulp', 2, -1], ['fsubrp', 2, -1], ['fdivp', 2, -1], ['fxch %st(1)', 2, 0],
    ['fchs', 1, 0], ['fabs', 1, 0], ['fcom %st(1)', 2, 0], ['fistl 16(%esi)', 1, 0], ['fstps 20(%esi)', 1, -1],
  ];
  const lines = ['mov $data+32, %esi', 'fninit', 'fildl (%esi)', 'fildl 8(%esi)'];
  let depth = 2;
  const count = 1 + (next() % 6);
  for (let k = 0; k < count; k++) {
    const usable = ops.filter(([, need, change]) => depth >= need && depth + change <= 8);
    const [text, , change] = usable[next() % usable.length]!;
    lines.push(text);
    depth += change;
  }
  return lines.join('\n');
}

/** Saves with `store` into a 16-byte aligned buffer and copies bytes [offset, offset+64) into data. */
function saveAndCopy(store: string, offset: number): string {
  return [
    '.pushsection .bss', '.balign 16', '7: .skip 528', '.popsection',
    `${store} 7b`, `mov $7b+${offset}, %esi`, 'mov $data, %edi', 'mov $16, %ecx', 'cld', 'rep movsl',
  ].join('\n');
}

/** A random environment in the first 28 bytes at data+32: control/status/tags in defined ranges, pointers random. */
function environmentBytes(next: () => number): string {
  const control = 0x0040 | (next() & 0x0f3f);
  const status = next() & 0x7f00; // condition codes and TOP; no exception flags pending
  const tags = next() & 0xffff;
  const words = [control, status, tags, next(), (next() & 0xffff) | ((next() & 0x7ff) << 16), next(), next() & 0xffff];
  return words.map((w, k) => `movl $0x${(w >>> 0).toString(16)}, data+${32 + 4 * k}`).join('\n');
}

interface Check {
  name: string;
  build: (next: () => number) => string;
  /** Byte ranges of the 64-byte window to leave out, with the reason. */
  ignore?: Array<[number, number, string]>;
}

const FXSAVE_WINDOWS = [0, 64, 128, 192, 256];

function checks(amd: boolean): Check[] {
  const list: Check[] = [
    { name: 'fnstenv after x87 work', build: (n) => `${x87Work(n)}\n${saveAndCopy('fnstenv', 0)}` },
    { name: 'fnsave after x87 work, bytes 0-63', build: (n) => `${x87Work(n)}\n${saveAndCopy('fnsave', 0)}` },
    { name: 'fnsave after x87 work, bytes 64-127', build: (n) => `${x87Work(n)}\n${saveAndCopy('fnsave', 64)}` },
    { name: 'fnsave then fnstenv (fnsave initializes)', build: (n) => `${x87Work(n)}\n${saveAndCopy('fnsave', 0)}\n${saveAndCopy('fnstenv', 0)}` },
    { name: 'fnstenv masks every exception', build: (n) => `${x87Work(n)}\n${saveAndCopy('fnstenv', 0)}\n${saveAndCopy('fnstcw', 0)}` },
    { name: 'fninit', build: (n) => `${x87Work(n)}\nfninit\n${saveAndCopy('fnstenv', 0)}` },
    { name: 'fnclex', build: (n) => `${x87Work(n)}\nfldz\nfld1\nfdivp\nfnclex\n${saveAndCopy('fnstenv', 0)}` },
    { name: 'fnop, fldcw, fnstsw after x87 work', build: (n) => `${x87Work(n)}\nfnop\nfldcw data+32\nfnstsw %ax\n${saveAndCopy('fnstenv', 0)}` },
    { name: 'ffree, fincstp, fdecstp', build: (n) => `${x87Work(n)}\nffree %st(${n() % 8})\nfincstp\nfdecstp\nfincstp\n${saveAndCopy('fnstenv', 0)}` },
    {
      name: 'fldenv then fnstenv',
      build: (n) => `fninit\n${'fldz\n'.repeat(8)}${environmentBytes(n)}\nfldenv data+32\n${saveAndCopy('fnstenv', 0)}`,
    },
    {
      name: 'fnsave, frstor, fnstenv',
      build: (n) => `${x87Work(n)}\n${saveAndCopy('fnsave', 0)}\nfrstor 7b\nfld1\n${saveAndCopy('fnsave', 0)}`,
    },
  ];
  for (const offset of FXSAVE_WINDOWS) {
    const ignore: Array<[number, number, string]> = [];
    if (offset === 0) {
      ignore.push([28, 32, 'MXCSR_MASK depends on the host CPU']);
      if (amd) ignore.push([6, 24, 'AMD stores FOP/FIP/FDP only while an exception is pending']);
    }
    list.push({ name: `fxsave after x87 work, bytes ${offset}-${offset + 63}`, build: (n) => `${x87Work(n)}\n${saveAndCopy('fxsave', offset)}` });
    list[list.length - 1]!.ignore = ignore;
  }
  list.push({
    name: 'fxsave, fninit, fxrstor, fnstenv',
    build: (n) => `${x87Work(n)}\n${saveAndCopy('fxsave', 32)}\nfninit\nfxrstor 7b\n${saveAndCopy('fnsave', 0)}`,
    ignore: amd ? [[12, 26, 'AMD fxsave left FIP/FOP/FDP/FDS zero, so fxrstor loads them so']] : [],
  });
  return list;
}

function randomState(next: () => number): SnippetState {
  return {
    eax: next(), ecx: next(), edx: next(), ebx: next(), ebp: next(), esi: next(), edi: next(), eflags: next() & 0x8d5,
    // Small integers and ordinary floats, so the x87 work stays in normal numbers.
    data: Array.from({ length: 64 }, (_, k) => (k % 4 === 3 ? 0x3f + (next() & 1) : next() & 0xff)),
  };
}

const dir = tempDir();
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

test('x87 state instructions agree with the real CPU', { skip }, () => {
  const next = seededRandom(0x87e5);
  const list = checks(hostIsAmd());
  const cases: Array<SnippetCase & { check: Check; label: string }> = [];
  for (const check of list) {
    for (let k = 0; k < STATES; k++) {
      const snippet = check.build(next);
      cases.push({ snippet, state: randomState(next), check, label: `${check.name}: ${snippet.replace(/\n/g, '; ')}` });
    }
  }
  const ran = runHarnessBothWays(dir, 'x87-state', cases);
  if ('error' in ran) return assert.fail(ran.error);
  const { native, emulated } = ran;
  assert.equal(native.length, cases.length, 'every case ran natively');
  const failures: string[] = [];
  cases.forEach((c, k) => {
    const n = native[k]!;
    const e = emulated[k];
    if (!e) return void failures.push(`no emulated dump: ${c.label}`);
    const n8 = n.registers.slice(0, 8).map(hex).join(' '), e8 = e.registers.slice(0, 8).map(hex).join(' ');
    if (n8 !== e8) failures.push(`registers native ${n8} emulator ${e8}: ${c.label}`);
    for (let b = 0; b < 64; b++) {
      if ((c.check.ignore ?? []).some(([from, to]) => b >= from && b < to)) continue;
      if (n.data[b] !== e.data[b]) {
        failures.push(`byte ${b} native ${hex(n.data[b]!)} emulator ${hex(e.data[b]!)}; native ${n.data.map(hex2).join('')} emulator ${e.data.map(hex2).join('')}: ${c.label}`);
        break;
      }
    }
  });
  console.log(`x87 state: ${list.length} checks x ${STATES} states, ${failures.length} differ`);
  assert.deepEqual(failures.slice(0, 5), []);
});

function hex(v: number): string {
  return (v >>> 0).toString(16);
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, '0');
}

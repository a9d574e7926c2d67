// The overhead model against the published figures of kprobes-reference.md §5: the calibration
// reproduces the seed author's numbers, every part is positive, and the ratios the product shows
// (boosted/plain, kretprobe with both boosters/without, optimized/plain) are within 20 % of each
// published source, not only of the one used for calibration.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALIBRATION, kprobeHitCost, kretprobeReturnCost } from '../../server/src/kprobes';

const within20 = (model: number, published: number, what: string): void => {
  assert.ok(Math.abs(model / published - 1) <= 0.2, `${what}: model ${model.toFixed(3)} vs published ${published.toFixed(3)}`);
};

test('every calibrated part is a positive number of cycles', () => {
  for (const [name, cycles] of Object.entries(CALIBRATION)) assert.ok(cycles > 0, `${name} = ${cycles}`);
});

test('boosted over single-stepped: seed author (573/1270) and kernel docs, Xeon (0.33/0.80)', () => {
  for (const profile of ['rfc-2.6.15', 'linux-2.6.18'] as const) {
    const ratio = kprobeHitCost(profile, 'boosted').cycles / kprobeHitCost(profile, 'single-stepped').cycles;
    within20(ratio, 573 / 1270, `${profile} seed`);
    within20(ratio, 0.33 / 0.8, `${profile} Xeon`);
  }
  const plain = kprobeHitCost('rfc-2.6.15', 'single-stepped');
  assert.equal(Math.round(plain.nanoseconds / 10), 127, 'the seed author measured 1270 ns');
});

test('kretprobe with both boosters over none: seed author (918/1981) and Xeon (0.61/1.10)', () => {
  const plain = kprobeHitCost('rfc-2.6.15', 'single-stepped').cycles + kretprobeReturnCost(false).cycles;
  const boosted = kprobeHitCost('rfc-2.6.15', 'boosted').cycles + kretprobeReturnCost(true).cycles;
  within20(boosted / plain, 918 / 1981, 'seed');
  within20(boosted / plain, 0.61 / 1.1, 'Xeon');
});

test('optimized over plain: kernel docs, Xeon (0.05/0.80)', () => {
  const ratio = kprobeHitCost('linux-6.1', 'optimized').cycles / kprobeHitCost('linux-2.6.18', 'single-stepped').cycles;
  within20(ratio, 0.05 / 0.8, 'Xeon');
  assert.ok(kprobeHitCost('linux-6.1', 'emulated').cycles < kprobeHitCost('linux-6.1', 'single-stepped').cycles);
  assert.equal(kprobeHitCost('linux-6.1', 'refused').cycles, 0);
});

// The scanning decoder (decodeIntoChecked, which builds operands only for entries whose operands
// can fail) against the full decode() on seeded random bytes: the same validity, length, error,
// mnemonic and table entry, and relativeTarget equal to the rel operand decode() builds. decode()
// is itself checked against iced-x86 and objdump (random-bytes-against-iced, vmlinux-against-objdump).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, decodeIntoChecked, newDecodedInstruction, relativeTarget } from '../../server/src/isa';
import { SeededRandom, fillBiasedSequence, hexOf, SEQUENCE_BYTES } from './random-instruction-bytes';

const SEED = Number(process.env.KBOOST_FUZZ_SEED ?? 0x5ca11ed) >>> 0;
const COUNT = 200_000;

test(`decodeIntoChecked agrees with decode on ${COUNT} random sequences (seed ${SEED})`, () => {
  const rng = new SeededRandom(SEED);
  const bytes = new Uint8Array(SEQUENCE_BYTES);
  const scanned = newDecodedInstruction();
  let relatives = 0;
  let invalid = 0;
  for (let n = 0; n < COUNT; n++) {
    fillBiasedSequence(rng, bytes, 0);
    const address = (rng.next() & ~0xfff) >>> 0;
    const full = decode(bytes, 0, address);
    const valid = decodeIntoChecked(scanned, bytes, 0, address);
    const where = `${hexOf(bytes)} (seed ${SEED}, #${n})`;
    assert.equal(valid, full.valid, where);
    assert.equal(scanned.valid, full.valid, where);
    assert.equal(scanned.length, full.length, where);
    assert.equal(scanned.error, full.error, where);
    assert.equal(scanned.mnemonic, full.mnemonic, where);
    assert.equal(scanned.entry, full.entry, where);
    if (!full.valid) invalid++;
    if (full.valid && full.entry!.relative) {
      const rel = full.operands.find((o) => o.kind === 'rel');
      assert.ok(rel !== undefined && rel.kind === 'rel', where);
      assert.equal(relativeTarget(scanned), rel.target, where);
      relatives++;
    }
  }
  assert.ok(relatives > 0 && invalid > 0, 'the sample has relative branches and invalid encodings');
});

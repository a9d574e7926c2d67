// The opcode table compiles without errors, and no two entries of one opcode slot can match the
// same encoding (the decoder would silently pick one of them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPCODE_TABLE } from '../../server/src/isa';
import type { OpcodeEntry } from '../../server/src/isa';

test('every row of the opcode table compiles', () => {
  assert.deepEqual(OPCODE_TABLE.errors, []);
  assert.ok(OPCODE_TABLE.entries.length > 1000, `only ${OPCODE_TABLE.entries.length} entries`);
});

function matchKey(e: OpcodeEntry): string {
  return [e.mandatory, e.reg, e.mod, e.rm, e.osize, e.asize, e.vex?.l, e.vex?.w, e.vex?.pp].join('/');
}

test('no two entries of a slot have the same match conditions', () => {
  const clashes: string[] = [];
  const maps = [...Object.entries(OPCODE_TABLE.legacy), ...Object.entries(OPCODE_TABLE.vex).map(([k, v]) => [`vex${k}`, v] as const)];
  for (const [name, slots] of maps) {
    slots.forEach((slot, opcode) => {
      const seen = new Map<string, OpcodeEntry>();
      for (const e of slot?.candidates ?? []) {
        const key = matchKey(e);
        const other = seen.get(key);
        if (other) clashes.push(`${name} ${opcode.toString(16)}: '${other.row.enc}' ${other.mnemonic} and '${e.row.enc}' ${e.mnemonic}`);
        seen.set(key, e);
      }
    });
  }
  assert.deepEqual(clashes, []);
});

test('derived facts: branch kinds and IF/TF effects come from the rows', () => {
  const find = (enc: string): OpcodeEntry => {
    const e = OPCODE_TABLE.entries.find((x) => x.row.enc === enc);
    assert.ok(e, `no row ${enc}`);
    return e;
  };
  assert.equal(find('E8 cz').relative, true);
  assert.equal(find('FF /2').indirect, true);
  assert.equal(find('FF /3 mem').far, true);
  assert.equal(find('EA cp').far, true);
  assert.equal(find('FA').writesIF, true);
  assert.equal(find('9D').writesTF, true);
  assert.equal(find('9C').writesTF, false);
  assert.equal(find('FF /5 mem').group, 'Grp5');
  assert.equal(find('0F 01 /0 mem')?.group ?? 'Grp7', 'Grp7');
});

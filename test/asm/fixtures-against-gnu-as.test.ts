// The assembler fixtures: each `#=`/`#!` expectation in test/fixtures/asm/*.s holds (an error's
// message and, where the fixture states it, its column range), and every
// fixture without expected errors assembles to the same section bytes and relocations (offset,
// type, symbol) as `as --32` gives for the same file, while `as --32` rejects every fixture of errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble, codeOfLine, type Image } from '../../server/src/asm';
import path from 'node:path';
import { ASM_FIXTURE_DIRECTORY, readAsmFixtures } from './asm-fixture-files';
import { assembleWithGnuAs, gnuAsAvailable, hex } from './gnu-as-oracle';

/** ELF relocation type numbers of i386 (System V ABI i386 supplement). */
const RELOCATION_TYPES: Record<string, number> = {
  R_386_32: 1, R_386_PC32: 2, R_386_GOT32: 3, R_386_PLT32: 4, R_386_GOTOFF: 9, R_386_GOTPC: 10,
  R_386_16: 20, R_386_PC16: 21, R_386_8: 22, R_386_PC8: 23, R_386_GOT32X: 43,
};

function bytesOfLine(image: Image, line: number): string {
  return codeOfLine(image, line).map((c) => hex(c.bytes)).filter((h) => h !== '').join(' ');
}

for (const fixture of readAsmFixtures()) {
  test(`asm fixture ${fixture.name}: expectations`, () => {
    // The file name makes a .S fixture go through the built-in preprocessor.
    const image = assemble(fixture.source, fixture.name.endsWith('.S') ? { fileName: path.join(ASM_FIXTURE_DIRECTORY, fixture.name) } : {});
    const expectedErrorLines = new Set(fixture.expectations.filter((e) => e.kind === 'error').map((e) => e.line));
    for (const e of fixture.expectations) {
      if (e.kind === 'bytes') {
        assert.equal(bytesOfLine(image, e.line), e.text, `bytes of line ${e.line + 1}`);
      } else {
        const found = image.diagnostics.filter((d) => d.severity === 'error' && d.line === e.line);
        assert.ok(found.some((d) => d.message.includes(e.text)), `line ${e.line + 1}: expected an error containing "${e.text}", got ${JSON.stringify(found.map((d) => d.message))}`);
        if (e.range) {
          const ranges = found.filter((d) => d.message.includes(e.text)).map((d) => `${d.start}-${d.end}`);
          assert.ok(ranges.includes(`${e.range.start}-${e.range.end}`), `line ${e.line + 1}: "${e.text}" at ${JSON.stringify(ranges)}, the fixture says ${e.range.start}-${e.range.end}`);
        }
        for (const d of found) assert.ok(d.start >= 0 && d.end >= d.start, `error range of line ${e.line + 1}`);
      }
    }
    const unexpected = image.diagnostics.filter((d) => d.severity === 'error' && !expectedErrorLines.has(d.line));
    assert.deepEqual(unexpected.map((d) => `${d.line + 1}: ${d.message}`), []);
  });

  const expectsErrors = fixture.expectations.some((e) => e.kind === 'error');
  if (expectsErrors) {
    // A fixture of errors has no bytes to compare; the oracle's part is that as (or cpp) refuses it too.
    if (fixture.name.endsWith('.S')) continue;
    test(`asm fixture ${fixture.name}: as --32 rejects it too`, { skip: !gnuAsAvailable() && 'as not installed' }, () => {
      assert.equal(assembleWithGnuAs(fixture.source).ok, false);
    });
    continue;
  }
  test(`asm fixture ${fixture.name}: same sections and relocations as as --32`, { skip: !gnuAsAvailable() && 'as not installed' }, () => {
    const image = assemble(fixture.source);
    const reference = assembleWithGnuAs(fixture.source);
    assert.ok(reference.ok, reference.ok ? '' : reference.stderr);
    for (const section of image.sections) {
      const theirs = reference.sections.get(section.name);
      if (theirs === undefined) {
        assert.equal(section.size, 0, `section ${section.name} exists only in ours`);
        continue;
      }
      if (section.type === 'nobits') {
        assert.equal(section.size, theirs.bytes.length, `size of ${section.name}`);
        continue;
      }
      assert.equal(hex(section.bytes), hex(theirs.bytes), `bytes of ${section.name}`);
      const ours = image.relocations.filter((r) => r.section === section.name).map((r) => `${r.offset} ${RELOCATION_TYPES[r.type]} ${r.symbol}`);
      assert.deepEqual(ours, theirs.relocations.map((r) => `${r.offset} ${r.type} ${r.symbol}`), `relocations of ${section.name}`);
    }
  });
}

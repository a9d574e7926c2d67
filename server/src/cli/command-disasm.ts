// `kboost disasm FILE [options]`: reads the file (unwrapping .xz, .gz and bzImage), checks it is
// ELF32 i386, gathers its symbols and those of --system-map, and prints the objdump-style
// listing. Problems with the input end in `kboost: FILE: message` and exit code 1.

import { SectionSymbolView, listingSymbolsOfElf, listingSymbolsOfSystemMap } from '../binfmt/disassembly-symbols';
import type { ListingSymbol } from '../binfmt/disassembly-symbols';
import { loadBinaryInput } from '../binfmt/binary-input-loader';
import { readElf32 } from '../binfmt/elf32-reader';
import type { Elf32File } from '../binfmt/elf32-types';
import { loadSystemMap } from '../binfmt/system-map-parser';
import {
  optionalString, parseAddress, parseCommandLine, parseDisassemblerOptions, stringList,
} from './cli-arguments';
import { CliIo, EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE } from './cli-io';
import { DISASM_USAGE } from './cli-usage-text';
import { sectionsToList, writeElfListing } from './elf-disassembly-listing';

const OPTIONS = {
  symbol: { type: 'string' },
  'system-map': { type: 'string' },
  section: { type: 'string', short: 'j', multiple: true },
  'disassembler-options': { type: 'string', short: 'M', multiple: true },
  'start-address': { type: 'string' },
  'stop-address': { type: 'string' },
  reloc: { type: 'boolean', short: 'r' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usageError(io: CliIo, message: string): number {
  io.err(`kboost disasm: ${message}\nTry 'kboost disasm --help'.\n`);
  return EXIT_USAGE;
}

function badInput(io: CliIo, name: string, message: string): number {
  io.err(`kboost: ${name}: ${message}\n`);
  return EXIT_BAD_INPUT;
}

/** The symbol objdump labels `name`'s address with, when that is another name; else null. */
function labelForAlias(file: Elf32File, symbols: ListingSymbol[], name: string): string | null {
  const wanted = symbols.find((s) => s.name === name && s.section >= 0);
  if (wanted === undefined) return null;
  const section = file.sections[wanted.section]!;
  const view = new SectionSymbolView(
    symbols, file.sections.map((s) => s.name), section.index, section.address, section.address + section.size,
    file.kind === 'relocatable',
  );
  const hit = view.find(wanted.value, true);
  if (hit === null || hit.symbol.value !== wanted.value || hit.symbol.name === name) return null;
  // Another symbol of the same name may be the label (static functions in several files).
  if (view.sorted.some((s) => s.name === name && s.value !== wanted.value)) return null;
  return hit.symbol.name;
}

/** Merges System.map symbols into the ELF's own, dropping exact duplicates. */
function mergeSymbols(own: ListingSymbol[], extra: ListingSymbol[]): ListingSymbol[] {
  const seen = new Set(own.map((s) => `${s.name}@${s.value}`));
  return own.concat(extra.filter((s) => !seen.has(`${s.name}@${s.value}`)));
}

export async function runDisasm(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, OPTIONS);
  if (typeof parsed === 'string') return usageError(io, parsed);
  const v = parsed.values;
  if (v.help === true) {
    io.out(DISASM_USAGE);
    return EXIT_OK;
  }
  if (parsed.positionals.length !== 1) {
    return usageError(io, parsed.positionals.length === 0 ? 'missing FILE' : `expected one FILE, got ${parsed.positionals.length}`);
  }
  const fileName = parsed.positionals[0]!;
  const syntax = parseDisassemblerOptions(stringList(v['disassembler-options']));
  if (syntax !== 'att' && syntax !== 'intel') return usageError(io, syntax);
  const addresses: Record<'start-address' | 'stop-address', number | null> = { 'start-address': null, 'stop-address': null };
  for (const key of ['start-address', 'stop-address'] as const) {
    const text = optionalString(v[key]);
    if (text === null) continue;
    const value = parseAddress(text);
    if (value === null) return usageError(io, `--${key}: '${text}' is not an address (use 0x hex or decimal)`);
    addresses[key] = value;
  }

  const loaded = await loadBinaryInput(fileName);
  if (loaded.value === null) return badInput(io, fileName, loaded.errors.join('; '));
  const elf = readElf32(loaded.value.bytes);
  if (elf.value === null) {
    const wrapped = loaded.value.unwrapped.length > 0 ? ` (after ${loaded.value.unwrapped.join(', ')} decompression)` : '';
    return badInput(io, fileName, elf.errors.join('; ') + wrapped);
  }
  const file = elf.value;
  for (const w of elf.errors) io.err(`kboost: ${fileName}: warning: ${w}\n`);

  let symbols = listingSymbolsOfElf(file);
  const mapName = optionalString(v['system-map']);
  if (mapName !== null) {
    const map = await loadSystemMap(mapName);
    if (map.value === null) return badInput(io, mapName, map.errors.join('; '));
    for (const w of map.errors) io.err(`kboost: ${mapName}: warning: ${w}\n`);
    const mapped = listingSymbolsOfSystemMap(file, map.value);
    if (mapped.length === 0) io.err(`kboost: ${mapName}: warning: no symbol of this map lies in a section of ${fileName}\n`);
    symbols = mergeSymbols(symbols, mapped);
  }

  const sectionNames = stringList(v.section);
  for (const name of sectionNames) {
    if (!file.sections.some((s) => s.name === name)) return badInput(io, fileName, `no section named '${name}'`);
  }
  // A truncated file: say so before printing anything.
  const toList = sectionsToList(file, sectionNames);
  const cut = toList.find((s) => !s.contentsInFile);
  if (cut !== undefined) {
    return badInput(io, fileName, `truncated file: section ${cut.name} (offset 0x${cut.offset.toString(16)}, size 0x${cut.size.toString(16)}) extends past the end of the file (0x${file.bytes.length.toString(16)} bytes)`);
  }
  const symbolName = optionalString(v.symbol);
  if (symbolName !== null) {
    const listed = new Set(toList.map((s) => s.index));
    if (!symbols.some((s) => s.name === symbolName && listed.has(s.section))) {
      const hint = symbols.length === 0 ? ' (the file has no symbols: give them with --system-map FILE)' : '';
      return badInput(io, fileName, `symbol '${symbolName}' not found in the listed sections${hint}`);
    }
  }

  // objdump labels an address with one of the symbols there; asking for another one (an alias
  // such as startup_32 beside _stext) would list nothing, so list it under the label shown.
  let listedName = symbolName;
  if (symbolName !== null) {
    const alias = labelForAlias(file, symbols, symbolName);
    if (alias !== null) {
      io.err(`kboost: ${fileName}: note: '${symbolName}' shares its address with '${alias}', which labels it\n`);
      listedName = alias;
    }
  }

  const result = writeElfListing(file, {
    displayName: fileName,
    symbols,
    syntax,
    sections: sectionNames,
    symbolName: listedName,
    startAddress: addresses['start-address'],
    stopAddress: addresses['stop-address'],
    showRelocations: v.reloc === true,
  }, (t) => io.out(t));
  for (const w of result.warnings) io.err(`kboost: ${fileName}: warning: ${w}\n`);
  if (result.errors.length > 0) {
    io.flush();
    return badInput(io, fileName, result.errors.join('; '));
  }
  return EXIT_OK;
}

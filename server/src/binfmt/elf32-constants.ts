// Numbers of the ELF format (System V gABI and the i386 psABI) that the ELF32 reader needs, with
// the names tools print for them, so messages say `EM_ARM (40)` rather than a bare number.

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const; // "\x7fELF"
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const EM_386 = 3;
export const EM_X86_64 = 62;

/** Machine names for messages; other numbers print as `machine N`. */
const MACHINE_NAMES: Record<number, string> = {
  0: 'EM_NONE', 2: 'EM_SPARC', 3: 'EM_386', 6: 'EM_IAMCU', 8: 'EM_MIPS', 18: 'EM_SPARC32PLUS',
  20: 'EM_PPC', 21: 'EM_PPC64', 22: 'EM_S390', 40: 'EM_ARM', 42: 'EM_SH', 43: 'EM_SPARCV9',
  50: 'EM_IA_64', 62: 'EM_X86_64', 183: 'EM_AARCH64', 243: 'EM_RISCV', 247: 'EM_BPF',
  258: 'EM_LOONGARCH',
};

/** The architecture in plain words, for the ELF64 message ("ELF64 file (x86-64)"). */
const MACHINE_PLAIN: Record<number, string> = {
  3: 'i386', 62: 'x86-64', 40: 'ARM', 183: 'AArch64', 243: 'RISC-V', 8: 'MIPS', 20: 'PowerPC',
  21: 'PowerPC64', 22: 'S/390', 43: 'SPARC V9', 50: 'IA-64', 258: 'LoongArch', 247: 'BPF',
};

export function machineName(machine: number): string {
  const name = MACHINE_NAMES[machine];
  return name === undefined ? `machine ${machine}` : `${name} (${machine})`;
}

export function machinePlainName(machine: number): string {
  return MACHINE_PLAIN[machine] ?? `machine ${machine}`;
}

const FILE_TYPE_NAMES: Record<number, string> = { 0: 'ET_NONE', 1: 'ET_REL', 2: 'ET_EXEC', 3: 'ET_DYN', 4: 'ET_CORE' };

export function fileTypeName(type: number): string {
  return `${FILE_TYPE_NAMES[type] ?? 'type'} (${type})`;
}

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_SYMTAB_SHNDX = 18;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const PT_LOAD = 1;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STB_GNU_UNIQUE = 10;

/** Sizes of the fixed records of ELF32. */
export const ELF32_HEADER_SIZE = 52;
export const ELF32_SECTION_HEADER_SIZE = 40;
export const ELF32_PROGRAM_HEADER_SIZE = 32;
export const ELF32_SYMBOL_SIZE = 16;
export const ELF32_REL_SIZE = 8;
export const ELF32_RELA_SIZE = 12;

/** i386 relocation types, spelled as objdump -r prints them. */
const I386_RELOCATION_NAMES: Record<number, string> = {
  0: 'R_386_NONE', 1: 'R_386_32', 2: 'R_386_PC32', 3: 'R_386_GOT32', 4: 'R_386_PLT32',
  5: 'R_386_COPY', 6: 'R_386_GLOB_DAT', 7: 'R_386_JUMP_SLOT', 8: 'R_386_RELATIVE',
  9: 'R_386_GOTOFF', 10: 'R_386_GOTPC', 11: 'R_386_32PLT', 14: 'R_386_TLS_TPOFF',
  15: 'R_386_TLS_IE', 16: 'R_386_TLS_GOTIE', 17: 'R_386_TLS_LE', 18: 'R_386_TLS_GD',
  19: 'R_386_TLS_LDM', 20: 'R_386_16', 21: 'R_386_PC16', 22: 'R_386_8', 23: 'R_386_PC8',
  24: 'R_386_TLS_GD_32', 25: 'R_386_TLS_GD_PUSH', 26: 'R_386_TLS_GD_CALL',
  27: 'R_386_TLS_GD_POP', 28: 'R_386_TLS_LDM_32', 29: 'R_386_TLS_LDM_PUSH',
  30: 'R_386_TLS_LDM_CALL', 31: 'R_386_TLS_LDM_POP', 32: 'R_386_TLS_LDO_32',
  33: 'R_386_TLS_IE_32', 34: 'R_386_TLS_LE_32', 35: 'R_386_TLS_DTPMOD32',
  36: 'R_386_TLS_DTPOFF32', 37: 'R_386_TLS_TPOFF32', 38: 'R_386_SIZE32',
  39: 'R_386_TLS_GOTDESC', 40: 'R_386_TLS_DESC_CALL', 41: 'R_386_TLS_DESC',
  42: 'R_386_IRELATIVE', 43: 'R_386_GOT32X',
};

export function i386RelocationName(type: number): string {
  return I386_RELOCATION_NAMES[type] ?? `R_386_unknown_${type}`;
}

// Public face of the isa layer: decode bytes, format them, and read the opcode table's facts.

export { decode, decodeInto, newDecodedInstruction, MAX_INSTRUCTION_LENGTH } from './decoder';
export { formatAtt } from './format-att';
export { formatIntel } from './format-intel';
export { OPCODE_TABLE, OPCODE_ROWS } from './opcode-table';
export type { DecodedInstruction, Operand, PrefixState, OpcodeMapId } from './decoded-instruction';
export type { OpcodeEntry } from './opcode-entry';

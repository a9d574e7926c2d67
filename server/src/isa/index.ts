// Public face of the isa layer: decode bytes, format them, and read the opcode table's facts.

export { decode, decodeInto, decodeIntoChecked, newDecodedInstruction, MAX_INSTRUCTION_LENGTH } from './decoder';
export { relativeTarget } from './decoder-operands';
export { formatAtt } from './format-att';
export { formatIntel } from './format-intel';
export { OPCODE_TABLE, OPCODE_ROWS } from './opcode-table';
export type { DecodedInstruction, Operand, PrefixState, OpcodeMapId } from './decoded-instruction';
export type { OpcodeEntry } from './opcode-entry';

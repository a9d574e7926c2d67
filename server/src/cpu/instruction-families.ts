// The list of instruction families the dispatch table draws handlers from, one file each.

import type { HandlerFamily } from './dispatch-table';
import { ALU } from './execute-alu';
import { BCD } from './execute-bcd';
import { BIT } from './execute-bit';
import { CONTROL_FLOW } from './execute-control-flow';
import { DATA_MOVEMENT } from './execute-data-movement';
import { DESCRIPTOR_TABLES } from './execute-descriptor-tables';
import { EXCHANGE } from './execute-exchange';
import { FLAG_CONTROL } from './execute-flag-control';
import { MULTIPLY_DIVIDE } from './execute-multiply-divide';
import { SHIFT_ROTATE } from './execute-shift-rotate';
import { STACK_FRAME } from './execute-stack-frame';
import { STRING_INSTRUCTIONS } from './execute-string';
import { SYSTEM } from './execute-system';
import { X87_BASIC } from './execute-x87-basic';
import { X87_STATE, withX87Pointers } from './execute-x87-state';

export const FAMILIES: HandlerFamily[] = [
  DATA_MOVEMENT, ALU, CONTROL_FLOW, SHIFT_ROTATE, MULTIPLY_DIVIDE, BIT, STRING_INSTRUCTIONS, STACK_FRAME,
  FLAG_CONTROL, EXCHANGE, BCD, SYSTEM, DESCRIPTOR_TABLES, withX87Pointers(X87_BASIC), X87_STATE,
];

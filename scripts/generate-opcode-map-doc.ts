// Writes docs/opcode-map.md from the opcode table (`npm run generate`).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderOpcodeMap } from './opcode-map-markdown';

const target = path.resolve(__dirname, '..', 'docs', 'opcode-map.md');
writeFileSync(target, renderOpcodeMap());
console.log(`wrote ${path.relative(process.cwd(), target)}`);

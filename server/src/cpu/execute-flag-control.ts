// Instructions that set or move flags directly: clc stc cmc cld std cli sti, lahf/sahf, salc.
// cli/sti are #GP(0) when CPL > IOPL (VME/PVI's virtual IF is not modelled).

import type { HandlerFamily } from './dispatch-table';
import { AF, CF, DF, FIXED_ONE, IF, PF, SF, ZF } from './eflags-bits';
import { requireIopl } from './privilege-checks';

const SAHF_BITS = SF | ZF | AF | PF | CF;

export const FLAG_CONTROL: HandlerFamily = {
  clc: () => (m) => { m.eflags &= ~CF; },
  stc: () => (m) => { m.eflags |= CF; },
  cmc: () => (m) => { m.eflags ^= CF; },
  cld: () => (m) => { m.eflags &= ~DF; },
  std: () => (m) => { m.eflags |= DF; },
  cli: () => (m) => { requireIopl(m, 'cli'); m.eflags &= ~IF; },
  sti: () => (m) => { requireIopl(m, 'sti'); m.eflags |= IF; },
  lahf: () => (m) => m.setReg(4, 1, (m.eflags & SAHF_BITS) | FIXED_ONE),
  sahf: () => (m) => { m.eflags = (m.eflags & ~SAHF_BITS) | (m.getReg(4, 1) & SAHF_BITS); },
  salc: () => (m) => m.setReg(0, 1, m.eflags & CF ? 0xff : 0),
};

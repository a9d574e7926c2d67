// Help texts of the `kboost` command line, printed by `--help` and after usage errors.

export const MAIN_USAGE = `Usage: kboost <command> [options]

Commands:
  disasm FILE    disassemble an i386 ELF file (vmlinux, .o, .ko, .ko.xz, vmlinuz) like objdump -d
  decode HEX     decode instruction bytes given in hex
  asm FILE       assemble GAS AT&T i386 source into an ELF32 object (like as --32)
  check FILE...  kprobe verdicts of assembly source files; fails on broken '# kboost:' contracts
  analyze FILE   kprobe verdicts for every instruction of the functions of an i386 binary
  run PROGRAM    run a static ELF32 i386 executable on the emulator

Run 'kboost <command> --help' for a command's options.
Exit codes: 0 success, 1 unusable input, 2 usage error.
`;

export const DISASM_USAGE = `Usage: kboost disasm FILE [options]

Disassembles the code sections of an ELF32 i386 file, in the layout of objdump -d.
FILE may be an executable, a shared object, a relocatable object (.o, .ko), one compressed
with xz or gzip (.ko.xz), or a Linux bzImage (/boot/vmlinuz-*) whose payload is xz.

Options:
  --symbol NAME          only the function NAME (its ELF size, or up to the next symbol)
  --system-map FILE      take symbols from a System.map or /proc/kallsyms copy (.gz too),
                         for a stripped vmlinux
  -j, --section NAME     only this section (repeatable); default: all code sections
  -M, --disassembler-options OPT
                         intel or att (default) syntax
  --start-address ADDR   start at ADDR (0x hex or decimal)
  --stop-address ADDR    stop before ADDR
  -r, --reloc            show relocations under the instructions they patch (objdump -dr)
  -h, --help             show this help

In relocatable files (.o, .ko) addresses are offsets within each section.
`;

export const DECODE_USAGE = `Usage: kboost decode --hex "55 89 e5" [options]
       kboost decode 55 89 e5 [options]

Decodes instruction bytes, one line per instruction: address, bytes, text.
Bytes may be separated by spaces or commas, written with or without 0x or \\x,
or run together ("5589e5").

Options:
  --hex BYTES            the bytes to decode
  --address ADDR         address of the first byte (default 0)
  -M, --disassembler-options OPT
                         intel or att (default) syntax
  -h, --help             show this help
`;

export const RUN_USAGE = `Usage: kboost run [options] PROGRAM [ARGS...]

Runs a static ELF32 i386 executable (gcc -m32 -static) on the kboost emulator, with a minimal
Linux int $0x80 layer. The program's stdout and stderr pass through; its exit status is ours.
A fault, or an instruction that is not emulated, stops the program with a message naming the
instruction and its address, and exit status 1.

Options:
  --stats                print the instructions executed and the emulated MIPS on stderr
  --limit N              stop after N instructions (exit status 1)
  -h, --help             show this help

With --probe, --kretprobe or --trace, PROGRAM may also be an assembly file run under live kprobes:
see 'kboost run --probe X --help'.
`;

export const ANALYZE_USAGE = `Usage: kboost analyze FILE [options]

Says, for every instruction of the functions of FILE (vmlinux, .ko, .o, vmlinuz), what a kprobe
placed there does under the chosen kernel generation: refused (with the kernel's errno),
boosted, single-stepped, emulated, or optimized, and the rule that decided.

Options:
  --profile ID           rfc-2.6.15, linux-2.6.18 or linux-6.1 (default)
  --symbol NAME          only this function (repeatable)
  --system-map FILE      symbols of a stripped vmlinux (System.map or kallsyms, .gz too); its
                         __kprobes/__entry/__noinstr/__irqentry text markers are refused areas
  --blacklist FILE       /sys/kernel/debug/kprobes/blacklist of the same kernel
  --post-handler         the probe has a post_handler (no boosting, no optimization)
  --preemption on|off    CONFIG_PREEMPT(ION); default: off for 2.6.x, on for linux-6.1 (Debian)
  --optprobes on|off     CONFIG_OPTPROBES (linux-6.1); default on
  --summary              one line per function
  --json                 machine-readable output
  -h, --help             show this help
`;

export const CHECK_USAGE = `Usage: kboost check FILE... [options]

Assembles each i386 assembly file (GAS AT&T syntax) and reports, per instruction, what a kprobe
placed there does. A comment '# kboost: VERDICT' on an instruction's line is a contract: check
fails (exit status 1) when the verdict differs. Verdicts: boosted, optimized, single-stepped,
emulated, refused, depends.

Options:
  --profile ID           rfc-2.6.15, linux-2.6.18 or linux-6.1 (default)
  --format F             text (default: file:line:col: level: message), json or sarif
  --post-handler         the probes have a post_handler
  --context INCLUDER     the FILEs are included by INCLUDER: check them as its assembly reads them
  -q, --quiet            only errors (broken contracts, assembler errors)
  -h, --help             show this help
`;

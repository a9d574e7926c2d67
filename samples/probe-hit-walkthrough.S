# A probe hit, stage by stage, in the debugger (Run and Debug: the "kboost" launch configurations
# of samples/.vscode/launch.json, one per kernel generation).
#
# _start calls `probed` three times, then stops at hlt. Set two breakpoints (F9, or click the
# gutter); in the kboost debugger a breakpoint is a kprobe on that line's instruction:
#
#   A. on `pushl %ebp` (the first line of probed): a boostable instruction;
#   B. on `shll $2, %eax`: a Grp2 shift, single-stepped under every generation.
#
# Start debugging (F5). Each hit stops *before* the int3 trap is taken. Step in (F11) to walk the
# hit: the int3 trap, the pre_handler, the copy of the instruction in its slot (EIP is then in
# the slot page, 0x7ff0....), then how the kernel gets back to the next instruction. The Variables
# view shows the registers of each stage, the probe (boostable, slot, nhit, nmissed) and the hit's
# stages so far; the Debug Console prints every stage as `kboost run --trace` does.
#
# What stepping in shows (checked with `kboost run --probe probed --probe probed+3 --trace`):
#
#   rfc-2.6.15 and linux-2.6.18 (not preemptible): the booster decides lazily.
#     A, first hit:  trap, pre_handler, slot (single-step), the TF step trap, the fix-up (IP moved
#                    from the slot back to orig + (ip - slot)), the jump back written after the
#                    copy, boostable 0 -> 1, resume at `movl`.
#     A, 2nd, 3rd:   trap, pre_handler, slot (boosted), the jump back to `movl`: no second trap.
#     B, every hit:  trap, pre_handler, slot (single-step), step trap, fix-up, resume; boostable
#                    stays -1.
#   linux-6.1 with preemption off (the launch configuration's "preemption": "off"):
#     A, every hit:  decided at registration: trap, pre_handler, slot (boosted), jump back.
#     B, every hit:  the single step is a second int3 after the copy (no TF): trap, pre_handler,
#                    slot (single-step), the int3 step trap, the fix-up, resume.
#   linux-6.1 as Debian builds it (preemptible): A is single-stepped too, like B, because a
#     preemptible kernel never boosts.
#   With a post_handler on A (the configuration "A with a post_handler", linux-6.1, preemption
#     off; `kboost run ... --post-handler probed=a_post_handler`): A is single-stepped on every
#     hit, like B: trap, pre_handler, slot (single-step), the int3 step trap, the fix-up, then
#     the post_handler `a_post_handler` (its stage names it and the registers it changed), resume.
#
# The `# kboost(...)` comments are contracts on the static verdicts (one a line); `kboost check`
# proves them.

	.text
	.globl	_start
_start:
	movl	$3, %ecx		# three calls: the first hit of A differs from the later ones on 2.6.x
1:	call	probed
	loop	1b
	hlt				# the end: the Debug Console prints each probe's nhit and cost

	.globl	probed
	.type	probed, @function
probed:
# A: breakpoint here.
	pushl	%ebp			# kboost(linux-2.6.18): boosted
	movl	%esp, %ebp
# B: breakpoint here.
	shll	$2, %eax		# kboost(linux-6.1): single-stepped
	addl	$1, %eax
	popl	%ebp
	ret
	.size	probed, .-probed

# A's post_handler, written in assembly: called as the kernel calls handlers, with a struct
# pt_regs * in %eax (i386 layout; ip at +48). It only reads pt_regs->ip (the instruction after
# A) and returns 0; having a post_handler at all is what keeps A from being boosted.
a_post_handler:
	movl	48(%eax), %edx		# pt_regs->ip: a handler's registers are its own
	xorl	%eax, %eax
	ret

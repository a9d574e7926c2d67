# A walk through the seed: Masami Hiramatsu's kprobe-booster RFC, take 3 (December 2005).
#
# Open this file with the profile set to rfc-2.6.15 (click "kboost:" in the status bar). Every
# instruction carries a diagnostic saying what a kprobe placed on it does, and a contract comment
# `# kboost(rfc-2.6.15): VERDICT` states what the seed's rules give, so `kboost check` proves it.
#
# The seed's idea: run the copied instruction directly in its slot and jump back, instead of
# single-stepping it under TF and fixing it up afterwards. It saves the second trap: a hit costs
# about 0.45x as much. The seed decides *lazily*: the first hit is always single-stepped, and if
# the IP after the step is still inside the slot with room for a 5-byte jmp, the jmp back is
# written and the probe's `boostable` flag goes from 0 to 1.

	.text
	.globl	walkthrough
	.type	walkthrough, @function
walkthrough:
# "Other 1 byte instructions are OK. But those instructions need a jump back code."
	pushl	%ebp			# kboost(rfc-2.6.15): boosted
	movl	%esp, %ebp		# kboost(rfc-2.6.15): boosted
	addl	$16, %eax		# kboost(rfc-2.6.15): boosted
# A 10-byte instruction still leaves room for the jump back: (ip - slot) + 5 < 16.
	addl	$0x12345678, 0x100(%eax)	# kboost(rfc-2.6.15): boosted
# "Prefixes are NG" says the prose, but the table rejects only F0-F3. A segment or size prefix
# passes, whatever follows it.
	movl	%fs:0x10, %eax		# kboost(rfc-2.6.15): boosted
	rep movsl			# kboost(rfc-2.6.15): single-stepped
	lock incl (%eax)		# kboost(rfc-2.6.15): single-stepped
# "2 bytes instructions are mapped sparsely. So, in this release, this patch don't boost those."
	movzbl	(%eax), %eax		# kboost(rfc-2.6.15): single-stepped
# "Conditional Jumps are NG."
	je	1f			# kboost(rfc-2.6.15): single-stepped
# "Call instructions are NG. We should correct the return address pushed into top of stack."
	call	helper			# kboost(rfc-2.6.15): single-stepped
# pushf is NG: the TF of the single-step would be pushed.
	pushf				# kboost(rfc-2.6.15): single-stepped
# Grp2 shifts (C0-C1, D0-D3), Grp3 (F6-F7) and Grp4/5 (FE-FF) include reserved opcodes: NG.
	shll	$2, %eax		# kboost(rfc-2.6.15): single-stepped
	notl	%eax			# kboost(rfc-2.6.15): single-stepped
# ...but an absolute indirect jump is OK: resume_execution sets boostable to 1 for FF /4.
	jmp	*%ecx			# kboost(rfc-2.6.15): boosted
1:
# A relative jmp passes the table; after the step the IP is at the target. Only a jump that lands
# inside the slot (eb 00 .. eb 08) keeps the jump back; this one goes past it.
	jmp	2f			# kboost(rfc-2.6.15): single-stepped
	.fill	20, 1, 0x90
2:
# "Halt and software-interruptions are NG": they would stay on the instruction buffer.
	int3				# kboost(rfc-2.6.15): single-stepped
# ret passes, and its fix-up knows the IP is already right: boostable becomes 1.
	popl	%ebp			# kboost(rfc-2.6.15): boosted
	ret				# kboost(rfc-2.6.15): boosted
	.size	walkthrough, .-walkthrough

helper:
	ret

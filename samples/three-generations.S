# The same instructions under the three kernel generations kboost models. Switch the profile from
# the status bar and watch the diagnostics change; each contract pins one generation.
#
#   rfc-2.6.15    the seed: first byte only, lazy boost after the first TF step
#   linux-2.6.18  mainline booster: prefixes skipped, the two-byte bitmap, 2E/67 refused
#   linux-6.1     modern: refusals at registration, int3 single-step, emulation of branches and
#                 IF modifiers, boost decided at registration (off on preemptible kernels)

	.text
	.globl	generations
	.type	generations, @function
generations:
# pushf: NG in the seed, boostable from 2.6.18 (the fix-up restores TF/IF in the pushed word).
	pushf				# kboost(rfc-2.6.15): single-stepped
	pushf				# kboost(linux-2.6.18): boosted
# Two-byte opcodes: never in the seed; movzx is in 2.6.18's bitmap.
	movzbl	%al, %eax		# kboost(rfc-2.6.15): single-stepped
	movzbl	%al, %eax		# kboost(linux-2.6.18): boosted
# A cs (2E) prefix refuses boosting in 2.6.18 and, for one-byte opcodes, in 6.1.
	movl	%cs:(%eax), %eax	# kboost(linux-2.6.18): single-stepped
# "rep ret": the 2.6.18 fix-up switches on the first byte (F3), so ret gets no special case: the
# IP is relocated as if relative (a kernel bug the hover names) and the probe is never boosted.
	repz ret			# kboost(linux-2.6.18): single-stepped
# 6.1 refuses some instructions outright at register_kprobe.
	int3				# kboost(linux-6.1): refused
	lcall	$0x10, $0		# kboost(linux-6.1): refused
	popl	%ds			# kboost(linux-6.1): refused
# ...and emulates branches instead of stepping them.
	je	1f			# kboost(linux-6.1): emulated
1:	call	2f			# kboost(linux-6.1): emulated
2:	cli				# kboost(linux-6.1): emulated
	ret				# kboost(linux-6.1): emulated
	.size	generations, .-generations

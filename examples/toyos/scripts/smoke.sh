#!/bin/sh
# Quick check of the current .config (the default one passes everything): build, boot
# each test once under QEMU with a timeout, and look for the success line and exit 0.
set -u
cd "$(dirname "$0")/.." || exit 2
make -s || exit 1

QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${TIMEOUT:-20}
status=0
for test in smp_semaphore smp_mutex smp_threads; do
	start=$(date +%s%N)
	log=$(timeout "$TIMEOUT" "$QEMU" -smp 2 -m 64 -display none -serial stdio -no-reboot \
		-kernel build/kernel.elf -append "test=$test" </dev/null 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ "$rc" -eq 0 ] && printf '%s\n' "$log" | grep -q 'PROJECT EXECUTION SUCCESSFUL'; then
		echo "ok   $test (${ms} ms)"
	else
		echo "FAIL $test (exit $rc, ${ms} ms); last lines:"
		printf '%s\n' "$log" | tr -d '\r' | tail -n 12 | sed 's/^/    /'
		status=1
	fi
done
exit $status

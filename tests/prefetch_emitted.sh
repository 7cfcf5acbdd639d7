#!/usr/bin/env bash
# The batched lookups prefetch before they load (engine/batch.c). GCC deletes the calls of a
# small function whose only effect is a prefetch unless it is inlined early, which once made
# the pilot prefetches silently vanish (format/mphf.h, engine/index_internal.h: always_inline).
# It happened again to the prefetch-only warm stages of a mapping job (engine/mapper.c).
# This checks the compiled library: each batched find must still hold its prefetches, and so
# must the job's run loop with its warm stages (one function when they are inlined).
#   prefetch_emitted.sh LIBIDMAP   (exit 77, skipped, off x86-64 or without objdump)
set -euo pipefail
lib=$1
[ "$(uname -m)" = x86_64 ] && command -v objdump >/dev/null || exit 77
count() { # prefetch instructions in the functions named $1 (an awk pattern: <NAME>:)
	objdump -d --no-show-raw-insn "$lib" |
		awk -v f="^<($1)>:$" '$2 ~ f {on = 1; next} /^[0-9a-f]+ <.*>:$/ {on = 0}
			on && /prefetch/ {n++} END {print n + 0}'
}
fail=0
# acc: the pilot, the stored code; key: the pilot, the offset-table block, the record;
# run_range and warm_*: the 10 prefetch sites of the stages (accessions 6, keys 4)
for want in idmap_acc_find_batch:2 idmap_key_find_batch:3 'run_range|warm_[a-z_]+:10'; do
	f=${want%%:*} n=${want#*:}
	got=$(count "$f")
	if [ "$got" -lt "$n" ]; then
		echo "FAIL $f: $got prefetch instructions, expected at least $n"
		fail=1
	else
		echo "ok   $f: $got prefetch instructions"
	fi
done
exit $fail

#!/usr/bin/env bash
# scripts/slurm/map-array.sh in its local mode (the array tasks one after another, then the
# merge) gives exactly what one `idmap map` over the whole list gives, in input order.
#   tests/slurm_map_test.sh IDMAP GENRELEASE WORKDIR
set -uo pipefail
idmap=$1
gen=$2
work=$3
script=$(cd "$(dirname "$0")/.." && pwd)/scripts/slurm/map-array.sh
rm -rf "$work"
mkdir -p "$work"
pass=0
fail=0
check() {
	local what=$1
	shift
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
"$gen" --lines 20000 --seed 5 --out "$work/rel" >/dev/null 2>&1
"$idmap" build -q -o "$work/x.idx" "$work/rel/idmapping.dat" "$work/rel/sec_ac.txt"
{
	cut -f1 "$work/rel/idmapping.dat" | awk 'NR % 7 == 0'
	echo not-an-id
	cut -f1 "$work/rel/idmapping.dat" | head -100
} >"$work/ids"
for opts in "--to GI" "--to GI --format list" "--to EMBL"; do
	out=$work/out-${opts// /_}
	# shellcheck disable=SC2086
	IDMAP=$idmap "$script" local "$work/x.idx" "$work/ids" "$out" --chunk 333 -- $opts >/dev/null
	check "local run ($opts)" test -f "$out/result"
	# shellcheck disable=SC2086
	"$idmap" map -i "$work/x.idx" $opts -u "$work/unmapped.one" <"$work/ids" >"$work/one" 2>/dev/null
	check "merged = one run ($opts)" cmp -s "$work/one" "$out/result"
	check "unmapped ids in order ($opts)" cmp -s "$work/unmapped.one" "$out/unmapped.txt"
	check "several chunks ($opts)" test "$(cat "$out/nchunks")" -gt 3
done
rm -f "$out/parts/part.000001"
IDMAP=$idmap "$script" merge "$out" 2>/dev/null
check "merge refuses a missing part" test $? -ne 0
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

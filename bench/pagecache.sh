#!/usr/bin/env bash
# Page cache folio size and lookup speed: the same index bytes cached two ways, measured in
# alternating runs on one machine. Prints a markdown section and writes it to
# bench/work/pagecache.md; docs/BENCHMARKS.md holds a copy of the committed run.
#
#   bench/pagecache.sh [--runs N] INDEX ACCESSION_IDS
#
# copy "64k": written with 64 KiB writes (small writes, as the builder's were before it wrote
#             whole aligned 2 MiB blocks): the page cache holds small folios;
# copy "2M":  written with aligned 2 MiB writes, as `idmap build` now writes: 2 MiB folios
#             where the file system supports large folios.
# Both copies stay cached (RAM for both is needed). Last, the 2M copy is evicted
# (dd iflag=nocache) and read back by one idmap map run alone, then measured again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=5
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	-*) echo "usage: bench/pagecache.sh [--runs N] INDEX ACCESSION_IDS" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: bench/pagecache.sh [--runs N] INDEX ACCESSION_IDS" >&2; exit 2; }
index=$1 ids=$2
idmap=$root/build/cli/idmap rate=$root/build/bench/idmap-lookup-rate
[ -x "$idmap" ] && [ -x "$rate" ] || bash "$root/scripts/build.sh" >/dev/null
work=$root/bench/work
mkdir -p "$work"
huge() { awk '/^FileHugePages/ {print $2}' /proc/meminfo; }

declare -A gib
for bs in 64k 2M; do
	rm -f "$work/pc-$bs.idx"
	before=$(huge)
	dd if="$index" of="$work/pc-$bs.idx" bs=$bs status=none
	gib[$bs]=$(awk -v a="$before" -v b="$(huge)" 'BEGIN {printf "%.2f", (b - a) / 1048576}')
	cmp -s "$index" "$work/pc-$bs.idx" || { echo "pagecache.sh: copy differs" >&2; exit 1; }
done

declare -A mapt lookr
for _ in $(seq "$runs"); do
	for bs in 64k 2M; do
		s=$(date +%s.%N)
		"$idmap" map -i "$work/pc-$bs.idx" --to UniRef90 --threads 1 <"$ids" >/dev/null 2>&1
		e=$(date +%s.%N)
		mapt[$bs]+="$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f", e - s}') "
		r=$("$rate" "$work/pc-$bs.idx" "$ids" --to UniRef90 --batch 256 --seconds 1 |
			sed 's/.*rate=\([0-9]*\).*/\1/')
		lookr[$bs]+="$r "
	done
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Evicted, then read back by idmap map alone: the engine's page faults bring the index back
# (in 2 MiB folios when it asks for them, engine/index.c advise_huge).
dd if="$work/pc-2M.idx" iflag=nocache count=0 status=none
before=$(huge)
s=$(date +%s.%N)
"$idmap" map -i "$work/pc-2M.idx" --to UniRef90 --threads 1 <"$ids" >/dev/null 2>&1
e=$(date +%s.%N)
cold=$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f", e - s}')
gib[cold]=$(awk -v a="$before" -v b="$(huge)" 'BEGIN {printf "%.2f", (b - a) / 1048576}')
for _ in $(seq "$runs"); do
	s=$(date +%s.%N)
	"$idmap" map -i "$work/pc-2M.idx" --to UniRef90 --threads 1 <"$ids" >/dev/null 2>&1
	e=$(date +%s.%N)
	mapt[cold]+="$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f", e - s}') "
	r=$("$rate" "$work/pc-2M.idx" "$ids" --to UniRef90 --batch 256 --seconds 1 |
		sed 's/.*rate=\([0-9]*\).*/\1/')
	lookr[cold]+="$r "
done

out=$work/pagecache.md
{
	echo "## Page cache folio size (separate run of \`bench/pagecache.sh\`)"
	echo
	echo "Run: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD)," \
		"kernel $(uname -r). The index $(basename "$index") ($(stat -c %s "$index") bytes) was" \
		"copied twice with \`dd\`, once in 64 KiB writes and once in 2 MiB writes, and both" \
		"copies stayed in the page cache. Then, alternating, $runs times each:" \
		"\`idmap map --to UniRef90 --threads 1\` on $(wc -l <"$ids") accessions (process wall" \
		"time) and the batched library lookup rate (\`idmap-lookup-rate --batch 256\`, 1 s)." \
		"Last, the 2M copy was evicted from the cache, read back by one \`idmap map\` run" \
		"(its faults, with the engine's huge-page advice), and measured $runs times again."
	echo
	echo "| copy written in | 2 MiB folios cached (FileHugePages growth) | idmap map, median | batched lookups, median |"
	echo "|---|---|---|---|"
	for bs in 64k 2M cold; do
		m=$(echo "${mapt[$bs]}" | median)
		l=$(echo "${lookr[$bs]}" | median)
		label="$bs writes"
		[ "$bs" = cold ] && label="2M writes, evicted, read back by idmap map ($cold s, not in the median)"
		echo "| $label | ${gib[$bs]} GiB | $m s | $(awk -v l="$l" 'BEGIN {printf "%.2f", l / 1e6}') M/s |"
	done
	echo
	echo "All runs: map 64k: ${mapt[64k]}s; map 2M: ${mapt[2M]}s; after the read-back: ${mapt[cold]}s."
} | tee "$out"
rm -f "$work/pc-64k.idx" "$work/pc-2M.idx"

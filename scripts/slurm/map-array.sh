#!/usr/bin/env bash
# Maps a very large id list against one shared index with a Slurm array job, one task per
# chunk, and merges the outputs in input order.
#
#   scripts/slurm/map-array.sh submit INDEX IDS OUTDIR [--chunk N] [--parallel P]
#                                     [--sbatch "OPTS"] [-- MAP_OPTIONS...]
#       splits IDS (one id per line; repeated ids are answered once, at their first
#       occurrence, as one `idmap map` run does) into chunks of N lines (default 1000000) in
#       OUTDIR/chunks, submits the array job (at most P tasks at once, default 50) and a merge
#       job that runs when every task succeeded. The result: OUTDIR/result (and
#       OUTDIR/unmapped.txt, the ids that mapped to nothing, in input order).
#   scripts/slurm/map-array.sh local INDEX IDS OUTDIR [--chunk N] [-- MAP_OPTIONS...]
#       the same without Slurm: the tasks one after another, then the merge.
#   scripts/slurm/map-array.sh task OUTDIR      one chunk ($SLURM_ARRAY_TASK_ID); used by submit
#   scripts/slurm/map-array.sh merge OUTDIR     concatenates the parts; used by submit
#
# MAP_OPTIONS go to `idmap map` (e.g. --from GeneID --to UniProtKB, --format list). A task
# writes its part to a temporary name and renames it when done, so a failed or pre-empted
# task is simply run again (sbatch --requeue, or `scontrol requeue JOB_TASK`); merge refuses
# to run while a part is missing. Every task maps the same index file: keep it on the shared
# file system; its pages are shared through each node's page cache (see docs/operations.md,
# "Running on a cluster"). Environment: IDMAP (the idmap program, default idmap on PATH).
set -euo pipefail

idmap=${IDMAP:-idmap}
die() { echo "map-array: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }

split_ids() { # split_ids IDS OUTDIR CHUNK
	local ids=$1 out=$2 chunk=$3
	[ -r "$ids" ] || die "cannot read $ids"
	mkdir -p "$out/chunks" "$out/parts"
	rm -f "$out/chunks"/chunk.* "$out/parts"/part.*
	# idmap map answers each distinct id once, at its first occurrence; across chunks the
	# same holds only when the list is made distinct first (order kept, blank lines dropped)
	awk '{ gsub(/^[ \t\r]+|[ \t\r]+$/, "") } $0 != "" && !seen[$0]++' "$ids" |
		split -l "$chunk" -d -a 6 - "$out/chunks/chunk."
	local n
	n=$(find "$out/chunks" -name 'chunk.*' | wc -l)
	[ "$n" -gt 0 ] || die "$ids is empty"
	echo "$n" >"$out/nchunks"
}

task() { # task OUTDIR [INDEX_ID]
	local out=$1 i=${2:-${SLURM_ARRAY_TASK_ID:?not in an array job}}
	local n id chunk part
	n=$(cat "$out/nchunks")
	[ "$i" -lt "$n" ] || die "task $i: only $n chunks"
	id=$(printf '%06d' "$i")
	chunk=$out/chunks/chunk.$id
	part=$out/parts/part.$id
	local index opts=()
	index=$(cat "$out/index")
	mapfile -t opts <"$out/map-options"
	"$idmap" map -i "$index" "${opts[@]}" -u "$part.unmapped.tmp" <"$chunk" >"$part.tmp" \
		2>"$part.log" || die "task $i: idmap map failed: $(tail -n 2 "$part.log")"
	mv -f "$part.unmapped.tmp" "$part.unmapped"
	mv -f "$part.tmp" "$part"
}

merge() { # merge OUTDIR
	local out=$1 n i id header=
	n=$(cat "$out/nchunks")
	for ((i = 0; i < n; i++)); do
		id=$(printf '%06d' "$i")
		[ -f "$out/parts/part.$id" ] || die "merge: part $i of $n is missing (task not done)"
	done
	local list=0
	if grep -qx -- '--format=list\|list' "$out/map-options" ||
		grep -A1 -x -- '-F\|--format' "$out/map-options" | grep -qx list; then
		list=1
	fi
	{
		for ((i = 0; i < n; i++)); do
			id=$(printf '%06d' "$i")
			if [ "$i" -eq 0 ]; then
				header=$(head -n 1 "$out/parts/part.$id")
				cat "$out/parts/part.$id"
			elif [ "$list" = 0 ] && [[ $header == From$'\t'* ]]; then
				tail -n +2 "$out/parts/part.$id" # the header once
			else
				cat "$out/parts/part.$id"
			fi
		done
	} | if [ "$list" = 1 ]; then awk '!seen[$0]++'; else cat; fi >"$out/result.tmp"
	for ((i = 0; i < n; i++)); do
		cat "$out/parts/part.$(printf '%06d' "$i").unmapped"
	done >"$out/unmapped.tmp"
	mv -f "$out/unmapped.tmp" "$out/unmapped.txt"
	mv -f "$out/result.tmp" "$out/result"
	echo "map-array: merged $n parts into $out/result"
}

prepare() { # prepare INDEX IDS OUTDIR ARGS... ; sets chunk, parallel, sbatch_opts
	local index=$1 ids=$2 out=$3
	shift 3
	chunk=1000000
	parallel=50
	sbatch_opts=
	local map_opts=()
	while [ $# -gt 0 ]; do
		case $1 in
		--chunk) chunk=$2; shift 2 ;;
		--parallel) parallel=$2; shift 2 ;;
		--sbatch) sbatch_opts=$2; shift 2 ;;
		--) shift; map_opts=("$@"); break ;;
		*) die "unknown option $1" ;;
		esac
	done
	[ -r "$index" ] || die "cannot read the index $index"
	"$idmap" info -i "$index" >/dev/null || die "$index does not open"
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	(cd "$(dirname "$index")" && echo "$(pwd)/$(basename "$index")") >"$out/index"
	printf '%s\n' ${map_opts[@]+"${map_opts[@]}"} >"$out/map-options"
	split_ids "$ids" "$out" "$chunk"
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
case $cmd in
submit)
	[ $# -ge 3 ] || usage
	out=$3
	prepare "$@"
	out=$(cd "$out" && pwd)
	n=$(cat "$out/nchunks")
	self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	# shellcheck disable=SC2086
	jid=$(sbatch --parsable --job-name=idmap-map --array="0-$((n - 1))%$parallel" \
		--output="$out/parts/slurm-%A_%a.log" $sbatch_opts \
		--wrap="IDMAP='$idmap' '$self' task '$out'")
	# shellcheck disable=SC2086
	mid=$(sbatch --parsable --job-name=idmap-merge --dependency="afterok:${jid%%;*}" \
		--output="$out/merge-%j.log" $sbatch_opts --wrap="IDMAP='$idmap' '$self' merge '$out'")
	echo "map-array: $n chunks; array job $jid, merge job $mid; result in $out/result"
	;;
local)
	[ $# -ge 3 ] || usage
	out=$3
	prepare "$@"
	out=$(cd "$out" && pwd)
	n=$(cat "$out/nchunks")
	for ((i = 0; i < n; i++)); do task "$out" "$i"; done
	merge "$out"
	;;
task) [ $# -eq 1 ] || usage; task "$1" ;;
merge) [ $# -eq 1 ] || usage; merge "$1" ;;
*) usage ;;
esac

#!/usr/bin/env bash
# Scale proof: builds a synthetic release of N lines (default 1e9) under a
# memory budget (default 4G) and records wall time, CPU time, peak RSS, peak temporary disk
# and index size. The generator writes idmapping.dat.gz straight into a FIFO that the builder
# reads, so the release itself never needs disk space; idmapping_selected.tab.gz and the
# history files are written to disk first.
#   bench/scale.sh [--lines N] [--memory SIZE] [--work DIR] [--plain] [--shape real] [--files]
# --files writes the whole release to disk first (about 15 GB at 1e9 lines with gzip) and
# builds from the files, as an admin does: the generator then neither paces the build nor takes
# a core from it (on 2 cores it does both when streaming). The generator's time is not counted.
# --plain streams uncompressed text (the generator's gzip is the slowest part of the run);
# --shape real generates data shaped like the real files (idmap-genrelease --shape real).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lines=1000000000
memory=4G
work=$root/bench/work/scale
plain=0
files=0
shape=default
while [ $# -gt 0 ]; do
	case $1 in
	--lines) lines=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--plain) plain=1; shift ;;
	--files) files=1; shift ;;
	--shape) shape=$2; shift 2 ;;
	*) echo "usage: bench/scale.sh [--lines N] [--memory SIZE] [--work DIR] [--plain]" \
		"[--shape default|real] [--files]" >&2; exit 2 ;;
	esac
done
idmap=$root/build/cli/idmap
gen=$root/build/scripts/idmap-genrelease
[ -x "$idmap" ] && [ -x "$gen" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
gz=.gz
gzflag=--gzip
[ $plain = 1 ] && gz= && gzflag=
# --files keeps a release written earlier with the same parameters (rel/.params).
params="--lines $lines --seed 9 --shape $shape $gzflag"
if [ $files = 1 ] && [ "$(cat "$work/rel/.params" 2>/dev/null)" = "$params" ]; then
	find "$work" -mindepth 1 -maxdepth 1 ! -name rel -exec rm -rf {} +
else
	rm -rf "$work"
fi
mkdir -p "$work/rel" "$work/tmp" "$work/view"
out=$work/result.txt
if [ $files = 1 ]; then
	t0=$(date +%s)
	if [ "$(cat "$work/rel/.params" 2>/dev/null)" != "$params" ]; then
		# shellcheck disable=SC2086 # $params is a list of options
		"$gen" $params --out "$work/rel" >"$work/rel/gen.log" 2>&1
		echo "$params" >"$work/rel/.params"
	fi
	cp "$work/rel/gen.log" "$work/gen.log"
	genpid=
	inputs=("$work/rel/idmapping.dat$gz" "$work/rel/idmapping_selected.tab$gz"
		"$work/rel/sec_ac.txt" "$work/rel/delac_sp.txt")
	echo "scale proof: $lines lines, --shape $shape, --memory $memory, $(date -u +%FT%TZ)" | tee "$out"
	echo "input: files written first ($(du -cb "${inputs[@]}" | tail -1 | cut -f1) bytes," \
		"written in $(($(date +%s) - t0)) s before the build, not counted)" | tee -a "$out"
else
	mkfifo "$work/rel/idmapping.dat$gz"
	# The other inputs are complete only when the generator ends: the builder reads them
	# through FIFOs of their own, fed once it has.
	later="idmapping_selected.tab$gz sec_ac.txt delac_sp.txt"
	for f in $later; do mkfifo "$work/view/$f"; done
	echo "scale proof: $lines lines, --shape $shape, --memory $memory, $(date -u +%FT%TZ)" | tee "$out"
	echo "input: streamed from the generator through FIFOs (it shares the cores)" | tee -a "$out"
	"$gen" --lines "$lines" --seed 9 --shape "$shape" --out "$work/rel" $gzflag >"$work/gen.log" 2>&1 &
	genpid=$!
	(
		while kill -0 $genpid 2>/dev/null; do sleep 1; done
		for f in $later; do cat "$work/rel/$f" >"$work/view/$f"; done
	) &
	inputs=("$work/rel/idmapping.dat$gz")
	for f in $later; do inputs+=("$work/view/$f"); done
fi
# Peak disk use of the temporary directory and the index, sampled every 5 s.
(
	peak=0
	while sleep 5; do
		# du fails on a glob that matches nothing: sum what it could read.
		u=$( (du -sb "$work/tmp" "$work"/*.idx "$work"/.*.idmap-tmp.* 2>/dev/null || true) |
			awk '{s += $1} END {printf "%.0f\n", s}')
		[ "$u" -gt "$peak" ] && peak=$u && echo "$peak" >"$work/disk.peak"
	done
) &
dupid=$!
trap 'kill $dupid 2>/dev/null || true' EXIT
/usr/bin/time -v "$idmap" build --progress -o "$work/scale.idx" --memory "$memory" \
	--tmpdir "$work/tmp" "${inputs[@]}" 2>"$work/build.log" || {
	tail -n 20 "$work/build.log"
	exit 1
}
[ -n "$genpid" ] && wait $genpid
kill $dupid 2>/dev/null || true
grep -E "Elapsed|Maximum resident|User time|System time" "$work/build.log" | tee -a "$out"
grep -E "^idmap: \[" "$work/build.log" | tee -a "$out"
echo "index size: $(stat -c %s "$work/scale.idx") bytes" | tee -a "$out"
echo "selected.tab size: $(stat -c %s "$work/rel/idmapping_selected.tab$gz") bytes" | tee -a "$out"
echo "peak temporary disk (tmpdir + index): $(cat "$work/disk.peak" 2>/dev/null || echo 0) bytes" | tee -a "$out"
tail -n 3 "$work/gen.log" | tee -a "$out"
# What the index holds (sed reads it all: head would stop idmap with SIGPIPE, which
# pipefail turns into a failed run), a spot check mapping three accessions of the release
# (rows 1, 1e6 and 4e7 of selected.tab), and the sequential verification.
"$idmap" info -i "$work/scale.idx" | sed -n '1,12p' | tee -a "$out"
accs=$(zcat -f "$work/rel/idmapping_selected.tab$gz" | cut -f1 | sed -n '1p;1000000p;40000000p')
# shellcheck disable=SC2086 # one argument per accession
"$idmap" map -i "$work/scale.idx" --to UniProtKB $accs | tee -a "$out"
echo "verify: $( { /usr/bin/time -f '%e s' "$idmap" verify -i "$work/scale.idx"; } 2>&1 | tr '\n' ' ')" |
	tee -a "$out"

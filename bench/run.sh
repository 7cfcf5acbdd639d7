#!/usr/bin/env bash
# The benchmark harness: bench/run.sh [--lines N] [--quick] [--sqlite-lines N] ...
# Installs what it needs (as root; otherwise it prints the command and skips what is absent),
# builds idmap in Release mode into build/, then runs bench/bench.py, which writes
# docs/BENCHMARKS.md (with --quick: bench/work/BENCHMARKS-quick.md). Work files go to
# bench/work/ (git-ignored). `bench/run.sh --help` lists the options.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"

for a in "$@"; do
	if [ "$a" = "-h" ] || [ "$a" = "--help" ]; then exec python3 "$here/bench.py" --help; fi
done

scripts/deps.sh
# Tools of the harness itself: command -> Debian package.
need=()
for pair in time:/usr/bin/time igzip:isal sqlite3:sqlite3 hyperfine:hyperfine mawk:mawk; do
	cmd=${pair%%:*} pkg=${pair#*:}
	[ "$cmd" = time ] && { pkg=time; cmd=/usr/bin/time; }
	command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "bench: installing ${need[*]}" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >/dev/null || apt-get update
		apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null ||
			echo "bench: could not install ${need[*]}; those measurements are skipped" >&2
	else
		echo "bench: missing ${need[*]}; as root: apt-get install -y ${need[*]}" >&2
		echo "bench: going on; what needs them is skipped or done another way" >&2
	fi
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench: /usr/bin/time is required (Debian package time)" >&2
	exit 1
fi

cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j"$(nproc)" >/dev/null

# IDMAP_BENCH_FASTA=1: also the FASTA retrieval benchmark (issue 15) against samtools faidx
if [ "${IDMAP_BENCH_FASTA:-0}" = 1 ]; then
	scripts/deps.sh --bench-fasta
	python3 "$here/fasta_bench.py" --bin "$root/build" --md "$root/docs/BENCHMARKS.md"
fi
# IDMAP_BENCH_UNIPARC=1: also the UniParc XML scanner (issue 16) against xmllint --stream
if [ "${IDMAP_BENCH_UNIPARC:-0}" = 1 ]; then
	scripts/deps.sh --bench-uniparc
	python3 "$here/uniparc_bench.py" --bin "$root/build" --md "$root/docs/BENCHMARKS.md"
fi

exec python3 "$here/bench.py" --command "bench/run.sh${*:+ $*}" "$@"

#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite with ctest.
#   scripts/test.sh             plain build (RelWithDebInfo: optimised, with debug info)
#   scripts/test.sh --sanitize  ASan + UBSan build
#   scripts/test.sh --valgrind  memcheck: the CLI tests run idmap under valgrind
#                               (IDMAP_TEST_WRAPPER), the fuzz corpus replays too
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=plain
case "${1:-}" in
--sanitize) mode=sanitize ;;
--valgrind) mode=valgrind ;;
"") ;;
*) echo "usage: scripts/test.sh [--sanitize | --valgrind]" >&2; exit 2 ;;
esac
"$root/scripts/deps.sh" ${1:+"$1"}
if [ $mode = valgrind ]; then
	dir=$root/build-valgrind
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
	BUILD_TYPE=Debug "$root/scripts/build.sh" "$dir" -DIDMAP_WITH_ISAL=OFF \
		"-DCMAKE_CROSSCOMPILING_EMULATOR=${vg// /;}"
	cd "$dir"
	# CLI tests (python) wrap every idmap run; C test executables run under the emulator.
	IDMAP_TEST_WRAPPER="$vg" ctest --output-on-failure -j"$(nproc)" --timeout 3000 \
		-R '^(cli_faults|cli_damage|crash_safety|update_release|fuzz_replay_.*)$'
	exit
fi
if [ $mode = sanitize ]; then
	dir=$root/build-asan
	# The sanitized build also covers the zlib inflate path (the plain one uses ISA-L).
	BUILD_TYPE=Debug "$root/scripts/build.sh" "$dir" -DIDMAP_SANITIZE=ON -DIDMAP_WITH_ISAL=OFF
else
	dir=$root/build-test
	BUILD_TYPE=RelWithDebInfo "$root/scripts/build.sh" "$dir"
fi
cd "$dir"
ctest --output-on-failure -j"$(nproc)" --timeout 600

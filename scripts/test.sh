#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite with ctest.
#   scripts/test.sh             plain build (Debug, assertions on)
#   scripts/test.sh --sanitize  ASan + UBSan build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
mode=plain
case "${1:-}" in
--sanitize) mode=sanitize ;;
"") ;;
*) echo "usage: scripts/test.sh [--sanitize]" >&2; exit 2 ;;
esac
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

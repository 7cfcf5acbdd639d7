#!/usr/bin/env bash
# Installs the Debian packages idmap needs to build and test, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail

# command or header -> package
need=()
check() { # check PACKAGE TEST...
	local pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then need+=("$pkg"); fi
}
check build-essential command -v cc
check cmake command -v cmake
check pkgconf command -v pkg-config
check zlib1g-dev pkg-config --exists zlib
check libdeflate-dev pkg-config --exists libdeflate
check libcmocka-dev pkg-config --exists cmocka
check libisal-dev pkg-config --exists libisal
check python3 command -v python3
check time test -x /usr/bin/time
check curl command -v curl # scripts/update-release.sh and its test
check libmicrohttpd-dev pkg-config --exists libmicrohttpd # idmap serve
# the server tests run on Debian's /usr/bin/python3, which sees these packages
check python3-requests /usr/bin/python3 -c "import requests" # tests/server_api_test.py
check python3-websocket /usr/bin/python3 -c "import websocket" # tests/web_page_test.py
check chromium test -x /usr/bin/chromium # tests/web_page_test.py
check man-db command -v man # tests/man_pages_test.sh: man -l
check groff-base command -v groff
# pip install ./python; tests/install_test.sh does it offline in a venv with its own pip
# (ensurepip). The build backend is in python/backend/: no setuptools or wheel needed.
check python3-pip /usr/bin/python3 -m pip --version
check python3-venv /usr/bin/python3 -c "import ensurepip"
# scripts/deps.sh --valgrind: also what scripts/test.sh --valgrind needs
if [ "${1:-}" = --valgrind ]; then check valgrind command -v valgrind; fi
# scripts/deps.sh --bench-fasta: bench/fasta_bench.py's rivals (not needed by the tests)
# scripts/deps.sh --bench-uniparc: bench/uniparc_bench.py's rival, libxml2's xmllint
if [ "${1:-}" = --bench-uniparc ]; then check libxml2-utils command -v xmllint; fi
if [ "${1:-}" = --bench-fasta ]; then
	check samtools command -v samtools
	check tabix command -v bgzip
	check isal command -v igzip
fi

if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi
cmd="apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
	echo "deps.sh: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null || apt-get update
	$cmd
else
	echo "deps.sh: missing packages; run as root:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi

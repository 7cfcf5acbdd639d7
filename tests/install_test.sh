#!/usr/bin/env bash
# What a packager or a user gets from `cmake --install`: the libraries, headers, idmap.pc and
# the CMake package, used by programs outside the project; the man pages and bash completion;
# the Python binding installed with pip from python/, offline, and its tests run on it; the
# wheel and sdist its in-tree build backend makes.
#   install_test.sh BUILD_DIR SOURCE_DIR WORKDIR PYTHON BINDING_TEST_ARGS...
set -euo pipefail
build=$1 src=$2 work=$3 python=$4
shift 4
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >"$work/install.log"
fail=0
check() { # check WHAT COMMAND...: runs COMMAND, reports WHAT
	local what=$1; shift
	if "$@" >>"$work/steps.log" 2>&1; then
		echo "ok   $what"
	else
		echo "FAIL $what (see $work/steps.log)"
		fail=1
	fi
}

pc=$(find "$prefix" -name idmap.pc)
[ -n "$pc" ] || { echo "FAIL no idmap.pc installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
for f in include/idmap.h include/idmap_index.h include/idmap_map.h include/idmap_version.h \
	bin/idmap; do
	check "installed $f" test -e "$prefix/$f"
done
check "installed libidmap.a, libidmap.so -> libidmap.so.1" \
	test -f "$libdir/libidmap.a" -a "$(readlink "$libdir/libidmap.so")" = libidmap.so.1
check "SONAME libidmap.so.1" grep -q 'SONAME.*\[libidmap\.so\.1\]' \
	<(readelf -d "$libdir/libidmap.so")
# Only the API is exported: every dynamic symbol defined by the library is idmap_*.
leaked=$(nm -D --defined-only "$libdir/libidmap.so" | awk '$3 !~ /^idmap_/ {print $3}')
check "libidmap.so exports only idmap_* (${leaked:-none other})" test -z "$leaked"

index=$work/sample.idx
sample=$src/data/sample
"$prefix/bin/idmap" build --quiet -o "$index" "$sample/idmapping.dat" \
	"$sample/idmapping_selected.tab" "$sample/sec_ac.txt" "$sample/delac_sp.txt"
expect=$work/expect.txt
printf 'GeneID\t7529\n' >"$expect"
runs() { # runs PROGRAM: it prints P31946's pairs, GeneID 7529 among them
	"$1" "$index" P31946 >"$1.out" && grep -qxFf "$expect" "$1.out"
}

# pkg-config, shared and static (Requires.private brings libdeflate)
export PKG_CONFIG_PATH=$libdir/pkgconfig
consumer=$src/tests/install_consumer/consumer.c
check "pkg-config --modversion idmap" test "$(pkg-config --modversion idmap)" = \
	"$("$prefix/bin/idmap" --version | cut -d' ' -f2)"
# shellcheck disable=SC2046
check "cc consumer.c \$(pkg-config --cflags --libs idmap)" \
	cc -o "$work/pc_shared" "$consumer" $(pkg-config --cflags --libs idmap) \
	-Wl,-rpath,"$(pkg-config --variable=libdir idmap)"
check "  runs on the installed libidmap.so.1" runs "$work/pc_shared"
check "  loads it from the prefix" grep -q "$libdir/libidmap.so.1" <(ldd "$work/pc_shared")
static_libs=$(pkg-config --static --libs idmap | sed 's/-lidmap/-l:libidmap.a/')
# shellcheck disable=SC2046,SC2086
check "cc consumer.c \$(pkg-config --static --libs idmap), libidmap.a" \
	cc -o "$work/pc_static" "$consumer" $(pkg-config --cflags idmap) $static_libs
check "  runs" runs "$work/pc_static"
# each layer's header stands alone (idmap.h includes both)
for h in idmap_index.h idmap_map.h; do
	# shellcheck disable=SC2046
	check "  #include <$h> alone compiles" bash -c "printf '#include <$h>\nint main(void) \
{ return idmap_version() == 0; }\n' | cc -x c -o '$work/alone' - $(pkg-config --cflags --libs idmap)"
done

# find_package(idmap): idmap::idmap and idmap::idmap_static
check "cmake find_package(idmap 0.1)" cmake -S "$src/tests/install_consumer" \
	-B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix"
check "  builds" cmake --build "$work/cmake"
check "  idmap::idmap runs" runs "$work/cmake/consumer_shared"
check "  idmap::idmap_static runs" runs "$work/cmake/consumer_static"
check "  idmap::idmap_static needs no libidmap.so" \
	bash -c "! ldd '$work/cmake/consumer_static' | grep -q libidmap"

here=$(dirname "$0")
check "man -l on each installed page (tests/man_pages_test.sh)" \
	bash "$here/man_pages_test.sh" "$prefix/bin/idmap" "$prefix/share/man/man1"
check "installed bash completion (tests/completion_test.sh)" \
	bash "$here/completion_test.sh" "$prefix/bin" "$prefix/share/bash-completion/completions/idmap"

# pip install ./python as a user types it, into a venv of its own (no system site packages):
# pip's build isolation installs pyproject.toml's build requirements (none: the backend is in
# python/backend/) and must download nothing: without an index, local wheel directories
# (--find-links) or pip.conf, a need for any package fails here even on a machine with a
# network. pip builds in the tree it is given: a copy, so the source stays clean.
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL
export PIP_NO_INDEX=1 PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
cp -r "$src/python" "$work/python"
venv=$work/venv
check "python3 -m venv" "$python" -m venv "$venv"
check "pip install ./python" bash -c "cd '$work' && '$venv/bin/pip' install ./python"
# the installed binding (not python/) on the installed libidmap.so.1, found by ld.so
export LD_LIBRARY_PATH=$libdir
unset IDMAP_LIBRARY PYTHONPATH
check "  imported from the venv, its metadata version idmap's" bash -c "cd '$work' &&
	'$venv/bin/python' -c 'import idmap, importlib.metadata as m
assert idmap.__file__.startswith(\"$venv/\"), idmap.__file__
assert m.version(\"idmap\") == idmap.__version__ == idmap.version()'"
check "  python_binding_test.py on the installed library" "$venv/bin/python" \
	"$here/python_binding_test.py" --workdir "$work/python_test" "$@" --idmap "$prefix/bin/idmap"

# The wheel pip builds: listed by zipfile, every member in RECORD with its sha256; the sdist
# builds the same wheel, byte for byte; an editable install imports python/ itself.
version=$("$prefix/bin/idmap" --version | cut -d' ' -f2)
wheel=$work/wheels/idmap-$version-py3-none-any.whl
check "pip wheel ./python" bash -c "cd '$work' && '$venv/bin/pip' wheel -w wheels ./python"
check "  python3 -m zipfile -l: the package and its .dist-info" bash -c \
	"'$python' -m zipfile -l '$wheel' >'$work/wheel.list' &&
	grep -q '^idmap/__init__.py ' '$work/wheel.list' &&
	grep -q '^idmap-$version.dist-info/RECORD ' '$work/wheel.list'"
check "  RECORD sizes and sha256 (tests/wheel_check.py)" \
	"$python" "$here/wheel_check.py" "$wheel" idmap "$version"
check "build_sdist, pip wheel of the sdist: the same wheel" bash -c "mkdir '$work/sdist' &&
	cd '$work/python' &&
	'$venv/bin/python' -c 'import sys; sys.path.insert(0, \"backend\"); import idmap_backend
print(idmap_backend.build_sdist(\"../sdist\"))' &&
	'$venv/bin/pip' wheel -w ../sdist/wheels ../sdist/idmap-$version.tar.gz &&
	cmp '$wheel' ../sdist/wheels/idmap-$version-py3-none-any.whl"
check "pip install -e ./python: imports python/idmap" bash -c "cd '$work' &&
	'$venv/bin/pip' install -e ./python && '$venv/bin/python' -c 'import idmap
assert idmap.__file__ == \"$work/python/idmap/__init__.py\", idmap.__file__'"
exit $fail

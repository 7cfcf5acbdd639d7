#!/usr/bin/env bash
# scripts/update-release.sh against a local mirror laid out like UniProt's FTP tree.
#   tests/update_release_test.sh IDMAP GENRELEASE WORKDIR
# Releases are made by idmap-genrelease; the mirror is read through file:// URLs and as a plain
# directory. Prints "N passed, N failed"; exits 1 when a check failed.
set -uo pipefail
idmap=$1
gen=$2
work=$3
script=$(cd "$(dirname "$0")/.." && pwd)/scripts/update-release.sh
rm -rf "$work"
mkdir -p "$work"
mirror=$work/mirror
dest=$work/dest
pass=0
fail=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $what"
	fi
}

# publish NAME SEED [damage]: puts release NAME into the mirror's current_release
publish() {
	local name=$1 seed=$2 damage=${3:-}
	local tmp=$work/gen-$name kb=$mirror/current_release/knowledgebase
	rm -rf "$tmp" "$mirror/current_release"
	"$gen" --lines 3000 --seed "$seed" --out "$tmp" --gzip >/dev/null 2>&1 || return 1
	mkdir -p "$kb/idmapping" "$kb/complete/docs"
	mv "$tmp/idmapping.dat.gz" "$tmp/idmapping_selected.tab.gz" "$kb/idmapping/"
	mv "$tmp/sec_ac.txt" "$tmp/delac_sp.txt" "$kb/complete/docs/"
	sed "s/2026_01/$name/g" "$tmp/reldate.txt" >"$kb/complete/reldate.txt"
	case $damage in
	truncated)
		local f=$kb/idmapping/idmapping.dat.gz
		head -c $(($(stat -c %s "$f") / 2)) "$f" >"$f.cut" && mv "$f.cut" "$f"
		;;
	fasta)
		printf '>sp|P12345|X\nMKV\n' | gzip -n >"$kb/idmapping/idmapping_selected.tab.gz"
		;;
	esac
	rm -rf "$tmp"
}

upd() { "$script" --idmap "$idmap" --quiet "$@"; }
current() { basename "$(readlink "$dest/current")"; }
verifies() { "$idmap" verify -q -i "$dest/current/index.idx"; }
release_of() { "$idmap" verify -i "$dest/current/index.idx" | grep -o 'release [^,]*' | cut -d' ' -f2; }

# 1. first release, through file:// URLs
publish 2026_01 1
check "first run succeeds" upd "file://$mirror" "$dest"
check "current -> 2026_01" test "$(current)" = 2026_01
check "index verifies" verifies
check "index holds release 2026_01" test "$(release_of)" = 2026_01
check "downloads removed after success" test ! -e "$dest/downloads/2026_01"
check "log written" grep -q "switched .* to 2026_01" "$dest/update.log"

# 2. same release again: skipped, nothing rebuilt
before=$(stat -c %Y.%i "$dest/releases/2026_01/index.idx")
check "second run succeeds" upd "file://$mirror" "$dest"
check "second run skips" grep -q "2026_01 is already current" "$dest/update.log"
check "index untouched" test "$(stat -c %Y.%i "$dest/releases/2026_01/index.idx")" = "$before"

# 3. new release, SOURCE as a plain directory; a partial download is resumed
publish 2026_02 2
mkdir -p "$dest/downloads/2026_02"
src=$mirror/current_release/knowledgebase/idmapping/idmapping.dat.gz
head -c 1000 "$src" >"$dest/downloads/2026_02/idmapping.dat.gz.part"
check "new release succeeds" upd "$mirror" "$dest"
check "current -> 2026_02" test "$(current)" = 2026_02
check "resumed the partial download" grep -q "resuming .*idmapping.dat.gz at byte 1000" "$dest/update.log"
check "new index verifies" verifies
check "previous release kept" test -f "$dest/releases/2026_01/index.idx"
acc=$(zcat "$src" | head -1 | cut -f1)
check "the new index answers" sh -c "'$idmap' map -i '$dest/current/index.idx' $acc | grep -q $acc"

# 4. a truncated download: non-zero exit, the old index stays current
publish 2026_03 3 truncated
upd "$mirror" "$dest" 2>/dev/null
rc=$?
check "truncated gzip fails (exit $rc)" test $rc -ne 0
check "current still 2026_02" test "$(current)" = 2026_02
check "current still verifies" verifies
check "failure logged" grep -q "FAILED: .*not a whole gzip stream" "$dest/update.log"

# 5. a file of another kind (FASTA as .gz): the build fails, the old index stays current
publish 2026_03 3 fasta
upd "$mirror" "$dest" 2>/dev/null
rc=$?
check "bad content fails (exit $rc)" test $rc -ne 0
check "current still 2026_02 after a failed build" test "$(current)" = 2026_02
check "build failure logged" grep -q "FAILED: idmap build failed" "$dest/update.log"
check "no index left for the failed release" test ! -e "$dest/releases/2026_03/index.idx"

# 6. an unreachable source
upd "file://$work/nowhere" "$dest" 2>/dev/null
check "missing mirror fails" test $? -ne 0
check "current still 2026_02 after a missing mirror" test "$(current)" = 2026_02

# 7. good releases again; --keep 1 keeps one previous release
publish 2026_03 3
check "2026_03 succeeds" upd --keep 1 "$mirror" "$dest"
publish 2026_04 4
check "2026_04 succeeds" upd --keep 1 "$mirror" "$dest"
check "current -> 2026_04" test "$(current)" = 2026_04
kept=$(cd "$dest/releases" && ls -d */ 2>/dev/null | tr -d / | tr '\n' ' ')
check "keeps the current and one previous ($kept)" test "$kept" = "2026_03 2026_04 "
check "index verifies at the end" verifies
check "current is a relative symlink" test "$(readlink "$dest/current")" = releases/2026_04

# 8. a concurrent run is refused while the lock is held
(
	flock 9
	upd "$mirror" "$dest" 2>/dev/null
	echo $? >"$work/locked.rc"
) 9>"$dest/.update.lock"
check "a concurrent run is refused" test "$(cat "$work/locked.rc")" -ne 0

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# Nightly rebuild of an idmap index from a UniProt release: fetch, test, build, verify, switch.
#
#   scripts/update-release.sh [options] SOURCE DEST
#
# SOURCE  the root of a UniProt mirror, as a URL (https://..., ftp://..., file:///...) or a
#         local directory, with UniProt's layout:
#           current_release/knowledgebase/idmapping/idmapping.dat.gz
#           current_release/knowledgebase/idmapping/idmapping_selected.tab.gz
#           current_release/knowledgebase/complete/docs/sec_ac.txt
#           current_release/knowledgebase/complete/docs/delac_sp.txt
#           current_release/knowledgebase/complete/reldate.txt     (the release name)
# DEST    where releases are kept:
#           DEST/current -> releases/2026_01     the index to use: DEST/current/index.idx
#           DEST/releases/<release>/index.idx    one directory per release (build.log beside)
#           DEST/downloads/<release>/            downloads, kept until the build succeeds
#           DEST/update.log                      what every run did
#
# Steps: read the release name (reldate.txt, else relnotes.txt, else the "Release:" header of
# sec_ac.txt); stop with exit 0 when DEST/current already is that release; download every file
# with curl (resuming partial downloads); test the gzip streams (gzip -t); build; idmap verify;
# switch DEST/current atomically (a new symlink renamed over the old one); remove releases
# older than the newest --keep ones (never the current one). Any failure exits non-zero and
# leaves DEST/current as it was. Runs are serialised with a lock on DEST/.update.lock.
#
# Options:
#   --idmap PATH     the idmap program (default: $IDMAP, else idmap on PATH, else the build tree)
#   --keep N         releases to keep besides the current one (default 2)
#   --memory SIZE    idmap build --memory (default: idmap's)
#   --threads N      idmap build --threads (default: all cores)
#   --tmpdir DIR     idmap build --tmpdir (default: the release directory)
#   --release NAME   use this release name instead of reading it
#   --with-trembl-delac  also fetch delac_tr.txt.gz (deleted TrEMBL accessions; large)
#   --quiet          log to DEST/update.log only
# Environment: CURL_OPTS (extra curl options, e.g. "--limit-rate 50M").
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

idmap=${IDMAP:-}
keep=2
memory=
threads=
tmpdir=
release=
quiet=0
trembl=0
while [ $# -gt 0 ]; do
	case $1 in
	--idmap) idmap=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--memory) memory=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--tmpdir) tmpdir=$2; shift 2 ;;
	--release) release=$2; shift 2 ;;
	--with-trembl-delac) trembl=1; shift ;;
	--quiet) quiet=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "update-release.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 2 ]; then
	usage >&2
	exit 2
fi
source_arg=$1
dest=$2
case $keep in '' | *[!0-9]*) echo "update-release.sh: --keep needs a number" >&2; exit 2 ;; esac

if [ -z "$idmap" ]; then
	if command -v idmap >/dev/null 2>&1; then
		idmap=$(command -v idmap)
	else
		here=$(cd "$(dirname "$0")/.." && pwd)
		for c in "$here/build/cli/idmap" "$here/build-test/cli/idmap"; do
			if [ -x "$c" ]; then idmap=$c; break; fi
		done
	fi
fi
if [ -z "$idmap" ] || [ ! -x "$idmap" ]; then
	echo "update-release.sh: no idmap program (give --idmap PATH or set IDMAP)" >&2
	exit 2
fi

mkdir -p "$dest/releases" "$dest/downloads"
dest=$(cd "$dest" && pwd)
logfile=$dest/update.log

log() {
	local line
	line="$(date -u +%Y-%m-%dT%H:%M:%SZ) [$$] $*"
	echo "$line" >>"$logfile"
	if [ "$quiet" = 0 ]; then echo "update-release: $*" >&2; fi
}
die() {
	log "FAILED: $*; $dest/current is unchanged${current_rel:+ ($current_rel)}"
	exit 1
}

# One run at a time per DEST.
exec 9>"$dest/.update.lock"
if ! flock -n 9; then
	log "another update of $dest is running; nothing done"
	exit 1
fi

# SOURCE as a URL: a local directory becomes file://.
case $source_arg in
*://*) base=${source_arg%/} ;;
*)
	if [ ! -d "$source_arg" ]; then
		echo "update-release.sh: $source_arg is neither a URL nor a directory" >&2
		exit 2
	fi
	base="file://$(cd "$source_arg" && pwd)"
	;;
esac
kb=$base/current_release/knowledgebase

current_rel=
if [ -L "$dest/current" ]; then
	current_rel=$(basename "$(readlink "$dest/current")")
fi
log "start: source $base, dest $dest, current release ${current_rel:-none}"

curl_opts=(--fail --location --silent --show-error --retry 3 --retry-delay 10
	--connect-timeout 60)
# shellcheck disable=SC2206
extra_curl=(${CURL_OPTS:-})

# fetch URL FILE: downloads to FILE.part (resuming what is there) and renames it to FILE.
fetch() {
	local url=$1 out=$2 rc=0
	if [ -s "$out.part" ]; then
		log "resuming $url at byte $(stat -c %s "$out.part")"
	fi
	curl "${curl_opts[@]}" "${extra_curl[@]}" -C - -o "$out.part" "$url" || rc=$?
	if [ $rc -eq 33 ] || [ $rc -eq 36 ]; then
		# the server cannot resume (or the part is already whole): start again
		log "cannot resume $url (curl exit $rc); downloading it again"
		rm -f "$out.part"
		rc=0
		curl "${curl_opts[@]}" "${extra_curl[@]}" -o "$out.part" "$url" || rc=$?
	fi
	if [ $rc -ne 0 ]; then
		log "download of $url failed (curl exit $rc); the partial file is kept for a resume"
		return 1
	fi
	mv -f "$out.part" "$out"
}

# remote_size URL: the Content-Length the server reports, or nothing.
remote_size() {
	curl "${curl_opts[@]}" "${extra_curl[@]}" --head "$1" 2>/dev/null |
		tr -d '\r' | awk 'tolower($1) == "content-length:" { n = $2 } END { if (n != "") print n }'
}

# release_name: prints the release name, from reldate.txt, relnotes.txt or sec_ac.txt's header.
release_name() {
	local f name
	for f in "$kb/complete/reldate.txt" "$kb/idmapping/reldate.txt" \
		"$base/current_release/relnotes.txt"; do
		name=$(curl "${curl_opts[@]}" "${extra_curl[@]}" --max-filesize 1000000 "$f" 2>/dev/null |
			grep -o -m1 -E 'Release [0-9]{4}_[0-9]{2}' | cut -d' ' -f2) || true
		if [ -n "$name" ]; then
			echo "$name"
			return 0
		fi
	done
	# The header of sec_ac.txt: "Release:     2026_01 of 28-Jan-2026" or a date.
	name=$(curl "${curl_opts[@]}" "${extra_curl[@]}" --range 0-4095 "$kb/complete/docs/sec_ac.txt" \
		2>/dev/null | grep -m1 -E '^Release:' | awk '{print $2}') || true
	if [ -n "$name" ]; then
		echo "$name" | tr -c 'A-Za-z0-9_.\n-' '_'
		return 0
	fi
	return 1
}

if [ -z "$release" ]; then
	release=$(release_name) || die "cannot read the release name from $kb (reldate.txt, relnotes.txt, sec_ac.txt)"
fi
case $release in
'' | */* | .*) die "bad release name '$release'" ;;
esac
log "release at the source: $release"

if [ "$current_rel" = "$release" ] && [ -f "$dest/current/index.idx" ]; then
	log "$release is already current; nothing to do"
	exit 0
fi

dl=$dest/downloads/$release
rel=$dest/releases/$release
mkdir -p "$dl"

files=("idmapping/idmapping.dat.gz" "idmapping/idmapping_selected.tab.gz"
	"complete/docs/sec_ac.txt" "complete/docs/delac_sp.txt")
if [ "$trembl" = 1 ]; then files+=("complete/docs/delac_tr.txt.gz"); fi
inputs=()
for f in "${files[@]}"; do
	name=$(basename "$f")
	out=$dl/$name
	# A file kept from an earlier run of this release is reused when it has the size the
	# server reports (the mirror may have replaced it) and tests whole.
	if [ -f "$out" ] && [ "$(remote_size "$kb/$f")" = "$(stat -c %s "$out")" ] &&
		{ [[ $name != *.gz ]] || gzip -t "$out" 2>/dev/null; }; then
		log "reusing $out"
	else
		rm -f "$out"
		log "downloading $kb/$f"
		fetch "$kb/$f" "$out" || die "download of $kb/$f failed"
	fi
	if [[ $name == *.gz ]]; then
		if ! gzip -t "$out" 2>"$dl/gzip-test.err"; then
			msg=$(head -c 300 "$dl/gzip-test.err")
			rm -f "$out" # a broken file is fetched anew next time
			die "$out is not a whole gzip stream: $msg"
		fi
	fi
	inputs+=("$out")
done
rm -f "$dl/gzip-test.err"
log "downloads complete and gzip streams tested"

# Build into a fresh release directory; the switch happens only after verify.
mkdir -p "$rel"
build=("$idmap" build --progress -o "$rel/index.idx" --release "$release")
if [ -n "$memory" ]; then build+=(--memory "$memory"); fi
if [ -n "$threads" ]; then build+=(--threads "$threads"); fi
if [ -n "$tmpdir" ]; then build+=(--tmpdir "$tmpdir"); fi
log "building: ${build[*]} ${inputs[*]}"
start=$(date +%s)
if ! "${build[@]}" "${inputs[@]}" >"$rel/build.log" 2>&1; then
	msg=$(tail -n 3 "$rel/build.log" | tr '\n' ' ')
	if [ "$current_rel" != "$release" ]; then rm -f "$rel/index.idx"; fi
	die "idmap build failed: $msg(log: $rel/build.log)"
fi
log "built $rel/index.idx in $(($(date +%s) - start)) s ($(stat -c %s "$rel/index.idx") bytes)"
if ! "$idmap" verify -i "$rel/index.idx" >>"$rel/build.log" 2>&1; then
	msg=$(tail -n 1 "$rel/build.log")
	rm -f "$rel/index.idx"
	die "idmap verify failed: $msg"
fi
log "verified $rel/index.idx"

# Atomic switch: a new symlink renamed over the old one.
ln -sfn "releases/$release" "$dest/.current.new.$$"
mv -T "$dest/.current.new.$$" "$dest/current"
log "switched $dest/current to $release (was ${current_rel:-none})"
current_rel=$release
rm -rf "$dl"

# Keep the newest --keep releases besides the current one.
mapfile -t old < <(find "$dest/releases" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' |
	grep -vxF "$release" | sort -r)
i=0
for r in "${old[@]}"; do
	i=$((i + 1))
	if [ $i -gt "$keep" ]; then
		rm -rf "${dest:?}/releases/$r" "${dest:?}/downloads/$r"
		log "removed old release $r"
	fi
done
log "done: current release $release"

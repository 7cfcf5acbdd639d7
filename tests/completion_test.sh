#!/usr/bin/env bash
# completions/idmap.bash completes commands, options (read from --help), database names and
# format values, as bash would call it: COMP_WORDS/COMP_CWORD in, COMPREPLY out.
#   completion_test.sh IDMAP_BIN_DIR COMPLETION_FILE
set -euo pipefail
PATH=$1:$PATH
source "$2"
fail=0
expect() { # expect "WANTED REPLY" WORDS...
	local want=$1; shift
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
	_idmap
	if [ "${COMPREPLY[*]}" = "$want" ]; then
		echo "ok   $* -> $want"
	else
		echo "FAIL $*: got '${COMPREPLY[*]}', want '$want'"
		fail=1
	fi
}
expect "map" idmap ma
expect "databases" idmap da
expect "--from" idmap map --fr
expect "--memory" idmap build --mem
expect "--full" idmap verify --fu
expect "--max-ids --max-connections --max-per-ip" idmap serve --max
expect "UniRef50 UniRef90 UniRef100" idmap map --to UniRef
expect "RefSeq_Nucleotide RefSeq_Protein" idmap map -f RefSeq_
expect "json" idmap map -F j
expect "tsv" idmap databases --format t
expect "UniProtKB" idmap map --via U
expect "" idmap build -t ""
exit $fail

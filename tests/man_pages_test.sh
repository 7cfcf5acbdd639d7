#!/usr/bin/env bash
# The man pages render with `man -l` without a groff warning, and each one names every long
# option that its command's --help lists (so a new option cannot be left out of its page).
#   man_pages_test.sh IDMAP MANDIR   (MANDIR: the source man/ or an installed man1/)
set -euo pipefail
idmap=$1 dir=$2
export LC_ALL=C MANWIDTH=200
fail=0
# page -> the commands whose --help it covers ("-": idmap's own --help and --version)
declare -A covers=(
	[idmap]="- info databases" [idmap-build]=build [idmap-map]=map [idmap-verify]=verify
	[idmap-serve]=serve)
for page in "${!covers[@]}"; do
	file=$dir/$page.1 bad=0
	if [ "$page" = idmap-serve ] && ! "$idmap" serve --help >/dev/null 2>&1; then
		echo "skip $page: idmap built without the server"
		continue
	fi
	[ -f "$file" ] || file=$file.gz
	warn=$(man --warnings=w -l "$file" 2>&1 >/dev/null) || { echo "FAIL $page: man -l failed"; bad=1; }
	if [ -n "$warn" ]; then
		echo "FAIL $page: warnings: $warn"
		bad=1
	fi
	text=$(man -l "$file" 2>/dev/null)
	grep -q "^NAME" <<<"$text" || { echo "FAIL $page: no NAME section"; bad=1; }
	for cmd in ${covers[$page]}; do
		if [ "$cmd" = - ]; then
			opts="--help --version"
		else
			opts=$("$idmap" "$cmd" --help |
				sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p')
		fi
		[ -n "$opts" ] || { echo "FAIL idmap $cmd --help lists no option"; bad=1; }
		for o in $opts; do
			if ! grep -q -- "$o\b" <<<"$text"; then
				echo "FAIL $page: no $o (from idmap $cmd --help)"
				bad=1
			fi
		done
	done
	if [ $bad = 0 ]; then echo "ok   $page"; else fail=1; fi
done
exit $fail

# bash completion for idmap(1). Installed as bash-completion/completions/idmap.
# Options are read from `idmap COMMAND --help`, and database names from `idmap databases`
# (UniProt's static catalogue, no index needed), so they follow the program as it changes.

# The long options of one command: lines of its --help that start with an option (indented
# by a few spaces; a continuation line of a description may start with an option's name too).
_idmap_options()
{
	"$1" "$2" --help 2>/dev/null |
		sed -n 's/^ \{0,8\}\(-[a-zA-Z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p'
}

_idmap()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local prog=${COMP_WORDS[0]} cmd=${COMP_WORDS[1]} words
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		words="build map entry info databases verify serve --help --version"
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return
	fi
	# Values of the options that take one ("-t" is --to in map, --threads elsewhere).
	case $cmd:$prev in
	*:-i | *:--index | build:-o | build:--output | map:-u | map:--unmapped | map:--suggested)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	build:--tmpdir | serve:-j | serve:--jobs-dir)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	map:-f | map:--from | map:-t | map:--to)
		words=$("$prog" databases 2>/dev/null | sed '1d' | cut -f1)
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
		return ;;
	map:-F | map:--format)
		COMPREPLY=($(compgen -W "tsv list json" -- "$cur"))
		return ;;
	databases:-F | databases:--format)
		COMPREPLY=($(compgen -W "tsv json" -- "$cur"))
		return ;;
	map:--via)
		COMPREPLY=($(compgen -W "UniProtKB" -- "$cur"))
		return ;;
	*:-m | *:--memory | *:--threads | *:-t | *:--release | *:--seed | *:--taxon | \
		*:--fields | *:-l | *:--listen | *:--job-ttl | *:--max-ids | *:--cache | \
		*:--max-connections | *:--max-per-ip | *:--header-timeout | *:--body-timeout)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_idmap_options "$prog" "$cmd")" -- "$cur"))
	elif [ "$cmd" = build ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F _idmap idmap

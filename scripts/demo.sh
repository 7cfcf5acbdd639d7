#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies, build (Release), build an index from
# the bundled sample release in data/sample/, and map the example ids of UniProt's help page.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
mkdir -p "$root/build"
log=$root/build/demo-build.log
echo "building idmap (Release; log in $log)"
if ! BUILD_TYPE=Release "$root/scripts/build.sh" "$root/build" >"$log" 2>&1; then
	cat "$log"
	exit 1
fi
idmap=$root/build/cli/idmap
index=$root/build/sample.idx
"$idmap" build --quiet -o "$index" "$root"/data/sample/idmapping.dat \
	"$root"/data/sample/idmapping_selected.tab "$root"/data/sample/sec_ac.txt \
	"$root"/data/sample/delac_sp.txt "$root"/data/sample/*.fasta \
	"$root"/data/sample/uniparc_p1.xml
"$idmap" info -i "$index" | sed -n 1,4p # sed reads it all: no SIGPIPE under pipefail
echo
echo "\$ idmap map -i $index P31946 P62258 ALBU_HUMAN"
"$idmap" map -i "$index" P31946 P62258 ALBU_HUMAN
echo
echo "\$ idmap map -i $index --to UniRef90 P31946 P62258 ALBU_HUMAN"
"$idmap" map -i "$index" --to UniRef90 P31946 P62258 ALBU_HUMAN
echo
echo "\$ idmap map -i $index --format fasta P31946 P31946-2 'P00750[39-81]' --subsequence"
"$idmap" map -i "$index" --format fasta P31946 P31946-2 'P00750[39-81]' --subsequence
echo
echo "\$ idmap map -i $index --from RefSeq_Protein --format json NP_003395.1 XP_054207398.1"
"$idmap" map -i "$index" --from RefSeq_Protein --format json NP_003395.1 XP_054207398.1
echo
echo "REST API and web page on http://127.0.0.1:8080/ (Ctrl-C stops it):"
echo "  $idmap serve -i $index"

#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies, build (Release), build an index from
# the bundled sample release in data/sample/, and map the example ids of UniProt's help page.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
BUILD_TYPE=Release "$root/scripts/build.sh" "$root/build"
idmap=$root/build/cli/idmap
index=$root/build/sample.idx
"$idmap" build --quiet -o "$index" "$root"/data/sample/*
"$idmap" info -i "$index" | head -n 4
echo
echo "\$ idmap map -i $index P31946 P62258 ALBU_HUMAN"
"$idmap" map -i "$index" P31946 P62258 ALBU_HUMAN
echo
echo "\$ idmap map -i $index --to UniRef90 P31946 P62258 ALBU_HUMAN"
"$idmap" map -i "$index" --to UniRef90 P31946 P62258 ALBU_HUMAN

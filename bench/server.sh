#!/usr/bin/env bash
# REST server load: wrk against `idmap serve` on a synthetic release, one run on one
# machine. Prints a markdown section (requests/s, latency percentiles per endpoint) and writes
# it to bench/work/server.md; docs/BENCHMARKS.md holds a copy of the committed run.
#   bench/server.sh [--lines N] [--seconds S] [--connections C]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lines=1000000 seconds=10 conns=32
while [ $# -gt 0 ]; do
	case $1 in
	--lines) lines=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--connections) conns=$2; shift 2 ;;
	*) echo "usage: bench/server.sh [--lines N] [--seconds S] [--connections C]" >&2; exit 2 ;;
	esac
done
command -v wrk >/dev/null || { echo "server.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
bash "$root/scripts/build.sh" >/dev/null
idmap=$root/build/cli/idmap gen=$root/build/scripts/idmap-genrelease
work=$root/bench/work/server
rm -rf "$work" && mkdir -p "$work"
"$gen" --lines "$lines" --seed 11 --out "$work/rel" >/dev/null
"$idmap" build --quiet -o "$work/idx" "$work"/rel/idmapping.dat "$work"/rel/idmapping_selected.tab \
	"$work"/rel/sec_ac.txt "$work"/rel/delac_sp.txt

"$idmap" serve -i "$work/idx" --listen 127.0.0.1:0 --jobs-dir "$work/jobs" --quiet \
	2>"$work/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$work/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)

# a 10,000-id job (accessions of the release, 2% unknown) for the read endpoints
cut -f1 "$work/rel/idmapping.dat" | uniq | shuf -n 9800 --random-source=<(yes) >"$work/ids"
for i in $(seq 200); do echo "Q9Z${i}ZZ"; done >>"$work/ids"
ids=$(paste -sd, "$work/ids")
job=$(curl -s -X POST "$url/idmapping/run" --data-urlencode "ids=$ids" \
	-d from=UniProtKB_AC-ID -d to=UniRef90 | sed 's/.*"jobId":"\([0-9A-Za-z]*\)".*/\1/')
until curl -s "$url/idmapping/status/$job?redirect=false" | grep -q FINISHED; do sleep 0.1; done
rows=$(curl -s -D - -o /dev/null "$url/idmapping/results/$job" | tr -d '\r' |
	awk '/^X-Total-Results:/ {print $2}')
stream_bytes=$(curl -s "$url/idmapping/stream/$job?format=tsv" | wc -c)

# POST bodies for wrk: the same 10,000-id request again (deterministic job id), and new
# 10-id jobs (a counter makes each request distinct)
printf 'from=UniProtKB_AC-ID&to=UniRef90&ids=%s' "$ids" >"$work/body"
cat >"$work/resubmit.lua" <<EOF
local f = io.open("$work/body", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
EOF
head -n 10 "$work/ids" | paste -sd, >"$work/ids10"
cat >"$work/newjobs.lua" <<EOF
local base = io.open("$work/ids10"):read("*l")
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/idmapping/run",
    {["Content-Type"] = "application/x-www-form-urlencoded"},
    "from=UniProtKB_AC-ID&to=UniProtKB&ids=" .. base .. ",X" .. n .. "_" .. math.random(1e9))
end
EOF

run() { # run NAME PATH [wrk args...]
	local name=$1 path=$2
	shift 2
	wrk -t2 -c"$conns" -d"${seconds}s" --latency "$@" "$url$path" >"$work/wrk.out" 2>&1
	local rps p50 p99 errs
	rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
	p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out")
	p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
	errs=$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk.out" | paste -sd' ')
	path=${path%%\?*}
	printf '| %s | `%s` | %s | %s | %s | %s |\n' "$name" "${path/$job/ID}" "$rps" "$p50" "$p99" \
		"${errs:-none}"
}

{
	echo "## REST server (separate run of \`bench/server.sh\`)"
	echo
	echo "\`bench/server.sh --lines $lines --seconds $seconds --connections $conns\`, $(date -u +%Y-%m-%d) on"
	echo "$(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); wrk (2 threads,"
	echo "$conns connections, ${seconds} s per line) and \`idmap serve\` on the same machine over loopback."
	echo "Index of $lines synthetic lines; the read endpoints use one finished job of 10,000 ids"
	echo "(accessions -> UniRef90, 2% unknown): $rows result rows, TSV stream $stream_bytes bytes."
	echo
	echo "| request | path | requests/s | latency p50 | latency p99 | errors |"
	echo "|---|---|---|---|---|---|"
	run "status (poll)" "/idmapping/status/$job?redirect=false"
	run "results, first page of 25 (json)" "/idmapping/results/$job"
	run "results, page of 500 (tsv)" "/idmapping/results/$job?size=500&format=tsv&cursor=a0"
	run "stream, 10,000 ids (tsv)" "/idmapping/stream/$job?format=tsv"
	run "fields catalogue" "/configure/idmapping/fields"
	run "resubmit the 10,000-id job (POST, 120 KB body)" "/idmapping/run" -s "$work/resubmit.lua"
	run "submit new 11-id jobs (POST)" "/idmapping/run" -s "$work/newjobs.lua"
	echo
	echo "Jobs in the jobs directory after the run: $(ls "$work/jobs" | grep -c '\.req$')."
} | tee "$root/bench/work/server.md"

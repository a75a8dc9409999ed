#!/usr/bin/env bash
# Public read throughput with an outside load generator (wrk, Debian package `wrk`): a release
# build serving a seeded 1,000-instructor demo market on loopback, 32 connections, 10 s per
# endpoint. Targets: p99 < 10 ms and > 15k req/s for the catalog, a profile and 7-day slots.
# Usage: bash benches/public-reads.sh   (from the repository root)
set -euo pipefail
command -v wrk >/dev/null || { echo "install wrk first: apt-get install -y wrk" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --quiet
bin="$target/release/instainstru"
data="$(mktemp -d)"
port=18181
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
"$bin" seed --demo --instructors 1000 --data-dir "$data" >/dev/null 2>&1
"$bin" serve --bind "127.0.0.1:$port" --data-dir "$data" 2>/dev/null &
server=$!
base="http://127.0.0.1:$port"
until curl -sf "$base/healthz" >/dev/null; do sleep 0.05; done
id=$(curl -s "$base/api/v1/instructors?per_page=1" | python3 -c 'import sys, json; print(json.load(sys.stdin)["items"][0]["id"])')
slots=$(curl -s "$base/api/v1/instructors/$id" | python3 -c '
import sys, json
s = json.load(sys.stdin)["services"][0]
f = next(k for k in ("online", "studio", "travel") if s["rates"].get(k + "_cents_per_hour"))
print("service_id=%s&duration_min=%s&format=%s" % (s["id"], s["durations_min"][0], f))')
echo "machine: $(nproc) cores; wrk -t2 -c32 -d10s against the release binary"
for path in /api/v1/catalog "/api/v1/instructors/$id" "/api/v1/instructors/$id/slots?$slots"; do
  printf '%-22s' "$(echo "$path" | sed -E 's#/api/v1/instructors/[^/?]+/slots.*#7-day slots#; s#/api/v1/instructors/.*#profile#; s#/api/v1/##')"
  wrk -t2 -c32 -d10s --latency "$base$path" | awk '/Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} END {printf "%10s req/s  p50 %-8s p99 %s\n", rps, p50, p99}'
done

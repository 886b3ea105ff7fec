#!/usr/bin/env bash
# Records the README's traced application (record-traced.mjs: client → shop → inventory, a
# process each, each with its own spans) with tcpdump inside a private network namespace whose
# loopback has MTU 1500 and TSO/GSO/GRO off (netns-capture.sh, as record.sh does), and writes
#   examples/traced-app.pcap         the loopback traffic of both services (pcap, -s 0)
#   examples/traced-app.spans.jsonl  the application's own spans (OTLP/JSON, one line per service)
#
#   scripts/traffic/record-traced.sh [outdir]        (as root; default examples)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
outdir=$(cd "${1:-$here/../../examples}" && pwd)
. "$here/netns-capture.sh"
# The ports are record-traced.mjs's SHOP_PORT and INVENTORY_PORT.
capture_start "tcp port 18311 or tcp port 18312"
started() { for _ in $(seq 50); do grep -q listening "$1" 2>/dev/null && return; sleep 0.1; done; echo "$1: no 'listening'" >&2; exit 1; }
ip netns exec "$ns" node "$here/record-traced.mjs" inventory "$tmp/inventory.jsonl" >"$tmp/inventory.out" &
inventory_pid=$!
ip netns exec "$ns" node "$here/record-traced.mjs" shop "$tmp/shop.jsonl" >"$tmp/shop.out" &
shop_pid=$!
started "$tmp/inventory.out"; started "$tmp/shop.out"
ip netns exec "$ns" node "$here/record-traced.mjs" client "$tmp/client.jsonl"
wait "$shop_pid"; wait "$inventory_pid"
cat "$tmp/client.jsonl" "$tmp/shop.jsonl" "$tmp/inventory.jsonl" >"$tmp/spans.jsonl"
capture_stop traced-app.pcap
cp "$tmp/cap.pcap" "$outdir/traced-app.pcap"
cp "$tmp/spans.jsonl" "$outdir/traced-app.spans.jsonl"
ls -l "$outdir/traced-app.pcap" "$outdir/traced-app.spans.jsonl"

#!/usr/bin/env bash
# Records one scenario of scenarios.mjs with tcpdump inside a private network namespace whose
# loopback has MTU 1500 and TSO/GSO/GRO off (netns-capture.sh), so responses are really cut into
# <=1500-byte segments.
# The scenario's ground truth is merged into manifest.json next to the capture (or $MANIFEST).
#
#   scripts/traffic/record.sh <scenario> <port> <out.pcap>        (as root)
#
# e.g. scripts/traffic/record.sh h1-pipeline 8080 test/captures/h1-pipeline.pcap
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 3 ]; then echo "usage: $0 <scenario> <port> <out.pcap>" >&2; exit 1; fi
scenario=$1 port=$2 out=$3
outdir=$(cd "$(dirname "$out")" && pwd)
name=$(basename "$out")
manifest=${MANIFEST:-$outdir/manifest.json}

. "$here/netns-capture.sh"
capture_start "tcp port $port"

ip netns exec "$ns" node "$here/scenarios.mjs" "$scenario" "$port" "$tmp/exchanges.json"
capture_stop "$name"

cp "$tmp/cap.pcap" "$out"
node "$here/manifest.mjs" "$manifest" "$name" "$tmp/exchanges.json" \
  "recordedWith=scripts/traffic/record.sh $scenario $port test/captures/$name" \
  "recordedAt=$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# Sourced by record.sh and record-traced.sh: a private network namespace whose loopback has MTU
# 1500 and TSO/GSO/GRO off, so data is really cut into <=1500-byte segments (checksum offload is
# fixed "on" for lo, so TCP checksums in the file are not valid), and tcpdump recording it.
#   capture_start <filter>   makes $ns (removed at exit with $tmp), starts tcpdump on its lo → $tmp/cap.pcap
#   capture_stop             stops tcpdump; its packet counts go to standard error, prefixed with $1
ns=tracecap-rec-$$
tmp=$(mktemp -d)
tcpdump_pid=
cleanup() {
  if [ -n "$tcpdump_pid" ]; then kill -INT "$tcpdump_pid" 2>/dev/null || true; wait "$tcpdump_pid" 2>/dev/null || true; fi
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

capture_start() {
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up mtu 1500
  ip netns exec "$ns" ethtool -K lo tso off gso off gro off >/dev/null
  # -Z root: Debian's tcpdump otherwise drops to user tcpdump before opening the output file.
  # --immediate-mode: without it, packets still in the last (up to 1 s) ring-buffer block are lost
  # when tcpdump is stopped, silently (not even counted as dropped).
  ip netns exec "$ns" tcpdump -i lo -s 0 -U --immediate-mode -Z root -w "$tmp/cap.pcap" "$1" 2>"$tmp/tcpdump.err" &
  tcpdump_pid=$!
  for _ in $(seq 50); do grep -q 'listening on' "$tmp/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
  sleep 0.3
}

capture_stop() {
  sleep 1
  kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" || true; tcpdump_pid=
  grep -E 'packets (captured|dropped)' "$tmp/tcpdump.err" | sed "s/^/$1: /" >&2 || true
}

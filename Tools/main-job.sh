#!/usr/bin/env bash
# The main job: build pfsyncd and pfsync-replay (release), then on this machine
#   1. decode pfsync packets written by an independent encoder (Tools/vectors),
#   2. track the project's load-test capture of real namespace traffic (Tools/fixtures),
#   3. load test: pfsync-replay starts a primary/backup pair on loopback, streams that
#      capture into the primary, kills the primary (SIGKILL) half-way, promotes the backup,
#      finishes the replay on it and prints the figures (updates/s, wire bytes, lag,
#      takeover time, sessions alive / tested / lost).
# No root needed. Usage: Tools/main-job.sh [CAPTURE]
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release --product pfsyncd
swift build -c release --product pfsync-replay
bindir="$(swift build -c release --show-bin-path)"
capture="$(realpath "${1:-Tests/Fixtures/captures/netns-long.pcap}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== pfsyncd decode Tests/Fixtures/pfsync/pfsync-ethernet.pcap (first lines)"
"$bindir/pfsyncd" decode Tests/Fixtures/pfsync/pfsync-ethernet.pcap > "$work/decode.txt"
head -n 4 "$work/decode.txt"
echo "... $(wc -l < "$work/decode.txt") lines"

echo
echo "== pfsyncd track $capture"
"$bindir/pfsyncd" track "$capture"

echo
echo "== pfsync-replay --pcap $capture --max --failover crash --failover-at 0.5"
"$bindir/pfsync-replay" --pcap "$capture" --max --failover crash --failover-at 0.5

echo
echo "== pfsync-replay --pcap $capture --speed 4 --failover crash --failover-at 0.5 --json"
"$bindir/pfsync-replay" --pcap "$capture" --speed 4 --failover crash --failover-at 0.5 --json

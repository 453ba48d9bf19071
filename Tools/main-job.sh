#!/usr/bin/env bash
# The main job: build pfsyncd (release), then on this machine
#   1. decode pfsync packets written by an independent encoder (Tools/vectors),
#   2. track a capture of real traffic the project recorded (Tools/fixtures),
#   3. run a primary/backup pair on loopback: the primary tracks that capture and
#      replicates its states to the backup; print the figures of both.
# No root needed. Usage: Tools/main-job.sh [CAPTURE]
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release --product pfsyncd
bin="$(swift build -c release --show-bin-path)/pfsyncd"
capture="$(realpath "${1:-Tests/Fixtures/captures/netns-mixed.pcap}")"

echo "== pfsyncd decode Tests/Fixtures/pfsync/pfsync-ethernet.pcap"
"$bin" decode Tests/Fixtures/pfsync/pfsync-ethernet.pcap

echo
echo "== pfsyncd track $capture"
"$bin" track "$capture"

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
head -c 32 /dev/urandom > "$work/key"
chmod 600 "$work/key"
port_a=$((20000 + RANDOM % 20000)); port_b=$((port_a + 1))
write_config() { # name node_id port peer_port capture-line
    cat > "$work/$1.toml" <<CONF
node_id = $2
[sync]
peer = "127.0.0.1"
port = $3
peer_port = $4
key_file = "$work/key"
[capture]
$5
[control]
socket = "$work/$1.sock"
CONF
}
write_config backup 2 "$port_b" "$port_a" ""
write_config primary 1 "$port_a" "$port_b" "files = [\"$capture\"]"

echo
echo "== primary/backup pair on loopback (UDP $port_a <-> $port_b), primary tracks the capture"
"$bin" run --config "$work/backup.toml" > "$work/backup.log" 2>&1 & pids+=($!)
sleep 0.5
"$bin" run --config "$work/primary.toml" > "$work/primary.log" 2>&1 & pids+=($!)

# Wait (bounded) until the capture is finished and the backup holds the primary's states.
converged=no
for _ in $(seq 1 120); do
    sleep 0.5
    p="$("$bin" states --socket "$work/primary.sock" --json 2>/dev/null | wc -l)" || p=0
    b="$("$bin" states --socket "$work/backup.sock" --json 2>/dev/null | wc -l)" || b=0
    if "$bin" status --socket "$work/primary.sock" --json 2>/dev/null | grep -q '"finished"' && [[ "$p" == "$b" && "$p" -gt 0 ]]; then
        converged=yes
        break
    fi
done
echo "states: primary $p, backup $b, converged: $converged"
echo
echo "== primary: pfsyncd stats"
"$bin" stats --socket "$work/primary.sock"
echo
echo "== backup: pfsyncd status"
"$bin" status --socket "$work/backup.sock"
echo
echo "== backup: pfsyncd stats"
"$bin" stats --socket "$work/backup.sock"
[[ "$converged" == yes ]]

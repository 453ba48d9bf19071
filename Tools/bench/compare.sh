#!/usr/bin/env bash
# compare.sh - the issue-5 results table in one run: pfsyncd (load test with pfsync-replay,
# two-daemon replication and bulk) beside conntrackd (Tools/bench/conntrackd.sh), on this
# machine, one after the other. Prints one JSON object per measurement (JSON lines) and a
# summary table; writes everything to --out DIR (default: a temporary directory).
#
#   swift build -c release --product pfsyncd && swift build -c release --product pfsync-replay
#   sudo Tools/bench/compare.sh [--out DIR] [--quick] [--no-conntrackd]
#
# Environment: PFSYNCD / PFSYNC_REPLAY (default .build/release/...), CAPTURE (default the
# project's Tests/Fixtures/captures/netns-long.pcap).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="" quick=0 conntrackd=1
while (($#)); do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --quick) quick=1; shift ;;
        --no-conntrackd) conntrackd=0; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
PFSYNCD="${PFSYNCD:-$root/.build/release/pfsyncd}"
PFSYNC_REPLAY="${PFSYNC_REPLAY:-$root/.build/release/pfsync-replay}"
CAPTURE="${CAPTURE:-$root/Tests/Fixtures/captures/netns-long.pcap}"
for binary in "$PFSYNCD" "$PFSYNC_REPLAY"; do
    [[ -x "$binary" ]] || { echo "compare.sh: $binary missing: swift build -c release --product pfsyncd, then --product pfsync-replay" >&2; exit 2; }
done
out="${out:-$(mktemp -d)}"
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"
echo "compare.sh: results in $results (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2

record() { # name, then a command printing one JSON object (maybe after other lines)
    local name="$1"; shift
    local text
    if ! text="$("$@" 2>"$out/$name.err")"; then
        echo "{\"measurement\": \"$name\", \"error\": \"exit $?, see $out/$name.err\"}" >> "$results"
        return 0
    fi
    python3 - "$name" "$text" >> "$results" <<'PY'
import json, sys
name, text = sys.argv[1], sys.argv[2]
start = text.find("{")
try:
    value = json.loads(text[start:]) if start >= 0 else {"error": "no JSON"}
except json.JSONDecodeError as error:
    value = {"error": f"bad JSON: {error}"}
print(json.dumps({"measurement": name, **value}))
PY
}

# 1. Load test: updates/s ingested and applied at 1, 4 and 16 times the capture's flows.
for scale in 1 4 16; do
    ((quick)) && ((scale == 16)) && continue
    record "replay_scale_$scale" "$PFSYNC_REPLAY" --pcap "$CAPTURE" --max --scale "$scale" --json --pfsyncd "$PFSYNCD"
done
# 2. Failover session loss: crash and graceful, without and with defer.
for mode in crash graceful; do
    for deferral in off on; do
        flag=()
        [[ "$deferral" == on ]] && flag=(--defer)
        record "failover_${mode}_defer_$deferral" "$PFSYNC_REPLAY" --pcap "$CAPTURE" --speed 4 --scale 4 \
            --failover "$mode" --failover-at 0.5 "${flag[@]}" --json --pfsyncd "$PFSYNCD"
    done
done
# 3. Two daemons: updates/s applied and CPU per update; bulk of 100k and 1M states.
record two_daemons_updates env PFSYNCD="$PFSYNCD" "$root/Tools/bench-two-daemons.sh" updates
record bulk_100k env PFSYNCD="$PFSYNCD" BULK_STATES=100000 "$root/Tools/bench-two-daemons.sh" bulk
((quick)) || record bulk_1M env PFSYNCD="$PFSYNCD" BULK_STATES=1000000 "$root/Tools/bench-two-daemons.sh" bulk
((quick)) || record bulk_1M_loss_5 env PFSYNCD="$PFSYNCD" BULK_STATES=1000000 LOSS=5 "$root/Tools/bench-two-daemons.sh" bulk-loss
# 4. conntrackd in the same run (root: network namespaces).
if ((conntrackd)); then
    if [[ $(id -u) -eq 0 ]]; then
        args=(--out "$out/conntrackd.json")
        ((quick)) && args+=(--quick)
        record conntrackd "$root/Tools/bench/conntrackd.sh" "${args[@]}"
    else
        echo "{\"measurement\": \"conntrackd\", \"error\": \"needs root\"}" >> "$results"
    fi
fi

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
by = {row["measurement"]: row for row in rows}
def get(name, *keys):
    value = by.get(name, {})
    for key in keys:
        if not isinstance(value, dict): return None
        value = value.get(key)
    return value
print("| measurement | figures |")
print("|---|---|")
for row in rows:
    name = row["measurement"]
    if "error" in row and len(row) <= 3:
        print(f"| {name} | error: {row['error']} |"); continue
    if name.startswith("replay_"):
        print(f"| {name} | packets {row.get('packets')}, ingested {row.get('updates_per_sec')}/s, applied {row.get('applied_per_sec')}/s, "
              f"{row.get('wire_bytes_per_update')} B/update, lag p50/p99 {row.get('lag_p50_us')}/{row.get('lag_p99_us')} us, converged {row.get('converged')} |")
    elif name.startswith("failover_"):
        print(f"| {name} | alive {row.get('sessions_at_failover')}, tested {row.get('sessions_tested')}, stalled {row.get('sessions_stalled')}, lost {row.get('sessions_lost')} "
              f"(sloppy {row.get('sessions_lost_sloppy')}), takeover {row.get('takeover_ms')} ms, in gap {row.get('packets_in_gap')}, "
              f"ingested {row.get('updates_per_sec')}/s |")
    elif name == "conntrackd":
        print(f"| conntrackd | {json.dumps(row)[:600]} |")
    else:
        keep = {k: v for k, v in row.items() if k in ("applied_per_s", "cpu_us_per_update", "wire_bytes_per_update",
                "states", "duration_ms", "states_per_s", "completed", "wire_bytes_per_state", "cpu_us_per_state")}
        print(f"| {name} | {keep} |")
PY

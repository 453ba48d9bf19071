#!/usr/bin/env bash
# preempt-agree.sh - the lab's preempt scenario (LabFailoverTests' restart test), run by
# hand to chase an intermittent divergence: after fw1 restarts, bulk-updates and preempts,
# the two tables' state counts must agree. On a mismatch (after 10 s of polling) both
# tables, and both nodes' stats, are dumped as JSON into $OUT (default /tmp).
#
#   sudo PFSYNCD=.build/debug/pfsyncd Tools/lab/preempt-agree.sh [RUNS]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lab="$here/lab.sh"
export LAB_ID="${LAB_ID:-p}"
dir="${LAB_DIR:-/tmp/pfsyncd-lab-$LAB_ID}"
out="${OUT:-/tmp}"
bin="${PFSYNCD:?set PFSYNCD to a built pfsyncd}"
count() { "$lab" status 2>/dev/null | jq -r "select(.node==\"$1\") | .status.table.states"; }
for run in $(seq 1 "${1:-1}"); do
    "$lab" down >/dev/null 2>&1
    "$lab" up >/dev/null 2>&1 && "$lab" start >/dev/null 2>&1 || { echo "lab did not start" >&2; "$lab" down; exit 1; }
    "$lab" load 6 2 >/dev/null 2>&1 & load=$!
    sleep 3
    "$lab" kill-primary >/dev/null 2>&1
    for _ in $(seq 1 40); do [ "$("$lab" master 2>/dev/null)" = fw2 ] && break; sleep 0.5; done
    wait "$load"
    LAB_AB_CONCURRENCY=0 "$lab" load 14 4 >/dev/null 2>&1 & downloads=$!
    sleep 2
    "$lab" restart-primary >/dev/null 2>&1
    for _ in $(seq 1 60); do [ "$("$lab" master 2>/dev/null)" = fw1 ] && break; sleep 0.5; done
    wait "$downloads"
    for poll in $(seq 1 20); do
        a=$(count fw1); b=$(count fw2)
        [ "$a" = "$b" ] && break
        sleep 0.5
    done
    echo "run $run: fw1 $a states, fw2 $b states (poll $poll)"
    if [ "$a" != "$b" ]; then
        for fw in fw1 fw2; do
            "$bin" states --json --socket "$dir/$fw.sock" > "$out/preempt-$fw-states.json" 2>&1
            "$bin" stats --json --socket "$dir/$fw.sock" > "$out/preempt-$fw-stats.json" 2>&1
        done
        echo "mismatch: tables and stats in $out/preempt-fw{1,2}-{states,stats}.json"
        "$lab" down >/dev/null 2>&1
        exit 1
    fi
    "$lab" down >/dev/null 2>&1
done

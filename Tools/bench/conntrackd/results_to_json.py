#!/usr/bin/env python3
"""Turns the "dotted.key value" lines Tools/bench/conntrackd.sh records into one JSON object and
adds the derived figures (us of CPU per event/entry on each daemon, bytes per event/entry, rates).

Raw counters stay in the output next to the derived figures so a reader can check them:
delta_cpu_* are on-CPU nanoseconds of each conntrackd process (schedstat = utime+stime),
delta_udp_* are conntrackd's own `-s` UDP payload counters of the primary (`_back`: of the backup),
delta_wire_* are the primary's veth tx counters (Ethernet + IPv4 + UDP headers included).
"""

import json
import sys


def parse_value(text):
    if text in ("true", "false"):
        return text == "true"
    if text.startswith("{"):
        return json.loads(text)
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def nest(lines):
    root = {}
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        key, _, value = line.partition(" ")
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = parse_value(value)
    return root


def ratio(numerator, denominator, digits=2):
    if not denominator:
        return None
    return round(numerator / denominator, digits)


def derive_costs(phase, count):
    phase["us_cpu_per_item_primary"] = ratio(phase["delta_cpu_primary"] / 1000, count)
    phase["us_cpu_per_item_backup"] = ratio(phase["delta_cpu_backup"] / 1000, count)
    # The primary's figure includes the kernel receive path of the backup's veth end (the
    # sender's softirq runs it), so the sum is the figure to compare.
    phase["us_cpu_per_item_both"] = ratio((phase["delta_cpu_primary"] + phase["delta_cpu_backup"]) / 1000, count)
    phase["udp_payload_bytes_per_item"] = ratio(phase["delta_udp_bytes"], count)
    phase["wire_bytes_per_item"] = ratio(phase["delta_wire_bytes"], count)
    phase["items_per_datagram"] = ratio(count, phase["delta_udp_packets"])


def main():
    with open(sys.argv[1]) as handle:
        result = nest(handle)
    result["tool"] = "Tools/bench/conntrackd.sh"
    for kind, phase in result.get("events", {}).items():
        if isinstance(phase, dict) and "items" in phase:
            derive_costs(phase, phase["replicated"])
            phase["phase_events_per_second"] = ratio(phase["replicated"], phase["seconds"], 0)
    runs = [run for size in result.get("bulk", {}).values() for run in size.values()]
    if "loss" in result:
        runs.append(result["loss"])
    for run in runs:
        derive_costs(run, run["arrived"])
        # seconds: from the command to the poll that first saw the last count (the end of the
        # transfer, or the moment a transfer that never completed stopped making progress).
        run["entries_per_second"] = ratio(run["arrived"], run["seconds"], 0) if run["completed"] else None
    json.dump(result, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Talks to conntrackd's UNIX control socket directly (what `conntrackd -C conf -s/-n/-B` do),
so Tools/bench/conntrackd.sh can poll a daemon every few milliseconds without forking
`ip netns exec conntrackd -s` (tens of milliseconds and of CPU on a loaded machine) each time.

The socket is a file, so this works from any network namespace. Requests are one native int;
the codes are conntrackd 1.4.7's (read off its client with strace): STATS 21, SEND_BULK (-B) 22,
REQUEST_DUMP (-n) 23.

  ctctl.py stats SOCKET
      prints the parsed statistics as "key value" lines
  ctctl.py watch SOCKET --key KEY --target N --deadline S [--trigger SOCKET2 --code C]
      sends request C to SOCKET2 (if given), then polls SOCKET's statistics until KEY >= N or S
      seconds pass. Prints JSON: value reached, completed, seconds from the request to the poll
      that first saw the final value, seconds waited, number of polls.
"""

import argparse
import json
import socket
import struct
import sys
import time

STATS = 21
SEND_BULK = 22
REQUEST_DUMP = 23


def request(path, code, read_reply=True):
    """Sends one request; returns the reply text (or the open socket when read_reply is False)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(struct.pack("=i", code))
    if not read_reply:
        return sock
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
    sock.close()
    return b"".join(chunks).decode(errors="replace")


def parse_stats(text):
    """The same keys Tools/bench/conntrackd.sh's stats() prints."""
    values = {}
    cache = None
    for line in text.splitlines():
        fields = line.split()
        if line.startswith("cache internal"):
            cache = "internal"
        elif line.startswith("cache external"):
            cache = "external"
        elif "current active connections" in line and cache:
            values[cache + "_active"] = int(fields[3])
        elif "connections created" in line and cache:
            values[cache + "_created"] = int(fields[2])
        elif "connections updated" in line and cache:
            values[cache + "_updated"] = int(fields[2])
        elif "connections destroyed" in line and cache:
            values[cache + "_destroyed"] = int(fields[2])
        elif "Bytes sent" in line:
            values["udp_bytes_sent"], values["udp_bytes_recv"] = int(fields[0]), int(fields[3])
        elif "Pckts sent" in line:
            values["udp_packets_sent"], values["udp_packets_recv"] = int(fields[0]), int(fields[3])
        elif "Malformed msgs" in line:
            values["lost_msgs"] = int(fields[3])
    return values


def watch(args):
    trigger = None
    begin = time.monotonic()
    if args.trigger:
        trigger = request(args.trigger, args.code, read_reply=False)
    deadline = begin + args.deadline
    value, changed, polls = None, begin, 0
    while True:
        try:
            current = parse_stats(request(args.socket, STATS)).get(args.key, 0)
        except OSError:
            current = value if value is not None else 0
        polls += 1
        now = time.monotonic()
        if current != value:
            value, changed = current, now
        if value >= args.target or now > deadline:
            break
        # Every 5 ms while the count moves; up to every 100 ms once it has stalled for a second,
        # so a transfer that never completes is not charged for tens of thousands of polls.
        stalled = now - changed > 1.0
        time.sleep(max(args.interval, 0.1) if stalled else args.interval)
    if trigger is not None:
        trigger.close()
    print(json.dumps({"value": value, "completed": value >= args.target,
                      "seconds": round(changed - begin, 4), "waited_seconds": round(time.monotonic() - begin, 4),
                      "polls": polls}))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    stats = commands.add_parser("stats")
    stats.add_argument("socket")
    watcher = commands.add_parser("watch")
    watcher.add_argument("socket")
    watcher.add_argument("--key", required=True)
    watcher.add_argument("--target", type=int, required=True)
    watcher.add_argument("--deadline", type=float, required=True)
    watcher.add_argument("--interval", type=float, default=0.005)
    watcher.add_argument("--trigger", help="control socket the request goes to")
    watcher.add_argument("--code", type=int, choices=[SEND_BULK, REQUEST_DUMP], default=REQUEST_DUMP)
    args = parser.parse_args()
    if args.command == "stats":
        for key, value in parse_stats(request(args.socket, STATS)).items():
            print(key, value)
        return 0
    return watch(args)


if __name__ == "__main__":
    sys.exit(main())

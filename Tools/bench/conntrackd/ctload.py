#!/usr/bin/env python3
"""Create, update or delete conntrack entries in the current network namespace through ctnetlink.

Used by Tools/bench/conntrackd.sh. `conntrack -I` forks one request per entry (~35k/s) and
`conntrack -R` (1.4.7) fails every `-U` after the first, so this talks netlink directly:
many IPCTNL_MSG_CT_NEW messages per sendmsg, no ACK requested (the kernel still reports
errors), optionally paced to a target rate so conntrackd's event socket does not overrun.

Entry i is TCP ESTABLISHED (SEEN_REPLY|ASSURED|CONFIRMED)
  10.(100 + i/65536).(i/256 % 256).(i % 256):(1024 + i % 60000) -> 10.200.0.1:80
Prints one JSON line: {"mode", "requested", "sent", "errors", "first_error", "seconds", "rate"}.
"""

import argparse
import errno
import json
import os
import socket
import struct
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW = 0
IPCTNL_MSG_CT_DELETE = 2
NLM_F_REQUEST = 0x1
NLM_F_CREATE = 0x400
NLM_F_EXCL = 0x200
NLMSG_ERROR = 0x2
NLA_F_NESTED = 0x8000

CTA_TUPLE_ORIG, CTA_TUPLE_REPLY, CTA_STATUS, CTA_PROTOINFO = 1, 2, 3, 4
CTA_TIMEOUT, CTA_MARK = 7, 8
CTA_TUPLE_IP, CTA_TUPLE_PROTO = 1, 2
CTA_IP_V4_SRC, CTA_IP_V4_DST = 1, 2
CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT = 1, 2, 3
CTA_PROTOINFO_TCP, CTA_PROTOINFO_TCP_STATE = 1, 1
TCP_CONNTRACK_ESTABLISHED = 3
IPS_SEEN_REPLY_ASSURED_CONFIRMED = 0x2 | 0x4 | 0x8  # the kernel answers EBUSY without CONFIRMED


def attr(kind, payload):
    """One netlink attribute, padded to 4 bytes."""
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def nested(kind, *children):
    return attr(kind | NLA_F_NESTED, b"".join(children))


def tuple_attr(kind, src, dst, sport, dport):
    return nested(
        kind,
        nested(CTA_TUPLE_IP, attr(CTA_IP_V4_SRC, src), attr(CTA_IP_V4_DST, dst)),
        nested(
            CTA_TUPLE_PROTO,
            attr(CTA_PROTO_NUM, bytes([socket.IPPROTO_TCP])),
            attr(CTA_PROTO_SRC_PORT, struct.pack("!H", sport)),
            attr(CTA_PROTO_DST_PORT, struct.pack("!H", dport)),
        ),
    )


DST = socket.inet_aton("10.200.0.1")


def entry_tuple(i):
    src = bytes([10, 100 + (i >> 16), (i >> 8) & 255, i & 255])
    return src, 1024 + i % 60000


MARK_ADDRESS = b"\xde\xad\xbe\xef"
MARK_PORT = 0xCAFE


def message(src, sport, mode, mark, timeout, seq):
    create = mode == "insert"
    body = tuple_attr(CTA_TUPLE_ORIG, src, DST, sport, 80)
    if create:
        body += tuple_attr(CTA_TUPLE_REPLY, DST, src, 80, sport)
        body += attr(CTA_STATUS, struct.pack("!I", IPS_SEEN_REPLY_ASSURED_CONFIRMED))
        body += nested(CTA_PROTOINFO, nested(CTA_PROTOINFO_TCP,
                       attr(CTA_PROTOINFO_TCP_STATE, bytes([TCP_CONNTRACK_ESTABLISHED]))))
        body += attr(CTA_TIMEOUT, struct.pack("!I", timeout))
    if mode != "delete":
        body += attr(CTA_MARK, struct.pack("!I", mark))
    flags = NLM_F_REQUEST | (NLM_F_CREATE | NLM_F_EXCL if create else 0)
    nfgen = struct.pack("=BBH", socket.AF_INET, 0, 0)
    msg_type = (NFNL_SUBSYS_CTNETLINK << 8) | (IPCTNL_MSG_CT_DELETE if mode == "delete" else IPCTNL_MSG_CT_NEW)
    return struct.pack("=IHHII", 16 + len(nfgen) + len(body), msg_type, flags, seq, 0) + nfgen + body


class Batch:
    """A buffer of identical messages whose address, port and sequence fields are patched in
    place per entry (building each message from scratch costs more than the kernel's insert)."""

    def __init__(self, size, mode, mark, timeout):
        create = mode == "insert"
        template = message(MARK_ADDRESS, MARK_PORT, mode, mark, timeout, 0)
        self.length = len(template)
        self.address_offsets = [i for i in range(self.length - 3) if template[i:i + 4] == MARK_ADDRESS]
        self.port_offsets = [i for i in range(self.length - 1) if template[i:i + 2] == struct.pack("!H", MARK_PORT)]
        assert len(self.address_offsets) == (2 if create else 1), self.address_offsets
        assert len(self.port_offsets) == (2 if create else 1), self.port_offsets
        self.buffer = bytearray(template * size)

    def fill(self, first, count):
        """Writes entries first..first+count-1; returns the bytes to send."""
        for slot in range(count):
            i = first + slot
            base = slot * self.length
            src, sport = entry_tuple(i)
            for offset in self.address_offsets:
                self.buffer[base + offset:base + offset + 4] = src
            for offset in self.port_offsets:
                struct.pack_into("!H", self.buffer, base + offset, sport)
            struct.pack_into("=I", self.buffer, base + 8, i & 0xFFFFFFFF)
        return memoryview(self.buffer)[:count * self.length]


def drain_errors(sock, state):
    """Reads pending NLMSG_ERROR replies without blocking; counts the non-zero ones."""
    while True:
        try:
            data = sock.recv(1 << 20, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError as error:  # ENOBUFS: error replies were dropped; count it once
            state["errors"] += 1
            state["first_error"] = state["first_error"] or os.strerror(error.errno)
            return
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16:
                break
            if kind == NLMSG_ERROR and offset + 20 <= len(data):
                (code,) = struct.unpack_from("=i", data, offset + 16)
                if code != 0:
                    state["errors"] += 1
                    if state["first_error"] is None:
                        state["first_error"] = os.strerror(-code)
            offset += (length + 3) & ~3


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["insert", "update", "delete"])
    parser.add_argument("--start", type=int, default=0, help="first entry index")
    parser.add_argument("--count", type=int, required=True, help="number of entries")
    parser.add_argument("--mark", type=int, default=1, help="ct mark to set (an update changes it)")
    parser.add_argument("--timeout", type=int, default=7200, help="entry timeout in seconds")
    parser.add_argument("--rate", type=float, default=0, help="entries per second, 0 = as fast as possible")
    parser.add_argument("--batch", type=int, default=256, help="messages per sendmsg")
    args = parser.parse_args()

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
    sock.bind((0, 0))
    state = {"errors": 0, "first_error": None}
    batch = Batch(args.batch, args.mode, args.mark, args.timeout)
    sent = 0
    begin = time.monotonic()
    index = args.start
    end = args.start + args.count
    while index < end:
        upper = min(index + args.batch, end)
        buffer = batch.fill(index, upper - index)
        while True:
            try:
                sock.send(buffer)
                break
            except OSError as error:
                if error.errno not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                drain_errors(sock, state)
                time.sleep(0.001)
        sent += upper - index
        index = upper
        drain_errors(sock, state)
        if args.rate > 0:
            ahead = sent / args.rate - (time.monotonic() - begin)
            if ahead > 0:
                time.sleep(ahead)
    time.sleep(0.05)
    drain_errors(sock, state)
    seconds = time.monotonic() - begin
    print(json.dumps({"mode": args.mode, "requested": args.count, "sent": sent, "errors": state["errors"],
                      "first_error": state["first_error"], "seconds": round(seconds, 3),
                      "rate": round(sent / seconds) if seconds > 0 else None}))


if __name__ == "__main__":
    main()

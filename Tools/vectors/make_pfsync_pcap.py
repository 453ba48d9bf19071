#!/usr/bin/env python3
"""Writes pfsync test captures and the JSON lines `pfsyncd decode --json` must print for them.

An encoder independent of pfsyncd's Swift code: every byte below follows the layout tables of
docs/pfsync-wire.md (FreeBSD formats 1301 / 1400, OpenBSD's version-6 state, the small
messages) and, for FreeBSD 15's format 1500 beyond byte 232, `struct pfsync_state_1500` of
FreeBSD's sys/net/pfvar.h (tagname[64], rt_ifname[16], orig_ifname[16], rtableid i32,
state_flags u16, qid, pqid, dnpipe, dnrpipe, max_mss u16, wire_af, stack_af, rt_af,
wire_proto, stack_proto, log, timeout, direction, rt, min_ttl, set_tos, set_prio[2], spare[3]).

Only the standard library is used (`struct` for bytes; `ipaddress` and `json` for the
expected text). Usage: make_pfsync_pcap.py OUTPUT_DIR
Writes:
  pfsync-ethernet.pcap / .jsonl   Ethernet: IPv4 (one 802.1Q-tagged) and IPv6, v5 and v6,
                                  an unrelated UDP packet, a deliberately truncated packet
  pfsync-sll.pcap / .jsonl        Linux cooked v1 (113): OpenBSD INS + DEL (full state), a v5 CLR
                                  over IPv6
  pfsync-raw.pcap / .jsonl        raw IP (LINKTYPE_RAW 101)
Every expected line is a JSON object with the keys in the order decode prints them; an
error line is {"error": "*", "frame": N} (the test matches any error text).
"""
import ipaddress
import json
import os
import struct
import sys

AF_INET = 2
AF_INET6_FREEBSD = 28
AF_INET6_OPENBSD = 24

# ---------------------------------------------------------------------------------------------
# pfsync structures


def peer_bytes(p):
    """struct pfsync_state_peer (32 bytes): scrub 8, seqlo, seqhi, seqdiff, max_win, mss,
    state, wscale, pad[6]."""
    scrub = struct.pack("!HBBI", p.get("pfss_flags", 0), p.get("pfss_ttl", 0),
                        p.get("scrub_flag", 0), p.get("pfss_ts_mod", 0))
    body = struct.pack("!IIIHHBB", p["seqlo"], p["seqhi"], p["seqdiff"], p["max_win"],
                       p["mss"], p["state"], p["wscale"])
    out = scrub + body + bytes(6)
    assert len(out) == 32
    return out


def addr_bytes(text):
    """A pf_addr slot: 16 bytes, IPv4 in the first 4."""
    a = ipaddress.ip_address(text)
    return a.packed + bytes(16 - len(a.packed))


def name_bytes(text, size=16):
    raw = text.encode()
    assert len(raw) < size
    return raw + bytes(size - len(raw))


def counters(pair):
    """u64 counters as (high u32, low u32) pairs."""
    out = b""
    for v in pair:
        out += struct.pack("!II", v >> 32, v & 0xFFFFFFFF)
    return out


def af_wire(state, inet6_value):
    return AF_INET if state["af"] == "inet" else inet6_value


def freebsd_prefix(s):
    """Bytes 0..<232 shared by formats 1301, 1400 and 1500."""
    out = struct.pack("!Q", s["id"]) + name_bytes(s["ifname"])
    for k in s["key"]:  # 36 bytes: addr[2], port[2]
        out += addr_bytes(k["addr"][0]) + addr_bytes(k["addr"][1])
        out += struct.pack("!HH", k["port"][0], k["port"][1])
    out += peer_bytes(s["src"]) + peer_bytes(s["dst"])
    out += addr_bytes(s["rt_addr"])
    out += struct.pack("!IIIII", s["rule"], s["anchor"], s["nat_rule"], s["creation"], s["expire"])
    out += counters(s["packets"]) + counters(s["bytes"])
    out += struct.pack("!I", s["creatorid"])
    assert len(out) == 232, len(out)
    return out


def freebsd_1301(s):
    """242 bytes: af, proto, direction, spare[2], log, state_flags u8, timeout, sync_flags,
    updates."""
    out = freebsd_prefix(s)
    out += struct.pack("!BBB", af_wire(s, AF_INET6_FREEBSD), s["proto"], s["direction"])
    out += bytes(2)
    out += struct.pack("!BBBBB", s["log"], s["state_flags"] & 0xFF, s["timeout"],
                       s["sync_flags"], s["updates"])
    assert len(out) == 242
    return out


def freebsd_1400(s):
    """277 bytes: the 1301 fields with state_flags u16 at 235, then qid .. rt_ifname."""
    out = freebsd_prefix(s)
    out += struct.pack("!BBBHBBBBB", af_wire(s, AF_INET6_FREEBSD), s["proto"], s["direction"],
                       s["state_flags"], s["log"], 0, s["timeout"], s["sync_flags"], s["updates"])
    out += struct.pack("!HHHHi", s["qid"], s["pqid"], s["dnpipe"], s["dnrpipe"], s["rtableid"])
    out += struct.pack("!BBHBBB", s["min_ttl"], s["set_tos"], s["max_mss"],
                       s["set_prio"][0], s["set_prio"][1], s["rt"])
    out += name_bytes(s["rt_ifname"])
    assert len(out) == 277
    return out


def freebsd_1500(s):
    """360 bytes: struct pfsync_state_1500."""
    out = freebsd_prefix(s)
    out += name_bytes(s.get("tagname", ""), 64)
    out += name_bytes(s["rt_ifname"]) + name_bytes(s.get("orig_ifname", ""))
    out += struct.pack("!iHHHHHH", s["rtableid"], s["state_flags"], s["qid"], s["pqid"],
                       s["dnpipe"], s["dnrpipe"], s["max_mss"])
    wire_af = af_wire(s, AF_INET6_FREEBSD)
    out += struct.pack("!BBBBB", wire_af, wire_af, 0, s["proto"], s["proto"])
    out += struct.pack("!BBBBBBBB", s["log"], s["timeout"], s["direction"], s["rt"],
                       s["min_ttl"], s["set_tos"], s["set_prio"][0], s["set_prio"][1])
    out += bytes(3)
    assert len(out) == 360, len(out)
    return out


def openbsd_state(s):
    """264 bytes: OpenBSD's struct pfsync_state."""
    af = af_wire(s, AF_INET6_OPENBSD)
    out = struct.pack("!Q", s["id"]) + name_bytes(s["ifname"])
    for k in s["key"]:  # 40 bytes: addr[2], port[2], rdomain, af, pad
        out += addr_bytes(k["addr"][0]) + addr_bytes(k["addr"][1])
        out += struct.pack("!HHHBB", k["port"][0], k["port"][1], 0, af, 0)
    out += peer_bytes(s["src"]) + peer_bytes(s["dst"])
    out += addr_bytes(s["rt_addr"])
    out += struct.pack("!IIIII", s["rule"], s["anchor"], s["nat_rule"], s["creation"], s["expire"])
    out += counters(s["packets"]) + counters(s["bytes"])
    out += struct.pack("!Iii", s["creatorid"], s["rtableid"], 0)
    out += struct.pack("!H", s["max_mss"])
    out += struct.pack("!BBBBBBBBBB", af, s["proto"], s["direction"], s["log"], s["rt"],
                       s["timeout"], s["sync_flags"], s["updates"], s["min_ttl"], s["set_tos"])
    out += struct.pack("!HBB", s["state_flags"], s["set_prio"][0], s["set_prio"][1])
    assert len(out) == 264, len(out)
    return out


def upd_c(u, openbsd):
    """84 bytes: id, src, dst, creatorid, expire, timeout, 3 bytes."""
    out = struct.pack("!Q", u["id"]) + peer_bytes(u["src"]) + peer_bytes(u["dst"])
    out += struct.pack("!IIB", u["creatorid"], u["expire"], u["timeout"])
    out += bytes(3)
    assert len(out) == 84
    return out


def id_msg(m):
    """INS_ACK, UPD_REQ, DEL_C: id u64, creatorid u32."""
    return struct.pack("!QI", m["id"], m["creatorid"])


def bus(m):
    return struct.pack("!IIB", m["creatorid"], m["endtime"], 1 if m["status"] == "START" else 2) + bytes(3)


def clr(m):
    return name_bytes(m["ifname"]) + struct.pack("!I", m["creatorid"])


def pfsync_packet(version, sections, eof=None, checksum=None):
    """sections: list of (action, message size, [message bytes]). FreeBSD (v5) ends with EOF."""
    body = b""
    for action, size, messages in sections:
        words = size // 4 if version == 6 else 0
        body += struct.pack("!BBH", action, words, len(messages))
        for m in messages:
            assert len(m) == size, (action, len(m), size)
            body += m
    if eof is None:
        eof = version == 5
    if eof:
        body += struct.pack("!BBH", 12, 0, 1)
    csum = checksum if checksum is not None else (bytes(range(16)) if version == 5 else bytes(16))
    return struct.pack("!BBH", version, 0, 20 + len(body)) + csum + body


# ---------------------------------------------------------------------------------------------
# Expected JSON (the order pfsyncd decode prints)


def peer_json(p):
    return {k: p[k] for k in ("seqlo", "seqhi", "seqdiff", "max_win", "mss", "state", "wscale")}


def state_json(version, action, s, fmt):
    """fmt: '1301', '1400', '1500' or 'openbsd' - fields a format lacks read as zero."""
    j = {"version": version, "action": action, "id": "0x%016x" % s["id"],
         "creatorid": "0x%08x" % s["creatorid"], "ifname": s["ifname"], "af": s["af"],
         "proto": s["proto"], "direction": "in" if s["direction"] == 1 else "out",
         "key": [{"addr": [str(ipaddress.ip_address(a)) for a in k["addr"]], "port": list(k["port"])}
                 for k in s["key"]],
         "src": peer_json(s["src"]), "dst": peer_json(s["dst"]),
         "creation": s["creation"], "expire": s["expire"],
         "packets": list(s["packets"]), "bytes": list(s["bytes"]), "timeout": s["timeout"],
         "state_flags": s["state_flags"] & 0xFF if fmt == "1301" else s["state_flags"],
         "sync_flags": 0 if fmt == "1500" else s["sync_flags"],
         "updates": 0 if fmt == "1500" else s["updates"],
         "log": s["log"],
         "rt": 0 if fmt == "1301" else s["rt"],
         "rt_ifname": "" if fmt == "1301" else s["rt_ifname"]}
    return j


def upd_c_json(version, u):
    return {"version": version, "action": "UPD_C", "id": "0x%016x" % u["id"],
            "creatorid": "0x%08x" % u["creatorid"], "src": peer_json(u["src"]),
            "dst": peer_json(u["dst"]), "expire": u["expire"], "timeout": u["timeout"]}


def id_json(version, action, m):
    return {"version": version, "action": action, "id": "0x%016x" % m["id"],
            "creatorid": "0x%08x" % m["creatorid"]}


# ---------------------------------------------------------------------------------------------
# Test data


def peer(seqlo, seqhi, seqdiff, max_win, mss, state, wscale, **scrub):
    p = dict(seqlo=seqlo, seqhi=seqhi, seqdiff=seqdiff, max_win=max_win, mss=mss, state=state,
             wscale=wscale)
    p.update(scrub)
    return p


def state(**kw):
    s = dict(id=0, creatorid=0, ifname="", af="inet", proto=6, direction=1,
             key=[{"addr": ["0.0.0.0", "0.0.0.0"], "port": [0, 0]}] * 2,
             src=peer(0, 0, 0, 0, 0, 0, 0), dst=peer(0, 0, 0, 0, 0, 0, 0), rt_addr="0.0.0.0",
             rule=0, anchor=0, nat_rule=0, creation=0, expire=0, packets=[0, 0], bytes=[0, 0],
             timeout=0, state_flags=0, sync_flags=0, updates=0, log=0, rt=0, rt_ifname="",
             qid=0, pqid=0, dnpipe=0, dnrpipe=0, rtableid=0, min_ttl=0, set_tos=0, max_mss=0,
             set_prio=[0, 0])
    s.update(kw)
    return s


TCP4 = state(
    id=0x0102030405060708, creatorid=0xDEADBEEF, ifname="em0", af="inet", proto=6, direction=1,
    key=[{"addr": ["10.0.0.1", "192.0.2.80"], "port": [49152, 443]},
         {"addr": ["172.16.0.5", "192.0.2.80"], "port": [61000, 443]}],
    src=peer(1000, 66535, 0, 65535, 1460, 4, 0x87, pfss_flags=1, pfss_ttl=64, scrub_flag=1,
             pfss_ts_mod=77),
    dst=peer(5000, 70535, 12345, 29200, 1400, 4, 0x80),
    rt_addr="0.0.0.0", rule=7, anchor=0xFFFFFFFF, nat_rule=3, creation=120, expire=86380,
    packets=[12, (1 << 32) + 5], bytes=[3400, (2 << 32) + 17], timeout=2, state_flags=0x0102,
    sync_flags=1, updates=3, log=1, rt=1, rt_ifname="em1", qid=1, pqid=2, dnpipe=3, dnrpipe=4,
    rtableid=2, min_ttl=5, set_tos=0x10, max_mss=1400, set_prio=[3, 4])

UDP6 = state(
    id=0x00000000DEADF00D, creatorid=0x01020304, ifname="vtnet0", af="inet6", proto=17,
    direction=2,
    key=[{"addr": ["2001:db8::1", "2001:db8:0:1::53"], "port": [5353, 53]},
         {"addr": ["2001:db8::1", "2001:db8:0:1::53"], "port": [5353, 53]}],
    src=peer(0, 0, 0, 0, 0, 2, 0), dst=peer(0, 0, 0, 0, 0, 1, 0),
    creation=3, expire=57, packets=[1, 1], bytes=[80, 120], timeout=8, state_flags=0,
    rtableid=-1)

TCP4_1301 = state(
    id=0x1111222233334444, creatorid=0x0A0B0C0D, ifname="igb0", af="inet", proto=6, direction=2,
    key=[{"addr": ["198.51.100.7", "203.0.113.9"], "port": [22, 50022]},
         {"addr": ["198.51.100.7", "203.0.113.9"], "port": [22, 50022]}],
    src=peer(1, 2, 3, 4, 5, 10, 0), dst=peer(6, 7, 8, 9, 10, 9, 0),
    creation=9999, expire=0, packets=[0, 0], bytes=[0, 0], timeout=5, state_flags=0x0144,
    sync_flags=0, updates=0, log=0, rt=3, rt_ifname="unused")

ICMP6_1500 = state(
    id=0xFFFFFFFFFFFFFFFE, creatorid=0xFFFFFFFF, ifname="lagg0.100", af="inet6", proto=58,
    direction=1,
    key=[{"addr": ["fe80::1", "ff02::1"], "port": [4242, 4242]},
         {"addr": ["fe80::1", "ff02::1"], "port": [4242, 4242]}],
    src=peer(0, 0, 0, 0, 0, 1, 0), dst=peer(0, 0, 0, 0, 0, 0, 0),
    creation=1, expire=10, packets=[1, 0], bytes=[64, 0], timeout=9, state_flags=0x8001,
    sync_flags=7, updates=9, log=2, rt=2, rt_ifname="lagg1", rtableid=4, max_mss=1220,
    set_prio=[1, 2], tagname="guest", orig_ifname="lagg0")

UDP4_1500 = state(
    id=0x0000000000000042, creatorid=0x00000001, ifname="vlan10", af="inet", proto=17,
    direction=2,
    key=[{"addr": ["10.10.0.2", "10.10.0.1"], "port": [123, 123]},
         {"addr": ["10.10.0.2", "10.10.0.1"], "port": [123, 123]}],
    src=peer(0, 0, 0, 0, 0, 2, 0), dst=peer(0, 0, 0, 0, 0, 2, 0),
    creation=30, expire=60, packets=[4, 4], bytes=[304, 304], timeout=8, state_flags=0x0004,
    rt=0, rt_ifname="")

OPENBSD6 = state(
    id=0x5A5A5A5A00000001, creatorid=0x76543210, ifname="em2", af="inet6", proto=6,
    direction=1,
    key=[{"addr": ["2001:db8:aaaa::10", "2001:db8:bbbb::20"], "port": [40000, 80]},
         {"addr": ["2001:db8:aaaa::10", "2001:db8:bbbb::20"], "port": [40000, 80]}],
    src=peer(100, 200, 0, 1024, 1440, 4, 0), dst=peer(300, 400, 0, 2048, 1440, 4, 0),
    creation=5, expire=86395, packets=[10, 9], bytes=[1000, 9000], timeout=2,
    state_flags=0x0800, sync_flags=2, updates=1, log=0, rt=0, rtableid=0, max_mss=0)

OPENBSD4 = state(
    id=0x5A5A5A5A00000002, creatorid=0x76543210, ifname="em2", af="inet", proto=17,
    direction=2,
    key=[{"addr": ["192.0.2.1", "192.0.2.2"], "port": [5000, 5001]},
         {"addr": ["192.0.2.1", "192.0.2.2"], "port": [5000, 5001]}],
    src=peer(0, 0, 0, 0, 0, 2, 0), dst=peer(0, 0, 0, 0, 0, 2, 0),
    creation=1, expire=59, packets=[2, 3], bytes=[200, 300], timeout=8, log=1)

UPD_C_1 = dict(id=0x0102030405060708, creatorid=0xDEADBEEF,
               src=peer(2000, 67535, 0, 65535, 1460, 4, 0x87),
               dst=peer(6000, 71535, 12345, 29200, 1400, 5, 0x80), expire=86400, timeout=2)
UPD_C_6 = dict(id=0x5A5A5A5A00000001, creatorid=0x76543210,
               src=peer(150, 250, 0, 1024, 1440, 6, 0), dst=peer(350, 450, 0, 2048, 1440, 5, 0),
               expire=45, timeout=4)


# ---------------------------------------------------------------------------------------------
# Framing


def ipv4(proto, src, dst, payload, ttl=255, ident=1):
    total = 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0x10, total, ident, 0x4000, ttl, proto, 0,
                      ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    csum = checksum16(hdr)
    hdr = hdr[:10] + struct.pack("!H", csum) + hdr[12:]
    return hdr + payload


def ipv6(next_header, src, dst, payload, hop_limit=255):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), next_header, hop_limit,
                       ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def checksum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


SRC_MAC = bytes.fromhex("020000000001")
MCAST_MAC4 = bytes.fromhex("01005e0000f0")
MCAST_MAC6 = bytes.fromhex("3333000000f0")


def ethernet(ethertype, payload, dst=MCAST_MAC4, vlan=None):
    hdr = dst + SRC_MAC
    if vlan is not None:
        hdr += struct.pack("!HH", 0x8100, vlan)
    return hdr + struct.pack("!H", ethertype) + payload


def sll(protocol, payload):
    """Linux cooked v1: packet type, ARPHRD, address length, address[8], protocol."""
    return struct.pack("!HHH8sH", 4, 1, 6, SRC_MAC + b"\0\0", protocol) + payload


def write_pcap(path, linktype, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 1000 * i, len(frame), len(frame)))
            f.write(frame)


def write_jsonl(path, objects):
    with open(path, "w") as f:
        for o in objects:
            f.write(json.dumps(o, separators=(",", ":")) + "\n")


# ---------------------------------------------------------------------------------------------
# Captures


def ethernet_capture():
    frames, expected = [], []

    def add(frame, lines):
        frames.append(frame)
        expected.extend(lines)

    def v4(payload, proto=240, vlan=None):
        return ethernet(0x0800, ipv4(proto, "10.0.0.1", "224.0.0.240", payload), vlan=vlan)

    eof5 = {"version": 5, "action": "EOF"}
    # 1: FreeBSD INS_1400, an IPv4 TCP state and an IPv6 UDP state (af 28).
    add(v4(pfsync_packet(5, [(13, 277, [freebsd_1400(TCP4), freebsd_1400(UDP6)])])),
        [state_json(5, "INS_1400", TCP4, "1400"), state_json(5, "INS_1400", UDP6, "1400"), eof5])
    # 2: UPD_C, DEL_C x2, INS_ACK, UPD_REQ (one of them the bulk request 0/0).
    dels = [dict(id=0x0102030405060708, creatorid=0xDEADBEEF), dict(id=7, creatorid=0x10)]
    ack = dict(id=0xABCDEF0123456789, creatorid=0x0000BEEF)
    reqs = [dict(id=0x99, creatorid=0x42), dict(id=0, creatorid=0)]
    add(v4(pfsync_packet(5, [(4, 84, [upd_c(UPD_C_1, False)]),
                             (7, 12, [id_msg(m) for m in dels]),
                             (2, 12, [id_msg(ack)]),
                             (5, 12, [id_msg(m) for m in reqs])])),
        [upd_c_json(5, UPD_C_1)] + [id_json(5, "DEL_C", m) for m in dels]
        + [id_json(5, "INS_ACK", ack)] + [id_json(5, "UPD_REQ", m) for m in reqs] + [eof5])
    # 3: an unrelated DNS query (no output).
    add(ethernet(0x0800, ipv4(17, "10.0.0.9", "10.0.0.53", udp(40000, 53, b"\x12\x34" + bytes(10)), ttl=64)), [])
    # 4: BUS START, CLR, BUS END.
    b1 = dict(creatorid=0xDEADBEEF, endtime=0, status="START")
    b2 = dict(creatorid=0xDEADBEEF, endtime=1700000123, status="END")
    c = dict(ifname="em0", creatorid=0xCAFEBABE)
    add(v4(pfsync_packet(5, [(10, 12, [bus(b1)]), (0, 20, [clr(c)]), (10, 12, [bus(b2)])])),
        [{"version": 5, "action": "BUS", "creatorid": "0x%08x" % b1["creatorid"],
          "endtime": b1["endtime"], "status": "START"},
         {"version": 5, "action": "CLR", "ifname": c["ifname"], "creatorid": "0x%08x" % c["creatorid"]},
         {"version": 5, "action": "BUS", "creatorid": "0x%08x" % b2["creatorid"],
          "endtime": b2["endtime"], "status": "END"}, eof5])
    # 5: over IPv6 (ff12::f0, hop limit 255): INS_1301 and UPD_1500 (an ICMPv6 state).
    payload = pfsync_packet(5, [(1, 242, [freebsd_1301(TCP4_1301)]), (16, 360, [freebsd_1500(ICMP6_1500)])])
    add(ethernet(0x86DD, ipv6(240, "fe80::2", "ff12::f0", payload), dst=MCAST_MAC6),
        [state_json(5, "INS_1301", TCP4_1301, "1301"), state_json(5, "UPD_1500", ICMP6_1500, "1500"), eof5])
    # 6: 802.1Q-tagged: UPD_1301 and INS_1500.
    add(v4(pfsync_packet(5, [(3, 242, [freebsd_1301(TCP4_1301)]), (15, 360, [freebsd_1500(UDP4_1500)])]), vlan=10),
        [state_json(5, "UPD_1301", TCP4_1301, "1301"), state_json(5, "INS_1500", UDP4_1500, "1500"), eof5])
    # 7: OpenBSD v6: INS (af 24), an unknown action (skipped by its length), UPD_C, DEL_C.
    unknown = (0x30, 8, [bytes(range(8)), bytes(range(8, 16))])
    del6 = dict(id=0x5A5A5A5A00000002, creatorid=0x76543210)
    add(v4(pfsync_packet(6, [(13, 264, [openbsd_state(OPENBSD6)]), unknown,
                             (4, 84, [upd_c(UPD_C_6, True)]), (7, 12, [id_msg(del6)])])),
        [state_json(6, "INS", OPENBSD6, "openbsd"), upd_c_json(6, UPD_C_6), id_json(6, "DEL_C", del6)])
    # 8: deliberately truncated: INS_1400 count 1 with only 100 bytes of the state.
    cut = pfsync_packet(5, [(13, 277, [freebsd_1400(TCP4)])], eof=False)[:20 + 4 + 100]
    add(v4(cut), [{"error": "*", "frame": 8}])
    # 9: a TCP packet (no output), then 10: a last v5 INS_ACK after the bad one.
    tcp = struct.pack("!HHIIBBHHH", 1234, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
    add(ethernet(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2", tcp, ttl=64)), [])
    last = dict(id=0xFEEDFACECAFEBEEF, creatorid=0x00000002)
    add(v4(pfsync_packet(5, [(2, 12, [id_msg(last)])])), [id_json(5, "INS_ACK", last), eof5])
    return frames, expected


def sll_capture():
    p1 = pfsync_packet(6, [(13, 264, [openbsd_state(OPENBSD4)]), (6, 264, [openbsd_state(OPENBSD6)])])
    c = dict(ifname="", creatorid=0x76543210)
    p2 = pfsync_packet(5, [(0, 20, [clr(c)])])
    frames = [sll(0x0800, ipv4(240, "192.0.2.1", "224.0.0.240", p1)),
              sll(0x86DD, ipv6(240, "2001:db8::1", "ff12::f0", p2))]
    expected = [state_json(6, "INS", OPENBSD4, "openbsd"), state_json(6, "DEL", OPENBSD6, "openbsd"),
                {"version": 5, "action": "CLR", "ifname": "", "creatorid": "0x76543210"},
                {"version": 5, "action": "EOF"}]
    return frames, expected


def raw_capture():
    m = dict(id=0x0123456789ABCDEF, creatorid=0x89ABCDEF)
    p = pfsync_packet(5, [(5, 12, [id_msg(m)]), (4, 84, [upd_c(UPD_C_1, False)])])
    frames = [ipv4(240, "10.1.1.1", "10.1.1.2", p)]
    expected = [id_json(5, "UPD_REQ", m), upd_c_json(5, UPD_C_1), {"version": 5, "action": "EOF"}]
    return frames, expected


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for name, linktype, build in (("pfsync-ethernet", 1, ethernet_capture),
                                  ("pfsync-sll", 113, sll_capture),
                                  ("pfsync-raw", 101, raw_capture)):
        frames, expected = build()
        write_pcap(os.path.join(out, name + ".pcap"), linktype, frames)
        write_jsonl(os.path.join(out, name + ".jsonl"), expected)


if __name__ == "__main__":
    main()

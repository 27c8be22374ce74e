#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of the `pcap-replay` test (tests/dataplane/pcap_replay.sh).

  arp     write a pcap of ARP replies from the peers of a stream set to our
          interface, so the data plane learns their MAC addresses
  feed    stream pcap records into already open FIFOs (file descriptors
          inherited from the shell), interleaved and without blocking on one
          FIFO while the reader waits on another
  verify  check what the data plane relayed toward one side against what
          the other side sent

Python 3 standard library only.  Stream sets are the CSV files written by
pktgen-scripts/gen_rtp_pcap.py --stream-set
(stream,src_ip,src_port,dst_ip,dst_port,ssrc).
"""

import argparse
import csv
import errno
import fcntl
import ipaddress
import os
import select
import struct
import sys
import time

LINKTYPE_ETHERNET = 1
PCAP_HDR = struct.Struct("<IHHiIII")
ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_ARP = 0x0806
IPPROTO_UDP = 17
ETH_MIN_FRAME = 60            # without FCS, as a NIC delivers it


class PcapError(Exception):
    pass


def parse_mac(text):
    parts = text.split(":")
    if len(parts) != 6:
        raise argparse.ArgumentTypeError("bad MAC address %r" % text)
    try:
        return bytes(int(p, 16) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError("bad MAC address %r" % text) from None


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def load_stream_set(path):
    """Rows of a stream set, in file order, with parsed fields."""
    rows = []
    with open(path, newline="") as f:
        for rec in csv.DictReader(f):
            rows.append({
                "stream": int(rec["stream"]),
                "src_ip": ipaddress.ip_address(rec["src_ip"]),
                "src_port": int(rec["src_port"]),
                "dst_ip": ipaddress.ip_address(rec["dst_ip"]),
                "dst_port": int(rec["dst_port"]),
                "ssrc": int(rec["ssrc"], 0),
            })
    if not rows:
        raise PcapError("%s: no streams" % path)
    return rows


# --------------------------------------------------------------------------
# pcap files
# --------------------------------------------------------------------------

def pcap_header(snaplen=65535):
    return PCAP_HDR.pack(0xA1B2C3D4, 2, 4, 0, 0, snaplen, LINKTYPE_ETHERNET)


def pcap_record(ts_us, frame):
    return struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000,
                       len(frame), len(frame)) + frame


def read_pcap_raw(path):
    """(header bytes, [record bytes]) of a classic pcap, any byte order and
    time precision; records keep their own 16-byte headers."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise PcapError("%s: %d bytes, shorter than a pcap file header" % (path, len(data)))
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise PcapError("%s: not a classic pcap file (magic %s)" % (path, magic.hex()))
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != LINKTYPE_ETHERNET:
        raise PcapError("%s: link type %d, expected Ethernet" % (path, linktype))
    records = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise PcapError("%s: truncated record header at offset %d" % (path, off))
        caplen, wirelen = struct.unpack(endian + "II", data[off + 8:off + 16])
        if caplen != wirelen:
            raise PcapError("%s: record at offset %d captured %d of %d bytes"
                            % (path, off, caplen, wirelen))
        if off + 16 + caplen > len(data):
            raise PcapError("%s: truncated record at offset %d" % (path, off))
        records.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    return data[:24], endian, records


def read_frames(path):
    _, _, records = read_pcap_raw(path)
    return [r[16:] for r in records]


# --------------------------------------------------------------------------
# arp
# --------------------------------------------------------------------------

def arp_reply(peer_mac, peer_ip, our_mac, our_ip):
    eth = our_mac + peer_mac + struct.pack("!H", ETHERTYPE_ARP)
    arp = struct.pack("!HHBBH", 1, ETHERTYPE_IPV4, 6, 4, 2)
    arp += peer_mac + peer_ip.packed + our_mac + our_ip.packed
    frame = eth + arp
    return frame + bytes(max(0, ETH_MIN_FRAME - len(frame)))


def cmd_arp(args):
    rows = load_stream_set(args.stream_set)
    our_ip = ipaddress.IPv4Address(args.our_ip)
    peers = []
    for r in rows:
        if r["src_ip"].version != 4:
            raise PcapError("%s: ARP is IPv4 only (stream %d is IPv6)"
                            % (args.stream_set, r["stream"]))
        if r["src_ip"] not in peers:
            peers.append(r["src_ip"])
    count = len(peers)
    if args.multiple > 1:
        count = -(-count // args.multiple) * args.multiple
    ts = args.start_time * 1000000
    with open(args.out, "wb") as f:
        f.write(pcap_header())
        for k in range(count):
            frame = arp_reply(args.peer_mac, peers[k % len(peers)], args.our_mac, our_ip)
            f.write(pcap_record(ts + k, frame))
    print("%s: %d ARP replies from %d peers to %s (%s)"
          % (args.out, count, len(peers), our_ip, mac_str(args.our_mac)))
    return 0


# --------------------------------------------------------------------------
# feed
# --------------------------------------------------------------------------

def cmd_feed(args):
    """Write the records of each pcap (not its file header) to its fd.

    net_pcap reads a FIFO with blocking stdio reads inside the worker's RX
    burst, one port after the other: a writer that blocked on a full FIFO
    while the worker waits on the other one would deadlock.  So every fd is
    non-blocking and written whenever select() says it has room.
    """
    jobs = []
    for spec in args.pairs:
        fd_s, sep, path = spec.partition("=")
        if not sep or not fd_s.isdigit():
            raise PcapError("feed: expected FD=PCAP, got %r" % spec)
        _, _, records = read_pcap_raw(path)
        fd = int(fd_s)
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        jobs.append({"fd": fd, "data": memoryview(b"".join(records)), "off": 0,
                     "flags": flags, "path": path, "n": len(records)})
    for j in jobs:
        fcntl.fcntl(j["fd"], fcntl.F_SETFL, j["flags"] | os.O_NONBLOCK)
    deadline = time.monotonic() + args.timeout
    try:
        while True:
            pending = [j for j in jobs if j["off"] < len(j["data"])]
            if not pending:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                raise PcapError("feed: reader stopped taking data (%s)" % ", ".join(
                    "%s: %d of %d bytes" % (j["path"], j["off"], len(j["data"]))
                    for j in pending))
            _, ready, _ = select.select([], [j["fd"] for j in pending], [], min(left, 1.0))
            for j in pending:
                if j["fd"] not in ready:
                    continue
                # Small slices keep the FIFOs level: neither runs far ahead.
                end = min(j["off"] + args.chunk, len(j["data"]))
                try:
                    j["off"] += os.write(j["fd"], j["data"][j["off"]:end])
                except OSError as e:
                    if e.errno != errno.EAGAIN:
                        raise
    finally:
        for j in jobs:
            fcntl.fcntl(j["fd"], fcntl.F_SETFL, j["flags"])
    for j in jobs:
        print("fed %d frames from %s" % (j["n"], os.path.basename(j["path"])))
    return 0


# --------------------------------------------------------------------------
# verify
# --------------------------------------------------------------------------

def ones_complement(data):
    if len(data) & 1:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def parse_udp_frame(frame):
    """Fields of an Ethernet/IPv4|IPv6/UDP frame, checksums verified.
    Returns (fields, None) or (None, why)."""
    if len(frame) < 14:
        return None, "frame of %d bytes" % len(frame)
    f = {"dmac": frame[0:6], "smac": frame[6:12]}
    etype = struct.unpack("!H", frame[12:14])[0]
    l3 = frame[14:]
    if etype == ETHERTYPE_IPV4:
        if len(l3) < 20 or l3[0] >> 4 != 4:
            return None, "bad IPv4 header"
        ihl = (l3[0] & 0x0F) * 4
        tot = struct.unpack("!H", l3[2:4])[0]
        if ihl < 20 or tot < ihl + 8 or tot > len(l3):
            return None, "bad IPv4 lengths"
        if ones_complement(l3[:ihl]) != 0xFFFF:
            return None, "IPv4 header checksum wrong"
        if l3[9] != IPPROTO_UDP:
            return None, "IPv4 protocol %d, not UDP" % l3[9]
        f.update(family=4, tos=l3[1], ident=l3[4:6], frag=l3[6:8], ttl=l3[8],
                 src=ipaddress.IPv4Address(l3[12:16]), dst=ipaddress.IPv4Address(l3[16:20]))
        udp = l3[ihl:tot]
        pseudo = l3[12:20] + struct.pack("!BBH", 0, IPPROTO_UDP, len(udp))
    elif etype == ETHERTYPE_IPV6:
        if len(l3) < 40 or l3[0] >> 4 != 6:
            return None, "bad IPv6 header"
        plen = struct.unpack("!H", l3[4:6])[0]
        if l3[6] != IPPROTO_UDP or plen < 8 or 40 + plen > len(l3):
            return None, "not UDP, or bad IPv6 payload length"
        f.update(family=6, tos=((l3[0] & 0x0F) << 4) | (l3[1] >> 4), ident=b"", frag=b"",
                 ttl=l3[7], src=ipaddress.IPv6Address(l3[8:24]),
                 dst=ipaddress.IPv6Address(l3[24:40]))
        udp = l3[40:40 + plen]
        pseudo = l3[8:40] + struct.pack("!IxxxB", len(udp), IPPROTO_UDP)
    else:
        return None, "ethertype 0x%04x" % etype
    sport, dport, ulen, csum = struct.unpack("!HHHH", udp[:8])
    if ulen != len(udp):
        return None, "UDP length %d, IP payload %d" % (ulen, len(udp))
    if csum == 0:
        return None, "UDP checksum absent"
    if ones_complement(pseudo + udp) != 0xFFFF:
        return None, "UDP checksum wrong"
    f.update(sport=sport, dport=dport, payload=udp[8:])
    if len(f["payload"]) < 12 or f["payload"][0] >> 6 != 2:
        return None, "UDP payload is not RTP v2"
    f["seq"], f["ssrc"] = struct.unpack("!H4xI", f["payload"][2:12])
    return f, None


def cmd_verify(args):
    sent_rows = load_stream_set(args.sent_set)
    peer_rows = load_stream_set(args.peer_set)
    if len(sent_rows) != len(peer_rows):
        raise PcapError("%s and %s differ in length" % (args.sent_set, args.peer_set))
    by_ssrc = {r["ssrc"]: i for i, r in enumerate(sent_rows)}
    if len(by_ssrc) != len(sent_rows):
        raise PcapError("%s: SSRCs are not distinct" % args.sent_set)
    errors = []

    def err(msg):
        if len(errors) < args.max_errors:
            errors.append(msg)
        elif len(errors) == args.max_errors:
            errors.append("(more errors not shown)")

    # What was sent: (ssrc, seq) -> fields, and each stream's order.
    sent = {}
    order = {}
    for n, frame in enumerate(read_frames(args.sent)):
        f, why = parse_udp_frame(frame)
        if f is None:
            raise PcapError("%s frame %d: %s" % (args.sent, n + 1, why))
        i = by_ssrc.get(f["ssrc"])
        if i is None:
            raise PcapError("%s frame %d: SSRC %d not in %s"
                            % (args.sent, n + 1, f["ssrc"], args.sent_set))
        r = sent_rows[i]
        if (f["src"], f["sport"], f["dst"], f["dport"]) != \
                (r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"]):
            raise PcapError("%s frame %d: 5-tuple differs from %s row %d"
                            % (args.sent, n + 1, args.sent_set, i + 1))
        key = (f["ssrc"], f["seq"])
        if key in sent:
            raise PcapError("%s: SSRC %d sequence %d sent twice" % (args.sent, *key))
        f["frame_len"] = len(frame)
        sent[key] = f
        order.setdefault(f["ssrc"], []).append(f["seq"])

    relayed = {}
    got_order = {}
    frames = read_frames(args.relayed)
    for n, frame in enumerate(frames):
        where = "%s frame %d" % (os.path.basename(args.relayed), n + 1)
        f, why = parse_udp_frame(frame)
        if f is None:
            err("%s: %s" % (where, why))
            continue
        key = (f["ssrc"], f["seq"])
        s = sent.get(key)
        if s is None:
            err("%s: SSRC %d sequence %d was never sent" % (where, *key))
            continue
        if key in relayed:
            err("%s: SSRC %d sequence %d relayed twice" % (where, *key))
            continue
        relayed[key] = True
        got_order.setdefault(f["ssrc"], []).append(f["seq"])
        p = peer_rows[by_ssrc[f["ssrc"]]]
        want = {
            "dmac": args.peer_mac, "smac": args.our_mac,
            "src": p["dst_ip"], "sport": p["dst_port"],
            "dst": p["src_ip"], "dport": p["src_port"],
            "ttl": s["ttl"] - 1, "tos": s["tos"], "ident": s["ident"], "frag": s["frag"],
            "family": s["family"], "payload": s["payload"],
        }
        for k, v in want.items():
            if f[k] != v:
                shown = (lambda x: "%d bytes" % len(x)) if k == "payload" else \
                    (mac_str if k in ("dmac", "smac") else str)
                err("%s: SSRC %d seq %d: %s is %s, expected %s"
                    % (where, f["ssrc"], f["seq"], k, shown(f[k]), shown(v)))
        if len(frame) != s["frame_len"]:
            err("%s: %d bytes, %d were sent" % (where, len(frame), s["frame_len"]))

    missing = [k for k in sent if k not in relayed]
    if missing:
        err("%d of %d packets never relayed (first: SSRC %d sequence %d)"
            % (len(missing), len(sent), *missing[0]))
    for ssrc, seqs in got_order.items():
        if seqs != [q for q in order[ssrc] if (ssrc, q) in relayed]:
            err("SSRC %d: relayed out of order" % ssrc)
    streams = len({k[0] for k in relayed})
    if errors:
        print("%s: FAILED, %d/%d packets relayed and matched" % (args.label, len(relayed), len(sent)))
        for e in errors:
            print("  " + e)
        return 1
    print("%s: %d/%d packets relayed, %d streams to %d peers; MACs, addresses, ports, "
          "TTL-1, IPv%d+UDP checksums and RTP bytes OK"
          % (args.label, len(relayed), len(sent), streams,
             len({r["src_ip"] for r in peer_rows}), sent_rows[0]["src_ip"].version))
    return 0


def cmd_count(args):
    print(len(read_frames(args.pcap)))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    a = sub.add_parser("arp", help="ARP replies from a stream set's peers")
    a.add_argument("--stream-set", required=True)
    a.add_argument("--peer-mac", type=parse_mac, required=True,
                   help="Ethernet address of the peers (the generator's --src-mac)")
    a.add_argument("--our-ip", required=True, help="our interface IPv4 address")
    a.add_argument("--our-mac", type=parse_mac, required=True, help="our port's MAC")
    a.add_argument("--multiple", type=int, default=1,
                   help="repeat replies until the count is a multiple of this")
    a.add_argument("--start-time", type=int, default=1704067199)
    a.add_argument("--out", required=True)
    a.set_defaults(fn=cmd_arp)

    f = sub.add_parser("feed", help="write pcap records into open FIFO descriptors")
    f.add_argument("pairs", nargs="+", metavar="FD=PCAP")
    f.add_argument("--chunk", type=int, default=4096, help="bytes per write")
    f.add_argument("--timeout", type=float, default=60.0)
    f.set_defaults(fn=cmd_feed)

    v = sub.add_parser("verify", help="check relayed packets against the sent ones")
    v.add_argument("--sent", required=True, help="pcap one side sent")
    v.add_argument("--sent-set", required=True, help="its stream set")
    v.add_argument("--relayed", required=True, help="pcap relayed toward the other side")
    v.add_argument("--peer-set", required=True, help="the other side's stream set")
    v.add_argument("--our-mac", type=parse_mac, required=True,
                   help="MAC of our port on the output side")
    v.add_argument("--peer-mac", type=parse_mac, required=True,
                   help="MAC of the peers on the output side")
    v.add_argument("--label", default="relay")
    v.add_argument("--max-errors", type=int, default=10)
    v.set_defaults(fn=cmd_verify)

    c = sub.add_parser("count", help="number of frames in a pcap")
    c.add_argument("pcap")
    c.set_defaults(fn=cmd_count)

    args = p.parse_args(argv)
    try:
        return args.fn(args)
    except (PcapError, OSError, ValueError, KeyError) as e:
        print("pcap_tools %s: %s" % (args.cmd, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

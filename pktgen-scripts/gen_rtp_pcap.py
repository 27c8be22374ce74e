#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a libpcap file of N interleaved G.711 RTP streams for relay load tests.

Every stream is one RTP sender: its own SSRC, a sequence number starting at a
random (seeded) value and wrapping at 65535, a timestamp advancing 160 per
packet (8 kHz clock, 20 ms packetisation), the marker bit on its first packet,
payload type 0 (PCMU) or 8 (PCMA) and 160 bytes of payload.  Stream i goes
from (src_ip + i, src_port_base + 2*i) to (dst_ip, dst_port_base + 2*i);
packets are interleaved round-robin (stream 0 packet 0, stream 1 packet 0,
..., stream 0 packet 1, ...) and time-stamped so each stream sends every
20 ms.  IPv4 and UDP (or IPv6 and UDP) checksums are valid.

Payload, so a receiver can check it (--payload pattern, the default):

    payload[k] = (off + k) & 0xff,  off = (131 * stream + 7 * seq) & 0xff

With --payload silence it is G.711 silence instead (0xff for PCMU, 0xd5 for
PCMA).

--stream-set FILE writes one CSV row per stream,
    stream,src_ip,src_port,dst_ip,dst_port,ssrc
(SSRC in decimal) so a benchmark can program the matching relay sessions.

--verify FILE re-reads any Ethernet pcap of RTP and checks checksums, RTP
version and per-SSRC sequence/timestamp continuity (and the 5-tuple of each
SSRC against --stream-set when that file exists).  --self-test generates
small files in a temporary directory and checks them field by field.

Python 3 standard library only.
"""

import argparse
import csv
import ipaddress
import os
import random
import struct
import sys
import tempfile

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1
SNAPLEN = 65535

ETH_HLEN = 14
IP4_HLEN = 20
IP6_HLEN = 40
UDP_HLEN = 8
RTP_HLEN = 12
PAYLOAD_LEN = 160            # 20 ms of G.711 at 8 kHz
TS_STEP = 160                # RTP timestamp units per packet
PTIME_US = 20000             # 20 ms between packets of one stream
ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
IPPROTO_UDP = 17

SILENCE = {0: 0xFF, 8: 0xD5}  # G.711 mu-law / A-law silence byte

DEFAULTS = {
    "src_ip": "198.19.0.2",
    "dst_ip": "198.18.0.1",
    "src_ip6": "2001:db8:0:2::2",
    "dst_ip6": "2001:db8:0:1::1",
    "src_mac": "02:00:00:00:00:02",
    "dst_mac": "02:00:00:00:00:01",
    "src_port_base": 16384,
    "dst_port_base": 20000,
    "start_time": 1704067200.0,  # 2024-01-01T00:00:00Z, fixed so output is reproducible
}


# --------------------------------------------------------------------------
# Checksums
# --------------------------------------------------------------------------

def ones_sum(data, start=0):
    """16-bit one's complement sum of data (big-endian words), folded."""
    if len(data) & 1:
        data = bytes(data) + b"\x00"
    total = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def fold(total):
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def inet_checksum(data, start=0):
    return (~ones_sum(data, start)) & 0xFFFF


def pseudo_header(src, dst, length):
    """UDP pseudo-header for IPv4 (4-byte addresses) or IPv6 (16-byte)."""
    if len(src) == 4:
        return src + dst + struct.pack("!BBH", 0, IPPROTO_UDP, length)
    return src + dst + struct.pack("!I3xB", length, IPPROTO_UDP)


# --------------------------------------------------------------------------
# Stream plan and packet construction
# --------------------------------------------------------------------------

def parse_mac(text):
    parts = text.replace("-", ":").split(":")
    if len(parts) != 6:
        raise ValueError("bad MAC address %r" % text)
    try:
        return bytes(int(p, 16) for p in parts)
    except ValueError:
        raise ValueError("bad MAC address %r" % text) from None


def payload_offset(stream, seq):
    return (131 * stream + 7 * seq) & 0xFF


def expected_payload(stream, seq, pt, mode):
    if mode == "silence":
        return bytes([SILENCE[pt]]) * PAYLOAD_LEN
    off = payload_offset(stream, seq)
    return bytes((off + k) & 0xFF for k in range(PAYLOAD_LEN))


class Stream:
    __slots__ = ("index", "src_ip", "src_port", "dst_ip", "dst_port",
                 "ssrc", "seq0", "ts0")

    def __init__(self, index, src_ip, src_port, dst_ip, dst_port, ssrc, seq0, ts0):
        self.index = index
        self.src_ip = src_ip      # ipaddress object
        self.src_port = src_port
        self.dst_ip = dst_ip
        self.dst_port = dst_port
        self.ssrc = ssrc
        self.seq0 = seq0
        self.ts0 = ts0


def plan_streams(cfg, seq_override=None):
    """Addresses, ports, SSRC and random starts of every stream (seeded)."""
    rng = random.Random(cfg.seed)
    n = cfg.streams
    src_base = ipaddress.ip_address(cfg.src_ip)
    dst = ipaddress.ip_address(cfg.dst_ip)
    count = cfg.src_ip_count or n
    seen = set()
    streams = []
    for i in range(n):
        ssrc = rng.getrandbits(32)
        while ssrc == 0 or ssrc in seen:
            ssrc = rng.getrandbits(32)
        seen.add(ssrc)
        seq0 = rng.randrange(65536)
        ts0 = rng.getrandbits(32)
        if seq_override and i in seq_override:
            seq0 = seq_override[i]
        streams.append(Stream(i, src_base + (i % count), cfg.src_port_base + 2 * i,
                              dst, cfg.dst_port_base + 2 * i, ssrc, seq0, ts0))
    return streams


def check_config(cfg):
    """Raise ValueError on an inconsistent configuration."""
    if cfg.streams < 1:
        raise ValueError("--streams must be at least 1")
    if cfg.packets_per_stream < 1:
        raise ValueError("--packets-per-stream must be at least 1")
    if cfg.pt not in (0, 8):
        raise ValueError("--pt must be 0 (PCMU) or 8 (PCMA)")
    if not 1 <= cfg.ttl <= 255:
        raise ValueError("--ttl must be 1..255")
    if not 0 <= cfg.dscp <= 63:
        raise ValueError("--dscp must be 0..63")
    for name in ("src_port_base", "dst_port_base"):
        base = getattr(cfg, name)
        opt = "--" + name.replace("_", "-")
        if base <= 0 or base & 1:
            raise ValueError("%s must be a positive even port (RTP ports are even)" % opt)
        last = base + 2 * (cfg.streams - 1)
        if last > 65534:
            raise ValueError("%s %d + 2*(%d-1) = %d exceeds 65534"
                             % (opt, base, cfg.streams, last))
    if cfg.src_ip_count < 0:
        raise ValueError("--src-ip-count must be >= 0")
    src = ipaddress.ip_address(cfg.src_ip)
    dst = ipaddress.ip_address(cfg.dst_ip)
    want = 6 if cfg.ipv6 else 4
    if src.version != want or dst.version != want:
        raise ValueError("--src-ip/--dst-ip must be IPv%d addresses%s"
                         % (want, " (with --ipv6)" if cfg.ipv6 else ""))
    count = cfg.src_ip_count or cfg.streams
    top = int(src) + min(count, cfg.streams) - 1
    if top > (2 ** 32 - 1 if want == 4 else 2 ** 128 - 1):
        raise ValueError("--src-ip + stream count overflows the address space")
    parse_mac(cfg.src_mac)
    parse_mac(cfg.dst_mac)


class PacketBuilder:
    """Builds frames; UDP checksums come from precomputed partial sums."""

    def __init__(self, cfg, streams):
        self.cfg = cfg
        self.pt = cfg.pt
        self.ipv6 = cfg.ipv6
        self.mode = cfg.payload
        eth_type = ETHERTYPE_IPV6 if cfg.ipv6 else ETHERTYPE_IPV4
        self.eth = parse_mac(cfg.dst_mac) + parse_mac(cfg.src_mac) + struct.pack("!H", eth_type)
        self.udp_len = UDP_HLEN + RTP_HLEN + PAYLOAD_LEN
        # Payload depends on (stream, seq) only through an 8-bit offset.
        if self.mode == "silence":
            p = expected_payload(0, 0, self.pt, "silence")
            self.payloads = [p] * 256
        else:
            self.payloads = [bytes((o + k) & 0xFF for k in range(PAYLOAD_LEN))
                             for o in range(256)]
        self.payload_sums = [ones_sum(p) for p in self.payloads]
        # Per stream: fixed part of the UDP checksum (pseudo-header, ports, length).
        self.base_sum = []
        self.ip_fixed = []
        for s in streams:
            src, dst = s.src_ip.packed, s.dst_ip.packed
            fixed = pseudo_header(src, dst, self.udp_len) + struct.pack(
                "!HHH", s.src_port, s.dst_port, self.udp_len)
            self.base_sum.append(ones_sum(fixed))
            self.ip_fixed.append((src, dst))
        self.ip_id = 0

    def frame(self, s, k):
        """Frame bytes of packet k (0-based) of stream s."""
        seq = (s.seq0 + k) & 0xFFFF
        ts = (s.ts0 + TS_STEP * k) & 0xFFFFFFFF
        m_pt = (0x80 if k == 0 else 0) | self.pt
        rtp = struct.pack("!BBHII", 0x80, m_pt, seq, ts, s.ssrc)
        o = 0 if self.mode == "silence" else payload_offset(s.index, seq)
        payload = self.payloads[o]
        c = (~fold(self.base_sum[s.index] + ones_sum(rtp) + self.payload_sums[o])) & 0xFFFF
        if c == 0:
            c = 0xFFFF
        udp = struct.pack("!HHHH", s.src_port, s.dst_port, self.udp_len, c)
        src, dst = self.ip_fixed[s.index]
        tc = self.cfg.dscp << 2
        if self.ipv6:
            ip = struct.pack("!IHBB", (6 << 28) | (tc << 20), self.udp_len,
                             IPPROTO_UDP, self.cfg.ttl) + src + dst
        else:
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tc, IP4_HLEN + self.udp_len,
                              self.ip_id, 0x4000, self.cfg.ttl, IPPROTO_UDP, 0, src, dst)
            self.ip_id = (self.ip_id + 1) & 0xFFFF
            csum = inet_checksum(hdr)
            ip = hdr[:10] + struct.pack("!H", csum) + hdr[12:]
        return self.eth + ip + udp + rtp + payload


def pcap_time(cfg, n_streams, stream, k):
    """(sec, usec) of packet k of stream: every 20 ms, spread across the round."""
    base_us = int(round(cfg.start_time * 1e6))
    t = base_us + k * PTIME_US + (stream * PTIME_US) // n_streams
    return t // 1000000, t % 1000000


def write_pcap(cfg, streams, path):
    builder = PacketBuilder(cfg, streams)
    n = len(streams)
    count = 0
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))
        rec = struct.Struct("<IIII")
        for k in range(cfg.packets_per_stream):
            chunk = []
            for s in streams:
                data = builder.frame(s, k)
                sec, usec = pcap_time(cfg, n, s.index, k)
                chunk.append(rec.pack(sec, usec, len(data), len(data)))
                chunk.append(data)
                count += 1
            f.write(b"".join(chunk))
    return count


def write_stream_set(streams, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["stream", "src_ip", "src_port", "dst_ip", "dst_port", "ssrc"])
        for s in streams:
            w.writerow([s.index, str(s.src_ip), s.src_port, str(s.dst_ip), s.dst_port, s.ssrc])


def read_stream_set(path):
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rows.append({
                "stream": int(row["stream"]),
                "src_ip": ipaddress.ip_address(row["src_ip"]),
                "src_port": int(row["src_port"]),
                "dst_ip": ipaddress.ip_address(row["dst_ip"]),
                "dst_port": int(row["dst_port"]),
                "ssrc": int(row["ssrc"], 0),
            })
    return rows


# --------------------------------------------------------------------------
# Reader and checks (independent of PacketBuilder: checksums from scratch)
# --------------------------------------------------------------------------

def read_pcap(path):
    """Return (linktype, [(sec, usec, bytes)]) of a classic libpcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: too short for a pcap header" % path)
    magic_le = struct.unpack("<I", data[:4])[0]
    if magic_le in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
        e = "<"
    elif struct.unpack(">I", data[:4])[0] in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
        e = ">"
    else:
        raise ValueError("%s: not a classic pcap file (magic %08x)" % (path, magic_le))
    magic, vmaj, vmin, _, _, _, linktype = struct.unpack(e + "IHHiIII", data[:24])
    nano = magic == PCAP_MAGIC_NS
    recs = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("%s: truncated record header at byte %d" % (path, off))
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            raise ValueError("%s: truncated record at byte %d" % (path, off))
        usec = frac // 1000 if nano else frac
        recs.append((sec, usec, data[off:off + incl]))
        off += incl
    return linktype, recs


def parse_frame(frame):
    """Decode Ethernet/IP/UDP/RTP; returns (fields, [problems])."""
    bad = []
    f = {}
    if len(frame) < ETH_HLEN:
        return f, ["frame shorter than Ethernet header"]
    f["dst_mac"], f["src_mac"] = frame[0:6], frame[6:12]
    etype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[ETH_HLEN:]
    if etype == ETHERTYPE_IPV4:
        if len(ip) < IP4_HLEN or ip[0] >> 4 != 4:
            return f, ["bad IPv4 header"]
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        if ihl < IP4_HLEN or total > len(ip) or total < ihl:
            return f, ["bad IPv4 lengths (ihl %d total %d frame %d)" % (ihl, total, len(ip))]
        if ones_sum(ip[:ihl]) != 0xFFFF:
            bad.append("IPv4 header checksum wrong")
        if ip[9] != IPPROTO_UDP:
            return f, bad + ["not UDP (protocol %d)" % ip[9]]
        f["family"], f["ttl"], f["tos"] = 4, ip[8], ip[1]
        src, dst = ip[12:16], ip[16:20]
        l4 = ip[ihl:total]
    elif etype == ETHERTYPE_IPV6:
        if len(ip) < IP6_HLEN or ip[0] >> 4 != 6:
            return f, ["bad IPv6 header"]
        plen = struct.unpack("!H", ip[4:6])[0]
        if ip[6] != IPPROTO_UDP:
            return f, ["not UDP (next header %d)" % ip[6]]
        if IP6_HLEN + plen > len(ip):
            return f, ["IPv6 payload length beyond frame"]
        f["family"], f["ttl"] = 6, ip[7]
        f["tos"] = ((struct.unpack("!I", ip[0:4])[0] >> 20) & 0xFF)
        src, dst = ip[8:24], ip[24:40]
        l4 = ip[IP6_HLEN:IP6_HLEN + plen]
    else:
        return f, ["not IP (ethertype 0x%04x)" % etype]
    f["src_ip"], f["dst_ip"] = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if len(l4) < UDP_HLEN:
        return f, bad + ["truncated UDP header"]
    sport, dport, ulen, ucsum = struct.unpack("!HHHH", l4[:8])
    f["src_port"], f["dst_port"] = sport, dport
    if ulen != len(l4):
        return f, bad + ["UDP length %d != %d" % (ulen, len(l4))]
    if ucsum == 0:
        bad.append("UDP checksum absent (0)")
    elif ones_sum(pseudo_header(src, dst, ulen) + l4) != 0xFFFF:
        bad.append("UDP checksum wrong")
    rtp = l4[UDP_HLEN:]
    if len(rtp) < RTP_HLEN:
        return f, bad + ["UDP payload shorter than RTP header"]
    b0, b1, seq, ts, ssrc = struct.unpack("!BBHII", rtp[:RTP_HLEN])
    if b0 >> 6 != 2:
        bad.append("RTP version %d" % (b0 >> 6))
    f.update(marker=b1 >> 7, pt=b1 & 0x7F, seq=seq, ts=ts, ssrc=ssrc,
             payload=rtp[RTP_HLEN + 4 * (b0 & 0x0F):], frame_len=len(frame))
    return f, bad


def verify_generated(path, cfg, streams, max_errors=20):
    """Strict check of a file we generated against its stream plan."""
    errors = []

    def err(msg):
        if len(errors) < max_errors:
            errors.append(msg)

    linktype, recs = read_pcap(path)
    if linktype != LINKTYPE_ETHERNET:
        err("linktype %d, expected 1" % linktype)
    with open(path, "rb") as fh:
        if struct.unpack("<I", fh.read(4))[0] != PCAP_MAGIC_US:
            err("pcap magic is not 0xa1b2c3d4 (little-endian, microseconds)")
    n, kmax = len(streams), cfg.packets_per_stream
    if len(recs) != n * kmax:
        err("%d packets, expected %d" % (len(recs), n * kmax))
    frame_len = ETH_HLEN + (IP6_HLEN if cfg.ipv6 else IP4_HLEN) + UDP_HLEN + RTP_HLEN + PAYLOAD_LEN
    smac, dmac = parse_mac(cfg.src_mac), parse_mac(cfg.dst_mac)
    last_seq = {}
    prev_time = None
    for j, (sec, usec, frame) in enumerate(recs):
        s = streams[j % n]
        k = j // n
        where = "packet %d (stream %d #%d)" % (j, s.index, k)
        f, bad = parse_frame(frame)
        for b in bad:
            err("%s: %s" % (where, b))
        if "ssrc" not in f:
            continue
        if len(frame) != frame_len:
            err("%s: frame length %d, expected %d" % (where, len(frame), frame_len))
        if f["src_mac"] != smac or f["dst_mac"] != dmac:
            err("%s: MAC addresses differ from configuration" % where)
        if f["family"] != (6 if cfg.ipv6 else 4):
            err("%s: IPv%d, expected IPv%d" % (where, f["family"], 6 if cfg.ipv6 else 4))
        if f["ttl"] != cfg.ttl:
            err("%s: TTL/hop limit %d, expected %d" % (where, f["ttl"], cfg.ttl))
        if f["tos"] != cfg.dscp << 2:
            err("%s: traffic class 0x%02x, expected 0x%02x" % (where, f["tos"], cfg.dscp << 2))
        if (f["src_ip"], f["src_port"], f["dst_ip"], f["dst_port"]) != (
                s.src_ip, s.src_port, s.dst_ip, s.dst_port):
            err("%s: 5-tuple %s:%d -> %s:%d, expected %s:%d -> %s:%d" % (
                where, f["src_ip"], f["src_port"], f["dst_ip"], f["dst_port"],
                s.src_ip, s.src_port, s.dst_ip, s.dst_port))
        if f["dst_port"] & 1 or f["src_port"] & 1:
            err("%s: odd RTP port" % where)
        if f["ssrc"] != s.ssrc:
            err("%s: SSRC %08x, expected %08x" % (where, f["ssrc"], s.ssrc))
        if f["pt"] != cfg.pt:
            err("%s: payload type %d, expected %d" % (where, f["pt"], cfg.pt))
        if f["marker"] != (1 if k == 0 else 0):
            err("%s: marker bit %d" % (where, f["marker"]))
        want_seq = (s.seq0 + k) & 0xFFFF
        if f["seq"] != want_seq:
            err("%s: seq %d, expected %d" % (where, f["seq"], want_seq))
        if s.index in last_seq and f["seq"] != (last_seq[s.index] + 1) & 0xFFFF:
            err("%s: seq %d does not follow %d" % (where, f["seq"], last_seq[s.index]))
        last_seq[s.index] = f["seq"]
        want_ts = (s.ts0 + TS_STEP * k) & 0xFFFFFFFF
        if f["ts"] != want_ts:
            err("%s: timestamp %d, expected %d" % (where, f["ts"], want_ts))
        if f["payload"] != expected_payload(s.index, f["seq"], cfg.pt, cfg.payload):
            err("%s: payload differs from the %s pattern" % (where, cfg.payload))
        t = sec * 1000000 + usec
        if (sec, usec) != pcap_time(cfg, n, s.index, k):
            err("%s: pcap time %d.%06d, expected %d.%06d" % ((where, sec, usec) + pcap_time(cfg, n, s.index, k)))
        if prev_time is not None and t < prev_time:
            err("%s: pcap time goes backwards" % where)
        prev_time = t
    return errors


def verify_any(path, stream_set=None, max_errors=20):
    """Generic check of an RTP pcap: checksums, version, per-SSRC continuity.

    Returns (errors, summary dict)."""
    errors = []

    def err(msg):
        if len(errors) < max_errors:
            errors.append(msg)

    linktype, recs = read_pcap(path)
    if linktype != LINKTYPE_ETHERNET:
        return ["linktype %d, expected 1 (Ethernet)" % linktype], {}
    by_ssrc = {}
    expect = {}
    if stream_set:
        expect = {r["ssrc"]: r for r in stream_set}
    for j, (_, _, frame) in enumerate(recs):
        f, bad = parse_frame(frame)
        for b in bad:
            err("packet %d: %s" % (j, b))
        if "ssrc" not in f:
            continue
        st = by_ssrc.get(f["ssrc"])
        if st is None:
            by_ssrc[f["ssrc"]] = {"seq": f["seq"], "ts": f["ts"], "n": 1,
                                  "tuple": (f["src_ip"], f["src_port"], f["dst_ip"], f["dst_port"])}
            if expect:
                r = expect.get(f["ssrc"])
                if r is None:
                    err("packet %d: SSRC %08x not in the stream set" % (j, f["ssrc"]))
                elif (r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"]) != by_ssrc[f["ssrc"]]["tuple"]:
                    err("packet %d: SSRC %08x 5-tuple differs from stream %d" % (j, f["ssrc"], r["stream"]))
            continue
        if f["seq"] != (st["seq"] + 1) & 0xFFFF:
            err("packet %d: SSRC %08x seq %d after %d" % (j, f["ssrc"], f["seq"], st["seq"]))
        if f["ts"] != (st["ts"] + TS_STEP) & 0xFFFFFFFF:
            err("packet %d: SSRC %08x timestamp %d after %d" % (j, f["ssrc"], f["ts"], st["ts"]))
        st["seq"], st["ts"] = f["seq"], f["ts"]
        st["n"] += 1
    if expect:
        missing = set(expect) - set(by_ssrc)
        if missing:
            err("%d stream(s) of the stream set never seen" % len(missing))
    counts = sorted(st["n"] for st in by_ssrc.values())
    summary = {"packets": len(recs), "ssrcs": len(by_ssrc),
               "min_per_ssrc": counts[0] if counts else 0,
               "max_per_ssrc": counts[-1] if counts else 0}
    return errors, summary


# --------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------

def self_test():
    checks = 0
    failures = []

    def check(cond, what):
        nonlocal checks
        checks += 1
        if not cond:
            failures.append(what)

    # Known answer for the Internet checksum (RFC 1071 section 3 example).
    check(ones_sum(bytes.fromhex("0001f203f4f5f6f7")) == 0xDDF2, "RFC 1071 one's complement sum")
    check(inet_checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0x220D, "RFC 1071 checksum")

    cases = [
        # name, options, seq override (stream -> first seq) to force a wrap
        ("ipv4-pcmu", dict(streams=7, packets_per_stream=40, pt=0, ipv6=False,
                           payload="pattern", src_ip_count=0), {0: 65520, 3: 65535}),
        ("ipv6-pcma", dict(streams=3, packets_per_stream=25, pt=8, ipv6=True,
                           payload="pattern", src_ip_count=0), {1: 65530}),
        ("ipv4-silence", dict(streams=4, packets_per_stream=5, pt=8, ipv6=False,
                              payload="silence", src_ip_count=2, seed=7, ttl=3), {}),
    ]
    parser = build_parser()
    with tempfile.TemporaryDirectory(prefix="gen_rtp_pcap.") as tmp:
        for name, opts, override in cases:
            cfg = parser.parse_args([])
            for key, val in opts.items():
                setattr(cfg, key, val)
            fill_defaults(cfg)
            check_config(cfg)
            streams = plan_streams(cfg, override)
            pcap = os.path.join(tmp, name + ".pcap")
            csv_path = os.path.join(tmp, name + ".csv")
            n = write_pcap(cfg, streams, pcap)
            write_stream_set(streams, csv_path)
            check(n == cfg.streams * cfg.packets_per_stream, "%s: packet count" % name)
            check(len({s.ssrc for s in streams}) == len(streams), "%s: distinct SSRCs" % name)
            errs = verify_generated(pcap, cfg, streams)
            check(not errs, "%s: strict verification: %s" % (name, "; ".join(errs[:5])))
            rows = read_stream_set(csv_path)
            check([(r["stream"], r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"], r["ssrc"])
                   for r in rows] ==
                  [(s.index, s.src_ip, s.src_port, s.dst_ip, s.dst_port, s.ssrc) for s in streams],
                  "%s: stream-set CSV round trip" % name)
            errs, summary = verify_any(pcap, rows)
            check(not errs, "%s: generic verification: %s" % (name, "; ".join(errs[:5])))
            check(summary.get("ssrcs") == cfg.streams, "%s: SSRCs seen" % name)
            # Ports: stream i -> dst base + 2i, src base + 2i.
            check(all(s.dst_port == cfg.dst_port_base + 2 * s.index and
                      s.src_port == cfg.src_port_base + 2 * s.index for s in streams),
                  "%s: port plan" % name)
            # Wrap actually exercised where asked.
            for idx, first in override.items():
                check(first + cfg.packets_per_stream - 1 > 65535, "%s: stream %d wraps" % (name, idx))
            # Same seed, same bytes.
            pcap2 = os.path.join(tmp, name + ".again.pcap")
            write_pcap(cfg, plan_streams(cfg, override), pcap2)
            with open(pcap, "rb") as a, open(pcap2, "rb") as b:
                check(a.read() == b.read(), "%s: deterministic output" % name)

            # The verifier must catch damage: payload byte, IP header byte, order.
            with open(pcap, "rb") as fh:
                raw = bytearray(fh.read())
            l3 = IP6_HLEN if cfg.ipv6 else IP4_HLEN
            rec0 = 24 + 16                  # first frame
            frame_len = ETH_HLEN + l3 + UDP_HLEN + RTP_HLEN + PAYLOAD_LEN
            bad = bytearray(raw)
            bad[rec0 + frame_len - 1] ^= 0x5A
            p = os.path.join(tmp, name + ".badpayload.pcap")
            with open(p, "wb") as fh:
                fh.write(bad)
            errs = verify_generated(p, cfg, streams)
            check(any("UDP checksum wrong" in e for e in errs), "%s: corrupt payload detected" % name)
            if not cfg.ipv6:
                bad = bytearray(raw)
                bad[rec0 + ETH_HLEN + 8] ^= 0x01     # TTL
                p = os.path.join(tmp, name + ".badip.pcap")
                with open(p, "wb") as fh:
                    fh.write(bad)
                errs = verify_generated(p, cfg, streams)
                check(any("IPv4 header checksum wrong" in e for e in errs),
                      "%s: corrupt IPv4 header detected" % name)
            if cfg.packets_per_stream > 2 and cfg.streams > 1:
                rec = 16 + frame_len
                bad = bytearray(raw)
                # Swap stream 0's packets #1 and #2 (records n and 2n).
                a0 = 24 + rec * cfg.streams
                b0 = 24 + rec * 2 * cfg.streams
                bad[a0:a0 + rec], bad[b0:b0 + rec] = raw[b0:b0 + rec], raw[a0:a0 + rec]
                p = os.path.join(tmp, name + ".reordered.pcap")
                with open(p, "wb") as fh:
                    fh.write(bad)
                errs, _ = verify_any(p)
                check(any("seq" in e for e in errs), "%s: reordering detected" % name)

    # Configuration errors are refused.
    for bad_args in (["--dst-port-base", "20001"], ["--streams", "30000"], ["--pt", "9"],
                     ["--ipv6", "--src-ip", "198.19.0.2", "--dst-ip", "198.18.0.1"],
                     ["--src-mac", "zz:00:00:00:00:00"], ["--packets-per-stream", "0"]):
        cfg = parser.parse_args(bad_args)
        fill_defaults(cfg)
        try:
            check_config(cfg)
            check(False, "bad configuration %s accepted" % " ".join(bad_args))
        except ValueError:
            check(True, "")

    if failures:
        for f in failures:
            print("self-test FAIL: %s" % f, file=sys.stderr)
        print("self-test: %d of %d checks failed" % (len(failures), checks), file=sys.stderr)
        return 1
    print("self-test: OK (%d checks)" % checks)
    return 0


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show defaults, except for options whose default is spelled out or unset."""

    def _get_help_string(self, action):
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def build_parser():
    p = argparse.ArgumentParser(
        description="Generate a pcap of N interleaved G.711 RTP streams (20 ms, 160-byte payload).",
        formatter_class=_HelpFormatter)
    p.add_argument("--streams", type=int, default=100, help="number of RTP streams")
    p.add_argument("--packets-per-stream", type=int, default=50,
                   help="packets per stream (50 = 1 s of audio)")
    p.add_argument("--out", default="rtp-streams.pcap", help="output pcap file")
    p.add_argument("--src-mac", default=DEFAULTS["src_mac"], help="Ethernet source MAC")
    p.add_argument("--dst-mac", default=DEFAULTS["dst_mac"],
                   help="Ethernet destination MAC (the SBC media port's MAC)")
    p.add_argument("--src-ip", default=None,
                   help="first source address; stream i uses src-ip + i "
                        "(default %s, or %s with --ipv6)" % (DEFAULTS["src_ip"], DEFAULTS["src_ip6"]))
    p.add_argument("--src-ip-count", type=int, default=0,
                   help="cycle through this many source addresses (stream i uses "
                        "src-ip + i %% count); 0 = one per stream")
    p.add_argument("--dst-ip", default=None,
                   help="destination (SBC media) address (default %s, or %s with --ipv6)"
                        % (DEFAULTS["dst_ip"], DEFAULTS["dst_ip6"]))
    p.add_argument("--src-port-base", type=int, default=DEFAULTS["src_port_base"],
                   help="stream i sends from src-port-base + 2*i")
    p.add_argument("--dst-port-base", type=int, default=DEFAULTS["dst_port_base"],
                   help="stream i sends to dst-port-base + 2*i")
    p.add_argument("--pt", type=int, default=0,
                   help="RTP payload type: 0 (PCMU) or 8 (PCMA)")
    p.add_argument("--payload", choices=("pattern", "silence"), default="pattern",
                   help="payload: verifiable byte pattern or G.711 silence")
    p.add_argument("--ipv6", action="store_true", help="IPv6 instead of IPv4")
    p.add_argument("--seed", type=int, default=1, help="PRNG seed for SSRCs, sequence and timestamp starts")
    p.add_argument("--ttl", type=int, default=64, help="IPv4 TTL / IPv6 hop limit")
    p.add_argument("--dscp", type=int, default=46, help="DSCP (46 = EF)")
    p.add_argument("--start-time", type=float, default=DEFAULTS["start_time"],
                   help="pcap time of the first packet, seconds since the epoch")
    p.add_argument("--stream-set", metavar="FILE",
                   help="also write the stream set CSV (stream,src_ip,src_port,dst_ip,dst_port,ssrc)")
    p.add_argument("--verify", metavar="PCAP",
                   help="check an existing pcap (checksums, per-SSRC continuity; with "
                        "--stream-set FILE also each SSRC's 5-tuple) instead of generating")
    p.add_argument("--self-test", action="store_true",
                   help="generate small files in a temp dir, re-read and check them")
    return p


def fill_defaults(cfg):
    if cfg.src_ip is None:
        cfg.src_ip = DEFAULTS["src_ip6"] if cfg.ipv6 else DEFAULTS["src_ip"]
    if cfg.dst_ip is None:
        cfg.dst_ip = DEFAULTS["dst_ip6"] if cfg.ipv6 else DEFAULTS["dst_ip"]


def main(argv=None):
    parser = build_parser()
    cfg = parser.parse_args(argv)
    if cfg.self_test:
        return self_test()
    if cfg.verify:
        try:
            rows = read_stream_set(cfg.stream_set) if cfg.stream_set else None
            errors, summary = verify_any(cfg.verify, rows)
        except (OSError, ValueError, KeyError) as e:
            print("gen_rtp_pcap: %s" % e, file=sys.stderr)
            return 2
        print("%s: %d packets, %d SSRCs, %d..%d packets per SSRC"
              % (cfg.verify, summary.get("packets", 0), summary.get("ssrcs", 0),
                 summary.get("min_per_ssrc", 0), summary.get("max_per_ssrc", 0)))
        for e in errors:
            print("  %s" % e, file=sys.stderr)
        print("verify: %s" % ("OK" if not errors else "FAILED"))
        return 0 if not errors else 1
    fill_defaults(cfg)
    try:
        check_config(cfg)
    except ValueError as e:
        parser.error(str(e))
    streams = plan_streams(cfg)
    try:
        n = write_pcap(cfg, streams, cfg.out)
        if cfg.stream_set:
            write_stream_set(streams, cfg.stream_set)
    except OSError as e:
        print("gen_rtp_pcap: %s" % e, file=sys.stderr)
        return 2
    l3 = IP6_HLEN if cfg.ipv6 else IP4_HLEN
    print("%s: %d packets, %d streams x %d, %d-byte frames, PT %d, %s:%d.. -> %s:%d..%d"
          % (cfg.out, n, cfg.streams, cfg.packets_per_stream,
             ETH_HLEN + l3 + UDP_HLEN + RTP_HLEN + PAYLOAD_LEN, cfg.pt,
             cfg.src_ip, cfg.src_port_base, cfg.dst_ip, cfg.dst_port_base,
             cfg.dst_port_base + 2 * (cfg.streams - 1)))
    if cfg.stream_set:
        print("%s: %d streams" % (cfg.stream_set, len(streams)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

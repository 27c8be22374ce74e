#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""One side of a G.711 call's media, for scripts/demo.sh and the netns-media test.

Sends PCMU RTP (payload type 0, 20 ms, 160-byte payload) from --bind to --to
and, at the same time, receives on the same socket (symmetric RTP, as a phone
or a PBX does), checking every packet against what the other peer sends:

  - it comes from --to (the SBC's media address, not the other peer);
  - version 2, no padding, extension or CSRC, payload type 0, marker only on
    the first packet, SSRC = --peer-ssrc;
  - sequence number and timestamp in step for its index;
  - 160 payload bytes equal to pattern(--peer-ssrc, index).

Both peers derive everything from an SSRC, so neither needs the other's
output: the first sequence number is the SSRC's low 16 bits (an SSRC ending
in 0xffc0 makes the sequence wrap after 64 packets), the first timestamp a
multiplicative hash of it.  Sending starts at --start-at (time.time() of the
shared clock) so that both directions run at once; delay_ms is the arrival
time minus the time the other peer was due to send the packet, so it
includes the sender's own scheduling lag.

Prints one line:
  NAME sent=N received=N lost=N out_of_order=N duplicate=N bad=N
       send_errors=N delay_ms_avg=F delay_ms_max=F
and up to five "NAME: bad packet ..." lines on stderr.  Exit status 0 when
at least --require-percent of the peer's packets arrived and none was bad
(with --strict also: all arrived, no duplicate, nothing out of order, no
send error); 1 otherwise; 2 on a usage error.

Every loop is bounded: the run ends --linger-ms after the later of the two
peers' last scheduled packet, or earlier once everything arrived.
"""

import argparse
import ipaddress
import select
import socket
import struct
import sys
import time

PT_PCMU = 0
SAMPLES = 160           # 20 ms at 8 kHz, one byte per sample
RTP_HEADER = struct.Struct("!BBHII")


def first_seq(ssrc):
    return ssrc & 0xFFFF


def first_ts(ssrc):
    return (ssrc * 2654435761) & 0xFFFFFFFF


def pattern(ssrc, index):
    """The 160 payload bytes of packet @index of stream @ssrc."""
    return bytes(((ssrc >> (8 * (i & 3))) + index * 7 + i * 13) & 0xFF
                 for i in range(SAMPLES))


def packet(ssrc, index):
    seq = (first_seq(ssrc) + index) & 0xFFFF
    ts = (first_ts(ssrc) + index * SAMPLES) & 0xFFFFFFFF
    marker = 0x80 if index == 0 else 0
    return RTP_HEADER.pack(0x80, marker | PT_PCMU, seq, ts, ssrc) + pattern(ssrc, index)


def check(data, peer_ssrc, peer_packets):
    """Return (index, None) for a good packet, (None, why) otherwise."""
    if len(data) != RTP_HEADER.size + SAMPLES:
        return None, "length %d" % len(data)
    b0, b1, seq, ts, ssrc = RTP_HEADER.unpack_from(data)
    if b0 != 0x80:
        return None, "first byte 0x%02x (want V=2, no P/X/CC)" % b0
    if ssrc != peer_ssrc:
        return None, "ssrc 0x%08x (want 0x%08x)" % (ssrc, peer_ssrc)
    if b1 & 0x7F != PT_PCMU:
        return None, "payload type %d" % (b1 & 0x7F)
    index = (seq - first_seq(peer_ssrc)) & 0xFFFF
    if index >= peer_packets:
        return None, "sequence %d outside the peer's %d packets" % (seq, peer_packets)
    if bool(b1 & 0x80) != (index == 0):
        return None, "marker %d on packet %d" % (b1 >> 7, index)
    want_ts = (first_ts(peer_ssrc) + index * SAMPLES) & 0xFFFFFFFF
    if ts != want_ts:
        return None, "timestamp %d on packet %d (want %d)" % (ts, index, want_ts)
    if data[RTP_HEADER.size:] != pattern(peer_ssrc, index):
        return None, "payload of packet %d differs" % index
    return index, None


def endpoint(text):
    host, _, port = text.rpartition(":")
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
        port = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError("want ADDRESS:PORT, got %r" % text)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError("port out of range in %r" % text)
    return str(ip), port


def ssrc_arg(text):
    value = int(text, 0)
    if not 0 <= value <= 0xFFFFFFFF:
        raise argparse.ArgumentTypeError("SSRC out of range: %r" % text)
    return value


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--name", default="peer", help="label for the output")
    p.add_argument("--bind", type=endpoint, required=True, metavar="ADDR:PORT")
    p.add_argument("--to", type=endpoint, required=True, metavar="ADDR:PORT",
                   help="the SBC's media address for this side")
    p.add_argument("--ssrc", type=ssrc_arg, required=True)
    p.add_argument("--peer-ssrc", type=ssrc_arg, required=True)
    p.add_argument("--packets", type=int, default=150, help="packets to send")
    p.add_argument("--peer-packets", type=int, help="packets the peer sends (default --packets)")
    p.add_argument("--ptime-ms", type=float, default=20.0)
    p.add_argument("--start-at", type=float, help="time.time() to send the first packet")
    p.add_argument("--linger-ms", type=float, default=500.0,
                   help="keep receiving this long after the last scheduled packet")
    p.add_argument("--require-percent", type=float, default=100.0)
    p.add_argument("--strict", action="store_true")
    a = p.parse_args()
    peer_packets = a.packets if a.peer_packets is None else a.peer_packets
    if not (0 < a.packets <= 65536 and 0 < peer_packets <= 65536):
        p.error("--packets and --peer-packets must be 1..65536")
    if not 1.0 <= a.ptime_ms <= 1000.0 or not 0.0 <= a.linger_ms <= 10000.0:
        p.error("--ptime-ms must be 1..1000 and --linger-ms 0..10000")
    now = time.time()
    start = now if a.start_at is None else a.start_at
    if not now - 5.0 <= start <= now + 30.0:
        p.error("--start-at is not within [-5 s, +30 s] of now")
    ptime = a.ptime_ms / 1000.0

    family = socket.AF_INET6 if ":" in a.bind[0] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind(a.bind)
    sock.setblocking(False)
    want_from = (a.to[0], a.to[1])

    sent = send_errors = received = out_of_order = duplicate = bad = 0
    seen = set()
    highest = -1
    delays = []
    reasons = []
    end = start + max(a.packets, peer_packets) * ptime + a.linger_ms / 1000.0
    next_index = 0

    while True:
        now = time.time()
        while next_index < a.packets and now >= start + next_index * ptime:
            try:
                sock.sendto(packet(a.ssrc, next_index), a.to)
                sent += 1
            except OSError:
                send_errors += 1
            next_index += 1
        if now >= end or (next_index == a.packets and len(seen) == peer_packets):
            break
        due = start + next_index * ptime if next_index < a.packets else end
        readable, _, _ = select.select([sock], [], [], max(0.0, min(due, end) - now))
        if not readable:
            continue
        for _ in range(64):         # drain what is queued, bounded
            try:
                data, src = sock.recvfrom(2048)
            except BlockingIOError:
                break
            arrival = time.time()
            index, why = check(data, a.peer_ssrc, peer_packets)
            if why is None and src[:2] != want_from:
                why = "from %s:%d (want %s:%d)" % (src[0], src[1], *want_from)
            if why is not None:
                bad += 1
                if len(reasons) < 5:
                    reasons.append(why)
                continue
            if index in seen:
                duplicate += 1
                continue
            seen.add(index)
            received += 1
            if index < highest:
                out_of_order += 1
            highest = max(highest, index)
            delays.append(arrival - (start + index * ptime))
    sock.close()

    lost = peer_packets - received
    avg = 1000.0 * sum(delays) / len(delays) if delays else 0.0
    worst = 1000.0 * max(delays) if delays else 0.0
    print("%s sent=%d received=%d lost=%d out_of_order=%d duplicate=%d bad=%d "
          "send_errors=%d delay_ms_avg=%.2f delay_ms_max=%.2f"
          % (a.name, sent, received, lost, out_of_order, duplicate, bad,
             send_errors, avg, worst), flush=True)
    for why in reasons:
        print("%s: bad packet: %s" % (a.name, why), file=sys.stderr)

    ok = bad == 0 and 100.0 * received >= a.require_percent * peer_packets
    if a.strict:
        ok = ok and lost == 0 and duplicate == 0 and out_of_order == 0 and send_errors == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

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

SRTP (RFC 3711, keys as SDES gives them, RFC 4568): --srtp-send INLINE
protects every packet sent, --srtp-recv INLINE makes every packet received
go through SRTP first (index estimation, replay check, authentication,
decryption), then the checks above on the plaintext.  INLINE is the base64
key||salt of an SDP `a=crypto:... inline:` parameter (30 bytes: 16-byte
master key, 14-byte master salt); an "inline:" prefix and a "|lifetime"
suffix are accepted, an MKI is not.  --srtp-suite: AES_CM_128_HMAC_SHA1_80
(default) or _32 (both directions).  Key derivation rate 0, ROC 0 at the
start, a 128-packet replay window.  A packet whose tag does not verify is
bad ("auth ...") and counted in auth_fail; a replayed one is a duplicate;
one older than the window is bad ("replay ...").  In SDES each side sends
with the key of its own SDP: --srtp-send takes ours, --srtp-recv the other's.

RTCP (--rtcp N): also sends, from --bind's port + 1 to --to's port + 1, a
compound RTCP packet (an SR, then SDES CNAME "rtp_peer-SSRC") after every
Nth RTP packet, SRTCP-protected with --srtp-send (E flag set, 80-bit tag for
both suites as RFC 4568 says), and receives the peer's on --bind's port + 1,
unprotecting with --srtp-recv and checking: from --to's port + 1, SSRC,
packet count a multiple of N and within the peer's packets, octet count and
RTP timestamp in step with it, NTP time within 10 s of ours, the CNAME.
The peer must run with the same --rtcp N.

--self-test checks the SRTP code against RFC 3711 appendix B.2 (AES-CM
keystream) and B.3 (key derivation), against whole SRTP and SRTCP packets
as libsrtp protects them, and round trips (ROC across a sequence wrap,
reordering across it, replay, tampering, a wrong key, SRTCP); it prints one
line per check and exits 0 when all pass, 1 otherwise.  With --loopback it
then runs this program in pairs on 127.0.0.1 (three pairs at once), peers
A and B with wrapping sequences, 100 packets at 5 ms and --rtcp 10: SRTP
and SRTCP both ways with each suite (both must pass --strict), and B
receiving with a wrong key (B must exit 1 with every SRTP and SRTCP packet
counted in auth_fail).

A receiver that starts late, after the sender's sequence wrapped, takes its
first packet for ROC 0 and fails every tag (RFC 3711 has no way round it):
a peer that starts after --start-at says so on stderr.

Prints one line:
  NAME sent=N received=N lost=N out_of_order=N duplicate=N bad=N
       send_errors=N delay_ms_avg=F delay_ms_max=F auth_fail=N
       [rtcp_sent=N rtcp_received=N rtcp_bad=N]       (with --rtcp)
and up to five "NAME: bad packet ..." lines on stderr.  auth_fail counts
SRTP and SRTCP packets whose tag did not verify.  Exit status 0 when at
least --require-percent of the peer's packets (and of its RTCP packets, with
--rtcp) arrived and none was bad (with --strict also: all arrived, no
duplicate, nothing out of order, no send error); 1 otherwise; 2 on a usage
error.

Every loop is bounded: the run ends --linger-ms after the later of the two
peers' last scheduled packet, or earlier once everything arrived.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import random
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError:         # only SRTP needs it; said when asked for
    Cipher = None

PT_PCMU = 0
SAMPLES = 160           # 20 ms at 8 kHz, one byte per sample
RTP_HEADER = struct.Struct("!BBHII")
RTCP_HEADER = struct.Struct("!BBHI")
SENDER_INFO = struct.Struct("!IIIII")
PT_SR, PT_SDES = 200, 202
NTP_EPOCH = 2208988800  # seconds from 1900 to 1970


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


# ---- RTCP: one compound packet (SR + SDES CNAME) per --rtcp packets ----

def cname(ssrc):
    return b"rtp_peer-%08x" % ssrc


def rtcp_packet(ssrc, count, now):
    """The compound RTCP packet @ssrc sends after its @count-th RTP packet."""
    ntp = int((now + NTP_EPOCH) * 65536.0 * 65536.0)
    sr = RTCP_HEADER.pack(0x80, PT_SR, 6, ssrc) + SENDER_INFO.pack(
        (ntp >> 32) & 0xFFFFFFFF, ntp & 0xFFFFFFFF,
        (first_ts(ssrc) + count * SAMPLES) & 0xFFFFFFFF, count, count * SAMPLES)
    name = cname(ssrc)
    chunk = struct.pack("!IBB", ssrc, 1, len(name)) + name + b"\0"
    chunk += b"\0" * (-len(chunk) % 4)
    sdes = RTCP_HEADER.pack(0x81, PT_SDES, len(chunk) // 4, ssrc) + chunk[4:]
    return sr + sdes


def check_rtcp(data, peer_ssrc, peer_packets, every, now):
    """Return (packet count, None) for a good compound packet, (None, why) otherwise."""
    want = rtcp_packet(peer_ssrc, 1, now)
    if len(data) != len(want):
        return None, "rtcp length %d (want %d)" % (len(data), len(want))
    b0, pt, length, ssrc = RTCP_HEADER.unpack_from(data)
    if (b0, pt, length) != (0x80, PT_SR, 6):
        return None, "rtcp first packet 0x%02x pt %d length %d (want an SR)" % (b0, pt, length)
    if ssrc != peer_ssrc:
        return None, "rtcp ssrc 0x%08x (want 0x%08x)" % (ssrc, peer_ssrc)
    ntp_s, ntp_f, ts, count, octets = SENDER_INFO.unpack_from(data, RTCP_HEADER.size)
    if count == 0 or count % every or count > peer_packets:
        return None, "rtcp packet count %d (want a multiple of %d up to %d)" % (
            count, every, peer_packets)
    if octets != count * SAMPLES:
        return None, "rtcp octet count %d for %d packets" % (octets, count)
    if ts != (first_ts(peer_ssrc) + count * SAMPLES) & 0xFFFFFFFF:
        return None, "rtcp RTP timestamp %d for %d packets" % (ts, count)
    if abs(ntp_s + ntp_f / 65536.0 / 65536.0 - NTP_EPOCH - now) > 10.0:
        return None, "rtcp NTP time more than 10 s from ours"
    if data[28:] != want[28:]:
        return None, "rtcp SDES differs (want CNAME %s)" % cname(peer_ssrc).decode()
    return count, None


# ---- SRTP / SRTCP, RFC 3711, AES-CM + HMAC-SHA1, key derivation rate 0 ----

SUITES = {"AES_CM_128_HMAC_SHA1_80": 10, "AES_CM_128_HMAC_SHA1_32": 4}
SRTCP_TAG_LEN = 10      # 80 bits for both suites (RFC 4568 section 6.2)
REPLAY_WINDOW = 128
LABEL_RTP_ENC, LABEL_RTP_AUTH, LABEL_RTP_SALT = 0x00, 0x01, 0x02
LABEL_RTCP_ENC, LABEL_RTCP_AUTH, LABEL_RTCP_SALT = 0x03, 0x04, 0x05


def aes_cm(key, iv, data):
    """AES in counter mode from the 128-bit @iv: @data XOR keystream.

    SRTP counts in the low 16 bits only; every IV here ends in 16 zero bits
    and no packet is 2^16 blocks long, so a full 128-bit counter is the same."""
    return Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor().update(data)


def kdf(master_key, master_salt, label, length):
    """Session key @label (RFC 3711 section 4.3.1, key derivation rate 0: r = 0)."""
    x = (label << 48) ^ int.from_bytes(master_salt, "big")
    return aes_cm(master_key, (x << 16).to_bytes(16, "big"), bytes(length))


def packet_iv(salt, ssrc, index):
    """IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16) (section 4.1.1)."""
    return ((int.from_bytes(salt, "big") << 16) ^ (ssrc << 64) ^ (index << 16)).to_bytes(16, "big")


def rtp_header_len(data):
    """Length of the RTP header with CSRCs and extension, or None if truncated."""
    n = RTP_HEADER.size + 4 * (data[0] & 0x0F)
    if data[0] & 0x10:
        if len(data) < n + 4:
            return None
        n += 4 + 4 * struct.unpack_from("!H", data, n + 2)[0]
    return n if n <= len(data) else None


def parse_inline(text):
    """The 30 bytes of an SDES inline key: base64 key||salt[|lifetime]."""
    if text.startswith("inline:"):
        text = text[len("inline:"):]
    b64, *params = text.split("|")
    if any(":" in p for p in params):
        raise argparse.ArgumentTypeError("an MKI is not supported: %r" % text)
    try:
        raw = base64.b64decode(b64, validate=True)
    except binascii.Error:
        raise argparse.ArgumentTypeError("not base64: %r" % b64)
    if len(raw) != 30:
        raise argparse.ArgumentTypeError("inline key is %d bytes (want 16 + 14)" % len(raw))
    return raw


class Replay:
    """The replay list of one stream: the highest index and a bit per older one."""

    def __init__(self):
        self.top = None
        self.mask = 0       # bit k: index top - k was accepted

    def check(self, index):
        """None if @index may be new, else "duplicate" or "old"."""
        if self.top is None or index > self.top:
            return None
        delta = self.top - index
        if delta >= REPLAY_WINDOW:
            return "old"
        return "duplicate" if self.mask >> delta & 1 else None

    def accept(self, index):
        if self.top is None:
            self.top, self.mask = index, 1
        elif index > self.top:
            self.mask = ((self.mask << (index - self.top)) | 1) & ((1 << REPLAY_WINDOW) - 1)
            self.top = index
        else:
            self.mask |= 1 << (self.top - index)


class Srtp:
    """One master key (an SDES inline) and the streams it protects, one per SSRC.

    protect_*: a packet to send; unprotect_*: (plaintext, None, None) or
    (None, kind, why) with kind "auth", "duplicate", "replay" or "malformed";
    a stream's state changes only when a packet is accepted."""

    def __init__(self, inline, suite="AES_CM_128_HMAC_SHA1_80"):
        key, salt = inline[:16], inline[16:30]
        self.tag_len = SUITES[suite]
        self.rtp_key = kdf(key, salt, LABEL_RTP_ENC, 16)
        self.rtp_salt = kdf(key, salt, LABEL_RTP_SALT, 14)
        self.rtp_auth = hmac.new(kdf(key, salt, LABEL_RTP_AUTH, 20), digestmod=hashlib.sha1)
        self.rtcp_key = kdf(key, salt, LABEL_RTCP_ENC, 16)
        self.rtcp_salt = kdf(key, salt, LABEL_RTCP_SALT, 14)
        self.rtcp_auth = hmac.new(kdf(key, salt, LABEL_RTCP_AUTH, 20), digestmod=hashlib.sha1)
        self.tx = {}        # SSRC -> [ROC, last sequence number sent]
        self.rx = {}        # SSRC -> [ROC, s_l, Replay]
        self.tx_rtcp = {}   # SSRC -> next SRTCP index
        self.rx_rtcp = {}   # SSRC -> Replay

    @staticmethod
    def _tag(mac, data, length):
        m = mac.copy()
        m.update(data)
        return m.digest()[:length]

    def rtp_tag(self, data, roc):
        return self._tag(self.rtp_auth, data + struct.pack("!I", roc), self.tag_len)

    def protect_rtp(self, data):
        seq, ssrc = struct.unpack_from("!H4xI", data, 2)
        st = self.tx.setdefault(ssrc, [0, None])
        if st[1] is not None and seq < st[1] and st[1] - seq > 0x8000:
            st[0] = (st[0] + 1) & 0xFFFFFFFF            # the sequence wrapped
        st[1] = seq
        roc = st[0]
        n = rtp_header_len(data)
        out = data[:n] + aes_cm(self.rtp_key, packet_iv(self.rtp_salt, ssrc, roc << 16 | seq),
                                data[n:])
        return out + self.rtp_tag(out, roc)

    def estimate(self, ssrc, seq):
        """(v, index): the ROC and index of @seq (RFC 3711 section 3.3.1)."""
        st = self.rx.get(ssrc)
        if st is None:
            return 0, seq                               # ROC starts at 0
        roc, s_l = st[0], st[1]
        if s_l < 0x8000:
            v = roc - 1 if seq - s_l > 0x8000 else roc
        else:
            v = roc + 1 if s_l - 0x8000 > seq else roc
        return v, v << 16 | seq

    def unprotect_rtp(self, data):
        if len(data) < RTP_HEADER.size + self.tag_len or data[0] >> 6 != 2:
            return None, "malformed", "not SRTP: %d bytes, first byte 0x%02x" % (
                len(data), data[0] if data else 0)
        body, tag = data[:-self.tag_len], data[-self.tag_len:]
        n = rtp_header_len(body)
        if n is None:
            return None, "malformed", "SRTP header longer than the packet"
        seq, ssrc = struct.unpack_from("!H4xI", data, 2)
        v, index = self.estimate(ssrc, seq)
        st = self.rx.get(ssrc)
        if v < 0:
            return None, "replay", "replay: sequence %d before the stream's start" % seq
        seen = st[2].check(index) if st else None
        if seen == "duplicate":
            return None, "duplicate", "replay: index %d again" % index
        if seen == "old":
            return None, "replay", "replay: index %d older than the window (highest %d)" % (
                index, st[2].top)
        if not hmac.compare_digest(self.rtp_tag(body, v & 0xFFFFFFFF), tag):
            return None, "auth", "auth: tag of sequence %d (ROC %d) does not verify" % (seq, v)
        plain = body[:n] + aes_cm(self.rtp_key, packet_iv(self.rtp_salt, ssrc, index), body[n:])
        if st is None:
            st = self.rx[ssrc] = [0, seq, Replay()]
        if index > (st[0] << 16 | st[1]):
            st[0], st[1] = v, seq
        st[2].accept(index)
        return plain, None, None

    def protect_rtcp(self, data):
        ssrc = struct.unpack_from("!I", data, 4)[0]
        index = self.tx_rtcp.get(ssrc, 0)
        self.tx_rtcp[ssrc] = (index + 1) & 0x7FFFFFFF
        out = (data[:8] + aes_cm(self.rtcp_key, packet_iv(self.rtcp_salt, ssrc, index), data[8:])
               + struct.pack("!I", 0x80000000 | index))
        return out + self._tag(self.rtcp_auth, out, SRTCP_TAG_LEN)

    def unprotect_rtcp(self, data):
        if len(data) < 8 + 4 + SRTCP_TAG_LEN or data[0] >> 6 != 2:
            return None, "malformed", "not SRTCP: %d bytes" % len(data)
        body, tag = data[:-SRTCP_TAG_LEN], data[-SRTCP_TAG_LEN:]
        ssrc = struct.unpack_from("!I", data, 4)[0]
        e_index = struct.unpack_from("!I", body, len(body) - 4)[0]
        index = e_index & 0x7FFFFFFF
        replay = self.rx_rtcp.get(ssrc)
        seen = replay.check(index) if replay else None
        if seen == "duplicate":
            return None, "duplicate", "replay: SRTCP index %d again" % index
        if seen == "old":
            return None, "replay", "replay: SRTCP index %d older than the window" % index
        if not hmac.compare_digest(self._tag(self.rtcp_auth, body, SRTCP_TAG_LEN), tag):
            return None, "auth", "auth: tag of SRTCP index %d does not verify" % index
        if not e_index & 0x80000000:
            return None, "malformed", "SRTCP index %d not encrypted (E flag clear)" % index
        self.rx_rtcp.setdefault(ssrc, Replay()).accept(index)
        return (body[:8] + aes_cm(self.rtcp_key, packet_iv(self.rtcp_salt, ssrc, index),
                                  body[8:-4])), None, None


# ---- --self-test ----

B2_KEY = "2B7E151628AED2A6ABF7158809CF4F3C"
B2_SALT = "F0F1F2F3F4F5F6F7F8F9FAFBFCFD"
B2_KEYSTREAM = [        # counter ...0000 to ...0002 and ...FEFF to ...FF01
    ("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000",
     "E03EAD0935C95E80E166B16DD92B4EB4" "D23513162B02D0F72A43A2FE4A5F97AB"
     "41E95B3BB0A2E8DD477901E4FCA894C0"),
    ("F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF",
     "EC8CDF7398607CB0F2D21675EA9EA1E4" "362B7C3C6773516318A077D7FC5073AE"
     "6A2CC3787889374FBEB4C81B17BA6C44"),
]
B3_KEY = "E1F97A0D3E018BE0D64FA32C06DE4139"
B3_SALT = "0EC675AD498AFEEBB6960B3AABE6"
B3_OUT = [              # label, the PRF's output as the appendix lists it
    (LABEL_RTP_ENC, "C61E7A93744F39EE10734AFE3FF7A087"),
    (LABEL_RTP_SALT, "30CBBC08863D8C85D49DB34A9AE1"),
    (LABEL_RTP_AUTH,
     "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
     "E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
     "6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2"),
]
# Whole packets as libsrtp 2.5 protects them (an independent implementation;
# master key||salt = bytes 00..1d): SHA-256 of packet(SELFTEST_SSRC, i),
# i = 0..99 (the sequence wraps after 64: ROC 0 then 1), protected and
# concatenated; and of rtcp_packet(SELFTEST_SSRC, 5 * k, 1e9), k = 1..3,
# as SRTCP with indexes 1..3 (libsrtp's first index is 1, ours 0; RFC 3711
# lets a receiver take either).
SELFTEST_SSRC = 0x1234FFC0
KNOWN_SRTP = {
    "AES_CM_128_HMAC_SHA1_80": "5c712b630bac716f92330582b2b57d48f47ebd36bdac4c5aac9da1bb737cd094",
    "AES_CM_128_HMAC_SHA1_32": "fd58547825e74d8c09e6ae9df5557a96fae42d06fce0b4af15e64ba7615bd22b",
}
KNOWN_SRTCP = "3e515bb034457abfdbc9f40b44664352edfffc753e6e6d7a75838050a22b6232"


def self_test():
    if Cipher is None:
        print("self-test: python3-cryptography is not installed")
        return 1
    failures = []

    def expect(name, ok, detail=""):
        print("self-test: %-58s %s%s" % (name, "ok" if ok else "FAILED",
                                         "" if ok or not detail else ": " + detail))
        if not ok:
            failures.append(name)

    h = bytes.fromhex
    key, salt = h(B2_KEY), h(B2_SALT)
    expect("B.2 IV = salt*2^16 for SSRC 0, index 0",
           packet_iv(salt, 0, 0) == h(B2_KEYSTREAM[0][0]))
    for iv, ks in B2_KEYSTREAM:
        got = aes_cm(key, h(iv), bytes(48))
        expect("B.2 AES-CM keystream from %s" % iv[-8:], got == h(ks), got.hex())
    got = aes_cm(key, h(B2_KEYSTREAM[0][0]), bytes(37))
    expect("B.2 AES-CM keystream, 37 bytes", got == h(B2_KEYSTREAM[0][1])[:37])
    for label, out in B3_OUT:
        got = kdf(h(B3_KEY), h(B3_SALT), label, len(out) // 2)
        expect("B.3 key derivation, label 0x%02x, %d bytes" % (label, len(out) // 2),
               got == h(out), got.hex())

    inline = bytes(range(30))
    for suite, tag_len in SUITES.items():
        short = suite[-2:]
        tx, rx = Srtp(inline, suite), Srtp(inline, suite)
        plain = [packet(SELFTEST_SSRC, i) for i in range(100)]
        prot = [tx.protect_rtp(p) for p in plain]
        expect("%s: 100 packets as libsrtp protects them" % short,
               hashlib.sha256(b"".join(prot)).hexdigest() == KNOWN_SRTP[suite])
        expect("%s: length + %d, payload encrypted, header clear" % (short, tag_len),
               all(len(c) == len(p) + tag_len and c[:12] == p[:12] and c[12:-tag_len] != p[12:]
                   for p, c in zip(plain, prot)))
        # Packet 64 has sequence 0 after 0xffff: its tag covers ROC 1.
        expect("%s: ROC 0 before the wrap, 1 after it" % short,
               prot[63][-tag_len:] == tx.rtp_tag(prot[63][:-tag_len], 0)
               and prot[64][-tag_len:] == tx.rtp_tag(prot[64][:-tag_len], 1)
               and prot[64][-tag_len:] != tx.rtp_tag(prot[64][:-tag_len], 0))
        order = list(range(62)) + [63, 64, 62] + list(range(65, 100))  # reordered across the wrap
        got = [rx.unprotect_rtp(prot[i]) for i in order]
        expect("%s: round trip of 100 packets, reordered across the wrap" % short,
               all(g[0] == plain[i] for g, i in zip(got, order)),
               "; ".join(str(g[2]) for g in got if g[1])[:200])
        expect("%s: receiver's ROC 1 after the wrap" % short,
               rx.rx[SELFTEST_SSRC][:2] == [1, first_seq(SELFTEST_SSRC) + 99 - 0x10000])
        expect("%s: a replayed packet is a duplicate" % short,
               rx.unprotect_rtp(prot[99])[1] == "duplicate"
               and rx.unprotect_rtp(prot[70])[1] == "duplicate")
        more = [tx.protect_rtp(packet(SELFTEST_SSRC, i)) for i in range(100, 300)]
        ok = all(rx.unprotect_rtp(c)[1] is None for c in more[:-1])
        expect("%s: a packet older than the window is refused" % short,
               ok and rx.unprotect_rtp(more[-1])[1] is None
               and rx.unprotect_rtp(prot[99])[1] == "replay")
        bent = bytearray(tx.protect_rtp(packet(SELFTEST_SSRC, 300)))
        bent[40] ^= 0x01
        expect("%s: a flipped payload bit fails authentication" % short,
               rx.unprotect_rtp(bytes(bent))[1] == "auth")
        bent[40] ^= 0x01
        expect("%s: the same packet unbent then passes" % short,
               rx.unprotect_rtp(bytes(bent))[0] == packet(SELFTEST_SSRC, 300))
        known = Srtp(inline, suite)
        known.tx_rtcp[SELFTEST_SSRC] = 1
        expect("%s: 3 SRTCP packets as libsrtp protects them" % short,
               hashlib.sha256(b"".join(known.protect_rtcp(rtcp_packet(SELFTEST_SSRC, 5 * k, 1e9))
                                       for k in range(1, 4))).hexdigest() == KNOWN_SRTCP)
        wrong = Srtp(bytes(range(1, 31)), suite)
        expect("%s: a wrong key fails authentication" % short,
               wrong.unprotect_rtp(prot[0])[1] == "auth")
        now = time.time()
        sr = [rtcp_packet(SELFTEST_SSRC, 5 * k, now) for k in range(1, 4)]
        csr = [tx.protect_rtcp(p) for p in sr]
        expect("%s: SRTCP round trip, E flag and index, 80-bit tag" % short,
               [rx.unprotect_rtcp(c)[0] for c in csr] == sr
               and all(len(c) == len(p) + 4 + 10 and c[-14] & 0x80 for p, c in zip(sr, csr))
               and [struct.unpack_from("!I", c, len(c) - 14)[0] & 0x7FFFFFFF for c in csr]
               == [0, 1, 2])
        expect("%s: SRTCP replay and tampering refused" % short,
               rx.unprotect_rtcp(csr[1])[1] == "duplicate"
               and wrong.unprotect_rtcp(csr[0])[1] == "auth"
               and check_rtcp(sr[0], SELFTEST_SSRC, 100, 5, now) == (5, None))
    if failures:
        print("self-test: %d check(s) FAILED" % len(failures))
        return 1
    print("self-test: all passed")
    return 0


def free_port_pairs(count):
    """@count port numbers P on 127.0.0.1 whose P and P + 1 are free for UDP now."""
    found = []
    for _ in range(200):
        port = random.randrange(20000, 60000, 2)
        socks = []
        try:
            for p in (port, port + 1):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
        if port not in found:
            found.append(port)
        if len(found) == count:
            return found
    raise OSError("no free UDP port pairs on 127.0.0.1")


def loopback_test():
    """Two peers, this program twice, against each other on 127.0.0.1."""
    packets, every = 100, 10
    keys = [base64.b64encode(os.urandom(30)).decode() for _ in range(3)]
    ssrc_a, ssrc_b = 0x1234FFC0, 0x89ABFFF0         # both sequences wrap
    runs = [    # name, suite, the key B receives with, whether B's media is good
        ("AES_CM_128_HMAC_SHA1_80 + SRTCP", "AES_CM_128_HMAC_SHA1_80", keys[0], True),
        ("AES_CM_128_HMAC_SHA1_32 + SRTCP", "AES_CM_128_HMAC_SHA1_32", keys[0], True),
        ("B receives with a wrong key", "AES_CM_128_HMAC_SHA1_80", keys[2], False),
    ]
    ports = free_port_pairs(2 * len(runs))
    # All six start together once all are bound (--go-file), not at a fixed
    # time from launch: Python's start-up took over 1.5 s on a loaded machine.
    tmp = tempfile.mkdtemp(prefix="rtp-peer-loopback.")
    go = os.path.join(tmp, "go")
    started = []
    for k, (name, suite, b_recv, good) in enumerate(runs):
        port_a, port_b = ports[2 * k:2 * k + 2]

        def peer(label, bind, to, ssrc, peer_ssrc, send_key, recv_key):
            cmd = [sys.executable, os.path.abspath(__file__), "--name", label,
                   "--bind", "127.0.0.1:%d" % bind, "--to", "127.0.0.1:%d" % to,
                   "--ssrc", hex(ssrc), "--peer-ssrc", hex(peer_ssrc),
                   "--packets", str(packets), "--ptime-ms", "5", "--go-file", go,
                   "--linger-ms", "300", "--rtcp", str(every), "--srtp-suite", suite,
                   "--srtp-send", send_key, "--srtp-recv", recv_key]
            return subprocess.Popen(cmd + (["--strict"] if good else []),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        started.append([peer("A%d" % k, port_a, port_b, ssrc_a, ssrc_b, keys[0], keys[1]),
                        peer("B%d" % k, port_b, port_a, ssrc_b, ssrc_a, keys[1], b_recv)])
    names = ["%s%d" % (x, k) for k in range(len(runs)) for x in "AB"]
    deadline = time.time() + 20.0
    while time.time() < deadline and not all(
            os.path.exists("%s.%s.ready" % (go, n)) for n in names):
        time.sleep(0.05)
    with open(go + ".tmp", "w") as f:
        f.write("%.3f" % (time.time() + 0.1))
    os.rename(go + ".tmp", go)
    failed = 0
    for (name, suite, b_recv, good), procs in zip(runs, started):
        results = []
        for proc in procs:
            try:
                out, err = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
            fields = dict(f.split("=", 1) for f in out.split()[1:] if "=" in f)
            results.append((proc.returncode, fields, out.strip(), err.strip()))
        (rc_a, fa, out_a, err_a), (rc_b, fb, out_b, err_b) = results
        ok = rc_a == 0 and fa.get("received") == str(packets) and fa.get("auth_fail") == "0" \
            and fa.get("rtcp_received") == str(packets // every)
        if good:
            ok = ok and rc_b == 0 and fb.get("received") == str(packets) \
                and fb.get("auth_fail") == "0" and fb.get("rtcp_received") == str(packets // every)
        else:       # every SRTP and SRTCP packet refused, exit status 1
            ok = ok and rc_b == 1 and fb.get("received") == "0" \
                and fb.get("auth_fail") == str(packets + packets // every)
        print("loopback: %-40s %s\n  %s\n  %s%s" % (
            name, "ok" if ok else "FAILED", out_a, out_b,
            "".join("\n  " + line for e in (err_a, err_b) for line in e.splitlines())))
        failed += not ok
    shutil.rmtree(tmp, ignore_errors=True)
    print("loopback: %s" % ("all passed" if not failed else "%d run(s) FAILED" % failed))
    return 1 if failed else 0


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
    p.add_argument("--bind", type=endpoint, metavar="ADDR:PORT", help="required")
    p.add_argument("--to", type=endpoint, metavar="ADDR:PORT",
                   help="the SBC's media address for this side (required)")
    p.add_argument("--ssrc", type=ssrc_arg, help="required")
    p.add_argument("--peer-ssrc", type=ssrc_arg, help="required")
    p.add_argument("--packets", type=int, default=150, help="packets to send")
    p.add_argument("--peer-packets", type=int, help="packets the peer sends (default --packets)")
    p.add_argument("--ptime-ms", type=float, default=20.0)
    p.add_argument("--start-at", type=float, help="time.time() to send the first packet")
    p.add_argument("--go-file", metavar="FILE",
                   help="bind, create FILE.ready, then wait (10 s at most) for FILE to hold "
                        "the time.time() to send the first packet (instead of --start-at)")
    p.add_argument("--linger-ms", type=float, default=500.0,
                   help="keep receiving this long after the last scheduled packet")
    p.add_argument("--require-percent", type=float, default=100.0)
    p.add_argument("--strict", action="store_true")
    p.add_argument("--srtp-send", type=parse_inline, metavar="INLINE",
                   help="protect what is sent with this SDES key (ours)")
    p.add_argument("--srtp-recv", type=parse_inline, metavar="INLINE",
                   help="unprotect what arrives with this SDES key (the peer's)")
    p.add_argument("--srtp-suite", choices=sorted(SUITES), default="AES_CM_128_HMAC_SHA1_80")
    p.add_argument("--rtcp", type=int, metavar="N",
                   help="send an RTCP SR every N packets to port + 1, check the peer's")
    p.add_argument("--self-test", action="store_true",
                   help="check the SRTP code against RFC 3711 appendix B, then exit")
    p.add_argument("--loopback", action="store_true",
                   help="with --self-test: also run two peers against each other "
                   "on 127.0.0.1 (SRTP and SRTCP both ways, then a wrong key)")
    a = p.parse_args()
    if a.self_test:
        rc = self_test()
        return rc or (loopback_test() if a.loopback else 0)
    if a.loopback:
        p.error("--loopback goes with --self-test")
    for name in ("bind", "to", "ssrc", "peer_ssrc"):
        if getattr(a, name) is None:
            p.error("--%s is required" % name.replace("_", "-"))
    peer_packets = a.packets if a.peer_packets is None else a.peer_packets
    if not (0 < a.packets <= 65536 and 0 < peer_packets <= 65536):
        p.error("--packets and --peer-packets must be 1..65536")
    if not 1.0 <= a.ptime_ms <= 1000.0 or not 0.0 <= a.linger_ms <= 10000.0:
        p.error("--ptime-ms must be 1..1000 and --linger-ms 0..10000")
    if a.rtcp is not None and not (0 < a.rtcp <= 65536 and a.bind[1] < 65535
                                   and a.to[1] < 65535):
        p.error("--rtcp must be 1..65536, with ports below 65535")
    if (a.srtp_send or a.srtp_recv) and Cipher is None:
        p.error("SRTP needs python3-cryptography")
    now = time.time()
    start = now if a.start_at is None else a.start_at
    if a.go_file is None and not now - 5.0 <= start <= now + 30.0:
        p.error("--start-at is not within [-5 s, +30 s] of now")
    ptime = a.ptime_ms / 1000.0
    tx = Srtp(a.srtp_send, a.srtp_suite) if a.srtp_send else None
    rx = Srtp(a.srtp_recv, a.srtp_suite) if a.srtp_recv else None

    family = socket.AF_INET6 if ":" in a.bind[0] else socket.AF_INET

    def open_socket(port):
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((a.bind[0], port))
        s.setblocking(False)
        return s

    sock = open_socket(a.bind[1])
    rtcp_sock = open_socket(a.bind[1] + 1) if a.rtcp else None
    if a.go_file is not None:
        # Listening now: say so, and take the start time once both peers are.
        open(a.go_file + "." + a.name + ".ready", "w").close()
        deadline = time.time() + 10.0
        while not os.path.exists(a.go_file) and time.time() < deadline:
            time.sleep(0.005)
        try:
            with open(a.go_file) as f:
                start = float(f.read().strip())
        except (OSError, ValueError):
            print("%s: no start time in %s within 10 s" % (a.name, a.go_file), file=sys.stderr)
            return 1
    late = time.time() - start
    if late > 0.0:
        print("%s: started %.0f ms after --start-at: what the peer sent before is lost"
              % (a.name, 1000.0 * late), file=sys.stderr)
    socks = [sock] + ([rtcp_sock] if rtcp_sock else [])
    want_from = (a.to[0], a.to[1])
    rtcp_to = (a.to[0], a.to[1] + 1)

    sent = send_errors = received = out_of_order = duplicate = bad = auth_fail = 0
    rtcp_sent = rtcp_bad = 0
    rtcp_seen = set()
    rtcp_expected = peer_packets // a.rtcp if a.rtcp else 0
    seen = set()
    highest = -1
    delays = []
    reasons = []
    end = start + max(a.packets, peer_packets) * ptime + a.linger_ms / 1000.0
    next_index = 0

    def refuse(why):
        if len(reasons) < 5:
            reasons.append(why)

    def receive_rtcp(data, src):
        nonlocal rtcp_bad, auth_fail
        why = None
        if src[:2] != rtcp_to:
            why = "rtcp from %s:%d (want %s:%d)" % (src[0], src[1], *rtcp_to)
        elif rx:
            data, kind, why = rx.unprotect_rtcp(data)
            if kind == "auth":
                auth_fail += 1
            elif kind == "duplicate":
                return
        if why is None:
            count, why = check_rtcp(data, a.peer_ssrc, peer_packets, a.rtcp, time.time())
        if why is not None:
            rtcp_bad += 1
            refuse(why)
        else:
            rtcp_seen.add(count)

    while True:
        now = time.time()
        while next_index < a.packets and now >= start + next_index * ptime:
            try:
                data = packet(a.ssrc, next_index)
                sock.sendto(tx.protect_rtp(data) if tx else data, a.to)
                sent += 1
            except OSError:
                send_errors += 1
            next_index += 1
            if a.rtcp and next_index % a.rtcp == 0:
                data = rtcp_packet(a.ssrc, next_index, time.time())
                try:
                    rtcp_sock.sendto(tx.protect_rtcp(data) if tx else data, rtcp_to)
                    rtcp_sent += 1
                except OSError:
                    send_errors += 1
        if now >= end or (next_index == a.packets and len(seen) == peer_packets
                          and len(rtcp_seen) == rtcp_expected):
            break
        due = start + next_index * ptime if next_index < a.packets else end
        readable, _, _ = select.select(socks, [], [], max(0.0, min(due, end) - now))
        for s in readable:
            for _ in range(64):         # drain what is queued, bounded
                try:
                    data, src = s.recvfrom(2048)
                except BlockingIOError:
                    break
                if s is rtcp_sock:
                    receive_rtcp(data, src)
                    continue
                arrival = time.time()
                why = None
                if src[:2] != want_from:
                    why = "from %s:%d (want %s:%d)" % (src[0], src[1], *want_from)
                elif rx:
                    data, kind, why = rx.unprotect_rtp(data)
                    if kind == "duplicate":
                        duplicate += 1
                        continue
                    if kind == "auth":
                        auth_fail += 1
                if why is None:
                    index, why = check(data, a.peer_ssrc, peer_packets)
                if why is not None:
                    bad += 1
                    refuse(why)
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
    for s in socks:
        s.close()

    lost = peer_packets - received
    avg = 1000.0 * sum(delays) / len(delays) if delays else 0.0
    worst = 1000.0 * max(delays) if delays else 0.0
    line = ("%s sent=%d received=%d lost=%d out_of_order=%d duplicate=%d bad=%d "
            "send_errors=%d delay_ms_avg=%.2f delay_ms_max=%.2f auth_fail=%d"
            % (a.name, sent, received, lost, out_of_order, duplicate, bad,
               send_errors, avg, worst, auth_fail))
    if a.rtcp:
        line += " rtcp_sent=%d rtcp_received=%d rtcp_bad=%d" % (
            rtcp_sent, len(rtcp_seen), rtcp_bad)
    print(line, flush=True)
    for why in reasons:
        print("%s: bad packet: %s" % (a.name, why), file=sys.stderr)

    ok = (bad == 0 and rtcp_bad == 0 and 100.0 * received >= a.require_percent * peer_packets
          and 100.0 * len(rtcp_seen) >= a.require_percent * rtcp_expected)
    if a.strict:
        ok = (ok and lost == 0 and duplicate == 0 and out_of_order == 0 and send_errors == 0
              and len(rtcp_seen) == rtcp_expected)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

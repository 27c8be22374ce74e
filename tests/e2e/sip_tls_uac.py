#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A SIP caller over TLS for the e2e suite (this SIPp has no TLS).

call:  connect to --to over TLS (the server's certificate checked against
       --ca; the name is not, the example certificate names no address),
       send an INVITE with a G.711 offer whose media is --media ADDR:PORT,
       wait for the 200 (provisional responses skipped), ACK it, hold the
       call --hold-ms, send BYE and wait for its 200.  Every message sent and
       received is appended to --trace.
       --srtp: the offer is RTP/SAVP with one a=crypto line per suite of
       --srtp-suites (tags 1, 2, ... in that order, each a fresh random
       inline key, RFC 4568 SDES); the answer must be RTP/SAVP with one
       a=crypto line naming an offered tag with that tag's suite and a
       30-byte inline key, or the call fails (it is still ACKed and ended).
       --best-effort (with --srtp): best-effort SRTP (RFC 8643): the offer
       is RTP/AVP with the a=crypto lines, and the answer must be RTP/AVP
       with one a=crypto line as above.
       --media-out FILE: once the call is up (after the ACK), the answer's
       media written to FILE as one JSON object (written whole, then renamed
       into place, so that FILE appearing means it is complete):
         {"remote_ip": "ADDR", "remote_port": N, "proto": "RTP/SAVP",
          "crypto_tag": N, "suite": "AES_CM_128_HMAC_SHA1_80",
          "answer_inline": "BASE64", "offer_inline": "BASE64"}
       (the inline values are the base64 key||salt alone; the crypto fields
       are null without --srtp).  In SDES each side sends with the key of
       its own SDP: our media goes out with offer_inline (rtp_peer.py
       --srtp-send), the SBC's comes with answer_inline (--srtp-recv).
       --reinvite-ms N: N ms after the call is up, a re-INVITE in the dialog
       with the same offer but fresh keys (and the o= version raised), its
       200 ACKed and its answer written to FILE.2 in the same format.
       --hold-until FILE: end the call as soon as FILE exists, --hold-ms at
       the latest.
probe: only a TLS handshake limited to --tls-version (1.1, 1.2 or 1.3),
       with --cert/--key as our client certificate when given; prints
       "accepted VERSION" (exit 0) or "refused: REASON" (exit 1).

Every wait is bounded by --timeout seconds.  Exit status 0 on success.
"""

import argparse
import base64
import binascii
import json
import os
import warnings
import random
import socket
import ssl
import sys
import time

# TLS 1.1 is asked for on purpose (the probe that must be refused).
warnings.filterwarnings("ignore", category=DeprecationWarning)

CRYPTO_SUITES = ("AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32")
VERSIONS = {"1.1": ssl.TLSVersion.TLSv1_1, "1.2": ssl.TLSVersion.TLSv1_2,
            "1.3": ssl.TLSVersion.TLSv1_3}


def hostport(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def context(ca, version=None, cert=None, key=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    if cert is not None:
        ctx.load_cert_chain(cert, key)
    if version is not None:
        # Let the client offer old versions at all, so that a refusal is the server's.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = VERSIONS[version]
        ctx.maximum_version = VERSIONS[version]
    return ctx


class Conn:
    def __init__(self, sock, trace, deadline):
        self.sock = sock
        self.buf = b""
        self.trace = trace
        self.deadline = deadline

    def send(self, head, body=""):
        data = (head.replace("\n", "\r\n") + body).encode()
        self.trace.write("---- sent\n" + data.decode() + "\n")
        self.trace.flush()
        self.sock.sendall(data)

    def recv(self):
        """One SIP message: (first line, headers text, body)."""
        while True:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() in (b"content-length", b"l"):
                        length = int(value.strip())
                if len(rest) >= length:
                    self.buf = rest[length:]
                    text = head.decode(errors="replace")
                    self.trace.write("---- received\n" + text + "\n\n" +
                                     rest[:length].decode(errors="replace") + "\n")
                    self.trace.flush()
                    return text.split("\r\n", 1)[0], text, rest[:length]
            left = self.deadline - time.time()
            if left <= 0:
                raise TimeoutError("no complete SIP message in time")
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed by the server")
            self.buf += data


def header(text, name):
    for line in text.split("\r\n")[1:]:
        n, _, v = line.partition(":")
        if n.strip().lower() == name.lower():
            return v.strip()
    return None


def crypto_offer(suites):
    """[(tag, suite, inline key)]: a fresh random key for each suite."""
    return [(tag, suite, base64.b64encode(os.urandom(30)).decode())
            for tag, suite in enumerate(suites, 1)]


BEST_EFFORT = False    # --best-effort: RTP/AVP with a=crypto (RFC 8643)


def offer_sdp(mhost, mport, version, crypto):
    family = "IP6" if ":" in mhost else "IP4"
    sdp = ("v=0\no=pbx 4242 %d IN %s %s\ns=-\nc=IN %s %s\nt=0 0\n"
           "m=audio %d %s 0 101\na=rtpmap:0 PCMU/8000\n"
           "a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\na=ptime:20\na=sendrecv\n"
           % (version, family, mhost, family, mhost, mport,
              "RTP/SAVP" if crypto and not BEST_EFFORT else "RTP/AVP"))
    for tag, suite, key in crypto or ():
        sdp += "a=crypto:%d %s inline:%s\n" % (tag, suite, key)
    return sdp.replace("\n", "\r\n")


def answer_media(body, crypto):
    """The JSON record of an answer's first audio stream; ValueError if it
    does not accept @crypto (the offered [(tag, suite, key)]) as it should."""
    session_c = None
    audio = None
    media_seen = False
    for line in body.decode(errors="replace").splitlines():
        line = line.strip()
        if line.startswith("m="):
            if audio is not None:
                break
            media_seen = True
            f = line[2:].split()
            if len(f) >= 3 and f[0] == "audio":
                audio = {"port": int(f[1].split("/")[0]), "proto": f[2], "c": None,
                         "crypto": []}
        elif line.startswith("c="):
            f = line[2:].split()
            addr = f[2].split("/")[0] if len(f) >= 3 else None
            if audio is not None:
                audio["c"] = addr
            elif not media_seen:
                session_c = addr
        elif line.startswith("a=crypto:") and audio is not None:
            audio["crypto"].append(line[len("a=crypto:"):].split())
    if audio is None:
        raise ValueError("no m=audio line")
    rec = {"remote_ip": audio["c"] or session_c, "remote_port": audio["port"],
           "proto": audio["proto"], "crypto_tag": None, "suite": None,
           "answer_inline": None, "offer_inline": None}
    if not crypto:
        return rec
    want = "RTP/AVP" if BEST_EFFORT else "RTP/SAVP"
    if audio["proto"] != want or audio["port"] == 0:
        raise ValueError("m=audio %d %s (want %s and a port)" % (
            audio["port"], audio["proto"], want))
    if len(audio["crypto"]) != 1 or len(audio["crypto"][0]) < 3:
        raise ValueError("%d a=crypto lines (want one: TAG SUITE inline:KEY)"
                         % len(audio["crypto"]))
    tag, suite, params = audio["crypto"][0][:3]
    offered = {str(t): (su, key) for t, su, key in crypto}
    if tag not in offered or offered[tag][0] != suite:
        raise ValueError("a=crypto:%s %s is not an offered tag with its suite" % (tag, suite))
    if not params.startswith("inline:"):
        raise ValueError("key %r is not inline:KEY" % params)
    key = params[len("inline:"):].split(";")[0].split("|")[0]
    try:
        if len(base64.b64decode(key, validate=True)) != 30:
            raise ValueError
    except (binascii.Error, ValueError):
        raise ValueError("inline key %r is not 30 bytes of base64" % key)
    rec.update(crypto_tag=int(tag), suite=suite, answer_inline=key,
               offer_inline=offered[tag][1])
    return rec


def write_json(path, rec):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(rec, f)
        f.write("\n")
    os.replace(tmp, path)


def call(a):
    host, port = hostport(a.to)
    mhost, mport = hostport(a.media)
    deadline = time.time() + a.timeout
    crypto = crypto_offer(a.srtp_suites) if a.srtp else None
    raw = socket.create_connection((host, port), timeout=a.timeout,
                                   source_address=(a.bind, 0))
    sock = context(a.ca).wrap_socket(raw)
    local_ip, local_port = sock.getsockname()[:2]
    ip6 = ":" in local_ip
    lhost = "[%s]" % local_ip if ip6 else local_ip
    trace = open(a.trace, "a")
    c = Conn(sock, trace, deadline)
    call_id = "%08x@%s" % (random.getrandbits(32), local_ip)
    tag = "%08x" % random.getrandbits(32)
    ruri = "sip:%s@%s:%d;transport=tls" % (a.user, "[%s]" % host if ":" in host else host, port)
    sdp = offer_sdp(mhost, mport, 1, crypto)

    def request(method, cseq, to, body=""):
        branch = "z9hG4bK%08x" % random.getrandbits(32)
        msg = ("%s %s SIP/2.0\nVia: SIP/2.0/TLS %s:%d;branch=%s\n"
               "From: \"PBX 2000\" <sip:2000@%s>;tag=%s\nTo: %s\nCall-ID: %s\n"
               "CSeq: %d %s\nContact: <sip:2000@%s:%d;transport=tls>\nMax-Forwards: 70\n"
               % (method, ruri, lhost, local_port, branch, lhost, tag, to, call_id,
                  cseq, method, lhost, local_port))
        if method == "INVITE" and cseq == 1:
            for h in a.header:
                msg += h + "\n"
        if body:
            msg += "Content-Type: application/sdp\n"
        msg += "Content-Length: %d\n\n" % len(body.encode())
        c.send(msg, body)

    def final(method, cseq):
        """The final response to request @cseq @method: (code, headers, body).
        Requests from the server and other responses are skipped (traced)."""
        c.deadline = time.time() + a.timeout
        while True:
            first, text, body = c.recv()
            f = first.split()
            if len(f) < 2 or f[0] != "SIP/2.0" or not f[1].isdigit():
                continue
            if (header(text, "CSeq") or "").split() == [str(cseq), method] and int(f[1]) >= 200:
                return int(f[1]), text, body

    def media(body, offer, path, what):
        """Check the answer @body to @offer, write it to @path; False if bad."""
        try:
            rec = answer_media(body, offer)
        except ValueError as e:
            print("%s: %s" % (what, e), file=sys.stderr)
            return False
        print("%s: %s %s:%d%s" % (what, rec["proto"], rec["remote_ip"], rec["remote_port"],
                                  " crypto %d %s" % (rec["crypto_tag"], rec["suite"])
                                  if offer else ""))
        if path:
            write_json(path, rec)
        return True

    request("INVITE", 1, "<%s>" % ruri.split(";")[0], sdp)
    code, text, body = final("INVITE", 1)
    if code != 200:
        print("INVITE answered %d" % code, file=sys.stderr)
        return 1
    to = header(text, "To")
    request("ACK", 1, to)
    up = time.time()
    ok = True
    if a.srtp or a.media_out:
        ok = media(body, crypto, a.media_out, "answer")
    cseq = 2
    reinvited = False
    if ok and a.reinvite_ms is not None:
        reinvited = True
        due = up + a.reinvite_ms / 1000.0
        while time.time() < due and not (a.reinvite_when and os.path.exists(a.reinvite_when)):
            time.sleep(min(0.05, max(0.0, due - time.time())))
        crypto2 = crypto_offer(a.srtp_suites) if a.srtp else None
        request("INVITE", cseq, to, offer_sdp(mhost, mport, 2, crypto2))
        code, text, body = final("INVITE", cseq)
        if code == 200:
            request("ACK", cseq, to)
            ok = media(body, crypto2, a.media_out and a.media_out + ".2", "re-INVITE answer")
        else:
            print("re-INVITE answered %d" % code, file=sys.stderr)
            ok = False
        cseq += 1
    if ok:
        hold_end = up + a.hold_ms / 1000.0
        while time.time() < hold_end and not (a.hold_until and os.path.exists(a.hold_until)):
            time.sleep(min(0.05, max(0.0, hold_end - time.time())))
    request("BYE", cseq, to)
    code, text, _ = final("BYE", cseq)
    print("call over TLS (%s): 200, ACK,%s BYE answered %d" % (
        sock.version(), " re-INVITE," if reinvited else "", code))
    sock.close()
    return 0 if ok and code == 200 else 1


def probe(a):
    host, port = hostport(a.to)
    try:
        raw = socket.create_connection((host, port), timeout=a.timeout,
                                       source_address=(a.bind, 0))
        sock = context(a.ca, a.tls_version, a.cert, a.key).wrap_socket(raw)
    except (ssl.SSLError, OSError) as e:
        print("refused: %s" % e)
        return 1
    print("accepted %s" % sock.version())
    sock.close()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["call", "probe"])
    p.add_argument("--to", required=True, metavar="ADDR:PORT")
    p.add_argument("--bind", required=True, metavar="ADDR")
    p.add_argument("--ca", required=True)
    p.add_argument("--media", default="0.0.0.0:0", metavar="ADDR:PORT")
    p.add_argument("--user", default="4000")
    p.add_argument("--hold-ms", type=float, default=3000.0)
    p.add_argument("--timeout", type=float, default=20.0)
    p.add_argument("--trace", default="/dev/null")
    p.add_argument("--tls-version", choices=sorted(VERSIONS), default="1.2")
    p.add_argument("--cert", help="probe: our client certificate (mutual TLS), PEM")
    p.add_argument("--key", help="probe: its private key, PEM")
    p.add_argument("--srtp", action="store_true",
                   help="offer RTP/SAVP with SDES a=crypto keys (RFC 4568)")
    p.add_argument("--best-effort", action="store_true",
                   help="with --srtp: offer RTP/AVP with a=crypto (RFC 8643), want RTP/AVP back")
    p.add_argument("--srtp-suites", default=CRYPTO_SUITES[0], metavar="SUITE[,SUITE]",
                   help="the crypto suites offered, tags 1, 2, ... (default %(default)s; "
                   "80 and 32 name the two suites)")
    p.add_argument("--media-out", metavar="FILE",
                   help="write the answer's media (and keys) to FILE as JSON")
    p.add_argument("--reinvite-ms", type=float, metavar="N",
                   help="re-INVITE with fresh keys N ms after the call is up; "
                   "its answer to FILE.2")
    p.add_argument("--reinvite-when", metavar="FILE",
                   help="with --reinvite-ms: the re-INVITE as soon as FILE exists "
                   "(--reinvite-ms at the latest)")
    p.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'",
                   help="an extra header in the initial INVITE (repeatable)")
    p.add_argument("--hold-until", metavar="FILE",
                   help="end the call once FILE exists (--hold-ms at the latest)")
    a = p.parse_args()
    if any("\r" in h or "\n" in h or ":" not in h for h in a.header):
        p.error("--header: one 'Name: value' line")
    if not 0 < a.timeout <= 120 or not 0 <= a.hold_ms <= 60000:
        p.error("--timeout must be in (0, 120] and --hold-ms in [0, 60000]")
    short = {s[-2:]: s for s in CRYPTO_SUITES}
    global BEST_EFFORT
    BEST_EFFORT = a.best_effort
    a.srtp_suites = [short.get(x.strip(), x.strip()) for x in a.srtp_suites.split(",")]
    if not 1 <= len(a.srtp_suites) <= 2 or any(x not in CRYPTO_SUITES for x in a.srtp_suites):
        p.error("--srtp-suites: one or two of %s" % ", ".join(CRYPTO_SUITES))
    if a.reinvite_ms is not None and not 0 <= a.reinvite_ms < a.hold_ms:
        p.error("--reinvite-ms must be in [0, --hold-ms)")
    return call(a) if a.mode == "call" else probe(a)


if __name__ == "__main__":
    sys.exit(main())

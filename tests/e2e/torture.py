#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""RFC 4475's torture messages for the e2e test `hostile` (phase torture).

run:  replay the set from --bind (the PBX trunk's source) to --to over
      --transport udp, tcp or tls (--ca for TLS): each message from a new
      UDP socket or on a new connection, its responses read until its
      final one (at most --wait-ms; --quiet-ms where silence is the
      expected outcome); a non-2xx final response to an INVITE is ACKed.
      Over TCP and TLS an OPTIONS follows on the same connection: it must
      be answered, or the server must have closed the connection (a
      message that leaves the connection open but deaf is a failure);
      after a framing error (ncl, mcl01) the server must close it.  Every
      response must carry what RFC 3261 8.2.6.2 copies (a 400 only its
      Via: it may leave out what it could not parse) and a To tag, a 405
      its Allow, a 415 its Accept, a 420 its Unsupported.  One line per
      message:
        torture NAME transport=T reply=CODE expected=SET VERDICT
                [closed=yes|no then=CODE|closed|-] [(problems)] [[defect: ...]]
      CODE is the final status (else the last provisional one, else "-");
      for a message holding two requests, one CODE per request joined by
      "+".  VERDICT is ok, FAIL, or KNOWN: the outcome of a defect reported
      and not fixed yet (KNOWN_DEFECTS below; the expectation stays the
      right one).  Last, an OPTIONS must still get its 200 ("torture
      probe").  Exit 1 when a line is FAIL (--strict: KNOWN too).
uas:  the carrier's side of the calls (--bind, UDP): every INVITE gets
      100 and 486; for the Request-URI user "unreason" with an unusual
      reason phrase (RFC 4475 3.1.1.12), for "noreason" with none at all
      (3.1.1.13); OPTIONS, BYE and CANCEL get 200, ACK nothing.  Writes
      each request it received, as received, to --log.  Stops after
      --seconds.
list: the set, one line per message: name, section, expectations, why.

The messages are written here, for this test, after RFC 4475's
descriptions of what each one exercises; they are not the RFC's text.  All
addresses are the test's own (198.18.0.0/15).  In a message:
  {ME}   our address:port, as the top Via's sent-by and in Contacts
  {TP}   UDP, TCP or TLS (the Via transport)
  {SBC}  the control plane's address:port (--to)
  {HOST} its address alone
  {N}    a token new for each message sent (Call-IDs, tags, branches), so
         that a second run never matches the first run's transactions
  {LEN}  the length of the body, computed (where a test wants the
         Content-Length wrong it is written out)

Skipped (they test a registrar's bindings, which an SBC does not keep):
3.3.7 regaut01, 3.3.12 cparam01, 3.3.13 cparam02, 3.3.14 regescrt.
Responses from the PBX (scalarlg, bigcode, bcast) are strays (no request
of ours matches them): dropped is the only right outcome.  unreason and
noreason are only processed inside a transaction: they are the carrier's
answers (uas) to an INVITE from the PBX, over UDP (the carrier trunk's
transport), while the PBX's leg uses each transport in turn.

Every wait is bounded by --wait-ms per message and --timeout in all.
"""

import argparse
import random
import select
import socket
import ssl
import sys
import time

# ---- outcomes ----
ROUTED = "486"          # an INVITE routed to the carrier, its 486 relayed back
NOT_SERVED = "405"      # a method the B2BUA does not serve (RFC 3261 8.2.1)
UNKNOWN_METHOD = "501"  # a method nobody implements (RFC 3261 21.5.2)

SDP = ("v=0\n"
       "o=torture 1 1 IN IP4 198.18.1.2\n"
       "s=-\n"
       "c=IN IP4 198.18.1.2\n"
       "t=0 0\n"
       "m=audio 50000 RTP/AVP 0\n"
       "a=rtpmap:0 PCMU/8000\n")


class Case:
    """One message: its text (or bytes builder), the outcome expected over
    UDP and over a stream, and why."""

    def __init__(self, name, section, text, udp, stream=None, why="", stream_extra=None,
                 groups=None, check=None, stream_close=False, stream_reuse=True):
        self.name = name
        self.section = section
        self.text = text
        self.expect = {"udp": udp, "stream": udp if stream is None else stream}
        self.why = why
        self.stream_extra = stream_extra
        self.groups = groups          # Call-ID fragments, one per request in the message
        self.check = check            # check(responses) -> problem or None
        self.stream_close = stream_close  # over a stream, the server must close
        self.stream_reuse = stream_reuse  # over a stream, an OPTIONS after it is answered


def head_body(text):
    head, sep, body = text.partition("\n\n")
    return head, body if sep else ""


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def render(text, sub, body_bytes=None):
    """A message's bytes from its text, the placeholders replaced."""
    for k, v in sub.items():
        text = text.replace("{" + k + "}", v)
    head, body = head_body(text)
    body_b = body_bytes if body_bytes is not None else crlf(body).encode("utf-8")
    head = head.replace("{LEN}", str(len(body_b)))
    return crlf(head).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body_b


def unsupported_lists(*tags):
    def check(resps):
        for r in resps:
            if r.code == "420":
                uns = " ".join(v for n, v in r.headers if n in ("unsupported",))
                missing = [t for t in tags if t not in uns]
                return "420 without Unsupported: %s" % ",".join(missing) if missing else None
        return None
    return check


def via_count(n):
    def check(resps):
        for r in resps:
            if r.code.startswith("2"):
                got = sum(len(v.split(",")) for name, v in r.headers if name in ("via", "v"))
                return None if got == n else "the 200 has %d Via values, not %d" % (got, n)
        return None
    return check


def accept_without_sdp(resps):
    for r in resps:
        if r.code.startswith("2") and b"application/sdp" in r.raw:
            return "a 2xx with an SDP body though Accept has no application/sdp"
    return None


# A multipart/signed body whose second part is binary, NULs included
# (mpart01); the INVITE variant carries an SDP offer first.
BOUNDARY = "torture-part-boundary-7d1f"
BINARY = bytes((i * 73 + 11) % 256 for i in range(180)).replace(b"--", b"-\x00")


def multipart(first_type, first_text, outer):
    parts = (b"--" + BOUNDARY.encode() + b"\r\n"
             b"Content-Type: " + first_type.encode() + b"\r\n\r\n" +
             crlf(first_text).encode() + b"\r\n"
             b"--" + BOUNDARY.encode() + b"\r\n"
             b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
             b"Content-Transfer-Encoding: binary\r\n"
             b"Content-Disposition: attachment; handling=required; filename=smime.p7s\r\n\r\n" +
             BINARY + b"\r\n"
             b"--" + BOUNDARY.encode() + b"--\r\n")
    return outer, parts


INVITE_HEAD = ("INVITE sip:{USER}@{SBC} SIP/2.0\n"
               "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
               "Max-Forwards: 70\n"
               "From: <sip:2000@198.18.1.2>;tag=f{N}\n"
               "To: <sip:{USER}@{HOST}>\n"
               "Call-ID: {USER}.{N}@198.18.1.2\n"
               "CSeq: 1 INVITE\n"
               "Contact: <sip:2000@{ME}>\n"
               "Content-Type: application/sdp\n"
               "Content-Length: {LEN}\n\n" + SDP)

CASES = [
    # ---- 3.1.1 valid messages: processed ----
    Case("wsinv", "3.1.1.1",
         "INVITE sip:4000@{SBC};unknown-param SIP/2.0\n"
         "TO :\n"
         " sip:4000@{HOST} ;   tag    = 4711torture\n"
         "from   : \"A \\\\\\\"quoted\\\\\\\" caller\"      <sip:2000@198.18.1.2>\n"
         "  ;\n"
         "  tag = w{N}\n"
         "MaX-fOrWaRdS: 0069\n"
         "Call-ID: wsinv.{N}@198.18.1.2\n"
         "Content-Length   : {LEN}\n"
         "cseq: 0012\n"
         "  INVITE\n"
         "Via  : SIP  /   2.0\n"
         " /{TP}\n"
         "    {ME};branch=z9hG4bK{N}\n"
         "s :\n"
         "NewFangledHeader:   a value that goes\n"
         " on over\t a second line\n"
         "UnknownHeaderWithUnusualValue: ;;,,;;,;\n"
         "Content-Type: application/sdp\n"
         "Route:\n"
         " <sip:{HOST};lr;unknownwith=value;unknown-no-value>\n"
         "v:  SIP  / 2.0  / TCP     198.18.1.98   ;\n"
         "  branch  =   z9hG4bK9ikj8  ,\n"
         " SIP  /    2.0   / UDP  198.18.1.99   ; branch=\n"
         " z9hG4bK30239\n"
         "m:\"Quoted string \\\"\\\"\" <sip:2000@{ME}> ; newparam =\n"
         "      newvalue ;\n"
         "  secondparam ; q = 0.33\n\n" + SDP,
         "481", why="folding, odd case and spacing everywhere; it has a To tag: a request "
         "in a dialog we do not have (RFC 3261 12.2.2)"),
    Case("wsinv-new", "3.1.1.1",
         "INVITE sip:4000@{SBC};unknown-param SIP/2.0\n"
         "TO :\n"
         " sip:4000@{HOST}\n"
         "from   : \"A \\\\\\\"quoted\\\\\\\" caller\"      <sip:2000@198.18.1.2>\n"
         "  ;\n"
         "  tag = w{N}\n"
         "MaX-fOrWaRdS: 0069\n"
         "Call-ID: wsinv-new.{N}@198.18.1.2\n"
         "Content-Length   : {LEN}\n"
         "cseq: 0012\n"
         "  INVITE\n"
         "Via  : SIP  /   2.0\n"
         " /{TP}\n"
         "    {ME};branch=z9hG4bK{N}\n"
         "s :\n"
         "NewFangledHeader:   a value that goes\n"
         " on over\t a second line\n"
         "UnknownHeaderWithUnusualValue: ;;,,;;,;\n"
         "Content-Type: application/sdp\n"
         "v:  SIP  / 2.0  / TCP     198.18.1.98   ;\n"
         "  branch  =   z9hG4bK9ikj8  ,\n"
         " SIP  /    2.0   / UDP  198.18.1.99   ; branch=\n"
         " z9hG4bK30239\n"
         "m:\"Quoted string \\\"\\\"\" <sip:2000@{ME}> ; newparam =\n"
         "      newvalue ;\n"
         "  secondparam ; q = 0.33\n\n" + SDP,
         ROUTED, why="wsinv without its To tag (and Route): a new call, so the B2BUA "
         "reads all of it"),
    Case("intmeth", "3.1.1.2",
         "-Odd.Method!%*_+`'~0123456789 sip:9_odd.user~(yes!really)&it's+so$/odd?,/;;*:"
         "&a+b=1,x!*p$ss~w_d.(true)@{SBC} SIP/2.0\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK-.!%66*_+`'~{N}\n"
         "To: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f\" <sip:9_odd.user~(yes!really)&it's+so$/odd?,/;;*"
         "@198.18.1.10>\n"
         "From: tok1~` tok2'+_ tok3*%!.- <sip:plain@198.18.1.2>;fromParam''~+*_!.-%="
         "\"\u0440\u0430\u0431\u043e\u0442\u0430\";tag=_t~1'+`*%!-.{N}\n"
         "Call-ID: intmeth.w%ZK-!.*_+'@w`~)(><:\\/\"][?}{{N}\n"
         "CSeq: 1392 -Odd.Method!%*_+`'~0123456789\n"
         "Max-Forwards: 255\n"
         "extensionHeader-!.%*+_`'~: \ufeff\u5927\u505c\u96fb\n"
         "Content-Length: 0\n\n",
         UNKNOWN_METHOD, why="every token character in a method, URI, tags, Call-ID and a "
         "header name; quoted-pairs of BEL, NUL, DEL; UTF-8 values: an unknown method"),
    Case("esc01", "3.1.1.3",
         "INVITE sip:sips%3A4000%40198.18.0.77@{SBC} SIP/2.0\n"
         "To: sip:%34%30%30%30@{HOST}\n"
         "From: <sip:I%20am%20spaced@198.18.1.2>;tag=e{N}\n"
         "Max-Forwards: 87\n"
         "i: esc01.{N}\n"
         "CSeq: 234 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "C: application/sdp\n"
         "Contact:\n"
         "  <sip:p%62x@{ME};%6C%72;n%61me=v%61lue%25%34%31>\n"
         "Content-Length: {LEN}\n\n" + SDP,
         ROUTED, why="%-escapes in the Request-URI user, To, From, Contact parameters"),
    Case("escnull", "3.1.1.4",
         "REGISTER sip:{SBC} SIP/2.0\n"
         "To: sip:zero-%00-zero@{HOST}\n"
         "From: sip:zero-%00-zero@{HOST};tag=z{N}\n"
         "Max-Forwards: 70\n"
         "Call-ID: escnull.{N}\n"
         "CSeq: 1439 REGISTER\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Contact: <sip:%00@{ME}>\n"
         "Contact: <sip:%00%00@{ME}>\n"
         "L:0\n\n",
         NOT_SERVED, why="escaped NULs in URIs; a REGISTER, which an SBC is not the "
         "registrar for"),
    Case("esc02", "3.1.1.5",
         "RE%47IST%45R sip:{SBC} SIP/2.0\n"
         "To: \"%Z%45\" <sip:someone@{HOST}>\n"
         "From: \"%Z%45\" <sip:someone@{HOST}>;tag=e{N}\n"
         "Call-ID: esc02.{N}\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK209%fz{N}\n"
         "CSeq: 2934 RE%47IST%45R\n"
         "Max-Forwards: 70\n"
         "Contact: <sip:alias1@198.18.1.2>\n"
         "C%6Fntact: <sip:alias2@198.18.1.2>\n"
         "Contact: <sip:alias3@198.18.1.2>\n"
         "l: 0\n\n",
         UNKNOWN_METHOD, why="% that is no escape: the method is RE%47IST%45R, not "
         "REGISTER; C%6Fntact is an unknown header"),
    Case("lwsdisp", "3.1.1.6",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: caller<sip:2000@198.18.1.2>;tag=l{N}\n"
         "Max-Forwards: 70\n"
         "Call-ID: lwsdisp.{N}@198.18.1.2\n"
         "CSeq: 60 OPTIONS\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "l: 0\n\n",
         "200", why="no space between a display name and <"),
    Case("longreq", "3.1.1.7",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "To: \"A callee of " + "extreme " * 12 + "length\" <sip:4000@{HOST}:5060;"
         "unknownparam1=very" + "long" * 20 + "value;longparam" + "name" * 25 +
         "=shortvalue;very" + "long" * 25 + "ParameterNameWithNoValue>\n"
         "F: sip:" + "amazinglylongcallername" * 5 + "@198.18.1.2;tag=12" + "982" * 50 +
         "{N};unknownheaderparam" + "name" * 20 + "=unknownheaderparam" + "value" * 15 +
         ";unknownValueless" + "paramname" * 10 + "\n"
         "Call-ID: longreq.one" + "really" * 20 + "longcallid.{N}\n"
         "CSeq: 3882340 INVITE\n"
         "Unknown-" + "Long" * 20 + "-Name: unknown-" + "long" * 20 + "-value; unknown-" +
         "long" * 20 + "-parameter-name = unknown-" + "long" * 20 + "-parameter-value\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK" + "longbranch" * 20 + "{N}\n" +
         "".join("%s: SIP/2.0/TCP 198.18.1.%d:5060;branch=z9hG4bKhop%d\n"
                 % (("Via", "v", "V")[i % 3], 100 + i, i) for i in range(33)) +
         "Max-Forwards: 68\n"
         "Contact: <sip:" + "amazinglylongcallername" * 5 + "@{ME}>\n"
         "Content-Type: application/sdp\n"
         "l: {LEN}\n\n" + SDP,
         ROUTED, why="long display names, parameter names and values, tags, Call-ID, "
         "an unknown header's name and value, 34 Via field values"),
    Case("dblreq", "3.1.1.8",
         "REGISTER sip:{SBC} SIP/2.0\n"
         "To: sip:2000@{HOST}\n"
         "From: sip:2000@{HOST};tag=d{N}\n"
         "Max-Forwards: 8\n"
         "I: dblreq-reg.{N}\n"
         "Contact: sip:2000@{ME}\n"
         "CSeq: 8 REGISTER\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}r\n"
         "Content-Length: 0\n\n"
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "t: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=i{N}\n"
         "Max-Forwards: 8\n"
         "Call-ID: dblreq-inv.{N}@198.18.1.2\n"
         "CSeq: 8 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}i\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n"
         "Content-Length: %d\n\n" % len(crlf(SDP)) + SDP,
         NOT_SERVED + " + -", NOT_SERVED + " + " + ROUTED, groups=["dblreq-reg", "dblreq-inv"],
         why="over UDP the INVITE after a REGISTER with Content-Length 0 is extra octets "
         "of one datagram, ignored; over a stream it is the next message"),
    Case("semiuri", "3.1.1.9",
         "OPTIONS sip:4000;par=u%40198.18.1.2@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=s{N}\n"
         "Max-Forwards: 3\n"
         "Call-ID: semiuri.{N}\n"
         "CSeq: 8 OPTIONS\n"
         "Accept: application/sdp, application/pkcs7-mime,\n"
         "        multipart/mixed, multipart/signed,\n"
         "        message/sip, message/sipfrag\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "l: 0\n\n",
         "200", why="a ; inside the URI's user part; a folded Accept"),
    Case("transports", "3.1.1.10",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: <sip:2000@198.18.1.2>;tag=t{N}\n"
         "Max-Forwards: 70\n"
         "Call-ID:  transports.{N}\n"
         "Accept: application/sdp\n"
         "CSeq: 60 OPTIONS\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Via: SIP/2.0/SCTP 198.18.1.102;branch=z9hG4bKsctp\n"
         "Via: SIP/2.0/TLS 198.18.1.103;branch=z9hG4bKtls\n"
         "Via: SIP/2.0/UNKNOWN 198.18.1.104;branch=z9hG4bKunknown\n"
         "Via: SIP/2.0/TCP 198.18.1.105;branch=z9hG4bKtcp\n"
         "l: 0\n\n",
         "200", check=via_count(5),
         why="Via values of SCTP, TLS, an unknown transport, TCP: all five in the 200"),
    Case("mpart01", "3.1.1.11",
         multipart("text/plain", "A message for the torture test.\n",
                   "MESSAGE sip:4000@{SBC} SIP/2.0\n"
                   "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
                   "Max-Forwards: 70\n"
                   "To: <sip:4000@{HOST}>\n"
                   "From: <sip:2000@198.18.1.2>;tag=m{N}\n"
                   "Call-ID: mpart01.{N}\n"
                   "CSeq: 1 MESSAGE\n"
                   "MIME-Version: 1.0\n"
                   "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";"
                   " micalg=sha1; boundary=" + BOUNDARY + "\n"
                   "Content-Length: {LEN}\n\n"),
         NOT_SERVED, why="a multipart body whose binary part holds NULs; MESSAGE is not "
         "served (nua's MESSAGE is disabled)"),
    Case("mpart01-invite", "3.1.1.11",
         multipart("application/sdp", SDP,
                   "INVITE sip:4000@{SBC} SIP/2.0\n"
                   "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
                   "Max-Forwards: 70\n"
                   "To: <sip:4000@{HOST}>\n"
                   "From: <sip:2000@198.18.1.2>;tag=m{N}\n"
                   "Call-ID: mpart01-invite.{N}\n"
                   "CSeq: 1 INVITE\n"
                   "Contact: <sip:2000@{ME}>\n"
                   "MIME-Version: 1.0\n"
                   "Content-Type: multipart/mixed; boundary=" + BOUNDARY + "\n"
                   "Content-Length: {LEN}\n\n"),
         ROUTED, why="mpart01's framing on an INVITE: the SDP offer and a binary part "
         "with NULs (handling=required: accepted or 415, never a 400)"),
    Case("unreason", "3.1.1.12", INVITE_HEAD.replace("{USER}", "unreason"), ROUTED,
         why="the carrier answers 486 with a reason phrase of UTF-8 and odd characters; "
         "relayed as 486"),
    Case("noreason", "3.1.1.13", INVITE_HEAD.replace("{USER}", "noreason"), ROUTED,
         why="the carrier answers 100 and 486 with empty reason phrases; relayed as 486"),

    # ---- 3.1.2 invalid messages: 400, or dropped where said ----
    Case("badinv01", "3.1.2.1",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=b{N}\n"
         "Max-Forwards: 7\n"
         "Call-ID: badinv01.{N}\n"
         "CSeq: 8 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};;,;,,\n"
         "Contact: \"Joe\" <sip:2000@{ME}>;;;;\n"
         "Content-Length: {LEN}\n"
         "Content-Type: application/sdp\n\n" + SDP,
         "400|-", why="empty parameters and values between ; and , in Via and Contact: "
         "400, or dropped: the top Via, where a response goes (RFC 3261 18.2.2), is what "
         "cannot be parsed (over a stream: the connection closed)"),
    Case("clerr", "3.1.2.2",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "Max-Forwards: 80\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=c{N}\n"
         "Contact: <sip:2000@{ME}>\n"
         "Call-ID: clerr.{N}\n"
         "CSeq: 8 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Content-Type: application/sdp\n"
         "Content-Length: 9999\n\n" + SDP,
         "400", "-", stream_reuse=False, why="Content-Length beyond the datagram: 400; "
         "on a stream the rest may still come, so nothing until the idle timeout"),
    Case("ncl", "3.1.2.3",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "Max-Forwards: 254\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=n{N}\n"
         "Call-ID: ncl.{N}\n"
         "CSeq: 0 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n"
         "Content-Length: -999\n\n" + SDP,
         "400", "400|-", stream_close=True, why="a negative Content-Length: 400; on a "
         "stream the framing is lost: 400 or nothing, and the connection closed"),
    Case("scalar02", "3.1.2.4",
         "REGISTER sip:{SBC} SIP/2.0\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "To: <sip:2000@{HOST}>\n"
         "From: <sip:2000@{HOST}>;tag=s{N}\n"
         "CSeq: 36893488147419103232 REGISTER\n"
         "Call-ID: scalar02.{N}\n"
         "Max-Forwards: 300\n"
         "Expires: 1" + "0" * 100 + "\n"
         "Contact: <sip:2000@{ME}>;expires=280297596632815\n"
         "Content-Length: 0\n\n",
         "400", why="CSeq over 2**32-1, Max-Forwards over 255, Expires and expires= "
         "overflowing"),
    Case("scalarlg", "3.1.2.5",
         "SIP/2.0 503 Service Unavailable\n"
         "Via: SIP/2.0/{TP} {HOST};branch=z9hG4bK{N};received=198.18.1.10\n"
         "To: <sip:2000@198.18.1.2>;tag=s{N}\n"
         "From: <sip:4000@{HOST}>;tag=o{N}\n"
         "CSeq: 36893488147419103232 INVITE\n"
         "Call-ID: scalarlg.{N}\n"
         "Retry-After: 949302838503028349304023988\n"
         "Warning: 1812 overture \"In Progress\"\n"
         "Content-Length: 0\n\n",
         "-", why="a response with overflowing CSeq, Retry-After, warn-code; it answers "
         "nothing of ours: dropped"),
    Case("quotbal", "3.1.2.6",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "To: \"Mr. J. User <sip:4000@{HOST}>\n"
         "From: sip:2000@198.18.1.2;tag=q{N}\n"
         "Max-Forwards: 10\n"
         "Call-ID: quotbal.{N}\n"
         "Contact: <sip:2000@{ME}>\n"
         "CSeq: 8 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Content-Type: application/sdp\n"
         "Content-Length: {LEN}\n\n" + SDP,
         "400", why="a display name's quote never closed"),
    Case("ltgtruri", "3.1.2.7",
         "INVITE <sip:4000@{SBC}> SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=g{N}\n"
         "Max-Forwards: 23\n"
         "Call-ID: ltgtruri.{N}\n"
         "CSeq: 1 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n"
         "Content-Length: {LEN}\n\n" + SDP,
         "400", why="the Request-URI in < >"),
    Case("lwsruri", "3.1.2.8",
         "INVITE sip:4000@{SBC}; lr SIP/2.0\n"
         "To: sip:4000@{HOST};tag=x{N}\n"
         "From: sip:2000@198.18.1.2;tag=w{N}\n"
         "Max-Forwards: 73\n"
         "Call-ID: lwsruri.{N}\n"
         "CSeq: 986759 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n"
         "Content-Length: {LEN}\n\n" + SDP,
         "400", why="whitespace inside the Request-URI (and, as in the RFC, a To tag)"),
    Case("lwsstart", "3.1.2.9",
         "INVITE  sip:4000@{SBC}  SIP/2.0\n"
         "Max-Forwards: 8\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=s{N}\n"
         "Call-ID: lwsstart.{N}\n"
         "CSeq: 1 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n"
         "Content-Length: {LEN}\n\n" + SDP,
         "400", "400|" + ROUTED, why="two spaces between the Request-Line's elements: "
         "400, or (liberal, RFC 4475) the call goes on; over UDP the pre-filter only takes "
         "METHOD SP URI SP SIP/2.0"),
    Case("trws", "3.1.2.10",
         "OPTIONS sip:4000@{SBC} SIP/2.0  \n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Max-Forwards: 70\n"
         "From: <sip:2000@198.18.1.2>;tag=t{N}\n"
         "To: <sip:4000@{HOST}>\n"
         "Call-ID: trws.{N}\n"
         "CSeq: 1 OPTIONS\n"
         "l: 0\n\n",
         "400", "400|200", why="spaces after SIP/2.0 in the Request-Line: 400, or "
         "(liberal, RFC 4475) 200; over UDP the pre-filter says 400"),
    Case("escruri", "3.1.2.11",
         "INVITE sip:4000@{SBC}?Route=%3Csip:198.18.1.66;lr%3E SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=r{N}\n"
         "Max-Forwards: 87\n"
         "Call-ID: escruri.{N}\n"
         "CSeq: 1 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n"
         "Content-Length: {LEN}\n\n" + SDP,
         "400|" + ROUTED, why="headers in the Request-URI: 400, or (liberal) ignored; "
         "never sent on (the carrier never sees 198.18.1.66: checked by hostile.sh)"),
    Case("baddate", "3.1.2.12",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=d{N}\n"
         "Max-Forwards: 70\n"
         "Call-ID: baddate.{N}\n"
         "CSeq: 1 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Date: Fri, 01 Jan 2010 16:00:00 EST\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n"
         "Content-Length: {LEN}\n\n" + SDP,
         "400|" + ROUTED, why="a Date not in GMT: 400, or (liberal) the Date ignored"),
    Case("regbadct", "3.1.2.13",
         "REGISTER sip:{SBC} SIP/2.0\n"
         "To: sip:2000@{HOST}\n"
         "From: sip:2000@{HOST};tag=c{N}\n"
         "Max-Forwards: 70\n"
         "Call-ID: regbadct.{N}\n"
         "CSeq: 1 REGISTER\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Contact: sip:2000@{ME}?Route=%3Csip:198.18.1.66%3E\n"
         "l: 0\n\n",
         "400|" + NOT_SERVED, why="a Contact URI with headers not in < >; a REGISTER: "
         "400 or not served"),
    Case("badaspec", "3.1.2.14",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Max-Forwards: 70\n"
         "From: \"Bell, Alexander\" <sip:2000@198.18.1.2>;tag=a{N}\n"
         "To: \"Watson, Thomas\" < sip:4000@{HOST} >\n"
         "Call-ID: badaspec.{N}\n"
         "Accept: application/sdp\n"
         "CSeq: 3923239 OPTIONS\n"
         "l: 0\n\n",
         "400|200", why="spaces inside < > around an addr-spec: 400, or (liberal) 200"),
    Case("baddn", "3.1.2.15",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Max-Forwards: 70\n"
         "From: Bell, Alexander <sip:2000@198.18.1.2>;tag=n{N}\n"
         "To: Watson, Thomas <sip:4000@{HOST}>\n"
         "Call-ID: baddn.{N}\n"
         "Accept: application/sdp\n"
         "CSeq: 3923239 OPTIONS\n"
         "l: 0\n\n",
         "400|200", why="a display name with a comma, unquoted: 400, or (liberal) 200"),
    Case("badvers", "3.1.2.16",
         "OPTIONS sip:4000@{SBC} SIP/7.0\n"
         "Via: SIP/7.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Max-Forwards: 70\n"
         "From: <sip:2000@198.18.1.2>;tag=v{N}\n"
         "To: <sip:4000@{HOST}>\n"
         "Call-ID: badvers.{N}\n"
         "CSeq: 1 OPTIONS\n"
         "l: 0\n\n",
         "505", why="SIP/7.0 (in its Via too): 505 Version Not Supported (RFC 3261 21.5.6)"),
    Case("mismatch01", "3.1.2.17",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=m{N}\n"
         "Max-Forwards: 6\n"
         "Call-ID: mismatch01.{N}\n"
         "CSeq: 8 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "l: 0\n\n",
         "400", why="OPTIONS whose CSeq says INVITE"),
    Case("mismatch02", "3.1.2.18",
         "NEWMETHOD sip:4000@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=m{N}\n"
         "Max-Forwards: 6\n"
         "Call-ID: mismatch02.{N}\n"
         "CSeq: 8 INVITE\n"
         "Contact: <sip:2000@{ME}>\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Content-Type: application/sdp\n"
         "l: {LEN}\n\n" + SDP,
         "400|501", why="an unknown method whose CSeq says INVITE: 400 (or 501)"),
    Case("bigcode", "3.1.2.19",
         "SIP/2.0 4294967301 a status that overflows 32 bits\n"
         "Via: SIP/2.0/{TP} {HOST};branch=z9hG4bK{N}\n"
         "From: <sip:4000@{HOST}>;tag=b{N}\n"
         "To: <sip:2000@198.18.1.2>;tag=c{N}\n"
         "Call-ID: bigcode.{N}\n"
         "CSeq: 1 INVITE\n"
         "Content-Length: 0\n\n",
         "-", why="a status code over 699 (and 2**32): dropped"),

    # ---- 3.2 transaction layer ----
    Case("badbranch", "3.2.1",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=b{N}\n"
         "Max-Forwards: 3\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK\n"
         "Call-ID: badbranch.{N}\n"
         "CSeq: 8 OPTIONS\n"
         "l: 0\n\n",
         "200", why="a branch that is only the magic cookie: still a request to answer"),

    # ---- 3.3 application layer ----
    Case("insuf", "3.3.1",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "CSeq: 193942 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Content-Type: application/sdp\n"
         "l: {LEN}\n\n" + SDP,
         "400|-", why="no Call-ID, From, To or Max-Forwards: 400, or dropped (a response "
         "cannot carry the From, To and Call-ID RFC 3261 8.2.6.2 wants copied)"),
    Case("unkscm", "3.3.2",
         "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=u{N}\n"
         "Max-Forwards: 3\n"
         "Call-ID: unkscm.{N}\n"
         "CSeq: 3923 OPTIONS\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "l: 0\n\n",
         "416", why="an unknown Request-URI scheme: 416 (RFC 3261 8.2.2.1)"),
    Case("novelsc", "3.3.3",
         "OPTIONS soap.beep://198.18.1.103:3002 SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=n{N}\n"
         "Max-Forwards: 3\n"
         "Call-ID: novelsc.{N}\n"
         "CSeq: 3923 OPTIONS\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "l: 0\n\n",
         "416", why="a known scheme that is not SIP's: 416"),
    Case("unksm2", "3.3.4",
         "REGISTER sip:{SBC} SIP/2.0\n"
         "To: isbn:2983792873\n"
         "From: <http://198.18.1.2>;tag=u{N}\n"
         "Max-Forwards: 70\n"
         "Call-ID: unksm2.{N}\n"
         "CSeq: 3923239 REGISTER\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Contact: <name:Torture_Test>\n"
         "l: 0\n\n",
         "400|" + NOT_SERVED, why="To, From, Contact of other schemes; a REGISTER: 400 "
         "(a registrar's answer) or not served"),
    Case("bext01", "3.3.5",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=x{N}\n"
         "Max-Forwards: 70\n"
         "Call-ID: bext01.{N}\n"
         "CSeq: 3923 OPTIONS\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Require: nothingSupportsThis, nothingSupportsThisEither\n"
         "Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis\n"
         "l: 0\n\n",
         "420", check=unsupported_lists("nothingSupportsThis", "nothingSupportsThisEither"),
         why="Require of unknown extensions: 420 listing them in Unsupported (RFC 3261 "
         "8.2.2.3)"),
    Case("invut", "3.3.6",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "Contact: <sip:2000@{ME}>\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=i{N}\n"
         "Max-Forwards: 70\n"
         "Content-Type: application/unknownformat\n"
         "Call-ID: invut.{N}\n"
         "CSeq: 1 INVITE\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Content-Length: {LEN}\n\n"
         "<audio>\n <pcmu port=\"50000\"/>\n</audio>\n",
         "415", why="a body of a type nobody knows, required (no Content-Disposition): 415 "
         "(RFC 3261 8.2.3)"),
    Case("multi01", "3.3.8",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Max-Forwards: 70\n"
         "Call-ID: multi01.{N}@198.18.1.2\n"
         "CSeq: 59 INVITE\n"
         "Call-ID: multi01.{N}@198.18.1.3\n"
         "From: sip:2000@198.18.1.2;tag=a{N}\n"
         "To: sip:4000@{HOST}\n"
         "To: sip:4001@{HOST}\n"
         "From: sip:2001@198.18.1.2;tag=b{N}\n"
         "Content-Type: application/sdp\n"
         "l: {LEN}\n"
         "Contact: <sip:2000@{ME}>\n"
         "Max-Forwards: 5\n\n" + SDP,
         "400", why="two Call-ID, From, To, Max-Forwards"),
    Case("mcl01", "3.3.9",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=c{N}\n"
         "Call-ID: mcl01.{N}\n"
         "CSeq: 15932 OPTIONS\n"
         "Content-Length: 13\n"
         "Max-Forwards: 60\n"
         "Content-Length: 5\n"
         "Content-Type: text/plain\n\n"
         "How many octets are meant to be here nobody can tell.\n",
         "400", "400|-", stream_close=True, why="two Content-Length values: 400; on a "
         "stream the framing is lost: 400 or nothing, and the connection closed"),
    Case("bcast", "3.3.10",
         "SIP/2.0 200 OK\n"
         "Via: SIP/2.0/{TP} {HOST};branch=z9hG4bK{N}\n"
         "Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23\n"
         "Call-ID: bcast.{N}\n"
         "CSeq: 35 INVITE\n"
         "From: sip:4000@{HOST};tag=b{N}\n"
         "To: sip:2000@198.18.1.2;tag=c{N}\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n"
         "Content-Length: {LEN}\n\n" + SDP,
         "-", why="a 200 with a broadcast Via, answering nothing of ours: dropped, never "
         "sent on"),
    Case("zeromf", "3.3.11",
         "OPTIONS sip:4000@{SBC} SIP/2.0\n"
         "Call-ID: zeromf.{N}\n"
         "CSeq: 39234321 OPTIONS\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Max-Forwards: 0\n"
         "To: sip:4000@{HOST}\n"
         "From: sip:2000@198.18.1.2;tag=z{N}\n"
         "l: 0\n\n",
         "200", why="Max-Forwards 0 on an OPTIONS the SBC answers itself: answered as "
         "any other (483 only when it would forward)"),
    Case("zeromf-invite", "3.3.11",
         INVITE_HEAD.replace("{USER}", "zeromf-invite").replace("Max-Forwards: 70",
                                                               "Max-Forwards: 0"),
         "483", why="Max-Forwards 0 on an INVITE the B2BUA would forward: 483, not sent on"),
    Case("mfdec", "7332",
         INVITE_HEAD.replace("{USER}", "mfdec").replace("Max-Forwards: 70", "Max-Forwards: 5"),
         ROUTED, why="not RFC 4475: Max-Forwards 5 from the PBX reaches the carrier as 4 "
         "(its uas answers 500 otherwise)"),
    Case("sdp01", "3.3.15",
         INVITE_HEAD.replace("{USER}", "sdp01").replace(
             "Content-Type: application/sdp\n",
             "Accept: text/nobodyKnowsThis\nContent-Type: application/sdp\n"),
         "406|400|" + ROUTED, check=accept_without_sdp,
         why="Accept without application/sdp: 406 or 400, or the call goes on without an "
         "SDP body in what comes back"),

    # ---- 3.4 backward compatibility ----
    Case("inv2543", "3.4.1",
         "INVITE sip:4000@{SBC} SIP/2.0\n"
         "Via: SIP/2.0/{TP} {ME}\n"
         "From: <sip:2000@198.18.1.2>\n"
         "To: <sip:4000@{HOST}>\n"
         "Call-ID: inv2543.{N}@198.18.1.2\n"
         "CSeq: 1 INVITE\n"
         "Contact: <sip:2000@{ME}>\n"
         "Content-Type: application/sdp\n\n" + SDP,
         ROUTED, stream_extra="Content-Length: {LEN}\n",
         why="RFC 2543: no branch, no From tag, no Max-Forwards, no Content-Length (over "
         "a stream it needs one: added there)"),
]

# Defects reported and not fixed yet: (name, "udp"|"stream") -> (the outcome
# seen, as "REPLY" or "REPLY then=CODE", and what is wrong).  Seen again, the
# line says KNOWN and the run passes (--strict: fails); any other outcome is
# judged as usual.  The expectations above stay the right ones: drop an entry
# once fixed.  None left: intmeth (501), lwsruri (400) and bigcode (dropped)
# used to leave a TCP/TLS connection open and deaf, and Max-Forwards 0 was
# forwarded; a stream is now judged before Sofia (sip_conn.h).
KNOWN_DEFECTS = {}

CASE_BY_NAME = {c.name: c for c in CASES}


class Response:
    def __init__(self, raw):
        self.raw = raw
        head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
        first = head[0].split(" ", 2)
        self.code = first[1] if len(first) >= 2 else "?"
        self.headers = []
        for line in head[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + " " + line.strip())
                continue
            n, _, v = line.partition(":")
            self.headers.append((n.strip().lower(), v.strip()))

    def header(self, *names):
        for n, v in self.headers:
            if n in names:
                return v
        return None

    def final(self):
        return self.code.isdigit() and int(self.code) >= 200


class Stream:
    """Messages out of a byte stream (Content-Length framing)."""

    def __init__(self):
        self.buf = b""

    def messages(self):
        out = []
        while True:
            self.buf = self.buf.lstrip(b"\r\n")
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if not sep:
                return out
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() in (b"content-length", b"l"):
                    try:
                        length = max(0, int(value.strip()))
                    except ValueError:
                        length = 0
            if len(rest) < length:
                return out
            out.append(head + b"\r\n\r\n" + rest[:length])
            self.buf = rest[length:]


def transport_class(t):
    return "udp" if t == "udp" else "stream"


def expected_groups(case, t):
    return [g.strip() for g in case.expect[transport_class(t)].split("+")]


def substitutions(a, local, nonce):
    host, port = a.to.rsplit(":", 1)
    return {"ME": "%s:%d" % local, "TP": a.transport.upper(), "SBC": a.to, "HOST": host,
            "N": nonce}


def build(case, a, local, nonce):
    sub = substitutions(a, local, nonce)
    if isinstance(case.text, tuple):
        outer, parts = case.text
        return render(outer, sub, parts)
    text = case.text
    if case.stream_extra and a.transport != "udp":
        head, body = head_body(text)
        text = head + "\n" + case.stream_extra.rstrip("\n") + "\n\n" + body
    return render(text, sub)


def ack_for(request, resp):
    """An ACK for a non-2xx final response to @request (RFC 3261 17.1.1.3)."""
    first = request.split(b"\r\n", 1)[0].decode("utf-8", "replace").split(" ")
    ruri = first[1] if len(first) == 3 else "sip:198.18.1.10"
    via = resp.header("via", "v")
    cseq = (resp.header("cseq") or "1").split()[0]
    lines = ["ACK %s SIP/2.0" % ruri,
             "Via: %s" % (via.split(",")[0] if via else "SIP/2.0/UDP 198.18.1.2"),
             "Max-Forwards: 70",
             "From: %s" % (resp.header("from", "f") or ""),
             "To: %s" % (resp.header("to", "t") or ""),
             "Call-ID: %s" % (resp.header("call-id", "i") or ""),
             "CSeq: %s ACK" % cseq,
             "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode("utf-8", "replace")


class Exchange:
    """One message sent, its responses collected per request."""

    def __init__(self, case, t, wait_s, quiet_s):
        self.case = case
        self.groups = expected_groups(case, t)
        self.resps = [[] for _ in self.groups]
        self.start = time.time()
        self.final_deadline = self.start + wait_s
        self.quiet_deadline = self.start + quiet_s
        self.closed = False

    def group_of(self, r):
        if not self.case.groups:
            return 0
        cid = r.header("call-id", "i") or ""
        for i, frag in enumerate(self.case.groups):
            if frag in cid:
                return i
        return None

    def add(self, r):
        g = self.group_of(r)
        if g is not None:
            self.resps[g].append(r)

    def done(self, now):
        finals = [any(r.final() for r in rs) for rs in self.resps]
        if all(finals):
            return True
        if now >= self.final_deadline:
            return True
        return now >= self.quiet_deadline and all(
            f or "-" in g.split("|") for f, g in zip(finals, self.groups))

    def codes(self):
        out = []
        for rs in self.resps:
            fin = [r.code for r in rs if r.final()]
            out.append(fin[0] if fin else (rs[-1].code if rs else "-"))
        return out

    def acks(self, request):
        """ACKs for the non-2xx finals to INVITEs, one per request."""
        out = []
        for rs in self.resps:
            for r in rs:
                if r.final() and not r.code.startswith("2") and \
                   (r.header("cseq") or "").upper().endswith("INVITE"):
                    out.append(ack_for(request, r))
                    break
        return out


def run_udp(a, case, nonce):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 0))
    host, port = a.to.rsplit(":", 1)
    dst = (host, int(port))
    msg = build(case, a, s.getsockname(), nonce)
    ex = Exchange(case, "udp", a.wait_ms / 1000.0, a.quiet_ms / 1000.0)
    s.sendto(msg, dst)
    while not ex.done(time.time()):
        rd, _, _ = select.select([s], [], [], 0.02)
        if rd:
            data, _ = s.recvfrom(65536)
            ex.add(Response(data))
    for ack in ex.acks(msg):
        s.sendto(ack, dst)
    s.close()
    return ex


def tls_context(ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    return ctx


def stream_read(s, st, until, want):
    """Responses off @s into @want(response) until @until or want() says done;
    False when the server closed the connection."""
    while time.time() < until:
        try:
            data = s.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            if want(None):
                return True
            continue
        except (OSError, ssl.SSLError):
            data = b""
        if not data:
            return False
        st.buf += data
        for m in st.messages():
            want(Response(m))
        if want(None):
            return True
    return True


PROBE = ("OPTIONS sip:{SBC} SIP/2.0\n"
         "Via: SIP/2.0/{TP} {ME};branch=z9hG4bK{N}\n"
         "Max-Forwards: 70\n"
         "From: <sip:2000@198.18.1.2>;tag=p{N}\n"
         "To: <sip:{SBC}>\n"
         "Call-ID: {WHAT}.{N}\n"
         "CSeq: 1 OPTIONS\n"
         "Content-Length: 0\n\n")


def run_stream(a, case, nonce):
    """@case on a new connection; then, unless the server closed it (or the
    message leaves a body pending), an OPTIONS on the same connection: its
    final status in ex.then ("closed" when the server closed the connection
    instead, "-" when it did neither)."""
    host, port = a.to.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=a.wait_ms / 1000.0,
                                 source_address=(a.bind, 0))
    if a.transport == "tls":
        s = tls_context(a.ca).wrap_socket(s)
    local = s.getsockname()[:2]
    msg = build(case, a, local, nonce)
    ex = Exchange(case, a.transport, a.wait_ms / 1000.0, a.quiet_ms / 1000.0)
    ex.then = None
    st = Stream()
    s.settimeout(0.02)
    try:
        s.sendall(msg)
        ex.closed = not stream_read(s, st, ex.final_deadline,
                                    lambda r: ex.add(r) if r else ex.done(time.time()))
        if not ex.closed:
            for ack in ex.acks(msg):
                s.sendall(ack)
        if case.stream_close and not ex.closed:
            # A framing error: the server ought to close; give it the quiet time.
            ex.closed = not stream_read(s, st, time.time() + a.quiet_ms / 1000.0,
                                        lambda r: False)
        elif case.stream_reuse and not ex.closed:
            finals = []
            tag = "then-" + case.name

            def then(r):
                if r is not None and r.final() and tag in (r.header("call-id", "i") or ""):
                    finals.append(r.code)
                return bool(finals)
            sub = substitutions(a, local, nonce + "t")
            sub["WHAT"] = tag
            s.sendall(render(PROBE, sub))
            ex.closed = not stream_read(s, st, time.time() + a.wait_ms / 1000.0, then)
            ex.then = finals[0] if finals else "closed" if ex.closed else "-"
    except (OSError, ssl.SSLError):
        ex.closed = True
    s.close()
    return ex


# A response header each status needs (RFC 3261 8.2.1, 8.2.2.3, 8.2.3).
NEEDS = {"405": ("allow",), "415": ("accept", "accept-encoding", "accept-language"),
         "420": ("unsupported",)}


def rfc3261_problems(resps):
    """What RFC 3261 8.2.6.2 and 8.2.1-8.2.3 want of a UAS's responses, missing.
    A 400 may leave out what it could not parse (or was not there)."""
    out = []
    for r in resps:
        copied = (("via", "v"),) if r.code == "400" else (
            ("from", "f"), ("to", "t"), ("call-id", "i"), ("cseq", "cseq"), ("via", "v"))
        missing = [h for h, short in copied if r.header(h, short) is None]
        to = r.header("to", "t") or ""
        if r.code not in ("100", "400") and "tag=" not in to.replace(" ", ""):
            missing.append("a To tag")
        need = NEEDS.get(r.code)
        if need and not any(r.header(h) is not None for h in need):
            missing.append(need[0].capitalize())
        if missing:
            out.append("%s without %s" % (r.code, ", ".join(missing)))
    return "; ".join(out) or None


def judge(case, t, ex):
    codes = ex.codes()
    ok = all(c in g.split("|") for c, g in zip(codes, ex.groups))
    resps = [r for rs in ex.resps for r in rs]
    problems = [p for p in (case.check(resps) if case.check else None,
                            rfc3261_problems(resps),
                            "the connection left open after a framing error"
                            if case.stream_close and t != "udp" and not ex.closed else None,
                            "the connection still open, but an OPTIONS on it after this gets "
                            "no answer" if getattr(ex, "then", None) == "-" else None)
                if p]
    problem = "; ".join(problems) or None
    if ok and problem is None:
        return "ok", None
    known = KNOWN_DEFECTS.get((case.name, transport_class(t)))
    if known and known[0] == observed(ex):
        return "KNOWN", problem
    return "FAIL", problem


def observed(ex):
    out = "+".join(ex.codes())
    if getattr(ex, "then", None) is not None:
        out += " then=" + ex.then
    return out


def probe(a, nonce):
    c = Case("probe", "-", PROBE.replace("{WHAT}", "probe"), "200", stream_reuse=False)
    ex = (run_udp if a.transport == "udp" else run_stream)(a, c, nonce)
    return ex.codes()[0]


def do_run(a):
    deadline = time.time() + a.timeout
    names = a.only.split(",") if a.only else [c.name for c in CASES]
    failed = known = 0
    for i, name in enumerate(names):
        case = CASE_BY_NAME[name]
        if time.time() >= deadline:
            print("torture: --timeout reached before %s" % name, flush=True)
            return 1
        nonce = "%s%02d%s%08x" % (a.transport, i, a.tag, random.getrandbits(32))
        try:
            ex = (run_udp if a.transport == "udp" else run_stream)(a, case, nonce)
        except (OSError, ssl.SSLError) as e:
            print("torture %s transport=%s reply=error(%s) expected=%s FAIL" % (
                name, a.transport, e, case.expect[transport_class(a.transport)]), flush=True)
            failed += 1
            continue
        verdict, problem = judge(case, a.transport, ex)
        failed += verdict == "FAIL"
        known += verdict == "KNOWN"
        line = "torture %s transport=%s reply=%s expected=%s %s" % (
            name, a.transport, "+".join(ex.codes()),
            case.expect[transport_class(a.transport)].replace(" ", ""), verdict)
        if a.transport != "udp":
            line += " closed=%s" % ("yes" if ex.closed else "no")
            if ex.then is not None:
                line += " then=%s" % ex.then
        if problem:
            line += " (%s)" % problem
        if verdict == "KNOWN":
            line += " [defect: %s]" % KNOWN_DEFECTS[(name, transport_class(a.transport))][1]
        print(line, flush=True)
    code = probe(a, "%sprobe%s%08x" % (a.transport, a.tag, random.getrandbits(32)))
    print("torture probe transport=%s reply=%s expected=200 %s" % (
        a.transport, code, "ok" if code == "200" else "FAIL"), flush=True)
    if code != "200":
        failed += 1
    return 1 if failed or (a.strict and known) else 0


# ---- the carrier's side ----

UNREASON = "486 = 2 * 3**5 ; occup\u00e9, \u5fd9\u3057\u3044 \u2234 \u00acfree"


def uas_reply(req, status_line):
    head = req.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    out = ["SIP/2.0 " + status_line]
    for h in head[1:]:
        name = h.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"):
            if name in ("to", "t") and "tag=" not in h and not status_line.startswith("100"):
                h += ";tag=carrier"
            out.append(h)
    out += ["Content-Length: 0", "", ""]
    return "\r\n".join(out).encode("utf-8")


def do_uas(a):
    host, port = a.bind.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, int(port)))
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    end = time.time() + a.seconds
    with open(a.log, "ab") as log:
        while time.time() < end:
            rd, _, _ = select.select([s], [], [], 0.2)
            if not rd:
                continue
            data, src = s.recvfrom(65536)
            if data.startswith(b"SIP/2.0 ") or not data.strip():
                continue
            log.write(data + b"\n----\n")
            log.flush()
            first = data.split(b"\r\n", 1)[0].decode("utf-8", "replace")
            method = first.split(" ", 1)[0]
            user = first.split(" ")[1].split("@")[0] if " " in first else ""
            if method == "INVITE":
                if user.endswith("noreason"):
                    replies = ["100 ", "486 "]
                elif user.endswith("unreason"):
                    replies = ["100 Trying", UNREASON]
                elif user.endswith("mfdec"):
                    # one hop fewer than the PBX's 5, or the B2BUA failed it
                    mf = [l.split(b":", 1)[1].strip() for l in data.split(b"\r\n")
                          if l.lower().startswith(b"max-forwards:")]
                    replies = ["100 Trying", "486 Busy Here" if mf == [b"4"] else
                               "500 Max-Forwards %s" % b",".join(mf).decode("ascii", "replace")]
                else:
                    replies = ["100 Trying", "486 Busy Here"]
            elif method in ("OPTIONS", "BYE", "CANCEL"):
                replies = ["200 OK"]
            else:
                replies = []
            for r in replies:
                s.sendto(uas_reply(data, r), src)
    return 0


def do_list(a):
    for c in CASES:
        e = c.expect
        exp = e["udp"] if e["udp"] == e["stream"] else "udp:%s stream:%s" % (e["udp"],
                                                                          e["stream"])
        print("%-15s %-9s %-24s %s" % (c.name, c.section, exp.replace(" ", ""), c.why))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["run", "uas", "list"])
    p.add_argument("--transport", choices=["udp", "tcp", "tls"], default="udp")
    p.add_argument("--to", metavar="ADDR:PORT")
    p.add_argument("--bind", metavar="ADDR (run) or ADDR:PORT (uas)")
    p.add_argument("--ca")
    p.add_argument("--only", help="comma-separated names (default: the whole set)")
    p.add_argument("--tag", default="", help="part of every Call-ID (tells runs apart)")
    p.add_argument("--strict", action="store_true", help="KNOWN outcomes fail too")
    p.add_argument("--wait-ms", type=int, default=1000)
    p.add_argument("--quiet-ms", type=int, default=300)
    p.add_argument("--log")
    p.add_argument("--ready", help="uas: a file written once it listens")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--timeout", type=float, default=60.0)
    a = p.parse_args()
    if a.mode == "list":
        return do_list(a)
    if not a.bind:
        p.error("--bind is needed")
    if not 0 < a.timeout <= 300 or not 0 < a.seconds <= 600 or \
       not 0 < a.quiet_ms <= a.wait_ms <= 10000:
        p.error("--timeout in (0, 300], --seconds in (0, 600], 0 < --quiet-ms <= --wait-ms "
                "<= 10000")
    if a.mode == "uas":
        if not a.log:
            p.error("uas needs --log")
        return do_uas(a)
    if not a.to:
        p.error("run needs --to")
    if a.transport == "tls" and not a.ca:
        p.error("--transport tls needs --ca")
    if a.only:
        bad = [n for n in a.only.split(",") if n not in CASE_BY_NAME]
        if bad:
            p.error("no message " + ",".join(bad))
    return do_run(a)


if __name__ == "__main__":
    sys.exit(main())

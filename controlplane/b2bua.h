/* SPDX-License-Identifier: BSD-3-Clause
 * The B2BUA: Sofia-SIP nua on one su_root loop, one nua per SIP interface,
 * calls relayed between a trunk of one side and a trunk of the other with
 * their media anchored in sbc-dataplane.
 *
 * A call is two nua handles, leg A (the caller's, incoming) and leg B (ours
 * toward the callee), and one data plane session per anchored m= line.
 * Nothing of one leg's SIP headers is copied to the other except the
 * Request-URI user part and the From/To user parts and display names: each
 * leg has nua's own Call-ID, tags, Via and Contact; SDP is rebuilt by
 * controlplane/sdp.h.
 *
 * Routing: the caller's trunk is the trunk on the receiving SIP interface
 * whose `sources` holds the packet's source address (none: 403).  Among
 * the trunks of the other side whose `targets` is not empty, the call goes
 * out on the first one whose first target's host (IP address or name, as
 * written in `targets`, an IPv6 address with its brackets; names compared
 * without regard to case) equals the INVITE's Request-URI host; when none
 * does, on the first of them (none at all: 404).  It goes to that trunk's
 * first target, over the trunk's transport (udp, tcp, or tls when that
 * interface serves TLS; 503 otherwise).
 *
 * What is served now: SIP over UDP and TCP on each interface's address,
 * IPv4 or IPv6 (when an interface lists udp and tcp on the same port both
 * are bound; otherwise only its first udp or tcp listener, with a warning),
 * and its first TLS listener (TLS 1.2 or later, material from the
 * listener's certificate/private_key/ca_file, controlplane/sip_tls.h);
 * early and late offer (INVITE without SDP: our template offer to B, our
 * offer to A in the 200, its answer in the ACK binds the media); 18x with
 * or without SDP (early media bound on the 18x, P-Early-Media relayed);
 * re-INVITE and UPDATE with or without SDP from either leg; CANCEL, BYE
 * from either side, error responses relayed, media timeouts from the data
 * plane ending the call, one CDR line per call (controlplane/cdr.h); the
 * operator socket sip.control_socket for sbcctl (calls, call ID, trunks;
 * one command per connection, 1 s bounds).
 *
 * Thread: everything runs on the thread that called sbc_b2bua_run(), except
 * sbc_b2bua_create()/sbc_b2bua_destroy(), which must run on that same thread
 * before and after it.  SIGINT and SIGTERM are blocked by sbc_b2bua_create()
 * in the calling thread and read through a signalfd on the loop, so call it
 * before starting any other thread.
 */
#ifndef SBC_B2BUA_H
#define SBC_B2BUA_H

#include "sbc_config.h"

struct sbc_b2bua;

/**
 * Build the B2BUA for @cfg (which must outlive it): connect to the data
 * plane at cfg->dataplane.api_socket (retried every 200 ms for up to
 * @dp_wait_ms), open the CDR file when cdr.enabled, create the su_root and
 * one nua per SIP interface bound to its address, and listen on
 * cfg->sip.control_socket (mode 0600).  Returns NULL with *@err set to
 * -errno: -ECONNREFUSED/-ENOENT/-ETIMEDOUT (no data plane), -EADDRINUSE
 * or -EADDRNOTAVAIL (a SIP interface could not be bound, the nua's reason
 * logged; or another process answers on the control socket), -ENOMEM, the
 * CDR file's open error, or the TLS material's error (sip_tls.h).
 */
struct sbc_b2bua *sbc_b2bua_create(const struct sbc_config *cfg, unsigned int dp_wait_ms,
				   int *err);

/**
 * Run the event loop until SIGINT, SIGTERM or sbc_b2bua_stop(); then end
 * every call (BYE or error response to each leg, data plane sessions
 * released, CDRs written) and shut the nua instances down (bounded by 5 s).
 * Returns 0, or -EPIPE when it stopped because the data plane connection
 * failed.
 */
int sbc_b2bua_run(struct sbc_b2bua *b);

/** Make sbc_b2bua_run() return after the current event.  Loop thread only. */
void sbc_b2bua_stop(struct sbc_b2bua *b);

/** Free everything; NULL is allowed.  Not while sbc_b2bua_run() runs. */
void sbc_b2bua_destroy(struct sbc_b2bua *b);

#endif /* SBC_B2BUA_H */

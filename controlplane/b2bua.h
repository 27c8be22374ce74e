/* SPDX-License-Identifier: BSD-3-Clause
 * The B2BUA: Sofia-SIP nua on one su_root loop, one nua per SIP interface,
 * calls relayed between a trunk of one side and a trunk of the other with
 * their media anchored in sbc-dataplane.
 *
 * A call is two nua handles, leg A (the caller's, incoming) and leg B (ours
 * toward the callee), and one data plane session per anchored m= line.
 * Nothing of one leg's SIP headers is copied to the other except what the
 * identity rules pass (leg_b.c): each leg has nua's own Call-ID, tags, Via
 * and Contact; SDP is rebuilt by controlplane/sdp.h.  Who may call is
 * admission.c's, where the call goes routing.h's; the rooms are listed in
 * b2bua_priv.h and docs/architecture.md walks a call through them.
 *
 * The loop never waits on the data plane: requests go out with a
 * continuation and a 2 s deadline (dplink.c), the operator socket
 * (sip.control_socket, for sbcctl) is non-blocking too.
 *
 * Thread: everything runs on the thread that called sbc_b2bua_run(), except
 * sbc_b2bua_create()/sbc_b2bua_destroy(), which must run on that same thread
 * before and after it.  SIGINT, SIGTERM and SIGHUP are blocked by
 * sbc_b2bua_create() in the calling thread and read through a signalfd on
 * the loop, so call it before starting any other thread.
 */
#ifndef SBC_B2BUA_H
#define SBC_B2BUA_H

#include "sbc_config.h"

struct sbc_b2bua;

/**
 * Build the B2BUA for @cfg (which must outlive it): check the API's size
 * table (sbc_api_selfcheck(): -EPROTO when the build is inconsistent),
 * connect to the data
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
 * Run the event loop until SIGINT or SIGTERM; then end
 * every call (BYE or error response to each leg, data plane sessions
 * released, CDRs written) and shut the nua instances down (bounded by 5 s).
 * Returns 0, or -EPIPE when it stopped because the data plane connection
 * failed.
 */
int sbc_b2bua_run(struct sbc_b2bua *b);

/** Free everything; NULL is allowed.  Not while sbc_b2bua_run() runs. */
void sbc_b2bua_destroy(struct sbc_b2bua *b);

#endif /* SBC_B2BUA_H */

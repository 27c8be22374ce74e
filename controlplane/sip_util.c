/* SPDX-License-Identifier: BSD-3-Clause
 * Small helpers over Sofia's parsed messages and clocks, shared by the
 * B2BUA's rooms (b2bua_priv.h).  Thread: the su_root thread.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "b2bua_priv.h"

#include <sofia-sip/msg_addr.h>

uint64_t b2b_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t b2b_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t b2b_random_sess_id(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = b2b_wall_ms() ^ ((uint64_t)getpid() << 32);
	return v >> 1;
}

const char *b2b_hdr_value(const sip_t *sip, const char *name)
{
	const sip_unknown_t *u;

	for (u = sip != NULL ? sip->sip_unknown : NULL; u != NULL; u = u->un_next)
		if (u->un_name != NULL && strcasecmp(u->un_name, name) == 0)
			return u->un_value;
	return NULL;
}

bool b2b_has_sdp(const sip_t *sip)
{
	return sip != NULL && sip->sip_payload != NULL && sip->sip_payload->pl_len > 0;
}

/*
 * nua_respond() keeps the phrase pointer until its queued signal runs,
 * after the event that carried the peer's phrase is freed, so only static
 * strings may be passed: the standard phrase, or one per class.
 */
const char *b2b_relay_phrase(int status)
{
	const char *p = sip_status_phrase(status);

	if (p != NULL)
		return p;
	if (status < 200)
		return "Session Progress";
	if (status < 300)
		return "OK";
	if (status < 400)
		return "Redirection";
	if (status < 500)
		return "Request Failure";
	if (status < 600)
		return "Server Failure";
	return "Global Failure";
}

void b2b_leg_sdp_respond(const struct b2b_leg *l, int status, const char *phrase,
			 const char *body)
{
	nua_respond(l->nh, status, phrase,
		    TAG_IF(l->contact[0] != '\0', SIPTAG_CONTACT_STR(l->contact)),
		    TAG_IF(body != NULL, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		    TAG_IF(body != NULL, SIPTAG_PAYLOAD_STR(body)),
		    TAG_END());
}

enum sbc_transport b2b_via_transport(const sip_t *sip)
{
	const char *p = sip->sip_via != NULL ? sip->sip_via->v_protocol : NULL;

	if (p != NULL && strcasecmp(p, "SIP/2.0/TLS") == 0)
		return SBC_TRANSPORT_TLS;
	if (p != NULL && strcasecmp(p, "SIP/2.0/TCP") == 0)
		return SBC_TRANSPORT_TCP;
	return SBC_TRANSPORT_UDP;
}

/* Sofia prints a parsed URL back in the form it was read. */
bool b2b_request_uri_str(const sip_t *sip, char *buf, size_t size)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *u = sip->sip_request != NULL ? url_as_string(home, sip->sip_request->rq_url) : NULL;
	bool ok = u != NULL && strlen(u) < size;

	if (ok)
		memcpy(buf, u, strlen(u) + 1);
	su_home_deinit(home);
	return ok;
}

int b2b_request_source(nua_t *nua, struct sbc_ip *ip)
{
	su_addrinfo_t *ai = msg_addrinfo(nua_current_request(nua));
	const su_sockaddr_t *sa = ai != NULL ? (const su_sockaddr_t *)ai->ai_addr : NULL;

	memset(ip, 0, sizeof(*ip));
	if (sa != NULL && sa->su_family == AF_INET) {
		ip->family = 4;
		memcpy(ip->bytes, &sa->su_sin.sin_addr, 4);
		return 0;
	}
	if (sa != NULL && sa->su_family == AF_INET6) {
		ip->family = 6;
		memcpy(ip->bytes, &sa->su_sin6.sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

struct b2b_reject b2b_reject(int status, const char *disposition, const char *warning)
{
	return (struct b2b_reject){
		.status = status,
		.phrase = b2b_relay_phrase(status),
		.disposition = disposition,
		.warning = warning,
	};
}

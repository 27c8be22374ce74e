/* SPDX-License-Identifier: BSD-3-Clause
 * Shared by the SRTP test programs: EAL without hugepages, one crypto
 * device with a cryptodev engine and a libsrtp2 engine, a packet pool, and
 * helpers to move packet bytes in and out of mbufs.
 */
#ifndef SBC_TEST_SRTP_H
#define SBC_TEST_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "srtp.h"

struct st_env {
	int dev_id;
	const char *driver;                 /* the cryptodev driver in use */
	struct sbc_srtp *engine[2];  /* [0] cryptodev, [1] libsrtp2 */
	struct rte_mempool *mp;
	bool eal_up;
};

#define ST_CDEV 0
#define ST_LIB  1

/* EAL (no hugepages, own --file-prefix), crypto device (crypto_aesni_mb,
 * else crypto_openssl: printed; SBC_SRTP_CRYPTODEV names another), both engines for max_ctx contexts each and
 * a pool of n_mbufs.  Returns 0 or prints why not and returns -1. */
int st_setup(struct st_env *env, const char *prog, uint32_t max_ctx, unsigned int n_mbufs);

/* Undo st_setup() and remove the EAL runtime directory. */
void st_teardown(struct st_env *env);

/* An mbuf holding `len` bytes at offset `off` (the bytes before it are
 * 0xee, standing for the L2-L4 headers; l2_len = off). */
struct rte_mbuf *st_mbuf(struct rte_mempool *mp, const uint8_t *bytes, uint32_t len,
			 uint16_t off);

/* The packet's bytes (after its offset) and their length. */
const uint8_t *st_bytes(const struct rte_mbuf *m, uint32_t *len);

/* Deterministic random numbers (xorshift64*). */
uint64_t st_rand(uint64_t *state);

/* Build an RTP packet: 12-byte header, `cc` CSRCs, optional extension of
 * `ext_words` words, payload from `seed`.  Returns its length. */
uint32_t st_rtp(uint8_t *buf, uint16_t seq, uint32_t ts, uint32_t ssrc, uint8_t cc,
		int ext_words, uint32_t payload_len, uint64_t seed);

/* Build an RTCP packet (SR-like header, sender SSRC, `words` more words from
 * `seed`).  Returns its length. */
uint32_t st_rtcp(uint8_t *buf, uint32_t ssrc, uint32_t words, uint64_t seed);

#endif /* SBC_TEST_SRTP_H */

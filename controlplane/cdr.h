/* SPDX-License-Identifier: BSD-3-Clause
 * Call detail records: one JSON object per line, appended to cdr.path.
 *
 * Line format (keys always present, in this order):
 *   {"call":N,"call_id_a":"...","call_id_b":"...","trunk_a":"...","trunk_b":"...",
 *    "start":"2026-01-02T03:04:05.678Z","answer":"...|null","end":"...",
 *    "duration_ms":N,"disposition":"answered|cancelled|failed|rejected|
 *    media-timeout|shutdown","sip_cause":N,"ended_by":"a|b|sbc",
 *    "legs":{"a":{"packets":N,"bytes":N,"lost":N,"jitter_us":N},"b":{...}},
 *    "transfer":null|{"leg":"a|b","call_id":"...","trunk":"..."}}
 * "call" is the number the control plane's log lines give the call ("call
 * N: ..."), so the two can be joined.  call_id_b is ours (made when B's
 * INVITE is built), so it is known for every call that reached B.
 * Leg a is the caller's side; its counters are what the data plane
 * accepted from that side.  After a transfer made by the B2BUA (REFER,
 * trunks[].refer: local) the legs are those the call ended with and
 * "transfer" names the leg that was replaced: its place, Call-ID and trunk.
 * Each line goes out in one write(2) on a file
 * opened O_APPEND, so concurrent writers never interleave a line.
 *
 * Thread: one struct sbc_cdr belongs to one thread.
 */
#ifndef SBC_CDR_H
#define SBC_CDR_H

#include <stddef.h>
#include <stdint.h>

struct sbc_cdr;

struct sbc_cdr_leg {
	uint64_t packets;
	uint64_t bytes;
	uint32_t lost;
	uint32_t jitter_us;
};

struct sbc_cdr_record {
	uint32_t call_no;             /* the log's "call N" */
	const char *call_id_a;        /* "" when unknown */
	const char *call_id_b;
	const char *trunk_a;
	const char *trunk_b;
	uint64_t start_ms;            /* wall clock, ms since the epoch */
	uint64_t answer_ms;           /* 0 = never answered */
	uint64_t end_ms;
	const char *disposition;
	int sip_cause;                /* final status given to leg A, 200 when answered */
	const char *ended_by;         /* "a", "b" or "sbc" */
	struct sbc_cdr_leg leg[2];    /* [0] = A, [1] = B */
	const char *transfer_leg;     /* "a" or "b": the leg a transfer replaced; NULL = none */
	const char *transfer_call_id; /* ... its Call-ID */
	const char *transfer_trunk;   /* ... its trunk */
};

/** Open (create, append) @path.  Returns NULL with *@err = -errno. */
struct sbc_cdr *sbc_cdr_open(const char *path, int *err);

/**
 * Format @r as one JSON line into @buf (@size bytes, NUL-terminated).
 * Strings are escaped per RFC 8259.  Returns the length, or -ENOSPC.
 */
int sbc_cdr_format(const struct sbc_cdr_record *r, char *buf, size_t size);

/** Append one line.  Returns 0 or -errno. */
int sbc_cdr_write(struct sbc_cdr *c, const struct sbc_cdr_record *r);

/** Close; NULL is allowed. */
void sbc_cdr_close(struct sbc_cdr *c);

/**
 * Open the path again (SIGUSR1, after logrotate renamed the file): later
 * records go to a new file there.  On error (-errno) the old file stays
 * in use.
 */
int sbc_cdr_reopen(struct sbc_cdr *c);

#endif /* SBC_CDR_H */

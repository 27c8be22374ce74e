/* SPDX-License-Identifier: BSD-3-Clause
 * The call journal: what a restarted sbc-controlplane needs to take over
 * the answered calls of one that died (kill -9, a crash), while their
 * media goes on in the data plane.
 *
 * Status: the record format and the file are done and tested; the B2BUA
 * does not write or replay it yet (adopting calls from it is the open
 * part of issue 18).  The design it serves: a record per call written
 * before our 200 goes to the caller; on start, each live record becomes a
 * call with no nua handles whose BYE from either peer is answered before
 * Sofia sees it (the pre-filter hook) and whose BYE to a peer is sent
 * with nua_method() from the dialog kept here; data plane sessions no
 * record owns are released after a grace period.
 *
 * One text line per record, appended with one write(2) each to a file
 * opened O_APPEND, mode 0600:
 *
 *   RJ1 up KEY name=value ...     a call answered (written before our 200
 *                                 goes to the caller), or its dialog state
 *                                 changed (the later line wins)
 *   RJ1 end KEY                   the call ended
 *
 * Values are percent-encoded (every byte outside '!'..'~', and '%').  A
 * record that does not parse, or whose values do not fit, is skipped and
 * counted, never fatal.  No SRTP key is ever written: an adopted SRTP
 * call keeps its media (the data plane holds its contexts) until it ends
 * or the data plane goes.
 *
 * A write(2) that returned is in the kernel's page cache: it survives the
 * process, not a power cut (the journal is for process faults; a host
 * that reboots has lost the data plane's sessions too).
 *
 * Plain C, no Sofia-SIP (tests/unit/test_journal.c, tests/fuzz/fuzz_journal.c).
 */
#ifndef SBC_JOURNAL_H
#define SBC_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SBC_JOURNAL_KEY_MAX    40
#define SBC_JOURNAL_NAME_MAX   64
#define SBC_JOURNAL_CALLID_MAX 128
#define SBC_JOURNAL_URI_MAX    512
#define SBC_JOURNAL_ROUTE_MAX  1024
#define SBC_JOURNAL_MEDIA_MAX  8
#define SBC_JOURNAL_LINE_MAX   8192   /* longer lines are refused */

/* One leg's dialog: enough to send it a BYE and to know its requests. */
struct sbc_journal_leg {
	char iface[SBC_JOURNAL_NAME_MAX];     /* SIP interface name */
	char trunk[SBC_JOURNAL_NAME_MAX];     /* trunk name; "" = none */
	char call_id[SBC_JOURNAL_CALLID_MAX];
	char local[SBC_JOURNAL_URI_MAX];      /* our From toward it: "<uri>;tag=..." */
	char remote[SBC_JOURNAL_URI_MAX];     /* its To: "<uri>;tag=..." */
	char target[SBC_JOURNAL_URI_MAX];     /* its remote target (Contact URI) */
	char route[SBC_JOURNAL_ROUTE_MAX];    /* route set toward it, "<a>,<b>"; "" = none */
	uint32_t cseq;                        /* highest CSeq we used toward it */
	bool tls;
};

struct sbc_journal_call {
	char key[SBC_JOURNAL_KEY_MAX];
	uint32_t no;                          /* call number in the old process's logs */
	uint64_t start_ms, answer_ms;         /* wall clock, ms since the epoch */
	char tenant[SBC_JOURNAL_NAME_MAX];    /* "" = none */
	bool emergency;
	struct sbc_journal_leg leg[2];        /* [0] = A (caller), [1] = B */
	uint32_t n_media;                     /* m= lines */
	uint32_t session[SBC_JOURNAL_MEDIA_MAX]; /* data plane session per line; 0 = none */
};

enum sbc_journal_kind {
	SBC_JOURNAL_BAD = -1,
	SBC_JOURNAL_UP = 1,
	SBC_JOURNAL_END = 2,
};

/** The "up" line of @c, '\n' included, into @out; its length, 0 if it does not fit. */
size_t sbc_journal_format_up(const struct sbc_journal_call *c, char *out, size_t size);

/** The "end" line of @key into @out; its length, 0 if it does not fit. */
size_t sbc_journal_format_end(const char *key, char *out, size_t size);

/**
 * Parse one line (@len bytes, no '\n' needed; need not be NUL-terminated).
 * UP fills *@c; END fills c->key only.  BAD for anything else.
 */
enum sbc_journal_kind sbc_journal_parse(const char *line, size_t len, struct sbc_journal_call *c);

struct sbc_journal_load {
	uint32_t lines;        /* records read */
	uint32_t bad;          /* ... of which refused */
	uint32_t live;         /* calls not ended: handed to the callback */
};

/**
 * Read the journal at @path (absent: nothing, 0), and hand each call it
 * holds that has not ended, its latest "up" record, to @cb; then rewrite
 * the file with only those calls (a new file renamed over it, 0600).
 * Returns 0 or -errno (the file could not be read or rewritten).
 */
int sbc_journal_replay(const char *path, void (*cb)(void *arg, const struct sbc_journal_call *c),
		       void *arg, struct sbc_journal_load *st);

/** Open @path for appending (created 0600; its directory 0700 if missing); fd or -errno. */
int sbc_journal_open(const char *path);

/** Append @len bytes in one write(2); 0 or -errno (short writes are errors). */
int sbc_journal_append(int fd, const char *rec, size_t len);

/*
 * Compaction while running: sbc_journal_rewrite_begin() creates
 * "@path.new" (0600, fd returned or -errno), the caller appends the live
 * calls' "up" lines to it, sbc_journal_rewrite_commit() renames it over
 * @path (0 or -errno; on failure the new file is removed and @path is as
 * it was).  The caller then opens @path again.
 */
int sbc_journal_rewrite_begin(const char *path);
int sbc_journal_rewrite_commit(const char *path, int fd, bool ok);

#endif /* SBC_JOURNAL_H */

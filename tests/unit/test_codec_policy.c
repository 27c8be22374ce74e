/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/codec_policy.c and the codec table
 * (common/sbc_codec.h): a trunk without codecs passes what is offered, one
 * list alone is used as it is, two lists are intersected in the order of
 * the leg's own trunk, and two trunks sharing no audio codec are refused
 * with a reason naming both.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cunit_run.h"

#include "codec_policy.h"
#include "sbc_codec.h"
#include "sbc_config.h"

static const uint32_t pbx[] = { SBC_CODEC_PCMA, SBC_CODEC_G729, SBC_CODEC_PCMU,
				SBC_CODEC_TELEPHONE_EVENT };
static const uint32_t carrier[] = { SBC_CODEC_PCMU, SBC_CODEC_PCMA,
				    SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_CN };

/* "PCMA PCMU telephone-event": the policy's codecs by name. */
static const char *names(const struct sbc_codec_policy *p)
{
	static char buf[256];
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < p->n_codecs; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? " " : "",
					 sbc_codec_name(p->codecs[i]));
	return buf;
}

static void test_codec_table(void)
{
	const struct sbc_codec_info *ci;

	/* The values configs and the B2BUA store. */
	CU_ASSERT_EQUAL(SBC_CODEC_PCMU, 0);
	CU_ASSERT_EQUAL(SBC_CODEC_T38, 6);
	CU_ASSERT_EQUAL(SBC_CODEC__COUNT, 7);
	CU_ASSERT_STRING_EQUAL(sbc_codec_name(SBC_CODEC_PCMA), "PCMA");
	CU_ASSERT_STRING_EQUAL(sbc_codec_name(SBC_CODEC_TELEPHONE_EVENT), "telephone-event");
	CU_ASSERT_STRING_EQUAL(sbc_codec_name(SBC_CODEC_T38), "T38");
	CU_ASSERT_STRING_EQUAL(sbc_codec_name(SBC_CODEC__COUNT), "?");
	CU_ASSERT_PTR_NULL(sbc_codec_info(SBC_CODEC__COUNT));
	CU_ASSERT_PTR_NULL(sbc_codec_info(UINT32_MAX));
	ci = sbc_codec_info(SBC_CODEC_G729);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ci);
	CU_ASSERT_EQUAL(ci->static_pt, 18);
	CU_ASSERT_EQUAL(ci->clock, 8000);
	CU_ASSERT_EQUAL(ci->channels, 1);
	CU_ASSERT_EQUAL(sbc_codec_info(SBC_CODEC_G722)->static_pt, 9);
	CU_ASSERT_EQUAL(sbc_codec_info(SBC_CODEC_CN)->static_pt, 13);
	CU_ASSERT_EQUAL(sbc_codec_info(SBC_CODEC_TELEPHONE_EVENT)->static_pt, -1);
	CU_ASSERT_TRUE(sbc_codec_is_kind(SBC_CODEC_G722, SBC_CODEC_KIND_AUDIO));
	CU_ASSERT_TRUE(sbc_codec_is_kind(SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_KIND_EVENT));
	CU_ASSERT_TRUE(sbc_codec_is_kind(SBC_CODEC_CN, SBC_CODEC_KIND_CN));
	CU_ASSERT_TRUE(sbc_codec_is_kind(SBC_CODEC_T38, SBC_CODEC_KIND_IMAGE));
	CU_ASSERT_FALSE(sbc_codec_is_kind(SBC_CODEC_T38, SBC_CODEC_KIND_AUDIO));
	CU_ASSERT_FALSE(sbc_codec_is_kind(99, SBC_CODEC_KIND_AUDIO));
}

/* Neither trunk filters: everything passes (today's bug: nothing did). */
static void test_both_empty(void)
{
	struct sbc_codec_policy p;
	char why[128] = "stale";

	memset(&p, 0xa5, sizeof(p));
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(NULL, 0, "pbx", NULL, 0, "carrier", &p, why,
						   sizeof(why)), 0);
	CU_ASSERT_TRUE(p.any);
	CU_ASSERT_EQUAL(p.n_codecs, 0);
	CU_ASSERT_STRING_EQUAL(why, "");
}

/* One trunk filters: its list, whichever side it is on. */
static void test_one_empty(void)
{
	struct sbc_codec_policy p;
	char why[128];

	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(pbx, 4, "pbx", NULL, 0, "carrier", &p, why,
						   sizeof(why)), 0);
	CU_ASSERT_FALSE(p.any);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMA G729 PCMU telephone-event");

	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(NULL, 0, "carrier", pbx, 4, "pbx", &p, why,
						   sizeof(why)), 0);
	CU_ASSERT_FALSE(p.any);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMA G729 PCMU telephone-event");
	CU_ASSERT_STRING_EQUAL(why, "");

	/* A lone list without audio is passed on: the SDP builders reject the line. */
	{
		static const uint32_t te_only[] = { SBC_CODEC_TELEPHONE_EVENT };

		CU_ASSERT_EQUAL(sbc_codec_policy_intersect(te_only, 1, "x", NULL, 0, "y", &p,
							   NULL, 0), 0);
		CU_ASSERT_STRING_EQUAL(names(&p), "telephone-event");
	}
}

/* Both filter: @mine's order, only what @other lists too. */
static void test_order_follows_mine(void)
{
	struct sbc_codec_policy p;

	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(pbx, 4, "pbx", carrier, 4, "carrier", &p,
						   NULL, 0), 0);
	CU_ASSERT_FALSE(p.any);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMA PCMU telephone-event");
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(carrier, 4, "carrier", pbx, 4, "pbx", &p,
						   NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMU PCMA telephone-event");
}

static void test_disjoint(void)
{
	static const uint32_t g729[] = { SBC_CODEC_G729 };
	static const uint32_t g711[] = { SBC_CODEC_PCMU, SBC_CODEC_PCMA };
	struct sbc_codec_policy p;
	char why[128];

	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(g729, 1, "pbx", g711, 2, "carrier", &p, why,
						   sizeof(why)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(why, "trunks pbx and carrier share no codec");
	CU_ASSERT_FALSE(p.any);
	CU_ASSERT_EQUAL(p.n_codecs, 0);
	/* No room for a reason: still refused, nothing written past @why. */
	why[0] = 'x';
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(g729, 1, "pbx", g711, 2, "carrier", &p, why,
						   1), -ENOENT);
	CU_ASSERT_EQUAL(why[0], '\0');
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(g729, 1, "pbx", g711, 2, "carrier", &p, NULL,
						   0), -ENOENT);
}

/* Events and comfort noise carry no call: sharing only them is sharing nothing. */
static void test_events_only_overlap(void)
{
	static const uint32_t a[] = { SBC_CODEC_G729, SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_CN };
	static const uint32_t b[] = { SBC_CODEC_PCMA, SBC_CODEC_CN, SBC_CODEC_TELEPHONE_EVENT,
				      SBC_CODEC_T38 };
	static const uint32_t c[] = { SBC_CODEC_T38, SBC_CODEC_PCMA };
	struct sbc_codec_policy p;
	char why[128];

	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(a, 3, "pbx", b, 4, "carrier", &p, why,
						   sizeof(why)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(why, "trunks pbx and carrier share no audio codec "
			       "(only telephone-event, CN or T38)");
	CU_ASSERT_EQUAL(p.n_codecs, 0);
	CU_ASSERT_FALSE(p.any);
	/* T38 alone neither: a call starts with audio. */
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(b, 4, "x", c, 1, "y", &p, why,
						   sizeof(why)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "trunks x and y share no audio codec"));
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(b, 4, "x", c, 2, "y", &p, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMA T38");
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(c, 2, "y", b, 4, "x", &p, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(names(&p), "T38 PCMA");
}

static void test_odd_lists(void)
{
	static const uint32_t dup[] = { SBC_CODEC_PCMU, 99, SBC_CODEC_PCMU, SBC_CODEC_PCMA,
					SBC_CODEC__COUNT, SBC_CODEC_PCMA };
	uint32_t many[40];
	struct sbc_codec_policy p;

	/* Unknown values are not trusted, repeats count once. */
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(dup, 6, "a", NULL, 0, "b", &p, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMU PCMA");
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(dup, 6, "a", dup, 6, "b", &p, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMU PCMA");
	/* Never more than SBC_CODEC_POLICY_MAX (here at most the known codecs). */
	for (uint32_t i = 0; i < 40; i++)
		many[i] = i % SBC_CODEC__COUNT;
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(many, 40, "a", many, 40, "b", &p, NULL, 0), 0);
	CU_ASSERT_EQUAL(p.n_codecs, SBC_CODEC__COUNT);
	CU_ASSERT(p.n_codecs <= SBC_CODEC_POLICY_MAX);
	/* Names may be absent. */
	{
		static const uint32_t g729[] = { SBC_CODEC_G729 };
		char why[64];

		CU_ASSERT_EQUAL(sbc_codec_policy_intersect(g729, 1, NULL, dup, 6, NULL, &p, why,
							   sizeof(why)), -ENOENT);
		CU_ASSERT_STRING_EQUAL(why, "trunks ? and ? share no codec");
	}
	/* Bad arguments. */
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(pbx, 4, "a", carrier, 4, "b", NULL, NULL, 0),
			-EINVAL);
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(NULL, 2, "a", carrier, 4, "b", &p, NULL, 0),
			-EINVAL);
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(pbx, 4, "a", NULL, 1, "b", &p, NULL, 0),
			-EINVAL);
	CU_ASSERT_FALSE(p.any);
	CU_ASSERT_EQUAL(p.n_codecs, 0);
}

/* The example file: the pbx trunk lists no codecs, so both legs get the carrier's. */
static void test_config_trunks(void)
{
	struct sbc_config_errors errs;
	struct sbc_config *cfg;
	const struct sbc_cfg_trunk *c, *e;
	struct sbc_codec_policy p;

	if (sbc_config_load(SBC_SOURCE_ROOT "/config/enterprise-carrier.yaml", &cfg, &errs) != 0)
		sbc_config_errors_print(&errs, stderr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	c = sbc_config_trunk(cfg, "carrier");
	e = sbc_config_trunk(cfg, "pbx");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->n_codecs, 0);
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(c->codecs, c->n_codecs, c->name, e->codecs,
						   e->n_codecs, e->name, &p, NULL, 0), 0);
	CU_ASSERT_FALSE(p.any);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMU PCMA telephone-event");
	CU_ASSERT_EQUAL(sbc_codec_policy_intersect(e->codecs, e->n_codecs, e->name, c->codecs,
						   c->n_codecs, c->name, &p, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(names(&p), "PCMU PCMA telephone-event");
	sbc_config_free(cfg);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "codec table", test_codec_table },
		{ "both lists empty: any", test_both_empty },
		{ "one list empty: the other's", test_one_empty },
		{ "order follows mine", test_order_follows_mine },
		{ "disjoint: -ENOENT naming both trunks", test_disjoint },
		{ "telephone-event/CN-only overlap is disjoint", test_events_only_overlap },
		{ "unknown values, repeats, bounds, arguments", test_odd_lists },
		{ "example config trunks", test_config_trunks },
	};

	return SBC_TEST_RUN("codec_policy", tests);
}

/* SPDX-License-Identifier: BSD-3-Clause
 * Codec policy of a call (see codec_policy.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec_policy.h"
#include "sbc_codec.h"

static bool policy_has(const struct sbc_codec_policy *p, uint32_t codec)
{
	uint32_t i;

	for (i = 0; i < p->n_codecs; i++)
		if (p->codecs[i] == codec)
			return true;
	return false;
}

static bool list_has(const uint32_t *list, uint32_t n, uint32_t codec)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (list[i] == codec)
			return true;
	return false;
}

/* @mine in its order, known codecs once each, those @other lists when it is not NULL. */
static void policy_fill(struct sbc_codec_policy *out, const uint32_t *mine,
			uint32_t n_mine, const uint32_t *other, uint32_t n_other)
{
	uint32_t i;

	for (i = 0; i < n_mine && out->n_codecs < SBC_CODEC_POLICY_MAX; i++) {
		if (sbc_codec_info(mine[i]) == NULL || policy_has(out, mine[i]))
			continue;
		if (other != NULL && !list_has(other, n_other, mine[i]))
			continue;
		out->codecs[out->n_codecs++] = mine[i];
	}
}

static bool policy_has_audio(const struct sbc_codec_policy *p)
{
	uint32_t i;

	for (i = 0; i < p->n_codecs; i++)
		if (sbc_codec_is_kind(p->codecs[i], SBC_CODEC_KIND_AUDIO))
			return true;
	return false;
}

int sbc_codec_policy_intersect(const uint32_t *mine, uint32_t n_mine, const char *mine_name,
			       const uint32_t *other, uint32_t n_other, const char *other_name,
			       struct sbc_codec_policy *out, char *why, size_t why_size)
{
	if (why != NULL && why_size > 0)
		why[0] = '\0';
	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if ((n_mine != 0 && mine == NULL) || (n_other != 0 && other == NULL))
		return -EINVAL;
	if (n_mine == 0 && n_other == 0) {
		out->any = true;
		return 0;
	}
	if (n_mine == 0) {
		policy_fill(out, other, n_other, NULL, 0);
		return 0;
	}
	if (n_other == 0) {
		policy_fill(out, mine, n_mine, NULL, 0);
		return 0;
	}
	policy_fill(out, mine, n_mine, other, n_other);
	if (policy_has_audio(out))
		return 0;
	if (why != NULL && why_size > 0)
		snprintf(why, why_size, "trunks %s and %s share no %s",
			 mine_name != NULL ? mine_name : "?", other_name != NULL ? other_name : "?",
			 out->n_codecs > 0 ? "audio codec (only telephone-event, CN or T38)" :
					     "codec");
	memset(out, 0, sizeof(*out));
	return -ENOENT;
}

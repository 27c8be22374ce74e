/* SPDX-License-Identifier: BSD-3-Clause
 * Codec policy of a call: what the codec lists of the call's two trunks
 * (trunks[].codecs) allow toward each leg.  A trunk without a list has no
 * filter ("pass what is offered", docs/configuration.md); two trunks that
 * both filter are intersected.
 *
 * Sofia-free (policy library): the B2BUA turns the result into its
 * struct sbc_sdp_policy (codecs/n_codecs, or any_codec when .any).
 *
 * Threads: no state; any thread.
 */
#ifndef SBC_CODEC_POLICY_H
#define SBC_CODEC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SBC_CODEC_POLICY_MAX 16

struct sbc_codec_policy {
	uint32_t codecs[SBC_CODEC_POLICY_MAX];  /* enum sbc_codec, preference order; unused when any */
	uint32_t n_codecs;
	bool any;                                /* no filter: every payload type offered passes */
};

/*
 * What may be sent to a leg on trunk @mine when the call's other leg is on @other:
 * both lists empty -> any; one empty -> the other's list; both set -> the codecs of
 * @mine, in its order, that @other lists too. Returns 0, or -ENOENT when both are set
 * and share no audio codec (telephone-event/CN alone do not count), with a one-line
 * human reason in @why (e.g. "trunks pbx and carrier share no codec") when @why != NULL.
 *
 * Details: the lists hold enum sbc_codec values (sbc_cfg_trunk.codecs);
 * values that are not a known codec and repeats are skipped, and at most
 * SBC_CODEC_POLICY_MAX codecs are kept.  T38 alone does not count as shared
 * either (a call starts with audio).  A single list without any audio
 * codec is passed on as it is (0): the SDP builders then reject the audio
 * line.  @mine_name and @other_name (trunk names, may be NULL) only appear
 * in @why: "trunks A and B share no codec", or "... share no audio codec
 * (only telephone-event, CN or T38)" when they do share one of those; @why
 * is "" on success.  -EINVAL when @out is NULL or a list with a count has
 * no pointer.  @out, when not NULL, is always written (empty on error).
 */
int sbc_codec_policy_intersect(const uint32_t *mine, uint32_t n_mine, const char *mine_name,
			       const uint32_t *other, uint32_t n_other, const char *other_name,
			       struct sbc_codec_policy *out, char *why, size_t why_size);

#endif /* SBC_CODEC_POLICY_H */

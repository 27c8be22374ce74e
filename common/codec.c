/* SPDX-License-Identifier: BSD-3-Clause
 * The codec table (see sbc_codec.h), generated from SBC_CODECS.
 */
#include <stddef.h>

#include "sbc_codec.h"

static const struct sbc_codec_info codec_table[SBC_CODEC__COUNT] = {
#define SBC_X_CODEC_ROW(e, nm, clk, ch, spt, knd) \
	[SBC_CODEC_##e] = { .name = (nm), .clock = (clk), .channels = (ch), \
			    .static_pt = (spt), .kind = SBC_CODEC_KIND_##knd },
	SBC_CODECS(SBC_X_CODEC_ROW)
#undef SBC_X_CODEC_ROW
};

const struct sbc_codec_info *sbc_codec_info(uint32_t codec)
{
	return codec < SBC_CODEC__COUNT ? &codec_table[codec] : NULL;
}

const char *sbc_codec_name(uint32_t codec)
{
	return codec < SBC_CODEC__COUNT ? codec_table[codec].name : "?";
}

bool sbc_codec_is_kind(uint32_t codec, enum sbc_codec_kind kind)
{
	return codec < SBC_CODEC__COUNT && codec_table[codec].kind == (uint8_t)kind;
}

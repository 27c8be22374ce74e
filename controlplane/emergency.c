/* SPDX-License-Identifier: BSD-3-Clause
 * Emergency call recognition (emergency.h).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "emergency.h"
#include "identity.h"

const char *sbc_emergency_match_user(const struct sbc_cfg_emergency *em, const char *user)
{
	struct sbc_id_number n;

	if (em == NULL || user == NULL || sbc_identity_parse_user(user, &n) != 0)
		return NULL;
	for (uint32_t i = 0; i < em->n_numbers; i++)
		if (strcmp(n.number, em->numbers[i]) == 0)
			return em->numbers[i];
	return NULL;
}

/* RFC 5031: "urn:service:sos" or a sub-service "urn:service:sos.<label>". */
static bool is_sos_urn(const char *uri)
{
	static const char sos[] = "urn:service:sos";
	const size_t n = sizeof(sos) - 1;
	const char *p;

	if (strncasecmp(uri, sos, n) != 0)
		return false;
	if (uri[n] == '\0')
		return true;
	if (uri[n] != '.' || uri[n + 1] == '\0')
		return false;
	for (p = uri + n + 1; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return false;
	return true;
}

const char *sbc_emergency_match_uri(const struct sbc_cfg_emergency *em, const char *uri)
{
	char user[SBC_ID_USER_MAX + 1];

	if (em == NULL || uri == NULL)
		return NULL;
	if (is_sos_urn(uri))
		return SBC_EMERGENCY_SOS_URN;
	if (sbc_identity_uri_user(uri, user, sizeof(user)) != 0)
		return NULL;
	return sbc_emergency_match_user(em, user);
}

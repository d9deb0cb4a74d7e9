/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "stompest-types.h"

/**
 * stompest_version_to_string:
 * @version: a STOMP version
 *
 * Gives the version as it is written on the wire, in `accept-version` and
 * `version` headers.
 *
 * Returns: (transfer none): `"1.0"`, `"1.1"` or `"1.2"`
 *
 * Since: 0.1
 */
const char *
stompest_version_to_string (StompestVersion version)
{
  switch (version)
    {
    case STOMPEST_VERSION_STOMP_1_0:
      return "1.0";
    case STOMPEST_VERSION_STOMP_1_1:
      return "1.1";
    case STOMPEST_VERSION_STOMP_1_2:
      return "1.2";
    default:
      g_return_val_if_reached ("1.0");
    }
}

/**
 * stompest_version_from_string:
 * @string: a version as written on the wire, such as `"1.2"`
 * @version: (out) (optional): where to store the version
 *
 * Reads a STOMP version number.
 *
 * Returns: %TRUE if @string names a known version
 *
 * Since: 0.1
 */
gboolean
stompest_version_from_string (const char      *string,
                              StompestVersion *version)
{
  StompestVersion found;

  g_return_val_if_fail (string != NULL, FALSE);

  if (strcmp (string, "1.0") == 0)
    found = STOMPEST_VERSION_STOMP_1_0;
  else if (strcmp (string, "1.1") == 0)
    found = STOMPEST_VERSION_STOMP_1_1;
  else if (strcmp (string, "1.2") == 0)
    found = STOMPEST_VERSION_STOMP_1_2;
  else
    return FALSE;

  if (version)
    *version = found;
  return TRUE;
}

/**
 * stompest_ack_mode_to_string:
 * @mode: an acknowledgement mode
 *
 * Gives the mode as it is written in a SUBSCRIBE frame's `ack` header.
 *
 * Returns: (transfer none): `"auto"`, `"client"` or `"client-individual"`
 *
 * Since: 0.1
 */
const char *
stompest_ack_mode_to_string (StompestAckMode mode)
{
  switch (mode)
    {
    case STOMPEST_ACK_MODE_AUTO:
      return "auto";
    case STOMPEST_ACK_MODE_CLIENT:
      return "client";
    case STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL:
      return "client-individual";
    default:
      g_return_val_if_reached ("auto");
    }
}

/**
 * stompest_ack_mode_from_string:
 * @string: an `ack` header value
 * @mode: (out) (optional): where to store the mode
 *
 * Reads an acknowledgement mode.
 *
 * Returns: %TRUE if @string names a known mode
 *
 * Since: 0.1
 */
gboolean
stompest_ack_mode_from_string (const char      *string,
                               StompestAckMode *mode)
{
  StompestAckMode found;

  g_return_val_if_fail (string != NULL, FALSE);

  if (strcmp (string, "auto") == 0)
    found = STOMPEST_ACK_MODE_AUTO;
  else if (strcmp (string, "client") == 0)
    found = STOMPEST_ACK_MODE_CLIENT;
  else if (strcmp (string, "client-individual") == 0)
    found = STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL;
  else
    return FALSE;

  if (mode)
    *mode = found;
  return TRUE;
}

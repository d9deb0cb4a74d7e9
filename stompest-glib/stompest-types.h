/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "stompest-version-macros.h"

G_BEGIN_DECLS

typedef struct _StompestFrame StompestFrame;
typedef struct _StompestParser StompestParser;
typedef struct _StompestProtocol StompestProtocol;
typedef struct _StompestFailover StompestFailover;
typedef struct _StompestClient StompestClient;
typedef struct _StompestTransport StompestTransport;

/**
 * StompestVersion:
 * @STOMPEST_VERSION_STOMP_1_0: STOMP 1.0: no header escaping, no NACK, a
 *   body allowed on every frame
 * @STOMPEST_VERSION_STOMP_1_1: STOMP 1.1: header escaping (`\\`, `\n`,
 *   `\c`), heart-beats, NACK
 * @STOMPEST_VERSION_STOMP_1_2: STOMP 1.2: adds `\r` escaping, CRLF line
 *   endings and the `id`/`ack` headers for acknowledgements
 * @STOMPEST_VERSION_LATEST: the newest version this library speaks, the
 *   default that clients offer
 *
 * A version of the STOMP protocol. The values compare in protocol order,
 * so a range of versions can be expressed with `<` and `>`.
 *
 * Since: 0.1
 */
typedef enum {
  STOMPEST_VERSION_STOMP_1_0 = 10,
  STOMPEST_VERSION_STOMP_1_1 = 11,
  STOMPEST_VERSION_STOMP_1_2 = 12,
  STOMPEST_VERSION_LATEST = STOMPEST_VERSION_STOMP_1_2,
} StompestVersion;

/**
 * StompestAckMode:
 * @STOMPEST_ACK_MODE_AUTO: the broker considers a message acknowledged as
 *   soon as it sent it (`ack:auto`)
 * @STOMPEST_ACK_MODE_CLIENT: the client acknowledges, and an ACK covers
 *   every earlier message of the subscription (`ack:client`)
 * @STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL: the client acknowledges each
 *   message on its own (`ack:client-individual`, STOMP 1.1 and later)
 *
 * How the messages of a subscription are acknowledged.
 *
 * Since: 0.1
 */
typedef enum {
  STOMPEST_ACK_MODE_AUTO,
  STOMPEST_ACK_MODE_CLIENT,
  STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
} StompestAckMode;

STOMPEST_AVAILABLE_IN_ALL
const char      *stompest_version_to_string     (StompestVersion version);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_version_from_string   (const char      *string,
                                                 StompestVersion *version);
STOMPEST_AVAILABLE_IN_ALL
const char      *stompest_ack_mode_to_string    (StompestAckMode  mode);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_ack_mode_from_string  (const char      *string,
                                                 StompestAckMode *mode);

G_END_DECLS

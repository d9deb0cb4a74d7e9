/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib.h>

#include "stompest-version-macros.h"

G_BEGIN_DECLS

/**
 * STOMPEST_ERROR:
 *
 * The error domain of stompest-glib. Errors in this domain are from the
 * [error@Stompest.Error] enumeration.
 *
 * Since: 0.1
 */
#define STOMPEST_ERROR (stompest_error_quark ())

/**
 * StompestError:
 * @STOMPEST_ERROR_PARSE: the peer sent a malformed frame; the message names
 *   the byte offset in the stream and what was wrong
 * @STOMPEST_ERROR_FRAME_TOO_LARGE: a frame, a header line or the number of
 *   headers went over a configured limit
 * @STOMPEST_ERROR_PROTOCOL: a frame that is not allowed in the current
 *   state, or a call that the negotiated version does not support
 * @STOMPEST_ERROR_SERVER_ERROR: the broker sent an ERROR frame; the message
 *   holds its `message` header
 * @STOMPEST_ERROR_CONNECTION_LOST: the connection closed or broke, or the
 *   peer stopped sending heart-beats
 * @STOMPEST_ERROR_TIMEOUT: an operation did not complete within its timeout
 * @STOMPEST_ERROR_UNSUPPORTED_VERSION: the broker chose a STOMP version that
 *   was not offered, or none in common
 * @STOMPEST_ERROR_INVALID_URI: a broker or failover URI could not be parsed;
 *   the message names the part that is wrong
 * @STOMPEST_ERROR_TRANSPORT: no transport could connect to a broker URI, or
 *   none is registered for its scheme
 * @STOMPEST_ERROR_INVALID_FRAME: a frame cannot be encoded for the requested
 *   STOMP version (for example a header with a line feed in STOMP 1.0)
 * @STOMPEST_ERROR_RECONNECT_EXHAUSTED: a failover schedule ran out of
 *   attempts
 * @STOMPEST_ERROR_QUEUE_FULL: a message could not be queued while the
 *   session is (re)connecting, because its offline queue already holds
 *   [property@Stompest.Session:max-offline-queue] messages; the session
 *   itself is fine, and a later send may succeed
 *
 * Error codes in the %STOMPEST_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum {
  STOMPEST_ERROR_PARSE,
  STOMPEST_ERROR_FRAME_TOO_LARGE,
  STOMPEST_ERROR_PROTOCOL,
  STOMPEST_ERROR_SERVER_ERROR,
  STOMPEST_ERROR_CONNECTION_LOST,
  STOMPEST_ERROR_TIMEOUT,
  STOMPEST_ERROR_UNSUPPORTED_VERSION,
  STOMPEST_ERROR_INVALID_URI,
  STOMPEST_ERROR_TRANSPORT,
  STOMPEST_ERROR_INVALID_FRAME,
  STOMPEST_ERROR_RECONNECT_EXHAUSTED,
  STOMPEST_ERROR_QUEUE_FULL,
} StompestError;

STOMPEST_AVAILABLE_IN_ALL
GQuark stompest_error_quark (void);

G_END_DECLS

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "stompest-types.h"
#include "stompest-frame.h"

G_BEGIN_DECLS

/* Stateless STOMP commands, the heir of stompest's protocol.commands.
 *
 * Client frames: each returns a new, unsealed frame (transfer full) that
 * the caller may add headers to before sending it. Functions taking a
 * version apply that version's rules and fail with STOMPEST_ERROR_PROTOCOL
 * when the frame cannot be expressed in it. Documented in the .c file. */

STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_connect     (const char       *host,
                                              const char       *login,
                                              const char       *passcode,
                                              StompestVersion   max_version,
                                              guint             heart_beat_send_ms,
                                              guint             heart_beat_receive_ms);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_stomp       (const char       *host,
                                              const char       *login,
                                              const char       *passcode,
                                              StompestVersion   max_version,
                                              guint             heart_beat_send_ms,
                                              guint             heart_beat_receive_ms,
                                              GError          **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_disconnect  (const char       *receipt);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_send        (const char       *destination,
                                              GBytes           *body,
                                              const char       *transaction,
                                              const char       *receipt);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_subscribe   (const char       *destination,
                                              const char       *id,
                                              StompestAckMode   ack_mode,
                                              StompestVersion   version,
                                              const char       *receipt,
                                              GError          **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_unsubscribe (const char       *id,
                                              const char       *destination,
                                              StompestVersion   version,
                                              const char       *receipt,
                                              GError          **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_ack         (StompestFrame    *message,
                                              StompestVersion   version,
                                              const char       *transaction,
                                              const char       *receipt,
                                              GError          **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_nack        (StompestFrame    *message,
                                              StompestVersion   version,
                                              const char       *transaction,
                                              const char       *receipt,
                                              GError          **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_begin       (const char       *transaction,
                                              const char       *receipt);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_commit      (const char       *transaction,
                                              const char       *receipt);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame *stompest_commands_abort       (const char       *transaction,
                                              const char       *receipt);
STOMPEST_AVAILABLE_IN_ALL
GBytes        *stompest_commands_beat        (StompestVersion   version);

/* Server frames: check the command and the headers a version requires;
 * errors name the frame, the header or the version that was wrong. */

STOMPEST_AVAILABLE_IN_ALL
void           stompest_commands_negotiate_heart_beat (guint  client_send_ms,
                                                       guint  client_receive_ms,
                                                       guint  server_send_ms,
                                                       guint  server_receive_ms,
                                                       guint *send_period_ms,
                                                       guint *receive_period_ms);
STOMPEST_AVAILABLE_IN_ALL
gboolean       stompest_commands_read_connected (StompestFrame    *frame,
                                                 StompestVersion   max_version,
                                                 guint             heart_beat_send_ms,
                                                 guint             heart_beat_receive_ms,
                                                 StompestVersion  *version,
                                                 char            **server,
                                                 char            **session,
                                                 guint            *send_period_ms,
                                                 guint            *receive_period_ms,
                                                 GError          **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean       stompest_commands_read_message   (StompestFrame    *frame,
                                                 StompestVersion   version,
                                                 const char      **subscription,
                                                 const char      **ack_token,
                                                 GError          **error);
STOMPEST_AVAILABLE_IN_ALL
const char    *stompest_commands_read_receipt   (StompestFrame    *frame,
                                                 GError          **error);
STOMPEST_AVAILABLE_IN_ALL
char          *stompest_commands_read_error     (StompestFrame    *frame);

G_END_DECLS

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "stompest-types.h"
#include "stompest-frame.h"

G_BEGIN_DECLS

/**
 * StompestProtocolState:
 * @STOMPEST_PROTOCOL_STATE_DISCONNECTED: no session: only
 *   [method@Stompest.Protocol.connect_frame] is allowed
 * @STOMPEST_PROTOCOL_STATE_CONNECTING: CONNECT was built; waiting for the
 *   broker's CONNECTED (or ERROR) frame
 * @STOMPEST_PROTOCOL_STATE_CONNECTED: the session is up and every client
 *   frame may be built
 * @STOMPEST_PROTOCOL_STATE_DISCONNECTING: DISCONNECT was built; no further
 *   client frame may be sent, but MESSAGE and RECEIPT frames still arrive
 *
 * The state of a STOMP session as tracked by [class@Stompest.Protocol].
 *
 * Since: 0.1
 */
typedef enum {
  STOMPEST_PROTOCOL_STATE_DISCONNECTED,
  STOMPEST_PROTOCOL_STATE_CONNECTING,
  STOMPEST_PROTOCOL_STATE_CONNECTED,
  STOMPEST_PROTOCOL_STATE_DISCONNECTING,
} StompestProtocolState;

#define STOMPEST_TYPE_PROTOCOL (stompest_protocol_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestProtocol, stompest_protocol, STOMPEST, PROTOCOL, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestProtocol     *stompest_protocol_new               (StompestVersion    max_version);

STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_connect           (StompestProtocol  *protocol,
                                                           const char        *host,
                                                           const char        *login,
                                                           const char        *passcode,
                                                           guint              heart_beat_send_ms,
                                                           guint              heart_beat_receive_ms,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_connect_frame     (StompestProtocol  *protocol,
                                                           const char        *host,
                                                           const char        *login,
                                                           const char        *passcode,
                                                           guint              heart_beat_send_ms,
                                                           guint              heart_beat_receive_ms,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_protocol_connected         (StompestProtocol  *protocol,
                                                           StompestFrame     *frame,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_disconnect        (StompestProtocol  *protocol,
                                                           const char        *receipt,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_disconnect_frame  (StompestProtocol  *protocol,
                                                           const char        *receipt,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_protocol_close             (StompestProtocol  *protocol,
                                                           gboolean           flush);
STOMPEST_AVAILABLE_IN_ALL
GPtrArray            *stompest_protocol_replay            (StompestProtocol  *protocol);

STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_send              (StompestProtocol  *protocol,
                                                           const char        *destination,
                                                           GBytes            *body,
                                                           const char        *transaction,
                                                           const char        *receipt,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_subscribe         (StompestProtocol  *protocol,
                                                           const char        *destination,
                                                           const char        *id,
                                                           StompestAckMode    ack_mode,
                                                           const char        *receipt,
                                                           char             **token,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_unsubscribe       (StompestProtocol  *protocol,
                                                           const char        *token,
                                                           const char        *receipt,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_ack               (StompestProtocol  *protocol,
                                                           StompestFrame     *message,
                                                           const char        *receipt,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_nack              (StompestProtocol  *protocol,
                                                           StompestFrame     *message,
                                                           const char        *receipt,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_begin             (StompestProtocol  *protocol,
                                                           const char        *transaction,
                                                           const char        *receipt,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_commit            (StompestProtocol  *protocol,
                                                           const char        *transaction,
                                                           const char        *receipt,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_protocol_abort             (StompestProtocol  *protocol,
                                                           const char        *transaction,
                                                           const char        *receipt,
                                                           GError           **error);

STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_protocol_message           (StompestProtocol  *protocol,
                                                           StompestFrame     *message,
                                                           const char       **token,
                                                           GError           **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_protocol_receipt           (StompestProtocol  *protocol,
                                                           StompestFrame     *receipt,
                                                           const char       **receipt_id,
                                                           GError           **error);

STOMPEST_AVAILABLE_IN_ALL
void                  stompest_protocol_sent              (StompestProtocol  *protocol,
                                                           gint64             now_us);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_protocol_received          (StompestProtocol  *protocol,
                                                           gint64             now_us);
STOMPEST_AVAILABLE_IN_ALL
gint64                stompest_protocol_get_next_beat_due (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
gint64                stompest_protocol_get_peer_deadline (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_protocol_is_peer_silent    (StompestProtocol  *protocol,
                                                           gint64             now_us);

STOMPEST_AVAILABLE_IN_ALL
StompestProtocolState stompest_protocol_get_state         (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
StompestVersion       stompest_protocol_get_version       (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
StompestVersion       stompest_protocol_get_max_version   (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_protocol_get_server        (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_protocol_get_session       (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_protocol_get_send_period   (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_protocol_get_receive_period (StompestProtocol *protocol);
STOMPEST_AVAILABLE_IN_ALL
gint64                stompest_protocol_get_last_sent     (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
gint64                stompest_protocol_get_last_received (StompestProtocol  *protocol);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_protocol_has_pending_receipts (StompestProtocol *protocol);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_protocol_get_n_pending_receipts (StompestProtocol *protocol);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_protocol_get_n_dropped_receipts (StompestProtocol *protocol);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_protocol_get_n_subscriptions (StompestProtocol *protocol);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_protocol_get_n_transactions (StompestProtocol *protocol);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_protocol_is_transaction_open (StompestProtocol *protocol,
                                                             const char       *transaction);
STOMPEST_AVAILABLE_IN_ALL
double                stompest_protocol_get_heart_beat_tolerance (StompestProtocol *protocol);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_protocol_set_heart_beat_tolerance (StompestProtocol *protocol,
                                                                  double            tolerance);

G_END_DECLS

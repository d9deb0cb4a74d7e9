/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "stompest-types.h"
#include "stompest-frame.h"
#include "stompest-parser.h"
#include "stompest-transport.h"
#include "stompest-message.h"
#include "stompest-subscription.h"

G_BEGIN_DECLS

/**
 * StompestSessionState:
 * @STOMPEST_SESSION_STATE_DISCONNECTED: no connection, and none is being
 *   made: call [method@Stompest.Session.connect_async]
 * @STOMPEST_SESSION_STATE_CONNECTING: [method@Stompest.Session.connect_async]
 *   is walking the failover schedule
 * @STOMPEST_SESSION_STATE_CONNECTED: the STOMP session is up
 * @STOMPEST_SESSION_STATE_RECONNECTING: the connection was lost and the
 *   session is reconnecting by itself (see
 *   [property@Stompest.Session:reconnect]); sends are queued meanwhile
 * @STOMPEST_SESSION_STATE_DISCONNECTING: [method@Stompest.Session.disconnect_async]
 *   is waiting for messages in flight, then for the broker's RECEIPT of
 *   DISCONNECT
 *
 * The state of a [class@Stompest.Session]. Values may be added later.
 *
 * Since: 0.1
 */
typedef enum {
  STOMPEST_SESSION_STATE_DISCONNECTED,
  STOMPEST_SESSION_STATE_CONNECTING,
  STOMPEST_SESSION_STATE_CONNECTED,
  STOMPEST_SESSION_STATE_RECONNECTING,
  STOMPEST_SESSION_STATE_DISCONNECTING,
} StompestSessionState;

#define STOMPEST_TYPE_SESSION (stompest_session_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestSession, stompest_session, STOMPEST, SESSION, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestSession      *stompest_session_new                    (const char           *uri);

STOMPEST_AVAILABLE_IN_ALL
GMainContext         *stompest_session_get_context            (StompestSession      *session);

STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_session_get_uri                (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_uri                (StompestSession      *session,
                                                               const char           *uri);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_session_get_login              (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_login              (StompestSession      *session,
                                                               const char           *login);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_passcode           (StompestSession      *session,
                                                               const char           *passcode);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_session_get_virtual_host       (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_virtual_host       (StompestSession      *session,
                                                               const char           *virtual_host);
STOMPEST_AVAILABLE_IN_ALL
StompestVersion       stompest_session_get_max_version        (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_max_version        (StompestSession      *session,
                                                               StompestVersion       max_version);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_heart_beat_send    (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_heart_beat_send    (StompestSession      *session,
                                                               guint                 heart_beat_send);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_heart_beat_receive (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_heart_beat_receive (StompestSession      *session,
                                                               guint                 heart_beat_receive);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_connect_timeout    (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_connect_timeout    (StompestSession      *session,
                                                               guint                 connect_timeout);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_connected_timeout  (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_connected_timeout  (StompestSession      *session,
                                                               guint                 connected_timeout);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_receipt_timeout    (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_receipt_timeout    (StompestSession      *session,
                                                               guint                 receipt_timeout);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_disconnect_timeout (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_disconnect_timeout (StompestSession      *session,
                                                               guint                 disconnect_timeout);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_get_reconnect          (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_reconnect          (StompestSession      *session,
                                                               gboolean              reconnect);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_max_offline_queue  (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_max_offline_queue  (StompestSession      *session,
                                                               guint                 max_offline_queue);

STOMPEST_AVAILABLE_IN_ALL
StompestSessionState  stompest_session_get_state              (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_session_get_broker_uri         (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
StompestVersion       stompest_session_get_version            (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_session_get_server             (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_session_get_session_id         (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_send_period        (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_receive_period     (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint64               stompest_session_get_frames_in          (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint64               stompest_session_get_frames_out         (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint64               stompest_session_get_bytes_in           (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint64               stompest_session_get_bytes_out          (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_reconnects         (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_n_in_flight        (StompestSession      *session);
STOMPEST_AVAILABLE_IN_ALL
guint                 stompest_session_get_offline_queue_length (StompestSession    *session);
STOMPEST_AVAILABLE_IN_ALL
StompestParser       *stompest_session_get_parser             (StompestSession      *session);

STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_set_transport          (StompestSession      *session,
                                                               const char           *scheme,
                                                               StompestTransport    *transport);

STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_connect_async          (StompestSession      *session,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_connect_finish         (StompestSession      *session,
                                                               GAsyncResult         *result,
                                                               GError              **error);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_disconnect_async       (StompestSession      *session,
                                                               int                   io_priority,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_disconnect_finish      (StompestSession      *session,
                                                               GAsyncResult         *result,
                                                               GError              **error);

STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_send                   (StompestSession      *session,
                                                               const char           *destination,
                                                               GBytes               *body,
                                                               GHashTable           *headers,
                                                               GError              **error);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_session_send_async             (StompestSession      *session,
                                                               const char           *destination,
                                                               GBytes               *body,
                                                               GHashTable           *headers,
                                                               int                   io_priority,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_send_finish            (StompestSession      *session,
                                                               GAsyncResult         *result,
                                                               GError              **error);

STOMPEST_AVAILABLE_IN_ALL
StompestSubscription *stompest_session_subscribe              (StompestSession      *session,
                                                               const char           *destination,
                                                               StompestAckMode       ack_mode,
                                                               GHashTable           *headers,
                                                               GError              **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_unsubscribe            (StompestSession      *session,
                                                               StompestSubscription *subscription,
                                                               GError              **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_ack                    (StompestSession      *session,
                                                               StompestMessage      *message,
                                                               const char           *transaction,
                                                               GError              **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_nack                   (StompestSession      *session,
                                                               StompestMessage      *message,
                                                               const char           *transaction,
                                                               GError              **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_begin                  (StompestSession      *session,
                                                               const char           *transaction,
                                                               GError              **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_commit                 (StompestSession      *session,
                                                               const char           *transaction,
                                                               GError              **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_session_abort                  (StompestSession      *session,
                                                               const char           *transaction,
                                                               GError              **error);

G_END_DECLS

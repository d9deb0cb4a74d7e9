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

G_BEGIN_DECLS

#define STOMPEST_TYPE_CLIENT (stompest_client_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestClient, stompest_client, STOMPEST, CLIENT, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestClient  *stompest_client_new                    (const char         *uri);

STOMPEST_AVAILABLE_IN_ALL
const char      *stompest_client_get_uri                (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_uri                (StompestClient     *client,
                                                         const char         *uri);
STOMPEST_AVAILABLE_IN_ALL
const char      *stompest_client_get_login              (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_login              (StompestClient     *client,
                                                         const char         *login);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_passcode           (StompestClient     *client,
                                                         const char         *passcode);
STOMPEST_AVAILABLE_IN_ALL
const char      *stompest_client_get_virtual_host       (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_virtual_host       (StompestClient     *client,
                                                         const char         *virtual_host);
STOMPEST_AVAILABLE_IN_ALL
StompestVersion  stompest_client_get_max_version        (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_max_version        (StompestClient     *client,
                                                         StompestVersion     max_version);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_heart_beat_send    (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_heart_beat_send    (StompestClient     *client,
                                                         guint               heart_beat_send);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_heart_beat_receive (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_heart_beat_receive (StompestClient     *client,
                                                         guint               heart_beat_receive);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_connect_timeout    (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_connect_timeout    (StompestClient     *client,
                                                         guint               connect_timeout);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_connected_timeout  (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_connected_timeout  (StompestClient     *client,
                                                         guint               connected_timeout);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_receipt_timeout    (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_receipt_timeout    (StompestClient     *client,
                                                         guint               receipt_timeout);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_disconnect_timeout (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_disconnect_timeout (StompestClient     *client,
                                                         guint               disconnect_timeout);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_send_timeout       (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_send_timeout       (StompestClient     *client,
                                                         guint               send_timeout);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_write_buffer_size  (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_write_buffer_size  (StompestClient     *client,
                                                         guint               size);

STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_is_connected           (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
const char      *stompest_client_get_broker_uri         (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
StompestVersion  stompest_client_get_version            (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
const char      *stompest_client_get_server             (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
const char      *stompest_client_get_session_id         (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_send_period        (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_client_get_receive_period     (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame   *stompest_client_get_error_frame        (StompestClient     *client);
STOMPEST_AVAILABLE_IN_ALL
StompestParser  *stompest_client_get_parser             (StompestClient     *client);

STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_set_transport          (StompestClient     *client,
                                                         const char         *scheme,
                                                         StompestTransport  *transport);

STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_connect_sync           (StompestClient     *client,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_disconnect_sync        (StompestClient     *client,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_client_close                  (StompestClient     *client);

STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_send                   (StompestClient     *client,
                                                         const char         *destination,
                                                         GBytes             *body,
                                                         GHashTable         *headers,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_send_frame             (StompestClient     *client,
                                                         StompestFrame      *frame,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
char            *stompest_client_subscribe              (StompestClient     *client,
                                                         const char         *destination,
                                                         StompestAckMode     ack_mode,
                                                         GHashTable         *headers,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_unsubscribe            (StompestClient     *client,
                                                         const char         *token,
                                                         const char         *receipt,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_ack                    (StompestClient     *client,
                                                         StompestFrame      *message,
                                                         const char         *receipt,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_nack                   (StompestClient     *client,
                                                         StompestFrame      *message,
                                                         const char         *receipt,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_begin                  (StompestClient     *client,
                                                         const char         *transaction,
                                                         const char         *receipt,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_commit                 (StompestClient     *client,
                                                         const char         *transaction,
                                                         const char         *receipt,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_abort                  (StompestClient     *client,
                                                         const char         *transaction,
                                                         const char         *receipt,
                                                         GCancellable       *cancellable,
                                                         GError            **error);

STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_can_read               (StompestClient     *client,
                                                         int                 timeout_ms,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame   *stompest_client_receive_frame          (StompestClient     *client,
                                                         int                 timeout_ms,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_beat                   (StompestClient     *client,
                                                         GCancellable       *cancellable,
                                                         GError            **error);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_client_flush                  (StompestClient     *client,
                                                         GCancellable       *cancellable,
                                                         GError            **error);

G_END_DECLS

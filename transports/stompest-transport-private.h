/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "stompest-transport.h"

G_BEGIN_DECLS

/* Plumbing shared by the built-in transports. A connect is a GTask made by
 * stompest_transport_task_new(): it owns a private GCancellable that the
 * caller's cancellable and the timeout_ms timer (attached to the task's
 * main context) both cancel, so one cancellable bounds every step of the
 * connect, a TLS handshake included. */

GTask        *stompest_transport_task_new             (gpointer             source_object,
                                                       gpointer             source_tag,
                                                       const char          *uri,
                                                       guint                timeout_ms,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);

/* Data of the transport that runs the connect, freed with the task. */
void          stompest_transport_task_set_impl_data   (GTask               *task,
                                                       gpointer             impl_data,
                                                       GDestroyNotify       impl_data_free);
gpointer      stompest_transport_task_get_impl_data   (GTask               *task);

/* The URI for messages, with any password removed. */
const char   *stompest_transport_task_get_uri         (GTask               *task);

/* Cancelled by the caller's cancellable or when the timeout expires: pass
 * it to every GIO call of the connect. */
GCancellable *stompest_transport_task_get_cancellable (GTask               *task);

/* Both complete the task once and stop its timer. return_stream takes
 * STREAM and turns it into an error when the connect was cancelled or
 * timed out meanwhile. return_error takes ERROR: a cancel caused by the
 * timer becomes STOMPEST_ERROR_TIMEOUT, and errors from other domains keep
 * their code but get the URI prefixed to their message. */
void          stompest_transport_task_return_stream   (GTask               *task,
                                                       GIOStream           *stream);
void          stompest_transport_task_return_error    (GTask               *task,
                                                       GError              *error);

/* connect_finish of the built-ins: checks RESULT came from SOURCE_TAG. */
GIOStream    *stompest_transport_task_finish          (gpointer             source_object,
                                                       GAsyncResult        *result,
                                                       gpointer             source_tag,
                                                       GError             **error);

/* Completes TASK with STOMPEST_ERROR_TRANSPORT: this build of the library
 * was configured without the transport for SCHEME. */
void          stompest_transport_task_return_disabled (GTask               *task,
                                                       const char          *scheme);

/* Parses "scheme://host:port" (IPv6 literals in brackets) into a
 * GNetworkAddress; STOMPEST_ERROR_INVALID_URI when the host or the port is
 * missing. */
GSocketConnectable *stompest_transport_parse_network_uri (const char  *uri,
                                                          GError     **error);

/* Connects a socket to CONNECTABLE with the task's cancellable, then calls
 * CALLBACK with a new reference to TASK as its user data (the callback
 * owns it). For TCP, the finish function turns on TCP_NODELAY and
 * keepalive. */
void               stompest_transport_connect_socket_async  (GTask               *task,
                                                             GSocketConnectable  *connectable,
                                                             GAsyncReadyCallback  callback);
GSocketConnection *stompest_transport_connect_socket_finish (GAsyncResult        *result,
                                                             GError             **error);

/* Connects a socket as above and completes TASK with it. */
void               stompest_transport_task_connect_socket   (GTask               *task,
                                                             GSocketConnectable  *connectable);

G_END_DECLS

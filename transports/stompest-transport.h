/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "stompest-types.h"
#include "stompest-version-macros.h"

G_BEGIN_DECLS

#define STOMPEST_TYPE_TRANSPORT (stompest_transport_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (StompestTransport, stompest_transport, STOMPEST, TRANSPORT, GObject)

/**
 * StompestTransportInterface:
 * @g_iface: the parent interface
 * @connect_async: starts connecting to a broker URI; see
 *   [vfunc@Stompest.Transport.connect_async]
 * @connect_finish: finishes @connect_async and returns the stream; see
 *   [vfunc@Stompest.Transport.connect_finish]
 * @connect_sync: connects and blocks until done; the default runs
 *   @connect_async and @connect_finish on a private main context; see
 *   [vfunc@Stompest.Transport.connect_sync]
 *
 * The virtual function table of [iface@Stompest.Transport].
 *
 * An implementation must provide @connect_async and @connect_finish;
 * @connect_sync is optional.
 *
 * Since: 0.1
 */
struct _StompestTransportInterface
{
  GTypeInterface g_iface;

  /*< public >*/

  /**
   * StompestTransportInterface::connect_async:
   * @transport: a [iface@Stompest.Transport]
   * @uri: the broker URI, whose scheme selected this transport
   * @timeout_ms: the time allowed for the whole connect, in milliseconds,
   *   or 0 for no limit
   * @cancellable: (nullable): a [class@Gio.Cancellable]
   * @callback: (scope async): called when the connect completes
   * @user_data: (closure): data for @callback
   *
   * Starts connecting to @uri. The implementation calls @callback in the
   * thread-default main context of the caller, once, with a result that
   * @connect_finish turns into a stream or an error.
   *
   * Since: 0.1
   */
  void       (*connect_async)  (StompestTransport    *transport,
                                const char           *uri,
                                guint                 timeout_ms,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);

  /**
   * StompestTransportInterface::connect_finish:
   * @transport: a [iface@Stompest.Transport]
   * @result: the result given to the callback of @connect_async
   *
   * Finishes a connect started with @connect_async.
   *
   * Returns: (transfer full): the connected stream
   *
   * Since: 0.1
   */
  GIOStream *(*connect_finish) (StompestTransport    *transport,
                                GAsyncResult         *result,
                                GError              **error);

  /**
   * StompestTransportInterface::connect_sync:
   * @transport: a [iface@Stompest.Transport]
   * @uri: the broker URI, whose scheme selected this transport
   * @timeout_ms: the time allowed for the whole connect, in milliseconds,
   *   or 0 for no limit
   * @cancellable: (nullable): a [class@Gio.Cancellable]
   *
   * Connects to @uri and blocks until the stream is ready or the connect
   * failed. The default implementation runs @connect_async on a private
   * main context pushed as the thread-default one and iterates it until
   * the result arrives, so an implementation only needs the async pair.
   *
   * Returns: (transfer full): the connected stream
   *
   * Since: 0.1
   */
  GIOStream *(*connect_sync)   (StompestTransport    *transport,
                                const char           *uri,
                                guint                 timeout_ms,
                                GCancellable         *cancellable,
                                GError              **error);

  /*< private >*/
  gpointer padding[8];
};

STOMPEST_AVAILABLE_IN_ALL
void               stompest_transport_connect_async   (StompestTransport    *transport,
                                                       const char           *uri,
                                                       guint                 timeout_ms,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
STOMPEST_AVAILABLE_IN_ALL
GIOStream         *stompest_transport_connect_finish  (StompestTransport    *transport,
                                                       GAsyncResult         *result,
                                                       GError              **error);
STOMPEST_AVAILABLE_IN_ALL
GIOStream         *stompest_transport_connect_sync    (StompestTransport    *transport,
                                                       const char           *uri,
                                                       guint                 timeout_ms,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

STOMPEST_AVAILABLE_IN_ALL
void               stompest_transport_register        (const char           *scheme,
                                                       StompestTransport    *transport);
STOMPEST_AVAILABLE_IN_ALL
gboolean           stompest_transport_unregister      (const char           *scheme);
STOMPEST_AVAILABLE_IN_ALL
StompestTransport *stompest_transport_lookup          (const char           *scheme);
STOMPEST_AVAILABLE_IN_ALL
StompestTransport *stompest_transport_lookup_for_uri  (const char           *uri,
                                                       GError              **error);
STOMPEST_AVAILABLE_IN_ALL
char             **stompest_transport_list_schemes    (void);

G_END_DECLS

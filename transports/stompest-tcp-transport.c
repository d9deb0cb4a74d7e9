/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "stompest-tcp-transport.h"
#include "stompest-transport-private.h"

/**
 * StompestTcpTransport:
 *
 * Connects `tcp://host:port` broker URIs over plain TCP.
 *
 * The host may be a name (resolved through [class@Gio.Resolver], every
 * address is tried in turn), an IPv4 address or an IPv6 address in
 * brackets, as in `tcp://[::1]:61613`; the port is required. The socket has
 * `TCP_NODELAY` set, since STOMP sends small frames and waits for their
 * answers, and TCP keepalive turned on. The stream given back is a
 * [class@Gio.SocketConnection].
 *
 * Errors from GIO keep their %G_IO_ERROR code, with the broker URI in the
 * message.
 *
 * This transport is registered for the `tcp` scheme, unless the library was
 * built with `-Dtcp_transport=false`.
 *
 * Since: 0.1
 */
struct _StompestTcpTransport
{
  GObject parent_instance;
};

static void stompest_tcp_transport_iface_init (StompestTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StompestTcpTransport, stompest_tcp_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STOMPEST_TYPE_TRANSPORT,
                                                      stompest_tcp_transport_iface_init))

static void
stompest_tcp_transport_connect_async (StompestTransport   *transport,
                                      const char          *uri,
                                      guint                timeout_ms,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = stompest_transport_task_new (transport,
                                      stompest_tcp_transport_connect_async,
                                      uri, timeout_ms, cancellable,
                                      callback, user_data);
#if ENABLE_TCP_TRANSPORT
  {
    g_autoptr(GSocketConnectable) address = NULL;
    GError *error = NULL;

    address = stompest_transport_parse_network_uri (uri, &error);
    if (address == NULL)
      stompest_transport_task_return_error (task, error);
    else
      stompest_transport_task_connect_socket (task, address);
  }
#else
  stompest_transport_task_return_disabled (task, "tcp");
#endif
}

static GIOStream *
stompest_tcp_transport_connect_finish (StompestTransport  *transport,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  return stompest_transport_task_finish (transport, result,
                                         stompest_tcp_transport_connect_async,
                                         error);
}

static void
stompest_tcp_transport_iface_init (StompestTransportInterface *iface)
{
  iface->connect_async = stompest_tcp_transport_connect_async;
  iface->connect_finish = stompest_tcp_transport_connect_finish;
}

static void
stompest_tcp_transport_class_init (StompestTcpTransportClass *klass)
{
}

static void
stompest_tcp_transport_init (StompestTcpTransport *self)
{
}

/**
 * stompest_tcp_transport_new:
 *
 * Creates a transport for `tcp://` URIs. The one in the registry is
 * usually all a program needs; see [func@Stompest.Transport.lookup].
 *
 * Returns: (transfer full): a new [class@Stompest.TcpTransport]
 *
 * Since: 0.1
 */
StompestTcpTransport *
stompest_tcp_transport_new (void)
{
  return g_object_new (STOMPEST_TYPE_TCP_TRANSPORT, NULL);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "stompest-unix-transport.h"
#include "stompest-transport-private.h"

#include "stompest-error.h"

#if ENABLE_UNIX_TRANSPORT
#include <gio/gunixsocketaddress.h>
#endif

/**
 * StompestUnixTransport:
 *
 * Connects to a broker listening on a Unix domain socket.
 *
 * Two spellings are understood, the same that [class@Stompest.Failover]
 * accepts:
 *
 * - `unix:///run/broker/stomp.sock` (or `unix:/run/broker/stomp.sock`): a
 *   socket in the file system, by absolute path; percent-encode characters
 *   that are not allowed in a URI path, such as spaces (`%20`).
 * - `unix:@name`: a socket in the Linux abstract namespace, named `name`
 *   without the leading NUL byte and without padding, the convention of
 *   socat and systemd.
 *
 * The stream given back is a [class@Gio.SocketConnection].
 *
 * This transport is registered for the `unix` scheme when the library is
 * built with gio-unix-2.0 (the `unix_transport` meson option).
 *
 * Since: 0.1
 */
struct _StompestUnixTransport
{
  GObject parent_instance;
};

static void stompest_unix_transport_iface_init (StompestTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StompestUnixTransport, stompest_unix_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STOMPEST_TYPE_TRANSPORT,
                                                      stompest_unix_transport_iface_init))

#if ENABLE_UNIX_TRANSPORT
static GSocketConnectable *
parse_unix_uri (const char  *uri,
                const char  *display,
                GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *host;
  const char *path;

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid broker URI: %s", local_error->message);
      return NULL;
    }

  host = g_uri_get_host (parsed);
  path = g_uri_get_path (parsed);

  if (host == NULL && path[0] == '@' && path[1] != '\0')
    {
      if (!g_unix_socket_address_abstract_names_supported ())
        {
          g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
                       "Cannot connect to %s: abstract Unix sockets are not "
                       "supported on this system", display);
          return NULL;
        }
      return G_SOCKET_CONNECTABLE (g_unix_socket_address_new_with_type (path + 1, -1,
                                                                        G_UNIX_SOCKET_ADDRESS_ABSTRACT));
    }

  if ((host == NULL || *host == '\0') && path[0] == '/' && path[1] != '\0')
    return G_SOCKET_CONNECTABLE (g_unix_socket_address_new (path));

  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
               "Broker URI %s names no Unix socket (expected unix:///absolute/path "
               "or unix:@abstract-name)", display);
  return NULL;
}
#endif

static void
stompest_unix_transport_connect_async (StompestTransport   *transport,
                                       const char          *uri,
                                       guint                timeout_ms,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = stompest_transport_task_new (transport,
                                      stompest_unix_transport_connect_async,
                                      uri, timeout_ms, cancellable,
                                      callback, user_data);
#if ENABLE_UNIX_TRANSPORT
  {
    g_autoptr(GSocketConnectable) address = NULL;
    GError *error = NULL;

    address = parse_unix_uri (uri, stompest_transport_task_get_uri (task), &error);
    if (address == NULL)
      stompest_transport_task_return_error (task, error);
    else
      stompest_transport_task_connect_socket (task, address);
  }
#else
  stompest_transport_task_return_disabled (task, "unix");
#endif
}

static GIOStream *
stompest_unix_transport_connect_finish (StompestTransport  *transport,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  return stompest_transport_task_finish (transport, result,
                                         stompest_unix_transport_connect_async,
                                         error);
}

static void
stompest_unix_transport_iface_init (StompestTransportInterface *iface)
{
  iface->connect_async = stompest_unix_transport_connect_async;
  iface->connect_finish = stompest_unix_transport_connect_finish;
}

static void
stompest_unix_transport_class_init (StompestUnixTransportClass *klass)
{
}

static void
stompest_unix_transport_init (StompestUnixTransport *self)
{
}

/**
 * stompest_unix_transport_new:
 *
 * Creates a transport for `unix:` URIs. The one in the registry is
 * usually all a program needs; see [func@Stompest.Transport.lookup].
 *
 * Returns: (transfer full): a new [class@Stompest.UnixTransport]
 *
 * Since: 0.1
 */
StompestUnixTransport *
stompest_unix_transport_new (void)
{
  return g_object_new (STOMPEST_TYPE_UNIX_TRANSPORT, NULL);
}

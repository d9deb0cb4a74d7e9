/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#if ENABLE_UNIX_TRANSPORT
#include <gio/gunixsocketaddress.h>
#endif

#include <glib/gstdio.h>

#include "test-utils.h"

/* Generous: valgrind makes a TLS handshake take seconds. */
#define LONG_TIMEOUT_MS 60000

/* ---------------------------------------------------------------------
 * An in-process server: a GSocketService served by a thread of its own,
 * so the blocking connect_sync of the test thread can talk to it. Each
 * connection is handled to the end before the next is accepted.
 * ------------------------------------------------------------------- */

typedef enum {
  SERVER_ECHO,     /* echo bytes until EOF */
  SERVER_TLS_ECHO, /* TLS handshake, then echo */
  SERVER_SILENT,   /* accept, keep the connection, never answer */
} ServerMode;

typedef struct {
  ServerMode mode;
  GTlsCertificate *certificate; /* TLS_ECHO */
  GTlsDatabase *client_ca;      /* TLS_ECHO: require a client certificate */

  GMainContext *context;
  GMainLoop *loop;
  GSocketService *service;
  GThread *thread;
  guint16 port;

  GMutex lock;
  GPtrArray *held;               /* SILENT connections */
  GTlsCertificate *peer_certificate;
  guint n_handshakes;
} TestServer;

static void test_server_free (TestServer *server);

static void
echo_stream (GIOStream *stream)
{
  GInputStream *in = g_io_stream_get_input_stream (stream);
  GOutputStream *out = g_io_stream_get_output_stream (stream);
  char buffer[1024];
  g_autoptr(GError) error = NULL;
  gssize n;

  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    if (!g_output_stream_write_all (out, buffer, n, NULL, NULL, &error))
      break;
  if (error != NULL)
    g_test_message ("server: %s", error->message);
}

/* A server accepts a client certificate only through this signal, which
 * is emitted even when the certificate verified. */
static gboolean
server_accept_client (GTlsConnection       *connection,
                      GTlsCertificate      *certificate,
                      GTlsCertificateFlags  errors,
                      gpointer              user_data)
{
  return errors == 0;
}

static gboolean
server_incoming (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source_object,
                 gpointer           user_data)
{
  TestServer *server = user_data;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  /* No test may hang on a server that waits for a dead client. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 20);

  switch (server->mode)
    {
    case SERVER_SILENT:
      g_mutex_lock (&server->lock);
      g_ptr_array_add (server->held, g_object_ref (connection));
      g_mutex_unlock (&server->lock);
      break;

    case SERVER_ECHO:
      echo_stream (G_IO_STREAM (connection));
      break;

    case SERVER_TLS_ECHO:
      tls = g_tls_server_connection_new (G_IO_STREAM (connection),
                                         server->certificate, &error);
      g_assert_no_error (error);
      if (server->client_ca != NULL)
        {
          g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
          g_tls_connection_set_database (G_TLS_CONNECTION (tls), server->client_ca);
          g_signal_connect (tls, "accept-certificate", G_CALLBACK (server_accept_client), NULL);
        }
      if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
        {
          g_test_message ("server handshake failed: %s", error->message);
          break;
        }
      g_mutex_lock (&server->lock);
      server->n_handshakes++;
      g_set_object (&server->peer_certificate,
                    g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls)));
      g_mutex_unlock (&server->lock);
      echo_stream (tls);
      g_io_stream_close (tls, NULL, NULL);
      break;
    }

  return TRUE;
}

static gpointer
server_thread (gpointer user_data)
{
  TestServer *server = user_data;

  g_main_context_push_thread_default (server->context);
  g_main_loop_run (server->loop);
  g_main_context_pop_thread_default (server->context);

  return NULL;
}

/* Listens on ADDRESS (port 0: any) and, when ALSO_IPV6_LOOPBACK is set,
 * on [::1] with the same port if it can, so "localhost" reaches it. NULL
 * with ERROR when ADDRESS cannot be bound. */
static TestServer *
test_server_new (ServerMode       mode,
                 GSocketAddress  *address,
                 gboolean         also_ipv6_loopback,
                 GError         **error)
{
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr(GSocketAddress) effective = NULL;
  gboolean ok;

  server->mode = mode;
  server->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&server->lock);
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);

  /* The service accepts on the thread-default context of start(). It is
   * stopped while addresses are added: each addition would otherwise
   * cancel the pending accept, and a client arriving meanwhile would be
   * accepted by the cancelled one and dropped. */
  g_main_context_push_thread_default (server->context);
  server->service = g_socket_service_new ();
  g_socket_service_stop (server->service);
  g_signal_connect (server->service, "incoming", G_CALLBACK (server_incoming), server);
  ok = g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                      NULL, &effective, error);
  if (ok && G_IS_INET_SOCKET_ADDRESS (effective))
    {
      server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
      if (also_ipv6_loopback)
        {
          g_autoptr(GInetAddress) loopback6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
          g_autoptr(GSocketAddress) address6 = g_inet_socket_address_new (loopback6, server->port);

          g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address6,
                                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                         NULL, NULL, NULL);
        }
    }
  g_socket_service_start (server->service);
  g_main_context_pop_thread_default (server->context);

  server->thread = g_thread_new ("test-server", server_thread, server);
  if (!ok)
    {
      test_server_free (server);
      return NULL;
    }

  return server;
}

static TestServer *
test_server_new_loopback (ServerMode mode)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GError) error = NULL;
  TestServer *server;

  server = test_server_new (mode, address, TRUE, &error);
  g_assert_no_error (error);

  return server;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_server_free (TestServer *server)
{
  g_main_context_invoke (server->context, quit_loop, server->loop);
  g_thread_join (server->thread);

  /* Let the cancelled accept finish on the server's context. */
  g_main_context_push_thread_default (server->context);
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_clear_object (&server->service);
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_main_context_pop_thread_default (server->context);

  g_ptr_array_unref (server->held);
  g_clear_object (&server->certificate);
  g_clear_object (&server->client_ca);
  g_clear_object (&server->peer_certificate);
  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_mutex_clear (&server->lock);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)

/* Writes a line and checks the server sends it back. */
static void
assert_round_trip (GIOStream *stream)
{
  static const char ping[] = "PING\n";
  char buffer[sizeof ping] = { 0 };
  g_autoptr(GError) error = NULL;
  gsize n = 0;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), ping,
                             strlen (ping), NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (g_io_stream_get_input_stream (stream), buffer,
                           strlen (ping), &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (buffer, ==, ping);

  g_io_stream_close (stream, NULL, &error);
  g_assert_no_error (error);
}

static GSocket *
stream_get_socket (GIOStream *stream)
{
  if (G_IS_TLS_CONNECTION (stream))
    {
      GIOStream *base = NULL;

      g_object_get (stream, "base-io-stream", &base, NULL);
      g_object_unref (base); /* the TLS connection keeps it */
      stream = base;
    }
  g_assert_true (G_IS_SOCKET_CONNECTION (stream));

  return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
}

static void
assert_tcp_options (GIOStream *stream)
{
  GSocket *socket = stream_get_socket (stream);
  g_autoptr(GError) error = NULL;
  int nodelay = 0;

  g_assert_true (g_socket_get_option (socket, IPPROTO_TCP, TCP_NODELAY, &nodelay, &error));
  g_assert_no_error (error);
  g_assert_cmpint (nodelay, !=, 0);
  g_assert_true (g_socket_get_keepalive (socket));
}

/* The built-in transport for URI, through the registry. */
static StompestTransport *
lookup (const char *uri)
{
  g_autoptr(GError) error = NULL;
  StompestTransport *transport;

  transport = stompest_transport_lookup_for_uri (uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (transport);

  return transport;
}

/* A port on 127.0.0.1 that nothing listens on. */
static guint16
unused_port (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* connect_async, iterating the thread-default context until it is done. */
static GIOStream *
connect_and_wait (StompestTransport  *transport,
                  const char         *uri,
                  guint               timeout_ms,
                  GCancellable       *cancellable,
                  GError            **error)
{
  GAsyncResult *result = NULL;
  GIOStream *stream;

  stompest_transport_connect_async (transport, uri, timeout_ms, cancellable,
                                    store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  stream = stompest_transport_connect_finish (transport, result, error);
  g_object_unref (result);

  return stream;
}

/* ---------------------------------------------------------------------
 * A transport written in the test, with only the async pair: the stream
 * reads back the URI it was opened for; URIs holding "fail" fail, and
 * those holding "hang" never complete (until the test releases them). It
 * completes from a timeout source on the thread-default context, so the
 * default connect_sync must iterate its private context to finish.
 * ------------------------------------------------------------------- */

#define TEST_TYPE_TRANSPORT (test_transport_get_type ())
G_DECLARE_FINAL_TYPE (TestTransport, test_transport, TEST, TRANSPORT, GObject)

struct _TestTransport
{
  GObject parent_instance;
  GMainContext *last_context; /* thread-default context of the last connect */
  guint n_connects;
  GPtrArray *hung;            /* tasks of "hang" URIs, never completed */
};

static void test_transport_iface_init (StompestTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestTransport, test_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STOMPEST_TYPE_TRANSPORT,
                                                      test_transport_iface_init))

static gboolean
test_transport_complete (gpointer user_data)
{
  GTask *task = user_data;
  const char *uri = g_task_get_task_data (task);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GOutputStream) out = NULL;

  if (strstr (uri, "fail") != NULL)
    {
      g_task_return_new_error (task, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
                               "test transport refused %s", uri);
      return G_SOURCE_REMOVE;
    }

  in = g_memory_input_stream_new_from_data (g_strdup (uri), -1, g_free);
  out = g_memory_output_stream_new_resizable ();
  g_task_return_pointer (task, g_simple_io_stream_new (in, out), g_object_unref);

  return G_SOURCE_REMOVE;
}

static void
test_transport_connect_async (StompestTransport   *transport,
                              const char          *uri,
                              guint                timeout_ms,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  TestTransport *self = TEST_TRANSPORT (transport);
  GTask *task = g_task_new (transport, cancellable, callback, user_data);
  g_autoptr(GSource) source = g_timeout_source_new (10);

  self->n_connects++;
  self->last_context = g_main_context_get_thread_default ();

  g_task_set_source_tag (task, test_transport_connect_async);
  g_task_set_task_data (task, g_strdup (uri), g_free);
  if (strstr (uri, "hang") != NULL)
    {
      g_ptr_array_add (self->hung, task);
      return;
    }
  g_source_set_callback (source, test_transport_complete, task, g_object_unref);
  g_source_attach (source, g_task_get_context (task));
}

static GIOStream *
test_transport_connect_finish (StompestTransport  *transport,
                               GAsyncResult       *result,
                               GError            **error)
{
  g_assert_true (g_async_result_is_tagged (result, test_transport_connect_async));

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_transport_iface_init (StompestTransportInterface *iface)
{
  iface->connect_async = test_transport_connect_async;
  iface->connect_finish = test_transport_connect_finish;
}

/* Completes the hung tasks in their own (private) contexts, so whatever
 * waited on them is released and nothing leaks. Each task holds the
 * transport, so a test must call this before dropping it. */
static void
test_transport_release_hung (TestTransport *self)
{
  while (self->hung->len > 0)
    {
      GTask *task = g_ptr_array_steal_index (self->hung, 0);
      GMainContext *context = g_main_context_ref (g_task_get_context (task));

      g_main_context_push_thread_default (context);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "released");
      g_object_unref (task);
      while (g_main_context_iteration (context, FALSE))
        ;
      g_main_context_pop_thread_default (context);
      g_main_context_unref (context);
    }
}

static void
test_transport_finalize (GObject *object)
{
  TestTransport *self = TEST_TRANSPORT (object);

  g_assert_cmpuint (self->hung->len, ==, 0);
  g_ptr_array_unref (self->hung);

  G_OBJECT_CLASS (test_transport_parent_class)->finalize (object);
}

static void
test_transport_class_init (TestTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_transport_finalize;
}

static void
test_transport_init (TestTransport *self)
{
  self->hung = g_ptr_array_new ();
}

static char *
read_stream_text (GIOStream *stream)
{
  char buffer[256] = { 0 };
  g_autoptr(GError) error = NULL;
  gsize n = 0;

  g_input_stream_read_all (g_io_stream_get_input_stream (stream), buffer,
                           sizeof buffer - 1, &n, NULL, &error);
  g_assert_no_error (error);

  return g_strndup (buffer, n);
}

/* ---------------------------------------------------------------------
 * Registry
 * ------------------------------------------------------------------- */

static void
test_registry_builtins (void)
{
  g_auto(GStrv) schemes = stompest_transport_list_schemes ();
  g_autoptr(StompestTransport) ssl = NULL;
  g_autoptr(StompestTransport) tls = NULL;
  g_autoptr(StompestTransport) tcp = NULL;
  g_autoptr(StompestTransport) upper = NULL;

#if ENABLE_TCP_TRANSPORT
  tcp = stompest_transport_lookup ("tcp");
  g_assert_true (STOMPEST_IS_TCP_TRANSPORT (tcp));
  g_assert_true (g_strv_contains ((const char * const *) schemes, "tcp"));
  /* Schemes are case-insensitive. */
  upper = stompest_transport_lookup_for_uri ("TCP://Localhost:61613", NULL);
  g_assert_true (upper == tcp);
#endif
#if ENABLE_TLS_TRANSPORT
  ssl = stompest_transport_lookup ("ssl");
  tls = stompest_transport_lookup ("tls");
  g_assert_true (STOMPEST_IS_TLS_TRANSPORT (ssl));
  g_assert_true (ssl == tls);
  g_assert_true (g_strv_contains ((const char * const *) schemes, "ssl"));
  g_assert_true (g_strv_contains ((const char * const *) schemes, "tls"));
#endif
#if ENABLE_UNIX_TRANSPORT
  {
    g_autoptr(StompestTransport) unix_transport = stompest_transport_lookup ("unix");

    g_assert_true (STOMPEST_IS_UNIX_TRANSPORT (unix_transport));
    g_assert_true (g_strv_contains ((const char * const *) schemes, "unix"));
  }
#endif
  g_assert_null (stompest_transport_lookup ("nope"));
}

static void
test_registry_unknown_scheme (void)
{
  g_autoptr(GError) error = NULL;
  StompestTransport *transport;

  transport = stompest_transport_lookup_for_uri ("amqp://broker:5672", &error);
  g_assert_null (transport);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (error->message, "'amqp'"));
  g_assert_nonnull (strstr (error->message, "amqp://broker:5672"));
  g_clear_error (&error);

  /* The password of a URI stays out of messages. */
  transport = stompest_transport_lookup_for_uri ("amqp://guest:s3cret@broker:5672", &error);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT);
  g_assert_null (strstr (error->message, "s3cret"));
  g_assert_nonnull (strstr (error->message, "broker:5672"));
  g_clear_error (&error);

  transport = stompest_transport_lookup_for_uri ("//localhost:61613", &error);
  g_assert_null (transport);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI);
  g_clear_error (&error);

  transport = stompest_transport_lookup_for_uri ("tcp://[::1:61613", &error);
  g_assert_null (transport);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI);
  g_clear_error (&error);

  transport = stompest_transport_lookup_for_uri ("", &error);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI);
}

static void
test_registry_custom (void)
{
  g_autoptr(TestTransport) first = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(TestTransport) second = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(StompestTransport) found = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) schemes = NULL;
  g_autofree char *text = NULL;
  gsize i;

  g_assert_null (stompest_transport_lookup ("test"));

  stompest_transport_register ("test", STOMPEST_TRANSPORT (first));
  schemes = stompest_transport_list_schemes ();
  g_assert_true (g_strv_contains ((const char * const *) schemes, "test"));
  for (i = 1; schemes[i] != NULL; i++)
    g_assert_cmpstr (schemes[i - 1], <, schemes[i]);

  found = stompest_transport_lookup_for_uri ("test://somewhere/queue", &error);
  g_assert_no_error (error);
  g_assert_true (found == STOMPEST_TRANSPORT (first));

  stream = stompest_transport_connect_sync (found, "test://somewhere/queue", 0, NULL, &error);
  g_assert_no_error (error);
  text = read_stream_text (stream);
  g_assert_cmpstr (text, ==, "test://somewhere/queue");
  g_assert_cmpuint (first->n_connects, ==, 1);
  g_clear_object (&found);

  /* Registering again replaces, and the registry let go of the first. */
  stompest_transport_register ("TEST", STOMPEST_TRANSPORT (second));
  found = stompest_transport_lookup ("test");
  g_assert_true (found == STOMPEST_TRANSPORT (second));
  g_clear_object (&found);
  g_assert_cmpuint (G_OBJECT (first)->ref_count, ==, 1);

  g_assert_true (stompest_transport_unregister ("test"));
  g_assert_false (stompest_transport_unregister ("test"));
  g_assert_cmpuint (G_OBJECT (second)->ref_count, ==, 1);

  found = stompest_transport_lookup_for_uri ("test://somewhere", &error);
  g_assert_null (found);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT);
}

static void
test_registry_replace_builtin (void)
{
  g_autoptr(TestTransport) mine = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(StompestTransport) builtin = stompest_transport_lookup ("tcp");
  g_autoptr(StompestTransport) found = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stompest_transport_register ("tcp", STOMPEST_TRANSPORT (mine));
  found = stompest_transport_lookup_for_uri ("tcp://127.0.0.1:1", &error);
  g_assert_no_error (error);
  g_assert_true (found == STOMPEST_TRANSPORT (mine));

  /* Port 1 refuses: only the replacement can succeed. */
  stream = stompest_transport_connect_sync (found, "tcp://127.0.0.1:1", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mine->n_connects, ==, 1);

  /* Removing a built-in sticks; registering it brings it back. */
  g_assert_true (stompest_transport_unregister ("tcp"));
  g_assert_null (stompest_transport_lookup ("tcp"));
  if (builtin != NULL)
    {
      stompest_transport_register ("tcp", builtin);
      g_clear_object (&found);
      found = stompest_transport_lookup ("tcp");
      g_assert_true (found == builtin);
    }
}

static gpointer
registry_hammer (gpointer user_data)
{
  TestTransport *transport = user_data;
  g_autofree char *scheme = g_strdup_printf ("thread%p", (void *) g_thread_self ());
  guint i;

  for (i = 0; i < 200; i++)
    {
      g_autoptr(StompestTransport) found = NULL;
      g_auto(GStrv) schemes = NULL;

      stompest_transport_register (scheme, STOMPEST_TRANSPORT (transport));
      found = stompest_transport_lookup (scheme);
      g_assert_true (found == STOMPEST_TRANSPORT (transport));
      schemes = stompest_transport_list_schemes ();
      g_assert_true (g_strv_contains ((const char * const *) schemes, scheme));
      g_assert_true (stompest_transport_unregister (scheme));
    }

  return NULL;
}

/* Register, look up, list and unregister from several threads at once. */
static void
test_registry_threads (void)
{
  g_autoptr(TestTransport) transport = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  GThread *threads[4];
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("registry", registry_hammer, transport);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (G_OBJECT (transport)->ref_count, ==, 1);
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_default_connect_sync (void)
{
  g_autoptr(TestTransport) transport = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean default_context_ran = FALSE;
  guint idle_id;

  /* The caller's context must not run while connect_sync blocks. */
  idle_id = g_idle_add (set_flag, &default_context_ran);

  stream = stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport),
                                            "test://a", 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_SIMPLE_IO_STREAM (stream));
  text = read_stream_text (stream);
  g_assert_cmpstr (text, ==, "test://a");

  g_assert_nonnull (transport->last_context);
  g_assert_true (transport->last_context != g_main_context_default ());
  g_assert_false (default_context_ran);
  g_source_remove (idle_id);

  /* The thread-default context is restored. */
  g_assert_null (g_main_context_get_thread_default ());

  /* Errors come through unchanged. */
  g_clear_object (&stream);
  stream = stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport),
                                            "test://fail", 0, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (error->message, "test://fail"));
  g_assert_cmpuint (transport->n_connects, ==, 2);
}

/* A transport with only connect_sync (all GJS can implement) serves the
 * blocking path; the async one fails at once instead of hanging. */
#define SYNC_ONLY_TYPE_TRANSPORT (sync_only_transport_get_type ())
G_DECLARE_FINAL_TYPE (SyncOnlyTransport, sync_only_transport, SYNC_ONLY, TRANSPORT, GObject)

struct _SyncOnlyTransport
{
  GObject parent_instance;
};

static GIOStream *
sync_only_transport_connect_sync (StompestTransport  *transport,
                                  const char         *uri,
                                  guint               timeout_ms,
                                  GCancellable       *cancellable,
                                  GError            **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (uri), -1, g_free);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  return g_simple_io_stream_new (in, out);
}

static void
sync_only_transport_iface_init (StompestTransportInterface *iface)
{
  iface->connect_async = NULL;
  iface->connect_finish = NULL;
  iface->connect_sync = sync_only_transport_connect_sync;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (SyncOnlyTransport, sync_only_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STOMPEST_TYPE_TRANSPORT,
                                                      sync_only_transport_iface_init))

static void
sync_only_transport_class_init (SyncOnlyTransportClass *klass)
{
}

static void
sync_only_transport_init (SyncOnlyTransport *self)
{
}

static void
test_sync_only_transport (void)
{
  g_autoptr(SyncOnlyTransport) transport = g_object_new (SYNC_ONLY_TYPE_TRANSPORT, NULL);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  stream = stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport),
                                            "sync://a", 1000, NULL, &error);
  g_assert_no_error (error);
  text = read_stream_text (stream);
  g_assert_cmpstr (text, ==, "sync://a");
  g_clear_object (&stream);

  stompest_transport_connect_async (STOMPEST_TRANSPORT (transport), "sync://b",
                                    1000, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  stream = stompest_transport_connect_finish (STOMPEST_TRANSPORT (transport),
                                              result, &error);
  g_assert_null (stream);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (error->message, "sync://b"));
  g_assert_nonnull (strstr (error->message, "connect_async"));
}

/* A transport that never completes cannot block connect_sync forever: it
 * gives up a grace period after the timeout, or after a cancellation. */
static void
test_default_connect_sync_hung (void)
{
  g_autoptr(TestTransport) transport = g_object_new (TEST_TYPE_TRANSPORT, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stream = stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport),
                                            "test://hang", 100, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "test://hang"));
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  stream = stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport),
                                            "test://hang-again", 0,
                                            cancellable, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (transport->hung->len, ==, 2);

  /* The tasks hold the transport: release them to let it go. */
  test_transport_release_hung (transport);
}

/* Built-ins switched off at configure time: compiled as stubs, not
 * registered, and both paths say why. */
typedef struct {
  const char *uri;
  const char *option;
  gboolean enabled;
  GType (*get_type) (void);
} Builtin;

static const Builtin builtins[] = {
  { "tcp://localhost:61613", "tcp_transport", ENABLE_TCP_TRANSPORT, stompest_tcp_transport_get_type },
  { "ssl://localhost:61614", "tls_transport", ENABLE_TLS_TRANSPORT, stompest_tls_transport_get_type },
  { "unix:///run/stomp.sock", "unix_transport", ENABLE_UNIX_TRANSPORT, stompest_unix_transport_get_type },
};

static void
test_registry_disabled (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (builtins); i++)
    {
      g_autoptr(StompestTransport) transport = NULL;
      g_autoptr(GIOStream) stream = NULL;
      g_autoptr(GError) error = NULL;

      if (builtins[i].enabled)
        continue;

      g_assert_null (stompest_transport_lookup_for_uri (builtins[i].uri, &error));
      g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT);
      g_assert_nonnull (strstr (error->message, builtins[i].option));
      g_clear_error (&error);

      transport = g_object_new (builtins[i].get_type (), NULL);
      stream = stompest_transport_connect_sync (transport, builtins[i].uri, 1000, NULL, &error);
      g_assert_null (stream);
      g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT);
      g_assert_nonnull (strstr (error->message, builtins[i].uri));
      g_assert_nonnull (strstr (error->message, builtins[i].option));
    }
}

/* ---------------------------------------------------------------------
 * Argument errors shared by the built-ins
 * ------------------------------------------------------------------- */

typedef struct {
  const char *uri;
  const char *needle; /* in the message */
} BadUri;

static const BadUri bad_uris[] = {
  { "tcp://localhost", "no port" },
  { "tcp:///var/run/x", "no host" },
  { "tls://localhost", "no port" },
  { "ssl://:61614", "no host" },
  { "unix://relative/path.sock", "unix:///absolute/path" },
  { "unix:relative.sock", "unix:///absolute/path" },
  { "unix:@", "unix:@abstract-name" },
  { "unix:///", "unix:///absolute/path" },
};

static void
test_bad_uri (gconstpointer data)
{
  const BadUri *bad = data;
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  const char *scheme = g_uri_peek_scheme (bad->uri);

  transport = stompest_transport_lookup (scheme);
  if (transport == NULL)
    {
      g_test_skip ("transport not built");
      return;
    }

  stream = stompest_transport_connect_sync (transport, bad->uri, 1000, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI);
  g_assert_nonnull (strstr (error->message, bad->needle));
}

/* ---------------------------------------------------------------------
 * TCP
 * ------------------------------------------------------------------- */

static void
test_tcp_ipv4 (void)
{
  g_autoptr(TestServer) server = test_server_new_loopback (SERVER_ECHO);
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("tcp://127.0.0.1:%u", server->port);

  transport = lookup (uri);
  g_assert_true (STOMPEST_IS_TCP_TRANSPORT (transport));
  stream = stompest_transport_connect_sync (transport, uri, LONG_TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_options (stream);
  assert_round_trip (stream);
}

static void
test_tcp_ipv6 (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  server = test_server_new (SERVER_ECHO, address, FALSE, &error);
  if (server == NULL)
    {
      g_test_skip_printf ("no IPv6 loopback: %s", error->message);
      return;
    }

  uri = g_strdup_printf ("tcp://[::1]:%u", server->port);
  transport = lookup (uri);
  stream = stompest_transport_connect_sync (transport, uri, LONG_TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  remote = g_socket_connection_get_remote_address (G_SOCKET_CONNECTION (stream), &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_socket_address_get_family (remote), ==, G_SOCKET_FAMILY_IPV6);
  assert_tcp_options (stream);
  assert_round_trip (stream);
}

static void
test_tcp_host_name_async (void)
{
  g_autoptr(TestServer) server = test_server_new_loopback (SERVER_ECHO);
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("tcp://localhost:%u", server->port);

  transport = lookup (uri);
  stream = connect_and_wait (transport, uri, LONG_TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  assert_tcp_options (stream);
  assert_round_trip (stream);
}

static void
test_tcp_refused (void)
{
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("tcp://127.0.0.1:%u", unused_port ());

  transport = lookup (uri);
  stream = stompest_transport_connect_sync (transport, uri, LONG_TIMEOUT_MS, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, uri));
  g_clear_error (&error);

  /* The same through the async pair. */
  stream = connect_and_wait (transport, uri, 0, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, uri));
}

static void
test_tcp_cancelled_before (void)
{
  g_autoptr(TestServer) server = test_server_new_loopback (SERVER_ECHO);
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("tcp://127.0.0.1:%u", server->port);

  transport = lookup (uri);
  g_cancellable_cancel (cancellable);
  stream = stompest_transport_connect_sync (transport, uri, LONG_TIMEOUT_MS, cancellable, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---------------------------------------------------------------------
 * Unix sockets
 * ------------------------------------------------------------------- */

#if ENABLE_UNIX_TRANSPORT
static void
test_unix_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("stompest-transport-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "broker.sock", NULL);
  address = g_unix_socket_address_new (path);
  server = test_server_new (SERVER_ECHO, address, FALSE, &error);
  g_assert_no_error (error);

  uri = g_strconcat ("unix://", path, NULL);
  transport = lookup (uri);
  g_assert_true (STOMPEST_IS_UNIX_TRANSPORT (transport));
  stream = stompest_transport_connect_sync (transport, uri, LONG_TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_socket_get_family (stream_get_socket (stream)), ==, G_SOCKET_FAMILY_UNIX);
  assert_round_trip (stream);
  g_clear_object (&stream);

  /* Nothing listening there any more. */
  g_clear_pointer (&server, test_server_free);
  g_unlink (path);
  stream = stompest_transport_connect_sync (transport, uri, LONG_TIMEOUT_MS, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, uri));

  g_rmdir (dir);
}

static void
test_unix_abstract (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;

  if (!g_unix_socket_address_abstract_names_supported ())
    {
      g_test_skip ("no abstract Unix sockets here");
      return;
    }

  name = g_strdup_printf ("stompest-test-%d-%u", (int) getpid (), g_random_int ());
  address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  server = test_server_new (SERVER_ECHO, address, FALSE, &error);
  g_assert_no_error (error);

  uri = g_strconcat ("unix:@", name, NULL);
  transport = lookup (uri);
  stream = connect_and_wait (transport, uri, LONG_TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  assert_round_trip (stream);
}
#endif

/* ---------------------------------------------------------------------
 * TLS, with certificates made by openssl at test time
 * ------------------------------------------------------------------- */

static char *cert_dir;

static gboolean
run_openssl (const char *const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_strv_builder_add (builder, "openssl");
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  if (!g_spawn_sync (cert_dir, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("openssl %s failed: %s\n%s", args[0], error->message, err ? err : "");
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_cert_file (const char *name,
                 const char *contents)
{
  g_autofree char *path = g_build_filename (cert_dir, name, NULL);

  return g_file_set_contents (path, contents, -1, NULL);
}

/* ca, server (localhost, 127.0.0.1, ::1), wrong (wrong.invalid) and
 * client certificates, with P-256 keys because they are quick to make. */
static gboolean
make_certificates (void)
{
#define EC_KEY "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"
  const char *ca[] = { "req", "-x509", EC_KEY, "-days", "2", "-subj", "/CN=stompest-test-ca",
                       "-addext", "basicConstraints=critical,CA:TRUE",
                       "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                       "-keyout", "ca.key", "-out", "ca.pem", NULL };
  const char *names[] = { "server", "wrong", "client" };
  gsize i;

  if (!run_openssl (ca))
    return FALSE;

  if (!write_cert_file ("server.ext",
                        "basicConstraints=CA:FALSE\n"
                        "keyUsage=digitalSignature\n"
                        "extendedKeyUsage=serverAuth\n"
                        "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n") ||
      !write_cert_file ("wrong.ext",
                        "basicConstraints=CA:FALSE\n"
                        "keyUsage=digitalSignature\n"
                        "extendedKeyUsage=serverAuth\n"
                        "subjectAltName=DNS:wrong.invalid\n") ||
      !write_cert_file ("client.ext",
                        "basicConstraints=CA:FALSE\n"
                        "keyUsage=digitalSignature\n"
                        "extendedKeyUsage=clientAuth\n"))
    return FALSE;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *subj = g_strdup_printf ("/CN=stompest-test-%s", names[i]);
      g_autofree char *key = g_strconcat (names[i], ".key", NULL);
      g_autofree char *csr = g_strconcat (names[i], ".csr", NULL);
      g_autofree char *pem = g_strconcat (names[i], ".pem", NULL);
      g_autofree char *ext = g_strconcat (names[i], ".ext", NULL);
      g_autofree char *serial = g_strdup_printf ("%" G_GSIZE_FORMAT, i + 2);
      const char *req[] = { "req", EC_KEY, "-subj", subj, "-keyout", key, "-out", csr, NULL };
      const char *sign[] = { "x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key",
                             "-set_serial", serial, "-days", "2", "-sha256",
                             "-extfile", ext, "-out", pem, NULL };

      if (!run_openssl (req) || !run_openssl (sign))
        return FALSE;
    }
#undef EC_KEY

  return TRUE;
}

static void
remove_certificates (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (cert_dir == NULL)
    return;

  dir = g_dir_open (cert_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (cert_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (cert_dir);
  g_clear_pointer (&cert_dir, g_free);
}

/* Makes the certificates on first use. FALSE after g_test_skip() when
 * TLS cannot be tested here. */
static gboolean
tls_available (void)
{
  static int state = -1;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return FALSE;
    }

  if (state < 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *openssl = g_find_program_in_path ("openssl");

      state = 0;
      if (openssl != NULL)
        {
          cert_dir = g_dir_make_tmp ("stompest-certs-XXXXXX", &error);
          g_assert_no_error (error);
          state = make_certificates ();
        }
    }

  if (!state)
    g_test_skip ("cannot make test certificates with openssl");

  return state;
}

static char *
cert_path (const char *name)
{
  return g_build_filename (cert_dir, name, NULL);
}

static GTlsCertificate *
load_certificate (const char *name)
{
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *pem_path = cert_path (pem);
  g_autofree char *key_path = cert_path (key);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  certificate = g_tls_certificate_new_from_files (pem_path, key_path, &error);
  g_assert_no_error (error);

  return certificate;
}

static TestServer *
tls_server_new (const char *certificate)
{
  TestServer *server = test_server_new_loopback (SERVER_TLS_ECHO);

  server->certificate = load_certificate (certificate);

  return server;
}

static GIOStream *
tls_connect (StompestTlsTransport  *transport,
             const char            *scheme,
             const char            *host,
             TestServer            *server,
             GError               **error)
{
  g_autofree char *uri = g_strdup_printf ("%s://%s:%u", scheme, host, server->port);

  return stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport), uri,
                                          LONG_TIMEOUT_MS, NULL, error);
}

static void
test_tls_ca_file (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *cwd = g_get_current_dir ();

  if (!tls_available ())
    return;

  server = tls_server_new ("server");
  ca = cert_path ("ca.pem");
  stompest_tls_transport_set_ca_file (transport, ca);
  g_assert_cmpstr (stompest_tls_transport_get_ca_file (transport), ==, ca);
  g_assert_true (G_IS_TLS_FILE_DATABASE (stompest_tls_transport_get_database (transport)));

  stream = tls_connect (transport, "tls", "localhost", server, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CONNECTION (stream));
  assert_tcp_options (stream);
  assert_round_trip (stream);
  g_clear_object (&stream);

  /* The IP address of the URI is checked against the IP SAN. */
  stream = tls_connect (transport, "ssl", "127.0.0.1", server, &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (stream)));
  assert_round_trip (stream);
  g_clear_object (&stream);

  /* A relative path is made absolute against the current directory. */
  g_assert_no_errno (g_chdir (cert_dir));
  stompest_tls_transport_set_ca_file (transport, "ca.pem");
  g_assert_no_errno (g_chdir (cwd));
  g_assert_cmpstr (stompest_tls_transport_get_ca_file (transport), ==, ca);
  stream = tls_connect (transport, "tls", "localhost", server, &error);
  g_assert_no_error (error);
  assert_round_trip (stream);
}

static void
test_tls_ca_file_missing (void)
{
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }

  stompest_tls_transport_set_ca_file (transport, "/nonexistent/stompest-ca.pem");
  g_assert_null (stompest_tls_transport_get_database (transport));

  /* Never a silent fallback to another trust store. */
  stream = stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport),
                                            "tls://localhost:1", LONG_TIMEOUT_MS, NULL, &error);
  g_assert_null (stream);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "tls://localhost:1"));
  g_assert_nonnull (strstr (error->message, "/nonexistent/stompest-ca.pem"));

  /* Setting a database clears the file. */
  stompest_tls_transport_set_database (transport, NULL);
  g_assert_null (stompest_tls_transport_get_ca_file (transport));
}

static void
test_tls_database (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;

  if (!tls_available ())
    return;

  server = tls_server_new ("server");
  ca = cert_path ("ca.pem");
  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  g_object_set (transport, "database", database, NULL);
  g_assert_true (stompest_tls_transport_get_database (transport) == database);
  g_assert_null (stompest_tls_transport_get_ca_file (transport));

  stream = tls_connect (transport, "ssl", "localhost", server, &error);
  g_assert_no_error (error);
  assert_round_trip (stream);
}

/* A TLS session opened with a trusted CA must not let a later connect to
 * the same server through without verification: glib-networking resumes
 * sessions by address, whatever the database. */
static void
test_tls_no_trust_by_resumption (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTlsTransport) trusting = stompest_tls_transport_new ();
  g_autoptr(StompestTlsTransport) system = stompest_tls_transport_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;

  if (!tls_available ())
    return;

  server = tls_server_new ("server");
  ca = cert_path ("ca.pem");
  stompest_tls_transport_set_ca_file (trusting, ca);
  for (guint i = 0; i < 2; i++)
    {
      stream = tls_connect (trusting, "tls", "localhost", server, &error);
      g_assert_no_error (error);
      assert_round_trip (stream);
      g_clear_object (&stream);
    }

  stream = tls_connect (system, "tls", "localhost", server, &error);
  g_assert_null (stream);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

static void
test_tls_system_trust (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  if (!tls_available ())
    return;

  server = tls_server_new ("server");
  uri = g_strdup_printf ("tls://localhost:%u", server->port);
  /* The registered instance: it trusts the system store only. */
  transport = lookup (uri);
  stream = stompest_transport_connect_sync (transport, uri, LONG_TIMEOUT_MS, NULL, &error);
  g_assert_null (stream);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, uri));
}

static void
test_tls_wrong_host (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;

  if (!tls_available ())
    return;

  /* Signed by the trusted CA, but for wrong.invalid. */
  server = tls_server_new ("wrong");
  ca = cert_path ("ca.pem");
  stompest_tls_transport_set_ca_file (transport, ca);

  stream = tls_connect (transport, "tls", "localhost", server, &error);
  g_assert_null (stream);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
}

static void
test_tls_accept_invalid (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  gboolean accept = TRUE;

  if (!tls_available ())
    return;

  g_assert_false (stompest_tls_transport_get_accept_invalid_certificates (transport));
  g_object_get (transport, "accept-invalid-certificates", &accept, NULL);
  g_assert_false (accept);

  /* Unknown CA and wrong host name at once. */
  server = tls_server_new ("wrong");
  stompest_tls_transport_set_accept_invalid_certificates (transport, TRUE);
  stream = tls_connect (transport, "tls", "localhost", server, &error);
  g_assert_no_error (error);
  assert_round_trip (stream);
}

static void
test_tls_client_certificate (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GTlsCertificate) client = NULL;
  g_autoptr(GTlsCertificate) seen = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;

  if (!tls_available ())
    return;

  ca = cert_path ("ca.pem");
  server = tls_server_new ("server");
  server->client_ca = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);

  client = load_certificate ("client");
  g_object_set (transport, "ca-file", ca, "certificate", client, NULL);
  g_assert_true (stompest_tls_transport_get_certificate (transport) == client);

  stream = tls_connect (transport, "tls", "localhost", server, &error);
  g_assert_no_error (error);
  /* The echo proves the server finished its handshake. */
  assert_round_trip (stream);

  g_mutex_lock (&server->lock);
  g_assert_cmpuint (server->n_handshakes, ==, 1);
  seen = server->peer_certificate ? g_object_ref (server->peer_certificate) : NULL;
  g_mutex_unlock (&server->lock);
  g_assert_nonnull (seen);
  g_assert_true (g_tls_certificate_is_same (seen, client));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_tls_interaction_property (void)
{
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GTlsInteraction) interaction = g_object_new (G_TYPE_TLS_INTERACTION, NULL);
  GTlsInteraction *got = NULL;
  guint notified = 0;

  g_signal_connect (transport, "notify::interaction", G_CALLBACK (count_notify), &notified);
  stompest_tls_transport_set_interaction (transport, interaction);
  stompest_tls_transport_set_interaction (transport, interaction);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (transport, "interaction", &got, NULL);
  g_assert_true (got == interaction);
  g_object_unref (got);
  stompest_tls_transport_set_interaction (transport, NULL);
  g_assert_null (stompest_tls_transport_get_interaction (transport));
  g_assert_cmpuint (notified, ==, 2);
}

/* A server that accepts TCP but never speaks TLS: the timeout must cover
 * the handshake. */
static void
test_tls_handshake_timeout (void)
{
  g_autoptr(TestServer) server = test_server_new_loopback (SERVER_SILENT);
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("tls://127.0.0.1:%u", server->port);
  gint64 start, elapsed_ms;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }

  start = g_get_monotonic_time ();
  stream = stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport), uri, 300, NULL, &error);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  g_assert_null (stream);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, uri));
  g_assert_cmpint (elapsed_ms, >=, 290);
  g_assert_cmpint (elapsed_ms, <, 10000);
  g_mutex_lock (&server->lock);
  g_assert_cmpuint (server->held->len, ==, 1);
  g_mutex_unlock (&server->lock);
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_tls_handshake_cancel_async (void)
{
  g_autoptr(TestServer) server = test_server_new_loopback (SERVER_SILENT);
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("tls://127.0.0.1:%u", server->port);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }

  g_timeout_add (100, cancel_later, cancellable);
  stream = connect_and_wait (STOMPEST_TRANSPORT (transport), uri, LONG_TIMEOUT_MS,
                             cancellable, &error);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, uri));
}

static gpointer
cancel_from_thread (gpointer user_data)
{
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (user_data);
  return NULL;
}

static void
test_tls_handshake_cancel_sync (void)
{
  g_autoptr(TestServer) server = test_server_new_loopback (SERVER_SILENT);
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("tls://127.0.0.1:%u", server->port);
  GThread *thread;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return;
    }

  thread = g_thread_new ("cancel", cancel_from_thread, cancellable);
  stream = stompest_transport_connect_sync (STOMPEST_TRANSPORT (transport), uri, 0,
                                            cancellable, &error);
  g_thread_join (thread);
  g_assert_null (stream);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int    argc,
      char **argv)
{
  gsize i;
  int ret;

  stompest_test_init (&argc, &argv);

  g_test_add_func ("/transport/registry/builtins", test_registry_builtins);
  g_test_add_func ("/transport/registry/unknown-scheme", test_registry_unknown_scheme);
  g_test_add_func ("/transport/registry/custom", test_registry_custom);
  g_test_add_func ("/transport/registry/threads", test_registry_threads);
  g_test_add_func ("/transport/default-sync/async-only", test_default_connect_sync);
  g_test_add_func ("/transport/default-sync/hung-transport", test_default_connect_sync_hung);
  g_test_add_func ("/transport/sync-only", test_sync_only_transport);
  if (!ENABLE_TCP_TRANSPORT || !ENABLE_TLS_TRANSPORT || !ENABLE_UNIX_TRANSPORT)
    g_test_add_func ("/transport/registry/disabled", test_registry_disabled);
  for (i = 0; i < G_N_ELEMENTS (bad_uris); i++)
    {
      g_autofree char *path = g_strdup_printf ("/transport/bad-uri/%" G_GSIZE_FORMAT, i);

      g_test_add_data_func (path, &bad_uris[i], test_bad_uri);
    }

  if (ENABLE_TCP_TRANSPORT)
    {
      g_test_add_func ("/transport/registry/replace-builtin", test_registry_replace_builtin);
      g_test_add_func ("/transport/tcp/ipv4", test_tcp_ipv4);
      g_test_add_func ("/transport/tcp/ipv6", test_tcp_ipv6);
      g_test_add_func ("/transport/tcp/host-name-async", test_tcp_host_name_async);
      g_test_add_func ("/transport/tcp/refused", test_tcp_refused);
      g_test_add_func ("/transport/tcp/cancelled-before", test_tcp_cancelled_before);
    }
#if ENABLE_UNIX_TRANSPORT
  g_test_add_func ("/transport/unix/path", test_unix_path);
  g_test_add_func ("/transport/unix/abstract", test_unix_abstract);
#endif
  if (ENABLE_TLS_TRANSPORT)
    {
      g_test_add_func ("/transport/tls/ca-file", test_tls_ca_file);
      g_test_add_func ("/transport/tls/ca-file-missing", test_tls_ca_file_missing);
      g_test_add_func ("/transport/tls/database", test_tls_database);
      g_test_add_func ("/transport/tls/system-trust", test_tls_system_trust);
      g_test_add_func ("/transport/tls/no-trust-by-resumption", test_tls_no_trust_by_resumption);
      g_test_add_func ("/transport/tls/wrong-host", test_tls_wrong_host);
      g_test_add_func ("/transport/tls/accept-invalid", test_tls_accept_invalid);
      g_test_add_func ("/transport/tls/client-certificate", test_tls_client_certificate);
      g_test_add_func ("/transport/tls/interaction-property", test_tls_interaction_property);
      g_test_add_func ("/transport/tls/handshake-timeout", test_tls_handshake_timeout);
      g_test_add_func ("/transport/tls/handshake-cancel-async", test_tls_handshake_cancel_async);
      g_test_add_func ("/transport/tls/handshake-cancel-sync", test_tls_handshake_cancel_sync);
    }

  ret = g_test_run ();
  remove_certificates ();

  return ret;
}

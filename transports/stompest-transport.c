/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "stompest-transport.h"
#include "stompest-transport-private.h"

#include "stompest-error.h"
#include "stompest-tcp-transport.h"
#include "stompest-tls-transport.h"
#include "stompest-unix-transport.h"

#ifdef G_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

/**
 * StompestTransport:
 *
 * Opens the byte stream to a STOMP broker.
 *
 * A transport has one job: given a broker URI, give back a connected
 * [class@Gio.IOStream]. The clients pick the transport by the scheme of the
 * URI through a process-wide registry, see [func@Stompest.Transport.register]
 * and [func@Stompest.Transport.lookup_for_uri]. Built in are
 * [class@Stompest.TcpTransport] (`tcp://`), [class@Stompest.TlsTransport]
 * (`ssl://` and `tls://`) and [class@Stompest.UnixTransport] (`unix://`);
 * each can be switched off when the library is built, and an application
 * can replace any of them.
 *
 * To add a scheme, for example a WebSocket tunnel or a test double,
 * implement [vfunc@Stompest.Transport.connect_async] and
 * [vfunc@Stompest.Transport.connect_finish]; the default
 * [vfunc@Stompest.Transport.connect_sync] runs that pair on a private main
 * context, so a transport written in Python works with the blocking
 * client too. GJS cannot implement a virtual function that takes a
 * callback, so a transport written in JavaScript implements
 * [vfunc@Stompest.Transport.connect_sync] instead, and serves only the
 * blocking [class@Stompest.Client]. An implementation should honour
 * `timeout_ms` and the cancellable, and name the URI in its error
 * messages. The callback must
 * run in the thread-default main context of the caller of
 * [method@Stompest.Transport.connect_async], as [class@Gio.Task] arranges;
 * the default [vfunc@Stompest.Transport.connect_sync] iterates only that
 * context.
 *
 * ```c
 * #define MY_TYPE_PIPE_TRANSPORT (my_pipe_transport_get_type ())
 * G_DECLARE_FINAL_TYPE (MyPipeTransport, my_pipe_transport, MY, PIPE_TRANSPORT, GObject)
 *
 * struct _MyPipeTransport { GObject parent_instance; };
 *
 * static void my_pipe_transport_iface_init (StompestTransportInterface *iface);
 *
 * G_DEFINE_FINAL_TYPE_WITH_CODE (MyPipeTransport, my_pipe_transport, G_TYPE_OBJECT,
 *                                G_IMPLEMENT_INTERFACE (STOMPEST_TYPE_TRANSPORT,
 *                                                       my_pipe_transport_iface_init))
 *
 * static void
 * my_pipe_transport_connect_async (StompestTransport   *transport,
 *                                  const char          *uri,
 *                                  guint                timeout_ms,
 *                                  GCancellable        *cancellable,
 *                                  GAsyncReadyCallback  callback,
 *                                  gpointer             user_data)
 * {
 *   g_autoptr(GTask) task = g_task_new (transport, cancellable, callback, user_data);
 *   g_autoptr(GError) error = NULL;
 *   GIOStream *stream;
 *
 *   g_task_set_source_tag (task, my_pipe_transport_connect_async);
 *   stream = my_pipe_open (uri, &error);   // your own code
 *   if (stream == NULL)
 *     g_task_return_new_error (task, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
 *                              "Connecting to %s failed: %s", uri, error->message);
 *   else
 *     g_task_return_pointer (task, stream, g_object_unref);
 * }
 *
 * static GIOStream *
 * my_pipe_transport_connect_finish (StompestTransport  *transport,
 *                                   GAsyncResult       *result,
 *                                   GError            **error)
 * {
 *   return g_task_propagate_pointer (G_TASK (result), error);
 * }
 *
 * static void
 * my_pipe_transport_iface_init (StompestTransportInterface *iface)
 * {
 *   iface->connect_async = my_pipe_transport_connect_async;
 *   iface->connect_finish = my_pipe_transport_connect_finish;
 * }
 *
 * static void my_pipe_transport_class_init (MyPipeTransportClass *klass) {}
 * static void my_pipe_transport_init (MyPipeTransport *self) {}
 *
 * // at start-up:
 * g_autoptr(MyPipeTransport) pipe = g_object_new (MY_TYPE_PIPE_TRANSPORT, NULL);
 * stompest_transport_register ("pipe", STOMPEST_TRANSPORT (pipe));
 * ```
 *
 * The same in Python, where the callback handed to the virtual function
 * already carries its user data:
 *
 * ```python
 * class PipeTransport(GObject.Object, Stompest.Transport):
 *     def do_connect_async(self, uri, timeout_ms, cancellable, callback, user_data):
 *         task = Gio.Task.new(self, cancellable, lambda obj, res, *_: callback(obj, res))
 *         task.return_value(open_pipe(uri))   # a Gio.IOStream
 *
 *     def do_connect_finish(self, result):
 *         ok, stream = result.propagate_value()   # raises GLib.Error
 *         return stream
 *
 * Stompest.Transport.register("pipe", PipeTransport())
 * ```
 *
 * Since: 0.1
 */

G_DEFINE_INTERFACE (StompestTransport, stompest_transport, G_TYPE_OBJECT)

/* The URI for messages: never show a password. */
static char *
uri_for_display (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;

  parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED,
                        NULL);
  if (parsed == NULL || g_uri_get_password (parsed) == NULL)
    return g_strdup (uri);

  return g_uri_to_string_partial (parsed, G_URI_HIDE_PASSWORD);
}

/* How long a transport gets, past its timeout or a cancellation, to
 * complete its task before the default connect_sync gives up on it. */
#define SYNC_CONNECT_GRACE_MS 1000

/* Shared by the blocked caller and the completion callback, so a transport
 * that completes after the caller gave up touches no freed memory. */
typedef struct
{
  GAsyncResult *result;
  GMainContext *context;
  gboolean cancelled;
} SyncConnect;

static void
sync_connect_free (SyncConnect *sync)
{
  g_clear_object (&sync->result);
}

static void
sync_connect_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SyncConnect *sync = user_data;

  sync->result = g_object_ref (result);
  g_atomic_rc_box_release_full (sync, (GDestroyNotify) sync_connect_free);
}

static void
sync_connect_cancelled (GCancellable *cancellable,
                        gpointer      user_data)
{
  SyncConnect *sync = user_data;

  /* May run in another thread: only flag and wake the waiting one. */
  g_atomic_int_set (&sync->cancelled, TRUE);
  g_main_context_wakeup (sync->context);
}

static gboolean
sync_connect_expired (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static GSource *
sync_connect_deadline_new (GMainContext *context,
                           guint         delay_ms,
                           gboolean     *expired)
{
  GSource *source = g_timeout_source_new (delay_ms);

  g_source_set_callback (source, sync_connect_expired, expired, NULL);
  g_source_set_static_name (source, "[stompest] connect_sync deadline");
  g_source_attach (source, context);
  return source;
}

/* A private context keeps the caller's main loop (if any) from running
 * while we block, as STYLE point 24 asks of synchronous calls. The
 * deadlines guard against a transport (perhaps written in another
 * language) that ignores timeout_ms or the cancellable: no call may
 * block forever. */
static GIOStream *
stompest_transport_real_connect_sync (StompestTransport  *transport,
                                      const char         *uri,
                                      guint               timeout_ms,
                                      GCancellable       *cancellable,
                                      GError            **error)
{
  GMainContext *context = g_main_context_new ();
  SyncConnect *sync = g_atomic_rc_box_new0 (SyncConnect);
  GSource *deadline = NULL;
  GSource *grace = NULL;
  gboolean expired = FALSE;
  gulong handler = 0;
  GIOStream *stream = NULL;

  sync->context = context;
  g_main_context_push_thread_default (context);

  if (timeout_ms > 0)
    deadline = sync_connect_deadline_new (context,
                                          timeout_ms + SYNC_CONNECT_GRACE_MS,
                                          &expired);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable,
                                     G_CALLBACK (sync_connect_cancelled),
                                     sync, NULL);

  stompest_transport_connect_async (transport, uri, timeout_ms, cancellable,
                                    sync_connect_done,
                                    g_atomic_rc_box_acquire (sync));
  while (sync->result == NULL && !expired)
    {
      if (grace == NULL && g_atomic_int_get (&sync->cancelled))
        grace = sync_connect_deadline_new (context, SYNC_CONNECT_GRACE_MS,
                                           &expired);
      g_main_context_iteration (context, TRUE);
    }

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  if (deadline != NULL)
    g_source_destroy (deadline);
  if (grace != NULL)
    g_source_destroy (grace);
  g_clear_pointer (&deadline, g_source_unref);
  g_clear_pointer (&grace, g_source_unref);

  if (sync->result != NULL)
    {
      stream = stompest_transport_connect_finish (transport, sync->result,
                                                  error);
    }
  else
    {
      g_autofree char *display = uri_for_display (uri);

      if (g_atomic_int_get (&sync->cancelled))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                     "Connecting to %s was cancelled, and the transport did not stop",
                     display);
      else
        g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                     "Connecting to %s timed out after %u ms: the transport did not complete",
                     display, timeout_ms);
    }

  /* Let sources the connect left behind release what they hold. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_atomic_rc_box_release_full (sync, (GDestroyNotify) sync_connect_free);
  g_main_context_unref (context);

  return stream;
}

static void
stompest_transport_default_init (StompestTransportInterface *iface)
{
  iface->connect_sync = stompest_transport_real_connect_sync;
}

/**
 * stompest_transport_connect_async:
 * @transport: a [iface@Stompest.Transport]
 * @uri: the broker URI, for example `tcp://localhost:61613`
 * @timeout_ms: the time allowed for the whole connect (name resolution,
 *   TCP and any TLS handshake), in milliseconds, or 0 for no limit
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the stream is ready or the
 *   connect failed
 * @user_data: (closure): data for @callback
 *
 * Starts connecting to the broker at @uri. @callback runs in the
 * thread-default main context of the caller; call
 * [method@Stompest.Transport.connect_finish] from it.
 *
 * Since: 0.1
 */
void
stompest_transport_connect_async (StompestTransport   *transport,
                                  const char          *uri,
                                  guint                timeout_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  StompestTransportInterface *iface;

  g_return_if_fail (STOMPEST_IS_TRANSPORT (transport));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = STOMPEST_TRANSPORT_GET_IFACE (transport);
  if (iface->connect_async == NULL)
    {
      /* E.g. a GJS transport: it can only implement connect_sync. */
      g_autofree char *display = uri_for_display (uri);

      g_task_report_new_error (transport, callback, user_data,
                               stompest_transport_connect_async,
                               STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
                               "Cannot connect to %s: %s implements no connect_async, "
                               "so it serves only blocking clients",
                               display, G_OBJECT_TYPE_NAME (transport));
      return;
    }

  iface->connect_async (transport, uri, timeout_ms, cancellable, callback,
                        user_data);
}

/**
 * stompest_transport_connect_finish:
 * @transport: a [iface@Stompest.Transport]
 * @result: the result given to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes a connect started with
 * [method@Stompest.Transport.connect_async].
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_TIMEOUT,
 * %STOMPEST_ERROR_INVALID_URI, %STOMPEST_ERROR_TRANSPORT), %G_IO_ERROR
 * (for example %G_IO_ERROR_CONNECTION_REFUSED or %G_IO_ERROR_CANCELLED)
 * and %G_TLS_ERROR. Messages name the broker URI.
 *
 * Returns: (transfer full): the connected stream, or %NULL on error
 *
 * Since: 0.1
 */
GIOStream *
stompest_transport_connect_finish (StompestTransport  *transport,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  StompestTransportInterface *iface;

  g_return_val_if_fail (STOMPEST_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_async_result_is_tagged (result, stompest_transport_connect_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = STOMPEST_TRANSPORT_GET_IFACE (transport);
  g_return_val_if_fail (iface->connect_finish != NULL, NULL);

  return iface->connect_finish (transport, result, error);
}

/**
 * stompest_transport_connect_sync:
 * @transport: a [iface@Stompest.Transport]
 * @uri: the broker URI, for example `tcp://localhost:61613`
 * @timeout_ms: the time allowed for the whole connect, in milliseconds,
 *   or 0 for no limit
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Connects to the broker at @uri and blocks until the stream is ready, the
 * timeout expires or @cancellable is cancelled. The main context of the
 * caller is not iterated meanwhile.
 *
 * The error domains are those of [method@Stompest.Transport.connect_finish].
 *
 * Returns: (transfer full): the connected stream, or %NULL on error
 *
 * Since: 0.1
 */
GIOStream *
stompest_transport_connect_sync (StompestTransport  *transport,
                                 const char         *uri,
                                 guint               timeout_ms,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  StompestTransportInterface *iface;

  g_return_val_if_fail (STOMPEST_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = STOMPEST_TRANSPORT_GET_IFACE (transport);
  g_return_val_if_fail (iface->connect_sync != NULL, NULL);

  return iface->connect_sync (transport, uri, timeout_ms, cancellable, error);
}

/* Registry */

static GMutex registry_lock;
static GHashTable *registry; /* lower-case scheme → StompestTransport */

typedef struct
{
  const char *scheme;
  const char *option; /* the meson option that builds it */
  gboolean enabled;
} BuiltinScheme;

static const BuiltinScheme builtin_schemes[] = {
  { "tcp", "tcp_transport", ENABLE_TCP_TRANSPORT },
  { "ssl", "tls_transport", ENABLE_TLS_TRANSPORT },
  { "tls", "tls_transport", ENABLE_TLS_TRANSPORT },
  { "unix", "unix_transport", ENABLE_UNIX_TRANSPORT },
};

/* The built-ins are made on first use of the registry, so a program that
 * registers its own "tcp" first never creates ours, and one that
 * unregisters a built-in does not see it come back. */
static void
ensure_registry_locked (void)
{
  if (registry != NULL)
    return;

  registry = g_hash_table_new_full (g_str_hash, g_str_equal,
                                    g_free, g_object_unref);
#if ENABLE_TCP_TRANSPORT
  g_hash_table_insert (registry, g_strdup ("tcp"),
                       stompest_tcp_transport_new ());
#endif
#if ENABLE_TLS_TRANSPORT
  {
    StompestTlsTransport *tls = stompest_tls_transport_new ();

    g_hash_table_insert (registry, g_strdup ("ssl"), g_object_ref (tls));
    g_hash_table_insert (registry, g_strdup ("tls"), tls);
  }
#endif
#if ENABLE_UNIX_TRANSPORT
  g_hash_table_insert (registry, g_strdup ("unix"),
                       stompest_unix_transport_new ());
#endif
}

/* RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static gboolean
scheme_is_valid (const char *scheme)
{
  const char *p;

  if (scheme == NULL || !g_ascii_isalpha (scheme[0]))
    return FALSE;
  for (p = scheme + 1; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/**
 * stompest_transport_register:
 * @scheme: a URI scheme, such as `ws`; compared without regard to case
 * @transport: the transport that connects URIs with @scheme
 *
 * Makes @transport the one used for broker URIs with @scheme, replacing
 * the transport registered for it before, built-in ones included. The
 * registry keeps a reference to @transport. It is shared by the whole
 * process and may be used from any thread.
 *
 * Since: 0.1
 */
void
stompest_transport_register (const char        *scheme,
                             StompestTransport *transport)
{
  g_return_if_fail (scheme_is_valid (scheme));
  g_return_if_fail (STOMPEST_IS_TRANSPORT (transport));

  g_mutex_lock (&registry_lock);
  ensure_registry_locked ();
  g_hash_table_insert (registry, g_ascii_strdown (scheme, -1),
                       g_object_ref (transport));
  g_mutex_unlock (&registry_lock);
}

/**
 * stompest_transport_unregister:
 * @scheme: a URI scheme; compared without regard to case
 *
 * Removes the transport registered for @scheme, if any. A built-in
 * transport removed this way stays removed until it is registered again.
 *
 * Returns: %TRUE if a transport was registered for @scheme
 *
 * Since: 0.1
 */
gboolean
stompest_transport_unregister (const char *scheme)
{
  g_autofree char *key = NULL;
  gboolean removed;

  g_return_val_if_fail (scheme != NULL, FALSE);

  key = g_ascii_strdown (scheme, -1);
  g_mutex_lock (&registry_lock);
  ensure_registry_locked ();
  removed = g_hash_table_remove (registry, key);
  g_mutex_unlock (&registry_lock);

  return removed;
}

/**
 * stompest_transport_lookup:
 * @scheme: a URI scheme; compared without regard to case
 *
 * Finds the transport registered for @scheme.
 *
 * Returns: (transfer full) (nullable): the transport, or %NULL when none is
 *   registered for @scheme
 *
 * Since: 0.1
 */
StompestTransport *
stompest_transport_lookup (const char *scheme)
{
  g_autofree char *key = NULL;
  StompestTransport *transport;

  g_return_val_if_fail (scheme != NULL, NULL);

  key = g_ascii_strdown (scheme, -1);
  g_mutex_lock (&registry_lock);
  ensure_registry_locked ();
  transport = g_hash_table_lookup (registry, key);
  if (transport != NULL)
    g_object_ref (transport);
  g_mutex_unlock (&registry_lock);

  return transport;
}

/**
 * stompest_transport_lookup_for_uri:
 * @uri: a broker URI, for example `tcp://localhost:61613`
 * @error: return location for a [struct@GLib.Error]
 *
 * Finds the transport registered for the scheme of @uri.
 *
 * Fails with %STOMPEST_ERROR_INVALID_URI when @uri is not a URI and with
 * %STOMPEST_ERROR_TRANSPORT when no transport is registered for its scheme
 * (the message says so when the library was built without that transport).
 *
 * Returns: (transfer full): the transport, or %NULL on error
 *
 * Since: 0.1
 */
StompestTransport *
stompest_transport_lookup_for_uri (const char  *uri,
                                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;
  const char *scheme;
  StompestTransport *transport;
  gsize i;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_uri_is_valid (uri, G_URI_FLAGS_NONE, &local_error))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid broker URI: %s", local_error->message);
      return NULL;
    }

  scheme = g_uri_peek_scheme (uri);
  transport = stompest_transport_lookup (scheme);
  if (transport != NULL)
    return transport;

  display = uri_for_display (uri);

  for (i = 0; i < G_N_ELEMENTS (builtin_schemes); i++)
    if (!builtin_schemes[i].enabled &&
        g_str_equal (builtin_schemes[i].scheme, scheme))
      {
        g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
                     "no transport registered for scheme '%s' (uri %s): "
                     "stompest-glib was built without it (meson option %s)",
                     scheme, display, builtin_schemes[i].option);
        return NULL;
      }

  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
               "no transport registered for scheme '%s' (uri %s)",
               scheme, display);
  return NULL;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * stompest_transport_list_schemes:
 *
 * Lists the URI schemes that have a transport, in alphabetical order.
 *
 * Returns: (transfer full) (array zero-terminated=1): the lower-case
 *   schemes
 *
 * Since: 0.1
 */
char **
stompest_transport_list_schemes (void)
{
  GPtrArray *schemes = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&registry_lock);
  ensure_registry_locked ();
  g_hash_table_iter_init (&iter, registry);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (schemes, g_strdup (key));
  g_mutex_unlock (&registry_lock);

  g_ptr_array_sort (schemes, compare_strings);
  g_ptr_array_add (schemes, NULL);

  return (char **) g_ptr_array_free (schemes, FALSE);
}

/* Plumbing of the built-in transports (stompest-transport-private.h) */

typedef struct
{
  char *uri;
  guint timeout_ms;
  GCancellable *cancellable;        /* ours, passed to GIO */
  GCancellable *caller_cancellable; /* nullable */
  gulong caller_handler;
  GSource *timeout_source;          /* nullable */
  gboolean timed_out;
  gpointer impl_data;
  GDestroyNotify impl_data_free;
} ConnectData;

static void
connect_data_stop (ConnectData *data)
{
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_clear_pointer (&data->timeout_source, g_source_unref);
    }
  if (data->caller_handler != 0)
    {
      g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
      data->caller_handler = 0;
    }
}

static void
connect_data_free (ConnectData *data)
{
  connect_data_stop (data);
  if (data->impl_data_free != NULL)
    data->impl_data_free (data->impl_data);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  g_free (data->uri);
  g_free (data);
}

static void
caller_cancelled (GCancellable *caller_cancellable,
                  gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
connect_timed_out (gpointer user_data)
{
  ConnectData *data = user_data;

  data->timed_out = TRUE;
  g_cancellable_cancel (data->cancellable);
  g_clear_pointer (&data->timeout_source, g_source_unref);

  return G_SOURCE_REMOVE;
}

GTask *
stompest_transport_task_new (gpointer             source_object,
                             gpointer             source_tag,
                             const char          *uri,
                             guint                timeout_ms,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  ConnectData *data;

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  /* return_stream/return_error decide between cancelled and timed out,
   * and keep the URI in the message. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (ConnectData, 1);
  data->uri = uri_for_display (uri);
  data->timeout_ms = timeout_ms;
  data->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_handler = g_cancellable_connect (cancellable,
                                                    G_CALLBACK (caller_cancelled),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }

  if (timeout_ms > 0)
    {
      data->timeout_source = g_timeout_source_new (timeout_ms);
      g_source_set_callback (data->timeout_source, connect_timed_out, data, NULL);
      g_source_set_static_name (data->timeout_source, "[stompest] connect timeout");
      g_source_attach (data->timeout_source, g_task_get_context (task));
    }

  return task;
}

void
stompest_transport_task_set_impl_data (GTask          *task,
                                       gpointer        impl_data,
                                       GDestroyNotify  impl_data_free)
{
  ConnectData *data = g_task_get_task_data (task);

  g_assert (data->impl_data == NULL);
  data->impl_data = impl_data;
  data->impl_data_free = impl_data_free;
}

gpointer
stompest_transport_task_get_impl_data (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);

  return data->impl_data;
}

const char *
stompest_transport_task_get_uri (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);

  return data->uri;
}

GCancellable *
stompest_transport_task_get_cancellable (GTask *task)
{
  ConnectData *data = g_task_get_task_data (task);

  return data->cancellable;
}

void
stompest_transport_task_return_error (GTask  *task,
                                      GError *error)
{
  ConnectData *data = g_task_get_task_data (task);
  gboolean by_caller = data->caller_cancellable != NULL &&
                       g_cancellable_is_cancelled (data->caller_cancellable);

  connect_data_stop (data);

  if (data->timed_out && !by_caller &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                           "Connecting to %s timed out after %u ms",
                           data->uri, data->timeout_ms);
    }
  else if (error->domain != STOMPEST_ERROR)
    {
      g_prefix_error (&error, "Connecting to %s failed: ", data->uri);
    }

  g_task_return_error (task, error);
}

void
stompest_transport_task_return_stream (GTask     *task,
                                       GIOStream *stream)
{
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (data->cancellable, &error))
    {
      /* The result raced with a cancel or the timer: the caller was, or
       * is about to be, told the connect is over. */
      g_object_unref (stream);
      stompest_transport_task_return_error (task, error);
      return;
    }

  connect_data_stop (data);
  g_task_return_pointer (task, stream, g_object_unref);
}

GIOStream *
stompest_transport_task_finish (gpointer       source_object,
                                GAsyncResult  *result,
                                gpointer       source_tag,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source_object), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
stompest_transport_task_return_disabled (GTask      *task,
                                         const char *scheme)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (builtin_schemes); i++)
    if (g_str_equal (builtin_schemes[i].scheme, scheme))
      break;
  g_assert (i < G_N_ELEMENTS (builtin_schemes));

  stompest_transport_task_return_error (task,
    g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
                 "Cannot connect to %s: stompest-glib was built without "
                 "this transport (meson option %s)",
                 stompest_transport_task_get_uri (task),
                 builtin_schemes[i].option));
}

GSocketConnectable *
stompest_transport_parse_network_uri (const char  *uri,
                                      GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = uri_for_display (uri);
  const char *host;
  int port;

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid broker URI: %s", local_error->message);
      return NULL;
    }

  host = g_uri_get_host (parsed);
  port = g_uri_get_port (parsed);
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Broker URI %s has no host (expected %s://host:port)",
                   display, g_uri_get_scheme (parsed));
      return NULL;
    }
  if (port <= 0)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Broker URI %s has no port (expected %s://host:port)",
                   display, g_uri_get_scheme (parsed));
      return NULL;
    }

  return g_network_address_new (host, (guint16) port);
}

static void
socket_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GSocketConnection *connection;
  GError *error = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source),
                                               result, &error);
  if (connection == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, connection, g_object_unref);
}

/* An inner task carries the socket to the transport's callback, so that
 * callback receives the transport's task as its user data. */
void
stompest_transport_connect_socket_async (GTask               *task,
                                         GSocketConnectable  *connectable,
                                         GAsyncReadyCallback  callback)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GTask *inner;

  inner = g_task_new (g_task_get_source_object (task),
                      stompest_transport_task_get_cancellable (task),
                      callback, g_object_ref (task));
  g_task_set_source_tag (inner, stompest_transport_connect_socket_async);

  /* Proxies are looked up for network addresses only. */
  if (!G_IS_NETWORK_ADDRESS (connectable))
    g_socket_client_set_enable_proxy (client, FALSE);

  g_socket_client_connect_async (client, connectable,
                                 stompest_transport_task_get_cancellable (task),
                                 socket_connected, inner);
}

static void
set_tcp_options (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  GSocketFamily family = g_socket_get_family (socket);

  if (family != G_SOCKET_FAMILY_IPV4 && family != G_SOCKET_FAMILY_IPV6)
    return;

  /* STOMP writes small frames and waits for answers: Nagle would hold each
   * one back for a round trip. */
  g_socket_set_keepalive (socket, TRUE);
#ifdef G_OS_UNIX
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    g_debug ("Could not set TCP_NODELAY: %s", error->message);
#endif
}

GSocketConnection *
stompest_transport_connect_socket_finish (GAsyncResult  *result,
                                          GError       **error)
{
  GSocketConnection *connection;

  g_return_val_if_fail (g_async_result_is_tagged (result, stompest_transport_connect_socket_async), NULL);

  connection = g_task_propagate_pointer (G_TASK (result), error);
  if (connection != NULL)
    set_tcp_options (g_socket_connection_get_socket (connection));

  return connection;
}

static void
task_socket_connected (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GSocketConnection *connection;
  GError *error = NULL;

  connection = stompest_transport_connect_socket_finish (result, &error);
  if (connection == NULL)
    stompest_transport_task_return_error (task, error);
  else
    stompest_transport_task_return_stream (task, G_IO_STREAM (connection));
}

void
stompest_transport_task_connect_socket (GTask              *task,
                                        GSocketConnectable *connectable)
{
  stompest_transport_connect_socket_async (task, connectable,
                                           task_socket_connected);
}

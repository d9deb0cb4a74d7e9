/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#if ENABLE_UNIX_TRANSPORT
#include <gio/gunixsocketaddress.h>
#endif

#include "stompest-parser.h"
#include "test-utils.h"

gboolean
stompest_test_under_valgrind (void)
{
  return g_getenv ("STOMPEST_TEST_UNDER_VALGRIND") != NULL;
}

gboolean
stompest_test_under_asan (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return TRUE;
#else
  return FALSE;
#endif
}

static GMutex log_mutex;
static GString *captured_log;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&log_mutex);
  if (captured_log != NULL)
    {
      for (gsize i = 0; i < n_fields; i++)
        {
          if (strcmp (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
            {
              g_string_append (captured_log, fields[i].value);
              g_string_append_c (captured_log, '\n');
            }
        }
    }
  g_mutex_unlock (&log_mutex);

  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
stompest_test_log_capture_install (void)
{
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
stompest_test_log_capture_begin (void)
{
  g_mutex_lock (&log_mutex);
  g_assert_null (captured_log);
  captured_log = g_string_new (NULL);
  g_mutex_unlock (&log_mutex);
}

char *
stompest_test_log_capture_end (void)
{
  char *log;

  g_mutex_lock (&log_mutex);
  log = g_string_free (g_steal_pointer (&captured_log), FALSE);
  g_mutex_unlock (&log_mutex);
  return log;
}

#if defined(__SANITIZE_ADDRESS__)
/* The threads of GLib's shared thread pool (GTask workers, named
 * "pool-<prgname>"; not "pool-spawner", which lives as long as the
 * process). */
static guint
count_pool_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) &&
          g_str_has_prefix (comm, "pool-") && !g_str_has_prefix (comm, "pool-spawner"))
        n++;
    }
  return n;
}

/* LeakSanitizer's check at exit crashes ("Tracer caught signal 11",
 * after "DTLS ... at <bogus range>") when a thread that used the
 * thread-local storage of a dlopen()ed library is still alive: GnuTLS,
 * which GIO's TLS module loads, in a GTask worker that ran a handshake.
 * GLib keeps such idle workers for up to 15 s. The tests join their own
 * threads; this lets GLib's idle workers end before the check (atexit
 * handlers run in reverse order, so before LeakSanitizer's). A worker
 * still busy after 10 s is left alone. */
static void
retire_idle_pool_threads (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* Unused workers exit at once; busy ones, or ones waiting for more
   * work in their pool (half a second), on their way to the unused. */
  g_thread_pool_set_max_unused_threads (0);
  while (count_pool_threads () > 0 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
}
#endif

void
stompest_test_init (int    *argc,
                    char ***argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (argc, argv, NULL);
#if defined(__SANITIZE_ADDRESS__)
  atexit (retire_idle_pool_threads);
#endif
}

char *
stompest_test_get_filename (const char *first_part,
                            ...)
{
  va_list args;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  const char *part;

  g_ptr_array_add (parts, (gpointer) (srcdir ? srcdir : "."));
  va_start (args, first_part);
  for (part = first_part; part != NULL; part = va_arg (args, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (args);
  g_ptr_array_add (parts, NULL);

  return g_build_filenamev ((char **) parts->pdata);
}

const char *
stompest_test_broker_uri_from_env (const char *var)
{
  const char *value = g_getenv (var);
  g_autofree char *reason = NULL;

  if (value != NULL && *value != '\0')
    return value;

  reason = g_strdup_printf ("%s is not set: no real broker to test against "
                            "(scripts/run-tests.sh starts them)", var);
  g_test_skip (reason);
  return NULL;
}

/* The fake broker. Everything marked "under mutex" is shared between the
 * broker's context and the test; the rest belongs to the broker's
 * context. */

typedef enum {
  ACTION_WRITE,
  ACTION_DRIBBLE,
  ACTION_DELAY,
  ACTION_CLOSE,
} ActionKind;

typedef struct {
  ActionKind kind;
  GBytes *bytes;
  gsize offset;
  guint delay_ms;
} Action;

typedef struct {
  StompestTestConnection *connection;
  char *id;
  char *destination;
  StompestAckMode ack_mode;
} Subscription;

struct _StompestTestConnection {
  StompestTestBroker *broker;
  guint index;
  GIOStream *stream;
  GSource *read_source;
  StompestParser *parser;
  guint64 heart_beats;

  /* under mutex */
  StompestVersion version;
  GQueue actions;
  GSource *runner;
  gboolean closed;
};

struct _StompestTestBroker {
  StompestTestBrokerFlags flags;
  GMainContext *context;
  GThread *thread;
  GSocketListener *listener;
  GCancellable *cancellable;
  gboolean accept_pending;
  gint quit;
  char *uri;
  char *tmpdir;
  char *socket_path;
  GAsyncQueue *direct;

  GMutex mutex;
  GCond cond;

  /* under mutex */
  StompestTestFrameFunc func;
  gpointer func_data;
  StompestVersion max_version;
  guint heart_beat_send;
  guint heart_beat_receive;
  gboolean receipt_first;
  GPtrArray *connections;
  GQueue frames;
  guint64 heart_beats;
  GPtrArray *subscriptions;
  guint counter;
};

static void
action_free (Action *action)
{
  g_clear_pointer (&action->bytes, g_bytes_unref);
  g_free (action);
}

static void
subscription_free (Subscription *sub)
{
  g_free (sub->id);
  g_free (sub->destination);
  g_free (sub);
}

static void
connection_free (StompestTestConnection *connection)
{
  g_queue_clear_full (&connection->actions, (GDestroyNotify) action_free);
  g_clear_object (&connection->parser);
  g_clear_object (&connection->stream);
  g_free (connection);
}

static gboolean
timer_fired (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Waits, with the mutex held, until CHECK is TRUE or TIMEOUT_MS passed.
 * Without a thread of its own, the broker's context is iterated here. */
static gboolean
broker_wait_locked (StompestTestBroker *broker,
                    gboolean          (*check) (StompestTestBroker *, gpointer),
                    gpointer            data,
                    guint               timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!check (broker, data))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;

      if (broker->flags & STOMPEST_TEST_BROKER_IN_THREAD)
        {
          g_cond_wait_until (&broker->cond, &broker->mutex, deadline);
        }
      else
        {
          GSource *timer = g_timeout_source_new (1 + (deadline - g_get_monotonic_time ()) / 1000);

          /* Only there to wake the iteration up. */
          g_source_set_callback (timer, timer_fired, NULL, NULL);
          g_source_attach (timer, broker->context);
          g_mutex_unlock (&broker->mutex);
          g_main_context_iteration (broker->context, TRUE);
          g_mutex_lock (&broker->mutex);
          g_source_destroy (timer);
          g_source_unref (timer);
        }
    }

  return TRUE;
}

static void connection_schedule_locked (StompestTestConnection *connection,
                                        guint                   delay_ms);

static void
connection_shutdown (StompestTestConnection *connection)
{
  StompestTestBroker *broker = connection->broker;

  if (connection->read_source != NULL)
    {
      g_source_destroy (connection->read_source);
      g_clear_pointer (&connection->read_source, g_source_unref);
    }

  g_mutex_lock (&broker->mutex);
  if (!connection->closed)
    {
      connection->closed = TRUE;
      g_io_stream_close (connection->stream, NULL, NULL);
    }
  if (connection->runner != NULL)
    {
      g_source_destroy (connection->runner);
      g_clear_pointer (&connection->runner, g_source_unref);
    }
  g_queue_clear_full (&connection->actions, (GDestroyNotify) action_free);
  for (guint i = broker->subscriptions->len; i > 0; i--)
    {
      Subscription *sub = g_ptr_array_index (broker->subscriptions, i - 1);

      if (sub->connection == connection)
        g_ptr_array_remove_index (broker->subscriptions, i - 1);
    }
  g_cond_broadcast (&broker->cond);
  g_mutex_unlock (&broker->mutex);
}

static gboolean
connection_run_actions (gpointer data)
{
  StompestTestConnection *connection = data;
  StompestTestBroker *broker = connection->broker;
  GOutputStream *out = g_io_stream_get_output_stream (connection->stream);

  for (;;)
    {
      Action *action;
      gsize len;
      const char *bytes;

      g_mutex_lock (&broker->mutex);
      action = g_queue_peek_head (&connection->actions);
      if (action == NULL || connection->closed)
        {
          g_clear_pointer (&connection->runner, g_source_unref);
          g_mutex_unlock (&broker->mutex);
          return G_SOURCE_REMOVE;
        }
      g_mutex_unlock (&broker->mutex);

      bytes = action->bytes ? g_bytes_get_data (action->bytes, &len) : NULL;

      switch (action->kind)
        {
        case ACTION_WRITE:
        case ACTION_DRIBBLE:
          {
            gsize chunk = action->kind == ACTION_WRITE ? len - action->offset : 1;

            /* A client that went away is noticed by the read side. */
            if (!g_output_stream_write_all (out, bytes + action->offset, chunk,
                                            NULL, NULL, NULL))
              action->offset = len;
            else
              action->offset += chunk;
            if (action->offset < len)
              {
                g_mutex_lock (&broker->mutex);
                connection_schedule_locked (connection, 1);
                g_mutex_unlock (&broker->mutex);
                return G_SOURCE_REMOVE;
              }
          }
          break;

        case ACTION_DELAY:
          g_mutex_lock (&broker->mutex);
          g_queue_pop_head (&connection->actions);
          connection_schedule_locked (connection, action->delay_ms);
          g_mutex_unlock (&broker->mutex);
          action_free (action);
          return G_SOURCE_REMOVE;

        case ACTION_CLOSE:
          connection_shutdown (connection);
          return G_SOURCE_REMOVE;
        }

      g_mutex_lock (&broker->mutex);
      g_queue_pop_head (&connection->actions);
      g_mutex_unlock (&broker->mutex);
      action_free (action);
    }
}

/* Replaces the pending runner of CONNECTION by one that fires after
 * DELAY_MS (0: at once). */
static void
connection_schedule_locked (StompestTestConnection *connection,
                            guint                   delay_ms)
{
  GSource *runner;

  if (connection->runner != NULL)
    {
      g_source_destroy (connection->runner);
      g_source_unref (connection->runner);
    }
  runner = delay_ms > 0 ? g_timeout_source_new (delay_ms) : g_idle_source_new ();
  g_source_set_callback (runner, connection_run_actions, connection, NULL);
  g_source_attach (runner, connection->broker->context);
  connection->runner = runner;
}

static void
connection_queue (StompestTestConnection *connection,
                  Action                 *action)
{
  StompestTestBroker *broker = connection->broker;

  g_mutex_lock (&broker->mutex);
  g_queue_push_tail (&connection->actions, action);
  if (connection->runner == NULL && !connection->closed)
    connection_schedule_locked (connection, 0);
  g_mutex_unlock (&broker->mutex);
}

static void
connection_queue_bytes (StompestTestConnection *connection,
                        ActionKind              kind,
                        const char             *data,
                        gssize                  len)
{
  Action *action = g_new0 (Action, 1);

  action->kind = kind;
  action->bytes = g_bytes_new (data, len < 0 ? strlen (data) : (gsize) len);
  connection_queue (connection, action);
}

void
stompest_test_connection_send_raw (StompestTestConnection *connection,
                                   const char             *data,
                                   gssize                  len)
{
  connection_queue_bytes (connection, ACTION_WRITE, data, len);
}

void
stompest_test_connection_dribble (StompestTestConnection *connection,
                                  const char             *data,
                                  gssize                  len)
{
  connection_queue_bytes (connection, ACTION_DRIBBLE, data, len);
}

void
stompest_test_connection_delay (StompestTestConnection *connection,
                                guint                   delay_ms)
{
  Action *action = g_new0 (Action, 1);

  action->kind = ACTION_DELAY;
  action->delay_ms = delay_ms;
  connection_queue (connection, action);
}

void
stompest_test_connection_close (StompestTestConnection *connection)
{
  Action *action = g_new0 (Action, 1);

  action->kind = ACTION_CLOSE;
  connection_queue (connection, action);
}

void
stompest_test_connection_send_frame (StompestTestConnection *connection,
                                     StompestFrame          *frame)
{
  StompestTestBroker *broker = connection->broker;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Action *action;

  /* Queued and compiled under the lock, so a CONNECTED switches the
   * version for exactly the frames queued after it. */
  g_mutex_lock (&broker->mutex);
  bytes = stompest_frame_to_bytes (frame, connection->version,
                                   STOMPEST_COMPILE_FLAGS_NONE, &error);
  g_assert_no_error (error);
  if (g_strcmp0 (stompest_frame_get_command (frame), "CONNECTED") == 0)
    {
      const char *version = stompest_frame_get_header (frame, "version");

      if (version == NULL || !stompest_version_from_string (version, &connection->version))
        connection->version = STOMPEST_VERSION_STOMP_1_0;
    }
  g_mutex_unlock (&broker->mutex);

  action = g_new0 (Action, 1);
  action->kind = ACTION_WRITE;
  action->bytes = g_steal_pointer (&bytes);
  connection_queue (connection, action);
}

static void
connection_send_receipt (StompestTestConnection *connection,
                         StompestFrame          *frame)
{
  const char *receipt = stompest_frame_get_header (frame, "receipt");
  g_autoptr(StompestFrame) reply = NULL;

  if (receipt == NULL)
    return;
  reply = stompest_frame_new ("RECEIPT");
  stompest_frame_add_header (reply, "receipt-id", receipt);
  stompest_test_connection_send_frame (connection, reply);
}

static void
connection_reply_connect (StompestTestConnection *connection,
                          StompestFrame          *frame)
{
  StompestTestBroker *broker = connection->broker;
  const char *accept = stompest_frame_get_header (frame, "accept-version");
  g_auto(GStrv) offered = g_strsplit (accept ? accept : "1.0", ",", -1);
  g_autoptr(StompestFrame) reply = NULL;
  g_autofree char *session = NULL;
  g_autofree char *heart_beat = NULL;
  StompestVersion best = 0;

  g_mutex_lock (&broker->mutex);
  for (guint i = 0; offered[i] != NULL; i++)
    {
      StompestVersion version;

      if (stompest_version_from_string (g_strstrip (offered[i]), &version) &&
          version <= broker->max_version && version > best)
        best = version;
    }
  session = g_strdup_printf ("session-%u", connection->index);
  heart_beat = g_strdup_printf ("%u,%u", broker->heart_beat_send, broker->heart_beat_receive);
  g_mutex_unlock (&broker->mutex);

  if (best == 0)
    {
      reply = stompest_frame_new ("ERROR");
      stompest_frame_add_header (reply, "message", "Version mismatch");
      stompest_test_connection_send_frame (connection, reply);
      stompest_test_connection_close (connection);
      return;
    }

  reply = stompest_frame_new ("CONNECTED");
  stompest_frame_add_header (reply, "version", stompest_version_to_string (best));
  stompest_frame_add_header (reply, "server", "stompest-test-broker/1.0");
  stompest_frame_add_header (reply, "session", session);
  stompest_frame_add_header (reply, "heart-beat", heart_beat);
  stompest_test_connection_send_frame (connection, reply);
}

static const char *
subscription_key (StompestFrame *frame)
{
  const char *id = stompest_frame_get_header (frame, "id");

  /* STOMP 1.0 subscriptions may go by destination alone. */
  return id ? id : stompest_frame_get_header (frame, "destination");
}

static void
connection_route_send (StompestTestConnection *connection,
                       StompestFrame          *frame)
{
  StompestTestBroker *broker = connection->broker;
  const char *destination = stompest_frame_get_header (frame, "destination");
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) stompest_frame_unref);
  g_autoptr(GPtrArray) targets = g_ptr_array_new ();

  g_mutex_lock (&broker->mutex);
  for (guint i = 0; i < broker->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (broker->subscriptions, i);
      StompestFrame *message;
      g_autofree char *message_id = NULL;

      if (g_strcmp0 (sub->destination, destination) != 0)
        continue;

      message_id = g_strdup_printf ("message-%u", ++broker->counter);
      message = stompest_frame_new ("MESSAGE");
      stompest_frame_add_header (message, "destination", destination);
      stompest_frame_add_header (message, "message-id", message_id);
      stompest_frame_add_header (message, "subscription", sub->id);
      if (sub->ack_mode != STOMPEST_ACK_MODE_AUTO &&
          sub->connection->version >= STOMPEST_VERSION_STOMP_1_2)
        stompest_frame_add_header (message, "ack", message_id);
      for (guint h = 0; h < stompest_frame_get_n_headers (frame); h++)
        {
          const char *name = stompest_frame_get_header_name (frame, h);

          if (strcmp (name, "destination") != 0 && strcmp (name, "receipt") != 0 &&
              strcmp (name, "content-length") != 0 && strcmp (name, "transaction") != 0)
            stompest_frame_add_header (message, name, stompest_frame_get_header_value (frame, h));
        }
      stompest_frame_set_body (message, stompest_frame_get_body (frame));
      g_ptr_array_add (messages, message);
      g_ptr_array_add (targets, sub->connection);
    }
  g_mutex_unlock (&broker->mutex);

  /* Targets stay alive: connections are only freed with the broker. */
  for (guint i = 0; i < messages->len; i++)
    stompest_test_connection_send_frame (g_ptr_array_index (targets, i),
                                         g_ptr_array_index (messages, i));
}

void
stompest_test_connection_reply_default (StompestTestConnection *connection,
                                        StompestFrame          *frame)
{
  StompestTestBroker *broker = connection->broker;
  const char *command = stompest_frame_get_command (frame);

  if (strcmp (command, "CONNECT") == 0 || strcmp (command, "STOMP") == 0)
    {
      connection_reply_connect (connection, frame);
    }
  else if (strcmp (command, "DISCONNECT") == 0)
    {
      connection_send_receipt (connection, frame);
      stompest_test_connection_close (connection);
    }
  else if (strcmp (command, "SUBSCRIBE") == 0)
    {
      Subscription *sub = g_new0 (Subscription, 1);
      const char *ack = stompest_frame_get_header (frame, "ack");

      sub->connection = connection;
      sub->id = g_strdup (subscription_key (frame));
      sub->destination = g_strdup (stompest_frame_get_header (frame, "destination"));
      if (ack == NULL || !stompest_ack_mode_from_string (ack, &sub->ack_mode))
        sub->ack_mode = STOMPEST_ACK_MODE_AUTO;
      g_mutex_lock (&broker->mutex);
      g_ptr_array_add (broker->subscriptions, sub);
      g_mutex_unlock (&broker->mutex);
      connection_send_receipt (connection, frame);
    }
  else if (strcmp (command, "UNSUBSCRIBE") == 0)
    {
      const char *key = subscription_key (frame);

      g_mutex_lock (&broker->mutex);
      for (guint i = broker->subscriptions->len; i > 0; i--)
        {
          Subscription *sub = g_ptr_array_index (broker->subscriptions, i - 1);

          if (sub->connection == connection && g_strcmp0 (sub->id, key) == 0)
            g_ptr_array_remove_index (broker->subscriptions, i - 1);
        }
      g_mutex_unlock (&broker->mutex);
      connection_send_receipt (connection, frame);
    }
  else if (strcmp (command, "SEND") == 0)
    {
      gboolean receipt_first;

      g_mutex_lock (&broker->mutex);
      receipt_first = broker->receipt_first;
      g_mutex_unlock (&broker->mutex);

      if (receipt_first)
        connection_send_receipt (connection, frame);
      connection_route_send (connection, frame);
      if (!receipt_first)
        connection_send_receipt (connection, frame);
    }
  else
    {
      connection_send_receipt (connection, frame);
    }
}

static gboolean
connection_on_readable (GObject  *stream,
                        gpointer  data)
{
  StompestTestConnection *connection = data;
  StompestTestBroker *broker = connection->broker;
  guint8 buffer[65536];
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream),
                                                buffer, sizeof buffer, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      connection_shutdown (connection);
      return G_SOURCE_REMOVE;
    }

  g_mutex_lock (&broker->mutex);
  stompest_parser_set_version (connection->parser, connection->version);
  g_mutex_unlock (&broker->mutex);
  stompest_parser_feed (connection->parser, buffer, n);

  for (;;)
    {
      g_autoptr(StompestFrame) frame = NULL;
      StompestTestFrameFunc func;
      gpointer func_data;

      frame = stompest_parser_next_frame (connection->parser, &error);

      g_mutex_lock (&broker->mutex);
      if (frame != NULL)
        g_queue_push_tail (&broker->frames, stompest_frame_ref (frame));
      g_cond_broadcast (&broker->cond);
      func = broker->func;
      func_data = broker->func_data;
      g_mutex_unlock (&broker->mutex);

      if (error != NULL)
        {
          g_test_message ("fake broker: connection %u: %s", connection->index, error->message);
          connection_shutdown (connection);
          return G_SOURCE_REMOVE;
        }
      if (frame == NULL)
        break;

      if (func == NULL || !func (connection, frame, func_data))
        stompest_test_connection_reply_default (connection, frame);

      /* The frame function may have closed the connection. */
      if (connection->read_source == NULL)
        return G_SOURCE_REMOVE;
    }

  g_mutex_lock (&broker->mutex);
  broker->heart_beats += stompest_parser_get_heart_beats (connection->parser) - connection->heart_beats;
  connection->heart_beats = stompest_parser_get_heart_beats (connection->parser);
  g_mutex_unlock (&broker->mutex);

  return G_SOURCE_CONTINUE;
}

static void broker_accept_next (StompestTestBroker *broker);

static void
broker_on_accept (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  StompestTestBroker *broker = data;
  g_autoptr(GSocketConnection) stream = NULL;
  StompestTestConnection *connection;
  GInputStream *in;

  broker->accept_pending = FALSE;
  stream = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, NULL);
  if (stream == NULL || g_atomic_int_get (&broker->quit))
    return;

  if (broker->flags & STOMPEST_TEST_BROKER_DIRECT)
    {
      g_mutex_lock (&broker->mutex);
      g_async_queue_push (broker->direct, g_steal_pointer (&stream));
      g_cond_broadcast (&broker->cond);
      g_mutex_unlock (&broker->mutex);
      broker_accept_next (broker);
      return;
    }

  connection = g_new0 (StompestTestConnection, 1);
  connection->broker = broker;
  connection->stream = G_IO_STREAM (g_steal_pointer (&stream));
  connection->parser = stompest_parser_new ();
  connection->version = STOMPEST_VERSION_STOMP_1_2;
  g_queue_init (&connection->actions);

  in = g_io_stream_get_input_stream (connection->stream);
  connection->read_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
  g_source_set_callback (connection->read_source, G_SOURCE_FUNC (connection_on_readable),
                         connection, NULL);
  g_source_attach (connection->read_source, broker->context);

  g_mutex_lock (&broker->mutex);
  connection->index = broker->connections->len;
  g_ptr_array_add (broker->connections, connection);
  g_cond_broadcast (&broker->cond);
  g_mutex_unlock (&broker->mutex);

  broker_accept_next (broker);
}

static void
broker_accept_next (StompestTestBroker *broker)
{
  /* The accept attaches to the thread-default context. */
  g_main_context_push_thread_default (broker->context);
  broker->accept_pending = TRUE;
  g_socket_listener_accept_async (broker->listener, broker->cancellable,
                                  broker_on_accept, broker);
  g_main_context_pop_thread_default (broker->context);
}

static void
broker_close_connections (StompestTestBroker *broker)
{
  g_cancellable_cancel (broker->cancellable);
  while (broker->accept_pending)
    g_main_context_iteration (broker->context, TRUE);

  for (guint i = 0; i < broker->connections->len; i++)
    connection_shutdown (g_ptr_array_index (broker->connections, i));
}

static gpointer
broker_thread (gpointer data)
{
  StompestTestBroker *broker = data;

  g_main_context_push_thread_default (broker->context);
  broker_accept_next (broker);
  while (!g_atomic_int_get (&broker->quit))
    g_main_context_iteration (broker->context, TRUE);
  broker_close_connections (broker);
  g_main_context_pop_thread_default (broker->context);

  return NULL;
}

StompestTestBroker *
stompest_test_broker_new (StompestTestBrokerFlags flags)
{
  StompestTestBroker *broker = g_new0 (StompestTestBroker, 1);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  broker->flags = flags;
  broker->max_version = STOMPEST_VERSION_STOMP_1_2;
  broker->connections = g_ptr_array_new_with_free_func ((GDestroyNotify) connection_free);
  broker->subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_free);
  broker->direct = g_async_queue_new_full (g_object_unref);
  broker->cancellable = g_cancellable_new ();
  broker->listener = g_socket_listener_new ();
  g_queue_init (&broker->frames);
  g_mutex_init (&broker->mutex);
  g_cond_init (&broker->cond);

  if (flags & STOMPEST_TEST_BROKER_UNIX_SOCKET)
    {
#if ENABLE_UNIX_TRANSPORT
      broker->tmpdir = g_dir_make_tmp ("stompest-test-XXXXXX", &error);
      g_assert_no_error (error);
      broker->socket_path = g_build_filename (broker->tmpdir, "broker.sock", NULL);
      address = g_unix_socket_address_new (broker->socket_path);
#else
      g_assert_not_reached ();
#endif
    }
  else
    {
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

      address = g_inet_socket_address_new (loopback, 0);
    }

  g_socket_listener_add_address (broker->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, &effective, &error);
  g_assert_no_error (error);

  if (broker->socket_path != NULL)
    broker->uri = g_strconcat ("unix://", broker->socket_path, NULL);
  else
    broker->uri = g_strdup_printf ("tcp://127.0.0.1:%u",
                                   g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));

  if (flags & STOMPEST_TEST_BROKER_IN_THREAD)
    {
      broker->context = g_main_context_new ();
      broker->thread = g_thread_new ("fake-broker", broker_thread, broker);
    }
  else
    {
      broker->context = g_main_context_ref_thread_default ();
      broker_accept_next (broker);
    }

  return broker;
}

void
stompest_test_broker_free (StompestTestBroker *broker)
{
  if (broker->thread != NULL)
    {
      g_atomic_int_set (&broker->quit, TRUE);
      g_main_context_wakeup (broker->context);
      g_thread_join (broker->thread);
    }
  else
    {
      g_atomic_int_set (&broker->quit, TRUE);
      broker_close_connections (broker);
    }

  g_socket_listener_close (broker->listener);
  g_clear_object (&broker->listener);
  g_clear_object (&broker->cancellable);
  g_ptr_array_unref (broker->subscriptions);
  g_ptr_array_unref (broker->connections);
  g_queue_clear_full (&broker->frames, (GDestroyNotify) stompest_frame_unref);
  g_async_queue_unref (broker->direct);
  g_main_context_unref (broker->context);
  g_mutex_clear (&broker->mutex);
  g_cond_clear (&broker->cond);

  if (broker->socket_path != NULL)
    g_unlink (broker->socket_path);
  if (broker->tmpdir != NULL)
    g_rmdir (broker->tmpdir);
  g_free (broker->socket_path);
  g_free (broker->tmpdir);
  g_free (broker->uri);
  g_free (broker);
}

const char *
stompest_test_broker_get_uri (StompestTestBroker *broker)
{
  return broker->uri;
}

void
stompest_test_broker_set_frame_func (StompestTestBroker    *broker,
                                     StompestTestFrameFunc  func,
                                     gpointer               user_data)
{
  g_mutex_lock (&broker->mutex);
  broker->func = func;
  broker->func_data = user_data;
  g_mutex_unlock (&broker->mutex);
}

void
stompest_test_broker_set_max_version (StompestTestBroker *broker,
                                      StompestVersion     version)
{
  g_mutex_lock (&broker->mutex);
  broker->max_version = version;
  g_mutex_unlock (&broker->mutex);
}

void
stompest_test_broker_set_heart_beat (StompestTestBroker *broker,
                                     guint               send_ms,
                                     guint               receive_ms)
{
  g_mutex_lock (&broker->mutex);
  broker->heart_beat_send = send_ms;
  broker->heart_beat_receive = receive_ms;
  g_mutex_unlock (&broker->mutex);
}

void
stompest_test_broker_set_receipt_first (StompestTestBroker *broker,
                                        gboolean            receipt_first)
{
  g_mutex_lock (&broker->mutex);
  broker->receipt_first = receipt_first;
  g_mutex_unlock (&broker->mutex);
}

static gboolean
has_frame (StompestTestBroker *broker,
           gpointer            data)
{
  return !g_queue_is_empty (&broker->frames);
}

StompestFrame *
stompest_test_broker_pop_frame (StompestTestBroker *broker,
                                guint               timeout_ms)
{
  StompestFrame *frame = NULL;

  g_mutex_lock (&broker->mutex);
  if (broker_wait_locked (broker, has_frame, NULL, timeout_ms))
    frame = g_queue_pop_head (&broker->frames);
  g_mutex_unlock (&broker->mutex);

  return frame;
}

StompestFrame *
stompest_test_broker_pop_command (StompestTestBroker *broker,
                                  const char         *command,
                                  guint               timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 left = MAX (0, deadline - g_get_monotonic_time ());
      g_autoptr(StompestFrame) frame = stompest_test_broker_pop_frame (broker, left / 1000);

      if (frame == NULL)
        return NULL;
      if (strcmp (stompest_frame_get_command (frame), command) == 0)
        return g_steal_pointer (&frame);
    }
}

guint
stompest_test_broker_get_n_connections (StompestTestBroker *broker)
{
  guint n;

  g_mutex_lock (&broker->mutex);
  n = broker->connections->len;
  g_mutex_unlock (&broker->mutex);

  return n;
}

static gboolean
has_connection (StompestTestBroker *broker,
                gpointer            data)
{
  return broker->connections->len > GPOINTER_TO_UINT (data);
}

StompestTestConnection *
stompest_test_broker_get_connection (StompestTestBroker *broker,
                                     guint               index,
                                     guint               timeout_ms)
{
  StompestTestConnection *connection = NULL;

  g_mutex_lock (&broker->mutex);
  if (broker_wait_locked (broker, has_connection, GUINT_TO_POINTER (index), timeout_ms))
    connection = g_ptr_array_index (broker->connections, index);
  g_mutex_unlock (&broker->mutex);

  return connection;
}

guint64
stompest_test_broker_get_heart_beats (StompestTestBroker *broker)
{
  guint64 n;

  g_mutex_lock (&broker->mutex);
  n = broker->heart_beats;
  g_mutex_unlock (&broker->mutex);

  return n;
}

static gboolean
has_direct (StompestTestBroker *broker,
            gpointer            data)
{
  return g_async_queue_length (broker->direct) > 0;
}

GIOStream *
stompest_test_broker_accept_direct (StompestTestBroker *broker,
                                    guint               timeout_ms)
{
  GIOStream *stream = NULL;

  g_assert_true (broker->flags & STOMPEST_TEST_BROKER_DIRECT);

  g_mutex_lock (&broker->mutex);
  if (broker_wait_locked (broker, has_direct, NULL, timeout_ms))
    stream = g_async_queue_pop (broker->direct);
  g_mutex_unlock (&broker->mutex);

  return stream;
}

StompestTestBroker *
stompest_test_connection_get_broker (StompestTestConnection *connection)
{
  return connection->broker;
}

guint
stompest_test_connection_get_index (StompestTestConnection *connection)
{
  return connection->index;
}

StompestVersion
stompest_test_connection_get_version (StompestTestConnection *connection)
{
  StompestVersion version;

  g_mutex_lock (&connection->broker->mutex);
  version = connection->version;
  g_mutex_unlock (&connection->broker->mutex);

  return version;
}

static gboolean
is_closed (StompestTestBroker *broker,
           gpointer            data)
{
  StompestTestConnection *connection = data;

  return connection->closed;
}

gboolean
stompest_test_connection_wait_closed (StompestTestConnection *connection,
                                      guint                   timeout_ms)
{
  StompestTestBroker *broker = connection->broker;
  gboolean closed;

  g_mutex_lock (&broker->mutex);
  closed = broker_wait_locked (broker, is_closed, connection, timeout_ms);
  g_mutex_unlock (&broker->mutex);

  return closed;
}

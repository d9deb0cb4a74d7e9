/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "stompest-session-private.h"
#include "test-utils.h"

/* StompestSession against the in-process fake broker, which runs on the
 * same (default) main context as the session: the test iterates it with
 * WAIT_UNTIL or while popping the frames the broker received. */

#define WAIT_TIMEOUT_MS 5000
#define SHORT_WAIT_MS 300

/* Iterates the default context until COND holds, failing the test after
 * WAIT_TIMEOUT_MS. A waker source makes every blocking iteration return
 * within 10 ms, so the guard is checked. */
#define WAIT_UNTIL(cond) \
  G_STMT_START { \
    gint64 wait_deadline_ = g_get_monotonic_time () + WAIT_TIMEOUT_MS * 1000; \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > wait_deadline_) \
          g_error ("Timed out waiting for: %s", #cond); \
        g_main_context_iteration (NULL, TRUE); \
      } \
  } G_STMT_END

/* Iterates the default context for MS milliseconds. */
static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct {
  StompestTestBroker *broker;
  StompestSession *session;
  GSource *waker;

  GPtrArray *events;            /* char*: what the session signalled, in order */
  GPtrArray *messages;          /* StompestMessage: from Session::message */
  GPtrArray *held;              /* StompestMessage: held by the handler */
  GError *reason;               /* of the last ::disconnected */
  GError *error;                /* of the last ::error */
  guint n_subscription_messages;
  gboolean hold_messages;
  gboolean fail_messages;
  GPtrArray *states;            /* GUINT_TO_POINTER (state) at each notify::state */

  /* Sends made from ::disconnected, while the session reconnects. */
  guint sends_while_offline;
  guint offline_failures;

  GAsyncResult *send_result;    /* of a send_async() made by a handler */
} Fixture;

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
on_connected (StompestSession *session,
              Fixture         *f)
{
  g_ptr_array_add (f->events, g_strdup ("connected"));
}

static void
on_disconnected (StompestSession *session,
                 const GError    *reason,
                 Fixture         *f)
{
  g_ptr_array_add (f->events, g_strdup (reason != NULL ? "disconnected:error" : "disconnected:clean"));
  g_clear_error (&f->reason);
  if (reason != NULL)
    f->reason = g_error_copy (reason);

  for (guint i = 0; i < f->sends_while_offline; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("offline %u", i);
      g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

      if (!stompest_session_send (session, "/queue/offline", body, NULL, &error))
        {
          g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_QUEUE_FULL);
          g_assert_nonnull (strstr (error->message, "offline queue is full"));
          f->offline_failures++;
        }
    }
  f->sends_while_offline = 0;
}

static void
on_error (StompestSession *session,
          const GError    *error,
          Fixture         *f)
{
  g_ptr_array_add (f->events, g_strdup ("error"));
  g_clear_error (&f->error);
  f->error = g_error_copy (error);
}

static void
on_receipt (StompestSession *session,
            const char      *receipt_id,
            Fixture         *f)
{
  g_ptr_array_add (f->events, g_strdup_printf ("receipt:%s", receipt_id));
}

static void
on_message (StompestSession *session,
            StompestMessage *message,
            Fixture         *f)
{
  /* The subscription's signal came first. */
  g_assert_cmpuint (f->n_subscription_messages, ==, f->messages->len + 1);
  g_ptr_array_add (f->messages, g_object_ref (message));

  if (f->fail_messages)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                     "cannot digest this");
      stompest_message_fail (message, error);
    }
  else if (f->hold_messages)
    {
      stompest_message_hold (message);
      g_ptr_array_add (f->held, g_object_ref (message));
    }
}

static void
on_subscription_message (StompestSubscription *subscription,
                         StompestMessage      *message,
                         Fixture              *f)
{
  g_assert_true (stompest_message_get_subscription (message) == subscription);
  f->n_subscription_messages++;
}

static void
on_state (StompestSession *session,
          GParamSpec      *pspec,
          Fixture         *f)
{
  g_ptr_array_add (f->states, GUINT_TO_POINTER (stompest_session_get_state (session)));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->broker = stompest_test_broker_new (STOMPEST_TEST_BROKER_DEFAULT);
  f->session = stompest_session_new (stompest_test_broker_get_uri (f->broker));
  /* The fake broker offers no heart-beats unless a test asks. */
  stompest_session_set_heart_beat_send (f->session, 0);
  stompest_session_set_heart_beat_receive (f->session, 0);

  f->waker = g_timeout_source_new (10);
  g_source_set_callback (f->waker, wake, NULL, NULL);
  g_source_attach (f->waker, NULL);

  f->events = g_ptr_array_new_with_free_func (g_free);
  f->messages = g_ptr_array_new_with_free_func (g_object_unref);
  f->held = g_ptr_array_new_with_free_func (g_object_unref);
  f->states = g_ptr_array_new ();

  g_signal_connect (f->session, "connected", G_CALLBACK (on_connected), f);
  g_signal_connect (f->session, "disconnected", G_CALLBACK (on_disconnected), f);
  g_signal_connect (f->session, "error", G_CALLBACK (on_error), f);
  g_signal_connect (f->session, "receipt", G_CALLBACK (on_receipt), f);
  g_signal_connect (f->session, "message", G_CALLBACK (on_message), f);
  g_signal_connect (f->session, "notify::state", G_CALLBACK (on_state), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  GWeakRef weak;

  g_ptr_array_unref (f->held);
  g_ptr_array_unref (f->messages);
  g_clear_object (&f->send_result);
  g_weak_ref_init (&weak, f->session);
  g_clear_object (&f->session);
  /* Nothing else may keep the session alive. */
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);

  stompest_test_broker_free (f->broker);
  /* Let closes and task callbacks finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_source_destroy (f->waker);
  g_source_unref (f->waker);
  g_ptr_array_unref (f->events);
  g_ptr_array_unref (f->states);
  g_clear_error (&f->reason);
  g_clear_error (&f->error);
}

static gboolean
has_event (Fixture    *f,
           const char *event)
{
  for (guint i = 0; i < f->events->len; i++)
    {
      if (strcmp (g_ptr_array_index (f->events, i), event) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The events, joined with spaces, for comparing sequences. */
static char *
events_string (Fixture *f)
{
  g_autoptr(GString) string = g_string_new (NULL);

  for (guint i = 0; i < f->events->len; i++)
    {
      if (i > 0)
        g_string_append_c (string, ' ');
      g_string_append (string, g_ptr_array_index (f->events, i));
    }
  return g_string_free (g_steal_pointer (&string), FALSE);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GAsyncResult **slot = data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static gboolean
session_connect (Fixture  *f,
                 GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  stompest_session_connect_async (f->session, NULL, store_result, &result);
  WAIT_UNTIL (result != NULL);
  return stompest_session_connect_finish (f->session, result, error);
}

static void
session_connect_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (session_connect (f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_CONNECTED);
}

static gboolean
session_disconnect (Fixture  *f,
                    GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  stompest_session_disconnect_async (f->session, G_PRIORITY_DEFAULT, NULL, store_result, &result);
  WAIT_UNTIL (result != NULL);
  return stompest_session_disconnect_finish (f->session, result, error);
}

/* Waits for the broker to receive a COMMAND frame. */
static void
assert_received (Fixture    *f,
                 const char *command)
{
  g_autoptr(StompestFrame) frame = stompest_test_broker_pop_command (f->broker, command,
                                                                     WAIT_TIMEOUT_MS);

  g_assert_nonnull (frame);
}

static GBytes *
bytes_from_string (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
assert_body (GBytes     *body,
             const char *expected)
{
  g_assert_nonnull (body);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                   expected, strlen (expected));
}

/* Tests. */

static void
test_connect_signals (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) disconnect = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *events = NULL;

  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_true (stompest_session_get_context (f->session) == g_main_context_default ());
  session_connect_ok (f);

  connect = stompest_test_broker_pop_command (f->broker, "CONNECT", WAIT_TIMEOUT_MS);
  g_assert_nonnull (connect);
  g_assert_cmpstr (stompest_frame_get_header (connect, "accept-version"), ==, "1.0,1.1,1.2");
  g_assert_cmpstr (stompest_frame_get_header (connect, "host"), ==, "/");
  g_assert_cmpint (stompest_session_get_version (f->session), ==, STOMPEST_VERSION_STOMP_1_2);
  g_assert_cmpstr (stompest_session_get_server (f->session), ==, "stompest-test-broker/1.0");
  g_assert_cmpstr (stompest_session_get_session_id (f->session), ==, "session-0");
  g_assert_cmpstr (stompest_session_get_broker_uri (f->session), ==,
                   stompest_test_broker_get_uri (f->broker));
  g_assert_cmpstr ((events = events_string (f)), ==, "connected");
  g_clear_pointer (&events, g_free);

  g_assert_true (session_disconnect (f, &error));
  g_assert_no_error (error);
  disconnect = stompest_test_broker_pop_command (f->broker, "DISCONNECT", WAIT_TIMEOUT_MS);
  g_assert_nonnull (disconnect);
  g_assert_nonnull (stompest_frame_get_header (disconnect, "receipt"));

  /* The RECEIPT of DISCONNECT, then the end. */
  events = events_string (f);
  g_assert_true (g_str_has_prefix (events, "connected receipt:stompest-disconnect-"));
  g_assert_true (g_str_has_suffix (events, " disconnected:clean"));
  g_assert_null (f->reason);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_null (stompest_session_get_broker_uri (f->session));

  g_assert_cmpuint (f->states->len, ==, 4);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[0]), ==, STOMPEST_SESSION_STATE_CONNECTING);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[1]), ==, STOMPEST_SESSION_STATE_CONNECTED);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[2]), ==, STOMPEST_SESSION_STATE_DISCONNECTING);
  g_assert_cmpuint (GPOINTER_TO_UINT (f->states->pdata[3]), ==, STOMPEST_SESSION_STATE_DISCONNECTED);

  /* Once more: a session can connect again. */
  session_connect_ok (f);
  g_assert_true (session_disconnect (f, &error));
}

static void
test_connect_pending (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GAsyncResult) disconnect = NULL;
  g_autoptr(GError) error = NULL;

  stompest_session_connect_async (f->session, NULL, store_result, &first);
  stompest_session_connect_async (f->session, NULL, store_result, &second);
  stompest_session_disconnect_async (f->session, G_PRIORITY_DEFAULT, NULL, store_result, &disconnect);
  WAIT_UNTIL (first != NULL && second != NULL && disconnect != NULL);

  g_assert_false (stompest_session_connect_finish (f->session, second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_false (stompest_session_disconnect_finish (f->session, disconnect, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_true (stompest_session_connect_finish (f->session, first, &error));
  g_assert_no_error (error);

  g_clear_object (&first);
  stompest_session_connect_async (f->session, NULL, store_result, &first);
  WAIT_UNTIL (first != NULL);
  g_assert_false (stompest_session_connect_finish (f->session, first, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
}

/* A broker that never answers CONNECT. */
static gboolean
ignore_connect (StompestTestConnection *connection,
                StompestFrame          *frame,
                gpointer                data)
{
  return strcmp (stompest_frame_get_command (frame), "CONNECT") == 0;
}

static void
test_connect_connected_timeout (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = bytes_from_string ("early");
  gint64 start = g_get_monotonic_time ();

  stompest_test_broker_set_frame_func (f->broker, ignore_connect, NULL);
  stompest_session_set_connected_timeout (f->session, 200);

  /* Sends while connecting wait, and are dropped when connecting fails. */
  stompest_session_connect_async (f->session, NULL, NULL, NULL);
  g_assert_true (stompest_session_send (f->session, "/queue/a", body, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stompest_session_get_offline_queue_length (f->session), ==, 1);
  WAIT_UNTIL (stompest_session_get_state (f->session) == STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_cmpuint (stompest_session_get_offline_queue_length (f->session), ==, 0);

  g_assert_false (session_connect (f, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "No CONNECTED frame"));
  g_assert_nonnull (strstr (error->message, stompest_test_broker_get_uri (f->broker)));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 400 * 1000);
  /* No connection was made: no signal. */
  g_assert_cmpuint (f->events->len, ==, 0);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
}

static gboolean
refuse_connect (StompestTestConnection *connection,
                StompestFrame          *frame,
                gpointer                data)
{
  g_autoptr(StompestFrame) error = NULL;

  if (strcmp (stompest_frame_get_command (frame), "CONNECT") != 0)
    return FALSE;

  /* Brokers echo credentials at times. */
  error = stompest_frame_new ("ERROR");
  stompest_frame_add_header (error, "message", "Bad login for passcode s3cr3t-word");
  stompest_test_connection_send_frame (connection, error);
  return TRUE;
}

static void
test_connect_refused (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(GError) error = NULL;

  stompest_test_broker_set_frame_func (f->broker, refuse_connect, NULL);
  stompest_session_set_login (f->session, "guest");
  stompest_session_set_passcode (f->session, "s3cr3t-word");

  g_assert_false (session_connect (f, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  g_assert_nonnull (strstr (error->message, "Bad login"));
  g_assert_nonnull (strstr (error->message, stompest_test_broker_get_uri (f->broker)));
  g_assert_null (strstr (error->message, "s3cr3t-word"));

  connect = stompest_test_broker_pop_command (f->broker, "CONNECT", WAIT_TIMEOUT_MS);
  g_assert_cmpstr (stompest_frame_get_header (connect, "login"), ==, "guest");
  g_assert_cmpstr (stompest_frame_get_header (connect, "passcode"), ==, "s3cr3t-word");
  /* The walk ended at the ERROR: one attempt only. */
  g_assert_cmpuint (stompest_test_broker_get_n_connections (f->broker), ==, 1);
}

static void
test_send_queued (Fixture       *f,
                  gconstpointer  data)
{
  static const char binary[] = { 'a', '\0', 'b' };
  g_autoptr(GBytes) body1 = bytes_from_string ("first");
  g_autoptr(GBytes) body2 = g_bytes_new_static (binary, sizeof binary);
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) second = NULL;
  g_autoptr(GError) error = NULL;
  guint64 frames_out;

  /* Not connected: refused. */
  g_assert_false (stompest_session_send (f->session, "/queue/a", body1, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_clear_error (&error);

  session_connect_ok (f);
  frames_out = stompest_session_get_frames_out (f->session);
  g_hash_table_insert (headers, "x-custom", "yes");
  g_hash_table_insert (headers, "content-type", "application/octet-stream");

  /* Both return at once; nothing is written before the context runs. */
  g_assert_true (stompest_session_send (f->session, "/queue/a", body1, NULL, &error));
  g_assert_true (stompest_session_send (f->session, "/queue/b", body2, headers, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stompest_session_get_frames_out (f->session), ==, frames_out);

  first = stompest_test_broker_pop_command (f->broker, "SEND", WAIT_TIMEOUT_MS);
  second = stompest_test_broker_pop_command (f->broker, "SEND", WAIT_TIMEOUT_MS);
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_cmpstr (stompest_frame_get_header (first, "destination"), ==, "/queue/a");
  g_assert_cmpstr (stompest_frame_get_header (first, "content-length"), ==, "5");
  assert_body (stompest_frame_get_body (first), "first");
  g_assert_cmpstr (stompest_frame_get_header (second, "destination"), ==, "/queue/b");
  g_assert_cmpstr (stompest_frame_get_header (second, "x-custom"), ==, "yes");
  g_assert_cmpstr (stompest_frame_get_header (second, "content-length"), ==, "3");
  g_assert_true (g_bytes_equal (stompest_frame_get_body (second), body2));
  WAIT_UNTIL (stompest_session_get_frames_out (f->session) == frames_out + 2);

  /* In a transaction that is not open: refused. */
  g_hash_table_insert (headers, "transaction", "tx-none");
  g_assert_false (stompest_session_send (f->session, "/queue/b", body2, headers, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
}

static void
test_send_receipt (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) body = bytes_from_string ("confirmed");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(StompestFrame) send = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *receipt_event = NULL;
  guint receipts_before;

  session_connect_ok (f);
  receipts_before = f->events->len;
  stompest_session_send_async (f->session, "/queue/a", body, NULL, G_PRIORITY_DEFAULT,
                               NULL, store_result, &result);
  send = stompest_test_broker_pop_command (f->broker, "SEND", WAIT_TIMEOUT_MS);
  g_assert_nonnull (send);
  g_assert_nonnull (stompest_frame_get_header (send, "receipt"));

  WAIT_UNTIL (result != NULL);
  g_assert_true (stompest_session_send_finish (f->session, result, &error));
  g_assert_no_error (error);
  receipt_event = g_strdup_printf ("receipt:%s", stompest_frame_get_header (send, "receipt"));
  WAIT_UNTIL (f->events->len > receipts_before);
  g_assert_cmpstr (g_ptr_array_index (f->events, receipts_before), ==, receipt_event);
}

/* A broker that swallows SEND frames. */
static gboolean
ignore_send (StompestTestConnection *connection,
             StompestFrame          *frame,
             gpointer                data)
{
  return strcmp (stompest_frame_get_command (frame), "SEND") == 0;
}

static gpointer
cancel_in_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_send_receipt_timeout (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) body = bytes_from_string ("lost");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  stompest_test_broker_set_frame_func (f->broker, ignore_send, NULL);
  stompest_session_set_receipt_timeout (f->session, 200);
  session_connect_ok (f);

  start = g_get_monotonic_time ();
  stompest_session_send_async (f->session, "/queue/a", body, NULL, G_PRIORITY_DEFAULT,
                               NULL, store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * 1000);
  g_assert_false (stompest_session_send_finish (f->session, result, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "/queue/a"));
  g_assert_nonnull (strstr (error->message, stompest_test_broker_get_uri (f->broker)));
  g_clear_error (&error);
  g_clear_object (&result);

  /* Cancelled from another thread: the wait ends. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    GThread *thread;

    stompest_session_set_receipt_timeout (f->session, 0);
    stompest_session_send_async (f->session, "/queue/a", body, NULL, G_PRIORITY_DEFAULT,
                                 cancellable, store_result, &result);
    thread = g_thread_new ("cancel", cancel_in_thread, cancellable);
    WAIT_UNTIL (result != NULL);
    g_thread_join (thread);
    g_assert_false (stompest_session_send_finish (f->session, result, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

static void
test_error_frame (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(StompestFrame) error_frame = stompest_frame_new ("ERROR");
  g_autofree char *events = NULL;

  stompest_session_set_reconnect (f->session, FALSE);
  session_connect_ok (f);

  stompest_frame_add_header (error_frame, "message", "Destination is gone");
  stompest_test_connection_send_frame (stompest_test_broker_get_connection (f->broker, 0, WAIT_TIMEOUT_MS),
                                       error_frame);
  WAIT_UNTIL (has_event (f, "disconnected:error"));

  g_assert_cmpstr ((events = events_string (f)), ==, "connected error disconnected:error");
  g_assert_error (f->error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  g_assert_nonnull (strstr (f->error->message, "Destination is gone"));
  g_assert_nonnull (strstr (f->error->message, stompest_test_broker_get_uri (f->broker)));
  g_assert_error (f->reason, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  /* The session closed the connection itself. */
  g_assert_true (stompest_test_connection_wait_closed (stompest_test_broker_get_connection (f->broker, 0, 0),
                                                       WAIT_TIMEOUT_MS));
}

static StompestSubscription *
subscribe (Fixture         *f,
           const char      *destination,
           StompestAckMode  ack_mode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFrame) frame = NULL;
  StompestSubscription *subscription;

  subscription = stompest_session_subscribe (f->session, destination, ack_mode, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (subscription);
  g_signal_connect (subscription, "message", G_CALLBACK (on_subscription_message), f);
  frame = stompest_test_broker_pop_command (f->broker, "SUBSCRIBE", WAIT_TIMEOUT_MS);
  g_assert_nonnull (frame);
  g_assert_cmpstr (stompest_frame_get_header (frame, "id"), ==,
                   stompest_subscription_get_token (subscription));
  return subscription;
}

/* Connects and subscribes to DESTINATION (client-individual) with
 * CALLBACK as the only handler of its messages: neither the fixture's
 * handlers nor any StompestSession::message handler keeps them. */
static StompestSubscription *
subscribe_alone (Fixture    *f,
                 const char *destination,
                 GCallback   callback,
                 gpointer    data)
{
  StompestSubscription *subscription;

  g_signal_handlers_disconnect_by_func (f->session, on_message, f);
  session_connect_ok (f);
  subscription = subscribe (f, destination, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  g_signal_handlers_disconnect_by_func (subscription, on_subscription_message, f);
  g_signal_connect (subscription, "message", callback, data);
  return subscription;
}

/* Makes the broker deliver a message on SUBSCRIPTION, as if another
 * client had sent it. */
static void
deliver (Fixture              *f,
         StompestSubscription *subscription,
         const char           *text)
{
  StompestTestConnection *connection;
  g_autoptr(StompestFrame) message = stompest_frame_new ("MESSAGE");
  g_autoptr(GBytes) body = bytes_from_string (text);
  g_autofree char *id = g_strdup_printf ("id-%s", text);
  guint n = stompest_test_broker_get_n_connections (f->broker);

  connection = stompest_test_broker_get_connection (f->broker, n - 1, WAIT_TIMEOUT_MS);
  stompest_frame_add_header (message, "destination", stompest_subscription_get_destination (subscription));
  stompest_frame_add_header (message, "message-id", id);
  stompest_frame_add_header (message, "subscription", stompest_subscription_get_token (subscription));
  stompest_frame_add_header (message, "ack", id);
  stompest_frame_add_header (message, "priority", "4");
  stompest_frame_add_header (message, "x-trace", "abc");
  stompest_frame_set_body (message, body);
  stompest_test_connection_send_frame (connection, message);
}

static void
test_subscribe_message (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GBytes) body = bytes_from_string ("hello");
  g_autoptr(GError) error = NULL;
  StompestMessage *message;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/in", STOMPEST_ACK_MODE_AUTO);
  g_assert_true (stompest_subscription_is_active (subscription));
  g_assert_true (stompest_subscription_get_session (subscription) == f->session);

  /* The fake broker routes a SEND to the matching subscription. */
  g_assert_true (stompest_session_send (f->session, "/queue/in", body, NULL, &error));
  WAIT_UNTIL (f->messages->len == 1);
  g_assert_cmpuint (f->n_subscription_messages, ==, 1);

  message = g_ptr_array_index (f->messages, 0);
  g_assert_true (stompest_message_get_session (message) == f->session);
  g_assert_cmpstr (stompest_message_get_destination (message), ==, "/queue/in");
  g_assert_nonnull (stompest_message_get_message_id (message));
  assert_body (stompest_message_get_body (message), "hello");
  g_assert_true (stompest_message_is_finished (message));
  g_assert_null (stompest_message_get_error (message));
  g_assert_cmpuint (stompest_session_get_n_in_flight (f->session), ==, 0);

  /* Auto mode: nothing to acknowledge. */
  g_assert_null (stompest_test_broker_pop_command (f->broker, "ACK", SHORT_WAIT_MS));
  g_assert_false (stompest_session_ack (f->session, message, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_true (stompest_session_unsubscribe (f->session, subscription, &error));
  g_assert_no_error (error);
  g_assert_false (stompest_subscription_is_active (subscription));
  assert_received (f, "UNSUBSCRIBE");
  g_assert_false (stompest_session_unsubscribe (f->session, subscription, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
}

/* Answers an UNSUBSCRIBE with a MESSAGE for the subscription it ends,
 * as a broker does that had sent it already, then as usual. */
static gboolean
message_before_unsubscribe (StompestTestConnection *connection,
                            StompestFrame          *frame,
                            gpointer                data)
{
  g_autofree char *raw = NULL;

  if (strcmp (stompest_frame_get_command (frame), "UNSUBSCRIBE") != 0)
    return FALSE;

  raw = g_strdup_printf ("MESSAGE\ndestination:/queue/late\nmessage-id:late-1\n"
                         "subscription:%s\n\nlate", stompest_frame_get_header (frame, "id"));
  stompest_test_connection_send_raw (connection, raw, strlen (raw) + 1);
  return FALSE;
}

static void
test_subscribe_late_message (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GBytes) body = bytes_from_string ("after");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/late", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  stompest_test_broker_set_frame_func (f->broker, message_before_unsubscribe, NULL);
  g_assert_true (stompest_session_unsubscribe (f->session, subscription, &error));
  g_assert_no_error (error);

  /* The broker answers this SEND after the late MESSAGE. */
  stompest_session_send_async (f->session, "/queue/elsewhere", body, NULL, G_PRIORITY_DEFAULT,
                               NULL, store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (stompest_session_send_finish (f->session, result, &error));
  g_assert_no_error (error);

  /* Dropped, not delivered, not acknowledged, and no ::error: it is the
   * broker's right, not its mistake. */
  g_assert_cmpuint (f->messages->len, ==, 0);
  g_assert_false (has_event (f, "error"));
  g_assert_null (stompest_test_broker_pop_command (f->broker, "ACK", SHORT_WAIT_MS));
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_CONNECTED);
}

static void
test_subscribe_hold (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(StompestFrame) ack = NULL;
  StompestMessage *message;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  f->hold_messages = TRUE;

  deliver (f, subscription, "one");
  WAIT_UNTIL (f->held->len == 1);
  message = g_ptr_array_index (f->held, 0);
  g_assert_false (stompest_message_is_finished (message));
  g_assert_cmpuint (stompest_subscription_get_n_in_flight (subscription), ==, 1);
  g_assert_cmpuint (stompest_session_get_n_in_flight (f->session), ==, 1);

  /* Held: not acknowledged. */
  g_assert_null (stompest_test_broker_pop_command (f->broker, "ACK", SHORT_WAIT_MS));

  stompest_message_complete (message);
  g_assert_true (stompest_message_is_finished (message));
  g_assert_cmpuint (stompest_subscription_get_n_in_flight (subscription), ==, 0);
  ack = stompest_test_broker_pop_command (f->broker, "ACK", WAIT_TIMEOUT_MS);
  g_assert_nonnull (ack);
  g_assert_cmpstr (stompest_frame_get_header (ack, "id"), ==, "id-one");
  g_assert_null (stompest_test_broker_pop_command (f->broker, "NACK", SHORT_WAIT_MS));
}

/* The frames the broker received, in order, from now until none came for
 * SHORT_WAIT_MS, CONNECT and heart-beats aside. */
static GPtrArray *
drain_frames (Fixture *f)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) stompest_frame_unref);
  StompestFrame *frame;

  while ((frame = stompest_test_broker_pop_frame (f->broker, SHORT_WAIT_MS)) != NULL)
    g_ptr_array_add (frames, frame);
  return frames;
}

static guint
count_command (GPtrArray  *frames,
               const char *command)
{
  guint n = 0;

  for (guint i = 0; i < frames->len; i++)
    {
      if (strcmp (stompest_frame_get_command (g_ptr_array_index (frames, i)), command) == 0)
        n++;
    }
  return n;
}

static void
test_policy_default_nack (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  StompestFrame *nack;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  g_assert_cmpint (stompest_subscription_get_failure_policy (subscription), ==,
                   STOMPEST_FAILURE_POLICY_NACK);
  f->fail_messages = TRUE;

  deliver (f, subscription, "bad");
  WAIT_UNTIL (f->messages->len == 1);
  g_assert_error (stompest_message_get_error (g_ptr_array_index (f->messages, 0)),
                  G_IO_ERROR, G_IO_ERROR_FAILED);

  frames = drain_frames (f);
  g_assert_cmpuint (count_command (frames, "ACK"), ==, 0);
  g_assert_cmpuint (frames->len, ==, 1);
  nack = g_ptr_array_index (frames, 0);
  g_assert_cmpstr (stompest_frame_get_command (nack), ==, "NACK");
  g_assert_cmpstr (stompest_frame_get_header (nack, "id"), ==, "id-bad");
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_CONNECTED);
}

static void
test_policy_error_destination (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  StompestFrame *copy;
  StompestFrame *ack;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  stompest_subscription_set_failure_policy (subscription, STOMPEST_FAILURE_POLICY_ERROR_DESTINATION);
  stompest_subscription_set_error_destination (subscription, "/queue/work.failed");
  f->fail_messages = TRUE;

  deliver (f, subscription, "poison");
  frames = drain_frames (f);
  g_assert_cmpuint (frames->len, ==, 2);

  /* The copy first, then the ACK of the original. */
  copy = g_ptr_array_index (frames, 0);
  g_assert_cmpstr (stompest_frame_get_command (copy), ==, "SEND");
  g_assert_cmpstr (stompest_frame_get_header (copy, "destination"), ==, "/queue/work.failed");
  g_assert_cmpstr (stompest_frame_get_header (copy, "persistent"), ==, "true");
  g_assert_cmpstr (stompest_frame_get_header (copy, "message-failed"), ==, "cannot digest this");
  g_assert_cmpstr (stompest_frame_get_header (copy, "x-trace"), ==, "abc");
  g_assert_false (stompest_frame_has_header (copy, "message-id"));
  g_assert_false (stompest_frame_has_header (copy, "priority"));
  g_assert_false (stompest_frame_has_header (copy, "subscription"));
  g_assert_false (stompest_frame_has_header (copy, "ack"));
  assert_body (stompest_frame_get_body (copy), "poison");
  ack = g_ptr_array_index (frames, 1);
  g_assert_cmpstr (stompest_frame_get_command (ack), ==, "ACK");
  g_assert_cmpstr (stompest_frame_get_header (ack, "id"), ==, "id-poison");

  /* Without an error destination, rejected instead. */
  g_clear_pointer (&frames, g_ptr_array_unref);
  stompest_subscription_set_error_destination (subscription, NULL);
  deliver (f, subscription, "poison2");
  frames = drain_frames (f);
  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpstr (stompest_frame_get_command (g_ptr_array_index (frames, 0)), ==, "NACK");
}

static void
test_policy_disconnect (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GPtrArray) frames = NULL;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  stompest_subscription_set_failure_policy (subscription, STOMPEST_FAILURE_POLICY_DISCONNECT);
  f->fail_messages = TRUE;

  deliver (f, subscription, "fatal");
  WAIT_UNTIL (has_event (f, "disconnected:error"));
  frames = drain_frames (f);
  g_assert_cmpuint (count_command (frames, "ACK"), ==, 0);
  g_assert_cmpuint (count_command (frames, "NACK"), ==, 0);
  g_assert_cmpuint (count_command (frames, "DISCONNECT"), ==, 1);

  g_assert_error (f->reason, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (f->reason->message, "cannot digest this"));
  g_assert_nonnull (strstr (f->reason->message, "id-fatal"));
  /* Ended for good: no reconnect, and the subscription is over. */
  run_for (SHORT_WAIT_MS);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_cmpuint (stompest_test_broker_get_n_connections (f->broker), ==, 1);
  g_assert_false (stompest_subscription_is_active (subscription));
}

static void
test_flow_max_in_flight (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  guint64 bytes_in;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  stompest_subscription_set_max_in_flight (subscription, 2);
  f->hold_messages = TRUE;

  deliver (f, subscription, "m1");
  deliver (f, subscription, "m2");
  WAIT_UNTIL (f->held->len == 2);

  /* Full: these stay in the socket, unread. */
  bytes_in = stompest_session_get_bytes_in (f->session);
  deliver (f, subscription, "m3");
  deliver (f, subscription, "m4");
  deliver (f, subscription, "m5");
  run_for (SHORT_WAIT_MS);
  g_assert_cmpuint (f->messages->len, ==, 2);
  g_assert_cmpuint (stompest_session_get_bytes_in (f->session), ==, bytes_in);
  g_assert_cmpuint (stompest_subscription_get_n_in_flight (subscription), ==, 2);

  /* One finishes: one more comes in. */
  stompest_message_complete (g_ptr_array_index (f->held, 0));
  WAIT_UNTIL (f->messages->len == 3);
  run_for (SHORT_WAIT_MS);
  g_assert_cmpuint (f->messages->len, ==, 3);
  g_assert_cmpuint (stompest_session_get_bytes_in (f->session), >, bytes_in);

  /* Without a limit the rest flows. */
  stompest_subscription_set_max_in_flight (subscription, 0);
  WAIT_UNTIL (f->messages->len == 5);
  for (guint i = 1; i < f->held->len; i++)
    stompest_message_complete (g_ptr_array_index (f->held, i));

  frames = drain_frames (f);
  g_assert_cmpuint (count_command (frames, "ACK"), ==, 5);
  g_assert_cmpuint (frames->len, ==, 5);
}

/* At max-in-flight the session reads nothing, RECEIPTs included, as the
 * documentation of max-in-flight warns transformers. */
static void
test_flow_receipt_waits_for_held (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GBytes) body = bytes_from_string ("output");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/in", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  stompest_subscription_set_max_in_flight (subscription, 1);
  f->hold_messages = TRUE;
  deliver (f, subscription, "input-1");
  WAIT_UNTIL (f->held->len == 1);

  /* The broker has the SEND and answers at once, but the RECEIPT stays
   * unread while the input is held. */
  stompest_session_send_async (f->session, "/queue/out", body, NULL, G_PRIORITY_DEFAULT,
                               NULL, store_result, &result);
  assert_received (f, "SEND");
  run_for (SHORT_WAIT_MS);
  g_assert_null (result);

  /* Finishing the input lets the session read again. */
  stompest_message_complete (g_ptr_array_index (f->held, 0));
  WAIT_UNTIL (result != NULL);
  g_assert_true (stompest_session_send_finish (f->session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* A hold longer than the receipt timeout fails the send, although the
   * broker confirmed it. */
  stompest_session_set_receipt_timeout (f->session, 200);
  deliver (f, subscription, "input-2");
  WAIT_UNTIL (f->held->len == 2);
  stompest_session_send_async (f->session, "/queue/out", body, NULL, G_PRIORITY_DEFAULT,
                               NULL, store_result, &result);
  assert_received (f, "SEND");
  WAIT_UNTIL (result != NULL);
  g_assert_false (stompest_session_send_finish (f->session, result, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  stompest_message_complete (g_ptr_array_index (f->held, 1));
}

static void
test_flow_batched_acks (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GString) burst = g_string_new (NULL);
  g_autoptr(GPtrArray) frames = NULL;
  guint64 writes;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/burst", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  run_for (50);
  writes = stompest_session_get_n_writes (f->session);

  /* Three messages in one chunk: read together, acknowledged together. */
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (burst,
                            "MESSAGE\ndestination:/queue/burst\nmessage-id:b%u\n"
                            "subscription:%s\nack:b%u\n\nbody %u%c",
                            i, stompest_subscription_get_token (subscription), i, i, '\0');
  stompest_test_connection_send_raw (stompest_test_broker_get_connection (f->broker, 0, 0),
                                     burst->str, burst->len);
  WAIT_UNTIL (f->messages->len == 3);

  frames = drain_frames (f);
  g_assert_cmpuint (count_command (frames, "ACK"), ==, 3);
  g_assert_cmpuint (stompest_session_get_n_writes (f->session) - writes, ==, 1);
}

static void
test_disconnect_graceful (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  f->hold_messages = TRUE;
  deliver (f, subscription, "slow");
  WAIT_UNTIL (f->held->len == 1);

  stompest_session_disconnect_async (f->session, G_PRIORITY_DEFAULT, NULL, store_result, &result);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTING);

  /* Messages arriving now are not delivered. */
  deliver (f, subscription, "late");
  g_assert_null (stompest_test_broker_pop_command (f->broker, "DISCONNECT", SHORT_WAIT_MS));
  g_assert_null (result);
  g_assert_cmpuint (f->messages->len, ==, 1);

  stompest_message_complete (g_ptr_array_index (f->held, 0));
  WAIT_UNTIL (result != NULL);
  g_assert_true (stompest_session_disconnect_finish (f->session, result, &error));
  g_assert_no_error (error);

  frames = drain_frames (f);
  g_assert_cmpuint (frames->len, ==, 2);
  g_assert_cmpstr (stompest_frame_get_command (g_ptr_array_index (frames, 0)), ==, "ACK");
  g_assert_cmpstr (stompest_frame_get_header (g_ptr_array_index (frames, 0), "id"), ==, "id-slow");
  g_assert_cmpstr (stompest_frame_get_command (g_ptr_array_index (frames, 1)), ==, "DISCONNECT");
  g_assert_true (has_event (f, "disconnected:clean"));
  g_assert_false (stompest_subscription_is_active (subscription));
}

static void
test_disconnect_timeout (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  stompest_session_set_disconnect_timeout (f->session, 200);
  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  f->hold_messages = TRUE;
  deliver (f, subscription, "stuck");
  WAIT_UNTIL (f->held->len == 1);

  start = g_get_monotonic_time ();
  stompest_session_disconnect_async (f->session, G_PRIORITY_DEFAULT, NULL, store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * 1000);
  g_assert_false (stompest_session_disconnect_finish (f->session, result, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "1 message(s) still in flight"));
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_error (f->reason, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);

  /* Finished too late: its connection is gone, nothing is acknowledged. */
  stompest_message_complete (g_ptr_array_index (f->held, 0));
  frames = drain_frames (f);
  g_assert_cmpuint (count_command (frames, "ACK"), ==, 0);
  g_assert_cmpuint (count_command (frames, "DISCONNECT"), ==, 1);
}

static void
test_disconnect_cancelled (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  f->hold_messages = TRUE;
  deliver (f, subscription, "held");
  WAIT_UNTIL (f->held->len == 1);

  /* Waiting for the held message, with the default 5 s limit. */
  stompest_session_disconnect_async (f->session, G_PRIORITY_DEFAULT, cancellable,
                                     store_result, &result);
  run_for (50);
  g_assert_null (result);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (result != NULL);
  g_assert_false (stompest_session_disconnect_finish (f->session, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_true (has_event (f, "disconnected:error"));
  g_assert_true (stompest_test_connection_wait_closed (stompest_test_broker_get_connection (f->broker, 0, 0),
                                                       WAIT_TIMEOUT_MS));
  stompest_message_complete (g_ptr_array_index (f->held, 0));
}

static void
test_heart_beat_sent (Fixture       *f,
                      gconstpointer  data)
{
  guint64 beats;

  /* The broker wants a beat every 100 ms: one goes out every 50 ms. */
  stompest_test_broker_set_heart_beat (f->broker, 0, 100);
  stompest_session_set_heart_beat_send (f->session, 100);
  session_connect_ok (f);
  g_assert_cmpuint (stompest_session_get_send_period (f->session), ==, 100);
  g_assert_cmpuint (stompest_session_get_receive_period (f->session), ==, 0);

  beats = stompest_test_broker_get_heart_beats (f->broker);
  run_for (600);
  g_assert_cmpuint (stompest_test_broker_get_heart_beats (f->broker) - beats, >=, 6);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_CONNECTED);
}

static void
test_heart_beat_silent_broker (Fixture       *f,
                               gconstpointer  data)
{
  gint64 start;

  /* The broker promises a beat every 100 ms and sends none. */
  stompest_test_broker_set_heart_beat (f->broker, 100, 0);
  stompest_session_set_heart_beat_receive (f->session, 100);
  stompest_session_set_reconnect (f->session, FALSE);
  session_connect_ok (f);
  g_assert_cmpuint (stompest_session_get_receive_period (f->session), ==, 100);

  start = g_get_monotonic_time ();
  WAIT_UNTIL (has_event (f, "disconnected:error"));
  /* Twice the period, not sooner. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  g_assert_error (f->reason, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (f->reason->message, "heart-beat"));
  g_assert_nonnull (strstr (f->reason->message, stompest_test_broker_get_uri (f->broker)));
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
}

static void
test_reconnect (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(StompestFrame) subscribe_frame = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *events = NULL;
  StompestFrame *frame;

  stompest_session_set_max_offline_queue (f->session, 2);
  session_connect_ok (f);
  g_hash_table_insert (headers, "selector", "kind = 'a'");
  subscription = stompest_session_subscribe (f->session, "/queue/work",
                                             STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                             headers, &error);
  g_assert_no_error (error);
  g_signal_connect (subscription, "message", G_CALLBACK (on_subscription_message), f);
  subscribe_frame = stompest_test_broker_pop_command (f->broker, "SUBSCRIBE", WAIT_TIMEOUT_MS);
  g_assert_nonnull (subscribe_frame);

  /* The broker drops the connection; the ::disconnected handler sends
   * three messages while the session is reconnecting: two fit. */
  f->sends_while_offline = 3;
  stompest_test_connection_close (stompest_test_broker_get_connection (f->broker, 0, 0));
  WAIT_UNTIL (stompest_session_get_reconnects (f->session) == 1);

  g_assert_cmpstr ((events = events_string (f)), ==,
                   "connected error disconnected:error connected");
  g_assert_error (f->reason, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_assert_cmpuint (f->offline_failures, ==, 1);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_CONNECTED);
  g_assert_cmpstr (stompest_session_get_session_id (f->session), ==, "session-1");
  g_assert_true (stompest_subscription_is_active (subscription));

  /* On the new connection: CONNECT, the same SUBSCRIBE, then the two
   * messages sent while offline. */
  frames = drain_frames (f);
  g_assert_cmpuint (frames->len, ==, 4);
  g_assert_cmpstr (stompest_frame_get_command (g_ptr_array_index (frames, 0)), ==, "CONNECT");
  frame = g_ptr_array_index (frames, 1);
  g_assert_cmpstr (stompest_frame_get_command (frame), ==, "SUBSCRIBE");
  g_assert_cmpstr (stompest_frame_get_header (frame, "id"), ==,
                   stompest_frame_get_header (subscribe_frame, "id"));
  g_assert_cmpstr (stompest_frame_get_header (frame, "selector"), ==, "kind = 'a'");
  g_assert_cmpstr (stompest_frame_get_header (frame, "ack"), ==, "client-individual");
  frame = g_ptr_array_index (frames, 2);
  g_assert_cmpstr (stompest_frame_get_command (frame), ==, "SEND");
  assert_body (stompest_frame_get_body (frame), "offline 0");
  frame = g_ptr_array_index (frames, 3);
  assert_body (stompest_frame_get_body (frame), "offline 1");
  g_assert_cmpuint (stompest_session_get_offline_queue_length (f->session), ==, 0);

  /* Messages flow on the new connection. */
  deliver (f, subscription, "again");
  WAIT_UNTIL (f->messages->len == 1);
  assert_received (f, "ACK");
}

/* Ignores CONNECT on every connection after the first. */
static gboolean
ignore_later_connects (StompestTestConnection *connection,
                       StompestFrame          *frame,
                       gpointer                data)
{
  return stompest_test_connection_get_index (connection) > 0 &&
         strcmp (stompest_frame_get_command (frame), "CONNECT") == 0;
}

/* Connects, subscribes, then drops the connection: the session keeps
 * reconnecting to a broker that no longer answers CONNECT. */
static StompestSubscription *
start_endless_reconnect (Fixture *f)
{
  StompestSubscription *subscription;

  stompest_test_broker_set_frame_func (f->broker, ignore_later_connects, NULL);
  stompest_session_set_connected_timeout (f->session, 100);
  session_connect_ok (f);
  subscription = subscribe (f, "/queue/work", STOMPEST_ACK_MODE_AUTO);

  stompest_test_connection_close (stompest_test_broker_get_connection (f->broker, 0, 0));
  WAIT_UNTIL (stompest_test_broker_get_n_connections (f->broker) >= 3);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_RECONNECTING);
  return subscription;
}

static void
assert_no_more_attempts (Fixture *f)
{
  guint n = stompest_test_broker_get_n_connections (f->broker);

  run_for (SHORT_WAIT_MS);
  g_assert_cmpuint (stompest_test_broker_get_n_connections (f->broker), ==, n);
}

static void
test_reconnect_stopped (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = start_endless_reconnect (f);
  g_autoptr(GBytes) body = bytes_from_string ("never sent");
  g_autoptr(GAsyncResult) send_result = NULL;
  g_autoptr(GError) error = NULL;

  stompest_session_send_async (f->session, "/queue/a", body, NULL, G_PRIORITY_DEFAULT,
                               NULL, store_result, &send_result);
  g_assert_cmpuint (stompest_session_get_offline_queue_length (f->session), ==, 1);

  g_assert_true (session_disconnect (f, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_false (stompest_subscription_is_active (subscription));

  WAIT_UNTIL (send_result != NULL);
  g_assert_false (stompest_session_send_finish (f->session, send_result, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_assert_cmpuint (stompest_session_get_offline_queue_length (f->session), ==, 0);

  assert_no_more_attempts (f);
  /* Only the lost connection was reported. */
  g_assert_cmpstr (g_ptr_array_index (f->events, f->events->len - 1), ==, "disconnected:error");
}

static void
test_reconnect_joined (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = start_endless_reconnect (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) connect_result = NULL;
  g_autoptr(GAsyncResult) disconnect_result = NULL;
  g_autoptr(GError) error = NULL;

  /* A connect joins the reconnect, and a disconnect cannot overlap it. */
  stompest_session_connect_async (f->session, cancellable, store_result, &connect_result);
  stompest_session_disconnect_async (f->session, G_PRIORITY_DEFAULT, NULL, store_result,
                                     &disconnect_result);
  WAIT_UNTIL (disconnect_result != NULL);
  g_assert_false (stompest_session_disconnect_finish (f->session, disconnect_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  run_for (50);
  g_assert_null (connect_result);

  /* Cancelling it stops reconnecting; the subscription waits for the
   * next connect. */
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (connect_result != NULL);
  g_assert_false (stompest_session_connect_finish (f->session, connect_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_true (stompest_subscription_is_active (subscription));
  assert_no_more_attempts (f);
}

static void
test_connect_cancelled (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  stompest_test_broker_set_frame_func (f->broker, ignore_connect, NULL);
  stompest_session_connect_async (f->session, cancellable, store_result, &result);
  WAIT_UNTIL (stompest_test_broker_get_n_connections (f->broker) == 1);
  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (result != NULL);
  g_assert_false (stompest_session_connect_finish (f->session, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_true (stompest_test_connection_wait_closed (stompest_test_broker_get_connection (f->broker, 0, 0),
                                                       WAIT_TIMEOUT_MS));
}

static void
test_reconnect_unsubscribed_offline (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(StompestSubscription) kept = NULL;
  g_autoptr(StompestSubscription) dropped = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;

  session_connect_ok (f);
  kept = subscribe (f, "/queue/kept", STOMPEST_ACK_MODE_AUTO);
  dropped = subscribe (f, "/queue/dropped", STOMPEST_ACK_MODE_AUTO);

  stompest_session_set_reconnect (f->session, FALSE);
  stompest_test_connection_close (stompest_test_broker_get_connection (f->broker, 0, 0));
  WAIT_UNTIL (has_event (f, "disconnected:error"));
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);

  /* Kept for the next connect, unless unsubscribed meanwhile. */
  g_assert_true (stompest_subscription_is_active (kept));
  g_assert_true (stompest_session_unsubscribe (f->session, dropped, &error));
  g_assert_no_error (error);
  session_connect_ok (f);

  frames = drain_frames (f);
  g_assert_cmpuint (frames->len, ==, 2);
  g_assert_cmpstr (stompest_frame_get_command (g_ptr_array_index (frames, 1)), ==, "SUBSCRIBE");
  g_assert_cmpstr (stompest_frame_get_header (g_ptr_array_index (frames, 1), "destination"), ==,
                   "/queue/kept");
  g_assert_cmpuint (stompest_session_get_reconnects (f->session), ==, 0);
}

static void
test_counters (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GBytes) body = bytes_from_string ("0123456789");
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (stompest_session_get_frames_in (f->session), ==, 0);
  g_assert_cmpuint (stompest_session_get_bytes_out (f->session), ==, 0);
  session_connect_ok (f);
  subscription = subscribe (f, "/queue/count", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  for (guint i = 0; i < 3; i++)
    g_assert_true (stompest_session_send (f->session, "/queue/count", body, NULL, &error));
  WAIT_UNTIL (f->messages->len == 3);
  frames = drain_frames (f);
  /* Three SENDs, three ACKs. */
  g_assert_cmpuint (frames->len, ==, 6);

  /* Out: CONNECT, SUBSCRIBE, 3 SEND, 3 ACK. In: CONNECTED, 3 MESSAGE. */
  g_assert_cmpuint (stompest_session_get_frames_out (f->session), ==, 8);
  g_assert_cmpuint (stompest_session_get_frames_in (f->session), ==, 4);
  g_assert_cmpuint (stompest_session_get_bytes_out (f->session), >, 3 * 10);
  g_assert_cmpuint (stompest_session_get_bytes_in (f->session), >, 3 * 10);
  g_assert_cmpuint (stompest_session_get_reconnects (f->session), ==, 0);
}

static void
test_transaction_ack (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;
  StompestMessage *message;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/tx", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  f->hold_messages = TRUE;
  deliver (f, subscription, "in-tx");
  WAIT_UNTIL (f->held->len == 1);
  message = g_ptr_array_index (f->held, 0);

  g_assert_false (stompest_session_ack (f->session, message, "tx-1", &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_true (stompest_session_begin (f->session, "tx-1", &error));
  g_assert_true (stompest_session_ack (f->session, message, "tx-1", &error));
  g_assert_true (stompest_session_commit (f->session, "tx-1", &error));
  g_assert_no_error (error);
  /* Acknowledged already: finishing it sends nothing more. */
  stompest_message_complete (message);

  frames = drain_frames (f);
  g_assert_cmpuint (frames->len, ==, 3);
  g_assert_cmpstr (stompest_frame_get_command (g_ptr_array_index (frames, 0)), ==, "BEGIN");
  g_assert_cmpstr (stompest_frame_get_command (g_ptr_array_index (frames, 1)), ==, "ACK");
  g_assert_cmpstr (stompest_frame_get_header (g_ptr_array_index (frames, 1), "transaction"), ==, "tx-1");
  g_assert_cmpstr (stompest_frame_get_command (g_ptr_array_index (frames, 2)), ==, "COMMIT");
}

/* SENDs from the head cache and from the full writer, small bodies
 * copied into the output buffer and large ones written from their own
 * memory, all in one batch, arrive intact and in order. */
static void
test_send_bodies (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) frames = NULL;
  static const char * const destinations[] = {
    "/queue/a", "/queue/a", "/queue/a:b", "/queue/a", "/queue/a", "/queue/a\nb", "/queue/a",
  };
  static const gsize sizes[] = { 0, 1, 100, 16384, 16385, 1 << 20, 99999 };
  g_autoptr(GError) error = NULL;

  session_connect_ok (f);
  assert_received (f, "CONNECT");
  g_hash_table_insert (headers, "x-kind", "with-headers");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint8 *text = g_malloc (sizes[i]);

      /* NULs included: content-length carries them. */
      for (gsize j = 0; j < sizes[i]; j++)
        text[j] = (guint8) (i + j * 7);
      g_ptr_array_add (bodies, g_bytes_new_take (text, sizes[i]));
      g_assert_true (stompest_session_send (f->session, destinations[i],
                                            g_ptr_array_index (bodies, i),
                                            i == 4 ? headers : NULL, &error));
      g_assert_no_error (error);
    }

  frames = drain_frames (f);
  g_assert_cmpuint (frames->len, ==, G_N_ELEMENTS (sizes));
  for (guint i = 0; i < frames->len; i++)
    {
      StompestFrame *frame = g_ptr_array_index (frames, i);
      g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT, sizes[i]);

      g_assert_cmpstr (stompest_frame_get_command (frame), ==, "SEND");
      g_assert_cmpstr (stompest_frame_get_header (frame, "destination"), ==, destinations[i]);
      g_assert_cmpstr (stompest_frame_get_header (frame, "content-length"), ==, length);
      g_assert_cmpstr (stompest_frame_get_header (frame, "x-kind"), ==,
                       i == 4 ? "with-headers" : NULL);
      g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, i == 4 ? 3 : 2);
      g_assert_true (g_bytes_equal (stompest_frame_get_body (frame), g_ptr_array_index (bodies, i)));
    }
  WAIT_UNTIL (stompest_session_get_frames_out (f->session) == 1 + G_N_ELEMENTS (sizes));
}

/* The bodies test_send_requeued() sends, in order: plain sends with
 * bodies copied into the output buffer (one at its start, one after
 * it, to the same destination) and one too large to be copied, to
 * another destination, then one with a header of its own and one
 * through send_async(). */
static GPtrArray *
requeued_bodies (void)
{
  GPtrArray *bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_ptr_array_add (bodies, bytes_from_string ("plain"));
  g_ptr_array_add (bodies, bytes_from_string ("plain too"));
  g_ptr_array_add (bodies, g_bytes_new_take (g_strnfill (20000, 'x'), 20000));
  g_ptr_array_add (bodies, bytes_from_string ("with header"));
  g_ptr_array_add (bodies, bytes_from_string ("confirmed"));
  return bodies;
}

static const char *
requeued_destination (guint i)
{
  return i == 2 ? "/queue/other" : "/queue/out";
}

/* Sends the requeued_bodies() from the subscription's handler, so they
 * are queued but not written when the ERROR after the MESSAGE ends the
 * connection. */
static void
on_message_send (StompestSubscription *subscription,
                 StompestMessage      *message,
                 Fixture              *f)
{
  StompestSession *session = stompest_message_get_session (message);
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) bodies = requeued_bodies ();
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (headers, "x-kind", "header");
  for (guint i = 0; i < 4; i++)
    g_assert_true (stompest_session_send (session, requeued_destination (i),
                                          g_ptr_array_index (bodies, i),
                                          i == 3 ? headers : NULL, &error));
  g_assert_no_error (error);
  stompest_session_send_async (session, "/queue/out", g_ptr_array_index (bodies, 4), NULL,
                               G_PRIORITY_DEFAULT, NULL, store_result, &f->send_result);
}

static void
test_send_requeued (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) raw = g_string_new (NULL);
  g_autoptr(GPtrArray) bodies = requeued_bodies ();
  guint n_sends = 0;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/in", STOMPEST_ACK_MODE_AUTO);
  g_signal_connect (subscription, "message", G_CALLBACK (on_message_send), f);

  /* One chunk: the handler queues the SENDs, then the ERROR ends the
   * connection before they are written. */
  g_string_printf (raw, "MESSAGE\ndestination:/queue/in\nmessage-id:m1\nsubscription:%s\n\nin%c"
                   "ERROR\nmessage:going down\n\n%c",
                   stompest_subscription_get_token (subscription), '\0', '\0');
  stompest_test_connection_send_raw (stompest_test_broker_get_connection (f->broker, 0, 0),
                                     raw->str, raw->len);
  WAIT_UNTIL (stompest_session_get_reconnects (f->session) == 1);
  WAIT_UNTIL (f->send_result != NULL);
  g_assert_true (stompest_session_send_finish (f->session, f->send_result, &error));
  g_assert_no_error (error);

  /* Written once, on the new connection, in order, after the replayed
   * SUBSCRIBE. */
  frames = drain_frames (f);
  for (guint i = 0; i < frames->len; i++)
    {
      StompestFrame *frame = g_ptr_array_index (frames, i);

      if (strcmp (stompest_frame_get_command (frame), "SEND") != 0)
        continue;
      g_assert_cmpuint (n_sends, <, bodies->len);
      g_assert_cmpint (count_command (frames, "SUBSCRIBE"), ==, 1);
      g_assert_true (g_bytes_equal (stompest_frame_get_body (frame),
                                    g_ptr_array_index (bodies, n_sends)));
      g_assert_cmpstr (stompest_frame_get_header (frame, "destination"), ==,
                       requeued_destination (n_sends));
      g_assert_cmpstr (stompest_frame_get_header (frame, "x-kind"), ==,
                       n_sends == 3 ? "header" : NULL);
      n_sends++;
    }
  g_assert_cmpuint (n_sends, ==, bodies->len);
  g_assert_cmpuint (stompest_session_get_offline_queue_length (f->session), ==, 0);
}

/* Records each message's body, pointer and n-in-flight in its handler,
 * without keeping it unless asked to. */
typedef struct {
  Fixture *f;
  GPtrArray *bodies;            /* char* */
  GPtrArray *seen;              /* StompestMessage, not referenced */
  guint in_flight_inside;
  gboolean keep;
  gboolean hold;
  gboolean set_data;
  gboolean weak_ref;
  guint data_freed;
  guint weak_notified;
} Recorder;

static void
on_data_freed (gpointer data)
{
  ((Recorder *) data)->data_freed++;
}

static void
on_weak_notify (gpointer  data,
                GObject  *where)
{
  ((Recorder *) data)->weak_notified++;
}

static void
on_message_record (StompestSubscription *subscription,
                   StompestMessage      *message,
                   Recorder             *recorder)
{
  GBytes *body = stompest_message_get_body (message);

  g_ptr_array_add (recorder->bodies, g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)));
  g_ptr_array_add (recorder->seen, message);
  recorder->in_flight_inside = stompest_subscription_get_n_in_flight (subscription);
  if (recorder->keep || recorder->hold)
    g_ptr_array_add (recorder->f->held, g_object_ref (message));
  if (recorder->hold)
    stompest_message_hold (message);
  if (recorder->set_data)
    g_object_set_data_full (G_OBJECT (message), "recorder", recorder, on_data_freed);
  if (recorder->weak_ref)
    g_object_weak_ref (G_OBJECT (message), on_weak_notify, recorder);
}

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_subscribe_message_objects (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  Recorder recorder = { f, g_ptr_array_new_with_free_func (g_free), g_ptr_array_new () };
  guint subscription_notified = 0;
  guint session_notified = 0;

  /* No StompestSession::message handler: the subscription's still gets
   * every message. */
  subscription = subscribe_alone (f, "/queue/objects", G_CALLBACK (on_message_record), &recorder);
  g_signal_connect (subscription, "notify::n-in-flight", G_CALLBACK (on_notify_count),
                    &subscription_notified);
  g_signal_connect (f->session, "notify::n-in-flight", G_CALLBACK (on_notify_count),
                    &session_notified);

  /* Nobody keeps them: in flight within the emission only, which is
   * not notified, and the message object serves again. */
  deliver (f, subscription, "one");
  deliver (f, subscription, "two");
  WAIT_UNTIL (recorder.bodies->len == 2);
  g_assert_cmpstr (g_ptr_array_index (recorder.bodies, 0), ==, "one");
  g_assert_cmpstr (g_ptr_array_index (recorder.bodies, 1), ==, "two");
  g_assert_cmpuint (recorder.in_flight_inside, ==, 1);
  g_assert_true (g_ptr_array_index (recorder.seen, 0) == g_ptr_array_index (recorder.seen, 1));
  g_assert_cmpuint (subscription_notified, ==, 0);
  g_assert_cmpuint (session_notified, ==, 0);
  g_assert_cmpuint (stompest_test_broker_get_n_connections (f->broker), ==, 1);
  {
    g_autoptr(GPtrArray) acks = drain_frames (f);

    g_assert_cmpuint (count_command (acks, "ACK"), ==, 2);
  }

  /* Data and weak references end with the message, which is not
   * reused then. */
  recorder.set_data = TRUE;
  recorder.weak_ref = TRUE;
  deliver (f, subscription, "three");
  WAIT_UNTIL (recorder.bodies->len == 3);
  g_assert_cmpuint (recorder.data_freed, ==, 1);
  g_assert_cmpuint (recorder.weak_notified, ==, 1);
  recorder.set_data = FALSE;
  recorder.weak_ref = FALSE;

  /* A message kept by the handler stays as it is. */
  recorder.keep = TRUE;
  deliver (f, subscription, "four");
  deliver (f, subscription, "five");
  WAIT_UNTIL (recorder.bodies->len == 5);
  g_assert_true (g_ptr_array_index (recorder.seen, 3) != g_ptr_array_index (recorder.seen, 4));
  g_assert_cmpuint (f->held->len, ==, 2);
  assert_body (stompest_message_get_body (g_ptr_array_index (f->held, 0)), "four");
  assert_body (stompest_message_get_body (g_ptr_array_index (f->held, 1)), "five");
  g_assert_true (stompest_message_is_finished (g_ptr_array_index (f->held, 0)));
  recorder.keep = FALSE;

  /* A held message stays in flight, which is notified, as is its end. */
  recorder.hold = TRUE;
  deliver (f, subscription, "six");
  WAIT_UNTIL (recorder.bodies->len == 6);
  g_assert_cmpuint (subscription_notified, ==, 1);
  g_assert_cmpuint (session_notified, ==, 1);
  g_assert_cmpuint (stompest_subscription_get_n_in_flight (subscription), ==, 1);
  g_assert_cmpuint (stompest_session_get_n_in_flight (f->session), ==, 1);
  stompest_message_complete (g_ptr_array_index (f->held, 2));
  g_assert_cmpuint (subscription_notified, ==, 2);
  g_assert_cmpuint (session_notified, ==, 2);
  g_assert_cmpuint (stompest_subscription_get_n_in_flight (subscription), ==, 0);
  g_assert_cmpuint (stompest_session_get_n_in_flight (f->session), ==, 0);

  g_signal_handlers_disconnect_by_data (f->session, &session_notified);
  g_ptr_array_unref (recorder.bodies);
  g_ptr_array_unref (recorder.seen);
}

static void
on_handler_freed (gpointer  data,
                  GClosure *closure)
{
  (*(guint *) data)++;
}

/* A message has no properties: nothing is ever notified. */
static void
on_message_notify (StompestMessage *message,
                   GParamSpec      *pspec,
                   gpointer         data)
{
  g_assert_not_reached ();
}

/* Nothing else keeps the message: without the handler, it would serve
 * again for the next MESSAGE. */
static void
on_message_watch (StompestSubscription *subscription,
                  StompestMessage      *message,
                  guint                *handlers_freed)
{
  g_signal_connect_data (message, "notify::anything", G_CALLBACK (on_message_notify),
                         handlers_freed, on_handler_freed, 0);
}

/* A message with a notify handler of its own, whatever its detail, is
 * not reused for the next MESSAGE: it ends with its dispatch, and the
 * handler with it. */
static void
test_subscribe_message_handler (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  guint handlers_freed = 0;

  subscription = subscribe_alone (f, "/queue/watched", G_CALLBACK (on_message_watch),
                                  &handlers_freed);

  deliver (f, subscription, "one");
  deliver (f, subscription, "two");
  {
    g_autoptr(GPtrArray) acks = NULL;

    WAIT_UNTIL (handlers_freed == 2);
    acks = drain_frames (f);
    g_assert_cmpuint (count_command (acks, "ACK"), ==, 2);
  }
}

/* The traffic counters are notified only when something listens to the
 * session's notify signal; they count all the same. */
static void
test_counters_notify (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GBytes) body = bytes_from_string ("0123456789");
  g_autoptr(GError) error = NULL;
  guint frames_in_notified = 0;
  guint bytes_out_notified = 0;

  session_connect_ok (f);
  subscription = subscribe (f, "/queue/quiet", STOMPEST_ACK_MODE_AUTO);
  /* Nobody listens from here on. */
  g_signal_handlers_disconnect_by_func (f->session, on_state, f);
  g_assert_true (stompest_session_send (f->session, "/queue/quiet", body, NULL, &error));
  WAIT_UNTIL (f->messages->len == 1);
  /* Out: CONNECT, SUBSCRIBE, SEND. In: CONNECTED, MESSAGE. */
  WAIT_UNTIL (stompest_session_get_frames_out (f->session) == 3);
  g_assert_cmpuint (stompest_session_get_frames_in (f->session), ==, 2);

  g_signal_connect (f->session, "notify::frames-in", G_CALLBACK (on_notify_count),
                    &frames_in_notified);
  g_signal_connect (f->session, "notify::bytes-out", G_CALLBACK (on_notify_count),
                    &bytes_out_notified);
  g_assert_true (stompest_session_send (f->session, "/queue/quiet", body, NULL, &error));
  WAIT_UNTIL (f->messages->len == 2);
  WAIT_UNTIL (bytes_out_notified == 1);
  g_assert_cmpuint (frames_in_notified, >=, 1);
  g_assert_cmpuint (stompest_session_get_frames_out (f->session), ==, 4);
  g_assert_cmpuint (stompest_session_get_frames_in (f->session), ==, 3);
  g_signal_handlers_disconnect_by_data (f->session, &frames_in_notified);
  g_signal_handlers_disconnect_by_data (f->session, &bytes_out_notified);
}

/* Frames in and out are logged at debug level, passcode masked. */

#define PASSCODE "pass-4-trace"

static void
test_trace_frames (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) body = bytes_from_string ("traced body");
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  stompest_test_log_capture_begin ();
  /* Decided when the connection is made. */
  g_log_set_debug_enabled (TRUE);

  stompest_session_set_login (f->session, "tracer");
  stompest_session_set_passcode (f->session, PASSCODE);
  session_connect_ok (f);
  subscription = subscribe (f, "/queue/trace", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  g_hash_table_insert (headers, "x-kind", "traced");
  g_assert_true (stompest_session_send (f->session, "/queue/trace", body, NULL, &error));
  g_assert_true (stompest_session_send (f->session, "/queue/trace", body, headers, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (f->messages->len == 2);
  assert_received (f, "ACK");
  assert_received (f, "ACK");
  g_assert_true (session_disconnect (f, &error));
  g_assert_no_error (error);

  g_log_set_debug_enabled (FALSE);
  log = stompest_test_log_capture_end ();

  g_assert_nonnull (strstr (log, "> CONNECT {"));
  g_assert_nonnull (strstr (log, "login:tracer"));
  g_assert_null (strstr (log, PASSCODE));
  g_assert_nonnull (strstr (log, "< CONNECTED {"));
  g_assert_nonnull (strstr (log, "> SUBSCRIBE {"));
  g_assert_nonnull (strstr (log, "> SEND {"));
  g_assert_nonnull (strstr (log, "x-kind:traced"));
  g_assert_nonnull (strstr (log, "< MESSAGE {"));
  g_assert_nonnull (strstr (log, "> ACK {"));
  g_assert_nonnull (strstr (log, "> DISCONNECT {"));
  g_assert_nonnull (strstr (log, "< RECEIPT {"));
}

int
main (int    argc,
      char **argv)
{
  /* Debug messages are captured, for the trace test, not printed. */
  stompest_test_log_capture_install ();
  stompest_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/session/connect/signals", test_connect_signals);
  ADD ("/session/connect/pending", test_connect_pending);
  ADD ("/session/connect/connected-timeout", test_connect_connected_timeout);
  ADD ("/session/connect/refused", test_connect_refused);
  ADD ("/session/connect/cancelled", test_connect_cancelled);
  ADD ("/session/send/queued", test_send_queued);
  ADD ("/session/send/receipt", test_send_receipt);
  ADD ("/session/send/receipt-timeout", test_send_receipt_timeout);
  ADD ("/session/send/bodies", test_send_bodies);
  ADD ("/session/send/requeued-when-lost", test_send_requeued);
  ADD ("/session/error/server-error", test_error_frame);
  ADD ("/session/subscribe/message", test_subscribe_message);
  ADD ("/session/subscribe/hold-then-ack", test_subscribe_hold);
  ADD ("/session/subscribe/late-message", test_subscribe_late_message);
  ADD ("/session/subscribe/message-objects", test_subscribe_message_objects);
  ADD ("/session/subscribe/message-with-handler", test_subscribe_message_handler);
  ADD ("/session/policy/default-nack", test_policy_default_nack);
  ADD ("/session/policy/error-destination", test_policy_error_destination);
  ADD ("/session/policy/disconnect", test_policy_disconnect);
  ADD ("/session/flow/max-in-flight", test_flow_max_in_flight);
  ADD ("/session/flow/batched-acks", test_flow_batched_acks);
  ADD ("/session/flow/receipt-waits-for-held", test_flow_receipt_waits_for_held);
  ADD ("/session/disconnect/graceful", test_disconnect_graceful);
  ADD ("/session/disconnect/timeout", test_disconnect_timeout);
  ADD ("/session/disconnect/cancelled", test_disconnect_cancelled);
  ADD ("/session/heart-beat/sent", test_heart_beat_sent);
  ADD ("/session/heart-beat/silent-broker", test_heart_beat_silent_broker);
  ADD ("/session/reconnect/replay-and-flush", test_reconnect);
  ADD ("/session/reconnect/unsubscribed-offline", test_reconnect_unsubscribed_offline);
  ADD ("/session/reconnect/stopped-by-disconnect", test_reconnect_stopped);
  ADD ("/session/reconnect/joined-by-connect", test_reconnect_joined);
  ADD ("/session/counters/traffic", test_counters);
  ADD ("/session/counters/notify", test_counters_notify);
  ADD ("/session/transaction/ack", test_transaction_ack);
  ADD ("/session/trace/frames", test_trace_frames);

#undef ADD

  return g_test_run ();
}

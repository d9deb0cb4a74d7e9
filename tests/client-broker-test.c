/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#if ENABLE_UNIX_TRANSPORT
#include <gio/gunixsocketaddress.h>
#endif

#include "client-broker-utils.h"

/* StompestClient against the real RabbitMQ and ActiveMQ that
 * scripts/run-tests.sh starts: every case runs for both brokers and each
 * STOMP version the client can be limited to, as
 * /client-broker/<broker>/<version>/<case>. Each test skips when the
 * STOMPEST_TEST_* variables are unset. Queues are named per test and run
 * (broker_queue_name), so runs never see each other's leftovers.
 *
 * "Nothing else is queued" is checked with a sentinel message sent last:
 * it must be the next one to arrive, which needs no sleeping. */

typedef struct _Fixture Fixture;
typedef void (*BrokerTestFunc) (Fixture *f);

typedef struct {
  const BrokerInfo *broker;
  StompestVersion version;
  BrokerTestFunc func;
  char *label;
} BrokerTest;

struct _Fixture {
  const BrokerInfo *broker;
  StompestVersion version;
  const char *uri;
  StompestClient *client;
  char *queue;
};

#define SENTINEL "sentinel"

/* The negative checks: long enough for a broker on a busy machine to
 * have delivered a frame that it wrongly sent. */
#define QUIET_MS 500

static gboolean
fixture_setup (Fixture          *f,
               const BrokerTest *test)
{
  f->broker = test->broker;
  f->version = test->version;
  f->uri = stompest_test_broker_uri_from_env (test->broker->uri_var);
  if (f->uri == NULL)
    return FALSE;
  f->client = broker_client_new (f->uri, f->version);
  f->queue = broker_queue_name (f->broker, f->version, test->label);
  return TRUE;
}

static void
fixture_teardown (Fixture *f)
{
  if (f->client != NULL && stompest_client_is_connected (f->client))
    {
      g_autoptr(GError) error = NULL;

      BROKER_ASSERT_OK (stompest_client_disconnect_sync (f->client, NULL, &error), error);
    }
  g_clear_object (&f->client);
  g_clear_pointer (&f->queue, g_free);
}

/* The environment variable VAR, or NULL after skipping the test. */
static const char *
require_env (const char *var)
{
  return stompest_test_broker_uri_from_env (var);
}

static guint16
require_port (const char *var)
{
  const char *value = require_env (var);
  guint64 port = 0;

  if (value == NULL)
    return 0;
  g_assert_true (g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT16, &port, NULL));
  return port;
}

static void
assert_quiet (StompestClient *client)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (stompest_client_can_read (client, QUIET_MS, NULL, &error));
  g_assert_no_error (error);
}

static void
assert_bodies (GPtrArray  *bodies,
               const char *first,
               ...)
{
  va_list args;
  guint i = 0;

  va_start (args, first);
  for (const char *body = first; body != NULL; body = va_arg (args, const char *), i++)
    {
      g_assert_cmpuint (i, <, bodies->len);
      g_assert_cmpstr (g_ptr_array_index (bodies, i), ==, body);
    }
  va_end (args);
  g_assert_cmpuint (bodies->len, ==, i);
}

/* Sends the sentinel, then reads up to it, acknowledging each message
 * when ACK; the bodies before it. */
static GPtrArray *
drain_to_sentinel (Fixture  *f,
                   gboolean  ack)
{
  broker_send_text (f->client, f->queue, SENTINEL, NULL);
  return broker_receive_until (f->client, SENTINEL, ack);
}

static void
disconnect_ok (StompestClient *client)
{
  g_autoptr(GError) error = NULL;

  BROKER_ASSERT_OK (stompest_client_disconnect_sync (client, NULL, &error), error);
  g_assert_false (stompest_client_is_connected (client));
}

/* A round trip of one text message on a fresh queue of CLIENT. */
static void
assert_round_trip (StompestClient *client,
                   const char     *queue)
{
  g_autofree char *token = broker_subscribe (client, queue, STOMPEST_ACK_MODE_AUTO, NULL);
  g_autoptr(StompestFrame) message = NULL;
  g_autofree char *text = NULL;

  broker_send_text (client, queue, "ping", NULL);
  message = broker_receive_message (client);
  text = broker_frame_text (message);
  g_assert_cmpstr (text, ==, "ping");
  broker_assert_subscription (message, token);
}

/* Cases. */

static void
test_connect (Fixture *f)
{
  g_autofree char *session = NULL;

  g_assert_false (stompest_client_is_connected (f->client));
  broker_connect (f->client);

  g_assert_cmpint (stompest_client_get_version (f->client), ==, f->version);
  g_assert_cmpstr (stompest_client_get_broker_uri (f->client), ==, f->uri);
  g_assert_true (g_str_has_prefix (stompest_client_get_server (f->client),
                                   f->broker->server_prefix));
  session = g_strdup (stompest_client_get_session_id (f->client));
  g_assert_nonnull (session);
  g_assert_cmpstr (session, !=, "");

  /* The DISCONNECT receipt came back, or this fails. */
  disconnect_ok (f->client);

  /* The same client connects again, to a new session. */
  broker_connect (f->client);
  g_assert_cmpstr (stompest_client_get_session_id (f->client), !=, session);
}

static void
test_send_receive (Fixture *f)
{
  g_autoptr(StompestFrame) message = NULL;
  g_autofree char *token = NULL;
  g_autofree char *text = NULL;
  const char *message_id;

  broker_connect (f->client);
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);
  broker_send_text (f->client, f->queue, "Hello, broker", "content-type", "text/plain", NULL);

  message = broker_receive_message (f->client);
  text = broker_frame_text (message);
  g_assert_cmpstr (text, ==, "Hello, broker");
  g_assert_cmpstr (stompest_frame_get_header (message, "destination"), ==, f->queue);
  broker_assert_subscription (message, token);
  g_assert_true (g_str_has_prefix (stompest_frame_get_header (message, "content-type"),
                                   "text/plain"));
  message_id = stompest_frame_get_header (message, "message-id");
  g_assert_nonnull (message_id);
  g_assert_cmpstr (message_id, !=, "");

  assert_quiet (f->client);
}

static void
test_binary (Fixture *f)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GBytes) body = NULL;
  g_autoptr(StompestFrame) message = NULL;
  g_autofree char *length = NULL;
  g_autofree char *token = NULL;

  /* Every byte value, NULs among them, and a NUL at both ends. */
  for (guint round = 0; round < 4; round++)
    for (guint i = 0; i < 256; i++)
      g_byte_array_append (data, (guint8[]) { i }, 1);
  g_byte_array_append (data, (guint8[]) { 0 }, 1);
  body = g_byte_array_free_to_bytes (g_steal_pointer (&data));

  broker_connect (f->client);
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);
  broker_send (f->client, f->queue, body, "content-type", "application/octet-stream", NULL);

  message = broker_receive_message (f->client);
  g_assert_true (g_bytes_equal (stompest_frame_get_body (message), body));
  length = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (body));
  g_assert_cmpstr (stompest_frame_get_header (message, "content-length"), ==, length);
}

static void
test_utf8 (Fixture *f)
{
  static const char text[] = "Grüße, 世界! ☃ 🚀 ℮ — ÿ";
  static const char value[] = "Ünïcödé 値 ☂";
  g_autoptr(StompestFrame) message = NULL;
  g_autofree char *token = NULL;
  g_autofree char *received = NULL;

  broker_connect (f->client);
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);
  broker_send_text (f->client, f->queue, text,
                    "content-type", "text/plain;charset=utf-8",
                    "x-stompest-utf8", value, NULL);

  message = broker_receive_message (f->client);
  received = broker_frame_text (message);
  g_assert_cmpstr (received, ==, text);
  g_assert_true (g_utf8_validate (received, -1, NULL));
  g_assert_cmpstr (stompest_frame_get_header (message, "x-stompest-utf8"), ==, value);
}

static void
test_escaped_headers (Fixture *f)
{
  /* 1.1 escapes `:`, `\n` and `\\`; 1.2 adds `\r`. */
  const char *value = f->version >= STOMPEST_VERSION_STOMP_1_2 ?
                      "a:b\nc\\d\re:" : "a:b\nc\\d:";
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) headers = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("escaped", 7);
  const char *expected = value;
  g_autofree char *token = NULL;

  broker_connect (f->client);
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);

  if (f->version == STOMPEST_VERSION_STOMP_1_0)
    {
      /* 1.0 has no escaping: a line feed cannot be written at all, and is
       * refused before anything goes out; a colon goes out raw. */
      headers = broker_headers_new ("x-stompest-escaped", "a\nb", NULL);
      g_assert_false (stompest_client_send (f->client, f->queue, body, headers, NULL, &error));
      g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME);
      g_assert_true (stompest_client_is_connected (f->client));
      value = "a:b:c";
      /* RabbitMQ escapes it all the same, which 1.0 readers (this client,
       * as the spec says) leave as is. */
      expected = f->broker->escapes_1_0 ? "a\\cb\\cc" : value;
    }

  broker_send_text (f->client, f->queue, "escaped", "x-stompest-escaped", value, NULL);
  message = broker_receive_message (f->client);
  g_assert_cmpstr (stompest_frame_get_header (message, "x-stompest-escaped"), ==, expected);
  assert_quiet (f->client);
}

static void
test_ack_auto (Fixture *f)
{
  g_autoptr(GPtrArray) bodies = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token2 = NULL;

  broker_connect (f->client);
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);
  broker_send_text (f->client, f->queue, "one", NULL);
  broker_send_text (f->client, f->queue, "two", NULL);
  bodies = drain_to_sentinel (f, FALSE);
  assert_bodies (bodies, "one", "two", NULL);
  g_clear_pointer (&bodies, g_ptr_array_unref);
  disconnect_ok (f->client);

  /* Nothing comes back: auto acknowledged them on delivery. */
  broker_connect (f->client);
  token2 = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_CLIENT, NULL);
  bodies = drain_to_sentinel (f, TRUE);
  assert_bodies (bodies, NULL);
}

static void
test_ack_client (Fixture *f)
{
  g_autoptr(GPtrArray) bodies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token2 = NULL;
  g_autofree char *receipt = broker_receipt_new ();
  StompestFrame *messages[3];

  broker_connect (f->client);
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_CLIENT, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autofree char *text = g_strdup_printf ("client-%u", i);

      broker_send_text (f->client, f->queue, text, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autofree char *expected = g_strdup_printf ("client-%u", i);
      g_autofree char *text = NULL;

      messages[i] = broker_receive_message (f->client);
      text = broker_frame_text (messages[i]);
      g_assert_cmpstr (text, ==, expected);
    }

  /* Cumulative: acknowledging the third covers the first two. */
  BROKER_ASSERT_OK (stompest_client_ack (f->client, messages[2], receipt, NULL, &error),
                    error);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    stompest_frame_unref (messages[i]);
  disconnect_ok (f->client);

  broker_connect (f->client);
  token2 = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_CLIENT, NULL);
  bodies = drain_to_sentinel (f, TRUE);
  assert_bodies (bodies, NULL);
}

static void
test_ack_client_individual (Fixture *f)
{
  g_autoptr(GPtrArray) bodies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token2 = NULL;
  g_autofree char *receipt = broker_receipt_new ();
  StompestFrame *messages[3];

  broker_connect (f->client);

  if (f->version == STOMPEST_VERSION_STOMP_1_0)
    {
      /* The mode is STOMP 1.1's: refused before anything goes out. */
      token = stompest_client_subscribe (f->client, f->queue,
                                         STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                         NULL, NULL, &error);
      g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
      g_assert_null (token);
      g_assert_true (stompest_client_is_connected (f->client));
      return;
    }

  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autofree char *text = g_strdup_printf ("individual-%u", i);

      broker_send_text (f->client, f->queue, text, NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    messages[i] = broker_receive_message (f->client);

  /* Only the middle one: the others stay unacknowledged. */
  BROKER_ASSERT_OK (stompest_client_ack (f->client, messages[1], receipt, NULL, &error),
                    error);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    stompest_frame_unref (messages[i]);
  disconnect_ok (f->client);

  /* The two others are delivered again, before anything newer. */
  broker_connect (f->client);
  token2 = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, NULL);
  bodies = drain_to_sentinel (f, TRUE);
  assert_bodies (bodies, "individual-0", "individual-2", NULL);
}

static void
test_nack (Fixture *f)
{
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(StompestFrame) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *receipt = broker_receipt_new ();
  g_autofree char *text = NULL;

  broker_connect (f->client);

  if (f->version == STOMPEST_VERSION_STOMP_1_0)
    {
      token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_CLIENT, NULL);
      broker_send_text (f->client, f->queue, "no-nack", NULL);
      message = broker_receive_message (f->client);
      /* NACK is STOMP 1.1's: refused before anything goes out. */
      g_assert_false (stompest_client_nack (f->client, message, NULL, NULL, &error));
      g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
      g_assert_true (stompest_client_is_connected (f->client));
      g_clear_error (&error);
      BROKER_ASSERT_OK (stompest_client_ack (f->client, message, NULL, NULL, &error),
                        error);
      return;
    }

  /* persistent: ActiveMQ moves only persistent messages to its DLQ. */
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, NULL);
  broker_send_text (f->client, f->queue, "rejected", "persistent", "true",
                    "stompest_queue", f->queue, NULL);
  message = broker_receive_message (f->client);
  BROKER_ASSERT_OK (stompest_client_nack (f->client, message, receipt, NULL, &error),
                    error);

  if (f->broker->nack_to_dlq)
    {
      /* ActiveMQ does not redeliver a NACKed message: it goes to the
       * shared dead-letter queue, where a selector finds ours. */
      g_autofree char *selector = g_strdup_printf ("stompest_queue = '%s'", f->queue);
      g_autofree char *dlq_token = NULL;

      assert_quiet (f->client);
      dlq_token = broker_subscribe (f->client, "/queue/ActiveMQ.DLQ",
                                    STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                    "selector", selector, NULL);
      again = broker_receive_message (f->client);
      broker_assert_subscription (again, dlq_token);
      g_assert_cmpstr (stompest_frame_get_header (again, "original-destination"), ==, f->queue);
    }
  else
    {
      /* RabbitMQ requeues it to the same subscription. */
      again = broker_receive_message (f->client);
      broker_assert_subscription (again, token);
      g_assert_cmpstr (stompest_frame_get_header (again, "redelivered"), ==, "true");
    }
  text = broker_frame_text (again);
  g_assert_cmpstr (text, ==, "rejected");
  BROKER_ASSERT_OK (stompest_client_ack (f->client, again, NULL, NULL, &error), error);
}

/* Without a receipt: RabbitMQ sends the RECEIPTs of a transaction's
 * frames only when it commits. The sentinel's receipt, later on the same
 * connection, shows the broker has them. */
static void
send_in_transaction (Fixture    *f,
                     const char *text,
                     const char *transaction)
{
  g_autoptr(GHashTable) headers = broker_headers_new ("transaction", transaction, NULL);
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;

  BROKER_ASSERT_OK (stompest_client_send (f->client, f->queue, body, headers, NULL, &error),
                    error);
}

static void
test_transaction_commit (Fixture *f)
{
  g_autoptr(GPtrArray) bodies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *begin_receipt = broker_receipt_new ();
  g_autofree char *commit_receipt = broker_receipt_new ();
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) second = NULL;
  g_autofree char *first_text = NULL;
  g_autofree char *second_text = NULL;

  broker_connect (f->client);
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);
  BROKER_ASSERT_OK (stompest_client_begin (f->client, "tx-commit", begin_receipt,
                                           NULL, &error), error);
  send_in_transaction (f, "tx-1", "tx-commit");
  send_in_transaction (f, "tx-2", "tx-commit");

  /* Sent after them but outside: it arrives alone. */
  bodies = drain_to_sentinel (f, FALSE);
  assert_bodies (bodies, NULL);
  assert_quiet (f->client);

  BROKER_ASSERT_OK (stompest_client_commit (f->client, "tx-commit", commit_receipt,
                                            NULL, &error), error);
  first = broker_receive_message (f->client);
  second = broker_receive_message (f->client);
  first_text = broker_frame_text (first);
  second_text = broker_frame_text (second);
  g_assert_cmpstr (first_text, ==, "tx-1");
  g_assert_cmpstr (second_text, ==, "tx-2");
  assert_quiet (f->client);
}

static void
test_transaction_abort (Fixture *f)
{
  g_autoptr(GPtrArray) bodies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *begin_receipt = broker_receipt_new ();
  g_autofree char *abort_receipt = broker_receipt_new ();

  broker_connect (f->client);
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);
  BROKER_ASSERT_OK (stompest_client_begin (f->client, "tx-abort", begin_receipt, NULL, &error),
                    error);
  send_in_transaction (f, "aborted-1", "tx-abort");
  send_in_transaction (f, "aborted-2", "tx-abort");
  BROKER_ASSERT_OK (stompest_client_abort (f->client, "tx-abort", abort_receipt, NULL, &error),
                    error);

  bodies = drain_to_sentinel (f, FALSE);
  assert_bodies (bodies, NULL);
  assert_quiet (f->client);

  /* The transaction is over: committing it is refused before it goes out. */
  g_assert_false (stompest_client_commit (f->client, "tx-abort", NULL, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
  g_assert_true (stompest_client_is_connected (f->client));
}

static void
test_receipts (Fixture *f)
{
  g_autoptr(StompestFrame) send = stompest_frame_new ("SEND");
  g_autoptr(StompestFrame) receipt_frame = NULL;
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("after-unsubscribe", 17);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token2 = NULL;
  g_autofree char *unsubscribe_receipt = broker_receipt_new ();
  g_autofree char *send_receipt = broker_receipt_new ();
  g_autofree char *text = NULL;

  broker_connect (f->client);
  /* Receipts on SUBSCRIBE and SEND: these fail without them. */
  token = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);
  broker_send_text (f->client, f->queue, "with-receipt", NULL);
  message = broker_receive_message (f->client);
  text = broker_frame_text (message);
  g_assert_cmpstr (text, ==, "with-receipt");
  g_clear_pointer (&message, stompest_frame_unref);

  BROKER_ASSERT_OK (stompest_client_unsubscribe (f->client, token, unsubscribe_receipt,
                                                 NULL, &error), error);

  /* A receipt nobody waits for comes out of receive_frame, and no
   * MESSAGE with it: nothing is subscribed any more. */
  stompest_frame_add_header (send, "destination", f->queue);
  stompest_frame_add_header (send, "receipt", send_receipt);
  stompest_frame_set_body (send, body);
  BROKER_ASSERT_OK (stompest_client_send_frame (f->client, send, NULL, &error), error);
  receipt_frame = stompest_client_receive_frame (f->client, BROKER_WAIT_MS, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (receipt_frame);
  g_assert_cmpstr (stompest_frame_get_command (receipt_frame), ==, "RECEIPT");
  g_assert_cmpstr (stompest_frame_get_header (receipt_frame, "receipt-id"), ==, send_receipt);
  assert_quiet (f->client);

  /* It waited in the queue. */
  token2 = broker_subscribe (f->client, f->queue, STOMPEST_ACK_MODE_AUTO, NULL);
  message = broker_receive_message (f->client);
  g_clear_pointer (&text, g_free);
  text = broker_frame_text (message);
  g_assert_cmpstr (text, ==, "after-unsubscribe");
}

static void
test_heart_beats (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  stompest_client_set_heart_beat_send (f->client, 1000);
  stompest_client_set_heart_beat_receive (f->client, 1000);
  broker_connect (f->client);

  if (f->version == STOMPEST_VERSION_STOMP_1_0)
    {
      /* Heart-beats are STOMP 1.1's: none are offered or used. */
      g_assert_cmpuint (stompest_client_get_send_period (f->client), ==, 0);
      g_assert_cmpuint (stompest_client_get_receive_period (f->client), ==, 0);
      return;
    }

  /* Both brokers take the client's offer as it is. */
  g_assert_cmpuint (stompest_client_get_send_period (f->client), ==, 1000);
  g_assert_cmpuint (stompest_client_get_receive_period (f->client), ==, 1000);

  /* Idle for more than three periods: a broker drops a client that sends
   * nothing for that long, and the client a broker that sends nothing. */
  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_can_read (f->client, 3500, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 3500 * 1000);
  g_assert_true (stompest_client_is_connected (f->client));

  assert_round_trip (f->client, f->queue);
}

/* The client keeps the ERROR frame, fails with its message, closes the
 * connection, and can connect again. */
static void
assert_server_error (Fixture    *f,
                     GError     *error,
                     const char *message)
{
  StompestFrame *frame;

  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  g_assert_nonnull (strstr (error->message, message));
  frame = stompest_client_get_error_frame (f->client);
  g_assert_nonnull (frame);
  g_assert_cmpstr (stompest_frame_get_command (frame), ==, "ERROR");
  g_assert_nonnull (strstr (stompest_frame_get_header (frame, "message"), message));
  g_assert_false (stompest_client_is_connected (f->client));

  broker_connect (f->client);
  g_assert_null (stompest_client_get_error_frame (f->client));
  assert_round_trip (f->client, f->queue);
}

static void
test_error_bad_transaction (Fixture *f)
{
  g_autoptr(StompestFrame) commit = stompest_frame_new ("COMMIT");
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(GError) error = NULL;

  broker_connect (f->client);
  /* Past the client's bookkeeping, which refuses it. */
  stompest_frame_add_header (commit, "transaction", "stompest-never-begun");
  BROKER_ASSERT_OK (stompest_client_send_frame (f->client, commit, NULL, &error), error);

  frame = stompest_client_receive_frame (f->client, BROKER_WAIT_MS, NULL, &error);
  g_assert_null (frame);
  /* RabbitMQ: "Bad transaction"; ActiveMQ: "Invalid transaction id: …". */
  assert_server_error (f, error, "transaction");
}

static void
test_error_invalid_destination (Fixture *f)
{
  g_autoptr(GHashTable) headers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *receipt = broker_receipt_new ();
  g_autofree char *token = NULL;

  if (!f->broker->checks_destinations)
    {
      g_test_skip ("ActiveMQ accepts any destination name");
      return;
    }

  broker_connect (f->client);
  headers = broker_headers_new ("receipt", receipt, NULL);
  token = stompest_client_subscribe (f->client, "/queue/a/b", STOMPEST_ACK_MODE_AUTO,
                                     headers, NULL, &error);
  g_assert_null (token);
  assert_server_error (f, error, "Invalid destination");
}

static void
test_error_bad_passcode (Fixture *f)
{
  static const char passcode[] = "stompest-Wr0ng-passcode";
  g_autoptr(GError) error = NULL;
  StompestFrame *frame;

  if (!f->broker->requires_login)
    {
      g_test_skip ("the shared ActiveMQ accepts any login "
                   "(client-broker-restart starts one that does not)");
      return;
    }

  stompest_client_set_login (f->client, "guest");
  stompest_client_set_passcode (f->client, passcode);
  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  g_assert_null (strstr (error->message, passcode));
  g_assert_false (stompest_client_is_connected (f->client));
  frame = stompest_client_get_error_frame (f->client);
  g_assert_nonnull (frame);
  g_assert_cmpstr (stompest_frame_get_command (frame), ==, "ERROR");
  g_assert_nonnull (strstr (error->message, stompest_frame_get_header (frame, "message")));

  g_clear_error (&error);
  stompest_client_set_passcode (f->client, "guest");
  broker_connect (f->client);
}

static void
test_failover (Fixture *f)
{
  g_autoptr(GSocket) closed = NULL;
  g_autoptr(StompestClient) client = NULL;
  g_autoptr(StompestClient) hopeless = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dead = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *dead_only = NULL;
  guint16 port;

  /* Bound, never listening: connects are refused, and nobody else gets
   * the port meanwhile. */
  closed = broker_bound_socket_new (&port);
  dead = g_strdup_printf ("tcp://127.0.0.1:%u", port);

  /* In order: the dead one first, then the real one. */
  uri = g_strdup_printf ("failover:(%s,%s)?randomize=false&maxReconnectAttempts=3"
                         "&initialReconnectDelay=10", dead, f->uri);
  client = broker_client_new (uri, f->version);
  broker_connect (client);
  g_assert_cmpstr (stompest_client_get_broker_uri (client), ==, f->uri);
  g_assert_cmpint (stompest_client_get_version (client), ==, f->version);
  assert_round_trip (client, f->queue);
  disconnect_ok (client);

  /* With only the dead one, the schedule runs out. */
  dead_only = g_strdup_printf ("failover:(%s)?maxReconnectAttempts=2&initialReconnectDelay=10",
                               dead);
  hopeless = broker_client_new (dead_only, f->version);
  g_assert_false (stompest_client_connect_sync (hopeless, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, dead));
  g_assert_false (stompest_client_is_connected (hopeless));
}

/* The loopback bridge: a GSocketService, in a thread of its own, that
 * splices each connection to an upstream TCP address. It stands in for a
 * Unix listener RabbitMQ does not have, and for a host name the broker's
 * certificate does not name. */

typedef struct {
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GSocketService *service;
  GSocketAddress *upstream;
  GCancellable *cancellable;
  GPtrArray *listen;            /* GSocketAddress to listen on */
  GPtrArray *effective;         /* the same with real ports, once ready */
  GError *error;
  guint n_splices;              /* bridge thread only */
  gboolean stopping;            /* bridge thread only */
  GMutex mutex;
  GCond cond;
  gboolean ready;
} Bridge;

static void
bridge_maybe_quit (Bridge *bridge)
{
  if (bridge->stopping && bridge->n_splices == 0)
    g_main_loop_quit (bridge->loop);
}

static void
bridge_spliced (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Bridge *bridge = data;

  /* Ends with an error when a side resets or the bridge stops: fine. */
  g_io_stream_splice_finish (result, NULL);
  bridge->n_splices--;
  bridge_maybe_quit (bridge);
}

static gboolean
bridge_incoming (GSocketService    *service,
                 GSocketConnection *downstream,
                 GObject           *source,
                 gpointer           data)
{
  Bridge *bridge = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GError) error = NULL;

  /* A blocking connect on loopback is quick, and keeps this short. */
  upstream = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (bridge->upstream),
                                      NULL, &error);
  if (upstream == NULL)
    {
      g_test_message ("bridge: upstream connect failed: %s", error->message);
      return TRUE;
    }

  bridge->n_splices++;
  g_io_stream_splice_async (G_IO_STREAM (downstream), G_IO_STREAM (upstream),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 |
                            G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, bridge->cancellable,
                            bridge_spliced, bridge);
  return TRUE;
}

static gpointer
bridge_thread (gpointer data)
{
  Bridge *bridge = data;

  g_main_context_push_thread_default (bridge->context);

  /* Made here, so it accepts on this thread's context; inactive until
   * every address is in: adding one to an active service restarts its
   * accept, and a connection that came meanwhile was seen dropped. */
  bridge->service = g_object_new (G_TYPE_SOCKET_SERVICE, "active", FALSE, NULL);
  g_signal_connect (bridge->service, "incoming", G_CALLBACK (bridge_incoming), bridge);
  for (guint i = 0; i < bridge->listen->len && bridge->error == NULL; i++)
    {
      GSocketAddress *effective = NULL;

      if (g_socket_listener_add_address (G_SOCKET_LISTENER (bridge->service),
                                         g_ptr_array_index (bridge->listen, i),
                                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                         NULL, &effective, &bridge->error))
        g_ptr_array_add (bridge->effective, effective);
    }
  g_socket_service_start (bridge->service);

  g_mutex_lock (&bridge->mutex);
  bridge->ready = TRUE;
  g_cond_signal (&bridge->cond);
  g_mutex_unlock (&bridge->mutex);

  g_main_loop_run (bridge->loop);

  g_socket_service_stop (bridge->service);
  g_socket_listener_close (G_SOCKET_LISTENER (bridge->service));
  g_clear_object (&bridge->service);
  g_main_context_pop_thread_default (bridge->context);
  return NULL;
}

/* A bridge to UPSTREAM listening on the NULL-terminated addresses. */
static Bridge *
bridge_new (GSocketAddress *upstream,
            GSocketAddress *first_listen,
            ...)
{
  Bridge *bridge = g_new0 (Bridge, 1);
  va_list args;

  bridge->context = g_main_context_new ();
  bridge->loop = g_main_loop_new (bridge->context, FALSE);
  bridge->upstream = g_object_ref (upstream);
  bridge->cancellable = g_cancellable_new ();
  bridge->listen = g_ptr_array_new_with_free_func (g_object_unref);
  bridge->effective = g_ptr_array_new_with_free_func (g_object_unref);
  va_start (args, first_listen);
  for (GSocketAddress *address = first_listen; address != NULL;
       address = va_arg (args, GSocketAddress *))
    g_ptr_array_add (bridge->listen, g_object_ref (address));
  va_end (args);
  g_mutex_init (&bridge->mutex);
  g_cond_init (&bridge->cond);

  bridge->thread = g_thread_new ("bridge", bridge_thread, bridge);
  g_mutex_lock (&bridge->mutex);
  while (!bridge->ready)
    g_cond_wait (&bridge->cond, &bridge->mutex);
  g_mutex_unlock (&bridge->mutex);
  g_assert_no_error (bridge->error);
  return bridge;
}

static guint16
bridge_get_port (Bridge *bridge,
                 guint   index)
{
  return g_inet_socket_address_get_port (g_ptr_array_index (bridge->effective, index));
}

static gboolean
bridge_stop (gpointer data)
{
  Bridge *bridge = data;

  bridge->stopping = TRUE;
  g_cancellable_cancel (bridge->cancellable);
  bridge_maybe_quit (bridge);
  return G_SOURCE_REMOVE;
}

static void
bridge_free (Bridge *bridge)
{
  g_main_context_invoke (bridge->context, bridge_stop, bridge);
  g_thread_join (bridge->thread);
  g_mutex_clear (&bridge->mutex);
  g_cond_clear (&bridge->cond);
  g_ptr_array_unref (bridge->listen);
  g_ptr_array_unref (bridge->effective);
  g_clear_error (&bridge->error);
  g_object_unref (bridge->cancellable);
  g_object_unref (bridge->upstream);
  g_main_loop_unref (bridge->loop);
  g_main_context_unref (bridge->context);
  g_free (bridge);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bridge, bridge_free)

static GSocketAddress *
loopback_address (const char *ip,
                  guint16     port)
{
  return g_inet_socket_address_new_from_string (ip, port);
}

/* Under valgrind the first TLS handshake of a process outlasts the 5 s
 * RabbitMQ allows for one, which then closes the connection: GIO's TLS
 * module, GnuTLS and the system trust store are loaded, and valgrind
 * translates all their code for the first time. One handshake with the
 * broker whose outcome does not matter, once per process, makes those of
 * the tests quick. */
static void
warm_up_tls (Fixture           *f,
             StompestTransport *tls)
{
  static gboolean done = FALSE;
  const char *tls_uri = g_getenv (f->broker->tls_uri_var);
  g_autoptr(GTlsDatabase) system_trust = NULL;
  g_autoptr(GIOStream) stream = NULL;

  if (done || tls_uri == NULL || !stompest_test_under_valgrind ())
    return;
  done = TRUE;
  system_trust = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  stream = stompest_transport_connect_sync (tls, tls_uri, BROKER_WAIT_MS, NULL, NULL);
}

static StompestTransport *
tls_transport_with_ca (Fixture *f)
{
  StompestTlsTransport *tls = stompest_tls_transport_new ();
  const char *ca_file = require_env ("STOMPEST_TEST_CA_FILE");

  if (ca_file == NULL)
    {
      g_object_unref (tls);
      return NULL;
    }
  stompest_tls_transport_set_ca_file (tls, ca_file);
  warm_up_tls (f, STOMPEST_TRANSPORT (tls));
  return STOMPEST_TRANSPORT (tls);
}

static gboolean
require_tls (void)
{
#if ENABLE_TLS_TRANSPORT
  if (g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return TRUE;
  g_test_skip ("no TLS backend (glib-networking)");
#else
  g_test_skip ("built with -Dtls_transport=false");
#endif
  return FALSE;
}

static void
test_tls_ca_file (Fixture *f)
{
  const char *tls_uri = require_env (f->broker->tls_uri_var);
  g_autoptr(StompestTransport) tls = NULL;
  g_autoptr(StompestClient) client = NULL;

  if (tls_uri == NULL || !require_tls () || (tls = tls_transport_with_ca (f)) == NULL)
    return;

  client = broker_client_new (tls_uri, f->version);
  stompest_client_set_transport (client, "ssl", tls);
  broker_connect (client);
  g_assert_cmpstr (stompest_client_get_broker_uri (client), ==, tls_uri);
  g_assert_cmpint (stompest_client_get_version (client), ==, f->version);
  assert_round_trip (client, f->queue);
  disconnect_ok (client);
}

static void
test_tls_system_trust (Fixture *f)
{
  const char *tls_uri = require_env (f->broker->tls_uri_var);
  g_autoptr(StompestTransport) tls = NULL;
  g_autoptr(StompestClient) trusting = NULL;
  g_autoptr(StompestClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (tls_uri == NULL || !require_tls () || (tls = tls_transport_with_ca (f)) == NULL)
    return;

  /* A session opened with the test CA first: glib-networking would resume
   * it for the next connect to the same address without verifying the
   * certificate again (seen with ActiveMQ), which the transport must not
   * allow. */
  trusting = broker_client_new (tls_uri, f->version);
  stompest_client_set_transport (trusting, "ssl", tls);
  broker_connect (trusting);
  disconnect_ok (trusting);

  /* The registered ssl transport trusts the system store, which does not
   * know the test CA. */
  client = broker_client_new (tls_uri, f->version);
  g_assert_false (stompest_client_connect_sync (client, NULL, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_false (stompest_client_is_connected (client));
}

static void
test_tls_wrong_host (Fixture *f)
{
  guint16 tls_port = require_port (f->broker->stomps_port_var);
  g_autoptr(GSocketAddress) upstream = NULL;
  g_autoptr(GSocketAddress) listen_good = NULL;
  g_autoptr(GSocketAddress) listen_wrong = NULL;
  g_autoptr(Bridge) bridge = NULL;
  g_autoptr(StompestTransport) tls = NULL;
  g_autoptr(StompestClient) good = NULL;
  g_autoptr(StompestClient) wrong = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *good_uri = NULL;
  g_autofree char *wrong_uri = NULL;

  if (tls_port == 0 || !require_tls () || (tls = tls_transport_with_ca (f)) == NULL)
    return;

  /* The certificate names localhost, 127.0.0.1 and ::1, not 127.0.0.2,
   * which is loopback too; the broker listens on 127.0.0.1 only. */
  upstream = loopback_address ("127.0.0.1", tls_port);
  listen_good = loopback_address ("127.0.0.1", 0);
  listen_wrong = loopback_address ("127.0.0.2", 0);
  bridge = bridge_new (upstream, listen_good, listen_wrong, NULL);

  /* Through the bridge under a name the certificate has: accepted. */
  good_uri = g_strdup_printf ("ssl://127.0.0.1:%u", bridge_get_port (bridge, 0));
  good = broker_client_new (good_uri, f->version);
  stompest_client_set_transport (good, "ssl", tls);
  broker_connect (good);
  assert_round_trip (good, f->queue);
  disconnect_ok (good);

  /* The same broker and CA, under a name it lacks: refused. */
  wrong_uri = g_strdup_printf ("ssl://127.0.0.2:%u", bridge_get_port (bridge, 1));
  wrong = broker_client_new (wrong_uri, f->version);
  stompest_client_set_transport (wrong, "ssl", tls);
  g_assert_false (stompest_client_connect_sync (wrong, NULL, &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_false (stompest_client_is_connected (wrong));
}

static void
test_unix (Fixture *f)
{
#if ENABLE_UNIX_TRANSPORT
  guint16 port = require_port (f->broker->stomp_port_var);
  g_autoptr(GSocketAddress) upstream = NULL;
  g_autoptr(GSocketAddress) listen = NULL;
  g_autoptr(Bridge) bridge = NULL;
  g_autoptr(StompestClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;

  if (port == 0)
    return;

  dir = g_dir_make_tmp ("stompest-it-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "broker.sock", NULL);
  upstream = loopback_address ("127.0.0.1", port);
  listen = g_unix_socket_address_new (path);
  bridge = bridge_new (upstream, listen, NULL);

  uri = g_strconcat ("unix://", path, NULL);
  client = broker_client_new (uri, f->version);
  broker_connect (client);
  g_assert_cmpstr (stompest_client_get_broker_uri (client), ==, uri);
  g_assert_cmpint (stompest_client_get_version (client), ==, f->version);
  g_assert_true (g_str_has_prefix (stompest_client_get_server (client),
                                   f->broker->server_prefix));
  assert_round_trip (client, f->queue);
  disconnect_ok (client);

  g_clear_pointer (&bridge, bridge_free);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
#else
  g_test_skip ("built with -Dunix_transport=false");
#endif
}

static const struct {
  const char *label;
  BrokerTestFunc func;
} cases[] = {
  { "connect", test_connect },
  { "send-receive", test_send_receive },
  { "binary", test_binary },
  { "utf8", test_utf8 },
  { "escaped-headers", test_escaped_headers },
  { "ack-auto", test_ack_auto },
  { "ack-client", test_ack_client },
  { "ack-client-individual", test_ack_client_individual },
  { "nack", test_nack },
  { "transaction-commit", test_transaction_commit },
  { "transaction-abort", test_transaction_abort },
  { "receipts", test_receipts },
  { "heart-beats", test_heart_beats },
  { "error-bad-transaction", test_error_bad_transaction },
  { "error-invalid-destination", test_error_invalid_destination },
  { "error-bad-passcode", test_error_bad_passcode },
  { "failover", test_failover },
  { "tls-ca-file", test_tls_ca_file },
  { "tls-system-trust", test_tls_system_trust },
  { "tls-wrong-host", test_tls_wrong_host },
  { "unix", test_unix },
};

static void
run_broker_test (gconstpointer data)
{
  const BrokerTest *test = data;
  Fixture f = { 0 };

  if (!fixture_setup (&f, test))
    return;
  test->func (&f);
  fixture_teardown (&f);
}

static void
broker_test_free (gpointer data)
{
  BrokerTest *test = data;

  g_free (test->label);
  g_free (test);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) tests = g_ptr_array_new_with_free_func (broker_test_free);

  stompest_test_init (&argc, &argv);

  for (guint b = 0; b < G_N_ELEMENTS (broker_infos); b++)
    for (guint v = 0; v < G_N_ELEMENTS (broker_versions); v++)
      for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
        {
          BrokerTest *test = g_new0 (BrokerTest, 1);
          g_autofree char *path = NULL;

          test->broker = &broker_infos[b];
          test->version = broker_versions[v];
          test->func = cases[c].func;
          test->label = g_strdup (cases[c].label);
          g_ptr_array_add (tests, test);
          path = g_strdup_printf ("/client-broker/%s/%s/%s", test->broker->name,
                                  stompest_version_to_string (test->version),
                                  test->label);
          g_test_add_data_func (path, test, run_broker_test);
        }

  return g_test_run ();
}

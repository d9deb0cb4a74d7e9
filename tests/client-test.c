/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "test-utils.h"

/* Every test runs against the fake broker over TCP and over a Unix
 * socket: the fixture data holds the broker flags. */

typedef struct {
  StompestTestBroker *broker;
  StompestClient *client;
} Fixture;

#define PASSCODE "pa55-SECRET-w0rd"

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->broker = stompest_test_broker_new (STOMPEST_TEST_BROKER_IN_THREAD | GPOINTER_TO_UINT (data));
  f->client = stompest_client_new (stompest_test_broker_get_uri (f->broker));
  /* Generous: valgrind slows everything down a lot. */
  stompest_client_set_connected_timeout (f->client, 20000);
  stompest_client_set_receipt_timeout (f->client, 20000);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_pointer (&f->broker, stompest_test_broker_free);
}

static void
connect_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stompest_client_connect_sync (f->client, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (stompest_client_is_connected (f->client));
}

static GHashTable *
headers_new (const char *first_name,
             ...)
{
  GHashTable *headers = g_hash_table_new (g_str_hash, g_str_equal);
  va_list args;
  const char *name;

  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    g_hash_table_insert (headers, (gpointer) name, va_arg (args, char *));
  va_end (args);

  return headers;
}

static char *
subscribe_ok (Fixture         *f,
              const char      *destination,
              StompestAckMode  mode)
{
  g_autoptr(GHashTable) headers = headers_new ("receipt", "sub-receipt", NULL);
  g_autoptr(GError) error = NULL;
  char *token;

  token = stompest_client_subscribe (f->client, destination, mode, headers, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

static void
send_text (Fixture    *f,
           const char *destination,
           const char *text,
           const char *receipt)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  g_autoptr(GHashTable) headers = receipt ? headers_new ("receipt", receipt, NULL) : NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (stompest_client_send (f->client, destination, body, headers, NULL, &error));
  g_assert_no_error (error);
}

static void
assert_body (StompestFrame *frame,
             const char    *text)
{
  GBytes *body = stompest_frame_get_body (frame);
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;

  g_assert_cmpmem (data, len, text, strlen (text));
}

/* Connection and version negotiation. */

static void
test_connect_versions (Fixture       *f,
                       gconstpointer  data)
{
  static const StompestVersion versions[] = {
    STOMPEST_VERSION_STOMP_1_0, STOMPEST_VERSION_STOMP_1_1, STOMPEST_VERSION_STOMP_1_2,
  };

  stompest_client_set_login (f->client, "guest");
  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(StompestFrame) connect = NULL;
      g_autoptr(StompestFrame) disconnect = NULL;
      g_autoptr(GError) error = NULL;

      stompest_test_broker_set_max_version (f->broker, versions[i]);
      connect_ok (f);
      g_assert_cmpint (stompest_client_get_version (f->client), ==, versions[i]);
      g_assert_cmpstr (stompest_client_get_server (f->client), ==, "stompest-test-broker/1.0");
      g_assert_cmpstr (stompest_client_get_session_id (f->client), ==,
                       i == 0 ? "session-0" : i == 1 ? "session-1" : "session-2");
      g_assert_true (g_str_has_prefix (stompest_client_get_broker_uri (f->client), "tcp:") ||
                     g_str_has_prefix (stompest_client_get_broker_uri (f->client), "unix:"));

      connect = stompest_test_broker_pop_frame (f->broker, 10000);
      g_assert_nonnull (connect);
      g_assert_cmpstr (stompest_frame_get_command (connect), ==, "CONNECT");
      g_assert_cmpstr (stompest_frame_get_header (connect, "accept-version"), ==, "1.0,1.1,1.2");
      g_assert_cmpstr (stompest_frame_get_header (connect, "host"), ==, "/");
      g_assert_cmpstr (stompest_frame_get_header (connect, "login"), ==, "guest");
      g_assert_false (stompest_frame_has_header (connect, "passcode"));

      g_assert_true (stompest_client_disconnect_sync (f->client, NULL, &error));
      g_assert_no_error (error);
      g_assert_false (stompest_client_is_connected (f->client));
      disconnect = stompest_test_broker_pop_frame (f->broker, 10000);
      g_assert_cmpstr (stompest_frame_get_command (disconnect), ==, "DISCONNECT");
      g_assert_true (stompest_frame_has_header (disconnect, "receipt"));
    }
}

static void
test_connect_max_version (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(StompestFrame) connect = NULL;

  stompest_client_set_max_version (f->client, STOMPEST_VERSION_STOMP_1_1);
  connect_ok (f);
  g_assert_cmpint (stompest_client_get_version (f->client), ==, STOMPEST_VERSION_STOMP_1_1);
  connect = stompest_test_broker_pop_frame (f->broker, 10000);
  g_assert_cmpstr (stompest_frame_get_header (connect, "accept-version"), ==, "1.0,1.1");
}

static void
test_connect_already_connected (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  connect_ok (f);
  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
  g_assert_true (stompest_client_is_connected (f->client));
}

static void
test_not_connected (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);

  g_assert_false (stompest_client_send (f->client, "/queue/a", body, NULL, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_clear_error (&error);
  g_assert_null (stompest_client_receive_frame (f->client, 0, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  /* Disconnecting without a connection is a no-op. */
  g_clear_error (&error);
  g_assert_true (stompest_client_disconnect_sync (f->client, NULL, &error));
  g_assert_no_error (error);
}

/* A broker that never answers the command in USER_DATA. */
static gboolean
ignore_command (StompestTestConnection *connection,
                StompestFrame          *frame,
                gpointer                user_data)
{
  return strcmp (stompest_frame_get_command (frame), user_data) == 0;
}

static void
test_connect_connected_timeout (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  StompestTestConnection *connection;

  stompest_test_broker_set_frame_func (f->broker, ignore_command, (gpointer) "CONNECT");
  stompest_client_set_connected_timeout (f->client, 200);

  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "CONNECTED"));
  g_assert_nonnull (strstr (error->message, strrchr (stompest_test_broker_get_uri (f->broker), '/')));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * 1000);
  g_assert_false (stompest_client_is_connected (f->client));

  /* The client hung up. */
  connection = stompest_test_broker_get_connection (f->broker, 0, 10000);
  g_assert_true (stompest_test_connection_wait_closed (connection, 10000));
}

static gboolean
refuse_connect (StompestTestConnection *connection,
                StompestFrame          *frame,
                gpointer                user_data)
{
  g_autoptr(StompestFrame) reply = NULL;
  g_autoptr(GBytes) body = NULL;

  if (strcmp (stompest_frame_get_command (frame), "CONNECT") != 0)
    return FALSE;

  /* Like RabbitMQ: ERROR, and the socket stays open. */
  reply = stompest_frame_new ("ERROR");
  stompest_frame_add_header (reply, "message", user_data ? user_data : "Bad CONNECT");
  body = g_bytes_new_static ("Virtual host '/' access denied", 30);
  stompest_frame_set_body (reply, body);
  stompest_test_connection_send_frame (connection, reply);
  return TRUE;
}

static void
test_connect_error_frame (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  StompestTestConnection *connection;
  StompestFrame *error_frame;

  stompest_test_broker_set_frame_func (f->broker, refuse_connect, NULL);

  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  g_assert_nonnull (strstr (error->message, "Bad CONNECT"));
  g_assert_false (stompest_client_is_connected (f->client));

  error_frame = stompest_client_get_error_frame (f->client);
  g_assert_nonnull (error_frame);
  g_assert_cmpstr (stompest_frame_get_command (error_frame), ==, "ERROR");
  g_assert_cmpstr (stompest_frame_get_header (error_frame, "message"), ==, "Bad CONNECT");

  /* The broker left the socket open: the client closed it. */
  connection = stompest_test_broker_get_connection (f->broker, 0, 10000);
  g_assert_true (stompest_test_connection_wait_closed (connection, 10000));
  /* A refusal is final: no second attempt. */
  g_assert_cmpuint (stompest_test_broker_get_n_connections (f->broker), ==, 1);
}

static gboolean
error_on_subscribe (StompestTestConnection *connection,
                    StompestFrame          *frame,
                    gpointer                user_data)
{
  g_autoptr(StompestFrame) reply = NULL;

  if (strcmp (stompest_frame_get_command (frame), "SUBSCRIBE") != 0)
    return FALSE;

  reply = stompest_frame_new ("ERROR");
  stompest_frame_add_header (reply, "message", "Invalid destination");
  stompest_test_connection_send_frame (connection, reply);
  return TRUE;
}

static void
test_error_mid_stream (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(StompestFrame) frame = NULL;
  StompestFrame *error_frame;

  stompest_test_broker_set_frame_func (f->broker, error_on_subscribe, NULL);
  connect_ok (f);
  token = stompest_client_subscribe (f->client, "/queue/a/b", STOMPEST_ACK_MODE_AUTO, NULL, NULL, &error);
  g_assert_no_error (error);

  frame = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_null (frame);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  g_assert_nonnull (strstr (error->message, "Invalid destination"));
  g_assert_false (stompest_client_is_connected (f->client));

  error_frame = stompest_client_get_error_frame (f->client);
  g_assert_nonnull (error_frame);
  g_assert_cmpstr (stompest_frame_get_header (error_frame, "message"), ==, "Invalid destination");

  g_assert_true (stompest_test_connection_wait_closed (stompest_test_broker_get_connection (f->broker, 0, 1000),
                                                       10000));
  g_clear_error (&error);
  g_assert_null (stompest_client_receive_frame (f->client, 0, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
}

static void
test_error_while_awaiting_receipt (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GHashTable) headers = headers_new ("receipt", "r-1", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  stompest_test_broker_set_frame_func (f->broker, error_on_subscribe, NULL);
  connect_ok (f);
  token = stompest_client_subscribe (f->client, "/queue/a/b", STOMPEST_ACK_MODE_AUTO, headers, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  g_assert_nonnull (stompest_client_get_error_frame (f->client));
  g_assert_false (stompest_client_is_connected (f->client));
}

/* Receipts and ordering. */

static void
test_receipt_ordering (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;

  connect_ok (f);
  token = subscribe_ok (f, "/queue/a", STOMPEST_ACK_MODE_AUTO);

  /* MESSAGE, then RECEIPT (RabbitMQ): the MESSAGE read while waiting is
   * kept. Then RECEIPT, then MESSAGE (ActiveMQ). */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(StompestFrame) message = NULL;
      g_autofree char *receipt = g_strdup_printf ("r-%u", i);
      g_autofree char *text = g_strdup_printf ("message %u", i);

      stompest_test_broker_set_receipt_first (f->broker, i == 1);
      send_text (f, "/queue/a", text, receipt);
      if (i == 0)
        g_assert_true (stompest_client_can_read (f->client, 0, NULL, &error));
      g_assert_no_error (error);

      message = stompest_client_receive_frame (f->client, 10000, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (stompest_frame_get_command (message), ==, "MESSAGE");
      g_assert_cmpstr (stompest_frame_get_header (message, "subscription"), ==, token);
      assert_body (message, text);
    }

  /* The awaited RECEIPTs were consumed, not queued. */
  g_assert_false (stompest_client_can_read (f->client, 100, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (stompest_client_is_connected (f->client));
}

static void
test_receipt_timeout (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  connect_ok (f);
  stompest_test_broker_set_frame_func (f->broker, ignore_command, (gpointer) "BEGIN");
  stompest_client_set_receipt_timeout (f->client, 150);

  g_assert_false (stompest_client_begin (f->client, "tx-1", "begin-receipt", NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "begin-receipt"));
  g_assert_nonnull (strstr (error->message, "150 ms"));

  /* Only the wait failed: the session goes on. */
  g_assert_true (stompest_client_is_connected (f->client));
  g_clear_error (&error);
  g_assert_true (stompest_client_commit (f->client, "tx-1", "commit-receipt", NULL, &error));
  g_assert_no_error (error);
}

static void
test_raw_frame_receipt (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("BEGIN");
  g_autoptr(StompestFrame) receipt = NULL;
  g_autoptr(GError) error = NULL;

  connect_ok (f);
  stompest_frame_add_header (frame, "transaction", "raw-tx");
  stompest_frame_add_header (frame, "receipt", "raw-receipt");
  g_assert_true (stompest_client_send_frame (f->client, frame, NULL, &error));
  g_assert_no_error (error);

  receipt = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (receipt), ==, "RECEIPT");
  g_assert_cmpstr (stompest_frame_get_header (receipt, "receipt-id"), ==, "raw-receipt");
}

/* Answers an UNSUBSCRIBE with a MESSAGE for the subscription it ends,
 * as a broker does that had sent it already, then as usual. */
static gboolean
message_before_unsubscribe (StompestTestConnection *connection,
                            StompestFrame          *frame,
                            gpointer                user_data)
{
  g_autofree char *raw = NULL;

  if (strcmp (stompest_frame_get_command (frame), "UNSUBSCRIBE") != 0)
    return FALSE;

  raw = g_strdup_printf ("MESSAGE\ndestination:/queue/late\nmessage-id:late-1\n"
                         "subscription:%s\n\nlate", stompest_frame_get_header (frame, "id"));
  stompest_test_connection_send_raw (connection, raw, strlen (raw) + 1);
  return FALSE;
}

/* A MESSAGE for a subscription that ended on this connection is late,
 * not the broker's mistake: it is handed out. One for a subscription
 * that never existed fails the call with PROTOCOL, in its place, and
 * the connection stays up. */
static void
test_message_late_and_unknown (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(StompestFrame) late = NULL;
  g_autoptr(StompestFrame) raw = stompest_frame_new ("SEND");
  g_autoptr(StompestFrame) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  StompestTestConnection *connection;

  connect_ok (f);
  token = subscribe_ok (f, "/queue/late", STOMPEST_ACK_MODE_AUTO);
  stompest_test_broker_set_frame_func (f->broker, message_before_unsubscribe, NULL);
  g_assert_true (stompest_client_unsubscribe (f->client, token, "unsub-late", NULL, &error));
  g_assert_no_error (error);

  late = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (late, "subscription"), ==, token);

  connection = stompest_test_broker_get_connection (f->broker, 0, 10000);
  stompest_test_connection_send_raw (connection, "MESSAGE\ndestination:/queue/x\nmessage-id:x-1\n"
                                     "subscription:never-made\n\nx", -1);
  stompest_test_connection_send_raw (connection, "", 1);
  g_assert_null (stompest_client_receive_frame (f->client, 10000, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "never-made"));
  g_assert_true (stompest_client_is_connected (f->client));
  g_clear_error (&error);

  /* A raw frame's RECEIPT comes out as a frame. */
  stompest_frame_add_header (raw, "destination", "/queue/nobody");
  stompest_frame_add_header (raw, "receipt", "raw-after");
  g_assert_true (stompest_client_send_frame (f->client, raw, NULL, &error));
  g_assert_no_error (error);
  after = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (after, "receipt-id"), ==, "raw-after");
}

static void
test_ack_transaction (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(StompestFrame) ack = NULL;
  g_autoptr(StompestFrame) nack = NULL;
  g_autoptr(GError) error = NULL;

  connect_ok (f);
  token = subscribe_ok (f, "/queue/acks", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  send_text (f, "/queue/acks", "hello", NULL);
  message = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (stompest_client_begin (f->client, "tx-1", "begin-1", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (stompest_client_ack (f->client, message, "ack-1", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (stompest_client_nack (f->client, message, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (stompest_client_commit (f->client, "tx-1", "commit-1", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (stompest_client_abort (f->client, "tx-1", NULL, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_true (stompest_client_unsubscribe (f->client, token, "unsub-1", NULL, &error));
  g_assert_no_error (error);

  ack = stompest_test_broker_pop_command (f->broker, "ACK", 10000);
  g_assert_nonnull (ack);
  /* STOMP 1.2: the id is the MESSAGE's ack header. */
  g_assert_cmpstr (stompest_frame_get_header (ack, "id"), ==,
                   stompest_frame_get_header (message, "ack"));
  nack = stompest_test_broker_pop_command (f->broker, "NACK", 10000);
  g_assert_nonnull (nack);
}

/* Partial frames and lost connections. */

#define DRIBBLED_CONNECTED "CONNECTED\nversion:1.2\nserver:dribbler\nheart-beat:0,0\n\n"
#define DRIBBLED_MESSAGE \
  "MESSAGE\ndestination:/queue/a\nmessage-id:m-1\nsubscription:s-1\ncontent-length:7\n\nbin\0ary\0\n"

static gboolean
dribble_replies (StompestTestConnection *connection,
                 StompestFrame          *frame,
                 gpointer                user_data)
{
  const char *command = stompest_frame_get_command (frame);

  if (strcmp (command, "CONNECT") == 0)
    stompest_test_connection_dribble (connection, DRIBBLED_CONNECTED, sizeof DRIBBLED_CONNECTED);
  else if (strcmp (command, "SEND") == 0)
    stompest_test_connection_dribble (connection, DRIBBLED_MESSAGE, sizeof DRIBBLED_MESSAGE - 1);
  else
    return FALSE;
  return TRUE;
}

static void
test_dribble (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GHashTable) headers = headers_new ("id", "s-1", NULL);
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  GBytes *body;

  stompest_test_broker_set_frame_func (f->broker, dribble_replies, NULL);
  connect_ok (f);
  g_assert_cmpstr (stompest_client_get_server (f->client), ==, "dribbler");
  token = stompest_client_subscribe (f->client, "/queue/a", STOMPEST_ACK_MODE_AUTO, headers,
                                     NULL, &error);
  g_assert_no_error (error);

  send_text (f, "/queue/a", "go", NULL);
  message = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (message, "message-id"), ==, "m-1");
  body = stompest_frame_get_body (message);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "bin\0ary", 7);
}

static gboolean
close_mid_frame (StompestTestConnection *connection,
                 StompestFrame          *frame,
                 gpointer                user_data)
{
  if (strcmp (stompest_frame_get_command (frame), "SEND") != 0)
    return FALSE;

  stompest_test_connection_send_raw (connection, "MESSAGE\ndestination:/queue/a\nmessage-id:1\n\nhal", -1);
  stompest_test_connection_close (connection);
  return TRUE;
}

static void
test_close_mid_frame (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  stompest_test_broker_set_frame_func (f->broker, close_mid_frame, NULL);
  connect_ok (f);
  send_text (f, "/queue/a", "x", NULL);

  start = g_get_monotonic_time ();
  g_assert_null (stompest_client_receive_frame (f->client, 20000, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_false (stompest_client_is_connected (f->client));
}

static void
test_receive_timeout (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFrame) frame = NULL;
  g_autofree char *token = NULL;
  gint64 start;

  connect_ok (f);
  start = g_get_monotonic_time ();
  g_assert_null (stompest_client_receive_frame (f->client, 150, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
  g_assert_true (stompest_client_is_connected (f->client));
  g_clear_error (&error);

  g_assert_null (stompest_client_receive_frame (f->client, 0, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_clear_error (&error);

  /* Still usable. */
  token = subscribe_ok (f, "/queue/t", STOMPEST_ACK_MODE_AUTO);
  send_text (f, "/queue/t", "after", NULL);
  frame = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_no_error (error);
  assert_body (frame, "after");
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (100 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel_from_thread (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  connect_ok (f);
  thread = g_thread_new ("canceller", cancel_later, cancellable);
  g_assert_null (stompest_client_receive_frame (f->client, -1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);

  /* A cancelled wait leaves the connection in step. */
  g_assert_true (stompest_client_is_connected (f->client));
  g_clear_error (&error);
  g_assert_true (stompest_client_disconnect_sync (f->client, NULL, &error));
  g_assert_no_error (error);
}

static void
test_cancel_failover_sleep (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  GThread *thread;
  gint64 start = g_get_monotonic_time ();

  /* A broker that refuses, retried after 60 s. */
  uri = g_strdup_printf ("failover:(tcp://127.0.0.1:1)?initialReconnectDelay=60000&"
                         "useExponentialBackOff=false&startupMaxReconnectAttempts=3");
  stompest_client_set_uri (f->client, uri);
  thread = g_thread_new ("canceller", cancel_later, cancellable);
  g_assert_false (stompest_client_connect_sync (f->client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
}

/* Heart-beats. */

static void
test_heart_beats_sent (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  stompest_client_set_heart_beat_send (f->client, 100);
  stompest_test_broker_set_heart_beat (f->broker, 0, 100);
  connect_ok (f);
  g_assert_cmpuint (stompest_client_get_send_period (f->client), ==, 100);
  g_assert_cmpuint (stompest_client_get_receive_period (f->client), ==, 0);

  g_assert_false (stompest_client_can_read (f->client, 600, NULL, &error));
  g_assert_no_error (error);
  /* One beat every 50 ms, give or take a slow machine. */
  g_assert_cmpuint (stompest_test_broker_get_heart_beats (f->broker), >=, 3);

  g_assert_true (stompest_client_beat (f->client, NULL, &error));
  g_assert_no_error (error);
}

static void
test_heart_beats_silent_server (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  stompest_client_set_heart_beat_receive (f->client, 100);
  stompest_test_broker_set_heart_beat (f->broker, 100, 0);
  connect_ok (f);
  g_assert_cmpuint (stompest_client_get_receive_period (f->client), ==, 100);

  start = g_get_monotonic_time ();
  g_assert_null (stompest_client_receive_frame (f->client, 20000, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (error->message, "heart-beat"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_false (stompest_client_is_connected (f->client));
}

/* Failover and replay. */

static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  /* Closed without listen(): connecting is refused. */
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_failover_second_broker (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *uri = NULL;

  uri = g_strdup_printf ("failover:(tcp://127.0.0.1:%u,%s)?randomize=false&initialReconnectDelay=5",
                         closed_port (), stompest_test_broker_get_uri (f->broker));
  stompest_client_set_uri (f->client, uri);
  connect_ok (f);
  g_assert_true (g_str_has_suffix (stompest_client_get_broker_uri (f->client),
                                   strrchr (stompest_test_broker_get_uri (f->broker), '/')));
  g_assert_cmpuint (stompest_test_broker_get_n_connections (f->broker), ==, 1);
}

static void
test_failover_exhausted (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  guint16 port = closed_port ();

  uri = g_strdup_printf ("failover:(tcp://127.0.0.1:%u)?initialReconnectDelay=5&"
                         "startupMaxReconnectAttempts=2", port);
  stompest_client_set_uri (f->client, uri);
  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "3 attempt"));
  g_assert_false (stompest_client_is_connected (f->client));
}

static gboolean
drop_after_subscribe (StompestTestConnection *connection,
                      StompestFrame          *frame,
                      gpointer                user_data)
{
  if (stompest_test_connection_get_index (connection) != 0 ||
      strcmp (stompest_frame_get_command (frame), "SUBSCRIBE") != 0)
    return FALSE;

  stompest_test_connection_reply_default (connection, frame);
  stompest_test_connection_close (connection);
  return TRUE;
}

static void
test_replay_after_drop (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GHashTable) headers = headers_new ("id", "sub-1", "selector", "colour = 'red'", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) replayed = NULL;
  g_autoptr(StompestFrame) message = NULL;

  stompest_test_broker_set_frame_func (f->broker, drop_after_subscribe, NULL);
  connect_ok (f);
  token = stompest_client_subscribe (f->client, "/queue/r", STOMPEST_ACK_MODE_CLIENT, headers, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "sub-1");

  g_assert_null (stompest_client_receive_frame (f->client, 20000, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_clear_error (&error);

  connect_ok (f);
  first = stompest_test_broker_pop_command (f->broker, "SUBSCRIBE", 10000);
  replayed = stompest_test_broker_pop_command (f->broker, "SUBSCRIBE", 10000);
  g_assert_nonnull (replayed);
  g_assert_cmpstr (stompest_frame_get_header (replayed, "id"), ==, "sub-1");
  g_assert_cmpstr (stompest_frame_get_header (replayed, "destination"), ==, "/queue/r");
  g_assert_cmpstr (stompest_frame_get_header (replayed, "ack"), ==, "client");
  g_assert_cmpstr (stompest_frame_get_header (replayed, "selector"), ==, "colour = 'red'");
  g_assert_cmpuint (stompest_test_broker_get_n_connections (f->broker), ==, 2);

  send_text (f, "/queue/r", "again", "r-again");
  message = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (message, "subscription"), ==, "sub-1");

  /* A clean disconnect forgets the subscription. */
  g_assert_true (stompest_client_disconnect_sync (f->client, NULL, &error));
  g_assert_no_error (error);
  connect_ok (f);
  g_assert_null (stompest_test_broker_pop_command (f->broker, "SUBSCRIBE", 300));
}

/* The passcode never leaks. */

static void
assert_no_passcode (GError *error)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, PASSCODE));
}

static void
test_passcode_hidden (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFrame) connect = NULL;
  g_autofree char *log = NULL;

  stompest_test_log_capture_begin ();

  stompest_client_set_login (f->client, "guest");
  stompest_client_set_passcode (f->client, PASSCODE);

  /* A good connect: CONNECT is traced, masked. */
  connect_ok (f);
  connect = stompest_test_broker_pop_frame (f->broker, 10000);
  g_assert_cmpstr (stompest_frame_get_header (connect, "passcode"), ==, PASSCODE);
  stompest_client_close (f->client);

  /* A broker that echoes the passcode in its ERROR. */
  stompest_test_broker_set_frame_func (f->broker, refuse_connect,
                                       "Access refused for guest/" PASSCODE);
  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR);
  assert_no_passcode (error);
  g_clear_error (&error);

  /* A broker that never answers. */
  stompest_test_broker_set_frame_func (f->broker, ignore_command, (gpointer) "CONNECT");
  stompest_client_set_connected_timeout (f->client, 100);
  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  assert_no_passcode (error);
  g_clear_error (&error);

  /* No broker at all. */
  {
    g_autofree char *uri = g_strdup_printf ("tcp://127.0.0.1:%u", closed_port ());

    stompest_client_set_uri (f->client, uri);
    g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
    assert_no_passcode (error);
  }

  log = stompest_test_log_capture_end ();

  /* The trace is there, so the check below means something. */
  g_assert_nonnull (strstr (log, "CONNECT {"));
  g_assert_nonnull (strstr (log, "login:guest"));
  g_assert_null (strstr (log, PASSCODE));
}

/* Direct mode: the test plays the broker by hand. */

static gpointer
direct_broker (gpointer data)
{
  StompestTestBroker *broker = data;
  g_autoptr(GIOStream) stream = stompest_test_broker_accept_direct (broker, 20000);
  static const char connected[] = "CONNECTED\nversion:1.1\n\n";
  char buffer[512];
  gssize n;

  g_assert_nonnull (stream);
  n = g_input_stream_read (g_io_stream_get_input_stream (stream), buffer, sizeof buffer, NULL, NULL);
  g_assert_cmpint (n, >, 0);
  g_assert_true (g_str_has_prefix (buffer, "CONNECT\n"));
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (stream),
                                            connected, sizeof connected, NULL, NULL, NULL));
  /* Waits for the client to hang up. */
  while (g_input_stream_read (g_io_stream_get_input_stream (stream), buffer, sizeof buffer, NULL, NULL) > 0)
    ;
  return NULL;
}

static void
test_direct (void)
{
  g_autoptr(StompestTestBroker) broker = NULL;
  g_autoptr(StompestClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  broker = stompest_test_broker_new (STOMPEST_TEST_BROKER_IN_THREAD | STOMPEST_TEST_BROKER_DIRECT);
  client = stompest_client_new (stompest_test_broker_get_uri (broker));
  thread = g_thread_new ("direct-broker", direct_broker, broker);

  g_assert_true (stompest_client_connect_sync (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stompest_client_get_version (client), ==, STOMPEST_VERSION_STOMP_1_1);
  g_assert_null (stompest_client_get_server (client));
  stompest_client_close (client);
  g_thread_join (thread);
}

/* A broker that writes a lot without reading while the client writes a
 * lot: the client must read while it waits to write, or both block for
 * ever. */

#define FLOOD_FRAMES 8
#define FLOOD_BODY (1024 * 1024)

typedef struct {
  StompestTestBroker *broker;
  gsize received;
} Flood;

static gpointer
flooding_broker (gpointer data)
{
  Flood *flood = data;
  g_autoptr(GIOStream) stream = stompest_test_broker_accept_direct (flood->broker, 20000);
  static const char connected[] = "CONNECTED\nversion:1.2\n\n";
  g_autofree char *head = g_strdup_printf ("MESSAGE\ndestination:/queue/f\nmessage-id:m\n"
                                           "subscription:s\ncontent-length:%u\n\n", FLOOD_BODY);
  g_autofree char *body = g_malloc0 (FLOOD_BODY + 1);
  GOutputStream *out;
  char buffer[65536];
  gssize n;

  g_assert_nonnull (stream);
  out = g_io_stream_get_output_stream (stream);
  n = g_input_stream_read (g_io_stream_get_input_stream (stream), buffer, sizeof buffer, NULL, NULL);
  g_assert_cmpint (n, >, 0);
  g_assert_true (g_output_stream_write_all (out, connected, sizeof connected, NULL, NULL, NULL));

  /* Wait for the client's SUBSCRIBE (its big SEND follows), then flood
   * it back. */
  n = g_input_stream_read (g_io_stream_get_input_stream (stream), buffer, sizeof buffer, NULL, NULL);
  g_assert_cmpint (n, >, 0);
  flood->received = n;
  for (guint i = 0; i < FLOOD_FRAMES; i++)
    {
      g_assert_true (g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL));
      g_assert_true (g_output_stream_write_all (out, body, FLOOD_BODY + 1, NULL, NULL, NULL));
    }

  while ((n = g_input_stream_read (g_io_stream_get_input_stream (stream), buffer, sizeof buffer, NULL, NULL)) > 0)
    flood->received += n;
  return NULL;
}

/* Cancels the client's calls after a minute, unless stopped: turns a
 * deadlock into a failure. */
typedef struct {
  GMutex mutex;
  GCond cond;
  gboolean stopped;
  GCancellable *cancellable;
} Watchdog;

static gpointer
watchdog_run (gpointer data)
{
  Watchdog *dog = data;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_mutex_lock (&dog->mutex);
  while (!dog->stopped && g_cond_wait_until (&dog->cond, &dog->mutex, deadline))
    ;
  if (!dog->stopped)
    g_cancellable_cancel (dog->cancellable);
  g_mutex_unlock (&dog->mutex);
  return NULL;
}

static void
watchdog_stop (Watchdog *dog,
               GThread  *thread)
{
  g_mutex_lock (&dog->mutex);
  dog->stopped = TRUE;
  g_cond_signal (&dog->cond);
  g_mutex_unlock (&dog->mutex);
  g_thread_join (thread);
}

static void
test_write_no_deadlock (void)
{
  g_autoptr(StompestTestBroker) broker = stompest_test_broker_new (STOMPEST_TEST_BROKER_IN_THREAD |
                                                                    STOMPEST_TEST_BROKER_DIRECT);
  g_autoptr(StompestClient) client = stompest_client_new (stompest_test_broker_get_uri (broker));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) body = g_bytes_new_take (g_malloc0 (FLOOD_FRAMES * FLOOD_BODY), FLOOD_FRAMES * FLOOD_BODY);
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  Flood flood = { broker, 0 };
  Watchdog dog = { .cancellable = cancellable };
  GThread *server;
  GThread *dog_thread;

  server = g_thread_new ("flooding-broker", flooding_broker, &flood);
  dog_thread = g_thread_new ("watchdog", watchdog_run, &dog);
  /* The watchdog bounds this test; valgrind makes the 8 MiB slow. */
  stompest_client_set_send_timeout (client, 60000);

  g_assert_true (stompest_client_connect_sync (client, cancellable, &error));
  g_assert_no_error (error);
  /* The MESSAGEs are for a subscription the client knows. */
  g_hash_table_insert (headers, (gpointer) "id", (gpointer) "s");
  token = stompest_client_subscribe (client, "/queue/f", STOMPEST_ACK_MODE_AUTO, headers,
                                     cancellable, &error);
  g_assert_no_error (error);
  g_assert_true (stompest_client_send (client, "/queue/f", body, NULL, cancellable, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < FLOOD_FRAMES; i++)
    {
      g_autoptr(StompestFrame) message = stompest_client_receive_frame (client, 20000, cancellable, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (stompest_frame_get_body (message)), ==, FLOOD_BODY);
    }

  stompest_client_close (client);
  g_thread_join (server);
  watchdog_stop (&dog, dog_thread);
  g_assert_cmpuint (flood.received, >, FLOOD_FRAMES * FLOOD_BODY);
}

/* A broker that answers CONNECT and then never reads again, until the
 * test is done with it. */

#define DEAF_BODY (32 * 1024 * 1024)
#define DEAF_SEND_TIMEOUT 500

typedef struct {
  StompestTestBroker *broker;
  GMutex mutex;
  GCond cond;
  gboolean done;
} Deaf;

static gpointer
deaf_broker (gpointer data)
{
  Deaf *deaf = data;
  g_autoptr(GIOStream) stream = stompest_test_broker_accept_direct (deaf->broker, 20000);
  static const char connected[] = "CONNECTED\nversion:1.2\n\n";
  char buffer[512];

  g_assert_nonnull (stream);
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (stream), buffer,
                                        sizeof buffer, NULL, NULL), >, 0);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (stream),
                                            connected, sizeof connected, NULL, NULL, NULL));
  g_mutex_lock (&deaf->mutex);
  while (!deaf->done)
    g_cond_wait (&deaf->cond, &deaf->mutex);
  g_mutex_unlock (&deaf->mutex);
  return NULL;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_send_timeout (void)
{
  g_autoptr(StompestTestBroker) broker = stompest_test_broker_new (STOMPEST_TEST_BROKER_IN_THREAD |
                                                                    STOMPEST_TEST_BROKER_DIRECT);
  g_autoptr(StompestClient) client = stompest_client_new (stompest_test_broker_get_uri (broker));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) body = g_bytes_new_take (g_malloc0 (DEAF_BODY), DEAF_BODY);
  g_autoptr(GBytes) small = g_bytes_new_static ("x", 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *within = NULL;
  Deaf deaf = { .broker = broker };
  Watchdog dog = { .cancellable = cancellable };
  GThread *server;
  GThread *dog_thread;
  guint notifies = 0;
  gint64 start;
  gint64 took_ms;

  server = g_thread_new ("deaf-broker", deaf_broker, &deaf);
  /* Without a send timeout, only the watchdog would end the send, with
   * CONNECTION_LOST. */
  dog_thread = g_thread_new ("watchdog", watchdog_run, &dog);

  stompest_client_set_send_timeout (client, DEAF_SEND_TIMEOUT);
  g_assert_true (stompest_client_connect_sync (client, cancellable, &error));
  g_assert_no_error (error);
  g_signal_connect (client, "notify::connected", G_CALLBACK (count_notify), &notifies);

  /* Far more than the socket buffers hold: the write has to wait. */
  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_send (client, "/queue/deaf", body, NULL, cancellable, &error));
  took_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("send failed after %" G_GINT64_FORMAT " ms: %s", took_ms, error->message);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  within = g_strdup_printf ("to %s within %u ms", stompest_test_broker_get_uri (broker),
                            DEAF_SEND_TIMEOUT);
  g_assert_nonnull (strstr (error->message, within));
  g_assert_nonnull (strstr (error->message, "half written"));
  g_assert_cmpint (took_ms, >=, DEAF_SEND_TIMEOUT);
  g_assert_cmpint (took_ms, <, 20000);

  /* Half a frame went out: the connection is closed, and says so. */
  g_assert_false (stompest_client_is_connected (client));
  g_assert_cmpuint (notifies, ==, 1);
  g_clear_error (&error);
  g_assert_false (stompest_client_send (client, "/queue/deaf", small, NULL, cancellable, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);

  g_mutex_lock (&deaf.mutex);
  deaf.done = TRUE;
  g_cond_signal (&deaf.cond);
  g_mutex_unlock (&deaf.mutex);
  g_thread_join (server);
  watchdog_stop (&dog, dog_thread);
}

static void
test_properties (void)
{
  g_autoptr(StompestClient) client = stompest_client_new ("tcp://localhost:61613");
  g_autofree char *virtual_host = NULL;
  guint receipt_timeout;
  guint send_timeout;
  gboolean connected;
  guint notifies = 0;

  g_object_get (client, "virtual-host", &virtual_host, "receipt-timeout", &receipt_timeout,
                "send-timeout", &send_timeout, "connected", &connected, NULL);
  g_assert_cmpstr (virtual_host, ==, "/");
  g_assert_cmpuint (receipt_timeout, ==, 10000);
  g_assert_cmpuint (send_timeout, ==, 10000);
  g_assert_false (connected);
  g_signal_connect (client, "notify::send-timeout", G_CALLBACK (count_notify), &notifies);
  stompest_client_set_send_timeout (client, 0);
  stompest_client_set_send_timeout (client, 0);
  g_assert_cmpuint (stompest_client_get_send_timeout (client), ==, 0);
  g_assert_cmpuint (notifies, ==, 1);
  g_assert_cmpuint (stompest_client_get_heart_beat_send (client), ==, 0);
  g_assert_cmpuint (stompest_client_get_heart_beat_receive (client), ==, 0);
  g_assert_cmpint (stompest_client_get_max_version (client), ==, STOMPEST_VERSION_STOMP_1_2);
  g_assert_false (stompest_client_is_connected (client));
  g_assert_null (stompest_client_get_broker_uri (client));
  g_assert_nonnull (stompest_client_get_parser (client));
  /* Write-only. */
  g_assert_false (g_object_class_find_property (G_OBJECT_GET_CLASS (client), "passcode")->flags & G_PARAM_READABLE);
}

static void
add_test (const char *path,
          void      (*test) (Fixture *, gconstpointer))
{
  g_autofree char *tcp = g_strconcat (path, "/tcp", NULL);

  g_test_add (tcp, Fixture, GUINT_TO_POINTER (STOMPEST_TEST_BROKER_DEFAULT),
              fixture_setup, test, fixture_teardown);
#if ENABLE_UNIX_TRANSPORT
  {
    g_autofree char *unix_path = g_strconcat (path, "/unix", NULL);

    g_test_add (unix_path, Fixture, GUINT_TO_POINTER (STOMPEST_TEST_BROKER_UNIX_SOCKET),
                fixture_setup, test, fixture_teardown);
  }
#endif
}

/* Pops the next SEND from the broker and checks its body. */
static void
assert_next_send (Fixture    *f,
                  const char *text,
                  gsize       len)
{
  g_autoptr(StompestFrame) frame = stompest_test_broker_pop_command (f->broker, "SEND", 10000);
  GBytes *body;

  g_assert_nonnull (frame);
  body = stompest_frame_get_body (frame);
  g_assert_nonnull (body);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), text, len);
}

/* With a write buffer, frames wait in the client until it is flushed,
 * full, or a call waits for the broker; a large body goes out at once
 * after them; order is kept; close() drops what was not written. (The
 * broker suites run the same writes untraced.) */
static void
test_write_buffered (void)
{
  g_autoptr(StompestTestBroker) broker = NULL;
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *large = g_malloc (20000);
  g_autofree char *token = NULL;
  Fixture fixture = { 0 };
  Fixture *f = &fixture;

  broker = stompest_test_broker_new (STOMPEST_TEST_BROKER_IN_THREAD);
  f->broker = broker;
  f->client = stompest_client_new (stompest_test_broker_get_uri (broker));
  stompest_client_set_receipt_timeout (f->client, 20000);
  g_assert_cmpuint (stompest_client_get_write_buffer_size (f->client), ==, 0);
  connect_ok (f);
  g_clear_pointer (&frame, stompest_frame_unref);
  frame = stompest_test_broker_pop_command (broker, "CONNECT", 10000);
  g_assert_nonnull (frame);

  stompest_client_set_write_buffer_size (f->client, 4096);
  send_text (f, "/queue/b", "one", NULL);
  send_text (f, "/queue/b", "two", NULL);
  g_clear_pointer (&frame, stompest_frame_unref);
  frame = stompest_test_broker_pop_frame (broker, 300);
  g_assert_null (frame);
  g_assert_true (stompest_client_flush (f->client, NULL, &error));
  g_assert_no_error (error);
  assert_next_send (f, "one", 3);
  assert_next_send (f, "two", 3);

  /* A large body leaves at once, after what was buffered. */
  memset (large, 'L', 20000);
  send_text (f, "/queue/b", "three", NULL);
  {
    g_autoptr(GBytes) body = g_bytes_new_static (large, 20000);

    g_assert_true (stompest_client_send (f->client, "/queue/b", body, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  assert_next_send (f, "three", 5);
  assert_next_send (f, large, 20000);

  /* A full buffer is written without being asked. */
  for (guint i = 0; i < 100; i++)
    send_text (f, "/queue/b", "0123456789012345678901234567890123456789", NULL);
  for (guint i = 0; i < 50; i++)
    assert_next_send (f, "0123456789012345678901234567890123456789", 40);

  /* Waiting for a receipt, or for a frame, writes what is buffered
   * first: the broker can only answer what it has. */
  token = subscribe_ok (f, "/queue/c", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL);
  send_text (f, "/queue/c", "four", NULL);
  g_clear_pointer (&frame, stompest_frame_unref);
  frame = stompest_client_receive_frame (f->client, 10000, NULL, &error);
  g_assert_no_error (error);
  assert_body (frame, "four");
  g_assert_true (stompest_client_ack (f->client, frame, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (stompest_client_nack (f->client, frame, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (stompest_client_flush (f->client, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&frame, stompest_frame_unref);
  frame = stompest_test_broker_pop_command (broker, "ACK", 10000);
  g_assert_nonnull (frame);
  g_assert_nonnull (stompest_frame_get_header (frame, "id"));
  g_clear_pointer (&frame, stompest_frame_unref);
  frame = stompest_test_broker_pop_command (broker, "NACK", 10000);
  g_assert_nonnull (frame);

  /* close() drops what was not written. */
  send_text (f, "/queue/b", "lost", NULL);
  stompest_client_close (f->client);
  g_assert_true (stompest_test_connection_wait_closed (stompest_test_broker_get_connection (broker, 0, 1000),
                                                       10000));
  g_clear_pointer (&frame, stompest_frame_unref);
  frame = stompest_test_broker_pop_frame (broker, 300);
  g_assert_null (frame);
  g_assert_true (stompest_client_flush (f->client, NULL, &error));
  g_assert_no_error (error);

  g_clear_object (&f->client);
  g_clear_pointer (&broker, stompest_test_broker_free);
}

int
main (int    argc,
      char **argv)
{
  /* Frames are traced at debug level only when asked for. */
  g_setenv ("G_MESSAGES_DEBUG", "Stompest", TRUE);
  stompest_test_log_capture_install ();
  stompest_test_init (&argc, &argv);

  g_test_add_func ("/client/properties/defaults", test_properties);
  g_test_add_func ("/client/connect/direct", test_direct);
  g_test_add_func ("/client/write/no-deadlock", test_write_no_deadlock);
  g_test_add_func ("/client/write/send-timeout", test_send_timeout);
  g_test_add_func ("/client/write/buffered", test_write_buffered);
  add_test ("/client/connect/versions", test_connect_versions);
  add_test ("/client/connect/max-version", test_connect_max_version);
  add_test ("/client/connect/already-connected", test_connect_already_connected);
  add_test ("/client/connect/not-connected", test_not_connected);
  add_test ("/client/connect/connected-timeout", test_connect_connected_timeout);
  add_test ("/client/connect/error-frame", test_connect_error_frame);
  add_test ("/client/error/mid-stream", test_error_mid_stream);
  add_test ("/client/error/awaiting-receipt", test_error_while_awaiting_receipt);
  add_test ("/client/receipt/ordering", test_receipt_ordering);
  add_test ("/client/receipt/timeout", test_receipt_timeout);
  add_test ("/client/receipt/raw-frame", test_raw_frame_receipt);
  add_test ("/client/message/late-and-unknown", test_message_late_and_unknown);
  add_test ("/client/ack/transaction", test_ack_transaction);
  add_test ("/client/read/dribble", test_dribble);
  add_test ("/client/read/close-mid-frame", test_close_mid_frame);
  add_test ("/client/read/timeout", test_receive_timeout);
  add_test ("/client/cancel/receive", test_cancel_from_thread);
  add_test ("/client/cancel/failover-sleep", test_cancel_failover_sleep);
  add_test ("/client/heart-beat/sent-while-waiting", test_heart_beats_sent);
  add_test ("/client/heart-beat/silent-server", test_heart_beats_silent_server);
  add_test ("/client/failover/second-broker", test_failover_second_broker);
  add_test ("/client/failover/exhausted", test_failover_exhausted);
  add_test ("/client/replay/after-drop", test_replay_after_drop);
  add_test ("/client/passcode/hidden", test_passcode_hidden);

  return g_test_run ();
}

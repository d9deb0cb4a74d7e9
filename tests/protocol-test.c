/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "test-utils.h"
#include "stompest-protocol-private.h"

/* Builders of the broker's frames, by hand. */

static StompestFrame *
make_connected (StompestVersion  version,
                const char      *heart_beat)
{
  StompestFrame *frame = stompest_frame_new ("CONNECTED");

  if (version != STOMPEST_VERSION_STOMP_1_0)
    stompest_frame_add_header (frame, "version", stompest_version_to_string (version));
  stompest_frame_add_header (frame, "server", "TestBroker/1.0");
  stompest_frame_add_header (frame, "session", "session-42");
  if (heart_beat != NULL)
    stompest_frame_add_header (frame, "heart-beat", heart_beat);
  return frame;
}

static StompestFrame *
make_message (const char *subscription,
              const char *destination,
              const char *message_id)
{
  StompestFrame *frame = stompest_frame_new ("MESSAGE");

  stompest_frame_add_header (frame, "destination", destination);
  stompest_frame_add_header (frame, "message-id", message_id);
  if (subscription != NULL)
    stompest_frame_add_header (frame, "subscription", subscription);
  stompest_frame_add_header (frame, "ack", message_id);
  return frame;
}

static StompestFrame *
make_receipt (const char *receipt_id)
{
  StompestFrame *frame = stompest_frame_new ("RECEIPT");

  stompest_frame_add_header (frame, "receipt-id", receipt_id);
  return frame;
}

/* A protocol connected in VERSION, without heart-beats. */
static StompestProtocol *
connected_protocol (StompestVersion version)
{
  StompestProtocol *protocol = stompest_protocol_new (version);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) connected = make_connected (version, NULL);
  g_autoptr(GError) error = NULL;

  connect = stompest_protocol_connect (protocol, "localhost", NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connect);
  g_assert_true (stompest_protocol_connected (protocol, connected, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_CONNECTED);
  return protocol;
}

static void
reconnect (StompestProtocol *protocol)
{
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) connected = NULL;
  g_autoptr(GError) error = NULL;

  connect = stompest_protocol_connect (protocol, "localhost", NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  connected = make_connected (stompest_protocol_get_max_version (protocol), NULL);
  g_assert_true (stompest_protocol_connected (protocol, connected, &error));
  g_assert_no_error (error);
}

/* Asserts a PROTOCOL error whose message holds every given fragment. */
static void
assert_error_mentions (GError     *error,
                       gint        code,
                       const char *first,
                       ...)
{
  va_list args;

  g_assert_error (error, STOMPEST_ERROR, code);
  va_start (args, first);
  for (const char *part = first; part != NULL; part = va_arg (args, const char *))
    if (strstr (error->message, part) == NULL)
      g_error ("error “%s” does not mention “%s”", error->message, part);
  va_end (args);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* /protocol/lifecycle/<version> */

static void
test_lifecycle (gconstpointer data)
{
  StompestVersion version = GPOINTER_TO_INT (data);
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (version);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) connected = NULL;
  g_autoptr(StompestFrame) subscribe = NULL;
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(StompestFrame) ack = NULL;
  g_autoptr(StompestFrame) unsubscribe = NULL;
  g_autoptr(StompestFrame) disconnect = NULL;
  g_autoptr(StompestFrame) receipt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  const char *matched = NULL;
  const char *receipt_id = NULL;
  guint state_notifies = 0;

  g_signal_connect (protocol, "notify::state", G_CALLBACK (count_notify), &state_notifies);

  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_DISCONNECTED);
  g_assert_cmpint (stompest_protocol_get_version (protocol), ==, version);
  g_assert_cmpint (stompest_protocol_get_max_version (protocol), ==, version);

  connect = stompest_protocol_connect (protocol, "localhost", "guest", "secret",
                                       1000, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (connect), ==, "CONNECT");
  g_assert_false (stompest_frame_is_sealed (connect));
  if (version == STOMPEST_VERSION_STOMP_1_0)
    g_assert_false (stompest_frame_has_header (connect, "accept-version"));
  else if (version == STOMPEST_VERSION_STOMP_1_1)
    g_assert_cmpstr (stompest_frame_get_header (connect, "accept-version"), ==, "1.0,1.1");
  else
    g_assert_cmpstr (stompest_frame_get_header (connect, "accept-version"), ==, "1.0,1.1,1.2");
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_CONNECTING);
  g_assert_cmpuint (state_notifies, ==, 1);
  /* Before CONNECTED, there are no heart-beats. */
  g_assert_cmpuint (stompest_protocol_get_send_period (protocol), ==, 0);
  g_assert_cmpuint (stompest_protocol_get_receive_period (protocol), ==, 0);

  /* sx=2000, sy=3000 against cx=cy=1000. */
  connected = make_connected (version, "2000,3000");
  g_assert_true (stompest_protocol_connected (protocol, connected, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_CONNECTED);
  g_assert_cmpuint (state_notifies, ==, 2);
  g_assert_cmpint (stompest_protocol_get_version (protocol), ==, version);
  g_assert_cmpstr (stompest_protocol_get_server (protocol), ==, "TestBroker/1.0");
  g_assert_cmpstr (stompest_protocol_get_session (protocol), ==, "session-42");
  if (version == STOMPEST_VERSION_STOMP_1_0)
    {
      g_assert_cmpuint (stompest_protocol_get_send_period (protocol), ==, 0);
      g_assert_cmpuint (stompest_protocol_get_receive_period (protocol), ==, 0);
    }
  else
    {
      g_assert_cmpuint (stompest_protocol_get_send_period (protocol), ==, 3000);
      g_assert_cmpuint (stompest_protocol_get_receive_period (protocol), ==, 2000);
    }

  subscribe = stompest_protocol_subscribe (protocol, "/queue/a", "sub-1",
                                           STOMPEST_ACK_MODE_CLIENT, NULL,
                                           &token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (subscribe), ==, "SUBSCRIBE");
  g_assert_cmpstr (token, ==, "sub-1");
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 1);

  message = make_message ("sub-1", "/queue/a", "m-1");
  g_assert_true (stompest_protocol_message (protocol, message, &matched, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (matched, ==, token);

  ack = stompest_protocol_ack (protocol, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (ack), ==, "ACK");
  if (version == STOMPEST_VERSION_STOMP_1_2)
    g_assert_cmpstr (stompest_frame_get_header (ack, "id"), ==, "m-1");
  else
    g_assert_cmpstr (stompest_frame_get_header (ack, "message-id"), ==, "m-1");

  unsubscribe = stompest_protocol_unsubscribe (protocol, token, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (unsubscribe, "id"), ==, "sub-1");
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 0);

  disconnect = stompest_protocol_disconnect (protocol, "bye", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (disconnect), ==, "DISCONNECT");
  g_assert_cmpstr (stompest_frame_get_header (disconnect, "receipt"), ==, "bye");
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_DISCONNECTING);
  g_assert_true (stompest_protocol_has_pending_receipts (protocol));

  receipt = make_receipt ("bye");
  g_assert_true (stompest_protocol_receipt (protocol, receipt, &receipt_id, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (receipt_id, ==, "bye");
  g_assert_false (stompest_protocol_has_pending_receipts (protocol));

  stompest_protocol_close (protocol, FALSE);
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_DISCONNECTED);
  g_assert_cmpuint (state_notifies, ==, 4);
  g_assert_cmpint (stompest_protocol_get_version (protocol), ==, version);
  g_assert_null (stompest_protocol_get_server (protocol));
  g_assert_null (stompest_protocol_get_session (protocol));
  g_assert_cmpuint (stompest_protocol_get_send_period (protocol), ==, 0);
  g_assert_cmpuint (stompest_protocol_get_n_dropped_receipts (protocol), ==, 0);
}

/* The version reverts to max-version on close, with notify. */
static void
test_lifecycle_version_reverts (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) connected = make_connected (STOMPEST_VERSION_STOMP_1_1, NULL);
  g_autoptr(GError) error = NULL;
  StompestVersion property_version;
  guint version_notifies = 0;

  g_signal_connect (protocol, "notify::version", G_CALLBACK (count_notify), &version_notifies);
  connect = stompest_protocol_connect_frame (protocol, "localhost", NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_true (stompest_protocol_connected (protocol, connected, &error));
  g_assert_cmpint (stompest_protocol_get_version (protocol), ==, STOMPEST_VERSION_STOMP_1_1);
  g_object_get (protocol, "version", &property_version, NULL);
  g_assert_cmpint (property_version, ==, STOMPEST_VERSION_STOMP_1_1);
  g_assert_cmpuint (version_notifies, ==, 1);

  stompest_protocol_close (protocol, TRUE);
  g_assert_cmpint (stompest_protocol_get_version (protocol), ==, STOMPEST_VERSION_STOMP_1_2);
  g_assert_cmpuint (version_notifies, ==, 2);
}

/* /protocol/state/... */

/* Calls every state-checked operation but connected(), and asserts that
 * each fails with PROTOCOL naming itself and STATE, unless allowed. */
static void
assert_operations_refused (StompestProtocol *protocol,
                           const char       *state)
{
  g_autoptr(StompestFrame) message = make_message ("sub-x", "/queue/x", "m-1");
  g_autoptr(StompestFrame) receipt = make_receipt ("r-x");
  StompestProtocolState before = stompest_protocol_get_state (protocol);
  GError *error = NULL;
  char *token = NULL;
  gboolean connecting_allowed = before == STOMPEST_PROTOCOL_STATE_DISCONNECTED;
  gboolean reading_allowed = before == STOMPEST_PROTOCOL_STATE_DISCONNECTING;

#define REFUSED(call, op)                                              \
  G_STMT_START {                                                       \
    g_assert_null (call);                                              \
    assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, op, state, NULL); \
    g_clear_error (&error);                                            \
  } G_STMT_END

  REFUSED (stompest_protocol_send (protocol, "/queue/x", NULL, NULL, NULL, &error), "send");
  REFUSED (stompest_protocol_subscribe (protocol, "/queue/x", "id", STOMPEST_ACK_MODE_AUTO, NULL, &token, &error), "subscribe");
  g_assert_null (token);
  REFUSED (stompest_protocol_unsubscribe (protocol, "id", NULL, &error), "unsubscribe");
  REFUSED (stompest_protocol_ack (protocol, message, NULL, &error), "ack");
  REFUSED (stompest_protocol_nack (protocol, message, NULL, &error), "nack");
  REFUSED (stompest_protocol_begin (protocol, "tx", NULL, &error), "begin");
  REFUSED (stompest_protocol_commit (protocol, "tx", NULL, &error), "commit");
  REFUSED (stompest_protocol_abort (protocol, "tx", NULL, &error), "abort");
  REFUSED (stompest_protocol_disconnect (protocol, NULL, &error), "disconnect");
  if (!connecting_allowed)
    REFUSED (stompest_protocol_connect (protocol, "localhost", "guest", "secret", 0, 0, &error), "connect");
  if (!reading_allowed)
    {
      g_assert_false (stompest_protocol_message (protocol, message, NULL, &error));
      assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "MESSAGE", state, NULL);
      g_clear_error (&error);
      g_assert_false (stompest_protocol_receipt (protocol, receipt, NULL, &error));
      assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "RECEIPT", state, NULL);
      g_clear_error (&error);
    }
#undef REFUSED

  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, before);
  g_assert_cmpuint (stompest_protocol_get_n_pending_receipts (protocol), ==, 0);
}

static void
assert_connected_refused (StompestProtocol *protocol,
                          const char       *state)
{
  g_autoptr(StompestFrame) connected = make_connected (STOMPEST_VERSION_STOMP_1_2, NULL);
  StompestProtocolState before = stompest_protocol_get_state (protocol);
  g_autoptr(GError) error = NULL;

  g_assert_false (stompest_protocol_connected (protocol, connected, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "CONNECTED", state, NULL);
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, before);
}

static void
test_state_disconnected (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);

  assert_operations_refused (protocol, "disconnected");
  assert_connected_refused (protocol, "disconnected");
}

static void
test_state_connecting (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(GError) error = NULL;

  connect = stompest_protocol_connect (protocol, "localhost", "guest", "secret", 0, 0, &error);
  g_assert_no_error (error);
  assert_operations_refused (protocol, "connecting");
}

static void
test_state_connected (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(GError) error = NULL;

  g_assert_null (stompest_protocol_connect (protocol, "localhost", "guest", "secret", 0, 0, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "connect", "connected", NULL);
  g_assert_null (strstr (error->message, "secret"));
  assert_connected_refused (protocol, "connected");
}

static void
test_state_disconnecting (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) disconnect = NULL;
  g_autoptr(StompestFrame) message = make_message ("sub-1", "/queue/a", "m-1");
  g_autoptr(StompestFrame) subscribe = NULL;
  g_autoptr(GError) error = NULL;

  subscribe = stompest_protocol_subscribe (protocol, "/queue/a", "sub-1",
                                           STOMPEST_ACK_MODE_AUTO, NULL, NULL, &error);
  g_assert_no_error (error);
  disconnect = stompest_protocol_disconnect (protocol, NULL, &error);
  g_assert_no_error (error);

  assert_operations_refused (protocol, "disconnecting");
  assert_connected_refused (protocol, "disconnecting");

  /* Messages sent before the DISCONNECT still arrive and are matched. */
  g_assert_true (stompest_protocol_message (protocol, message, NULL, &error));
  g_assert_no_error (error);
}

/* Closing works in every state and always lands in disconnected. */
static void
test_state_close_anywhere (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(GError) error = NULL;

  stompest_protocol_close (protocol, TRUE);
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_DISCONNECTED);

  connect = stompest_protocol_connect (protocol, "localhost", NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  stompest_protocol_close (protocol, FALSE);
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_DISCONNECTED);
  g_assert_cmpint (stompest_protocol_get_version (protocol), ==, STOMPEST_VERSION_STOMP_1_2);
}

/* /protocol/connected/... */

static void
test_connected_error_frame (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) refused = stompest_frame_new ("ERROR");
  g_autoptr(GError) error = NULL;

  stompest_frame_add_header (refused, "message", "Access refused for user guest");
  connect = stompest_protocol_connect (protocol, "localhost", "guest", "secret", 0, 0, &error);
  g_assert_no_error (error);

  g_assert_false (stompest_protocol_connected (protocol, refused, &error));
  assert_error_mentions (error, STOMPEST_ERROR_SERVER_ERROR, "Access refused for user guest", NULL);
  g_assert_null (strstr (error->message, "secret"));
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_DISCONNECTED);
  g_assert_null (stompest_protocol_get_server (protocol));
  g_clear_error (&error);

  /* The next attempt starts afresh. */
  g_clear_pointer (&connect, stompest_frame_unref);
  connect = stompest_protocol_connect (protocol, "localhost", "guest", "secret", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_CONNECTING);
}

static void
test_connected_unexpected_frame (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) message = make_message ("s", "/queue/a", "m-1");
  g_autoptr(GError) error = NULL;

  connect = stompest_protocol_connect (protocol, "localhost", NULL, NULL, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_false (stompest_protocol_connected (protocol, message, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "MESSAGE", NULL);
  g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_DISCONNECTED);
}

/* /protocol/version/... */

static void
test_version_not_offered (void)
{
  const char *versions[] = { "1.2", "2.0" };

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_1);
      g_autoptr(StompestFrame) connect = NULL;
      g_autoptr(StompestFrame) connected = stompest_frame_new ("CONNECTED");
      g_autoptr(GError) error = NULL;

      stompest_frame_add_header (connected, "version", versions[i]);
      connect = stompest_protocol_connect (protocol, "localhost", NULL, NULL, 0, 0, &error);
      g_assert_no_error (error);

      g_assert_false (stompest_protocol_connected (protocol, connected, &error));
      assert_error_mentions (error, STOMPEST_ERROR_UNSUPPORTED_VERSION, versions[i], NULL);
      g_assert_cmpint (stompest_protocol_get_state (protocol), ==, STOMPEST_PROTOCOL_STATE_DISCONNECTED);
      g_assert_cmpint (stompest_protocol_get_version (protocol), ==, STOMPEST_VERSION_STOMP_1_1);
    }
}

/* A 1.2 offer answered in 1.0 (no version header) runs in 1.0. */
static void
test_version_downgrade (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) connected = make_connected (STOMPEST_VERSION_STOMP_1_0, "1000,1000");
  g_autoptr(StompestFrame) nack = NULL;
  g_autoptr(StompestFrame) message = make_message (NULL, "/queue/a", "m-1");
  g_autoptr(GError) error = NULL;

  connect = stompest_protocol_connect (protocol, "localhost", NULL, NULL, 1000, 1000, &error);
  g_assert_true (stompest_protocol_connected (protocol, connected, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stompest_protocol_get_version (protocol), ==, STOMPEST_VERSION_STOMP_1_0);
  g_assert_cmpuint (stompest_protocol_get_send_period (protocol), ==, 0);
  g_assert_cmpint (stompest_protocol_get_next_beat_due (protocol), ==, -1);

  /* No NACK in 1.0. */
  nack = stompest_protocol_nack (protocol, message, NULL, &error);
  g_assert_null (nack);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
}

/* /protocol/subscribe/... */

static void
test_subscribe_tokens_1_0 (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_0);
  g_autoptr(StompestFrame) by_destination = NULL;
  g_autoptr(StompestFrame) by_id = NULL;
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(StompestFrame) unsubscribe = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token1 = NULL;
  g_autofree char *token2 = NULL;
  const char *matched = NULL;

  by_destination = stompest_protocol_subscribe (protocol, "/queue/a", NULL,
                                                STOMPEST_ACK_MODE_AUTO, NULL,
                                                &token1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token1, ==, "/queue/a");
  g_assert_false (stompest_frame_has_header (by_destination, "id"));

  by_id = stompest_protocol_subscribe (protocol, "/queue/b", "mine",
                                       STOMPEST_ACK_MODE_CLIENT, NULL,
                                       &token2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token2, ==, "mine");
  g_assert_cmpstr (stompest_frame_get_header (by_id, "id"), ==, "mine");

  /* A 1.0 MESSAGE without subscription header matches by destination. */
  message = make_message (NULL, "/queue/a", "m-1");
  g_assert_true (stompest_protocol_message (protocol, message, &matched, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (matched, ==, "/queue/a");
  g_clear_pointer (&message, stompest_frame_unref);

  /* Some brokers name a subscription made without id themselves
   * (RabbitMQ: "T_" + destination); the destination still matches. */
  message = make_message ("T_/queue/a", "/queue/a", "m-3");
  matched = NULL;
  g_assert_true (stompest_protocol_message (protocol, message, &matched, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (matched, ==, "/queue/a");
  g_clear_pointer (&message, stompest_frame_unref);

  message = make_message ("mine", "/queue/b", "m-2");
  g_assert_true (stompest_protocol_message (protocol, message, &matched, &error));
  g_assert_cmpstr (matched, ==, "mine");

  /* A subscription without id is ended by destination. */
  unsubscribe = stompest_protocol_unsubscribe (protocol, token1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (unsubscribe, "destination"), ==, "/queue/a");
  g_assert_false (stompest_frame_has_header (unsubscribe, "id"));
}

static void
test_subscribe_tokens (gconstpointer data)
{
  StompestVersion version = GPOINTER_TO_INT (data);
  g_autoptr(StompestProtocol) protocol = connected_protocol (version);
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) second = NULL;
  g_autoptr(StompestFrame) given = NULL;
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token1 = NULL;
  g_autofree char *token2 = NULL;
  g_autofree char *token3 = NULL;
  const char *matched = NULL;

  /* Generated ids, distinct even for the same destination. */
  first = stompest_protocol_subscribe (protocol, "/queue/a", NULL,
                                       STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                       NULL, &token1, &error);
  g_assert_no_error (error);
  second = stompest_protocol_subscribe (protocol, "/queue/a", NULL,
                                        STOMPEST_ACK_MODE_AUTO, NULL,
                                        &token2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token1);
  g_assert_cmpstr (token1, !=, token2);
  g_assert_cmpstr (stompest_frame_get_header (first, "id"), ==, token1);
  g_assert_cmpstr (stompest_frame_get_header (second, "id"), ==, token2);

  given = stompest_protocol_subscribe (protocol, "/queue/b", "given",
                                       STOMPEST_ACK_MODE_AUTO, NULL,
                                       &token3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token3, ==, "given");
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 3);

  message = make_message (token2, "/queue/a", "m-1");
  g_assert_true (stompest_protocol_message (protocol, message, &matched, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (matched, ==, token2);
}

/* Generated ids are never reused within a protocol object, not even
 * after a reconnect. */
static void
test_subscribe_generated_unique (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < 5; i++)
        {
          g_autoptr(StompestFrame) frame = NULL;
          char *token = NULL;

          frame = stompest_protocol_subscribe (protocol, "/queue/a", NULL,
                                               STOMPEST_ACK_MODE_AUTO, NULL,
                                               &token, &error);
          g_assert_no_error (error);
          g_assert_false (g_hash_table_contains (seen, token));
          g_hash_table_add (seen, token);
        }
      stompest_protocol_close (protocol, TRUE);
      reconnect (protocol);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 10);
}

static void
test_subscribe_duplicate (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) again = NULL;
  g_autoptr(GError) error = NULL;
  char *token = NULL;

  first = stompest_protocol_subscribe (protocol, "/queue/a", "dup",
                                       STOMPEST_ACK_MODE_AUTO, NULL, NULL, &error);
  g_assert_no_error (error);

  again = stompest_protocol_subscribe (protocol, "/queue/b", "dup",
                                       STOMPEST_ACK_MODE_AUTO, "r-1", &token, &error);
  g_assert_null (again);
  g_assert_null (token);
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "dup", NULL);
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 1);
  /* A refused frame registers no receipt. */
  g_assert_cmpuint (stompest_protocol_get_n_pending_receipts (protocol), ==, 0);
}

static void
test_subscribe_1_0_duplicate_destination (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_0);
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) again = NULL;
  g_autoptr(GError) error = NULL;

  first = stompest_protocol_subscribe (protocol, "/queue/a", NULL,
                                       STOMPEST_ACK_MODE_AUTO, NULL, NULL, &error);
  g_assert_no_error (error);
  again = stompest_protocol_subscribe (protocol, "/queue/a", NULL,
                                       STOMPEST_ACK_MODE_AUTO, NULL, NULL, &error);
  g_assert_null (again);
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "/queue/a", NULL);
}

static void
test_subscribe_unsubscribe_unknown (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(GError) error = NULL;

  g_assert_null (stompest_protocol_unsubscribe (protocol, "nope", NULL, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "nope", NULL);
}

/* /protocol/message/... */

static void
test_message_unknown_subscription (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) subscribe = NULL;
  g_autoptr(StompestFrame) unsubscribe = NULL;
  g_autoptr(StompestFrame) message = make_message ("ghost", "/queue/a", "m-1");
  g_autoptr(StompestFrame) gone = make_message ("s-1", "/queue/a", "m-2");
  g_autoptr(GError) error = NULL;
  const char *matched = NULL;

  g_assert_false (stompest_protocol_message (protocol, message, &matched, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "ghost", NULL);
  g_assert_null (matched);
  g_clear_error (&error);

  /* Once unsubscribed, its messages are unknown too. */
  subscribe = stompest_protocol_subscribe (protocol, "/queue/a", "s-1",
                                           STOMPEST_ACK_MODE_AUTO, NULL, NULL, &error);
  unsubscribe = stompest_protocol_unsubscribe (protocol, "s-1", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (stompest_protocol_message (protocol, gone, &matched, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "s-1", NULL);
}

static void
test_message_not_a_message (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) receipt = make_receipt ("r");
  g_autoptr(GError) error = NULL;

  g_assert_false (stompest_protocol_message (protocol, receipt, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
}

/* /protocol/replay/... */

static StompestFrame *
subscribe_or_die (StompestProtocol *protocol,
                  const char       *destination,
                  const char       *id,
                  const char       *receipt)
{
  g_autoptr(GError) error = NULL;
  StompestFrame *frame;

  frame = stompest_protocol_subscribe (protocol, destination, id,
                                       STOMPEST_ACK_MODE_CLIENT, receipt,
                                       NULL, &error);
  g_assert_no_error (error);
  return frame;
}

static void
assert_frames_equal (StompestFrame *a,
                     StompestFrame *b)
{
  g_autofree char *sa = stompest_frame_to_string (a);
  g_autofree char *sb = stompest_frame_to_string (b);

  g_assert_cmpstr (sa, ==, sb);
}

static void
test_replay_forced_close (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) a = subscribe_or_die (protocol, "/queue/a", "s-a", NULL);
  g_autoptr(StompestFrame) b = subscribe_or_die (protocol, "/queue/b", NULL, "r-b");
  g_autoptr(StompestFrame) c = subscribe_or_die (protocol, "/topic/c", "s-c", NULL);
  g_autoptr(StompestFrame) message = make_message ("s-c", "/topic/c", "m-1");
  g_autoptr(StompestFrame) receipt = make_receipt ("r-b");
  g_autoptr(GPtrArray) early = NULL;
  g_autoptr(GPtrArray) replayed = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  const char *matched = NULL;

  /* A header the application added before sending is replayed too. */
  stompest_frame_add_header (c, "selector", "priority > 4");

  stompest_protocol_close (protocol, FALSE);
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 3);
  g_assert_cmpuint (stompest_protocol_get_n_dropped_receipts (protocol), ==, 1);

  /* Nothing to replay until connected again. */
  early = stompest_protocol_replay (protocol);
  g_assert_cmpuint (early->len, ==, 0);

  reconnect (protocol);
  g_assert_cmpuint (stompest_protocol_get_n_pending_receipts (protocol), ==, 0);
  replayed = stompest_protocol_replay (protocol);
  g_assert_cmpuint (replayed->len, ==, 3);
  assert_frames_equal (g_ptr_array_index (replayed, 0), a);
  assert_frames_equal (g_ptr_array_index (replayed, 1), b);
  assert_frames_equal (g_ptr_array_index (replayed, 2), c);
  g_assert_cmpstr (stompest_frame_get_header (g_ptr_array_index (replayed, 2), "selector"),
                   ==, "priority > 4");
  for (guint i = 0; i < replayed->len; i++)
    g_assert_false (stompest_frame_is_sealed (g_ptr_array_index (replayed, i)));

  /* Active again: messages match, the replayed receipt is awaited. */
  g_assert_true (stompest_protocol_message (protocol, message, &matched, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (matched, ==, "s-c");
  g_assert_true (stompest_protocol_receipt (protocol, receipt, NULL, &error));
  g_assert_no_error (error);

  /* The list is empty now. */
  again = stompest_protocol_replay (protocol);
  g_assert_cmpuint (again->len, ==, 0);
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 3);
}

/* A subscription the broker refused is forgotten: not replayed, and its
 * token is free again. */
static void
test_replay_forgotten (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) a = subscribe_or_die (protocol, "/queue/a", "s-a", NULL);
  g_autoptr(StompestFrame) again = NULL;
  g_autoptr(GPtrArray) replayed = NULL;

  stompest_frame_unref (subscribe_or_die (protocol, "/queue/a/b", "s-bad", NULL));
  g_assert_true (stompest_protocol_forget_subscription (protocol, "s-bad"));
  g_assert_false (stompest_protocol_forget_subscription (protocol, "s-bad"));
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 1);

  stompest_protocol_close (protocol, FALSE);
  reconnect (protocol);
  replayed = stompest_protocol_replay (protocol);
  g_assert_cmpuint (replayed->len, ==, 1);
  assert_frames_equal (g_ptr_array_index (replayed, 0), a);

  again = subscribe_or_die (protocol, "/queue/c", "s-bad", NULL);
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 2);
}

/* Twice in a row: a second loss replays the same frames again. */
static void
test_replay_twice (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) a = subscribe_or_die (protocol, "/queue/a", "s-a", NULL);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GPtrArray) replayed = NULL;

      stompest_protocol_close (protocol, FALSE);
      reconnect (protocol);
      replayed = stompest_protocol_replay (protocol);
      g_assert_cmpuint (replayed->len, ==, 1);
      assert_frames_equal (g_ptr_array_index (replayed, 0), a);
    }
}

/* Subscriptions made after the reconnect are not replayed, and a token
 * still waiting for replay cannot be taken. */
static void
test_replay_only_kept (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) old = subscribe_or_die (protocol, "/queue/a", "old", NULL);
  g_autoptr(StompestFrame) fresh = NULL;
  g_autoptr(StompestFrame) clash = NULL;
  g_autoptr(GPtrArray) replayed = NULL;
  g_autoptr(GError) error = NULL;

  stompest_protocol_close (protocol, FALSE);
  reconnect (protocol);

  clash = stompest_protocol_subscribe (protocol, "/queue/z", "old",
                                       STOMPEST_ACK_MODE_AUTO, NULL, NULL, &error);
  g_assert_null (clash);
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "old", NULL);

  fresh = subscribe_or_die (protocol, "/queue/b", "fresh", NULL);
  replayed = stompest_protocol_replay (protocol);
  g_assert_cmpuint (replayed->len, ==, 1);
  assert_frames_equal (g_ptr_array_index (replayed, 0), old);
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 2);
}

/* A failed connection attempt keeps subscriptions waiting for replay. */
static void
test_replay_after_refused_attempt (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) a = subscribe_or_die (protocol, "/queue/a", "s-a", NULL);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) refused = stompest_frame_new ("ERROR");
  g_autoptr(GPtrArray) replayed = NULL;
  g_autoptr(GError) error = NULL;

  stompest_protocol_close (protocol, FALSE);
  connect = stompest_protocol_connect (protocol, "localhost", NULL, NULL, 0, 0, &error);
  g_assert_false (stompest_protocol_connected (protocol, refused, &error));
  g_clear_error (&error);

  reconnect (protocol);
  replayed = stompest_protocol_replay (protocol);
  g_assert_cmpuint (replayed->len, ==, 1);
  assert_frames_equal (g_ptr_array_index (replayed, 0), a);
}

static void
test_replay_none_after_flush (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(GPtrArray) replayed = NULL;
  guint notifies = 0;

  stompest_frame_unref (subscribe_or_die (protocol, "/queue/a", "s-a", NULL));
  g_signal_connect (protocol, "notify::n-subscriptions", G_CALLBACK (count_notify), &notifies);
  stompest_protocol_close (protocol, TRUE);
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 0);
  g_assert_cmpuint (notifies, ==, 1);

  reconnect (protocol);
  replayed = stompest_protocol_replay (protocol);
  g_assert_cmpuint (replayed->len, ==, 0);
}

static void
test_replay_none_after_disconnect (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) disconnect = NULL;
  g_autoptr(GPtrArray) replayed = NULL;
  g_autoptr(GError) error = NULL;

  stompest_frame_unref (subscribe_or_die (protocol, "/queue/a", "s-a", NULL));
  disconnect = stompest_protocol_disconnect (protocol, NULL, &error);
  g_assert_no_error (error);
  /* Even when the transport reports the end as a loss. */
  stompest_protocol_close (protocol, FALSE);
  g_assert_cmpuint (stompest_protocol_get_n_subscriptions (protocol), ==, 0);

  reconnect (protocol);
  replayed = stompest_protocol_replay (protocol);
  g_assert_cmpuint (replayed->len, ==, 0);
}

/* /protocol/transaction/... */

static void
test_transaction_begin_twice (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) begin = NULL;
  g_autoptr(StompestFrame) again = NULL;
  g_autoptr(GError) error = NULL;

  begin = stompest_protocol_begin (protocol, "tx-1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (begin), ==, "BEGIN");
  g_assert_cmpstr (stompest_frame_get_header (begin, "transaction"), ==, "tx-1");
  g_assert_true (stompest_protocol_is_transaction_open (protocol, "tx-1"));
  g_assert_cmpuint (stompest_protocol_get_n_transactions (protocol), ==, 1);

  again = stompest_protocol_begin (protocol, "tx-1", NULL, &error);
  g_assert_null (again);
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "begin", "tx-1", NULL);
  g_assert_cmpuint (stompest_protocol_get_n_transactions (protocol), ==, 1);
}

static void
test_transaction_commit_abort (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) begin1 = NULL;
  g_autoptr(StompestFrame) begin2 = NULL;
  g_autoptr(StompestFrame) commit = NULL;
  g_autoptr(StompestFrame) abort_ = NULL;
  g_autoptr(StompestFrame) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (stompest_protocol_commit (protocol, "unknown", NULL, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "commit", "unknown", NULL);
  g_clear_error (&error);
  g_assert_null (stompest_protocol_abort (protocol, "unknown", NULL, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "abort", "unknown", NULL);
  g_clear_error (&error);

  begin1 = stompest_protocol_begin (protocol, "tx-1", NULL, &error);
  begin2 = stompest_protocol_begin (protocol, "tx-2", NULL, &error);
  g_assert_no_error (error);
  commit = stompest_protocol_commit (protocol, "tx-1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (commit), ==, "COMMIT");
  abort_ = stompest_protocol_abort (protocol, "tx-2", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (abort_), ==, "ABORT");
  g_assert_cmpuint (stompest_protocol_get_n_transactions (protocol), ==, 0);

  /* Committed means closed. */
  again = stompest_protocol_commit (protocol, "tx-1", NULL, &error);
  g_assert_null (again);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
}

static void
test_transaction_send (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) begin = NULL;
  g_autoptr(StompestFrame) send = NULL;
  g_autoptr(StompestFrame) refused = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("hi", 2);
  g_autoptr(GError) error = NULL;

  refused = stompest_protocol_send (protocol, "/queue/a", body, "tx-1", "r-1", &error);
  g_assert_null (refused);
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "send", "tx-1", NULL);
  g_assert_cmpuint (stompest_protocol_get_n_pending_receipts (protocol), ==, 0);
  g_clear_error (&error);

  begin = stompest_protocol_begin (protocol, "tx-1", NULL, &error);
  send = stompest_protocol_send (protocol, "/queue/a", body, "tx-1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (send, "transaction"), ==, "tx-1");
  g_assert_true (stompest_frame_get_body (send) == body);
}

static void
test_transaction_ack (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_1);
  g_autoptr(StompestFrame) begin = NULL;
  g_autoptr(StompestFrame) in_open = make_message ("s", "/queue/a", "m-1");
  g_autoptr(StompestFrame) in_unknown = make_message ("s", "/queue/a", "m-2");
  g_autoptr(StompestFrame) ack = NULL;
  g_autoptr(StompestFrame) nack = NULL;
  g_autoptr(StompestFrame) plain = NULL;
  g_autoptr(GError) error = NULL;

  begin = stompest_protocol_begin (protocol, "tx-1", NULL, &error);
  g_assert_no_error (error);
  stompest_frame_add_header (in_open, "transaction", "tx-1");
  stompest_frame_add_header (in_unknown, "transaction", "tx-9");

  ack = stompest_protocol_ack (protocol, in_open, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (ack, "transaction"), ==, "tx-1");
  nack = stompest_protocol_nack (protocol, in_open, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (nack), ==, "NACK");
  g_assert_cmpstr (stompest_frame_get_header (nack, "transaction"), ==, "tx-1");

  plain = stompest_protocol_ack (protocol, in_unknown, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (stompest_frame_has_header (plain, "transaction"));
}

static void
test_transaction_forgotten_on_close (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) begin = NULL;
  g_autoptr(StompestFrame) commit = NULL;
  g_autoptr(GError) error = NULL;

  begin = stompest_protocol_begin (protocol, "tx-1", NULL, &error);
  g_assert_no_error (error);
  stompest_protocol_close (protocol, FALSE);
  g_assert_cmpuint (stompest_protocol_get_n_transactions (protocol), ==, 0);

  reconnect (protocol);
  commit = stompest_protocol_commit (protocol, "tx-1", NULL, &error);
  g_assert_null (commit);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
}

/* /protocol/receipt/... */

static void
test_receipt_pending (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) send = NULL;
  g_autoptr(StompestFrame) subscribe = NULL;
  g_autoptr(StompestFrame) begin = NULL;
  g_autoptr(StompestFrame) receipt = make_receipt ("r-2");
  g_autoptr(GError) error = NULL;
  const char *receipt_id = NULL;
  guint has_notifies = 0;
  guint n_notifies = 0;

  g_signal_connect (protocol, "notify::pending-receipts", G_CALLBACK (count_notify), &has_notifies);
  g_signal_connect (protocol, "notify::n-pending-receipts", G_CALLBACK (count_notify), &n_notifies);

  send = stompest_protocol_send (protocol, "/queue/a", NULL, NULL, "r-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (send, "receipt"), ==, "r-1");
  subscribe = subscribe_or_die (protocol, "/queue/a", "s", "r-2");
  begin = stompest_protocol_begin (protocol, "tx", "r-3", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stompest_protocol_get_n_pending_receipts (protocol), ==, 3);
  g_assert_true (stompest_protocol_has_pending_receipts (protocol));
  g_assert_cmpuint (has_notifies, ==, 1);
  g_assert_cmpuint (n_notifies, ==, 3);

  g_assert_true (stompest_protocol_receipt (protocol, receipt, &receipt_id, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (receipt_id, ==, "r-2");
  g_assert_cmpuint (stompest_protocol_get_n_pending_receipts (protocol), ==, 2);
}

static void
test_receipt_duplicate (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) second = NULL;
  g_autoptr(StompestFrame) receipt = make_receipt ("r-1");
  g_autoptr(StompestFrame) later = NULL;
  g_autoptr(GError) error = NULL;

  first = stompest_protocol_send (protocol, "/queue/a", NULL, NULL, "r-1", &error);
  g_assert_no_error (error);
  second = stompest_protocol_send (protocol, "/queue/a", NULL, NULL, "r-1", &error);
  g_assert_null (second);
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "r-1", NULL);
  g_clear_error (&error);

  /* Consumed, the id can be used again. */
  g_assert_true (stompest_protocol_receipt (protocol, receipt, NULL, &error));
  later = stompest_protocol_send (protocol, "/queue/a", NULL, NULL, "r-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (later);
}

static void
test_receipt_unexpected (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) send = NULL;
  g_autoptr(StompestFrame) stray = make_receipt ("stray");
  g_autoptr(StompestFrame) receipt = make_receipt ("r-1");
  g_autoptr(StompestFrame) no_id = stompest_frame_new ("RECEIPT");
  g_autoptr(GError) error = NULL;
  const char *receipt_id = NULL;

  g_assert_false (stompest_protocol_receipt (protocol, stray, &receipt_id, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "stray", NULL);
  g_assert_null (receipt_id);
  g_clear_error (&error);

  send = stompest_protocol_send (protocol, "/queue/a", NULL, NULL, "r-1", &error);
  g_assert_true (stompest_protocol_receipt (protocol, receipt, NULL, &error));
  g_assert_no_error (error);
  /* The same RECEIPT twice. */
  g_assert_false (stompest_protocol_receipt (protocol, receipt, NULL, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "r-1", NULL);
  g_clear_error (&error);

  g_assert_false (stompest_protocol_receipt (protocol, no_id, NULL, &error));
  assert_error_mentions (error, STOMPEST_ERROR_PROTOCOL, "receipt-id", NULL);
}

static void
test_receipt_cleared_on_close (void)
{
  g_autoptr(StompestProtocol) protocol = connected_protocol (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) a = NULL;
  g_autoptr(StompestFrame) b = NULL;
  g_autoptr(StompestFrame) receipt = make_receipt ("r-1");
  g_autoptr(GError) error = NULL;
  guint dropped = 0;

  a = stompest_protocol_send (protocol, "/queue/a", NULL, NULL, "r-1", &error);
  b = stompest_protocol_send (protocol, "/queue/a", NULL, NULL, "r-2", &error);
  g_assert_no_error (error);

  stompest_protocol_close (protocol, TRUE);
  g_assert_cmpuint (stompest_protocol_get_n_pending_receipts (protocol), ==, 0);
  g_assert_false (stompest_protocol_has_pending_receipts (protocol));
  g_assert_cmpuint (stompest_protocol_get_n_dropped_receipts (protocol), ==, 2);
  /* A second close does not lose the count. */
  stompest_protocol_close (protocol, TRUE);
  g_object_get (protocol, "n-dropped-receipts", &dropped, NULL);
  g_assert_cmpuint (dropped, ==, 2);

  reconnect (protocol);
  g_assert_false (stompest_protocol_receipt (protocol, receipt, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* The next session's close counts afresh. */
  stompest_protocol_close (protocol, TRUE);
  g_assert_cmpuint (stompest_protocol_get_n_dropped_receipts (protocol), ==, 0);
}

/* /protocol/heart-beat/... */

static StompestProtocol *
heart_beat_protocol (const char *server_heart_beat)
{
  StompestProtocol *protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) connected = make_connected (STOMPEST_VERSION_STOMP_1_2, server_heart_beat);
  g_autoptr(GError) error = NULL;

  connect = stompest_protocol_connect (protocol, "localhost", NULL, NULL, 4000, 5000, &error);
  g_assert_no_error (error);
  /* Not yet connected: no deadlines. */
  stompest_protocol_sent (protocol, 1000000);
  g_assert_cmpint (stompest_protocol_get_next_beat_due (protocol), ==, -1);
  g_assert_cmpint (stompest_protocol_get_peer_deadline (protocol), ==, -1);
  g_assert_true (stompest_protocol_connected (protocol, connected, &error));
  g_assert_no_error (error);
  return protocol;
}

static void
test_heart_beat_deadlines (void)
{
  /* sx=10000, sy=2000 against cx=4000, cy=5000: send every 4 s, receive
   * every 10 s. */
  g_autoptr(StompestProtocol) protocol = heart_beat_protocol ("10000,2000");
  gint64 last_sent = 0;

  g_assert_cmpuint (stompest_protocol_get_send_period (protocol), ==, 4000);
  g_assert_cmpuint (stompest_protocol_get_receive_period (protocol), ==, 10000);

  stompest_protocol_sent (protocol, 7000000);
  stompest_protocol_received (protocol, 8000000);
  g_assert_cmpint (stompest_protocol_get_last_sent (protocol), ==, 7000000);
  g_object_get (protocol, "last-sent", &last_sent, NULL);
  g_assert_cmpint (last_sent, ==, 7000000);
  g_assert_cmpint (stompest_protocol_get_last_received (protocol), ==, 8000000);

  /* Half the send period after the last write. */
  g_assert_cmpint (stompest_protocol_get_next_beat_due (protocol), ==, 7000000 + 2000000);
  /* Three receive periods after the last read. */
  g_assert_cmpint (stompest_protocol_get_peer_deadline (protocol), ==, 8000000 + 30000000);
  g_assert_false (stompest_protocol_is_peer_silent (protocol, 8000000 + 30000000));
  g_assert_true (stompest_protocol_is_peer_silent (protocol, 8000000 + 30000001));

  /* Any read moves the deadline. */
  stompest_protocol_received (protocol, 20000000);
  g_assert_false (stompest_protocol_is_peer_silent (protocol, 38000001));

  stompest_protocol_set_heart_beat_tolerance (protocol, 1.5);
  g_assert_cmpint (stompest_protocol_get_peer_deadline (protocol), ==, 20000000 + 15000000);
  g_assert_true (stompest_protocol_is_peer_silent (protocol, 35000001));

  /* Close: no heart-beats any more. */
  stompest_protocol_close (protocol, FALSE);
  g_assert_cmpint (stompest_protocol_get_next_beat_due (protocol), ==, -1);
  g_assert_cmpint (stompest_protocol_get_peer_deadline (protocol), ==, -1);
  g_assert_false (stompest_protocol_is_peer_silent (protocol, G_MAXINT64));
}

static void
test_heart_beat_one_way (void)
{
  /* The broker sends none (sx=0) but wants ours: only the client beats. */
  g_autoptr(StompestProtocol) protocol = heart_beat_protocol ("0,6000");

  stompest_protocol_sent (protocol, 1000);
  stompest_protocol_received (protocol, 1000);
  g_assert_cmpint (stompest_protocol_get_next_beat_due (protocol), ==, 1000 + 3000000);
  g_assert_cmpint (stompest_protocol_get_peer_deadline (protocol), ==, -1);
  g_assert_false (stompest_protocol_is_peer_silent (protocol, G_MAXINT64));
}

static void
test_heart_beat_tolerance (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
  double tolerance = 0;
  guint notifies = 0;

  g_assert_cmpfloat (stompest_protocol_get_heart_beat_tolerance (protocol), ==, 3.0);
  g_signal_connect (protocol, "notify::heart-beat-tolerance", G_CALLBACK (count_notify), &notifies);
  g_object_set (protocol, "heart-beat-tolerance", 4.0, NULL);
  g_object_get (protocol, "heart-beat-tolerance", &tolerance, NULL);
  g_assert_cmpfloat (tolerance, ==, 4.0);
  stompest_protocol_set_heart_beat_tolerance (protocol, 4.0);
  g_assert_cmpuint (notifies, ==, 1);

  if (g_test_subprocess ())
    {
      stompest_protocol_set_heart_beat_tolerance (protocol, 1.0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*tolerance > 1.0*");
}

/* /protocol/properties/... */

static void
test_properties_read_only (void)
{
  g_autoptr(StompestProtocol) protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_1);
  const char *read_only[] = {
    "state", "version", "server", "session", "send-period", "receive-period",
    "last-sent", "last-received", "pending-receipts", "n-pending-receipts",
    "n-dropped-receipts", "n-subscriptions", "n-transactions",
  };
  StompestVersion max_version;
  StompestProtocolState state;

  for (guint i = 0; i < G_N_ELEMENTS (read_only); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (protocol), read_only[i]);

      g_assert_nonnull (pspec);
      g_assert_false (pspec->flags & G_PARAM_WRITABLE);
    }

  g_object_get (protocol, "max-version", &max_version, "state", &state, NULL);
  g_assert_cmpint (max_version, ==, STOMPEST_VERSION_STOMP_1_1);
  g_assert_cmpint (state, ==, STOMPEST_PROTOCOL_STATE_DISCONNECTED);
}

int
main (int   argc,
      char *argv[])
{
  stompest_test_init (&argc, &argv);

  g_test_add_data_func ("/protocol/lifecycle/stomp-1-0",
                        GINT_TO_POINTER (STOMPEST_VERSION_STOMP_1_0), test_lifecycle);
  g_test_add_data_func ("/protocol/lifecycle/stomp-1-1",
                        GINT_TO_POINTER (STOMPEST_VERSION_STOMP_1_1), test_lifecycle);
  g_test_add_data_func ("/protocol/lifecycle/stomp-1-2",
                        GINT_TO_POINTER (STOMPEST_VERSION_STOMP_1_2), test_lifecycle);
  g_test_add_func ("/protocol/lifecycle/version-reverts", test_lifecycle_version_reverts);

  g_test_add_func ("/protocol/state/disconnected", test_state_disconnected);
  g_test_add_func ("/protocol/state/connecting", test_state_connecting);
  g_test_add_func ("/protocol/state/connected", test_state_connected);
  g_test_add_func ("/protocol/state/disconnecting", test_state_disconnecting);
  g_test_add_func ("/protocol/state/close-anywhere", test_state_close_anywhere);

  g_test_add_func ("/protocol/connected/error-frame", test_connected_error_frame);
  g_test_add_func ("/protocol/connected/unexpected-frame", test_connected_unexpected_frame);
  g_test_add_func ("/protocol/version/not-offered", test_version_not_offered);
  g_test_add_func ("/protocol/version/downgrade", test_version_downgrade);

  g_test_add_func ("/protocol/subscribe/tokens-1-0", test_subscribe_tokens_1_0);
  g_test_add_data_func ("/protocol/subscribe/tokens-1-1",
                        GINT_TO_POINTER (STOMPEST_VERSION_STOMP_1_1), test_subscribe_tokens);
  g_test_add_data_func ("/protocol/subscribe/tokens-1-2",
                        GINT_TO_POINTER (STOMPEST_VERSION_STOMP_1_2), test_subscribe_tokens);
  g_test_add_func ("/protocol/subscribe/generated-unique", test_subscribe_generated_unique);
  g_test_add_func ("/protocol/subscribe/duplicate", test_subscribe_duplicate);
  g_test_add_func ("/protocol/subscribe/duplicate-destination-1-0", test_subscribe_1_0_duplicate_destination);
  g_test_add_func ("/protocol/subscribe/unsubscribe-unknown", test_subscribe_unsubscribe_unknown);

  g_test_add_func ("/protocol/message/unknown-subscription", test_message_unknown_subscription);
  g_test_add_func ("/protocol/message/not-a-message", test_message_not_a_message);

  g_test_add_func ("/protocol/replay/forced-close", test_replay_forced_close);
  g_test_add_func ("/protocol/replay/twice", test_replay_twice);
  g_test_add_func ("/protocol/replay/forgotten", test_replay_forgotten);
  g_test_add_func ("/protocol/replay/only-kept", test_replay_only_kept);
  g_test_add_func ("/protocol/replay/after-refused-attempt", test_replay_after_refused_attempt);
  g_test_add_func ("/protocol/replay/none-after-flush", test_replay_none_after_flush);
  g_test_add_func ("/protocol/replay/none-after-disconnect", test_replay_none_after_disconnect);

  g_test_add_func ("/protocol/transaction/begin-twice", test_transaction_begin_twice);
  g_test_add_func ("/protocol/transaction/commit-abort", test_transaction_commit_abort);
  g_test_add_func ("/protocol/transaction/send", test_transaction_send);
  g_test_add_func ("/protocol/transaction/ack", test_transaction_ack);
  g_test_add_func ("/protocol/transaction/forgotten-on-close", test_transaction_forgotten_on_close);

  g_test_add_func ("/protocol/receipt/pending", test_receipt_pending);
  g_test_add_func ("/protocol/receipt/duplicate", test_receipt_duplicate);
  g_test_add_func ("/protocol/receipt/unexpected", test_receipt_unexpected);
  g_test_add_func ("/protocol/receipt/cleared-on-close", test_receipt_cleared_on_close);

  g_test_add_func ("/protocol/heart-beat/deadlines", test_heart_beat_deadlines);
  g_test_add_func ("/protocol/heart-beat/one-way", test_heart_beat_one_way);
  g_test_add_func ("/protocol/heart-beat/tolerance", test_heart_beat_tolerance);

  g_test_add_func ("/protocol/properties/read-only", test_properties_read_only);

  return g_test_run ();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "test-utils.h"
#include "stompest-commands-private.h"
#include "stompest-connection-private.h"
#include "stompest-frame-private.h"

#define V10 STOMPEST_VERSION_STOMP_1_0
#define V11 STOMPEST_VERSION_STOMP_1_1
#define V12 STOMPEST_VERSION_STOMP_1_2

/* Asserts that FRAME has COMMAND and exactly the NULL-terminated
 * name/value pairs that follow, in that order. */
static void
assert_frame (StompestFrame *frame,
              const char    *command,
              ...)
{
  va_list args;
  const char *name;
  guint i = 0;

  g_assert_nonnull (frame);
  g_assert_cmpstr (stompest_frame_get_command (frame), ==, command);

  va_start (args, command);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      g_assert_cmpuint (i, <, stompest_frame_get_n_headers (frame));
      g_assert_cmpstr (stompest_frame_get_header_name (frame, i), ==, name);
      g_assert_cmpstr (stompest_frame_get_header_value (frame, i), ==, value);
      i++;
    }
  va_end (args);

  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, i);
}

/* A sealed frame as the parser would give it: COMMAND, then
 * NULL-terminated name/value pairs. */
static StompestFrame *
make_frame (const char *command,
            ...)
{
  StompestFrame *frame = stompest_frame_new (command);
  va_list args;
  const char *name;

  va_start (args, command);
  while ((name = va_arg (args, const char *)) != NULL)
    stompest_frame_add_header (frame, name, va_arg (args, const char *));
  va_end (args);

  stompest_frame_seal (frame);
  return frame;
}

static void
assert_body_empty (StompestFrame *frame)
{
  GBytes *body = stompest_frame_get_body (frame);

  g_assert_true (body == NULL || g_bytes_get_size (body) == 0);
}

static void
assert_wire (StompestFrame   *frame,
             StompestVersion  version,
             const char      *expected,
             gsize            expected_len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const guint8 *data;

  bytes = stompest_frame_to_bytes (frame, version, STOMPEST_COMPILE_FLAGS_NONE,
                                   &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpmem (data, len, expected, expected_len);
}

#define assert_error_mentions(error, domain, code, text) \
  G_STMT_START { \
    g_assert_error ((error), (domain), (code)); \
    if (strstr ((error)->message, (text)) == NULL) \
      g_error ("error “%s” does not mention “%s”", (error)->message, (text)); \
  } G_STMT_END

/* CONNECT / STOMP */

static void
test_connect_v1_2 (void)
{
  g_autoptr(StompestFrame) frame = NULL;

  frame = stompest_commands_connect ("/", "guest", "secret", V12, 1000, 2000);
  assert_frame (frame, "CONNECT",
                "accept-version", "1.0,1.1,1.2",
                "host", "/",
                "login", "guest",
                "passcode", "secret",
                "heart-beat", "1000,2000",
                NULL);
  assert_body_empty (frame);
  g_assert_false (stompest_frame_is_sealed (frame));
}

static void
test_connect_v1_1 (void)
{
  g_autoptr(StompestFrame) frame = NULL;

  frame = stompest_commands_connect ("vhost", NULL, NULL, V11, 0, 0);
  assert_frame (frame, "CONNECT",
                "accept-version", "1.0,1.1",
                "host", "vhost",
                "heart-beat", "0,0",
                NULL);
}

static void
test_connect_v1_0 (void)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) bare = NULL;

  /* Heart-beats are not part of 1.0, so the offer is dropped. */
  frame = stompest_commands_connect ("/", "guest", "secret", V10, 1000, 1000);
  assert_frame (frame, "CONNECT",
                "login", "guest",
                "passcode", "secret",
                "host", "/",
                NULL);

  bare = stompest_commands_connect (NULL, NULL, NULL, V10, 1000, 1000);
  assert_frame (bare, "CONNECT", NULL);
}

static void
test_connect_no_host (void)
{
  g_autoptr(StompestFrame) frame = NULL;

  frame = stompest_commands_connect (NULL, "guest", NULL, V12, 0, 5000);
  assert_frame (frame, "CONNECT",
                "accept-version", "1.0,1.1,1.2",
                "login", "guest",
                "heart-beat", "0,5000",
                NULL);
}

static void
test_connect_to_bytes (void)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) frame10 = NULL;
  static const char expected[] =
    "CONNECT\n"
    "accept-version:1.0,1.1,1.2\n"
    "host:/\n"
    "login:guest\n"
    "passcode:guest\n"
    "heart-beat:4294967295,0\n"
    "\n";
  static const char expected10[] = "CONNECT\nlogin:a:b\n\n";

  frame = stompest_commands_connect ("/", "guest", "guest", V12, G_MAXUINT, 0);
  assert_wire (frame, V12, expected, sizeof expected);

  /* CONNECT is never escaped: a raw colon stays. */
  frame10 = stompest_commands_connect (NULL, "a:b", NULL, V10, 0, 0);
  assert_wire (frame10, V10, expected10, sizeof expected10);
}

static void
test_stomp_v1_2 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFrame) frame = NULL;

  frame = stompest_commands_stomp ("/", NULL, NULL, V12, 500, 500, &error);
  g_assert_no_error (error);
  assert_frame (frame, "STOMP",
                "accept-version", "1.0,1.1,1.2",
                "host", "/",
                "heart-beat", "500,500",
                NULL);
}

static void
test_stomp_v1_1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFrame) frame = NULL;

  frame = stompest_commands_stomp (NULL, "u", "p", V11, 0, 0, &error);
  g_assert_no_error (error);
  assert_frame (frame, "STOMP",
                "accept-version", "1.0,1.1",
                "login", "u",
                "passcode", "p",
                "heart-beat", "0,0",
                NULL);
}

static void
test_stomp_v1_0 (void)
{
  g_autoptr(GError) error = NULL;
  StompestFrame *frame;

  frame = stompest_commands_stomp ("/", NULL, NULL, V10, 0, 0, &error);
  g_assert_null (frame);
  assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL, "1.0");
  g_assert_nonnull (strstr (error->message, "STOMP 1.1"));
}

/* DISCONNECT */

static void
test_disconnect_headers (void)
{
  g_autoptr(StompestFrame) plain = stompest_commands_disconnect (NULL);
  g_autoptr(StompestFrame) receipt = stompest_commands_disconnect ("bye-1");

  assert_frame (plain, "DISCONNECT", NULL);
  assert_frame (receipt, "DISCONNECT", "receipt", "bye-1", NULL);
  assert_body_empty (receipt);
}

/* SEND */

static void
test_send_headers (void)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) minimal = NULL;

  frame = stompest_commands_send ("/queue/a", body, "tx-1", "r-1");
  assert_frame (frame, "SEND",
                "destination", "/queue/a",
                "content-length", "5",
                "transaction", "tx-1",
                "receipt", "r-1",
                NULL);
  /* The body is shared, not copied. */
  g_assert_true (g_bytes_get_data (stompest_frame_get_body (frame), NULL) ==
                 g_bytes_get_data (body, NULL));

  minimal = stompest_commands_send ("/topic/b", body, NULL, NULL);
  assert_frame (minimal, "SEND",
                "destination", "/topic/b",
                "content-length", "5",
                NULL);
}

static void
test_send_empty_body (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(StompestFrame) null_body = NULL;
  g_autoptr(StompestFrame) empty_body = NULL;

  null_body = stompest_commands_send ("/queue/a", NULL, NULL, NULL);
  assert_frame (null_body, "SEND",
                "destination", "/queue/a",
                "content-length", "0",
                NULL);
  assert_body_empty (null_body);

  empty_body = stompest_commands_send ("/queue/a", empty, NULL, "r");
  assert_frame (empty_body, "SEND",
                "destination", "/queue/a",
                "content-length", "0",
                "receipt", "r",
                NULL);
  assert_body_empty (empty_body);
}

static void
test_send_to_bytes (void)
{
  static const guint8 binary[] = { 'a', 0, 'b' };
  g_autoptr(GBytes) text = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) nul = g_bytes_new_static (binary, sizeof binary);
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) binary_frame = NULL;
  static const char expected[] =
    "SEND\n"
    "destination:/queue/a\\cb\n"
    "content-length:5\n"
    "receipt:r\\\\1\n"
    "\n"
    "hello";
  static const char expected_binary[] =
    "SEND\n"
    "destination:/queue/a\n"
    "content-length:3\n"
    "\n"
    "a\0b";

  /* SEND headers are escaped from 1.1 on. */
  frame = stompest_commands_send ("/queue/a:b", text, NULL, "r\\1");
  assert_wire (frame, V12, expected, sizeof expected);

  binary_frame = stompest_commands_send ("/queue/a", nul, NULL, NULL);
  assert_frame (binary_frame, "SEND",
                "destination", "/queue/a",
                "content-length", "3",
                NULL);
  assert_wire (binary_frame, V10, expected_binary, sizeof expected_binary);
}

/* SUBSCRIBE / UNSUBSCRIBE */

static void
test_subscribe_headers (void)
{
  g_autoptr(GError) error = NULL;
  StompestVersion versions[] = { V10, V11, V12 };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(StompestFrame) frame = NULL;
      g_autoptr(StompestFrame) receipt = NULL;

      frame = stompest_commands_subscribe ("/queue/a", "sub-0",
                                           STOMPEST_ACK_MODE_AUTO,
                                           versions[i], NULL, &error);
      g_assert_no_error (error);
      assert_frame (frame, "SUBSCRIBE",
                    "destination", "/queue/a",
                    "id", "sub-0",
                    "ack", "auto",
                    NULL);

      receipt = stompest_commands_subscribe ("/queue/a", "sub-1",
                                             STOMPEST_ACK_MODE_CLIENT,
                                             versions[i], "r-9", &error);
      g_assert_no_error (error);
      assert_frame (receipt, "SUBSCRIBE",
                    "destination", "/queue/a",
                    "id", "sub-1",
                    "ack", "client",
                    "receipt", "r-9",
                    NULL);
    }
}

static void
test_subscribe_client_individual (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFrame) v11 = NULL;
  g_autoptr(StompestFrame) v12 = NULL;
  StompestFrame *v10;

  v11 = stompest_commands_subscribe ("/queue/a", "s",
                                     STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                     V11, NULL, &error);
  g_assert_no_error (error);
  assert_frame (v11, "SUBSCRIBE", "destination", "/queue/a", "id", "s",
                "ack", "client-individual", NULL);

  v12 = stompest_commands_subscribe ("/queue/a", "s",
                                     STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                     V12, NULL, &error);
  g_assert_no_error (error);
  assert_frame (v12, "SUBSCRIBE", "destination", "/queue/a", "id", "s",
                "ack", "client-individual", NULL);

  v10 = stompest_commands_subscribe ("/queue/a", "s",
                                     STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                     V10, NULL, &error);
  g_assert_null (v10);
  assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                         "client-individual");
  g_assert_nonnull (strstr (error->message, "1.0"));
}

static void
test_subscribe_missing_id (void)
{
  g_autoptr(StompestFrame) v10 = NULL;
  StompestVersion versions[] = { V11, V12 };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(GError) error = NULL;
      StompestFrame *frame;

      frame = stompest_commands_subscribe ("/queue/a", NULL,
                                           STOMPEST_ACK_MODE_AUTO,
                                           versions[i], NULL, &error);
      g_assert_null (frame);
      assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                             "“id”");
      g_assert_nonnull (strstr (error->message,
                                stompest_version_to_string (versions[i])));
    }

  /* 1.0 subscriptions may go without an id. */
  v10 = stompest_commands_subscribe ("/queue/a", NULL, STOMPEST_ACK_MODE_CLIENT,
                                     V10, NULL, NULL);
  assert_frame (v10, "SUBSCRIBE", "destination", "/queue/a", "ack", "client",
                NULL);
}

static void
test_unsubscribe_headers (void)
{
  g_autoptr(GError) error = NULL;
  StompestVersion versions[] = { V10, V11, V12 };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(StompestFrame) frame = NULL;

      /* The id wins over a destination in every version. */
      frame = stompest_commands_unsubscribe ("sub-0", "/queue/a", versions[i],
                                             "r-1", &error);
      g_assert_no_error (error);
      assert_frame (frame, "UNSUBSCRIBE", "id", "sub-0", "receipt", "r-1",
                    NULL);
    }
}

static void
test_unsubscribe_v1_0_destination (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFrame) frame = NULL;
  StompestFrame *none;

  frame = stompest_commands_unsubscribe (NULL, "/queue/a", V10, NULL, &error);
  g_assert_no_error (error);
  assert_frame (frame, "UNSUBSCRIBE", "destination", "/queue/a", NULL);

  none = stompest_commands_unsubscribe (NULL, NULL, V10, NULL, &error);
  g_assert_null (none);
  assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                         "“destination”");
}

static void
test_unsubscribe_missing_id (void)
{
  StompestVersion versions[] = { V11, V12 };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(GError) error = NULL;
      StompestFrame *frame;

      /* A destination does not stand in for the id from 1.1 on. */
      frame = stompest_commands_unsubscribe (NULL, "/queue/a", versions[i],
                                             NULL, &error);
      g_assert_null (frame);
      assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                             "“id”");
      g_assert_nonnull (strstr (error->message,
                                stompest_version_to_string (versions[i])));
    }
}

/* ACK / NACK */

/* What the parser gives for ActiveMQ's MESSAGE: it escapes the colons of
 * its ids (`ack:ID\cvm-1\c1`), which read back as plain colons. */
static StompestFrame *
make_activemq_message (void)
{
  return make_frame ("MESSAGE",
                     "destination", "/queue/a",
                     "message-id", "ID:vm-1:19:-1:1:1",
                     "subscription", "sub-0",
                     "ack", "ID:vm-1:1",
                     "expires", "0",
                     NULL);
}

typedef StompestFrame *(*AckFunc) (StompestFrame *, StompestVersion,
                                   const char *, const char *, GError **);

static void
check_acknowledgement_headers (AckFunc     func,
                               const char *command)
{
  g_autoptr(StompestFrame) message = make_activemq_message ();
  g_autoptr(StompestFrame) v12 = NULL;
  g_autoptr(StompestFrame) v11 = NULL;
  g_autoptr(StompestFrame) v12_tx = NULL;
  g_autoptr(GError) error = NULL;

  v12 = func (message, V12, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_frame (v12, command, "id", "ID:vm-1:1", NULL);

  v11 = func (message, V11, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_frame (v11, command,
                "message-id", "ID:vm-1:19:-1:1:1",
                "subscription", "sub-0",
                NULL);

  v12_tx = func (message, V12, "tx-1", "r-1", &error);
  g_assert_no_error (error);
  assert_frame (v12_tx, command,
                "id", "ID:vm-1:1",
                "transaction", "tx-1",
                "receipt", "r-1",
                NULL);
  assert_body_empty (v12_tx);
}

static void
test_ack_headers (void)
{
  g_autoptr(StompestFrame) message = make_activemq_message ();
  g_autoptr(StompestFrame) no_subscription = NULL;
  g_autoptr(StompestFrame) v10 = NULL;
  g_autoptr(StompestFrame) v10_bare = NULL;
  g_autoptr(GError) error = NULL;

  check_acknowledgement_headers (stompest_commands_ack, "ACK");

  v10 = stompest_commands_ack (message, V10, "tx-1", NULL, &error);
  g_assert_no_error (error);
  assert_frame (v10, "ACK",
                "message-id", "ID:vm-1:19:-1:1:1",
                "subscription", "sub-0",
                "transaction", "tx-1",
                NULL);

  /* 1.0 needs no subscription. */
  no_subscription = make_frame ("MESSAGE", "destination", "/queue/a",
                                "message-id", "m-1", NULL);
  v10_bare = stompest_commands_ack (no_subscription, V10, NULL, "r", &error);
  g_assert_no_error (error);
  assert_frame (v10_bare, "ACK", "message-id", "m-1", "receipt", "r", NULL);
}

static void
test_ack_escaped_id (void)
{
  g_autoptr(StompestFrame) message = make_activemq_message ();
  g_autoptr(StompestFrame) v12 = NULL;
  g_autoptr(StompestFrame) v11 = NULL;
  g_autoptr(StompestFrame) v10 = NULL;
  static const char expected12[] = "ACK\nid:ID\\cvm-1\\c1\n\n";
  static const char expected11[] =
    "ACK\nmessage-id:ID\\cvm-1\\c19\\c-1\\c1\\c1\nsubscription:sub-0\n\n";
  static const char expected10[] =
    "ACK\nmessage-id:ID:vm-1:19:-1:1:1\nsubscription:sub-0\n\n";

  /* Sent back escaped as the broker wrote it, except in 1.0. */
  v12 = stompest_commands_ack (message, V12, NULL, NULL, NULL);
  assert_wire (v12, V12, expected12, sizeof expected12);
  v11 = stompest_commands_ack (message, V11, NULL, NULL, NULL);
  assert_wire (v11, V11, expected11, sizeof expected11);
  v10 = stompest_commands_ack (message, V10, NULL, NULL, NULL);
  assert_wire (v10, V10, expected10, sizeof expected10);
}

/* MIN_VERSION: the oldest version FUNC's command exists in. */
static void
check_acknowledgement_errors (AckFunc         func,
                              StompestVersion min_version)
{
  struct {
    StompestVersion version;
    const char *missing;
  } cases[] = {
    { V12, "ack" },
    { V11, "message-id" },
    { V11, "subscription" },
    { V10, "message-id" },
  };
  g_autoptr(StompestFrame) receipt = make_frame ("RECEIPT", "receipt-id", "1",
                                                 NULL);
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(StompestFrame) message = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", cases[i].missing);
      StompestFrame *frame;

      if (cases[i].version < min_version)
        continue;

      message = stompest_frame_new ("MESSAGE");
      if (strcmp (cases[i].missing, "ack") != 0)
        stompest_frame_add_header (message, "ack", "a-1");
      if (strcmp (cases[i].missing, "message-id") != 0)
        stompest_frame_add_header (message, "message-id", "m-1");
      if (strcmp (cases[i].missing, "subscription") != 0)
        stompest_frame_add_header (message, "subscription", "s-1");

      frame = func (message, cases[i].version, NULL, NULL, &error);
      g_assert_null (frame);
      assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                             quoted);
      g_assert_nonnull (strstr (error->message, "MESSAGE"));
    }

  for (i = V11; i <= V12; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (func (receipt, (StompestVersion) i, NULL, NULL, &error));
      assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                             "RECEIPT");
      g_assert_nonnull (strstr (error->message, "MESSAGE"));
    }
}

static void
test_ack_errors (void)
{
  g_autoptr(StompestFrame) receipt = make_frame ("RECEIPT", "receipt-id", "1",
                                                 NULL);
  g_autoptr(GError) error = NULL;

  check_acknowledgement_errors (stompest_commands_ack, V10);

  g_assert_null (stompest_commands_ack (receipt, V10, NULL, NULL, &error));
  assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                         "RECEIPT");
}

static void
test_nack_headers (void)
{
  check_acknowledgement_headers (stompest_commands_nack, "NACK");
}

static void
test_nack_errors (void)
{
  g_autoptr(StompestFrame) message = make_activemq_message ();
  g_autoptr(GError) error = NULL;

  check_acknowledgement_errors (stompest_commands_nack, V11);

  g_assert_null (stompest_commands_nack (message, V10, NULL, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "NACK is not part of STOMP 1.0");
}

/* BEGIN / COMMIT / ABORT */

static void
test_transaction_headers (void)
{
  struct {
    StompestFrame *(*func) (const char *, const char *);
    const char *command;
  } cases[] = {
    { stompest_commands_begin, "BEGIN" },
    { stompest_commands_commit, "COMMIT" },
    { stompest_commands_abort, "ABORT" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(StompestFrame) plain = cases[i].func ("tx-1", NULL);
      g_autoptr(StompestFrame) receipt = cases[i].func ("tx-2", "r-1");

      assert_frame (plain, cases[i].command, "transaction", "tx-1", NULL);
      assert_frame (receipt, cases[i].command,
                    "transaction", "tx-2",
                    "receipt", "r-1",
                    NULL);
      assert_body_empty (receipt);
    }
}

/* Heart-beats */

static void
test_beat_bytes (void)
{
  StompestVersion versions[] = { V10, V11, V12 };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(GBytes) beat = stompest_commands_beat (versions[i]);

      g_assert_cmpmem (g_bytes_get_data (beat, NULL), g_bytes_get_size (beat),
                       "\n", 1);
    }
}

typedef struct {
  guint cx, cy, sx, sy;
  guint send, receive;
} HeartBeatCase;

static void
check_negotiation (const HeartBeatCase *cases,
                   gsize                n_cases)
{
  gsize i;

  for (i = 0; i < n_cases; i++)
    {
      guint send = 12345, receive = 12345;

      g_test_message ("client %u,%u server %u,%u", cases[i].cx, cases[i].cy,
                      cases[i].sx, cases[i].sy);
      stompest_commands_negotiate_heart_beat (cases[i].cx, cases[i].cy,
                                              cases[i].sx, cases[i].sy,
                                              &send, &receive);
      g_assert_cmpuint (send, ==, cases[i].send);
      g_assert_cmpuint (receive, ==, cases[i].receive);
    }
}

static void
test_negotiate_heart_beat_table (void)
{
  static const HeartBeatCase cases[] = {
    { 0, 0, 0, 0, 0, 0 },
    { 1000, 1000, 0, 0, 0, 0 },
    { 0, 0, 1000, 1000, 0, 0 },
    { 1000, 0, 0, 5000, 5000, 0 },
    { 0, 1000, 2000, 0, 0, 2000 },
    { 3000, 500, 100, 1000, 3000, 500 },
    { 100, 4000, 6000, 200, 200, 6000 },
    { G_MAXUINT, 1, 1, G_MAXUINT, G_MAXUINT, 1 },
  };

  check_negotiation (cases, G_N_ELEMENTS (cases));

  /* Either out parameter may be skipped. */
  stompest_commands_negotiate_heart_beat (1, 1, 1, 1, NULL, NULL);
}

static void
test_negotiate_heart_beat_brokers (void)
{
  /* Offers and answers seen on the wire (notes/brokers.md §2.6, §3.4):
   * RabbitMQ rounds to whole seconds, ActiveMQ echoes. */
  static const HeartBeatCase cases[] = {
    { 1000, 1000, 1000, 1000, 1000, 1000 },
    { 100, 100, 1000, 1000, 1000, 1000 },
    { 1500, 1500, 1000, 1000, 1500, 1500 },
    { 500, 2000, 2000, 1000, 1000, 2000 },
    { 0, 3000, 3000, 0, 0, 3000 },
    { 2000, 0, 0, 2000, 2000, 0 },
    { 0, 0, 0, 0, 0, 0 },
    { 500, 500, 500, 500, 500, 500 },
  };

  check_negotiation (cases, G_N_ELEMENTS (cases));
}

/* CONNECTED */

static void
test_read_connected_rabbitmq (void)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *session = NULL;
  StompestVersion version = V10;
  guint send = 0, receive = 0;

  frame = make_frame ("CONNECTED",
                      "server", "RabbitMQ/3.10.8",
                      "session", "session-abc",
                      "heart-beat", "2000,1000",
                      "version", "1.2",
                      NULL);
  g_assert_true (stompest_commands_read_connected (frame, V12, 500, 2000,
                                                   &version, &server, &session,
                                                   &send, &receive, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, V12);
  g_assert_cmpstr (server, ==, "RabbitMQ/3.10.8");
  g_assert_cmpstr (session, ==, "session-abc");
  g_assert_cmpuint (send, ==, 1000);
  g_assert_cmpuint (receive, ==, 2000);

  /* All out parameters are optional. */
  g_assert_true (stompest_commands_read_connected (frame, V12, 0, 0, NULL, NULL,
                                                   NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_read_connected_defaults (void)
{
  g_autoptr(StompestFrame) frame = make_frame ("CONNECTED", NULL);
  g_autoptr(StompestFrame) v11 = NULL;
  g_autoptr(GError) error = NULL;
  char *server = (char *) "unset";
  char *session = (char *) "unset";
  StompestVersion version = V12;
  guint send = 1, receive = 1;

  /* No version header means 1.0, whatever was offered. */
  g_assert_true (stompest_commands_read_connected (frame, V12, 1000, 1000,
                                                   &version, &server, &session,
                                                   &send, &receive, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, V10);
  g_assert_null (server);
  g_assert_null (session);
  g_assert_cmpuint (send, ==, 0);
  g_assert_cmpuint (receive, ==, 0);

  /* No heart-beat header means 0,0. */
  v11 = make_frame ("CONNECTED", "version", "1.1", NULL);
  send = receive = 1;
  g_assert_true (stompest_commands_read_connected (v11, V12, 1000, 1000,
                                                   &version, NULL, NULL,
                                                   &send, &receive, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, V11);
  g_assert_cmpuint (send, ==, 0);
  g_assert_cmpuint (receive, ==, 0);
}

static void
test_read_connected_v1_0 (void)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  StompestVersion version = V12;
  guint send = 1, receive = 1;

  /* 1.0 has no heart-beats: the header is neither used nor checked. */
  frame = make_frame ("CONNECTED", "version", "1.0", "heart-beat", "junk",
                      "session", "s", NULL);
  g_assert_true (stompest_commands_read_connected (frame, V10, 1000, 1000,
                                                   &version, NULL, NULL,
                                                   &send, &receive, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, V10);
  g_assert_cmpuint (send, ==, 0);
  g_assert_cmpuint (receive, ==, 0);
}

static void
test_read_connected_unsupported_version (void)
{
  struct {
    StompestVersion max_version;
    const char *version;
  } cases[] = {
    { V10, "1.1" },
    { V11, "1.2" },
    { V12, "2.0" },
    { V12, "1.0,1.1,1.2" },
    { V12, "" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(StompestFrame) frame = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", cases[i].version);
      StompestVersion version = V10;

      frame = make_frame ("CONNECTED", "version", cases[i].version, NULL);
      g_assert_false (stompest_commands_read_connected (frame,
                                                        cases[i].max_version,
                                                        0, 0, &version, NULL,
                                                        NULL, NULL, NULL,
                                                        &error));
      assert_error_mentions (error, STOMPEST_ERROR,
                             STOMPEST_ERROR_UNSUPPORTED_VERSION, quoted);
      /* Out parameters are left alone on failure. */
      g_assert_cmpint (version, ==, V10);
    }
}

#define ERROR_BODY "java.lang.Exception: Bad\n\tat Foo\n"

static void
test_read_connected_error_frame (void)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) bodied = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) body_error = NULL;

  /* RabbitMQ's answer to accept-version:2.0. */
  frame = make_frame ("ERROR", "message", "Version mismatch",
                      "version", "1.0,1.1,1.2", NULL);
  g_assert_false (stompest_commands_read_connected (frame, V12, 0, 0, NULL,
                                                    NULL, NULL, NULL, NULL,
                                                    &error));
  assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR,
                         "Version mismatch");

  bodied = stompest_frame_new ("ERROR");
  body = g_bytes_new_static (ERROR_BODY, sizeof ERROR_BODY - 1);
  stompest_frame_set_body (bodied, body);
  g_assert_false (stompest_commands_read_connected (bodied, V12, 0, 0, NULL,
                                                    NULL, NULL, NULL, NULL,
                                                    &body_error));
  assert_error_mentions (body_error, STOMPEST_ERROR,
                         STOMPEST_ERROR_SERVER_ERROR,
                         "java.lang.Exception: Bad");
}

static void
test_read_connected_wrong_frame (void)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(GError) error = NULL;

  frame = make_frame ("MESSAGE", "version", "1.2", NULL);
  g_assert_false (stompest_commands_read_connected (frame, V12, 0, 0, NULL,
                                                    NULL, NULL, NULL, NULL,
                                                    &error));
  assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                         "MESSAGE");
  g_assert_nonnull (strstr (error->message, "CONNECTED"));
}

static void
test_read_connected_heart_beat (void)
{
  static const char *malformed[] = {
    "", "1000", "1000,", ",1000", "a,b", " 1000,1000", "1000, 1000",
    "1000,1000 ", "1000,1000,1000", "-1,0", "+1,0", "4294967296,0",
    "99999999999999999999,0", "1000;1000", "0x10,0",
  };
  g_autoptr(StompestFrame) max = NULL;
  g_autoptr(GError) max_error = NULL;
  guint send = 0, receive = 0;
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(StompestFrame) frame = NULL;
      g_autoptr(GError) error = NULL;

      frame = make_frame ("CONNECTED", "version", "1.2",
                          "heart-beat", malformed[i], NULL);
      g_assert_false (stompest_commands_read_connected (frame, V12, 1000, 1000,
                                                        NULL, NULL, NULL,
                                                        NULL, NULL, &error));
      assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                             "“heart-beat”");
      g_assert_nonnull (strstr (error->message, malformed[i]));
    }

  max = make_frame ("CONNECTED", "version", "1.1",
                    "heart-beat", "4294967295,0", NULL);
  g_assert_true (stompest_commands_read_connected (max, V12, 10, 10, NULL,
                                                   NULL, NULL, &send, &receive,
                                                   &max_error));
  g_assert_no_error (max_error);
  g_assert_cmpuint (send, ==, 0);
  g_assert_cmpuint (receive, ==, G_MAXUINT);
}

/* MESSAGE */

static void
test_read_message_versions (void)
{
  g_autoptr(StompestFrame) message = make_activemq_message ();
  g_autoptr(GError) error = NULL;
  const char *subscription = NULL;
  const char *token = NULL;

  g_assert_true (stompest_commands_read_message (message, V12, &subscription,
                                                 &token, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (subscription, ==, "sub-0");
  g_assert_cmpstr (token, ==, "ID:vm-1:1");
  /* Transfer none: the strings are the frame's. */
  g_assert_true (token == stompest_frame_get_header (message, "ack"));

  g_assert_true (stompest_commands_read_message (message, V11, &subscription,
                                                 &token, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (subscription, ==, "sub-0");
  g_assert_cmpstr (token, ==, "ID:vm-1:19:-1:1:1");

  g_assert_true (stompest_commands_read_message (message, V10, &subscription,
                                                 &token, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (subscription, ==, "sub-0");
  g_assert_cmpstr (token, ==, "ID:vm-1:19:-1:1:1");

  g_assert_true (stompest_commands_read_message (message, V12, NULL, NULL,
                                                 &error));
  g_assert_no_error (error);
}

static void
test_read_message_auto_ack (void)
{
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(GError) error = NULL;
  const char *subscription = NULL;
  const char *token = "unset";

  message = make_frame ("MESSAGE", "destination", "/queue/a",
                        "message-id", "m-1", "subscription", "s", NULL);
  g_assert_true (stompest_commands_read_message (message, V12, &subscription,
                                                 &token, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (subscription, ==, "s");
  g_assert_null (token);
}

static void
test_read_message_v1_0_destination (void)
{
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(StompestFrame) bare = NULL;
  g_autoptr(GError) error = NULL;
  const char *subscription = NULL;
  const char *token = NULL;

  message = make_frame ("MESSAGE", "destination", "/queue/a",
                        "message-id", "m-1", NULL);
  g_assert_true (stompest_commands_read_message (message, V10, &subscription,
                                                 &token, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (subscription, ==, "/queue/a");
  g_assert_cmpstr (token, ==, "m-1");

  bare = make_frame ("MESSAGE", "message-id", "m-1", NULL);
  g_assert_false (stompest_commands_read_message (bare, V10, &subscription,
                                                  &token, &error));
  assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                         "“destination”");
}

static void
test_read_message_errors (void)
{
  struct {
    StompestVersion version;
    const char *header;
    const char *value;
    const char *missing;
  } cases[] = {
    /* Without subscription: required from 1.1 on. */
    { V11, "message-id", "m-1", "subscription" },
    { V12, "ack", "a-1", "subscription" },
    /* Without message-id: the ack token of 1.0 and 1.1. */
    { V11, "subscription", "s", "message-id" },
    { V10, "subscription", "s", "message-id" },
  };
  g_autoptr(StompestFrame) receipt = make_frame ("RECEIPT", "receipt-id", "r",
                                                 NULL);
  g_autoptr(GError) wrong_error = NULL;
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(StompestFrame) message = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *quoted = g_strdup_printf ("“%s”", cases[i].missing);
      const char *subscription = "unset";

      message = make_frame ("MESSAGE", "destination", "/queue/a",
                            cases[i].header, cases[i].value, NULL);
      g_assert_false (stompest_commands_read_message (message, cases[i].version,
                                                      &subscription, NULL,
                                                      &error));
      assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                             quoted);
      g_assert_cmpstr (subscription, ==, "unset");
    }

  g_assert_false (stompest_commands_read_message (receipt, V12, NULL, NULL,
                                                  &wrong_error));
  assert_error_mentions (wrong_error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                         "RECEIPT");
}

/* RECEIPT */

static void
test_read_receipt_good (void)
{
  g_autoptr(StompestFrame) frame = make_frame ("RECEIPT", "receipt-id", "r-7",
                                               NULL);
  g_autoptr(GError) error = NULL;
  const char *id;

  id = stompest_commands_read_receipt (frame, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, ==, "r-7");
  g_assert_true (id == stompest_frame_get_header (frame, "receipt-id"));
}

static void
test_read_receipt_errors (void)
{
  g_autoptr(StompestFrame) no_id = make_frame ("RECEIPT", NULL);
  g_autoptr(StompestFrame) error_frame = make_frame ("ERROR", "receipt-id",
                                                     "r-7", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) wrong_error = NULL;

  g_assert_null (stompest_commands_read_receipt (no_id, &error));
  assert_error_mentions (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                         "“receipt-id”");

  g_assert_null (stompest_commands_read_receipt (error_frame, &wrong_error));
  assert_error_mentions (wrong_error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                         "ERROR");
}

/* ERROR */

/* BODY_LEN -1: BODY is a string. */
static char *
read_error_with (const char *message,
                 const char *body,
                 gssize      body_len)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("ERROR");

  if (message != NULL)
    stompest_frame_add_header (frame, "message", message);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len < 0 ? strlen (body)
                                                                : (gsize) body_len);

      stompest_frame_set_body (frame, bytes);
    }
  return stompest_commands_read_error (frame);
}

static void
check_read_error (const char *message,
                  const char *body,
                  gssize      body_len,
                  const char *expected)
{
  g_autofree char *text = read_error_with (message, body, body_len);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_read_error_text (void)
{
  /* The header wins over the body. */
  check_read_error ("Bad CONNECT", "Virtual host '/x' access denied", -1,
                    "Bad CONNECT");
  check_read_error ("Bad CONNECT", NULL, 0, "Bad CONNECT");
  /* Else the first non-blank line of a text body, trimmed. */
  check_read_error (NULL, "java.io.IOException: boom\r\n\tat X\n", -1,
                    "java.io.IOException: boom");
  check_read_error ("", "\n  \r\n  second line  \nthird", -1, "second line");
  check_read_error (NULL, "no newline", -1, "no newline");
  /* Binary or blank bodies give the fallback. */
  check_read_error (NULL, "text\0more", 9, "(no message)");
  check_read_error (NULL, "\xff\xfe", -1, "(no message)");
  check_read_error (NULL, "\n \n", -1, "(no message)");
  check_read_error (NULL, NULL, 0, "(no message)");
}

/* The head a frame gets from stompest_frame_compile_head(), as a string. */
static char *
compiled_head (StompestFrame   *frame,
               StompestVersion  version)
{
  g_autoptr(GByteArray) head = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (stompest_frame_compile_head (frame, version,
                                              STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH,
                                              head, &error));
  g_assert_no_error (error);
  return g_strndup ((const char *) head->data, head->len);
}

/* What the clients write for a SEND without building a frame is, byte
 * for byte, what they would write for the frame: every version, with
 * and without transaction, receipt, extra headers and bytes to escape;
 * OUT keeps what it held before. */
static void
test_send_write_matches_frame (void)
{
  static const char * const skip[] = { "destination", "content-length", "receipt", "transaction", NULL };
  static const char * const destinations[] = { "/queue/a", "/queue/a:b\\c\nd\re", "" };
  g_autoptr(GHashTable) extra = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) body = g_bytes_new_static ("hello\0world", 11);

  g_hash_table_insert (extra, "zeta", "last");
  g_hash_table_insert (extra, "content-type", "text/plain");
  g_hash_table_insert (extra, "receipt", "skipped");
  g_hash_table_insert (extra, "persistent", "true");

  for (StompestVersion version = STOMPEST_VERSION_STOMP_1_0;
       version <= STOMPEST_VERSION_STOMP_1_2; version++)
    for (guint d = 0; d < G_N_ELEMENTS (destinations); d++)
      for (guint variant = 0; variant < 8; variant++)
        {
          const char *transaction = (variant & 1) ? "tx:1" : NULL;
          const char *receipt = (variant & 2) ? "r-1" : NULL;
          GHashTable *headers = (variant & 4) ? extra : NULL;
          g_autoptr(StompestFrame) frame = stompest_commands_send (destinations[d], body, transaction, receipt);
          g_autoptr(GByteArray) out = g_byte_array_new ();
          g_autoptr(GError) frame_error = NULL;
          g_autoptr(GError) write_error = NULL;
          g_autoptr(GByteArray) expected = g_byte_array_new ();
          gboolean compiled;
          gboolean written;

          stompest_connection_add_headers (frame, headers, skip);
          g_byte_array_append (out, (const guint8 *) "before", 6);
          g_byte_array_append (expected, (const guint8 *) "before", 6);
          compiled = stompest_frame_compile_head (frame, version,
                                                  STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH,
                                                  expected, &frame_error);
          written = stompest_commands_write_send (out, version, destinations[d], 11,
                                                  transaction, receipt, headers, skip,
                                                  &write_error);
          g_assert_cmpint (compiled, ==, written);
          if (!compiled)
            {
              /* 1.0 cannot write a line feed in the destination. */
              g_assert_cmpint (version, ==, STOMPEST_VERSION_STOMP_1_0);
              g_assert_error (write_error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME);
              g_assert_cmpstr (write_error->message, ==, frame_error->message);
              g_assert_cmpmem (out->data, out->len, "before", 6);
              continue;
            }
          g_assert_no_error (write_error);
          g_assert_cmpmem (out->data, out->len, expected->data, expected->len);
        }
}

/* The kept SEND head writes what the frame compiler writes, whether it
 * is reused (same destination and version, with the same body size or
 * another), replaced (another destination or version) or left alone by
 * a head that cannot be written, and leaves the room asked for after
 * the head. */
static void
test_send_head_matches_frame (void)
{
  static const struct {
    StompestVersion version;
    const char *destination;
    gsize body_size;
    gboolean fails;
  } sends[] = {
    { STOMPEST_VERSION_STOMP_1_2, "/queue/a", 5, FALSE },
    { STOMPEST_VERSION_STOMP_1_2, "/queue/a", 5, FALSE },
    { STOMPEST_VERSION_STOMP_1_2, "/queue/a", 123456, FALSE },
    { STOMPEST_VERSION_STOMP_1_2, "/queue/a", 0, FALSE },
    { STOMPEST_VERSION_STOMP_1_2, "/queue/a:b\\c\rd", 7, FALSE },
    { STOMPEST_VERSION_STOMP_1_1, "/queue/a:b\\c\rd", 7, FALSE },
    { STOMPEST_VERSION_STOMP_1_0, "/queue/a:b\\c", 7, FALSE },
    { STOMPEST_VERSION_STOMP_1_0, "/queue/line\nbreak", 7, TRUE },
    { STOMPEST_VERSION_STOMP_1_0, "/queue/a:b\\c", 8, FALSE },
    { STOMPEST_VERSION_STOMP_1_2, "/queue/a:b\\c", 8, FALSE },
    { STOMPEST_VERSION_STOMP_1_0, "/queue/a", 10, FALSE },
  };
  StompestSendHead head;

  stompest_send_head_init (&head);
  for (guint i = 0; i < G_N_ELEMENTS (sends); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_take (g_malloc0 (sends[i].body_size), sends[i].body_size);
      g_autoptr(StompestFrame) frame = stompest_commands_send (sends[i].destination, body, NULL, NULL);
      g_autoptr(GByteArray) expected = g_byte_array_new ();
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) frame_error = NULL;
      g_autoptr(GError) write_error = NULL;
      gsize reserve = i % 3;
      guint8 *room;

      g_byte_array_append (out, (const guint8 *) "before", 6);
      g_byte_array_append (expected, (const guint8 *) "before", 6);
      room = stompest_send_head_write (&head, out, sends[i].version, sends[i].destination,
                                       sends[i].body_size, reserve, &write_error);
      g_assert_cmpint (stompest_frame_compile_head (frame, sends[i].version,
                                                    STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH,
                                                    expected, &frame_error),
                       !=, sends[i].fails);
      if (sends[i].fails)
        {
          g_assert_null (room);
          g_assert_error (write_error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME);
          g_assert_cmpstr (write_error->message, ==, frame_error->message);
          g_assert_cmpmem (out->data, out->len, "before", 6);
          continue;
        }
      g_assert_no_error (write_error);
      g_assert_true (room == out->data + expected->len);
      g_assert_cmpuint (out->len, ==, expected->len + reserve);
      g_assert_cmpmem (out->data, expected->len, expected->data, expected->len);
    }
  stompest_send_head_clear (&head);
}

/* The same for ACK and NACK, from MESSAGE frames of each version, and
 * the same errors for a NACK in 1.0 and a MESSAGE missing its ids. */
static void
test_acknowledgement_write_matches_frame (void)
{
  static const char * const commands[] = { "ACK", "NACK" };
  g_autoptr(StompestFrame) message = stompest_frame_new ("MESSAGE");
  g_autoptr(StompestFrame) bare = stompest_frame_new ("MESSAGE");

  stompest_frame_add_header (message, "subscription", "sub:0");
  stompest_frame_add_header (message, "message-id", "ID:host-1:2");
  stompest_frame_add_header (message, "ack", "a\\ck:7");
  stompest_frame_add_header (message, "destination", "/queue/a");

  for (StompestVersion version = STOMPEST_VERSION_STOMP_1_0;
       version <= STOMPEST_VERSION_STOMP_1_2; version++)
    for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
      for (guint variant = 0; variant < 8; variant++)
        {
          StompestFrame *source = (variant & 4) ? bare : message;
          const char *transaction = (variant & 1) ? "tx-1" : NULL;
          const char *receipt = (variant & 2) ? "r:1" : NULL;
          g_autoptr(StompestFrame) frame = NULL;
          g_autoptr(GByteArray) out = g_byte_array_new ();
          g_autoptr(GError) frame_error = NULL;
          g_autoptr(GError) write_error = NULL;
          g_autofree char *expected = NULL;

          if (c == 0)
            frame = stompest_commands_ack (source, version, transaction, receipt, &frame_error);
          else
            frame = stompest_commands_nack (source, version, transaction, receipt, &frame_error);
          g_assert_cmpint (stompest_commands_write_acknowledgement (out, commands[c], source, version,
                                                                    transaction, receipt,
                                                                    &write_error),
                           ==, frame != NULL);
          if (frame == NULL)
            {
              g_assert_error (write_error, frame_error->domain, frame_error->code);
              g_assert_cmpstr (write_error->message, ==, frame_error->message);
              g_assert_cmpuint (out->len, ==, 0);
              continue;
            }
          g_assert_no_error (write_error);
          expected = compiled_head (frame, version);
          g_assert_cmpmem (out->data, out->len, expected, strlen (expected));
        }
}

int
main (int   argc,
      char *argv[])
{
  stompest_test_init (&argc, &argv);

  g_test_add_func ("/commands/connect/v1-2", test_connect_v1_2);
  g_test_add_func ("/commands/connect/v1-1", test_connect_v1_1);
  g_test_add_func ("/commands/connect/v1-0", test_connect_v1_0);
  g_test_add_func ("/commands/connect/no-host", test_connect_no_host);
  g_test_add_func ("/commands/connect/to-bytes", test_connect_to_bytes);
  g_test_add_func ("/commands/stomp/v1-2", test_stomp_v1_2);
  g_test_add_func ("/commands/stomp/v1-1", test_stomp_v1_1);
  g_test_add_func ("/commands/stomp/v1-0", test_stomp_v1_0);
  g_test_add_func ("/commands/disconnect/headers", test_disconnect_headers);
  g_test_add_func ("/commands/send/headers", test_send_headers);
  g_test_add_func ("/commands/send/empty-body", test_send_empty_body);
  g_test_add_func ("/commands/send/to-bytes", test_send_to_bytes);
  g_test_add_func ("/commands/subscribe/headers", test_subscribe_headers);
  g_test_add_func ("/commands/subscribe/client-individual",
                   test_subscribe_client_individual);
  g_test_add_func ("/commands/subscribe/missing-id", test_subscribe_missing_id);
  g_test_add_func ("/commands/unsubscribe/headers", test_unsubscribe_headers);
  g_test_add_func ("/commands/unsubscribe/v1-0-destination",
                   test_unsubscribe_v1_0_destination);
  g_test_add_func ("/commands/unsubscribe/missing-id",
                   test_unsubscribe_missing_id);
  g_test_add_func ("/commands/send/write-matches-frame", test_send_write_matches_frame);
  g_test_add_func ("/commands/send/head-matches-frame", test_send_head_matches_frame);
  g_test_add_func ("/commands/ack/headers", test_ack_headers);
  g_test_add_func ("/commands/ack/write-matches-frame",
                   test_acknowledgement_write_matches_frame);
  g_test_add_func ("/commands/ack/escaped-id", test_ack_escaped_id);
  g_test_add_func ("/commands/ack/errors", test_ack_errors);
  g_test_add_func ("/commands/nack/headers", test_nack_headers);
  g_test_add_func ("/commands/nack/errors", test_nack_errors);
  g_test_add_func ("/commands/transaction/headers", test_transaction_headers);
  g_test_add_func ("/commands/beat/bytes", test_beat_bytes);
  g_test_add_func ("/commands/negotiate-heart-beat/table",
                   test_negotiate_heart_beat_table);
  g_test_add_func ("/commands/negotiate-heart-beat/brokers",
                   test_negotiate_heart_beat_brokers);
  g_test_add_func ("/commands/read-connected/rabbitmq",
                   test_read_connected_rabbitmq);
  g_test_add_func ("/commands/read-connected/defaults",
                   test_read_connected_defaults);
  g_test_add_func ("/commands/read-connected/v1-0", test_read_connected_v1_0);
  g_test_add_func ("/commands/read-connected/unsupported-version",
                   test_read_connected_unsupported_version);
  g_test_add_func ("/commands/read-connected/error-frame",
                   test_read_connected_error_frame);
  g_test_add_func ("/commands/read-connected/wrong-frame",
                   test_read_connected_wrong_frame);
  g_test_add_func ("/commands/read-connected/heart-beat",
                   test_read_connected_heart_beat);
  g_test_add_func ("/commands/read-message/versions",
                   test_read_message_versions);
  g_test_add_func ("/commands/read-message/auto-ack",
                   test_read_message_auto_ack);
  g_test_add_func ("/commands/read-message/v1-0-destination",
                   test_read_message_v1_0_destination);
  g_test_add_func ("/commands/read-message/errors", test_read_message_errors);
  g_test_add_func ("/commands/read-receipt/good", test_read_receipt_good);
  g_test_add_func ("/commands/read-receipt/errors", test_read_receipt_errors);
  g_test_add_func ("/commands/read-error/text", test_read_error_text);

  return g_test_run ();
}

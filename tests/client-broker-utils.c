/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "client-broker-utils.h"

const BrokerInfo broker_infos[2] = {
  {
    .name = "rabbitmq",
    .uri_var = "STOMPEST_TEST_RABBITMQ_URI",
    .tls_uri_var = "STOMPEST_TEST_RABBITMQ_TLS_URI",
    .stomp_port_var = "STOMPEST_TEST_RABBITMQ_STOMP_PORT",
    .stomps_port_var = "STOMPEST_TEST_RABBITMQ_STOMPS_PORT",
    .pid_file_var = "STOMPEST_TEST_RABBITMQ_PID_FILE",
    .prefetch_header = "prefetch-count",
    .server_prefix = "RabbitMQ/",
    .nack_to_dlq = FALSE,
    .checks_destinations = TRUE,
    .requires_login = TRUE,
    .escapes_1_0 = TRUE,
  },
  {
    .name = "activemq",
    .uri_var = "STOMPEST_TEST_ACTIVEMQ_URI",
    .tls_uri_var = "STOMPEST_TEST_ACTIVEMQ_TLS_URI",
    .stomp_port_var = "STOMPEST_TEST_ACTIVEMQ_STOMP_PORT",
    .stomps_port_var = "STOMPEST_TEST_ACTIVEMQ_STOMPS_PORT",
    .pid_file_var = "STOMPEST_TEST_ACTIVEMQ_PID_FILE",
    .prefetch_header = "activemq.prefetchSize",
    .server_prefix = "ActiveMQ/",
    .nack_to_dlq = TRUE,
    .checks_destinations = FALSE,
    .requires_login = FALSE,
    .escapes_1_0 = FALSE,
  },
};

void
broker_add_test (const char    *suite,
                 const char    *name,
                 GTestDataFunc  func)
{
  for (guint b = 0; b < G_N_ELEMENTS (broker_infos); b++)
    {
      g_autofree char *path = g_strdup_printf ("/%s/%s/%s", suite, broker_infos[b].name, name);

      g_test_add_data_func (path, &broker_infos[b], func);
    }
}

const StompestVersion broker_versions[3] = {
  STOMPEST_VERSION_STOMP_1_0,
  STOMPEST_VERSION_STOMP_1_1,
  STOMPEST_VERSION_STOMP_1_2,
};

guint
broker_wait_ms (void)
{
  return stompest_test_under_valgrind () || stompest_test_under_asan () ? 60000 : 10000;
}

char *
broker_queue_name (const BrokerInfo *broker,
                   StompestVersion   version,
                   const char       *label)
{
  /* No dots: they mean hierarchy to ActiveMQ. */
  return g_strdup_printf ("/queue/stompest-it-%d-%" G_GINT64_FORMAT "-%s-v%d-%s",
                          (int) getpid (), g_get_monotonic_time (),
                          broker->name, (int) version, label);
}

StompestClient *
broker_client_new (const char      *uri,
                   StompestVersion  version)
{
  StompestClient *client = stompest_client_new (uri);

  stompest_client_set_max_version (client, version);
  stompest_client_set_connect_timeout (client, BROKER_WAIT_MS);
  stompest_client_set_connected_timeout (client, BROKER_WAIT_MS);
  stompest_client_set_receipt_timeout (client, BROKER_WAIT_MS);
  stompest_client_set_disconnect_timeout (client, BROKER_WAIT_MS);
  return client;
}

void
broker_connect (StompestClient *client)
{
  g_autoptr(GError) error = NULL;

  BROKER_ASSERT_OK (stompest_client_connect_sync (client, NULL, &error), error);
  g_assert_true (stompest_client_is_connected (client));
}

static void
add_header_pairs (GHashTable *headers,
                  const char *first_name,
                  va_list     args)
{
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    g_hash_table_insert (headers, (gpointer) name, va_arg (args, char *));
}

GHashTable *
broker_headers_new (const char *first_name,
                    ...)
{
  GHashTable *headers = g_hash_table_new (g_str_hash, g_str_equal);
  va_list args;

  va_start (args, first_name);
  add_header_pairs (headers, first_name, args);
  va_end (args);
  return headers;
}

char *
broker_receipt_new (void)
{
  static int counter;

  return g_strdup_printf ("stompest-it-receipt-%d", g_atomic_int_add (&counter, 1));
}

char *
broker_subscribe (StompestClient  *client,
                  const char      *destination,
                  StompestAckMode  mode,
                  ...)
{
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *receipt = broker_receipt_new ();
  g_autoptr(GError) error = NULL;
  char *token;
  va_list args;

  va_start (args, mode);
  add_header_pairs (headers, va_arg (args, const char *), args);
  va_end (args);
  g_hash_table_insert (headers, "receipt", receipt);

  token = stompest_client_subscribe (client, destination, mode, headers, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

static void
send_va (StompestClient *client,
         const char     *destination,
         GBytes         *body,
         va_list         args)
{
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *receipt = broker_receipt_new ();
  g_autoptr(GError) error = NULL;

  add_header_pairs (headers, va_arg (args, const char *), args);
  g_hash_table_insert (headers, "receipt", receipt);

  BROKER_ASSERT_OK (stompest_client_send (client, destination, body, headers, NULL, &error),
                    error);
}

void
broker_send (StompestClient *client,
             const char     *destination,
             GBytes         *body,
             ...)
{
  va_list args;

  va_start (args, body);
  send_va (client, destination, body, args);
  va_end (args);
}

void
broker_send_text (StompestClient *client,
                  const char     *destination,
                  const char     *text,
                  ...)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));
  va_list args;

  va_start (args, text);
  send_va (client, destination, body, args);
  va_end (args);
}

StompestFrame *
broker_receive_message (StompestClient *client)
{
  g_autoptr(GError) error = NULL;
  StompestFrame *frame;

  frame = stompest_client_receive_frame (client, BROKER_WAIT_MS, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (frame);
  g_assert_cmpstr (stompest_frame_get_command (frame), ==, "MESSAGE");
  return frame;
}

char *
broker_frame_text (StompestFrame *frame)
{
  GBytes *body = stompest_frame_get_body (frame);
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  return g_strndup (data, size);
}

GPtrArray *
broker_receive_until (StompestClient *client,
                      const char     *sentinel,
                      gboolean        ack)
{
  GPtrArray *bodies = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      g_autoptr(StompestFrame) frame = broker_receive_message (client);
      g_autoptr(GError) error = NULL;
      char *text = broker_frame_text (frame);

      if (ack)
        {
          BROKER_ASSERT_OK (stompest_client_ack (client, frame, NULL, NULL, &error),
                            error);
        }
      if (g_str_equal (text, sentinel))
        {
          g_free (text);
          return bodies;
        }
      g_ptr_array_add (bodies, text);
      /* A bound, in case the sentinel was lost. */
      g_assert_cmpuint (bodies->len, <, 100);
    }
}

GSocket *
broker_bound_socket_new (guint16 *port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

void
broker_assert_subscription (StompestFrame *message,
                            const char    *token)
{
  const char *subscription = stompest_frame_get_header (message, "subscription");

  /* A 1.0 SUBSCRIBE without id has the destination as its token, and
   * RabbitMQ's MESSAGEs for it carry no subscription header. */
  if (subscription == NULL)
    g_assert_cmpstr (stompest_frame_get_header (message, "destination"), ==, token);
  else
    g_assert_cmpstr (subscription, ==, token);
}

gboolean
broker_require_fixture (const BrokerInfo *broker)
{
  return stompest_test_broker_uri_from_env ("STOMPEST_TEST_BROKERCTL") != NULL &&
         stompest_test_broker_uri_from_env ("STOMPEST_TEST_BROKER_DIR") != NULL &&
         stompest_test_broker_uri_from_env (broker->stomp_port_var) != NULL &&
         stompest_test_broker_uri_from_env (broker->stomps_port_var) != NULL &&
         stompest_test_broker_uri_from_env (broker->uri_var) != NULL;
}

void
broker_ctl (const char         *command,
            const char         *arg,
            const char * const *extra_env)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("STOMPEST_TEST_BROKERCTL"), command, arg, NULL };
  static const struct {
    const char *name;
    const char *from;
  } vars[] = {
    { "BROKER_DIR", "STOMPEST_TEST_BROKER_DIR" },
    { "CERT_DIR", "STOMPEST_TEST_CERT_DIR" },
    { "RABBITMQ_STOMP_PORT", "STOMPEST_TEST_RABBITMQ_STOMP_PORT" },
    { "RABBITMQ_STOMPS_PORT", "STOMPEST_TEST_RABBITMQ_STOMPS_PORT" },
    { "ACTIVEMQ_STOMP_PORT", "STOMPEST_TEST_ACTIVEMQ_STOMP_PORT" },
    { "ACTIVEMQ_STOMPS_PORT", "STOMPEST_TEST_ACTIVEMQ_STOMPS_PORT" },
  };
  int status = 0;

  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      const char *value = g_getenv (vars[i].from);

      if (value != NULL)
        env = g_environ_setenv (env, vars[i].name, value, TRUE);
    }
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (extra_env[i], "=", 2);

      env = g_environ_setenv (env, pair[0], pair[1], TRUE);
    }

  g_test_message ("brokerctl.sh %s %s", command, arg != NULL ? arg : "");
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("brokerctl.sh %s failed: %s\n%s%s", command, error->message, out, err);
}

void
broker_ctl_shared (const BrokerInfo *broker,
                   const char       *command,
                   const char       *arg)
{
  g_autofree char *full = g_strdup_printf ("%s-%s", broker->name, command);

  broker_ctl (full, arg, NULL);
}

void
broker_sync (const BrokerInfo *broker)
{
  broker_ctl_shared (broker, "sync", NULL);
}

void
broker_kill (const BrokerInfo *broker)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  const char *port = g_getenv (broker->stomp_port_var);
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%s", port);
  gint64 deadline;

  broker_ctl_shared (broker, "kill", NULL);
  g_socket_client_set_timeout (client, 1);
  deadline = g_get_monotonic_time () + BROKER_WAIT_MS * 1000;
  for (;;)
    {
      g_autoptr(GSocketConnection) connection = NULL;

      connection = g_socket_client_connect_to_host (client, address, 0, NULL, NULL);
      if (connection == NULL)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("%s still accepts connections on %s after its kill", broker->name, address);
      g_usleep (50 * 1000);
    }
}

GPid
broker_get_pid (const BrokerInfo *broker)
{
  const char *path = g_getenv (broker->pid_file_var);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint64 pid = 0;

  g_assert_nonnull (path);
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (text);
  g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &pid, &error);
  g_assert_no_error (error);
  return (GPid) pid;
}

/* Sessions. */

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
broker_iterate (void)
{
  static gsize waker;

  if (g_once_init_enter (&waker))
    g_once_init_leave (&waker, g_timeout_add (50, wake, NULL));
  g_main_context_iteration (NULL, TRUE);
}

void
broker_run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    broker_iterate ();
}

StompestSession *
broker_session_new (const char *uri)
{
  StompestSession *session = stompest_session_new (uri);

  stompest_session_set_connect_timeout (session, BROKER_WAIT_MS);
  stompest_session_set_connected_timeout (session, BROKER_WAIT_MS);
  stompest_session_set_receipt_timeout (session, BROKER_WAIT_MS);
  stompest_session_set_disconnect_timeout (session, BROKER_WAIT_MS);
  return session;
}

typedef struct {
  gboolean done;
  GError *error;
} Completion;

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Completion *completion = data;

  stompest_session_connect_finish (STOMPEST_SESSION (source), result, &completion->error);
  completion->done = TRUE;
}

static void
on_disconnect_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  Completion *completion = data;

  stompest_session_disconnect_finish (STOMPEST_SESSION (source), result, &completion->error);
  completion->done = TRUE;
}

void
broker_session_connect (StompestSession *session)
{
  Completion completion = { FALSE, NULL };

  stompest_session_connect_async (session, NULL, on_connect_done, &completion);
  /* Every attempt is bounded; this only guards against a hang. */
  BROKER_WAIT_UNTIL (completion.done, 6 * BROKER_WAIT_MS);
  g_assert_no_error (completion.error);
  g_assert_cmpint (stompest_session_get_state (session), ==, STOMPEST_SESSION_STATE_CONNECTED);
}

GError *
broker_session_disconnect (StompestSession *session)
{
  Completion completion = { FALSE, NULL };

  stompest_session_disconnect_async (session, G_PRIORITY_DEFAULT, NULL,
                                     on_disconnect_done, &completion);
  /* Two steps, each bounded by the disconnect timeout. */
  BROKER_WAIT_UNTIL (completion.done, 3 * stompest_session_get_disconnect_timeout (session));
  g_assert_cmpint (stompest_session_get_state (session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  return completion.error;
}

StompestSubscription *
broker_session_subscribe (StompestSession  *session,
                          const BrokerInfo *broker,
                          const char       *destination,
                          StompestAckMode   mode,
                          guint             prefetch)
{
  g_autoptr(GHashTable) headers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GError) error = NULL;
  StompestSubscription *subscription;

  if (prefetch > 0)
    g_hash_table_insert (headers, (gpointer) broker->prefetch_header,
                         g_strdup_printf ("%u", prefetch));
  subscription = stompest_session_subscribe (session, destination, mode, headers, &error);
  g_assert_no_error (error);
  g_assert_nonnull (subscription);
  return subscription;
}

/* Numbered messages. */

GBytes *
broker_id_body (guint id)
{
  char *text = g_strdup_printf ("%08u", id);

  return g_bytes_new_take (text, strlen (text));
}

gboolean
broker_id_from_body (GBytes *body,
                     guint  *id)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  g_autofree char *text = g_strndup (data, size);
  g_autoptr(GError) error = NULL;
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, &error))
    {
      g_test_fail_printf ("not a numbered message: “%s”: %s", text, error->message);
      return FALSE;
    }
  *id = value;
  return TRUE;
}

BrokerTally *
broker_tally_new (guint n)
{
  BrokerTally *tally = g_new0 (BrokerTally, 1);

  tally->n = n;
  tally->counts = g_new0 (guint8, n);
  return tally;
}

void
broker_tally_free (BrokerTally *tally)
{
  g_free (tally->counts);
  g_free (tally);
}

guint
broker_tally_add (BrokerTally *tally,
                  guint        id)
{
  guint before;

  tally->n_seen++;
  if (id >= tally->n)
    {
      tally->n_foreign++;
      return 0;
    }
  before = tally->counts[id];
  if (before == 0)
    tally->n_unique++;
  if (before < G_MAXUINT8)
    tally->counts[id]++;
  return before;
}

gboolean
broker_tally_has (BrokerTally *tally,
                  guint        id)
{
  return id < tally->n && tally->counts[id] > 0;
}

guint
broker_tally_missing (BrokerTally *tally)
{
  return tally->n - tally->n_unique;
}

guint64
broker_tally_duplicates (BrokerTally *tally)
{
  return tally->n_seen - tally->n_unique - tally->n_foreign;
}

char *
broker_tally_describe_missing (BrokerTally *tally)
{
  GString *text;
  guint shown = 0;

  if (broker_tally_missing (tally) == 0)
    return g_strdup ("none");

  text = g_string_new (NULL);
  g_string_printf (text, "%u missing:", broker_tally_missing (tally));
  for (guint id = 0; id < tally->n && shown < 10; id++)
    {
      if (tally->counts[id] == 0)
        {
          g_string_append_printf (text, " %u", id);
          shown++;
        }
    }
  if (shown < broker_tally_missing (tally))
    g_string_append (text, " …");
  return g_string_free (text, FALSE);
}

guint64
broker_get_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;
  guint64 kib = 0;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nVmRSS:")) == NULL)
    g_error ("no VmRSS in /proc/self/status");
  kib = g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
  return kib;
}

void
broker_assert_queue_drained (const char *uri,
                             const char *queue)
{
  g_autoptr(StompestClient) client = broker_client_new (uri, STOMPEST_VERSION_STOMP_1_2);
  g_autofree char *token = NULL;
  g_autoptr(GPtrArray) bodies = NULL;
  g_autoptr(GError) error = NULL;

  broker_connect (client);
  token = broker_subscribe (client, queue, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, NULL);
  broker_send_text (client, queue, "stompest-it-drained", NULL);
  bodies = broker_receive_until (client, "stompest-it-drained", TRUE);
  if (bodies->len > 0)
    g_test_message ("%s still held %u message(s), the first “%s”",
                    queue, bodies->len, (char *) bodies->pdata[0]);
  g_assert_cmpuint (bodies->len, ==, 0);
  BROKER_ASSERT_OK (stompest_client_disconnect_sync (client, NULL, &error), error);
}

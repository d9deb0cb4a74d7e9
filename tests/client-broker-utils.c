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
    .server_prefix = "ActiveMQ/",
    .nack_to_dlq = TRUE,
    .checks_destinations = FALSE,
    .requires_login = FALSE,
    .escapes_1_0 = FALSE,
  },
};

const StompestVersion broker_versions[3] = {
  STOMPEST_VERSION_STOMP_1_0,
  STOMPEST_VERSION_STOMP_1_1,
  STOMPEST_VERSION_STOMP_1_2,
};

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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "stompest-commands-private.h"
#include "stompest-connection-private.h"
#include "stompest-error.h"
#include "stompest-frame-private.h"

#define PASSCODE_MASK "********"

gboolean
stompest_connection_set_string (GObject     *object,
                                char       **field,
                                const char  *value,
                                GParamSpec  *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

gboolean
stompest_connection_set_uint (GObject    *object,
                              guint      *field,
                              guint       value,
                              GParamSpec *pspec)
{
  if (*field == value)
    return FALSE;

  *field = value;
  g_object_notify_by_pspec (object, pspec);
  return TRUE;
}

gboolean
stompest_connection_has_notify_handler (gpointer object)
{
  static gsize notify_signal;

  if (g_once_init_enter (&notify_signal))
    g_once_init_leave (&notify_signal, g_signal_lookup ("notify", G_TYPE_OBJECT));
  /* Matching the signal alone finds handlers of any detail. */
  return g_signal_handler_find (object, G_SIGNAL_MATCH_ID, notify_signal, 0,
                                NULL, NULL, NULL) != 0;
}

void
stompest_connection_scrub (const char  *passcode,
                           char       **text)
{
  GString *scrubbed;

  if (passcode == NULL || *passcode == '\0' || *text == NULL ||
      strstr (*text, passcode) == NULL)
    return;

  scrubbed = g_string_new (*text);
  g_string_replace (scrubbed, passcode, PASSCODE_MASK, 0);
  g_free (*text);
  *text = g_string_free (scrubbed, FALSE);
}

gboolean
stompest_connection_tracing (void)
{
  return !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
}

void
stompest_connection_trace (const char    *passcode,
                           const char    *broker_uri,
                           const char    *direction,
                           StompestFrame *frame)
{
  g_autofree char *text = NULL;

  if (!stompest_connection_tracing ())
    return;

  text = stompest_frame_to_string (frame);
  stompest_connection_scrub (passcode, &text);
  g_debug ("%s %s %s", broker_uri, direction, text);
}

GHashTable *
stompest_connection_transports_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
}

void
stompest_connection_transports_set (GHashTable        *transports,
                                    const char        *scheme,
                                    StompestTransport *transport)
{
  g_autofree char *lower = g_ascii_strdown (scheme, -1);

  if (transport != NULL)
    g_hash_table_replace (transports, (gpointer) g_intern_string (lower),
                          g_object_ref (transport));
  else
    g_hash_table_remove (transports, g_intern_string (lower));
}

StompestTransport *
stompest_connection_transports_lookup (GHashTable  *transports,
                                       const char  *broker_uri,
                                       GError     **error)
{
  const char *scheme = g_uri_peek_scheme (broker_uri);
  StompestTransport *transport = NULL;

  if (scheme != NULL)
    transport = g_hash_table_lookup (transports, scheme);
  if (transport != NULL)
    return g_object_ref (transport);

  return stompest_transport_lookup_for_uri (broker_uri, error);
}

void
stompest_connection_add_headers (StompestFrame      *frame,
                                 GHashTable         *headers,
                                 const char * const *skip)
{
  guint n_names;
  g_autofree const char **names = stompest_commands_header_names (headers, skip, &n_names);

  for (guint i = 0; i < n_names; i++)
    stompest_frame_add_header (frame, names[i], g_hash_table_lookup (headers, names[i]));
}

const char *
stompest_connection_lookup_header (GHashTable *headers,
                                   const char *name)
{
  return headers != NULL ? g_hash_table_lookup (headers, name) : NULL;
}

guint
stompest_connection_frame_vectors (StompestFrame    *frame,
                                   StompestVersion   version,
                                   GByteArray       *head,
                                   GOutputVector     vectors[3],
                                   GError          **error)
{
  GBytes *body = stompest_frame_get_body (frame);
  StompestCompileFlags flags = STOMPEST_COMPILE_FLAGS_NONE;
  guint n_vectors = 0;

  if (strcmp (stompest_frame_get_command (frame), "SEND") == 0)
    flags = STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH;

  g_byte_array_set_size (head, 0);
  if (!stompest_frame_compile_head (frame, version, flags, head, error))
    return 0;

  vectors[n_vectors].buffer = head->data;
  vectors[n_vectors++].size = head->len;
  if (body != NULL && g_bytes_get_size (body) > 0)
    {
      vectors[n_vectors].buffer = g_bytes_get_data (body, &vectors[n_vectors].size);
      n_vectors++;
    }
  vectors[n_vectors].buffer = "";
  vectors[n_vectors++].size = 1;

  return n_vectors;
}

gssize
stompest_connection_read (GPollableInputStream  *input,
                          StompestParser        *parser,
                          guint8               **buffer,
                          GError               **error)
{
  gssize n;

  if (*buffer == NULL)
    *buffer = g_malloc (STOMPEST_CONNECTION_READ_CHUNK);
  n = g_pollable_input_stream_read_nonblocking (input, *buffer,
                                                STOMPEST_CONNECTION_READ_CHUNK,
                                                NULL, error);
  if (n > 0)
    {
      /* Shrunk in place: the parser keeps slices of it. */
      g_autoptr(GBytes) bytes = g_bytes_new_take (g_realloc (*buffer, n), n);

      *buffer = NULL;
      stompest_parser_feed_bytes (parser, bytes);
    }
  return n;
}

GError *
stompest_connection_lost_error (const char *broker_uri,
                                const char *reason)
{
  return g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                      "Lost the connection to %s: %s", broker_uri, reason);
}

GError *
stompest_connection_server_error (const char    *broker_uri,
                                  const char    *passcode,
                                  StompestFrame *frame)
{
  g_autofree char *text = stompest_commands_read_error (frame);

  stompest_connection_scrub (passcode, &text);
  return g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR,
                      "Broker %s sent an ERROR frame: %s", broker_uri, text);
}

GError *
stompest_connection_malformed_error (const char   *broker_uri,
                                     const char   *passcode,
                                     const GError *parse_error)
{
  GError *error = g_error_new (STOMPEST_ERROR, parse_error->code,
                               "Broker %s sent a malformed frame: %s",
                               broker_uri, parse_error->message);

  stompest_connection_scrub (passcode, &error->message);
  return error;
}

char *
stompest_connection_silence_reason (StompestProtocol *protocol,
                                    gint64            now_us)
{
  return g_strdup_printf ("no heart-beat from the broker for %" G_GINT64_FORMAT " ms "
                          "(one was due every %u ms)",
                          (now_us - stompest_protocol_get_last_received (protocol)) / 1000,
                          stompest_protocol_get_receive_period (protocol));
}

gboolean
stompest_connection_error_is_final (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR) ||
         g_error_matches (error, STOMPEST_ERROR, STOMPEST_ERROR_UNSUPPORTED_VERSION);
}

void
stompest_connection_prefix_give_up (GError           **error,
                                    StompestFailover  *failover,
                                    const char        *uri,
                                    guint              attempts)
{
  if (stompest_failover_get_is_failover (failover))
    g_prefix_error (error, "Gave up on %s after %u attempt(s); last error: ",
                    uri, attempts);
}

void
stompest_connection_log_connected (const char       *broker_uri,
                                   StompestProtocol *protocol)
{
  g_debug ("Connected to %s: STOMP %s, server “%s”, heart-beats %u/%u ms",
           broker_uri, stompest_version_to_string (stompest_protocol_get_version (protocol)),
           stompest_protocol_get_server (protocol),
           stompest_protocol_get_send_period (protocol),
           stompest_protocol_get_receive_period (protocol));
}

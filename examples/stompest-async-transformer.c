/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stompest-async-transformer: the asynchronous transformer of stompest's
 * README (IncrementTransformer), on a GLib main loop
 * (async-transformer.py in C).
 *
 * Reads JSON messages {"count": j} from one queue and sends {"count": j + 1}
 * to another. Each input message is held until the broker confirmed the
 * output (stompest_session_send_async() completes on its RECEIPT), and
 * only then acknowledged: a crash in between makes the broker redeliver
 * the input, nothing is lost. A message that cannot be transformed goes to
 * the error queue (stompest's poison-pill rule), then is acknowledged.
 *
 *   stompest-async-transformer [--count=N] [--idle-timeout=SECONDS]
 *                              [--in=QUEUE] [--out=QUEUE] [--error=QUEUE]
 *                              [BROKER-URI]
 */
#include <stompest-glib/stompest-glib.h>

#include "stompest-async-example.h"

typedef struct {
  const char *in;
  const char *out;
  const char *error_destination;
  int         count;
  int         idle_timeout;
  int         transformed;
} Transformer;

/* One input message while its output waits for the broker's RECEIPT. */
typedef struct {
  Transformer     *transformer;
  StompestMessage *message;
  gint64           count;
} Transformation;

static void
transformation_free (Transformation *transformation)
{
  g_object_unref (transformation->message);
  g_free (transformation);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Transformation, transformation_free)

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Transformation) transformation = user_data;
  g_autoptr(GError) error = NULL;

  if (!stompest_session_send_finish (STOMPEST_SESSION (source), result, &error))
    {
      stompest_message_fail (transformation->message, error);   /* to the error queue, then acked */
      return;
    }
  stompest_message_complete (transformation->message);         /* acked */
  transformation->transformer->transformed++;
  g_print ("transformed count %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT "\n",
           transformation->count, transformation->count + 1);
}

static void
add_one (StompestMessage *message,
         gpointer         user_data)
{
  Transformer *transformer = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  Transformation *transformation;
  gint64 count;

  if (!example_parse_count (stompest_message_get_body (message), &count, &error))
    {
      stompest_message_fail (message, error);
      return;
    }
  if (count == G_MAXINT64)
    {
      g_set_error_literal (&error, g_quark_from_static_string ("stompest-async-transformer"), 0,
                           "not a count: one more would overflow");
      stompest_message_fail (message, error);
      return;
    }

  stompest_message_hold (message);
  transformation = g_new0 (Transformation, 1);
  transformation->transformer = transformer;
  transformation->message = g_object_ref (message);
  transformation->count = count;
  body = example_count_new (count + 1);
  stompest_session_send_async (stompest_message_get_session (message), transformer->out, body,
                               NULL, G_PRIORITY_DEFAULT, NULL, on_sent, transformation);
}

static void
on_connected (Example  *example,
              gpointer  user_data)
{
  Transformer *transformer = user_data;
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  StompestSubscription *subscription;

  /* The broker lets at most 100 unacknowledged messages wait here. Not
   * max-in-flight: a held input waits for a RECEIPT, which the session
   * would not read while the subscription is at its limit. */
  g_hash_table_insert (headers, (char *) "activemq.prefetchSize", (char *) "100");
  g_hash_table_insert (headers, (char *) "prefetch-count", (char *) "100");
  subscription = example_consume (example, transformer->in, transformer->count,
                                  transformer->idle_timeout, headers, add_one, transformer);
  if (subscription == NULL)
    return;
  stompest_subscription_set_error_destination (subscription, transformer->error_destination);
  stompest_subscription_set_failure_policy (subscription, STOMPEST_FAILURE_POLICY_ERROR_DESTINATION);
}

int
main (int   argc,
      char *argv[])
{
  int count = 0;
  int idle_timeout = 0;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  g_autofree char *error_destination = NULL;
  const ExampleDestination destinations[] = {
    { "in", "/queue/testIn", &in },
    { "out", "/queue/testOut", &out },
    { "error", "/queue/testTransformerError", &error_destination },
    { NULL, NULL, NULL }
  };
  const char *uri = NULL;
  g_autoptr(Example) example = NULL;
  Transformer transformer = { 0 };
  int status;

  if (!example_parse_args (&argc, &argv, "add one to the count of JSON messages, from queue to queue",
                           destinations, &count, &idle_timeout, &uri))
    return 2;

  example = example_new (uri);
  transformer = (Transformer) { in, out, error_destination, count, idle_timeout, 0 };
  status = example_run (example, on_connected, &transformer);
  g_print ("transformed %d messages\n", transformer.transformed);

  return status;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stompest-async-producer: the asynchronous producer of stompest's README,
 * on a GLib main loop (async-producer.py in C).
 *
 * Sends --count JSON messages {"count": j} (j from 0) to a queue, each with
 * stompest_session_send_async(), which completes on the broker's RECEIPT,
 * and disconnects once the broker confirmed them all.
 *
 *   stompest-async-producer [--count=N] [--destination=QUEUE] [BROKER-URI]
 */
#include <stompest-glib/stompest-glib.h>

#include "stompest-async-example.h"

typedef struct {
  Example    *example;
  const char *destination;
  int         count;
  int         confirmed;
} Producer;

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Producer *producer = user_data;
  g_autoptr(GError) error = NULL;

  if (!stompest_session_send_finish (STOMPEST_SESSION (source), result, &error))
    {
      example_stop (producer->example, error);
      return;
    }

  producer->confirmed++;
  if (producer->confirmed == producer->count)
    {
      g_print ("sent %d messages to %s (all receipts confirmed)\n",
               producer->count, producer->destination);
      example_stop (producer->example, NULL);
    }
}

static void
on_connected (Example  *example,
              gpointer  user_data)
{
  Producer *producer = user_data;

  for (int j = 0; j < producer->count; j++)
    {
      g_autoptr(GBytes) body = example_count_new (j);

      stompest_session_send_async (example_get_session (example), producer->destination,
                                   body, NULL, G_PRIORITY_DEFAULT, NULL, on_sent, producer);
    }
}

int
main (int   argc,
      char *argv[])
{
  int count = 10;
  g_autofree char *destination = NULL;
  const ExampleDestination destinations[] = {
    { "destination", "/queue/testIn", &destination },
    { NULL, NULL, NULL }
  };
  const char *uri = NULL;
  g_autoptr(Example) example = NULL;
  Producer producer = { 0 };

  if (!example_parse_args (&argc, &argv, "send JSON messages to a STOMP queue",
                           destinations, &count, NULL, &uri))
    return 2;
  if (count < 1)
    {
      g_printerr ("%s: --count must be at least 1\n", g_get_prgname ());
      return 2;
    }

  example = example_new (uri);
  producer = (Producer) { example, destination, count, 0 };

  return example_run (example, on_connected, &producer);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stompest-async-consumer: the asynchronous consumer of stompest's README,
 * on a GLib main loop (async-consumer.py in C).
 *
 * Prints the count of each JSON message {"count": j} on a queue; the
 * session acknowledges each message once the handler returned. A message
 * that is not such JSON fails, and the session sends it to the error queue
 * (stompest's poison-pill rule), then acknowledges it.
 *
 *   stompest-async-consumer [--count=N] [--idle-timeout=SECONDS]
 *                           [--destination=QUEUE] [--error=QUEUE] [BROKER-URI]
 */
#include <stompest-glib/stompest-glib.h>

#include "stompest-async-example.h"

typedef struct {
  const char *destination;
  const char *error_destination;
  int         count;
  int         idle_timeout;
  int         received;
} Consumer;

static void
on_message (StompestMessage *message,
            gpointer         user_data)
{
  Consumer *consumer = user_data;
  g_autoptr(GError) error = NULL;
  gint64 count;

  if (!example_parse_count (stompest_message_get_body (message), &count, &error))
    {
      stompest_message_fail (message, error);
      return;
    }
  consumer->received++;
  g_print ("received count %" G_GINT64_FORMAT "\n", count);
}

static void
on_connected (Example  *example,
              gpointer  user_data)
{
  Consumer *consumer = user_data;
  StompestSubscription *subscription;

  subscription = example_consume (example, consumer->destination, consumer->count,
                                  consumer->idle_timeout, NULL, on_message, consumer);
  if (subscription == NULL)
    return;
  stompest_subscription_set_error_destination (subscription, consumer->error_destination);
  stompest_subscription_set_failure_policy (subscription, STOMPEST_FAILURE_POLICY_ERROR_DESTINATION);
}

int
main (int   argc,
      char *argv[])
{
  int count = 0;
  int idle_timeout = 5;
  g_autofree char *destination = NULL;
  g_autofree char *error_destination = NULL;
  const ExampleDestination destinations[] = {
    { "destination", "/queue/testOut", &destination },
    { "error", "/queue/testConsumerError", &error_destination },
    { NULL, NULL, NULL }
  };
  const char *uri = NULL;
  g_autoptr(Example) example = NULL;
  Consumer consumer = { 0 };
  int status;

  if (!example_parse_args (&argc, &argv, "print the counts of JSON messages on a STOMP queue",
                           destinations, &count, &idle_timeout, &uri))
    return 2;

  example = example_new (uri);
  consumer = (Consumer) { destination, error_destination, count, idle_timeout, 0 };
  status = example_run (example, on_connected, &consumer);
  g_print ("received %d messages from %s\n", consumer.received, destination);

  return status;
}

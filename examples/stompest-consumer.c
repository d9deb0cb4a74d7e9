/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stompest-consumer: the synchronous consumer of stompest's README.
 *
 * Connects to a broker, subscribes to a queue with client-individual
 * acknowledgement, prints the body of each message and acknowledges it
 * once it was handled. A message that was not acknowledged (the program
 * failed or was stopped while handling it) goes back to the queue.
 *
 *   stompest-consumer [--count=N] [--idle-timeout=SECONDS] [--destination=QUEUE] [BROKER-URI]
 */
#include <stompest-glib/stompest-glib.h>

#define DEFAULT_URI "tcp://localhost:61613"

/* The work done with each message. */
static void
handle_message (StompestFrame *message)
{
  GBytes *body = stompest_frame_get_body (message);
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  g_print ("received \"%.*s\"\n", (int) size, data != NULL ? data : "");
}

static gboolean
consume (StompestClient  *client,
         const char      *destination,
         int              count,
         int              idle_timeout,
         GError         **error)
{
  g_autofree char *token = NULL;
  int received = 0;

  if (!stompest_client_connect_sync (client, NULL, error))
    return FALSE;

  token = stompest_client_subscribe (client, destination,
                                     STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                     NULL, NULL, error);
  if (token == NULL)
    return FALSE;
  g_print ("subscribed to %s\n", destination);

  while (count == 0 || received < count)
    {
      g_autoptr(StompestFrame) frame = NULL;
      g_autoptr(GError) local_error = NULL;

      frame = stompest_client_receive_frame (client,
                                             idle_timeout > 0 ? idle_timeout * 1000 : -1,
                                             NULL, &local_error);
      if (frame == NULL)
        {
          if (!g_error_matches (local_error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_print ("nothing arrived for %d s\n", idle_timeout);
          break;
        }

      /* Only MESSAGE frames are ours to handle; this program asks for no
       * receipt it does not wait for itself. */
      if (g_strcmp0 (stompest_frame_get_command (frame), "MESSAGE") != 0)
        continue;

      handle_message (frame);
      if (!stompest_client_ack (client, frame, NULL, NULL, error))
        return FALSE;
      g_print ("  acked\n");
      received++;
    }

  g_print ("received %d message%s from %s\n", received, received == 1 ? "" : "s", destination);

  return stompest_client_disconnect_sync (client, NULL, error);
}

int
main (int   argc,
      char *argv[])
{
  int count = 0;
  int idle_timeout = 5;
  g_autofree char *destination = NULL;
  const GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count,
      "Stop after N messages (default: 0, no limit)", "N" },
    { "idle-timeout", 't', 0, G_OPTION_ARG_INT, &idle_timeout,
      "Stop when no message arrives for SECONDS (default: 5; 0 waits forever)", "SECONDS" },
    { "destination", 'd', 0, G_OPTION_ARG_STRING, &destination,
      "Queue to subscribe to (default: /queue/test)", "QUEUE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(StompestClient) client = NULL;
  g_autoptr(GError) error = NULL;

  context = g_option_context_new ("[BROKER-URI] - print and acknowledge the messages of a STOMP queue");
  g_option_context_set_description (context, "BROKER-URI defaults to " DEFAULT_URI ".");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }
  if (argc > 2)
    {
      g_printerr ("%s: expected at most one BROKER-URI\n", g_get_prgname ());
      return 2;
    }
  if (count < 0)
    {
      g_printerr ("%s: --count must not be negative\n", g_get_prgname ());
      return 2;
    }
  if (idle_timeout < 0 || idle_timeout > G_MAXINT / 1000)
    {
      g_printerr ("%s: --idle-timeout must be between 0 and %d seconds\n",
                  g_get_prgname (), G_MAXINT / 1000);
      return 2;
    }

  client = stompest_client_new (argc == 2 ? argv[1] : DEFAULT_URI);
  if (!consume (client, destination != NULL ? destination : "/queue/test",
                count, idle_timeout, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 1;
    }

  return 0;
}

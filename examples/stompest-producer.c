/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stompest-producer: the synchronous producer of stompest's README.
 *
 * Connects to a broker, sends a few messages to a queue and disconnects.
 * The last message asks for a receipt, so when the program says the
 * messages were sent, the broker has them all.
 *
 *   stompest-producer [--count=N] [--destination=QUEUE] [BROKER-URI]
 */
#include <stompest-glib/stompest-glib.h>

#define DEFAULT_URI "tcp://localhost:61613"

static gboolean
produce (StompestClient  *client,
         const char      *destination,
         int              count,
         GError         **error)
{
  if (!stompest_client_connect_sync (client, NULL, error))
    return FALSE;

  for (int i = 1; i <= count; i++)
    {
      GString *text = g_string_new (NULL);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);

      g_string_printf (text, "test message %d", i);
      body = g_string_free_to_bytes (text);

      /* The broker's RECEIPT for the last message confirms all of them:
       * a broker handles the frames of one connection in order. */
      if (i == count)
        g_hash_table_insert (headers, (char *) "receipt", (char *) "stompest-producer-last");

      if (!stompest_client_send (client, destination, body, headers, NULL, error))
        return FALSE;
    }

  g_print ("sent %d message%s to %s (receipt confirmed)\n",
           count, count == 1 ? "" : "s", destination);

  return stompest_client_disconnect_sync (client, NULL, error);
}

int
main (int   argc,
      char *argv[])
{
  int count = 3;
  g_autofree char *destination = NULL;
  const GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_INT, &count,
      "Number of messages to send (default: 3)", "N" },
    { "destination", 'd', 0, G_OPTION_ARG_STRING, &destination,
      "Queue to send them to (default: /queue/test)", "QUEUE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(StompestClient) client = NULL;
  g_autoptr(GError) error = NULL;

  context = g_option_context_new ("[BROKER-URI] - send messages to a STOMP queue");
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
  if (count < 1)
    {
      g_printerr ("%s: --count must be at least 1\n", g_get_prgname ());
      return 2;
    }

  client = stompest_client_new (argc == 2 ? argv[1] : DEFAULT_URI);
  if (!produce (client, destination != NULL ? destination : "/queue/test", count, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 1;
    }

  return 0;
}

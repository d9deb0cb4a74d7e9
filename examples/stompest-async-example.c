/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stompest-async-example.h"

#include <errno.h>
#include <string.h>

#define DEFAULT_URI "tcp://localhost:61613"

G_DEFINE_QUARK (stompest-async-example-error, example_error)

struct _Example {
  StompestSession      *session;
  GMainLoop            *loop;
  GError               *failure;
  gboolean              stopping;

  ExampleConnected      on_connected;
  gpointer              on_connected_data;

  /* The subscription of example_consume(), with its limits. */
  StompestSubscription *subscription;
  ExampleHandler        handler;
  gpointer              handler_data;
  int                   count;
  int                   received;
  int                   idle_timeout;
  guint                 idle_id;
};

/* The options every example takes, as async_example.parse_args(): --count,
 * --idle-timeout (when idle_timeout is not NULL), one option per
 * destination, and BROKER-URI. Prints what is wrong and returns FALSE on
 * a bad command line. */
gboolean
example_parse_args (int                       *argc,
                    char                    ***argv,
                    const char                *description,
                    const ExampleDestination  *destinations,
                    int                       *count,
                    int                       *idle_timeout,
                    const char               **uri)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  g_autoptr(GPtrArray) help = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *parameter = g_strdup_printf ("[BROKER-URI] - %s", description);
  g_autoptr(GError) error = NULL;
  GOptionEntry entry = { "count", 'n', 0, G_OPTION_ARG_INT, count, NULL, "N" };

  entry.description = g_strdup_printf ("Number of messages (default: %d; 0: no limit)", *count);
  g_ptr_array_add (help, (char *) entry.description);
  g_array_append_val (entries, entry);

  if (idle_timeout != NULL)
    {
      GOptionEntry idle = { "idle-timeout", 't', 0, G_OPTION_ARG_INT, idle_timeout, NULL, "SECONDS" };

      idle.description = g_strdup_printf ("Stop when no message arrives for SECONDS "
                                          "(default: %d; 0 waits forever)", *idle_timeout);
      g_ptr_array_add (help, (char *) idle.description);
      g_array_append_val (entries, idle);
    }

  for (const ExampleDestination *d = destinations; d->name != NULL; d++)
    {
      GOptionEntry queue = { d->name, 0, 0, G_OPTION_ARG_STRING, d->value, NULL, "QUEUE" };

      queue.description = g_strdup_printf ("(default: %s)", d->default_value);
      g_ptr_array_add (help, (char *) queue.description);
      g_array_append_val (entries, queue);
    }

  context = g_option_context_new (parameter);
  g_option_context_set_description (context, "BROKER-URI defaults to " DEFAULT_URI ".");
  g_option_context_add_main_entries (context, (GOptionEntry *) (void *) entries->data, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return FALSE;
    }
  if (*argc > 2)
    {
      g_printerr ("%s: expected at most one BROKER-URI\n", g_get_prgname ());
      return FALSE;
    }
  if (*count < 0 || (idle_timeout != NULL && *idle_timeout < 0))
    {
      g_printerr ("%s: --count and --idle-timeout must not be negative\n", g_get_prgname ());
      return FALSE;
    }

  for (const ExampleDestination *d = destinations; d->name != NULL; d++)
    if (*d->value == NULL)
      *d->value = g_strdup (d->default_value);
  *uri = *argc == 2 ? (*argv)[1] : DEFAULT_URI;

  return TRUE;
}

static void
on_error (StompestSession *session,
          const GError    *error,
          gpointer         user_data)
{
  /* The session reconnects by itself; an error it reports means a
   * connection was lost or a message could not be handled as asked. */
  g_printerr ("%s: %s\n", g_get_prgname (), error->message);
}

Example *
example_new (const char *uri)
{
  Example *example = g_new0 (Example, 1);

  example->session = stompest_session_new (uri);
  example->loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (example->session, "error", G_CALLBACK (on_error), example);

  return example;
}

void
example_free (Example *example)
{
  g_clear_handle_id (&example->idle_id, g_source_remove);
  /* The session may outlive our reference: it must not call us again. */
  if (example->subscription != NULL)
    g_signal_handlers_disconnect_by_data (example->subscription, example);
  g_signal_handlers_disconnect_by_data (example->session, example);
  g_clear_object (&example->subscription);
  g_clear_object (&example->session);
  g_clear_pointer (&example->loop, g_main_loop_unref);
  g_clear_error (&example->failure);
  g_free (example);
}

StompestSession *
example_get_session (Example *example)
{
  return example->session;
}

static void
on_disconnect_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Example *example = user_data;
  g_autoptr(GError) error = NULL;

  if (!stompest_session_disconnect_finish (STOMPEST_SESSION (source), result, &error))
    example_stop (example, error);
  g_main_loop_quit (example->loop);
}

/* Ends the example with failure (if not NULL, and the first one) as its
 * outcome, gracefully: the broker gets the acks of every message handled
 * and the session waits for those still held and for pending receipts. */
void
example_stop (Example      *example,
              const GError *failure)
{
  if (failure != NULL && example->failure == NULL)
    example->failure = g_error_copy (failure);
  if (example->stopping)
    return;
  example->stopping = TRUE;
  g_clear_handle_id (&example->idle_id, g_source_remove);

  if (stompest_session_get_state (example->session) == STOMPEST_SESSION_STATE_DISCONNECTED)
    g_main_loop_quit (example->loop);
  else
    stompest_session_disconnect_async (example->session, G_PRIORITY_DEFAULT, NULL,
                                       on_disconnect_done, example);
}

static void
on_connect_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Example *example = user_data;
  g_autoptr(GError) error = NULL;

  if (!stompest_session_connect_finish (STOMPEST_SESSION (source), result, &error))
    example_stop (example, error);
  else
    example->on_connected (example, example->on_connected_data);
}

/* Connects, calls on_connected and runs the main loop until
 * example_stop(). Returns the exit status. */
int
example_run (Example          *example,
             ExampleConnected  on_connected,
             gpointer          user_data)
{
  example->on_connected = on_connected;
  example->on_connected_data = user_data;
  stompest_session_connect_async (example->session, NULL, on_connect_done, example);
  g_main_loop_run (example->loop);

  if (example->failure != NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), example->failure->message);
      return 1;
    }
  return 0;
}

static gboolean
on_idle (gpointer user_data)
{
  Example *example = user_data;

  example->idle_id = 0;
  g_print ("nothing arrived for %d s\n", example->idle_timeout);
  example_stop (example, NULL);

  return G_SOURCE_REMOVE;
}

static void
restart_idle_timer (Example *example)
{
  g_clear_handle_id (&example->idle_id, g_source_remove);
  if (example->idle_timeout > 0)
    example->idle_id = g_timeout_add_seconds (example->idle_timeout, on_idle, example);
}

static void
on_message (StompestSubscription *subscription,
            StompestMessage      *message,
            gpointer              user_data)
{
  Example *example = user_data;

  example->handler (message, example->handler_data);
  example->received++;
  if (example->count > 0 && example->received >= example->count)
    example_stop (example, NULL);
  else
    restart_idle_timer (example);
}

/* Subscribes to destination with client-individual acks and calls handler
 * for each message; stops after count messages (0: no limit) or
 * idle_timeout seconds without one (0: never). Returns the subscription
 * (owned by the example), or NULL after stopping with the error. */
StompestSubscription *
example_consume (Example        *example,
                 const char     *destination,
                 int             count,
                 int             idle_timeout,
                 GHashTable     *headers,
                 ExampleHandler  handler,
                 gpointer        user_data)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (example->subscription == NULL, NULL);

  example->subscription = stompest_session_subscribe (example->session, destination,
                                                      STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                                                      headers, &error);
  if (example->subscription == NULL)
    {
      example_stop (example, error);
      return NULL;
    }

  example->handler = handler;
  example->handler_data = user_data;
  example->count = count;
  example->idle_timeout = idle_timeout;
  g_signal_connect (example->subscription, "message", G_CALLBACK (on_message), example);
  restart_idle_timer (example);

  return example->subscription;
}

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && g_ascii_isspace (*p))
    p++;
  return p;
}

#define KEY "\"count\""

/* Reads the JSON object {"count": j} of the examples (j an integer). */
gboolean
example_parse_count (GBytes  *body,
                     gint64  *count,
                     GError **error)
{
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  const char *end;
  const char *p;
  g_autofree char *number = NULL;
  char *number_end = NULL;
  gsize digits;

  if (data == NULL)
    data = "";
  end = data + size;
  p = skip_space (data, end);

  if (p == end || *p++ != '{')
    goto not_a_count;
  p = skip_space (p, end);
  if ((gsize) (end - p) < strlen (KEY) || memcmp (p, KEY, strlen (KEY)) != 0)
    goto not_a_count;
  p = skip_space (p + strlen (KEY), end);
  if (p == end || *p++ != ':')
    goto not_a_count;
  p = skip_space (p, end);

  /* The body is not NUL-terminated: copy the number for g_ascii_strtoll(). */
  for (digits = 0; p + digits < end && (g_ascii_isdigit (p[digits]) || (digits == 0 && p[0] == '-')); digits++)
    ;
  number = g_strndup (p, digits);
  errno = 0;
  *count = g_ascii_strtoll (number, &number_end, 10);
  if (digits == 0 || *number_end != '\0' || errno != 0)
    goto not_a_count;
  p = skip_space (p + digits, end);
  if (p == end || *p++ != '}' || skip_space (p, end) != end)
    goto not_a_count;

  return TRUE;

not_a_count:
  g_set_error (error, example_error_quark (), 0,
               "not a count: expected {\"count\": INTEGER}, got %" G_GSIZE_FORMAT " bytes \"%.*s\"",
               size, (int) MIN (size, 64), data);
  return FALSE;
}

/* The JSON object {"count": count}, as Python's json.dumps() writes it. */
GBytes *
example_count_new (gint64 count)
{
  GString *text = g_string_new (NULL);

  g_string_printf (text, "{\"count\": %" G_GINT64_FORMAT "}", count);
  return g_string_free_to_bytes (text);
}

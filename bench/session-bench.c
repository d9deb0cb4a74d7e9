/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stompest-glib/stompest-glib.h>

#include "bench-common.h"
#include "bench-stompest.h"

/* StompestSession (the asynchronous API, on the main context of this
 * thread) in the benchmark modes of bench-common.h, plus
 *
 *   session-bench memory HOST PORT DESTINATION COUNT
 *
 * which consumes COUNT messages from sink-server while the handler holds
 * each one until MEMORY_MAX_IN_FLIGHT are held (the subscription's
 * max-in-flight: the session stops reading), then finishes them all; it
 * prints the resident set size before and after. See README.md.
 *
 * produce keeps at most PRODUCE_WINDOW frames queued in the session
 * (counted with frames-out), as a producer that must not buffer without
 * bound would, and lets the main context run (without waiting) every
 * PRODUCE_TURN sends, as a program on a main loop returns to it: what
 * was queued is then written while the next frames are made. */

#define TIMEOUT_MS 60000
#define PRODUCE_WINDOW 4000
#define PRODUCE_TURN 500
#define MEMORY_MAX_IN_FLIGHT 100

typedef struct {
  StompestSession *session;
  GMainContext *context;
  long count;
  long received;
  gboolean done;              /* the async call waited for has finished */
  GError *error;
  char *receipt;              /* awaited receipt id */
  GPtrArray *held;            /* memory mode: held messages */
  long warm_kb;
} Bench;

/* Runs the main context until *FLAG, failing on a session error. */
static void
wait_for (Bench    *bench,
          gboolean *flag)
{
  while (!*flag && bench->error == NULL)
    g_main_context_iteration (bench->context, TRUE);
  bench_check (bench->error == NULL, &bench->error);
}

static void
on_error (StompestSession *session,
          const GError    *error,
          Bench           *bench)
{
  if (bench->error == NULL)
    bench->error = g_error_copy (error);
}

static void
on_receipt (StompestSession *session,
            const char      *receipt_id,
            Bench           *bench)
{
  if (g_strcmp0 (receipt_id, bench->receipt) == 0)
    bench->done = TRUE;
}

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Bench *bench = user_data;
  gboolean ok;

  if (g_async_result_is_tagged (result, stompest_session_connect_async))
    ok = stompest_session_connect_finish (bench->session, result, &bench->error);
  else
    ok = stompest_session_disconnect_finish (bench->session, result, &bench->error);
  bench->done = ok || bench->error != NULL;
}

static void
bench_connect (Bench      *bench,
               const char *host,
               const char *port)
{
  g_autofree char *uri = g_strdup_printf ("tcp://%s:%s", host, port);

  bench->context = g_main_context_ref_thread_default ();
  bench->session = stompest_session_new (uri);
  stompest_session_set_virtual_host (bench->session, "/");
  stompest_session_set_login (bench->session, "guest");
  stompest_session_set_passcode (bench->session, "guest");
  stompest_session_set_reconnect (bench->session, FALSE);
  stompest_session_set_receipt_timeout (bench->session, TIMEOUT_MS);
  stompest_session_set_disconnect_timeout (bench->session, TIMEOUT_MS);
  g_signal_connect (bench->session, "error", G_CALLBACK (on_error), bench);
  g_signal_connect (bench->session, "receipt", G_CALLBACK (on_receipt), bench);

  bench->done = FALSE;
  stompest_session_connect_async (bench->session, NULL, on_async_done, bench);
  wait_for (bench, &bench->done);
}

/* DISCONNECT, and wait for its RECEIPT. */
static void
bench_disconnect (Bench *bench)
{
  bench->done = FALSE;
  stompest_session_disconnect_async (bench->session, G_PRIORITY_DEFAULT, NULL, on_async_done, bench);
  wait_for (bench, &bench->done);
}

static GBytes *
body_new (void)
{
  char body[BENCH_BODY_SIZE];

  memset (body, 'x', sizeof body);
  return g_bytes_new (body, sizeof body);
}

static void
produce (Bench      *bench,
         const char *destination)
{
  g_autoptr(GBytes) body = body_new ();
  BenchClock clock = bench_clock_start ();
  guint64 frames_out = stompest_session_get_frames_out (bench->session);
  GError *error = NULL;

  for (long sent = 0; sent < bench->count; )
    {
      if (sent - (long) (stompest_session_get_frames_out (bench->session) - frames_out) >= PRODUCE_WINDOW)
        {
          g_main_context_iteration (bench->context, TRUE);
          bench_check (bench->error == NULL, &bench->error);
          continue;
        }
      bench_check (stompest_session_send (bench->session, destination, body, NULL, &error), &error);
      if (++sent % PRODUCE_TURN == 0)
        g_main_context_iteration (bench->context, FALSE);
    }
  bench_disconnect (bench);
  bench_report ("produce", clock, bench->count, NULL);
}

static void
on_message (StompestSubscription *subscription,
            StompestMessage      *message,
            Bench                *bench)
{
  if (++bench->received == bench->count)
    bench->done = TRUE;
}

static StompestSubscription *
subscribe (Bench           *bench,
           const char      *destination,
           StompestAckMode  ack_mode,
           GHashTable      *headers,
           GCallback        handler)
{
  GError *error = NULL;
  StompestSubscription *subscription = stompest_session_subscribe (bench->session, destination,
                                                                   ack_mode, headers, &error);

  bench_check (subscription != NULL, &error);
  g_signal_connect (subscription, "message", handler, bench);
  return subscription;
}

static void
consume (Bench      *bench,
         const char *destination,
         const char *ack)
{
  StompestAckMode mode = strcmp (ack, "client-individual") == 0 ? STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL
                                                                 : STOMPEST_ACK_MODE_AUTO;
  BenchClock clock = bench_clock_start ();
  g_autoptr(StompestSubscription) subscription = NULL;

  bench->done = FALSE;
  subscription = subscribe (bench, destination, mode, NULL, G_CALLBACK (on_message));
  wait_for (bench, &bench->done);
  bench_disconnect (bench);
  bench_report ("consume", clock, bench->count, NULL);
}

static void
latency (Bench      *bench,
         const char *destination)
{
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(StompestSubscription) subscription = NULL;
  g_autoptr(GBytes) body = body_new ();
  long count = bench->count;
  g_autofree double *samples = g_new (double, count);
  BenchClock clock = { 0 };
  GError *error = NULL;

  g_hash_table_insert (headers, "receipt", "sub");
  bench->receipt = "sub";
  bench->done = FALSE;
  subscription = subscribe (bench, destination, STOMPEST_ACK_MODE_AUTO, headers,
                            G_CALLBACK (on_message));
  wait_for (bench, &bench->done);

  /* One message at a time: on_message ends each wait. */
  bench->count = 1;
  for (long i = -BENCH_LATENCY_WARMUP; i < count; i++)
    {
      double start;

      if (i == 0)
        clock = bench_clock_start ();
      start = bench_now ();
      bench->received = 0;
      bench->done = FALSE;
      bench_check (stompest_session_send (bench->session, destination, body, NULL, &error), &error);
      wait_for (bench, &bench->done);
      if (i >= 0)
        samples[i] = bench_now () - start;
    }
  bench_disconnect (bench);
  bench_report ("latency", clock, count, samples);
}

static gboolean
finish_held (gpointer user_data)
{
  Bench *bench = user_data;

  for (guint i = 0; i < bench->held->len; i++)
    stompest_message_complete (g_ptr_array_index (bench->held, i));
  g_ptr_array_set_size (bench->held, 0);
  return G_SOURCE_REMOVE;
}

/* Holds every message; once the subscription's max-in-flight are held,
 * finishes them all from an idle callback. */
static void
on_message_hold (StompestSubscription *subscription,
                 StompestMessage      *message,
                 Bench                *bench)
{
  stompest_message_hold (message);
  g_ptr_array_add (bench->held, g_object_ref (message));
  if (bench->held->len == MEMORY_MAX_IN_FLIGHT)
    g_idle_add_full (G_PRIORITY_DEFAULT, finish_held, bench, NULL);
  if (++bench->received == 1000)
    bench->warm_kb = bench_status_kb ("VmRSS:");
  if (bench->received == bench->count)
    {
      finish_held (bench);
      bench->done = TRUE;
    }
}

static void
memory (Bench      *bench,
        const char *destination)
{
  g_autoptr(StompestSubscription) subscription = NULL;
  long start;

  bench->held = g_ptr_array_new_with_free_func (g_object_unref);
  bench->done = FALSE;
  subscription = subscribe (bench, destination, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, NULL,
                            G_CALLBACK (on_message_hold));
  stompest_subscription_set_max_in_flight (subscription, MEMORY_MAX_IN_FLIGHT);
  start = bench_status_kb ("VmRSS:");
  wait_for (bench, &bench->done);
  bench_report_memory (bench->count, start, bench->warm_kb);
  bench_disconnect (bench);
  g_ptr_array_unref (bench->held);
}

int
main (int   argc,
      char *argv[])
{
  Bench bench = { 0 };

  if (argc < 6)
    bench_usage (argv[0]);
  bench.count = atol (argv[5]);
  bench_connect (&bench, argv[2], argv[3]);
  if (strcmp (argv[1], "produce") == 0)
    produce (&bench, argv[4]);
  else if (strcmp (argv[1], "consume") == 0)
    consume (&bench, argv[4], argc > 6 ? argv[6] : "auto");
  else if (strcmp (argv[1], "latency") == 0)
    latency (&bench, argv[4]);
  else if (strcmp (argv[1], "memory") == 0)
    memory (&bench, argv[4]);
  else
    bench_usage (argv[0]);
  g_object_unref (bench.session);
  g_main_context_unref (bench.context);
  return 0;
}

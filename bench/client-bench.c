/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stompest-glib/stompest-glib.h>

#include "bench-common.h"
#include "bench-stompest.h"

/* StompestClient (the synchronous API) in the benchmark modes of
 * bench-common.h, plus
 *
 *   client-bench memory HOST PORT DESTINATION COUNT
 *
 * which consumes COUNT messages (auto) from sink-server --messages and
 * prints the resident set size before and after. See README.md. */

#define TIMEOUT_MS 60000

static StompestClient *
bench_connect (const char *host,
               const char *port)
{
  g_autofree char *uri = g_strdup_printf ("tcp://%s:%s", host, port);
  StompestClient *client = stompest_client_new (uri);
  GError *error = NULL;

  stompest_client_set_virtual_host (client, "/");
  stompest_client_set_login (client, "guest");
  stompest_client_set_passcode (client, "guest");
  stompest_client_set_receipt_timeout (client, TIMEOUT_MS);
  stompest_client_set_disconnect_timeout (client, TIMEOUT_MS);
  /* run-benchmarks.py measures the client with and without a buffer. */
  if (g_getenv ("STOMPEST_BENCH_WRITE_BUFFER") != NULL)
    stompest_client_set_write_buffer_size (client, atoi (g_getenv ("STOMPEST_BENCH_WRITE_BUFFER")));
  bench_check (stompest_client_connect_sync (client, NULL, &error), &error);
  return client;
}

static GBytes *
body_new (void)
{
  char body[BENCH_BODY_SIZE];

  memset (body, 'x', sizeof body);
  return g_bytes_new (body, sizeof body);
}

/* The next MESSAGE; anything else is a failure. */
static StompestFrame *
receive_message (StompestClient *client)
{
  GError *error = NULL;
  StompestFrame *frame = stompest_client_receive_frame (client, TIMEOUT_MS, NULL, &error);

  bench_check (frame != NULL, &error);
  if (strcmp (stompest_frame_get_command (frame), "MESSAGE") != 0)
    {
      fprintf (stderr, "client-bench: unexpected %s\n", stompest_frame_get_command (frame));
      exit (1);
    }
  return frame;
}

static void
produce (StompestClient *client,
         const char     *destination,
         long            count)
{
  g_autoptr(GBytes) body = body_new ();
  BenchClock clock = bench_clock_start ();
  GError *error = NULL;

  for (long i = 0; i < count; i++)
    bench_check (stompest_client_send (client, destination, body, NULL, NULL, &error), &error);
  bench_check (stompest_client_disconnect_sync (client, NULL, &error), &error);
  bench_report ("produce", clock, count, NULL);
}

static void
consume (StompestClient *client,
         const char     *destination,
         long            count,
         const char     *ack)
{
  gboolean individual = strcmp (ack, "client-individual") == 0;
  BenchClock clock = bench_clock_start ();
  g_autofree char *token = NULL;
  GError *error = NULL;

  token = stompest_client_subscribe (client, destination,
                                     individual ? STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL : STOMPEST_ACK_MODE_AUTO,
                                     NULL, NULL, &error);
  bench_check (token != NULL, &error);
  for (long i = 0; i < count; i++)
    {
      g_autoptr(StompestFrame) frame = receive_message (client);

      if (individual)
        bench_check (stompest_client_ack (client, frame, NULL, NULL, &error), &error);
    }
  bench_check (stompest_client_disconnect_sync (client, NULL, &error), &error);
  bench_report ("consume", clock, count, NULL);
}

static void
latency (StompestClient *client,
         const char     *destination,
         long            count)
{
  g_autoptr(GHashTable) subscribe_headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) body = body_new ();
  g_autofree double *samples = g_new (double, count);
  g_autofree char *token = NULL;
  BenchClock clock = { 0 };
  GError *error = NULL;

  g_hash_table_insert (subscribe_headers, "receipt", "sub");
  token = stompest_client_subscribe (client, destination, STOMPEST_ACK_MODE_AUTO,
                                     subscribe_headers, NULL, &error);
  bench_check (token != NULL, &error);
  for (long i = -BENCH_LATENCY_WARMUP; i < count; i++)
    {
      StompestFrame *frame;
      double start;

      if (i == 0)
        clock = bench_clock_start ();
      start = bench_now ();
      bench_check (stompest_client_send (client, destination, body, NULL, NULL, &error), &error);
      frame = receive_message (client);
      if (i >= 0)
        samples[i] = bench_now () - start;
      stompest_frame_unref (frame);
    }
  bench_check (stompest_client_disconnect_sync (client, NULL, &error), &error);
  bench_report ("latency", clock, count, samples);
}

static void
memory (StompestClient *client,
        const char     *destination,
        long            count)
{
  g_autofree char *token = NULL;
  GError *error = NULL;
  long start;
  long warm = 0;

  token = stompest_client_subscribe (client, destination, STOMPEST_ACK_MODE_AUTO, NULL, NULL, &error);
  bench_check (token != NULL, &error);
  start = bench_status_kb ("VmRSS:");
  for (long i = 0; i < count; i++)
    {
      StompestFrame *frame = receive_message (client);

      /* Once the buffers are warm. */
      if (i == 1000)
        warm = bench_status_kb ("VmRSS:");
      stompest_frame_unref (frame);
    }
  bench_report_memory (count, start, warm);
  bench_check (stompest_client_disconnect_sync (client, NULL, &error), &error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(StompestClient) client = NULL;
  long count;

  if (argc < 6)
    bench_usage (argv[0]);
  count = atol (argv[5]);
  client = bench_connect (argv[2], argv[3]);
  if (strcmp (argv[1], "produce") == 0)
    produce (client, argv[4], count);
  else if (strcmp (argv[1], "consume") == 0)
    consume (client, argv[4], count, argc > 6 ? argv[6] : "auto");
  else if (strcmp (argv[1], "latency") == 0)
    latency (client, argv[4], count);
  else if (strcmp (argv[1], "memory") == 0)
    memory (client, argv[4], count);
  else
    bench_usage (argv[0]);
  return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stompest-glib/stompest-glib.h>
#include "stompest-frame-private.h"

/* Throughput of the wire layer: StompestParser reading a stream of MESSAGE
 * frames, and the frame compiler writing them, next to two baselines run
 * over the same bytes in the same process: memchr() scanning for the NULs
 * that end frames (a lower bound for any parser) and memcpy(). See
 * README.md. Build with --buildtype=release for numbers that mean
 * anything. */

#define CHUNK_SIZE (64 * 1024)
#define N_COMPILED_FRAMES 16

static int n_runs = 7;
static int stream_mb = 32;
static char *only = NULL;
static gint64 only_body = 0;

static const GOptionEntry options[] = {
  { "runs", 'r', 0, G_OPTION_ARG_INT, &n_runs, "Runs per case; the median is shown (default 7)", "N" },
  { "mb", 'm', 0, G_OPTION_ARG_INT, &stream_mb, "Size of each stream in MiB (default 32)", "MIB" },
  { "only", 'o', 0, G_OPTION_ARG_STRING, &only, "Run only the cases whose name contains TEXT (and the baselines)", "TEXT" },
  { "body", 'b', 0, G_OPTION_ARG_INT64, &only_body, "Run only the body size BYTES (100, 10240 or 1048576)", "BYTES" },
  { NULL }
};

typedef struct {
  gsize body_size;
  guint n_frames;
  GBytes *stream;             /* n_frames frames, as a broker sends them */
  StompestFrame *frames[N_COMPILED_FRAMES];
  guint8 *copy;               /* memcpy() target, as large as the stream */
} Workload;

typedef guint64 (*CaseFunc) (Workload *workload);

typedef enum {
  BASELINE_NONE,
  BASELINE_MEMCHR,
  BASELINE_MEMCPY,
} Baseline;

typedef struct {
  const char *name;
  CaseFunc func;
  Baseline baseline;          /* what the ratio column compares with */
} Case;

/* A MESSAGE as ActiveMQ delivers it: its ids hold colons, which STOMP 1.2
 * escapes as \c on the wire. */
static StompestFrame *
message_frame (guint   n,
               GBytes *body)
{
  StompestFrame *frame = stompest_frame_new ("MESSAGE");
  g_autofree char *id = g_strdup_printf ("ID:bench-host-40391-1700000000000-3:1:1:1:%u", n);
  g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT, g_bytes_get_size (body));

  stompest_frame_add_header (frame, "destination", "/queue/bench.orders");
  stompest_frame_add_header (frame, "message-id", id);
  stompest_frame_add_header (frame, "subscription", "sub-0");
  stompest_frame_add_header (frame, "ack", id);
  stompest_frame_add_header (frame, "content-length", length);
  stompest_frame_set_body (frame, body);
  stompest_frame_seal (frame);

  return frame;
}

static GBytes *
make_body (gsize size)
{
  guint8 *data = g_malloc (size);

  /* Printable text without NULs, so that the memchr baseline finds only
   * the frame ends. */
  for (gsize i = 0; i < size; i++)
    data[i] = 'a' + (i * 7 + i / 61) % 26;

  return g_bytes_new_take (data, size);
}

static void
workload_init (Workload *workload,
               gsize     body_size)
{
  g_autoptr(GBytes) body = make_body (body_size);
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  gsize target = (gsize) stream_mb * 1024 * 1024;

  workload->body_size = body_size;
  for (guint i = 0; i < N_COMPILED_FRAMES; i++)
    workload->frames[i] = message_frame (i, body);

  for (workload->n_frames = 0; stream->len < target || workload->n_frames == 0; workload->n_frames++)
    {
      g_autoptr(StompestFrame) frame = message_frame (workload->n_frames, body);
      g_autoptr(GBytes) wire = stompest_frame_to_bytes (frame, STOMPEST_VERSION_STOMP_1_2,
                                                        STOMPEST_COMPILE_FLAGS_NONE, NULL);

      g_byte_array_append (stream, g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
    }

  workload->stream = g_byte_array_free_to_bytes (g_steal_pointer (&stream));
  /* Touched once, so page faults stay out of the memcpy() runs. */
  workload->copy = g_malloc (g_bytes_get_size (workload->stream));
  memset (workload->copy, 0, g_bytes_get_size (workload->stream));
}

static void
workload_clear (Workload *workload)
{
  for (guint i = 0; i < N_COMPILED_FRAMES; i++)
    g_clear_pointer (&workload->frames[i], stompest_frame_unref);
  g_clear_pointer (&workload->stream, g_bytes_unref);
  g_clear_pointer (&workload->copy, g_free);
}

/* -- baselines ----------------------------------------------------------- */

static guint64
run_memchr (Workload *workload)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (workload->stream, &len);
  guint64 nuls = 0;

  for (gsize off = 0; off < len; off += CHUNK_SIZE)
    {
      const guint8 *p = data + off;
      const guint8 *end = data + MIN (off + CHUNK_SIZE, len);

      while ((p = memchr (p, '\0', end - p)) != NULL)
        {
          nuls++;
          p++;
        }
    }

  return nuls;
}

static guint64
run_memcpy (Workload *workload)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (workload->stream, &len);

  for (gsize off = 0; off < len; off += CHUNK_SIZE)
    memcpy (workload->copy + off, data + off, MIN (CHUNK_SIZE, len - off));

  /* The number of NULs the stream has, read from the copy, so the copies
   * cannot be optimised away. */
  return workload->copy[len - 1] == '\0' ? workload->n_frames : 0;
}

/* -- parser -------------------------------------------------------------- */

static guint64
drain (StompestParser *parser)
{
  StompestFrame *frame;
  guint64 n = 0;

  while ((frame = stompest_parser_next_frame (parser, NULL)) != NULL)
    {
      stompest_frame_unref (frame);
      n++;
    }

  return n;
}

static guint64
run_parser (Workload *workload,
            gboolean  copy)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (workload->stream, &len);
  guint64 n = 0;

  for (gsize off = 0; off < len; off += CHUNK_SIZE)
    {
      gsize size = MIN (CHUNK_SIZE, len - off);

      if (copy)
        stompest_parser_feed (parser, data + off, size);
      else
        {
          /* As a read into a fresh buffer would hand it over. */
          GBytes *chunk = g_bytes_new_from_bytes (workload->stream, off, size);

          stompest_parser_feed_bytes (parser, chunk);
          g_bytes_unref (chunk);
        }
      n += drain (parser);
    }

  return n;
}

static guint64
run_parser_feed_bytes (Workload *workload)
{
  return run_parser (workload, FALSE);
}

static guint64
run_parser_feed (Workload *workload)
{
  return run_parser (workload, TRUE);
}

/* -- compiler ------------------------------------------------------------ */

/* Both return the frames written; the bytes are those of the stream. */
static guint64
run_compile_head (Workload *workload)
{
  g_autoptr(GByteArray) head = g_byte_array_sized_new (512);

  for (guint i = 0; i < workload->n_frames; i++)
    {
      g_byte_array_set_size (head, 0);
      /* The body and the NUL would follow as two more GOutputVectors. */
      if (!stompest_frame_compile_head (workload->frames[i % N_COMPILED_FRAMES],
                                        STOMPEST_VERSION_STOMP_1_2,
                                        STOMPEST_COMPILE_FLAGS_NONE, head, NULL))
        return 0;
    }

  return workload->n_frames;
}

static guint64
run_to_bytes (Workload *workload)
{
  for (guint i = 0; i < workload->n_frames; i++)
    {
      GBytes *wire = stompest_frame_to_bytes (workload->frames[i % N_COMPILED_FRAMES],
                                              STOMPEST_VERSION_STOMP_1_2,
                                              STOMPEST_COMPILE_FLAGS_NONE, NULL);

      if (wire == NULL)
        return 0;
      g_bytes_unref (wire);
    }

  return workload->n_frames;
}

static const Case cases[] = {
  { "memchr NULs", run_memchr, BASELINE_NONE },
  { "memcpy", run_memcpy, BASELINE_NONE },
  { "parser feed_bytes", run_parser_feed_bytes, BASELINE_MEMCHR },
  { "parser feed (copy)", run_parser_feed, BASELINE_MEMCHR },
  { "compile_head+vector", run_compile_head, BASELINE_MEMCPY },
  { "to_bytes", run_to_bytes, BASELINE_MEMCPY },
};

/* -- measuring ----------------------------------------------------------- */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The median time of N_RUNS runs after a warm-up run, in seconds. Aborts when a run did not
 * handle every frame: a benchmark of a failing parser means nothing. */
static double
measure (const Case *c,
         Workload   *workload)
{
  g_autofree double *times = g_new (double, n_runs);
  double median;

  /* One run first to warm caches and allocators. */
  c->func (workload);
  for (int i = 0; i < n_runs; i++)
    {
      gint64 start = g_get_monotonic_time ();
      guint64 frames = c->func (workload);

      times[i] = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      if (frames != workload->n_frames)
        {
          fprintf (stderr, "%s: %" G_GUINT64_FORMAT " frames instead of %u\n",
                   c->name, frames, workload->n_frames);
          exit (EXIT_FAILURE);
        }
    }

  qsort (times, n_runs, sizeof (double), compare_doubles);
  median = n_runs % 2 ? times[n_runs / 2] : (times[n_runs / 2 - 1] + times[n_runs / 2]) / 2;

  return MAX (median, 1e-9);
}

static char *
format_size (gsize size)
{
  if (size >= 1024 * 1024)
    return g_strdup_printf ("%" G_GSIZE_FORMAT " MiB", size / (1024 * 1024));
  if (size >= 1024)
    return g_strdup_printf ("%" G_GSIZE_FORMAT " KiB", size / 1024);
  return g_strdup_printf ("%" G_GSIZE_FORMAT " B", size);
}

/* The "target" column: the goals of the parser, and whether they are met. */
static char *
format_target (const Case *c,
               Workload   *workload,
               double      frames_per_s,
               double      ratio)
{
  if (c->func != run_parser_feed_bytes)
    return g_strdup ("");
  if (workload->body_size == 1024 * 1024)
    return g_strdup_printf (">= 0.50x memchr: %s", ratio >= 0.5 ? "met" : "MISSED");
  if (workload->body_size == 100)
    return g_strdup_printf (">= 2M frames/s: %s", frames_per_s >= 2e6 ? "met" : "MISSED");
  return g_strdup ("");
}

static void
bench_size (gsize body_size)
{
  Workload workload = { 0 };
  g_autofree char *size = NULL;
  double mb, memchr_mb_s = 0, memcpy_mb_s = 0;

  workload_init (&workload, body_size);
  size = format_size (body_size);
  mb = g_bytes_get_size (workload.stream) / 1e6;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autofree char *ratio_text = NULL;
      g_autofree char *target = NULL;
      double seconds, mb_s, frames_s, ratio = 0;

      if (only != NULL && strstr (c->name, only) == NULL && c->baseline != BASELINE_NONE)
        continue;

      seconds = measure (c, &workload);
      mb_s = mb / seconds;
      frames_s = workload.n_frames / seconds;
      if (c->func == run_memchr)
        memchr_mb_s = mb_s;
      else if (c->func == run_memcpy)
        memcpy_mb_s = mb_s;

      if (c->baseline == BASELINE_MEMCHR)
        ratio = mb_s / memchr_mb_s;
      else if (c->baseline == BASELINE_MEMCPY)
        ratio = mb_s / memcpy_mb_s;
      ratio_text = c->baseline == BASELINE_NONE ? g_strdup ("-") :
                   g_strdup_printf ("%.3fx %s", ratio,
                                    c->baseline == BASELINE_MEMCHR ? "memchr" : "memcpy");
      target = format_target (c, &workload, frames_s, ratio);

      printf ("| %-7s | %-19s | %7u | %7.1f | %9.4f | %12.0f | %9.1f | %-14s | %-23s |\n",
              size, c->name, workload.n_frames, mb, seconds, frames_s, mb_s,
              ratio_text, target);
      fflush (stdout);
    }

  workload_clear (&workload);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- STOMP wire throughput");
  g_autoptr(GError) error = NULL;
  static const gsize body_sizes[] = { 100, 10 * 1024, 1024 * 1024 };

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (n_runs < 1 || stream_mb < 1)
    {
      fprintf (stderr, "--runs and --mb must be at least 1\n");
      return EXIT_FAILURE;
    }

  printf ("%d MiB stream per body size, %d KiB chunks, median of %d runs\n\n",
          stream_mb, CHUNK_SIZE / 1024, n_runs);
  printf ("| body    | case                | frames  | MB      | median s  | frames/s     | MB/s      | ratio          | target                  |\n");
  printf ("|---------|---------------------|---------|---------|-----------|--------------|-----------|----------------|-------------------------|\n");
  for (guint i = 0; i < G_N_ELEMENTS (body_sizes); i++)
    if (only_body == 0 || (gsize) only_body == body_sizes[i])
      bench_size (body_sizes[i]);

  return EXIT_SUCCESS;
}

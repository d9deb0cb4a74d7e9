/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* What every client benchmark program (C, Python, PHP) shares, so that
 * run-benchmarks.py reads the same line from each:
 *
 *   PROGRAM MODE HOST PORT DESTINATION COUNT [ACK]
 *
 * MODE is produce (COUNT SENDs of BENCH_BODY_SIZE bytes, timed until the
 * broker's RECEIPT for DISCONNECT; no persistent header, so the messages
 * are not persistent on either broker: RabbitMQ turns persistent:false
 * into an exclusive, auto-delete queue that vanishes with the producer),
 * consume (subscribe with ACK = auto or client-individual and take COUNT
 * messages, acknowledging each one in client-individual, until the
 * DISCONNECT receipt) or latency (COUNT round trips of one message to a
 * queue the client is subscribed to, after BENCH_LATENCY_WARMUP unmeasured
 * ones). The timed span starts once CONNECTED has arrived. The program
 * prints one JSON line: count, wall and CPU seconds of the span (getrusage
 * of the process, all threads), its peak RSS (hwm_kb), and for latency
 * p50/p99 in microseconds. */

#define BENCH_BODY_SIZE 100
#define BENCH_LATENCY_WARMUP 200

typedef struct {
  double wall;
  double cpu;
} BenchClock;

static inline double
bench_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline double
bench_cpu (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static inline BenchClock
bench_clock_start (void)
{
  BenchClock clock = { bench_now (), bench_cpu () };

  return clock;
}

/* A field of /proc/self/status in KiB, such as "VmRSS:" or "VmHWM:" (the
 * peak: unlike ru_maxrss, it does not inherit the parent's peak across
 * fork and exec). */
static inline long
bench_status_kb (const char *field)
{
  FILE *status = fopen ("/proc/self/status", "r");
  size_t len = strlen (field);
  char line[256];
  long kb = -1;

  if (status == NULL)
    return -1;
  while (fgets (line, sizeof line, status) != NULL)
    if (strncmp (line, field, len) == 0)
      kb = atol (line + len);
  fclose (status);
  return kb;
}

static inline int
bench_compare_doubles (const void *a,
                       const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Prints the result line; SAMPLES (COUNT round-trip times in seconds, or
 * NULL) is sorted in place. */
static inline void
bench_report (const char *mode,
              BenchClock  start,
              long        count,
              double     *samples)
{
  double wall = bench_now () - start.wall;
  double cpu = bench_cpu () - start.cpu;

  printf ("{\"mode\": \"%s\", \"count\": %ld, \"wall\": %.6f, \"cpu\": %.6f, \"hwm_kb\": %ld",
          mode, count, wall, cpu, bench_status_kb ("VmHWM:"));
  if (samples != NULL && count > 0)
    {
      qsort (samples, count, sizeof (double), bench_compare_doubles);
      printf (", \"p50_us\": %.1f, \"p99_us\": %.1f",
              samples[count / 2] * 1e6, samples[(long) (count * 0.99)] * 1e6);
    }
  printf ("}\n");
  fflush (stdout);
}

/* The line of the memory mode: RSS once subscribed (START_KB), once
 * warm (WARM_KB), now, and the peak. */
static inline void
bench_report_memory (long count,
                     long start_kb,
                     long warm_kb)
{
  printf ("{\"mode\": \"memory\", \"count\": %ld, \"rss_start_kb\": %ld, \"rss_warm_kb\": %ld, "
          "\"rss_after_kb\": %ld, \"hwm_kb\": %ld}\n",
          count, start_kb, warm_kb, bench_status_kb ("VmRSS:"), bench_status_kb ("VmHWM:"));
  fflush (stdout);
}

static inline void
bench_usage (const char *program)
{
  fprintf (stderr, "usage: %s produce|consume|latency|memory HOST PORT DESTINATION COUNT [auto|client-individual]\n",
           program);
  exit (2);
}


/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"

/* StompestFailover: the input (up to its first NUL) is the URI. A valid
 * one is walked for up to MAX_STEPS attempts of the first cycle and one of
 * a second; the schedule must be the same for the same seed. An error must
 * never show a password: failover.dict carries ":s3cr3t@" for the fuzzer
 * to put in a userinfo. */

#define MAX_STEPS 32
#define PASSWORD ":s3cr3t@"

/* Whether MESSAGE shows PASSWORD inside the authority of a URI, that is
 * after a "scheme://" with nothing of another URI part or list in
 * between. */
static gboolean
shows_password (const char *message)
{
  const char *hit;

  for (hit = strstr (message, PASSWORD); hit != NULL; hit = strstr (hit + 1, PASSWORD))
    {
      const char *p;

      for (p = hit; p > message && strchr ("/?#,()' ", p[-1]) == NULL; p--)
        ;
      if (p - message >= 4 && p[-1] == '/' && p[-2] == '/' && p[-3] == ':' &&
          g_ascii_isalnum (p[-4]))
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_broker_of (StompestFailover *failover,
              const char       *broker)
{
  const char * const *brokers = stompest_failover_get_brokers (failover);

  for (guint i = 0; brokers[i] != NULL; i++)
    if (brokers[i] == broker)
      return TRUE;
  return FALSE;
}

/* Appends the schedule to LOG, so two runs can be compared. */
static void
walk (StompestFailover *failover,
      guint32           seed,
      GString          *log)
{
  int limit = stompest_failover_get_startup_max_reconnect_attempts (failover);
  guint successes = 0;

  if (limit == 0)
    limit = stompest_failover_get_max_reconnect_attempts (failover);

  stompest_failover_set_seed (failover, seed);
  stompest_failover_start (failover);

  for (guint step = 0; step < MAX_STEPS; step++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) again = NULL;
      const char *broker = NULL;
      guint delay_ms = G_MAXUINT;

      if (!stompest_failover_next (failover, &broker, &delay_ms, &error))
        {
          if (!g_error_matches (error, STOMPEST_ERROR, STOMPEST_ERROR_RECONNECT_EXHAUSTED))
            fuzz_fail ("next failed with: %s", error->message);
          if (successes == 0 || limit < 0)
            fuzz_fail ("exhausted after %u attempts with a limit of %d", successes, limit);
          if (stompest_failover_next (failover, NULL, NULL, &again) ||
              !g_error_matches (again, STOMPEST_ERROR, STOMPEST_ERROR_RECONNECT_EXHAUSTED))
            fuzz_fail ("an exhausted cycle went on");
          g_string_append (log, "exhausted\n");
          break;
        }

      successes++;
      if (!is_broker_of (failover, broker))
        fuzz_fail ("next gave '%s', which is not one of the brokers", broker);
      if ((step == 0 && delay_ms != 0) ||
          delay_ms > stompest_failover_get_max_reconnect_delay (failover))
        fuzz_fail ("attempt %u waits %u ms (max-reconnect-delay %u)", step,
                   delay_ms, stompest_failover_get_max_reconnect_delay (failover));
      g_string_append_printf (log, "%s %u\n", broker, delay_ms);
    }

  /* A new cycle always has a first attempt. */
  stompest_failover_start (failover);
  {
    g_autoptr(GError) error = NULL;
    guint delay_ms = G_MAXUINT;

    if (!stompest_failover_next (failover, NULL, &delay_ms, &error) || delay_ms != 0)
      fuzz_fail ("no immediate first attempt in a new cycle: %s",
                 error != NULL ? error->message : "a delay");
  }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *uri = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFailover) failover = NULL;
  g_autoptr(StompestFailover) replay = NULL;
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GString) replay_log = g_string_new (NULL);
  const char * const *brokers;
  guint32 seed = size > 0 ? data[size - 1] : 0;

  fuzz_init ();

  failover = stompest_failover_new (uri, &error);
  if (failover == NULL)
    {
      if (!g_error_matches (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI))
        fuzz_fail ("unexpected error: %s", error->message);
      if (shows_password (error->message))
        fuzz_fail ("the error shows a password: %s", error->message);
      return 0;
    }

  brokers = stompest_failover_get_brokers (failover);
  if (brokers == NULL || brokers[0] == NULL)
    fuzz_fail ("'%s' parsed without brokers", uri);
  for (guint i = 0; brokers[i] != NULL; i++)
    if (brokers[i][0] == '\0')
      fuzz_fail ("'%s' gave an empty broker URI", uri);
  if (stompest_failover_get_uri (failover) == NULL)
    fuzz_fail ("no uri property");

  walk (failover, seed, log);
  replay = stompest_failover_new (uri, NULL);
  if (replay == NULL)
    fuzz_fail ("'%s' parsed only once", uri);
  walk (replay, seed, replay_log);
  if (!g_string_equal (log, replay_log))
    fuzz_fail ("the same seed gave two schedules:\n%s---\n%s", log->str, replay_log->str);

  return 0;
}

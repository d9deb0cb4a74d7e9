/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "stompest-failover-private.h"
#include "test-utils.h"

/* An expected attempt of a schedule. */
typedef struct {
  const char *broker;
  guint delay_ms;
} Attempt;

static StompestFailover *
new_failover (const char *uri)
{
  g_autoptr(GError) error = NULL;
  StompestFailover *failover = stompest_failover_new (uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (failover);
  return failover;
}

static void
assert_brokers (StompestFailover   *failover,
                const char * const *expected)
{
  const char * const *brokers = stompest_failover_get_brokers (failover);

  g_assert_nonnull (brokers);
  g_assert_cmpstrv (brokers, expected);
}

static void
assert_attempts (StompestFailover *failover,
                 const Attempt    *expected,
                 gsize             n_expected)
{
  gsize i;

  for (i = 0; i < n_expected; i++)
    {
      g_autoptr(GError) error = NULL;
      const char *broker = NULL;
      guint delay = G_MAXUINT;

      if (!stompest_failover_next (failover, &broker, &delay, &error))
        g_error ("attempt %" G_GSIZE_FORMAT ": %s", i, error->message);
      g_assert_cmpstr (broker, ==, expected[i].broker);
      g_assert_cmpuint (delay, ==, expected[i].delay_ms);
    }
}

static void
assert_exhausted (StompestFailover *failover,
                  guint             n_attempts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("after %u attempt%s", n_attempts,
                                               n_attempts == 1 ? "" : "s");
  const char *broker = "untouched";
  guint delay = 1234;

  g_assert_false (stompest_failover_next (failover, &broker, &delay, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_RECONNECT_EXHAUSTED);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_cmpstr (broker, ==, "untouched");
  g_assert_cmpuint (delay, ==, 1234);
}

/* Runs n attempts and returns their delays; brokers go to *brokers. */
static guint *
collect_delays (StompestFailover   *failover,
                guint               n,
                GPtrArray         **brokers)
{
  guint *delays = g_new (guint, n);
  guint i;

  if (brokers != NULL)
    *brokers = g_ptr_array_new ();
  for (i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      const char *broker;

      g_assert_true (stompest_failover_next (failover, &broker, &delays[i], &error));
      g_assert_no_error (error);
      if (brokers != NULL)
        g_ptr_array_add (*brokers, (gpointer) broker);
    }
  return delays;
}

/* /failover/parse */

static void
test_parse_bare (void)
{
  g_autoptr(StompestFailover) failover = new_failover ("tcp://broker.example:61613");
  const char * const expected[] = { "tcp://broker.example:61613", NULL };

  assert_brokers (failover, expected);
  g_assert_cmpstr (stompest_failover_get_uri (failover), ==, "tcp://broker.example:61613");
  g_assert_false (stompest_failover_get_is_failover (failover));
  /* One attempt per cycle, shown in the properties. */
  g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (failover), ==, 0);
  g_assert_cmpint (stompest_failover_get_startup_max_reconnect_attempts (failover), ==, 0);
}

static void
test_parse_parenthesised (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a.example:61613,ssl://b.example:61614,tls://c.example:61615)");
  const char * const expected[] = {
    "tcp://a.example:61613", "ssl://b.example:61614", "tls://c.example:61615", NULL
  };

  assert_brokers (failover, expected);
  g_assert_true (stompest_failover_get_is_failover (failover));
}

static void
test_parse_parenthesised_options (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2)?randomize=false,maxReconnectAttempts=3");
  const char * const expected[] = { "tcp://a:1", "tcp://b:2", NULL };

  assert_brokers (failover, expected);
  g_assert_false (stompest_failover_get_randomize (failover));
  g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (failover), ==, 3);
}

static void
test_parse_unparenthesised (void)
{
  g_autoptr(StompestFailover) failover = new_failover ("failover:tcp://a:1,tcp://b:2");
  const char * const expected[] = { "tcp://a:1", "tcp://b:2", NULL };

  assert_brokers (failover, expected);
  g_assert_true (stompest_failover_get_is_failover (failover));
  g_assert_true (stompest_failover_get_randomize (failover));
}

static void
test_parse_unparenthesised_options (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:tcp://a:1,tcp://b:2?randomize=false,priorityBackup=true");
  const char * const expected[] = { "tcp://a:1", "tcp://b:2", NULL };

  assert_brokers (failover, expected);
  g_assert_false (stompest_failover_get_randomize (failover));
  g_assert_true (stompest_failover_get_priority_backup (failover));
}

static void
test_parse_single_in_list (void)
{
  g_autoptr(StompestFailover) failover = new_failover ("failover:(tcp://a:1)");
  const char * const expected[] = { "tcp://a:1", NULL };

  assert_brokers (failover, expected);
  g_assert_true (stompest_failover_get_is_failover (failover));
  /* Unlike a bare URI, a one-broker failover list retries. */
  g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (failover), ==, -1);
}

static void
test_parse_spellings (void)
{
  g_autoptr(StompestFailover) slashes = new_failover ("failover://(tcp://a:1,tcp://b:2)?randomize=false");
  g_autoptr(StompestFailover) upper = new_failover ("FAILOVER:(TCP://a:1,Ssl://b:2)");
  const char * const expected_slashes[] = { "tcp://a:1", "tcp://b:2", NULL };
  const char * const expected_upper[] = { "tcp://a:1", "ssl://b:2", NULL };

  assert_brokers (slashes, expected_slashes);
  g_assert_false (stompest_failover_get_randomize (slashes));
  assert_brokers (upper, expected_upper);
}

static void
test_parse_whitespace (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:( tcp://a:1 , tcp://b:2 )?randomize=false & priorityBackup=true");
  const char * const expected[] = { "tcp://a:1", "tcp://b:2", NULL };

  assert_brokers (failover, expected);
  g_assert_false (stompest_failover_get_randomize (failover));
  g_assert_true (stompest_failover_get_priority_backup (failover));
}

static void
test_parse_ipv6 (void)
{
  g_autoptr(StompestFailover) bare = new_failover ("tcp://[::1]:61613");
  g_autoptr(StompestFailover) list =
    new_failover ("failover:(tcp://[::1]:61613,ssl://[2001:db8::7]:61614,tls://[fe80::1%25eth0]:1)");
  const char * const expected_bare[] = { "tcp://[::1]:61613", NULL };
  const char * const expected_list[] = {
    "tcp://[::1]:61613", "ssl://[2001:db8::7]:61614", "tls://[fe80::1%25eth0]:1", NULL
  };

  assert_brokers (bare, expected_bare);
  assert_brokers (list, expected_list);
}

static void
test_parse_host_names (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://localhost:61613,tcp://mq-1.internal_zone.example:1,"
                  "tcp://192.0.2.7:65535,tcp://bücher.example:2)");
  const char * const expected[] = {
    "tcp://localhost:61613", "tcp://mq-1.internal_zone.example:1",
    "tcp://192.0.2.7:65535", "tcp://xn--bcher-kva.example:2", NULL
  };

  /* GUri turns international names into their ASCII (punycode) form. */

  assert_brokers (failover, expected);
}

static void
test_parse_unix (void)
{
  g_autoptr(StompestFailover) path = new_failover ("unix:///run/stomp/broker.sock");
  g_autoptr(StompestFailover) short_path = new_failover ("unix:/run/stomp/broker.sock");
  g_autoptr(StompestFailover) abstract = new_failover ("unix:@stomp-broker");
  g_autoptr(StompestFailover) list =
    new_failover ("failover:(unix:///tmp/a%20b.sock,unix:@stomp,tcp://a:1)");
  const char * const expected_path[] = { "unix:///run/stomp/broker.sock", NULL };
  const char * const expected_abstract[] = { "unix:@stomp-broker", NULL };
  const char * const expected_list[] = { "unix:///tmp/a%20b.sock", "unix:@stomp", "tcp://a:1", NULL };

  assert_brokers (path, expected_path);
  assert_brokers (short_path, expected_path);
  assert_brokers (abstract, expected_abstract);
  assert_brokers (list, expected_list);
}

static void
test_parse_other_scheme (void)
{
  g_autoptr(StompestFailover) bare = new_failover ("ws://broker.example:15674/ws");
  g_autoptr(StompestFailover) list =
    new_failover ("failover:(wss://user@h:443/stomp?vhost=a,tcp://a:1)?randomize=false");
  const char * const expected_bare[] = { "ws://broker.example:15674/ws", NULL };
  const char * const expected_list[] = { "wss://user@h:443/stomp?vhost=a", "tcp://a:1", NULL };

  assert_brokers (bare, expected_bare);
  assert_brokers (list, expected_list);
  g_assert_false (stompest_failover_get_randomize (list));
}

static void
assert_defaults (StompestFailover *failover)
{
  guint initial, max_delay, jitter;
  gboolean exponential, randomize, priority;
  double multiplier;
  int max_attempts, startup;

  g_assert_cmpuint (stompest_failover_get_initial_reconnect_delay (failover), ==, 10);
  g_assert_cmpuint (stompest_failover_get_max_reconnect_delay (failover), ==, 30000);
  g_assert_true (stompest_failover_get_use_exponential_back_off (failover));
  g_assert_cmpfloat (stompest_failover_get_back_off_multiplier (failover), ==, 2.0);
  g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (failover), ==, -1);
  g_assert_cmpint (stompest_failover_get_startup_max_reconnect_attempts (failover), ==, 0);
  g_assert_cmpuint (stompest_failover_get_reconnect_delay_jitter (failover), ==, 0);
  g_assert_true (stompest_failover_get_randomize (failover));
  g_assert_false (stompest_failover_get_priority_backup (failover));

  g_object_get (failover,
                "initial-reconnect-delay", &initial,
                "max-reconnect-delay", &max_delay,
                "use-exponential-back-off", &exponential,
                "back-off-multiplier", &multiplier,
                "max-reconnect-attempts", &max_attempts,
                "startup-max-reconnect-attempts", &startup,
                "reconnect-delay-jitter", &jitter,
                "randomize", &randomize,
                "priority-backup", &priority,
                NULL);
  g_assert_cmpuint (initial, ==, 10);
  g_assert_cmpuint (max_delay, ==, 30000);
  g_assert_true (exponential);
  g_assert_cmpfloat (multiplier, ==, 2.0);
  g_assert_cmpint (max_attempts, ==, -1);
  g_assert_cmpint (startup, ==, 0);
  g_assert_cmpuint (jitter, ==, 0);
  g_assert_true (randomize);
  g_assert_false (priority);
}

static void
test_parse_defaults (void)
{
  g_autoptr(StompestFailover) parenthesised = new_failover ("failover:(tcp://a:1,tcp://b:2)");
  g_autoptr(StompestFailover) unparenthesised = new_failover ("failover:tcp://a:1");

  assert_defaults (parenthesised);
  assert_defaults (unparenthesised);
}

static void
test_parse_every_option (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?initialReconnectDelay=250,maxReconnectDelay=4000,"
                  "useExponentialBackOff=false,backOffMultiplier=1.5,maxReconnectAttempts=7,"
                  "startupMaxReconnectAttempts=-1,reconnectDelayJitter=33,randomize=false,"
                  "priorityBackup=true");
  g_auto(GStrv) brokers = NULL;
  g_autofree char *uri = NULL;
  guint initial, max_delay, jitter;
  gboolean exponential, randomize, priority, is_failover;
  double multiplier;
  int max_attempts, startup;

  g_assert_cmpuint (stompest_failover_get_initial_reconnect_delay (failover), ==, 250);
  g_assert_cmpuint (stompest_failover_get_max_reconnect_delay (failover), ==, 4000);
  g_assert_false (stompest_failover_get_use_exponential_back_off (failover));
  g_assert_cmpfloat (stompest_failover_get_back_off_multiplier (failover), ==, 1.5);
  g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (failover), ==, 7);
  g_assert_cmpint (stompest_failover_get_startup_max_reconnect_attempts (failover), ==, -1);
  g_assert_cmpuint (stompest_failover_get_reconnect_delay_jitter (failover), ==, 33);
  g_assert_false (stompest_failover_get_randomize (failover));
  g_assert_true (stompest_failover_get_priority_backup (failover));

  g_object_get (failover,
                "uri", &uri,
                "brokers", &brokers,
                "is-failover", &is_failover,
                "initial-reconnect-delay", &initial,
                "max-reconnect-delay", &max_delay,
                "use-exponential-back-off", &exponential,
                "back-off-multiplier", &multiplier,
                "max-reconnect-attempts", &max_attempts,
                "startup-max-reconnect-attempts", &startup,
                "reconnect-delay-jitter", &jitter,
                "randomize", &randomize,
                "priority-backup", &priority,
                NULL);
  g_assert_true (g_str_has_prefix (uri, "failover:(tcp://a:1)?initialReconnectDelay=250"));
  g_assert_cmpstr (brokers[0], ==, "tcp://a:1");
  g_assert_null (brokers[1]);
  g_assert_true (is_failover);
  g_assert_cmpuint (initial, ==, 250);
  g_assert_cmpuint (max_delay, ==, 4000);
  g_assert_false (exponential);
  g_assert_cmpfloat (multiplier, ==, 1.5);
  g_assert_cmpint (max_attempts, ==, 7);
  g_assert_cmpint (startup, ==, -1);
  g_assert_cmpuint (jitter, ==, 33);
  g_assert_false (randomize);
  g_assert_true (priority);
}

static void
test_parse_separators (void)
{
  const char *uris[] = {
    "failover:(tcp://a:1)?maxReconnectAttempts=5,randomize=false,reconnectDelayJitter=9",
    "failover:(tcp://a:1)?maxReconnectAttempts=5&randomize=false&reconnectDelayJitter=9",
    "failover:(tcp://a:1)?maxReconnectAttempts=5&randomize=false,reconnectDelayJitter=9",
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr(StompestFailover) failover = new_failover (uris[i]);

      g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (failover), ==, 5);
      g_assert_false (stompest_failover_get_randomize (failover));
      g_assert_cmpuint (stompest_failover_get_reconnect_delay_jitter (failover), ==, 9);
    }
}

static void
test_parse_value_bounds (void)
{
  g_autoptr(StompestFailover) high =
    new_failover ("failover:(tcp://a:1)?initialReconnectDelay=2147483647,maxReconnectDelay=0,"
                  "maxReconnectAttempts=2147483647,reconnectDelayJitter=0,backOffMultiplier=1e1");
  g_autoptr(StompestFailover) low =
    new_failover ("failover:(tcp://a:1)?initialReconnectDelay=0,maxReconnectAttempts=-1,"
                  "startupMaxReconnectAttempts=0,backOffMultiplier=0.25");

  g_assert_cmpuint (stompest_failover_get_initial_reconnect_delay (high), ==, G_MAXINT);
  g_assert_cmpuint (stompest_failover_get_max_reconnect_delay (high), ==, 0);
  g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (high), ==, G_MAXINT);
  g_assert_cmpfloat (stompest_failover_get_back_off_multiplier (high), ==, 10.0);
  g_assert_cmpuint (stompest_failover_get_initial_reconnect_delay (low), ==, 0);
  g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (low), ==, -1);
  g_assert_cmpint (stompest_failover_get_startup_max_reconnect_attempts (low), ==, 0);
  g_assert_cmpfloat (stompest_failover_get_back_off_multiplier (low), ==, 0.25);
}

/* Each bad URI with the parts its message must name. */
typedef struct {
  const char *uri;
  const char *parts[4];
  const char *secret;   /* must not appear in the message */
} BadUri;

static const BadUri bad_uris[] = {
  /* the list */
  { "failover:()", { "empty broker list", "position 10" } },
  { "failover:", { "empty broker list", "position 9" } },
  { "failover:?randomize=false", { "empty broker list", "position 9" } },
  { "failover:(tcp://a:1,,tcp://b:2)", { "empty broker URI", "position 20" } },
  { "failover:(tcp://a:1,)", { "empty broker URI", "position 20" } },
  { "failover:(tcp://a:1", { "no ')'", "position 9" } },
  { "failover:(tcp://a:1)x", { "unexpected 'x'", "position 20" } },
  { "failover:(tcp://a:1)?", { "no options", "position 20" } },
  { "failover:tcp://a:1?", { "no options", "position 18" } },
  /* options */
  { "failover:(tcp://a:1)?foo=1", { "unknown option 'foo'", "position 21" } },
  { "failover:(tcp://a:1)?RANDOMIZE=false", { "unknown option 'RANDOMIZE'", "position 21" } },
  { "failover:(tcp://a:1)?timeout=100", { "unknown option 'timeout'", "position 21" } },
  { "failover:(tcp://a:1)?randomize", { "option 'randomize'", "no value", "position 21" } },
  { "failover:(tcp://a:1)?randomize=false,,priorityBackup=true", { "empty option", "position 37" } },
  { "failover:(tcp://a:1)?randomize=false&", { "empty option", "position 37" } },
  { "failover:(tcp://a:1)?randomize=true,randomize=false", { "option 'randomize'", "twice", "position 36" } },
  { "failover:(tcp://a:1)?randomize=yes", { "'yes'", "'randomize'", "position 31", "true or false" } },
  { "failover:(tcp://a:1)?priorityBackup=TRUE", { "'TRUE'", "'priorityBackup'", "position 36" } },
  { "failover:(tcp://a:1)?useExponentialBackOff=1", { "'1'", "'useExponentialBackOff'", "position 43" } },
  { "failover:(tcp://a:1)?initialReconnectDelay=-5", { "'-5'", "'initialReconnectDelay'", "position 43", "from 0 to" } },
  { "failover:(tcp://a:1)?initialReconnectDelay=", { "''", "'initialReconnectDelay'", "position 43" } },
  { "failover:(tcp://a:1)?maxReconnectDelay=2147483648", { "'2147483648'", "'maxReconnectDelay'", "position 39" } },
  { "failover:(tcp://a:1)?maxReconnectDelay=10ms", { "'10ms'", "'maxReconnectDelay'" } },
  { "failover:(tcp://a:1)?maxReconnectAttempts=-2", { "'-2'", "'maxReconnectAttempts'", "position 42", "from -1 to" } },
  { "failover:(tcp://a:1)?startupMaxReconnectAttempts=abc", { "'abc'", "'startupMaxReconnectAttempts'", "position 49" } },
  { "failover:(tcp://a:1)?reconnectDelayJitter=1.5", { "'1.5'", "'reconnectDelayJitter'", "position 42" } },
  { "failover:(tcp://a:1)?backOffMultiplier=0", { "'0'", "'backOffMultiplier'", "position 39", "greater than 0" } },
  { "failover:(tcp://a:1)?backOffMultiplier=-1.5", { "'-1.5'", "'backOffMultiplier'" } },
  { "failover:(tcp://a:1)?backOffMultiplier=nan", { "'nan'", "'backOffMultiplier'" } },
  { "failover:(tcp://a:1)?backOffMultiplier=inf", { "'inf'", "'backOffMultiplier'" } },
  { "failover:(tcp://a:1)?backOffMultiplier=1e999", { "'1e999'", "'backOffMultiplier'" } },
  { "failover:(tcp://a:1)?backOffMultiplier=0x2", { "'0x2'", "'backOffMultiplier'" } },
  { "failover:(tcp://a:1)?backOffMultiplier=2x", { "'2x'", "'backOffMultiplier'" } },
  /* broker URIs */
  { "failover:(tcp://a)", { "'tcp://a'", "position 10", "port is required" } },
  { "failover:(tcp://a:1,tcp://b)", { "'tcp://b'", "position 20", "port is required" } },
  { "failover:tcp://a:1,tcp://b", { "'tcp://b'", "position 19", "port is required" } },
  { "tcp://:61613", { "'tcp://:61613'", "position 0", "host is required" } },
  { "tcp://a b:1", { "'tcp://a b:1'", "not a valid host name" } },
  { "tcp://a:0", { "'tcp://a:0'", "port 0" } },
  { "tcp://a:99999", { "'tcp://a:99999'", "position 0", "99999" } },
  { "tcp://a:port", { "'tcp://a:port'", "position 0" } },
  { "tcp://[::1:61613", { "'tcp://[::1:61613'", "position 0" } },
  { "tcp://::1:61613", { "'tcp://::1:61613'", "position 0" } },
  { "ssl://a:1/queue", { "'ssl://a:1/queue'", "takes no path" } },
  { "tls://a:1?verify=false", { "'tls://a:1?verify=false'", "no query" } },
  { "tcp://a:1#x", { "'tcp://a:1#x'", "no query or fragment" } },
  { "tcp://guest:s3cr3t@a:1", { "login or passcode", "position 0", "'tcp://guest:***@a:1'" }, "s3cr3t" },
  { "failover:(tcp://a:1,tcp://guest:s3cr3t@b:x)", { "position 20", "'tcp://guest:***@b:x'" }, "s3cr3t" },
  /* Found by fuzz-failover: a path GUri cannot write back. */
  { "x:/.//a", { "'x:/.//a'", "cannot start with //" } },
  /* Found by fuzz-failover: a second URI inside a malformed entry. */
  { "failover:(tcp://a:1;tcp://guest:s3cr3t@b:2)", { "tcp://guest:***@b:2" }, "s3cr3t" },
  { "failover:(tcp://a:1 tcp://guest:s3cr3t@b:2)", { "tcp://guest:***@b:2" }, "s3cr3t" },
  { "unix://host/run/s.sock", { "'unix://host/run/s.sock'", "takes no host" } },
  { "unix://:1/run/s.sock", { "takes no host or port" } },
  { "unix:run/s.sock", { "'unix:run/s.sock'", "must be absolute" } },
  { "unix:", { "'unix:'", "socket path is required" } },
  { "unix://", { "'unix://'", "socket path is required" } },
  { "unix:///", { "'unix:///'", "must be absolute" } },
  { "unix:@", { "'unix:@'", "non-empty name" } },
  { "unix:///run/s.sock?x=1", { "no query or fragment" } },
  { "failover:(tcp://a:1,unix:@)", { "'unix:@'", "position 20" } },
  { "not a uri", { "'not a uri'", "position 0" } },
  { "", { "''", "position 0" } },
  { "tcp://a:1,tcp://b:2", { "'tcp://a:1,tcp://b:2'", "position 0", "needs the failover: prefix" } },
  { "failover:(failover:(tcp://a:1))", { "cannot be nested", "position 10" } },
};

static void
test_parse_errors (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (bad_uris); i++)
    {
      const BadUri *bad = &bad_uris[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(StompestFailover) failover = NULL;
      gsize j;

      g_test_message ("bad URI: %s", bad->uri);
      failover = stompest_failover_new (bad->uri, &error);
      g_assert_null (failover);
      g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI);
      for (j = 0; j < G_N_ELEMENTS (bad->parts) && bad->parts[j] != NULL; j++)
        {
          if (strstr (error->message, bad->parts[j]) == NULL)
            g_error ("message for %s lacks \"%s\": %s", bad->uri, bad->parts[j], error->message);
        }
      if (bad->secret != NULL)
        g_assert_null (strstr (error->message, bad->secret));
    }
}

static void
test_parse_initable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFailover) empty = g_object_new (STOMPEST_TYPE_FAILOVER, NULL);
  g_autoptr(StompestFailover) good = NULL;
  const char *broker = NULL;

  /* Not initialised: no brokers, and the schedule refuses to run. */
  g_assert_null (stompest_failover_get_brokers (empty));
  g_assert_false (stompest_failover_next (empty, &broker, NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI);
  g_clear_error (&error);
  g_assert_false (g_initable_init (G_INITABLE (empty), NULL, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI);
  g_clear_error (&error);

  good = g_initable_new (STOMPEST_TYPE_FAILOVER, NULL, &error, "uri", "tcp://a:1", NULL);
  g_assert_no_error (error);
  /* A second init is harmless. */
  g_assert_true (g_initable_init (G_INITABLE (good), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_failover_get_brokers (good)[0], ==, "tcp://a:1");
  g_assert_null (stompest_failover_get_brokers (good)[1]);
}

static void
test_parse_is_local (void)
{
  const struct {
    const char *uri;
    gboolean local;
  } cases[] = {
    { "tcp://localhost:1", TRUE },
    { "tcp://LocalHost:1", TRUE },
    { "tcp://127.0.0.1:1", TRUE },
    { "tcp://127.255.3.4:1", TRUE },
    { "ssl://[::1]:1", TRUE },
    { "unix:///run/s.sock", TRUE },
    { "unix:@stomp", TRUE },
    { "ws://localhost:15674/ws", TRUE },
    { "tcp://128.0.0.1:1", FALSE },
    { "tcp://[::2]:1", FALSE },
    { "tcp://localhost.example:1", FALSE },
    { "tcp://broker.example:1", FALSE },
    { "tcp://10.0.0.1:1", FALSE },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].uri);
      g_assert_cmpint (stompest_failover_broker_is_local (cases[i].uri), ==, cases[i].local);
    }
}

/* /failover/schedule */

static void
test_schedule_initial_delay_default (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2)?randomize=false,maxReconnectAttempts=4");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://b:2", 10 }, { "tcp://a:1", 20 },
    { "tcp://b:2", 40 }, { "tcp://a:1", 80 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
  assert_exhausted (failover, 5);
}

static void
test_schedule_initial_delay_custom (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?initialReconnectDelay=100");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 100 }, { "tcp://a:1", 200 },
    { "tcp://a:1", 400 }, { "tcp://a:1", 800 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_initial_delay_zero (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2)?initialReconnectDelay=0,randomize=false");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://b:2", 0 }, { "tcp://a:1", 0 }, { "tcp://b:2", 0 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_exponential_off (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2)?useExponentialBackOff=false,"
                  "initialReconnectDelay=50,randomize=false");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://b:2", 50 }, { "tcp://a:1", 50 },
    { "tcp://b:2", 50 }, { "tcp://a:1", 50 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_exponential_on (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?useExponentialBackOff=true,initialReconnectDelay=3");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 3 }, { "tcp://a:1", 6 },
    { "tcp://a:1", 12 }, { "tcp://a:1", 24 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_multiplier_custom (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?backOffMultiplier=1.5,initialReconnectDelay=100");
  /* Fractions of a millisecond are dropped. */
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 100 }, { "tcp://a:1", 150 },
    { "tcp://a:1", 225 }, { "tcp://a:1", 337 }, { "tcp://a:1", 506 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_multiplier_below_one (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?backOffMultiplier=0.5,initialReconnectDelay=100");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 100 }, { "tcp://a:1", 50 },
    { "tcp://a:1", 25 }, { "tcp://a:1", 12 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_multiplier_ignored_without_exponential (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?backOffMultiplier=3,useExponentialBackOff=false,"
                  "initialReconnectDelay=7");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 7 }, { "tcp://a:1", 7 }, { "tcp://a:1", 7 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_max_delay_cap (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?initialReconnectDelay=100,maxReconnectDelay=500");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 100 }, { "tcp://a:1", 200 }, { "tcp://a:1", 400 },
    { "tcp://a:1", 500 }, { "tcp://a:1", 500 }, { "tcp://a:1", 500 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_max_delay_default (void)
{
  g_autoptr(StompestFailover) failover = new_failover ("failover:(tcp://a:1)");
  g_autofree guint *delays = NULL;
  guint i;

  stompest_failover_start (failover);
  delays = collect_delays (failover, 2000, NULL);
  g_assert_cmpuint (delays[0], ==, 0);
  /* 10 · 2^(k-1) until it passes 30000 at k = 13, then capped for good. */
  for (i = 1; i <= 12; i++)
    g_assert_cmpuint (delays[i], ==, 10u << (i - 1));
  for (i = 13; i < 2000; i++)
    g_assert_cmpuint (delays[i], ==, 30000);
}

static void
test_schedule_max_delay_zero (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?maxReconnectDelay=0,reconnectDelayJitter=100");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 0 }, { "tcp://a:1", 0 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_max_attempts_limit (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2)?randomize=false,maxReconnectAttempts=2");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://b:2", 10 }, { "tcp://a:1", 20 },
  };

  /* startupMaxReconnectAttempts is 0, so the first cycle has this limit too. */
  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
  assert_exhausted (failover, 3);
  /* It stays exhausted until a new cycle begins. */
  assert_exhausted (failover, 3);

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
  assert_exhausted (failover, 3);
}

static void
test_schedule_max_attempts_zero (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2)?randomize=false,maxReconnectAttempts=0");
  const Attempt expected[] = { { "tcp://a:1", 0 } };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, 1);
  assert_exhausted (failover, 1);
  stompest_failover_start (failover);
  assert_attempts (failover, expected, 1);
  assert_exhausted (failover, 1);
}

static void
test_schedule_max_attempts_unlimited (void)
{
  g_autoptr(StompestFailover) failover = new_failover ("failover:(tcp://a:1,tcp://b:2)");
  g_autofree guint *first = NULL;
  g_autofree guint *second = NULL;

  g_assert_cmpint (stompest_failover_get_max_reconnect_attempts (failover), ==, -1);
  stompest_failover_start (failover);
  first = collect_delays (failover, 5000, NULL);
  stompest_failover_start (failover);
  second = collect_delays (failover, 5000, NULL);
  g_assert_cmpuint (first[4999], ==, 30000);
  g_assert_cmpuint (second[4999], ==, 30000);
}

static void
test_schedule_startup_zero_means_unset (void)
{
  /* ActiveMQ: startupMaxReconnectAttempts=0 means "use maxReconnectAttempts";
   * stompest's code would allow a single attempt here. */
  g_autoptr(StompestFailover) limited =
    new_failover ("failover:(tcp://a:1)?startupMaxReconnectAttempts=0,maxReconnectAttempts=3");
  g_autoptr(StompestFailover) defaults = new_failover ("failover:(tcp://a:1,tcp://b:2)");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 10 }, { "tcp://a:1", 20 }, { "tcp://a:1", 40 },
  };
  g_autofree guint *delays = NULL;

  stompest_failover_start (limited);
  assert_attempts (limited, expected, G_N_ELEMENTS (expected));
  assert_exhausted (limited, 4);

  /* With every default the first cycle retries forever. */
  stompest_failover_start (defaults);
  delays = collect_delays (defaults, 100, NULL);
  g_assert_cmpuint (delays[0], ==, 0);
  g_assert_cmpuint (delays[1], ==, 10);
}

static void
test_schedule_startup_first_cycle_only (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2)?randomize=false,"
                  "startupMaxReconnectAttempts=1,maxReconnectAttempts=3");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://b:2", 10 }, { "tcp://a:1", 20 }, { "tcp://b:2", 40 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, 2);
  assert_exhausted (failover, 2);

  stompest_failover_start (failover);
  assert_attempts (failover, expected, 4);
  assert_exhausted (failover, 4);

  stompest_failover_start (failover);
  assert_attempts (failover, expected, 4);
  assert_exhausted (failover, 4);
}

static void
test_schedule_startup_unlimited (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?startupMaxReconnectAttempts=-1,maxReconnectAttempts=0");
  const Attempt expected[] = { { "tcp://a:1", 0 } };
  g_autofree guint *delays = NULL;

  stompest_failover_start (failover);
  delays = collect_delays (failover, 200, NULL);
  g_assert_cmpuint (delays[199], ==, 30000);

  stompest_failover_start (failover);
  assert_attempts (failover, expected, 1);
  assert_exhausted (failover, 1);
}

static void
test_schedule_startup_implicit_start (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?startupMaxReconnectAttempts=2,maxReconnectAttempts=0");
  const Attempt expected[] = {
    { "tcp://a:1", 0 }, { "tcp://a:1", 10 }, { "tcp://a:1", 20 },
  };

  /* next() without start() runs the first (startup) cycle. */
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
  assert_exhausted (failover, 3);

  stompest_failover_start (failover);
  assert_attempts (failover, expected, 1);
  assert_exhausted (failover, 1);
}

static void
test_schedule_jitter_bounds (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?reconnectDelayJitter=50,initialReconnectDelay=100,"
                  "useExponentialBackOff=false");
  g_autofree guint *delays = NULL;
  guint i, lowest = G_MAXUINT, highest = 0;

  stompest_failover_set_seed (failover, 1234);
  stompest_failover_start (failover);
  delays = collect_delays (failover, 500, NULL);
  g_assert_cmpuint (delays[0], ==, 0);
  for (i = 1; i < 500; i++)
    {
      g_assert_cmpuint (delays[i], >=, 100);
      g_assert_cmpuint (delays[i], <, 150);
      lowest = MIN (lowest, delays[i]);
      highest = MAX (highest, delays[i]);
    }
  /* The jitter spreads over its whole range. */
  g_assert_cmpuint (lowest, <, 105);
  g_assert_cmpuint (highest, >, 145);
}

static void
test_schedule_jitter_capped (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?reconnectDelayJitter=1000,initialReconnectDelay=100,"
                  "maxReconnectDelay=300");
  g_autofree guint *delays = NULL;
  guint i, n_capped = 0;

  stompest_failover_set_seed (failover, 99);
  stompest_failover_start (failover);
  delays = collect_delays (failover, 200, NULL);
  for (i = 1; i < 200; i++)
    {
      g_assert_cmpuint (delays[i], >=, 100);
      g_assert_cmpuint (delays[i], <=, 300);
      n_capped += delays[i] == 300;
    }
  g_assert_cmpuint (n_capped, >, 150);
}

static void
test_schedule_jitter_exponential (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1)?reconnectDelayJitter=10,initialReconnectDelay=100");
  g_autofree guint *delays = NULL;
  guint i;

  stompest_failover_set_seed (failover, 7);
  stompest_failover_start (failover);
  delays = collect_delays (failover, 8, NULL);
  /* Jitter is added to each delay, not compounded into the next one. */
  for (i = 1; i < 8; i++)
    {
      g_assert_cmpuint (delays[i], >=, 100u << (i - 1));
      g_assert_cmpuint (delays[i], <, (100u << (i - 1)) + 10);
    }
}

static void
test_schedule_jitter_reproducible (void)
{
  const char *uri = "failover:(tcp://a:1,tcp://b:2,tcp://c:3)?reconnectDelayJitter=1000,"
                    "useExponentialBackOff=false";
  g_autoptr(StompestFailover) one = new_failover (uri);
  g_autoptr(StompestFailover) two = new_failover (uri);
  g_autoptr(StompestFailover) other = new_failover (uri);
  g_autofree guint *delays_one = NULL;
  g_autofree guint *delays_two = NULL;
  g_autofree guint *delays_other = NULL;

  stompest_failover_set_seed (one, 42);
  stompest_failover_set_seed (two, 42);
  stompest_failover_set_seed (other, 43);
  delays_one = collect_delays (one, 50, NULL);
  delays_two = collect_delays (two, 50, NULL);
  delays_other = collect_delays (other, 50, NULL);
  g_assert_cmpmem (delays_one, 50 * sizeof (guint), delays_two, 50 * sizeof (guint));
  g_assert_true (memcmp (delays_one, delays_other, 50 * sizeof (guint)) != 0);
}

static void
test_schedule_randomize_rounds (void)
{
  const char * const brokers[] = { "tcp://a:1", "tcp://b:2", "tcp://c:3", "tcp://d:4" };
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2,tcp://c:3,tcp://d:4)");
  g_autoptr(GPtrArray) tried = NULL;
  g_autoptr(GHashTable) orders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree guint *delays = NULL;
  gboolean first_seen[G_N_ELEMENTS (brokers)] = { FALSE, };
  guint round, i, j;

  stompest_failover_set_seed (failover, 2024);
  stompest_failover_start (failover);
  delays = collect_delays (failover, 4 * 30, &tried);

  for (round = 0; round < 30; round++)
    {
      GString *order = g_string_new (NULL);

      /* Each round tries every broker exactly once. */
      for (j = 0; j < G_N_ELEMENTS (brokers); j++)
        {
          guint count = 0;

          for (i = 0; i < 4; i++)
            count += g_str_equal (tried->pdata[round * 4 + i], brokers[j]);
          g_assert_cmpuint (count, ==, 1);
          first_seen[j] |= g_str_equal (tried->pdata[round * 4], brokers[j]);
        }
      for (i = 0; i < 4; i++)
        g_string_append (order, tried->pdata[round * 4 + i]);
      g_hash_table_add (orders, g_string_free (order, FALSE));
    }

  /* The rounds are reshuffled: several orders, every broker first once. */
  g_assert_cmpuint (g_hash_table_size (orders), >, 5);
  for (j = 0; j < G_N_ELEMENTS (brokers); j++)
    g_assert_true (first_seen[j]);
}

static void
test_schedule_randomize_reproducible (void)
{
  const char *uri = "failover:(tcp://a:1,tcp://b:2,tcp://c:3,tcp://d:4,tcp://e:5)";
  g_autoptr(StompestFailover) one = new_failover (uri);
  g_autoptr(StompestFailover) two = new_failover (uri);
  g_autoptr(StompestFailover) other = new_failover (uri);
  g_autoptr(GPtrArray) tried_one = NULL;
  g_autoptr(GPtrArray) tried_two = NULL;
  g_autoptr(GPtrArray) tried_other = NULL;
  g_autoptr(GPtrArray) again_one = NULL;
  g_autoptr(GPtrArray) again_two = NULL;
  g_autofree guint *d1 = NULL, *d2 = NULL, *d3 = NULL, *d4 = NULL, *d5 = NULL;
  gboolean differs = FALSE;
  guint i;

  stompest_failover_set_seed (one, 5);
  stompest_failover_set_seed (two, 5);
  stompest_failover_set_seed (other, 6);
  stompest_failover_start (one);
  stompest_failover_start (two);
  stompest_failover_start (other);
  d1 = collect_delays (one, 25, &tried_one);
  d2 = collect_delays (two, 25, &tried_two);
  d3 = collect_delays (other, 25, &tried_other);
  for (i = 0; i < 25; i++)
    {
      g_assert_cmpstr (tried_one->pdata[i], ==, tried_two->pdata[i]);
      differs |= !g_str_equal (tried_one->pdata[i], tried_other->pdata[i]);
    }
  g_assert_true (differs);

  /* The same holds across cycles: start() begins a fresh round. */
  stompest_failover_start (one);
  stompest_failover_start (two);
  d4 = collect_delays (one, 10, &again_one);
  d5 = collect_delays (two, 10, &again_two);
  g_assert_cmpuint (d4[0], ==, 0);
  g_assert_cmpuint (d4[1], ==, 10);
  for (i = 0; i < 10; i++)
    g_assert_cmpstr (again_one->pdata[i], ==, again_two->pdata[i]);
}

static void
test_schedule_randomize_off (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://c:3,tcp://a:1,tcp://b:2)?randomize=false,"
                  "useExponentialBackOff=false");
  const Attempt expected[] = {
    { "tcp://c:3", 0 }, { "tcp://a:1", 10 }, { "tcp://b:2", 10 },
    { "tcp://c:3", 10 }, { "tcp://a:1", 10 }, { "tcp://b:2", 10 }, { "tcp://c:3", 10 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
  /* A new cycle starts again from the first broker. */
  stompest_failover_start (failover);
  assert_attempts (failover, expected, 2);
}

static void
test_schedule_priority_backup_order (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://remote1:1,tcp://127.0.0.1:2,tcp://remote2:3,"
                  "unix:///run/s.sock,tcp://localhost:4,tcp://[::1]:5,tcp://127.5.6.7:6)"
                  "?randomize=false,priorityBackup=true,useExponentialBackOff=false");
  const Attempt expected[] = {
    { "tcp://127.0.0.1:2", 0 }, { "unix:///run/s.sock", 10 }, { "tcp://localhost:4", 10 },
    { "tcp://[::1]:5", 10 }, { "tcp://127.5.6.7:6", 10 }, { "tcp://remote1:1", 10 },
    { "tcp://remote2:3", 10 },
    /* the next round, same order */
    { "tcp://127.0.0.1:2", 10 }, { "unix:///run/s.sock", 10 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_priority_backup_off (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://remote1:1,tcp://127.0.0.1:2,tcp://localhost:3)"
                  "?randomize=false,priorityBackup=false");
  const Attempt expected[] = {
    { "tcp://remote1:1", 0 }, { "tcp://127.0.0.1:2", 10 }, { "tcp://localhost:3", 20 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, expected, G_N_ELEMENTS (expected));
}

static void
test_schedule_priority_backup_randomized (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://r1:1,tcp://localhost:2,tcp://r2:3,tcp://127.0.0.1:4,tcp://r3:5)"
                  "?priorityBackup=true");
  g_autoptr(GPtrArray) tried = NULL;
  g_autofree guint *delays = NULL;
  gboolean local_first_varies = FALSE, remote_order_varies = FALSE;
  guint round, i;

  stompest_failover_set_seed (failover, 77);
  stompest_failover_start (failover);
  delays = collect_delays (failover, 5 * 20, &tried);
  for (round = 0; round < 20; round++)
    {
      const char **r = (const char **) tried->pdata + round * 5;

      /* Local brokers open each round, in random order among themselves. */
      for (i = 0; i < 2; i++)
        g_assert_true (stompest_failover_broker_is_local (r[i]));
      for (i = 2; i < 5; i++)
        g_assert_false (stompest_failover_broker_is_local (r[i]));
      g_assert_cmpstr (r[0], !=, r[1]);
      g_assert_true (!g_str_equal (r[2], r[3]) && !g_str_equal (r[3], r[4]) &&
                     !g_str_equal (r[2], r[4]));
      local_first_varies |= !g_str_equal (r[0], tried->pdata[0]);
      remote_order_varies |= !g_str_equal (r[2], tried->pdata[2]);
    }
  g_assert_true (local_first_varies);
  g_assert_true (remote_order_varies);
}

static void
test_schedule_bare_one_attempt (void)
{
  g_autoptr(StompestFailover) failover = new_failover ("tcp://[::1]:61613");
  const Attempt expected[] = { { "tcp://[::1]:61613", 0 } };

  /* Even the first cycle (startup) makes one attempt only. */
  assert_attempts (failover, expected, 1);
  assert_exhausted (failover, 1);
  stompest_failover_start (failover);
  assert_attempts (failover, expected, 1);
  assert_exhausted (failover, 1);
}

static void
test_schedule_start_resets (void)
{
  g_autoptr(StompestFailover) failover =
    new_failover ("failover:(tcp://a:1,tcp://b:2,tcp://c:3)?randomize=false");
  const Attempt first[] = {
    { "tcp://a:1", 0 }, { "tcp://b:2", 10 }, { "tcp://c:3", 20 }, { "tcp://a:1", 40 },
  };
  const Attempt after_start[] = {
    { "tcp://a:1", 0 }, { "tcp://b:2", 10 }, { "tcp://c:3", 20 },
  };

  stompest_failover_start (failover);
  assert_attempts (failover, first, G_N_ELEMENTS (first));
  stompest_failover_start (failover);
  assert_attempts (failover, after_start, G_N_ELEMENTS (after_start));
}

int
main (int   argc,
      char *argv[])
{
  stompest_test_init (&argc, &argv);

  g_test_add_func ("/failover/parse/bare", test_parse_bare);
  g_test_add_func ("/failover/parse/parenthesised", test_parse_parenthesised);
  g_test_add_func ("/failover/parse/parenthesised-options", test_parse_parenthesised_options);
  g_test_add_func ("/failover/parse/unparenthesised", test_parse_unparenthesised);
  g_test_add_func ("/failover/parse/unparenthesised-options", test_parse_unparenthesised_options);
  g_test_add_func ("/failover/parse/single-in-list", test_parse_single_in_list);
  g_test_add_func ("/failover/parse/spellings", test_parse_spellings);
  g_test_add_func ("/failover/parse/whitespace", test_parse_whitespace);
  g_test_add_func ("/failover/parse/ipv6", test_parse_ipv6);
  g_test_add_func ("/failover/parse/host-names", test_parse_host_names);
  g_test_add_func ("/failover/parse/unix", test_parse_unix);
  g_test_add_func ("/failover/parse/other-scheme", test_parse_other_scheme);
  g_test_add_func ("/failover/parse/defaults", test_parse_defaults);
  g_test_add_func ("/failover/parse/every-option", test_parse_every_option);
  g_test_add_func ("/failover/parse/separators", test_parse_separators);
  g_test_add_func ("/failover/parse/value-bounds", test_parse_value_bounds);
  g_test_add_func ("/failover/parse/errors", test_parse_errors);
  g_test_add_func ("/failover/parse/initable", test_parse_initable);
  g_test_add_func ("/failover/parse/is-local", test_parse_is_local);

  g_test_add_func ("/failover/schedule/initial-reconnect-delay/default", test_schedule_initial_delay_default);
  g_test_add_func ("/failover/schedule/initial-reconnect-delay/custom", test_schedule_initial_delay_custom);
  g_test_add_func ("/failover/schedule/initial-reconnect-delay/zero", test_schedule_initial_delay_zero);
  g_test_add_func ("/failover/schedule/use-exponential-back-off/off", test_schedule_exponential_off);
  g_test_add_func ("/failover/schedule/use-exponential-back-off/on", test_schedule_exponential_on);
  g_test_add_func ("/failover/schedule/back-off-multiplier/custom", test_schedule_multiplier_custom);
  g_test_add_func ("/failover/schedule/back-off-multiplier/below-one", test_schedule_multiplier_below_one);
  g_test_add_func ("/failover/schedule/back-off-multiplier/ignored-without-exponential",
                   test_schedule_multiplier_ignored_without_exponential);
  g_test_add_func ("/failover/schedule/max-reconnect-delay/cap", test_schedule_max_delay_cap);
  g_test_add_func ("/failover/schedule/max-reconnect-delay/default", test_schedule_max_delay_default);
  g_test_add_func ("/failover/schedule/max-reconnect-delay/zero", test_schedule_max_delay_zero);
  g_test_add_func ("/failover/schedule/max-reconnect-attempts/limit", test_schedule_max_attempts_limit);
  g_test_add_func ("/failover/schedule/max-reconnect-attempts/zero", test_schedule_max_attempts_zero);
  g_test_add_func ("/failover/schedule/max-reconnect-attempts/unlimited", test_schedule_max_attempts_unlimited);
  g_test_add_func ("/failover/schedule/startup-max-reconnect-attempts/zero-means-unset",
                   test_schedule_startup_zero_means_unset);
  g_test_add_func ("/failover/schedule/startup-max-reconnect-attempts/first-cycle-only",
                   test_schedule_startup_first_cycle_only);
  g_test_add_func ("/failover/schedule/startup-max-reconnect-attempts/unlimited",
                   test_schedule_startup_unlimited);
  g_test_add_func ("/failover/schedule/startup-max-reconnect-attempts/implicit-start",
                   test_schedule_startup_implicit_start);
  g_test_add_func ("/failover/schedule/reconnect-delay-jitter/bounds", test_schedule_jitter_bounds);
  g_test_add_func ("/failover/schedule/reconnect-delay-jitter/capped", test_schedule_jitter_capped);
  g_test_add_func ("/failover/schedule/reconnect-delay-jitter/exponential", test_schedule_jitter_exponential);
  g_test_add_func ("/failover/schedule/reconnect-delay-jitter/reproducible", test_schedule_jitter_reproducible);
  g_test_add_func ("/failover/schedule/randomize/rounds", test_schedule_randomize_rounds);
  g_test_add_func ("/failover/schedule/randomize/reproducible", test_schedule_randomize_reproducible);
  g_test_add_func ("/failover/schedule/randomize/off", test_schedule_randomize_off);
  g_test_add_func ("/failover/schedule/priority-backup/order", test_schedule_priority_backup_order);
  g_test_add_func ("/failover/schedule/priority-backup/off", test_schedule_priority_backup_off);
  g_test_add_func ("/failover/schedule/priority-backup/randomized", test_schedule_priority_backup_randomized);
  g_test_add_func ("/failover/schedule/bare/one-attempt", test_schedule_bare_one_attempt);
  g_test_add_func ("/failover/schedule/start/resets", test_schedule_start_resets);

  return g_test_run ();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>

#include "client-broker-utils.h"

/* Faults under StompestSession with the real brokers of
 * scripts/run-tests.sh: kill -9 and restart, SIGSTOP/SIGCONT, failover
 * from a dying RabbitMQ to a second one, and network cuts through an
 * in-test TCP proxy. Each test streams numbered persistent messages from
 * a producer session to a consumer session and counts every id end to
 * end: a lost id fails the test, duplicates are counted.
 *
 * The delivery guarantee under test is at-least-once:
 * - the producer counts an id as sent only when send_async completed,
 *   i.e. on the broker's RECEIPT, which both brokers send once a
 *   persistent message is stored; a send that failed (connection lost
 *   before the RECEIPT, or a receipt timeout) is sent again, so an id the
 *   broker stored but could not confirm arrives twice;
 * - the consumer acknowledges (client-individual) only after counting an
 *   id, so an ACK lost with the connection makes the broker redeliver.
 *
 * STOMPEST_TEST_SOAK=1 makes the streams ten times longer and kills the
 * broker four times instead of once (see docs/reliability.md). */

#define WINDOW 500              /* unconfirmed sends per producer */
#define PREFETCH 1000           /* unacknowledged deliveries per consumer */
/* A reconnect schedule that outlasts a broker restart (RabbitMQ takes
 * about 6 s, more on a busy machine): up to a minute. */
#define PATIENT_FAILOVER "maxReconnectAttempts=240&initialReconnectDelay=250" \
                         "&maxReconnectDelay=250&useExponentialBackOff=false"
#define STREAM_TIMEOUT_MS (60 * BROKER_WAIT_MS)

static gboolean
soak (void)
{
  return g_strcmp0 (g_getenv ("STOMPEST_TEST_SOAK"), "1") == 0;
}

/* N ids on RabbitMQ; ActiveMQ stores each persistent SEND before the
 * next (about 1000 a second here, against 5000 and more for RabbitMQ),
 * so it gets a fifth to take about as long. Valgrind makes both sessions
 * some 20 times slower: a tenth (10 000 ids for the kill -9 scenario on
 * RabbitMQ) still has the faults strike mid-stream, with up to WINDOW
 * sends unconfirmed and PREFETCH deliveries unacknowledged. */
static guint
stream_length (const BrokerInfo *broker,
               guint             n)
{
  if (g_str_equal (broker->name, "activemq"))
    n /= 5;
  if (stompest_test_under_valgrind ())
    n /= 10;
  return soak () ? 10 * n : n;
}

/* --- producer -------------------------------------------------------------- */

typedef struct {
  StompestSession *session;
  char *queue;
  GHashTable *headers;
  guint n;
  guint next;                   /* the next id never sent */
  GQueue retry;                 /* ids whose send failed */
  guint outstanding;            /* sends not completed */
  BrokerTally *confirmed;
  /* Ids confirmed by a broker other than the first one (failover). */
  BrokerTally *confirmed_elsewhere;
  char *first_broker;
  guint64 n_sends;
  guint n_failed;
  char *first_failure;
  guint pump_id;
} Producer;

typedef struct {
  Producer *producer;
  guint id;
} SendContext;

static void producer_schedule (Producer *p,
                               guint     delay_ms);

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  SendContext *context = data;
  Producer *p = context->producer;
  g_autoptr(GError) error = NULL;

  p->outstanding--;
  if (stompest_session_send_finish (STOMPEST_SESSION (source), result, &error))
    {
      const char *broker = stompest_session_get_broker_uri (p->session);

      g_assert_cmpuint (broker_tally_add (p->confirmed, context->id), ==, 0);
      if (p->first_broker == NULL)
        p->first_broker = g_strdup (broker);
      else if (g_strcmp0 (broker, p->first_broker) != 0)
        broker_tally_add (p->confirmed_elsewhere, context->id);
      producer_schedule (p, 0);
    }
  else
    {
      /* The broker may or may not have it: send it again. */
      if (p->first_failure == NULL)
        p->first_failure = g_strdup (error->message);
      p->n_failed++;
      g_queue_push_tail (&p->retry, GUINT_TO_POINTER (context->id));
      /* Not at once: the offline queue may be full. */
      producer_schedule (p, 100);
    }
  g_free (context);
}

static gboolean
producer_pump (gpointer data)
{
  Producer *p = data;

  p->pump_id = 0;
  while (p->outstanding < WINDOW)
    {
      g_autoptr(GBytes) body = NULL;
      SendContext *context;
      guint id;

      if (!g_queue_is_empty (&p->retry))
        id = GPOINTER_TO_UINT (g_queue_pop_head (&p->retry));
      else if (p->next < p->n)
        id = p->next++;
      else
        break;

      context = g_new (SendContext, 1);
      context->producer = p;
      context->id = id;
      body = broker_id_body (id);
      p->outstanding++;
      p->n_sends++;
      stompest_session_send_async (p->session, p->queue, body, p->headers, G_PRIORITY_DEFAULT,
                                   NULL, on_sent, context);
    }
  return G_SOURCE_REMOVE;
}

static void
producer_schedule (Producer *p,
                   guint     delay_ms)
{
  if (p->pump_id == 0)
    p->pump_id = g_timeout_add (delay_ms, producer_pump, p);
}

/* --- consumer -------------------------------------------------------------- */

typedef struct {
  StompestSession *session;
  BrokerTally *seen;
} Consumer;

static void
on_numbered (StompestSubscription *subscription,
             StompestMessage      *message,
             Consumer             *c)
{
  guint id;

  /* Returning acknowledges it, after it was counted. */
  if (broker_id_from_body (stompest_message_get_body (message), &id))
    broker_tally_add (c->seen, id);
}

/* --- a stream -------------------------------------------------------------- */

typedef struct {
  const BrokerInfo *broker;
  char *label;
  char *queue;
  guint n;
  Producer producer;
  Consumer consumer;
  guint n_disconnected;         /* ::disconnected of either session */
  gboolean producer_lost;       /* each had ::disconnected at least once */
  gboolean consumer_lost;
  GError *first_reason;
  guint64 n_drained;            /* left on the brokers at the end */
  gint64 t0;
} Stream;

static void
on_stream_disconnected (StompestSession *session,
                        const GError    *reason,
                        Stream          *s)
{
  s->n_disconnected++;
  if (session == s->producer.session)
    s->producer_lost = TRUE;
  if (session == s->consumer.session)
    s->consumer_lost = TRUE;
  if (reason != NULL && s->first_reason == NULL)
    s->first_reason = g_error_copy (reason);
}

static StompestSession *
stream_session_new (Stream     *s,
                    const char *uri,
                    guint       heart_beat)
{
  StompestSession *session = broker_session_new (uri);

  /* A RECEIPT may be late while the broker restarts or recovers. */
  stompest_session_set_receipt_timeout (session, 6 * BROKER_WAIT_MS);
  /* A stopped broker accepts TCP connections but never answers. */
  stompest_session_set_connected_timeout (session, 3000);
  stompest_session_set_heart_beat_send (session, heart_beat);
  stompest_session_set_heart_beat_receive (session, heart_beat);
  g_signal_connect (session, "disconnected", G_CALLBACK (on_stream_disconnected), s);
  return session;
}

static void
stream_subscribe (Stream *s)
{
  StompestSubscription *subscription;

  subscription = broker_session_subscribe (s->consumer.session, s->broker, s->queue,
                                           STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, PREFETCH);
  g_signal_connect (subscription, "message", G_CALLBACK (on_numbered), &s->consumer);
}

/* Connects a producer and a consumer session to URI, and starts the
 * stream of N ids; the consumer subscribes now unless LATER.
 * HEART_BEAT 0 keeps the sessions' default. */
static void
stream_start (Stream           *s,
              const BrokerInfo *broker,
              const char       *label,
              const char       *uri,
              guint             n,
              guint             heart_beat,
              gboolean          later)
{
  Producer *p = &s->producer;
  Consumer *c = &s->consumer;

  s->broker = broker;
  s->label = g_strdup_printf ("%s/%s", broker->name, label);
  s->queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, label);
  s->n = n;

  p->session = stream_session_new (s, uri, heart_beat);
  p->queue = s->queue;
  p->headers = broker_headers_new ("persistent", "true", NULL);
  p->n = n;
  g_queue_init (&p->retry);
  p->confirmed = broker_tally_new (n);
  p->confirmed_elsewhere = broker_tally_new (n);

  c->session = stream_session_new (s, uri, heart_beat);
  c->seen = broker_tally_new (n);

  broker_session_connect (c->session);
  if (!later)
    stream_subscribe (s);
  broker_session_connect (p->session);

  s->t0 = g_get_monotonic_time ();
  producer_schedule (p, 0);
}

static gboolean
stream_all_confirmed (Stream *s)
{
  return s->producer.confirmed->n_unique == s->n;
}

static gboolean
stream_all_seen (Stream *s)
{
  return stream_all_confirmed (s) && s->consumer.seen->n_unique == s->n;
}

/* Iterates until DONE or TIMEOUT_MS; FALSE on timeout. Unlike
 * BROKER_WAIT_UNTIL it does not abort, so the caller can undo a fault
 * and report the figures. */
static gboolean
stream_wait (Stream   *s,
             gboolean (*done) (Stream *),
             guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (s))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      broker_iterate ();
    }
  return TRUE;
}

/* Iterates until TALLY counts N_UNIQUE ids; FALSE on timeout. */
static gboolean
stream_wait_tally (BrokerTally *tally,
                   guint        n_unique)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) STREAM_TIMEOUT_MS * 1000;

  while (tally->n_unique < n_unique)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      broker_iterate ();
    }
  return TRUE;
}

/* Before a kill: the stream's queue exists (an id was confirmed) and the
 * broker has it on disk, see broker_sync(). */
static void
stream_sync_queue (Stream *s)
{
  g_assert_true (stream_wait_tally (s->producer.confirmed, 1));
  broker_sync (s->broker);
}

/* Counts what is left in QUEUE of URI (a synchronous consumer takes all
 * until the sentinel it sent itself) into SEEN. Returns how many. */
static guint
drain_into (const char  *uri,
            const char  *queue,
            BrokerTally *seen)
{
  g_autoptr(StompestClient) client = broker_client_new (uri, STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint n = 0;

  broker_connect (client);
  token = broker_subscribe (client, queue, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, NULL);
  broker_send_text (client, queue, "drain-sentinel", NULL);
  for (;;)
    {
      g_autoptr(StompestFrame) message = broker_receive_message (client);
      g_autofree char *text = broker_frame_text (message);
      guint id;

      BROKER_ASSERT_OK (stompest_client_ack (client, message, NULL, NULL, &error), error);
      if (g_str_equal (text, "drain-sentinel"))
        break;
      if (broker_id_from_body (stompest_frame_get_body (message), &id))
        broker_tally_add (seen, id);
      n++;
    }
  BROKER_ASSERT_OK (stompest_client_disconnect_sync (client, NULL, &error), error);
  return n;
}

static void
stream_report (Stream *s)
{
  Producer *p = &s->producer;
  BrokerTally *seen = s->consumer.seen;
  g_autofree char *missing = broker_tally_describe_missing (seen);

  g_test_message ("%s: %u ids in %.1f s; producer: %u confirmed, %" G_GUINT64_FORMAT
                  " SENDs, %u failed and sent again (first: %s); consumer: %" G_GUINT64_FORMAT
                  " deliveries, %u unique, %" G_GUINT64_FORMAT " duplicates, %" G_GUINT64_FORMAT
                  " left on the broker(s) at the end; lost: %s; reconnects: producer %u, consumer %u",
                  s->label, s->n, (g_get_monotonic_time () - s->t0) / 1e6,
                  p->confirmed->n_unique, p->n_sends, p->n_failed,
                  p->first_failure != NULL ? p->first_failure : "none",
                  seen->n_seen, seen->n_unique, broker_tally_duplicates (seen), s->n_drained,
                  missing, stompest_session_get_reconnects (p->session),
                  stompest_session_get_reconnects (s->consumer.session));
}

/* Waits for the end of the stream, disconnects, counts what is left on
 * the broker, reports, and asserts that no id was lost. */
static void
stream_finish (Stream     *s,
               const char *uri)
{
  gboolean complete = stream_wait (s, stream_all_seen, STREAM_TIMEOUT_MS);
  g_autoptr(GError) error = NULL;

  if (!complete)
    stream_report (s);
  g_assert_true (stream_all_confirmed (s));
  g_assert_cmpuint (s->consumer.seen->n_unique, ==, s->n);

  /* Redeliveries still on their way are duplicates. */
  error = broker_session_disconnect (s->consumer.session);
  g_assert_no_error (error);
  g_assert_cmpuint (s->producer.outstanding, ==, 0);
  error = broker_session_disconnect (s->producer.session);
  g_assert_no_error (error);
  s->n_drained += drain_into (uri, s->queue, s->consumer.seen);

  stream_report (s);
  g_assert_cmpuint (broker_tally_missing (s->consumer.seen), ==, 0);
  g_assert_cmpuint (s->consumer.seen->n_foreign, ==, 0);
}

static void
stream_clear (Stream *s)
{
  Producer *p = &s->producer;

  g_clear_pointer (&s->label, g_free);
  g_clear_pointer (&s->queue, g_free);
  g_clear_error (&s->first_reason);
  g_clear_object (&p->session);
  g_clear_pointer (&p->headers, g_hash_table_unref);
  g_queue_clear (&p->retry);
  g_clear_pointer (&p->confirmed, broker_tally_free);
  g_clear_pointer (&p->confirmed_elsewhere, broker_tally_free);
  g_clear_pointer (&p->first_broker, g_free);
  g_clear_pointer (&p->first_failure, g_free);
  if (p->pump_id != 0)
    g_source_remove (p->pump_id);
  g_clear_object (&s->consumer.session);
  g_clear_pointer (&s->consumer.seen, broker_tally_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Stream, stream_clear)

static char *
patient_uri (const BrokerInfo *broker)
{
  return g_strdup_printf ("failover:(%s)?" PATIENT_FAILOVER, g_getenv (broker->uri_var));
}

/* --- kill -9 and restart --------------------------------------------------- */

static void
test_kill_restart (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_auto(Stream) s = { 0, };
  g_autofree char *uri = NULL;
  guint n_kills = soak () ? 4 : 1;

  if (!broker_require_fixture (broker))
    return;

  uri = patient_uri (broker);
  stream_start (&s, broker, "kill", uri, stream_length (broker, 100000), 0, FALSE);
  stream_sync_queue (&s);

  for (guint k = 1; k <= n_kills; k++)
    {
      gint64 t0;

      g_assert_true (stream_wait_tally (s.consumer.seen, s.n / (n_kills + 1) * k));
      t0 = g_get_monotonic_time ();
      broker_kill (broker);
      g_test_message ("%s: killed after %u of %u ids arrived (%u confirmed)", s.label,
                      s.consumer.seen->n_unique, s.n, s.producer.confirmed->n_unique);
      broker_ctl_shared (broker, "start", NULL);
      /* Both sessions come back by themselves. */
      BROKER_WAIT_UNTIL (stompest_session_get_reconnects (s.consumer.session) >= k &&
                         stompest_session_get_reconnects (s.producer.session) >= k,
                         STREAM_TIMEOUT_MS);
      g_test_message ("%s: both sessions back %.1f s after the kill", s.label,
                      (g_get_monotonic_time () - t0) / 1e6);
    }

  stream_finish (&s, g_getenv (broker->uri_var));
  g_assert_cmpuint (s.n_disconnected, >=, 2 * n_kills);
  g_assert_error (s.first_reason, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);

  /* The TLS port too, for the tests that come next. */
  broker_ctl_shared (broker, "wait", "60");
}

/* --- SIGSTOP / SIGCONT ----------------------------------------------------- */

/* Each session lost its connection: a count of ::disconnected could be
 * reached by one session alone (a failed attempt to reconnect to the
 * stopped broker counts too). */
static gboolean
stream_both_lost (Stream *s)
{
  return s->producer_lost && s->consumer_lost;
}

static void
test_sigstop (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_auto(Stream) s = { 0, };
  g_autofree char *uri = NULL;
  gboolean noticed;
  gint64 t0, took;
  GPid pid;

  if (!broker_require_fixture (broker) ||
      !stompest_test_broker_uri_from_env (broker->pid_file_var))
    return;

  uri = patient_uri (broker);
  stream_start (&s, broker, "sigstop", uri, stream_length (broker, 10000), 1000, FALSE);
  g_assert_cmpuint (stompest_session_get_receive_period (s.consumer.session), ==, 1000);
  g_assert_true (stream_wait_tally (s.consumer.seen, s.n / 3));

  pid = broker_get_pid (broker);
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  t0 = g_get_monotonic_time ();
  noticed = stream_wait (&s, stream_both_lost, 20000);
  took = (g_get_monotonic_time () - t0) / 1000;
  /* Whatever happened, the broker must run again. */
  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);

  g_test_message ("%s: the silence was noticed after %" G_GINT64_FORMAT " ms: %s", s.label, took,
                  s.first_reason != NULL ? s.first_reason->message : "(no reason)");
  g_assert_true (noticed);
  g_assert_error (s.first_reason, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (s.first_reason->message, "heart-beat"));
  /* Not before a period, well within the 20 s. */
  g_assert_cmpint (took, >=, 1000);
  g_assert_cmpint (took, <, 10000);

  /* Both sessions come back by themselves. Waited for: a short stream
   * (under valgrind) may be complete before they are. */
  BROKER_WAIT_UNTIL (stompest_session_get_reconnects (s.consumer.session) >= 1 &&
                     stompest_session_get_reconnects (s.producer.session) >= 1,
                     STREAM_TIMEOUT_MS);
  stream_finish (&s, g_getenv (broker->uri_var));
}

/* --- failover -------------------------------------------------------------- */

static gboolean
consumer_has_confirmed_elsewhere (Stream *s)
{
  BrokerTally *elsewhere = s->producer.confirmed_elsewhere;

  if (!stream_all_confirmed (s))
    return FALSE;
  for (guint id = 0; id < s->n; id++)
    {
      if (broker_tally_has (elsewhere, id) && !broker_tally_has (s->consumer.seen, id))
        return FALSE;
    }
  return TRUE;
}

/* A second RabbitMQ, B; the sessions start on the shared one, A, which
 * dies mid-stream. What A confirmed but nobody consumed is on A's disk:
 * it is counted after A's restart. */
static void
test_failover (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_auto(Stream) s = { 0, };
  g_autoptr(GSocket) stomp_socket = NULL;
  g_autoptr(GSocket) stomps_socket = NULL;
  g_autoptr(GSocket) dist_socket = NULL;
  g_autofree char *stomp_env = NULL;
  g_autofree char *stomps_env = NULL;
  g_autofree char *dist_env = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *b_uri = NULL;
  guint16 b_port, b_tls_port, b_dist_port;
  guint seen_before_restart, recovered_from_a, drained_a, drained_b;

  g_assert_cmpstr (broker->name, ==, "rabbitmq");
  if (!broker_require_fixture (broker))
    return;

  /* Free ports: found by binding, released just before the start. */
  stomp_socket = broker_bound_socket_new (&b_port);
  stomps_socket = broker_bound_socket_new (&b_tls_port);
  dist_socket = broker_bound_socket_new (&b_dist_port);
  g_clear_object (&stomp_socket);
  g_clear_object (&stomps_socket);
  g_clear_object (&dist_socket);
  stomp_env = g_strdup_printf ("RABBITMQ_STOMP_PORT=%u", b_port);
  stomps_env = g_strdup_printf ("RABBITMQ_STOMPS_PORT=%u", b_tls_port);
  dist_env = g_strdup_printf ("RABBITMQ_DIST_PORT=%u", b_dist_port);

  {
    const char * const b_env[] = { stomp_env, stomps_env, dist_env, NULL };

    broker_ctl ("rabbitmq-start", NULL, b_env);
    broker_ctl ("rabbitmq-wait", "90", b_env);

    b_uri = g_strdup_printf ("tcp://127.0.0.1:%u", b_port);
    uri = g_strdup_printf ("failover:(%s,%s)?randomize=false&" PATIENT_FAILOVER,
                           g_getenv (broker->uri_var), b_uri);
    /* The consumer starts late, so that A holds a backlog when it dies. */
    stream_start (&s, broker, "failover", uri, stream_length (broker, 20000), 0, TRUE);
    stream_sync_queue (&s);
    g_assert_cmpstr (stompest_session_get_broker_uri (s.consumer.session), ==,
                     g_getenv (broker->uri_var));
    g_assert_true (stream_wait_tally (s.producer.confirmed, s.n / 2));
    stream_subscribe (&s);

    g_assert_true (stream_wait_tally (s.consumer.seen, s.n / 6));
    broker_kill (broker);
    g_test_message ("%s: A killed after %u of %u ids arrived (%u confirmed)", s.label,
                    s.consumer.seen->n_unique, s.n, s.producer.confirmed->n_unique);

    /* Both move to B, where the rest is confirmed and consumed. */
    g_assert_true (stream_wait (&s, consumer_has_confirmed_elsewhere, STREAM_TIMEOUT_MS));
    g_assert_cmpstr (stompest_session_get_broker_uri (s.producer.session), ==, b_uri);
    g_assert_cmpstr (stompest_session_get_broker_uri (s.consumer.session), ==, b_uri);
    g_assert_cmpstr (s.producer.first_broker, ==, g_getenv (broker->uri_var));
    g_assert_cmpuint (s.producer.confirmed_elsewhere->n_unique, >, 0);
    seen_before_restart = s.consumer.seen->n_unique;

    g_assert_null (broker_session_disconnect (s.consumer.session));
    g_assert_null (broker_session_disconnect (s.producer.session));

    /* A comes back with what it had stored and not delivered for good;
     * B may hold redeliveries. */
    broker_ctl_shared (broker, "start", NULL);
    broker_ctl_shared (broker, "wait", "60");
    drained_a = drain_into (g_getenv (broker->uri_var), s.queue, s.consumer.seen);
    recovered_from_a = s.consumer.seen->n_unique - seen_before_restart;
    drained_b = drain_into (b_uri, s.queue, s.consumer.seen);
    s.n_drained = drained_a + drained_b;
    g_test_message ("%s: %u ids confirmed by B; %u unique ids consumed before A's restart; "
                    "%u messages drained from A after it (%u ids seen nowhere else), %u from B",
                    s.label, s.producer.confirmed_elsewhere->n_unique, seen_before_restart,
                    drained_a, recovered_from_a, drained_b);
    stream_report (&s);
    g_assert_cmpuint (broker_tally_missing (s.consumer.seen), ==, 0);
    /* The backlog was there: this was not a failover without a loss. */
    g_assert_cmpuint (recovered_from_a, >, 0);
    g_assert_cmpuint (s.consumer.seen->n_foreign, ==, 0);

    broker_ctl ("rabbitmq-stop", NULL, b_env);
  }
}

/* --- network cut ----------------------------------------------------------- */

/* A TCP proxy on the default main context: each accepted connection is
 * spliced to a new connection to the broker; a cut shuts both sockets of
 * every pair down, as a dead network link would end them. */
typedef struct {
  GSocketService *service;
  guint16 port;
  guint16 target_port;
  GPtrArray *links;             /* Link */
  guint n_accepted;
} Proxy;

typedef struct {
  Proxy *proxy;
  GSocketConnection *inside;    /* from the client */
  GSocketConnection *outside;   /* to the broker */
} Link;

static void
link_free (Link *link)
{
  g_clear_object (&link->inside);
  g_clear_object (&link->outside);
  g_free (link);
}

static void
on_spliced (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Link *link = data;

  /* Ended by either side or by a cut: nothing to report. */
  g_io_stream_splice_finish (result, NULL);
  if (link->proxy != NULL)
    g_ptr_array_remove (link->proxy->links, link);
  link_free (link);
}

static void
on_outside_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  Link *link = data;
  g_autoptr(GError) error = NULL;

  link->outside = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (link->outside == NULL || link->proxy == NULL)
    {
      if (link->proxy != NULL)
        g_ptr_array_remove (link->proxy->links, link);
      link_free (link);
      return;
    }
  g_io_stream_splice_async (G_IO_STREAM (link->inside), G_IO_STREAM (link->outside),
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2 |
                            G_IO_STREAM_SPLICE_WAIT_FOR_BOTH,
                            G_PRIORITY_DEFAULT, NULL, on_spliced, link);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             Proxy             *proxy)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  Link *link = g_new0 (Link, 1);

  link->proxy = proxy;
  link->inside = g_object_ref (connection);
  g_ptr_array_add (proxy->links, link);
  proxy->n_accepted++;
  g_socket_client_connect_to_host_async (client, "127.0.0.1", proxy->target_port, NULL,
                                         on_outside_connected, link);
  return TRUE;
}

static Proxy *
proxy_new (guint16 target_port)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GError) error = NULL;

  proxy->target_port = target_port;
  proxy->links = g_ptr_array_new ();
  proxy->service = g_socket_service_new ();
  proxy->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (proxy->service),
                                                     NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (on_incoming), proxy);
  g_socket_service_start (proxy->service);
  return proxy;
}

static void
shutdown_connection (GSocketConnection *connection)
{
  if (connection != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (connection), TRUE, TRUE, NULL);
}

/* Cuts every connection through the proxy; returns how many. */
static guint
proxy_cut (Proxy *proxy)
{
  guint n = proxy->links->len;

  for (guint i = 0; i < proxy->links->len; i++)
    {
      Link *link = g_ptr_array_index (proxy->links, i);

      shutdown_connection (link->inside);
      shutdown_connection (link->outside);
    }
  return n;
}

static void
proxy_free (Proxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_clear_object (&proxy->service);
  /* Links still being torn down finish without their proxy. */
  for (guint i = 0; i < proxy->links->len; i++)
    {
      Link *link = g_ptr_array_index (proxy->links, i);

      link->proxy = NULL;
      shutdown_connection (link->inside);
      shutdown_connection (link->outside);
    }
  g_ptr_array_unref (proxy->links);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

static void
test_network_cut (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_auto(Stream) s = { 0, };
  g_autoptr(Proxy) proxy = NULL;
  g_autofree char *uri = NULL;
  guint64 port = 0;
  guint n_cuts = 3;

  if (!broker_require_fixture (broker))
    return;

  g_assert_true (g_ascii_string_to_unsigned (g_getenv (broker->stomp_port_var), 10, 1, 65535,
                                             &port, NULL));
  proxy = proxy_new (port);
  /* A plain URI: the session's default reconnect schedule. */
  uri = g_strdup_printf ("tcp://127.0.0.1:%u", proxy->port);
  stream_start (&s, broker, "cut", uri, stream_length (broker, 20000), 0, FALSE);
  g_assert_cmpuint (proxy->n_accepted, ==, 2);

  for (guint k = 1; k <= n_cuts; k++)
    {
      guint n_links;

      g_assert_true (stream_wait_tally (s.consumer.seen, s.n / (n_cuts + 1) * k));
      n_links = proxy_cut (proxy);
      g_test_message ("%s: cut %u connection(s) after %u of %u ids arrived (%u confirmed)",
                      s.label, n_links, s.consumer.seen->n_unique, s.n,
                      s.producer.confirmed->n_unique);
      g_assert_cmpuint (n_links, ==, 2);
      /* Back through the proxy. */
      BROKER_WAIT_UNTIL (stompest_session_get_reconnects (s.consumer.session) >= k &&
                         stompest_session_get_reconnects (s.producer.session) >= k,
                         BROKER_WAIT_MS);
    }

  stream_finish (&s, g_getenv (broker->uri_var));
  g_assert_cmpuint (proxy->n_accepted, ==, 2 * (n_cuts + 1));
  g_assert_error (s.first_reason, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    GTestDataFunc func;
  } cases[] = {
    { "kill-restart", test_kill_restart },
    { "sigstop", test_sigstop },
    { "network-cut", test_network_cut },
  };

  stompest_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    broker_add_test ("fault", cases[i].name, cases[i].func);
  g_test_add_data_func ("/fault/rabbitmq/failover", &broker_infos[0], test_failover);

  return g_test_run ();
}

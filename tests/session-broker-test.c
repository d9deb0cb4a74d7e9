/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "client-broker-utils.h"

/* StompestSession against the real brokers of scripts/run-tests.sh: the
 * producer → transformer → consumer chain of stompest's Twisted examples,
 * the poison-pill policies, graceful and timed-out shutdowns, and flow
 * control over a large backlog. Everything runs on the default main
 * context; each test skips when the STOMPEST_TEST_* variables are unset. */

#define N_CHAIN 1000
#define N_HELD 5
#define MAX_IN_FLIGHT 10
/* More than MAX_IN_FLIGHT: the session's own limit, not the broker's,
 * is what keeps the application's heap flat. */
#define BACKLOG_PREFETCH 100

/* The flow-control backlog. A tenth under valgrind, where the client
 * takes minutes for 100 000 messages: still far more than the broker's
 * prefetch and the session's limit, which is what the test is about. */
static guint
n_backlog (void)
{
  return stompest_test_under_valgrind () ? 10000 : 100000;
}

static const char *
broker_uri (const BrokerInfo *broker)
{
  return stompest_test_broker_uri_from_env (broker->uri_var);
}

static GBytes *
text_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static char *
body_text (StompestMessage *message)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (stompest_message_get_body (message), &size);

  return g_strndup (data, size);
}

/* A send_async whose RECEIPT is only counted. */
static void
on_counted_send (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  guint *n_confirmed = data;
  g_autoptr(GError) error = NULL;

  stompest_session_send_finish (STOMPEST_SESSION (source), result, &error);
  g_assert_no_error (error);
  (*n_confirmed)++;
}

static void
send_text_async (StompestSession *session,
                 const char      *destination,
                 const char      *text,
                 GHashTable      *headers,
                 guint           *n_confirmed)
{
  g_autoptr(GBytes) body = text_bytes (text);

  stompest_session_send_async (session, destination, body, headers, G_PRIORITY_DEFAULT,
                               NULL, on_counted_send, n_confirmed);
}

/* --- producer → transformer → consumer ------------------------------------ */

typedef struct {
  GMainLoop *loop;
  StompestSession *transformer;
  char *out_queue;
  BrokerTally *tally;           /* consumer: ids of the outputs */
  guint n_sent;                 /* producer: RECEIPTs */
  gboolean timed_out;
} Chain;

static void
on_forwarded (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(StompestMessage) input = data;
  g_autoptr(GError) error = NULL;

  /* Only now may the input go: the broker has the output. */
  if (stompest_session_send_finish (STOMPEST_SESSION (source), result, &error))
    stompest_message_complete (input);
  else
    stompest_message_fail (input, error);
}

static void
on_transform (StompestSubscription *subscription,
              StompestMessage      *message,
              Chain                *chain)
{
  g_autofree char *text = body_text (message);
  g_autofree char *upper = g_ascii_strup (text, -1);
  g_autoptr(GBytes) body = text_bytes (upper);

  stompest_message_hold (message);
  stompest_session_send_async (chain->transformer, chain->out_queue, body, NULL,
                               G_PRIORITY_DEFAULT, NULL, on_forwarded,
                               g_object_ref (message));
}

static void
on_output (StompestSubscription *subscription,
           StompestMessage      *message,
           Chain                *chain)
{
  g_autofree char *text = body_text (message);
  g_autoptr(GBytes) id_body = NULL;
  guint id;

  /* MESSAGE-00000042 from message-00000042. */
  g_assert_true (g_str_has_prefix (text, "MESSAGE-"));
  id_body = text_bytes (text + strlen ("MESSAGE-"));
  if (broker_id_from_body (id_body, &id))
    broker_tally_add (chain->tally, id);
  if (chain->tally->n_unique == chain->tally->n)
    g_main_loop_quit (chain->loop);
}

static gboolean
on_guard (gpointer data)
{
  Chain *chain = data;

  chain->timed_out = TRUE;
  g_main_loop_quit (chain->loop);
  return G_SOURCE_REMOVE;
}

static void
test_transformer (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_autoptr(StompestSession) producer = NULL;
  g_autoptr(StompestSession) transformer = NULL;
  g_autoptr(StompestSession) consumer = NULL;
  g_autofree char *in_queue = NULL;
  g_autoptr(BrokerTally) tally = broker_tally_new (N_CHAIN);
  StompestSubscription *input, *output;
  Chain chain = { 0, };
  const char *uri;
  guint guard;
  gint64 t0;

  if (!(uri = broker_uri (broker)))
    return;

  in_queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, "chain-in");
  chain.out_queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, "chain-out");
  chain.tally = tally;
  chain.loop = g_main_loop_new (NULL, FALSE);

  producer = broker_session_new (uri);
  transformer = broker_session_new (uri);
  consumer = broker_session_new (uri);
  chain.transformer = transformer;
  broker_session_connect (producer);
  broker_session_connect (transformer);
  broker_session_connect (consumer);

  /* No max-in-flight: a full subscription stops the reading, RECEIPTs
   * of the outputs included, and they are what would free it. The
   * broker's prefetch bounds the inputs instead. */
  input = broker_session_subscribe (transformer, broker, in_queue,
                                    STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, 100);
  g_signal_connect (input, "message", G_CALLBACK (on_transform), &chain);
  output = broker_session_subscribe (consumer, broker, chain.out_queue,
                                     STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, 100);
  g_signal_connect (output, "message", G_CALLBACK (on_output), &chain);

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < N_CHAIN; i++)
    {
      g_autofree char *text = g_strdup_printf ("message-%08u", i);

      send_text_async (producer, in_queue, text, NULL, &chain.n_sent);
    }

  guard = g_timeout_add_seconds (60, on_guard, &chain);
  g_main_loop_run (chain.loop);
  if (!chain.timed_out)
    g_source_remove (guard);
  g_test_message ("%s: %u messages through the chain in %.2f s", broker->name, N_CHAIN,
                  (g_get_monotonic_time () - t0) / 1e6);

  g_assert_false (chain.timed_out);
  g_assert_cmpuint (broker_tally_missing (tally), ==, 0);
  g_assert_cmpuint (broker_tally_duplicates (tally), ==, 0);
  g_assert_cmpuint (tally->n_foreign, ==, 0);

  /* The inputs are acknowledged once their outputs are confirmed, and
   * the producer's RECEIPTs came. */
  BROKER_WAIT_UNTIL (chain.n_sent == N_CHAIN && stompest_session_get_n_in_flight (transformer) == 0,
                     BROKER_WAIT_MS);

  g_assert_null (broker_session_disconnect (producer));
  g_assert_null (broker_session_disconnect (transformer));
  g_assert_null (broker_session_disconnect (consumer));
  g_assert_false (stompest_subscription_is_active (input));

  /* Every input and output was acknowledged. */
  broker_assert_queue_drained (uri, in_queue);
  broker_assert_queue_drained (uri, chain.out_queue);

  g_main_loop_unref (chain.loop);
  g_free (chain.out_queue);
}

/* --- poison pills ---------------------------------------------------------- */

typedef struct {
  const BrokerInfo *broker;
  StompestSession *session;
  char *queue;
  GPtrArray *handled;           /* char*: bodies handled successfully */
  guint n_poison;               /* deliveries of the poison pill */
  GPtrArray *poison_redelivered; /* char*: its `redelivered` header, per delivery */
  GPtrArray *copies;            /* StompestMessage: from the error destination */
  GError *reason;               /* of ::disconnected */
  guint n_disconnected;
  guint n_confirmed;
} Poison;

#define POISON_ERROR_TEXT "cannot digest this poison pill"

static void
on_poison_candidate (StompestSubscription *subscription,
                     StompestMessage      *message,
                     Poison               *p)
{
  g_autofree char *text = body_text (message);

  if (!g_str_equal (text, "poison"))
    {
      g_ptr_array_add (p->handled, g_steal_pointer (&text));
      return;
    }

  g_ptr_array_add (p->poison_redelivered,
                   g_strdup (stompest_message_get_header (message, "redelivered")));
  /* The NACK test lets the redelivered pill through. */
  if (p->n_poison++ == 0)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                                     POISON_ERROR_TEXT);

      stompest_message_fail (message, error);
    }
}

static void
on_copy (StompestSubscription *subscription,
         StompestMessage      *message,
         Poison               *p)
{
  g_ptr_array_add (p->copies, g_object_ref (message));
}

static void
on_poison_disconnected (StompestSession *session,
                        const GError    *reason,
                        Poison          *p)
{
  p->n_disconnected++;
  g_clear_error (&p->reason);
  if (reason != NULL)
    p->reason = g_error_copy (reason);
}

/* A session subscribed to a fresh queue with POLICY, and "good-0",
 * "poison", "good-1" sent to it (persistent, and tagged for ActiveMQ's
 * dead-letter queue selector). */
static StompestSubscription *
poison_setup (Poison                *p,
              const BrokerInfo      *broker,
              StompestFailurePolicy  policy,
              const char            *label)
{
  static const char * const bodies[] = { "good-0", "poison", "good-1" };
  g_autoptr(GHashTable) headers = NULL;
  StompestSubscription *subscription;

  p->broker = broker;
  p->queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, label);
  p->handled = g_ptr_array_new_with_free_func (g_free);
  p->poison_redelivered = g_ptr_array_new_with_free_func (g_free);
  p->copies = g_ptr_array_new_with_free_func (g_object_unref);
  p->session = broker_session_new (broker_uri (broker));
  g_signal_connect (p->session, "disconnected", G_CALLBACK (on_poison_disconnected), p);
  broker_session_connect (p->session);

  /* All confirmed first: the DISCONNECT policy may end the session
   * before late RECEIPTs. */
  headers = broker_headers_new ("persistent", "true", "stompest_queue", p->queue, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    send_text_async (p->session, p->queue, bodies[i], headers, &p->n_confirmed);
  BROKER_WAIT_UNTIL (p->n_confirmed == G_N_ELEMENTS (bodies), BROKER_WAIT_MS);

  subscription = broker_session_subscribe (p->session, broker, p->queue,
                                           STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, 0);
  stompest_subscription_set_failure_policy (subscription, policy);
  g_signal_connect (subscription, "message", G_CALLBACK (on_poison_candidate), p);
  return subscription;
}

static void
poison_clear (Poison *p)
{
  g_clear_object (&p->session);
  g_clear_pointer (&p->queue, g_free);
  g_clear_pointer (&p->handled, g_ptr_array_unref);
  g_clear_pointer (&p->poison_redelivered, g_ptr_array_unref);
  g_clear_pointer (&p->copies, g_ptr_array_unref);
  g_clear_error (&p->reason);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Poison, poison_clear)

static void
test_poison_error_destination (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_auto(Poison) p = { 0, };
  g_autofree char *error_queue = NULL;
  StompestSubscription *subscription, *errors;
  StompestMessage *copy;
  g_autofree char *copy_text = NULL;

  if (!broker_uri (broker))
    return;

  error_queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, "poison-errors");
  subscription = poison_setup (&p, broker, STOMPEST_FAILURE_POLICY_ERROR_DESTINATION, "poison-ed");
  stompest_subscription_set_error_destination (subscription, error_queue);
  errors = broker_session_subscribe (p.session, broker, error_queue,
                                     STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, 0);
  g_signal_connect (errors, "message", G_CALLBACK (on_copy), &p);

  BROKER_WAIT_UNTIL (p.handled->len == 2 && p.copies->len == 1,
                     BROKER_WAIT_MS);

  copy = g_ptr_array_index (p.copies, 0);
  copy_text = body_text (copy);
  g_assert_cmpstr (copy_text, ==, "poison");
  g_assert_cmpstr (stompest_message_get_header (copy, "message-failed"), ==, POISON_ERROR_TEXT);
  g_assert_cmpstr (stompest_message_get_header (copy, "stompest_queue"), ==, p.queue);

  /* The original was acknowledged, not redelivered. */
  broker_run_for (500);
  g_assert_cmpuint (p.n_poison, ==, 1);
  g_assert_cmpuint (p.copies->len, ==, 1);
  g_assert_null (broker_session_disconnect (p.session));
  broker_assert_queue_drained (broker_uri (broker), p.queue);
  broker_assert_queue_drained (broker_uri (broker), error_queue);
}

/* Asserts that the message TEXT of QUEUE is in ActiveMQ's dead-letter
 * queue, and acknowledges it there. */
static void
assert_in_activemq_dlq (const BrokerInfo *broker,
                        const char       *queue,
                        const char       *text)
{
  g_autoptr(StompestClient) client = broker_client_new (broker_uri (broker),
                                                        STOMPEST_VERSION_STOMP_1_2);
  g_autofree char *selector = g_strdup_printf ("stompest_queue = '%s'", queue);
  g_autofree char *token = NULL;
  g_autoptr(StompestFrame) dead = NULL;
  g_autofree char *dead_text = NULL;
  g_autoptr(GError) error = NULL;

  broker_connect (client);
  token = broker_subscribe (client, "/queue/ActiveMQ.DLQ", STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
                            "selector", selector, NULL);
  dead = broker_receive_message (client);
  dead_text = broker_frame_text (dead);
  g_assert_cmpstr (dead_text, ==, text);
  g_assert_cmpstr (stompest_frame_get_header (dead, "original-destination"), ==, queue);
  BROKER_ASSERT_OK (stompest_client_ack (client, dead, NULL, NULL, &error), error);
  BROKER_ASSERT_OK (stompest_client_disconnect_sync (client, NULL, &error), error);
}

static void
test_poison_nack (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_auto(Poison) p = { 0, };

  if (!broker_uri (broker))
    return;

  poison_setup (&p, broker, STOMPEST_FAILURE_POLICY_NACK, "poison-nack");
  BROKER_WAIT_UNTIL (p.handled->len == 2 && p.n_poison >= 1,
                     BROKER_WAIT_MS);

  if (broker->nack_to_dlq)
    {
      /* ActiveMQ does not redeliver a NACKed message: it moves it to its
       * dead-letter queue at once. */
      broker_run_for (1000);
      g_assert_cmpuint (p.n_poison, ==, 1);
      g_assert_null (broker_session_disconnect (p.session));
      assert_in_activemq_dlq (broker, p.queue, "poison");
    }
  else
    {
      /* RabbitMQ requeues it, and it comes back to the same subscription,
       * where it passes this time and is acknowledged. */
      BROKER_WAIT_UNTIL (p.n_poison == 2, BROKER_WAIT_MS);
      g_assert_cmpstr (p.poison_redelivered->pdata[1], ==, "true");
      broker_run_for (300);
      g_assert_cmpuint (p.n_poison, ==, 2);
      g_assert_null (broker_session_disconnect (p.session));
    }
  g_assert_cmpuint (p.handled->len, ==, 2);
  broker_assert_queue_drained (broker_uri (broker), p.queue);
}

static void
on_redelivery (StompestSubscription *subscription,
               StompestMessage      *message,
               GPtrArray            *bodies)
{
  g_ptr_array_add (bodies, body_text (message));
}

static void
test_poison_disconnect (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_auto(Poison) p = { 0, };
  g_autoptr(StompestSession) second = NULL;
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func (g_free);
  StompestSubscription *again;

  if (!broker_uri (broker))
    return;

  poison_setup (&p, broker, STOMPEST_FAILURE_POLICY_DISCONNECT, "poison-disconnect");

  /* The session ends itself on the pill, and stays down. */
  BROKER_WAIT_UNTIL (p.n_disconnected == 1, BROKER_WAIT_MS);
  g_assert_error (p.reason, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (p.reason->message, POISON_ERROR_TEXT));
  broker_run_for (500);
  g_assert_cmpint (stompest_session_get_state (p.session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_cmpuint (p.n_disconnected, ==, 1);
  g_assert_cmpuint (p.n_poison, ==, 1);
  /* What came before the pill was acknowledged; good-1 may have been
   * delivered too, before the session stopped. */
  g_assert_cmpuint (p.handled->len, >=, 1);
  g_assert_cmpstr (p.handled->pdata[0], ==, "good-0");

  /* Neither the pill nor anything after it was acknowledged: the broker
   * gives them to the next consumer. */
  second = broker_session_new (broker_uri (broker));
  broker_session_connect (second);
  again = broker_session_subscribe (second, broker, p.queue, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, 0);
  g_signal_connect (again, "message", G_CALLBACK (on_redelivery), bodies);
  BROKER_WAIT_UNTIL (bodies->len == 3 - p.handled->len, BROKER_WAIT_MS);
  g_assert_cmpstr (bodies->pdata[0], ==, "poison");
  if (bodies->len == 2)
    g_assert_cmpstr (bodies->pdata[1], ==, "good-1");
  g_assert_null (broker_session_disconnect (second));
  broker_assert_queue_drained (broker_uri (broker), p.queue);
}

/* --- shutdown -------------------------------------------------------------- */

typedef struct {
  StompestSession *session;
  GPtrArray *held;              /* StompestMessage */
  GPtrArray *events;            /* char*: completions, receipts, disconnection */
  guint n_confirmed;
} Shutdown;

static void
on_hold (StompestSubscription *subscription,
         StompestMessage      *message,
         Shutdown             *s)
{
  stompest_message_hold (message);
  g_ptr_array_add (s->held, g_object_ref (message));
}

static void
on_shutdown_receipt (StompestSession *session,
                     const char      *receipt_id,
                     Shutdown        *s)
{
  g_ptr_array_add (s->events, g_strdup ("receipt"));
}

static void
on_shutdown_disconnected (StompestSession *session,
                          const GError    *reason,
                          Shutdown        *s)
{
  g_ptr_array_add (s->events, g_strdup (reason == NULL ? "disconnected" : "disconnected:error"));
}

static gboolean
complete_held (gpointer data)
{
  Shutdown *s = data;

  for (guint i = 0; i < s->held->len; i++)
    {
      g_ptr_array_add (s->events, g_strdup ("complete"));
      stompest_message_complete (g_ptr_array_index (s->held, i));
    }
  return G_SOURCE_REMOVE;
}

/* A session holding N_HELD messages of QUEUE. */
static void
shutdown_setup (Shutdown         *s,
                const BrokerInfo *broker,
                const char       *queue)
{
  StompestSubscription *subscription;

  s->held = g_ptr_array_new_with_free_func (g_object_unref);
  s->events = g_ptr_array_new_with_free_func (g_free);
  s->session = broker_session_new (broker_uri (broker));
  broker_session_connect (s->session);
  subscription = broker_session_subscribe (s->session, broker, queue,
                                           STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, 0);
  g_signal_connect (subscription, "message", G_CALLBACK (on_hold), s);
  for (guint i = 0; i < N_HELD; i++)
    {
      g_autofree char *text = g_strdup_printf ("held-%u", i);

      send_text_async (s->session, queue, text, NULL, &s->n_confirmed);
    }
  BROKER_WAIT_UNTIL (s->held->len == N_HELD && s->n_confirmed == N_HELD, BROKER_WAIT_MS);
  g_assert_cmpuint (stompest_session_get_n_in_flight (s->session), ==, N_HELD);
  g_signal_connect (s->session, "receipt", G_CALLBACK (on_shutdown_receipt), s);
  g_signal_connect (s->session, "disconnected", G_CALLBACK (on_shutdown_disconnected), s);
}

static void
shutdown_clear (Shutdown *s)
{
  g_clear_object (&s->session);
  g_clear_pointer (&s->held, g_ptr_array_unref);
  g_clear_pointer (&s->events, g_ptr_array_unref);
}

static void
test_shutdown_graceful (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_autofree char *queue = NULL;
  Shutdown s = { 0, };
  g_autoptr(GError) error = NULL;
  guint n;

  if (!broker_uri (broker))
    return;

  queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, "graceful");
  shutdown_setup (&s, broker, queue);

  /* The handlers finish while the session waits for them. */
  g_timeout_add (300, complete_held, &s);
  error = broker_session_disconnect (s.session);
  g_assert_no_error (error);

  /* Acknowledged first, then DISCONNECT, whose RECEIPT ends the session. */
  n = s.events->len;
  g_assert_cmpuint (n, ==, N_HELD + 2);
  for (guint i = 0; i < N_HELD; i++)
    g_assert_cmpstr (s.events->pdata[i], ==, "complete");
  g_assert_cmpstr (s.events->pdata[n - 2], ==, "receipt");
  g_assert_cmpstr (s.events->pdata[n - 1], ==, "disconnected");
  g_assert_cmpuint (stompest_session_get_n_in_flight (s.session), ==, 0);

  broker_assert_queue_drained (broker_uri (broker), queue);
  shutdown_clear (&s);
}

static void
test_shutdown_timeout (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_autofree char *queue = NULL;
  Shutdown s = { 0, };
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestClient) client = NULL;
  g_autofree char *token = NULL;
  gboolean seen[N_HELD] = { FALSE, };
  guint64 frames_out;
  gint64 t0, took;

  if (!broker_uri (broker))
    return;

  queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, "shutdown-timeout");
  shutdown_setup (&s, broker, queue);
  stompest_session_set_disconnect_timeout (s.session, 500);

  /* The handlers never finish in time. */
  t0 = g_get_monotonic_time ();
  error = broker_session_disconnect (s.session);
  took = (g_get_monotonic_time () - t0) / 1000;
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "5 message(s) still in flight"));
  g_assert_cmpint (took, >=, 500);
  g_assert_cmpint (took, <, 500 + BROKER_WAIT_MS);
  g_assert_cmpstr (s.events->pdata[s.events->len - 1], ==, "disconnected:error");
  g_clear_error (&error);

  /* Finishing them now acknowledges nothing: their connection is gone. */
  frames_out = stompest_session_get_frames_out (s.session);
  complete_held (&s);
  broker_run_for (100);
  g_assert_cmpuint (stompest_session_get_frames_out (s.session), ==, frames_out);

  /* They come back to the next consumer. */
  client = broker_client_new (broker_uri (broker), STOMPEST_VERSION_STOMP_1_2);
  broker_connect (client);
  token = broker_subscribe (client, queue, STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, NULL);
  for (guint i = 0; i < N_HELD; i++)
    {
      g_autoptr(StompestFrame) message = broker_receive_message (client);
      g_autofree char *text = broker_frame_text (message);
      guint64 index = 0;

      g_assert_true (g_str_has_prefix (text, "held-"));
      g_assert_true (g_ascii_string_to_unsigned (text + strlen ("held-"), 10, 0, N_HELD - 1,
                                                 &index, NULL));
      g_assert_false (seen[index]);
      seen[index] = TRUE;
      BROKER_ASSERT_OK (stompest_client_ack (client, message, NULL, NULL, &error), error);
    }
  BROKER_ASSERT_OK (stompest_client_disconnect_sync (client, NULL, &error), error);
  broker_assert_queue_drained (broker_uri (broker), queue);
  shutdown_clear (&s);
}

/* A graceful disconnect right after send_async calls: the broker stores
 * every message, so every send_async should succeed. */

typedef struct {
  guint n_confirmed;
  guint n_failed;
  char *first_failure;
} Outcomes;

static void
on_send_outcome (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Outcomes *outcomes = data;
  g_autoptr(GError) error = NULL;

  if (stompest_session_send_finish (STOMPEST_SESSION (source), result, &error))
    outcomes->n_confirmed++;
  else if (outcomes->n_failed++ == 0)
    outcomes->first_failure = g_strdup (error->message);
}

static void
test_shutdown_pending_receipts (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_autofree char *queue = NULL;
  g_autoptr(StompestSession) session = NULL;
  g_autoptr(GHashTable) headers = NULL;
  g_autoptr(BrokerTally) stored = broker_tally_new (N_CHAIN);
  g_autoptr(StompestClient) client = NULL;
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;
  Outcomes outcomes = { 0, };
  const char *uri;

  if (!(uri = broker_uri (broker)))
    return;

  queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, "pending-receipts");
  session = broker_session_new (uri);
  broker_session_connect (session);
  headers = broker_headers_new ("persistent", "true", NULL);
  for (guint i = 0; i < N_CHAIN; i++)
    {
      g_autoptr(GBytes) body = broker_id_body (i);

      stompest_session_send_async (session, queue, body, headers, G_PRIORITY_DEFAULT, NULL,
                                   on_send_outcome, &outcomes);
    }
  error = broker_session_disconnect (session);
  g_assert_no_error (error);
  BROKER_WAIT_UNTIL (outcomes.n_confirmed + outcomes.n_failed == N_CHAIN, BROKER_WAIT_MS);

  /* What the broker really has. */
  client = broker_client_new (uri, STOMPEST_VERSION_STOMP_1_2);
  broker_connect (client);
  token = broker_subscribe (client, queue, STOMPEST_ACK_MODE_AUTO, NULL);
  while (stored->n_unique < N_CHAIN)
    {
      g_autoptr(StompestFrame) message = broker_receive_message (client);
      guint id;

      if (broker_id_from_body (stompest_frame_get_body (message), &id))
        broker_tally_add (stored, id);
    }
  BROKER_ASSERT_OK (stompest_client_disconnect_sync (client, NULL, &error), error);
  g_assert_cmpuint (broker_tally_duplicates (stored), ==, 0);

  g_test_message ("%s: %u sends confirmed, %u failed (first: %s); the broker stored all %u",
                  broker->name, outcomes.n_confirmed, outcomes.n_failed,
                  outcomes.first_failure != NULL ? outcomes.first_failure : "none", N_CHAIN);
  /* The graceful disconnect waits for the RECEIPTs of earlier sends:
   * RabbitMQ answers DISCONNECT before it confirms them, and a send told
   * CONNECTION_LOST for a message the broker stored would be sent twice
   * by a careful producer. */
  g_assert_cmpuint (outcomes.n_failed, ==, 0);
  g_assert_cmpuint (outcomes.n_confirmed, ==, N_CHAIN);
  g_free (outcomes.first_failure);
}

/* --- flow control ---------------------------------------------------------- */

typedef struct {
  BrokerTally *tally;
  GPtrArray *held;              /* StompestMessage, while holding */
  gboolean holding;
  guint n_dispatched;
  guint max_in_flight_seen;
} Flow;

static void
on_flow_message (StompestSubscription *subscription,
                 StompestMessage      *message,
                 Flow                 *flow)
{
  guint id;

  flow->n_dispatched++;
  flow->max_in_flight_seen = MAX (flow->max_in_flight_seen,
                                  stompest_subscription_get_n_in_flight (subscription));
  if (broker_id_from_body (stompest_message_get_body (message), &id))
    broker_tally_add (flow->tally, id);
  if (flow->holding)
    {
      stompest_message_hold (message);
      g_ptr_array_add (flow->held, g_object_ref (message));
    }
}

/* N messages in QUEUE, as fast as the synchronous client writes them; the
 * RECEIPT of the last one shows the broker has them all. */
static void
prefill (const char *uri,
         const char *queue,
         guint       n)
{
  g_autoptr(StompestClient) client = broker_client_new (uri, STOMPEST_VERSION_STOMP_1_2);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  /* The writes are done long before the broker has stored them all. */
  stompest_client_set_receipt_timeout (client, 12 * BROKER_WAIT_MS);
  broker_connect (client);
  for (guint i = 0; i + 1 < n; i++)
    {
      g_autoptr(GBytes) body = broker_id_body (i);

      BROKER_ASSERT_OK (stompest_client_send (client, queue, body, NULL, NULL, &error), error);
    }
  {
    g_autoptr(GBytes) body = broker_id_body (n - 1);

    broker_send (client, queue, body, NULL);
  }
  BROKER_ASSERT_OK (stompest_client_disconnect_sync (client, NULL, &error), error);
  g_test_message ("pre-filled %u messages in %.2f s", n, (g_get_monotonic_time () - t0) / 1e6);
}

static void
test_flow_control (gconstpointer data)
{
  const BrokerInfo *broker = data;
  g_autofree char *queue = NULL;
  g_autoptr(StompestSession) session = NULL;
  guint n = n_backlog ();
  g_autoptr(BrokerTally) tally = broker_tally_new (n);
  Flow flow = { tally, NULL, TRUE, 0, 0 };
  StompestSubscription *subscription;
  guint64 rss_held, rss_later, rss_end;
  gint64 t0;
  const char *uri;

  if (!(uri = broker_uri (broker)))
    return;

  queue = broker_queue_name (broker, STOMPEST_VERSION_STOMP_1_2, "backlog");
  prefill (uri, queue, n);

  flow.held = g_ptr_array_new_with_free_func (g_object_unref);
  session = broker_session_new (uri);
  broker_session_connect (session);
  subscription = broker_session_subscribe (session, broker, queue,
                                           STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, BACKLOG_PREFETCH);
  stompest_subscription_set_max_in_flight (subscription, MAX_IN_FLIGHT);
  g_signal_connect (subscription, "message", G_CALLBACK (on_flow_message), &flow);

  /* Full: the session stops reading, and nothing more is dispatched
   * however long the handlers take. */
  BROKER_WAIT_UNTIL (flow.held->len == MAX_IN_FLIGHT, BROKER_WAIT_MS);
  rss_held = broker_get_rss_kib ();
  broker_run_for (2000);
  rss_later = broker_get_rss_kib ();
  g_test_message ("%s: %u held, %u dispatched; VmRSS %" G_GUINT64_FORMAT " KiB, "
                  "%" G_GUINT64_FORMAT " KiB 2 s later, with %u messages left on the broker",
                  broker->name, flow.held->len, flow.n_dispatched, rss_held, rss_later,
                  n - flow.n_dispatched);
  g_assert_cmpuint (flow.n_dispatched, ==, MAX_IN_FLIGHT);
  g_assert_cmpuint (stompest_subscription_get_n_in_flight (subscription), ==, MAX_IN_FLIGHT);
  g_assert_cmpuint (rss_later, <, rss_held + 1024);

  /* Released: the backlog flows, never more than MAX_IN_FLIGHT at once. */
  t0 = g_get_monotonic_time ();
  flow.holding = FALSE;
  for (guint i = 0; i < flow.held->len; i++)
    stompest_message_complete (g_ptr_array_index (flow.held, i));
  g_ptr_array_set_size (flow.held, 0);
  BROKER_WAIT_UNTIL (tally->n_unique == n, 30 * BROKER_WAIT_MS);
  rss_end = broker_get_rss_kib ();
  g_test_message ("%s: %u messages drained in %.2f s; VmRSS %" G_GUINT64_FORMAT " KiB at the end",
                  broker->name, n - MAX_IN_FLIGHT,
                  (g_get_monotonic_time () - t0) / 1e6, rss_end);
  g_assert_cmpuint (flow.max_in_flight_seen, <=, MAX_IN_FLIGHT);
  g_assert_cmpuint (broker_tally_duplicates (tally), ==, 0);
  g_assert_cmpuint (tally->n_foreign, ==, 0);
  /* The backlog (several MiB as frames) never landed in the heap.
   * AddressSanitizer's quarantine keeps every freed frame resident, and
   * valgrind's own heap grows with every block it tracks, so there RSS
   * says nothing about what the session holds. */
  if (!stompest_test_under_asan () && !stompest_test_under_valgrind ())
    g_assert_cmpuint (rss_end, <, rss_held + 8 * 1024);

  g_assert_null (broker_session_disconnect (session));
  broker_assert_queue_drained (uri, queue);
  g_ptr_array_unref (flow.held);
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    GTestDataFunc func;
  } cases[] = {
    { "transformer", test_transformer },
    { "poison-pill/error-destination", test_poison_error_destination },
    { "poison-pill/nack", test_poison_nack },
    { "poison-pill/disconnect", test_poison_disconnect },
    { "shutdown/graceful", test_shutdown_graceful },
    { "shutdown/timeout", test_shutdown_timeout },
    { "shutdown/pending-receipts", test_shutdown_pending_receipts },
    { "flow-control", test_flow_control },
  };

  stompest_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    broker_add_test ("session-broker", cases[i].name, cases[i].func);

  return g_test_run ();
}

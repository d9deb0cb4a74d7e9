/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "test-utils.h"

G_BEGIN_DECLS

/* Shared by the integration tests against the real brokers of
 * scripts/run-tests.sh: StompestClient (client-broker-test.c,
 * client-broker-restart-test.c), StompestSession (session-broker-test.c)
 * and fault injection (fault-test.c). */

/* What differs between the two brokers, as measured (see
 * /work/shared/notes/brokers.md and the tests). */
typedef struct {
  const char *name;             /* path component and brokerctl prefix */
  const char *uri_var;          /* STOMPEST_TEST_*_URI */
  const char *tls_uri_var;      /* STOMPEST_TEST_*_TLS_URI */
  const char *stomp_port_var;   /* STOMPEST_TEST_*_STOMP_PORT */
  const char *stomps_port_var;  /* STOMPEST_TEST_*_STOMPS_PORT */
  const char *pid_file_var;     /* STOMPEST_TEST_*_PID_FILE: the broker's process */
  const char *prefetch_header;  /* SUBSCRIBE header that bounds unacked deliveries */
  const char *server_prefix;    /* start of the CONNECTED `server` header */
  gboolean nack_to_dlq;         /* NACK moves to ActiveMQ.DLQ, no redelivery */
  gboolean checks_destinations; /* ERROR for a destination such as /queue/a/b */
  gboolean requires_login;      /* ERROR for a wrong passcode */
  gboolean escapes_1_0;         /* escapes `:` as in 1.1 when talking 1.0 */
} BrokerInfo;

extern const BrokerInfo broker_infos[2];

/* Adds FUNC as /SUITE/<broker>/NAME for each broker, with its BrokerInfo
 * as the data. */
void broker_add_test (const char    *suite,
                      const char    *name,
                      GTestDataFunc  func);
extern const StompestVersion broker_versions[3];

/* Asserts that CALL succeeded, showing ERROR (which it sets) if not. */
#define BROKER_ASSERT_OK(call, error) G_STMT_START { \
    gboolean broker_ok_ = (call); \
    g_assert_no_error (error); \
    g_assert_true (broker_ok_); \
  } G_STMT_END

/* Generous timeouts: two brokers and the build share two cores, and
 * valgrind makes the client some 20 times slower; 60 s under valgrind
 * and ASan, 10 s otherwise. */
#define BROKER_WAIT_MS (broker_wait_ms ())
guint           broker_wait_ms            (void);

/* A destination no other test or run has used:
 * /queue/stompest-it-<pid>-<time>-<broker>-<version>-<label>. */
char           *broker_queue_name         (const BrokerInfo *broker,
                                           StompestVersion   version,
                                           const char       *label);

/* A client for URI offering up to VERSION, with BROKER_WAIT_MS timeouts. */
StompestClient *broker_client_new         (const char       *uri,
                                           StompestVersion   version);

void            broker_connect            (StompestClient   *client);

/* NULL-terminated name/value pairs; the table keeps the pointers. */
GHashTable     *broker_headers_new        (const char       *first_name,
                                           ...) G_GNUC_NULL_TERMINATED;

/* A fresh receipt id. */
char           *broker_receipt_new        (void);

/* Subscribes with a receipt, so no message sent afterwards is missed;
 * NULL-terminated extra header pairs. Returns the token. */
char           *broker_subscribe          (StompestClient   *client,
                                           const char       *destination,
                                           StompestAckMode   mode,
                                           ...) G_GNUC_NULL_TERMINATED;

/* Sends BODY with a receipt and the NULL-terminated extra header pairs,
 * and asserts it worked. */
void            broker_send               (StompestClient   *client,
                                           const char       *destination,
                                           GBytes           *body,
                                           ...) G_GNUC_NULL_TERMINATED;
void            broker_send_text          (StompestClient   *client,
                                           const char       *destination,
                                           const char       *text,
                                           ...) G_GNUC_NULL_TERMINATED;

/* The next frame, which must be a MESSAGE, within BROKER_WAIT_MS. */
StompestFrame  *broker_receive_message    (StompestClient   *client);

/* The body of a text message, as a string. */
char           *broker_frame_text         (StompestFrame    *frame);

/* Receives messages until one whose body is SENTINEL; returns the bodies
 * before it (not the sentinel), acknowledging each when ACK. */
GPtrArray      *broker_receive_until      (StompestClient   *client,
                                           const char       *sentinel,
                                           gboolean          ack);

/* MESSAGE belongs to the subscription of TOKEN. */
void            broker_assert_subscription (StompestFrame   *message,
                                            const char      *token);

/* A socket bound to a free 127.0.0.1 port, not listening: connects to
 * the port are refused while it exists, and nobody else can take it. */
GSocket        *broker_bound_socket_new   (guint16          *port);

/* The fixture itself: brokerctl.sh, to kill, restart or add brokers. */

/* Whether $STOMPEST_TEST_BROKERCTL, $STOMPEST_TEST_BROKER_DIR and the
 * ports and URI of BROKER are set; skips the test (g_test_skip) if not. */
gboolean        broker_require_fixture    (const BrokerInfo *broker);

/* Runs `brokerctl.sh COMMAND [ARG]` for the instances of the tests
 * (BROKER_DIR, CERT_DIR and the ports from the STOMPEST_TEST_* variables),
 * plus the NULL-terminated NAME=VALUE strings of EXTRA_ENV, which win.
 * Fails the test, with the script's output, when the script fails. */
void            broker_ctl                (const char         *command,
                                           const char         *arg,
                                           const char * const *extra_env);

/* `brokerctl.sh <broker>-COMMAND [ARG]` for the shared instance. */
void            broker_ctl_shared         (const BrokerInfo   *broker,
                                           const char         *command,
                                           const char         *arg);

/* `brokerctl.sh <broker>-sync`: the broker has the queues declared so
 * far on disk, so that a kill after it tests the client, not the seconds
 * RabbitMQ takes to write a new queue down (see brokerctl.sh). */
void            broker_sync               (const BrokerInfo   *broker);

/* `brokerctl.sh <broker>-kill`, then waits until the STOMP port refuses
 * connections: brokerctl returns once the main thread is gone, and the
 * other threads of a busy JVM may still hold the listening socket, which
 * makes an immediate `<broker>-start` fail with "port already in use". */
void            broker_kill               (const BrokerInfo   *broker);

/* The pid of the broker's process (the Erlang VM or the JVM), from
 * $STOMPEST_TEST_*_PID_FILE; fails the test if there is none. */
GPid            broker_get_pid            (const BrokerInfo   *broker);

/* StompestSession on the default main context. */

/* Iterates the default main context once; a waker source makes it return
 * within 50 ms even when nothing happens. */
void            broker_iterate            (void);

/* Iterates until COND holds; fails the test after TIMEOUT_MS. */
#define BROKER_WAIT_UNTIL(cond, timeout_ms) \
  G_STMT_START { \
    gint64 broker_deadline_ = g_get_monotonic_time () + (gint64) (timeout_ms) * 1000; \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > broker_deadline_) \
          g_error ("%s:%d: timed out after %u ms waiting for: %s", \
                   __FILE__, __LINE__, (guint) (timeout_ms), #cond); \
        broker_iterate (); \
      } \
  } G_STMT_END

/* Iterates for MS milliseconds. */
void            broker_run_for            (guint             ms);

/* A session for URI with BROKER_WAIT_MS timeouts. */
StompestSession *broker_session_new       (const char       *uri);

/* Connects, iterating until done; asserts it worked. */
void            broker_session_connect    (StompestSession  *session);

/* Disconnects gracefully, iterating until done; the error, or NULL. */
GError         *broker_session_disconnect (StompestSession  *session);

/* Subscribes with the broker's prefetch set to PREFETCH (none with 0);
 * asserts it worked. (transfer none: the session owns it) */
StompestSubscription *broker_session_subscribe (StompestSession  *session,
                                                const BrokerInfo *broker,
                                                const char       *destination,
                                                StompestAckMode   mode,
                                                guint             prefetch);

/* Asserts that nothing is left in QUEUE of URI: a new consumer gets the
 * sentinel it sends itself, and nothing before it. */
void            broker_assert_queue_drained (const char     *uri,
                                             const char     *queue);

/* Numbered messages, counted end to end. */

/* The body of message ID of a stream: "<id>", zero-padded. */
GBytes         *broker_id_body            (guint             id);
/* The id in BODY; FALSE (and fails the test) when BODY is not one. */
gboolean        broker_id_from_body       (GBytes           *body,
                                           guint            *id);

/* How often each id of 0..N-1 was seen. */
typedef struct {
  guint n;
  guint8 *counts;               /* saturates at 255 */
  guint n_unique;
  guint64 n_seen;               /* duplicates included */
  guint n_foreign;              /* ids out of range */
} BrokerTally;

BrokerTally    *broker_tally_new          (guint             n);
void            broker_tally_free         (BrokerTally      *tally);
/* Counts ID; returns how often it was seen before. */
guint           broker_tally_add          (BrokerTally      *tally,
                                           guint             id);
gboolean        broker_tally_has          (BrokerTally      *tally,
                                           guint             id);
guint           broker_tally_missing      (BrokerTally      *tally);
guint64         broker_tally_duplicates   (BrokerTally      *tally);
/* "none" or the first few missing ids and their count. */
char           *broker_tally_describe_missing (BrokerTally  *tally);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BrokerTally, broker_tally_free)

/* The resident set size of this process, in KiB (VmRSS). */
guint64         broker_get_rss_kib        (void);

G_END_DECLS

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "test-utils.h"

G_BEGIN_DECLS

/* Shared by the integration tests of StompestClient against the real
 * brokers of scripts/run-tests.sh (client-broker-test.c and
 * client-broker-restart-test.c). */

/* What differs between the two brokers, as measured (see
 * /work/shared/notes/brokers.md and the tests). */
typedef struct {
  const char *name;             /* path component and brokerctl prefix */
  const char *uri_var;          /* STOMPEST_TEST_*_URI */
  const char *tls_uri_var;      /* STOMPEST_TEST_*_TLS_URI */
  const char *stomp_port_var;   /* STOMPEST_TEST_*_STOMP_PORT */
  const char *stomps_port_var;  /* STOMPEST_TEST_*_STOMPS_PORT */
  const char *server_prefix;    /* start of the CONNECTED `server` header */
  gboolean nack_to_dlq;         /* NACK moves to ActiveMQ.DLQ, no redelivery */
  gboolean checks_destinations; /* ERROR for a destination such as /queue/a/b */
  gboolean requires_login;      /* ERROR for a wrong passcode */
  gboolean escapes_1_0;         /* escapes `:` as in 1.1 when talking 1.0 */
} BrokerInfo;

extern const BrokerInfo broker_infos[2];
extern const StompestVersion broker_versions[3];

/* Asserts that CALL succeeded, showing ERROR (which it sets) if not. */
#define BROKER_ASSERT_OK(call, error) G_STMT_START { \
    gboolean broker_ok_ = (call); \
    g_assert_no_error (error); \
    g_assert_true (broker_ok_); \
  } G_STMT_END

/* Generous timeouts: two brokers and the build share two cores. */
#define BROKER_WAIT_MS 10000

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

G_END_DECLS

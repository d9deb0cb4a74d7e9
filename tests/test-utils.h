/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stompest-glib/stompest-glib.h>

G_BEGIN_DECLS

void stompest_test_init (int    *argc,
                         char ***argv);

/* Whether the test runs under valgrind: the `valgrind` test setup of
 * meson.build sets STOMPEST_TEST_UNDER_VALGRIND. */
gboolean stompest_test_under_valgrind (void);

/* Whether this build has AddressSanitizer (-Db_sanitize=address). */
gboolean stompest_test_under_asan     (void);

/* Log capture. Call stompest_test_log_capture_install() from main(),
 * before the tests start: every log line then goes through a writer that,
 * between stompest_test_log_capture_begin() and _end(), keeps the text of
 * each line, whatever thread logs it; debug and info lines are never
 * printed (they would garble the TAP output). _end() returns the lines,
 * one per line. (transfer full) */
void  stompest_test_log_capture_install (void);
void  stompest_test_log_capture_begin   (void);
char *stompest_test_log_capture_end     (void);

/* A path inside the source tree's tests/ folder (G_TEST_SRCDIR). */
char *stompest_test_get_filename (const char *first_part,
                                  ...) G_GNUC_NULL_TERMINATED;

/* For tests against real brokers: the value of the environment variable
 * VAR (a broker URI that scripts/run-tests.sh exports), or NULL after
 * g_test_skip() when it is unset, so a test starts with
 *   if (!(uri = stompest_test_broker_uri_from_env ("STOMPEST_TEST_RABBITMQ_URI"))) return; */
const char *stompest_test_broker_uri_from_env (const char *var);

/* The in-process fake broker.
 *
 * It listens on 127.0.0.1:0 (or on a Unix socket in a fresh temporary
 * folder with UNIX_SOCKET) and serves each accepted connection on its own
 * GMainContext: in a thread of its own with IN_THREAD (needed by the
 * blocking StompestClient), else on the thread-default context of the
 * caller of stompest_test_broker_new(), which the test then iterates.
 *
 * Every client frame is parsed with a StompestParser, logged (see
 * stompest_test_broker_pop_frame) and handed to the frame function. When
 * there is none, or it returns FALSE, the broker behaves like a tiny real
 * one (stompest_test_connection_reply_default): CONNECT/STOMP → CONNECTED
 * with the highest common version (or ERROR "Version mismatch"), a RECEIPT
 * for every frame with a `receipt` header, SEND → MESSAGE to every matching
 * SUBSCRIBE of any connection, DISCONNECT → RECEIPT and close.
 *
 * Replies are actions queued per connection and run in order on the
 * broker's context: frames, raw bytes, bytes dribbled one at a time,
 * pauses and a close. The stompest_test_connection_*() calls are
 * thread-safe. With DIRECT, connections are not served at all: the test
 * takes each raw server stream with stompest_test_broker_accept_direct()
 * and drives it itself. */
typedef enum {
  STOMPEST_TEST_BROKER_DEFAULT     = 0,
  STOMPEST_TEST_BROKER_IN_THREAD   = 1 << 0,
  STOMPEST_TEST_BROKER_UNIX_SOCKET = 1 << 1,
  STOMPEST_TEST_BROKER_DIRECT      = 1 << 2,
} StompestTestBrokerFlags;

typedef struct _StompestTestBroker StompestTestBroker;
typedef struct _StompestTestConnection StompestTestConnection;

/* Called on the broker's context for each frame a client sent. Return
 * TRUE when the frame was answered (or is to be ignored: a broker that
 * never answers), FALSE for the default reply. */
typedef gboolean (*StompestTestFrameFunc) (StompestTestConnection *connection,
                                           StompestFrame          *frame,
                                           gpointer                user_data);

StompestTestBroker     *stompest_test_broker_new             (StompestTestBrokerFlags  flags);
void                    stompest_test_broker_free            (StompestTestBroker      *broker);

/* "tcp://127.0.0.1:PORT" or "unix:///tmp/…/broker.sock". */
const char             *stompest_test_broker_get_uri         (StompestTestBroker      *broker);

/* Set before the first client connects. */
void                    stompest_test_broker_set_frame_func  (StompestTestBroker      *broker,
                                                              StompestTestFrameFunc    func,
                                                              gpointer                 user_data);
/* The highest version the default CONNECT reply accepts (default 1.2). */
void                    stompest_test_broker_set_max_version (StompestTestBroker      *broker,
                                                              StompestVersion          version);
/* The `heart-beat` header of the default CONNECTED (default "0,0"). The
 * broker promises but never sends beats: a silent server. */
void                    stompest_test_broker_set_heart_beat  (StompestTestBroker      *broker,
                                                              guint                    send_ms,
                                                              guint                    receive_ms);
/* With TRUE, the default reply to a SEND with a receipt is the RECEIPT
 * before the MESSAGEs (ActiveMQ); by default after them (RabbitMQ). */
void                    stompest_test_broker_set_receipt_first (StompestTestBroker    *broker,
                                                                gboolean               receipt_first);

/* The next frame received on any connection, in arrival order, or NULL
 * when none arrives within TIMEOUT_MS. (transfer full) */
StompestFrame          *stompest_test_broker_pop_frame       (StompestTestBroker      *broker,
                                                              guint                    timeout_ms);
/* Pops frames until one with COMMAND; NULL on timeout. (transfer full) */
StompestFrame          *stompest_test_broker_pop_command     (StompestTestBroker      *broker,
                                                              const char              *command,
                                                              guint                    timeout_ms);
guint                   stompest_test_broker_get_n_connections (StompestTestBroker    *broker);
/* Waits until connection INDEX (0-based, in accept order) exists.
 * (transfer none, valid until the broker is freed) */
StompestTestConnection *stompest_test_broker_get_connection  (StompestTestBroker      *broker,
                                                              guint                    index,
                                                              guint                    timeout_ms);
/* Heart-beat EOLs received on all connections so far. */
guint64                 stompest_test_broker_get_heart_beats (StompestTestBroker      *broker);

/* DIRECT mode: the next accepted server stream, or NULL on timeout.
 * (transfer full) */
GIOStream              *stompest_test_broker_accept_direct   (StompestTestBroker      *broker,
                                                              guint                    timeout_ms);

StompestTestBroker     *stompest_test_connection_get_broker  (StompestTestConnection  *connection);
guint                   stompest_test_connection_get_index   (StompestTestConnection  *connection);
/* The version frames are written and parsed in: 1.2 until a CONNECTED
 * frame is queued, then the one in its `version` header. */
StompestVersion         stompest_test_connection_get_version (StompestTestConnection  *connection);
/* Waits until the peer closed the connection or the broker did; FALSE on
 * timeout. */
gboolean                stompest_test_connection_wait_closed (StompestTestConnection  *connection,
                                                              guint                    timeout_ms);

/* Queued actions, run in order. */
void                    stompest_test_connection_send_frame  (StompestTestConnection  *connection,
                                                              StompestFrame           *frame);
void                    stompest_test_connection_send_raw    (StompestTestConnection  *connection,
                                                              const char              *data,
                                                              gssize                   len);
/* Writes DATA one byte at a time, with a 1 ms pause between bytes. */
void                    stompest_test_connection_dribble     (StompestTestConnection  *connection,
                                                              const char              *data,
                                                              gssize                   len);
void                    stompest_test_connection_delay       (StompestTestConnection  *connection,
                                                              guint                    delay_ms);
void                    stompest_test_connection_close       (StompestTestConnection  *connection);
/* The broker's own answer to FRAME, for frame functions that add to it. */
void                    stompest_test_connection_reply_default (StompestTestConnection *connection,
                                                                StompestFrame          *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StompestTestBroker, stompest_test_broker_free)

G_END_DECLS

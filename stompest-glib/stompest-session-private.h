/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "stompest-session.h"

G_BEGIN_DECLS

/* The session, its subscriptions and their messages call each other
 * through these; all of it runs in the session's main context. */

/* Subscriptions. */
StompestSubscription *stompest_subscription_new           (StompestSession      *session,
                                                           const char           *token,
                                                           const char           *destination,
                                                           StompestAckMode       ack_mode);
/* The subscription ended (unsubscribed, disconnected, session gone). */
void                  stompest_subscription_detach        (StompestSubscription *subscription);
/* Adds DELTA to n-in-flight; NOTIFY says whether to notify it (also
 * when DELTA is 0: a change made quietly stayed). */
void                  stompest_subscription_add_in_flight (StompestSubscription *subscription,
                                                           int                   delta,
                                                           gboolean              notify);
/* Whether max-in-flight messages are held. */
gboolean              stompest_subscription_is_full       (StompestSubscription *subscription);
void                  stompest_subscription_emit_message  (StompestSubscription *subscription,
                                                           StompestMessage      *message);

/* Messages. The session holds a message while its signals are emitted
 * (see stompest_message_end_dispatch); it is finished once that and
 * every hold the application took have ended. */
/* A message for FRAME, made from *SPARE (taken) when there is one. */
StompestMessage      *stompest_message_new                (StompestSession      *session,
                                                           StompestSubscription *subscription,
                                                           StompestFrame        *frame,
                                                           guint                 generation,
                                                           StompestMessage     **spare);
void                  stompest_message_end_dispatch       (StompestMessage      *message);
/* Drops the caller's reference to MESSAGE. When nothing else can see it
 * any more (no reference, data, weak reference or signal handler) and
 * *SPARE is empty, it goes there instead of being finalized, emptied, for
 * the next stompest_message_new(): a GObject per MESSAGE costs more than
 * the rest of its delivery. */
void                  stompest_message_release            (StompestMessage      *message,
                                                           StompestMessage     **spare);
/* The connection the message came on, which alone may acknowledge it. */
guint                 stompest_message_get_generation     (StompestMessage      *message);
/* TRUE once acknowledged or rejected through the session's ack/nack. */
gboolean              stompest_message_get_settled        (StompestMessage      *message);
void                  stompest_message_set_settled        (StompestMessage      *message);

/* The session. */
/* MESSAGE has just finished: acknowledge it or apply the failure policy,
 * and let the socket be read again if it was paused for it. */
void                  stompest_session_message_finished   (StompestSession      *session,
                                                           StompestMessage      *message);
/* Reading may resume (a message finished, flow control changed). */
void                  stompest_session_update_reading     (StompestSession      *session);
/* A subscription's max-in-flight changed. */
void                  stompest_session_bounds_changed     (StompestSession      *session);
/* How many vectored writes the session started, for tests. */
guint64               stompest_session_get_n_writes       (StompestSession      *session);

G_END_DECLS

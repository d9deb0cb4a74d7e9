/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "stompest-types.h"
#include "stompest-message.h"

G_BEGIN_DECLS

/**
 * StompestFailurePolicy:
 * @STOMPEST_FAILURE_POLICY_NACK: the default: NACK the message, so the
 *   broker redelivers it or moves it to its dead-letter queue. STOMP 1.0
 *   has no NACK: there the session acts as with
 *   %STOMPEST_FAILURE_POLICY_DISCONNECT
 * @STOMPEST_FAILURE_POLICY_ERROR_DESTINATION: stompest's poison-pill rule:
 *   send a copy of the message to
 *   [property@Stompest.Subscription:error-destination] (persistent, with a
 *   `message-failed` header holding the error), then acknowledge the
 *   original; without an error destination the message is NACKed
 * @STOMPEST_FAILURE_POLICY_DISCONNECT: acknowledge nothing and end the
 *   session gracefully, with the handler's error as the reason of
 *   [signal@Stompest.Session::disconnected]; the session does not
 *   reconnect, and the broker redelivers the message to another consumer
 *   (STOMP 1.0's way of refusing a message)
 *
 * What a [class@Stompest.Session] does with a message whose handler
 * reported a failure with [method@Stompest.Message.fail]. No policy
 * acknowledges a failed message as if it had been processed: only
 * %STOMPEST_FAILURE_POLICY_ERROR_DESTINATION acknowledges it, after the
 * copy was queued before the ACK on the same connection.
 *
 * With %STOMPEST_ACK_MODE_AUTO the broker forgets a message as soon as it
 * sent it, so there is nothing to NACK: only
 * %STOMPEST_FAILURE_POLICY_ERROR_DESTINATION and
 * %STOMPEST_FAILURE_POLICY_DISCONNECT do something then.
 *
 * Since: 0.1
 */
typedef enum {
  STOMPEST_FAILURE_POLICY_NACK,
  STOMPEST_FAILURE_POLICY_ERROR_DESTINATION,
  STOMPEST_FAILURE_POLICY_DISCONNECT,
} StompestFailurePolicy;

#define STOMPEST_TYPE_SUBSCRIPTION (stompest_subscription_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestSubscription, stompest_subscription, STOMPEST, SUBSCRIPTION, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestSession       *stompest_subscription_get_session           (StompestSubscription  *subscription);
STOMPEST_AVAILABLE_IN_ALL
const char            *stompest_subscription_get_destination       (StompestSubscription  *subscription);
STOMPEST_AVAILABLE_IN_ALL
const char            *stompest_subscription_get_token             (StompestSubscription  *subscription);
STOMPEST_AVAILABLE_IN_ALL
StompestAckMode        stompest_subscription_get_ack_mode          (StompestSubscription  *subscription);
STOMPEST_AVAILABLE_IN_ALL
gboolean               stompest_subscription_is_active             (StompestSubscription  *subscription);
STOMPEST_AVAILABLE_IN_ALL
guint                  stompest_subscription_get_n_in_flight       (StompestSubscription  *subscription);

STOMPEST_AVAILABLE_IN_ALL
guint                  stompest_subscription_get_max_in_flight     (StompestSubscription  *subscription);
STOMPEST_AVAILABLE_IN_ALL
void                   stompest_subscription_set_max_in_flight     (StompestSubscription  *subscription,
                                                                    guint                  max_in_flight);
STOMPEST_AVAILABLE_IN_ALL
const char            *stompest_subscription_get_error_destination (StompestSubscription  *subscription);
STOMPEST_AVAILABLE_IN_ALL
void                   stompest_subscription_set_error_destination (StompestSubscription  *subscription,
                                                                    const char            *error_destination);
STOMPEST_AVAILABLE_IN_ALL
StompestFailurePolicy  stompest_subscription_get_failure_policy    (StompestSubscription  *subscription);
STOMPEST_AVAILABLE_IN_ALL
void                   stompest_subscription_set_failure_policy    (StompestSubscription  *subscription,
                                                                    StompestFailurePolicy  policy);

G_END_DECLS

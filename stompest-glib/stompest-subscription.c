/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "stompest-connection-private.h"
#include "stompest-enum-types.h"
#include "stompest-session-private.h"
#include "stompest-subscription.h"

/**
 * StompestSubscription:
 *
 * A subscription of a [class@Stompest.Session] to a destination, made
 * with [method@Stompest.Session.subscribe].
 *
 * Its [signal@Stompest.Subscription::message] signal delivers the
 * subscription's messages as [class@Stompest.Message] objects, before
 * the session-wide [signal@Stompest.Session::message]. What happens to a
 * message after its handlers is set here:
 *
 * - [property@Stompest.Subscription:ack-mode]: with `client` or
 *   `client-individual`, the session acknowledges each message once its
 *   handling finished successfully, never before.
 * - [property@Stompest.Subscription:failure-policy] and
 *   [property@Stompest.Subscription:error-destination]: what to do with a
 *   message whose handler failed. The default never acknowledges it.
 * - [property@Stompest.Subscription:max-in-flight]: flow control. When
 *   that many messages of the subscription are held by handlers, the
 *   session stops reading the socket until one finishes, so the broker,
 *   not the application's heap, keeps the backlog. RECEIPTs and
 *   heart-beats are not read either meanwhile: a handler that waits for
 *   the RECEIPT of a message it sends must not use it (see the property).
 *
 * Brokers also limit how many unacknowledged messages they send a
 * consumer: pass `activemq.prefetchSize` (ActiveMQ) or `prefetch-count`
 * (RabbitMQ) in the headers given to [method@Stompest.Session.subscribe];
 * a prefetch of about max-in-flight keeps both limits in step.
 *
 * A subscription survives reconnects: the session replays it on every
 * new connection under the same token. It ends with
 * [method@Stompest.Session.unsubscribe], a clean
 * [method@Stompest.Session.disconnect_async], or the end of the session;
 * [property@Stompest.Subscription:active] then turns %FALSE.
 *
 * Since: 0.1
 */

struct _StompestSubscription
{
  GObject parent_instance;

  StompestSession *session;     /* weak: cleared by detach */
  char *token;
  char *destination;
  StompestAckMode ack_mode;
  guint max_in_flight;
  char *error_destination;
  StompestFailurePolicy failure_policy;
  guint n_in_flight;
};

G_DEFINE_FINAL_TYPE (StompestSubscription, stompest_subscription, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_DESTINATION,
  PROP_TOKEN,
  PROP_ACK_MODE,
  PROP_ACTIVE,
  PROP_N_IN_FLIGHT,
  PROP_MAX_IN_FLIGHT,
  PROP_ERROR_DESTINATION,
  PROP_FAILURE_POLICY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

StompestSubscription *
stompest_subscription_new (StompestSession *session,
                           const char      *token,
                           const char      *destination,
                           StompestAckMode  ack_mode)
{
  StompestSubscription *self = g_object_new (STOMPEST_TYPE_SUBSCRIPTION, NULL);

  self->session = session;
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &self->session);
  self->token = g_strdup (token);
  self->destination = g_strdup (destination);
  self->ack_mode = ack_mode;
  return self;
}

void
stompest_subscription_detach (StompestSubscription *subscription)
{
  if (subscription->session == NULL)
    return;

  g_object_remove_weak_pointer (G_OBJECT (subscription->session),
                                (gpointer *) &subscription->session);
  subscription->session = NULL;
  g_object_notify_by_pspec (G_OBJECT (subscription), properties[PROP_ACTIVE]);
  g_object_notify_by_pspec (G_OBJECT (subscription), properties[PROP_SESSION]);
}

void
stompest_subscription_add_in_flight (StompestSubscription *subscription,
                                     int                   delta,
                                     gboolean              notify)
{
  subscription->n_in_flight += delta;
  if (notify)
    g_object_notify_by_pspec (G_OBJECT (subscription), properties[PROP_N_IN_FLIGHT]);
}

gboolean
stompest_subscription_is_full (StompestSubscription *subscription)
{
  return subscription->max_in_flight > 0 &&
         subscription->n_in_flight >= subscription->max_in_flight;
}

void
stompest_subscription_emit_message (StompestSubscription *subscription,
                                    StompestMessage      *message)
{
  g_signal_emit (subscription, signals[SIGNAL_MESSAGE], 0, message);
}

/**
 * stompest_subscription_get_session:
 * @subscription: a subscription
 *
 * Gives the session the subscription belongs to, while it is active.
 *
 * Returns: (transfer none) (nullable): the session, or %NULL once the
 *   subscription ended
 *
 * Since: 0.1
 */
StompestSession *
stompest_subscription_get_session (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), NULL);

  return subscription->session;
}

/**
 * stompest_subscription_get_destination:
 * @subscription: a subscription
 *
 * Gives the destination subscribed to.
 *
 * Returns: the destination
 *
 * Since: 0.1
 */
const char *
stompest_subscription_get_destination (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), NULL);

  return subscription->destination;
}

/**
 * stompest_subscription_get_token:
 * @subscription: a subscription
 *
 * Gives the token that names the subscription: its `id` (in STOMP 1.0
 * without an id, its destination). MESSAGE frames carry it in their
 * `subscription` header.
 *
 * Returns: the token
 *
 * Since: 0.1
 */
const char *
stompest_subscription_get_token (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), NULL);

  return subscription->token;
}

/**
 * stompest_subscription_get_ack_mode:
 * @subscription: a subscription
 *
 * Gives how the messages of the subscription are acknowledged.
 *
 * Returns: the ack mode
 *
 * Since: 0.1
 */
StompestAckMode
stompest_subscription_get_ack_mode (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), STOMPEST_ACK_MODE_AUTO);

  return subscription->ack_mode;
}

/**
 * stompest_subscription_is_active:
 * @subscription: a subscription
 *
 * Tells whether the subscription is still part of its session (it is
 * also while the session reconnects).
 *
 * Returns: %TRUE while active
 *
 * Since: 0.1
 */
gboolean
stompest_subscription_is_active (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), FALSE);

  return subscription->session != NULL;
}

/**
 * stompest_subscription_get_n_in_flight:
 * @subscription: a subscription
 *
 * Gives how many messages of the subscription are being handled: in
 * their signal emission or held.
 *
 * Returns: the number of messages in flight
 *
 * Since: 0.1
 */
guint
stompest_subscription_get_n_in_flight (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), 0);

  return subscription->n_in_flight;
}

/**
 * stompest_subscription_get_max_in_flight:
 * @subscription: a subscription
 *
 * Gives the flow-control limit.
 *
 * Returns: the most messages in flight before reading stops; 0 for no
 *   limit
 *
 * Since: 0.1
 */
guint
stompest_subscription_get_max_in_flight (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), 0);

  return subscription->max_in_flight;
}

/**
 * stompest_subscription_set_max_in_flight:
 * @subscription: a subscription
 * @max_in_flight: the most messages in flight before reading stops; 0
 *   for no limit
 *
 * Sets the flow-control limit; see
 * [property@Stompest.Subscription:max-in-flight].
 *
 * Since: 0.1
 */
void
stompest_subscription_set_max_in_flight (StompestSubscription *subscription,
                                         guint                 max_in_flight)
{
  g_return_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription));

  if (!stompest_connection_set_uint (G_OBJECT (subscription), &subscription->max_in_flight,
                                     max_in_flight, properties[PROP_MAX_IN_FLIGHT]))
    return;

  if (subscription->session != NULL)
    stompest_session_bounds_changed (subscription->session);
}

/**
 * stompest_subscription_get_error_destination:
 * @subscription: a subscription
 *
 * Gives where messages whose handling failed are forwarded to.
 *
 * Returns: (nullable): the error destination, or %NULL for none
 *
 * Since: 0.1
 */
const char *
stompest_subscription_get_error_destination (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), NULL);

  return subscription->error_destination;
}

/**
 * stompest_subscription_set_error_destination:
 * @subscription: a subscription
 * @error_destination: (nullable): a destination such as
 *   `/queue/work.failed`, or %NULL for none
 *
 * Sets where messages whose handling failed are forwarded to under
 * %STOMPEST_FAILURE_POLICY_ERROR_DESTINATION.
 *
 * Since: 0.1
 */
void
stompest_subscription_set_error_destination (StompestSubscription *subscription,
                                             const char           *error_destination)
{
  g_return_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription));

  stompest_connection_set_string (G_OBJECT (subscription), &subscription->error_destination,
                                  error_destination, properties[PROP_ERROR_DESTINATION]);
}

/**
 * stompest_subscription_get_failure_policy:
 * @subscription: a subscription
 *
 * Gives what happens to a message whose handling failed.
 *
 * Returns: the policy
 *
 * Since: 0.1
 */
StompestFailurePolicy
stompest_subscription_get_failure_policy (StompestSubscription *subscription)
{
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), STOMPEST_FAILURE_POLICY_NACK);

  return subscription->failure_policy;
}

/**
 * stompest_subscription_set_failure_policy:
 * @subscription: a subscription
 * @policy: the policy
 *
 * Sets what happens to a message whose handling failed; see
 * [enum@Stompest.FailurePolicy].
 *
 * Since: 0.1
 */
void
stompest_subscription_set_failure_policy (StompestSubscription  *subscription,
                                          StompestFailurePolicy  policy)
{
  g_return_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription));

  if (subscription->failure_policy == policy)
    return;

  subscription->failure_policy = policy;
  g_object_notify_by_pspec (G_OBJECT (subscription), properties[PROP_FAILURE_POLICY]);
}

static void
stompest_subscription_dispose (GObject *object)
{
  stompest_subscription_detach (STOMPEST_SUBSCRIPTION (object));

  G_OBJECT_CLASS (stompest_subscription_parent_class)->dispose (object);
}

static void
stompest_subscription_finalize (GObject *object)
{
  StompestSubscription *self = STOMPEST_SUBSCRIPTION (object);

  g_free (self->token);
  g_free (self->destination);
  g_free (self->error_destination);

  G_OBJECT_CLASS (stompest_subscription_parent_class)->finalize (object);
}

static void
stompest_subscription_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  StompestSubscription *self = STOMPEST_SUBSCRIPTION (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_DESTINATION:
      g_value_set_string (value, self->destination);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_ACK_MODE:
      g_value_set_enum (value, self->ack_mode);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->session != NULL);
      break;
    case PROP_N_IN_FLIGHT:
      g_value_set_uint (value, self->n_in_flight);
      break;
    case PROP_MAX_IN_FLIGHT:
      g_value_set_uint (value, self->max_in_flight);
      break;
    case PROP_ERROR_DESTINATION:
      g_value_set_string (value, self->error_destination);
      break;
    case PROP_FAILURE_POLICY:
      g_value_set_enum (value, self->failure_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_subscription_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  StompestSubscription *self = STOMPEST_SUBSCRIPTION (object);

  switch (prop_id)
    {
    case PROP_MAX_IN_FLIGHT:
      stompest_subscription_set_max_in_flight (self, g_value_get_uint (value));
      break;
    case PROP_ERROR_DESTINATION:
      stompest_subscription_set_error_destination (self, g_value_get_string (value));
      break;
    case PROP_FAILURE_POLICY:
      stompest_subscription_set_failure_policy (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_subscription_class_init (StompestSubscriptionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = stompest_subscription_dispose;
  object_class->finalize = stompest_subscription_finalize;
  object_class->get_property = stompest_subscription_get_property;
  object_class->set_property = stompest_subscription_set_property;

  /**
   * StompestSubscription:session: (attributes org.gtk.Property.get=stompest_subscription_get_session)
   *
   * The session the subscription belongs to, or %NULL once it ended.
   *
   * Since: 0.1
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, STOMPEST_TYPE_SESSION, ro);

  /**
   * StompestSubscription:destination: (attributes org.gtk.Property.get=stompest_subscription_get_destination)
   *
   * The destination subscribed to, such as `/queue/work`.
   *
   * Since: 0.1
   */
  properties[PROP_DESTINATION] =
    g_param_spec_string ("destination", NULL, NULL, NULL, ro);

  /**
   * StompestSubscription:token: (attributes org.gtk.Property.get=stompest_subscription_get_token)
   *
   * The name of the subscription: its `id`, or in STOMP 1.0 without an id
   * its destination.
   *
   * Since: 0.1
   */
  properties[PROP_TOKEN] = g_param_spec_string ("token", NULL, NULL, NULL, ro);

  /**
   * StompestSubscription:ack-mode: (attributes org.gtk.Property.get=stompest_subscription_get_ack_mode)
   *
   * How the messages are acknowledged. With %STOMPEST_ACK_MODE_CLIENT an
   * ACK also covers every earlier message of the subscription, so when
   * handlers hold several messages at once use
   * %STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL.
   *
   * Since: 0.1
   */
  properties[PROP_ACK_MODE] =
    g_param_spec_enum ("ack-mode", NULL, NULL, STOMPEST_TYPE_ACK_MODE,
                       STOMPEST_ACK_MODE_AUTO, ro);

  /**
   * StompestSubscription:active: (attributes org.gtk.Property.get=stompest_subscription_is_active)
   *
   * Whether the subscription is still part of its session. It stays
   * active while the session reconnects.
   *
   * Since: 0.1
   */
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, ro);

  /**
   * StompestSubscription:n-in-flight: (attributes org.gtk.Property.get=stompest_subscription_get_n_in_flight)
   *
   * How many messages of the subscription are being handled: inside
   * their signal emission, or held with [method@Stompest.Message.hold].
   * It is notified when a message stays in flight after its signal
   * emission and when such a message finishes, not for every message
   * handled within its emission.
   *
   * Since: 0.1
   */
  properties[PROP_N_IN_FLIGHT] =
    g_param_spec_uint ("n-in-flight", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * StompestSubscription:max-in-flight: (attributes org.gtk.Property.get=stompest_subscription_get_max_in_flight org.gtk.Property.set=stompest_subscription_set_max_in_flight)
   *
   * Flow control: when this many messages of the subscription are in
   * flight, the session stops reading the socket (all of it: STOMP has
   * one stream for every subscription) until one finishes, so the broker
   * keeps the backlog instead of the application's memory. 0, the
   * default, sets no limit.
   *
   * Nothing at all is read while the limit is reached: not the RECEIPT
   * frames, and not the broker's heart-beats (which are not checked
   * meanwhile). A [method@Stompest.Session.send_async] made then
   * completes only after a held message finishes and reading resumes, or
   * fails with %STOMPEST_ERROR_TIMEOUT once
   * [property@Stompest.Session:receipt-timeout] runs out, although the
   * broker may well have the message.
   *
   * So a handler that holds its message until the RECEIPT of another
   * message — a transformer that finishes its input only once its output
   * is confirmed — must not use max-in-flight: at the limit, it would
   * wait for a RECEIPT that the session does not read. Bound such a
   * subscription with the broker's prefetch header instead
   * (`activemq.prefetchSize` for ActiveMQ, `prefetch-count` for RabbitMQ,
   * in the headers given to [method@Stompest.Session.subscribe]): the
   * broker then sends no more than that many unacknowledged messages,
   * and the session keeps reading.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_IN_FLIGHT] =
    g_param_spec_uint ("max-in-flight", NULL, NULL, 0, G_MAXUINT, 0, rw);

  /**
   * StompestSubscription:error-destination: (attributes org.gtk.Property.get=stompest_subscription_get_error_destination org.gtk.Property.set=stompest_subscription_set_error_destination)
   *
   * Where %STOMPEST_FAILURE_POLICY_ERROR_DESTINATION forwards messages
   * whose handling failed, or %NULL for none. The copy keeps the
   * message's headers and body but not `message-id`, `destination`,
   * `timestamp`, `expires` and `priority` (nor the MESSAGE-only
   * `subscription` and `ack`), and gets `persistent:true` and
   * `message-failed` with the error's text.
   *
   * Since: 0.1
   */
  properties[PROP_ERROR_DESTINATION] =
    g_param_spec_string ("error-destination", NULL, NULL, NULL, rw);

  /**
   * StompestSubscription:failure-policy: (attributes org.gtk.Property.get=stompest_subscription_get_failure_policy org.gtk.Property.set=stompest_subscription_set_failure_policy)
   *
   * What happens to a message whose handling failed. The default,
   * %STOMPEST_FAILURE_POLICY_NACK, never acknowledges it.
   *
   * Since: 0.1
   */
  properties[PROP_FAILURE_POLICY] =
    g_param_spec_enum ("failure-policy", NULL, NULL, STOMPEST_TYPE_FAILURE_POLICY,
                       STOMPEST_FAILURE_POLICY_NACK, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StompestSubscription::message:
   * @subscription: the subscription
   * @message: the message
   *
   * Emitted for each message of the subscription, in the order the
   * broker sent them, in the session's main context, right before
   * [signal@Stompest.Session::message] for the same message. A handler
   * that fails calls [method@Stompest.Message.fail]; one that needs more
   * time calls [method@Stompest.Message.hold]. It is not emitted while
   * the session disconnects: messages arriving then are left
   * unacknowledged for the broker to redeliver.
   *
   * Since: 0.1
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, g_cclosure_marshal_VOID__OBJECT,
                  G_TYPE_NONE, 1, STOMPEST_TYPE_MESSAGE);
  /* Emitted per message: the generic marshaller goes through libffi. */
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__OBJECTv);
}

static void
stompest_subscription_init (StompestSubscription *self)
{
  self->failure_policy = STOMPEST_FAILURE_POLICY_NACK;
}

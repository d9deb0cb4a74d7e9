/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "stompest-message.h"
#include "stompest-connection-private.h"
#include "stompest-session-private.h"

/**
 * StompestMessage:
 *
 * A MESSAGE frame that a [class@Stompest.Session] is delivering to the
 * application, with the means to report how its handling went.
 *
 * The session emits [signal@Stompest.Subscription::message] and then
 * [signal@Stompest.Session::message] with the message. When every handler
 * has returned, the message is finished: on success the session
 * acknowledges it (in the `client` and `client-individual` ack modes); a
 * handler that called [method@Stompest.Message.fail] makes the session
 * apply the subscription's [property@Stompest.Subscription:failure-policy]
 * instead. A message that failed is never acknowledged as if it had been
 * processed, unless the policy forwards it to an error destination first.
 *
 * A handler that needs more time (a database write, a request to another
 * service, work in a thread) calls [method@Stompest.Message.hold] and
 * keeps a reference to the message; it finishes it later with
 * [method@Stompest.Message.complete] or [method@Stompest.Message.fail].
 * Messages held this way are in flight: they count against the
 * subscription's [property@Stompest.Subscription:max-in-flight], and
 * [method@Stompest.Session.disconnect_async] waits for them.
 *
 * A message belongs to the connection it arrived on. If that connection
 * is lost before the message is finished, finishing it acknowledges
 * nothing: the broker redelivers it on the next connection.
 *
 * Like everything about a session, a message must be used in the
 * session's main context (see [class@Stompest.Session]). Work done in
 * another thread hands its result back with
 * [method@GLib.MainContext.invoke] on [method@Stompest.Session.get_context].
 *
 * Since: 0.1
 */

struct _StompestMessage
{
  GObject parent_instance;

  StompestSession *session;
  StompestSubscription *subscription;
  StompestFrame *frame;
  guint generation;

  gboolean dispatching;
  guint holds;
  gboolean finished;
  gboolean settled;
  GError *error;
};

G_DEFINE_FINAL_TYPE (StompestMessage, stompest_message, G_TYPE_OBJECT)

/* Drops what the message refers to, leaving it as new. */
static void
message_clear (StompestMessage *self)
{
  g_clear_object (&self->session);
  g_clear_object (&self->subscription);
  g_clear_pointer (&self->frame, stompest_frame_unref);
  g_clear_error (&self->error);
  self->generation = 0;
  self->dispatching = FALSE;
  self->holds = 0;
  self->finished = FALSE;
  self->settled = FALSE;
}

static void
stompest_message_finalize (GObject *object)
{
  message_clear (STOMPEST_MESSAGE (object));

  G_OBJECT_CLASS (stompest_message_parent_class)->finalize (object);
}

static void
stompest_message_class_init (StompestMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = stompest_message_finalize;
}

static void
stompest_message_init (StompestMessage *self)
{
}

StompestMessage *
stompest_message_new (StompestSession       *session,
                      StompestSubscription  *subscription,
                      StompestFrame         *frame,
                      guint                  generation,
                      StompestMessage      **spare)
{
  StompestMessage *self = g_steal_pointer (spare);

  if (self == NULL)
    self = g_object_new (STOMPEST_TYPE_MESSAGE, NULL);
  self->session = g_object_ref (session);
  self->subscription = g_object_ref (subscription);
  self->frame = stompest_frame_ref (frame);
  self->generation = generation;
  self->dispatching = TRUE;
  return self;
}

static void
message_maybe_finish (StompestMessage *self)
{
  if (self->finished || self->dispatching || self->holds > 0)
    return;

  self->finished = TRUE;
  stompest_session_message_finished (self->session, self);
}

/* The caller holds MESSAGE meanwhile. */
void
stompest_message_end_dispatch (StompestMessage *message)
{
  message->dispatching = FALSE;
  message_maybe_finish (message);
}

void
stompest_message_release (StompestMessage  *message,
                          StompestMessage **spare)
{
  GObject *object = (GObject *) message;

  /* Data, weak references and toggle references all live in qdata;
   * "notify" is the only signal a message has. */
  if (*spare != NULL || !message->finished ||
      g_atomic_int_get (&object->ref_count) != 1 || object->qdata != NULL ||
      stompest_connection_has_notify_handler (message))
    {
      g_object_unref (message);
      return;
    }

  message_clear (message);
  *spare = message;
}

guint
stompest_message_get_generation (StompestMessage *message)
{
  return message->generation;
}

gboolean
stompest_message_get_settled (StompestMessage *message)
{
  return message->settled;
}

void
stompest_message_set_settled (StompestMessage *message)
{
  message->settled = TRUE;
}

/**
 * stompest_message_get_frame:
 * @message: a message
 *
 * Gives the MESSAGE frame as the broker sent it.
 *
 * Returns: (transfer none): the frame, sealed
 *
 * Since: 0.1
 */
StompestFrame *
stompest_message_get_frame (StompestMessage *message)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), NULL);

  return message->frame;
}

/**
 * stompest_message_get_subscription:
 * @message: a message
 *
 * Gives the subscription the message was delivered for.
 *
 * Returns: (transfer none): the subscription
 *
 * Since: 0.1
 */
StompestSubscription *
stompest_message_get_subscription (StompestMessage *message)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), NULL);

  return message->subscription;
}

/**
 * stompest_message_get_session:
 * @message: a message
 *
 * Gives the session that received the message. The message keeps it
 * alive.
 *
 * Returns: (transfer none): the session
 *
 * Since: 0.1
 */
StompestSession *
stompest_message_get_session (StompestMessage *message)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), NULL);

  return message->session;
}

/**
 * stompest_message_get_destination:
 * @message: a message
 *
 * Gives the `destination` header: where the message was sent to.
 *
 * Returns: (nullable): the destination
 *
 * Since: 0.1
 */
const char *
stompest_message_get_destination (StompestMessage *message)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), NULL);

  return stompest_frame_get_header (message->frame, "destination");
}

/**
 * stompest_message_get_message_id:
 * @message: a message
 *
 * Gives the `message-id` header, the broker's name for the message.
 *
 * Returns: (nullable): the message id
 *
 * Since: 0.1
 */
const char *
stompest_message_get_message_id (StompestMessage *message)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), NULL);

  return stompest_frame_get_header (message->frame, "message-id");
}

/**
 * stompest_message_get_header:
 * @message: a message
 * @name: a header name
 *
 * Gives the value of a header of the MESSAGE frame (the first one, when
 * the header is repeated).
 *
 * Returns: (nullable): the value, or %NULL when there is no such header
 *
 * Since: 0.1
 */
const char *
stompest_message_get_header (StompestMessage *message,
                             const char      *name)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return stompest_frame_get_header (message->frame, name);
}

/**
 * stompest_message_get_body:
 * @message: a message
 *
 * Gives the body of the message, as received (never copied).
 *
 * Returns: (transfer none): the body; an empty [struct@GLib.Bytes], never
 *   %NULL, when the message has none
 *
 * Since: 0.1
 */
GBytes *
stompest_message_get_body (StompestMessage *message)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), NULL);

  return stompest_frame_get_body (message->frame);
}

/**
 * stompest_message_hold:
 * @message: a message
 *
 * Takes a hold on the message: it stays in flight after the signal
 * handlers returned, until the hold ends with
 * [method@Stompest.Message.complete] or [method@Stompest.Message.fail].
 * Keep a reference to the message meanwhile. Every hold must end exactly
 * once; several handlers may each take one.
 *
 * It must not be called on a finished message.
 *
 * Since: 0.1
 */
void
stompest_message_hold (StompestMessage *message)
{
  g_return_if_fail (STOMPEST_IS_MESSAGE (message));
  g_return_if_fail (!message->finished);

  message->holds++;
}

/**
 * stompest_message_complete:
 * @message: a message
 *
 * Ends a hold taken with [method@Stompest.Message.hold], reporting
 * success. When it was the last hold, the message is finished and the
 * session acknowledges it (unless a handler reported a failure).
 *
 * Since: 0.1
 */
void
stompest_message_complete (StompestMessage *message)
{
  g_return_if_fail (STOMPEST_IS_MESSAGE (message));
  g_return_if_fail (message->holds > 0);

  g_object_ref (message);
  message->holds--;
  message_maybe_finish (message);
  g_object_unref (message);
}

/**
 * stompest_message_fail:
 * @message: a message
 * @error: why handling the message failed; its text goes into the
 *   `message-failed` header of the copy sent to an error destination
 *
 * Reports that handling the message failed, so the session applies the
 * subscription's [property@Stompest.Subscription:failure-policy] instead
 * of acknowledging it. Call it from a signal handler, or later to end a
 * hold: when the message has a hold, one hold ends. The first error
 * reported is kept.
 *
 * It must not be called on a finished message.
 *
 * Since: 0.1
 */
void
stompest_message_fail (StompestMessage *message,
                       const GError    *error)
{
  g_return_if_fail (STOMPEST_IS_MESSAGE (message));
  g_return_if_fail (error != NULL);
  g_return_if_fail (!message->finished);

  if (message->error == NULL)
    message->error = g_error_copy (error);

  if (message->holds > 0)
    stompest_message_complete (message);
}

/**
 * stompest_message_is_finished:
 * @message: a message
 *
 * Tells whether the message is finished: every handler returned and
 * every hold ended, so the session has acknowledged it or applied the
 * failure policy.
 *
 * Returns: %TRUE when finished
 *
 * Since: 0.1
 */
gboolean
stompest_message_is_finished (StompestMessage *message)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), FALSE);

  return message->finished;
}

/**
 * stompest_message_get_error:
 * @message: a message
 *
 * Gives the failure reported with [method@Stompest.Message.fail], if any.
 *
 * Returns: (transfer none) (nullable): the error, or %NULL
 *
 * Since: 0.1
 */
const GError *
stompest_message_get_error (StompestMessage *message)
{
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), NULL);

  return message->error;
}

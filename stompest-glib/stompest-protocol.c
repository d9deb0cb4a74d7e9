/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "stompest-protocol-private.h"
#include "stompest-commands.h"
#include "stompest-enum-types.h"
#include "stompest-error.h"

/**
 * StompestProtocol:
 *
 * The state of one STOMP session, without any I/O: stompest's
 * `StompSession`.
 *
 * A `StompestProtocol` builds the client frames of a session and reads the
 * broker's, checking each against the session state: it knows whether the
 * session is connecting, connected or disconnecting, which STOMP version
 * and heart-beat periods were negotiated, which subscriptions and
 * transactions are open and which receipts are still awaited. It never
 * reads or writes a socket and never looks at a clock: the caller writes
 * the frames it returns, hands it the frames it reads, and passes
 * `g_get_monotonic_time()` to [method@Stompest.Protocol.sent] and
 * [method@Stompest.Protocol.received]. The clients of this library are
 * built on it; use it directly to run STOMP over your own transport.
 *
 * Every operation that the current state does not allow fails with
 * %STOMPEST_ERROR_PROTOCOL naming the operation and the state, and leaves
 * the protocol unchanged; so does every other failure, except those of
 * [method@Stompest.Protocol.connected], after which the session is
 * disconnected.
 *
 * Frames are returned unsealed, so the caller may add headers (a
 * `selector`, a broker's prefetch header) before sending them. Pass
 * receipts through the `receipt` arguments, not as headers, so the
 * protocol expects them.
 *
 * ## Subscriptions and replay
 *
 * A subscription is known by its token: its `id` in STOMP 1.1 and 1.2
 * (generated when none is given), and in STOMP 1.0 its `id` if given,
 * else its destination. The protocol keeps the SUBSCRIBE frame it returned
 * (a reference to it, so headers added before sending are kept too).
 *
 * After a connection loss, call [method@Stompest.Protocol.close] with
 * @flush %FALSE: the subscriptions are kept. Connect again and, once
 * [method@Stompest.Protocol.connected] succeeded, call
 * [method@Stompest.Protocol.replay] and send every frame it gives, in
 * order: the subscriptions are active again under the same tokens. A clean
 * disconnect ([method@Stompest.Protocol.disconnect_frame]) or a close with
 * @flush %TRUE forgets them.
 *
 * ## Heart-beats
 *
 * [method@Stompest.Protocol.get_next_beat_due] says when the client must
 * send a heart-beat if it has written nothing else by then, and
 * [method@Stompest.Protocol.is_peer_silent] whether the broker has been
 * quiet for too long. Both depend on the times given to
 * [method@Stompest.Protocol.sent] and [method@Stompest.Protocol.received],
 * which the caller reports for every write and read, the CONNECT and
 * CONNECTED frames included.
 *
 * Driving a session by hand, where `write_frame()` and `read_frame()` stand
 * for the application's I/O:
 *
 * ```c
 * g_autoptr(StompestProtocol) protocol = NULL;
 * g_autoptr(StompestFrame) connect = NULL, connected = NULL;
 * g_autoptr(StompestFrame) subscribe = NULL, message = NULL, ack = NULL;
 * g_autoptr(GError) error = NULL;
 * g_autofree char *token = NULL;
 * const char *matched;
 *
 * protocol = stompest_protocol_new (STOMPEST_VERSION_STOMP_1_2);
 * connect = stompest_protocol_connect (protocol, "localhost", "guest",
 *                                      "guest", 10000, 10000, &error);
 * write_frame (connect);
 * stompest_protocol_sent (protocol, g_get_monotonic_time ());
 *
 * connected = read_frame ();
 * stompest_protocol_received (protocol, g_get_monotonic_time ());
 * if (!stompest_protocol_connected (protocol, connected, &error))
 *   return FALSE;   // an ERROR frame, or a version that was not offered
 *
 * subscribe = stompest_protocol_subscribe (protocol, "/queue/work", NULL,
 *                                          STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
 *                                          NULL, &token, &error);
 * write_frame (subscribe);
 * stompest_protocol_sent (protocol, g_get_monotonic_time ());
 *
 * message = read_frame ();
 * stompest_protocol_received (protocol, g_get_monotonic_time ());
 * if (stompest_protocol_message (protocol, message, &matched, &error))
 *   {
 *     // matched equals token
 *     ack = stompest_protocol_ack (protocol, message, NULL, &error);
 *     write_frame (ack);
 *     stompest_protocol_sent (protocol, g_get_monotonic_time ());
 *   }
 * ```
 *
 * Since: 0.1
 */

/* A set that forgets its oldest entries past RECENT_MAX: what ended on
 * a connection (abandoned receipts, ended subscriptions), kept so that
 * the broker's late answers are recognised, without growing for ever. */
#define RECENT_MAX 256

typedef struct {
  GHashTable *set;              /* owns the strings */
  GQueue order;                 /* the same strings, oldest first */
} Recent;

typedef struct {
  char          *token;
  char          *id;           /* NULL for a 1.0 subscription without id */
  char          *destination;
  StompestFrame *frame;        /* the SUBSCRIBE frame, replayed as is */
  gboolean       needs_replay;
} Subscription;

struct _StompestProtocol
{
  GObject parent_instance;

  StompestProtocolState state;
  StompestVersion max_version;
  StompestVersion version;
  char *server;
  char *session;

  /* What CONNECT offered, needed to read CONNECTED. */
  guint heart_beat_send_ms;
  guint heart_beat_receive_ms;

  guint send_period;
  guint receive_period;
  gint64 last_sent;
  gint64 last_received;
  double heart_beat_tolerance;

  GPtrArray *subscriptions;           /* Subscription*, in subscription order */
  GHashTable *subscriptions_by_token; /* token (owned by the Subscription) → Subscription* */
  guint next_subscription_id;

  GHashTable *transactions;           /* set of open transaction ids */
  GHashTable *receipts;               /* set of awaited receipt ids */
  guint n_dropped_receipts;

  /* Of this connection only. */
  Recent abandoned_receipts;
  Recent ended_subscriptions;         /* tokens */
};

G_DEFINE_FINAL_TYPE (StompestProtocol, stompest_protocol, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_VERSION,
  PROP_MAX_VERSION,
  PROP_SERVER,
  PROP_SESSION,
  PROP_SEND_PERIOD,
  PROP_RECEIVE_PERIOD,
  PROP_LAST_SENT,
  PROP_LAST_RECEIVED,
  PROP_PENDING_RECEIPTS,
  PROP_N_PENDING_RECEIPTS,
  PROP_N_DROPPED_RECEIPTS,
  PROP_N_SUBSCRIPTIONS,
  PROP_N_TRANSACTIONS,
  PROP_HEART_BEAT_TOLERANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ActiveMQ sends its first beat two periods after CONNECTED (measured),
 * and RabbitMQ drops clients silent for three: three is the smallest
 * margin that never drops a healthy broker. */
#define DEFAULT_HEART_BEAT_TOLERANCE 3.0

/* Bit masks of the states an operation is allowed in. */
#define IN_CONNECTED (1u << STOMPEST_PROTOCOL_STATE_CONNECTED)
#define IN_CONNECTING (1u << STOMPEST_PROTOCOL_STATE_CONNECTING)
#define IN_DISCONNECTED (1u << STOMPEST_PROTOCOL_STATE_DISCONNECTED)
#define IN_DISCONNECTING (1u << STOMPEST_PROTOCOL_STATE_DISCONNECTING)

static void
recent_init (Recent *recent)
{
  recent->set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&recent->order);
}

static void
recent_clear (Recent *recent)
{
  g_queue_clear (&recent->order);
  g_hash_table_remove_all (recent->set);
}

static gboolean
recent_contains (Recent     *recent,
                 const char *key)
{
  return g_hash_table_contains (recent->set, key);
}

static gboolean
recent_remove (Recent     *recent,
               const char *key)
{
  gpointer stored;

  if (!g_hash_table_lookup_extended (recent->set, key, &stored, NULL))
    return FALSE;

  g_queue_remove (&recent->order, stored);
  g_hash_table_remove (recent->set, stored);
  return TRUE;
}

static void
recent_add (Recent     *recent,
            const char *key)
{
  char *copy;

  if (recent_contains (recent, key))
    return;

  if (g_queue_get_length (&recent->order) >= RECENT_MAX)
    g_hash_table_remove (recent->set, g_queue_pop_head (&recent->order));
  copy = g_strdup (key);
  g_hash_table_add (recent->set, copy);
  g_queue_push_tail (&recent->order, copy);
}

static void
subscription_free (gpointer data)
{
  Subscription *sub = data;

  g_free (sub->token);
  g_free (sub->id);
  g_free (sub->destination);
  stompest_frame_unref (sub->frame);
  g_free (sub);
}

static const char *
state_to_string (StompestProtocolState state)
{
  switch (state)
    {
    case STOMPEST_PROTOCOL_STATE_DISCONNECTED:
      return "disconnected";
    case STOMPEST_PROTOCOL_STATE_CONNECTING:
      return "connecting";
    case STOMPEST_PROTOCOL_STATE_CONNECTED:
      return "connected";
    case STOMPEST_PROTOCOL_STATE_DISCONNECTING:
      return "disconnecting";
    default:
      g_return_val_if_reached ("invalid");
    }
}

static gboolean
check_state (StompestProtocol  *self,
             const char        *operation,
             guint              allowed,
             GError           **error)
{
  if (allowed & (1u << self->state))
    return TRUE;

  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
               "Cannot %s: the STOMP session is %s", operation,
               state_to_string (self->state));
  return FALSE;
}

static void
set_state (StompestProtocol      *self,
           StompestProtocolState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_string (StompestProtocol  *self,
            char             **field,
            char              *value,
            GParamSpec        *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    {
      g_free (value);
      return;
    }

  g_free (*field);
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
set_uint (StompestProtocol *self,
          guint            *field,
          guint             value,
          GParamSpec       *pspec)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
set_version (StompestProtocol *self,
             StompestVersion   version)
{
  if (self->version == version)
    return;

  self->version = version;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
}

/* A receipt may be awaited only once at a time: the RECEIPT could not
 * tell the two frames apart. */
static gboolean
check_receipt (StompestProtocol  *self,
               const char        *receipt,
               GError           **error)
{
  if (receipt == NULL || !g_hash_table_contains (self->receipts, receipt))
    return TRUE;

  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
               "Duplicate receipt “%s”: an earlier frame is still waiting "
               "for it", receipt);
  return FALSE;
}

static void
notify_receipts (StompestProtocol *self,
                 guint             old_count)
{
  guint count = g_hash_table_size (self->receipts);

  if (count == old_count)
    return;

  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[PROP_N_PENDING_RECEIPTS]);
  if ((count == 0) != (old_count == 0))
    g_object_notify_by_pspec (G_OBJECT (self),
                              properties[PROP_PENDING_RECEIPTS]);
}

static void
add_receipt (StompestProtocol *self,
             const char       *receipt)
{
  guint old_count = g_hash_table_size (self->receipts);

  if (receipt == NULL)
    return;

  /* Reused: its RECEIPT now answers the new frame. */
  recent_remove (&self->abandoned_receipts, receipt);
  g_hash_table_add (self->receipts, g_strdup (receipt));
  notify_receipts (self, old_count);
}

static gboolean
check_transaction_open (StompestProtocol  *self,
                        const char        *operation,
                        const char        *transaction,
                        GError           **error)
{
  if (transaction == NULL || g_hash_table_contains (self->transactions, transaction))
    return TRUE;

  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
               "Cannot %s in transaction “%s”: it is not open",
               operation, transaction);
  return FALSE;
}

static void
remove_subscription (StompestProtocol *self,
                     Subscription     *sub)
{
  /* Its MESSAGEs already under way are late, not unknown. */
  recent_add (&self->ended_subscriptions, sub->token);
  g_hash_table_remove (self->subscriptions_by_token, sub->token);
  g_ptr_array_remove (self->subscriptions, sub);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SUBSCRIPTIONS]);
}

static void
stompest_protocol_finalize (GObject *object)
{
  StompestProtocol *self = STOMPEST_PROTOCOL (object);

  g_free (self->server);
  g_free (self->session);
  g_hash_table_unref (self->subscriptions_by_token);
  g_ptr_array_unref (self->subscriptions);
  g_hash_table_unref (self->transactions);
  g_hash_table_unref (self->receipts);
  recent_clear (&self->abandoned_receipts);
  g_hash_table_unref (self->abandoned_receipts.set);
  recent_clear (&self->ended_subscriptions);
  g_hash_table_unref (self->ended_subscriptions.set);

  G_OBJECT_CLASS (stompest_protocol_parent_class)->finalize (object);
}

static void
stompest_protocol_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  StompestProtocol *self = STOMPEST_PROTOCOL (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_VERSION:
      g_value_set_enum (value, stompest_protocol_get_version (self));
      break;
    case PROP_MAX_VERSION:
      g_value_set_enum (value, self->max_version);
      break;
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_SESSION:
      g_value_set_string (value, self->session);
      break;
    case PROP_SEND_PERIOD:
      g_value_set_uint (value, self->send_period);
      break;
    case PROP_RECEIVE_PERIOD:
      g_value_set_uint (value, self->receive_period);
      break;
    case PROP_LAST_SENT:
      g_value_set_int64 (value, self->last_sent);
      break;
    case PROP_LAST_RECEIVED:
      g_value_set_int64 (value, self->last_received);
      break;
    case PROP_PENDING_RECEIPTS:
      g_value_set_boolean (value, stompest_protocol_has_pending_receipts (self));
      break;
    case PROP_N_PENDING_RECEIPTS:
      g_value_set_uint (value, stompest_protocol_get_n_pending_receipts (self));
      break;
    case PROP_N_DROPPED_RECEIPTS:
      g_value_set_uint (value, self->n_dropped_receipts);
      break;
    case PROP_N_SUBSCRIPTIONS:
      g_value_set_uint (value, self->subscriptions->len);
      break;
    case PROP_N_TRANSACTIONS:
      g_value_set_uint (value, stompest_protocol_get_n_transactions (self));
      break;
    case PROP_HEART_BEAT_TOLERANCE:
      g_value_set_double (value, self->heart_beat_tolerance);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_protocol_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  StompestProtocol *self = STOMPEST_PROTOCOL (object);

  switch (prop_id)
    {
    case PROP_MAX_VERSION:
      self->max_version = g_value_get_enum (value);
      self->version = self->max_version;
      break;
    case PROP_HEART_BEAT_TOLERANCE:
      stompest_protocol_set_heart_beat_tolerance (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_protocol_class_init (StompestProtocolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = stompest_protocol_finalize;
  object_class->get_property = stompest_protocol_get_property;
  object_class->set_property = stompest_protocol_set_property;

  /**
   * StompestProtocol:state: (attributes org.gtk.Property.get=stompest_protocol_get_state)
   *
   * The state of the session. It changes only through the protocol's own
   * operations and emits `notify` when it does.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       STOMPEST_TYPE_PROTOCOL_STATE,
                       STOMPEST_PROTOCOL_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:version: (attributes org.gtk.Property.get=stompest_protocol_get_version)
   *
   * The negotiated STOMP version while connected or disconnecting, else
   * [property@Stompest.Protocol:max-version]. Frames are built for this
   * version, and the caller's parser should use it too.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_enum ("version", NULL, NULL,
                       STOMPEST_TYPE_VERSION,
                       STOMPEST_VERSION_STOMP_1_2,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:max-version: (attributes org.gtk.Property.get=stompest_protocol_get_max_version)
   *
   * The highest STOMP version offered to the broker; CONNECT offers every
   * version up to it. It is set at construction only.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_VERSION] =
    g_param_spec_enum ("max-version", NULL, NULL,
                       STOMPEST_TYPE_VERSION,
                       STOMPEST_VERSION_STOMP_1_2,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:server: (attributes org.gtk.Property.get=stompest_protocol_get_server)
   *
   * The `server` header of the broker's CONNECTED frame (name and version
   * of the broker), or %NULL when it sent none or the session is not
   * connected.
   *
   * Since: 0.1
   */
  properties[PROP_SERVER] =
    g_param_spec_string ("server", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:session: (attributes org.gtk.Property.get=stompest_protocol_get_session)
   *
   * The `session` header of the broker's CONNECTED frame, the broker's id
   * for this session, or %NULL when it sent none or the session is not
   * connected.
   *
   * Since: 0.1
   */
  properties[PROP_SESSION] =
    g_param_spec_string ("session", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:send-period: (attributes org.gtk.Property.get=stompest_protocol_get_send_period)
   *
   * The negotiated period, in milliseconds, at which the client must send
   * something (a frame or a heart-beat); 0 when it need not, and before
   * the session is connected.
   *
   * Since: 0.1
   */
  properties[PROP_SEND_PERIOD] =
    g_param_spec_uint ("send-period", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:receive-period: (attributes org.gtk.Property.get=stompest_protocol_get_receive_period)
   *
   * The negotiated period, in milliseconds, at which the broker sends
   * something; 0 when it sends no heart-beats, and before the session is
   * connected.
   *
   * Since: 0.1
   */
  properties[PROP_RECEIVE_PERIOD] =
    g_param_spec_uint ("receive-period", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:last-sent: (attributes org.gtk.Property.get=stompest_protocol_get_last_sent)
   *
   * The monotonic time, in microseconds, last given to
   * [method@Stompest.Protocol.sent]; 0 before the first write of a
   * session. It emits no `notify`, as it changes on every write.
   *
   * Since: 0.1
   */
  properties[PROP_LAST_SENT] =
    g_param_spec_int64 ("last-sent", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:last-received: (attributes org.gtk.Property.get=stompest_protocol_get_last_received)
   *
   * The monotonic time, in microseconds, last given to
   * [method@Stompest.Protocol.received]; 0 before the first read of a
   * session. It emits no `notify`, as it changes on every read.
   *
   * Since: 0.1
   */
  properties[PROP_LAST_RECEIVED] =
    g_param_spec_int64 ("last-received", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:pending-receipts: (attributes org.gtk.Property.get=stompest_protocol_has_pending_receipts)
   *
   * Whether a frame that asked for a receipt is still waiting for its
   * RECEIPT. Its getter is [method@Stompest.Protocol.has_pending_receipts].
   *
   * Since: 0.1
   */
  properties[PROP_PENDING_RECEIPTS] =
    g_param_spec_boolean ("pending-receipts", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:n-pending-receipts: (attributes org.gtk.Property.get=stompest_protocol_get_n_pending_receipts)
   *
   * How many receipts are awaited.
   *
   * Since: 0.1
   */
  properties[PROP_N_PENDING_RECEIPTS] =
    g_param_spec_uint ("n-pending-receipts", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:n-dropped-receipts: (attributes org.gtk.Property.get=stompest_protocol_get_n_dropped_receipts)
   *
   * How many awaited receipts the last [method@Stompest.Protocol.close]
   * of a session dropped: those frames may or may not have reached the
   * broker.
   *
   * Since: 0.1
   */
  properties[PROP_N_DROPPED_RECEIPTS] =
    g_param_spec_uint ("n-dropped-receipts", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:n-subscriptions: (attributes org.gtk.Property.get=stompest_protocol_get_n_subscriptions)
   *
   * How many subscriptions the protocol knows: the active ones, and after
   * a forced close those kept for [method@Stompest.Protocol.replay].
   *
   * Since: 0.1
   */
  properties[PROP_N_SUBSCRIPTIONS] =
    g_param_spec_uint ("n-subscriptions", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:n-transactions: (attributes org.gtk.Property.get=stompest_protocol_get_n_transactions)
   *
   * How many transactions are open (begun, neither committed nor aborted).
   *
   * Since: 0.1
   */
  properties[PROP_N_TRANSACTIONS] =
    g_param_spec_uint ("n-transactions", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestProtocol:heart-beat-tolerance: (attributes org.gtk.Property.get=stompest_protocol_get_heart_beat_tolerance org.gtk.Property.set=stompest_protocol_set_heart_beat_tolerance)
   *
   * How many receive periods the broker may stay silent before
   * [method@Stompest.Protocol.is_peer_silent] says it is: a margin for
   * slow networks and busy brokers, as the STOMP specification advises.
   * It must be greater than 1. The default, 3, is larger than stompest's
   * 2 because ActiveMQ sends its first heart-beat only two periods after
   * CONNECTED, which a tolerance of 2 races.
   *
   * Since: 0.1
   */
  properties[PROP_HEART_BEAT_TOLERANCE] =
    g_param_spec_double ("heart-beat-tolerance", NULL, NULL,
                         1.0, G_MAXDOUBLE, DEFAULT_HEART_BEAT_TOLERANCE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stompest_protocol_init (StompestProtocol *self)
{
  self->state = STOMPEST_PROTOCOL_STATE_DISCONNECTED;
  self->max_version = STOMPEST_VERSION_STOMP_1_2;
  self->version = self->max_version;
  self->heart_beat_tolerance = DEFAULT_HEART_BEAT_TOLERANCE;
  self->subscriptions = g_ptr_array_new_with_free_func (subscription_free);
  self->subscriptions_by_token = g_hash_table_new (g_str_hash, g_str_equal);
  self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->receipts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  recent_init (&self->abandoned_receipts);
  recent_init (&self->ended_subscriptions);
}

/**
 * stompest_protocol_new:
 * @max_version: the highest STOMP version to offer
 *
 * Creates the state of a STOMP session, disconnected.
 *
 * Returns: (transfer full): a new protocol object
 *
 * Since: 0.1
 */
StompestProtocol *
stompest_protocol_new (StompestVersion max_version)
{
  return g_object_new (STOMPEST_TYPE_PROTOCOL,
                       "max-version", max_version,
                       NULL);
}

/**
 * stompest_protocol_connect_frame:
 * @protocol: a protocol
 * @host: (nullable): the broker's virtual host, or %NULL to send no `host`
 *   header
 * @login: (nullable): the user name, or %NULL
 * @passcode: (nullable): the password, or %NULL; it is written into the
 *   frame and not kept anywhere else
 * @heart_beat_send_ms: how often the client can send heart-beats, in
 *   milliseconds (0: never)
 * @heart_beat_receive_ms: how often the client wants heart-beats from the
 *   broker, in milliseconds (0: never)
 * @error: return location for a #GError
 *
 * Starts a session: builds its CONNECT frame, offering every STOMP version
 * up to [property@Stompest.Protocol:max-version] (see
 * [func@Stompest.commands_connect]), and moves to
 * %STOMPEST_PROTOCOL_STATE_CONNECTING. Hand the broker's answer to
 * [method@Stompest.Protocol.connected].
 *
 * This is the name bindings see for [method@Stompest.Protocol.connect].
 *
 * Returns: (transfer full): a new, unsealed CONNECT frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not disconnected
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_connect_frame (StompestProtocol  *protocol,
                                 const char        *host,
                                 const char        *login,
                                 const char        *passcode,
                                 guint              heart_beat_send_ms,
                                 guint              heart_beat_receive_ms,
                                 GError           **error)
{
  StompestFrame *frame;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_state (protocol, "connect", IN_DISCONNECTED, error))
    return NULL;

  frame = stompest_commands_connect (host, login, passcode,
                                     protocol->max_version,
                                     heart_beat_send_ms,
                                     heart_beat_receive_ms);
  protocol->heart_beat_send_ms = heart_beat_send_ms;
  protocol->heart_beat_receive_ms = heart_beat_receive_ms;
  set_state (protocol, STOMPEST_PROTOCOL_STATE_CONNECTING);
  return frame;
}

/**
 * stompest_protocol_connect: (skip)
 * @protocol: a protocol
 * @host: (nullable): the broker's virtual host, or %NULL to send no `host`
 *   header
 * @login: (nullable): the user name, or %NULL
 * @passcode: (nullable): the password, or %NULL
 * @heart_beat_send_ms: how often the client can send heart-beats, in
 *   milliseconds (0: never)
 * @heart_beat_receive_ms: how often the client wants heart-beats from the
 *   broker, in milliseconds (0: never)
 * @error: return location for a #GError
 *
 * The same as [method@Stompest.Protocol.connect_frame], which bindings
 * use instead: a method named `connect` would hide
 * `GObject.Object.connect()` in Python.
 *
 * Returns: (transfer full): a new, unsealed CONNECT frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not disconnected
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_connect (StompestProtocol  *protocol,
                           const char        *host,
                           const char        *login,
                           const char        *passcode,
                           guint              heart_beat_send_ms,
                           guint              heart_beat_receive_ms,
                           GError           **error)
{
  return stompest_protocol_connect_frame (protocol, host, login, passcode,
                                          heart_beat_send_ms,
                                          heart_beat_receive_ms, error);
}

/* Ends the session. Subscriptions are kept for replay unless FLUSH, or
 * the session was disconnecting: the application asked to end it. */
static void
reset_session (StompestProtocol *self,
               gboolean          flush)
{
  GObject *object = G_OBJECT (self);
  guint old_receipts = g_hash_table_size (self->receipts);

  g_object_freeze_notify (object);

  if (flush || self->state == STOMPEST_PROTOCOL_STATE_DISCONNECTING)
    {
      if (self->subscriptions->len > 0)
        {
          g_hash_table_remove_all (self->subscriptions_by_token);
          g_ptr_array_set_size (self->subscriptions, 0);
          g_object_notify_by_pspec (object, properties[PROP_N_SUBSCRIPTIONS]);
        }
    }
  else
    {
      for (guint i = 0; i < self->subscriptions->len; i++)
        ((Subscription *) g_ptr_array_index (self->subscriptions, i))->needs_replay = TRUE;
    }

  /* The broker aborts open transactions when the connection ends. */
  if (g_hash_table_size (self->transactions) > 0)
    {
      g_hash_table_remove_all (self->transactions);
      g_object_notify_by_pspec (object, properties[PROP_N_TRANSACTIONS]);
    }

  /* Closing twice must not lose the count of the first close. */
  if (self->state != STOMPEST_PROTOCOL_STATE_DISCONNECTED)
    {
      set_uint (self, &self->n_dropped_receipts, old_receipts,
                properties[PROP_N_DROPPED_RECEIPTS]);
      if (old_receipts > 0)
        g_debug ("Closing the STOMP session dropped %u awaited receipt(s)",
                 old_receipts);
    }
  g_hash_table_remove_all (self->receipts);
  notify_receipts (self, old_receipts);
  /* Nothing of this connection can come on the next one. */
  recent_clear (&self->abandoned_receipts);
  recent_clear (&self->ended_subscriptions);

  set_version (self, self->max_version);
  set_string (self, &self->server, NULL, properties[PROP_SERVER]);
  set_string (self, &self->session, NULL, properties[PROP_SESSION]);
  set_uint (self, &self->send_period, 0, properties[PROP_SEND_PERIOD]);
  set_uint (self, &self->receive_period, 0, properties[PROP_RECEIVE_PERIOD]);
  self->last_sent = 0;
  self->last_received = 0;
  set_state (self, STOMPEST_PROTOCOL_STATE_DISCONNECTED);

  g_object_thaw_notify (object);
}

/**
 * stompest_protocol_connected:
 * @protocol: a protocol
 * @frame: the broker's first frame after CONNECT
 * @error: return location for a #GError
 *
 * Reads the broker's answer to CONNECT (see
 * [func@Stompest.commands_read_connected]). On a CONNECTED frame, it
 * records the negotiated version, the `server` and `session` headers and
 * the heart-beat periods, and moves to %STOMPEST_PROTOCOL_STATE_CONNECTED.
 *
 * On any failure the connection attempt is over: the session goes back to
 * %STOMPEST_PROTOCOL_STATE_DISCONNECTED, keeping subscriptions that wait
 * for replay, so that the next broker can be tried. The exception is a
 * call in another state than %STOMPEST_PROTOCOL_STATE_CONNECTING, which
 * changes nothing.
 *
 * Returns: %TRUE when the session is connected; %FALSE with
 *   %STOMPEST_ERROR_SERVER_ERROR when @frame is an ERROR frame (the
 *   message holds its `message` header), %STOMPEST_ERROR_UNSUPPORTED_VERSION
 *   when the broker chose a version that was not offered, or
 *   %STOMPEST_ERROR_PROTOCOL when @frame is another frame, is malformed,
 *   or the session is not connecting
 *
 * Since: 0.1
 */
gboolean
stompest_protocol_connected (StompestProtocol  *protocol,
                             StompestFrame     *frame,
                             GError           **error)
{
  StompestVersion version;
  char *server;
  char *session;
  guint send_period;
  guint receive_period;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_state (protocol, "read CONNECTED", IN_CONNECTING, error))
    return FALSE;

  if (!stompest_commands_read_connected (frame, protocol->max_version,
                                         protocol->heart_beat_send_ms,
                                         protocol->heart_beat_receive_ms,
                                         &version, &server, &session,
                                         &send_period, &receive_period,
                                         error))
    {
      reset_session (protocol, FALSE);
      return FALSE;
    }

  g_object_freeze_notify (G_OBJECT (protocol));
  set_version (protocol, version);
  set_string (protocol, &protocol->server, server, properties[PROP_SERVER]);
  set_string (protocol, &protocol->session, session, properties[PROP_SESSION]);
  set_uint (protocol, &protocol->send_period, send_period,
            properties[PROP_SEND_PERIOD]);
  set_uint (protocol, &protocol->receive_period, receive_period,
            properties[PROP_RECEIVE_PERIOD]);
  set_state (protocol, STOMPEST_PROTOCOL_STATE_CONNECTED);
  g_object_thaw_notify (G_OBJECT (protocol));
  return TRUE;
}

/**
 * stompest_protocol_disconnect_frame:
 * @protocol: a protocol
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Ends the session cleanly: builds its DISCONNECT frame and moves to
 * %STOMPEST_PROTOCOL_STATE_DISCONNECTING, where no client frame may be
 * built any more but MESSAGE and RECEIPT frames are still read.
 *
 * With a receipt, wait for it (with a timeout: the broker may close the
 * connection first) before closing the connection; then, or at once
 * without one, call [method@Stompest.Protocol.close]. The subscriptions
 * are forgotten then, whatever its @flush argument: the application asked
 * to end them.
 *
 * This is the name bindings see for [method@Stompest.Protocol.disconnect].
 *
 * Returns: (transfer full): a new, unsealed DISCONNECT frame, or %NULL
 *   with %STOMPEST_ERROR_PROTOCOL when the session is not connected or
 *   @receipt is already awaited
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_disconnect_frame (StompestProtocol  *protocol,
                                    const char        *receipt,
                                    GError           **error)
{
  StompestFrame *frame;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_state (protocol, "disconnect", IN_CONNECTED, error) ||
      !check_receipt (protocol, receipt, error))
    return NULL;

  frame = stompest_commands_disconnect (receipt);
  add_receipt (protocol, receipt);
  set_state (protocol, STOMPEST_PROTOCOL_STATE_DISCONNECTING);
  return frame;
}

/**
 * stompest_protocol_disconnect: (skip)
 * @protocol: a protocol
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * The same as [method@Stompest.Protocol.disconnect_frame], which bindings
 * use instead: a method named `disconnect` would hide
 * `GObject.Object.disconnect()` in Python.
 *
 * Returns: (transfer full): a new, unsealed DISCONNECT frame, or %NULL
 *   with %STOMPEST_ERROR_PROTOCOL when the session is not connected or
 *   @receipt is already awaited
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_disconnect (StompestProtocol  *protocol,
                              const char        *receipt,
                              GError           **error)
{
  return stompest_protocol_disconnect_frame (protocol, receipt, error);
}

/**
 * stompest_protocol_close:
 * @protocol: a protocol
 * @flush: whether to forget the subscriptions
 *
 * Records that the connection is closed, for whatever reason, and moves
 * to %STOMPEST_PROTOCOL_STATE_DISCONNECTED. It is allowed in every state.
 *
 * Open transactions are forgotten (the broker aborts them), and so are
 * awaited receipts: their number is kept in
 * [property@Stompest.Protocol:n-dropped-receipts]. The version reverts to
 * [property@Stompest.Protocol:max-version]; the server, session and
 * heart-beat periods and times are reset.
 *
 * With @flush %FALSE, after a connection loss, subscriptions are kept for
 * [method@Stompest.Protocol.replay] on the next connection, unless the
 * session was disconnecting. With @flush %TRUE they are forgotten.
 *
 * Since: 0.1
 */
void
stompest_protocol_close (StompestProtocol *protocol,
                         gboolean          flush)
{
  g_return_if_fail (STOMPEST_IS_PROTOCOL (protocol));

  reset_session (protocol, flush);
}

/**
 * stompest_protocol_replay:
 * @protocol: a protocol
 *
 * Gives the SUBSCRIBE frames of the subscriptions kept by a
 * [method@Stompest.Protocol.close] with @flush %FALSE, in the order they
 * were first made, and empties that list: a second call gives nothing.
 *
 * Call it once [method@Stompest.Protocol.connected] succeeded, and send
 * every frame it gives, in order. The subscriptions are active again from
 * this call on, under their old tokens, so MESSAGE frames for them are
 * matched; receipts the frames ask for are awaited again. The frames are
 * copies of those sent before, headers added by the caller included; a
 * broker that negotiated another version than the first one gets them
 * unchanged.
 *
 * Called in another state than %STOMPEST_PROTOCOL_STATE_CONNECTED, it
 * gives an empty array and keeps the subscriptions for a later call.
 *
 * Returns: (transfer container) (element-type StompestFrame): the
 *   SUBSCRIBE frames to send, unsealed, possibly none; the array frees
 *   them, so unref only the array
 *
 * Since: 0.1
 */
GPtrArray *
stompest_protocol_replay (StompestProtocol *protocol)
{
  GPtrArray *frames;
  guint old_receipts;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);

  frames = g_ptr_array_new_with_free_func ((GDestroyNotify) stompest_frame_unref);
  if (protocol->state != STOMPEST_PROTOCOL_STATE_CONNECTED)
    return frames;

  old_receipts = g_hash_table_size (protocol->receipts);
  for (guint i = 0; i < protocol->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (protocol->subscriptions, i);
      StompestFrame *copy;
      const char *receipt;

      if (!sub->needs_replay)
        continue;

      /* Keep the copy, so headers added to it before sending are
       * replayed next time too. */
      copy = stompest_frame_copy (sub->frame);
      stompest_frame_unref (sub->frame);
      sub->frame = stompest_frame_ref (copy);
      sub->needs_replay = FALSE;
      g_ptr_array_add (frames, copy);

      receipt = stompest_frame_get_header (copy, "receipt");
      if (receipt != NULL)
        g_hash_table_add (protocol->receipts, g_strdup (receipt));
    }
  notify_receipts (protocol, old_receipts);

  return frames;
}

gboolean
stompest_protocol_check_send (StompestProtocol  *protocol,
                              const char        *transaction,
                              const char        *receipt,
                              GError           **error)
{
  return check_state (protocol, "send", IN_CONNECTED, error) &&
         check_transaction_open (protocol, "send", transaction, error) &&
         check_receipt (protocol, receipt, error);
}

/**
 * stompest_protocol_send:
 * @protocol: a protocol
 * @destination: where to send the message
 * @body: (nullable): the message body, or %NULL for none; it is not copied
 * @transaction: (nullable): an open transaction to send the message in, or
 *   %NULL
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds a SEND frame (see [func@Stompest.commands_send]).
 *
 * Returns: (transfer full): a new, unsealed SEND frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not connected, the
 *   transaction is not open or @receipt is already awaited
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_send (StompestProtocol  *protocol,
                        const char        *destination,
                        GBytes            *body,
                        const char        *transaction,
                        const char        *receipt,
                        GError           **error)
{
  StompestFrame *frame;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (destination != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!stompest_protocol_check_send (protocol, transaction, receipt, error))
    return NULL;

  frame = stompest_commands_send (destination, body, transaction, receipt);
  add_receipt (protocol, receipt);
  return frame;
}

/* A fresh id for a subscription made without one; the counter spans the
 * whole life of the protocol, so ids are not reused across connections. */
static char *
generate_subscription_id (StompestProtocol *self)
{
  char *id = NULL;

  do
    {
      g_free (id);
      id = g_strdup_printf ("stompest-%u", ++self->next_subscription_id);
    }
  while (g_hash_table_contains (self->subscriptions_by_token, id));

  return id;
}

/**
 * stompest_protocol_subscribe:
 * @protocol: a protocol
 * @destination: the destination to subscribe to
 * @id: (nullable): the subscription id, or %NULL to let the protocol
 *   choose one (STOMP 1.1 and later) or send none (STOMP 1.0)
 * @ack_mode: how messages of the subscription are acknowledged
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @token: (out) (optional) (transfer full): where to store the token of
 *   the subscription
 * @error: return location for a #GError
 *
 * Builds a SUBSCRIBE frame (see [func@Stompest.commands_subscribe]) and
 * records the subscription under its token: the `id` in STOMP 1.1 and
 * 1.2, where one is generated (`stompest-1`, `stompest-2`, …, unique for
 * the life of @protocol) when @id is %NULL; in STOMP 1.0 @id if given,
 * else @destination. MESSAGE frames of the subscription give the same
 * token through [method@Stompest.Protocol.message].
 *
 * The protocol keeps a reference to the returned frame to replay it after
 * a connection loss (see [method@Stompest.Protocol.replay]), so headers
 * added to it before sending it are replayed too.
 *
 * Returns: (transfer full): a new, unsealed SUBSCRIBE frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not connected, a
 *   subscription with the same token exists (or waits for replay),
 *   @receipt is already awaited, or the ack mode needs a later version
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_subscribe (StompestProtocol  *protocol,
                             const char        *destination,
                             const char        *id,
                             StompestAckMode    ack_mode,
                             const char        *receipt,
                             char             **token,
                             GError           **error)
{
  g_autofree char *frame_id = NULL;
  StompestFrame *frame;
  Subscription *sub;
  const char *key;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (destination != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_state (protocol, "subscribe", IN_CONNECTED, error))
    return NULL;

  if (id != NULL)
    frame_id = g_strdup (id);
  else if (protocol->version >= STOMPEST_VERSION_STOMP_1_1)
    frame_id = generate_subscription_id (protocol);
  key = frame_id != NULL ? frame_id : destination;

  if (g_hash_table_contains (protocol->subscriptions_by_token, key))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Cannot subscribe to “%s”: already subscribed with token “%s”",
                   destination, key);
      return NULL;
    }
  if (!check_receipt (protocol, receipt, error))
    return NULL;

  frame = stompest_commands_subscribe (destination, frame_id, ack_mode,
                                       protocol->version, receipt, error);
  if (frame == NULL)
    return NULL;

  sub = g_new0 (Subscription, 1);
  sub->token = g_strdup (key);
  sub->id = g_steal_pointer (&frame_id);
  sub->destination = g_strdup (destination);
  sub->frame = stompest_frame_ref (frame);
  g_ptr_array_add (protocol->subscriptions, sub);
  g_hash_table_insert (protocol->subscriptions_by_token, sub->token, sub);
  g_object_notify_by_pspec (G_OBJECT (protocol), properties[PROP_N_SUBSCRIPTIONS]);
  add_receipt (protocol, receipt);

  if (token != NULL)
    *token = g_strdup (sub->token);
  return frame;
}

/**
 * stompest_protocol_unsubscribe:
 * @protocol: a protocol
 * @token: the token [method@Stompest.Protocol.subscribe] gave
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds an UNSUBSCRIBE frame (see [func@Stompest.commands_unsubscribe])
 * and forgets the subscription: it is not replayed, and later MESSAGE
 * frames for it are unknown.
 *
 * Returns: (transfer full): a new, unsealed UNSUBSCRIBE frame, or %NULL
 *   with %STOMPEST_ERROR_PROTOCOL when the session is not connected, no
 *   subscription has that token or @receipt is already awaited
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_unsubscribe (StompestProtocol  *protocol,
                               const char        *token,
                               const char        *receipt,
                               GError           **error)
{
  StompestFrame *frame;
  Subscription *sub;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_state (protocol, "unsubscribe", IN_CONNECTED, error))
    return NULL;

  sub = g_hash_table_lookup (protocol->subscriptions_by_token, token);
  if (sub == NULL)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Cannot unsubscribe: no subscription with token “%s”",
                   token);
      return NULL;
    }
  if (!check_receipt (protocol, receipt, error))
    return NULL;

  frame = stompest_commands_unsubscribe (sub->id, sub->destination,
                                         protocol->version, receipt, error);
  if (frame == NULL)
    return NULL;

  remove_subscription (protocol, sub);
  add_receipt (protocol, receipt);
  return frame;
}

gboolean
stompest_protocol_forget_subscription (StompestProtocol *protocol,
                                       const char       *token)
{
  Subscription *sub;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (token != NULL, FALSE);

  sub = g_hash_table_lookup (protocol->subscriptions_by_token, token);
  if (sub == NULL)
    return FALSE;

  remove_subscription (protocol, sub);
  return TRUE;
}

void
stompest_protocol_expect_receipt (StompestProtocol *protocol,
                                  const char       *receipt)
{
  g_return_if_fail (STOMPEST_IS_PROTOCOL (protocol));
  g_return_if_fail (receipt != NULL);

  add_receipt (protocol, receipt);
}

gboolean
stompest_protocol_is_receipt_pending (StompestProtocol *protocol,
                                      const char       *receipt)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (receipt != NULL, FALSE);

  return g_hash_table_contains (protocol->receipts, receipt);
}

void
stompest_protocol_abandon_receipt (StompestProtocol *protocol,
                                   const char       *receipt)
{
  guint old_receipts;

  g_return_if_fail (STOMPEST_IS_PROTOCOL (protocol));
  g_return_if_fail (receipt != NULL);

  old_receipts = g_hash_table_size (protocol->receipts);
  if (!g_hash_table_remove (protocol->receipts, receipt))
    return;

  recent_add (&protocol->abandoned_receipts, receipt);
  notify_receipts (protocol, old_receipts);
}

gboolean
stompest_protocol_message_is_late (StompestProtocol *protocol,
                                   StompestFrame    *message)
{
  const char *subscription;
  const char *destination;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (!stompest_commands_read_message (message, protocol->version, &subscription, NULL, NULL))
    return FALSE;
  if (recent_contains (&protocol->ended_subscriptions, subscription))
    return TRUE;

  /* As stompest_protocol_message() matches 1.0 subscriptions without id. */
  destination = stompest_frame_get_header (message, "destination");
  return protocol->version == STOMPEST_VERSION_STOMP_1_0 && destination != NULL &&
         recent_contains (&protocol->ended_subscriptions, destination);
}

typedef StompestFrame *(*AcknowledgementBuilder) (StompestFrame    *message,
                                                  StompestVersion   version,
                                                  const char       *transaction,
                                                  const char       *receipt,
                                                  GError          **error);

gboolean
stompest_protocol_check_acknowledgement (StompestProtocol  *protocol,
                                         const char        *operation,
                                         StompestFrame     *message,
                                         const char        *receipt,
                                         const char       **transaction,
                                         GError           **error)
{
  if (!check_state (protocol, operation, IN_CONNECTED, error) ||
      !check_receipt (protocol, receipt, error))
    return FALSE;

  *transaction = stompest_frame_get_header (message, "transaction");
  if (*transaction != NULL && !g_hash_table_contains (protocol->transactions, *transaction))
    *transaction = NULL;
  return TRUE;
}

/* ACK and NACK: a `transaction` header on the MESSAGE (set by the
 * application on a copy) is carried over when that transaction is open,
 * as stompest does. */
static StompestFrame *
acknowledge (StompestProtocol        *self,
             const char              *operation,
             AcknowledgementBuilder   build,
             StompestFrame           *message,
             const char              *receipt,
             GError                 **error)
{
  StompestFrame *frame;
  const char *transaction;

  if (!stompest_protocol_check_acknowledgement (self, operation, message, receipt,
                                                &transaction, error))
    return NULL;

  frame = build (message, self->version, transaction, receipt, error);
  if (frame != NULL)
    add_receipt (self, receipt);
  return frame;
}

/**
 * stompest_protocol_ack:
 * @protocol: a protocol
 * @message: the MESSAGE frame to acknowledge
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds an ACK frame for @message in the negotiated version (see
 * [func@Stompest.commands_ack]). When @message carries a `transaction`
 * header naming an open transaction, the acknowledgement belongs to it.
 *
 * Returns: (transfer full): a new, unsealed ACK frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not connected, @receipt
 *   is already awaited or @message lacks a header the version needs
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_ack (StompestProtocol  *protocol,
                       StompestFrame     *message,
                       const char        *receipt,
                       GError           **error)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return acknowledge (protocol, "ack", stompest_commands_ack, message,
                      receipt, error);
}

/**
 * stompest_protocol_nack:
 * @protocol: a protocol
 * @message: the MESSAGE frame to reject
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds a NACK frame for @message in the negotiated version (see
 * [func@Stompest.commands_nack]); STOMP 1.0 has none. When @message
 * carries a `transaction` header naming an open transaction, the NACK
 * belongs to it.
 *
 * Returns: (transfer full): a new, unsealed NACK frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not connected, the
 *   version is 1.0, @receipt is already awaited or @message lacks a header
 *   the version needs
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_nack (StompestProtocol  *protocol,
                        StompestFrame     *message,
                        const char        *receipt,
                        GError           **error)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return acknowledge (protocol, "nack", stompest_commands_nack, message,
                      receipt, error);
}

typedef StompestFrame *(*TransactionBuilder) (const char *transaction,
                                              const char *receipt);

/* BEGIN opens TRANSACTION, COMMIT and ABORT close it. */
static StompestFrame *
transaction_frame (StompestProtocol    *self,
                   const char          *operation,
                   TransactionBuilder   build,
                   gboolean             opens,
                   const char          *transaction,
                   const char          *receipt,
                   GError             **error)
{
  gboolean open;
  StompestFrame *frame;

  if (!check_state (self, operation, IN_CONNECTED, error))
    return NULL;

  open = g_hash_table_contains (self->transactions, transaction);
  if (open == opens)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Cannot %s transaction “%s”: it is %s", operation,
                   transaction, open ? "already open" : "not open");
      return NULL;
    }
  if (!check_receipt (self, receipt, error))
    return NULL;

  frame = build (transaction, receipt);
  if (opens)
    g_hash_table_add (self->transactions, g_strdup (transaction));
  else
    g_hash_table_remove (self->transactions, transaction);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TRANSACTIONS]);
  add_receipt (self, receipt);
  return frame;
}

/**
 * stompest_protocol_begin:
 * @protocol: a protocol
 * @transaction: the id of the transaction, unique within the session
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds a BEGIN frame and records @transaction as open.
 *
 * Returns: (transfer full): a new, unsealed BEGIN frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not connected, the
 *   transaction is already open or @receipt is already awaited
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_begin (StompestProtocol  *protocol,
                         const char        *transaction,
                         const char        *receipt,
                         GError           **error)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (transaction != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return transaction_frame (protocol, "begin", stompest_commands_begin, TRUE,
                            transaction, receipt, error);
}

/**
 * stompest_protocol_commit:
 * @protocol: a protocol
 * @transaction: the id of an open transaction
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds a COMMIT frame and records @transaction as closed.
 *
 * Returns: (transfer full): a new, unsealed COMMIT frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not connected, the
 *   transaction is not open or @receipt is already awaited
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_commit (StompestProtocol  *protocol,
                          const char        *transaction,
                          const char        *receipt,
                          GError           **error)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (transaction != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return transaction_frame (protocol, "commit", stompest_commands_commit, FALSE,
                            transaction, receipt, error);
}

/**
 * stompest_protocol_abort:
 * @protocol: a protocol
 * @transaction: the id of an open transaction
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds an ABORT frame and records @transaction as closed.
 *
 * Returns: (transfer full): a new, unsealed ABORT frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when the session is not connected, the
 *   transaction is not open or @receipt is already awaited
 *
 * Since: 0.1
 */
StompestFrame *
stompest_protocol_abort (StompestProtocol  *protocol,
                         const char        *transaction,
                         const char        *receipt,
                         GError           **error)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);
  g_return_val_if_fail (transaction != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return transaction_frame (protocol, "abort", stompest_commands_abort, FALSE,
                            transaction, receipt, error);
}

/**
 * stompest_protocol_message:
 * @protocol: a protocol
 * @message: a MESSAGE frame from the broker
 * @token: (out) (optional) (transfer none): where to store the token of
 *   the subscription the message belongs to; it lives until the
 *   subscription is forgotten
 * @error: return location for a #GError
 *
 * Matches a MESSAGE frame to its subscription, by its `subscription`
 * header (see [func@Stompest.commands_read_message]); in STOMP 1.0 also by
 * its `destination`, for subscriptions made without an id. It is allowed
 * while connected and while disconnecting, when messages sent before the
 * DISCONNECT still arrive.
 *
 * Returns: %TRUE when the subscription is known; %FALSE with
 *   %STOMPEST_ERROR_PROTOCOL when it is not (the error names it), when
 *   @message is not a valid MESSAGE frame, or in another state
 *
 * Since: 0.1
 */
gboolean
stompest_protocol_message (StompestProtocol  *protocol,
                           StompestFrame     *message,
                           const char       **token,
                           GError           **error)
{
  const char *subscription;
  Subscription *sub;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_state (protocol, "read MESSAGE", IN_CONNECTED | IN_DISCONNECTING, error) ||
      !stompest_commands_read_message (message, protocol->version,
                                       &subscription, NULL, error))
    return FALSE;

  sub = g_hash_table_lookup (protocol->subscriptions_by_token, subscription);
  if (sub == NULL && protocol->version == STOMPEST_VERSION_STOMP_1_0)
    {
      const char *destination = stompest_frame_get_header (message, "destination");

      if (destination != NULL)
        sub = g_hash_table_lookup (protocol->subscriptions_by_token, destination);
    }
  if (sub == NULL)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "MESSAGE for unknown subscription “%s”", subscription);
      return FALSE;
    }

  if (token != NULL)
    *token = sub->token;
  return TRUE;
}

/**
 * stompest_protocol_receipt:
 * @protocol: a protocol
 * @receipt: a RECEIPT frame from the broker
 * @receipt_id: (out) (optional) (transfer none): where to store its
 *   `receipt-id`, which points into @receipt
 * @error: return location for a #GError
 *
 * Consumes a RECEIPT frame: the receipt is no longer awaited. It is
 * allowed while connected and while disconnecting.
 *
 * Returns: %TRUE when the receipt was awaited; %FALSE with
 *   %STOMPEST_ERROR_PROTOCOL when it was not (an unexpected or repeated
 *   receipt; the error names it), when @receipt is not a valid RECEIPT
 *   frame, or in another state
 *
 * Since: 0.1
 */
gboolean
stompest_protocol_receipt (StompestProtocol  *protocol,
                           StompestFrame     *receipt,
                           const char       **receipt_id,
                           GError           **error)
{
  const char *id;
  guint old_receipts;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (receipt != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_state (protocol, "read RECEIPT", IN_CONNECTED | IN_DISCONNECTING, error))
    return FALSE;

  id = stompest_commands_read_receipt (receipt, error);
  if (id == NULL)
    return FALSE;

  old_receipts = g_hash_table_size (protocol->receipts);
  if (!g_hash_table_remove (protocol->receipts, id) &&
      !recent_remove (&protocol->abandoned_receipts, id))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Unexpected receipt “%s”: no frame is waiting for it", id);
      return FALSE;
    }
  notify_receipts (protocol, old_receipts);

  if (receipt_id != NULL)
    *receipt_id = id;
  return TRUE;
}

/**
 * stompest_protocol_sent:
 * @protocol: a protocol
 * @now_us: the monotonic time of the write, in microseconds, as given by
 *   g_get_monotonic_time()
 *
 * Records that bytes were written to the broker: a frame or a heart-beat.
 * This moves [method@Stompest.Protocol.get_next_beat_due] on.
 *
 * Since: 0.1
 */
void
stompest_protocol_sent (StompestProtocol *protocol,
                        gint64            now_us)
{
  g_return_if_fail (STOMPEST_IS_PROTOCOL (protocol));

  protocol->last_sent = now_us;
}

/**
 * stompest_protocol_received:
 * @protocol: a protocol
 * @now_us: the monotonic time of the read, in microseconds, as given by
 *   g_get_monotonic_time()
 *
 * Records that bytes were read from the broker. Any bytes count, a part
 * of a frame as well as a heart-beat: they prove the broker alive. This
 * moves [method@Stompest.Protocol.get_peer_deadline] on.
 *
 * Since: 0.1
 */
void
stompest_protocol_received (StompestProtocol *protocol,
                            gint64            now_us)
{
  g_return_if_fail (STOMPEST_IS_PROTOCOL (protocol));

  protocol->last_received = now_us;
}

/**
 * stompest_protocol_get_next_beat_due:
 * @protocol: a protocol
 *
 * Gives the monotonic time, in microseconds, at which the client must send
 * a heart-beat if it writes nothing else before: the last write plus half
 * the send period.
 *
 * Half, not the whole period: the broker may check at exactly the
 * negotiated period, and a beat sent on time can still arrive late after
 * timer slack, scheduling and network delays. Sending at half the period
 * keeps at least one beat inside every window the broker checks.
 *
 * Returns: the time the next heart-beat is due, or -1 when the client
 *   sends none (no heart-beats negotiated, or not connected)
 *
 * Since: 0.1
 */
gint64
stompest_protocol_get_next_beat_due (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), -1);

  if (protocol->send_period == 0)
    return -1;
  return protocol->last_sent + (gint64) protocol->send_period * 1000 / 2;
}

/**
 * stompest_protocol_get_peer_deadline:
 * @protocol: a protocol
 *
 * Gives the monotonic time, in microseconds, after which the broker is
 * considered dead if nothing more was read from it: the last read plus
 * the receive period times [property@Stompest.Protocol:heart-beat-tolerance].
 *
 * Returns: the deadline, or -1 when the broker sends no heart-beats (none
 *   negotiated, or not connected)
 *
 * Since: 0.1
 */
gint64
stompest_protocol_get_peer_deadline (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), -1);

  if (protocol->receive_period == 0)
    return -1;
  return protocol->last_received +
         (gint64) ((double) protocol->receive_period * 1000.0 *
                   protocol->heart_beat_tolerance);
}

/**
 * stompest_protocol_is_peer_silent:
 * @protocol: a protocol
 * @now_us: the current monotonic time, in microseconds
 *
 * Tells whether the broker has been silent past its deadline (see
 * [method@Stompest.Protocol.get_peer_deadline]), so the connection should
 * be considered lost.
 *
 * Returns: %TRUE when @now_us is past the deadline; %FALSE when it is not
 *   or the broker sends no heart-beats
 *
 * Since: 0.1
 */
gboolean
stompest_protocol_is_peer_silent (StompestProtocol *protocol,
                                  gint64            now_us)
{
  gint64 deadline;

  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);

  deadline = stompest_protocol_get_peer_deadline (protocol);
  return deadline >= 0 && now_us > deadline;
}

/**
 * stompest_protocol_get_state:
 * @protocol: a protocol
 *
 * Gives the state of the session.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
StompestProtocolState
stompest_protocol_get_state (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol),
                        STOMPEST_PROTOCOL_STATE_DISCONNECTED);

  return protocol->state;
}

/**
 * stompest_protocol_get_version:
 * @protocol: a protocol
 *
 * Gives the STOMP version frames are built for: the negotiated one while
 * connected or disconnecting, else the highest one offered.
 *
 * Returns: the version
 *
 * Since: 0.1
 */
StompestVersion
stompest_protocol_get_version (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), STOMPEST_VERSION_STOMP_1_0);

  return protocol->version;
}

/**
 * stompest_protocol_get_max_version:
 * @protocol: a protocol
 *
 * Gives the highest STOMP version offered to the broker.
 *
 * Returns: the version
 *
 * Since: 0.1
 */
StompestVersion
stompest_protocol_get_max_version (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), STOMPEST_VERSION_STOMP_1_0);

  return protocol->max_version;
}

/**
 * stompest_protocol_get_server:
 * @protocol: a protocol
 *
 * Gives the `server` header of the broker's CONNECTED frame.
 *
 * Returns: (nullable): the server, or %NULL when the broker sent none or
 *   the session is not connected
 *
 * Since: 0.1
 */
const char *
stompest_protocol_get_server (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);

  return protocol->server;
}

/**
 * stompest_protocol_get_session:
 * @protocol: a protocol
 *
 * Gives the `session` header of the broker's CONNECTED frame.
 *
 * Returns: (nullable): the session id, or %NULL when the broker sent none
 *   or the session is not connected
 *
 * Since: 0.1
 */
const char *
stompest_protocol_get_session (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), NULL);

  return protocol->session;
}

/**
 * stompest_protocol_get_send_period:
 * @protocol: a protocol
 *
 * Gives the negotiated period at which the client must send something.
 *
 * Returns: the period in milliseconds, 0 for none
 *
 * Since: 0.1
 */
guint
stompest_protocol_get_send_period (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), 0);

  return protocol->send_period;
}

/**
 * stompest_protocol_get_receive_period:
 * @protocol: a protocol
 *
 * Gives the negotiated period at which the broker sends something.
 *
 * Returns: the period in milliseconds, 0 for none
 *
 * Since: 0.1
 */
guint
stompest_protocol_get_receive_period (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), 0);

  return protocol->receive_period;
}

/**
 * stompest_protocol_get_last_sent:
 * @protocol: a protocol
 *
 * Gives the time last given to [method@Stompest.Protocol.sent].
 *
 * Returns: a monotonic time in microseconds, 0 before the first write of
 *   the session
 *
 * Since: 0.1
 */
gint64
stompest_protocol_get_last_sent (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), 0);

  return protocol->last_sent;
}

/**
 * stompest_protocol_get_last_received:
 * @protocol: a protocol
 *
 * Gives the time last given to [method@Stompest.Protocol.received].
 *
 * Returns: a monotonic time in microseconds, 0 before the first read of
 *   the session
 *
 * Since: 0.1
 */
gint64
stompest_protocol_get_last_received (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), 0);

  return protocol->last_received;
}

/**
 * stompest_protocol_has_pending_receipts: (get-property pending-receipts)
 * @protocol: a protocol
 *
 * Tells whether a receipt is awaited.
 *
 * Returns: %TRUE when at least one receipt is awaited
 *
 * Since: 0.1
 */
gboolean
stompest_protocol_has_pending_receipts (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);

  return g_hash_table_size (protocol->receipts) > 0;
}

/**
 * stompest_protocol_get_n_pending_receipts:
 * @protocol: a protocol
 *
 * Counts the awaited receipts.
 *
 * Returns: the number of awaited receipts
 *
 * Since: 0.1
 */
guint
stompest_protocol_get_n_pending_receipts (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), 0);

  return g_hash_table_size (protocol->receipts);
}

/**
 * stompest_protocol_get_n_dropped_receipts:
 * @protocol: a protocol
 *
 * Counts the awaited receipts that the last close of a session dropped.
 *
 * Returns: the number of receipts dropped
 *
 * Since: 0.1
 */
guint
stompest_protocol_get_n_dropped_receipts (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), 0);

  return protocol->n_dropped_receipts;
}

/**
 * stompest_protocol_get_n_subscriptions:
 * @protocol: a protocol
 *
 * Counts the subscriptions the protocol knows, those waiting for replay
 * included.
 *
 * Returns: the number of subscriptions
 *
 * Since: 0.1
 */
guint
stompest_protocol_get_n_subscriptions (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), 0);

  return protocol->subscriptions->len;
}

/**
 * stompest_protocol_get_n_transactions:
 * @protocol: a protocol
 *
 * Counts the open transactions.
 *
 * Returns: the number of open transactions
 *
 * Since: 0.1
 */
guint
stompest_protocol_get_n_transactions (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), 0);

  return g_hash_table_size (protocol->transactions);
}

/**
 * stompest_protocol_is_transaction_open:
 * @protocol: a protocol
 * @transaction: a transaction id
 *
 * Tells whether @transaction was begun and neither committed nor aborted
 * in the current session.
 *
 * Returns: %TRUE when the transaction is open
 *
 * Since: 0.1
 */
gboolean
stompest_protocol_is_transaction_open (StompestProtocol *protocol,
                                       const char       *transaction)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), FALSE);
  g_return_val_if_fail (transaction != NULL, FALSE);

  return g_hash_table_contains (protocol->transactions, transaction);
}

/**
 * stompest_protocol_get_heart_beat_tolerance:
 * @protocol: a protocol
 *
 * Gives how many receive periods the broker may stay silent.
 *
 * Returns: the tolerance, greater than 1
 *
 * Since: 0.1
 */
double
stompest_protocol_get_heart_beat_tolerance (StompestProtocol *protocol)
{
  g_return_val_if_fail (STOMPEST_IS_PROTOCOL (protocol), DEFAULT_HEART_BEAT_TOLERANCE);

  return protocol->heart_beat_tolerance;
}

/**
 * stompest_protocol_set_heart_beat_tolerance:
 * @protocol: a protocol
 * @tolerance: how many receive periods the broker may stay silent; greater
 *   than 1
 *
 * Sets [property@Stompest.Protocol:heart-beat-tolerance].
 *
 * Since: 0.1
 */
void
stompest_protocol_set_heart_beat_tolerance (StompestProtocol *protocol,
                                            double            tolerance)
{
  g_return_if_fail (STOMPEST_IS_PROTOCOL (protocol));
  g_return_if_fail (tolerance > 1.0);

  if (protocol->heart_beat_tolerance == tolerance)
    return;

  protocol->heart_beat_tolerance = tolerance;
  g_object_notify_by_pspec (G_OBJECT (protocol),
                            properties[PROP_HEART_BEAT_TOLERANCE]);
}

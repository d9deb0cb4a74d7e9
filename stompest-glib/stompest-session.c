/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "stompest-commands-private.h"
#include "stompest-connection-private.h"
#include "stompest-enum-types.h"
#include "stompest-error.h"
#include "stompest-failover.h"
#include "stompest-frame-private.h"
#include "stompest-protocol-private.h"
#include "stompest-session-private.h"

/**
 * StompestSession:
 *
 * The asynchronous STOMP session for main-loop programs: stompest's
 * `async.Stomp`, on GIO instead of Twisted, with signals instead of
 * listeners.
 *
 * [method@Stompest.Session.connect_async] walks the failover schedule of
 * [property@Stompest.Session:uri] until a broker answers CONNECT with
 * CONNECTED. From then on the session reads the socket by itself and
 * reports what happens through signals:
 *
 * - [signal@Stompest.Session::connected] and
 *   [signal@Stompest.Session::disconnected] bracket each connection;
 * - [signal@Stompest.Subscription::message], then
 *   [signal@Stompest.Session::message], deliver each message as a
 *   [class@Stompest.Message];
 * - [signal@Stompest.Session::receipt] reports each RECEIPT;
 * - [signal@Stompest.Session::error] reports ERROR frames and failures
 *   nobody else can be told about.
 *
 * Nothing blocks. [method@Stompest.Session.send] queues the message and
 * returns; frames queued together are written together, in one vectored
 * write (bodies of more than 16 KiB are written from their own memory,
 * never copied), so the acknowledgements of a batch of messages read
 * together leave in a single write.
 * [method@Stompest.Session.send_async] completes when the broker confirms
 * the message with a RECEIPT.
 *
 * A handler that needs time takes a hold on the message
 * ([method@Stompest.Message.hold]) and finishes it later with
 * [method@Stompest.Message.complete] or [method@Stompest.Message.fail].
 * In the `client` and `client-individual` ack modes the session
 * acknowledges a message only once it finished successfully; a failure
 * is handled as the subscription's
 * [property@Stompest.Subscription:failure-policy] says, and no policy
 * acknowledges a failed message as if it had been processed. When
 * [property@Stompest.Subscription:max-in-flight] messages of a
 * subscription are unfinished, the session stops reading the socket
 * until one finishes, so the broker keeps the backlog. It then reads no
 * RECEIPT and no heart-beat either: a
 * [method@Stompest.Session.send_async] made meanwhile completes only
 * after a held message finishes, so a handler that holds its message
 * until the RECEIPT of one it sends (a transformer) must bound its
 * subscription with the broker's prefetch header instead of
 * max-in-flight.
 *
 * Heart-beats are sent and checked on timers: a broker that stays silent
 * past twice its heart-beat period ends the connection with
 * %STOMPEST_ERROR_CONNECTION_LOST. With
 * [property@Stompest.Session:reconnect] (the default), any lost connection
 * is made again through the failover schedule: the subscriptions are
 * replayed under their old tokens, then the messages sent meanwhile
 * (queued up to [property@Stompest.Session:max-offline-queue]) are
 * written. A bare broker URI is retried as `failover:(URI)` with the
 * default back-off, from 10 ms up to 30 s between attempts, forever.
 *
 * [method@Stompest.Session.disconnect_async] ends the session gracefully:
 * it stops delivering messages, waits for those in flight (up to
 * [property@Stompest.Session:disconnect-timeout]), sends DISCONNECT and
 * waits for its RECEIPT, then closes the connection.
 *
 * ## Threading
 *
 * A session belongs to the thread-default [struct@GLib.MainContext] of
 * the thread that created it ([method@Stompest.Session.get_context]).
 * Every source it owns — the socket reader, heart-beat and reconnect
 * timers, the writer — is attached to that context, never with
 * g_timeout_add() or g_idle_add(), and every signal is emitted there.
 * The callbacks of its asynchronous methods run in the thread-default
 * context of their caller, as [class@Gio.Task] does. Call its methods
 * only from the thread running that context; other threads hand work
 * back with [method@GLib.MainContext.invoke]. The one exception is a
 * [class@Gio.Cancellable], which may be cancelled from any thread.
 *
 * Frames in and out are logged at debug level in the `Stompest` log
 * domain (`G_MESSAGES_DEBUG=Stompest`), with the passcode masked. The
 * passcode never appears in a log line or an error message.
 *
 * A consumer that processes messages in a worker thread, at most eight
 * at a time:
 *
 * ```c
 * static void
 * work_done (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   g_autoptr(StompestMessage) message = user_data;
 *   g_autoptr(GError) error = NULL;
 *
 *   if (g_task_propagate_boolean (G_TASK (result), &error))
 *     stompest_message_complete (message);   // ACK
 *   else
 *     stompest_message_fail (message, error); // to the error destination
 * }
 *
 * static void
 * on_message (StompestSubscription *subscription,
 *             StompestMessage      *message,
 *             gpointer              user_data)
 * {
 *   stompest_message_hold (message);
 *   process_in_thread_async (stompest_message_get_body (message),
 *                            work_done, g_object_ref (message));
 * }
 *
 * static void
 * on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
 * {
 *   StompestSession *session = STOMPEST_SESSION (source);
 *   g_autoptr(StompestSubscription) subscription = NULL;
 *   g_autoptr(GError) error = NULL;
 *
 *   if (!stompest_session_connect_finish (session, result, &error))
 *     g_error ("%s", error->message);
 *
 *   subscription = stompest_session_subscribe (session, "/queue/work",
 *                                              STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
 *                                              NULL, &error);
 *   if (subscription == NULL)
 *     g_error ("%s", error->message);
 *   stompest_subscription_set_max_in_flight (subscription, 8);
 *   stompest_subscription_set_error_destination (subscription, "/queue/work.failed");
 *   stompest_subscription_set_failure_policy (subscription,
 *                                             STOMPEST_FAILURE_POLICY_ERROR_DESTINATION);
 *   g_signal_connect (subscription, "message", G_CALLBACK (on_message), NULL);
 * }
 *
 * int
 * main (void)
 * {
 *   g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
 *   g_autoptr(StompestSession) session =
 *     stompest_session_new ("failover:(tcp://a:61613,tcp://b:61613)");
 *
 *   stompest_session_connect_async (session, NULL, on_connected, NULL);
 *   g_main_loop_run (loop);
 *   return 0;
 * }
 * ```
 *
 * ## Lifetime
 *
 * A session with an operation in progress (a connect or reconnect
 * attempt, a write to the socket, a graceful disconnect, a
 * [method@Stompest.Session.send_async] waiting for its RECEIPT) holds a reference to itself until that operation ends, so
 * it outlives the last g_object_unref() and may still emit signals
 * meanwhile. Disconnect your signal handlers (for example with
 * g_signal_handlers_disconnect_by_data()) before dropping a session whose
 * handlers use data that goes away with it.
 *
 * Since: 0.1
 */

#define DEFAULT_VIRTUAL_HOST "/"
#define DEFAULT_HEART_BEAT 10000
#define DEFAULT_CONNECT_TIMEOUT 10000
#define DEFAULT_CONNECTED_TIMEOUT 10000
#define DEFAULT_RECEIPT_TIMEOUT 10000
#define DEFAULT_DISCONNECT_TIMEOUT 5000
#define DEFAULT_MAX_OFFLINE_QUEUE 1000

/* At most this many vectors go into one write (IOV_MAX is 1024 here);
 * a batch with more is written in several. */
#define MAX_BATCH_VECTORS 1020

/* Bodies up to this size are copied into the output buffer with the
 * heads around them; larger ones are written from their own memory. */
#define COPY_BODY_MAX 16384

/* An output buffer that grew past this is freed once written, not kept
 * for the next batch. */
#define KEEP_BUFFER_MAX (1024 * 1024)

/* What a connect walk is doing. */
typedef enum {
  STEP_NONE,
  STEP_NEXT,            /* about to ask the failover schedule */
  STEP_DELAY,           /* sleeping before the next attempt */
  STEP_TRANSPORT,       /* the transport is connecting */
  STEP_CONNECTED,       /* CONNECT written, waiting for CONNECTED */
} ConnectStep;

/* Where a graceful disconnect is. */
typedef enum {
  SHUTDOWN_NONE,
  SHUTDOWN_DRAIN,       /* waiting for messages in flight */
  SHUTDOWN_RECEIPT,     /* DISCONNECT queued, waiting for its RECEIPT */
} ShutdownPhase;

/* A message given to send() or send_async(), kept until it can be written
 * (while offline) and, for send_async(), until its RECEIPT. Ref-counted:
 * the offline queue, the write queue and the table of awaited receipts
 * each hold one. */
typedef struct {
  StompestSession *session;     /* unowned: the task holds it */
  char *destination;            /* in the same allocation */
  GBytes *body;
  GHashTable *headers;
  GTask *task;                  /* send_async(), until it returns */
  int io_priority;
  char *receipt;                /* send_async(): the receipt awaited */
  GSource *timeout;
  gulong cancelled_id;
} SendRequest;

/* A body written from its own memory, between the bytes of the
 * buffer before OFFSET and those after. */
typedef struct {
  gsize offset;
  GBytes *body;
} OutBody;

/* A SEND in an output buffer, kept until it is written: when the
 * connection ends first, it goes back to the offline queue. */
typedef struct {
  SendRequest *request;         /* a reference; or, for a plain send(): */
  char *destination;            /* a GRefString; NULL: the one of the plain
                                 * send() before it in the buffer */
  GBytes *body;                 /* a large body's reference; or a copied */
  gsize body_offset;            /* body's place in the buffer's bytes */
  gsize body_size;
} OutSend;

/* Frames queued for one vectored write, or being written: heads, small
 * bodies, NULs and heart-beats appended to one byte array as they are
 * queued, large bodies referenced. */
typedef struct {
  GByteArray *bytes;
  GArray *bodies;               /* OutBody, by offset */
  OutSend *sends;               /* in order; a plain array, as one is */
  guint n_sends;                /* appended per send() */
  guint sends_size;
  char *last_destination;       /* of the last plain send() in SENDS */
  GPtrArray *traced;            /* StompestFrame to log when written, if tracing */
  GArray *vectors;              /* GOutputVector, made when the write starts */
  guint n_frames;
  int io_priority;
} OutBuffer;

/* One vectored write in flight. */
typedef struct {
  StompestSession *session;     /* a reference */
  guint generation;
  OutBuffer *buffer;
  guint next_vector;            /* where the next write starts */
} WriteBatch;

struct _StompestSession
{
  GObject parent_instance;

  /* Settings. */
  char *uri;
  char *login;
  char *passcode;
  char *virtual_host;
  StompestVersion max_version;
  guint heart_beat_send;
  guint heart_beat_receive;
  guint connect_timeout;
  guint connected_timeout;
  guint receipt_timeout;
  guint disconnect_timeout;
  gboolean reconnect;
  guint max_offline_queue;

  GMainContext *context;
  GHashTable *transports;       /* interned scheme → StompestTransport */
  StompestFailover *failover;   /* made from @uri by the first walk */
  StompestFailover *reconnect_failover;  /* for a bare URI: failover:(uri) */
  StompestProtocol *protocol;
  StompestParser *parser;
  StompestSessionState state;

  /* Sources, all attached to @context for the life of the session and
   * armed with g_source_set_ready_time(). */
  GSource *flush_source;        /* starts a write */
  GSource *resume_source;       /* reading may resume after flow control */
  GSource *heart_beat_source;   /* next beat due, or the peer's deadline */
  GSource *step_source;         /* connect walk: delays, CONNECTED timeout */
  GSource *shutdown_source;     /* disconnect timeouts */

  /* The connection. The generation changes whenever a connection or an
   * attempt ends, so callbacks of older ones know they are stale. */
  guint generation;
  GIOStream *stream;
  GPollableInputStream *input;
  GOutputStream *output;
  GCancellable *io_cancellable;
  GSource *read_source;         /* NULL while reading is paused */
  char *broker_uri;
  guint8 *read_buffer;
  gboolean processing;          /* inside process_frames() */
  gboolean writing;
  gboolean tracing;             /* frames are logged on this connection */
  OutBuffer *out;               /* frames queued, not yet written */
  OutBuffer *spare_out;         /* an empty buffer for the next batch */
  GByteArray *head;             /* scratch for a frame's head */
  guint receipt_counter;

  /* The head of the last SEND made without headers of its own. */
  StompestSendHead send_head;

  /* send_async() requests waiting for their RECEIPT, by receipt id. */
  GHashTable *receipts;
  /* Requests made while not connected, oldest first. */
  GQueue offline;

  /* Subscriptions by token, each a reference. */
  GHashTable *subscriptions;
  StompestSubscription *last_subscription;  /* the last one a MESSAGE was for */
  guint n_bounded;              /* subscriptions with a max-in-flight */
  guint n_in_flight;
  StompestMessage *spare_message;           /* for the next MESSAGE, see stompest_message_release() */
  StompestMessage *delivering;              /* whose signals are being emitted */

  /* The connect walk. */
  ConnectStep step;
  GTask *connect_task;
  gulong connect_cancelled_id;
  GError *attempt_error;        /* of the last failed attempt */
  guint attempts;
  char *attempt_broker;

  /* A graceful disconnect. */
  ShutdownPhase shutdown;
  GTask *disconnect_task;
  gulong disconnect_cancelled_id;
  GError *shutdown_error;       /* the reason, or what went wrong */
  char *disconnect_receipt;

  /* Counters. */
  guint64 frames_in;
  guint64 frames_out;
  guint64 bytes_in;
  guint64 bytes_out;
  guint reconnects;
  guint64 n_writes;
};

G_DEFINE_FINAL_TYPE (StompestSession, stompest_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_LOGIN,
  PROP_PASSCODE,
  PROP_VIRTUAL_HOST,
  PROP_MAX_VERSION,
  PROP_HEART_BEAT_SEND,
  PROP_HEART_BEAT_RECEIVE,
  PROP_CONNECT_TIMEOUT,
  PROP_CONNECTED_TIMEOUT,
  PROP_RECEIPT_TIMEOUT,
  PROP_DISCONNECT_TIMEOUT,
  PROP_RECONNECT,
  PROP_MAX_OFFLINE_QUEUE,
  PROP_STATE,
  PROP_BROKER_URI,
  PROP_VERSION,
  PROP_SERVER,
  PROP_SESSION_ID,
  PROP_SEND_PERIOD,
  PROP_RECEIVE_PERIOD,
  PROP_FRAMES_IN,
  PROP_FRAMES_OUT,
  PROP_BYTES_IN,
  PROP_BYTES_OUT,
  PROP_RECONNECTS,
  PROP_N_IN_FLIGHT,
  PROP_OFFLINE_QUEUE_LENGTH,
  PROP_PARSER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_MESSAGE,
  SIGNAL_ERROR,
  SIGNAL_RECEIPT,
  SIGNAL_CONNECTED,
  SIGNAL_DISCONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void session_connection_failed (StompestSession *self,
                                       GError          *error);

/* Timers: sources armed by ready time, in microseconds of the monotonic
 * clock (0: at once; -1: disarmed). */

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

static GSource *
session_timer_new (StompestSession *self,
                   const char      *name,
                   GSourceFunc      func,
                   gpointer         data)
{
  GSource *source = g_source_new (&timer_funcs, sizeof (GSource));

  g_source_set_static_name (source, name);
  g_source_set_callback (source, func, data, NULL);
  g_source_set_ready_time (source, -1);
  g_source_attach (source, self->context);
  return source;
}

static void
timer_destroy (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* A deadline TIMEOUT_MS from now; -1 (never) for 0, which means no limit. */
static gint64
deadline_after (guint timeout_ms)
{
  if (timeout_ms == 0)
    return -1;
  return g_get_monotonic_time () + (gint64) timeout_ms * 1000;
}

static gint64
earliest (gint64 a,
          gint64 b)
{
  if (a < 0)
    return b;
  if (b < 0)
    return a;
  return MIN (a, b);
}

/* GIO async calls take the thread-default context of their caller: make
 * it the session's while starting one, so its callback runs there even
 * when the application iterates the context without pushing it. */
#define SESSION_PUSH_CONTEXT(self) g_main_context_push_thread_default ((self)->context)
#define SESSION_POP_CONTEXT(self) g_main_context_pop_thread_default ((self)->context)

static void
session_trace (StompestSession *self,
               const char      *direction,
               StompestFrame   *frame)
{
  stompest_connection_trace (self->passcode, self->broker_uri, direction, frame);
}

static void
session_set_state (StompestSession      *self,
                   StompestSessionState  state)
{
  if (self->state == state)
    return;

  g_debug ("Session %p: state %d → %d", self, self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* The properties that come from the broker's CONNECTED frame. */
static void
session_notify_connection (StompestSession *self)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  g_object_notify_by_pspec (object, properties[PROP_BROKER_URI]);
  g_object_notify_by_pspec (object, properties[PROP_VERSION]);
  g_object_notify_by_pspec (object, properties[PROP_SERVER]);
  g_object_notify_by_pspec (object, properties[PROP_SESSION_ID]);
  g_object_notify_by_pspec (object, properties[PROP_SEND_PERIOD]);
  g_object_notify_by_pspec (object, properties[PROP_RECEIVE_PERIOD]);
  g_object_thaw_notify (object);
}

static void
session_emit_error (StompestSession *self,
                    const GError    *error)
{
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

/* Cancellation. A GCancellable may be cancelled from any thread: the
 * handler only attaches an idle source to the session's context, where
 * the operation is then ended. (Not a GCancellableSource: on GLib 2.74 it
 * leaks when cancelled from another thread.) */

static void session_connect_cancelled    (StompestSession *self);
static void session_disconnect_cancelled (StompestSession *self);
static void session_send_cancelled       (StompestSession *self,
                                          GTask           *task);

static gboolean
cancel_in_context (gpointer data)
{
  GTask *task = data;
  StompestSession *self = g_task_get_source_object (task);
  gpointer tag = g_task_get_source_tag (task);

  if (tag == stompest_session_connect_async && self->connect_task == task)
    session_connect_cancelled (self);
  else if (tag == stompest_session_disconnect_async && self->disconnect_task == task)
    session_disconnect_cancelled (self);
  else if (tag == stompest_session_send_async)
    session_send_cancelled (self, task);

  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      data)
{
  GTask *task = data;
  StompestSession *self = g_task_get_source_object (task);
  GSource *idle = g_idle_source_new ();

  g_source_set_static_name (idle, "[stompest] cancel");
  g_source_set_callback (idle, cancel_in_context, g_object_ref (task), g_object_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

static gulong
task_watch_cancellable (GTask *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable == NULL)
    return 0;
  return g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                g_object_ref (task), g_object_unref);
}

/* Returns *TASK with ERROR (taken) or success, and clears it. */
static void
task_finish (GTask   **task,
             gulong   *cancelled_id,
             GError   *error)
{
  GTask *owned = g_steal_pointer (task);

  if (*cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (owned), *cancelled_id);
  *cancelled_id = 0;

  if (error != NULL)
    g_task_return_error (owned, error);
  else
    g_task_return_boolean (owned, TRUE);
  g_object_unref (owned);
}

/* Send requests. */

static void
request_finish (SendRequest *request,
                GError      *error)
{
  if (request->task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  timer_destroy (&request->timeout);
  task_finish (&request->task, &request->cancelled_id, error);
}

static void
request_clear (gpointer data)
{
  SendRequest *request = data;

  /* Every path ends the task first; this is a safety net. */
  if (request->task != NULL)
    request_finish (request, g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                                          "The message to %s was dropped",
                                          request->destination));
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->headers, g_hash_table_unref);
  g_free (request->receipt);
}

static SendRequest *
request_ref (SendRequest *request)
{
  return g_rc_box_acquire (request);
}

static void
request_unref (SendRequest *request)
{
  g_rc_box_release_full (request, request_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendRequest, request_unref)

static SendRequest *
request_new (StompestSession *self,
             const char      *destination,
             GBytes          *body,
             GHashTable      *headers)
{
  gsize size = strlen (destination) + 1;
  SendRequest *request = g_rc_box_alloc0 (sizeof (SendRequest) + size);

  request->session = self;
  request->destination = memcpy (request + 1, destination, size);
  request->body = body != NULL ? g_bytes_ref (body) : NULL;
  request->headers = headers != NULL ? g_hash_table_ref (headers) : NULL;
  request->io_priority = G_PRIORITY_DEFAULT;
  return request;
}

static void session_check_drain (StompestSession *self);

/* Takes REQUEST out of the offline queue and the table of awaited
 * receipts, wherever it is. */
static void
session_forget_request (StompestSession *self,
                        SendRequest     *request)
{
  if (request->receipt != NULL &&
      g_hash_table_lookup (self->receipts, request->receipt) == request)
    {
      g_hash_table_remove (self->receipts, request->receipt);
      session_check_drain (self);
    }

  if (g_queue_remove (&self->offline, request))
    {
      request_unref (request);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_QUEUE_LENGTH]);
    }
}

static gboolean
on_request_timeout (gpointer data)
{
  g_autoptr(SendRequest) request = request_ref (data);
  StompestSession *self = request->session;

  session_forget_request (self, request);
  request_finish (request,
                  g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                               "No RECEIPT for the message to %s from %s within %u ms",
                               request->destination,
                               self->broker_uri != NULL ? self->broker_uri : self->uri,
                               self->receipt_timeout));
  return G_SOURCE_CONTINUE;
}

static void
session_send_cancelled (StompestSession *self,
                        GTask           *task)
{
  g_autoptr(SendRequest) request = request_ref (g_task_get_task_data (task));

  if (request->task != task)
    return;

  /* A frame already queued still goes out: only the wait ends. */
  session_forget_request (self, request);
  request_finish (request, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                        "Sending the message to %s was cancelled",
                                        request->destination));
}

/* Ends every request of the offline queue because of REASON: those of
 * send_async() fail, the others are dropped. */
static void
session_drop_offline (StompestSession *self,
                      const GError    *reason)
{
  GQueue offline = self->offline;
  SendRequest *request;

  if (g_queue_is_empty (&offline))
    return;

  /* Taken out first: a task callback may send again. */
  g_queue_init (&self->offline);
  g_debug ("Dropped %u message(s) queued while offline: %s", offline.length, reason->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_QUEUE_LENGTH]);
  while ((request = g_queue_pop_head (&offline)) != NULL)
    {
      request_finish (request, g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                                            "The message to %s was not sent: %s",
                                            request->destination, reason->message));
      request_unref (request);
    }
}

/* Writing. Frames are written into the output buffer when they are
 * queued, so that a frame that cannot be written fails the call that
 * made it; the buffer then goes out in one vectored write, started by
 * the flush source, or at the end of a read: whatever was queued
 * meanwhile (the ACKs of the messages of one read, say) leaves
 * together. */

static OutBuffer *
out_buffer_new (void)
{
  OutBuffer *out = g_new0 (OutBuffer, 1);

  out->bytes = g_byte_array_sized_new (4096);
  out->bodies = g_array_new (FALSE, FALSE, sizeof (OutBody));
  out->vectors = g_array_new (FALSE, FALSE, sizeof (GOutputVector));
  out->io_priority = G_PRIORITY_LOW;
  return out;
}

static gboolean
out_buffer_is_empty (OutBuffer *out)
{
  return out->bytes->len == 0 && out->bodies->len == 0;
}

/* Empties OUT, keeping its memory for the next batch. */
static void
out_buffer_clear (OutBuffer *out)
{
  for (guint i = 0; i < out->bodies->len; i++)
    g_bytes_unref (g_array_index (out->bodies, OutBody, i).body);
  for (guint i = 0; i < out->n_sends; i++)
    {
      OutSend *send = &out->sends[i];

      g_clear_pointer (&send->request, request_unref);
      g_clear_pointer (&send->destination, g_ref_string_release);
      g_clear_pointer (&send->body, g_bytes_unref);
    }
  g_byte_array_set_size (out->bytes, 0);
  g_array_set_size (out->bodies, 0);
  out->n_sends = 0;
  out->last_destination = NULL;
  g_array_set_size (out->vectors, 0);
  g_clear_pointer (&out->traced, g_ptr_array_unref);
  out->n_frames = 0;
  out->io_priority = G_PRIORITY_LOW;
}

static void
out_buffer_free (OutBuffer *out)
{
  out_buffer_clear (out);
  g_byte_array_unref (out->bytes);
  g_array_unref (out->bodies);
  g_free (out->sends);
  g_array_unref (out->vectors);
  g_free (out);
}

/* How many bytes a frame with BODY (nullable) takes in a buffer after
 * its head: a small body and the NUL; a large body is written from its
 * own memory. */
static gsize
out_buffer_body_room (GBytes *body)
{
  gsize size = body != NULL ? g_bytes_get_size (body) : 0;

  return size > COPY_BODY_MAX ? 1 : size + 1;
}

/* Ends the frame whose head was written into OUT with BODY (nullable)
 * and the NUL, in the out_buffer_body_room() bytes at ROOM, the end of
 * OUT's bytes. */
static void
out_buffer_end_frame_at (OutBuffer *out,
                         guint8    *room,
                         GBytes    *body,
                         int        io_priority)
{
  gsize size = 0;
  gconstpointer data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  if (size > COPY_BODY_MAX)
    {
      OutBody large = { room - out->bytes->data, g_bytes_ref (body) };

      g_array_append_val (out->bodies, large);
      size = 0;
    }
  if (size > 0)
    memcpy (room, data, size);
  room[size] = '\0';

  out->n_frames++;
  out->io_priority = MIN (out->io_priority, io_priority);
}

/* Ends the frame whose head was just written into OUT with BODY
 * (nullable) and the NUL. */
static void
out_buffer_end_frame (OutBuffer *out,
                      GBytes    *body,
                      int        io_priority)
{
  out_buffer_end_frame_at (out, stompest_byte_array_grow (out->bytes, out_buffer_body_room (body)),
                           body, io_priority);
}

/* DESTINATION (a GRefString) for a plain send() kept in OUT: a
 * reference, or NULL when the plain send() before it in OUT went there
 * too. */
static char *
out_buffer_ref_destination (OutBuffer *out,
                            char      *destination)
{
  if (destination == out->last_destination)
    return NULL;
  out->last_destination = destination;
  return g_ref_string_acquire (destination);
}

/* Keeps SEND (its references taken) until OUT is written. */
static void
out_buffer_add_send (OutBuffer     *out,
                     const OutSend *send)
{
  if (out->n_sends == out->sends_size)
    {
      out->sends_size = MAX (64, 2 * out->sends_size);
      out->sends = g_renew (OutSend, out->sends, out->sends_size);
    }
  out->sends[out->n_sends++] = *send;
}

/* Keeps FRAME (taken) to be logged when it is written. */
static void
out_buffer_trace (OutBuffer     *out,
                  StompestFrame *frame)
{
  if (out->traced == NULL)
    out->traced = g_ptr_array_new_with_free_func ((GDestroyNotify) stompest_frame_unref);
  g_ptr_array_add (out->traced, frame);
}

static void
out_buffer_add_vector (OutBuffer     *out,
                       gconstpointer  buffer,
                       gsize          size)
{
  GOutputVector vector = { buffer, size };

  if (size > 0)
    g_array_append_val (out->vectors, vector);
}

/* The vectors of a write: the bytes, cut where large bodies go. */
static void
out_buffer_make_vectors (OutBuffer *out)
{
  gsize offset = 0;

  for (guint i = 0; i < out->bodies->len; i++)
    {
      OutBody *large = &g_array_index (out->bodies, OutBody, i);

      out_buffer_add_vector (out, out->bytes->data + offset, large->offset - offset);
      out_buffer_add_vector (out, g_bytes_get_data (large->body, NULL),
                             g_bytes_get_size (large->body));
      offset = large->offset;
    }
  out_buffer_add_vector (out, out->bytes->data + offset, out->bytes->len - offset);
}

/* Arms the flush source, unless a write is under way (its end starts
 * the next) or frames are being read (the end of the read starts it). */
static void
session_schedule_flush (StompestSession *self)
{
  if (!self->writing && !self->processing && self->stream != NULL &&
      !out_buffer_is_empty (self->out) && g_source_get_ready_time (self->flush_source) != 0)
    g_source_set_ready_time (self->flush_source, 0);
}

/* Queues FRAME, written now for the negotiated version. A batch is
 * written at the most urgent IO_PRIORITY of its frames. */
static gboolean
session_queue_frame_full (StompestSession  *self,
                          StompestFrame    *frame,
                          int               io_priority,
                          GError          **error)
{
  GOutputVector vectors[3];

  if (stompest_connection_frame_vectors (frame, stompest_protocol_get_version (self->protocol),
                                         self->head, vectors, error) == 0)
    return FALSE;

  stompest_frame_seal (frame);
  g_byte_array_append (self->out->bytes, self->head->data, self->head->len);
  if (self->tracing)
    out_buffer_trace (self->out, stompest_frame_ref (frame));
  out_buffer_end_frame (self->out, stompest_frame_get_body (frame), io_priority);
  session_schedule_flush (self);
  return TRUE;
}

static gboolean
session_queue_frame (StompestSession  *self,
                     StompestFrame    *frame,
                     GError          **error)
{
  return session_queue_frame_full (self, frame, G_PRIORITY_DEFAULT, error);
}

/* Queues FRAME (taken; NULL when building it failed with ERROR set). */
static gboolean
session_queue_built (StompestSession  *self,
                     StompestFrame    *frame,
                     GError          **error)
{
  g_autoptr(StompestFrame) owned = frame;

  return owned != NULL && session_queue_frame (self, owned, error);
}

static void
session_queue_beat (StompestSession *self)
{
  g_autoptr(GBytes) beat = stompest_commands_beat (stompest_protocol_get_version (self->protocol));

  g_byte_array_append (self->out->bytes, g_bytes_get_data (beat, NULL), g_bytes_get_size (beat));
  self->out->io_priority = MIN (self->out->io_priority, G_PRIORITY_DEFAULT);
  session_schedule_flush (self);
}

/* Notifies FRAMES and BYTES, the counters of a read or a write, unless
 * nothing listens to the session's notify: a notification nobody hears
 * still costs more than reading or writing a few frames. (The type is
 * final, so no subclass watches its properties another way.) */
static void
session_notify_counters (StompestSession *self,
                         GParamSpec      *frames,
                         GParamSpec      *bytes)
{
  if (!stompest_connection_has_notify_handler (self))
    return;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), frames);
  g_object_notify_by_pspec (G_OBJECT (self), bytes);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
write_batch_free (WriteBatch *batch)
{
  if (batch->buffer != NULL)
    out_buffer_free (batch->buffer);
  g_object_unref (batch->session);
  g_free (batch);
}

static void session_schedule_heart_beat (StompestSession *self);
static gboolean on_flush (gpointer data);
static void on_written (GObject      *source,
                        GAsyncResult *result,
                        gpointer      data);

/* Writes what the stream takes now, without blocking, of BATCH's
 * vectors from the next one on, and returns how many went whole; a
 * vector that went in part is trimmed to its rest. A write that would
 * block or fails stops there: the asynchronous write takes over, and
 * reports the failure. GIO's asynchronous write of even a few bytes makes
 * two GTasks and completes in a later main loop iteration, which per
 * batch cost several times the write itself. */
static guint
write_batch_write_now (WriteBatch *batch)
{
  StompestSession *self = batch->session;
  GArray *vectors = batch->buffer->vectors;
  GPollableOutputStream *pollable;
  guint done = 0;

  if (!G_IS_POLLABLE_OUTPUT_STREAM (self->output) ||
      !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (self->output)))
    return 0;

  pollable = G_POLLABLE_OUTPUT_STREAM (self->output);
  while (batch->next_vector + done < vectors->len)
    {
      GOutputVector *next = &g_array_index (vectors, GOutputVector, batch->next_vector + done);
      guint n = MIN (vectors->len - batch->next_vector - done, MAX_BATCH_VECTORS);
      gsize written = 0;

      /* Nothing written and no error would make this loop spin: the
       * asynchronous write copes with such a stream. */
      if (g_pollable_output_stream_writev_nonblocking (pollable, next, n, &written,
                                                       self->io_cancellable, NULL) != G_POLLABLE_RETURN_OK ||
          written == 0)
        break;

      self->bytes_out += written;
      for (guint i = 0; i < n && written >= next[i].size; i++)
        {
          written -= next[i].size;
          done++;
        }
      if (written > 0)
        {
          next = &g_array_index (vectors, GOutputVector, batch->next_vector + done);
          next->buffer = (const guint8 *) next->buffer + written;
          next->size -= written;
        }
    }
  return done;
}

static void write_batch_done (WriteBatch *batch);

/* Writes the next vectors of BATCH: what the stream takes at once, then
 * as many as one asynchronous write takes. */
static void
write_batch_next (WriteBatch *batch)
{
  StompestSession *self = batch->session;
  OutBuffer *out = batch->buffer;
  guint n;

  batch->next_vector += write_batch_write_now (batch);
  if (batch->next_vector == out->vectors->len)
    {
      write_batch_done (batch);
      return;
    }

  n = MIN (out->vectors->len - batch->next_vector, MAX_BATCH_VECTORS);
  SESSION_PUSH_CONTEXT (self);
  g_output_stream_writev_all_async (self->output,
                                    &g_array_index (out->vectors, GOutputVector, batch->next_vector),
                                    n, out->io_priority, self->io_cancellable, on_written, batch);
  SESSION_POP_CONTEXT (self);
  batch->next_vector += n;
}

/* The whole of BATCH is written: counts it, keeps its buffer for reuse
 * and starts the next batch, if frames were queued meanwhile. */
static void
write_batch_done (WriteBatch *batch)
{
  StompestSession *self = batch->session;

  self->writing = FALSE;
  self->frames_out += batch->buffer->n_frames;
  stompest_protocol_sent (self->protocol, g_get_monotonic_time ());
  session_notify_counters (self, properties[PROP_FRAMES_OUT], properties[PROP_BYTES_OUT]);

  /* The buffer serves again, unless a burst made it large. */
  if (self->spare_out == NULL && batch->buffer->bytes->len <= KEEP_BUFFER_MAX)
    {
      out_buffer_clear (batch->buffer);
      self->spare_out = g_steal_pointer (&batch->buffer);
    }

  on_flush (self);
  session_schedule_heart_beat (self);
  write_batch_free (batch);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  WriteBatch *batch = data;
  StompestSession *self = batch->session;
  g_autoptr(GError) error = NULL;
  gsize written = 0;
  gboolean ok;

  ok = g_output_stream_writev_all_finish (G_OUTPUT_STREAM (source), result, &written, &error);
  if (batch->generation != self->generation)
    {
      write_batch_free (batch);
      return;
    }

  self->bytes_out += written;
  if (!ok)
    {
      g_autofree char *reason = g_strdup_printf ("could not write: %s", error->message);

      self->writing = FALSE;
      session_connection_failed (self, stompest_connection_lost_error (self->broker_uri, reason));
      write_batch_free (batch);
      return;
    }
  if (batch->next_vector < batch->buffer->vectors->len)
    write_batch_next (batch);
  else
    write_batch_done (batch);
}

static gboolean
on_flush (gpointer data)
{
  StompestSession *self = data;
  OutBuffer *out = self->out;
  WriteBatch *batch;

  if (self->writing || self->stream == NULL || out_buffer_is_empty (out))
    return G_SOURCE_CONTINUE;

  /* The queued frames go out; new ones go to another buffer meanwhile. */
  self->out = self->spare_out != NULL ? g_steal_pointer (&self->spare_out) : out_buffer_new ();
  if (out->traced != NULL)
    {
      for (guint i = 0; i < out->traced->len; i++)
        session_trace (self, ">", g_ptr_array_index (out->traced, i));
    }
  out_buffer_make_vectors (out);

  batch = g_new0 (WriteBatch, 1);
  batch->session = g_object_ref (self);
  batch->generation = self->generation;
  batch->buffer = out;
  self->writing = TRUE;
  self->n_writes++;
  write_batch_next (batch);
  return G_SOURCE_CONTINUE;
}

/* Fails, with a copy of ERROR, the send_async() requests whose frames
 * were written but not confirmed: whether the broker has them is
 * unknown. */
static void
session_fail_receipts (StompestSession *self,
                       const GError    *error)
{
  GList *requests = g_hash_table_get_values (self->receipts);

  /* Taken out first: a task callback may send again. */
  g_hash_table_steal_all (self->receipts);
  for (GList *l = requests; l != NULL; l = l->next)
    {
      request_finish (l->data, g_error_copy (error));
      request_unref (l->data);
    }
  g_list_free (requests);
}

/* Ends the connection or the attempt, if any: closes the stream (at once
 * with SYNC, else asynchronously) and stops every source of it. SENDs not
 * yet written go back to the front of the offline queue, in order; those
 * written but awaiting a RECEIPT fail. */
static void
session_close_stream (StompestSession *self,
                      gboolean         sync)
{
  g_autoptr(GError) unconfirmed = NULL;
  OutBuffer *out = self->out;
  GList *front = self->offline.head;
  const char *destination = NULL;

  self->generation++;
  if (self->io_cancellable != NULL)
    {
      g_cancellable_cancel (self->io_cancellable);
      g_clear_object (&self->io_cancellable);
    }
  if (self->read_source != NULL)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
  g_source_set_ready_time (self->flush_source, -1);
  g_source_set_ready_time (self->resume_source, -1);
  g_source_set_ready_time (self->heart_beat_source, -1);
  self->writing = FALSE;

  for (guint i = 0; i < out->n_sends; i++)
    {
      OutSend *send = &out->sends[i];
      SendRequest *request = g_steal_pointer (&send->request);

      /* A plain send() becomes a request now, with a copy of a body
       * that was copied into the buffer. */
      if (request == NULL)
        {
          g_autoptr(GBytes) copied = NULL;

          if (send->destination != NULL)
            destination = send->destination;
          if (send->body == NULL && send->body_size > 0)
            copied = g_bytes_new (out->bytes->data + send->body_offset, send->body_size);
          request = request_new (self, destination, send->body != NULL ? send->body : copied, NULL);
        }
      if (request->receipt != NULL &&
          g_hash_table_lookup (self->receipts, request->receipt) == request)
        g_hash_table_remove (self->receipts, request->receipt);
      /* In order, before what was queued offline already. */
      g_queue_insert_before (&self->offline, front, request);
    }
  if (out->n_sends > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_QUEUE_LENGTH]);
  out_buffer_clear (out);

  if (g_hash_table_size (self->receipts) > 0)
    {
      unconfirmed = g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                                 "The connection to %s ended before the broker "
                                 "confirmed the message", self->broker_uri);
      session_fail_receipts (self, unconfirmed);
    }

  if (self->stream != NULL)
    {
      g_debug ("Closing the connection to %s", self->broker_uri);
      if (sync)
        g_io_stream_close (self->stream, NULL, NULL);
      else
        g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&self->stream);
    }
  self->input = NULL;
  self->output = NULL;
  g_clear_pointer (&self->read_buffer, g_free);
  stompest_parser_reset (self->parser);
}

/* Ends every subscription: after a clean disconnect, or with the
 * session. */
static void
session_forget_subscriptions (StompestSession *self)
{
  g_autoptr(GPtrArray) subscriptions = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer subscription;

  /* Emptied first: detaching notifies, and handlers may call back. */
  g_hash_table_iter_init (&iter, self->subscriptions);
  while (g_hash_table_iter_next (&iter, NULL, &subscription))
    g_ptr_array_add (subscriptions, g_object_ref (subscription));
  g_hash_table_remove_all (self->subscriptions);
  self->last_subscription = NULL;
  self->n_bounded = 0;

  for (guint i = 0; i < subscriptions->len; i++)
    stompest_subscription_detach (g_ptr_array_index (subscriptions, i));
}

/* Whether frames other than CONNECT can be written now: connected, or
 * draining messages before DISCONNECT. */
static gboolean
session_can_write (StompestSession *self)
{
  return self->stream != NULL &&
         stompest_protocol_get_state (self->protocol) == STOMPEST_PROTOCOL_STATE_CONNECTED;
}

/* Whether there is a STOMP session on the connection, until its
 * DISCONNECT receipt. */
static gboolean
session_is_connected (StompestSession *self)
{
  StompestProtocolState state = stompest_protocol_get_state (self->protocol);

  return self->stream != NULL &&
         (state == STOMPEST_PROTOCOL_STATE_CONNECTED ||
          state == STOMPEST_PROTOCOL_STATE_DISCONNECTING);
}

/* Reading. */

static gboolean
session_flow_blocked (StompestSession *self)
{
  GHashTableIter iter;
  gpointer subscription;

  /* Never while connecting or disconnecting: CONNECTED and RECEIPT
   * frames must get through. */
  if (self->state != STOMPEST_SESSION_STATE_CONNECTED || self->n_bounded == 0)
    return FALSE;

  g_hash_table_iter_init (&iter, self->subscriptions);
  while (g_hash_table_iter_next (&iter, NULL, &subscription))
    {
      if (stompest_subscription_is_full (subscription))
        return TRUE;
    }
  return FALSE;
}

/* Counts the subscriptions that have a max-in-flight, so that reading
 * a frame need not look at them all when none has. */
static void
session_count_bounded (StompestSession *self)
{
  GHashTableIter iter;
  gpointer subscription;

  self->n_bounded = 0;
  g_hash_table_iter_init (&iter, self->subscriptions);
  while (g_hash_table_iter_next (&iter, NULL, &subscription))
    {
      if (stompest_subscription_get_max_in_flight (subscription) > 0)
        self->n_bounded++;
    }
}

void
stompest_session_bounds_changed (StompestSession *self)
{
  session_count_bounded (self);
  stompest_session_update_reading (self);
}

static void session_handle_frame (StompestSession *self,
                                  StompestFrame   *frame);

/* Handles the frames the parser holds, until flow control stops it or
 * the connection ends. */
static void
session_process_frames (StompestSession *self)
{
  guint generation = self->generation;

  if (self->processing)
    return;

  self->processing = TRUE;
  while (self->generation == generation && !session_flow_blocked (self))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StompestFrame) frame = stompest_parser_next_frame (self->parser, &error);

      if (frame == NULL)
        {
          if (error != NULL)
            session_connection_failed (self, stompest_connection_malformed_error (self->broker_uri,
                                                                                 self->passcode,
                                                                                 error));
          break;
        }

      self->frames_in++;
      if (self->tracing)
        session_trace (self, "<", frame);
      session_handle_frame (self, frame);
    }
  self->processing = FALSE;
  /* What the frames made the session queue (ACKs) leaves together. */
  on_flush (self);

  session_notify_counters (self, properties[PROP_FRAMES_IN], properties[PROP_BYTES_IN]);

  stompest_session_update_reading (self);
}

static gboolean
on_readable (GObject  *stream,
             gpointer  data)
{
  StompestSession *self = data;
  g_autoptr(GError) error = NULL;
  gssize n;

  /* A handler runs the context: the frames read so far come first.
   * Reading resumes once they are handled (see
   * stompest_session_update_reading()). */
  if (self->processing)
    {
      g_clear_pointer (&self->read_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  n = stompest_connection_read (self->input, self->parser, &self->read_buffer, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;

  g_object_ref (self);
  if (n < 0)
    {
      g_autofree char *reason = g_strdup_printf ("could not read: %s", error->message);

      session_connection_failed (self, stompest_connection_lost_error (self->broker_uri, reason));
    }
  else if (n == 0)
    {
      session_connection_failed (self, stompest_connection_lost_error (self->broker_uri,
                                                                       "the broker closed the connection"));
    }
  else
    {
      self->bytes_in += n;
      stompest_protocol_received (self->protocol, g_get_monotonic_time ());
      session_process_frames (self);
    }
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_socket_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      data)
{
  return on_readable (NULL, data);
}

static void
session_start_reading (StompestSession *self)
{
  if (self->read_source != NULL || self->input == NULL)
    return;

  /* GLib takes the file descriptors of a source it dispatches out of the
   * poll set and puts them back after, waking the context (a write to
   * its eventfd) each time: per read, more system calls than the read.
   * A source that may recurse is left alone, but a stream's pollable
   * source has a child source that is not: a socket is watched
   * directly. A recursive dispatch stops reading (see on_readable()). */
  if (G_IS_SOCKET_CONNECTION (self->stream))
    {
      GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream));

      self->read_source = g_socket_create_source (socket, G_IO_IN, NULL);
      g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_socket_readable), self, NULL);
    }
  else
    {
      self->read_source = g_pollable_input_stream_create_source (self->input, NULL);
      g_source_set_callback (self->read_source, G_SOURCE_FUNC (on_readable), self, NULL);
    }
  g_source_set_static_name (self->read_source, "[stompest] reader");
  g_source_set_can_recurse (self->read_source, TRUE);
  g_source_attach (self->read_source, self->context);
}

static void session_schedule_heart_beat (StompestSession *self);

void
stompest_session_update_reading (StompestSession *self)
{
  if (self->stream == NULL || self->processing)
    return;

  if (session_flow_blocked (self))
    {
      if (self->read_source == NULL)
        return;
      g_debug ("Flow control: stopped reading from %s", self->broker_uri);
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
      session_schedule_heart_beat (self);
    }
  else if (self->read_source == NULL)
    {
      /* From a source of its own: this may run inside
       * stompest_message_complete(), which must not emit signals. */
      g_source_set_ready_time (self->resume_source, 0);
    }
}

static gboolean
on_resume (gpointer data)
{
  StompestSession *self = data;

  if (self->stream == NULL || self->read_source != NULL || session_flow_blocked (self))
    return G_SOURCE_CONTINUE;

  g_debug ("Flow control: reading from %s again", self->broker_uri);
  /* What arrived meanwhile was not read: the broker's silence clock
   * starts again now. */
  stompest_protocol_received (self->protocol, g_get_monotonic_time ());
  g_object_ref (self);
  session_start_reading (self);
  session_process_frames (self);
  session_schedule_heart_beat (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

/* Heart-beats: one timer, armed for the earlier of the next beat due and
 * the broker's deadline. Neither matters while a write is under way (it
 * counts as a beat, and its end re-arms the timer) or, for the
 * deadline, while flow control keeps the socket unread.
 *
 * Each read and write moves both later, but the timer is only ever
 * brought forward: one armed too early fires, finds nothing due and is
 * armed again. Setting a source's ready time wakes its context (a write
 * to its eventfd), which per frame would cost more than the frame. */

static void
session_schedule_heart_beat (StompestSession *self)
{
  gint64 armed = g_source_get_ready_time (self->heart_beat_source);
  gint64 beat = -1;
  gint64 peer = -1;
  gint64 due;

  if (self->stream != NULL && !self->writing && out_buffer_is_empty (self->out))
    beat = stompest_protocol_get_next_beat_due (self->protocol);
  if (self->read_source != NULL)
    {
      peer = stompest_protocol_get_peer_deadline (self->protocol);
      if (peer >= 0)
        peer++;
    }

  due = earliest (beat, peer);
  if (armed >= 0 && (due < 0 || armed <= due))
    return;
  g_source_set_ready_time (self->heart_beat_source, due);
}

static gboolean
on_heart_beat (gpointer data)
{
  StompestSession *self = data;
  gint64 now = g_get_monotonic_time ();
  gint64 due;

  if (self->stream == NULL)
    return G_SOURCE_CONTINUE;

  if (self->read_source != NULL && stompest_protocol_is_peer_silent (self->protocol, now))
    {
      g_autofree char *reason = stompest_connection_silence_reason (self->protocol, now);

      g_object_ref (self);
      session_connection_failed (self, stompest_connection_lost_error (self->broker_uri, reason));
      g_object_unref (self);
      return G_SOURCE_CONTINUE;
    }

  due = stompest_protocol_get_next_beat_due (self->protocol);
  if (due >= 0 && now >= due && !self->writing && out_buffer_is_empty (self->out))
    session_queue_beat (self);
  session_schedule_heart_beat (self);
  return G_SOURCE_CONTINUE;
}

/* Sending. */

/* The headers of a send request that are not sent as given. */
static const char * const send_skip[] = { "destination", "content-length", "transaction", "receipt", NULL };

/* Writes the head of a SEND into the output buffer with ROOM more bytes
 * after it, and returns where they start; a SEND with no header of its
 * own reuses the kept head of the last such one. */
static guint8 *
session_write_send_head (StompestSession  *self,
                         const char       *destination,
                         gsize             body_size,
                         gsize             room,
                         const char       *transaction,
                         const char       *receipt,
                         GHashTable       *headers,
                         GError          **error)
{
  GByteArray *out = self->out->bytes;
  StompestVersion version = stompest_protocol_get_version (self->protocol);

  if (transaction == NULL && receipt == NULL &&
      (headers == NULL || g_hash_table_size (headers) == 0))
    return stompest_send_head_write (&self->send_head, out, version, destination,
                                     body_size, room, error);

  if (!stompest_commands_write_send (out, version, destination, body_size,
                                     transaction, receipt, headers, send_skip, error))
    return NULL;
  return stompest_byte_array_grow (out, room);
}

/* Ends a SEND whose head is written, with BODY at ROOM (see
 * out_buffer_body_room()): its log entry, and SEND (its references
 * taken), kept until it is written. */
static void
session_end_send (StompestSession *self,
                  const OutSend   *send,
                  guint8          *room,
                  GBytes          *body,
                  const char      *destination,
                  const char      *transaction,
                  const char      *receipt,
                  GHashTable      *headers,
                  int              io_priority)
{
  OutBuffer *out = self->out;

  if (receipt != NULL)
    stompest_protocol_expect_receipt (self->protocol, receipt);
  if (self->tracing)
    {
      /* No frame is built, unless for the log. */
      StompestFrame *frame = stompest_commands_send (destination, body, transaction, receipt);

      stompest_connection_add_headers (frame, headers, send_skip);
      out_buffer_trace (out, frame);
    }
  out_buffer_end_frame_at (out, room, body, io_priority);
  out_buffer_add_send (out, send);
  session_schedule_flush (self);
}

/* Writes the SEND of REQUEST for the current connection, keeping
 * REQUEST until it is written. */
static gboolean
session_send_now (StompestSession  *self,
                  SendRequest      *request,
                  GError          **error)
{
  const char *receipt = request->receipt;
  const char *transaction = stompest_connection_lookup_header (request->headers, "transaction");
  gsize body_size = request->body != NULL ? g_bytes_get_size (request->body) : 0;
  OutSend send = { NULL, };
  guint8 *room;

  if (receipt == NULL)
    receipt = stompest_connection_lookup_header (request->headers, "receipt");
  if (!stompest_protocol_check_send (self->protocol, transaction, receipt, error))
    return FALSE;
  room = session_write_send_head (self, request->destination, body_size,
                                  out_buffer_body_room (request->body),
                                  transaction, receipt, request->headers, error);
  if (room == NULL)
    return FALSE;

  send.request = request_ref (request);
  session_end_send (self, &send, room, request->body, request->destination,
                    transaction, receipt, request->headers, request->io_priority);
  if (request->task != NULL)
    g_hash_table_insert (self->receipts, request->receipt, request_ref (request));
  return TRUE;
}

/* send() without headers on a live connection (session_can_write(),
 * which is all stompest_protocol_check_send() would check here), the
 * common case: no request is made, only its destination and body are
 * kept until the SEND is written, for the offline queue should the
 * connection end first; a body copied into the buffer is found there
 * then. */
static gboolean
session_send_plain (StompestSession  *self,
                    const char       *destination,
                    GBytes           *body,
                    GError          **error)
{
  gsize body_size = body != NULL ? g_bytes_get_size (body) : 0;
  OutSend send = { NULL, };
  guint8 *room;

  room = session_write_send_head (self, destination, body_size, out_buffer_body_room (body),
                                  NULL, NULL, NULL, error);
  if (room == NULL)
    return FALSE;

  /* The kept head is now this destination's. */
  send.destination = out_buffer_ref_destination (self->out, self->send_head.destination);
  if (body_size > COPY_BODY_MAX)
    send.body = g_bytes_ref (body);
  else
    {
      send.body_offset = room - self->out->bytes->data;
      send.body_size = body_size;
    }
  session_end_send (self, &send, room, body, destination, NULL, NULL, NULL, G_PRIORITY_DEFAULT);
  return TRUE;
}

/* A request that could not be sent: its task fails, or, when nobody
 * waits for it, ::error tells. Takes ERROR. */
static void
session_request_failed (StompestSession *self,
                        SendRequest     *request,
                        GError          *error)
{
  g_prefix_error (&error, "Could not send the message queued for %s: ", request->destination);
  if (request->task != NULL)
    {
      request_finish (request, error);
      return;
    }

  session_emit_error (self, error);
  g_error_free (error);
}

/* Sends REQUEST now, or queues it while (re)connecting. */
static gboolean
session_submit (StompestSession  *self,
                SendRequest      *request,
                GError          **error)
{
  const char *transaction;

  if (session_can_write (self))
    return session_send_now (self, request, error);

  if (self->state != STOMPEST_SESSION_STATE_CONNECTING &&
      self->state != STOMPEST_SESSION_STATE_RECONNECTING)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                   "Cannot send to %s: %s", request->destination,
                   self->state == STOMPEST_SESSION_STATE_DISCONNECTING ?
                     "the session is disconnecting" : "the session is not connected");
      return FALSE;
    }

  transaction = stompest_connection_lookup_header (request->headers, "transaction");
  if (transaction != NULL)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Cannot send to %s in transaction “%s”: the session is not "
                   "connected, and transactions end with their connection",
                   request->destination, transaction);
      return FALSE;
    }
  if (self->offline.length >= self->max_offline_queue)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_QUEUE_FULL,
                   "Cannot send to %s: the session is connecting to %s and its "
                   "offline queue is full (%u message(s), see max-offline-queue)",
                   request->destination, self->uri, self->max_offline_queue);
      return FALSE;
    }

  g_queue_push_tail (&self->offline, request_ref (request));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_QUEUE_LENGTH]);
  return TRUE;
}

/* After CONNECTED: the subscriptions first, so no message sent while
 * offline can miss them, then the messages queued meanwhile. */
static void
session_replay (StompestSession *self)
{
  g_autoptr(GPtrArray) frames = stompest_protocol_replay (self->protocol);
  GQueue offline = self->offline;
  SendRequest *request;
  guint n_replayed = 0;

  for (guint i = 0; i < frames->len; i++)
    {
      StompestFrame *frame = g_ptr_array_index (frames, i);
      const char *token = stompest_frame_get_header (frame, "id");
      g_autoptr(GError) error = NULL;

      if (token == NULL)
        token = stompest_frame_get_header (frame, "destination");

      if (!g_hash_table_contains (self->subscriptions, token))
        {
          /* Unsubscribed while offline: the broker needs neither frame,
           * only the protocol must forget it. */
          g_autoptr(StompestFrame) unsubscribe =
            stompest_protocol_unsubscribe (self->protocol, token, NULL, NULL);
          continue;
        }

      if (session_queue_frame (self, frame, &error))
        n_replayed++;
      else
        session_emit_error (self, error);
    }
  if (n_replayed > 0)
    g_debug ("Replayed %u subscription(s) on %s", n_replayed, self->broker_uri);

  g_queue_init (&self->offline);
  if (offline.length > 0)
    g_debug ("Sending %u message(s) queued while offline to %s", offline.length, self->broker_uri);
  while ((request = g_queue_pop_head (&offline)) != NULL)
    {
      GError *error = NULL;

      if (!session_send_now (self, request, &error))
        session_request_failed (self, request, error);
      request_unref (request);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_QUEUE_LENGTH]);
}

/* Incoming frames. */

static void session_attempt_failed  (StompestSession *self,
                                     GError          *error);
static void session_shutdown_finish (StompestSession *self,
                                     GError          *error);

static void
session_handle_connected (StompestSession *self,
                          StompestFrame   *frame)
{
  g_autoptr(GError) error = NULL;
  gboolean reconnected = self->state == STOMPEST_SESSION_STATE_RECONNECTING;

  if (!stompest_protocol_connected (self->protocol, frame, &error))
    {
      g_prefix_error (&error, "%s: ", self->broker_uri);
      session_attempt_failed (self, g_steal_pointer (&error));
      return;
    }

  stompest_parser_set_version (self->parser, stompest_protocol_get_version (self->protocol));
  stompest_protocol_received (self->protocol, g_get_monotonic_time ());
  self->step = STEP_NONE;
  g_source_set_ready_time (self->step_source, -1);
  g_clear_error (&self->attempt_error);
  stompest_connection_log_connected (self->broker_uri, self->protocol);

  session_set_state (self, STOMPEST_SESSION_STATE_CONNECTED);
  session_replay (self);
  if (reconnected)
    {
      self->reconnects++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECTS]);
    }
  session_notify_connection (self);
  session_schedule_heart_beat (self);

  g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
  if (self->connect_task != NULL)
    task_finish (&self->connect_task, &self->connect_cancelled_id, NULL);
}

/* Drops FRAME, which the broker should not have sent (PROBLEM says why,
 * taken), and tells ::error: its mistake does not break the stream, so
 * the connection stays up. */
static void
session_drop_frame (StompestSession *self,
                    StompestFrame   *frame,
                    GError          *problem)
{
  g_autoptr(GError) error = problem;

  g_prefix_error (&error, "Dropped a %s frame from %s: ",
                  stompest_frame_get_command (frame), self->broker_uri);
  stompest_connection_scrub (self->passcode, &error->message);
  g_debug ("%s", error->message);
  session_emit_error (self, error);
}

/* The subscription of TOKEN, if it is active; a stream of MESSAGEs is
 * mostly for one subscription, which is then not looked up again. */
static StompestSubscription *
session_lookup_subscription (StompestSession *self,
                             const char      *token)
{
  StompestSubscription *last = self->last_subscription;

  if (last == NULL || strcmp (stompest_subscription_get_token (last), token) != 0)
    self->last_subscription = last = g_hash_table_lookup (self->subscriptions, token);
  return last;
}

/* Emits the signals of a MESSAGE frame. The message counts as in flight
 * meanwhile, but n-in-flight is notified only when it stays in flight
 * after them (held), not for each message handled within them. */
static void
session_deliver (StompestSession      *self,
                 StompestSubscription *subscription,
                 StompestFrame        *frame)
{
  StompestMessage *message = stompest_message_new (self, subscription, frame, self->generation,
                                                   &self->spare_message);

  stompest_subscription_add_in_flight (subscription, 1, FALSE);
  self->n_in_flight++;
  self->delivering = message;

  stompest_subscription_emit_message (subscription, message);
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, message);
  stompest_message_end_dispatch (message);

  self->delivering = NULL;
  if (!stompest_message_is_finished (message))
    {
      stompest_subscription_add_in_flight (subscription, 0, TRUE);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_IN_FLIGHT]);
    }
  stompest_message_release (message, &self->spare_message);
}

static void
session_handle_message (StompestSession *self,
                        StompestFrame   *frame)
{
  g_autoptr(GError) error = NULL;
  StompestSubscription *subscription;
  const char *token;

  if (!stompest_protocol_message (self->protocol, frame, &token, &error))
    {
      /* Sent before the broker had the UNSUBSCRIBE: only late. */
      if (stompest_protocol_message_is_late (self->protocol, frame))
        g_debug ("Dropped a MESSAGE from %s for a subscription that ended", self->broker_uri);
      else
        session_drop_frame (self, frame, g_steal_pointer (&error));
      return;
    }
  if (self->state != STOMPEST_SESSION_STATE_CONNECTED)
    {
      g_debug ("Not delivering a MESSAGE from %s while disconnecting: the broker "
               "redelivers it, unless its subscription acks automatically", self->broker_uri);
      return;
    }
  subscription = session_lookup_subscription (self, token);
  if (subscription == NULL)
    {
      g_debug ("Dropped a MESSAGE from %s for subscription “%s”, which ended",
               self->broker_uri, token);
      return;
    }

  session_deliver (self, subscription, frame);
}

static void
session_handle_receipt (StompestSession *self,
                        StompestFrame   *frame)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *receipt_id = NULL;
  SendRequest *request;
  const char *id;

  if (!stompest_protocol_receipt (self->protocol, frame, &id, &error))
    {
      session_drop_frame (self, frame, g_steal_pointer (&error));
      return;
    }
  receipt_id = g_strdup (id);

  request = g_hash_table_lookup (self->receipts, receipt_id);
  if (request != NULL)
    {
      g_autoptr(SendRequest) confirmed = request_ref (request);

      g_hash_table_remove (self->receipts, receipt_id);
      request_finish (confirmed, NULL);
    }

  g_signal_emit (self, signals[SIGNAL_RECEIPT], 0, receipt_id);
  session_check_drain (self);

  if (self->shutdown == SHUTDOWN_RECEIPT &&
      g_strcmp0 (receipt_id, self->disconnect_receipt) == 0)
    session_shutdown_finish (self, NULL);
}

static void
session_handle_frame (StompestSession *self,
                      StompestFrame   *frame)
{
  const char *command = stompest_frame_get_command (frame);

  if (stompest_protocol_get_state (self->protocol) == STOMPEST_PROTOCOL_STATE_CONNECTING)
    session_handle_connected (self, frame);
  else if (strcmp (command, "MESSAGE") == 0)
    session_handle_message (self, frame);
  else if (strcmp (command, "RECEIPT") == 0)
    session_handle_receipt (self, frame);
  else if (strcmp (command, "ERROR") == 0)
    session_connection_failed (self, stompest_connection_server_error (self->broker_uri,
                                                                       self->passcode, frame));
  else
    session_connection_failed (self, g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                                                  "Broker %s sent an unexpected %s frame",
                                                  self->broker_uri, command));
}

/* The connect walk: attempts along the failover schedule, each a
 * transport connect, CONNECT, and CONNECTED within its timeout. */

typedef struct {
  StompestSession *session;     /* a reference */
  guint generation;
} AttemptData;

static void session_walk_give_up (StompestSession *self,
                                  GError          *error);

static StompestFailover *
session_walk_failover (StompestSession *self)
{
  return self->reconnect_failover != NULL && self->state == STOMPEST_SESSION_STATE_RECONNECTING ?
         self->reconnect_failover : self->failover;
}

/* Makes the failover schedule from the current URI, when it changed. */
static gboolean
session_ensure_failover (StompestSession  *self,
                         GError          **error)
{
  StompestFailover *failover;

  if (self->failover != NULL &&
      g_strcmp0 (stompest_failover_get_uri (self->failover), self->uri) == 0)
    return TRUE;

  if (self->uri == NULL)
    {
      g_set_error_literal (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                           "No broker URI set");
      return FALSE;
    }
  failover = stompest_failover_new (self->uri, error);
  if (failover == NULL)
    return FALSE;

  g_clear_object (&self->failover);
  g_clear_object (&self->reconnect_failover);
  self->failover = failover;
  return TRUE;
}

static void
session_walk_begin (StompestSession *self)
{
  /* A reconnect keeps the old schedule if a new URI does not parse. */
  session_ensure_failover (self, NULL);

  /* A bare URI gives one attempt per cycle: reconnects retry it as a
   * failover URI with the default back-off instead. */
  if (self->state == STOMPEST_SESSION_STATE_RECONNECTING &&
      !stompest_failover_get_is_failover (self->failover) &&
      self->reconnect_failover == NULL)
    {
      g_autofree char *uri = g_strdup_printf ("failover:(%s)",
                                              stompest_failover_get_brokers (self->failover)[0]);

      self->reconnect_failover = stompest_failover_new (uri, NULL);
    }

  stompest_failover_start (session_walk_failover (self));
  self->attempts = 0;
  g_clear_error (&self->attempt_error);
  self->step = STEP_NEXT;
  g_source_set_ready_time (self->step_source, 0);
}

static void
on_transport_ready (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  AttemptData *attempt = data;
  StompestSession *self = attempt->session;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(StompestFrame) connect = NULL;
  GError *error = NULL;
  GInputStream *input;
  GOutputStream *output;

  stream = stompest_transport_connect_finish (STOMPEST_TRANSPORT (source), result, &error);
  if (attempt->generation != self->generation || self->step != STEP_TRANSPORT)
    {
      g_clear_error (&error);
      if (stream != NULL)
        g_io_stream_close (stream, NULL, NULL);
      goto out;
    }
  if (stream == NULL)
    {
      session_attempt_failed (self, error);
      goto out;
    }

  input = g_io_stream_get_input_stream (stream);
  output = g_io_stream_get_output_stream (stream);
  if (!G_IS_POLLABLE_INPUT_STREAM (input) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)))
    {
      g_io_stream_close (stream, NULL, NULL);
      session_attempt_failed (self, g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
                                                 "The transport for %s gave a stream that "
                                                 "cannot be polled (GPollableInputStream), "
                                                 "which StompestSession needs",
                                                 self->attempt_broker));
      goto out;
    }

  g_free (self->broker_uri);
  self->broker_uri = g_strdup (self->attempt_broker);
  self->stream = g_steal_pointer (&stream);
  self->input = G_POLLABLE_INPUT_STREAM (input);
  self->output = output;
  stompest_parser_reset (self->parser);
  stompest_parser_set_version (self->parser, stompest_protocol_get_max_version (self->protocol));
  /* Asked once per connection: it reads the environment. */
  self->tracing = stompest_connection_tracing ();

  connect = stompest_protocol_connect_frame (self->protocol, self->virtual_host,
                                             self->login, self->passcode,
                                             self->heart_beat_send,
                                             self->heart_beat_receive, &error);
  if (connect == NULL || !session_queue_frame (self, connect, &error))
    {
      session_attempt_failed (self, error);
      goto out;
    }

  session_start_reading (self);
  self->step = STEP_CONNECTED;
  g_source_set_ready_time (self->step_source, deadline_after (self->connected_timeout));

out:
  g_object_unref (attempt->session);
  g_free (attempt);
}

static void
session_try_broker (StompestSession *self)
{
  g_autoptr(StompestTransport) transport = NULL;
  GError *error = NULL;
  AttemptData *attempt;

  self->attempts++;
  g_debug ("Connecting to %s (attempt %u)", self->attempt_broker, self->attempts);

  transport = stompest_connection_transports_lookup (self->transports, self->attempt_broker, &error);
  if (transport == NULL)
    {
      session_attempt_failed (self, error);
      return;
    }

  self->step = STEP_TRANSPORT;
  self->io_cancellable = g_cancellable_new ();
  attempt = g_new (AttemptData, 1);
  attempt->session = g_object_ref (self);
  attempt->generation = self->generation;
  SESSION_PUSH_CONTEXT (self);
  stompest_transport_connect_async (transport, self->attempt_broker, self->connect_timeout,
                                    self->io_cancellable, on_transport_ready, attempt);
  SESSION_POP_CONTEXT (self);
}

static void
session_walk_next (StompestSession *self)
{
  StompestFailover *failover = session_walk_failover (self);
  GError *error = NULL;
  const char *broker;
  guint delay_ms;

  if (!stompest_failover_next (failover, &broker, &delay_ms, &error))
    {
      if (self->attempt_error != NULL)
        {
          g_clear_error (&error);
          error = g_steal_pointer (&self->attempt_error);
          stompest_connection_prefix_give_up (&error, failover,
                                              stompest_failover_get_uri (failover),
                                              self->attempts);
        }
      session_walk_give_up (self, error);
      return;
    }

  g_free (self->attempt_broker);
  self->attempt_broker = g_strdup (broker);
  if (delay_ms == 0)
    {
      session_try_broker (self);
      return;
    }

  g_debug ("Waiting %u ms before connecting to %s", delay_ms, broker);
  self->step = STEP_DELAY;
  g_source_set_ready_time (self->step_source, deadline_after (delay_ms));
}

static gboolean
on_step (gpointer data)
{
  StompestSession *self = data;

  g_object_ref (self);
  switch (self->step)
    {
    case STEP_NEXT:
      session_walk_next (self);
      break;
    case STEP_DELAY:
      session_try_broker (self);
      break;
    case STEP_CONNECTED:
      session_attempt_failed (self, g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                                                 "No CONNECTED frame from %s within %u ms",
                                                 self->broker_uri, self->connected_timeout));
      break;
    case STEP_NONE:
    case STEP_TRANSPORT:
      break;
    }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

/* One attempt failed (takes ERROR): try the next one, unless the error
 * ends the walk. */
static void
session_attempt_failed (StompestSession *self,
                        GError          *error)
{
  stompest_connection_scrub (self->passcode, &error->message);
  g_debug ("Could not connect to %s: %s", self->attempt_broker, error->message);

  session_close_stream (self, FALSE);
  stompest_protocol_close (self->protocol, FALSE);

  if (stompest_connection_error_is_final (error))
    {
      session_walk_give_up (self, error);
      return;
    }

  g_clear_error (&self->attempt_error);
  self->attempt_error = error;
  self->step = STEP_NEXT;
  g_source_set_ready_time (self->step_source, 0);
}

/* The walk ends without a connection (takes ERROR). */
static void
session_walk_give_up (StompestSession *self,
                      GError          *error)
{
  self->step = STEP_NONE;
  g_source_set_ready_time (self->step_source, -1);
  g_clear_error (&self->attempt_error);
  g_clear_pointer (&self->attempt_broker, g_free);
  session_close_stream (self, FALSE);

  session_set_state (self, STOMPEST_SESSION_STATE_DISCONNECTED);
  session_drop_offline (self, error);
  if (self->connect_task != NULL)
    {
      task_finish (&self->connect_task, &self->connect_cancelled_id, error);
      return;
    }

  g_debug ("Gave up reconnecting: %s", error->message);
  session_emit_error (self, error);
  g_error_free (error);
}

static void
session_connect_cancelled (StompestSession *self)
{
  stompest_protocol_close (self->protocol, FALSE);
  session_walk_give_up (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           "Connecting to %s was cancelled", self->uri));
}

/* An established connection was lost (takes ERROR). */
static void
session_lost (StompestSession *self,
              GError          *error)
{
  g_debug ("%s", error->message);
  session_close_stream (self, FALSE);
  stompest_protocol_close (self->protocol, FALSE);

  session_set_state (self, self->reconnect ? STOMPEST_SESSION_STATE_RECONNECTING :
                                             STOMPEST_SESSION_STATE_DISCONNECTED);
  session_notify_connection (self);
  if (!self->reconnect)
    session_drop_offline (self, error);

  session_emit_error (self, error);
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, error);

  /* A handler may have disconnected meanwhile. */
  if (self->state == STOMPEST_SESSION_STATE_RECONNECTING && self->step == STEP_NONE)
    session_walk_begin (self);
  g_error_free (error);
}

/* Whatever broke the connection or the attempt (takes ERROR): an ERROR
 * frame, a read or write failure, the end of the stream, a silent broker,
 * a malformed frame. */
static void
session_connection_failed (StompestSession *self,
                           GError          *error)
{
  stompest_connection_scrub (self->passcode, &error->message);

  switch (self->state)
    {
    case STOMPEST_SESSION_STATE_CONNECTING:
    case STOMPEST_SESSION_STATE_RECONNECTING:
      session_attempt_failed (self, error);
      break;
    case STOMPEST_SESSION_STATE_CONNECTED:
      session_lost (self, error);
      break;
    case STOMPEST_SESSION_STATE_DISCONNECTING:
      if (self->shutdown == SHUTDOWN_RECEIPT &&
          g_error_matches (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST))
        {
          /* The broker may close right after DISCONNECT without a
           * RECEIPT (STOMP 1.2: "connection lingering"). */
          g_debug ("%s after DISCONNECT", error->message);
          g_error_free (error);
          session_shutdown_finish (self, NULL);
          break;
        }
      session_emit_error (self, error);
      session_shutdown_finish (self, error);
      break;
    case STOMPEST_SESSION_STATE_DISCONNECTED:
      g_error_free (error);
      break;
    }
}

/* Graceful disconnect: stop delivering, drain the messages in flight and
 * the RECEIPTs that send_async calls wait for, DISCONNECT with a receipt,
 * close. Each wait is bounded by disconnect-timeout. The send receipts
 * are waited for because RabbitMQ answers DISCONNECT before it confirms
 * earlier SENDs: their callers would be told CONNECTION_LOST for messages
 * the broker stored. */

static void
session_send_disconnect (StompestSession *self)
{
  GError *error = NULL;
  StompestFrame *frame;
  int io_priority = self->disconnect_task != NULL ?
                    g_task_get_priority (self->disconnect_task) : G_PRIORITY_DEFAULT;

  self->shutdown = SHUTDOWN_RECEIPT;
  g_free (self->disconnect_receipt);
  self->disconnect_receipt = g_strdup_printf ("stompest-disconnect-%u", ++self->receipt_counter);
  frame = stompest_protocol_disconnect_frame (self->protocol, self->disconnect_receipt, &error);
  if (frame == NULL ||
      !session_queue_frame_full (self, frame, io_priority, &error))
    {
      g_clear_pointer (&frame, stompest_frame_unref);
      session_shutdown_finish (self, error);
      return;
    }
  stompest_frame_unref (frame);
  g_source_set_ready_time (self->shutdown_source, deadline_after (self->disconnect_timeout));
}

static void
session_check_drain (StompestSession *self)
{
  if (self->shutdown == SHUTDOWN_DRAIN && self->n_in_flight == 0 &&
      g_hash_table_size (self->receipts) == 0)
    session_send_disconnect (self);
}

/* Starts a graceful disconnect; REASON (taken, nullable) is what
 * ::disconnected will report. */
static void
session_begin_shutdown (StompestSession *self,
                        GError          *reason)
{
  g_clear_error (&self->shutdown_error);
  self->shutdown_error = reason;
  self->shutdown = SHUTDOWN_DRAIN;
  session_set_state (self, STOMPEST_SESSION_STATE_DISCONNECTING);
  if (self->n_in_flight > 0)
    g_debug ("Disconnecting from %s: waiting for %u message(s) in flight",
             self->broker_uri, self->n_in_flight);
  g_source_set_ready_time (self->shutdown_source, deadline_after (self->disconnect_timeout));
  session_check_drain (self);
}

static gboolean
on_shutdown_timeout (gpointer data)
{
  StompestSession *self = data;

  g_object_ref (self);
  if (self->shutdown == SHUTDOWN_DRAIN)
    {
      if (self->shutdown_error == NULL && self->n_in_flight > 0)
        self->shutdown_error =
          g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                       "%u message(s) still in flight after %u ms were left "
                       "unacknowledged, for %s to redeliver",
                       self->n_in_flight, self->disconnect_timeout, self->broker_uri);
      else if (self->shutdown_error == NULL)
        self->shutdown_error =
          g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                       "%u sent message(s) still unconfirmed by %s after %u ms",
                       g_hash_table_size (self->receipts), self->broker_uri,
                       self->disconnect_timeout);
      session_send_disconnect (self);
    }
  else if (self->shutdown == SHUTDOWN_RECEIPT)
    {
      session_shutdown_finish (self, g_error_new (STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                                                  "No RECEIPT for DISCONNECT from %s within %u ms",
                                                  self->broker_uri, self->disconnect_timeout));
    }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

/* Ends a disconnect: ERROR (taken, nullable) is what went wrong last; the
 * reason given when the disconnect began, if any, wins. */
static void
session_shutdown_finish (StompestSession *self,
                         GError          *error)
{
  g_autoptr(GError) reason = NULL;
  g_autoptr(GError) dropped = NULL;

  if (self->shutdown_error != NULL)
    {
      reason = g_steal_pointer (&self->shutdown_error);
      g_clear_error (&error);
    }
  else
    {
      reason = error;
    }

  self->shutdown = SHUTDOWN_NONE;
  g_source_set_ready_time (self->shutdown_source, -1);
  g_clear_pointer (&self->disconnect_receipt, g_free);
  session_close_stream (self, FALSE);
  stompest_protocol_close (self->protocol, TRUE);
  session_forget_subscriptions (self);
  session_set_state (self, STOMPEST_SESSION_STATE_DISCONNECTED);
  session_notify_connection (self);
  dropped = g_error_new_literal (STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                                 "the session disconnected");
  session_drop_offline (self, dropped);

  if (reason != NULL)
    g_debug ("Disconnected: %s", reason->message);
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, reason);
  if (self->disconnect_task != NULL)
    task_finish (&self->disconnect_task, &self->disconnect_cancelled_id,
                 reason != NULL ? g_error_copy (reason) : NULL);
}

static void
session_disconnect_cancelled (StompestSession *self)
{
  session_shutdown_finish (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                              "Disconnecting from %s was cancelled",
                                              self->broker_uri));
}

/* Messages. */

/* Queues the ACK or NACK of MESSAGE, on the connection it came on,
 * written straight into the output buffer as stompest_protocol_ack()
 * and _nack() would build it. */
static gboolean
session_settle (StompestSession  *self,
                StompestMessage  *message,
                gboolean          ack,
                const char       *transaction,
                GError          **error)
{
  StompestFrame *frame = stompest_message_get_frame (message);
  StompestVersion version = stompest_protocol_get_version (self->protocol);
  const char *command = ack ? "ACK" : "NACK";
  OutBuffer *out = self->out;
  const char *carried;

  if (transaction != NULL && !stompest_protocol_is_transaction_open (self->protocol, transaction))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Cannot %s message “%s” in transaction “%s”: it is not open",
                   ack ? "acknowledge" : "reject",
                   stompest_message_get_message_id (message), transaction);
      return FALSE;
    }

  /* Without one given, the transaction named by the message, if open. */
  if (!stompest_protocol_check_acknowledgement (self->protocol, ack ? "ack" : "nack", frame,
                                                NULL, &carried, error))
    return FALSE;
  if (transaction == NULL)
    transaction = carried;
  if (!stompest_commands_write_acknowledgement (out->bytes, command, frame, version,
                                                transaction, NULL, error))
    return FALSE;

  if (self->tracing)
    out_buffer_trace (out, ack ? stompest_commands_ack (frame, version, transaction, NULL, NULL) :
                                 stompest_commands_nack (frame, version, transaction, NULL, NULL));
  out_buffer_end_frame (out, NULL, G_PRIORITY_DEFAULT);
  session_schedule_flush (self);
  stompest_message_set_settled (message);
  return TRUE;
}

/* Queues the copy of a failed message for the error destination. */
static gboolean
session_forward_poison_pill (StompestSession       *self,
                             StompestMessage       *message,
                             StompestSubscription  *subscription,
                             const GError          *failure,
                             GError               **error)
{
  static const char * const skip[] = {
    "message-id", "destination", "timestamp", "expires", "priority",
    "subscription", "ack", "content-length", "persistent", "message-failed",
    "receipt", "transaction", NULL
  };
  StompestFrame *frame = stompest_message_get_frame (message);
  g_autoptr(StompestFrame) copy = NULL;
  g_autofree char *text = g_strdelimit (g_strdup (failure->message), "\r\n", ' ');
  guint n_headers = stompest_frame_get_n_headers (frame);

  copy = stompest_protocol_send (self->protocol,
                                 stompest_subscription_get_error_destination (subscription),
                                 stompest_frame_get_body (frame), NULL, NULL, error);
  if (copy == NULL)
    return FALSE;

  for (guint i = 0; i < n_headers; i++)
    {
      const char *name = stompest_frame_get_header_name (frame, i);

      if (!g_strv_contains (skip, name) && !stompest_frame_has_header (copy, name))
        stompest_frame_add_header (copy, name, stompest_frame_get_header_value (frame, i));
    }
  stompest_frame_add_header (copy, "persistent", "true");
  stompest_frame_add_header (copy, "message-failed", text);

  if (!session_queue_frame (self, copy, error))
    return FALSE;

  g_debug ("Forwarded failed message “%s” to %s",
           stompest_message_get_message_id (message),
           stompest_subscription_get_error_destination (subscription));
  return TRUE;
}

/* A message whose handler failed, on a live connection. */
static void
session_apply_failure_policy (StompestSession      *self,
                              StompestMessage      *message,
                              StompestSubscription *subscription,
                              const GError         *failure)
{
  StompestAckMode ack_mode = stompest_subscription_get_ack_mode (subscription);
  g_autoptr(GError) error = NULL;

  switch (stompest_subscription_get_failure_policy (subscription))
    {
    case STOMPEST_FAILURE_POLICY_ERROR_DESTINATION:
      if (stompest_subscription_get_error_destination (subscription) != NULL)
        {
          if (session_forward_poison_pill (self, message, subscription, failure, &error) &&
              (ack_mode == STOMPEST_ACK_MODE_AUTO ||
               session_settle (self, message, TRUE, NULL, &error)))
            return;
          /* Never lost: rejected instead. */
          session_emit_error (self, error);
          g_clear_error (&error);
        }
      G_GNUC_FALLTHROUGH;

    case STOMPEST_FAILURE_POLICY_NACK:
      if (ack_mode == STOMPEST_ACK_MODE_AUTO)
        return;
      if (stompest_protocol_get_version (self->protocol) >= STOMPEST_VERSION_STOMP_1_1)
        {
          if (!session_settle (self, message, FALSE, NULL, &error))
            session_emit_error (self, error);
          return;
        }
      G_GNUC_FALLTHROUGH;

    case STOMPEST_FAILURE_POLICY_DISCONNECT:
      if (self->state == STOMPEST_SESSION_STATE_CONNECTED)
        session_begin_shutdown (self, g_error_new (failure->domain, failure->code,
                                                   "Handling message “%s” from %s failed: %s",
                                                   stompest_message_get_message_id (message),
                                                   self->broker_uri, failure->message));
      return;
    }
}

/* Acknowledges a finished message that was not settled by hand, or
 * applies the failure policy. */
static void
session_conclude (StompestSession      *self,
                  StompestMessage      *message,
                  StompestSubscription *subscription,
                  const GError         *failure)
{
  g_autoptr(GError) error = NULL;

  if (stompest_message_get_generation (message) != self->generation || !session_can_write (self))
    {
      g_debug ("Message “%s” finished after its connection ended: the broker redelivers it",
               stompest_message_get_message_id (message));
      return;
    }

  if (failure != NULL)
    session_apply_failure_policy (self, message, subscription, failure);
  else if (stompest_subscription_get_ack_mode (subscription) != STOMPEST_ACK_MODE_AUTO &&
           !session_settle (self, message, TRUE, NULL, &error))
    session_emit_error (self, error);
}

void
stompest_session_message_finished (StompestSession *self,
                                   StompestMessage *message)
{
  StompestSubscription *subscription = stompest_message_get_subscription (message);
  const GError *failure = stompest_message_get_error (message);
  /* Within its signals, the count goes back to what it was. */
  gboolean notify = message != self->delivering;

  /* The message keeps the session alive meanwhile. */
  stompest_subscription_add_in_flight (subscription, -1, notify);
  self->n_in_flight--;
  if (notify)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_IN_FLIGHT]);

  if (!stompest_message_get_settled (message))
    session_conclude (self, message, subscription, failure);

  session_check_drain (self);
  stompest_session_update_reading (self);
}

/* Public API. */

/**
 * stompest_session_connect_async:
 * @session: a session
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when connected, or when every attempt
 *   failed
 * @user_data: (closure): data for @callback
 *
 * Connects to a broker and opens a STOMP session.
 *
 * The brokers of [property@Stompest.Session:uri] are tried as its
 * failover schedule says, with the delays it gives (on timers of the
 * session's context). Each attempt connects the transport (within
 * [property@Stompest.Session:connect-timeout]), sends CONNECT with the
 * versions up to [property@Stompest.Session:max-version], the
 * [property@Stompest.Session:virtual-host], the credentials and the
 * heart-beat offers, and waits for CONNECTED (within
 * [property@Stompest.Session:connected-timeout]). Then the subscriptions
 * kept from an earlier connection are made again, and the messages sent
 * meanwhile are written. [signal@Stompest.Session::connected] is emitted
 * just before @callback runs.
 *
 * A broker that answers with an ERROR frame, or with a version that was
 * not offered, ends the walk at once. Messages given to
 * [method@Stompest.Session.send] while connecting are queued and written
 * once connected, or dropped if connecting fails.
 *
 * While the session reconnects by itself
 * ([property@Stompest.Session:state] is
 * %STOMPEST_SESSION_STATE_RECONNECTING), this completes when that
 * reconnect does; cancelling it stops the reconnect.
 *
 * It fails with %G_IO_ERROR_PENDING while another connect or a
 * disconnect is under way.
 *
 * Since: 0.1
 */
void
stompest_session_connect_async (StompestSession     *session,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (STOMPEST_IS_SESSION (session));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, stompest_session_connect_async);

  if (session->connect_task != NULL ||
      session->state == STOMPEST_SESSION_STATE_DISCONNECTING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "Already %s %s",
                               session->connect_task != NULL ? "connecting to" : "disconnecting from",
                               session->uri);
      return;
    }
  if (session->state == STOMPEST_SESSION_STATE_CONNECTED)
    {
      g_task_return_new_error (task, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                               "Already connected to %s", session->broker_uri);
      return;
    }
  if (session->state == STOMPEST_SESSION_STATE_RECONNECTING)
    {
      session->connect_task = g_steal_pointer (&task);
      session->connect_cancelled_id = task_watch_cancellable (session->connect_task);
      return;
    }

  if (!session_ensure_failover (session, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A new maximum version needs a new protocol, unless subscriptions
   * wait in the old one for replay. */
  if (stompest_protocol_get_max_version (session->protocol) != session->max_version &&
      stompest_protocol_get_n_subscriptions (session->protocol) == 0)
    {
      g_object_unref (session->protocol);
      session->protocol = stompest_protocol_new (session->max_version);
    }

  session->connect_task = g_steal_pointer (&task);
  session->connect_cancelled_id = task_watch_cancellable (session->connect_task);
  session_set_state (session, STOMPEST_SESSION_STATE_CONNECTING);
  session_walk_begin (session);
}

/**
 * stompest_session_connect_finish:
 * @session: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Stompest.Session.connect_async].
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_SERVER_ERROR with the broker's message,
 * %STOMPEST_ERROR_UNSUPPORTED_VERSION, %STOMPEST_ERROR_TIMEOUT,
 * %STOMPEST_ERROR_INVALID_URI, %STOMPEST_ERROR_TRANSPORT,
 * %STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_PROTOCOL when already
 * connected), %G_IO_ERROR (%G_IO_ERROR_PENDING, %G_IO_ERROR_CANCELLED and
 * the transport's) and %G_TLS_ERROR. When every attempt failed, the error
 * is the last attempt's, prefixed with the failover URI when there were
 * several. Error texts name the broker URI, never the passcode.
 *
 * Returns: %TRUE when connected
 *
 * Since: 0.1
 */
gboolean
stompest_session_connect_finish (StompestSession  *session,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * stompest_session_disconnect_async:
 * @session: a session
 * @io_priority: the I/O priority of the DISCONNECT write
 * @cancellable: (nullable): a [class@Gio.Cancellable]; cancelling closes
 *   the connection at once
 * @callback: (scope async): called when the session is disconnected
 * @user_data: (closure): data for @callback
 *
 * Ends the session gracefully, as stompest's `disconnect()` does.
 *
 * The session stops delivering messages (those arriving now are left
 * unacknowledged, for the broker to redeliver) and waits until the
 * messages in flight — in a handler or held with
 * [method@Stompest.Message.hold] — are finished and acknowledged, up to
 * [property@Stompest.Session:disconnect-timeout]. Then it sends
 * DISCONNECT with a receipt, waits for the RECEIPT (again up to the
 * disconnect timeout; by then the broker has processed every earlier
 * frame), and closes the connection.
 * [signal@Stompest.Session::disconnected] is emitted just before
 * @callback runs. The subscriptions end.
 *
 * While the session reconnects by itself, this stops reconnecting and
 * drops the messages queued meanwhile. Without a connection it only ends
 * the subscriptions. It fails with %G_IO_ERROR_PENDING while a connect or
 * another disconnect is under way.
 *
 * Since: 0.1
 */
void
stompest_session_disconnect_async (StompestSession     *session,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) dropped = NULL;

  g_return_if_fail (STOMPEST_IS_SESSION (session));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, stompest_session_disconnect_async);
  g_task_set_priority (task, io_priority);

  if (session->connect_task != NULL ||
      session->state == STOMPEST_SESSION_STATE_DISCONNECTING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "Already %s %s",
                               session->connect_task != NULL ? "connecting to" : "disconnecting from",
                               session->uri);
      return;
    }

  if (session->state == STOMPEST_SESSION_STATE_CONNECTED)
    {
      session->disconnect_task = g_steal_pointer (&task);
      session->disconnect_cancelled_id = task_watch_cancellable (session->disconnect_task);
      session_begin_shutdown (session, NULL);
      return;
    }

  /* Reconnecting, or disconnected already. */
  session->step = STEP_NONE;
  g_source_set_ready_time (session->step_source, -1);
  g_clear_error (&session->attempt_error);
  session_close_stream (session, FALSE);
  stompest_protocol_close (session->protocol, TRUE);
  session_forget_subscriptions (session);
  session_set_state (session, STOMPEST_SESSION_STATE_DISCONNECTED);
  dropped = g_error_new_literal (STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                                 "the session disconnected");
  session_drop_offline (session, dropped);
  g_task_return_boolean (task, TRUE);
}

/**
 * stompest_session_disconnect_finish:
 * @session: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Stompest.Session.disconnect_async]. The session is
 * disconnected even when this fails.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_TIMEOUT
 * when messages were still in flight at the disconnect timeout, or no
 * RECEIPT came; %STOMPEST_ERROR_CONNECTION_LOST,
 * %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR (%G_IO_ERROR_PENDING,
 * %G_IO_ERROR_CANCELLED).
 *
 * Returns: %TRUE when the session ended cleanly
 *
 * Since: 0.1
 */
gboolean
stompest_session_disconnect_finish (StompestSession  *session,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * stompest_session_send:
 * @session: a session
 * @destination: where to send the message, such as `/queue/work`
 * @body: (nullable): the message body, or %NULL for an empty one; it is
 *   written as is, and never copied when larger than 16 KiB
 * @headers: (nullable) (element-type utf8 utf8): more headers, or %NULL
 * @error: return location for a #GError
 *
 * Queues a message and returns at once; it is written with whatever else
 * is queued, in order. The SEND frame always carries `content-length`, so
 * a body may hold NUL bytes.
 *
 * In @headers, `transaction` sends the message in an open transaction and
 * `receipt` asks the broker for a RECEIPT (reported by
 * [signal@Stompest.Session::receipt]; use
 * [method@Stompest.Session.send_async] to wait for it). Other headers
 * (`persistent`, `content-type`, custom ones) are sent as given;
 * `destination` and `content-length` are ignored there.
 *
 * While the session connects or reconnects, the message waits in the
 * offline queue, written once the connection is up and the subscriptions
 * are replayed. The queue holds at most
 * [property@Stompest.Session:max-offline-queue] messages; beyond that, and
 * when the session is disconnected or disconnecting, this fails.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST when not connected,
 * %STOMPEST_ERROR_QUEUE_FULL when the offline queue is full,
 * %STOMPEST_ERROR_PROTOCOL for a transaction that is not
 * open, %STOMPEST_ERROR_INVALID_FRAME for a header the negotiated version
 * cannot carry).
 *
 * Returns: %TRUE when the message was queued
 *
 * Since: 0.1
 */
gboolean
stompest_session_send (StompestSession  *session,
                       const char       *destination,
                       GBytes           *body,
                       GHashTable       *headers,
                       GError          **error)
{
  g_autoptr(SendRequest) request = NULL;

  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (session_can_write (session) && (headers == NULL || g_hash_table_size (headers) == 0))
    return session_send_plain (session, destination, body, error);

  request = request_new (session, destination, body, headers);
  return session_submit (session, request, error);
}

/**
 * stompest_session_send_async:
 * @session: a session
 * @destination: where to send the message, such as `/queue/work`
 * @body: (nullable): the message body, or %NULL for an empty one; it is
 *   written as is, and never copied when larger than 16 KiB
 * @headers: (nullable) (element-type utf8 utf8): more headers, or %NULL
 * @io_priority: the I/O priority of the write
 * @cancellable: (nullable): a [class@Gio.Cancellable]; cancelling ends
 *   the wait, not the write
 * @callback: (scope async): called when the broker confirmed the message,
 *   or when that failed
 * @user_data: (closure): data for @callback
 *
 * Sends a message, as [method@Stompest.Session.send] does, and completes
 * when the broker confirms it has the message with a RECEIPT. The
 * `receipt` header is generated unless @headers has one.
 *
 * The wait, including any time in the offline queue, is bounded by
 * [property@Stompest.Session:receipt-timeout]. When the connection is
 * lost after the message was written but before the RECEIPT, the
 * operation fails: the broker may or may not have it.
 *
 * While a subscription sits at its
 * [property@Stompest.Subscription:max-in-flight], the session reads
 * nothing, RECEIPTs included: the operation then completes only after a
 * held message finishes. Do not wait for it in a handler that holds its
 * message meanwhile.
 *
 * Since: 0.1
 */
void
stompest_session_send_async (StompestSession     *session,
                             const char          *destination,
                             GBytes              *body,
                             GHashTable          *headers,
                             int                  io_priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(SendRequest) request = NULL;
  GError *error = NULL;
  const char *receipt;

  g_return_if_fail (STOMPEST_IS_SESSION (session));
  g_return_if_fail (destination != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request = request_new (session, destination, body, headers);
  request->io_priority = io_priority;
  receipt = stompest_connection_lookup_header (headers, "receipt");
  request->receipt = receipt != NULL ? g_strdup (receipt) :
                     g_strdup_printf ("stompest-send-%u", ++session->receipt_counter);

  request->task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (request->task, stompest_session_send_async);
  g_task_set_priority (request->task, io_priority);
  g_task_set_task_data (request->task, request_ref (request), (GDestroyNotify) request_unref);

  if (!session_submit (session, request, &error))
    {
      request_finish (request, error);
      return;
    }

  if (session->receipt_timeout > 0)
    {
      request->timeout = session_timer_new (session, "[stompest] receipt timeout",
                                            on_request_timeout, request);
      g_source_set_ready_time (request->timeout, deadline_after (session->receipt_timeout));
    }
  request->cancelled_id = task_watch_cancellable (request->task);
}

/**
 * stompest_session_send_finish:
 * @session: a session
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Stompest.Session.send_async].
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_TIMEOUT
 * when no RECEIPT came within the receipt timeout,
 * %STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_QUEUE_FULL,
 * %STOMPEST_ERROR_PROTOCOL, %STOMPEST_ERROR_INVALID_FRAME, as for
 * [method@Stompest.Session.send])
 * and %G_IO_ERROR (%G_IO_ERROR_CANCELLED).
 *
 * Returns: %TRUE when the broker confirmed the message
 *
 * Since: 0.1
 */
gboolean
stompest_session_send_finish (StompestSession  *session,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, session), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
session_check_writable (StompestSession  *self,
                        const char       *what,
                        GError          **error)
{
  if (session_can_write (self))
    return TRUE;

  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
               "Cannot %s: the session is not connected to %s", what,
               self->broker_uri != NULL ? self->broker_uri : self->uri);
  return FALSE;
}

/**
 * stompest_session_subscribe:
 * @session: a session
 * @destination: what to subscribe to, such as `/queue/work`
 * @ack_mode: how the messages are to be acknowledged
 * @headers: (nullable) (element-type utf8 utf8): more headers, or %NULL
 * @error: return location for a #GError
 *
 * Subscribes to a destination. The messages come through the returned
 * subscription's [signal@Stompest.Subscription::message] signal (and
 * [signal@Stompest.Session::message]); set its flow control and failure
 * policy right away, before the first message can arrive.
 *
 * In @headers, `id` chooses the subscription id (one is generated
 * otherwise), and `receipt` asks the broker to confirm the subscription
 * (see [signal@Stompest.Session::receipt]). Other headers (`selector`, a
 * broker's prefetch setting) are sent as given and again when the
 * subscription is replayed after a reconnect; `ack` and `destination` are
 * ignored there.
 *
 * The session must be connected.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST when not connected,
 * %STOMPEST_ERROR_PROTOCOL when already subscribed with that id or the
 * ack mode needs a later version, %STOMPEST_ERROR_INVALID_FRAME).
 *
 * Returns: (transfer full): the subscription, or %NULL on error
 *
 * Since: 0.1
 */
StompestSubscription *
stompest_session_subscribe (StompestSession  *session,
                            const char       *destination,
                            StompestAckMode   ack_mode,
                            GHashTable       *headers,
                            GError          **error)
{
  static const char * const skip[] = { "destination", "id", "ack", "receipt", NULL };
  g_autoptr(StompestFrame) frame = NULL;
  g_autofree char *token = NULL;
  StompestSubscription *subscription;

  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);
  g_return_val_if_fail (destination != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (session->state != STOMPEST_SESSION_STATE_CONNECTED)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                   "Cannot subscribe to %s: the session is not connected to %s",
                   destination, session->broker_uri != NULL ? session->broker_uri : session->uri);
      return NULL;
    }

  frame = stompest_protocol_subscribe (session->protocol, destination,
                                       stompest_connection_lookup_header (headers, "id"),
                                       ack_mode, stompest_connection_lookup_header (headers, "receipt"),
                                       &token, error);
  if (frame == NULL)
    return NULL;

  /* The protocol keeps this frame for replay, extra headers included. */
  stompest_connection_add_headers (frame, headers, skip);
  if (!session_queue_frame (session, frame, error))
    {
      g_autoptr(StompestFrame) unsubscribe =
        stompest_protocol_unsubscribe (session->protocol, token, NULL, NULL);
      return NULL;
    }

  subscription = stompest_subscription_new (session, token, destination, ack_mode);
  g_hash_table_insert (session->subscriptions, g_steal_pointer (&token),
                       g_object_ref (subscription));
  return subscription;
}

/**
 * stompest_session_unsubscribe:
 * @session: a session
 * @subscription: a subscription of @session
 * @error: return location for a #GError
 *
 * Ends a subscription: UNSUBSCRIBE is queued, or, while the session is
 * not connected, the subscription is simply not replayed. Messages of it
 * that are in flight can still be finished and are acknowledged.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_PROTOCOL when the subscription already ended).
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
stompest_session_unsubscribe (StompestSession       *session,
                              StompestSubscription  *subscription,
                              GError               **error)
{
  const char *token;
  gpointer key;
  gpointer value;

  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (STOMPEST_IS_SUBSCRIPTION (subscription), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  token = stompest_subscription_get_token (subscription);
  if (stompest_subscription_get_session (subscription) != session ||
      !g_hash_table_lookup_extended (session->subscriptions, token, &key, &value))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Cannot unsubscribe from %s: the subscription “%s” already ended",
                   stompest_subscription_get_destination (subscription), token);
      return FALSE;
    }

  if (session_can_write (session) &&
      !session_queue_built (session,
                            stompest_protocol_unsubscribe (session->protocol, token, NULL, error),
                            error))
    return FALSE;

  g_hash_table_steal (session->subscriptions, token);
  if (session->last_subscription == value)
    session->last_subscription = NULL;
  session_count_bounded (session);
  stompest_subscription_detach (subscription);
  g_free (key);
  g_object_unref (value);
  stompest_session_update_reading (session);
  return TRUE;
}

static gboolean
session_check_message (StompestSession  *self,
                       StompestMessage  *message,
                       gboolean          ack,
                       GError          **error)
{
  const char *verb = ack ? "acknowledge" : "reject";

  if (stompest_message_get_settled (message))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Cannot %s message “%s”: it was already acknowledged or rejected",
                   verb, stompest_message_get_message_id (message));
      return FALSE;
    }
  if (stompest_message_get_generation (message) != self->generation || !session_can_write (self))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                   "Cannot %s message “%s”: the connection it came on ended, and "
                   "the broker redelivers it", verb, stompest_message_get_message_id (message));
      return FALSE;
    }
  if (stompest_subscription_get_ack_mode (stompest_message_get_subscription (message)) ==
      STOMPEST_ACK_MODE_AUTO)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Cannot %s message “%s”: its subscription uses the auto ack mode",
                   verb, stompest_message_get_message_id (message));
      return FALSE;
    }
  return TRUE;
}

/**
 * stompest_session_ack:
 * @session: a session
 * @message: a message @session delivered
 * @transaction: (nullable): an open transaction to acknowledge it in, or
 *   %NULL
 * @error: return location for a #GError
 *
 * Acknowledges a message now, with the headers the negotiated version
 * wants, instead of when it finishes: the session then does not
 * acknowledge it again. Needed only to acknowledge inside a transaction,
 * or before the work is done.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST when the connection the message came
 * on ended, %STOMPEST_ERROR_PROTOCOL when it was already acknowledged or
 * rejected, its subscription uses %STOMPEST_ACK_MODE_AUTO, or the
 * transaction is not open).
 *
 * Returns: %TRUE when the ACK was queued
 *
 * Since: 0.1
 */
gboolean
stompest_session_ack (StompestSession  *session,
                      StompestMessage  *message,
                      const char       *transaction,
                      GError          **error)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (stompest_message_get_session (message) == session, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return session_check_message (session, message, TRUE, error) &&
         session_settle (session, message, TRUE, transaction, error);
}

/**
 * stompest_session_nack:
 * @session: a session
 * @message: a message @session delivered
 * @transaction: (nullable): an open transaction to reject it in, or %NULL
 * @error: return location for a #GError
 *
 * Rejects a message now (STOMP 1.1 and later), instead of acknowledging
 * it when it finishes.
 *
 * Possible error domains include %STOMPEST_ERROR (as for
 * [method@Stompest.Session.ack], and %STOMPEST_ERROR_PROTOCOL in STOMP
 * 1.0).
 *
 * Returns: %TRUE when the NACK was queued
 *
 * Since: 0.1
 */
gboolean
stompest_session_nack (StompestSession  *session,
                       StompestMessage  *message,
                       const char       *transaction,
                       GError          **error)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (STOMPEST_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (stompest_message_get_session (message) == session, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return session_check_message (session, message, FALSE, error) &&
         session_settle (session, message, FALSE, transaction, error);
}

typedef StompestFrame *(*TransactionBuilder) (StompestProtocol  *protocol,
                                              const char        *transaction,
                                              const char        *receipt,
                                              GError           **error);

static gboolean
session_transaction (StompestSession     *self,
                     const char          *what,
                     TransactionBuilder   build,
                     const char          *transaction,
                     GError             **error)
{
  return session_check_writable (self, what, error) &&
         session_queue_built (self, build (self->protocol, transaction, NULL, error), error);
}

/**
 * stompest_session_begin:
 * @session: a session
 * @transaction: the id of the new transaction
 * @error: return location for a #GError
 *
 * Opens a transaction. Messages sent with a `transaction` header naming
 * it, and acknowledgements given it, belong to it until
 * [method@Stompest.Session.commit] or [method@Stompest.Session.abort].
 * The broker aborts it if the connection ends first.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST when not connected,
 * %STOMPEST_ERROR_PROTOCOL when it is already open).
 *
 * Returns: %TRUE when BEGIN was queued
 *
 * Since: 0.1
 */
gboolean
stompest_session_begin (StompestSession  *session,
                        const char       *transaction,
                        GError          **error)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (transaction != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return session_transaction (session, "begin a transaction", stompest_protocol_begin,
                              transaction, error);
}

/**
 * stompest_session_commit:
 * @session: a session
 * @transaction: the id of an open transaction
 * @error: return location for a #GError
 *
 * Commits a transaction.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST when not connected,
 * %STOMPEST_ERROR_PROTOCOL when it is not open).
 *
 * Returns: %TRUE when COMMIT was queued
 *
 * Since: 0.1
 */
gboolean
stompest_session_commit (StompestSession  *session,
                         const char       *transaction,
                         GError          **error)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (transaction != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return session_transaction (session, "commit a transaction", stompest_protocol_commit,
                              transaction, error);
}

/**
 * stompest_session_abort:
 * @session: a session
 * @transaction: the id of an open transaction
 * @error: return location for a #GError
 *
 * Aborts a transaction: the broker forgets what was sent and
 * acknowledged in it.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST when not connected,
 * %STOMPEST_ERROR_PROTOCOL when it is not open).
 *
 * Returns: %TRUE when ABORT was queued
 *
 * Since: 0.1
 */
gboolean
stompest_session_abort (StompestSession  *session,
                        const char       *transaction,
                        GError          **error)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);
  g_return_val_if_fail (transaction != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return session_transaction (session, "abort a transaction", stompest_protocol_abort,
                              transaction, error);
}

/**
 * stompest_session_set_transport:
 * @session: a session
 * @scheme: a URI scheme such as `tcp` or `ws`
 * @transport: (nullable): the transport to use for @scheme, or %NULL to
 *   go back to the global registry
 *
 * Makes this session connect to broker URIs of @scheme through
 * @transport, instead of the transport registered for it with
 * [func@Stompest.Transport.register]. Takes effect at the next attempt.
 *
 * Since: 0.1
 */
void
stompest_session_set_transport (StompestSession   *session,
                                const char        *scheme,
                                StompestTransport *transport)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));
  g_return_if_fail (scheme != NULL);
  g_return_if_fail (transport == NULL || STOMPEST_IS_TRANSPORT (transport));

  stompest_connection_transports_set (session->transports, scheme, transport);
}

/* Properties. */

/**
 * stompest_session_new:
 * @uri: a broker URI such as `tcp://localhost:61613`, or a failover URI
 *   such as `failover:(tcp://a:61613,tcp://b:61613)?randomize=false`
 *
 * Creates a session, disconnected, that belongs to the thread-default
 * main context of the caller (see [method@Stompest.Session.get_context]).
 *
 * Returns: (transfer full): a new session
 *
 * Since: 0.1
 */
StompestSession *
stompest_session_new (const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return g_object_new (STOMPEST_TYPE_SESSION, "uri", uri, NULL);
}

/**
 * stompest_session_get_context:
 * @session: a session
 *
 * Gives the main context the session belongs to: the thread-default one
 * of the thread that created it. Its sources are attached there and its
 * signals are emitted there.
 *
 * Returns: (transfer none): the main context
 *
 * Since: 0.1
 */
GMainContext *
stompest_session_get_context (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);

  return session->context;
}

/**
 * stompest_session_get_uri:
 * @session: a session
 *
 * Gives the broker or failover URI the session connects to.
 *
 * Returns: (nullable): the URI
 *
 * Since: 0.1
 */
const char *
stompest_session_get_uri (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);

  return session->uri;
}

/**
 * stompest_session_set_uri:
 * @session: a session
 * @uri: (nullable): a broker URI or a failover URI
 *
 * Sets the broker or failover URI; see [property@Stompest.Session:uri].
 *
 * Since: 0.1
 */
void
stompest_session_set_uri (StompestSession *session,
                          const char      *uri)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_string (G_OBJECT (session), &session->uri, uri, properties[PROP_URI]);
}

/**
 * stompest_session_get_login:
 * @session: a session
 *
 * Gives the user name sent in CONNECT.
 *
 * Returns: (nullable): the login
 *
 * Since: 0.1
 */
const char *
stompest_session_get_login (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);

  return session->login;
}

/**
 * stompest_session_set_login:
 * @session: a session
 * @login: (nullable): a user name, or %NULL for none
 *
 * Sets the user name sent in CONNECT.
 *
 * Since: 0.1
 */
void
stompest_session_set_login (StompestSession *session,
                            const char      *login)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_string (G_OBJECT (session), &session->login, login,
                                  properties[PROP_LOGIN]);
}

/**
 * stompest_session_set_passcode:
 * @session: a session
 * @passcode: (nullable): a password, or %NULL for none
 *
 * Sets the password sent in CONNECT. It cannot be read back, and it is
 * masked in logs and error messages.
 *
 * Since: 0.1
 */
void
stompest_session_set_passcode (StompestSession *session,
                               const char      *passcode)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_string (G_OBJECT (session), &session->passcode, passcode,
                                  properties[PROP_PASSCODE]);
}

/**
 * stompest_session_get_virtual_host:
 * @session: a session
 *
 * Gives the `host` header sent in CONNECT.
 *
 * Returns: (nullable): the virtual host
 *
 * Since: 0.1
 */
const char *
stompest_session_get_virtual_host (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);

  return session->virtual_host;
}

/**
 * stompest_session_set_virtual_host:
 * @session: a session
 * @virtual_host: (nullable): a virtual host name, or %NULL for the default
 *
 * Sets the `host` header sent in CONNECT; see
 * [property@Stompest.Session:virtual-host].
 *
 * Since: 0.1
 */
void
stompest_session_set_virtual_host (StompestSession *session,
                                   const char      *virtual_host)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_string (G_OBJECT (session), &session->virtual_host,
                                  virtual_host != NULL ? virtual_host : DEFAULT_VIRTUAL_HOST,
                                  properties[PROP_VIRTUAL_HOST]);
}

/**
 * stompest_session_get_max_version:
 * @session: a session
 *
 * Gives the highest STOMP version offered to brokers.
 *
 * Returns: the version
 *
 * Since: 0.1
 */
StompestVersion
stompest_session_get_max_version (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), STOMPEST_VERSION_LATEST);

  return session->max_version;
}

/**
 * stompest_session_set_max_version:
 * @session: a session
 * @max_version: the highest version to offer
 *
 * Sets the highest STOMP version offered; see
 * [property@Stompest.Session:max-version].
 *
 * Since: 0.1
 */
void
stompest_session_set_max_version (StompestSession *session,
                                  StompestVersion  max_version)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));
  g_return_if_fail (max_version >= STOMPEST_VERSION_STOMP_1_0 &&
                    max_version <= STOMPEST_VERSION_LATEST);

  if (session->max_version == max_version)
    return;
  session->max_version = max_version;
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_MAX_VERSION]);
}

/**
 * stompest_session_get_heart_beat_send:
 * @session: a session
 *
 * Gives how often the session offers to send heart-beats.
 *
 * Returns: how often the session offers to send heart-beats, in milliseconds
 *   (0: never)
 *
 * Since: 0.1
 */
guint
stompest_session_get_heart_beat_send (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->heart_beat_send;
}

/**
 * stompest_session_set_heart_beat_send:
 * @session: a session
 * @heart_beat_send: how often the session offers to send heart-beats, in
 *   milliseconds (0: never)
 *
 * Sets how often the session offers to send heart-beats. The offer takes
 * effect at the next connection; see
 * [property@Stompest.Session:heart-beat-send].
 *
 * Since: 0.1
 */
void
stompest_session_set_heart_beat_send (StompestSession *session,
                                      guint            heart_beat_send)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_uint (G_OBJECT (session), &session->heart_beat_send,
                                heart_beat_send,
                                properties[PROP_HEART_BEAT_SEND]);
}

/**
 * stompest_session_get_heart_beat_receive:
 * @session: a session
 *
 * Gives how often the session asks the broker for heart-beats.
 *
 * Returns: how often the session asks the broker for heart-beats, in
 *   milliseconds (0: never)
 *
 * Since: 0.1
 */
guint
stompest_session_get_heart_beat_receive (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->heart_beat_receive;
}

/**
 * stompest_session_set_heart_beat_receive:
 * @session: a session
 * @heart_beat_receive: how often the session asks the broker for
 *   heart-beats, in milliseconds (0: never)
 *
 * Sets how often the session asks the broker for heart-beats. The request
 * takes effect at the next connection; see
 * [property@Stompest.Session:heart-beat-receive].
 *
 * Since: 0.1
 */
void
stompest_session_set_heart_beat_receive (StompestSession *session,
                                         guint            heart_beat_receive)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_uint (G_OBJECT (session), &session->heart_beat_receive,
                                heart_beat_receive,
                                properties[PROP_HEART_BEAT_RECEIVE]);
}

/**
 * stompest_session_get_connect_timeout:
 * @session: a session
 *
 * Gives the time allowed for a transport connect.
 *
 * Returns: the time allowed for a transport connect, in milliseconds (0: no
 *   limit)
 *
 * Since: 0.1
 */
guint
stompest_session_get_connect_timeout (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->connect_timeout;
}

/**
 * stompest_session_set_connect_timeout:
 * @session: a session
 * @connect_timeout: the time allowed for a transport connect, in
 *   milliseconds (0: no limit)
 *
 * Sets the time allowed for a transport connect. See
 * [property@Stompest.Session:connect-timeout].
 *
 * Since: 0.1
 */
void
stompest_session_set_connect_timeout (StompestSession *session,
                                      guint            connect_timeout)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_uint (G_OBJECT (session), &session->connect_timeout,
                                connect_timeout,
                                properties[PROP_CONNECT_TIMEOUT]);
}

/**
 * stompest_session_get_connected_timeout:
 * @session: a session
 *
 * Gives the time allowed for the CONNECTED frame.
 *
 * Returns: the time allowed for the CONNECTED frame, in milliseconds (0: no
 *   limit)
 *
 * Since: 0.1
 */
guint
stompest_session_get_connected_timeout (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->connected_timeout;
}

/**
 * stompest_session_set_connected_timeout:
 * @session: a session
 * @connected_timeout: the time allowed for the CONNECTED frame, in
 *   milliseconds (0: no limit)
 *
 * Sets the time allowed for the CONNECTED frame. See
 * [property@Stompest.Session:connected-timeout].
 *
 * Since: 0.1
 */
void
stompest_session_set_connected_timeout (StompestSession *session,
                                        guint            connected_timeout)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_uint (G_OBJECT (session), &session->connected_timeout,
                                connected_timeout,
                                properties[PROP_CONNECTED_TIMEOUT]);
}

/**
 * stompest_session_get_receipt_timeout:
 * @session: a session
 *
 * Gives the time [method@Stompest.Session.send_async] waits for a RECEIPT.
 *
 * Returns: the time [method@Stompest.Session.send_async] waits for a
 *   RECEIPT, in milliseconds (0: no limit)
 *
 * Since: 0.1
 */
guint
stompest_session_get_receipt_timeout (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->receipt_timeout;
}

/**
 * stompest_session_set_receipt_timeout:
 * @session: a session
 * @receipt_timeout: the time [method@Stompest.Session.send_async] waits for
 *   a RECEIPT, in milliseconds (0: no limit)
 *
 * Sets the time [method@Stompest.Session.send_async] waits for a RECEIPT.
 * See [property@Stompest.Session:receipt-timeout].
 *
 * Since: 0.1
 */
void
stompest_session_set_receipt_timeout (StompestSession *session,
                                      guint            receipt_timeout)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_uint (G_OBJECT (session), &session->receipt_timeout,
                                receipt_timeout,
                                properties[PROP_RECEIPT_TIMEOUT]);
}

/**
 * stompest_session_get_disconnect_timeout:
 * @session: a session
 *
 * Gives the time each wait of a graceful disconnect may take.
 *
 * Returns: the time each wait of a graceful disconnect may take, in
 *   milliseconds (0: no limit)
 *
 * Since: 0.1
 */
guint
stompest_session_get_disconnect_timeout (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->disconnect_timeout;
}

/**
 * stompest_session_set_disconnect_timeout:
 * @session: a session
 * @disconnect_timeout: the time each wait of a graceful disconnect may take,
 *   in milliseconds (0: no limit)
 *
 * Sets the time each wait of a graceful disconnect may take. See
 * [property@Stompest.Session:disconnect-timeout].
 *
 * Since: 0.1
 */
void
stompest_session_set_disconnect_timeout (StompestSession *session,
                                         guint            disconnect_timeout)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_uint (G_OBJECT (session), &session->disconnect_timeout,
                                disconnect_timeout,
                                properties[PROP_DISCONNECT_TIMEOUT]);
}

/**
 * stompest_session_get_max_offline_queue:
 * @session: a session
 *
 * Gives the most messages kept while not connected (0: none).
 *
 * Returns: the most messages kept while not connected (0: none)
 *
 * Since: 0.1
 */
guint
stompest_session_get_max_offline_queue (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->max_offline_queue;
}

/**
 * stompest_session_set_max_offline_queue:
 * @session: a session
 * @max_offline_queue: the most messages kept while not connected (0: none)
 *
 * Sets the most messages kept while not connected (0: none). See
 * [property@Stompest.Session:max-offline-queue].
 *
 * Since: 0.1
 */
void
stompest_session_set_max_offline_queue (StompestSession *session,
                                        guint            max_offline_queue)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  stompest_connection_set_uint (G_OBJECT (session), &session->max_offline_queue,
                                max_offline_queue,
                                properties[PROP_MAX_OFFLINE_QUEUE]);
}



/**
 * stompest_session_get_reconnect:
 * @session: a session
 *
 * Tells whether the session reconnects by itself after losing a
 * connection.
 *
 * Returns: %TRUE when it reconnects
 *
 * Since: 0.1
 */
gboolean
stompest_session_get_reconnect (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), FALSE);

  return session->reconnect;
}

/**
 * stompest_session_set_reconnect:
 * @session: a session
 * @reconnect: whether to reconnect by itself
 *
 * Sets whether the session reconnects by itself after losing a
 * connection; see [property@Stompest.Session:reconnect].
 *
 * Since: 0.1
 */
void
stompest_session_set_reconnect (StompestSession *session,
                                gboolean         reconnect)
{
  g_return_if_fail (STOMPEST_IS_SESSION (session));

  reconnect = !!reconnect;
  if (session->reconnect == reconnect)
    return;
  session->reconnect = reconnect;
  g_object_notify_by_pspec (G_OBJECT (session), properties[PROP_RECONNECT]);
}

/**
 * stompest_session_get_state:
 * @session: a session
 *
 * Gives the state of the session.
 *
 * Returns: the state
 *
 * Since: 0.1
 */
StompestSessionState
stompest_session_get_state (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), STOMPEST_SESSION_STATE_DISCONNECTED);

  return session->state;
}

/**
 * stompest_session_get_broker_uri:
 * @session: a session
 *
 * Gives the broker of the current connection, one of those of
 * [property@Stompest.Session:uri].
 *
 * Returns: (nullable): the broker URI, or %NULL when not connected
 *
 * Since: 0.1
 */
const char *
stompest_session_get_broker_uri (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);

  return session_is_connected (session) ? session->broker_uri : NULL;
}

/**
 * stompest_session_get_version:
 * @session: a session
 *
 * Gives the STOMP version negotiated with the broker, or
 * [property@Stompest.Session:max-version] when not connected.
 *
 * Returns: the version
 *
 * Since: 0.1
 */
StompestVersion
stompest_session_get_version (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), STOMPEST_VERSION_LATEST);

  return session_is_connected (session) ? stompest_protocol_get_version (session->protocol) :
                                          session->max_version;
}

/**
 * stompest_session_get_server:
 * @session: a session
 *
 * Gives the `server` header of the broker's CONNECTED frame, such as
 * `RabbitMQ/3.10.8`.
 *
 * Returns: (nullable): the server, or %NULL when not connected or the
 *   broker sent none
 *
 * Since: 0.1
 */
const char *
stompest_session_get_server (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);

  return stompest_protocol_get_server (session->protocol);
}

/**
 * stompest_session_get_session_id:
 * @session: a session
 *
 * Gives the `session` header of the broker's CONNECTED frame.
 *
 * Returns: (nullable): the session id, or %NULL when not connected or
 *   the broker sent none
 *
 * Since: 0.1
 */
const char *
stompest_session_get_session_id (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);

  return stompest_protocol_get_session (session->protocol);
}

/**
 * stompest_session_get_send_period:
 * @session: a session
 *
 * Gives the negotiated period of the heart-beats the session sends.
 *
 * Returns: the period in milliseconds, 0 for none
 *
 * Since: 0.1
 */
guint
stompest_session_get_send_period (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return stompest_protocol_get_send_period (session->protocol);
}

/**
 * stompest_session_get_receive_period:
 * @session: a session
 *
 * Gives the negotiated period of the heart-beats the broker sends.
 *
 * Returns: the period in milliseconds, 0 for none
 *
 * Since: 0.1
 */
guint
stompest_session_get_receive_period (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return stompest_protocol_get_receive_period (session->protocol);
}

/**
 * stompest_session_get_frames_in:
 * @session: a session
 *
 * Gives the number of frames read from brokers (heart-beats not counted).
 *
 * Returns: the count
 *
 * Since: 0.1
 */
guint64
stompest_session_get_frames_in (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->frames_in;
}

/**
 * stompest_session_get_frames_out:
 * @session: a session
 *
 * Gives the number of frames written to brokers (heart-beats not counted).
 *
 * Returns: the count
 *
 * Since: 0.1
 */
guint64
stompest_session_get_frames_out (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->frames_out;
}

/**
 * stompest_session_get_bytes_in:
 * @session: a session
 *
 * Gives the number of bytes read from brokers.
 *
 * Returns: the count
 *
 * Since: 0.1
 */
guint64
stompest_session_get_bytes_in (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->bytes_in;
}

/**
 * stompest_session_get_bytes_out:
 * @session: a session
 *
 * Gives the number of bytes written to brokers, heart-beats included.
 *
 * Returns: the count
 *
 * Since: 0.1
 */
guint64
stompest_session_get_bytes_out (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->bytes_out;
}

/**
 * stompest_session_get_reconnects:
 * @session: a session
 *
 * Gives the number of times the session reconnected by itself.
 *
 * Returns: the count
 *
 * Since: 0.1
 */
guint
stompest_session_get_reconnects (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->reconnects;
}

/**
 * stompest_session_get_n_in_flight:
 * @session: a session
 *
 * Gives the number of messages being handled: in their signal emission or held.
 *
 * Returns: the count
 *
 * Since: 0.1
 */
guint
stompest_session_get_n_in_flight (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->n_in_flight;
}

/**
 * stompest_session_get_offline_queue_length:
 * @session: a session
 *
 * Gives the number of messages waiting in the offline queue.
 *
 * Returns: the count
 *
 * Since: 0.1
 */
guint
stompest_session_get_offline_queue_length (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), 0);

  return session->offline.length;
}

guint64
stompest_session_get_n_writes (StompestSession *self)
{
  return self->n_writes;
}

/**
 * stompest_session_get_parser:
 * @session: a session
 *
 * Gives the parser that reads the broker's frames, to set its limits
 * (frame size, header count and length) or make it lenient for brokers
 * that break STOMP 1.2's rules. Its version is managed by the session.
 *
 * Returns: (transfer none): the parser
 *
 * Since: 0.1
 */
StompestParser *
stompest_session_get_parser (StompestSession *session)
{
  g_return_val_if_fail (STOMPEST_IS_SESSION (session), NULL);

  return session->parser;
}

static void
stompest_session_dispose (GObject *object)
{
  StompestSession *self = STOMPEST_SESSION (object);
  g_autoptr(GError) dropped = NULL;

  if (self->stream != NULL || self->offline.length > 0)
    {
      dropped = g_error_new_literal (STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                                     "the session was destroyed");
      session_close_stream (self, TRUE);
      session_drop_offline (self, dropped);
    }
  session_forget_subscriptions (self);
  g_clear_object (&self->spare_message);

  timer_destroy (&self->flush_source);
  timer_destroy (&self->resume_source);
  timer_destroy (&self->heart_beat_source);
  timer_destroy (&self->step_source);
  timer_destroy (&self->shutdown_source);

  G_OBJECT_CLASS (stompest_session_parent_class)->dispose (object);
}

static void
stompest_session_finalize (GObject *object)
{
  StompestSession *self = STOMPEST_SESSION (object);

  g_free (self->uri);
  g_free (self->login);
  g_free (self->passcode);
  g_free (self->virtual_host);
  g_free (self->broker_uri);
  g_free (self->attempt_broker);
  g_free (self->disconnect_receipt);
  g_clear_error (&self->attempt_error);
  g_clear_error (&self->shutdown_error);
  out_buffer_free (self->out);
  g_clear_pointer (&self->spare_out, out_buffer_free);
  g_byte_array_unref (self->head);
  stompest_send_head_clear (&self->send_head);
  g_hash_table_unref (self->transports);
  g_hash_table_unref (self->receipts);
  g_hash_table_unref (self->subscriptions);
  g_clear_object (&self->failover);
  g_clear_object (&self->reconnect_failover);
  g_clear_object (&self->protocol);
  g_clear_object (&self->parser);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (stompest_session_parent_class)->finalize (object);
}

static void
stompest_session_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  StompestSession *self = STOMPEST_SESSION (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_LOGIN:
      g_value_set_string (value, self->login);
      break;
    case PROP_VIRTUAL_HOST:
      g_value_set_string (value, self->virtual_host);
      break;
    case PROP_MAX_VERSION:
      g_value_set_enum (value, self->max_version);
      break;
    case PROP_HEART_BEAT_SEND:
      g_value_set_uint (value, self->heart_beat_send);
      break;
    case PROP_HEART_BEAT_RECEIVE:
      g_value_set_uint (value, self->heart_beat_receive);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_CONNECTED_TIMEOUT:
      g_value_set_uint (value, self->connected_timeout);
      break;
    case PROP_RECEIPT_TIMEOUT:
      g_value_set_uint (value, self->receipt_timeout);
      break;
    case PROP_DISCONNECT_TIMEOUT:
      g_value_set_uint (value, self->disconnect_timeout);
      break;
    case PROP_RECONNECT:
      g_value_set_boolean (value, self->reconnect);
      break;
    case PROP_MAX_OFFLINE_QUEUE:
      g_value_set_uint (value, self->max_offline_queue);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_BROKER_URI:
      g_value_set_string (value, stompest_session_get_broker_uri (self));
      break;
    case PROP_VERSION:
      g_value_set_enum (value, stompest_session_get_version (self));
      break;
    case PROP_SERVER:
      g_value_set_string (value, stompest_session_get_server (self));
      break;
    case PROP_SESSION_ID:
      g_value_set_string (value, stompest_session_get_session_id (self));
      break;
    case PROP_SEND_PERIOD:
      g_value_set_uint (value, stompest_session_get_send_period (self));
      break;
    case PROP_RECEIVE_PERIOD:
      g_value_set_uint (value, stompest_session_get_receive_period (self));
      break;
    case PROP_FRAMES_IN:
      g_value_set_uint64 (value, self->frames_in);
      break;
    case PROP_FRAMES_OUT:
      g_value_set_uint64 (value, self->frames_out);
      break;
    case PROP_BYTES_IN:
      g_value_set_uint64 (value, self->bytes_in);
      break;
    case PROP_BYTES_OUT:
      g_value_set_uint64 (value, self->bytes_out);
      break;
    case PROP_RECONNECTS:
      g_value_set_uint (value, self->reconnects);
      break;
    case PROP_N_IN_FLIGHT:
      g_value_set_uint (value, self->n_in_flight);
      break;
    case PROP_OFFLINE_QUEUE_LENGTH:
      g_value_set_uint (value, self->offline.length);
      break;
    case PROP_PARSER:
      g_value_set_object (value, self->parser);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_session_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  StompestSession *self = STOMPEST_SESSION (object);

  switch (prop_id)
    {
    case PROP_URI:
      stompest_session_set_uri (self, g_value_get_string (value));
      break;
    case PROP_LOGIN:
      stompest_session_set_login (self, g_value_get_string (value));
      break;
    case PROP_PASSCODE:
      stompest_session_set_passcode (self, g_value_get_string (value));
      break;
    case PROP_VIRTUAL_HOST:
      stompest_session_set_virtual_host (self, g_value_get_string (value));
      break;
    case PROP_MAX_VERSION:
      stompest_session_set_max_version (self, g_value_get_enum (value));
      break;
    case PROP_HEART_BEAT_SEND:
      stompest_session_set_heart_beat_send (self, g_value_get_uint (value));
      break;
    case PROP_HEART_BEAT_RECEIVE:
      stompest_session_set_heart_beat_receive (self, g_value_get_uint (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      stompest_session_set_connect_timeout (self, g_value_get_uint (value));
      break;
    case PROP_CONNECTED_TIMEOUT:
      stompest_session_set_connected_timeout (self, g_value_get_uint (value));
      break;
    case PROP_RECEIPT_TIMEOUT:
      stompest_session_set_receipt_timeout (self, g_value_get_uint (value));
      break;
    case PROP_DISCONNECT_TIMEOUT:
      stompest_session_set_disconnect_timeout (self, g_value_get_uint (value));
      break;
    case PROP_RECONNECT:
      stompest_session_set_reconnect (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_OFFLINE_QUEUE:
      stompest_session_set_max_offline_queue (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
timeout_pspec (const char *name,
               guint       default_ms)
{
  return g_param_spec_uint (name, NULL, NULL, 0, G_MAXUINT, default_ms,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
counter_pspec (const char *name)
{
  return g_param_spec_uint64 (name, NULL, NULL, 0, G_MAXUINT64, 0,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
stompest_session_class_init (StompestSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = stompest_session_dispose;
  object_class->finalize = stompest_session_finalize;
  object_class->get_property = stompest_session_get_property;
  object_class->set_property = stompest_session_set_property;

  /**
   * StompestSession:uri: (attributes org.gtk.Property.get=stompest_session_get_uri org.gtk.Property.set=stompest_session_set_uri)
   *
   * The broker to connect to, such as `tcp://localhost:61613`,
   * `ssl://broker.example:61614` or `unix:///run/broker.sock`, or a
   * failover URI such as
   * `failover:(tcp://a:61613,tcp://b:61613)?initialReconnectDelay=100`
   * (see [class@Stompest.Failover]). A change takes effect at the next
   * connect or reconnect.
   *
   * Since: 0.1
   */
  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, rw);

  /**
   * StompestSession:login: (attributes org.gtk.Property.get=stompest_session_get_login org.gtk.Property.set=stompest_session_set_login)
   *
   * The user name sent in CONNECT, or %NULL for none.
   *
   * Since: 0.1
   */
  properties[PROP_LOGIN] = g_param_spec_string ("login", NULL, NULL, NULL, rw);

  /**
   * StompestSession:passcode: (attributes org.gtk.Property.set=stompest_session_set_passcode)
   *
   * The password sent in CONNECT, or %NULL for none. It is write-only,
   * and masked in logs and error messages.
   *
   * Since: 0.1
   */
  properties[PROP_PASSCODE] =
    g_param_spec_string ("passcode", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestSession:virtual-host: (attributes org.gtk.Property.get=stompest_session_get_virtual_host org.gtk.Property.set=stompest_session_set_virtual_host)
   *
   * The `host` header of CONNECT: the virtual host to connect to.
   * RabbitMQ takes it as the vhost; the default is `/`.
   *
   * Since: 0.1
   */
  properties[PROP_VIRTUAL_HOST] =
    g_param_spec_string ("virtual-host", NULL, NULL, DEFAULT_VIRTUAL_HOST, rw);

  /**
   * StompestSession:max-version: (attributes org.gtk.Property.get=stompest_session_get_max_version org.gtk.Property.set=stompest_session_set_max_version)
   *
   * The highest STOMP version offered: every version from 1.0 up to it is
   * offered, and the broker picks. A change takes effect at the next
   * [method@Stompest.Session.connect_async] that finds no subscription
   * waiting for replay.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_VERSION] =
    g_param_spec_enum ("max-version", NULL, NULL, STOMPEST_TYPE_VERSION,
                       STOMPEST_VERSION_LATEST, rw);

  /**
   * StompestSession:heart-beat-send: (attributes org.gtk.Property.get=stompest_session_get_heart_beat_send org.gtk.Property.set=stompest_session_set_heart_beat_send)
   *
   * How often, in milliseconds, the session offers to send heart-beats
   * (the `cx` of CONNECT's `heart-beat` header; 0: never). The period used
   * is the larger of this and what the broker asks for, and the session
   * writes a beat when it wrote nothing for half of it.
   *
   * Since: 0.1
   */
  properties[PROP_HEART_BEAT_SEND] = timeout_pspec ("heart-beat-send", DEFAULT_HEART_BEAT);

  /**
   * StompestSession:heart-beat-receive: (attributes org.gtk.Property.get=stompest_session_get_heart_beat_receive org.gtk.Property.set=stompest_session_set_heart_beat_receive)
   *
   * How often, in milliseconds, the session asks the broker for
   * heart-beats (the `cy` of CONNECT's `heart-beat` header; 0: never). A
   * broker that sends nothing at all — any byte counts — for twice the
   * negotiated period is taken for dead: the connection ends with
   * %STOMPEST_ERROR_CONNECTION_LOST.
   *
   * Since: 0.1
   */
  properties[PROP_HEART_BEAT_RECEIVE] = timeout_pspec ("heart-beat-receive", DEFAULT_HEART_BEAT);

  /**
   * StompestSession:connect-timeout: (attributes org.gtk.Property.get=stompest_session_get_connect_timeout org.gtk.Property.set=stompest_session_set_connect_timeout)
   *
   * The time, in milliseconds, a transport may take to connect to one
   * broker (DNS, TCP, TLS handshake), or 0 for no limit.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECT_TIMEOUT] = timeout_pspec ("connect-timeout", DEFAULT_CONNECT_TIMEOUT);

  /**
   * StompestSession:connected-timeout: (attributes org.gtk.Property.get=stompest_session_get_connected_timeout org.gtk.Property.set=stompest_session_set_connected_timeout)
   *
   * The time, in milliseconds, a broker may take to answer CONNECT, or 0
   * for no limit. An attempt that runs out fails with
   * %STOMPEST_ERROR_TIMEOUT and the next broker is tried.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTED_TIMEOUT] = timeout_pspec ("connected-timeout", DEFAULT_CONNECTED_TIMEOUT);

  /**
   * StompestSession:receipt-timeout: (attributes org.gtk.Property.get=stompest_session_get_receipt_timeout org.gtk.Property.set=stompest_session_set_receipt_timeout)
   *
   * The time, in milliseconds, [method@Stompest.Session.send_async] waits
   * for the broker's RECEIPT, counted from the call, or 0 for no limit.
   *
   * Since: 0.1
   */
  properties[PROP_RECEIPT_TIMEOUT] = timeout_pspec ("receipt-timeout", DEFAULT_RECEIPT_TIMEOUT);

  /**
   * StompestSession:disconnect-timeout: (attributes org.gtk.Property.get=stompest_session_get_disconnect_timeout org.gtk.Property.set=stompest_session_set_disconnect_timeout)
   *
   * The time, in milliseconds, each wait of
   * [method@Stompest.Session.disconnect_async] may take — for the
   * messages in flight, then for the RECEIPT of DISCONNECT — or 0 for no
   * limit.
   *
   * Since: 0.1
   */
  properties[PROP_DISCONNECT_TIMEOUT] = timeout_pspec ("disconnect-timeout", DEFAULT_DISCONNECT_TIMEOUT);

  /**
   * StompestSession:reconnect: (attributes org.gtk.Property.get=stompest_session_get_reconnect org.gtk.Property.set=stompest_session_set_reconnect)
   *
   * Whether the session reconnects by itself when a connection is lost,
   * for any reason but [method@Stompest.Session.disconnect_async] or
   * %STOMPEST_FAILURE_POLICY_DISCONNECT: through the failover schedule,
   * replaying the subscriptions, then writing the messages sent
   * meanwhile. The application sees
   * [signal@Stompest.Session::disconnected], then
   * [signal@Stompest.Session::connected] again. When the schedule gives
   * up, [signal@Stompest.Session::error] says why and the session is
   * disconnected, its subscriptions kept for the next
   * [method@Stompest.Session.connect_async]. The default is %TRUE.
   *
   * Since: 0.1
   */
  properties[PROP_RECONNECT] = g_param_spec_boolean ("reconnect", NULL, NULL, TRUE, rw);

  /**
   * StompestSession:max-offline-queue: (attributes org.gtk.Property.get=stompest_session_get_max_offline_queue org.gtk.Property.set=stompest_session_set_max_offline_queue)
   *
   * The most messages [method@Stompest.Session.send] keeps while the
   * session connects or reconnects; beyond it sending fails with
   * %STOMPEST_ERROR_QUEUE_FULL. 0 keeps none. The default is 1000.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_OFFLINE_QUEUE] =
    g_param_spec_uint ("max-offline-queue", NULL, NULL, 0, G_MAXUINT,
                       DEFAULT_MAX_OFFLINE_QUEUE, rw);

  /**
   * StompestSession:state: (attributes org.gtk.Property.get=stompest_session_get_state)
   *
   * The state of the session.
   *
   * Since: 0.1
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, STOMPEST_TYPE_SESSION_STATE,
                       STOMPEST_SESSION_STATE_DISCONNECTED, ro);

  /**
   * StompestSession:broker-uri: (attributes org.gtk.Property.get=stompest_session_get_broker_uri)
   *
   * The broker of the current connection, or %NULL when not connected.
   *
   * Since: 0.1
   */
  properties[PROP_BROKER_URI] = g_param_spec_string ("broker-uri", NULL, NULL, NULL, ro);

  /**
   * StompestSession:version: (attributes org.gtk.Property.get=stompest_session_get_version)
   *
   * The STOMP version negotiated with the broker, or
   * [property@Stompest.Session:max-version] when not connected.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_enum ("version", NULL, NULL, STOMPEST_TYPE_VERSION,
                       STOMPEST_VERSION_LATEST, ro);

  /**
   * StompestSession:server: (attributes org.gtk.Property.get=stompest_session_get_server)
   *
   * The `server` header of the broker's CONNECTED frame, or %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_SERVER] = g_param_spec_string ("server", NULL, NULL, NULL, ro);

  /**
   * StompestSession:session-id: (attributes org.gtk.Property.get=stompest_session_get_session_id)
   *
   * The `session` header of the broker's CONNECTED frame, or %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_SESSION_ID] = g_param_spec_string ("session-id", NULL, NULL, NULL, ro);

  /**
   * StompestSession:send-period: (attributes org.gtk.Property.get=stompest_session_get_send_period)
   *
   * The negotiated period, in milliseconds, of the heart-beats the
   * session sends; 0 for none.
   *
   * Since: 0.1
   */
  properties[PROP_SEND_PERIOD] =
    g_param_spec_uint ("send-period", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * StompestSession:receive-period: (attributes org.gtk.Property.get=stompest_session_get_receive_period)
   *
   * The negotiated period, in milliseconds, of the heart-beats the
   * broker sends; 0 for none.
   *
   * Since: 0.1
   */
  properties[PROP_RECEIVE_PERIOD] =
    g_param_spec_uint ("receive-period", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * StompestSession:frames-in: (attributes org.gtk.Property.get=stompest_session_get_frames_in)
   *
   * How many frames the session read, over all its connections;
   * heart-beats are not counted. Notified at most once per read.
   *
   * Since: 0.1
   */
  properties[PROP_FRAMES_IN] = counter_pspec ("frames-in");

  /**
   * StompestSession:frames-out: (attributes org.gtk.Property.get=stompest_session_get_frames_out)
   *
   * How many frames the session wrote, over all its connections;
   * heart-beats are not counted. Notified at most once per write.
   *
   * Since: 0.1
   */
  properties[PROP_FRAMES_OUT] = counter_pspec ("frames-out");

  /**
   * StompestSession:bytes-in: (attributes org.gtk.Property.get=stompest_session_get_bytes_in)
   *
   * How many bytes the session read, over all its connections.
   * Notified at most once per read.
   *
   * Since: 0.1
   */
  properties[PROP_BYTES_IN] = counter_pspec ("bytes-in");

  /**
   * StompestSession:bytes-out: (attributes org.gtk.Property.get=stompest_session_get_bytes_out)
   *
   * How many bytes the session wrote, over all its connections,
   * heart-beats included. Notified at most once per write.
   *
   * Since: 0.1
   */
  properties[PROP_BYTES_OUT] = counter_pspec ("bytes-out");

  /**
   * StompestSession:reconnects: (attributes org.gtk.Property.get=stompest_session_get_reconnects)
   *
   * How many times the session reconnected by itself after losing a
   * connection.
   *
   * Since: 0.1
   */
  properties[PROP_RECONNECTS] =
    g_param_spec_uint ("reconnects", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * StompestSession:n-in-flight: (attributes org.gtk.Property.get=stompest_session_get_n_in_flight)
   *
   * How many messages are being handled, over all subscriptions: inside
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
   * StompestSession:offline-queue-length: (attributes org.gtk.Property.get=stompest_session_get_offline_queue_length)
   *
   * How many messages wait in the offline queue for a connection.
   *
   * Since: 0.1
   */
  properties[PROP_OFFLINE_QUEUE_LENGTH] =
    g_param_spec_uint ("offline-queue-length", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * StompestSession:parser: (attributes org.gtk.Property.get=stompest_session_get_parser)
   *
   * The parser that reads the broker's frames, for its limits and its
   * lenient mode.
   *
   * Since: 0.1
   */
  properties[PROP_PARSER] =
    g_param_spec_object ("parser", NULL, NULL, STOMPEST_TYPE_PARSER, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StompestSession::message:
   * @session: the session
   * @message: the message
   *
   * Emitted for every message delivered on any subscription, in the order
   * the broker sent them, in the session's main context, right after the
   * subscription's own [signal@Stompest.Subscription::message]. A handler
   * that fails calls [method@Stompest.Message.fail]; one that needs more
   * time calls [method@Stompest.Message.hold]. Not emitted while the
   * session disconnects.
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

  /**
   * StompestSession::error:
   * @session: the session
   * @error: what went wrong
   *
   * Emitted in the session's main context, any number of times, for
   * failures that no call is waiting to be told about:
   *
   * - the end of an established connection — an ERROR frame
   *   (%STOMPEST_ERROR_SERVER_ERROR with the frame's `message`), a
   *   transport failure, a silent broker, a malformed frame — right
   *   before [signal@Stompest.Session::disconnected] with the same error;
   * - a reconnect that gave up;
   * - a message queued while offline that could not be sent after the
   *   reconnect, or a failed message that could not be forwarded to its
   *   error destination (it is rejected instead);
   * - a frame the broker should not have sent, which is dropped — a
   *   RECEIPT for a receipt never asked for, a MESSAGE for a subscription
   *   that does not exist (it is not acknowledged) — with
   *   %STOMPEST_ERROR_PROTOCOL naming the receipt id or the subscription.
   *   The stream is sound, so the connection stays up. A MESSAGE for a
   *   subscription that ended on this connection, which the broker sent
   *   before it had the UNSUBSCRIBE, is dropped without an error.
   *
   * Since: 0.1
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * StompestSession::receipt:
   * @session: the session
   * @receipt_id: the `receipt-id` of the RECEIPT
   *
   * Emitted in the session's main context once for every RECEIPT the
   * broker sends: for frames given a `receipt` header, including those of
   * [method@Stompest.Session.send_async] (after it completed) and the
   * DISCONNECT of a graceful disconnect.
   *
   * Since: 0.1
   */
  signals[SIGNAL_RECEIPT] =
    g_signal_new ("receipt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * StompestSession::connected:
   * @session: the session
   *
   * Emitted in the session's main context once for every connection made,
   * by [method@Stompest.Session.connect_async] (just before its callback)
   * or by a reconnect: the broker answered CONNECTED, the subscriptions
   * were replayed and the messages queued while offline were queued for
   * writing. [property@Stompest.Session:version] and the other properties
   * of the connection are set.
   *
   * Since: 0.1
   */
  signals[SIGNAL_CONNECTED] =
    g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * StompestSession::disconnected:
   * @session: the session
   * @reason: (nullable): why the connection ended, or %NULL for a clean
   *   disconnect
   *
   * Emitted in the session's main context exactly once for every
   * [signal@Stompest.Session::connected], when that connection ends
   * (unless the session is finalized first):
   * after [method@Stompest.Session.disconnect_async] (with %NULL, or the
   * timeout that cut it short), on a failure (with its error,
   * %STOMPEST_ERROR_CONNECTION_LOST for a broken or silent connection,
   * %STOMPEST_ERROR_SERVER_ERROR for an ERROR frame), or when a
   * subscription's %STOMPEST_FAILURE_POLICY_DISCONNECT ends the session
   * (with the handler's error). [property@Stompest.Session:state] tells
   * whether the session now reconnects.
   *
   * Since: 0.1
   */
  signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
stompest_session_init (StompestSession *self)
{
  self->virtual_host = g_strdup (DEFAULT_VIRTUAL_HOST);
  self->max_version = STOMPEST_VERSION_LATEST;
  self->heart_beat_send = DEFAULT_HEART_BEAT;
  self->heart_beat_receive = DEFAULT_HEART_BEAT;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->connected_timeout = DEFAULT_CONNECTED_TIMEOUT;
  self->receipt_timeout = DEFAULT_RECEIPT_TIMEOUT;
  self->disconnect_timeout = DEFAULT_DISCONNECT_TIMEOUT;
  self->reconnect = TRUE;
  self->max_offline_queue = DEFAULT_MAX_OFFLINE_QUEUE;
  self->state = STOMPEST_SESSION_STATE_DISCONNECTED;

  self->context = g_main_context_ref_thread_default ();
  self->transports = stompest_connection_transports_new ();
  self->protocol = stompest_protocol_new (self->max_version);
  self->parser = stompest_parser_new ();
  self->receipts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) request_unref);
  self->subscriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->out = out_buffer_new ();
  self->head = g_byte_array_new ();
  stompest_send_head_init (&self->send_head);
  g_queue_init (&self->offline);

  self->flush_source = session_timer_new (self, "[stompest] writer", on_flush, self);
  self->resume_source = session_timer_new (self, "[stompest] resume reading", on_resume, self);
  self->heart_beat_source = session_timer_new (self, "[stompest] heart-beat", on_heart_beat, self);
  self->step_source = session_timer_new (self, "[stompest] connect", on_step, self);
  self->shutdown_source = session_timer_new (self, "[stompest] disconnect", on_shutdown_timeout, self);
}

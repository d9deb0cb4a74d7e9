/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "stompest-client.h"
#include "stompest-commands-private.h"
#include "stompest-connection-private.h"
#include "stompest-enum-types.h"
#include "stompest-error.h"
#include "stompest-failover.h"
#include "stompest-frame-private.h"
#include "stompest-protocol-private.h"

/**
 * StompestClient:
 *
 * The synchronous STOMP client: stompest's `sync.Stomp`, with a timeout and
 * a [class@Gio.Cancellable] on every call that waits.
 *
 * A `StompestClient` does blocking I/O in the calling thread. It needs no
 * main loop and starts no thread: while a call waits it iterates a private
 * [struct@GLib.MainContext] of its own, never the caller's, so it can be
 * used from a plain `main()`, a worker thread or a command-line tool. Use
 * [class@Stompest.Session] in main-loop programs instead.
 *
 * [method@Stompest.Client.connect_sync] walks the failover schedule of
 * [property@Stompest.Client:uri] (a broker URI such as
 * `tcp://localhost:61613`, or `failover:(tcp://a:61613,tcp://b:61613)?…`),
 * sleeping the delays it gives, until a broker answers CONNECT with
 * CONNECTED. It offers STOMP 1.0, 1.1 and 1.2 (up to
 * [property@Stompest.Client:max-version]) and replays the subscriptions of
 * an earlier connection that was lost, so a consumer reconnects by calling
 * it again.
 *
 * Frames the broker sends are read in large chunks and parsed without
 * copying their bodies; [method@Stompest.Client.receive_frame] hands them
 * out in order. Calls that wait for a RECEIPT (any command given a
 * receipt) keep the other frames that arrive meanwhile for
 * [method@Stompest.Client.receive_frame], so nothing is lost or reordered.
 * Frames are written without copying their bodies; while the broker
 * takes no more bytes, the client reads and parses what it sends, so two
 * peers that both write a lot cannot block each other, and the limits of
 * [method@Stompest.Client.get_parser] hold meanwhile too. The client
 * therefore needs a transport whose streams are pollable, as the
 * built-in ones are. Each frame must be written within
 * [property@Stompest.Client:send-timeout], so a broker that stops
 * reading cannot block a call for ever. Each frame is written by the
 * call that makes it, unless [property@Stompest.Client:write-buffer-size]
 * lets frames collect and leave in batches.
 *
 * What a call keeps that way is bounded: when more than 10000 frames, or
 * more than 64 MiB of them, wait to be handed out, the call fails with
 * %STOMPEST_ERROR_FRAME_TOO_LARGE and the connection is closed; the
 * frames kept are still handed out. Read frames often, and bound the
 * broker's prefetch for the subscriptions of a client that also waits
 * for receipts.
 *
 * A RECEIPT for a receipt that was never asked for, and a MESSAGE for a
 * subscription that does not exist, are the broker's mistakes: where such
 * a frame is in the stream, [method@Stompest.Client.receive_frame] or
 * [method@Stompest.Client.can_read] fails with %STOMPEST_ERROR_PROTOCOL
 * naming the receipt id or the subscription, and the frame is dropped.
 * The stream itself is sound, so the connection stays open and the next
 * call goes on with the next frame. Two look alike but are not mistakes:
 * a MESSAGE for a subscription that ended on this connection (the broker
 * sent it before it had the UNSUBSCRIBE) is handed out, and the RECEIPT
 * of a wait that timed out is dropped quietly when it comes.
 *
 * An ERROR frame, whenever it arrives, fails the call that read it with
 * %STOMPEST_ERROR_SERVER_ERROR carrying the frame's `message`; the frame
 * stays available from [method@Stompest.Client.get_error_frame], and the
 * client closes the connection (RabbitMQ, for one, leaves it open). A
 * connection that breaks fails the call with
 * %STOMPEST_ERROR_CONNECTION_LOST; so does a broker that stops sending the
 * heart-beats it promised.
 *
 * Heart-beats are sent and checked only while the caller is inside a call
 * of the client (it has no thread of its own), which is why both
 * heart-beat offers default to 0. To use them, wait for frames with
 * [method@Stompest.Client.receive_frame] or
 * [method@Stompest.Client.can_read] with a timeout, or call
 * [method@Stompest.Client.beat] often enough.
 *
 * Frames in and out are logged at debug level in the `Stompest` log domain
 * (`G_MESSAGES_DEBUG=Stompest`), with the passcode masked. The passcode
 * never appears in a log line or an error message.
 *
 * A client belongs to one thread at a time; another thread may cancel its
 * calls through their [class@Gio.Cancellable].
 *
 * stompest's simple producer and consumer, in C:
 *
 * ```c
 * #define QUEUE "/queue/test"
 *
 * static gboolean
 * produce (GError **error)
 * {
 *   g_autoptr(StompestClient) client = stompest_client_new ("tcp://localhost:61613");
 *   g_autoptr(GBytes) body1 = g_bytes_new_static ("test message 1", 14);
 *   g_autoptr(GBytes) body2 = g_bytes_new_static ("test message 2", 14);
 *
 *   return stompest_client_connect_sync (client, NULL, error) &&
 *          stompest_client_send (client, QUEUE, body1, NULL, NULL, error) &&
 *          stompest_client_send (client, QUEUE, body2, NULL, NULL, error) &&
 *          stompest_client_disconnect_sync (client, NULL, error);
 * }
 *
 * static gboolean
 * consume (GError **error)
 * {
 *   g_autoptr(StompestClient) client = stompest_client_new ("tcp://localhost:61613");
 *   g_autofree char *token = NULL;
 *
 *   if (!stompest_client_connect_sync (client, NULL, error))
 *     return FALSE;
 *   token = stompest_client_subscribe (client, QUEUE,
 *                                      STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL,
 *                                      NULL, NULL, error);
 *   if (token == NULL)
 *     return FALSE;
 *
 *   for (;;)
 *     {
 *       g_autoptr(StompestFrame) frame = NULL;
 *       g_autofree char *info = NULL;
 *
 *       frame = stompest_client_receive_frame (client, -1, NULL, error);
 *       if (frame == NULL)
 *         return FALSE;
 *       info = stompest_frame_to_string (frame);
 *       g_print ("Got %s\n", info);
 *       if (!stompest_client_ack (client, frame, NULL, NULL, error))
 *         return FALSE;
 *     }
 * }
 * ```
 *
 * Since: 0.1
 */

#define DEFAULT_VIRTUAL_HOST "/"
#define DEFAULT_CONNECT_TIMEOUT 10000
#define DEFAULT_CONNECTED_TIMEOUT 10000
#define DEFAULT_RECEIPT_TIMEOUT 10000
#define DEFAULT_DISCONNECT_TIMEOUT 5000
#define DEFAULT_SEND_TIMEOUT 10000

/* With a write buffer, bodies up to this size are copied into it; larger
 * ones are written from their GBytes, as without one. */
#define BODY_COPY_LIMIT 16384

/* Bounds of the frames read while a call waited for a RECEIPT or a
 * write, not yet handed out by receive_frame(). */
#define MAX_QUEUED_FRAMES 10000
#define MAX_QUEUED_BYTES (64u * 1024 * 1024)

struct _StompestClient
{
  GObject parent_instance;

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
  guint send_timeout;

  GHashTable *transports;       /* interned scheme → StompestTransport */
  StompestFailover *failover;   /* made from @uri by the first connect */
  StompestProtocol *protocol;
  StompestParser *parser;
  GMainContext *context;        /* only this client's waits run on it */
  GArray *poll_fds;             /* GPollFD, for client_block() */

  GIOStream *stream;            /* NULL when there is no connection */
  GPollableInputStream *input;
  GOutputStream *output;
  GSocket *socket;              /* of @stream, when it is a plain socket */
  gboolean drained;             /* the last read of @socket was short */
  GSource *read_source;         /* on @context, for other streams */
  char *broker_uri;
  guint8 *read_buffer;
  GByteArray *out;              /* frames compiled, not yet written */
  guint write_buffer_size;
  StompestSendHead send_head;   /* of the last send() without headers */
  gboolean tracing;             /* frames are logged on this connection */
  GQueue frames;                /* Received*: read, not yet handed out */
  gsize queued_bytes;
  guint64 n_parsed;             /* frames taken in so far */
  GHashTable *raw_receipts;     /* asked for by send_frame(): handed out */
  StompestFrame *error_frame;
  guint receipt_counter;
};

G_DEFINE_FINAL_TYPE (StompestClient, stompest_client, G_TYPE_OBJECT)

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
  PROP_SEND_TIMEOUT,
  PROP_WRITE_BUFFER_SIZE,
  PROP_CONNECTED,
  PROP_BROKER_URI,
  PROP_VERSION,
  PROP_SERVER,
  PROP_SESSION_ID,
  PROP_SEND_PERIOD,
  PROP_RECEIVE_PERIOD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_string (StompestClient  *self,
            char           **field,
            const char      *value,
            GParamSpec      *pspec)
{
  stompest_connection_set_string (G_OBJECT (self), field, value, pspec);
}

static void
set_uint (StompestClient *self,
          guint          *field,
          guint           value,
          GParamSpec     *pspec)
{
  stompest_connection_set_uint (G_OBJECT (self), field, value, pspec);
}

/* Connection state. */

/* Sources on the private context: see client_block(). */

/* The caller of client_block() tries its read or write again. */
static gboolean
on_pollable (GObject  *stream,
             gpointer  data)
{
  return G_SOURCE_CONTINUE;
}

static GSource *
client_attach_source (StompestClient *self,
                      GSource        *source)
{
  g_source_set_callback (source, G_SOURCE_FUNC (on_pollable), NULL, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
client_detach_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}


static void
client_notify_session (StompestClient *self)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  g_object_notify_by_pspec (object, properties[PROP_CONNECTED]);
  g_object_notify_by_pspec (object, properties[PROP_BROKER_URI]);
  g_object_notify_by_pspec (object, properties[PROP_VERSION]);
  g_object_notify_by_pspec (object, properties[PROP_SERVER]);
  g_object_notify_by_pspec (object, properties[PROP_SESSION_ID]);
  g_object_notify_by_pspec (object, properties[PROP_SEND_PERIOD]);
  g_object_notify_by_pspec (object, properties[PROP_RECEIVE_PERIOD]);
  g_object_thaw_notify (object);
}

/* Closes the connection, if any, and ends the session: FLUSH forgets the
 * subscriptions, else they wait for replay by the next connect. */
static void
client_drop (StompestClient *self,
             gboolean        flush)
{
  gboolean had_stream = self->stream != NULL;

  if (had_stream)
    {
      g_debug ("Closing the connection to %s", self->broker_uri);
      client_detach_source (&self->read_source);
      self->socket = NULL;
      self->drained = FALSE;
      g_io_stream_close (self->stream, NULL, NULL);
      g_clear_object (&self->stream);
      self->input = NULL;
      self->output = NULL;
    }

  /* Frames never written are lost with the connection, as are those
   * the kernel had not sent yet. */
  g_byte_array_set_size (self->out, 0);
  stompest_protocol_close (self->protocol, flush);
  stompest_parser_reset (self->parser);
  g_hash_table_remove_all (self->raw_receipts);

  if (had_stream)
    client_notify_session (self);
}

static gboolean
client_check_stream (StompestClient  *self,
                     GError         **error)
{
  if (self->stream != NULL)
    return TRUE;

  g_set_error_literal (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                       "Not connected to a STOMP broker");
  return FALSE;
}

/* Fails with CONNECTION_LOST naming the broker and REASON, after closing
 * the connection (subscriptions are kept for replay). */
static gboolean
client_lost (StompestClient  *self,
             GError         **error,
             const char      *reason)
{
  g_propagate_error (error, stompest_connection_lost_error (self->broker_uri, reason));
  client_drop (self, FALSE);
  return FALSE;
}

/* Takes FRAME, an ERROR from the broker: keeps it, closes the connection
 * and fails with SERVER_ERROR. */
static gboolean
client_server_error (StompestClient  *self,
                     StompestFrame   *frame,
                     GError         **error)
{
  g_clear_pointer (&self->error_frame, stompest_frame_unref);
  self->error_frame = frame;
  g_propagate_error (error, stompest_connection_server_error (self->broker_uri,
                                                              self->passcode, frame));
  client_drop (self, FALSE);
  return FALSE;
}

/* Whether ERROR is a read that ran out of time. A write that did (see
 * client_write) is a TIMEOUT too, but it closed the connection. */
static gboolean
is_read_timeout (StompestClient *self,
                 const GError   *error)
{
  return self->stream != NULL &&
         g_error_matches (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT);
}

/* Replaces the text of a read's TIMEOUT error, keeping any other error
 * as is. */
static void G_GNUC_PRINTF (3, 4)
retext_timeout (StompestClient  *self,
                GError         **error,
                const char      *format,
                ...)
{
  va_list args;

  if (error == NULL || !is_read_timeout (self, *error))
    return;

  g_free ((*error)->message);
  va_start (args, format);
  (*error)->message = g_strdup_vprintf (format, args);
  va_end (args);
}

/* A monotonic deadline TIMEOUT_MS from now; -1 (none) for 0. */
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

static void
client_scrub (StompestClient  *self,
              char           **text)
{
  stompest_connection_scrub (self->passcode, text);
}

static void
client_trace (StompestClient *self,
              const char     *direction,
              StompestFrame  *frame)
{
  if (self->tracing)
    stompest_connection_trace (self->passcode, self->broker_uri, direction, frame);
}

/* Waiting. A wait is one poll, with the timeout the caller's deadlines
 * give, of the cancellable's fd and of the connection: a plain socket's
 * fd directly, any other stream (TLS, a custom transport) through the
 * sources of the private context (readable for the life of the
 * connection, writable only while a write waits). No source is made per
 * read: attaching, and even dispatching, one wakes the context, two
 * system calls a wait. Callers loop until what they wait for happened,
 * so an early return is harmless. */

/* Blocks until the connection, if any, is readable (or writable, with
 * WRITABLE), the monotonic time WAKE_US (-1: none), or the cancellation
 * of CANCELLABLE; or a little earlier. */
static void
client_block (StompestClient *self,
              gboolean        writable,
              gint64          wake_us,
              GCancellable   *cancellable)
{
  GSource *write_source = NULL;
  GPollFD cancel_fd;
  gboolean polls_cancel;
  int max_priority = 0;
  int timeout_ms = -1;
  int n_fds = 0;

  polls_cancel = g_cancellable_make_pollfd (cancellable, &cancel_fd);
  if (self->socket != NULL || self->stream == NULL)
    {
      /* A plain socket (tcp, unix) is ready when its stream is: it is
       * polled directly, with no source to dispatch. */
      if (self->socket != NULL)
        {
          GPollFD *fd = &g_array_index (self->poll_fds, GPollFD, n_fds++);

          fd->fd = g_socket_get_fd (self->socket);
          fd->events = G_IO_IN | G_IO_HUP | G_IO_ERR | (writable ? G_IO_OUT : 0);
          fd->revents = 0;
        }
    }
  else
    {
      if (writable)
        write_source = client_attach_source (self, g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (self->output), NULL));
      g_main_context_acquire (self->context);
      g_main_context_prepare (self->context, &max_priority);
      /* One slot is kept for the cancellable. */
      while ((n_fds = g_main_context_query (self->context, max_priority, &timeout_ms,
                                            (GPollFD *) self->poll_fds->data,
                                            self->poll_fds->len - 1)) > (int) self->poll_fds->len - 1)
        g_array_set_size (self->poll_fds, n_fds + 1);
    }
  if (polls_cancel)
    g_array_index (self->poll_fds, GPollFD, n_fds) = cancel_fd;

  if (wake_us >= 0)
    {
      gint64 left_us = wake_us - g_get_monotonic_time ();
      int left_ms = left_us > 0 ? (int) MIN ((left_us + 999) / 1000, G_MAXINT) : 0;

      timeout_ms = timeout_ms < 0 ? left_ms : MIN (timeout_ms, left_ms);
    }
  if (!g_cancellable_is_cancelled (cancellable))
    g_poll ((GPollFD *) self->poll_fds->data, n_fds + (polls_cancel ? 1 : 0), timeout_ms);

  if (g_main_context_is_owner (self->context))
    {
      if (g_main_context_check (self->context, max_priority, (GPollFD *) self->poll_fds->data, n_fds))
        g_main_context_dispatch (self->context);
      g_main_context_release (self->context);
    }

  if (polls_cancel)
    g_cancellable_release_fd (cancellable);
  client_detach_source (&write_source);
}

static gboolean
client_sleep (StompestClient  *self,
              guint            delay_ms,
              GCancellable    *cancellable,
              GError         **error)
{
  gint64 wake = g_get_monotonic_time () + (gint64) delay_ms * 1000;

  while (g_get_monotonic_time () < wake)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      client_block (self, FALSE, wake, cancellable);
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Frames received. */

/* A frame read and not yet handed out or, in its place, the error it
 * stands for: a broker's mistake that leaves the stream intact. */
typedef struct {
  StompestFrame *frame;
  GError *error;
  gsize size;                   /* counted against MAX_QUEUED_BYTES */
} Received;

static void
received_free (gpointer data)
{
  Received *received = data;

  g_clear_pointer (&received->frame, stompest_frame_unref);
  g_clear_error (&received->error);
  g_free (received);
}

static void
client_clear_queue (StompestClient *self)
{
  g_queue_clear_full (&self->frames, received_free);
  self->queued_bytes = 0;
}

/* What FRAME holds, near enough to bound memory. */
static gsize
frame_size (StompestFrame *frame)
{
  GBytes *body = stompest_frame_get_body (frame);
  gsize size = strlen (stompest_frame_get_command (frame)) + 2;
  guint n_headers = stompest_frame_get_n_headers (frame);

  for (guint i = 0; i < n_headers; i++)
    size += strlen (stompest_frame_get_header_name (frame, i)) +
            strlen (stompest_frame_get_header_value (frame, i)) + 2;
  return size + (body != NULL ? g_bytes_get_size (body) : 0);
}

/* Queues FRAME, or PROBLEM in its place (both taken, one NULL), for
 * receive_frame(). A queue past its bounds fails and closes the
 * connection, keeping what it holds: a broker that keeps sending while
 * a call waits for a RECEIPT or a write must not make the client hold
 * an unbounded backlog. */
static gboolean
client_queue (StompestClient  *self,
              StompestFrame   *frame,
              GError          *problem,
              GError         **error)
{
  Received *received = g_new0 (Received, 1);

  received->frame = frame;
  received->error = problem;
  received->size = frame != NULL ? frame_size (frame) : strlen (problem->message);
  g_queue_push_tail (&self->frames, received);
  self->queued_bytes += received->size;

  if (self->frames.length <= MAX_QUEUED_FRAMES && self->queued_bytes <= MAX_QUEUED_BYTES)
    return TRUE;

  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_FRAME_TOO_LARGE,
               "%u frames (%" G_GSIZE_FORMAT " bytes) from %s wait to be read, over the "
               "limit of %u frames or %u bytes that a call waiting for a RECEIPT or a "
               "write may keep; the connection was closed (read frames with "
               "stompest_client_receive_frame() sooner, or bound the broker's prefetch)",
               self->frames.length, self->queued_bytes, self->broker_uri,
               MAX_QUEUED_FRAMES, MAX_QUEUED_BYTES);
  client_drop (self, FALSE);
  return FALSE;
}

/* Hands out the oldest queued frame, or fails with the error queued in
 * its place. */
static StompestFrame *
client_pop (StompestClient  *self,
            GError         **error)
{
  Received *received = g_queue_pop_head (&self->frames);
  StompestFrame *frame = g_steal_pointer (&received->frame);

  self->queued_bytes -= received->size;
  if (received->error != NULL)
    g_propagate_error (error, g_steal_pointer (&received->error));
  received_free (received);
  return frame;
}

/* Takes FRAME, just parsed on an established connection: an ERROR fails
 * and closes it; a RECEIPT is ticked off the protocol's list, and only
 * one asked for through send_frame() is to be handed out (that of a
 * waiting call is seen there by the call, and that of a wait that timed
 * out is dropped); anything else is to be handed out. A RECEIPT nobody
 * asked for and a MESSAGE for a subscription that never existed are the
 * broker's mistakes: a PROTOCOL error takes their place, and the
 * connection stays up. What is to be handed out, frame or error, is set
 * in *KEEP or *PROBLEM (both NULL when nothing is). */
static gboolean
client_accept (StompestClient  *self,
               StompestFrame   *frame,
               StompestFrame  **keep,
               GError         **problem,
               GError         **error)
{
  const char *command = stompest_frame_get_command (frame);
  const char *receipt_id;

  *keep = NULL;
  *problem = NULL;
  self->n_parsed++;
  if (strcmp (command, "ERROR") == 0)
    return client_server_error (self, frame, error);

  if (strcmp (command, "RECEIPT") == 0)
    {
      if (stompest_protocol_receipt (self->protocol, frame, &receipt_id, problem) &&
          !g_hash_table_remove (self->raw_receipts, receipt_id))
        {
          stompest_frame_unref (frame);
          return TRUE;
        }
    }
  else if (strcmp (command, "MESSAGE") == 0)
    {
      /* One sent before the broker had our UNSUBSCRIBE is only late. */
      if (!stompest_protocol_message (self->protocol, frame, NULL, problem) &&
          stompest_protocol_message_is_late (self->protocol, frame))
        g_clear_error (problem);
    }

  if (*problem != NULL)
    {
      g_prefix_error (problem, "Dropped a %s frame from %s: ", command, self->broker_uri);
      client_scrub (self, &(*problem)->message);
      g_debug ("%s", (*problem)->message);
      stompest_frame_unref (frame);
      return TRUE;
    }
  *keep = frame;
  return TRUE;
}

/* Sets *FRAME to the next whole frame in the parser, or to NULL when more
 * bytes are needed. Fails, closing the connection, on a malformed
 * stream. */
static gboolean
client_parse (StompestClient  *self,
              StompestFrame  **frame,
              GError         **error)
{
  g_autoptr(GError) parse_error = NULL;

  *frame = stompest_parser_next_frame (self->parser, &parse_error);
  if (*frame != NULL)
    client_trace (self, "<", *frame);
  if (parse_error == NULL)
    return TRUE;

  g_propagate_error (error, stompest_connection_malformed_error (self->broker_uri,
                                                                 self->passcode,
                                                                 parse_error));
  client_drop (self, FALSE);
  return FALSE;
}

/* Takes every whole frame the parser holds, once connected. While
 * CONNECT is written nothing is taken: client_try_broker() reads
 * CONNECTED itself, and a CONNECT is too small to keep a write blocked
 * for long. */
static gboolean
client_drain (StompestClient  *self,
              GError         **error)
{
  if (stompest_protocol_get_state (self->protocol) == STOMPEST_PROTOCOL_STATE_CONNECTING)
    return TRUE;

  for (;;)
    {
      StompestFrame *frame;
      StompestFrame *keep;
      GError *problem;

      if (!client_parse (self, &frame, error))
        return FALSE;
      if (frame == NULL)
        return TRUE;
      if (!client_accept (self, frame, &keep, &problem, error))
        return FALSE;
      if ((keep != NULL || problem != NULL) && !client_queue (self, keep, problem, error))
        return FALSE;
    }
}

/* Feeds the parser with what the broker sent, if anything: *GOT tells
 * whether there was something. */
static gboolean
client_read_available (StompestClient  *self,
                       gboolean        *got,
                       GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize n;

  *got = FALSE;
  n = stompest_connection_read (self->input, self->parser, &self->read_buffer, &local_error);
  self->drained = self->socket != NULL && n > 0 && n < STOMPEST_CONNECTION_READ_CHUNK;
  if (n > 0)
    {
      stompest_protocol_received (self->protocol, g_get_monotonic_time ());
      *got = TRUE;
      return TRUE;
    }
  if (n == 0)
    return client_lost (self, error, "the broker closed the connection");
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return client_lost (self, error, local_error->message);
  return TRUE;
}

/* Writing. */

/* The broker's heart-beat deadline, just past which it is silent. */
static gint64
client_peer_wake (StompestClient *self)
{
  gint64 deadline = stompest_protocol_get_peer_deadline (self->protocol);

  return deadline >= 0 ? deadline + 1 : -1;
}

/* Fails with CONNECTION_LOST when the broker has been silent past its
 * heart-beat deadline at NOW. */
static gboolean
client_check_peer (StompestClient  *self,
                   gint64           now,
                   GError         **error)
{
  g_autofree char *reason = NULL;

  if (!stompest_protocol_is_peer_silent (self->protocol, now))
    return TRUE;

  reason = stompest_connection_silence_reason (self->protocol, now);
  return client_lost (self, error, reason);
}

/* Drops the first N bytes of the vectors. */
static void
skip_written (GOutputVector **vectors,
              gsize          *n_vectors,
              gsize           n)
{
  while (*n_vectors > 0 && n >= (*vectors)->size)
    {
      n -= (*vectors)->size;
      (*vectors)++;
      (*n_vectors)--;
    }
  if (*n_vectors > 0)
    {
      (*vectors)->buffer = (const guint8 *) (*vectors)->buffer + n;
      (*vectors)->size -= n;
    }
}

/* Fails with TIMEOUT naming the broker after closing the connection:
 * a broker that took no bytes for so long is stuck, and a frame cut
 * short (STARTED) leaves the stream unusable anyway. */
static gboolean
client_write_timed_out (StompestClient  *self,
                        gboolean         started,
                        GError         **error)
{
  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
               "Could not write to %s within %u ms (see send-timeout): "
               "the broker stopped reading%s; the connection was closed",
               self->broker_uri, self->send_timeout,
               started ? ", and a frame was left half written" : "");
  client_drop (self, FALSE);
  return FALSE;
}

/* Writes all of VECTORS (which it changes) within the send timeout.
 * While the broker does not take more, what it sends is read and parsed
 * into the queue: a broker blocked writing to a client that is blocked
 * writing to it would deadlock both, and parsing at once lets the
 * parser's limits bound what a broker that floods without reading can
 * make the client hold. Its heart-beats are checked meanwhile too. */
static gboolean
client_write (StompestClient  *self,
              GOutputVector   *vectors,
              gsize            n_vectors,
              GCancellable    *cancellable,
              GError         **error)
{
  gint64 deadline = deadline_after (self->send_timeout);
  gboolean started = FALSE;

  if (!client_check_stream (self, error))
    return FALSE;

  while (n_vectors > 0)
    {
      g_autoptr(GError) local_error = NULL;
      GPollableReturn result;
      gsize written = 0;
      gboolean got;
      gint64 now;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        {
          /* Cancelled before the first byte: the stream is still in step. */
          if (!started)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          return client_lost (self, error, "cancelled in the middle of a frame");
        }

      result = g_pollable_output_stream_writev_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->output),
                                                            vectors, n_vectors, &written,
                                                            NULL, &local_error);
      if (result == G_POLLABLE_RETURN_FAILED)
        return client_lost (self, error, local_error->message);
      if (result == G_POLLABLE_RETURN_OK || written > 0)
        {
          started |= written > 0;
          skip_written (&vectors, &n_vectors, written);
          continue;
        }

      if (!client_read_available (self, &got, error) ||
          (got && !client_drain (self, error)))
        return FALSE;
      now = g_get_monotonic_time ();
      if (!client_check_peer (self, now, error))
        return FALSE;
      /* Checked even when bytes came in: a broker that floods without
       * reading must not keep the call going. */
      if (deadline >= 0 && now >= deadline)
        return client_write_timed_out (self, started, error);
      if (!got)
        client_block (self, TRUE, earliest (deadline, client_peer_wake (self)), cancellable);
    }

  stompest_protocol_sent (self->protocol, g_get_monotonic_time ());
  return TRUE;
}

/* Writes what the buffer holds, then BODY_LEN bytes of BODY and a NUL
 * when BODY is not NULL, without copying the body; empties the buffer. */
static gboolean
client_write_out (StompestClient  *self,
                  const guint8    *body,
                  gsize            body_len,
                  GCancellable    *cancellable,
                  GError         **error)
{
  GOutputVector vectors[3];
  gsize n_vectors = 0;
  gboolean ok;

  if (self->out->len > 0)
    {
      vectors[n_vectors].buffer = self->out->data;
      vectors[n_vectors++].size = self->out->len;
    }
  if (body != NULL)
    {
      vectors[n_vectors].buffer = body;
      vectors[n_vectors++].size = body_len;
      vectors[n_vectors].buffer = "";
      vectors[n_vectors++].size = 1;
    }
  if (n_vectors == 0)
    return TRUE;

  ok = client_write (self, vectors, n_vectors, cancellable, error);
  g_byte_array_set_size (self->out, 0);
  return ok;
}

/* Writes the frames the buffer holds, if any. */
static gboolean
client_flush (StompestClient  *self,
              GCancellable    *cancellable,
              GError         **error)
{
  return self->out->len == 0 || client_write_out (self, NULL, 0, cancellable, error);
}

/* How many bytes a body of BODY_LEN bytes and its NUL take in the
 * buffer after the head: none when the body is written from its own
 * memory, as without a write buffer, or when it is large. */
static gsize
client_body_room (StompestClient *self,
                  gsize           body_len)
{
  if (body_len > 0 && (self->write_buffer_size == 0 || body_len > BODY_COPY_LIMIT))
    return 0;
  return body_len + 1;
}

/* Ends the frame whose head was put in the buffer with BODY (nullable)
 * and its NUL, in the client_body_room() bytes at ROOM, the end of the
 * buffer. Without a write buffer it is written at once; with one it
 * stays there until the buffer is full or a call waits for the broker,
 * and only a large body is written at once, after what the buffer
 * holds. */
static gboolean
client_emit_at (StompestClient  *self,
                guint8          *room,
                GBytes          *body,
                GCancellable    *cancellable,
                GError         **error)
{
  gsize body_len = 0;
  const guint8 *body_data = body != NULL ? g_bytes_get_data (body, &body_len) : NULL;

  if (client_body_room (self, body_len) == 0)
    return client_write_out (self, body_data, body_len, cancellable, error);

  if (body_len > 0)
    memcpy (room, body_data, body_len);
  room[body_len] = '\0';
  return self->out->len < self->write_buffer_size || client_flush (self, cancellable, error);
}

/* Makes the client_body_room() of BODY (nullable) after the head just
 * put in the buffer, and returns it. */
static guint8 *
client_reserve_body (StompestClient *self,
                     GBytes         *body)
{
  return stompest_byte_array_grow (self->out,
                                   client_body_room (self, body != NULL ? g_bytes_get_size (body) : 0));
}

/* Ends the frame whose head was just put in the buffer, as
 * client_emit_at() does. */
static gboolean
client_emit (StompestClient  *self,
             GBytes          *body,
             GCancellable    *cancellable,
             GError         **error)
{
  return client_emit_at (self, client_reserve_body (self, body), body, cancellable, error);
}

/* Writes FRAME (or buffers it, see client_emit()). */
static gboolean
client_write_frame (StompestClient  *self,
                    StompestFrame   *frame,
                    GCancellable    *cancellable,
                    GError         **error)
{
  StompestCompileFlags flags = STOMPEST_COMPILE_FLAGS_NONE;

  if (!client_check_stream (self, error))
    return FALSE;

  if (strcmp (stompest_frame_get_command (frame), "SEND") == 0)
    flags = STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH;
  if (!stompest_frame_compile_head (frame, stompest_protocol_get_version (self->protocol),
                                    flags, self->out, error))
    return FALSE;

  client_trace (self, ">", frame);
  return client_emit (self, stompest_frame_get_body (frame), cancellable, error);
}

static gboolean
client_write_beat (StompestClient  *self,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autoptr(GBytes) beat = stompest_commands_beat (stompest_protocol_get_version (self->protocol));
  gsize size;
  const guint8 *data = g_bytes_get_data (beat, &size);

  if (!client_check_stream (self, error))
    return FALSE;

  g_byte_array_append (self->out, data, size);
  return client_flush (self, cancellable, error);
}

/* Heart-beat duty at NOW: fails when the broker went silent, and beats
 * when one is due. */
static gboolean
client_keep_alive (StompestClient  *self,
                   gint64           now,
                   GCancellable    *cancellable,
                   GError         **error)
{
  gint64 due;

  if (!client_check_peer (self, now, error))
    return FALSE;

  due = stompest_protocol_get_next_beat_due (self->protocol);
  if (due >= 0 && now >= due)
    return client_write_beat (self, cancellable, error);

  return TRUE;
}

/* Reading. */

/* How long one call may wait for the broker. */
typedef struct {
  gint64 deadline_us;           /* monotonic; -1 for no limit */
  gboolean has_read;            /* the call read at least once */
} ClientWait;

static void
client_wait_init (ClientWait *wait,
                  gint64      deadline_us)
{
  wait->deadline_us = deadline_us;
  wait->has_read = FALSE;
}

/* Feeds the parser with what the broker sent, waiting for it as WAIT
 * says and keeping heart-beats going meanwhile. The deadline and the
 * heart-beats are checked on every pass, also when bytes keep coming: a
 * flood of heart-beats or a frame without end must not stretch the
 * wait, and what was read stays in the parser for the next call. Only
 * the first read of a call is always taken in, so that a timeout of 0
 * still gives what has arrived. */
static gboolean
client_fill (StompestClient  *self,
             ClientWait      *wait,
             GCancellable    *cancellable,
             GError         **error)
{
  guint64 parsed = self->n_parsed;

  /* What the broker is to answer may still be in the buffer. */
  if (!client_flush (self, cancellable, error))
    return FALSE;

  for (;;)
    {
      /* A short read emptied the socket: another read now would only
       * find nothing, so poll first (one system call, not two). */
      gboolean polls_first = self->drained;
      gboolean got = FALSE;
      gboolean first = FALSE;
      gint64 now;
      gint64 wake;

      self->drained = FALSE;
      if (!client_check_stream (self, error) ||
          g_cancellable_set_error_if_cancelled (cancellable, error) ||
          (!polls_first && !client_read_available (self, &got, error)))
        return FALSE;
      if (!polls_first)
        {
          first = !wait->has_read;
          wait->has_read = TRUE;
        }

      now = g_get_monotonic_time ();
      if (!client_keep_alive (self, now, cancellable, error))
        return FALSE;
      /* A heart-beat whose write blocked may have taken frames in. */
      if (self->n_parsed != parsed || (got && first))
        return TRUE;
      if (!polls_first && wait->deadline_us >= 0 && now >= wait->deadline_us)
        {
          g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                       "Timed out waiting for %s", self->broker_uri);
          return FALSE;
        }
      if (got)
        return TRUE;

      wake = earliest (wait->deadline_us, stompest_protocol_get_next_beat_due (self->protocol));
      wake = earliest (wake, client_peer_wake (self));
      client_block (self, FALSE, wake, cancellable);
    }
}

/* The next frame from the wire, whatever it is: the answer to CONNECT. */
static StompestFrame *
client_next_frame (StompestClient  *self,
                   ClientWait      *wait,
                   GCancellable    *cancellable,
                   GError         **error)
{
  for (;;)
    {
      StompestFrame *frame;

      if (!client_parse (self, &frame, error))
        return NULL;
      if (frame != NULL)
        return frame;
      if (!client_fill (self, wait, cancellable, error))
        return NULL;
    }
}

/* Reads until at least one more frame was taken in (see
 * client_accept()), waiting as WAIT says. */
static gboolean
client_pump (StompestClient  *self,
             ClientWait      *wait,
             GCancellable    *cancellable,
             GError         **error)
{
  guint64 parsed = self->n_parsed;

  for (;;)
    {
      if (!client_drain (self, error))
        return FALSE;
      if (self->n_parsed != parsed)
        return TRUE;
      if (!client_fill (self, wait, cancellable, error))
        return FALSE;
    }
}

/* Reads until the RECEIPT for RECEIPT came, queueing every other frame. */
static gboolean
client_await_receipt (StompestClient  *self,
                      const char      *receipt,
                      guint            timeout_ms,
                      GCancellable    *cancellable,
                      GError         **error)
{
  ClientWait wait;

  client_wait_init (&wait, deadline_after (timeout_ms));
  while (stompest_protocol_is_receipt_pending (self->protocol, receipt))
    {
      if (!client_pump (self, &wait, cancellable, error))
        {
          /* Should it come after all, it is dropped quietly. */
          stompest_protocol_abandon_receipt (self->protocol, receipt);
          retext_timeout (self, error, "No RECEIPT for “%s” from %s within %u ms",
                          receipt, self->broker_uri, timeout_ms);
          return FALSE;
        }
    }
  return TRUE;
}

/* Ends a frame whose head is in the buffer with BODY at ROOM (see
 * client_emit_at()), and waits for RECEIPT, its receipt, when there is
 * one. */
static gboolean
client_finish_command (StompestClient  *self,
                       guint8          *room,
                       GBytes          *body,
                       const char      *receipt,
                       GCancellable    *cancellable,
                       GError         **error)
{
  if (receipt != NULL)
    stompest_protocol_expect_receipt (self->protocol, receipt);
  return client_emit_at (self, room, body, cancellable, error) &&
         (receipt == NULL ||
          client_await_receipt (self, receipt, self->receipt_timeout, cancellable, error));
}

/* Sends FRAME (taken; NULL when building it failed with ERROR set) and
 * waits for RECEIPT when there is one. */
static gboolean
client_command (StompestClient  *self,
                StompestFrame   *frame,
                const char      *receipt,
                GCancellable    *cancellable,
                GError         **error)
{
  g_autoptr(StompestFrame) owned = frame;

  if (owned == NULL)
    return FALSE;

  return client_write_frame (self, owned, cancellable, error) &&
         (receipt == NULL ||
          client_await_receipt (self, receipt, self->receipt_timeout, cancellable, error));
}

/* Writes the ACK or NACK (COMMAND) of MESSAGE straight into the buffer,
 * as stompest_protocol_ack() and _nack() would build it. */
static gboolean
client_acknowledge (StompestClient  *self,
                    const char      *command,
                    StompestFrame   *message,
                    const char      *receipt,
                    GCancellable    *cancellable,
                    GError         **error)
{
  gboolean ack = strcmp (command, "ACK") == 0;
  StompestVersion version = stompest_protocol_get_version (self->protocol);
  const char *transaction;

  if (!client_check_stream (self, error) ||
      !stompest_protocol_check_acknowledgement (self->protocol, ack ? "ack" : "nack", message,
                                                receipt, &transaction, error) ||
      !stompest_commands_write_acknowledgement (self->out, command, message, version,
                                                transaction, receipt, error))
    return FALSE;

  if (self->tracing)
    {
      g_autoptr(StompestFrame) frame = NULL;

      if (ack)
        frame = stompest_commands_ack (message, version, transaction, receipt, NULL);
      else
        frame = stompest_commands_nack (message, version, transaction, receipt, NULL);
      client_trace (self, ">", frame);
    }
  return client_finish_command (self, client_reserve_body (self, NULL), NULL, receipt,
                                cancellable, error);
}

/* Connecting. */

static StompestTransport *
client_lookup_transport (StompestClient  *self,
                         const char      *broker,
                         GError         **error)
{
  return stompest_connection_transports_lookup (self->transports, broker, error);
}

static gboolean
client_replay (StompestClient  *self,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autoptr(GPtrArray) frames = stompest_protocol_replay (self->protocol);

  for (guint i = 0; i < frames->len; i++)
    {
      if (!client_write_frame (self, g_ptr_array_index (frames, i), cancellable, error))
        return FALSE;
    }

  /* Receipts asked for by the first SUBSCRIBE are awaited again, so
   * connect_sync returns once the broker has them all. */
  for (guint i = 0; i < frames->len; i++)
    {
      const char *receipt = stompest_frame_get_header (g_ptr_array_index (frames, i), "receipt");

      if (receipt != NULL &&
          !client_await_receipt (self, receipt, self->receipt_timeout, cancellable, error))
        return FALSE;
    }

  if (frames->len > 0)
    g_debug ("Replayed %u subscription(s) on %s", frames->len, self->broker_uri);
  return TRUE;
}

/* One connection attempt: transport connect, CONNECT, CONNECTED, replay. */
static gboolean
client_try_broker (StompestClient  *self,
                   const char      *broker,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autoptr(StompestTransport) transport = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(StompestFrame) connect = NULL;
  g_autoptr(StompestFrame) answer = NULL;
  ClientWait wait;
  GInputStream *input;
  GOutputStream *output;

  transport = client_lookup_transport (self, broker, error);
  if (transport == NULL)
    return FALSE;

  stream = stompest_transport_connect_sync (transport, broker, self->connect_timeout,
                                            cancellable, error);
  if (stream == NULL)
    return FALSE;

  input = g_io_stream_get_input_stream (stream);
  output = g_io_stream_get_output_stream (stream);
  if (!G_IS_POLLABLE_INPUT_STREAM (input) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)) ||
      !G_IS_POLLABLE_OUTPUT_STREAM (output) ||
      !g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_TRANSPORT,
                   "The transport for %s gave a stream that cannot be polled "
                   "(GPollableInputStream and GPollableOutputStream), which "
                   "StompestClient needs", broker);
      g_io_stream_close (stream, NULL, NULL);
      return FALSE;
    }

  g_free (self->broker_uri);
  self->broker_uri = g_strdup (broker);
  self->stream = g_steal_pointer (&stream);
  self->input = G_POLLABLE_INPUT_STREAM (input);
  self->output = output;
  if (G_IS_SOCKET_CONNECTION (self->stream))
    self->socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->stream));
  else
    self->read_source = client_attach_source (self, g_pollable_input_stream_create_source (self->input, NULL));
  self->tracing = stompest_connection_tracing ();
  stompest_parser_reset (self->parser);
  stompest_parser_set_version (self->parser, self->max_version);

  connect = stompest_protocol_connect_frame (self->protocol, self->virtual_host,
                                             self->login, self->passcode,
                                             self->heart_beat_send,
                                             self->heart_beat_receive, error);
  if (connect == NULL || !client_write_frame (self, connect, cancellable, error))
    goto failed;

  client_wait_init (&wait, deadline_after (self->connected_timeout));
  answer = client_next_frame (self, &wait, cancellable, error);
  if (answer == NULL)
    {
      retext_timeout (self, error, "No CONNECTED frame from %s within %u ms",
                      broker, self->connected_timeout);
      goto failed;
    }

  if (!stompest_protocol_connected (self->protocol, answer, error))
    {
      if (strcmp (stompest_frame_get_command (answer), "ERROR") == 0)
        {
          g_clear_pointer (&self->error_frame, stompest_frame_unref);
          self->error_frame = g_steal_pointer (&answer);
        }
      g_prefix_error (error, "%s: ", broker);
      goto failed;
    }

  stompest_parser_set_version (self->parser, stompest_protocol_get_version (self->protocol));
  stompest_connection_log_connected (broker, self->protocol);
  client_notify_session (self);

  return client_replay (self, cancellable, error);

failed:
  /* Brokers such as RabbitMQ leave the socket open after an ERROR. */
  client_drop (self, FALSE);
  return FALSE;
}

/**
 * stompest_client_connect_sync:
 * @client: a client
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Connects to a broker and opens a STOMP session, blocking until done.
 *
 * The brokers of [property@Stompest.Client:uri] are tried as its failover
 * schedule says, sleeping the delays between attempts. Each attempt
 * connects the transport (within
 * [property@Stompest.Client:connect-timeout]), sends CONNECT with the
 * versions up to [property@Stompest.Client:max-version], the
 * [property@Stompest.Client:virtual-host], the credentials and the
 * heart-beat offers, and waits for CONNECTED (within
 * [property@Stompest.Client:connected-timeout]). Then the subscriptions
 * kept from a connection that was lost or closed with
 * [method@Stompest.Client.close] are made again, in order, under the same
 * tokens.
 *
 * A broker that answers with an ERROR frame, or with a version that was
 * not offered, ends the walk at once: other brokers of the same cluster
 * would refuse the same credentials. Frames received but not yet read
 * with [method@Stompest.Client.receive_frame] are dropped.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_SERVER_ERROR
 * with the broker's message and the frame in
 * [method@Stompest.Client.get_error_frame],
 * %STOMPEST_ERROR_UNSUPPORTED_VERSION, %STOMPEST_ERROR_TIMEOUT,
 * %STOMPEST_ERROR_INVALID_URI, %STOMPEST_ERROR_TRANSPORT,
 * %STOMPEST_ERROR_PROTOCOL when already connected), %G_IO_ERROR and
 * %G_TLS_ERROR. When every attempt failed, the error is the last
 * attempt's, prefixed with the failover URI when there were several.
 *
 * Returns: %TRUE when connected
 *
 * Since: 0.1
 */
gboolean
stompest_client_connect_sync (StompestClient  *client,
                              GCancellable    *cancellable,
                              GError         **error)
{
  g_autoptr(GError) last_error = NULL;
  guint attempts = 0;

  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (client->stream != NULL)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Already connected to %s", client->broker_uri);
      return FALSE;
    }
  if (client->uri == NULL)
    {
      g_set_error_literal (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                           "No broker URI set");
      return FALSE;
    }
  if (client->failover == NULL)
    {
      client->failover = stompest_failover_new (client->uri, error);
      if (client->failover == NULL)
        return FALSE;
    }
  if (stompest_protocol_get_max_version (client->protocol) != client->max_version)
    {
      g_object_unref (client->protocol);
      client->protocol = stompest_protocol_new (client->max_version);
    }

  client_clear_queue (client);
  g_clear_pointer (&client->error_frame, stompest_frame_unref);

  stompest_failover_start (client->failover);
  for (;;)
    {
      g_autoptr(GError) attempt_error = NULL;
      const char *broker;
      guint delay_ms;

      if (!stompest_failover_next (client->failover, &broker, &delay_ms,
                                   last_error != NULL ? NULL : error))
        break;

      if (delay_ms > 0 && !client_sleep (client, delay_ms, cancellable, error))
        return FALSE;

      attempts++;
      g_debug ("Connecting to %s (attempt %u)", broker, attempts);
      if (client_try_broker (client, broker, cancellable, &attempt_error))
        return TRUE;

      client_scrub (client, &attempt_error->message);
      g_debug ("Could not connect to %s: %s", broker, attempt_error->message);
      if (stompest_connection_error_is_final (attempt_error))
        {
          g_propagate_error (error, g_steal_pointer (&attempt_error));
          return FALSE;
        }

      g_clear_error (&last_error);
      last_error = g_steal_pointer (&attempt_error);
    }

  if (last_error != NULL)
    {
      stompest_connection_prefix_give_up (&last_error, client->failover, client->uri, attempts);
      g_propagate_error (error, g_steal_pointer (&last_error));
    }
  return FALSE;
}

/**
 * stompest_client_disconnect_sync:
 * @client: a client
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Ends the STOMP session cleanly: sends DISCONNECT with a receipt, waits
 * for the RECEIPT up to [property@Stompest.Client:disconnect-timeout] (by
 * then the broker has processed every earlier frame), and closes the
 * connection. The subscriptions are forgotten. Frames that arrive
 * meanwhile are kept for [method@Stompest.Client.receive_frame].
 *
 * The connection is closed even when this fails. Without a connection it
 * only forgets the subscriptions and succeeds.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_TIMEOUT
 * when no RECEIPT came, %STOMPEST_ERROR_CONNECTION_LOST,
 * %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR.
 *
 * Returns: %TRUE when the broker confirmed the DISCONNECT
 *
 * Since: 0.1
 */
gboolean
stompest_client_disconnect_sync (StompestClient  *client,
                                 GCancellable    *cancellable,
                                 GError         **error)
{
  g_autofree char *receipt = NULL;
  StompestFrame *frame;
  gboolean ok = TRUE;

  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (client->stream != NULL)
    {
      receipt = g_strdup_printf ("stompest-disconnect-%u", ++client->receipt_counter);
      frame = stompest_protocol_disconnect_frame (client->protocol, receipt, error);
      ok = frame != NULL &&
           client_write_frame (client, frame, cancellable, error) &&
           client_await_receipt (client, receipt, client->disconnect_timeout,
                                 cancellable, error);
      g_clear_pointer (&frame, stompest_frame_unref);
    }

  client_drop (client, TRUE);
  return ok;
}

/**
 * stompest_client_close:
 * @client: a client
 *
 * Closes the connection at once, without DISCONNECT: for a broker that is
 * gone or misbehaves. The subscriptions are kept, and the next
 * [method@Stompest.Client.connect_sync] makes them again. It does nothing
 * without a connection.
 *
 * Since: 0.1
 */
void
stompest_client_close (StompestClient *client)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  client_drop (client, FALSE);
}

/**
 * stompest_client_send:
 * @client: a client
 * @destination: where to send the message, such as `/queue/work`
 * @body: (nullable): the message body, or %NULL for an empty one; it is
 *   written as is, never copied
 * @headers: (nullable) (element-type utf8 utf8): more headers, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Sends a message. The SEND frame always carries `content-length`, so a
 * body may hold NUL bytes.
 *
 * In @headers, `transaction` sends the message in an open transaction, and
 * `receipt` makes the call wait (up to
 * [property@Stompest.Client:receipt-timeout]) until the broker confirms
 * it has the message; frames that arrive meanwhile are kept for
 * [method@Stompest.Client.receive_frame] (within the bounds given in
 * [class@Stompest.Client]). Other headers (`persistent`,
 * `content-type`, custom ones) are sent as given; `destination` and
 * `content-length` are ignored there.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_PROTOCOL
 * for a transaction that is not open or a receipt already awaited,
 * %STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_TIMEOUT,
 * %STOMPEST_ERROR_SERVER_ERROR, %STOMPEST_ERROR_INVALID_FRAME) and
 * %G_IO_ERROR.
 *
 * Returns: %TRUE when the message was written (and confirmed, with a
 *   receipt)
 *
 * Since: 0.1
 */
gboolean
stompest_client_send (StompestClient  *client,
                      const char      *destination,
                      GBytes          *body,
                      GHashTable      *headers,
                      GCancellable    *cancellable,
                      GError         **error)
{
  static const char * const skip[] = { "destination", "content-length", "transaction", "receipt", NULL };
  const char *receipt = stompest_connection_lookup_header (headers, "receipt");
  const char *transaction = stompest_connection_lookup_header (headers, "transaction");
  gsize body_len = body != NULL ? g_bytes_get_size (body) : 0;
  StompestVersion version;
  guint8 *room;

  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!client_check_stream (client, error) ||
      !stompest_protocol_check_send (client->protocol, transaction, receipt, error))
    return FALSE;

  /* The head goes straight into the buffer: no frame is built, unless
   * for the log. */
  version = stompest_protocol_get_version (client->protocol);
  if (headers == NULL || g_hash_table_size (headers) == 0)
    room = stompest_send_head_write (&client->send_head, client->out, version, destination,
                                     body_len, client_body_room (client, body_len), error);
  else if (stompest_commands_write_send (client->out, version, destination, body_len,
                                         transaction, receipt, headers, skip, error))
    room = client_reserve_body (client, body);
  else
    room = NULL;
  if (room == NULL)
    return FALSE;

  if (client->tracing)
    {
      g_autoptr(StompestFrame) frame = stompest_commands_send (destination, body, transaction, receipt);

      stompest_connection_add_headers (frame, headers, skip);
      client_trace (client, ">", frame);
    }
  return client_finish_command (client, room, body, receipt, cancellable, error);
}

/**
 * stompest_client_send_frame:
 * @client: a client
 * @frame: the frame to send
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Sends a frame as it is, past the session bookkeeping: no state check,
 * no receipt awaited. The receipt a `receipt` header asks for is
 * expected from then on, and its RECEIPT comes out of
 * [method@Stompest.Client.receive_frame]. A SEND frame gets a
 * `content-length`.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_TIMEOUT past
 * [property@Stompest.Client:send-timeout], %STOMPEST_ERROR_INVALID_FRAME
 * when a header cannot be written in the negotiated version, and, from
 * what the broker sends while the write waits,
 * %STOMPEST_ERROR_SERVER_ERROR, %STOMPEST_ERROR_PARSE and
 * %STOMPEST_ERROR_FRAME_TOO_LARGE) and %G_IO_ERROR.
 *
 * Returns: %TRUE when the frame was written
 *
 * Since: 0.1
 */
gboolean
stompest_client_send_frame (StompestClient  *client,
                            StompestFrame   *frame,
                            GCancellable    *cancellable,
                            GError         **error)
{
  const char *receipt;

  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!client_write_frame (client, frame, cancellable, error))
    return FALSE;

  /* Its RECEIPT is known, then, and handed out. */
  receipt = stompest_frame_get_header (frame, "receipt");
  if (receipt != NULL)
    {
      stompest_protocol_expect_receipt (client->protocol, receipt);
      g_hash_table_add (client->raw_receipts, g_strdup (receipt));
    }
  return TRUE;
}

/**
 * stompest_client_subscribe:
 * @client: a client
 * @destination: what to subscribe to, such as `/queue/work`
 * @ack_mode: how the messages are to be acknowledged
 * @headers: (nullable) (element-type utf8 utf8): more headers, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Subscribes to a destination. MESSAGE frames for it then come out of
 * [method@Stompest.Client.receive_frame]; their `subscription` header is
 * the returned token (in STOMP 1.0 without an `id`, the destination).
 *
 * In @headers, `id` chooses the subscription id (one is generated
 * otherwise), and `receipt` makes the call wait until the broker confirms
 * the subscription, so no message sent afterwards can be missed. Other
 * headers (`selector`, a broker's prefetch setting) are sent as given and
 * again when the subscription is replayed after a reconnect; `ack` and
 * `destination` are ignored there.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_PROTOCOL
 * when already subscribed with that id, %STOMPEST_ERROR_CONNECTION_LOST,
 * %STOMPEST_ERROR_TIMEOUT, %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR.
 *
 * Returns: (transfer full): the token that names the subscription, for
 *   [method@Stompest.Client.unsubscribe]; %NULL on error
 *
 * Since: 0.1
 */
char *
stompest_client_subscribe (StompestClient   *client,
                           const char       *destination,
                           StompestAckMode   ack_mode,
                           GHashTable       *headers,
                           GCancellable     *cancellable,
                           GError          **error)
{
  static const char * const skip[] = { "destination", "id", "ack", "receipt", NULL };
  const char *receipt = stompest_connection_lookup_header (headers, "receipt");
  g_autofree char *token = NULL;
  StompestFrame *frame;

  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);
  g_return_val_if_fail (destination != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!client_check_stream (client, error))
    return NULL;

  frame = stompest_protocol_subscribe (client->protocol, destination,
                                       stompest_connection_lookup_header (headers, "id"), ack_mode,
                                       receipt, &token, error);
  /* The protocol keeps this frame for replay, extra headers included. */
  if (frame != NULL)
    stompest_connection_add_headers (frame, headers, skip);
  if (!client_command (client, frame, receipt, cancellable, error))
    {
      /* Refused or never confirmed: replaying it would fail every later
       * connect, and the caller has no token to unsubscribe with. */
      if (token != NULL)
        stompest_protocol_forget_subscription (client->protocol, token);
      return NULL;
    }

  return g_steal_pointer (&token);
}

/**
 * stompest_client_unsubscribe:
 * @client: a client
 * @token: the token [method@Stompest.Client.subscribe] returned
 * @receipt: (nullable): a receipt id to wait for, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Ends a subscription. With @receipt, waits until the broker confirms.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_PROTOCOL
 * for an unknown token, %STOMPEST_ERROR_CONNECTION_LOST,
 * %STOMPEST_ERROR_TIMEOUT, %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
stompest_client_unsubscribe (StompestClient  *client,
                             const char      *token,
                             const char      *receipt,
                             GCancellable    *cancellable,
                             GError         **error)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (token != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!client_check_stream (client, error))
    return FALSE;

  return client_command (client,
                         stompest_protocol_unsubscribe (client->protocol, token, receipt, error),
                         receipt, cancellable, error);
}

/**
 * stompest_client_ack:
 * @client: a client
 * @message: the MESSAGE frame to acknowledge
 * @receipt: (nullable): a receipt id to wait for, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Acknowledges a message, with the headers the negotiated version wants
 * (`message-id` and `subscription` in STOMP 1.0 and 1.1, the `ack` header
 * as `id` in 1.2). To acknowledge inside an open transaction, as stompest
 * does, give a copy of @message a `transaction` header naming it (brokers
 * never set one). With @receipt, waits until the broker confirms.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_PROTOCOL
 * when @message lacks a header the version needs,
 * %STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_TIMEOUT,
 * %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
stompest_client_ack (StompestClient  *client,
                     StompestFrame   *message,
                     const char      *receipt,
                     GCancellable    *cancellable,
                     GError         **error)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return client_acknowledge (client, "ACK", message, receipt, cancellable, error);
}

/**
 * stompest_client_nack:
 * @client: a client
 * @message: the MESSAGE frame to reject
 * @receipt: (nullable): a receipt id to wait for, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Rejects a message (STOMP 1.1 and later), with the headers the
 * negotiated version wants. With @receipt, waits until the broker
 * confirms.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_PROTOCOL
 * in STOMP 1.0 or when @message lacks a header the version needs,
 * %STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_TIMEOUT,
 * %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
stompest_client_nack (StompestClient  *client,
                      StompestFrame   *message,
                      const char      *receipt,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return client_acknowledge (client, "NACK", message, receipt, cancellable, error);
}

typedef StompestFrame *(*TransactionBuilder) (StompestProtocol  *protocol,
                                              const char        *transaction,
                                              const char        *receipt,
                                              GError           **error);

static gboolean
client_transaction (StompestClient      *client,
                    TransactionBuilder   build,
                    const char          *transaction,
                    const char          *receipt,
                    GCancellable        *cancellable,
                    GError             **error)
{
  if (!client_check_stream (client, error))
    return FALSE;

  return client_command (client, build (client->protocol, transaction, receipt, error),
                         receipt, cancellable, error);
}

/**
 * stompest_client_begin:
 * @client: a client
 * @transaction: the id of the new transaction
 * @receipt: (nullable): a receipt id to wait for, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Opens a transaction. Messages sent with a `transaction` header naming it
 * and acknowledgements of messages carrying it belong to it until
 * [method@Stompest.Client.commit] or [method@Stompest.Client.abort]. The
 * broker aborts it if the connection ends first.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_PROTOCOL
 * when it is already open, %STOMPEST_ERROR_CONNECTION_LOST,
 * %STOMPEST_ERROR_TIMEOUT, %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
stompest_client_begin (StompestClient  *client,
                       const char      *transaction,
                       const char      *receipt,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (transaction != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return client_transaction (client, stompest_protocol_begin, transaction, receipt,
                             cancellable, error);
}

/**
 * stompest_client_commit:
 * @client: a client
 * @transaction: the id of an open transaction
 * @receipt: (nullable): a receipt id to wait for, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Commits a transaction: the broker applies its sends and
 * acknowledgements.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_PROTOCOL
 * when it is not open, %STOMPEST_ERROR_CONNECTION_LOST,
 * %STOMPEST_ERROR_TIMEOUT, %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
stompest_client_commit (StompestClient  *client,
                        const char      *transaction,
                        const char      *receipt,
                        GCancellable    *cancellable,
                        GError         **error)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (transaction != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return client_transaction (client, stompest_protocol_commit, transaction, receipt,
                             cancellable, error);
}

/**
 * stompest_client_abort:
 * @client: a client
 * @transaction: the id of an open transaction
 * @receipt: (nullable): a receipt id to wait for, or %NULL
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Aborts a transaction: the broker drops its sends and
 * acknowledgements.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_PROTOCOL
 * when it is not open, %STOMPEST_ERROR_CONNECTION_LOST,
 * %STOMPEST_ERROR_TIMEOUT, %STOMPEST_ERROR_SERVER_ERROR) and %G_IO_ERROR.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean
stompest_client_abort (StompestClient  *client,
                       const char      *transaction,
                       const char      *receipt,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (transaction != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return client_transaction (client, stompest_protocol_abort, transaction, receipt,
                             cancellable, error);
}

static gint64
deadline_for_wait (int timeout_ms)
{
  if (timeout_ms < 0)
    return -1;
  return g_get_monotonic_time () + (gint64) timeout_ms * 1000;
}

/**
 * stompest_client_can_read:
 * @client: a client
 * @timeout_ms: how long to wait, in milliseconds; 0 to only look at what
 *   has already arrived, -1 for no limit
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Waits until a whole frame can be read with
 * [method@Stompest.Client.receive_frame] without blocking. Heart-beats are
 * sent and checked meanwhile; they never count as frames.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_SERVER_ERROR for an
 * ERROR frame, %STOMPEST_ERROR_PARSE, %STOMPEST_ERROR_PROTOCOL when the
 * next frame is a RECEIPT nobody asked for or a MESSAGE for no
 * subscription, which is then dropped, %STOMPEST_ERROR_TIMEOUT when a
 * heart-beat could not be written within
 * [property@Stompest.Client:send-timeout]) and %G_IO_ERROR. Running out
 * of @timeout_ms is not an error.
 *
 * Returns: %TRUE when a frame is ready; %FALSE when none arrived in time
 *   (@error unset) or on error
 *
 * Since: 0.1
 */
gboolean
stompest_client_can_read (StompestClient  *client,
                          int              timeout_ms,
                          GCancellable    *cancellable,
                          GError         **error)
{
  Received *next;
  ClientWait wait;

  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  client_wait_init (&wait, deadline_for_wait (timeout_ms));
  while (g_queue_is_empty (&client->frames))
    {
      g_autoptr(GError) local_error = NULL;

      if (!client_pump (client, &wait, cancellable, &local_error))
        {
          if (!is_read_timeout (client, local_error))
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  /* The broker's mistake in place of the next frame is reported now. */
  next = g_queue_peek_head (&client->frames);
  if (next->error != NULL)
    {
      /* Queued with its error, no frame. */
      client_pop (client, error);
      return FALSE;
    }
  return TRUE;
}

/**
 * stompest_client_receive_frame:
 * @client: a client
 * @timeout_ms: how long to wait, in milliseconds; 0 to only look at what
 *   has already arrived, -1 for no limit
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Gives the next frame from the broker: a MESSAGE, or the RECEIPT of a
 * frame sent with [method@Stompest.Client.send_frame]. Frames that
 * arrived while another call waited for a receipt come first, in order;
 * they are also given after the connection was lost, before
 * %STOMPEST_ERROR_CONNECTION_LOST.
 *
 * Where the broker sent a RECEIPT for a receipt never asked for, or a
 * MESSAGE for a subscription that does not exist, the call fails with
 * %STOMPEST_ERROR_PROTOCOL naming it instead, and the frame is dropped;
 * the connection stays open, and the next call gives the next frame.
 *
 * Heart-beats are sent and checked meanwhile; a broker that stops
 * sending them fails the call with %STOMPEST_ERROR_CONNECTION_LOST. The
 * call ends at @timeout_ms even while bytes keep coming (heart-beats
 * without end, a frame trickling in); what was read then is kept for
 * the next call.
 *
 * Possible error domains include %STOMPEST_ERROR (%STOMPEST_ERROR_TIMEOUT,
 * %STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_SERVER_ERROR for an
 * ERROR frame, %STOMPEST_ERROR_PARSE, %STOMPEST_ERROR_FRAME_TOO_LARGE,
 * %STOMPEST_ERROR_PROTOCOL) and %G_IO_ERROR (%G_IO_ERROR_CANCELLED).
 *
 * Returns: (transfer full): the frame, or %NULL on error
 *
 * Since: 0.1
 */
StompestFrame *
stompest_client_receive_frame (StompestClient  *client,
                               int              timeout_ms,
                               GCancellable    *cancellable,
                               GError         **error)
{
  ClientWait wait;

  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  client_wait_init (&wait, deadline_for_wait (timeout_ms));
  for (;;)
    {
      StompestFrame *frame;
      StompestFrame *keep;
      GError *problem;

      if (!g_queue_is_empty (&client->frames))
        return client_pop (client, error);

      /* With nothing queued, straight from the parser. */
      if (!client_parse (client, &frame, error))
        return NULL;
      if (frame == NULL)
        {
          if (!client_fill (client, &wait, cancellable, error))
            {
              retext_timeout (client, error, "No frame from %s within %d ms",
                              client->broker_uri, timeout_ms);
              return NULL;
            }
          continue;
        }
      if (!client_accept (client, frame, &keep, &problem, error))
        return NULL;
      if (problem != NULL)
        g_propagate_error (error, problem);
      if (keep != NULL || problem != NULL)
        return keep;
    }
}

/**
 * stompest_client_beat:
 * @client: a client
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Sends one heart-beat (an end of line) now. Calls that wait send beats
 * by themselves when they are due; this is for a program that is busy
 * elsewhere between calls.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_TIMEOUT past
 * [property@Stompest.Client:send-timeout]) and %G_IO_ERROR.
 *
 * Returns: %TRUE when the beat was written
 *
 * Since: 0.1
 */
gboolean
stompest_client_beat (StompestClient  *client,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return client_write_beat (client, cancellable, error);
}

/**
 * stompest_client_flush:
 * @client: a client
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a #GError
 *
 * Writes the frames that wait in the write buffer (see
 * [property@Stompest.Client:write-buffer-size]) now. It does nothing
 * when the buffer is empty, as it always is without one.
 *
 * Possible error domains include %STOMPEST_ERROR
 * (%STOMPEST_ERROR_CONNECTION_LOST, %STOMPEST_ERROR_TIMEOUT past
 * [property@Stompest.Client:send-timeout], and, from what the broker
 * sends while the write waits, %STOMPEST_ERROR_SERVER_ERROR,
 * %STOMPEST_ERROR_PARSE and %STOMPEST_ERROR_FRAME_TOO_LARGE) and
 * %G_IO_ERROR.
 *
 * Returns: %TRUE when every frame was written
 *
 * Since: 0.1
 */
gboolean
stompest_client_flush (StompestClient  *client,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return client_flush (client, cancellable, error);
}

/**
 * stompest_client_set_transport:
 * @client: a client
 * @scheme: a URI scheme, such as `tcp` or `ws`
 * @transport: (nullable): the transport to use for @scheme, or %NULL to
 *   use the global one again
 *
 * Makes this client connect to brokers whose URI has @scheme through
 * @transport, instead of the transport registered for all with
 * [func@Stompest.Transport.register]. It applies from the next
 * [method@Stompest.Client.connect_sync].
 *
 * Since: 0.1
 */
void
stompest_client_set_transport (StompestClient    *client,
                               const char        *scheme,
                               StompestTransport *transport)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));
  g_return_if_fail (scheme != NULL);
  g_return_if_fail (transport == NULL || STOMPEST_IS_TRANSPORT (transport));

  stompest_connection_transports_set (client->transports, scheme, transport);
}

/* Properties. */

/**
 * stompest_client_new:
 * @uri: a broker URI (`tcp://host:61613`, `ssl://…`, `unix:///path`) or a
 *   failover URI (`failover:(uri,uri)?options`)
 *
 * Creates a client for the brokers of @uri. It does not connect yet: call
 * [method@Stompest.Client.connect_sync]. A malformed URI is reported
 * there.
 *
 * Returns: (transfer full): a new client
 *
 * Since: 0.1
 */
StompestClient *
stompest_client_new (const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return g_object_new (STOMPEST_TYPE_CLIENT, "uri", uri, NULL);
}

/**
 * stompest_client_get_uri:
 * @client: a client
 *
 * Gives the broker or failover URI.
 *
 * Returns: (nullable): the URI
 *
 * Since: 0.1
 */
const char *
stompest_client_get_uri (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);

  return client->uri;
}

/**
 * stompest_client_set_uri:
 * @client: a client
 * @uri: a broker or failover URI
 *
 * Sets the broker or failover URI; it applies from the next
 * [method@Stompest.Client.connect_sync], with a fresh failover schedule.
 *
 * Since: 0.1
 */
void
stompest_client_set_uri (StompestClient *client,
                         const char     *uri)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));
  g_return_if_fail (uri != NULL);

  if (g_strcmp0 (client->uri, uri) == 0)
    return;

  g_clear_object (&client->failover);
  set_string (client, &client->uri, uri, properties[PROP_URI]);
}

/**
 * stompest_client_get_login:
 * @client: a client
 *
 * Gives the user name sent in CONNECT.
 *
 * Returns: (nullable): the login, or %NULL for none
 *
 * Since: 0.1
 */
const char *
stompest_client_get_login (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);

  return client->login;
}

/**
 * stompest_client_set_login:
 * @client: a client
 * @login: (nullable): the user name, or %NULL to send none
 *
 * Sets the user name sent in CONNECT, from the next connect on.
 *
 * Since: 0.1
 */
void
stompest_client_set_login (StompestClient *client,
                           const char     *login)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_string (client, &client->login, login, properties[PROP_LOGIN]);
}

/**
 * stompest_client_set_passcode:
 * @client: a client
 * @passcode: (nullable): the password, or %NULL to send none
 *
 * Sets the password sent in CONNECT, from the next connect on. It cannot
 * be read back, and never appears in logs or error messages.
 *
 * Since: 0.1
 */
void
stompest_client_set_passcode (StompestClient *client,
                              const char     *passcode)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  if (g_strcmp0 (client->passcode, passcode) == 0)
    return;

  g_free (client->passcode);
  client->passcode = g_strdup (passcode);
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_PASSCODE]);
}

/**
 * stompest_client_get_virtual_host:
 * @client: a client
 *
 * Gives the value of the `host` header of CONNECT.
 *
 * Returns: (nullable): the virtual host, or %NULL when none is sent
 *
 * Since: 0.1
 */
const char *
stompest_client_get_virtual_host (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);

  return client->virtual_host;
}

/**
 * stompest_client_set_virtual_host:
 * @client: a client
 * @virtual_host: (nullable): the `host` header, or %NULL to send none
 *
 * Sets the `host` header of CONNECT, from the next connect on.
 *
 * Since: 0.1
 */
void
stompest_client_set_virtual_host (StompestClient *client,
                                  const char     *virtual_host)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_string (client, &client->virtual_host, virtual_host, properties[PROP_VIRTUAL_HOST]);
}

/**
 * stompest_client_get_max_version:
 * @client: a client
 *
 * Gives the highest STOMP version offered.
 *
 * Returns: the version
 *
 * Since: 0.1
 */
StompestVersion
stompest_client_get_max_version (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), STOMPEST_VERSION_STOMP_1_2);

  return client->max_version;
}

/**
 * stompest_client_set_max_version:
 * @client: a client
 * @max_version: the highest version to offer
 *
 * Sets the highest STOMP version offered, from the next connect on.
 * Changing it forgets the subscriptions kept for replay.
 *
 * Since: 0.1
 */
void
stompest_client_set_max_version (StompestClient  *client,
                                 StompestVersion  max_version)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  if (client->max_version == max_version)
    return;

  client->max_version = max_version;
  g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_MAX_VERSION]);
}

/**
 * stompest_client_get_heart_beat_send:
 * @client: a client
 *
 * Gives how often the client offers to send heart-beats.
 *
 * Returns: the period in milliseconds; 0 for never
 *
 * Since: 0.1
 */
guint
stompest_client_get_heart_beat_send (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return client->heart_beat_send;
}

/**
 * stompest_client_set_heart_beat_send:
 * @client: a client
 * @heart_beat_send: the period in milliseconds; 0 for never
 *
 * Sets how often the client offers to send heart-beats, from the next
 * connect on.
 *
 * Since: 0.1
 */
void
stompest_client_set_heart_beat_send (StompestClient *client,
                                     guint           heart_beat_send)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_uint (client, &client->heart_beat_send, heart_beat_send, properties[PROP_HEART_BEAT_SEND]);
}

/**
 * stompest_client_get_heart_beat_receive:
 * @client: a client
 *
 * Gives how often the client asks the broker for heart-beats.
 *
 * Returns: the period in milliseconds; 0 for never
 *
 * Since: 0.1
 */
guint
stompest_client_get_heart_beat_receive (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return client->heart_beat_receive;
}

/**
 * stompest_client_set_heart_beat_receive:
 * @client: a client
 * @heart_beat_receive: the period in milliseconds; 0 for never
 *
 * Sets how often the client asks the broker for heart-beats, from the
 * next connect on.
 *
 * Since: 0.1
 */
void
stompest_client_set_heart_beat_receive (StompestClient *client,
                                        guint           heart_beat_receive)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_uint (client, &client->heart_beat_receive, heart_beat_receive, properties[PROP_HEART_BEAT_RECEIVE]);
}

/**
 * stompest_client_get_connect_timeout:
 * @client: a client
 *
 * Gives the time allowed for each transport connect.
 *
 * Returns: the timeout in milliseconds; 0 for none
 *
 * Since: 0.1
 */
guint
stompest_client_get_connect_timeout (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return client->connect_timeout;
}

/**
 * stompest_client_set_connect_timeout:
 * @client: a client
 * @connect_timeout: the timeout in milliseconds; 0 for none
 *
 * Sets the time allowed for each transport connect (TCP, and the TLS
 * handshake).
 *
 * Since: 0.1
 */
void
stompest_client_set_connect_timeout (StompestClient *client,
                                     guint           connect_timeout)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_uint (client, &client->connect_timeout, connect_timeout, properties[PROP_CONNECT_TIMEOUT]);
}

/**
 * stompest_client_get_connected_timeout:
 * @client: a client
 *
 * Gives the time allowed for the CONNECTED frame.
 *
 * Returns: the timeout in milliseconds; 0 for none
 *
 * Since: 0.1
 */
guint
stompest_client_get_connected_timeout (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return client->connected_timeout;
}

/**
 * stompest_client_set_connected_timeout:
 * @client: a client
 * @connected_timeout: the timeout in milliseconds; 0 for none
 *
 * Sets the time allowed between sending CONNECT and receiving CONNECTED.
 *
 * Since: 0.1
 */
void
stompest_client_set_connected_timeout (StompestClient *client,
                                       guint           connected_timeout)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_uint (client, &client->connected_timeout, connected_timeout, properties[PROP_CONNECTED_TIMEOUT]);
}

/**
 * stompest_client_get_receipt_timeout:
 * @client: a client
 *
 * Gives the time allowed for a RECEIPT.
 *
 * Returns: the timeout in milliseconds; 0 for none
 *
 * Since: 0.1
 */
guint
stompest_client_get_receipt_timeout (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return client->receipt_timeout;
}

/**
 * stompest_client_set_receipt_timeout:
 * @client: a client
 * @receipt_timeout: the timeout in milliseconds; 0 for none
 *
 * Sets the time a command given a receipt waits for its RECEIPT.
 *
 * Since: 0.1
 */
void
stompest_client_set_receipt_timeout (StompestClient *client,
                                     guint           receipt_timeout)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_uint (client, &client->receipt_timeout, receipt_timeout, properties[PROP_RECEIPT_TIMEOUT]);
}

/**
 * stompest_client_get_disconnect_timeout:
 * @client: a client
 *
 * Gives the time allowed for the RECEIPT of DISCONNECT.
 *
 * Returns: the timeout in milliseconds; 0 for none
 *
 * Since: 0.1
 */
guint
stompest_client_get_disconnect_timeout (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return client->disconnect_timeout;
}

/**
 * stompest_client_set_disconnect_timeout:
 * @client: a client
 * @disconnect_timeout: the timeout in milliseconds; 0 for none
 *
 * Sets the time [method@Stompest.Client.disconnect_sync] waits for the
 * broker to confirm.
 *
 * Since: 0.1
 */
void
stompest_client_set_disconnect_timeout (StompestClient *client,
                                        guint           disconnect_timeout)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_uint (client, &client->disconnect_timeout, disconnect_timeout, properties[PROP_DISCONNECT_TIMEOUT]);
}

/**
 * stompest_client_get_write_buffer_size:
 * @client: a client
 *
 * Gives how many bytes of frames may wait in the client before they are
 * written; see [property@Stompest.Client:write-buffer-size].
 *
 * Returns: the size in bytes; 0 when every frame is written at once
 *
 * Since: 0.1
 */
guint
stompest_client_get_write_buffer_size (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return client->write_buffer_size;
}

/**
 * stompest_client_set_write_buffer_size:
 * @client: a client
 * @size: the size in bytes; 0 to write every frame at once
 *
 * Sets how many bytes of frames may wait in the client before they are
 * written; see [property@Stompest.Client:write-buffer-size].
 *
 * Since: 0.1
 */
void
stompest_client_set_write_buffer_size (StompestClient *client,
                                       guint           size)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));
  g_return_if_fail (size <= G_MAXINT);

  set_uint (client, &client->write_buffer_size, size, properties[PROP_WRITE_BUFFER_SIZE]);
}

/**
 * stompest_client_get_send_timeout:
 * @client: a client
 *
 * Gives the time allowed to write one frame.
 *
 * Returns: the timeout in milliseconds; 0 for none
 *
 * Since: 0.1
 */
guint
stompest_client_get_send_timeout (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return client->send_timeout;
}

/**
 * stompest_client_set_send_timeout:
 * @client: a client
 * @send_timeout: the timeout in milliseconds; 0 for none
 *
 * Sets the time allowed to write one frame, waits for the broker to take
 * more bytes included; see [property@Stompest.Client:send-timeout].
 *
 * Since: 0.1
 */
void
stompest_client_set_send_timeout (StompestClient *client,
                                  guint           send_timeout)
{
  g_return_if_fail (STOMPEST_IS_CLIENT (client));

  set_uint (client, &client->send_timeout, send_timeout, properties[PROP_SEND_TIMEOUT]);
}

/**
 * stompest_client_is_connected: (get-property connected)
 * @client: a client
 *
 * Tells whether a STOMP session is up: CONNECTED was received and the
 * connection has not been closed or lost since.
 *
 * Returns: %TRUE when connected
 *
 * Since: 0.1
 */
gboolean
stompest_client_is_connected (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), FALSE);

  return client->stream != NULL &&
         stompest_protocol_get_state (client->protocol) == STOMPEST_PROTOCOL_STATE_CONNECTED;
}

/**
 * stompest_client_get_broker_uri:
 * @client: a client
 *
 * Gives the URI of the broker of the current connection, or of the last
 * one tried: one of the brokers of [property@Stompest.Client:uri].
 *
 * Returns: (nullable): the broker URI, or %NULL before the first connect
 *
 * Since: 0.1
 */
const char *
stompest_client_get_broker_uri (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);

  return client->broker_uri;
}

/**
 * stompest_client_get_version:
 * @client: a client
 *
 * Gives the STOMP version negotiated with the broker, or
 * [property@Stompest.Client:max-version] when not connected.
 *
 * Returns: the version
 *
 * Since: 0.1
 */
StompestVersion
stompest_client_get_version (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), STOMPEST_VERSION_STOMP_1_2);

  if (!stompest_client_is_connected (client))
    return client->max_version;
  return stompest_protocol_get_version (client->protocol);
}

/**
 * stompest_client_get_server:
 * @client: a client
 *
 * Gives the `server` header of CONNECTED, such as `RabbitMQ/3.10.8`.
 *
 * Returns: (nullable): the server, or %NULL when not connected or not sent
 *
 * Since: 0.1
 */
const char *
stompest_client_get_server (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);

  return stompest_protocol_get_server (client->protocol);
}

/**
 * stompest_client_get_session_id:
 * @client: a client
 *
 * Gives the `session` header of CONNECTED.
 *
 * Returns: (nullable): the session id, or %NULL when not connected or not
 *   sent
 *
 * Since: 0.1
 */
const char *
stompest_client_get_session_id (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);

  return stompest_protocol_get_session (client->protocol);
}

/**
 * stompest_client_get_send_period:
 * @client: a client
 *
 * Gives the negotiated period of the client's heart-beats.
 *
 * Returns: the period in milliseconds; 0 when the client sends none
 *
 * Since: 0.1
 */
guint
stompest_client_get_send_period (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return stompest_protocol_get_send_period (client->protocol);
}

/**
 * stompest_client_get_receive_period:
 * @client: a client
 *
 * Gives the negotiated period of the broker's heart-beats.
 *
 * Returns: the period in milliseconds; 0 when the broker sends none
 *
 * Since: 0.1
 */
guint
stompest_client_get_receive_period (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), 0);

  return stompest_protocol_get_receive_period (client->protocol);
}

/**
 * stompest_client_get_error_frame:
 * @client: a client
 *
 * Gives the last ERROR frame the broker sent, which failed a call with
 * %STOMPEST_ERROR_SERVER_ERROR. It is kept until the next
 * [method@Stompest.Client.connect_sync].
 *
 * Returns: (transfer none) (nullable): the frame, or %NULL
 *
 * Since: 0.1
 */
StompestFrame *
stompest_client_get_error_frame (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);

  return client->error_frame;
}

/**
 * stompest_client_get_parser:
 * @client: a client
 *
 * Gives the parser the client reads frames with, to set its limits or
 * make it lenient with a sloppy broker. Settings are kept across
 * connections; the client sets the version itself.
 *
 * Returns: (transfer none): the parser
 *
 * Since: 0.1
 */
StompestParser *
stompest_client_get_parser (StompestClient *client)
{
  g_return_val_if_fail (STOMPEST_IS_CLIENT (client), NULL);

  return client->parser;
}

static void
stompest_client_dispose (GObject *object)
{
  StompestClient *self = STOMPEST_CLIENT (object);

  if (self->stream != NULL)
    client_drop (self, TRUE);
  client_clear_queue (self);
  g_clear_pointer (&self->error_frame, stompest_frame_unref);
  g_clear_object (&self->failover);
  g_hash_table_remove_all (self->transports);

  G_OBJECT_CLASS (stompest_client_parent_class)->dispose (object);
}

static void
stompest_client_finalize (GObject *object)
{
  StompestClient *self = STOMPEST_CLIENT (object);

  g_free (self->uri);
  g_free (self->login);
  g_free (self->passcode);
  g_free (self->virtual_host);
  g_free (self->broker_uri);
  g_free (self->read_buffer);
  g_byte_array_unref (self->out);
  stompest_send_head_clear (&self->send_head);
  g_hash_table_unref (self->transports);
  g_hash_table_unref (self->raw_receipts);
  g_object_unref (self->protocol);
  g_object_unref (self->parser);
  g_array_unref (self->poll_fds);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (stompest_client_parent_class)->finalize (object);
}

static void
stompest_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  StompestClient *self = STOMPEST_CLIENT (object);

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
    case PROP_SEND_TIMEOUT:
      g_value_set_uint (value, self->send_timeout);
      break;
    case PROP_WRITE_BUFFER_SIZE:
      g_value_set_uint (value, self->write_buffer_size);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, stompest_client_is_connected (self));
      break;
    case PROP_BROKER_URI:
      g_value_set_string (value, self->broker_uri);
      break;
    case PROP_VERSION:
      g_value_set_enum (value, stompest_client_get_version (self));
      break;
    case PROP_SERVER:
      g_value_set_string (value, stompest_client_get_server (self));
      break;
    case PROP_SESSION_ID:
      g_value_set_string (value, stompest_client_get_session_id (self));
      break;
    case PROP_SEND_PERIOD:
      g_value_set_uint (value, stompest_client_get_send_period (self));
      break;
    case PROP_RECEIVE_PERIOD:
      g_value_set_uint (value, stompest_client_get_receive_period (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  StompestClient *self = STOMPEST_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URI:
      if (g_value_get_string (value) != NULL)
        stompest_client_set_uri (self, g_value_get_string (value));
      break;
    case PROP_LOGIN:
      stompest_client_set_login (self, g_value_get_string (value));
      break;
    case PROP_PASSCODE:
      stompest_client_set_passcode (self, g_value_get_string (value));
      break;
    case PROP_VIRTUAL_HOST:
      stompest_client_set_virtual_host (self, g_value_get_string (value));
      break;
    case PROP_MAX_VERSION:
      stompest_client_set_max_version (self, g_value_get_enum (value));
      break;
    case PROP_HEART_BEAT_SEND:
      stompest_client_set_heart_beat_send (self, g_value_get_uint (value));
      break;
    case PROP_HEART_BEAT_RECEIVE:
      stompest_client_set_heart_beat_receive (self, g_value_get_uint (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      stompest_client_set_connect_timeout (self, g_value_get_uint (value));
      break;
    case PROP_CONNECTED_TIMEOUT:
      stompest_client_set_connected_timeout (self, g_value_get_uint (value));
      break;
    case PROP_RECEIPT_TIMEOUT:
      stompest_client_set_receipt_timeout (self, g_value_get_uint (value));
      break;
    case PROP_DISCONNECT_TIMEOUT:
      stompest_client_set_disconnect_timeout (self, g_value_get_uint (value));
      break;
    case PROP_SEND_TIMEOUT:
      stompest_client_set_send_timeout (self, g_value_get_uint (value));
      break;
    case PROP_WRITE_BUFFER_SIZE:
      stompest_client_set_write_buffer_size (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
timeout_pspec (const char *name,
               guint       default_value)
{
  return g_param_spec_uint (name, NULL, NULL, 0, G_MAXUINT, default_value,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
stompest_client_class_init (StompestClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = stompest_client_dispose;
  object_class->finalize = stompest_client_finalize;
  object_class->get_property = stompest_client_get_property;
  object_class->set_property = stompest_client_set_property;

  /**
   * StompestClient:uri: (attributes org.gtk.Property.get=stompest_client_get_uri org.gtk.Property.set=stompest_client_set_uri)
   *
   * The broker to connect to: a broker URI such as
   * `tcp://localhost:61613`, `ssl://broker:61614` or `unix:///run/stomp`,
   * or a failover URI, `failover:(uri,uri)?options`, with ActiveMQ's
   * reconnect options (see [class@Stompest.Failover]).
   *
   * Since: 0.1
   */
  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, rw);

  /**
   * StompestClient:login: (attributes org.gtk.Property.get=stompest_client_get_login org.gtk.Property.set=stompest_client_set_login)
   *
   * The user name sent in the `login` header of CONNECT, or %NULL for
   * none.
   *
   * Since: 0.1
   */
  properties[PROP_LOGIN] = g_param_spec_string ("login", NULL, NULL, NULL, rw);

  /**
   * StompestClient:passcode: (attributes org.gtk.Property.set=stompest_client_set_passcode)
   *
   * The password sent in the `passcode` header of CONNECT, or %NULL for
   * none. It is write-only, so it cannot leak through property dumps, and
   * it is masked in logs and error messages.
   *
   * Since: 0.1
   */
  properties[PROP_PASSCODE] =
    g_param_spec_string ("passcode", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestClient:virtual-host: (attributes org.gtk.Property.get=stompest_client_get_virtual_host org.gtk.Property.set=stompest_client_set_virtual_host)
   *
   * The `host` header of CONNECT, or %NULL to send none.
   *
   * It defaults to `/`, which works with both big brokers as they come:
   * RabbitMQ reads `host` as the name of its virtual host and refuses
   * any other that does not exist (its default one is `/`; a broker's host
   * name, which the specification suggests, is refused), while ActiveMQ
   * ignores the header.
   *
   * Since: 0.1
   */
  properties[PROP_VIRTUAL_HOST] =
    g_param_spec_string ("virtual-host", NULL, NULL, DEFAULT_VIRTUAL_HOST,
                         rw | G_PARAM_CONSTRUCT);

  /**
   * StompestClient:max-version: (attributes org.gtk.Property.get=stompest_client_get_max_version org.gtk.Property.set=stompest_client_set_max_version)
   *
   * The highest STOMP version to offer; CONNECT offers every version up
   * to it and the broker picks one (see [property@Stompest.Client:version]).
   *
   * Since: 0.1
   */
  properties[PROP_MAX_VERSION] =
    g_param_spec_enum ("max-version", NULL, NULL, STOMPEST_TYPE_VERSION,
                       STOMPEST_VERSION_STOMP_1_2, rw);

  /**
   * StompestClient:heart-beat-send: (attributes org.gtk.Property.get=stompest_client_get_heart_beat_send org.gtk.Property.set=stompest_client_set_heart_beat_send)
   *
   * How often, in milliseconds, the client offers to send heart-beats
   * (the first number of CONNECT's `heart-beat` header); 0 for never.
   *
   * It defaults to 0 because the client can only beat while the caller is
   * inside one of its calls: a program that does other work between
   * calls for longer than the negotiated period would be dropped by the
   * broker. Set it when the program waits in
   * [method@Stompest.Client.receive_frame] or calls
   * [method@Stompest.Client.beat] often enough.
   *
   * Since: 0.1
   */
  properties[PROP_HEART_BEAT_SEND] =
    g_param_spec_uint ("heart-beat-send", NULL, NULL, 0, G_MAXUINT, 0, rw);

  /**
   * StompestClient:heart-beat-receive: (attributes org.gtk.Property.get=stompest_client_get_heart_beat_receive org.gtk.Property.set=stompest_client_set_heart_beat_receive)
   *
   * How often, in milliseconds, the client asks the broker for
   * heart-beats (the second number of CONNECT's `heart-beat` header); 0
   * for never. A broker silent for longer than twice the negotiated
   * period is taken for dead, but this is only noticed while the caller
   * waits in a call of the client, which is why it defaults to 0.
   *
   * Since: 0.1
   */
  properties[PROP_HEART_BEAT_RECEIVE] =
    g_param_spec_uint ("heart-beat-receive", NULL, NULL, 0, G_MAXUINT, 0, rw);

  /**
   * StompestClient:connect-timeout: (attributes org.gtk.Property.get=stompest_client_get_connect_timeout org.gtk.Property.set=stompest_client_set_connect_timeout)
   *
   * The time allowed for each transport connect (name resolution, TCP,
   * TLS handshake), in milliseconds; 0 for no limit. The default is 10 s.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECT_TIMEOUT] = timeout_pspec ("connect-timeout", DEFAULT_CONNECT_TIMEOUT);

  /**
   * StompestClient:connected-timeout: (attributes org.gtk.Property.get=stompest_client_get_connected_timeout org.gtk.Property.set=stompest_client_set_connected_timeout)
   *
   * The time allowed for the broker to answer CONNECT, in milliseconds;
   * 0 for no limit. The default is 10 s.
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTED_TIMEOUT] = timeout_pspec ("connected-timeout", DEFAULT_CONNECTED_TIMEOUT);

  /**
   * StompestClient:receipt-timeout: (attributes org.gtk.Property.get=stompest_client_get_receipt_timeout org.gtk.Property.set=stompest_client_set_receipt_timeout)
   *
   * The time a command given a receipt waits for its RECEIPT, in
   * milliseconds; 0 for no limit. The default is 10 s.
   *
   * Since: 0.1
   */
  properties[PROP_RECEIPT_TIMEOUT] = timeout_pspec ("receipt-timeout", DEFAULT_RECEIPT_TIMEOUT);

  /**
   * StompestClient:disconnect-timeout: (attributes org.gtk.Property.get=stompest_client_get_disconnect_timeout org.gtk.Property.set=stompest_client_set_disconnect_timeout)
   *
   * The time [method@Stompest.Client.disconnect_sync] waits for the
   * RECEIPT of DISCONNECT, in milliseconds; 0 for no limit. The default is
   * 5 s.
   *
   * Since: 0.1
   */
  properties[PROP_DISCONNECT_TIMEOUT] = timeout_pspec ("disconnect-timeout", DEFAULT_DISCONNECT_TIMEOUT);

  /**
   * StompestClient:send-timeout: (attributes org.gtk.Property.get=stompest_client_get_send_timeout org.gtk.Property.set=stompest_client_set_send_timeout)
   *
   * The time allowed to write one frame, in milliseconds; 0 for no limit.
   * The default is 10 s.
   *
   * It bounds every write: the frames of [method@Stompest.Client.send],
   * [method@Stompest.Client.subscribe], [method@Stompest.Client.ack] and
   * every other command (CONNECT and the replayed subscriptions
   * included), heart-beats, and the waits for the broker to take more
   * bytes. A broker that stops reading would otherwise block a send for
   * as long as it keeps the connection open. When it runs out, the call
   * fails with %STOMPEST_ERROR_TIMEOUT naming the broker, and the
   * connection is closed: part of the frame may have gone out, and a
   * stream holding half a frame cannot carry another one. The
   * subscriptions are kept for the next
   * [method@Stompest.Client.connect_sync].
   *
   * The limit is on the whole frame, so allow for the size of the
   * largest body over the slowest link, or set 0 and rely on a
   * [class@Gio.Cancellable] or heart-beats instead.
   *
   * Since: 0.1
   */
  properties[PROP_SEND_TIMEOUT] = timeout_pspec ("send-timeout", DEFAULT_SEND_TIMEOUT);

  /**
   * StompestClient:write-buffer-size: (attributes org.gtk.Property.get=stompest_client_get_write_buffer_size org.gtk.Property.set=stompest_client_set_write_buffer_size)
   *
   * How many bytes of frames may wait in the client before they are
   * written; 0, the default, writes every frame as it is made, as
   * stompest does.
   *
   * A producer or a consumer that acknowledges each message spends most
   * of its time in the system call that writes each small frame. With a
   * write buffer (64 KiB, say), [method@Stompest.Client.send],
   * [method@Stompest.Client.ack], [method@Stompest.Client.nack] and the
   * other commands put their frames in the buffer, and it is written in
   * one go when it is full, whenever a call waits for the broker
   * ([method@Stompest.Client.receive_frame],
   * [method@Stompest.Client.can_read], a receipt,
   * [method@Stompest.Client.disconnect_sync]), with each heart-beat, and by
   * [method@Stompest.Client.flush]. A body larger than 16 KiB is never
   * copied into the buffer: it is written at once, after what the buffer
   * holds.
   *
   * The price: a call may return before its frame left, so a write that
   * fails is reported by a later call, and frames still in the buffer are
   * lost when the connection is closed with [method@Stompest.Client.close]
   * or the client is freed. Call [method@Stompest.Client.flush] (or ask
   * for a receipt) before a pause in which no call is made, and end with
   * [method@Stompest.Client.disconnect_sync]. Changing it applies to the
   * next frame; making it smaller does not write what the buffer holds.
   *
   * Since: 0.1
   */
  properties[PROP_WRITE_BUFFER_SIZE] =
    g_param_spec_uint ("write-buffer-size", NULL, NULL,
                       0, G_MAXINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestClient:connected: (attributes org.gtk.Property.get=stompest_client_is_connected)
   *
   * Whether a STOMP session is up: CONNECTED was received and the
   * connection has not been closed or lost since. Its getter is
   * [method@Stompest.Client.is_connected].
   *
   * Since: 0.1
   */
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE, ro);

  /**
   * StompestClient:broker-uri: (attributes org.gtk.Property.get=stompest_client_get_broker_uri)
   *
   * The broker of the current connection, or of the last one tried.
   *
   * Since: 0.1
   */
  properties[PROP_BROKER_URI] =
    g_param_spec_string ("broker-uri", NULL, NULL, NULL, ro);

  /**
   * StompestClient:version: (attributes org.gtk.Property.get=stompest_client_get_version)
   *
   * The negotiated STOMP version, or
   * [property@Stompest.Client:max-version] when not connected.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_enum ("version", NULL, NULL, STOMPEST_TYPE_VERSION,
                       STOMPEST_VERSION_STOMP_1_2, ro);

  /**
   * StompestClient:server: (attributes org.gtk.Property.get=stompest_client_get_server)
   *
   * The `server` header of CONNECTED, while connected.
   *
   * Since: 0.1
   */
  properties[PROP_SERVER] = g_param_spec_string ("server", NULL, NULL, NULL, ro);

  /**
   * StompestClient:session-id: (attributes org.gtk.Property.get=stompest_client_get_session_id)
   *
   * The `session` header of CONNECTED, while connected.
   *
   * Since: 0.1
   */
  properties[PROP_SESSION_ID] = g_param_spec_string ("session-id", NULL, NULL, NULL, ro);

  /**
   * StompestClient:send-period: (attributes org.gtk.Property.get=stompest_client_get_send_period)
   *
   * The negotiated period of the client's heart-beats, in milliseconds;
   * 0 when it sends none.
   *
   * Since: 0.1
   */
  properties[PROP_SEND_PERIOD] =
    g_param_spec_uint ("send-period", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * StompestClient:receive-period: (attributes org.gtk.Property.get=stompest_client_get_receive_period)
   *
   * The negotiated period of the broker's heart-beats, in milliseconds;
   * 0 when it sends none.
   *
   * Since: 0.1
   */
  properties[PROP_RECEIVE_PERIOD] =
    g_param_spec_uint ("receive-period", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stompest_client_init (StompestClient *self)
{
  self->max_version = STOMPEST_VERSION_STOMP_1_2;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->connected_timeout = DEFAULT_CONNECTED_TIMEOUT;
  self->receipt_timeout = DEFAULT_RECEIPT_TIMEOUT;
  self->disconnect_timeout = DEFAULT_DISCONNECT_TIMEOUT;
  self->send_timeout = DEFAULT_SEND_TIMEOUT;
  self->transports = stompest_connection_transports_new ();
  self->protocol = stompest_protocol_new (self->max_version);
  self->parser = stompest_parser_new ();
  self->context = g_main_context_new ();
  self->poll_fds = g_array_sized_new (FALSE, TRUE, sizeof (GPollFD), 4);
  g_array_set_size (self->poll_fds, 4);
  self->out = g_byte_array_new ();
  stompest_send_head_init (&self->send_head);
  g_queue_init (&self->frames);
  self->raw_receipts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

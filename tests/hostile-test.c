/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test-utils.h"

/* A hostile broker: the in-process fake broker (scripted replies, or the
 * raw server stream in DIRECT mode) sends garbage, breaks limits, lies
 * about lengths, stalls and drops. For each case StompestClient (and,
 * under /hostile/session/, StompestSession) must end with a GError that
 * names the problem, within its timeout, without leaking, and without
 * ever showing the passcode in an error or a log line. See
 * docs/reliability.md.
 *
 * Cases that show a bug end in g_test_incomplete() (TAP "TODO") with the
 * reason, so the default run stays green; each says what was expected. */

#define LOGIN "hostile-user"
#define PASSCODE "Pa55-HOSTILE-s3cr3t"
#define DESTINATION "/queue/hostile"
#define SUBSCRIPTION "sub-1"
#define MIB (1024 * 1024)
#define STREAM_SIZE ((guint64) 64 * MIB)

/* Written by the DIRECT brokers: its length is the offset of what follows. */
static const char connected_raw[] = "CONNECTED\nversion:1.2\nserver:hostile\nheart-beat:0,0\n\n";
#define CONNECTED_LEN (sizeof connected_raw)

#define MESSAGE_HEAD \
  "MESSAGE\ndestination:" DESTINATION "\nmessage-id:m-1\nsubscription:" SUBSCRIPTION "\n"

/* How much later than its bound a call may return: a loaded machine,
 * AddressSanitizer (a flood of 10 000 frames takes 0.5 s instead of
 * 0.1 s, seconds on a loaded machine) and valgrind are slow. A bound,
 * not a benchmark. */
static gint64
margin_ms (void)
{
  if (stompest_test_under_valgrind ())
    return 20000;
  return stompest_test_under_asan () ? 12000 : 3000;
}

/* The time allowed for what only has to end, not within a bound under
 * test: connects, TLS handshakes (which load the system trust store, for
 * many seconds under valgrind on a loaded machine), frames sure to come. */
static guint
long_timeout_ms (void)
{
  return stompest_test_under_valgrind () ? 180000 : 60000;
}

static gint64
elapsed_ms (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000;
}

/* A DIRECT broker thread: accepts one connection, reads CONNECT, answers
 * CONNECTED (unless it is silent), then streams, stops reading, or closes,
 * as set up. */

typedef enum {
  DIRECT_SILENT,        /* never reads, never answers */
  DIRECT_STREAM,        /* CONNECTED, then HEAD and PATTERN (or UNIT) until TOTAL bytes */
  DIRECT_DEAF,          /* CONNECTED, then stops reading */
} DirectMode;

typedef struct {
  DirectMode mode;
  const char *connected;        /* default: connected_raw */
  const char *head;             /* written before the pattern */
  char pattern;
  const char *unit;             /* repeated instead of PATTERN when set */
  gsize unit_size;
  guint64 total;                /* pattern bytes; G_MAXUINT64: until the peer goes */
  gboolean read_back;           /* STREAM: count what the client sends meanwhile */
  gboolean close_at_end;        /* close once everything is written */
  guint close_after_ms;         /* DEAF: close after this long (0: never) */

  StompestTestBroker *broker;
  GIOStream *stream;            /* the server end, while READ_BACK reads it */
  GThread *thread;
  GMutex mutex;
  GCond cond;
  gboolean stopped;             /* under mutex */
  gsize written;                /* atomic: pattern bytes written */
  gint finished;                /* atomic: all TOTAL bytes written */
  gsize read;                   /* atomic: bytes read back after CONNECT */
} Direct;

/* Waits until the test stops the broker, or for TIMEOUT_MS (-1: no
 * limit). TRUE when stopped. */
static gboolean
direct_wait_stopped (Direct *direct,
                     gint64  timeout_ms)
{
  gint64 deadline = timeout_ms < 0 ? G_MAXINT64 : g_get_monotonic_time () + timeout_ms * 1000;
  gboolean stopped;

  g_mutex_lock (&direct->mutex);
  while (!direct->stopped && g_cond_wait_until (&direct->cond, &direct->mutex, deadline))
    ;
  stopped = direct->stopped;
  g_mutex_unlock (&direct->mutex);
  return stopped;
}

/* Reads up to the NUL that ends the client's CONNECT frame. */
static gboolean
read_connect (GInputStream *input)
{
  char buffer[4096];
  gssize n;

  while ((n = g_input_stream_read (input, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      if (memchr (buffer, '\0', n) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
direct_stream (Direct        *direct,
               GOutputStream *output)
{
  char chunk[65536];
  gsize chunk_size = sizeof chunk;

  if (direct->unit != NULL)
    {
      /* Whole units only, so that every chunk ends between two. */
      chunk_size -= chunk_size % direct->unit_size;
      for (gsize at = 0; at < chunk_size; at += direct->unit_size)
        memcpy (chunk + at, direct->unit, direct->unit_size);
    }
  else
    memset (chunk, direct->pattern, sizeof chunk);
  if (direct->head != NULL &&
      !g_output_stream_write_all (output, direct->head, strlen (direct->head), NULL, NULL, NULL))
    return;

  while ((guint64) g_atomic_pointer_get (&direct->written) < direct->total)
    {
      guint64 left = direct->total - (guint64) g_atomic_pointer_get (&direct->written);
      gsize size = MIN (chunk_size, left);

      /* Fails once the client has hung up. */
      if (!g_output_stream_write_all (output, chunk, size, NULL, NULL, NULL))
        return;
      g_atomic_pointer_add (&direct->written, size);
    }
  g_atomic_int_set (&direct->finished, TRUE);
}

/* Counts what the client writes, until it hangs up. */
static gpointer
direct_read_back (gpointer data)
{
  Direct *direct = data;
  GInputStream *input = g_io_stream_get_input_stream (direct->stream);
  char buffer[4096];
  gssize n;

  while ((n = g_input_stream_read (input, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_atomic_pointer_add (&direct->read, n);
  return NULL;
}

static gpointer
direct_run (gpointer data)
{
  Direct *direct = data;
  g_autoptr(GIOStream) stream = stompest_test_broker_accept_direct (direct->broker, long_timeout_ms ());
  GThread *reader = NULL;
  GOutputStream *output;

  if (stream == NULL)
    return NULL;
  output = g_io_stream_get_output_stream (stream);

  if (direct->mode != DIRECT_SILENT)
    {
      const char *connected = direct->connected ? direct->connected : connected_raw;

      if (!read_connect (g_io_stream_get_input_stream (stream)) ||
          !g_output_stream_write_all (output, connected, strlen (connected) + 1, NULL, NULL, NULL))
        return NULL;
    }

  if (direct->mode == DIRECT_STREAM)
    {
      if (direct->read_back)
        {
          direct->stream = stream;
          reader = g_thread_new ("hostile-read-back", direct_read_back, direct);
        }
      direct_stream (direct, output);
      if (direct->close_at_end)
        g_io_stream_close (stream, NULL, NULL);
    }

  if (!direct_wait_stopped (direct, direct->close_after_ms > 0 ? (gint64) direct->close_after_ms : -1))
    {
      /* With unread bytes pending, this resets the connection. */
      g_io_stream_close (stream, NULL, NULL);
      direct_wait_stopped (direct, -1);
    }
  /* The client has hung up by now. */
  if (reader != NULL)
    g_thread_join (reader);
  return NULL;
}

static void
direct_start (Direct             *direct,
              StompestTestBroker *broker)
{
  direct->broker = broker;
  g_mutex_init (&direct->mutex);
  g_cond_init (&direct->cond);
  direct->thread = g_thread_new ("hostile-direct", direct_run, direct);
}

/* Call after the client closed its end, so a blocked write fails. */
static void
direct_stop (Direct *direct)
{
  if (direct->thread == NULL)
    return;

  g_mutex_lock (&direct->mutex);
  direct->stopped = TRUE;
  g_cond_broadcast (&direct->cond);
  g_mutex_unlock (&direct->mutex);
  g_clear_pointer (&direct->thread, g_thread_join);
  g_mutex_clear (&direct->mutex);
  g_cond_clear (&direct->cond);
}

/* Fixture. */

typedef struct {
  StompestTestBroker *broker;
  StompestClient *client;
  StompestParser *parser;
  Direct direct;
  gboolean no_connect;          /* the CONNECT frame is never written */

  /* The StompestSession half, on the test thread's default context. */
  StompestSession *session;
  StompestSubscription *subscription;
  GAsyncResult *result;         /* of the pending *_async call */
  GError *reason;               /* of ::disconnected */
  gboolean disconnected;
  guint n_messages;
  guint n_receipts;
  StompestMessage *last_message;
  GError *error;                /* the last of ::error */
  guint n_errors;
  guint n_messages_at_error;    /* how many messages came before it */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  stompest_test_log_capture_begin ();

  f->broker = stompest_test_broker_new (STOMPEST_TEST_BROKER_IN_THREAD | GPOINTER_TO_UINT (data));
  f->client = stompest_client_new (stompest_test_broker_get_uri (f->broker));
  f->parser = stompest_client_get_parser (f->client);
  stompest_client_set_login (f->client, LOGIN);
  stompest_client_set_passcode (f->client, PASSCODE);
  /* A TLS handshake under valgrind takes seconds. */
  stompest_client_set_connect_timeout (f->client, long_timeout_ms ());
  stompest_client_set_connected_timeout (f->client, long_timeout_ms ());
  stompest_client_set_receipt_timeout (f->client, long_timeout_ms ());
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *log = NULL;

  gpointer session = f->session;
  gint64 start;

  if (session != NULL)
    {
      g_signal_handlers_disconnect_by_data (session, f);
      g_object_add_weak_pointer (session, &session);
    }
  g_clear_object (&f->client);
  g_clear_object (&f->subscription);
  g_clear_object (&f->last_message);
  g_clear_object (&f->result);
  g_clear_error (&f->reason);
  g_clear_error (&f->error);
  g_clear_object (&f->session);
  direct_stop (&f->direct);
  g_clear_pointer (&f->broker, stompest_test_broker_free);

  /* A session with an operation under way lives until it ends; with the
   * broker gone, that must be soon, or it leaks into the next test. */
  start = g_get_monotonic_time ();
  while (session != NULL && elapsed_ms (start) < margin_ms ())
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (session);

  log = stompest_test_log_capture_end ();

  /* The trace was captured (so the check below means something), and the
   * passcode is in no log line. */
  if (!f->no_connect)
    g_assert_nonnull (strstr (log, "login:" LOGIN));
  g_assert_null (strstr (log, PASSCODE));
}

/* Checks ERROR: DOMAIN and CODE, each of the NULL-terminated substrings,
 * and no passcode. */
static void
assert_error_says (const GError *error,
                   GQuark        domain,
                   int           code,
                   const char   *first,
                   ...)
{
  va_list args;

  g_assert_error (error, domain, code);
  g_test_message ("error: %s", error->message);
  va_start (args, first);
  for (const char *part = first; part != NULL; part = va_arg (args, const char *))
    {
      if (strstr (error->message, part) == NULL)
        g_error ("“%s” is not in the error message “%s”", part, error->message);
    }
  va_end (args);
  g_assert_null (strstr (error->message, PASSCODE));
}

static void
assert_error_at (const GError *error,
                 int           code,
                 guint64       offset,
                 const char   *what)
{
  g_autofree char *byte = g_strdup_printf ("byte %" G_GUINT64_FORMAT ":", offset);

  assert_error_says (error, STOMPEST_ERROR, code, byte, what, NULL);
}

/* A call that fails on bad input must not sit until a timeout. */
static void
assert_prompt (gint64 start)
{
  gint64 ms = elapsed_ms (start);

  g_test_message ("took %" G_GINT64_FORMAT " ms", ms);
  g_assert_cmpint (ms, <, margin_ms ());
}

/* A TLS handshake loads the system trust store: slow under valgrind, but
 * still far from the connect timeout, so the failure was not a timeout. */
static void
assert_handshake_prompt (gint64 start)
{
  gint64 ms = elapsed_ms (start);

  g_test_message ("took %" G_GINT64_FORMAT " ms", ms);
  g_assert_cmpint (ms, <, long_timeout_ms () / 2);
}

/* A call with a TIMEOUT_MS bound ends at that bound, not much later. */
static void
assert_bounded (gint64 start,
                gint64 timeout_ms)
{
  gint64 ms = elapsed_ms (start);

  g_test_message ("took %" G_GINT64_FORMAT " ms (bound %" G_GINT64_FORMAT " ms)", ms, timeout_ms);
  g_assert_cmpint (ms, >=, timeout_ms);
  g_assert_cmpint (ms, <, timeout_ms + margin_ms ());
}

static void G_GNUC_PRINTF (1, 2)
known_bug (const char *format,
           ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("KNOWN BUG: %s", reason);
  g_test_incomplete (reason);
}

static void
connect_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stompest_client_connect_sync (f->client, NULL, &error));
  g_assert_no_error (error);
}

/* Subscribes as SUBSCRIPTION, which sets the scripted broker off. */
static void
subscribe_ok (Fixture *f)
{
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  g_hash_table_insert (headers, (gpointer) "id", (gpointer) SUBSCRIPTION);
  token = stompest_client_subscribe (f->client, DESTINATION, STOMPEST_ACK_MODE_AUTO,
                                     headers, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, SUBSCRIPTION);
}

/* Connects, then subscribes: the broker's script runs. Returns the
 * stream offset at which what the script sends starts. */
static guint64
connect_and_trigger (Fixture *f)
{
  guint64 base;

  connect_ok (f);
  base = stompest_parser_get_offset (f->parser);
  g_assert_cmpuint (base, >, 0);
  subscribe_ok (f);
  return base;
}

static GError *
receive_error (Fixture *f,
               int      timeout_ms)
{
  g_autoptr(StompestFrame) frame = NULL;
  GError *error = NULL;

  frame = stompest_client_receive_frame (f->client, timeout_ms, NULL, &error);
  g_assert_null (frame);
  g_assert_nonnull (error);
  return error;
}

/* Scripted broker: when the client sends TRIGGER, answer with BYTES
 * (all at once, or one byte every PACE_MS), then maybe close. */

typedef struct {
  const char *trigger;
  const char *bytes;
  gsize len;
  guint pace_ms;
  gboolean close;
} Script;

#define BYTES(literal) literal, sizeof literal - 1

static gboolean
play_script (StompestTestConnection *connection,
             StompestFrame          *frame,
             gpointer                data)
{
  const Script *script = data;

  if (strcmp (stompest_frame_get_command (frame), script->trigger) != 0)
    return FALSE;

  if (script->pace_ms == 0)
    stompest_test_connection_send_raw (connection, script->bytes, script->len);
  else
    {
      for (gsize i = 0; i < script->len; i++)
        {
          stompest_test_connection_send_raw (connection, script->bytes + i, 1);
          stompest_test_connection_delay (connection, script->pace_ms);
        }
    }
  if (script->close)
    stompest_test_connection_close (connection);
  return TRUE;
}

static void
use_script (Fixture      *f,
            const Script *script)
{
  stompest_test_broker_set_frame_func (f->broker, play_script, (gpointer) script);
}

/* Garbage. */

static void
test_connect_garbage (Fixture       *f,
                      gconstpointer  data)
{
  static const Script script = { "CONNECT", BYTES ("HTTP/1.1 400 Bad Request\r\n"
                                                   "Content-Length: 0\r\n\r\n") };
  g_autoptr(GError) error = NULL;
  gint64 start;

  use_script (f, &script);
  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  assert_error_at (error, STOMPEST_ERROR_PARSE, 0, "unknown command 'HTTP/1.1 400 Bad Request'");
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_PARSE,
                     stompest_test_broker_get_uri (f->broker), NULL);
  assert_prompt (start);
  g_assert_false (stompest_client_is_connected (f->client));
}

static void
test_garbage_mid_stream (Fixture       *f,
                         gconstpointer  data)
{
  /* Two heart-beats, then a TLS ClientHello-like binary blob. */
  static const Script script = { "SUBSCRIBE", BYTES ("\n\n\x16\x03\x01\x02\x00\x01\x00\x01\xfc\n") };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  guint64 base;
  gint64 start;

  use_script (f, &script);
  base = connect_and_trigger (f);
  start = g_get_monotonic_time ();
  error = receive_error (f, long_timeout_ms ());
  assert_error_at (error, STOMPEST_ERROR_PARSE, base + 2, "unknown command '\\x16\\x03\\x01\\x02");
  assert_prompt (start);
  g_assert_false (stompest_client_is_connected (f->client));

  again = receive_error (f, 0);
  g_assert_error (again, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
}

static void
test_garbage_echoes_passcode (Fixture       *f,
                              gconstpointer  data)
{
  /* A broker echoes the credentials it was given as a command line. */
  static const Script script = { "SUBSCRIBE", BYTES (LOGIN ":" PASSCODE "\n\n") };
  g_autoptr(GError) error = NULL;
  guint64 base;

  use_script (f, &script);
  base = connect_and_trigger (f);
  error = receive_error (f, long_timeout_ms ());
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PARSE);
  g_test_message ("error: %s", error->message);
  if (strstr (error->message, PASSCODE) != NULL)
    {
      known_bug ("a malformed frame after CONNECTED puts the passcode in the error message "
                 "(stompest_connection_malformed_error is not scrubbed in client_next_frame)");
      return;
    }
  assert_error_at (error, STOMPEST_ERROR_PARSE, base, "unknown command '" LOGIN ":");
}

/* Limits. */

static void
test_limit_frame_size (Fixture       *f,
                       gconstpointer  data)
{
  static const Script script = { "SUBSCRIBE", BYTES (MESSAGE_HEAD "content-length:100000\n\n") };
  g_autoptr(GError) error = NULL;
  guint64 base;
  gint64 start;

  stompest_parser_set_max_frame_size (f->parser, 4096);
  use_script (f, &script);
  base = connect_and_trigger (f);
  start = g_get_monotonic_time ();
  error = receive_error (f, long_timeout_ms ());
  /* The offset of the header value. */
  assert_error_at (error, STOMPEST_ERROR_FRAME_TOO_LARGE,
                   base + strlen (MESSAGE_HEAD "content-length:"), "content-length 100000");
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_FRAME_TOO_LARGE, "limit of 4096 bytes", NULL);
  assert_prompt (start);
  g_assert_false (stompest_client_is_connected (f->client));
}

static void
test_limit_header_line (Fixture       *f,
                        gconstpointer  data)
{
  static Script script = { "SUBSCRIBE" };
  g_autofree char *bytes = NULL;
  g_autofree char *value = g_strnfill (1000, 'v');
  g_autoptr(GError) error = NULL;
  guint64 base;

  bytes = g_strconcat (MESSAGE_HEAD "x-long:", value, "\n\n", NULL);
  script.bytes = bytes;
  script.len = strlen (bytes) + 1;
  stompest_parser_set_max_header_line_length (f->parser, 256);
  use_script (f, &script);
  base = connect_and_trigger (f);
  error = receive_error (f, long_timeout_ms ());
  /* Where the line crossed the limit. */
  assert_error_at (error, STOMPEST_ERROR_FRAME_TOO_LARGE,
                   base + strlen (MESSAGE_HEAD) + 256, "line longer than the limit of 256 bytes");
}

static void
test_limit_header_count (Fixture       *f,
                         gconstpointer  data)
{
  static Script script = { "SUBSCRIBE" };
  g_autoptr(GString) bytes = g_string_new (MESSAGE_HEAD);
  g_autoptr(GError) error = NULL;
  guint64 base;
  gsize ninth = 0;

  /* MESSAGE_HEAD holds 3 headers; the 9th starts the 6th extra line. */
  for (guint i = 0; i < 20; i++)
    {
      if (i == 5)
        ninth = bytes->len;
      g_string_append_printf (bytes, "x-h%02u:v\n", i);
    }
  g_string_append (bytes, "\n");
  script.bytes = bytes->str;
  script.len = bytes->len + 1;
  stompest_parser_set_max_header_count (f->parser, 8);
  use_script (f, &script);
  base = connect_and_trigger (f);
  error = receive_error (f, long_timeout_ms ());
  assert_error_at (error, STOMPEST_ERROR_FRAME_TOO_LARGE, base + ninth, "more than the limit of 8 headers");
}

/* Peak RSS, in bytes, since the last reset_peak_rss(). */
static guint64
peak_rss (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10) * 1024;
}

/* Without it, an earlier test's peak would hide this one's. */
static void
reset_peak_rss (void)
{
  FILE *clear_refs = g_fopen ("/proc/self/clear_refs", "w");

  g_assert_nonnull (clear_refs);
  g_assert_cmpint (fputs ("5", clear_refs), >=, 0);
  g_assert_cmpint (fclose (clear_refs), ==, 0);
}

/* Under valgrind and AddressSanitizer, RSS is mostly their shadow memory
 * and the quarantine of freed blocks, not what the client holds. */
static gboolean
rss_is_meaningful (void)
{
  if (stompest_test_under_asan ())
    g_test_message ("peak RSS not checked under AddressSanitizer");
  else if (stompest_test_under_valgrind ())
    g_test_message ("peak RSS not checked under valgrind");
  else
    return TRUE;
  return FALSE;
}

static void
test_limit_endless_body (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint64 rss_before;
  guint64 growth;
  guint64 written;
  gint64 start;

  f->direct.mode = DIRECT_STREAM;
  f->direct.head = MESSAGE_HEAD "\n";
  f->direct.pattern = 'x';
  f->direct.total = STREAM_SIZE;
  direct_start (&f->direct, f->broker);

  stompest_parser_set_max_frame_size (f->parser, MIB);
  connect_ok (f);
  reset_peak_rss ();
  rss_before = peak_rss ();

  start = g_get_monotonic_time ();
  error = receive_error (f, long_timeout_ms ());
  written = g_atomic_pointer_get (&f->direct.written);
  g_assert_false (g_atomic_int_get (&f->direct.finished));
  growth = peak_rss () - rss_before;

  assert_error_at (error, STOMPEST_ERROR_FRAME_TOO_LARGE, CONNECTED_LEN + MIB,
                   "frame larger than the limit of 1048576 bytes");
  assert_prompt (start);
  g_test_message ("the broker had written %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                  " bytes; peak RSS grew by %" G_GUINT64_FORMAT " bytes",
                  written, STREAM_SIZE, growth);
  g_assert_cmpuint (written, <, STREAM_SIZE);
  if (rss_is_meaningful ())
    g_assert_cmpuint (growth, <, STREAM_SIZE / 8);

  /* It never gets further: the client hung up. */
  g_clear_object (&f->client);
  g_clear_object (&f->subscription);
  g_clear_object (&f->last_message);
  g_clear_object (&f->result);
  g_clear_error (&f->reason);
  g_clear_object (&f->session);
  direct_stop (&f->direct);
  g_assert_false (g_atomic_int_get (&f->direct.finished));
}

/* Escapes and colons (STOMP 1.2). */

static void
test_escape_invalid (Fixture       *f,
                     gconstpointer  data)
{
  static const Script script = { "SUBSCRIBE", BYTES (MESSAGE_HEAD "x-note:tab\\there\n\n") };
  g_autoptr(GError) error = NULL;
  guint64 base;

  use_script (f, &script);
  base = connect_and_trigger (f);
  error = receive_error (f, long_timeout_ms ());
  assert_error_at (error, STOMPEST_ERROR_PARSE, base + strlen (MESSAGE_HEAD "x-note:tab"),
                   "undefined escape sequence \\t in header 'x-note'");
}

static const Script raw_colon_script = {
  "SUBSCRIBE", BYTES (MESSAGE_HEAD "x-url:http://example.org/\n\nbody\0")
};

static void
test_escape_raw_colon_strict (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint64 base;

  use_script (f, &raw_colon_script);
  base = connect_and_trigger (f);
  error = receive_error (f, long_timeout_ms ());
  assert_error_at (error, STOMPEST_ERROR_PARSE, base + strlen (MESSAGE_HEAD "x-url:http"),
                   "raw ':' in the value of header 'x-url'");
}

static void
test_escape_raw_colon_lenient (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *body;

  stompest_parser_set_lenient (f->parser, TRUE);
  use_script (f, &raw_colon_script);
  connect_and_trigger (f);
  frame = stompest_client_receive_frame (f->client, long_timeout_ms (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (frame, "x-url"), ==, "http://example.org/");
  body = stompest_frame_get_body (frame);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "body", 4);
  g_assert_true (stompest_client_is_connected (f->client));
}

/* Lying content-length. */

static void
test_content_length_short (Fixture       *f,
                           gconstpointer  data)
{
  static const Script script = { "SUBSCRIBE", BYTES (MESSAGE_HEAD "content-length:3\n\nhello") };
  g_autoptr(GError) error = NULL;
  guint64 base;
  gint64 start;

  use_script (f, &script);
  base = connect_and_trigger (f);
  start = g_get_monotonic_time ();
  error = receive_error (f, long_timeout_ms ());
  assert_error_at (error, STOMPEST_ERROR_PARSE, base + strlen (MESSAGE_HEAD "content-length:3\n\nhel"),
                   "no NUL byte after the 3-byte body given by content-length");
  assert_prompt (start);
  g_assert_false (stompest_client_is_connected (f->client));
}

static void
test_content_length_long (Fixture       *f,
                          gconstpointer  data)
{
  static const Script script = { "SUBSCRIBE", BYTES (MESSAGE_HEAD "content-length:100\n\nhello") };
  g_autoptr(GError) error = NULL;
  gint64 start;
  g_autofree char *within = NULL;

  use_script (f, &script);
  connect_and_trigger (f);
  start = g_get_monotonic_time ();
  error = receive_error (f, 2000);
  within = g_strdup_printf ("%s within 2000 ms", stompest_test_broker_get_uri (f->broker));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT, within, NULL);
  assert_bounded (start, 2000);
  /* Only the wait failed. */
  g_assert_true (stompest_client_is_connected (f->client));
}

/* Connections that end or stall. */

static void
test_missing_nul (Fixture       *f,
                  gconstpointer  data)
{
  static const Script script = { "SUBSCRIBE", BYTES (MESSAGE_HEAD "\nno terminator"), 0, TRUE };
  g_autoptr(GError) error = NULL;
  gint64 start;

  use_script (f, &script);
  connect_and_trigger (f);
  start = g_get_monotonic_time ();
  error = receive_error (f, long_timeout_ms ());
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                     stompest_test_broker_get_uri (f->broker), "closed the connection", NULL);
  assert_prompt (start);
  g_assert_false (stompest_client_is_connected (f->client));
}

static void
test_slowloris (Fixture       *f,
                gconstpointer  data)
{
  static const Script script = { "SUBSCRIBE", BYTES (MESSAGE_HEAD "\nslow body"), 1000 };
  g_autoptr(GError) error = NULL;
  guint64 base;
  gint64 start;

  use_script (f, &script);
  base = connect_and_trigger (f);
  start = g_get_monotonic_time ();
  error = receive_error (f, 2000);
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT, "within 2000 ms", NULL);
  assert_bounded (start, 2000);
  /* Bytes kept coming, one a second, during the wait. */
  g_assert_cmpuint (stompest_parser_get_offset (f->parser), >=, base + 2);
  g_assert_true (stompest_client_is_connected (f->client));
}

/* Turns a hang into a failure: cancels after DELAY_MS unless stopped. */
typedef struct {
  GCancellable *cancellable;
  guint delay_ms;
  GMutex mutex;
  GCond cond;
  gboolean stopped;
  GThread *thread;
} Watchdog;

static gpointer
watchdog_run (gpointer data)
{
  Watchdog *dog = data;
  gint64 deadline = g_get_monotonic_time () + (gint64) dog->delay_ms * 1000;

  g_mutex_lock (&dog->mutex);
  while (!dog->stopped && g_cond_wait_until (&dog->cond, &dog->mutex, deadline))
    ;
  if (!dog->stopped)
    g_cancellable_cancel (dog->cancellable);
  g_mutex_unlock (&dog->mutex);
  return NULL;
}

static void
watchdog_start (Watchdog *dog,
                guint     delay_ms)
{
  dog->cancellable = g_cancellable_new ();
  dog->delay_ms = delay_ms;
  g_mutex_init (&dog->mutex);
  g_cond_init (&dog->cond);
  dog->thread = g_thread_new ("watchdog", watchdog_run, dog);
}

static void
watchdog_stop (Watchdog *dog)
{
  g_mutex_lock (&dog->mutex);
  dog->stopped = TRUE;
  g_cond_signal (&dog->cond);
  g_mutex_unlock (&dog->mutex);
  g_thread_join (dog->thread);
  g_mutex_clear (&dog->mutex);
  g_cond_clear (&dog->cond);
  g_clear_object (&dog->cancellable);
}

static void
test_eol_flood (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  Watchdog dog = { 0 };
  gsize beats;
  gint64 start;

  /* Heart-beats as fast as the socket takes them, for ever; the broker
   * wants one from the client every 100 ms. */
  f->direct.mode = DIRECT_STREAM;
  f->direct.connected = "CONNECTED\nversion:1.2\nheart-beat:0,100\n\n";
  f->direct.pattern = '\n';
  f->direct.total = G_MAXUINT64;
  f->direct.read_back = TRUE;
  direct_start (&f->direct, f->broker);
  stompest_client_set_heart_beat_send (f->client, 100);
  connect_ok (f);
  g_assert_cmpuint (stompest_client_get_send_period (f->client), ==, 100);

  /* The watchdog turns the hang of a regression into a failure. */
  watchdog_start (&dog, 2000 + 2 * margin_ms ());
  start = g_get_monotonic_time ();
  frame = stompest_client_receive_frame (f->client, 2000, dog.cancellable, &error);
  watchdog_stop (&dog);
  beats = g_atomic_pointer_get (&f->direct.read);
  g_assert_null (frame);
  g_test_message ("%" G_GSIZE_FORMAT " heart-beat bytes written, %" G_GSIZE_FORMAT " read back",
                  (gsize) g_atomic_pointer_get (&f->direct.written), beats);
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT, "within 2000 ms", NULL);
  assert_bounded (start, 2000);
  g_assert_true (stompest_client_is_connected (f->client));

  /* The client's own heart-beats went out on time meanwhile: 20 were
   * due; half of them is a bound that a slow machine keeps. */
  g_assert_cmpuint (beats, >=, 10);
}

/* RECEIPTs, ERRORs and frames the client never asked for. */

static gboolean
error_after_messages (StompestTestConnection *connection,
                      StompestFrame          *frame,
                      gpointer                data)
{
  static const char bytes[] =
    MESSAGE_HEAD "\nfirst\0"
    MESSAGE_HEAD "\nsecond\0\n"
    "ERROR\nmessage:Quota exceeded for " LOGIN "/" PASSCODE "\n\nsee the broker log\0";

  if (strcmp (stompest_frame_get_command (frame), "SEND") != 0)
    return FALSE;
  /* The receipt never comes; the socket stays open (RabbitMQ). */
  stompest_test_connection_send_raw (connection, bytes, sizeof bytes - 1);
  return TRUE;
}

static void
test_error_awaiting_receipt (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lost = NULL;
  StompestFrame *error_frame;
  gint64 start;

  stompest_test_broker_set_frame_func (f->broker, error_after_messages, NULL);
  connect_and_trigger (f);
  g_hash_table_insert (headers, (gpointer) "receipt", (gpointer) "send-1");

  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_send (f->client, DESTINATION, body, headers, NULL, &error));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR,
                     stompest_test_broker_get_uri (f->broker), "Quota exceeded for " LOGIN, NULL);
  assert_prompt (start);
  g_assert_false (stompest_client_is_connected (f->client));
  error_frame = stompest_client_get_error_frame (f->client);
  g_assert_nonnull (error_frame);

  /* The MESSAGEs read while waiting are still handed out, then the loss. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(StompestFrame) message = stompest_client_receive_frame (f->client, 0, NULL, &local_error);

      g_assert_no_error (local_error);
      g_assert_cmpstr (stompest_frame_get_command (message), ==, "MESSAGE");
    }
  lost = receive_error (f, 0);
  g_assert_error (lost, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
}

/* The frame the unsolicited one comes before. */
#define SENTINEL MESSAGE_HEAD "\nsentinel\0"

/* An unsolicited frame, then a good MESSAGE: the call that reaches the
 * first fails with PROTOCOL naming WHAT (through can_read() when
 * BY_CAN_READ), in its place in the stream; the connection stays up and
 * the next call gives the MESSAGE. */
static void
unsolicited (Fixture    *f,
             const char *what,
             gboolean    by_can_read)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) sentinel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = g_strdup_printf ("from %s", stompest_test_broker_get_uri (f->broker));
  gint64 start;

  connect_and_trigger (f);
  start = g_get_monotonic_time ();
  if (by_can_read)
    g_assert_false (stompest_client_can_read (f->client, long_timeout_ms (), NULL, &error));
  else
    {
      frame = stompest_client_receive_frame (f->client, long_timeout_ms (), NULL, &error);
      g_assert_null (frame);
    }
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL, what, from, NULL);
  assert_prompt (start);
  g_assert_true (stompest_client_is_connected (f->client));

  g_clear_error (&error);
  sentinel = stompest_client_receive_frame (f->client, long_timeout_ms (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (sentinel, "message-id"), ==, "m-1");
}

static const Script unknown_receipt_script = {
  "SUBSCRIBE", BYTES ("RECEIPT\nreceipt-id:never-asked\n\n\0" SENTINEL)
};

static const Script unknown_subscription_script = {
  "SUBSCRIBE", BYTES ("MESSAGE\ndestination:/queue/other\nmessage-id:m-9\nsubscription:no-such-sub\n\nhi\0"
                      SENTINEL)
};

static void
test_receipt_unknown (Fixture       *f,
                      gconstpointer  data)
{
  use_script (f, &unknown_receipt_script);
  unsolicited (f, "receipt “never-asked”", FALSE);
}

static void
test_receipt_unknown_can_read (Fixture       *f,
                               gconstpointer  data)
{
  use_script (f, &unknown_receipt_script);
  unsolicited (f, "receipt “never-asked”", TRUE);
}

static void
test_message_unknown_subscription (Fixture       *f,
                                   gconstpointer  data)
{
  use_script (f, &unknown_subscription_script);
  unsolicited (f, "subscription “no-such-sub”", FALSE);
}

/* The RECEIPT of a wait that timed out is the client's own: it is
 * dropped quietly when it comes after all. */
static void
test_receipt_late (Fixture       *f,
                   gconstpointer  data)
{
  /* Paced: the RECEIPT takes over 600 ms, twice the receipt timeout. */
  static const Script script = { "BEGIN", BYTES ("RECEIPT\nreceipt-id:begin-1\n\n\0" SENTINEL), 20 };
  g_autoptr(StompestFrame) sentinel = NULL;
  g_autoptr(GError) error = NULL;

  use_script (f, &script);
  connect_and_trigger (f);
  stompest_client_set_receipt_timeout (f->client, 300);
  g_assert_false (stompest_client_begin (f->client, "tx-1", "begin-1", NULL, &error));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT, "begin-1", "300 ms", NULL);
  g_clear_error (&error);

  sentinel = stompest_client_receive_frame (f->client, long_timeout_ms (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (sentinel), ==, "MESSAGE");
  g_assert_cmpstr (stompest_frame_get_header (sentinel, "message-id"), ==, "m-1");
  g_assert_true (stompest_client_is_connected (f->client));
}

/* Closes in the middle of a frame: in a header line, and inside a
 * content-length body while the client waits for a receipt. */

static void
test_close_mid_header (Fixture       *f,
                       gconstpointer  data)
{
  static const Script script = { "SUBSCRIBE", BYTES ("MESSAGE\ndestination:/queue/hos"), 0, TRUE };
  g_autoptr(GError) error = NULL;
  gint64 start;

  use_script (f, &script);
  connect_and_trigger (f);
  start = g_get_monotonic_time ();
  error = receive_error (f, long_timeout_ms ());
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                     stompest_test_broker_get_uri (f->broker), "closed the connection", NULL);
  assert_prompt (start);
}

static void
test_close_mid_body_awaiting_receipt (Fixture       *f,
                                      gconstpointer  data)
{
  static const Script script = {
    "BEGIN", BYTES (MESSAGE_HEAD "content-length:1000\n\nonly ten b"), 0, TRUE
  };
  g_autoptr(GError) error = NULL;
  gint64 start;

  use_script (f, &script);
  connect_and_trigger (f);
  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_begin (f->client, "tx-1", "begin-1", NULL, &error));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                     stompest_test_broker_get_uri (f->broker), "closed the connection", NULL);
  assert_prompt (start);
  g_assert_false (stompest_client_is_connected (f->client));
}

/* Brokers that stop answering or reading. */

static void
test_connect_silent (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *within = NULL;
  gint64 start;

  f->direct.mode = DIRECT_SILENT;
  direct_start (&f->direct, f->broker);
  stompest_client_set_connected_timeout (f->client, 1500);

  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_connect_sync (f->client, NULL, &error));
  within = g_strdup_printf ("No CONNECTED frame from %s within 1500 ms",
                            stompest_test_broker_get_uri (f->broker));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT, within, NULL);
  assert_bounded (start, 1500);
  g_assert_false (stompest_client_is_connected (f->client));
}

static GBytes *
big_body (void)
{
  gsize size = 64 * MIB;

  /* Touched, so that its pages count before any RSS measurement. */
  return g_bytes_new_take (memset (g_malloc (size), 'b', size), size);
}

/* A broker that takes CONNECT, answers, and never reads again. */
static void
start_deaf_broker (Fixture    *f,
                   const char *connected,
                   guint       close_after_ms)
{
  f->direct.mode = DIRECT_DEAF;
  f->direct.connected = connected;
  f->direct.close_after_ms = close_after_ms;
  direct_start (&f->direct, f->broker);
}

static gpointer
cancel_after_a_second (gpointer data)
{
  g_usleep (G_USEC_PER_SEC);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_send_deaf_cancelled (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GBytes) body = big_body ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *canceller;
  gint64 start;

  start_deaf_broker (f, NULL, 0);
  connect_ok (f);

  start = g_get_monotonic_time ();
  canceller = g_thread_new ("canceller", cancel_after_a_second, cancellable);
  g_assert_false (stompest_client_send (f->client, DESTINATION, body, NULL, cancellable, &error));
  g_thread_join (canceller);
  /* Part of the frame went out: the connection cannot be used any more. */
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                     stompest_test_broker_get_uri (f->broker), "cancelled", NULL);
  assert_bounded (start, 1000);
  g_assert_false (stompest_client_is_connected (f->client));
}

static void
test_send_deaf_heart_beat (Fixture       *f,
                           gconstpointer  data)
{
  static const char connected[] = "CONNECTED\nversion:1.2\nheart-beat:500,0\n\n";
  g_autoptr(GBytes) body = big_body ();
  g_autoptr(GError) error = NULL;
  gint64 start;

  /* The broker promises a beat every 500 ms and sends none. */
  stompest_client_set_heart_beat_receive (f->client, 500);
  start_deaf_broker (f, connected, 0);
  connect_ok (f);
  g_assert_cmpuint (stompest_client_get_receive_period (f->client), ==, 500);

  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_send (f->client, DESTINATION, body, NULL, NULL, &error));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST, "no heart-beat", NULL);
  /* Within the silence allowed (a few periods) plus the margin. */
  g_test_message ("took %" G_GINT64_FORMAT " ms", elapsed_ms (start));
  g_assert_cmpint (elapsed_ms (start), <, 4 * 500 + margin_ms ());
}

static void
test_send_deaf_send_timeout (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GBytes) body = big_body ();
  g_autoptr(GError) error = NULL;
  g_autofree char *within = NULL;
  gint64 start;

  /* No heart-beats, no cancellable: only the send-timeout ends it, well
   * before the broker gives up and closes. */
  start_deaf_broker (f, NULL, 1000 + 2 * margin_ms ());
  stompest_client_set_send_timeout (f->client, 1000);
  connect_ok (f);

  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_send (f->client, DESTINATION, body, NULL, NULL, &error));
  within = g_strdup_printf ("Could not write to %s within 1000 ms",
                            stompest_test_broker_get_uri (f->broker));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT, within,
                     "half written", NULL);
  assert_bounded (start, 1000);
  /* The frame was cut short: the stream cannot be used any more. */
  g_assert_false (stompest_client_is_connected (f->client));
}

/* Sends 64 MiB to the DIRECT broker, which floods without reading, and
 * gives the error; the send must fail soon, the broker must not have
 * finished its stream, and the peak RSS must stay far below it. Under
 * valgrind each pass of the blocked write checks the 64 MiB it offers,
 * so reading takes seconds per MiB: the send-timeout is kept out of the
 * way, and a watchdog turns a hang into a failure. */
static GError *
send_into_flood (Fixture *f)
{
  g_autoptr(GBytes) body = big_body ();
  Watchdog dog = { 0 };
  GError *error = NULL;
  guint64 rss_before;
  guint64 growth;
  gboolean finished;
  gint64 start;
  gint64 ms;

  stompest_client_set_send_timeout (f->client, long_timeout_ms ());
  reset_peak_rss ();
  rss_before = peak_rss ();

  watchdog_start (&dog, long_timeout_ms () / 2);
  start = g_get_monotonic_time ();
  g_assert_false (stompest_client_send (f->client, DESTINATION, body, NULL, dog.cancellable, &error));
  ms = elapsed_ms (start);
  finished = g_atomic_int_get (&f->direct.finished);
  growth = peak_rss () - rss_before;
  watchdog_stop (&dog);
  g_assert_nonnull (error);
  g_test_message ("error: %s; took %" G_GINT64_FORMAT " ms; the broker had written %"
                  G_GSIZE_FORMAT " bytes; peak RSS grew by %" G_GUINT64_FORMAT " bytes",
                  error->message, ms, (gsize) g_atomic_pointer_get (&f->direct.written), growth);
  g_assert_cmpint (ms, <, 2 * margin_ms ());
  g_assert_false (finished);
  g_assert_false (stompest_client_is_connected (f->client));
  if (rss_is_meaningful ())
    g_assert_cmpuint (growth, <, STREAM_SIZE / 8);
  return error;
}

static void
test_flood_while_sending (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* Never reads after CONNECTED, and streams a frame with no end. The
   * client parses what it reads while its write waits, so it fails after
   * 1 MiB; one that only buffered would hold the whole stream. */
  f->direct.mode = DIRECT_STREAM;
  f->direct.head = MESSAGE_HEAD "\n";
  f->direct.pattern = 'x';
  f->direct.total = STREAM_SIZE;
  f->direct.close_at_end = TRUE;
  direct_start (&f->direct, f->broker);
  stompest_parser_set_max_frame_size (f->parser, MIB);
  connect_ok (f);

  error = send_into_flood (f);
  assert_error_at (error, STOMPEST_ERROR_FRAME_TOO_LARGE, CONNECTED_LEN + MIB, "limit of 1048576 bytes");
}

/* The same with whole frames: an endless stream of small MESSAGEs for
 * the client's subscription fills the queue of frames received while
 * the send waits, which is bounded too. */
static void
test_frame_flood_while_sending (Fixture       *f,
                                gconstpointer  data)
{
  static const char flood_unit[] = MESSAGE_HEAD "\nflood";   /* and its NUL */
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lost = NULL;
  g_autoptr(StompestFrame) first = NULL;

  f->direct.mode = DIRECT_STREAM;
  f->direct.unit = flood_unit;
  f->direct.unit_size = sizeof flood_unit;
  f->direct.total = STREAM_SIZE;
  f->direct.close_at_end = TRUE;
  direct_start (&f->direct, f->broker);
  connect_ok (f);
  subscribe_ok (f);

  error = send_into_flood (f);
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_FRAME_TOO_LARGE,
                     stompest_test_broker_get_uri (f->broker), "limit of 10000 frames", NULL);

  /* What was queued is still handed out, then the loss. */
  g_clear_error (&error);
  first = stompest_client_receive_frame (f->client, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (first, "subscription"), ==, SUBSCRIPTION);
  for (guint i = 1; i < 10001; i++)
    {
      g_autoptr(StompestFrame) frame = stompest_client_receive_frame (f->client, 0, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (frame);
    }
  lost = receive_error (f, 0);
  g_assert_error (lost, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST);
}

/* The asynchronous half: the same brokers against StompestSession, which
 * runs on the test thread's default context while the fake broker runs
 * in its own thread. Nothing waits in a call, so failures come through
 * the callbacks of *_async calls and ::disconnected. */

static void
on_session_disconnected (StompestSession *session,
                         const GError    *reason,
                         Fixture         *f)
{
  f->disconnected = TRUE;
  g_clear_error (&f->reason);
  if (reason != NULL)
    f->reason = g_error_copy (reason);
}

static void
on_session_message (StompestSession *session,
                    StompestMessage *message,
                    Fixture         *f)
{
  f->n_messages++;
  g_set_object (&f->last_message, message);
}

static void
on_session_receipt (StompestSession *session,
                    const char      *receipt_id,
                    Fixture         *f)
{
  f->n_receipts++;
}

static void
on_session_error (StompestSession *session,
                  const GError    *error,
                  Fixture         *f)
{
  f->n_errors++;
  f->n_messages_at_error = f->n_messages;
  g_clear_error (&f->error);
  f->error = g_error_copy (error);
}

static void
session_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup (f, data);
  g_clear_object (&f->client);

  f->session = stompest_session_new (stompest_test_broker_get_uri (f->broker));
  f->parser = stompest_session_get_parser (f->session);
  stompest_session_set_login (f->session, LOGIN);
  stompest_session_set_passcode (f->session, PASSCODE);
  stompest_session_set_reconnect (f->session, FALSE);
  stompest_session_set_heart_beat_send (f->session, 0);
  stompest_session_set_heart_beat_receive (f->session, 0);
  stompest_session_set_connect_timeout (f->session, long_timeout_ms ());
  stompest_session_set_connected_timeout (f->session, long_timeout_ms ());
  stompest_session_set_receipt_timeout (f->session, long_timeout_ms ());
  g_signal_connect (f->session, "disconnected", G_CALLBACK (on_session_disconnected), f);
  g_signal_connect (f->session, "message", G_CALLBACK (on_session_message), f);
  g_signal_connect (f->session, "receipt", G_CALLBACK (on_session_receipt), f);
  g_signal_connect (f->session, "error", G_CALLBACK (on_session_error), f);
}

static gboolean
keep_waking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default context until DONE (F) holds, or fails after
 * long_timeout_ms(). A 10 ms waker keeps the check going. */
static void
session_wait (Fixture   *f,
              gboolean (*done) (Fixture *f))
{
  gint64 deadline = g_get_monotonic_time () + (gint64) long_timeout_ms () * 1000;
  GSource *waker = g_timeout_source_new (10);

  g_source_set_callback (waker, keep_waking, NULL, NULL);
  g_source_attach (waker, NULL);
  while (!done (f))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_destroy (waker);
  g_source_unref (waker);
}

static gboolean
has_result (Fixture *f)
{
  return f->result != NULL;
}

static gboolean
is_disconnected (Fixture *f)
{
  return f->disconnected;
}

static gboolean
has_message_or_is_disconnected (Fixture *f)
{
  return f->n_messages > 0 || f->disconnected;
}

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Fixture *f = data;

  g_set_object (&f->result, result);
}

static gboolean
session_connect (Fixture  *f,
                 GError  **error)
{
  gboolean ok;

  g_clear_object (&f->result);
  stompest_session_connect_async (f->session, NULL, on_async_done, f);
  session_wait (f, has_result);
  ok = stompest_session_connect_finish (f->session, f->result, error);
  g_clear_object (&f->result);
  return ok;
}

/* Connects, sets the parser's limits with SET_LIMITS (after CONNECTED,
 * which they may not fit), and subscribes as SUBSCRIPTION; returns the
 * offset at which the broker's script starts. */
static guint64
session_connect_and_limit (Fixture  *f,
                           void    (*set_limits) (StompestParser *parser))
{
  g_autoptr(GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  guint64 base;

  g_assert_true (session_connect (f, &error));
  g_assert_no_error (error);
  base = stompest_parser_get_offset (f->parser);
  g_assert_cmpuint (base, >, 0);
  if (set_limits != NULL)
    set_limits (f->parser);
  g_hash_table_insert (headers, (gpointer) "id", (gpointer) SUBSCRIPTION);
  f->subscription = stompest_session_subscribe (f->session, DESTINATION, STOMPEST_ACK_MODE_AUTO,
                                                headers, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->subscription);
  return base;
}

static guint64
session_connect_and_trigger (Fixture *f)
{
  return session_connect_and_limit (f, NULL);
}

/* Waits for the connection to end; gives its reason. */
static const GError *
session_wait_lost (Fixture *f)
{
  session_wait (f, is_disconnected);
  g_assert_nonnull (f->reason);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  return f->reason;
}

static void
test_session_connect_garbage (Fixture       *f,
                              gconstpointer  data)
{
  static const Script script = { "CONNECT", BYTES ("HTTP/1.1 400 Bad Request\r\n\r\n") };
  g_autoptr(GError) error = NULL;
  gint64 start;

  use_script (f, &script);
  start = g_get_monotonic_time ();
  g_assert_false (session_connect (f, &error));
  assert_error_at (error, STOMPEST_ERROR_PARSE, 0, "unknown command 'HTTP/1.1 400 Bad Request'");
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_PARSE,
                     stompest_test_broker_get_uri (f->broker), NULL);
  assert_prompt (start);
}

static void
test_session_connect_silent (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  f->direct.mode = DIRECT_SILENT;
  direct_start (&f->direct, f->broker);
  stompest_session_set_connected_timeout (f->session, 1500);
  start = g_get_monotonic_time ();
  g_assert_false (session_connect (f, &error));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT,
                     stompest_test_broker_get_uri (f->broker), "1500 ms", NULL);
  assert_bounded (start, 1500);
}

/* A script after SUBSCRIBE that ends the connection with CODE, naming
 * WHAT at byte AT (counted from the script's first byte; G_MAXUINT64:
 * no offset in the message). */
typedef struct {
  const char *path;
  Script script;
  int code;
  const char *what;
  guint64 at;
  void (*set_limits) (StompestParser *parser);
} SessionCase;

static void
small_frames (StompestParser *parser)
{
  stompest_parser_set_max_frame_size (parser, 4096);
}

static void
short_lines (StompestParser *parser)
{
  stompest_parser_set_max_header_line_length (parser, 16);
}

static void
few_headers (StompestParser *parser)
{
  stompest_parser_set_max_header_count (parser, 2);
}

#define NO_OFFSET G_MAXUINT64

static const SessionCase session_cases[] = {
  { "/hostile/session/garbage/mid-stream",
    { "SUBSCRIBE", BYTES ("\n\n\x16\x03\x01\x02\n") },
    STOMPEST_ERROR_PARSE, "unknown command '\\x16\\x03\\x01\\x02'", 2 },
  { "/hostile/session/limit/frame-size",
    { "SUBSCRIBE", BYTES (MESSAGE_HEAD "content-length:100000\n\n") },
    STOMPEST_ERROR_FRAME_TOO_LARGE, "content-length 100000",
    sizeof MESSAGE_HEAD "content-length:" - 1, small_frames },
  { "/hostile/session/limit/header-line",
    { "SUBSCRIBE", BYTES (MESSAGE_HEAD "\n") },
    STOMPEST_ERROR_FRAME_TOO_LARGE, "line longer than the limit of 16 bytes",
    sizeof "MESSAGE\n" - 1 + 16, short_lines },
  { "/hostile/session/limit/header-count",
    { "SUBSCRIBE", BYTES (MESSAGE_HEAD "\n") },
    STOMPEST_ERROR_FRAME_TOO_LARGE, "more than the limit of 2 headers",
    sizeof MESSAGE_HEAD - 1 - (sizeof "subscription:" SUBSCRIPTION "\n" - 1), few_headers },
  { "/hostile/session/escape/invalid",
    { "SUBSCRIBE", BYTES (MESSAGE_HEAD "x-note:tab\\there\n\n") },
    STOMPEST_ERROR_PARSE, "undefined escape sequence \\t in header 'x-note'",
    sizeof MESSAGE_HEAD "x-note:tab" - 1 },
  { "/hostile/session/escape/raw-colon-strict",
    { "SUBSCRIBE", BYTES (MESSAGE_HEAD "x-url:http://example.org/\n\nbody\0") },
    STOMPEST_ERROR_PARSE, "raw ':' in the value of header 'x-url'",
    sizeof MESSAGE_HEAD "x-url:http" - 1 },
  { "/hostile/session/content-length/too-short",
    { "SUBSCRIBE", BYTES (MESSAGE_HEAD "content-length:3\n\nhello") },
    STOMPEST_ERROR_PARSE, "no NUL byte after the 3-byte body given by content-length",
    sizeof MESSAGE_HEAD "content-length:3\n\nhel" - 1 },
  { "/hostile/session/stream/missing-nul",
    { "SUBSCRIBE", BYTES (MESSAGE_HEAD "\nno terminator"), 0, TRUE },
    STOMPEST_ERROR_CONNECTION_LOST, "closed", NO_OFFSET },
  { "/hostile/session/stream/close-mid-header",
    { "SUBSCRIBE", BYTES ("MESSAGE\ndestination:/queue/hos"), 0, TRUE },
    STOMPEST_ERROR_CONNECTION_LOST, "closed", NO_OFFSET },
};

static void
test_session_case (Fixture       *f,
                   gconstpointer  data)
{
  const SessionCase *c = NULL;
  const GError *reason;
  guint64 base;
  gint64 start;

  for (gsize i = 0; i < G_N_ELEMENTS (session_cases); i++)
    {
      if (strcmp (session_cases[i].path, g_test_get_path ()) == 0)
        c = &session_cases[i];
    }
  g_assert_nonnull (c);

  use_script (f, &c->script);
  base = session_connect_and_limit (f, c->set_limits);
  start = g_get_monotonic_time ();
  reason = session_wait_lost (f);
  if (c->at != NO_OFFSET)
    assert_error_at (reason, c->code, base + c->at, c->what);
  assert_error_says (reason, STOMPEST_ERROR, c->code, c->what,
                     stompest_test_broker_get_uri (f->broker), NULL);
  assert_prompt (start);
  g_assert_cmpuint (f->n_messages, ==, 0);
}

static void
test_session_garbage_echoes_passcode (Fixture       *f,
                                      gconstpointer  data)
{
  static const Script script = { "SUBSCRIBE", BYTES (LOGIN ":" PASSCODE "\n\n") };
  const GError *reason;

  use_script (f, &script);
  session_connect_and_trigger (f);
  reason = session_wait_lost (f);
  g_assert_error (reason, STOMPEST_ERROR, STOMPEST_ERROR_PARSE);
  g_test_message ("error: %s", reason->message);
  if (strstr (reason->message, PASSCODE) != NULL)
    {
      known_bug ("StompestSession: a malformed frame puts the passcode in the ::disconnected "
                 "error message");
      return;
    }
  assert_error_says (reason, STOMPEST_ERROR, STOMPEST_ERROR_PARSE, "unknown command '" LOGIN ":", NULL);
}

static void
test_session_raw_colon_lenient (Fixture       *f,
                                gconstpointer  data)
{
  static const Script script = {
    "SUBSCRIBE", BYTES (MESSAGE_HEAD "x-url:http://example.org/\n\nbody\0")
  };
  StompestFrame *frame;

  stompest_parser_set_lenient (f->parser, TRUE);
  use_script (f, &script);
  session_connect_and_trigger (f);
  session_wait (f, has_message_or_is_disconnected);
  g_assert_no_error (f->reason);
  g_assert_cmpuint (f->n_messages, ==, 1);
  frame = stompest_message_get_frame (f->last_message);
  g_assert_cmpstr (stompest_frame_get_header (frame, "x-url"), ==, "http://example.org/");
}

/* TLS: a GTlsServerConnection over the fake broker's raw server stream,
 * with self-signed certificates made by openssl at test time. */

static char *tls_dir;

/* A self-signed certificate NAME.pem (with NAME.key) valid for SAN. */
static gboolean
make_self_signed (const char *name,
                  const char *san)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *pem = g_strconcat (name, ".pem", NULL);
  g_autofree char *ext = g_strconcat ("subjectAltName=", san, NULL);
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec",
                         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                         "-subj", "/CN=stompest-hostile", "-addext", ext,
                         "-keyout", key, "-out", pem, NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (tls_dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("openssl failed: %s\n%s", error->message, err ? err : "");
      return FALSE;
    }
  return TRUE;
}

static void
remove_tls_dir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (tls_dir == NULL)
    return;
  dir = g_dir_open (tls_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tls_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (tls_dir);
  g_clear_pointer (&tls_dir, g_free);
}

/* "untrusted": for 127.0.0.1, trusted by nobody; "wrong-host": for
 * wrong.invalid. FALSE after g_test_skip() when TLS cannot be tested. */
static gboolean
tls_ready (Fixture *f)
{
  static int state = -1;
  g_autofree char *openssl = NULL;

  f->no_connect = TRUE;
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend (glib-networking)");
      return FALSE;
    }

  if (state < 0)
    {
      openssl = g_find_program_in_path ("openssl");
      tls_dir = openssl ? g_dir_make_tmp ("stompest-hostile-XXXXXX", NULL) : NULL;
      state = tls_dir != NULL &&
              make_self_signed ("untrusted", "IP:127.0.0.1") &&
              make_self_signed ("wrong-host", "DNS:wrong.invalid");
    }
  if (!state)
    g_test_skip ("cannot make test certificates with openssl");
  return state;
}

static char *
tls_path (const char *name)
{
  return g_build_filename (tls_dir, name, NULL);
}

typedef struct {
  StompestTestBroker *broker;
  GTlsCertificate *certificate;
  gboolean handshake_ok;
} TlsBroker;

static gpointer
tls_broker_run (gpointer data)
{
  TlsBroker *tls_broker = data;
  g_autoptr(GIOStream) stream = stompest_test_broker_accept_direct (tls_broker->broker, long_timeout_ms ());
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;
  GInputStream *input;
  char buffer[1024];

  g_assert_nonnull (stream);
  tls = g_tls_server_connection_new (stream, tls_broker->certificate, &error);
  g_assert_no_error (error);
  tls_broker->handshake_ok = g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  if (!tls_broker->handshake_ok)
    {
      g_test_message ("TLS broker: handshake failed: %s", error->message);
      return NULL;
    }

  input = g_io_stream_get_input_stream (tls);
  if (read_connect (input))
    g_output_stream_write_all (g_io_stream_get_output_stream (tls), connected_raw,
                               CONNECTED_LEN, NULL, NULL, NULL);
  /* Until the client hangs up. */
  while (g_input_stream_read (input, buffer, sizeof buffer, NULL, NULL) > 0)
    ;
  return NULL;
}

/* Connects the client to a TLS broker showing CERT_NAME, through
 * TRANSPORT (NULL: the built-in one, with the system trust store). */
static gboolean
tls_connect (Fixture               *f,
             const char            *cert_name,
             StompestTlsTransport  *transport,
             char                 **uri,
             GError               **error)
{
  g_autofree char *pem = g_strconcat (cert_name, ".pem", NULL);
  g_autofree char *key = g_strconcat (cert_name, ".key", NULL);
  g_autofree char *pem_path = tls_path (pem);
  g_autofree char *key_path = tls_path (key);
  g_autoptr(GError) local_error = NULL;
  TlsBroker tls_broker = { f->broker };
  GThread *thread;
  gboolean ok;

  tls_broker.certificate = g_tls_certificate_new_from_files (pem_path, key_path, &local_error);
  g_assert_no_error (local_error);
  *uri = g_strdup_printf ("tls://127.0.0.1:%s", strrchr (stompest_test_broker_get_uri (f->broker), ':') + 1);

  thread = g_thread_new ("tls-broker", tls_broker_run, &tls_broker);
  if (f->session != NULL)
    {
      g_assert_null (transport);
      stompest_session_set_uri (f->session, *uri);
      ok = session_connect (f, error);
      g_clear_object (&f->session);
    }
  else
    {
      stompest_client_set_uri (f->client, *uri);
      if (transport != NULL)
        stompest_client_set_transport (f->client, "tls", STOMPEST_TRANSPORT (transport));
      ok = stompest_client_connect_sync (f->client, NULL, error);
      stompest_client_close (f->client);
    }
  g_thread_join (thread);
  g_object_unref (tls_broker.certificate);
  g_assert_true (ok == tls_broker.handshake_ok);
  return ok;
}

static void
test_tls_untrusted (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  gint64 start;

  if (!tls_ready (f))
    return;

  start = g_get_monotonic_time ();
  g_assert_false (tls_connect (f, "untrusted", NULL, &uri, &error));
  assert_error_says (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, uri, NULL);
  assert_handshake_prompt (start);
}

static void
test_tls_wrong_host (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(StompestTlsTransport) transport = stompest_tls_transport_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *control_uri = NULL;
  g_autofree char *anchor = NULL;
  g_autofree char *control_anchor = NULL;

  if (!tls_ready (f))
    return;

  /* Control: the same setup with a matching name connects, so the only
   * fault below is the name. */
  control_anchor = tls_path ("untrusted.pem");
  stompest_tls_transport_set_ca_file (transport, control_anchor);
  g_assert_true (tls_connect (f, "untrusted", transport, &control_uri, &error));
  g_assert_no_error (error);
  f->no_connect = FALSE;

  anchor = tls_path ("wrong-host.pem");
  stompest_tls_transport_set_ca_file (transport, anchor);
  g_assert_false (tls_connect (f, "wrong-host", transport, &uri, &error));
  assert_error_says (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, uri, NULL);
}

static void
start_endless_body (Fixture *f)
{
  f->direct.mode = DIRECT_STREAM;
  f->direct.head = MESSAGE_HEAD "\n";
  f->direct.pattern = 'x';
  f->direct.total = STREAM_SIZE;
  direct_start (&f->direct, f->broker);
  stompest_parser_set_max_frame_size (f->parser, MIB);
}

/* The session reads and parses while its write is blocked, so a broker
 * that does not read (SEND_BODY) changes nothing. */
static void
session_endless_body (Fixture *f,
                      GBytes  *send_body)
{
  g_autoptr(GError) error = NULL;
  const GError *reason;
  guint64 rss_before;
  guint64 growth;
  gint64 start;

  start_endless_body (f);
  g_assert_true (session_connect (f, &error));
  g_assert_no_error (error);
  reset_peak_rss ();
  rss_before = peak_rss ();

  start = g_get_monotonic_time ();
  if (send_body != NULL)
    {
      g_assert_true (stompest_session_send (f->session, DESTINATION, send_body, NULL, &error));
      g_assert_no_error (error);
    }
  reason = session_wait_lost (f);
  g_assert_false (g_atomic_int_get (&f->direct.finished));
  growth = peak_rss () - rss_before;
  assert_error_at (reason, STOMPEST_ERROR_FRAME_TOO_LARGE, CONNECTED_LEN + MIB,
                   "frame larger than the limit of 1048576 bytes");
  assert_prompt (start);
  g_test_message ("the broker had written %" G_GSIZE_FORMAT " bytes; peak RSS grew by %"
                  G_GUINT64_FORMAT " bytes", (gsize) g_atomic_pointer_get (&f->direct.written), growth);
  if (rss_is_meaningful ())
    g_assert_cmpuint (growth, <, STREAM_SIZE / 8);
}

static void
test_session_endless_body (Fixture       *f,
                           gconstpointer  data)
{
  session_endless_body (f, NULL);
}

static void
test_session_flood_while_sending (Fixture       *f,
                                  gconstpointer  data)
{
  /* Allocated before the RSS is measured. */
  g_autoptr(GBytes) body = big_body ();

  session_endless_body (f, body);
}

static void
test_session_error_awaiting_receipt (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);
  g_autoptr(GError) error = NULL;
  const GError *reason;
  gint64 start;

  stompest_test_broker_set_frame_func (f->broker, error_after_messages, NULL);
  session_connect_and_trigger (f);

  start = g_get_monotonic_time ();
  stompest_session_send_async (f->session, DESTINATION, body, NULL, G_PRIORITY_DEFAULT,
                               NULL, on_async_done, f);
  session_wait (f, has_result);
  g_assert_false (stompest_session_send_finish (f->session, f->result, &error));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_CONNECTION_LOST,
                     stompest_test_broker_get_uri (f->broker), "before the broker confirmed", NULL);
  assert_prompt (start);

  reason = session_wait_lost (f);
  assert_error_says (reason, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR,
                     "Quota exceeded for " LOGIN, NULL);
  /* The MESSAGEs before the ERROR were delivered. */
  g_assert_cmpuint (f->n_messages, ==, 2);
}

static void
test_session_send_deaf_receipt_timeout (Fixture       *f,
                                        gconstpointer  data)
{
  g_autoptr(GBytes) body = big_body ();
  g_autoptr(GError) error = NULL;
  gint64 start;

  start_deaf_broker (f, NULL, 0);
  g_assert_true (session_connect (f, &error));
  g_assert_no_error (error);
  stompest_session_set_receipt_timeout (f->session, 1500);

  start = g_get_monotonic_time ();
  stompest_session_send_async (f->session, DESTINATION, body, NULL, G_PRIORITY_DEFAULT,
                               NULL, on_async_done, f);
  session_wait (f, has_result);
  g_assert_false (stompest_session_send_finish (f->session, f->result, &error));
  assert_error_says (error, STOMPEST_ERROR, STOMPEST_ERROR_TIMEOUT, "1500 ms", NULL);
  assert_bounded (start, 1500);
  g_clear_error (&error);
  g_clear_object (&f->result);

  /* The write is still stuck: a graceful disconnect cannot even write
   * DISCONNECT, and must give up after its timeout. */
  stompest_session_set_disconnect_timeout (f->session, 1000);
  start = g_get_monotonic_time ();
  stompest_session_disconnect_async (f->session, G_PRIORITY_DEFAULT, NULL, on_async_done, f);
  session_wait (f, has_result);
  stompest_session_disconnect_finish (f->session, f->result, &error);
  g_test_message ("disconnect: %s", error != NULL ? error->message : "no error");
  g_assert_null (error == NULL ? NULL : strstr (error->message, PASSCODE));
  g_assert_cmpint (elapsed_ms (start), <, 2 * 1000 + margin_ms ());
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_DISCONNECTED);
  g_assert_true (f->disconnected);
}

/* An unsolicited frame, then a good MESSAGE as a sentinel: the session
 * reports the first through ::error, with PROTOCOL naming WHAT, drops it
 * and stays up; the sentinel is delivered after it. */
static void
session_unsolicited (Fixture    *f,
                     const char *what)
{
  g_autofree char *from = g_strdup_printf ("from %s", stompest_test_broker_get_uri (f->broker));

  session_connect_and_trigger (f);
  session_wait (f, has_message_or_is_disconnected);
  g_assert_false (f->disconnected);
  g_assert_cmpuint (f->n_errors, ==, 1);
  assert_error_says (f->error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL, what, from, NULL);
  g_assert_cmpuint (f->n_messages_at_error, ==, 0);
  g_assert_cmpuint (f->n_messages, ==, 1);
  g_assert_cmpstr (stompest_message_get_header (f->last_message, "message-id"), ==, "m-1");
  g_assert_cmpuint (f->n_receipts, ==, 0);
  g_assert_cmpint (stompest_session_get_state (f->session), ==, STOMPEST_SESSION_STATE_CONNECTED);
}

static void
test_session_receipt_unknown (Fixture       *f,
                              gconstpointer  data)
{
  use_script (f, &unknown_receipt_script);
  session_unsolicited (f, "receipt “never-asked”");
}

static void
test_session_message_unknown_subscription (Fixture       *f,
                                           gconstpointer  data)
{
  use_script (f, &unknown_subscription_script);
  session_unsolicited (f, "subscription “no-such-sub”");
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_session_eol_flood (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean fired = FALSE;
  GSource *timer;
  gint64 start;

  /* Heart-beats as fast as the socket takes them: the session must not
   * starve the other sources of its main context. */
  f->direct.mode = DIRECT_STREAM;
  f->direct.pattern = '\n';
  f->direct.total = G_MAXUINT64;
  direct_start (&f->direct, f->broker);
  g_assert_true (session_connect (f, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  timer = g_timeout_source_new (500);
  g_source_set_callback (timer, set_flag, &fired, NULL);
  g_source_attach (timer, NULL);
  while (!fired && elapsed_ms (start) < long_timeout_ms ())
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (timer);
  g_source_unref (timer);
  g_test_message ("a 500 ms timer fired after %" G_GINT64_FORMAT " ms; %" G_GSIZE_FORMAT
                  " heart-beat bytes written", elapsed_ms (start),
                  (gsize) g_atomic_pointer_get (&f->direct.written));
  g_assert_true (fired);
  assert_bounded (start, 500);
  g_assert_false (f->disconnected);
}

static void
test_session_tls_untrusted (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  gint64 start;

  if (!tls_ready (f))
    return;

  start = g_get_monotonic_time ();
  g_assert_false (tls_connect (f, "untrusted", NULL, &uri, &error));
  assert_error_says (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, uri, NULL);
  assert_handshake_prompt (start);
}

static void
add_session_test (const char *path,
                  void      (*test) (Fixture *, gconstpointer),
                  gboolean    direct)
{
  g_test_add (path, Fixture,
              GUINT_TO_POINTER (direct ? STOMPEST_TEST_BROKER_DIRECT : STOMPEST_TEST_BROKER_DEFAULT),
              session_setup, test, fixture_teardown);
}

static void
add_test (const char              *path,
          StompestTestBrokerFlags  flags,
          void                   (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, GUINT_TO_POINTER (flags), fixture_setup, test, fixture_teardown);
}

int
main (int    argc,
      char **argv)
{
  const StompestTestBrokerFlags direct = STOMPEST_TEST_BROKER_DIRECT;
  const StompestTestBrokerFlags scripted = STOMPEST_TEST_BROKER_DEFAULT;
  int result;

  /* Every log line of every domain is captured and checked. */
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  stompest_test_log_capture_install ();
  stompest_test_init (&argc, &argv);

  add_test ("/hostile/garbage/instead-of-connected", scripted, test_connect_garbage);
  add_test ("/hostile/garbage/mid-stream", scripted, test_garbage_mid_stream);
  add_test ("/hostile/garbage/echoes-passcode", scripted, test_garbage_echoes_passcode);
  add_test ("/hostile/limit/frame-size", scripted, test_limit_frame_size);
  add_test ("/hostile/limit/header-line", scripted, test_limit_header_line);
  add_test ("/hostile/limit/header-count", scripted, test_limit_header_count);
  add_test ("/hostile/limit/endless-body", direct, test_limit_endless_body);
  add_test ("/hostile/escape/invalid", scripted, test_escape_invalid);
  add_test ("/hostile/escape/raw-colon-strict", scripted, test_escape_raw_colon_strict);
  add_test ("/hostile/escape/raw-colon-lenient", scripted, test_escape_raw_colon_lenient);
  add_test ("/hostile/content-length/too-short", scripted, test_content_length_short);
  add_test ("/hostile/content-length/too-long", scripted, test_content_length_long);
  add_test ("/hostile/stream/missing-nul", scripted, test_missing_nul);
  add_test ("/hostile/stream/slowloris", scripted, test_slowloris);
  add_test ("/hostile/stream/eol-flood", direct, test_eol_flood);
  add_test ("/hostile/stream/close-mid-header", scripted, test_close_mid_header);
  add_test ("/hostile/stream/close-mid-body-awaiting-receipt", scripted,
            test_close_mid_body_awaiting_receipt);
  add_test ("/hostile/receipt/error-while-waiting", scripted, test_error_awaiting_receipt);
  add_test ("/hostile/receipt/unknown-id", scripted, test_receipt_unknown);
  add_test ("/hostile/receipt/unknown-id-can-read", scripted, test_receipt_unknown_can_read);
  add_test ("/hostile/receipt/late", scripted, test_receipt_late);
  add_test ("/hostile/message/unknown-subscription", scripted, test_message_unknown_subscription);
  add_test ("/hostile/connect/silent", direct, test_connect_silent);
  add_test ("/hostile/send/deaf-cancelled", direct, test_send_deaf_cancelled);
  add_test ("/hostile/send/deaf-heart-beat", direct, test_send_deaf_heart_beat);
  add_test ("/hostile/send/deaf-send-timeout", direct, test_send_deaf_send_timeout);
  add_test ("/hostile/send/flood-while-sending", direct, test_flood_while_sending);
  add_test ("/hostile/send/frame-flood-while-sending", direct, test_frame_flood_while_sending);
  add_test ("/hostile/tls/untrusted", direct, test_tls_untrusted);
  add_test ("/hostile/tls/wrong-host", direct, test_tls_wrong_host);

  for (gsize i = 0; i < G_N_ELEMENTS (session_cases); i++)
    add_session_test (session_cases[i].path, test_session_case, FALSE);
  add_session_test ("/hostile/session/garbage/instead-of-connected", test_session_connect_garbage, FALSE);
  add_session_test ("/hostile/session/garbage/echoes-passcode", test_session_garbage_echoes_passcode, FALSE);
  add_session_test ("/hostile/session/escape/raw-colon-lenient", test_session_raw_colon_lenient, FALSE);
  add_session_test ("/hostile/session/limit/endless-body", test_session_endless_body, TRUE);
  add_session_test ("/hostile/session/stream/eol-flood", test_session_eol_flood, TRUE);
  add_session_test ("/hostile/session/receipt/error-while-waiting", test_session_error_awaiting_receipt, FALSE);
  add_session_test ("/hostile/session/receipt/unknown-id", test_session_receipt_unknown, FALSE);
  add_session_test ("/hostile/session/message/unknown-subscription",
                    test_session_message_unknown_subscription, FALSE);
  add_session_test ("/hostile/session/connect/silent", test_session_connect_silent, TRUE);
  add_session_test ("/hostile/session/send/deaf-receipt-timeout", test_session_send_deaf_receipt_timeout, TRUE);
  add_session_test ("/hostile/session/send/flood-while-sending", test_session_flood_while_sending, TRUE);
  add_session_test ("/hostile/session/tls/untrusted", test_session_tls_untrusted, TRUE);

  result = g_test_run ();
  remove_tls_dir ();
  return result;
}

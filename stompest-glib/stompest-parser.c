/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "stompest-parser.h"
#include "stompest-enum-types.h"
#include "stompest-error.h"
#include "stompest-frame-private.h"

/**
 * StompestParser:
 *
 * An incremental reader of STOMP frames.
 *
 * A parser turns a stream of bytes, cut into chunks of any size, into
 * [struct@Stompest.Frame]s. It does no I/O: feed it what was read from the
 * connection with [method@Stompest.Parser.feed] or
 * [method@Stompest.Parser.feed_bytes], then call
 * [method@Stompest.Parser.next_frame] until it returns %NULL.
 *
 * It reads STOMP 1.0, 1.1 and 1.2 (see [property@Stompest.Parser:version]),
 * both client and server frames, so it also serves a broker:
 *
 * - 1.2 accepts CRLF line ends everywhere; 1.0 and 1.1 only LF (a CR is
 *   part of the text).
 * - End-of-line bytes between frames are heart-beats. They are counted
 *   ([method@Stompest.Parser.get_heart_beats]), never returned as frames.
 *   The EOLs that brokers write after a frame's NUL count too.
 * - In 1.1 and 1.2, header names and values are unescaped (`\\`, `\n`,
 *   `\c`, and `\r` in 1.2), except in CONNECT and CONNECTED frames.
 *   Repeated headers are kept in order.
 * - A `content-length` header gives the exact body size, NUL bytes
 *   included; otherwise the body ends at the first NUL.
 * - Limits on the frame size, the number of headers and the length of a
 *   header line guard against hostile peers, and memory use stays within
 *   them.
 *
 * Bodies are not copied when they lie inside one fed chunk: the frame's
 * body is then a slice of that chunk, which therefore stays alive as long
 * as the frame does. A body that spans chunks is assembled once.
 *
 * Errors are %STOMPEST_ERROR_PARSE or %STOMPEST_ERROR_FRAME_TOO_LARGE; the
 * message names the byte offset in the stream (counted from the last
 * [method@Stompest.Parser.reset]) and the reason. After an error the parser
 * is *failed*: [method@Stompest.Parser.next_frame] returns the same error
 * again and fed bytes are ignored, until [method@Stompest.Parser.reset].
 *
 * A parser is not thread-safe; use it from one thread at a time.
 *
 * ```c
 * g_autoptr(StompestParser) parser = stompest_parser_new ();
 * g_autoptr(GError) error = NULL;
 * StompestFrame *frame;
 *
 * stompest_parser_feed_bytes (parser, chunk_read_from_socket);
 * while ((frame = stompest_parser_next_frame (parser, &error)) != NULL)
 *   {
 *     handle_frame (frame);
 *     stompest_frame_unref (frame);
 *   }
 * if (error != NULL)
 *   close_connection (error);
 * ```
 *
 * Since: 0.1
 */

#define DEFAULT_MAX_FRAME_SIZE ((gsize) 64 * 1024 * 1024)
#define DEFAULT_MAX_HEADER_COUNT 1000
#define DEFAULT_MAX_HEADER_LINE_LENGTH ((gsize) 64 * 1024)

/* Large head buffers are not kept between frames. */
#define HEAD_BUFFER_KEEP (4 * 1024)

typedef struct {
  const char *name;
  guint8      len;
  guint8      since;    /* first StompestVersion that has the command */
  guint8      escaped;  /* headers escaped from 1.1 on */
  guint8      body;     /* may carry a body from 1.1 on */
} Command;

/* Most frequent first: the lookup is a linear scan. */
static const Command commands[] = {
  { "MESSAGE", 7, STOMPEST_VERSION_STOMP_1_0, TRUE, TRUE },
  { "SEND", 4, STOMPEST_VERSION_STOMP_1_0, TRUE, TRUE },
  { "ACK", 3, STOMPEST_VERSION_STOMP_1_0, TRUE, FALSE },
  { "RECEIPT", 7, STOMPEST_VERSION_STOMP_1_0, TRUE, FALSE },
  { "NACK", 4, STOMPEST_VERSION_STOMP_1_1, TRUE, FALSE },
  { "SUBSCRIBE", 9, STOMPEST_VERSION_STOMP_1_0, TRUE, FALSE },
  { "UNSUBSCRIBE", 11, STOMPEST_VERSION_STOMP_1_0, TRUE, FALSE },
  { "BEGIN", 5, STOMPEST_VERSION_STOMP_1_0, TRUE, FALSE },
  { "COMMIT", 6, STOMPEST_VERSION_STOMP_1_0, TRUE, FALSE },
  { "ABORT", 5, STOMPEST_VERSION_STOMP_1_0, TRUE, FALSE },
  { "ERROR", 5, STOMPEST_VERSION_STOMP_1_0, TRUE, TRUE },
  { "CONNECT", 7, STOMPEST_VERSION_STOMP_1_0, FALSE, FALSE },
  { "STOMP", 5, STOMPEST_VERSION_STOMP_1_1, TRUE, FALSE },
  { "CONNECTED", 9, STOMPEST_VERSION_STOMP_1_0, FALSE, FALSE },
  { "DISCONNECT", 10, STOMPEST_VERSION_STOMP_1_0, TRUE, FALSE },
};

/* The frame layer's canonical (interned) pointers for the names above,
 * filled in class_init, so other layers can compare commands by pointer. */
static const char *command_names[G_N_ELEMENTS (commands)];

typedef enum {
  STATE_IDLE,        /* between frames: EOLs are heart-beats */
  STATE_HEAD,        /* command line and header lines */
  STATE_BODY,        /* the body */
  STATE_TERMINATOR,  /* a content-length body is read, its NUL is next */
  STATE_FAILED,
} State;

typedef enum {
  STEP_CONTINUE,
  STEP_FRAME,
  STEP_ERROR,
} Step;

typedef enum {
  LINE_MORE,
  LINE_HEAD_DONE,
  LINE_ERROR,
} LineResult;

struct _StompestParser
{
  GObject parent_instance;

  StompestVersion version;
  gboolean lenient;
  gsize max_frame_size;
  guint max_header_count;
  gsize max_header_line_length;

  /* Input: the segment being read and the ones queued behind it. */
  GBytes *cur;
  const guint8 *cur_data;
  gsize cur_len;
  gsize cur_pos;
  guint64 cur_base;             /* stream offset of cur_data[0] */
  GQueue queue;                 /* of GBytes */

  State state;
  GError *failure;
  guint64 heart_beats;
  gboolean idle_cr;             /* a 1.2 CR between frames awaits its LF */

  /* The frame being read. Its head lies in cur from head_pos until it
   * runs past the segment; from then on it is copied into head_buf. All
   * head positions are relative to the frame's first byte. */
  guint64 frame_start;
  StompestVersion frame_version;
  const Command *command;
  gboolean head_buffered;
  GByteArray *head_buf;
  gsize head_pos;
  gsize line_start;
  gsize cmd_line_len;
  gsize headers_end;            /* where the blank line starts */
  gsize head_len;
  guint n_headers;

  StompestFrame *frame;         /* made once the head is decoded */
  gboolean has_length;
  gsize body_length;
  guint64 length_offset;        /* stream offset of the content-length value */
  GByteArray *body_buf;
  GBytes *body;                 /* NULL for an empty body */
};

G_DEFINE_FINAL_TYPE (StompestParser, stompest_parser, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VERSION,
  PROP_LENIENT,
  PROP_MAX_FRAME_SIZE,
  PROP_MAX_HEADER_COUNT,
  PROP_MAX_HEADER_LINE_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Bytes from the wire, made fit for an error message: at most 64 of them,
 * with anything but printable ASCII written as \xNN. */
static char *
printable (const guint8 *data,
           gsize         len)
{
  gsize n = MIN (len, 64);
  GString *out = g_string_sized_new (n + 4);
  gsize i;

  for (i = 0; i < n; i++)
    {
      if (data[i] == '\\')
        g_string_append (out, "\\\\");
      else if (data[i] >= 0x20 && data[i] < 0x7f)
        g_string_append_c (out, data[i]);
      else
        g_string_append_printf (out, "\\x%02x", data[i]);
    }
  if (len > n)
    g_string_append (out, "...");

  return g_string_free (out, FALSE);
}

/* Empties the head buffer, keeping it for the next frame unless large. */
static void
release_head (StompestParser *self)
{
  self->head_buffered = FALSE;
  if (self->head_buf == NULL || self->head_buf->len == 0)
    return;
  if (self->head_buf->len > HEAD_BUFFER_KEEP)
    g_clear_pointer (&self->head_buf, g_byte_array_unref);
  else
    g_byte_array_set_size (self->head_buf, 0);
}

static void
clear_frame (StompestParser *self)
{
  self->command = NULL;
  release_head (self);
  self->line_start = 0;
  self->cmd_line_len = 0;
  self->headers_end = 0;
  self->head_len = 0;
  self->n_headers = 0;
  g_clear_pointer (&self->frame, stompest_frame_unref);
  self->has_length = FALSE;
  self->body_length = 0;
  g_clear_pointer (&self->body_buf, g_byte_array_unref);
  g_clear_pointer (&self->body, g_bytes_unref);
}

/* Drops the current segment, counting it as consumed. */
static void
drop_current (StompestParser *self)
{
  if (self->cur != NULL)
    {
      self->cur_base += self->cur_len;
      g_clear_pointer (&self->cur, g_bytes_unref);
    }
  self->cur_data = NULL;
  self->cur_len = 0;
  self->cur_pos = 0;
}

static void
clear_input (StompestParser *self)
{
  drop_current (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify) g_bytes_unref);
}

static void fail (StompestParser  *self,
                  GError         **error,
                  StompestError    code,
                  guint64          offset,
                  const char      *format,
                  ...) G_GNUC_PRINTF (5, 6);

/* Puts the parser in the failed state, with the reason at OFFSET. */
static void
fail (StompestParser  *self,
      GError         **error,
      StompestError    code,
      guint64          offset,
      const char      *format,
      ...)
{
  va_list args;
  g_autofree char *reason = NULL;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_clear_error (&self->failure);
  self->failure = g_error_new (STOMPEST_ERROR, code,
                               "byte %" G_GUINT64_FORMAT ": %s", offset, reason);
  self->state = STATE_FAILED;
  clear_frame (self);
  clear_input (self);
  g_propagate_error (error, g_error_copy (self->failure));
}

static const Command *
lookup_command (const guint8    *name,
                gsize            len,
                StompestVersion  version)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (commands[i].len == len &&
          memcmp (commands[i].name, name, len) == 0)
        return version >= commands[i].since ? &commands[i] : NULL;
    }

  return NULL;
}

/* Drops the exhausted segment and makes the next queued one current.
 * Returns FALSE when there is none. */
static gboolean
next_segment (StompestParser *self)
{
  drop_current (self);

  self->cur = g_queue_pop_head (&self->queue);
  if (self->cur == NULL)
    return FALSE;

  self->cur_data = g_bytes_get_data (self->cur, &self->cur_len);
  return TRUE;
}

static GBytes *
slice_current (StompestParser *self,
               gsize           len)
{
  if (len == 0)
    return NULL;
  return g_bytes_new_from_bytes (self->cur, self->cur_pos, len);
}

/* Checks the line starting at LINE_START, holding LINE_LEN bytes of text
 * so far, and the head size so far, against the limits. When both are
 * exceeded the earlier offset is reported, so that the error does not
 * depend on how the stream was cut into chunks. */
static gboolean
check_limits (StompestParser  *self,
              gsize            line_start,
              gsize            line_len,
              gsize            head_size,
              GError         **error)
{
  gboolean line_over = line_len > self->max_header_line_length;
  gboolean frame_over = head_size > self->max_frame_size;

  if (line_over &&
      (!frame_over ||
       line_start + self->max_header_line_length <= self->max_frame_size))
    {
      fail (self, error, STOMPEST_ERROR_FRAME_TOO_LARGE,
            self->frame_start + line_start + self->max_header_line_length,
            "line longer than the limit of %" G_GSIZE_FORMAT " bytes",
            self->max_header_line_length);
      return FALSE;
    }
  if (frame_over)
    {
      fail (self, error, STOMPEST_ERROR_FRAME_TOO_LARGE,
            self->frame_start + self->max_frame_size,
            "frame larger than the limit of %" G_GSIZE_FORMAT " bytes",
            self->max_frame_size);
      return FALSE;
    }

  return TRUE;
}

/* The head holds HEAD_SIZE bytes and its last line is not complete yet. */
static gboolean
check_partial_line (StompestParser  *self,
                    const guint8    *head,
                    gsize            head_size,
                    GError         **error)
{
  gsize len = head_size - self->line_start;

  /* A trailing CR may still turn out to be part of a 1.2 CRLF. */
  if (len > 0 && head[head_size - 1] == '\r' &&
      self->frame_version >= STOMPEST_VERSION_STOMP_1_2)
    len--;

  return check_limits (self, self->line_start, len, head_size, error);
}

/* A complete head line from START to the LF at NL. Called for every line,
 * so inlined. */
static inline G_ALWAYS_INLINE LineResult
process_line (StompestParser  *self,
              const guint8    *head,
              gsize            start,
              gsize            nl,
              GError         **error)
{
  gsize end = nl;

  if (end > start && head[end - 1] == '\r' &&
      self->frame_version >= STOMPEST_VERSION_STOMP_1_2)
    end--;

  if (!check_limits (self, start, end - start, nl + 1, error))
    return LINE_ERROR;

  if (self->command == NULL)
    {
      self->command = lookup_command (head + start, end - start,
                                      self->frame_version);
      if (self->command == NULL)
        {
          g_autofree char *name = printable (head + start, end - start);

          fail (self, error, STOMPEST_ERROR_PARSE, self->frame_start + start,
                "unknown command '%s' in STOMP %s", name,
                stompest_version_to_string (self->frame_version));
          return LINE_ERROR;
        }
      self->cmd_line_len = nl + 1;
      return LINE_MORE;
    }

  if (end == start)
    {
      self->headers_end = start;
      self->head_len = nl + 1;
      return LINE_HEAD_DONE;
    }

  if (++self->n_headers > self->max_header_count)
    {
      fail (self, error, STOMPEST_ERROR_FRAME_TOO_LARGE,
            self->frame_start + start,
            "more than the limit of %u headers", self->max_header_count);
      return LINE_ERROR;
    }

  return LINE_MORE;
}

static void
fail_nul (StompestParser  *self,
          const guint8    *head,
          const guint8    *nul,
          GError         **error)
{
  fail (self, error, STOMPEST_ERROR_PARSE, self->frame_start + (nul - head),
        "NUL byte in the head of a %s frame", self->command->name);
}

/* Decodes the escape sequence from BS, a backslash in header text, to END
 * into OUT: END is BS + 2, or BS + 1 for a backslash that ends the text
 * (kept as it is when lenient). Returns where the output goes on, or NULL
 * after an error. NAME is the header the text belongs to, for error
 * messages. parse_headers() decodes the common sequences itself; this
 * handles the rest. */
static char *
decode_escape (StompestParser  *self,
               const guint8    *head,
               const guint8    *bs,
               const guint8    *end,
               char            *out,
               const char      *what,
               const guint8    *name,
               gsize            name_len,
               GError         **error)
{
  char decoded;

  if (bs + 1 == end)
    {
      if (!self->lenient)
        {
          g_autofree char *printed = printable (name, name_len);

          fail (self, error, STOMPEST_ERROR_PARSE,
                self->frame_start + (bs - head),
                "incomplete escape sequence at the end of %s '%s'",
                what, printed);
          return NULL;
        }
      *out++ = '\\';
      return out;
    }

  switch (bs[1])
    {
    case '\\':
      decoded = '\\';
      break;
    case 'n':
      decoded = '\n';
      break;
    case 'c':
      decoded = ':';
      break;
    case 'r':
      if (self->frame_version >= STOMPEST_VERSION_STOMP_1_2)
        {
          decoded = '\r';
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      if (bs[1] == '\0')
        {
          fail_nul (self, head, bs + 1, error);
          return NULL;
        }
      if (!self->lenient)
        {
          g_autofree char *printed = printable (name, name_len);
          g_autofree char *sequence = printable (bs + 1, 1);

          fail (self, error, STOMPEST_ERROR_PARSE,
                self->frame_start + (bs - head),
                "undefined escape sequence \\%s in %s '%s'",
                sequence, what, printed);
          return NULL;
        }
      /* Lenient: keep the unknown sequence as it is. */
      *out++ = '\\';
      decoded = bs[1];
      break;
    }

  *out++ = decoded;
  return out;
}

static gboolean
parse_length (const char *text,
              gsize       len,
              guint64    *value)
{
  guint64 v = 0;
  gsize i;

  if (len == 0)
    return FALSE;

  for (i = 0; i < len; i++)
    {
      guint digit = (guint8) text[i] - '0';

      if (digit > 9 ||
          v > G_MAXUINT64 / 10 ||
          (v == G_MAXUINT64 / 10 && digit > G_MAXUINT64 % 10))
        return FALSE;
      v = v * 10 + digit;
    }

  *value = v;
  return TRUE;
}

/* Bytes that end a run of plain header text. Every header line ends with
 * a LF, so scanning for these needs no bounds check. */
static const guint8 header_special[256] = {
  ['\0'] = 1, ['\n'] = 1, [':'] = 1, ['\\'] = 1,
};

/* What the letter after a backslash decodes to, or 0 when decode_escape()
 * has to look at the sequence (undefined, at the end of the text, or \r
 * before STOMP 1.2). */
static const char unescape_1_1[256] = {
  ['\\'] = '\\', ['n'] = '\n', ['c'] = ':',
};
static const char unescape_1_2[256] = {
  ['\\'] = '\\', ['n'] = '\n', ['c'] = ':', ['r'] = '\r',
};

/* Decoded headers are never longer than their lines; copy_plain() may
 * write this many bytes more. */
#define COPY_SLACK 16

/* Copies the plain header text at *IN to *OUT up to the first byte of
 * header_special, and advances both past the plain bytes, so *IN is then
 * at that byte. With SSE2, 16 bytes are tested and copied at a time while
 * they can be read (before LIMIT), so up to 15 bytes more may be written
 * (COPY_SLACK). The header text ends with a LF, which stops the scan. */
static inline G_ALWAYS_INLINE void
copy_plain (const guint8 **in_,
            const guint8  *limit,
            char         **out)
{
  const guint8 *in = *in_;
  char *o = *out;

#ifdef __SSE2__
  const __m128i nul = _mm_setzero_si128 ();
  const __m128i lf = _mm_set1_epi8 ('\n');
  const __m128i colon = _mm_set1_epi8 (':');
  const __m128i backslash = _mm_set1_epi8 ('\\');

  while (limit - in >= 16)
    {
      __m128i v = _mm_loadu_si128 ((const __m128i *) in);
      __m128i hits = _mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (v, nul),
                                                 _mm_cmpeq_epi8 (v, lf)),
                                   _mm_or_si128 (_mm_cmpeq_epi8 (v, colon),
                                                 _mm_cmpeq_epi8 (v, backslash)));
      guint mask = (guint) _mm_movemask_epi8 (hits);

      _mm_storeu_si128 ((__m128i *) o, v);
      if (mask != 0)
        {
          guint n = (guint) __builtin_ctz (mask);

          *in_ = in + n;
          *out = o + n;
          return;
        }
      in += 16;
      o += 16;
    }
#endif

  while (!header_special[*in])
    *o++ = *in++;
  *in_ = in;
  *out = o;
}

/* Decodes the head into a new frame (self->frame), whose header strings
 * are written straight into its own allocation. READABLE bytes from HEAD
 * on can be read, at least the head. */
static gboolean
parse_headers (StompestParser  *self,
               const guint8    *head,
               gsize            readable,
               GError         **error)
{
  const guint8 *p = head + self->cmd_line_len;
  const guint8 *end = head + self->headers_end;
  const guint8 *limit = head + readable;
  gboolean crlf = self->frame_version >= STOMPEST_VERSION_STOMP_1_2;
  gboolean escaped = self->frame_version >= STOMPEST_VERSION_STOMP_1_1 &&
                     self->command->escaped;
  const char *unescape = crlf ? unescape_1_2 : unescape_1_1;
  gboolean seen_length = FALSE;
  char **headers_start;
  char *block;
  char **headers;
  char *out;

  /* The pointers filled in are copies, so that the hot ones stay in
   * registers. */
  self->frame = stompest_frame_new_parsed (command_names[self->command - commands],
                                           self->n_headers,
                                           self->headers_end - self->cmd_line_len + COPY_SLACK,
                                           &headers_start, &block);
  headers = headers_start;
  out = block;

  while (p < end)
    {
      const guint8 *q = p;
      const guint8 *colon;
      const guint8 *nl;
      const guint8 *eol;
      char *name = out;
      char *value;
      gsize name_len;

      /* The name, up to the first raw ':'. */
      for (;;)
        {
          copy_plain (&q, limit, &out);

          if (*q == ':' || *q == '\n')
            break;
          if (*q == '\0')
            {
              fail_nul (self, head, q, error);
              return FALSE;
            }
          if (escaped)
            {
              /* A backslash right before the ':' is a lone one. */
              const guint8 *name_end;

              if (G_LIKELY (unescape[q[1]] != 0))
                {
                  *out++ = unescape[q[1]];
                  q += 2;
                  continue;
                }
              name_end = q[1] == ':' || q[1] == '\n' ? q + 1 : q + 2;
              out = decode_escape (self, head, q, name_end, out,
                                   "header name", p, name_end - p, error);
              if (out == NULL)
                return FALSE;
              q = name_end;
            }
          else
            *out++ = *q++;
        }

      if (*q == '\n' || q == p)
        {
          g_autofree char *line = NULL;

          eol = memchr (q, '\n', end - q);
          if (crlf && eol > p && eol[-1] == '\r')
            eol--;
          line = printable (p, eol - p);
          fail (self, error, STOMPEST_ERROR_PARSE, self->frame_start + (p - head),
                *q == '\n' ? "header line '%s' has no ':'"
                           : "header line '%s' has an empty name",
                line);
          return FALSE;
        }

      name_len = out - name;
      *out++ = '\0';

      colon = q;

      /* The value, to the line end (without the CR of a 1.2 CRLF). */
      value = out;
      for (q = colon + 1;;)
        {
          const guint8 *run = q;

          copy_plain (&q, limit, &out);
          if (*q == '\n')
            {
              nl = q;
              if (crlf && q > run && q[-1] == '\r')
                out--;
              break;
            }
          if (*q == '\0')
            {
              fail_nul (self, head, q, error);
              return FALSE;
            }
          if (escaped && *q == '\\')
            {
              /* The value may end right after the backslash. */
              const guint8 *value_end;

              if (G_LIKELY (unescape[q[1]] != 0))
                {
                  *out++ = unescape[q[1]];
                  q += 2;
                  continue;
                }
              value_end = q[1] == '\n' ||
                          (crlf && q[1] == '\r' && q[2] == '\n') ? q + 1 : q + 2;
              out = decode_escape (self, head, q, value_end, out, "header",
                                   (const guint8 *) name, name_len, error);
              if (out == NULL)
                return FALSE;
              q = value_end;
            }
          else if (escaped && *q == ':' && !self->lenient)
            {
              /* The BNF has no raw ':' in a value; lenient parsing keeps
               * it, as brokers that split on the first ':' do. */
              g_autofree char *printed = printable ((const guint8 *) name, name_len);

              fail (self, error, STOMPEST_ERROR_PARSE, self->frame_start + (q - head),
                    "raw ':' in the value of header '%s' (it must be escaped as \\c)",
                    printed);
              return FALSE;
            }
          else
            *out++ = *q++;
        }

      if (!seen_length && name_len == 14 &&
          memcmp (name, "content-length", 14) == 0)
        {
          guint64 length;

          seen_length = TRUE;
          self->length_offset = self->frame_start + (colon + 1 - head);
          if (!parse_length (value, out - value, &length))
            {
              g_autofree char *printed = printable ((const guint8 *) value,
                                                    out - value);

              fail (self, error, STOMPEST_ERROR_PARSE, self->length_offset,
                    "invalid value '%s' of header 'content-length'", printed);
              return FALSE;
            }
          if (length > self->max_frame_size)
            {
              fail (self, error, STOMPEST_ERROR_FRAME_TOO_LARGE,
                    self->length_offset,
                    "content-length %" G_GUINT64_FORMAT " is over the frame "
                    "size limit of %" G_GSIZE_FORMAT " bytes",
                    length, self->max_frame_size);
              return FALSE;
            }
          self->has_length = TRUE;
          self->body_length = length;
        }
      *out++ = '\0';

      *headers++ = name;
      *headers++ = value;
      p = nl + 1;
    }

  return TRUE;
}

/* The head is complete in HEAD, of which READABLE bytes can be read: decode
 * it and get ready for the body. */
static gboolean
finish_head (StompestParser  *self,
             const guint8    *head,
             gsize            readable,
             GError         **error)
{
  /* A NUL byte in the command line makes an unknown command; in header
   * lines parse_headers() finds it. */
  if (!parse_headers (self, head, readable, error))
    return FALSE;

  if (self->head_len >= self->max_frame_size)
    {
      fail (self, error, STOMPEST_ERROR_FRAME_TOO_LARGE,
            self->frame_start + self->max_frame_size,
            "frame larger than the limit of %" G_GSIZE_FORMAT " bytes",
            self->max_frame_size);
      return FALSE;
    }

  if (self->has_length)
    {
      if (self->body_length > self->max_frame_size - self->head_len - 1)
        {
          fail (self, error, STOMPEST_ERROR_FRAME_TOO_LARGE, self->length_offset,
                "content-length %" G_GSIZE_FORMAT " makes the frame larger "
                "than the limit of %" G_GSIZE_FORMAT " bytes",
                self->body_length, self->max_frame_size);
          return FALSE;
        }
      if (self->body_length > 0 && !self->command->body &&
          self->frame_version >= STOMPEST_VERSION_STOMP_1_1)
        {
          fail (self, error, STOMPEST_ERROR_PARSE,
                self->frame_start + self->head_len,
                "a %s frame must not have a body (content-length %" G_GSIZE_FORMAT ")",
                self->command->name, self->body_length);
          return FALSE;
        }
    }

  release_head (self);
  self->state = STATE_BODY;
  return TRUE;
}

static Step
step_idle (StompestParser  *self,
           GError         **error)
{
  gboolean crlf = self->version >= STOMPEST_VERSION_STOMP_1_2;

  while (self->cur_pos < self->cur_len)
    {
      guint8 c = self->cur_data[self->cur_pos];

      if (self->idle_cr)
        {
          if (c != '\n')
            {
              g_autofree char *printed = printable (&c, 1);

              fail (self, error, STOMPEST_ERROR_PARSE,
                    self->cur_base + self->cur_pos,
                    "CR followed by '%s' instead of LF between frames", printed);
              return STEP_ERROR;
            }
          self->idle_cr = FALSE;
          self->heart_beats++;
        }
      else if (c == '\n')
        self->heart_beats++;
      else if (c == '\r' && crlf)
        self->idle_cr = TRUE;
      else
        {
          self->state = STATE_HEAD;
          self->frame_start = self->cur_base + self->cur_pos;
          self->frame_version = self->version;
          self->head_pos = self->cur_pos;
          self->line_start = 0;
          return STEP_CONTINUE;
        }
      self->cur_pos++;
    }

  return STEP_CONTINUE;
}

#ifdef __SSE2__
/* Looks for the blank line that ends the head in the AVAIL bytes at HEAD,
 * from the line after the command line, 16 bytes at a time, counting the
 * header lines. It only looks as far as no line and no head can go over a
 * limit, so that the lines need not be checked one by one. Returns FALSE,
 * changing nothing, when the head does not end there or has too many
 * headers: then process_line() goes over each line and tells why. */
static gboolean
scan_head (StompestParser *self,
           const guint8   *head,
           gsize           avail)
{
  gboolean crlf = self->frame_version >= STOMPEST_VERSION_STOMP_1_2;
  const __m128i lf = _mm_set1_epi8 ('\n');
  gsize line = self->line_start;
  gsize limit = MIN (avail, self->max_frame_size);
  guint n_headers = 0;

  /* The command line fitted, so LINE <= LIMIT. */
  if (limit - line > self->max_header_line_length)
    limit = line + self->max_header_line_length;

  for (gsize pos = line; pos < limit; pos += 16)
    {
      guint mask = 0;

      if (limit - pos >= 16)
        {
          __m128i v = _mm_loadu_si128 ((const __m128i *) (head + pos));

          mask = (guint) _mm_movemask_epi8 (_mm_cmpeq_epi8 (v, lf));
        }
      else
        for (guint i = 0; i < limit - pos; i++)
          mask |= (guint) (head[pos + i] == '\n') << i;

      for (; mask != 0; mask &= mask - 1)
        {
          gsize nl = pos + (guint) __builtin_ctz (mask);

          if (nl == line || (crlf && nl == line + 1 && head[line] == '\r'))
            {
              if (n_headers > self->max_header_count)
                return FALSE;
              self->n_headers = n_headers;
              self->headers_end = line;
              self->head_len = nl + 1;
              self->line_start = nl + 1;
              return TRUE;
            }
          n_headers++;
          line = nl + 1;
        }
    }

  return FALSE;
}
#endif

static Step
step_head (StompestParser  *self,
           GError         **error)
{
  LineResult result;

  if (!self->head_buffered)
    {
      /* Fast path: read the lines where they lie in the segment. */
      const guint8 *head = self->cur_data + self->head_pos;
      gsize avail = self->cur_len - self->head_pos;

      for (;;)
        {
          const guint8 *nl = memchr (head + self->line_start, '\n',
                                     avail - self->line_start);

          if (nl == NULL)
            break;

          result = process_line (self, head, self->line_start, nl - head, error);
          if (result == LINE_ERROR)
            return STEP_ERROR;

          self->line_start = nl - head + 1;
#ifdef __SSE2__
          /* Right after the command line, try to find the whole head. */
          if (result == LINE_MORE && self->n_headers == 0 &&
              self->line_start == self->cmd_line_len &&
              scan_head (self, head, avail))
            result = LINE_HEAD_DONE;
#endif
          if (result == LINE_HEAD_DONE)
            {
              self->cur_pos = self->head_pos + self->head_len;
              return finish_head (self, head, avail, error) ? STEP_CONTINUE : STEP_ERROR;
            }
        }

      if (!check_partial_line (self, head, avail, error))
        return STEP_ERROR;

      /* The head goes on in a later segment: keep what there is. */
      if (self->head_buf == NULL)
        self->head_buf = g_byte_array_new ();
      g_byte_array_append (self->head_buf, head, avail);
      self->head_buffered = TRUE;
      self->cur_pos = self->cur_len;
      return STEP_CONTINUE;
    }
  else
    {
      /* Slow path: copy the rest of the current line into head_buf. Each
       * byte is scanned once, however small the chunks. */
      const guint8 *start = self->cur_data + self->cur_pos;
      gsize avail = self->cur_len - self->cur_pos;
      const guint8 *nl = memchr (start, '\n', avail);
      gsize take = nl != NULL ? (gsize) (nl - start) + 1 : avail;
      GByteArray *buf = self->head_buf;

      g_byte_array_append (buf, start, take);
      self->cur_pos += take;

      if (nl == NULL)
        return check_partial_line (self, buf->data, buf->len, error) ? STEP_CONTINUE : STEP_ERROR;

      result = process_line (self, buf->data, self->line_start, buf->len - 1, error);
      if (result == LINE_ERROR)
        return STEP_ERROR;

      self->line_start = buf->len;
      if (result == LINE_HEAD_DONE)
        return finish_head (self, buf->data, buf->len, error) ? STEP_CONTINUE : STEP_ERROR;

      return STEP_CONTINUE;
    }
}

static StompestFrame *
take_frame (StompestParser *self)
{
  StompestFrame *frame = g_steal_pointer (&self->frame);

  stompest_frame_take_body (frame, g_steal_pointer (&self->body));
  clear_frame (self);
  self->state = STATE_IDLE;

  return frame;
}

static Step
step_body (StompestParser  *self,
           GError         **error)
{
  const guint8 *start = self->cur_data + self->cur_pos;
  gsize avail = self->cur_len - self->cur_pos;
  gsize have = self->body_buf != NULL ? self->body_buf->len : 0;

  if (self->has_length)
    {
      gsize need = self->body_length - have;

      if (self->body_buf == NULL && avail >= need)
        {
          self->body = slice_current (self, need);
          self->cur_pos += need;
        }
      else
        {
          gsize take = MIN (avail, need);

          if (self->body_buf == NULL)
            self->body_buf = g_byte_array_sized_new (self->body_length);
          g_byte_array_append (self->body_buf, start, take);
          self->cur_pos += take;
          if (take < need)
            return STEP_CONTINUE;
          self->body = g_byte_array_free_to_bytes (g_steal_pointer (&self->body_buf));
        }

      self->state = STATE_TERMINATOR;
      return STEP_CONTINUE;
    }
  else
    {
      /* The body may hold ROOM more bytes before the frame, NUL included,
       * goes over the limit (which may have been lowered meanwhile). */
      gsize used = self->head_len + have + 1;
      gsize room = self->max_frame_size > used ? self->max_frame_size - used : 0;
      gsize window = MIN (avail, room + 1);
      const guint8 *nul;

      if (have == 0 && start[0] != '\0' && !self->command->body &&
          self->frame_version >= STOMPEST_VERSION_STOMP_1_1)
        {
          fail (self, error, STOMPEST_ERROR_PARSE, self->cur_base + self->cur_pos,
                "a %s frame must not have a body", self->command->name);
          return STEP_ERROR;
        }

      nul = memchr (start, '\0', window);
      if (nul == NULL)
        {
          if (avail > room)
            {
              fail (self, error, STOMPEST_ERROR_FRAME_TOO_LARGE,
                    self->frame_start + self->max_frame_size,
                    "frame larger than the limit of %" G_GSIZE_FORMAT " bytes",
                    self->max_frame_size);
              return STEP_ERROR;
            }
          if (self->body_buf == NULL)
            self->body_buf = g_byte_array_sized_new (MAX (avail, 256));
          g_byte_array_append (self->body_buf, start, avail);
          self->cur_pos = self->cur_len;
          return STEP_CONTINUE;
        }

      if (self->body_buf != NULL)
        {
          g_byte_array_append (self->body_buf, start, nul - start);
          self->body = g_byte_array_free_to_bytes (g_steal_pointer (&self->body_buf));
        }
      else
        self->body = slice_current (self, nul - start);
      self->cur_pos += nul - start + 1;

      return STEP_FRAME;
    }
}

static Step
step_terminator (StompestParser  *self,
                 GError         **error)
{
  if (self->cur_data[self->cur_pos] == '\0')
    {
      self->cur_pos++;
      return STEP_FRAME;
    }

  /* Lenient: the byte belongs to whatever follows the frame. */
  if (self->lenient)
    return STEP_FRAME;

  fail (self, error, STOMPEST_ERROR_PARSE, self->cur_base + self->cur_pos,
        "no NUL byte after the %" G_GSIZE_FORMAT "-byte body given by content-length",
        self->body_length);
  return STEP_ERROR;
}

static void
stompest_parser_finalize (GObject *object)
{
  StompestParser *self = STOMPEST_PARSER (object);

  clear_frame (self);
  clear_input (self);
  g_clear_pointer (&self->head_buf, g_byte_array_unref);
  g_clear_error (&self->failure);

  G_OBJECT_CLASS (stompest_parser_parent_class)->finalize (object);
}

static void
stompest_parser_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  StompestParser *self = STOMPEST_PARSER (object);

  switch (prop_id)
    {
    case PROP_VERSION:
      g_value_set_enum (value, self->version);
      break;
    case PROP_LENIENT:
      g_value_set_boolean (value, self->lenient);
      break;
    case PROP_MAX_FRAME_SIZE:
      g_value_set_uint64 (value, self->max_frame_size);
      break;
    case PROP_MAX_HEADER_COUNT:
      g_value_set_uint (value, self->max_header_count);
      break;
    case PROP_MAX_HEADER_LINE_LENGTH:
      g_value_set_uint64 (value, self->max_header_line_length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_parser_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  StompestParser *self = STOMPEST_PARSER (object);

  switch (prop_id)
    {
    case PROP_VERSION:
      stompest_parser_set_version (self, g_value_get_enum (value));
      break;
    case PROP_LENIENT:
      stompest_parser_set_lenient (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_FRAME_SIZE:
      stompest_parser_set_max_frame_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_HEADER_COUNT:
      stompest_parser_set_max_header_count (self, g_value_get_uint (value));
      break;
    case PROP_MAX_HEADER_LINE_LENGTH:
      stompest_parser_set_max_header_line_length (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_parser_class_init (StompestParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (commands); i++)
    command_names[i] = stompest_frame_intern_command (commands[i].name,
                                                      commands[i].len);

  object_class->finalize = stompest_parser_finalize;
  object_class->get_property = stompest_parser_get_property;
  object_class->set_property = stompest_parser_set_property;

  /**
   * StompestParser:version: (attributes org.gtk.Property.get=stompest_parser_get_version org.gtk.Property.set=stompest_parser_set_version)
   *
   * The STOMP version the stream is read with: it decides the commands
   * accepted, the line ends and the header escaping.
   *
   * It may change between frames, for example to the version a CONNECTED
   * frame names; the change applies from the next frame the parser starts
   * to read, including bytes already fed.
   *
   * Since: 0.1
   */
  properties[PROP_VERSION] =
    g_param_spec_enum ("version", NULL, NULL,
                       STOMPEST_TYPE_VERSION,
                       STOMPEST_VERSION_STOMP_1_2,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * StompestParser:lenient: (attributes org.gtk.Property.get=stompest_parser_get_lenient org.gtk.Property.set=stompest_parser_set_lenient)
   *
   * Whether to accept what sloppy brokers send: a raw `:` in a STOMP 1.1 or
   * 1.2 header value, undefined escape sequences (kept as they are), and a
   * missing NUL right after a `content-length` body.
   *
   * Since: 0.1
   */
  properties[PROP_LENIENT] =
    g_param_spec_boolean ("lenient", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);

  /**
   * StompestParser:max-frame-size: (attributes org.gtk.Property.get=stompest_parser_get_max_frame_size org.gtk.Property.set=stompest_parser_set_max_frame_size)
   *
   * The largest frame accepted, in bytes, from the first byte of the
   * command to the NUL that ends the body. A larger frame is a
   * %STOMPEST_ERROR_FRAME_TOO_LARGE error; a `content-length` that cannot
   * fit fails at once, before the body arrives.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_FRAME_SIZE] =
    g_param_spec_uint64 ("max-frame-size", NULL, NULL,
                         1, G_MAXUINT, DEFAULT_MAX_FRAME_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * StompestParser:max-header-count: (attributes org.gtk.Property.get=stompest_parser_get_max_header_count org.gtk.Property.set=stompest_parser_set_max_header_count)
   *
   * The largest number of header lines accepted in one frame, repeated
   * headers included. More is a %STOMPEST_ERROR_FRAME_TOO_LARGE error.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_HEADER_COUNT] =
    g_param_spec_uint ("max-header-count", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_MAX_HEADER_COUNT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);

  /**
   * StompestParser:max-header-line-length: (attributes org.gtk.Property.get=stompest_parser_get_max_header_line_length org.gtk.Property.set=stompest_parser_set_max_header_line_length)
   *
   * The longest command or header line accepted, in bytes, not counting
   * its line end. A longer one is a %STOMPEST_ERROR_FRAME_TOO_LARGE error.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_HEADER_LINE_LENGTH] =
    g_param_spec_uint64 ("max-header-line-length", NULL, NULL,
                         1, G_MAXSIZE, DEFAULT_MAX_HEADER_LINE_LENGTH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stompest_parser_init (StompestParser *self)
{
  self->version = STOMPEST_VERSION_STOMP_1_2;
  self->max_frame_size = DEFAULT_MAX_FRAME_SIZE;
  self->max_header_count = DEFAULT_MAX_HEADER_COUNT;
  self->max_header_line_length = DEFAULT_MAX_HEADER_LINE_LENGTH;
  g_queue_init (&self->queue);
}

/**
 * stompest_parser_new:
 *
 * Creates a parser for STOMP 1.2 with the default limits: frames of up to
 * 64 MiB, 1000 headers and header lines of 64 KiB.
 *
 * Returns: (transfer full): a new parser
 *
 * Since: 0.1
 */
StompestParser *
stompest_parser_new (void)
{
  return g_object_new (STOMPEST_TYPE_PARSER, NULL);
}

static void
push_segment (StompestParser *self,
              GBytes         *bytes)
{
  if (self->cur == NULL && self->queue.length == 0)
    {
      self->cur = bytes;
      self->cur_data = g_bytes_get_data (bytes, &self->cur_len);
      self->cur_pos = 0;
    }
  else
    g_queue_push_tail (&self->queue, bytes);
}

/**
 * stompest_parser_feed:
 * @parser: a parser
 * @data: (array length=len) (element-type guint8): bytes read from the peer
 * @len: the number of bytes in @data
 *
 * Gives the parser more of the stream. The bytes are copied, so @data may
 * be reused at once. Call [method@Stompest.Parser.next_frame] until it
 * returns %NULL afterwards: the parser only holds on to what it has not
 * read yet.
 *
 * Does nothing when the parser has failed.
 *
 * Since: 0.1
 */
void
stompest_parser_feed (StompestParser *parser,
                      const guint8   *data,
                      gsize           len)
{
  g_return_if_fail (STOMPEST_IS_PARSER (parser));
  g_return_if_fail (data != NULL || len == 0);

  if (len == 0 || parser->state == STATE_FAILED)
    return;

  push_segment (parser, g_bytes_new (data, len));
}

/**
 * stompest_parser_feed_bytes:
 * @parser: a parser
 * @bytes: bytes read from the peer
 *
 * Gives the parser more of the stream without copying it: the parser
 * keeps a reference to @bytes, and the body of a frame that lies inside
 * @bytes is a slice of it (see [method@GLib.Bytes.new_from_bytes]). Call
 * [method@Stompest.Parser.next_frame] until it returns %NULL afterwards.
 *
 * Does nothing when the parser has failed.
 *
 * Since: 0.1
 */
void
stompest_parser_feed_bytes (StompestParser *parser,
                            GBytes         *bytes)
{
  g_return_if_fail (STOMPEST_IS_PARSER (parser));
  g_return_if_fail (bytes != NULL);

  if (g_bytes_get_size (bytes) == 0 || parser->state == STATE_FAILED)
    return;

  push_segment (parser, g_bytes_ref (bytes));
}

/**
 * stompest_parser_next_frame:
 * @parser: a parser
 * @error: return location for a #GError
 *
 * Reads the next whole frame from the bytes fed so far. Heart-beats
 * (end-of-line bytes between frames) are consumed and counted, never
 * returned.
 *
 * On a malformed frame this sets a %STOMPEST_ERROR_PARSE or
 * %STOMPEST_ERROR_FRAME_TOO_LARGE error whose message starts with the byte
 * offset in the stream, and the parser is failed: later calls return the
 * same error and fed bytes are ignored until [method@Stompest.Parser.reset].
 *
 * Returns: (transfer full) (nullable): the next frame, sealed; or %NULL
 *   without an error when more bytes are needed, or %NULL with @error set
 *
 * Since: 0.1
 */
StompestFrame *
stompest_parser_next_frame (StompestParser  *parser,
                            GError         **error)
{
  StompestParser *self = parser;

  g_return_val_if_fail (STOMPEST_IS_PARSER (parser), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->state == STATE_FAILED)
    {
      g_propagate_error (error, g_error_copy (self->failure));
      return NULL;
    }

  for (;;)
    {
      Step step = STEP_CONTINUE;

      if (self->cur_pos == self->cur_len && !next_segment (self))
        return NULL;

      switch (self->state)
        {
        case STATE_IDLE:
          step = step_idle (self, error);
          break;
        case STATE_HEAD:
          step = step_head (self, error);
          break;
        case STATE_BODY:
          step = step_body (self, error);
          break;
        case STATE_TERMINATOR:
          step = step_terminator (self, error);
          break;
        case STATE_FAILED:
        default:
          g_assert_not_reached ();
        }

      if (step == STEP_FRAME)
        return take_frame (self);
      if (step == STEP_ERROR)
        return NULL;
    }
}

/**
 * stompest_parser_reset:
 * @parser: a parser
 *
 * Forgets every byte fed, the frame being read and a failure, and starts
 * counting offsets and heart-beats from zero, as for a new connection.
 * The properties keep their values.
 *
 * Since: 0.1
 */
void
stompest_parser_reset (StompestParser *parser)
{
  g_return_if_fail (STOMPEST_IS_PARSER (parser));

  clear_frame (parser);
  clear_input (parser);
  g_clear_error (&parser->failure);
  parser->state = STATE_IDLE;
  parser->idle_cr = FALSE;
  parser->cur_base = 0;
  parser->heart_beats = 0;
}

/**
 * stompest_parser_get_version:
 * @parser: a parser
 *
 * Gets the STOMP version the stream is read with.
 *
 * Returns: the version
 *
 * Since: 0.1
 */
StompestVersion
stompest_parser_get_version (StompestParser *parser)
{
  g_return_val_if_fail (STOMPEST_IS_PARSER (parser), STOMPEST_VERSION_STOMP_1_2);

  return parser->version;
}

/**
 * stompest_parser_set_version:
 * @parser: a parser
 * @version: a STOMP version
 *
 * Sets the STOMP version to read the next frames with, typically the one
 * a CONNECTED frame names.
 *
 * Since: 0.1
 */
void
stompest_parser_set_version (StompestParser  *parser,
                             StompestVersion  version)
{
  g_return_if_fail (STOMPEST_IS_PARSER (parser));
  g_return_if_fail (version == STOMPEST_VERSION_STOMP_1_0 ||
                    version == STOMPEST_VERSION_STOMP_1_1 ||
                    version == STOMPEST_VERSION_STOMP_1_2);

  if (parser->version == version)
    return;

  parser->version = version;
  g_object_notify_by_pspec (G_OBJECT (parser), properties[PROP_VERSION]);
}

/**
 * stompest_parser_get_lenient:
 * @parser: a parser
 *
 * Gets whether the parser accepts the deviations described at
 * [property@Stompest.Parser:lenient].
 *
 * Returns: %TRUE if the parser is lenient
 *
 * Since: 0.1
 */
gboolean
stompest_parser_get_lenient (StompestParser *parser)
{
  g_return_val_if_fail (STOMPEST_IS_PARSER (parser), FALSE);

  return parser->lenient;
}

/**
 * stompest_parser_set_lenient:
 * @parser: a parser
 * @lenient: whether to accept what sloppy brokers send
 *
 * Sets whether the parser accepts a raw `:` in header values, undefined
 * escape sequences and a missing NUL after a `content-length` body.
 *
 * Since: 0.1
 */
void
stompest_parser_set_lenient (StompestParser *parser,
                             gboolean        lenient)
{
  g_return_if_fail (STOMPEST_IS_PARSER (parser));

  lenient = !!lenient;
  if (parser->lenient == lenient)
    return;

  parser->lenient = lenient;
  g_object_notify_by_pspec (G_OBJECT (parser), properties[PROP_LENIENT]);
}

/**
 * stompest_parser_get_max_frame_size:
 * @parser: a parser
 *
 * Gets the largest frame accepted, in bytes.
 *
 * Returns: the limit
 *
 * Since: 0.1
 */
gsize
stompest_parser_get_max_frame_size (StompestParser *parser)
{
  g_return_val_if_fail (STOMPEST_IS_PARSER (parser), 0);

  return parser->max_frame_size;
}

/**
 * stompest_parser_set_max_frame_size:
 * @parser: a parser
 * @max_frame_size: the limit in bytes, from 1 to %G_MAXUINT
 *
 * Sets the largest frame accepted, from the command to the NUL after the
 * body. It applies to the frame being read too.
 *
 * Since: 0.1
 */
void
stompest_parser_set_max_frame_size (StompestParser *parser,
                                    gsize           max_frame_size)
{
  g_return_if_fail (STOMPEST_IS_PARSER (parser));
  g_return_if_fail (max_frame_size > 0 && max_frame_size <= G_MAXUINT);

  if (parser->max_frame_size == max_frame_size)
    return;

  parser->max_frame_size = max_frame_size;
  g_object_notify_by_pspec (G_OBJECT (parser), properties[PROP_MAX_FRAME_SIZE]);
}

/**
 * stompest_parser_get_max_header_count:
 * @parser: a parser
 *
 * Gets the largest number of headers accepted in one frame.
 *
 * Returns: the limit
 *
 * Since: 0.1
 */
guint
stompest_parser_get_max_header_count (StompestParser *parser)
{
  g_return_val_if_fail (STOMPEST_IS_PARSER (parser), 0);

  return parser->max_header_count;
}

/**
 * stompest_parser_set_max_header_count:
 * @parser: a parser
 * @max_header_count: the limit
 *
 * Sets the largest number of header lines accepted in one frame.
 *
 * Since: 0.1
 */
void
stompest_parser_set_max_header_count (StompestParser *parser,
                                      guint           max_header_count)
{
  g_return_if_fail (STOMPEST_IS_PARSER (parser));

  if (parser->max_header_count == max_header_count)
    return;

  parser->max_header_count = max_header_count;
  g_object_notify_by_pspec (G_OBJECT (parser), properties[PROP_MAX_HEADER_COUNT]);
}

/**
 * stompest_parser_get_max_header_line_length:
 * @parser: a parser
 *
 * Gets the longest command or header line accepted, in bytes.
 *
 * Returns: the limit
 *
 * Since: 0.1
 */
gsize
stompest_parser_get_max_header_line_length (StompestParser *parser)
{
  g_return_val_if_fail (STOMPEST_IS_PARSER (parser), 0);

  return parser->max_header_line_length;
}

/**
 * stompest_parser_set_max_header_line_length:
 * @parser: a parser
 * @max_header_line_length: the limit in bytes, at least 1
 *
 * Sets the longest command or header line accepted, not counting its
 * line end.
 *
 * Since: 0.1
 */
void
stompest_parser_set_max_header_line_length (StompestParser *parser,
                                            gsize           max_header_line_length)
{
  g_return_if_fail (STOMPEST_IS_PARSER (parser));
  g_return_if_fail (max_header_line_length > 0);

  if (parser->max_header_line_length == max_header_line_length)
    return;

  parser->max_header_line_length = max_header_line_length;
  g_object_notify_by_pspec (G_OBJECT (parser), properties[PROP_MAX_HEADER_LINE_LENGTH]);
}

/**
 * stompest_parser_get_heart_beats:
 * @parser: a parser
 *
 * Gets the number of end-of-line sequences (LF, or CRLF in STOMP 1.2)
 * read between frames since the last reset. These are heart-beats, and
 * the line ends that some brokers write after a frame's NUL.
 *
 * Returns: the number of heart-beats read
 *
 * Since: 0.1
 */
guint64
stompest_parser_get_heart_beats (StompestParser *parser)
{
  g_return_val_if_fail (STOMPEST_IS_PARSER (parser), 0);

  return parser->heart_beats;
}

/**
 * stompest_parser_get_offset:
 * @parser: a parser
 *
 * Gets the number of bytes consumed since the last reset: those of the
 * frames returned, the heart-beats, and the part of a frame read so far.
 * Error messages count byte offsets the same way.
 *
 * Returns: the stream offset of the next byte to read
 *
 * Since: 0.1
 */
guint64
stompest_parser_get_offset (StompestParser *parser)
{
  g_return_val_if_fail (STOMPEST_IS_PARSER (parser), 0);

  return parser->cur_base + parser->cur_pos;
}

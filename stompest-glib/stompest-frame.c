/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "stompest-error.h"
#include "stompest-frame.h"
#include "stompest-frame-private.h"

/**
 * StompestFrame:
 *
 * A STOMP frame: a command, an ordered list of headers and a body.
 *
 * Headers keep their wire order, and a header that appears several times
 * keeps every occurrence. [method@Stompest.Frame.get_header] returns the
 * first one, as STOMP says the first occurrence wins, and
 * [method@Stompest.Frame.get_header_values] returns all of them.
 *
 * Header names and values are stored unescaped; the escaping of STOMP 1.1
 * and 1.2 is applied when the frame is turned into bytes with
 * [method@Stompest.Frame.to_bytes], for the version given there. The body
 * is a [struct@GLib.Bytes] that is shared, never copied.
 *
 * A frame is reference counted. Once it is shared (queued for sending, or
 * handed out by a parser) it is sealed with [method@Stompest.Frame.seal]
 * and can no longer change, so it can be read from any thread. Use
 * [method@Stompest.Frame.copy] to get a frame that can be changed again.
 *
 * ```c
 * g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");
 * g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
 * g_autoptr(GBytes) wire = NULL;
 * g_autoptr(GError) error = NULL;
 *
 * stompest_frame_add_header (frame, "destination", "/queue/a");
 * stompest_frame_set_body (frame, body);
 * wire = stompest_frame_to_bytes (frame, STOMPEST_VERSION_STOMP_1_2,
 *                                 STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH,
 *                                 &error);
 * // "SEND\ndestination:/queue/a\ncontent-length:5\n\nhello\0"
 * ```
 *
 * Since: 0.1
 */

struct _StompestFrame
{
  gatomicrefcount ref_count;
  guint sealed : 1;
  /* Made by stompest_frame_new_parsed(): @headers is @inline_headers and
   * the strings follow it, all in the frame's own allocation. */
  guint parsed : 1;

  const char *command;
  /* Set when @command is not a known, interned one. */
  char *owned_command;

  /* 2 * n_headers strings: name, value, name, value... */
  char **headers;
  guint n_headers;
  /* Pairs @headers has room for, for frames that own their strings. */
  guint n_allocated;

  /* NULL for no body. */
  GBytes *body;

  char *inline_headers[];
};

G_DEFINE_BOXED_TYPE (StompestFrame, stompest_frame,
                     stompest_frame_ref, stompest_frame_unref)

#define HEADER_NAME(frame, i) ((frame)->headers[2 * (i)])
#define HEADER_VALUE(frame, i) ((frame)->headers[2 * (i) + 1])

#define PASSCODE_MASK "********"
#define BODY_PREVIEW_LENGTH 64

static const char * const known_commands[] = {
  "CONNECT", "STOMP", "CONNECTED", "SEND", "SUBSCRIBE", "UNSUBSCRIBE",
  "ACK", "NACK", "BEGIN", "COMMIT", "ABORT", "DISCONNECT",
  "MESSAGE", "RECEIPT", "ERROR",
};

/* Process-wide constants, filled once: the interned command names and the
 * empty body returned for frames without one. Never changed afterwards. */
static struct
{
  const char *commands[G_N_ELEMENTS (known_commands)];
  GBytes *empty_body;
} constants;

static void
ensure_constants (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (known_commands); i++)
        constants.commands[i] = g_intern_static_string (known_commands[i]);
      constants.empty_body = g_bytes_new_static ("", 0);
      g_once_init_leave (&initialized, 1);
    }
}

const char *
stompest_frame_intern_command (const char *command,
                               gsize       len)
{
  g_return_val_if_fail (command != NULL || len == 0, NULL);

  ensure_constants ();

  for (guint i = 0; i < G_N_ELEMENTS (known_commands); i++)
    {
      const char *known = constants.commands[i];

      if (len > 0 && known[0] == command[0] && strlen (known) == len &&
          memcmp (known, command, len) == 0)
        return known;
    }

  return NULL;
}

static gboolean
command_is (const char *command,
            const char *known)
{
  return command == known || strcmp (command, known) == 0;
}

gboolean
stompest_frame_command_escapes (const char      *command,
                                StompestVersion  version)
{
  g_return_val_if_fail (command != NULL, FALSE);

  if (version < STOMPEST_VERSION_STOMP_1_1)
    return FALSE;

  return !command_is (command, "CONNECT") && !command_is (command, "CONNECTED");
}

/* Whether COMMAND may be written in VERSION: NACK and STOMP came with 1.1.
 * Commands STOMP does not define are left to the caller. */
static gboolean
command_exists_in (const char      *command,
                   StompestVersion  version)
{
  if (version >= STOMPEST_VERSION_STOMP_1_1)
    return TRUE;

  return !command_is (command, "NACK") && !command_is (command, "STOMP");
}

gboolean
stompest_frame_command_allows_body (const char      *command,
                                    StompestVersion  version)
{
  g_return_val_if_fail (command != NULL, FALSE);

  if (version < STOMPEST_VERSION_STOMP_1_1)
    return TRUE;

  return command_is (command, "SEND") || command_is (command, "MESSAGE") ||
         command_is (command, "ERROR");
}

static StompestFrame *
frame_alloc (const char *command)
{
  StompestFrame *frame;

  frame = g_new0 (StompestFrame, 1);
  g_atomic_ref_count_init (&frame->ref_count);
  frame->command = command;

  return frame;
}

/**
 * stompest_frame_new:
 * @command: the frame's command, such as `"SEND"`
 *
 * Creates a frame with no headers and no body.
 *
 * The command of a frame that STOMP defines is stored as an interned
 * string, so it can be compared with [func@GLib.intern_static_string] by
 * pointer as well as with `strcmp()`.
 *
 * Returns: (transfer full): a new, unsealed frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_frame_new (const char *command)
{
  StompestFrame *frame;
  const char *interned;

  g_return_val_if_fail (command != NULL && command[0] != '\0', NULL);

  interned = stompest_frame_intern_command (command, strlen (command));
  if (interned != NULL)
    return frame_alloc (interned);

  frame = frame_alloc (NULL);
  frame->owned_command = g_strdup (command);
  frame->command = frame->owned_command;

  return frame;
}

StompestFrame *
stompest_frame_new_parsed (const char   *command,
                           guint         n_headers,
                           gsize         block_size,
                           char       ***headers,
                           char        **block)
{
  StompestFrame *frame;
  gsize pointers_size;

  g_return_val_if_fail (command != NULL, NULL);
  g_return_val_if_fail (headers != NULL && block != NULL, NULL);
  /* Every string takes at least its NUL, so the pointers take at most
   * 8 bytes per block byte: the bound keeps the sum below from
   * overflowing. */
  g_return_val_if_fail (block_size >= 2 * (gsize) n_headers, NULL);
  g_return_val_if_fail (block_size <= (G_MAXSIZE - sizeof (StompestFrame)) / 9, NULL);

  /* Only the struct needs clearing: the caller fills the rest. */
  pointers_size = 2 * (gsize) n_headers * sizeof (char *);
  frame = g_malloc (sizeof (StompestFrame) + pointers_size + block_size);
  memset (frame, 0, sizeof (StompestFrame));
  g_atomic_ref_count_init (&frame->ref_count);
  frame->command = command;
  frame->sealed = TRUE;
  frame->parsed = TRUE;
  frame->headers = frame->inline_headers;
  frame->n_headers = n_headers;

  *headers = frame->inline_headers;
  *block = (char *) frame->inline_headers + pointers_size;

  return frame;
}

void
stompest_frame_take_body (StompestFrame *frame,
                          GBytes        *body)
{
  g_return_if_fail (frame != NULL && frame->parsed);

  g_clear_pointer (&frame->body, g_bytes_unref);
  frame->body = body;
}

/**
 * stompest_frame_ref:
 * @frame: a frame
 *
 * Takes a reference on @frame. This is thread-safe.
 *
 * Returns: (transfer full): @frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_frame_ref (StompestFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);

  g_atomic_ref_count_inc (&frame->ref_count);

  return frame;
}

static void
frame_free (StompestFrame *frame)
{
  if (!frame->parsed)
    {
      for (guint i = 0; i < 2 * frame->n_headers; i++)
        g_free (frame->headers[i]);
      g_free (frame->headers);
    }

  g_clear_pointer (&frame->body, g_bytes_unref);
  g_free (frame->owned_command);
  g_free (frame);
}

/**
 * stompest_frame_unref:
 * @frame: (transfer full): a frame
 *
 * Drops a reference on @frame, freeing it when it was the last one. This is
 * thread-safe.
 *
 * Since: 0.1
 */
void
stompest_frame_unref (StompestFrame *frame)
{
  g_return_if_fail (frame != NULL);

  if (g_atomic_ref_count_dec (&frame->ref_count))
    frame_free (frame);
}

/**
 * stompest_frame_copy:
 * @frame: a frame
 *
 * Makes a deep copy of @frame: the same command, the same headers in the
 * same order, and the same body (the [struct@GLib.Bytes] is shared, as it
 * is immutable). The copy is not sealed, whether @frame is or not, so it
 * can be changed without affecting @frame.
 *
 * Returns: (transfer full): a new, unsealed frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_frame_copy (StompestFrame *frame)
{
  StompestFrame *copy;

  g_return_val_if_fail (frame != NULL, NULL);

  copy = frame_alloc (frame->command);
  if (frame->owned_command != NULL)
    {
      copy->owned_command = g_strdup (frame->owned_command);
      copy->command = copy->owned_command;
    }

  copy->n_headers = frame->n_headers;
  copy->n_allocated = frame->n_headers;
  copy->headers = g_new (char *, 2 * frame->n_headers);
  for (guint i = 0; i < 2 * frame->n_headers; i++)
    copy->headers[i] = g_strdup (frame->headers[i]);

  if (frame->body != NULL)
    copy->body = g_bytes_ref (frame->body);

  return copy;
}

/**
 * stompest_frame_seal:
 * @frame: a frame
 *
 * Makes @frame immutable. Every function that would change a sealed frame
 * fails with a critical warning instead. Sealing a sealed frame does
 * nothing.
 *
 * Frames are sealed when they are shared: frames made by a parser come
 * sealed, and the clients seal a frame when they queue it for sending.
 *
 * Since: 0.1
 */
void
stompest_frame_seal (StompestFrame *frame)
{
  g_return_if_fail (frame != NULL);

  frame->sealed = TRUE;
}

/**
 * stompest_frame_is_sealed:
 * @frame: a frame
 *
 * Tells whether @frame was sealed with [method@Stompest.Frame.seal] and
 * can no longer be changed.
 *
 * Returns: %TRUE if @frame is sealed
 *
 * Since: 0.1
 */
gboolean
stompest_frame_is_sealed (StompestFrame *frame)
{
  g_return_val_if_fail (frame != NULL, FALSE);

  return frame->sealed;
}

/**
 * stompest_frame_get_command:
 * @frame: a frame
 *
 * Gets the command of @frame, such as `"MESSAGE"`. For the commands STOMP
 * defines this is the interned string, equal by pointer to
 * [func@GLib.intern_static_string] of the same name.
 *
 * Returns: (transfer none): the command
 *
 * Since: 0.1
 */
const char *
stompest_frame_get_command (StompestFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);

  return frame->command;
}

/* Index of the first header called NAME at or after FROM, or -1. */
static int
find_header (StompestFrame *frame,
             const char    *name,
             guint          from)
{
  for (guint i = from; i < frame->n_headers; i++)
    {
      const char *candidate = HEADER_NAME (frame, i);

      if (candidate[0] == name[0] && strcmp (candidate, name) == 0)
        return (int) i;
    }

  return -1;
}

/**
 * stompest_frame_get_header:
 * @frame: a frame
 * @name: a header name
 *
 * Gets the value of the first header called @name, matched exactly (STOMP
 * header names are case-sensitive). When a header is repeated, STOMP says
 * the first occurrence counts; use
 * [method@Stompest.Frame.get_header_values] to see all of them.
 *
 * Returns: (nullable) (transfer none): the unescaped value, or %NULL if
 *   @frame has no such header
 *
 * Since: 0.1
 */
const char *
stompest_frame_get_header (StompestFrame *frame,
                           const char    *name)
{
  int index_;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  index_ = find_header (frame, name, 0);

  return index_ < 0 ? NULL : HEADER_VALUE (frame, index_);
}

/**
 * stompest_frame_has_header:
 * @frame: a frame
 * @name: a header name
 *
 * Tells whether @frame has at least one header called @name.
 *
 * Returns: %TRUE if the header is present
 *
 * Since: 0.1
 */
gboolean
stompest_frame_has_header (StompestFrame *frame,
                           const char    *name)
{
  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return find_header (frame, name, 0) >= 0;
}

/**
 * stompest_frame_get_header_values:
 * @frame: a frame
 * @name: a header name
 *
 * Gets the values of every header called @name, in wire order.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values; an empty
 *   array if there is no such header
 *
 * Since: 0.1
 */
char **
stompest_frame_get_header_values (StompestFrame *frame,
                                  const char    *name)
{
  char **values;
  guint n_values = 0;
  int i;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (i = find_header (frame, name, 0); i >= 0;
       i = find_header (frame, name, i + 1))
    n_values++;

  values = g_new (char *, n_values + 1);
  n_values = 0;
  for (i = find_header (frame, name, 0); i >= 0;
       i = find_header (frame, name, i + 1))
    values[n_values++] = g_strdup (HEADER_VALUE (frame, i));
  values[n_values] = NULL;

  return values;
}

/**
 * stompest_frame_get_n_headers:
 * @frame: a frame
 *
 * Gets the number of headers of @frame, repeated ones included. Together
 * with [method@Stompest.Frame.get_header_name] and
 * [method@Stompest.Frame.get_header_value] this walks the headers in wire
 * order.
 *
 * Returns: the number of headers
 *
 * Since: 0.1
 */
guint
stompest_frame_get_n_headers (StompestFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);

  return frame->n_headers;
}

/**
 * stompest_frame_get_header_name:
 * @frame: a frame
 * @position: the position of a header, from 0 to below
 *   [method@Stompest.Frame.get_n_headers]
 *
 * Gets the name of the header at @position.
 *
 * Returns: (transfer none): the unescaped name
 *
 * Since: 0.1
 */
const char *
stompest_frame_get_header_name (StompestFrame *frame,
                                guint          position)
{
  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (position < frame->n_headers, NULL);

  return HEADER_NAME (frame, position);
}

/**
 * stompest_frame_get_header_value:
 * @frame: a frame
 * @position: the position of a header, from 0 to below
 *   [method@Stompest.Frame.get_n_headers]
 *
 * Gets the value of the header at @position.
 *
 * Returns: (transfer none): the unescaped value
 *
 * Since: 0.1
 */
const char *
stompest_frame_get_header_value (StompestFrame *frame,
                                 guint          position)
{
  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (position < frame->n_headers, NULL);

  return HEADER_VALUE (frame, position);
}

/**
 * stompest_frame_add_header:
 * @frame: an unsealed frame
 * @name: a header name, not empty
 * @value: the value
 *
 * Appends a header to @frame, after the existing ones, even when a header
 * of the same name is already there (use
 * [method@Stompest.Frame.set_header] to replace it). @name and @value are
 * given unescaped; any character is accepted here, and
 * [method@Stompest.Frame.to_bytes] tells whether it can be encoded.
 *
 * Since: 0.1
 */
void
stompest_frame_add_header (StompestFrame *frame,
                           const char    *name,
                           const char    *value)
{
  g_return_if_fail (frame != NULL);
  g_return_if_fail (!frame->sealed);
  g_return_if_fail (name != NULL && name[0] != '\0');
  g_return_if_fail (value != NULL);

  if (frame->n_headers == frame->n_allocated)
    {
      frame->n_allocated = MAX (4, 2 * frame->n_allocated);
      frame->headers = g_renew (char *, frame->headers, 2 * frame->n_allocated);
    }

  HEADER_NAME (frame, frame->n_headers) = g_strdup (name);
  HEADER_VALUE (frame, frame->n_headers) = g_strdup (value);
  frame->n_headers++;
}

/* Removes the headers called NAME at or after FROM; TRUE if there were. */
static gboolean
remove_headers_from (StompestFrame *frame,
                     const char    *name,
                     guint          from)
{
  guint kept = from;

  for (guint i = from; i < frame->n_headers; i++)
    {
      if (strcmp (HEADER_NAME (frame, i), name) == 0)
        {
          g_free (HEADER_NAME (frame, i));
          g_free (HEADER_VALUE (frame, i));
          continue;
        }
      HEADER_NAME (frame, kept) = HEADER_NAME (frame, i);
      HEADER_VALUE (frame, kept) = HEADER_VALUE (frame, i);
      kept++;
    }

  if (kept == frame->n_headers)
    return FALSE;

  frame->n_headers = kept;
  return TRUE;
}

/**
 * stompest_frame_set_header:
 * @frame: an unsealed frame
 * @name: a header name, not empty
 * @value: the value
 *
 * Sets the header @name to @value: the first header of that name keeps its
 * position and gets @value, and later repeats are removed. Without such a
 * header, this appends one like [method@Stompest.Frame.add_header].
 *
 * Since: 0.1
 */
void
stompest_frame_set_header (StompestFrame *frame,
                           const char    *name,
                           const char    *value)
{
  g_autofree char *owned_name = NULL;
  char *owned_value;
  int index_;

  g_return_if_fail (frame != NULL);
  g_return_if_fail (!frame->sealed);
  g_return_if_fail (name != NULL && name[0] != '\0');
  g_return_if_fail (value != NULL);

  index_ = find_header (frame, name, 0);
  if (index_ < 0)
    {
      stompest_frame_add_header (frame, name, value);
      return;
    }

  /* @name or @value may be strings of this frame that are about to be
   * freed, so take copies first. */
  owned_name = g_strdup (name);
  owned_value = g_strdup (value);
  g_free (HEADER_VALUE (frame, index_));
  HEADER_VALUE (frame, index_) = owned_value;
  remove_headers_from (frame, owned_name, index_ + 1);
}

/**
 * stompest_frame_remove_header:
 * @frame: an unsealed frame
 * @name: a header name
 *
 * Removes every header called @name from @frame; the other headers keep
 * their order.
 *
 * Returns: %TRUE if at least one header was removed
 *
 * Since: 0.1
 */
gboolean
stompest_frame_remove_header (StompestFrame *frame,
                              const char    *name)
{
  g_autofree char *owned_name = NULL;

  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (!frame->sealed, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  /* @name may be the name of a header that is about to be freed. */
  owned_name = g_strdup (name);

  return remove_headers_from (frame, owned_name, 0);
}

/**
 * stompest_frame_get_body:
 * @frame: a frame
 *
 * Gets the body of @frame. A frame without a body gives an empty
 * [struct@GLib.Bytes], never %NULL.
 *
 * Returns: (transfer none): the body
 *
 * Since: 0.1
 */
GBytes *
stompest_frame_get_body (StompestFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);

  if (frame->body != NULL)
    return frame->body;

  ensure_constants ();
  return constants.empty_body;
}

/**
 * stompest_frame_set_body:
 * @frame: an unsealed frame
 * @body: (nullable): the new body, or %NULL for none
 *
 * Sets the body of @frame. The bytes are referenced, not copied. In STOMP
 * 1.1 and 1.2 only SEND, MESSAGE and ERROR frames may carry a body, which
 * [method@Stompest.Frame.to_bytes] checks.
 *
 * Since: 0.1
 */
void
stompest_frame_set_body (StompestFrame *frame,
                         GBytes        *body)
{
  g_return_if_fail (frame != NULL);
  g_return_if_fail (!frame->sealed);

  if (body != NULL)
    g_bytes_ref (body);
  g_clear_pointer (&frame->body, g_bytes_unref);
  frame->body = body;
}

/* Escape tables: for each byte, the letter that follows the backslash of
 * its escape sequence, or 0 when it is written as is. */
static const char escapes_1_1[256] = {
  ['\\'] = '\\', ['\n'] = 'n', [':'] = 'c',
};
static const char escapes_1_2[256] = {
  ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', [':'] = 'c',
};
/* For to_string(): keeps each header on one line, colons as they are. */
static const char escapes_display[256] = {
  ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r',
};
/* For to_string(): a text body between double quotes. */
static const char escapes_quoted[256] = {
  ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['"'] = '"',
};

#define CONTENT_LENGTH_PREFIX "content-length:"
/* The prefix, 20 digits of a guint64 and the line feed. */
#define CONTENT_LENGTH_LINE_MAX (sizeof CONTENT_LENGTH_PREFIX - 1 + 20 + 1)

/* Makes room for LEN bytes at POS in OUT and returns where they go. OUT may
 * be left longer than what was written; callers trim it at the end. */
static inline guint8 *
reserve (GByteArray *out,
         gsize       pos,
         gsize       len)
{
  if (out->len < pos + len)
    g_byte_array_set_size (out, pos + len);

  return out->data + pos;
}

/* Ends OUT at END, inside what reserve() made room for. GByteArray's
 * length is a public field; setting it here skips g_byte_array_set_size(),
 * which removes a range to shrink and costs more than the head line
 * written. The arrays written to have no clear function and no
 * terminator to keep. */
static inline void
trim (GByteArray *out,
      guint8     *end)
{
  out->len = end - out->data;
}

static inline void
append (GByteArray *out,
        const char *data,
        gsize       len)
{
  g_byte_array_append (out, (const guint8 *) data, len);
}

/* Writes the LEN bytes of S at P, escaped by TABLE (NULL: none), and
 * returns the end; P needs room for 2 * LEN bytes. */
static inline guint8 *
write_escaped (guint8     *p,
               const char *s,
               gsize       len,
               const char *table)
{
  gsize i = 0;

  if (table == NULL)
    {
      memcpy (p, s, len);
      return p + len;
    }

  /* Runs of plain bytes (most header text) are found first and copied
   * at once. */
  while (i < len)
    {
      gsize run = i;
      char letter;

      while (run < len && table[(guchar) s[run]] == 0)
        run++;
      memcpy (p, s + i, run - i);
      p += run - i;
      if (run == len)
        break;
      letter = table[(guchar) s[run]];
      *p++ = '\\';
      *p++ = letter;
      i = run + 1;
    }

  return p;
}

static void
append_escaped (GByteArray *out,
                const char *s,
                gsize       len,
                const char *table)
{
  guint8 *start = reserve (out, out->len, 2 * len);

  trim (out, write_escaped (start, s, len, table));
}

char *
stompest_format_decimal (char    digits[20],
                         guint64 value)
{
  char *p = digits + 20;

  do
    {
      *--p = '0' + value % 10;
      value /= 10;
    }
  while (value > 0);
  return p;
}

/* Writes "content-length:LENGTH\n" at P, which has room for
 * CONTENT_LENGTH_LINE_MAX bytes, and returns the end. */
static guint8 *
write_content_length (guint8 *p,
                      guint64 length)
{
  char digits[20];
  const char *value = stompest_format_decimal (digits, length);

  memcpy (p, CONTENT_LENGTH_PREFIX, sizeof CONTENT_LENGTH_PREFIX - 1);
  p += sizeof CONTENT_LENGTH_PREFIX - 1;
  memcpy (p, value, digits + sizeof digits - value);
  p += digits + sizeof digits - value;
  *p++ = '\n';

  return p;
}

static gboolean
is_content_length (const char *name)
{
  return name[0] == 'c' && strcmp (name, "content-length") == 0;
}

/* Why a header of a frame written without escapes cannot be, or NULL. */
static const char *
unencodable_reason (const char *name,
                    const char *value)
{
  if (strchr (name, ':') != NULL)
    return "its name holds a colon";
  if (strchr (name, '\n') != NULL)
    return "its name holds a line feed";
  if (strchr (name, '\r') != NULL)
    return "its name holds a carriage return";
  if (strchr (value, '\n') != NULL)
    return "its value holds a line feed";
  if (strchr (value, '\r') != NULL)
    return "its value holds a carriage return";

  return NULL;
}

/* Puts OUT back as the writer found it and fails: a head is written
 * whole or not at all. */
static gboolean
head_writer_fail (StompestHeadWriter *writer)
{
  trim (writer->out, writer->out->data + writer->start);
  return FALSE;
}

/* Where the next NEED bytes of the head go. OUT is grown past them with
 * some slack, so that a head takes one or two reallocation checks rather
 * than one per line; it is trimmed when the head is done. */
static inline guint8 *
head_writer_room (StompestHeadWriter *writer,
                  gsize               need)
{
  GByteArray *out = writer->out;

  if (out->len < writer->pos + need)
    g_byte_array_set_size (out, writer->pos + need + 256);
  return out->data + writer->pos;
}

gboolean
stompest_head_writer_init (StompestHeadWriter  *writer,
                           GByteArray          *out,
                           const char          *command,
                           StompestVersion      version,
                           gsize                body_len,
                           GError             **error)
{
  gsize command_len = strlen (command);
  guint8 *p;

  writer->out = out;
  writer->start = out->len;
  writer->pos = out->len;
  writer->command = command;
  writer->version = version;
  writer->n_headers = 0;
  writer->table = NULL;
  if (stompest_frame_command_escapes (command, version))
    writer->table = version >= STOMPEST_VERSION_STOMP_1_2 ? escapes_1_2 : escapes_1_1;

  if (strpbrk (command, "\r\n") != NULL)
    {
      g_autofree char *shown = g_strescape (command, NULL);

      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME,
                   "Command “%s” holds a line break", shown);
      return FALSE;
    }

  if (!command_exists_in (command, version))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME,
                   "There is no %s frame in STOMP %s", command,
                   stompest_version_to_string (version));
      return FALSE;
    }

  if (body_len > 0 && !stompest_frame_command_allows_body (command, version))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME,
                   "A %s frame may not carry a body in STOMP %s "
                   "(it has %" G_GSIZE_FORMAT " bytes)",
                   command, stompest_version_to_string (version), body_len);
      return FALSE;
    }

  p = head_writer_room (writer, command_len + 1);
  memcpy (p, command, command_len);
  p[command_len] = '\n';
  writer->pos += command_len + 1;
  return TRUE;
}

gboolean
stompest_head_writer_add (StompestHeadWriter  *writer,
                          const char          *name,
                          const char          *value,
                          GError             **error)
{
  gsize name_len = strlen (name);
  gsize value_len = strlen (value);
  guint8 *start;
  guint8 *p;

  if (name_len == 0)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME,
                   "Header %u of a %s frame has an empty name",
                   writer->n_headers, writer->command);
      return head_writer_fail (writer);
    }

  if (writer->table == NULL)
    {
      const char *reason = unencodable_reason (name, value);

      if (reason != NULL)
        {
          /* Never the value: it may be a passcode. */
          g_autofree char *shown = g_strescape (name, NULL);

          g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME,
                       "Header “%s” of a %s frame cannot be encoded in STOMP %s "
                       "without escaping: %s", shown, writer->command,
                       stompest_version_to_string (writer->version), reason);
          return head_writer_fail (writer);
        }
    }

  /* Room for the worst case: every byte escaped. */
  start = head_writer_room (writer, 2 * (name_len + value_len) + 2);
  p = write_escaped (start, name, name_len, writer->table);
  *p++ = ':';
  p = write_escaped (p, value, value_len, writer->table);
  *p++ = '\n';
  writer->pos += p - start;
  writer->n_headers++;

  return TRUE;
}

void
stompest_head_writer_add_content_length (StompestHeadWriter *writer,
                                         guint64             length)
{
  guint8 *start = head_writer_room (writer, CONTENT_LENGTH_LINE_MAX);

  writer->pos += write_content_length (start, length) - start;
  writer->n_headers++;
}

void
stompest_head_writer_finish (StompestHeadWriter *writer)
{
  guint8 *p = head_writer_room (writer, 1);

  *p = '\n';
  trim (writer->out, p + 1);
}

gboolean
stompest_frame_compile_head (StompestFrame         *frame,
                             StompestVersion        version,
                             StompestCompileFlags   flags,
                             GByteArray            *out,
                             GError               **error)
{
  StompestHeadWriter writer;
  gsize body_len;
  const char *body_data;
  gboolean needs_length;
  gboolean wrote_length = FALSE;

  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  body_data = frame->body ? g_bytes_get_data (frame->body, &body_len) : NULL;
  if (body_data == NULL)
    body_len = 0;

  if (!stompest_head_writer_init (&writer, out, frame->command, version, body_len, error))
    return FALSE;

  /* A NUL in the body would end the frame early without it; an existing
   * content-length is always rewritten so it can never lie. */
  needs_length = (body_len > 0 &&
                  ((flags & STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH) ||
                   memchr (body_data, '\0', body_len) != NULL));

  for (guint i = 0; i < frame->n_headers; i++)
    {
      const char *name = HEADER_NAME (frame, i);

      if (is_content_length (name))
        {
          /* The first one gets the true length in its place; a repeat
           * could only contradict it. */
          if (!wrote_length)
            stompest_head_writer_add_content_length (&writer, body_len);
          else
            writer.n_headers++;
          wrote_length = TRUE;
          continue;
        }

      if (!stompest_head_writer_add (&writer, name, HEADER_VALUE (frame, i), error))
        return FALSE;
    }

  if (needs_length && !wrote_length)
    stompest_head_writer_add_content_length (&writer, body_len);
  stompest_head_writer_finish (&writer);

  return TRUE;
}

/**
 * stompest_frame_to_bytes:
 * @frame: a frame
 * @version: the STOMP version to encode for
 * @flags: options
 * @error: return location for a [struct@GLib.Error]
 *
 * Turns @frame into the bytes sent on the wire for @version: the command
 * line, the headers, a blank line, the body and a NUL byte.
 *
 * In STOMP 1.1 header names and values have backslash, line feed and colon
 * escaped as `\\`, `\n` and `\c`; STOMP 1.2 escapes carriage return as `\r`
 * as well. CONNECT and CONNECTED frames, and every frame in STOMP 1.0, are
 * written without escaping, so there a header name holding a colon or a
 * line break, or a value holding a line break, cannot be encoded.
 *
 * A `content-length` header with the length of the body is written when the
 * body holds a NUL byte, when @flags has
 * %STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH and the body is not empty, and in
 * place of any `content-length` header @frame already has, whose value is
 * never trusted.
 *
 * Possible errors are in the %STOMPEST_ERROR domain:
 * %STOMPEST_ERROR_INVALID_FRAME when a header cannot be encoded in
 * @version, a header name is empty, @frame carries a body its command
 * may not carry in @version (in 1.1 and 1.2 only SEND, MESSAGE and ERROR
 * may), or its command does not exist in @version (NACK and STOMP came
 * with STOMP 1.1).
 *
 * Returns: (transfer full): the encoded frame, or %NULL on error
 *
 * Since: 0.1
 */
GBytes *
stompest_frame_to_bytes (StompestFrame         *frame,
                         StompestVersion        version,
                         StompestCompileFlags   flags,
                         GError               **error)
{
  g_autoptr(GByteArray) head = NULL;
  gsize body_len = 0;
  const guint8 *body_data = NULL;
  guint8 *wire;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  head = g_byte_array_sized_new (256);
  if (!stompest_frame_compile_head (frame, version, flags, head, error))
    return NULL;

  if (frame->body != NULL)
    body_data = g_bytes_get_data (frame->body, &body_len);

  /* One exact buffer: a GByteArray would round a large body up to a
   * power of two. */
  wire = g_malloc (head->len + body_len + 1);
  memcpy (wire, head->data, head->len);
  if (body_len > 0)
    memcpy (wire + head->len, body_data, body_len);
  wire[head->len + body_len] = '\0';

  return g_bytes_new_take (wire, head->len + body_len + 1);
}

static gboolean
is_passcode (const char *name)
{
  return g_ascii_strcasecmp (name, "passcode") == 0;
}

static void
append_body_summary (GByteArray *out,
                     GBytes     *body)
{
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;
  gsize shown = MIN (len, BODY_PREVIEW_LENGTH);
  const char *end;
  char count[64];

  if (len == 0)
    {
      append (out, " (no body)", strlen (" (no body)"));
      return;
    }

  g_snprintf (count, sizeof count, "%" G_GSIZE_FORMAT " bytes", len);

  /* Text if valid UTF-8 up to the cut (which may split a character) with
   * no control characters other than white space. */
  g_utf8_validate_len (data, shown, &end);
  if (end != data + shown &&
      (shown == len ||
       g_utf8_get_char_validated (end, data + shown - end) != (gunichar) -2))
    end = NULL;
  for (const char *p = data; end != NULL && p < end; p++)
    {
      guchar c = *p;

      if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
        end = NULL;
    }

  if (end == NULL)
    {
      append (out, " <", 2);
      append (out, count, strlen (count));
      append (out, ">", 1);
      return;
    }

  append (out, " \"", 2);
  append_escaped (out, data, end - data, escapes_quoted);
  append (out, "\"", 1);
  if (shown < len)
    append (out, "…", strlen ("…"));
  append (out, " (", 2);
  append (out, count, strlen (count));
  append (out, ")", 1);
}

/**
 * stompest_frame_to_string:
 * @frame: a frame
 *
 * Describes @frame in one line for logs and debugging: the command, the
 * headers in braces, and a summary of the body (its first bytes in quotes
 * when it is text, else only its size), for example
 * `SEND {destination:/queue/a} "hello" (5 bytes)`.
 *
 * The value of any `passcode` header is replaced by asterisks, so the
 * result is safe to log. Line breaks and backslashes in headers are shown
 * escaped. This is not the wire format; use
 * [method@Stompest.Frame.to_bytes] for that.
 *
 * Returns: (transfer full): a description of @frame
 *
 * Since: 0.1
 */
char *
stompest_frame_to_string (StompestFrame *frame)
{
  GByteArray *out;

  g_return_val_if_fail (frame != NULL, NULL);

  out = g_byte_array_new ();
  append_escaped (out, frame->command, strlen (frame->command),
                  escapes_display);
  append (out, " {", 2);

  for (guint i = 0; i < frame->n_headers; i++)
    {
      const char *name = HEADER_NAME (frame, i);

      if (i > 0)
        append (out, ", ", 2);
      append_escaped (out, name, strlen (name), escapes_display);
      append (out, ":", 1);
      if (is_passcode (name))
        append (out, PASSCODE_MASK, strlen (PASSCODE_MASK));
      else
        append_escaped (out, HEADER_VALUE (frame, i),
                        strlen (HEADER_VALUE (frame, i)), escapes_display);
    }

  append (out, "}", 1);
  append_body_summary (out, frame->body);
  append (out, "", 1);

  return (char *) g_byte_array_free (out, FALSE);
}

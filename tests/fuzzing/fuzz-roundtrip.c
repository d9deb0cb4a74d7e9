/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"

/* Frame compiler → parser, in every version.
 *
 * The input builds a frame:
 *   [0] the command, an index into commands[]
 *   [1] bit 0: STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH; bits 1-3: the number
 *       of headers
 *   then per header a length byte and that many bytes (name, % 32), a
 *   length byte and that many bytes (value, % 64); a NUL ends a string
 *   early, and a header with an empty name is skipped
 *   the rest: the body (none when empty).
 * Whether the compiler must accept the frame is decided here from the
 * documented rules; when it does, the parser must read back the same frame
 * (see fuzz_check_compile_and_reparse). */

static const char * const commands[] = {
  "SEND", "MESSAGE", "ERROR", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK",
  "BEGIN", "COMMIT", "ABORT", "DISCONNECT", "CONNECT", "STOMP", "CONNECTED",
  "RECEIPT",
};

static const StompestVersion versions[] = {
  STOMPEST_VERSION_STOMP_1_0, STOMPEST_VERSION_STOMP_1_1, STOMPEST_VERSION_STOMP_1_2,
};

typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
} Reader;

/* A string of up to MAX bytes, length-prefixed; NULL at the end of input. */
static char *
read_string (Reader *reader,
             guint   max)
{
  gsize len;
  char *string;

  if (reader->pos >= reader->len)
    return NULL;
  len = reader->data[reader->pos++] % max;
  len = MIN (len, reader->len - reader->pos);
  string = g_strndup ((const char *) reader->data + reader->pos, len);
  reader->pos += len;

  return string;
}

static gboolean
has_line_break (const char *s)
{
  return strpbrk (s, "\r\n") != NULL;
}

/* Whether the compiler must write FRAME for VERSION, by the rules of
 * stompest_frame_to_bytes(). */
static gboolean
encodable (StompestFrame   *frame,
           StompestVersion  version)
{
  const char *command = stompest_frame_get_command (frame);
  GBytes *body = stompest_frame_get_body (frame);
  gboolean escaped = version >= STOMPEST_VERSION_STOMP_1_1 &&
                     strcmp (command, "CONNECT") != 0 &&
                     strcmp (command, "CONNECTED") != 0;

  if (!fuzz_command_in_version (command, version))
    return FALSE;

  if (body != NULL && g_bytes_get_size (body) > 0 &&
      version >= STOMPEST_VERSION_STOMP_1_1 &&
      strcmp (command, "SEND") != 0 && strcmp (command, "MESSAGE") != 0 &&
      strcmp (command, "ERROR") != 0)
    return FALSE;

  if (escaped)
    return TRUE;

  for (guint i = 0; i < stompest_frame_get_n_headers (frame); i++)
    {
      const char *name = stompest_frame_get_header_name (frame, i);

      /* Replaced by the true length: its own value is never written. */
      if (strcmp (name, "content-length") == 0)
        continue;
      if (strchr (name, ':') != NULL || has_line_break (name) ||
          has_line_break (stompest_frame_get_header_value (frame, i)))
        return FALSE;
    }

  return TRUE;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) copy = NULL;
  Reader reader = { data, size, 2 };
  StompestCompileFlags flags;
  guint n_headers;

  fuzz_init ();
  if (size < 2)
    return 0;

  frame = stompest_frame_new (commands[data[0] % G_N_ELEMENTS (commands)]);
  flags = (data[1] & 0x01) ? STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH : STOMPEST_COMPILE_FLAGS_NONE;
  n_headers = (data[1] >> 1) & 0x07;

  for (guint i = 0; i < n_headers; i++)
    {
      g_autofree char *name = read_string (&reader, 32);
      g_autofree char *value = read_string (&reader, 64);

      if (value == NULL)
        break;
      if (name[0] != '\0')
        stompest_frame_add_header (frame, name, value);
    }

  if (reader.pos < size)
    {
      g_autoptr(GBytes) body = g_bytes_new (data + reader.pos, size - reader.pos);

      stompest_frame_set_body (frame, body);
    }

  stompest_frame_seal (frame);
  copy = stompest_frame_copy (frame);
  fuzz_assert_frames_equal (frame, copy, "copy");

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      gboolean compiled = fuzz_check_compile_and_reparse (frame, versions[i], flags);

      if (compiled != encodable (frame, versions[i]))
        fuzz_fail ("the compiler %s a %s frame in STOMP %s against its rules",
                   compiled ? "wrote" : "refused", stompest_frame_get_command (frame),
                   stompest_version_to_string (versions[i]));
    }

  return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"

/* StompestParser over a stream cut into chunks.
 *
 * The input is SETTINGS_LEN bytes of settings, then the stream:
 *   [0] bits 0-1: version (0: 1.0, 1: 1.1, 2 and 3: 1.2)
 *       bit 2: lenient
 *       bit 3: small limits, from [2] and [3]
 *       bits 4-5: chunking (whole, fixed size [1] % 64 + 1, one byte at a
 *                 time, pseudo-random sizes seeded by [1])
 *       bit 6: the first chunk goes through feed() rather than
 *              feed_bytes(); they alternate after it
 *       bit 7: drain after every second chunk only, so segments queue up
 *   [1] chunk size or seed
 *   [2] max-frame-size = 8 + 2 * [2]
 *   [3] max-header-count = low nibble, max-header-line-length =
 *       4 + 8 * high nibble
 * The smallest limits still admit the "ACK\n\n\0" used after a reset.
 *
 * The chunked stream must give exactly what the whole stream given at once
 * gives (frames, error, heart-beats, offset): the parser promises that
 * chunking changes nothing, errors included. */

#define SETTINGS_LEN 4
#define MAX_REPARSED 16

/* A frame that parses in every version and within the smallest limits,
 * NUL included. */
static const guint8 ack_frame[] = "ACK\n\n";

typedef struct {
  GPtrArray *frames;
  GError *error;
  guint64 heart_beats;
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_clear_pointer (&outcome->frames, g_ptr_array_unref);
  g_clear_error (&outcome->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Outcome, outcome_clear)

static StompestVersion
settings_version (const guint8 *settings)
{
  static const StompestVersion versions[] = {
    STOMPEST_VERSION_STOMP_1_0, STOMPEST_VERSION_STOMP_1_1,
    STOMPEST_VERSION_STOMP_1_2, STOMPEST_VERSION_STOMP_1_2,
  };

  return versions[settings[0] & 0x03];
}

static StompestParser *
parser_for (const guint8 *settings)
{
  StompestParser *parser = stompest_parser_new ();

  stompest_parser_set_version (parser, settings_version (settings));
  stompest_parser_set_lenient (parser, (settings[0] & 0x04) != 0);
  if (settings[0] & 0x08)
    {
      stompest_parser_set_max_frame_size (parser, 8 + 2 * (gsize) settings[2]);
      stompest_parser_set_max_header_count (parser, settings[3] & 0x0f);
      stompest_parser_set_max_header_line_length (parser, 4 + 8 * (gsize) (settings[3] >> 4));
    }

  return parser;
}

static gboolean
is_first_occurrence (StompestFrame *frame,
                     guint          index_)
{
  const char *name = stompest_frame_get_header_name (frame, index_);

  for (guint j = 0; j < index_; j++)
    if (strcmp (stompest_frame_get_header_name (frame, j), name) == 0)
      return FALSE;
  return TRUE;
}

/* What every frame handed out must satisfy. */
static void
check_frame (StompestFrame *frame)
{
  g_autofree char *shown = NULL;
  guint n = stompest_frame_get_n_headers (frame);

  if (!stompest_frame_is_sealed (frame))
    fuzz_fail ("a parsed frame is not sealed");
  if (stompest_frame_get_command (frame) == NULL)
    fuzz_fail ("a parsed frame has no command");

  for (guint i = 0; i < n; i++)
    {
      const char *name = stompest_frame_get_header_name (frame, i);
      const char *value = stompest_frame_get_header_value (frame, i);
      g_auto(GStrv) values = NULL;

      if (name == NULL || name[0] == '\0' || value == NULL)
        fuzz_fail ("header %u has no name or value", i);

      /* get_header() returns the first of repeated headers. */
      if (!is_first_occurrence (frame, i))
        continue;
      if (strcmp (stompest_frame_get_header (frame, name), value) != 0)
        fuzz_fail ("get_header(\"%s\") is not the first value", name);
      values = stompest_frame_get_header_values (frame, name);
      if (values == NULL || strcmp (values[0], value) != 0)
        fuzz_fail ("get_header_values(\"%s\") does not start with the first value", name);
    }

  shown = stompest_frame_to_string (frame);
  if (shown == NULL)
    fuzz_fail ("to_string gave NULL");
}

static void
drain (StompestParser *parser,
       Outcome        *outcome)
{
  StompestFrame *frame;

  if (outcome->error != NULL)
    return;

  while ((frame = stompest_parser_next_frame (parser, &outcome->error)) != NULL)
    {
      check_frame (frame);
      g_ptr_array_add (outcome->frames, frame);
    }
  outcome->heart_beats = stompest_parser_get_heart_beats (parser);
}

/* The size of the next chunk, 1 to REMAINING bytes. */
static gsize
chunk_size (const guint8 *settings,
            guint32      *state,
            gsize         remaining)
{
  gsize size;

  switch ((settings[0] >> 4) & 0x03)
    {
    case 0:
      size = remaining;
      break;
    case 1:
      size = settings[1] % 64 + 1;
      break;
    case 2:
      size = 1;
      break;
    default:
      *state = *state * 1103515245 + 12345;
      size = (*state >> 16) % 256 + 1;
      break;
    }

  return MIN (size, remaining);
}

static void
parse_chunked (const guint8 *settings,
               const guint8 *stream,
               gsize         len,
               Outcome      *outcome)
{
  g_autoptr(StompestParser) parser = parser_for (settings);
  gboolean use_feed = (settings[0] & 0x40) != 0;
  gboolean drain_every_other = (settings[0] & 0x80) != 0;
  guint32 state = settings[1];
  gsize pos = 0;
  guint n_chunks = 0;

  while (pos < len)
    {
      gsize size = chunk_size (settings, &state, len - pos);

      if (use_feed)
        stompest_parser_feed (parser, stream + pos, size);
      else
        {
          /* The parser holds the only reference, so ASan sees a slice
           * that outlives its chunk. */
          GBytes *chunk = g_bytes_new (stream + pos, size);

          stompest_parser_feed_bytes (parser, chunk);
          g_bytes_unref (chunk);
        }
      use_feed = !use_feed;
      pos += size;

      if (!drain_every_other || n_chunks++ % 2 == 1)
        drain (parser, outcome);
    }
  drain (parser, outcome);

  if (outcome->error == NULL)
    {
      if (stompest_parser_get_offset (parser) != len)
        fuzz_fail ("offset %" G_GUINT64_FORMAT " after %" G_GSIZE_FORMAT
                   " bytes fed and drained", stompest_parser_get_offset (parser), len);
    }
  else
    {
      g_autoptr(GError) again = NULL;
      g_autoptr(StompestFrame) after_reset = NULL;
      g_autoptr(StompestFrame) none = NULL;
      GError *error = outcome->error;

      if (error->domain != STOMPEST_ERROR ||
          (error->code != STOMPEST_ERROR_PARSE && error->code != STOMPEST_ERROR_FRAME_TOO_LARGE))
        fuzz_fail ("unexpected error %s %d: %s", g_quark_to_string (error->domain),
                   error->code, error->message);
      if (!g_str_has_prefix (error->message, "byte "))
        fuzz_fail ("the error does not start with the offset: %s", error->message);

      /* Failed: more bytes are ignored and the error stays. */
      stompest_parser_feed (parser, ack_frame, sizeof ack_frame);
      if (stompest_parser_next_frame (parser, &again) != NULL || again == NULL ||
          again->code != error->code || strcmp (again->message, error->message) != 0)
        fuzz_fail ("the parser did not stay failed after: %s", error->message);

      stompest_parser_reset (parser);
      if (stompest_parser_get_offset (parser) != 0 ||
          stompest_parser_get_heart_beats (parser) != 0)
        fuzz_fail ("reset left an offset or heart-beats");
      stompest_parser_feed (parser, ack_frame, sizeof ack_frame);
      g_clear_error (&again);
      after_reset = stompest_parser_next_frame (parser, &again);
      if (after_reset == NULL ||
          strcmp (stompest_frame_get_command (after_reset), "ACK") != 0 ||
          stompest_frame_get_n_headers (after_reset) != 0)
        fuzz_fail ("no ACK frame after reset: %s", again != NULL ? again->message : "NULL");
      none = stompest_parser_next_frame (parser, &again);
      if (none != NULL || again != NULL || stompest_parser_get_offset (parser) != sizeof ack_frame)
        fuzz_fail ("more than one ACK frame after reset");
    }
}

static void
parse_whole (const guint8 *settings,
             const guint8 *stream,
             gsize         len,
             Outcome      *outcome)
{
  g_autoptr(StompestParser) parser = parser_for (settings);
  g_autoptr(GBytes) bytes = g_bytes_new (stream, len);

  stompest_parser_feed_bytes (parser, bytes);
  drain (parser, outcome);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_auto(Outcome) chunked = { g_ptr_array_new_with_free_func ((GDestroyNotify) stompest_frame_unref), NULL };
  g_auto(Outcome) whole = { g_ptr_array_new_with_free_func ((GDestroyNotify) stompest_frame_unref), NULL };
  const guint8 *stream = data + SETTINGS_LEN;
  gsize len;

  fuzz_init ();
  if (size < SETTINGS_LEN)
    return 0;
  len = size - SETTINGS_LEN;

  parse_chunked (data, stream, len, &chunked);
  parse_whole (data, stream, len, &whole);

  if (chunked.frames->len != whole.frames->len)
    fuzz_fail ("%u frames when chunked, %u when whole", chunked.frames->len,
               whole.frames->len);
  for (guint i = 0; i < whole.frames->len; i++)
    fuzz_assert_frames_equal (whole.frames->pdata[i], chunked.frames->pdata[i],
                              "chunked versus whole");
  if ((chunked.error == NULL) != (whole.error == NULL) ||
      (whole.error != NULL && strcmp (chunked.error->message, whole.error->message) != 0))
    fuzz_fail ("error when chunked: %s; when whole: %s",
               chunked.error != NULL ? chunked.error->message : "none",
               whole.error != NULL ? whole.error->message : "none");
  if (whole.error == NULL && chunked.heart_beats != whole.heart_beats)
    fuzz_fail ("%" G_GUINT64_FORMAT " heart-beats when chunked, %" G_GUINT64_FORMAT
               " when whole", chunked.heart_beats, whole.heart_beats);

  /* What the parser accepted, the compiler writes so that it reads back
   * the same (when it can be written in that version at all). */
  for (guint i = 0; i < MIN (whole.frames->len, MAX_REPARSED); i++)
    fuzz_check_compile_and_reparse (whole.frames->pdata[i], settings_version (data),
                                    STOMPEST_COMPILE_FLAGS_NONE);

  return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "stompest-frame-private.h"

void
fuzz_init (void)
{
  static gboolean done = FALSE;

  if (done)
    return;
  done = TRUE;
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

void
fuzz_fail (const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

gboolean
fuzz_command_in_version (const char      *command,
                         StompestVersion  version)
{
  if (version >= STOMPEST_VERSION_STOMP_1_1)
    return TRUE;
  return strcmp (command, "NACK") != 0 && strcmp (command, "STOMP") != 0;
}

static void
assert_bodies_equal (StompestFrame *expected,
                     StompestFrame *actual,
                     const char    *context)
{
  GBytes *a = stompest_frame_get_body (expected);
  GBytes *b = stompest_frame_get_body (actual);
  gsize a_len = 0, b_len = 0;
  const guint8 *a_data = a != NULL ? g_bytes_get_data (a, &a_len) : NULL;
  const guint8 *b_data = b != NULL ? g_bytes_get_data (b, &b_len) : NULL;

  /* No body and an empty body are the same on the wire. */
  if (a_len != b_len || (a_len > 0 && memcmp (a_data, b_data, a_len) != 0))
    fuzz_fail ("%s: bodies differ (%" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT
               " bytes)", context, a_len, b_len);
}

/* NAMES_VALUES holds name, value, name, value... */
static void
assert_headers_are (StompestFrame *actual,
                    GPtrArray     *names_values,
                    const char    *context)
{
  guint n = stompest_frame_get_n_headers (actual);

  if (n != names_values->len / 2)
    fuzz_fail ("%s: %u headers instead of %u", context, n, names_values->len / 2);

  for (guint i = 0; i < n; i++)
    {
      const char *name = g_ptr_array_index (names_values, 2 * i);
      const char *value = g_ptr_array_index (names_values, 2 * i + 1);

      if (strcmp (stompest_frame_get_header_name (actual, i), name) != 0 ||
          strcmp (stompest_frame_get_header_value (actual, i), value) != 0)
        {
          g_autofree char *want_name = g_strescape (name, NULL);
          g_autofree char *want_value = g_strescape (value, NULL);
          g_autofree char *got_name = g_strescape (stompest_frame_get_header_name (actual, i), NULL);
          g_autofree char *got_value = g_strescape (stompest_frame_get_header_value (actual, i), NULL);

          fuzz_fail ("%s: header %u is \"%s\":\"%s\" instead of \"%s\":\"%s\"",
                     context, i, got_name, got_value, want_name, want_value);
        }
    }
}

static void
assert_commands_equal (StompestFrame *expected,
                       StompestFrame *actual,
                       const char    *context)
{
  if (strcmp (stompest_frame_get_command (expected),
              stompest_frame_get_command (actual)) != 0)
    fuzz_fail ("%s: command %s instead of %s", context,
               stompest_frame_get_command (actual),
               stompest_frame_get_command (expected));
}

void
fuzz_assert_frames_equal (StompestFrame *expected,
                          StompestFrame *actual,
                          const char    *context)
{
  g_autoptr(GPtrArray) names_values = g_ptr_array_new ();

  assert_commands_equal (expected, actual, context);
  for (guint i = 0; i < stompest_frame_get_n_headers (expected); i++)
    {
      g_ptr_array_add (names_values, (gpointer) stompest_frame_get_header_name (expected, i));
      g_ptr_array_add (names_values, (gpointer) stompest_frame_get_header_value (expected, i));
    }
  assert_headers_are (actual, names_values, context);
  assert_bodies_equal (expected, actual, context);
}

void
fuzz_assert_reparsed_equal (StompestFrame *expected,
                            StompestFrame *actual,
                            gboolean       body_length_added,
                            const char    *context)
{
  g_autoptr(GPtrArray) names_values = g_ptr_array_new ();
  GBytes *body = stompest_frame_get_body (expected);
  g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT,
                                             body != NULL ? g_bytes_get_size (body) : 0);
  gboolean seen_length = FALSE;

  assert_commands_equal (expected, actual, context);
  for (guint i = 0; i < stompest_frame_get_n_headers (expected); i++)
    {
      const char *name = stompest_frame_get_header_name (expected, i);

      if (strcmp (name, "content-length") == 0)
        {
          if (!seen_length)
            {
              g_ptr_array_add (names_values, (gpointer) name);
              g_ptr_array_add (names_values, length);
            }
          seen_length = TRUE;
          continue;
        }
      g_ptr_array_add (names_values, (gpointer) name);
      g_ptr_array_add (names_values, (gpointer) stompest_frame_get_header_value (expected, i));
    }
  if (body_length_added && !seen_length)
    {
      g_ptr_array_add (names_values, "content-length");
      g_ptr_array_add (names_values, length);
    }

  assert_headers_are (actual, names_values, context);
  assert_bodies_equal (expected, actual, context);
}

static GBytes *
compile_with_head (StompestFrame        *frame,
                   StompestVersion       version,
                   StompestCompileFlags  flags)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  GBytes *body = stompest_frame_get_body (frame);

  if (!stompest_frame_compile_head (frame, version, flags, wire, &error))
    return NULL;
  if (body != NULL)
    g_byte_array_append (wire, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_byte_array_append (wire, (const guint8 *) "", 1);

  return g_byte_array_free_to_bytes (g_steal_pointer (&wire));
}

gboolean
fuzz_check_compile_and_reparse (StompestFrame        *frame,
                                StompestVersion       version,
                                StompestCompileFlags  flags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GBytes) wire_from_head = NULL;
  g_autoptr(StompestParser) parser = NULL;
  g_autoptr(StompestFrame) parsed = NULL;
  g_autoptr(StompestFrame) extra = NULL;
  g_autofree char *context = NULL;
  GBytes *body = stompest_frame_get_body (frame);
  gsize body_len = body != NULL ? g_bytes_get_size (body) : 0;
  gboolean body_length_added;

  wire = stompest_frame_to_bytes (frame, version, flags, &error);
  wire_from_head = compile_with_head (frame, version, flags);
  if (wire == NULL)
    {
      if (!g_error_matches (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME))
        fuzz_fail ("to_bytes failed with an unexpected error: %s", error->message);
      if (wire_from_head != NULL)
        fuzz_fail ("compile_head accepted a frame that to_bytes refused (%s)",
                   error->message);
      return FALSE;
    }
  if (wire_from_head == NULL || !g_bytes_equal (wire, wire_from_head))
    fuzz_fail ("compile_head + body differs from to_bytes");

  context = g_strdup_printf ("reparse of %s for STOMP %s",
                             stompest_frame_get_command (frame),
                             stompest_version_to_string (version));

  /* Limits that the compiled frame is sure to fit in. */
  parser = stompest_parser_new ();
  stompest_parser_set_version (parser, version);
  stompest_parser_set_max_frame_size (parser, g_bytes_get_size (wire) + 1);
  stompest_parser_set_max_header_line_length (parser, g_bytes_get_size (wire));
  stompest_parser_set_max_header_count (parser, stompest_frame_get_n_headers (frame) + 1);
  stompest_parser_feed_bytes (parser, wire);

  parsed = stompest_parser_next_frame (parser, &error);
  if (parsed == NULL)
    fuzz_fail ("%s: %s", context, error != NULL ? error->message : "no frame");
  extra = stompest_parser_next_frame (parser, &error);
  if (extra != NULL || error != NULL)
    fuzz_fail ("%s: more after the frame (%s)", context,
               error != NULL ? error->message : "a second frame");
  if (stompest_parser_get_offset (parser) != g_bytes_get_size (wire))
    fuzz_fail ("%s: offset %" G_GUINT64_FORMAT " after %" G_GSIZE_FORMAT " bytes",
               context, stompest_parser_get_offset (parser), g_bytes_get_size (wire));

  body_length_added = body_len > 0 &&
                      ((flags & STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH) != 0 ||
                       memchr (g_bytes_get_data (body, NULL), '\0', body_len) != NULL);
  fuzz_assert_reparsed_equal (frame, parsed, body_length_added, context);

  return TRUE;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "test-utils.h"
#include "stompest-frame-private.h"

#define V10 STOMPEST_VERSION_STOMP_1_0
#define V11 STOMPEST_VERSION_STOMP_1_1
#define V12 STOMPEST_VERSION_STOMP_1_2

/* A string literal with its length, NULs inside included. */
#define LIT(s) (const guint8 *) (s), (sizeof (s) - 1)

/* -- helpers ----------------------------------------------------------- */

typedef struct {
  GPtrArray *frames;     /* StompestFrame */
  GError *error;
  guint64 heart_beats;
  guint64 offset;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->frames, g_ptr_array_unref);
  g_clear_error (&result->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
drain (StompestParser *parser,
       Result         *result)
{
  StompestFrame *frame;

  if (result->error != NULL)
    return;

  while ((frame = stompest_parser_next_frame (parser, &result->error)) != NULL)
    {
      g_assert_true (stompest_frame_is_sealed (frame));
      g_ptr_array_add (result->frames, frame);
    }
}

static StompestParser *
parser_with (StompestVersion version,
             gboolean        lenient)
{
  StompestParser *parser = stompest_parser_new ();

  stompest_parser_set_version (parser, version);
  stompest_parser_set_lenient (parser, lenient);
  return parser;
}

/* Feeds DATA cut at each of CUTS (increasing offsets, ending with LEN),
 * alternating feed() and feed_bytes(), draining after every chunk. */
static void
parse_chunks (StompestParser *parser,
              const guint8   *data,
              gsize           len,
              const gsize    *cuts,
              guint           n_cuts,
              Result         *result)
{
  gsize start = 0;
  guint i;

  result->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) stompest_frame_unref);
  result->error = NULL;

  for (i = 0; i < n_cuts; i++)
    {
      if (i % 2 == 0)
        stompest_parser_feed (parser, data + start, cuts[i] - start);
      else
        {
          g_autoptr(GBytes) chunk = g_bytes_new (data + start, cuts[i] - start);
          stompest_parser_feed_bytes (parser, chunk);
        }
      start = cuts[i];
      drain (parser, result);
    }

  result->heart_beats = stompest_parser_get_heart_beats (parser);
  result->offset = stompest_parser_get_offset (parser);
}

static void
assert_frames_equal (StompestFrame *a,
                     StompestFrame *b)
{
  guint i;

  g_assert_cmpstr (stompest_frame_get_command (a), ==, stompest_frame_get_command (b));
  g_assert_cmpuint (stompest_frame_get_n_headers (a), ==, stompest_frame_get_n_headers (b));
  for (i = 0; i < stompest_frame_get_n_headers (a); i++)
    {
      g_assert_cmpstr (stompest_frame_get_header_name (a, i), ==,
                       stompest_frame_get_header_name (b, i));
      g_assert_cmpstr (stompest_frame_get_header_value (a, i), ==,
                       stompest_frame_get_header_value (b, i));
    }
  g_assert_true (g_bytes_equal (stompest_frame_get_body (a),
                                stompest_frame_get_body (b)));
}

static void
assert_results_equal (Result *expected,
                      Result *actual)
{
  guint i;

  g_assert_cmpuint (actual->frames->len, ==, expected->frames->len);
  for (i = 0; i < expected->frames->len; i++)
    assert_frames_equal (expected->frames->pdata[i], actual->frames->pdata[i]);
  g_assert_cmpuint (actual->heart_beats, ==, expected->heart_beats);
  g_assert_cmpuint (actual->offset, ==, expected->offset);
  if (expected->error != NULL)
    {
      g_assert_nonnull (actual->error);
      g_assert_true (actual->error->domain == expected->error->domain);
      g_assert_cmpint (actual->error->code, ==, expected->error->code);
      g_assert_cmpstr (actual->error->message, ==, expected->error->message);
    }
  else
    g_assert_no_error (actual->error);
}

static StompestFrame *
parse_one (StompestParser *parser,
           const guint8   *data,
           gsize           len)
{
  g_autoptr(GError) error = NULL;
  StompestFrame *frame;

  stompest_parser_feed (parser, data, len);
  frame = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_nonnull (frame);
  return frame;
}

/* -- conformance corpus ------------------------------------------------ */

typedef struct {
  char *file;            /* relative to tests/conformance */
  StompestVersion version;
  gboolean lenient;
  char **checks;         /* key=value, %-encoded values */
} Case;

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->file);
  g_strfreev (c->checks);
  g_free (c);
}

/* %-decoding that keeps NUL bytes. */
static GBytes *
percent_decode (const char *text)
{
  GByteArray *out = g_byte_array_new ();
  const char *p;

  for (p = text; *p != '\0'; p++)
    {
      guint8 c = *p;

      if (c == '%')
        {
          g_assert_true (g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]));
          c = g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2]);
          p += 2;
        }
      g_byte_array_append (out, &c, 1);
    }

  return g_byte_array_free_to_bytes (out);
}

static char *
percent_decode_string (const char *text)
{
  g_autoptr(GBytes) bytes = percent_decode (text);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    return g_strdup ("");
  g_assert_null (memchr (data, '\0', len));
  return g_strndup (data, len);
}

static const char *
find_check (const Case *c,
            const char *key)
{
  gsize key_len = strlen (key);
  guint i;

  for (i = 0; c->checks[i] != NULL; i++)
    if (strncmp (c->checks[i], key, key_len) == 0 && c->checks[i][key_len] == '=')
      return c->checks[i] + key_len + 1;

  return NULL;
}

static guint64
check_number (const Case *c,
              const char *key,
              guint64     fallback)
{
  const char *value = find_check (c, key);

  return value != NULL ? g_ascii_strtoull (value, NULL, 10) : fallback;
}

static StompestParser *
case_parser (const Case *c)
{
  StompestParser *parser = parser_with (c->version, c->lenient);

  stompest_parser_set_max_frame_size (parser,
                                      check_number (c, "max-frame-size",
                                                    stompest_parser_get_max_frame_size (parser)));
  stompest_parser_set_max_header_count (parser,
                                        check_number (c, "max-header-count",
                                                      stompest_parser_get_max_header_count (parser)));
  stompest_parser_set_max_header_line_length (parser,
                                              check_number (c, "max-header-line-length",
                                                            stompest_parser_get_max_header_line_length (parser)));
  return parser;
}

static void
parse_case (const Case   *c,
            const guint8 *data,
            gsize         len,
            const gsize  *cuts,
            guint         n_cuts,
            Result       *result)
{
  g_autoptr(StompestParser) parser = case_parser (c);

  parse_chunks (parser, data, len, cuts, n_cuts, result);
}

/* Applies the frame checks of the index line to the frames parsed. */
static void
apply_frame_checks (const Case *c,
                    GPtrArray  *frames)
{
  StompestFrame *frame = frames->len > 0 ? frames->pdata[0] : NULL;
  guint i;

  for (i = 0; c->checks[i] != NULL; i++)
    {
      const char *check = c->checks[i];
      const char *eq = strchr (check, '=');
      g_autofree char *key = g_strndup (check, eq - check);
      const char *value = eq + 1;

      if (strcmp (key, "frame") == 0)
        {
          guint index = g_ascii_strtoull (value, NULL, 10);

          g_assert_cmpuint (index, <, frames->len);
          frame = frames->pdata[index];
        }
      else if (strcmp (key, "command") == 0)
        {
          g_assert_nonnull (frame);
          g_assert_cmpstr (stompest_frame_get_command (frame), ==, value);
        }
      else if (strcmp (key, "headers") == 0)
        g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==,
                          g_ascii_strtoull (value, NULL, 10));
      else if (strcmp (key, "body") == 0)
        g_assert_cmpuint (g_bytes_get_size (stompest_frame_get_body (frame)), ==,
                          g_ascii_strtoull (value, NULL, 10));
      else if (strcmp (key, "bodytext") == 0)
        {
          g_autoptr(GBytes) expected = percent_decode (value);

          g_assert_true (g_bytes_equal (stompest_frame_get_body (frame), expected));
        }
      else if (g_str_has_prefix (key, "h:"))
        {
          g_autofree char *name = percent_decode_string (key + 2);
          g_autofree char *expected = percent_decode_string (value);

          g_assert_cmpstr (stompest_frame_get_header (frame, name), ==, expected);
        }
      else if (g_str_has_prefix (key, "values:"))
        {
          g_autofree char *name = percent_decode_string (key + strlen ("values:"));
          g_auto(GStrv) encoded = g_strsplit (value, "|", -1);
          g_auto(GStrv) actual = stompest_frame_get_header_values (frame, name);
          guint j;

          g_assert_cmpuint (g_strv_length (actual), ==, g_strv_length (encoded));
          for (j = 0; encoded[j] != NULL; j++)
            {
              g_autofree char *expected = percent_decode_string (encoded[j]);

              g_assert_cmpstr (actual[j], ==, expected);
            }
        }
      else if (strcmp (key, "absent") == 0)
        {
          g_autofree char *name = percent_decode_string (value);

          g_assert_false (stompest_frame_has_header (frame, name));
        }
    }
}

static int
error_code (const char *name)
{
  if (strcmp (name, "PARSE") == 0)
    return STOMPEST_ERROR_PARSE;
  if (strcmp (name, "FRAME_TOO_LARGE") == 0)
    return STOMPEST_ERROR_FRAME_TOO_LARGE;
  g_error ("unknown error code %s in index.txt", name);
}

static void
test_conformance (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = stompest_test_get_filename ("conformance", c->file, NULL);
  g_autofree char *contents = NULL;
  const guint8 *bytes;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_auto(Result) whole = { 0 };
  gboolean valid = g_str_has_prefix (c->file, "valid/");
  gsize i;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  bytes = (const guint8 *) contents;

  /* The reference: the whole file in one chunk. */
  parse_case (c, bytes, len, &len, 1, &whole);
  g_assert_cmpuint (whole.frames->len, ==, check_number (c, "frames", valid ? 1 : 0));

  if (valid)
    {
      g_assert_no_error (whole.error);
      g_assert_cmpuint (whole.offset, ==, len);
      g_assert_cmpuint (whole.heart_beats, ==,
                        check_number (c, "beats", whole.heart_beats));
      apply_frame_checks (c, whole.frames);
    }
  else
    {
      const char *message = find_check (c, "message");
      const char *offset = find_check (c, "offset");

      g_assert_error (whole.error, STOMPEST_ERROR, error_code (find_check (c, "error")));
      if (offset != NULL)
        {
          g_autofree char *prefix = g_strdup_printf ("byte %s: ", offset);

          g_assert_true (g_str_has_prefix (whole.error->message, prefix));
        }
      if (message != NULL)
        {
          g_autofree char *text = percent_decode_string (message);

          g_assert_nonnull (strstr (whole.error->message, text));
        }
    }

  /* The same in two chunks, cut at every offset... */
  for (i = 1; i < len; i++)
    {
      gsize cuts[2] = { i, len };
      g_auto(Result) split = { 0 };

      parse_case (c, bytes, len, cuts, 2, &split);
      if (!valid)
        split.offset = whole.offset;  /* failure drops what was fed */
      assert_results_equal (&whole, &split);
    }

  /* ...and byte by byte. */
  {
    g_autofree gsize *cuts = g_new (gsize, len);
    g_auto(Result) bytewise = { 0 };

    for (i = 0; i < len; i++)
      cuts[i] = i + 1;
    parse_case (c, bytes, len, cuts, len, &bytewise);
    if (!valid)
      bytewise.offset = whole.offset;
    assert_results_equal (&whole, &bytewise);
  }
}

static void
register_conformance (void)
{
  g_autofree char *index_path = stompest_test_get_filename ("conformance", "index.txt", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint n_valid = 0, n_invalid = 0;
  guint i;

  g_file_get_contents (index_path, &contents, NULL, &error);
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autofree char *test_path = NULL;
      Case *c;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;

      fields = g_strsplit (lines[i], " ", -1);
      g_assert_cmpuint (g_strv_length (fields), >=, 3);

      c = g_new0 (Case, 1);
      c->file = g_strdup (fields[0]);
      g_assert_true (stompest_version_from_string (fields[1], &c->version));
      g_assert_true (strcmp (fields[2], "strict") == 0 || strcmp (fields[2], "lenient") == 0);
      c->lenient = strcmp (fields[2], "lenient") == 0;
      c->checks = g_strdupv (fields + 3);

      if (g_str_has_prefix (c->file, "valid/"))
        n_valid++;
      else
        n_invalid++;

      g_assert_true (g_str_has_suffix (c->file, ".stomp"));
      test_path = g_strdup_printf ("/parser/conformance/%.*s",
                                   (int) (strlen (c->file) - strlen (".stomp")), c->file);
      g_test_add_data_func_full (test_path, c, test_conformance, case_free);
    }

  /* The corpus must not silently shrink. */
  g_assert_cmpuint (n_valid, >=, 25);
  g_assert_cmpuint (n_invalid, >=, 25);
}

/* -- zero copy ----------------------------------------------------------- */

static gboolean
lies_in (GBytes *inner,
         GBytes *outer)
{
  gsize inner_len, outer_len;
  const guint8 *i = g_bytes_get_data (inner, &inner_len);
  const guint8 *o = g_bytes_get_data (outer, &outer_len);

  return i >= o && i + inner_len <= o + outer_len;
}

static void
test_zero_copy_one_chunk (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GBytes) chunk = g_bytes_new (LIT ("MESSAGE\ndestination:/q\n\nhello\0"
                                              "MESSAGE\ncontent-length:5\n\nw\0r\0d\0\n"));
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) second = NULL;
  g_autoptr(GError) error = NULL;

  stompest_parser_feed_bytes (parser, chunk);
  first = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  second = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);

  g_assert_true (lies_in (stompest_frame_get_body (first), chunk));
  g_assert_true (lies_in (stompest_frame_get_body (second), chunk));
  g_assert_cmpmem (g_bytes_get_data (stompest_frame_get_body (second), NULL), 5, "w\0r\0d", 5);
}

static void
test_zero_copy_head_then_body (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GBytes) head = g_bytes_new (LIT ("MESSAGE\ncontent-"));
  g_autoptr(GBytes) rest = g_bytes_new (LIT ("length:4\n\nbody\0"));
  g_autoptr(GBytes) head2 = g_bytes_new (LIT ("MESSAGE\n\n"));
  g_autoptr(GBytes) rest2 = g_bytes_new (LIT ("more body\0"));
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) frame2 = NULL;
  g_autoptr(GError) error = NULL;

  /* A head that spans chunks does not stop the body from being a slice. */
  stompest_parser_feed_bytes (parser, head);
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  stompest_parser_feed_bytes (parser, rest);
  frame = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_true (lies_in (stompest_frame_get_body (frame), rest));
  g_assert_cmpstr (stompest_frame_get_header (frame, "content-length"), ==, "4");

  /* Same without content-length. */
  stompest_parser_feed_bytes (parser, head2);
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  stompest_parser_feed_bytes (parser, rest2);
  frame2 = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_true (lies_in (stompest_frame_get_body (frame2), rest2));
}

static void
test_zero_copy_spanning_body (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GBytes) a = g_bytes_new (LIT ("SEND\ncontent-length:6\n\nab"));
  g_autoptr(GBytes) b = g_bytes_new (LIT ("cd"));
  g_autoptr(GBytes) c = g_bytes_new (LIT ("ef\0SEND\n\nxy"));
  g_autoptr(GBytes) d = g_bytes_new (LIT ("z\0"));
  g_autoptr(StompestFrame) first = NULL;
  g_autoptr(StompestFrame) second = NULL;
  g_autoptr(GError) error = NULL;

  stompest_parser_feed_bytes (parser, a);
  stompest_parser_feed_bytes (parser, b);
  g_assert_null (stompest_parser_next_frame (parser, &error));
  stompest_parser_feed_bytes (parser, c);
  first = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  stompest_parser_feed_bytes (parser, d);
  second = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);

  g_assert_cmpmem (g_bytes_get_data (stompest_frame_get_body (first), NULL),
                   g_bytes_get_size (stompest_frame_get_body (first)), "abcdef", 6);
  g_assert_cmpmem (g_bytes_get_data (stompest_frame_get_body (second), NULL),
                   g_bytes_get_size (stompest_frame_get_body (second)), "xyz", 3);
}

/* -- versions, heart-beats, commands ------------------------------------ */

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_version_switch (void)
{
  g_autoptr(StompestParser) parser = parser_with (V10, FALSE);
  g_autoptr(StompestFrame) connected = NULL;
  g_autoptr(StompestFrame) message = NULL;
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  g_signal_connect (parser, "notify::version", G_CALLBACK (count_notify), &notified);

  /* All fed at once: the bytes after CONNECTED are read in the version set
   * after it was returned. */
  stompest_parser_feed (parser, LIT ("CONNECTED\nversion:1.2\nsession:a\\cb\n\n\0\r\n"
                                     "MESSAGE\r\nfoo:a\\cb\\r\r\n\r\nx\0\r\n"));
  connected = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (connected, "session"), ==, "a\\cb");

  stompest_parser_set_version (parser, V12);
  g_assert_cmpuint (notified, ==, 1);
  stompest_parser_set_version (parser, V12);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (stompest_parser_get_version (parser), ==, V12);

  message = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_command (message), ==, "MESSAGE");
  g_assert_cmpstr (stompest_frame_get_header (message, "foo"), ==, "a:b\r");
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stompest_parser_get_heart_beats (parser), ==, 2);
}

static void
test_version_commands (void)
{
  static const char *client[] = { "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "BEGIN", "COMMIT",
                                  "ABORT", "ACK", "DISCONNECT", "CONNECT" };
  static const char *server[] = { "CONNECTED", "MESSAGE", "RECEIPT", "ERROR" };
  static const char *from_11[] = { "STOMP", "NACK" };
  StompestVersion versions[] = { V10, V11, V12 };
  guint v, i;

  for (v = 0; v < G_N_ELEMENTS (versions); v++)
    {
      for (i = 0; i < G_N_ELEMENTS (client) + G_N_ELEMENTS (server) + G_N_ELEMENTS (from_11); i++)
        {
          const char *command;
          g_autoptr(StompestParser) parser = parser_with (versions[v], FALSE);
          g_autofree char *wire = NULL;
          g_autoptr(StompestFrame) frame = NULL;
          g_autoptr(GError) error = NULL;
          gboolean expect_ok;

          if (i < G_N_ELEMENTS (client))
            command = client[i];
          else if (i < G_N_ELEMENTS (client) + G_N_ELEMENTS (server))
            command = server[i - G_N_ELEMENTS (client)];
          else
            command = from_11[i - G_N_ELEMENTS (client) - G_N_ELEMENTS (server)];
          expect_ok = versions[v] >= V11 || (strcmp (command, "STOMP") != 0 &&
                                             strcmp (command, "NACK") != 0);

          wire = g_strdup_printf ("%s\nk:v\n\n", command);
          stompest_parser_feed (parser, (const guint8 *) wire, strlen (wire) + 1);
          frame = stompest_parser_next_frame (parser, &error);
          if (expect_ok)
            {
              g_assert_no_error (error);
              g_assert_nonnull (frame);
              /* Commands are the frame layer's interned strings. */
              g_assert_true (stompest_frame_get_command (frame) ==
                             g_intern_string (command));
            }
          else
            {
              g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PARSE);
              g_assert_nonnull (strstr (error->message, "unknown command"));
            }
        }
    }
}

static void
test_heart_beats (void)
{
  g_autoptr(StompestParser) parser = parser_with (V11, FALSE);
  g_autoptr(GError) error = NULL;

  stompest_parser_feed (parser, LIT ("\n\n\n"));
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stompest_parser_get_heart_beats (parser), ==, 3);
  g_assert_cmpuint (stompest_parser_get_offset (parser), ==, 3);

  /* 1.2: CRLF beats, a CR and its LF in different chunks count once. */
  stompest_parser_set_version (parser, V12);
  stompest_parser_feed (parser, LIT ("\r\n\n\r"));
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stompest_parser_get_heart_beats (parser), ==, 5);
  stompest_parser_feed (parser, LIT ("\n"));
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stompest_parser_get_heart_beats (parser), ==, 6);
  g_assert_cmpuint (stompest_parser_get_offset (parser), ==, 8);

  /* 1.1: a CR is not a line end. */
  stompest_parser_set_version (parser, V11);
  stompest_parser_feed (parser, LIT ("\r\n"));
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "byte 8: "));
  g_assert_cmpuint (stompest_parser_get_heart_beats (parser), ==, 6);
}

/* -- limits --------------------------------------------------------------- */

static void
test_limits_defaults (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  guint64 frame_size, line_length;
  guint count;
  StompestVersion version;
  gboolean lenient;

  g_object_get (parser,
                "version", &version,
                "lenient", &lenient,
                "max-frame-size", &frame_size,
                "max-header-count", &count,
                "max-header-line-length", &line_length,
                NULL);
  g_assert_cmpint (version, ==, V12);
  g_assert_false (lenient);
  g_assert_cmpuint (frame_size, ==, 64 * 1024 * 1024);
  g_assert_cmpuint (count, ==, 1000);
  g_assert_cmpuint (line_length, ==, 64 * 1024);

  g_object_set (parser,
                "version", V11,
                "lenient", TRUE,
                "max-frame-size", (guint64) 100,
                "max-header-count", 5,
                "max-header-line-length", (guint64) 20,
                NULL);
  g_assert_cmpint (stompest_parser_get_version (parser), ==, V11);
  g_assert_true (stompest_parser_get_lenient (parser));
  g_assert_cmpuint (stompest_parser_get_max_frame_size (parser), ==, 100);
  g_assert_cmpuint (stompest_parser_get_max_header_count (parser), ==, 5);
  g_assert_cmpuint (stompest_parser_get_max_header_line_length (parser), ==, 20);
}

static void
test_limits_content_length_at_once (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GError) error = NULL;

  stompest_parser_set_max_frame_size (parser, 1024);
  /* Exactly the limit: the frame is accepted once the body is there. */
  stompest_parser_feed (parser, LIT ("SEND\ncontent-length:998\n\n"));
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  stompest_parser_reset (parser);

  /* Over: refused before any body byte arrives. */
  stompest_parser_feed (parser, LIT ("SEND\ncontent-length:999\n\n"));
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_FRAME_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "byte 20: "));
  g_assert_nonnull (strstr (error->message, "content-length"));
}

static void
test_limits_unterminated_line (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GError) error = NULL;
  guint fed = 0;

  /* A peer that never ends its line is stopped as soon as the line is
   * over the limit, however it is chunked. */
  stompest_parser_set_max_header_line_length (parser, 100);
  stompest_parser_feed (parser, LIT ("SEND\n"));
  while (error == NULL)
    {
      g_assert_cmpuint (fed, <, 200);
      stompest_parser_feed (parser, LIT ("x"));
      fed++;
      g_assert_null (stompest_parser_next_frame (parser, &error));
    }
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_FRAME_TOO_LARGE);
  g_assert_cmpuint (fed, ==, 101);
  g_assert_true (g_str_has_prefix (error->message, "byte 105: "));
}

static void
test_limits_unterminated_body (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GError) error = NULL;
  guint8 chunk[100];
  guint fed = 0;

  memset (chunk, 'b', sizeof chunk);
  stompest_parser_set_max_frame_size (parser, 1000);
  stompest_parser_feed (parser, LIT ("SEND\n\n"));
  while (error == NULL)
    {
      g_assert_cmpuint (fed, <, 2000);
      stompest_parser_feed (parser, chunk, sizeof chunk);
      fed += sizeof chunk;
      g_assert_null (stompest_parser_next_frame (parser, &error));
    }
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_FRAME_TOO_LARGE);
  g_assert_cmpuint (fed, ==, 1000);
  g_assert_true (g_str_has_prefix (error->message, "byte 1000: "));

  /* A frame of exactly the limit passes. */
  stompest_parser_reset (parser);
  {
    g_autoptr(GByteArray) wire = g_byte_array_new ();
    g_autoptr(StompestFrame) frame = NULL;
    guint8 nul = 0;
    guint i;

    g_byte_array_append (wire, LIT ("SEND\n\n"));
    for (i = 0; i < 1000 - 6 - 1; i++)
      g_byte_array_append (wire, chunk, 1);
    g_byte_array_append (wire, &nul, 1);
    frame = parse_one (parser, wire->data, wire->len);
    g_assert_cmpuint (g_bytes_get_size (stompest_frame_get_body (frame)), ==, 993);
  }
}

static void
test_limits_header_count (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) wire = g_string_new ("MESSAGE\n");
  guint i;

  for (i = 0; i < 1001; i++)
    g_string_append_printf (wire, "h%u:%u\n", i, i);
  g_string_append (wire, "\n");
  stompest_parser_feed (parser, (const guint8 *) wire->str, wire->len + 1);
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_FRAME_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "1000 headers"));

  stompest_parser_reset (parser);
  stompest_parser_set_max_header_count (parser, 1001);
  {
    g_autoptr(StompestFrame) frame = parse_one (parser, (const guint8 *) wire->str,
                                                wire->len + 1);

    g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 1001);
    g_assert_cmpstr (stompest_frame_get_header (frame, "h1000"), ==, "1000");
  }
}

/* A head that lies whole in one chunk is looked over at once rather than
 * line by line; the limits and the errors must be the same as when it
 * comes byte by byte. */
typedef struct {
  StompestVersion version;
  gsize max_line;
  guint max_headers;
  gsize max_frame;
  const char *wire;
  gsize wire_len;
  int code;
  const char *message_prefix; /* NULL: one frame, no error */
} WholeHeadCase;

#define WIRE(s) (s), (sizeof (s) - 1)

static const WholeHeadCase whole_head_cases[] = {
  /* A header line of exactly the line limit, then one byte over. */
  { V12, 20, 1000, 1000, WIRE ("SEND\nk:123456789012345678\n\n\0"), 0, NULL },
  { V12, 20, 1000, 1000, WIRE ("SEND\nk:1234567890123456789\n\n\0"),
    STOMPEST_ERROR_FRAME_TOO_LARGE, "byte 25: line longer" },
  /* The CR of a 1.2 CRLF is not part of the line. */
  { V12, 20, 1000, 1000, WIRE ("SEND\r\nk:123456789012345678\r\n\r\n\0"), 0, NULL },
  /* Exactly the header limit, then one more. */
  { V12, 1000, 3, 1000, WIRE ("SEND\na:1\nb:2\nc:3\n\n\0"), 0, NULL },
  { V12, 1000, 3, 1000, WIRE ("SEND\na:1\nb:2\nc:3\nd:4\n\n\0"),
    STOMPEST_ERROR_FRAME_TOO_LARGE, "byte 17: more than the limit of 3 headers" },
  { V12, 1000, 0, 1000, WIRE ("RECEIPT\n\n\0"), 0, NULL },
  /* The whole frame at the frame limit, then the head alone over it. */
  { V12, 1000, 1000, 15, WIRE ("SEND\na:1\nb:2\n\n\0"), 0, NULL },
  { V12, 1000, 1000, 14, WIRE ("SEND\na:1\nb:2\n\n\0"),
    STOMPEST_ERROR_FRAME_TOO_LARGE, "byte 14: frame larger" },
  { V12, 1000, 1000, 13, WIRE ("SEND\na:1\nb:2\n\n\0"),
    STOMPEST_ERROR_FRAME_TOO_LARGE, "byte 13: frame larger" },
  /* A limit is checked over the whole head before its text is decoded:
   * the long line wins over the NUL before it. */
  { V12, 10, 1000, 1000, WIRE ("SEND\na:\0\nlong-header:xyz\n\n\0"),
    STOMPEST_ERROR_FRAME_TOO_LARGE, "byte 19: line longer" },
  { V12, 10, 1000, 1000, WIRE ("SEND\na:\0\nb:2\n\n\0"),
    STOMPEST_ERROR_PARSE, "byte 7: NUL byte" },
  /* CRLF ends the head in 1.2 only; in 1.1 the CR is a header line. */
  { V12, 1000, 1000, 1000, WIRE ("SEND\na:1\r\n\r\n\0"), 0, NULL },
  { V11, 1000, 1000, 1000, WIRE ("SEND\na:1\r\n\r\n\n\0"),
    STOMPEST_ERROR_PARSE, "byte 10: header line '\\x0d' has no ':'" },
  /* A CR that starts a longer line does not end the head. */
  { V12, 1000, 1000, 1000, WIRE ("SEND\na:1\n\rb:2\n\r\n\0"), 0, NULL },
  /* Heads longer than one vector, with escapes across its edges. */
  { V12, 1000, 1000, 1000,
    WIRE ("MESSAGE\nmessage-id:ID\\cbench-host-40391-1700000000000-3\\c1\\c1\n"
          "x-long-name-for-a-header-line:\\\\\\n\\r\\c\n\n\0"), 0, NULL },
};

static void
test_limits_whole_head (gconstpointer data)
{
  const WholeHeadCase *c = data;
  const guint8 *wire = (const guint8 *) c->wire;
  g_autofree gsize *bytes = g_new (gsize, c->wire_len);
  gsize whole = c->wire_len;
  g_auto(Result) at_once = { 0 };
  g_auto(Result) byte_by_byte = { 0 };

  for (gsize i = 0; i < c->wire_len; i++)
    bytes[i] = i + 1;

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(StompestParser) parser = parser_with (c->version, FALSE);

      stompest_parser_set_max_header_line_length (parser, c->max_line);
      stompest_parser_set_max_header_count (parser, c->max_headers);
      stompest_parser_set_max_frame_size (parser, c->max_frame);
      if (pass == 0)
        parse_chunks (parser, wire, c->wire_len, &whole, 1, &at_once);
      else
        parse_chunks (parser, wire, c->wire_len, bytes, c->wire_len, &byte_by_byte);
    }

  if (c->message_prefix == NULL)
    {
      g_assert_no_error (at_once.error);
      g_assert_cmpuint (at_once.frames->len, ==, 1);
    }
  else
    {
      g_assert_error (at_once.error, STOMPEST_ERROR, c->code);
      if (!g_str_has_prefix (at_once.error->message, c->message_prefix))
        g_error ("'%s' does not start with '%s'", at_once.error->message,
                 c->message_prefix);
      /* What was fed after the error is not read; only the error counts. */
      at_once.offset = byte_by_byte.offset;
    }
  assert_results_equal (&byte_by_byte, &at_once);
}

/* -- failure and reset ----------------------------------------------------- */

static void
test_failed_state (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  g_autoptr(StompestFrame) frame = NULL;
  guint64 offset;

  stompest_parser_feed (parser, LIT ("\nRECEIPT\nreceipt-id:1\n\n\0"
                                     "MESSAGE\nfoo:a\\tb\n\n\0"
                                     "RECEIPT\nreceipt-id:2\n\n\0"));
  frame = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_frame_get_header (frame, "receipt-id"), ==, "1");
  g_assert_cmpuint (stompest_parser_get_offset (parser), ==, 24);

  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PARSE);
  g_assert_cmpstr (error->message, ==, "byte 37: undefined escape sequence \\t in header 'foo'");

  /* Failed: the same error again, feeding is ignored. */
  offset = stompest_parser_get_offset (parser);
  stompest_parser_feed (parser, LIT ("RECEIPT\nreceipt-id:3\n\n\0"));
  g_assert_cmpuint (stompest_parser_get_offset (parser), ==, offset);
  g_assert_null (stompest_parser_next_frame (parser, &again));
  g_assert_error (again, STOMPEST_ERROR, STOMPEST_ERROR_PARSE);
  g_assert_cmpstr (again->message, ==, error->message);

  /* reset() starts afresh. */
  stompest_parser_reset (parser);
  g_assert_cmpuint (stompest_parser_get_offset (parser), ==, 0);
  g_assert_cmpuint (stompest_parser_get_heart_beats (parser), ==, 0);
  g_clear_pointer (&frame, stompest_frame_unref);
  frame = parse_one (parser, LIT ("RECEIPT\nreceipt-id:4\n\n\0"));
  g_assert_cmpstr (stompest_frame_get_header (frame, "receipt-id"), ==, "4");
  g_assert_cmpuint (stompest_parser_get_offset (parser), ==, 23);
}

static void
test_reset_mid_frame (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StompestFrame) frame = NULL;

  stompest_parser_feed (parser, LIT ("MESSAGE\ncontent-length:10\n\nabc"));
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_no_error (error);
  stompest_parser_reset (parser);
  frame = parse_one (parser, LIT ("RECEIPT\nreceipt-id:1\n\n\0"));
  g_assert_cmpstr (stompest_frame_get_command (frame), ==, "RECEIPT");
}

/* -- random round trips ----------------------------------------------------- */

static const char *
random_command (StompestVersion version)
{
  static const char *commands[] = { "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "BEGIN", "COMMIT",
                                    "ABORT", "ACK", "DISCONNECT", "CONNECT", "CONNECTED",
                                    "MESSAGE", "RECEIPT", "ERROR", "STOMP", "NACK" };
  guint n = version >= V11 ? G_N_ELEMENTS (commands) : G_N_ELEMENTS (commands) - 2;

  return commands[g_test_rand_int_range (0, n)];
}

/* Text that VERSION can carry in a header of a frame that does (ESCAPED)
 * or does not escape; NAME excludes ':' where it cannot be escaped. */
static char *
random_text (StompestVersion version,
             gboolean        escaped,
             gboolean        name,
             guint           max_len)
{
  static const char *plain[] = { "a", "Z", "0", "9", " ", "-", "/", "_", "\\", ".", "é", "日" };
  GString *out = g_string_new (NULL);
  guint len = g_test_rand_int_range (name ? 1 : 0, max_len + 1);
  guint i;

  for (i = 0; i < len; i++)
    {
      guint pick = g_test_rand_int_range (0, G_N_ELEMENTS (plain) + 3);

      if (pick < G_N_ELEMENTS (plain))
        g_string_append (out, plain[pick]);
      else if (pick == G_N_ELEMENTS (plain) && (escaped || !name))
        g_string_append_c (out, ':');
      else if (pick == G_N_ELEMENTS (plain) + 1 && escaped)
        g_string_append_c (out, '\n');
      else if (pick == G_N_ELEMENTS (plain) + 2 && escaped && version >= V12)
        g_string_append_c (out, '\r');
      else
        g_string_append_c (out, 'x');
    }

  return g_string_free (out, FALSE);
}

static StompestFrame *
random_frame (StompestVersion version)
{
  const char *command = random_command (version);
  StompestFrame *frame = stompest_frame_new (command);
  gboolean escaped = stompest_frame_command_escapes (command, version);
  guint n_headers = g_test_rand_int_range (0, 9);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint i;

  for (i = 0; i < n_headers; i++)
    {
      g_autofree char *value = random_text (version, escaped, FALSE, 24);
      char *name;

      /* Some repeats, to check that order and repeats survive. */
      if (names->len > 0 && g_test_rand_int_range (0, 4) == 0)
        name = g_strdup (names->pdata[g_test_rand_int_range (0, names->len)]);
      else
        name = random_text (version, escaped, TRUE, 12);
      g_ptr_array_add (names, name);
      stompest_frame_add_header (frame, name, value);
    }

  if (stompest_frame_command_allows_body (command, version) && g_test_rand_bit ())
    {
      guint len = g_test_rand_int_range (0, 8) == 0 ? g_test_rand_int_range (0, 70000)
                                                     : g_test_rand_int_range (0, 300);
      g_autofree guint8 *body = g_malloc (len + 1);
      g_autoptr(GBytes) bytes = NULL;

      for (i = 0; i < len; i++)
        body[i] = g_test_rand_int_range (0, 4) == 0 ? 0 : g_test_rand_int_range (0, 256);
      bytes = g_bytes_new (body, len);
      stompest_frame_set_body (frame, bytes);
    }

  return frame;
}

/* The parsed frame is the sent one plus, perhaps, a content-length. */
static void
assert_round_trip (StompestFrame *sent,
                   StompestFrame *parsed)
{
  GBytes *body = stompest_frame_get_body (parsed);
  const char *length = stompest_frame_get_header (parsed, "content-length");
  guint i, j = 0;

  g_assert_cmpstr (stompest_frame_get_command (parsed), ==, stompest_frame_get_command (sent));
  g_assert_true (g_bytes_equal (body, stompest_frame_get_body (sent)));
  if (length != NULL)
    g_assert_cmpuint (g_ascii_strtoull (length, NULL, 10), ==, g_bytes_get_size (body));
  if (memchr (g_bytes_get_data (body, NULL), '\0', g_bytes_get_size (body)) != NULL)
    g_assert_nonnull (length);

  for (i = 0; i < stompest_frame_get_n_headers (parsed); i++)
    {
      if (strcmp (stompest_frame_get_header_name (parsed, i), "content-length") == 0)
        continue;
      g_assert_cmpuint (j, <, stompest_frame_get_n_headers (sent));
      g_assert_cmpstr (stompest_frame_get_header_name (parsed, i), ==,
                       stompest_frame_get_header_name (sent, j));
      g_assert_cmpstr (stompest_frame_get_header_value (parsed, i), ==,
                       stompest_frame_get_header_value (sent, j));
      j++;
    }
  g_assert_cmpuint (j, ==, stompest_frame_get_n_headers (sent));
}

static void
test_round_trip (void)
{
  StompestVersion versions[] = { V10, V11, V12 };
  guint round;

  for (round = 0; round < 300; round++)
    {
      StompestVersion version = versions[round % G_N_ELEMENTS (versions)];
      g_autoptr(StompestParser) parser = parser_with (version, FALSE);
      g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) stompest_frame_unref);
      g_autoptr(GByteArray) stream = g_byte_array_new ();
      g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_auto(Result) result = { 0 };
      guint n_frames = g_test_rand_int_range (1, 6);
      guint beats = 0;
      guint i;

      for (i = 0; i < n_frames; i++)
        {
          StompestFrame *frame = random_frame (version);
          StompestCompileFlags flags = g_test_rand_bit () ? STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH
                                                          : STOMPEST_COMPILE_FLAGS_NONE;
          g_autoptr(GBytes) wire = NULL;
          g_autoptr(GError) error = NULL;
          guint n_eols = g_test_rand_int_range (0, 3);

          wire = stompest_frame_to_bytes (frame, version, flags, &error);
          g_assert_no_error (error);
          g_byte_array_append (stream, g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
          g_ptr_array_add (sent, frame);

          for (; n_eols > 0; n_eols--, beats++)
            {
              if (version >= V12 && g_test_rand_bit ())
                g_byte_array_append (stream, LIT ("\r\n"));
              else
                g_byte_array_append (stream, LIT ("\n"));
            }
        }

      /* Random chunking, from single bytes to the whole stream. */
      for (i = 0; i < stream->len;)
        {
          gsize step = g_test_rand_bit () ? g_test_rand_int_range (1, 16)
                                          : g_test_rand_int_range (1, stream->len + 1);
          gsize cut = MIN (i + step, stream->len);

          g_array_append_val (cuts, cut);
          i = cut;
        }

      parse_chunks (parser, stream->data, stream->len,
                    (gsize *) (gpointer) cuts->data, cuts->len, &result);
      g_assert_no_error (result.error);
      g_assert_cmpuint (result.frames->len, ==, sent->len);
      for (i = 0; i < sent->len; i++)
        assert_round_trip (sent->pdata[i], result.frames->pdata[i]);
      g_assert_cmpuint (result.heart_beats, ==, beats);
      g_assert_cmpuint (result.offset, ==, stream->len);
    }
}

/* Mutated corpus files, with random versions and limits: whatever the
 * outcome, it must not depend on how the bytes were chunked. */
static void
test_mutations (void)
{
  static const guint8 specials[] = { ':', '\\', '\n', '\r', '\0', 'c', 'n', 'r', 't', '0', 0xff };
  static const StompestVersion versions[] = { V10, V11, V12 };
  g_autofree char *folder = stompest_test_get_filename ("conformance", "valid", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  const char *name;
  guint round;

  dir = g_dir_open (folder, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      char *contents;
      gsize len;

      g_file_get_contents (path, &contents, &len, &error);
      g_assert_no_error (error);
      g_ptr_array_add (files, g_bytes_new_take (contents, len));
    }
  g_assert_cmpuint (files->len, >, 0);

  for (round = 0; round < 3000; round++)
    {
      GBytes *original = files->pdata[g_test_rand_int_range (0, files->len)];
      g_autoptr(GByteArray) data = g_byte_array_new ();
      g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_autoptr(StompestParser) whole_parser = NULL;
      g_autoptr(StompestParser) chunk_parser = NULL;
      g_auto(Result) whole = { 0 };
      g_auto(Result) chunked = { 0 };
      StompestVersion version = versions[g_test_rand_int_range (0, 3)];
      gboolean lenient = g_test_rand_bit ();
      gsize max_frame = g_test_rand_bit () ? g_test_rand_int_range (8, 200) : 1 << 20;
      gsize max_line = g_test_rand_bit () ? g_test_rand_int_range (1, 40) : 1 << 16;
      guint max_count = g_test_rand_bit () ? g_test_rand_int_range (0, 6) : 1000;
      guint n_mutations = g_test_rand_int_range (0, 4);
      gsize i;

      g_byte_array_append (data, g_bytes_get_data (original, NULL), g_bytes_get_size (original));
      for (; n_mutations > 0; n_mutations--)
        data->data[g_test_rand_int_range (0, data->len)] =
          specials[g_test_rand_int_range (0, G_N_ELEMENTS (specials))];

      for (i = 0; i < data->len;)
        {
          gsize step = g_test_rand_int_range (1, 8);
          gsize cut = MIN (i + step, data->len);

          g_array_append_val (cuts, cut);
          i = cut;
        }

      whole_parser = parser_with (version, lenient);
      chunk_parser = parser_with (version, lenient);
      g_object_set (whole_parser, "max-frame-size", (guint64) max_frame,
                    "max-header-line-length", (guint64) max_line,
                    "max-header-count", max_count, NULL);
      g_object_set (chunk_parser, "max-frame-size", (guint64) max_frame,
                    "max-header-line-length", (guint64) max_line,
                    "max-header-count", max_count, NULL);

      i = data->len;
      i = data->len;
      parse_chunks (whole_parser, data->data, data->len, &i, 1, &whole);
      parse_chunks (chunk_parser, data->data, data->len,
                    (gsize *) (gpointer) cuts->data, cuts->len, &chunked);
      if (whole.error != NULL)
        chunked.offset = whole.offset;
      assert_results_equal (&whole, &chunked);
    }
}

int
main (int    argc,
      char **argv)
{
  stompest_test_init (&argc, &argv);

  register_conformance ();

  g_test_add_func ("/parser/zero-copy/one-chunk", test_zero_copy_one_chunk);
  g_test_add_func ("/parser/zero-copy/head-then-body", test_zero_copy_head_then_body);
  g_test_add_func ("/parser/zero-copy/spanning-body", test_zero_copy_spanning_body);
  g_test_add_func ("/parser/version/switch", test_version_switch);
  g_test_add_func ("/parser/version/commands", test_version_commands);
  g_test_add_func ("/parser/heart-beats/count", test_heart_beats);
  g_test_add_func ("/parser/limits/properties", test_limits_defaults);
  g_test_add_func ("/parser/limits/content-length-at-once", test_limits_content_length_at_once);
  g_test_add_func ("/parser/limits/unterminated-line", test_limits_unterminated_line);
  g_test_add_func ("/parser/limits/unterminated-body", test_limits_unterminated_body);
  g_test_add_func ("/parser/limits/header-count", test_limits_header_count);
  for (guint i = 0; i < G_N_ELEMENTS (whole_head_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/parser/limits/whole-head/%u", i);

      g_test_add_data_func (path, &whole_head_cases[i], test_limits_whole_head);
    }
  g_test_add_func ("/parser/failure/state-and-reset", test_failed_state);
  g_test_add_func ("/parser/failure/reset-mid-frame", test_reset_mid_frame);
  g_test_add_func ("/parser/round-trip/random", test_round_trip);
  g_test_add_func ("/parser/round-trip/mutations", test_mutations);

  return g_test_run ();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "test-utils.h"
#include "stompest-frame-private.h"

#define V10 STOMPEST_VERSION_STOMP_1_0
#define V11 STOMPEST_VERSION_STOMP_1_1
#define V12 STOMPEST_VERSION_STOMP_1_2

/* A string literal with its length, NULs inside included, the final NUL
 * of the literal excluded. */
#define LIT(s) (s), (sizeof (s) - 1)

static StompestFrame *
frame_with_body (const char *command,
                 const char *body,
                 gsize       body_len)
{
  StompestFrame *frame = stompest_frame_new (command);
  g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);

  stompest_frame_set_body (frame, bytes);
  return frame;
}

/* A sealed frame made the way the parser makes them, from BLOCK, which
 * holds N_HEADERS pairs of NUL-terminated strings "name\0value\0...". */
static StompestFrame *
take_frame (const char *command,
            const char *block,
            gsize       block_len,
            guint       n_headers,
            GBytes     *body)
{
  StompestFrame *frame;
  char **headers;
  char *strings;
  char *p;

  frame = stompest_frame_new_parsed (command, n_headers, block_len,
                                     &headers, &strings);
  memcpy (strings, block, block_len);
  p = strings;
  for (guint i = 0; i < 2 * n_headers; i++)
    {
      g_assert_cmpuint (p - strings, <, block_len);
      headers[i] = p;
      p += strlen (p) + 1;
    }
  if (body != NULL)
    stompest_frame_take_body (frame, g_bytes_ref (body));

  return frame;
}

static void
assert_wire (StompestFrame        *frame,
             StompestVersion       version,
             StompestCompileFlags  flags,
             const char           *expected,
             gsize                 expected_len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GByteArray) head = g_byte_array_new ();
  GBytes *body;

  wire = stompest_frame_to_bytes (frame, version, flags, &error);
  g_assert_no_error (error);
  g_assert_nonnull (wire);
  g_assert_cmpmem (g_bytes_get_data (wire, NULL), g_bytes_get_size (wire),
                   expected, expected_len);

  /* The head alone is the wire form without body and final NUL. */
  g_assert_true (stompest_frame_compile_head (frame, version, flags, head, &error));
  g_assert_no_error (error);
  body = stompest_frame_get_body (frame);
  g_assert_cmpuint (head->len + g_bytes_get_size (body) + 1, ==, expected_len);
  g_assert_cmpmem (head->data, head->len, expected, head->len);
}

static void
assert_invalid (StompestFrame   *frame,
                StompestVersion  version,
                const char      *must_contain,
                const char      *must_not_contain)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) wire = NULL;
  g_autoptr(GByteArray) head = g_byte_array_new ();

  wire = stompest_frame_to_bytes (frame, version, STOMPEST_COMPILE_FLAGS_NONE, &error);
  g_assert_null (wire);
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME);
  g_assert_nonnull (strstr (error->message, must_contain));
  if (must_not_contain != NULL)
    g_assert_null (strstr (error->message, must_not_contain));
  g_clear_error (&error);

  /* compile_head leaves what the caller already had untouched. */
  g_byte_array_append (head, (const guint8 *) "x", 1);
  g_assert_false (stompest_frame_compile_head (frame, version,
                                               STOMPEST_COMPILE_FLAGS_NONE,
                                               head, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_FRAME);
  g_assert_cmpmem (head->data, head->len, "x", 1);
}

/* Construction */

static void
test_construction_new (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");
  g_autoptr(StompestFrame) custom = stompest_frame_new ("X-CUSTOM");
  g_autofree char *command = g_strdup ("MESSAGE");
  g_autoptr(StompestFrame) dynamic = stompest_frame_new (command);
  GBytes *body;

  g_assert_cmpstr (stompest_frame_get_command (frame), ==, "SEND");
  g_assert_true (stompest_frame_get_command (frame) == g_intern_static_string ("SEND"));
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 0);
  g_assert_false (stompest_frame_is_sealed (frame));
  g_assert_null (stompest_frame_get_header (frame, "destination"));
  g_assert_false (stompest_frame_has_header (frame, "destination"));

  body = stompest_frame_get_body (frame);
  g_assert_nonnull (body);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);

  /* Known commands are interned even from a temporary string. */
  g_assert_true (stompest_frame_get_command (dynamic) == g_intern_static_string ("MESSAGE"));
  g_assert_true (stompest_frame_get_command (dynamic) != command);

  g_assert_cmpstr (stompest_frame_get_command (custom), ==, "X-CUSTOM");
}

static void
test_construction_intern_command (void)
{
  const char *wire = "SUBSCRIBEX";

  g_assert_true (stompest_frame_intern_command (wire, 9) == g_intern_static_string ("SUBSCRIBE"));
  g_assert_true (stompest_frame_intern_command ("ERROR", 5) == g_intern_static_string ("ERROR"));
  g_assert_null (stompest_frame_intern_command (wire, 10));
  g_assert_null (stompest_frame_intern_command (wire, 8));
  g_assert_null (stompest_frame_intern_command ("send", 4));
  g_assert_null (stompest_frame_intern_command ("SEND\0X", 6));
  g_assert_null (stompest_frame_intern_command ("", 0));
}

static void
test_construction_new_parsed (void)
{
  static const char block[] = "destination\0/queue/a\0ack\0first\0ack\0second\0";
  const char *command = stompest_frame_intern_command ("MESSAGE", 7);
  g_autoptr(GBytes) body = g_bytes_new_static ("hi", 2);
  g_autoptr(StompestFrame) frame = take_frame (command, LIT (block), 3, body);
  g_auto(GStrv) acks = NULL;

  g_assert_nonnull (frame);
  g_assert_true (stompest_frame_is_sealed (frame));
  g_assert_true (stompest_frame_get_command (frame) == command);
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 3);
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 0), ==, "destination");
  g_assert_cmpstr (stompest_frame_get_header_value (frame, 0), ==, "/queue/a");
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 2), ==, "ack");
  g_assert_cmpstr (stompest_frame_get_header_value (frame, 2), ==, "second");
  g_assert_cmpstr (stompest_frame_get_header (frame, "ack"), ==, "first");
  acks = stompest_frame_get_header_values (frame, "ack");
  g_assert_cmpstrv (acks, ((const char * const[]) { "first", "second", NULL }));
  g_assert_true (stompest_frame_get_body (frame) == body);
}

static void
test_construction_new_parsed_empty (void)
{
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) empty_value = NULL;
  char **headers = NULL;
  char *block = NULL;

  frame = stompest_frame_new_parsed (g_intern_static_string ("RECEIPT"), 0, 0,
                                     &headers, &block);
  g_assert_nonnull (frame);
  g_assert_nonnull (headers);
  g_assert_nonnull (block);
  g_assert_true (stompest_frame_is_sealed (frame));
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 0);
  g_assert_cmpuint (g_bytes_get_size (stompest_frame_get_body (frame)), ==, 0);

  empty_value = take_frame ("RECEIPT", LIT ("receipt-id\0\0"), 1, NULL);
  g_assert_cmpstr (stompest_frame_get_header (empty_value, "receipt-id"), ==, "");
}

/* The pointers and the strings lie in the frame's own allocation, after
 * the pointers, so the parser can write them without another one. */
static void
test_construction_new_parsed_layout (void)
{
  g_autoptr(StompestFrame) frame = NULL;
  char **headers;
  char *block;

  frame = stompest_frame_new_parsed ("SEND", 2, 8, &headers, &block);
  g_assert_true ((char *) (headers + 4) <= block);
  memcpy (block, "a\0b\0c\0d\0", 8);
  for (guint i = 0; i < 4; i++)
    headers[i] = block + 2 * i;

  g_assert_cmpstr (stompest_frame_get_header_name (frame, 0), ==, "a");
  g_assert_cmpstr (stompest_frame_get_header_value (frame, 0), ==, "b");
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 1), ==, "c");
  g_assert_cmpstr (stompest_frame_get_header (frame, "c"), ==, "d");
}

/* A block too small for the strings the headers need is refused. */
static void
test_construction_new_parsed_too_small (void)
{
  if (g_test_subprocess ())
    {
      char **headers = NULL;
      char *block = NULL;

      g_assert_null (stompest_frame_new_parsed ("SEND", 2, 3, &headers, &block));
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*block_size >= 2*");
}

static void
note_freed (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* take_body() keeps the caller's reference: no ref of its own, and the
 * frame drops it when freed. A second call replaces the first body. */
static void
test_construction_take_body (void)
{
  StompestFrame *frame;
  char **headers;
  char *block;
  gboolean first_freed = FALSE;
  gboolean second_freed = FALSE;
  GBytes *first = g_bytes_new_with_free_func ("one", 3, note_freed, &first_freed);
  GBytes *second = g_bytes_new_with_free_func ("two", 3, note_freed, &second_freed);

  frame = stompest_frame_new_parsed ("MESSAGE", 0, 0, &headers, &block);
  stompest_frame_take_body (frame, first);
  g_assert_true (stompest_frame_get_body (frame) == first);
  g_assert_false (first_freed);

  stompest_frame_take_body (frame, second);
  g_assert_true (first_freed);
  g_assert_true (stompest_frame_get_body (frame) == second);

  stompest_frame_unref (frame);
  g_assert_true (second_freed);
}

/* Reference counting and GValue */

static void
test_refcount (void)
{
  StompestFrame *frame = stompest_frame_new ("SEND");
  StompestFrame *ref;

  stompest_frame_add_header (frame, "destination", "/queue/a");
  ref = stompest_frame_ref (frame);
  g_assert_true (ref == frame);
  stompest_frame_unref (frame);

  /* Still alive through the second reference (valgrind would object). */
  g_assert_cmpstr (stompest_frame_get_header (ref, "destination"), ==, "/queue/a");
  stompest_frame_unref (ref);
}

static void
test_gvalue (void)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");
  StompestFrame *dup;

  g_assert_true (G_TYPE_IS_BOXED (STOMPEST_TYPE_FRAME));
  g_assert_cmpstr (g_type_name (STOMPEST_TYPE_FRAME), ==, "StompestFrame");

  g_value_init (&value, STOMPEST_TYPE_FRAME);
  g_value_set_boxed (&value, frame);
  /* Boxed copy is a reference, not a new frame. */
  g_assert_true (g_value_get_boxed (&value) == frame);
  dup = g_value_dup_boxed (&value);
  g_assert_true (dup == frame);
  stompest_frame_unref (dup);

  g_value_unset (&value);
  g_assert_cmpstr (stompest_frame_get_command (frame), ==, "SEND");
}

/* Headers */

static void
test_headers_order_and_repeats (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");
  static const char *expected[][2] = {
    { "destination", "/queue/a" },
    { "x", "1" },
    { "content-type", "text/plain" },
    { "x", "2" },
    { "x", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    stompest_frame_add_header (frame, expected[i][0], expected[i][1]);

  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpstr (stompest_frame_get_header_name (frame, i), ==, expected[i][0]);
      g_assert_cmpstr (stompest_frame_get_header_value (frame, i), ==, expected[i][1]);
    }
}

static void
test_headers_first_wins (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("MESSAGE");

  stompest_frame_add_header (frame, "foo", "World");
  stompest_frame_add_header (frame, "foo", "Hello");
  g_assert_cmpstr (stompest_frame_get_header (frame, "foo"), ==, "World");
  g_assert_true (stompest_frame_has_header (frame, "foo"));
  /* Names are case-sensitive. */
  g_assert_null (stompest_frame_get_header (frame, "Foo"));
  g_assert_null (stompest_frame_get_header (frame, "fo"));
}

static void
test_headers_values (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("MESSAGE");
  g_auto(GStrv) values = NULL;
  g_auto(GStrv) none = NULL;

  stompest_frame_add_header (frame, "a", "1");
  stompest_frame_add_header (frame, "b", "x");
  stompest_frame_add_header (frame, "a", "2");
  stompest_frame_add_header (frame, "a", "3");

  values = stompest_frame_get_header_values (frame, "a");
  g_assert_cmpstrv (values, ((const char * const[]) { "1", "2", "3", NULL }));

  none = stompest_frame_get_header_values (frame, "missing");
  g_assert_nonnull (none);
  g_assert_null (none[0]);
}

static void
test_headers_set (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");

  stompest_frame_add_header (frame, "a", "1");
  stompest_frame_add_header (frame, "b", "x");
  stompest_frame_add_header (frame, "a", "2");
  stompest_frame_add_header (frame, "c", "y");
  stompest_frame_add_header (frame, "a", "3");

  /* Replaces the first in place and drops the repeats. */
  stompest_frame_set_header (frame, "a", "new");
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 3);
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 0), ==, "a");
  g_assert_cmpstr (stompest_frame_get_header_value (frame, 0), ==, "new");
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 1), ==, "b");
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 2), ==, "c");

  /* Appends when absent. */
  stompest_frame_set_header (frame, "d", "z");
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 4);
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 3), ==, "d");
  g_assert_cmpstr (stompest_frame_get_header_value (frame, 3), ==, "z");

  /* The frame's own strings are valid arguments. */
  stompest_frame_add_header (frame, "b", "again");
  stompest_frame_set_header (frame, stompest_frame_get_header_name (frame, 4),
                             stompest_frame_get_header_value (frame, 4));
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 4);
  g_assert_cmpstr (stompest_frame_get_header (frame, "b"), ==, "again");
  stompest_frame_set_header (frame, "c", stompest_frame_get_header (frame, "c"));
  g_assert_cmpstr (stompest_frame_get_header (frame, "c"), ==, "y");
}

static void
test_headers_remove (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");

  stompest_frame_add_header (frame, "a", "1");
  stompest_frame_add_header (frame, "b", "x");
  stompest_frame_add_header (frame, "a", "2");
  stompest_frame_add_header (frame, "c", "y");

  g_assert_true (stompest_frame_remove_header (frame, "a"));
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 2);
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 0), ==, "b");
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 1), ==, "c");
  g_assert_false (stompest_frame_has_header (frame, "a"));

  g_assert_false (stompest_frame_remove_header (frame, "a"));
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 2);

  /* The name may be the frame's own string. */
  g_assert_true (stompest_frame_remove_header (frame, stompest_frame_get_header_name (frame, 0)));
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 1);
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 0), ==, "c");

  /* Adding after removal reuses the space. */
  stompest_frame_add_header (frame, "a", "3");
  g_assert_cmpstr (stompest_frame_get_header (frame, "a"), ==, "3");
}

static void
test_headers_many (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", i);
      g_autofree char *value = g_strdup_printf ("v%u", i);

      stompest_frame_add_header (frame, name, value);
    }

  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 100);
  g_assert_cmpstr (stompest_frame_get_header (frame, "h0"), ==, "v0");
  g_assert_cmpstr (stompest_frame_get_header (frame, "h57"), ==, "v57");
  g_assert_cmpstr (stompest_frame_get_header_name (frame, 99), ==, "h99");
}

/* Body */

static void
test_body (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");
  g_autoptr(GBytes) body = g_bytes_new ("abc", 3);

  stompest_frame_set_body (frame, body);
  /* Referenced, not copied. */
  g_assert_true (stompest_frame_get_body (frame) == body);

  stompest_frame_set_body (frame, stompest_frame_get_body (frame));
  g_assert_true (stompest_frame_get_body (frame) == body);

  stompest_frame_set_body (frame, NULL);
  g_assert_nonnull (stompest_frame_get_body (frame));
  g_assert_cmpuint (g_bytes_get_size (stompest_frame_get_body (frame)), ==, 0);
}

/* Sealing */

typedef enum {
  MUTATOR_ADD_HEADER,
  MUTATOR_SET_HEADER,
  MUTATOR_REMOVE_HEADER,
  MUTATOR_SET_BODY,
} Mutator;

static void
mutate (StompestFrame *frame,
        Mutator        mutator)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("new", 3);

  switch (mutator)
    {
    case MUTATOR_ADD_HEADER:
      stompest_frame_add_header (frame, "b", "2");
      break;
    case MUTATOR_SET_HEADER:
      stompest_frame_set_header (frame, "a", "2");
      break;
    case MUTATOR_REMOVE_HEADER:
      g_assert_false (stompest_frame_remove_header (frame, "a"));
      break;
    case MUTATOR_SET_BODY:
      stompest_frame_set_body (frame, body);
      break;
    default:
      g_assert_not_reached ();
    }
}

static StompestFrame *
sealed_frame (void)
{
  StompestFrame *frame = frame_with_body ("SEND", LIT ("old"));

  stompest_frame_add_header (frame, "a", "1");
  stompest_frame_seal (frame);
  return frame;
}

static void
assert_unchanged (StompestFrame *frame)
{
  gsize len;
  const char *data = g_bytes_get_data (stompest_frame_get_body (frame), &len);

  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 1);
  g_assert_cmpstr (stompest_frame_get_header (frame, "a"), ==, "1");
  g_assert_cmpmem (data, len, "old", 3);
}

static void
test_sealed_critical (gconstpointer data)
{
  Mutator mutator = GPOINTER_TO_INT (data);

  if (g_test_subprocess ())
    {
      StompestFrame *frame = sealed_frame ();

      mutate (frame, mutator);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*!frame->sealed*");
}

static void
test_sealed_unchanged (gconstpointer data)
{
  Mutator mutator = GPOINTER_TO_INT (data);
  g_autoptr(StompestFrame) frame = sealed_frame ();

  g_assert_true (stompest_frame_is_sealed (frame));
  g_test_expect_message ("Stompest", G_LOG_LEVEL_CRITICAL, "*!frame->sealed*");
  mutate (frame, mutator);
  g_test_assert_expected_messages ();
  assert_unchanged (frame);

  /* Sealing again is harmless. */
  stompest_frame_seal (frame);
  g_assert_true (stompest_frame_is_sealed (frame));
}

static void
test_sealed_new_parsed (void)
{
  if (g_test_subprocess ())
    {
      StompestFrame *frame = take_frame ("MESSAGE", LIT ("a\0001\0"), 1, NULL);

      stompest_frame_add_header (frame, "b", "2");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*!frame->sealed*");
}

/* Copy */

static void
test_copy_independent (void)
{
  g_autoptr(StompestFrame) frame = sealed_frame ();
  g_autoptr(StompestFrame) copy = stompest_frame_copy (frame);
  g_autoptr(GBytes) new_body = g_bytes_new_static ("new", 3);

  g_assert_true (copy != frame);
  g_assert_false (stompest_frame_is_sealed (copy));
  g_assert_true (stompest_frame_get_command (copy) == stompest_frame_get_command (frame));
  /* Deep: the strings are the copy's own; the body is shared. */
  g_assert_true (stompest_frame_get_header_value (copy, 0) != stompest_frame_get_header_value (frame, 0));
  g_assert_true (stompest_frame_get_body (copy) == stompest_frame_get_body (frame));

  stompest_frame_set_header (copy, "a", "changed");
  stompest_frame_add_header (copy, "b", "2");
  stompest_frame_set_body (copy, new_body);
  assert_unchanged (frame);
  g_assert_cmpstr (stompest_frame_get_header (copy, "a"), ==, "changed");
  g_assert_cmpuint (stompest_frame_get_n_headers (copy), ==, 2);
}

static void
test_copy_new_parsed (void)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);
  g_autoptr(StompestFrame) frame = take_frame ("MESSAGE",
                                               LIT ("a\0001\0b\0002\0a\0003\0"),
                                               3, body);
  g_autoptr(StompestFrame) copy = stompest_frame_copy (frame);
  g_autoptr(StompestFrame) custom = stompest_frame_new ("X-CUSTOM");
  g_autoptr(StompestFrame) custom_copy = stompest_frame_copy (custom);

  g_assert_false (stompest_frame_is_sealed (copy));
  g_assert_cmpuint (stompest_frame_get_n_headers (copy), ==, 3);
  g_assert_cmpstr (stompest_frame_get_header_value (copy, 2), ==, "3");
  g_assert_true (stompest_frame_get_body (copy) == body);

  stompest_frame_set_header (copy, "a", "9");
  g_assert_cmpuint (stompest_frame_get_n_headers (copy), ==, 2);
  g_assert_cmpuint (stompest_frame_get_n_headers (frame), ==, 3);
  g_assert_cmpstr (stompest_frame_get_header (frame, "a"), ==, "1");

  g_assert_cmpstr (stompest_frame_get_command (custom_copy), ==, "X-CUSTOM");
}

/* Compiler */

static void
test_compile_versions (void)
{
  g_autoptr(StompestFrame) send = frame_with_body ("SEND", LIT ("hello"));
  g_autoptr(StompestFrame) subscribe = stompest_frame_new ("SUBSCRIBE");
  g_autoptr(StompestFrame) disconnect = stompest_frame_new ("DISCONNECT");

  stompest_frame_add_header (send, "destination", "/queue/a");
  stompest_frame_add_header (send, "x", "1");
  stompest_frame_add_header (send, "x", "2");

  assert_wire (send, V10, 0, LIT ("SEND\ndestination:/queue/a\nx:1\nx:2\n\nhello\0"));
  assert_wire (send, V11, 0, LIT ("SEND\ndestination:/queue/a\nx:1\nx:2\n\nhello\0"));
  assert_wire (send, V12, 0, LIT ("SEND\ndestination:/queue/a\nx:1\nx:2\n\nhello\0"));

  stompest_frame_add_header (subscribe, "id", "0");
  stompest_frame_add_header (subscribe, "destination", "/topic/t");
  stompest_frame_add_header (subscribe, "ack", "client-individual");
  assert_wire (subscribe, V12, 0,
               LIT ("SUBSCRIBE\nid:0\ndestination:/topic/t\nack:client-individual\n\n\0"));

  assert_wire (disconnect, V11, 0, LIT ("DISCONNECT\n\n\0"));

  /* An empty value is written as such. */
  stompest_frame_add_header (disconnect, "receipt", "");
  assert_wire (disconnect, V12, 0, LIT ("DISCONNECT\nreceipt:\n\n\0"));
}

typedef struct {
  const char *name;
  const char *value;
  StompestVersion version;
  const char *expected_line;
} EscapeCase;

static const EscapeCase escape_cases[] = {
  /* 1.1 */
  { "a:b", "v", V11, "a\\cb:v" },
  { "k", "a:b", V11, "k:a\\cb" },
  { "a\nb", "v", V11, "a\\nb:v" },
  { "k", "a\nb", V11, "k:a\\nb" },
  { "a\\b", "v", V11, "a\\\\b:v" },
  { "k", "a\\b", V11, "k:a\\\\b" },
  /* No CR escape in 1.1: written as is. */
  { "a\rb", "v", V11, "a\rb:v" },
  { "k", "a\rb", V11, "k:a\rb" },
  /* 1.2 */
  { "a:b", "v", V12, "a\\cb:v" },
  { "k", "a:b", V12, "k:a\\cb" },
  { "a\nb", "v", V12, "a\\nb:v" },
  { "k", "a\nb", V12, "k:a\\nb" },
  { "a\\b", "v", V12, "a\\\\b:v" },
  { "k", "a\\b", V12, "k:a\\\\b" },
  { "a\rb", "v", V12, "a\\rb:v" },
  { "k", "a\rb", V12, "k:a\\rb" },
  /* Several, next to each other, at both ends. */
  { ":\\\r\n", "\n\n::\\\\\r", V12, "\\c\\\\\\r\\n:\\n\\n\\c\\c\\\\\\\\\\r" },
  { "x", "ID:host-1:2", V11, "x:ID\\chost-1\\c2" },
};

static void
test_compile_escape (gconstpointer data)
{
  const EscapeCase *c = data;
  g_autoptr(StompestFrame) frame = stompest_frame_new ("MESSAGE");
  g_autofree char *expected = g_strdup_printf ("MESSAGE\n%s\n\n", c->expected_line);

  stompest_frame_add_header (frame, c->name, c->value);
  /* strlen + 1 takes the final NUL in. */
  assert_wire (frame, c->version, 0, expected, strlen (expected) + 1);
}

static void
test_compile_no_escape (void)
{
  const char *commands[] = { "CONNECT", "CONNECTED" };
  const StompestVersion versions[] = { V10, V11, V12 };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    for (guint j = 0; j < G_N_ELEMENTS (versions); j++)
      {
        g_autoptr(StompestFrame) frame = stompest_frame_new (commands[i]);
        g_autofree char *expected = g_strdup_printf ("%s\nlogin:a:b\\c\npasscode:p\\c:\n\n",
                                                     commands[i]);

        stompest_frame_add_header (frame, "login", "a:b\\c");
        stompest_frame_add_header (frame, "passcode", "p\\c:");
        assert_wire (frame, versions[j], 0, expected, strlen (expected) + 1);
      }

  /* STOMP, the 1.1 alias of CONNECT, is escaped as the spec says. */
  {
    g_autoptr(StompestFrame) stomp = stompest_frame_new ("STOMP");

    stompest_frame_add_header (stomp, "login", "a:b");
    assert_wire (stomp, V12, 0, LIT ("STOMP\nlogin:a\\cb\n\n\0"));
  }

  /* 1.0 writes backslashes and colons in values of any frame as they are. */
  {
    g_autoptr(StompestFrame) send = stompest_frame_new ("SEND");

    stompest_frame_add_header (send, "destination", "a:\\b");
    assert_wire (send, V10, 0, LIT ("SEND\ndestination:a:\\b\n\n\0"));
  }
}

typedef struct {
  const char *command;
  StompestVersion version;
  const char *name;
  const char *value;
  const char *reason;
} UnencodableCase;

static const UnencodableCase unencodable_cases[] = {
  { "SEND", V10, "a:b", "v", "name holds a colon" },
  { "SEND", V10, "a\nb", "v", "name holds a line feed" },
  { "SEND", V10, "a\rb", "v", "name holds a carriage return" },
  { "SEND", V10, "k", "se\ncret", "value holds a line feed" },
  { "SEND", V10, "k", "se\rcret", "value holds a carriage return" },
  { "CONNECT", V12, "passcode", "se\ncret", "value holds a line feed" },
  { "CONNECT", V11, "passcode", "se\rcret", "value holds a carriage return" },
  { "CONNECTED", V12, "a:b", "v", "name holds a colon" },
  { "CONNECTED", V11, "server", "x\ny", "value holds a line feed" },
};

static void
test_compile_unencodable (gconstpointer data)
{
  const UnencodableCase *c = data;
  g_autoptr(StompestFrame) frame = stompest_frame_new (c->command);
  g_autofree char *shown = g_strescape (c->name, NULL);

  stompest_frame_add_header (frame, "ok", "fine");
  stompest_frame_add_header (frame, c->name, c->value);
  /* The message names the header and the reason, never the value. */
  assert_invalid (frame, c->version, shown, "cret");
  assert_invalid (frame, c->version, c->reason, NULL);
}

static void
test_compile_empty_name (void)
{
  g_autoptr(StompestFrame) frame = take_frame ("MESSAGE", LIT ("a\0001\0\0v\0"), 2, NULL);

  assert_invalid (frame, V12, "Header 1", NULL);
  assert_invalid (frame, V10, "empty name", NULL);
}

static void
test_compile_bad_command (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SE\nND");

  assert_invalid (frame, V12, "SE\\nND", NULL);
}

/* NACK and STOMP came with 1.1: a 1.0 peer would refuse them, and so
 * does the parser reading 1.0. */
static void
test_compile_command_not_in_version (void)
{
  const char *from_11[] = { "NACK", "STOMP" };

  for (guint i = 0; i < G_N_ELEMENTS (from_11); i++)
    {
      g_autoptr(StompestFrame) frame = stompest_frame_new (from_11[i]);
      g_autoptr(StompestFrame) with_body = frame_with_body (from_11[i], LIT ("x"));
      g_autofree char *expected = g_strdup_printf ("%s\nid:1\n\n", from_11[i]);
      g_autofree char *reason = g_strdup_printf ("no %s frame in STOMP 1.0", from_11[i]);

      stompest_frame_add_header (frame, "id", "1");
      assert_invalid (frame, V10, reason, NULL);
      /* The command is what is wrong, whatever the body. */
      assert_invalid (with_body, V10, reason, NULL);
      assert_wire (frame, V11, 0, expected, strlen (expected) + 1);
      assert_wire (frame, V12, 0, expected, strlen (expected) + 1);
    }

  /* The 1.0 commands still compile, and so do commands STOMP does not
   * define, in every version. */
  {
    g_autoptr(StompestFrame) ack = stompest_frame_new ("ACK");
    g_autoptr(StompestFrame) custom = stompest_frame_new ("X-NACK");

    assert_wire (ack, V10, 0, LIT ("ACK\n\n\0"));
    assert_wire (custom, V10, 0, LIT ("X-NACK\n\n\0"));
  }
}

static void
test_compile_body_not_allowed (void)
{
  const char *forbidden[] = {
    "CONNECT", "STOMP", "CONNECTED", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK",
    "BEGIN", "COMMIT", "ABORT", "DISCONNECT", "RECEIPT",
  };
  const char *allowed[] = { "SEND", "MESSAGE", "ERROR" };

  for (guint i = 0; i < G_N_ELEMENTS (forbidden); i++)
    {
      g_autoptr(StompestFrame) frame = frame_with_body (forbidden[i], LIT ("x"));
      g_autoptr(StompestFrame) empty = frame_with_body (forbidden[i], "", 0);
      g_autoptr(GBytes) v10 = NULL;
      g_autoptr(GBytes) ok = NULL;
      g_autoptr(GError) error = NULL;

      assert_invalid (frame, V11, "may not carry a body", NULL);
      assert_invalid (frame, V12, forbidden[i], NULL);
      /* 1.0 allows a body everywhere (NACK and STOMP are not in 1.0). */
      if (strcmp (forbidden[i], "NACK") != 0 && strcmp (forbidden[i], "STOMP") != 0)
        {
          v10 = stompest_frame_to_bytes (frame, V10, 0, &error);
          g_assert_no_error (error);
          g_assert_nonnull (v10);
        }
      /* An empty body is no body. */
      ok = stompest_frame_to_bytes (empty, V12, 0, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ok);
    }

  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autoptr(StompestFrame) frame = frame_with_body (allowed[i], LIT ("x"));
      g_autofree char *expected = g_strdup_printf ("%s\n\nx", allowed[i]);

      assert_wire (frame, V11, 0, expected, strlen (expected) + 1);
      assert_wire (frame, V12, 0, expected, strlen (expected) + 1);
    }
}

static void
test_compile_command_predicates (void)
{
  g_assert_false (stompest_frame_command_escapes ("SEND", V10));
  g_assert_false (stompest_frame_command_escapes ("CONNECT", V10));
  g_assert_true (stompest_frame_command_escapes ("SEND", V11));
  g_assert_true (stompest_frame_command_escapes ("MESSAGE", V12));
  g_assert_true (stompest_frame_command_escapes ("STOMP", V12));
  g_assert_false (stompest_frame_command_escapes ("CONNECT", V11));
  g_assert_false (stompest_frame_command_escapes ("CONNECTED", V12));
  g_assert_true (stompest_frame_command_escapes ("X-CUSTOM", V12));

  g_assert_true (stompest_frame_command_allows_body ("SUBSCRIBE", V10));
  g_assert_true (stompest_frame_command_allows_body ("SEND", V11));
  g_assert_true (stompest_frame_command_allows_body ("MESSAGE", V12));
  g_assert_true (stompest_frame_command_allows_body ("ERROR", V12));
  g_assert_false (stompest_frame_command_allows_body ("SUBSCRIBE", V11));
  g_assert_false (stompest_frame_command_allows_body ("CONNECT", V12));
  g_assert_false (stompest_frame_command_allows_body ("X-CUSTOM", V12));
}

static void
test_compile_content_length (void)
{
  /* Text body, no flag: none. */
  {
    g_autoptr(StompestFrame) frame = frame_with_body ("SEND", LIT ("hello"));

    assert_wire (frame, V12, 0, LIT ("SEND\n\nhello\0"));
    /* The flag: added after the other headers. */
    stompest_frame_add_header (frame, "destination", "/q");
    assert_wire (frame, V12, STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH,
                 LIT ("SEND\ndestination:/q\ncontent-length:5\n\nhello\0"));
    assert_wire (frame, V10, STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH,
                 LIT ("SEND\ndestination:/q\ncontent-length:5\n\nhello\0"));
  }

  /* The flag with an empty body: none. */
  {
    g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");

    assert_wire (frame, V12, STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH, LIT ("SEND\n\n\0"));
  }

  /* A NUL in the body: always. */
  {
    g_autoptr(StompestFrame) frame = frame_with_body ("MESSAGE", LIT ("a\0b\0"));

    assert_wire (frame, V12, 0, LIT ("MESSAGE\ncontent-length:4\n\na\0b\0\0"));
    assert_wire (frame, V10, 0, LIT ("MESSAGE\ncontent-length:4\n\na\0b\0\0"));
  }

  /* A single NUL byte. */
  {
    g_autoptr(StompestFrame) frame = frame_with_body ("SEND", LIT ("\0"));

    assert_wire (frame, V11, 0, LIT ("SEND\ncontent-length:1\n\n\0\0"));
  }

  /* A lying content-length is corrected in its place, repeats dropped. */
  {
    g_autoptr(StompestFrame) frame = frame_with_body ("SEND", LIT ("hello"));

    stompest_frame_add_header (frame, "destination", "/q");
    stompest_frame_add_header (frame, "content-length", "999");
    stompest_frame_add_header (frame, "x", "y");
    stompest_frame_add_header (frame, "content-length", "1");
    assert_wire (frame, V12, 0,
                 LIT ("SEND\ndestination:/q\ncontent-length:5\nx:y\n\nhello\0"));
    assert_wire (frame, V12, STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH,
                 LIT ("SEND\ndestination:/q\ncontent-length:5\nx:y\n\nhello\0"));
  }

  /* ... also with an empty body, also on a frame without body. */
  {
    g_autoptr(StompestFrame) frame = stompest_frame_new ("ACK");

    stompest_frame_add_header (frame, "content-length", "12");
    stompest_frame_add_header (frame, "id", "1");
    assert_wire (frame, V12, 0, LIT ("ACK\ncontent-length:0\nid:1\n\n\0"));
  }

  /* A sealed parsed frame with a wrong content-length. */
  {
    g_autoptr(GBytes) body = g_bytes_new_static ("0123456789", 10);
    g_autoptr(StompestFrame) frame = take_frame ("MESSAGE",
                                                 LIT ("content-length\0003\0"),
                                                 1, body);

    assert_wire (frame, V12, 0, LIT ("MESSAGE\ncontent-length:10\n\n0123456789\0"));
  }
}

static void
test_compile_large_body (void)
{
  gsize len = 100000;
  g_autofree char *data = g_malloc (len);
  g_autofree char *expected = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(StompestFrame) frame = stompest_frame_new ("SEND");
  const char *head = "SEND\ncontent-length:100000\n\n";
  gsize head_len = strlen (head);

  for (gsize i = 0; i < len; i++)
    data[i] = (char) (i % 251);
  body = g_bytes_new (data, len);
  stompest_frame_set_body (frame, body);

  expected = g_malloc (head_len + len + 1);
  memcpy (expected, head, head_len);
  memcpy (expected + head_len, data, len);
  expected[head_len + len] = '\0';
  assert_wire (frame, V12, 0, expected, head_len + len + 1);
}

static void
test_compile_head_appends (void)
{
  g_autoptr(StompestFrame) frame = frame_with_body ("SEND", LIT ("body"));
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const char *expected = "\nSEND\ndestination:/q\n\n";

  stompest_frame_add_header (frame, "destination", "/q");
  g_byte_array_append (out, (const guint8 *) "\n", 1);
  g_assert_true (stompest_frame_compile_head (frame, V12, 0, out, &error));
  g_assert_no_error (error);
  /* Only the head, after what was there. */
  g_assert_cmpmem (out->data, out->len, expected, strlen (expected));
}

/* to_string */

static void
test_to_string_format (void)
{
  g_autoptr(StompestFrame) frame = frame_with_body ("SEND", LIT ("hello \"w\"\n"));
  g_autoptr(StompestFrame) empty = stompest_frame_new ("DISCONNECT");
  g_autoptr(StompestFrame) binary = frame_with_body ("MESSAGE", LIT ("\x01\x02\0\xff"));
  g_autoptr(StompestFrame) invalid = frame_with_body ("MESSAGE", LIT ("ab\xc3\x28"));
  g_autofree char *text = NULL;
  g_autofree char *empty_text = NULL;
  g_autofree char *binary_text = NULL;
  g_autofree char *invalid_text = NULL;

  stompest_frame_add_header (frame, "destination", "/queue/a");
  stompest_frame_add_header (frame, "x", "line\nbreak");
  text = stompest_frame_to_string (frame);
  g_assert_cmpstr (text, ==,
                   "SEND {destination:/queue/a, x:line\\nbreak} \"hello \\\"w\\\"\\n\" (10 bytes)");

  empty_text = stompest_frame_to_string (empty);
  g_assert_cmpstr (empty_text, ==, "DISCONNECT {} (no body)");

  binary_text = stompest_frame_to_string (binary);
  g_assert_cmpstr (binary_text, ==, "MESSAGE {} <4 bytes>");

  invalid_text = stompest_frame_to_string (invalid);
  g_assert_cmpstr (invalid_text, ==, "MESSAGE {} <4 bytes>");
}

static void
test_to_string_long_body (void)
{
  GString *body = g_string_new (NULL);
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(StompestFrame) cut = NULL;
  g_autofree char *text = NULL;
  g_autofree char *cut_text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *cut_expected = NULL;

  for (guint i = 0; i < 100; i++)
    g_string_append_c (body, 'a' + i % 26);
  frame = frame_with_body ("SEND", body->str, body->len);
  text = stompest_frame_to_string (frame);
  expected = g_strdup_printf ("SEND {} \"%.64s\"… (100 bytes)", body->str);
  g_assert_cmpstr (text, ==, expected);

  /* A cut inside a multi-byte character keeps only whole characters. */
  g_string_truncate (body, 63);
  g_string_append (body, "é and more");
  cut = frame_with_body ("SEND", body->str, body->len);
  cut_text = stompest_frame_to_string (cut);
  cut_expected = g_strdup_printf ("SEND {} \"%.63s\"… (%" G_GSIZE_FORMAT " bytes)",
                                  body->str, body->len);
  g_assert_cmpstr (cut_text, ==, cut_expected);

  g_string_free (body, TRUE);
}

static void
test_to_string_passcode (void)
{
  g_autoptr(StompestFrame) frame = stompest_frame_new ("CONNECT");
  g_autoptr(StompestFrame) parsed = NULL;
  g_autofree char *text = NULL;
  g_autofree char *parsed_text = NULL;

  stompest_frame_add_header (frame, "login", "guest");
  stompest_frame_add_header (frame, "passcode", "s3cr3t-pw");
  stompest_frame_add_header (frame, "Passcode", "0th3r-pw");
  stompest_frame_add_header (frame, "passcode", "r3peat-pw");
  text = stompest_frame_to_string (frame);
  g_assert_null (strstr (text, "s3cr3t"));
  g_assert_null (strstr (text, "0th3r"));
  g_assert_null (strstr (text, "r3peat"));
  g_assert_cmpstr (text, ==,
                   "CONNECT {login:guest, passcode:********, Passcode:********, "
                   "passcode:********} (no body)");

  parsed = take_frame ("CONNECT", LIT ("passcode\0s3cr3t-pw\0"), 1, NULL);
  parsed_text = stompest_frame_to_string (parsed);
  g_assert_null (strstr (parsed_text, "s3cr3t"));
  g_assert_cmpstr (parsed_text, ==, "CONNECT {passcode:********} (no body)");
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    Mutator mutator;
  } mutators[] = {
    { "add-header", MUTATOR_ADD_HEADER },
    { "set-header", MUTATOR_SET_HEADER },
    { "remove-header", MUTATOR_REMOVE_HEADER },
    { "set-body", MUTATOR_SET_BODY },
  };

  stompest_test_init (&argc, &argv);

  g_test_add_func ("/frame/construction/new", test_construction_new);
  g_test_add_func ("/frame/construction/intern-command", test_construction_intern_command);
  g_test_add_func ("/frame/construction/new-parsed", test_construction_new_parsed);
  g_test_add_func ("/frame/construction/new-parsed-empty", test_construction_new_parsed_empty);
  g_test_add_func ("/frame/construction/new-parsed-layout", test_construction_new_parsed_layout);
  g_test_add_func ("/frame/construction/new-parsed-too-small", test_construction_new_parsed_too_small);
  g_test_add_func ("/frame/construction/take-body", test_construction_take_body);
  g_test_add_func ("/frame/refcount", test_refcount);
  g_test_add_func ("/frame/gvalue", test_gvalue);
  g_test_add_func ("/frame/headers/order-and-repeats", test_headers_order_and_repeats);
  g_test_add_func ("/frame/headers/first-wins", test_headers_first_wins);
  g_test_add_func ("/frame/headers/values", test_headers_values);
  g_test_add_func ("/frame/headers/set", test_headers_set);
  g_test_add_func ("/frame/headers/remove", test_headers_remove);
  g_test_add_func ("/frame/headers/many", test_headers_many);
  g_test_add_func ("/frame/body", test_body);

  for (guint i = 0; i < G_N_ELEMENTS (mutators); i++)
    {
      g_autofree char *critical = g_strdup_printf ("/frame/sealed/critical/%s", mutators[i].name);
      g_autofree char *unchanged = g_strdup_printf ("/frame/sealed/unchanged/%s", mutators[i].name);

      g_test_add_data_func (critical, GINT_TO_POINTER (mutators[i].mutator), test_sealed_critical);
      g_test_add_data_func (unchanged, GINT_TO_POINTER (mutators[i].mutator), test_sealed_unchanged);
    }
  g_test_add_func ("/frame/sealed/new-parsed", test_sealed_new_parsed);

  g_test_add_func ("/frame/copy/independent", test_copy_independent);
  g_test_add_func ("/frame/copy/new-parsed", test_copy_new_parsed);

  g_test_add_func ("/frame/compile/versions", test_compile_versions);
  for (guint i = 0; i < G_N_ELEMENTS (escape_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/frame/compile/escape/%u", i);

      g_test_add_data_func (path, &escape_cases[i], test_compile_escape);
    }
  g_test_add_func ("/frame/compile/no-escape", test_compile_no_escape);
  for (guint i = 0; i < G_N_ELEMENTS (unencodable_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/frame/compile/unencodable/%u", i);

      g_test_add_data_func (path, &unencodable_cases[i], test_compile_unencodable);
    }
  g_test_add_func ("/frame/compile/empty-name", test_compile_empty_name);
  g_test_add_func ("/frame/compile/bad-command", test_compile_bad_command);
  g_test_add_func ("/frame/compile/command-not-in-version", test_compile_command_not_in_version);
  g_test_add_func ("/frame/compile/body-not-allowed", test_compile_body_not_allowed);
  g_test_add_func ("/frame/compile/command-predicates", test_compile_command_predicates);
  g_test_add_func ("/frame/compile/content-length", test_compile_content_length);
  g_test_add_func ("/frame/compile/large-body", test_compile_large_body);
  g_test_add_func ("/frame/compile/head-appends", test_compile_head_appends);

  g_test_add_func ("/frame/to-string/format", test_to_string_format);
  g_test_add_func ("/frame/to-string/long-body", test_to_string_long_body);
  g_test_add_func ("/frame/to-string/passcode", test_to_string_passcode);

  return g_test_run ();
}

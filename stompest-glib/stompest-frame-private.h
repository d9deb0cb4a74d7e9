/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "stompest-frame.h"

G_BEGIN_DECLS

/* Internal API of the wire layer, shared by the parser, the clients and
 * the tests. */

/* Whether the header names and values of a frame with COMMAND are escaped
 * in VERSION: TRUE in 1.1 and 1.2 except for CONNECT and CONNECTED; FALSE
 * for every frame in 1.0. */
gboolean stompest_frame_command_escapes (const char      *command,
                                         StompestVersion  version);

/* Whether a frame with COMMAND may carry a body in VERSION
 * (SEND, MESSAGE, ERROR in 1.1 and 1.2; any frame in 1.0). */
gboolean stompest_frame_command_allows_body (const char      *command,
                                             StompestVersion  version);

/* The canonical, interned (g_intern_static_string) pointer of a command
 * that STOMP defines, for the LEN bytes at COMMAND (no NUL needed), or NULL
 * when those bytes name no known command. Lock-free after the first call,
 * so the parser can use it per frame and pass the result to
 * stompest_frame_new_parsed(). */
const char *stompest_frame_intern_command (const char *command,
                                           gsize       len);

/* Allocates a sealed frame for the parser in one block: the frame, room
 * for N_HEADERS name and value pointers, and BLOCK_SIZE bytes for their
 * strings, at least 2 * N_HEADERS (a NUL per string). COMMAND must be a
 * static or interned string. *HEADERS is set to the 2 * N_HEADERS pointers
 * (name, value, name, value...) and *BLOCK to the string space; the caller
 * fills both with NUL-terminated strings before the frame is read or
 * handed out. The frame has no body until stompest_frame_take_body(). */
StompestFrame *stompest_frame_new_parsed (const char   *command,
                                          guint         n_headers,
                                          gsize         block_size,
                                          char       ***headers,
                                          char        **block);

/* Sets the body of a frame from stompest_frame_new_parsed(), taking over
 * the reference BODY (nullable: no body). */
void stompest_frame_take_body (StompestFrame *frame,
                               GBytes        *body);

/* Writes the frame's head (command line, headers, blank line) for VERSION
 * into OUT, escaping as the version requires and adding or correcting
 * content-length as FLAGS and the body require. The caller writes the body
 * (stompest_frame_get_body) and then a single NUL byte after it, so the
 * body is never copied: the three pieces make a GOutputVector.
 * Returns FALSE with STOMPEST_ERROR_INVALID_FRAME when the frame cannot be
 * encoded in VERSION (a header, a body the command may not carry, or a
 * command the version does not have); OUT is then left as it was. */
gboolean stompest_frame_compile_head (StompestFrame         *frame,
                                      StompestVersion        version,
                                      StompestCompileFlags   flags,
                                      GByteArray            *out,
                                      GError               **error);

/* Writes a frame head piece by piece, appending to OUT, with the checks
 * and the bytes of stompest_frame_compile_head() (which is built on it):
 * the clients write the frames they make themselves (SEND, ACK) this way
 * without building a StompestFrame first. Between init and finish (or a
 * failure) OUT belongs to the writer, and its length is not the end of
 * the head yet. */
typedef struct {
  GByteArray *out;
  gsize start;                  /* OUT's length before the head */
  gsize pos;                    /* the end of what was written; OUT may
                                 * be longer until the head is done */
  const char *command;
  const char *table;            /* escape table; NULL: written as is */
  StompestVersion version;
  guint n_headers;
} StompestHeadWriter;

/* Writes the command line of COMMAND; fails with INVALID_FRAME, writing
 * nothing, when it cannot be written in VERSION or may not carry a body
 * of BODY_LEN bytes there. */
gboolean stompest_head_writer_init (StompestHeadWriter  *writer,
                                    GByteArray          *out,
                                    const char          *command,
                                    StompestVersion      version,
                                    gsize                body_len,
                                    GError             **error);
/* Writes one header, escaped as the version wants; fails with
 * INVALID_FRAME, truncating OUT back to where the head began. */
gboolean stompest_head_writer_add (StompestHeadWriter  *writer,
                                   const char          *name,
                                   const char          *value,
                                   GError             **error);
void     stompest_head_writer_add_content_length (StompestHeadWriter *writer,
                                                  guint64             length);
/* Writes the blank line that ends the head. */
void     stompest_head_writer_finish (StompestHeadWriter *writer);

/* Makes ARRAY LEN bytes longer and returns where they start, for the
 * caller to fill. */
static inline guint8 *
stompest_byte_array_grow (GByteArray *array,
                          gsize       len)
{
  gsize start = array->len;

  g_byte_array_set_size (array, start + len);
  return array->data + start;
}

/* Writes VALUE in decimal at the end of DIGITS and returns where it
 * starts. */
char    *stompest_format_decimal (char    digits[20],
                                  guint64 value);

G_END_DECLS

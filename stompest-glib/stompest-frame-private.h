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
 * stompest_frame_new_take(). */
const char *stompest_frame_intern_command (const char *command,
                                           gsize       len);

/* Builds a sealed frame from parts the parser already owns, without
 * copying: COMMAND must be a static or interned string; HEADERS is a
 * block of NUL-terminated strings "name\0value\0name\0value\0..." holding
 * N_HEADERS pairs, taken over by the frame (g_free); it may be NULL when
 * N_HEADERS is 0. BODY (nullable: no body) is referenced. The only
 * allocation is the frame itself: headers are indexed in place. */
StompestFrame *stompest_frame_new_take (const char *command,
                                        char       *headers,
                                        gsize       headers_len,
                                        guint       n_headers,
                                        GBytes     *body);

/* Writes the frame's head (command line, headers, blank line) for VERSION
 * into OUT, escaping as the version requires and adding or correcting
 * content-length as FLAGS and the body require. The caller writes the body
 * (stompest_frame_get_body) and then a single NUL byte after it, so the
 * body is never copied: the three pieces make a GOutputVector.
 * Returns FALSE with STOMPEST_ERROR_INVALID_FRAME when the frame cannot be
 * encoded in VERSION (a header, or a body the command may not carry); OUT
 * is then left as it was. */
gboolean stompest_frame_compile_head (StompestFrame         *frame,
                                      StompestVersion        version,
                                      StompestCompileFlags   flags,
                                      GByteArray            *out,
                                      GError               **error);

G_END_DECLS

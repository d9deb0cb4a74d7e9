/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "stompest-commands.h"

G_BEGIN_DECLS

/* The names of HEADERS (nullable) not in SKIP (nullable), sorted, for a
 * stable wire order; free the array (not the names) with g_free(). NULL
 * when there are none. */
const char **stompest_commands_header_names          (GHashTable          *headers,
                                                      const char * const  *skip,
                                                      guint               *n_names);

/* Appends to OUT the head of the SEND frame that stompest_commands_send()
 * would build, followed by HEADERS (nullable) not named in SKIP, sorted
 * by name, as stompest_frame_compile_head() compiles it for VERSION with
 * STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH: the same bytes, without a frame.
 * The body and its NUL are the caller's to write. Fails with
 * INVALID_FRAME, leaving OUT as it was, when a header cannot be
 * written in VERSION. */
gboolean     stompest_commands_write_send            (GByteArray          *out,
                                                      StompestVersion      version,
                                                      const char          *destination,
                                                      gsize                body_size,
                                                      const char          *transaction,
                                                      const char          *receipt,
                                                      GHashTable          *headers,
                                                      const char * const  *skip,
                                                      GError             **error);

/* Appends to OUT the whole ACK or NACK (COMMAND) frame for MESSAGE that
 * stompest_commands_ack() or stompest_commands_nack() would build, NUL
 * excluded, compiled for VERSION; fails as they do, leaving OUT as it
 * was. */
gboolean     stompest_commands_write_acknowledgement (GByteArray          *out,
                                                      const char          *command,
                                                      StompestFrame       *message,
                                                      StompestVersion      version,
                                                      const char          *transaction,
                                                      const char          *receipt,
                                                      GError             **error);

G_END_DECLS

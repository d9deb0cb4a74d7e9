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

/* The head of the last SEND written with no header but its destination
 * and content-length, kept so that the next such SEND to the same
 * destination in the same version is a copy of it up to the value of
 * content-length: the common send() of both clients, without the
 * checks and escaping of a head written from scratch. */
typedef struct {
  char *destination;            /* a GRefString; NULL while none is kept */
  StompestVersion version;
  GByteArray *prefix;           /* the head, up to the content-length value */
  gsize body_size;              /* the last body size, and the rest of */
  char tail[22];                /* the head for it: the value, "\n\n" */
  guint tail_len;
} StompestSendHead;

void         stompest_send_head_init                 (StompestSendHead    *head);
void         stompest_send_head_clear                (StompestSendHead    *head);

/* Appends to OUT the head stompest_commands_write_send() writes for a
 * SEND to DESTINATION with a BODY_SIZE body and no other header, then
 * RESERVE more bytes, left for the caller to fill (the body and its NUL,
 * say): returns where they start. Fails as stompest_commands_write_send()
 * does, returning NULL with OUT as it was. */
guint8      *stompest_send_head_write                (StompestSendHead    *head,
                                                      GByteArray          *out,
                                                      StompestVersion      version,
                                                      const char          *destination,
                                                      gsize                body_size,
                                                      gsize                reserve,
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

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "stompest-failover.h"
#include "stompest-frame.h"
#include "stompest-parser.h"
#include "stompest-protocol.h"
#include "stompest-transport.h"

G_BEGIN_DECLS

/* Plumbing shared by the two clients built on StompestProtocol: the
 * blocking StompestClient and the asynchronous StompestSession. Neither
 * does I/O here; these are the pieces both need to agree on (wire
 * encoding, passcode masking, error texts, transport lookup). */

/* Reads go straight into a buffer of this size that becomes the GBytes
 * the parser slices bodies from. */
#define STOMPEST_CONNECTION_READ_CHUNK 65536

/* Property setters: return early when unchanged, else store and notify.
 * They return whether the value changed. */
gboolean           stompest_connection_set_string        (GObject             *object,
                                                          char               **field,
                                                          const char          *value,
                                                          GParamSpec          *pspec);
gboolean           stompest_connection_set_uint          (GObject             *object,
                                                          guint               *field,
                                                          guint                value,
                                                          GParamSpec          *pspec);

/* Whether anything is connected to OBJECT's notify signal, whatever its
 * detail ("notify::foo" too, which g_signal_has_handler_pending() with
 * detail 0 misses). A notification nobody hears costs more than this. */
gboolean           stompest_connection_has_notify_handler (gpointer            object);

/* Masks PASSCODE (nullable) in *TEXT, which it may replace: a broker may
 * echo the CONNECT frame in its ERROR, which then shows in traces and
 * error messages. */
void               stompest_connection_scrub             (const char          *passcode,
                                                          char               **text);

/* Whether frames are logged (debug level of the Stompest domain enabled,
 * G_MESSAGES_DEBUG): it reads the environment, so a client asks once per
 * connection and skips stompest_connection_trace() when not. */
gboolean           stompest_connection_tracing           (void);

/* Logs FRAME at debug level, passcode masked, as
 * "BROKER_URI DIRECTION FRAME"; costs nothing when debug is off. */
void               stompest_connection_trace             (const char          *passcode,
                                                          const char          *broker_uri,
                                                          const char          *direction,
                                                          StompestFrame       *frame);

/* Per-object transport overrides: interned lower-case scheme →
 * StompestTransport. set with TRANSPORT NULL removes the override;
 * lookup falls back on the global registry. */
GHashTable        *stompest_connection_transports_new    (void);
void               stompest_connection_transports_set    (GHashTable          *transports,
                                                          const char          *scheme,
                                                          StompestTransport   *transport);
StompestTransport *stompest_connection_transports_lookup (GHashTable          *transports,
                                                          const char          *broker_uri,
                                                          GError             **error);

/* Adds HEADERS (nullable; sorted by name, for a stable wire order) to
 * FRAME, except those named in SKIP. */
void               stompest_connection_add_headers       (StompestFrame       *frame,
                                                          GHashTable          *headers,
                                                          const char * const  *skip);
const char        *stompest_connection_lookup_header     (GHashTable          *headers,
                                                          const char          *name);

/* Compiles the head of FRAME for VERSION into HEAD (emptied first) and
 * fills VECTORS with the head, the body (never copied: it points into the
 * frame's GBytes) and the terminating NUL. Every SEND gets a
 * content-length, so bodies with NULs survive and brokers read them
 * faster. Returns the number of vectors used (2 or 3), or 0 with ERROR
 * set when the frame cannot be encoded in VERSION. HEAD and FRAME must
 * outlive the write. */
guint              stompest_connection_frame_vectors     (StompestFrame       *frame,
                                                          StompestVersion      version,
                                                          GByteArray          *head,
                                                          GOutputVector        vectors[3],
                                                          GError             **error);

/* One non-blocking read of up to STOMPEST_CONNECTION_READ_CHUNK bytes
 * from INPUT into PARSER, through *BUFFER (allocated on demand, handed to
 * the parser without a copy when data came). Returns the number of bytes
 * read, 0 at end of stream, or -1 with ERROR set (G_IO_ERROR_WOULD_BLOCK
 * when nothing is there). */
gssize             stompest_connection_read              (GPollableInputStream *input,
                                                          StompestParser      *parser,
                                                          guint8             **buffer,
                                                          GError             **error);

/* STOMPEST_ERROR_CONNECTION_LOST naming the broker and REASON. */
GError            *stompest_connection_lost_error        (const char          *broker_uri,
                                                          const char          *reason);

/* STOMPEST_ERROR_SERVER_ERROR for FRAME, an ERROR from BROKER_URI, with
 * its `message` header (PASSCODE masked). */
GError            *stompest_connection_server_error      (const char          *broker_uri,
                                                          const char          *passcode,
                                                          StompestFrame       *frame);

/* PARSE_ERROR from the parser, restated as coming from BROKER_URI (its
 * code is kept), with PASSCODE masked: the parser quotes the bytes it
 * rejected, and a broker may echo the CONNECT frame. */
GError            *stompest_connection_malformed_error   (const char          *broker_uri,
                                                          const char          *passcode,
                                                          const GError        *parse_error);

/* Why the broker counts as dead at NOW when
 * stompest_protocol_is_peer_silent() says so: "no heart-beat from the
 * broker for N ms (…)". */
char              *stompest_connection_silence_reason    (StompestProtocol    *protocol,
                                                          gint64               now_us);

/* Whether a failed connect attempt ends the failover walk: cancelled, or
 * refused by the broker itself (ERROR frame, no common version), which
 * the other brokers of a cluster would refuse alike. */
gboolean           stompest_connection_error_is_final    (const GError        *error);

/* Prefixes the last attempt's error when a walk over several brokers of
 * FAILOVER (made from URI) gave up after ATTEMPTS attempts. */
void               stompest_connection_prefix_give_up    (GError             **error,
                                                          StompestFailover    *failover,
                                                          const char          *uri,
                                                          guint                attempts);

/* The debug line for a session just negotiated with BROKER_URI. */
void               stompest_connection_log_connected     (const char          *broker_uri,
                                                          StompestProtocol    *protocol);

G_END_DECLS

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "stompest-types.h"
#include "stompest-frame.h"

G_BEGIN_DECLS

#define STOMPEST_TYPE_PARSER (stompest_parser_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestParser, stompest_parser, STOMPEST, PARSER, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestParser  *stompest_parser_new                        (void);

STOMPEST_AVAILABLE_IN_ALL
void             stompest_parser_feed                       (StompestParser  *parser,
                                                             const guint8    *data,
                                                             gsize            len);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_parser_feed_bytes                 (StompestParser  *parser,
                                                             GBytes          *bytes);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame   *stompest_parser_next_frame                 (StompestParser  *parser,
                                                             GError         **error);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_parser_reset                      (StompestParser  *parser);

STOMPEST_AVAILABLE_IN_ALL
StompestVersion  stompest_parser_get_version                (StompestParser  *parser);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_parser_set_version                (StompestParser  *parser,
                                                             StompestVersion  version);
STOMPEST_AVAILABLE_IN_ALL
gboolean         stompest_parser_get_lenient                (StompestParser  *parser);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_parser_set_lenient                (StompestParser  *parser,
                                                             gboolean         lenient);
STOMPEST_AVAILABLE_IN_ALL
gsize            stompest_parser_get_max_frame_size         (StompestParser  *parser);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_parser_set_max_frame_size         (StompestParser  *parser,
                                                             gsize            max_frame_size);
STOMPEST_AVAILABLE_IN_ALL
guint            stompest_parser_get_max_header_count       (StompestParser  *parser);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_parser_set_max_header_count       (StompestParser  *parser,
                                                             guint            max_header_count);
STOMPEST_AVAILABLE_IN_ALL
gsize            stompest_parser_get_max_header_line_length (StompestParser  *parser);
STOMPEST_AVAILABLE_IN_ALL
void             stompest_parser_set_max_header_line_length (StompestParser  *parser,
                                                             gsize            max_header_line_length);

STOMPEST_AVAILABLE_IN_ALL
guint64          stompest_parser_get_heart_beats            (StompestParser  *parser);
STOMPEST_AVAILABLE_IN_ALL
guint64          stompest_parser_get_offset                 (StompestParser  *parser);

G_END_DECLS

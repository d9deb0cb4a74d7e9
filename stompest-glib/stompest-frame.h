/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "stompest-types.h"

G_BEGIN_DECLS

#define STOMPEST_TYPE_FRAME (stompest_frame_get_type ())

/**
 * StompestCompileFlags:
 * @STOMPEST_COMPILE_FLAGS_NONE: add `content-length` only where it is needed
 *   (a body holding a NUL byte) or already present
 * @STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH: always write a `content-length`
 *   header on frames that carry a body
 *
 * Options for turning a frame into bytes.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/ {
  STOMPEST_COMPILE_FLAGS_NONE = 0,
  STOMPEST_COMPILE_FLAGS_CONTENT_LENGTH = 1 << 0,
} StompestCompileFlags;

STOMPEST_AVAILABLE_IN_ALL
GType           stompest_frame_get_type          (void) G_GNUC_CONST;

STOMPEST_AVAILABLE_IN_ALL
StompestFrame  *stompest_frame_new               (const char     *command);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame  *stompest_frame_ref               (StompestFrame  *frame);
STOMPEST_AVAILABLE_IN_ALL
void            stompest_frame_unref             (StompestFrame  *frame);
STOMPEST_AVAILABLE_IN_ALL
StompestFrame  *stompest_frame_copy              (StompestFrame  *frame);

STOMPEST_AVAILABLE_IN_ALL
void            stompest_frame_seal              (StompestFrame  *frame);
STOMPEST_AVAILABLE_IN_ALL
gboolean        stompest_frame_is_sealed         (StompestFrame  *frame);

STOMPEST_AVAILABLE_IN_ALL
const char     *stompest_frame_get_command       (StompestFrame  *frame);

STOMPEST_AVAILABLE_IN_ALL
const char     *stompest_frame_get_header        (StompestFrame  *frame,
                                                  const char     *name);
STOMPEST_AVAILABLE_IN_ALL
gboolean        stompest_frame_has_header        (StompestFrame  *frame,
                                                  const char     *name);
STOMPEST_AVAILABLE_IN_ALL
char          **stompest_frame_get_header_values (StompestFrame  *frame,
                                                  const char     *name);
STOMPEST_AVAILABLE_IN_ALL
guint           stompest_frame_get_n_headers     (StompestFrame  *frame);
STOMPEST_AVAILABLE_IN_ALL
const char     *stompest_frame_get_header_name   (StompestFrame  *frame,
                                                  guint           position);
STOMPEST_AVAILABLE_IN_ALL
const char     *stompest_frame_get_header_value  (StompestFrame  *frame,
                                                  guint           position);
STOMPEST_AVAILABLE_IN_ALL
void            stompest_frame_add_header        (StompestFrame  *frame,
                                                  const char     *name,
                                                  const char     *value);
STOMPEST_AVAILABLE_IN_ALL
void            stompest_frame_set_header        (StompestFrame  *frame,
                                                  const char     *name,
                                                  const char     *value);
STOMPEST_AVAILABLE_IN_ALL
gboolean        stompest_frame_remove_header     (StompestFrame  *frame,
                                                  const char     *name);

STOMPEST_AVAILABLE_IN_ALL
GBytes         *stompest_frame_get_body          (StompestFrame  *frame);
STOMPEST_AVAILABLE_IN_ALL
void            stompest_frame_set_body          (StompestFrame  *frame,
                                                  GBytes         *body);

STOMPEST_AVAILABLE_IN_ALL
GBytes         *stompest_frame_to_bytes          (StompestFrame        *frame,
                                                  StompestVersion       version,
                                                  StompestCompileFlags  flags,
                                                  GError              **error);
STOMPEST_AVAILABLE_IN_ALL
char           *stompest_frame_to_string         (StompestFrame  *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StompestFrame, stompest_frame_unref)

G_END_DECLS

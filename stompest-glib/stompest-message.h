/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "stompest-types.h"
#include "stompest-frame.h"

G_BEGIN_DECLS

typedef struct _StompestSession StompestSession;
typedef struct _StompestSubscription StompestSubscription;

#define STOMPEST_TYPE_MESSAGE (stompest_message_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestMessage, stompest_message, STOMPEST, MESSAGE, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestFrame        *stompest_message_get_frame        (StompestMessage *message);
STOMPEST_AVAILABLE_IN_ALL
StompestSubscription *stompest_message_get_subscription (StompestMessage *message);
STOMPEST_AVAILABLE_IN_ALL
StompestSession      *stompest_message_get_session      (StompestMessage *message);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_message_get_destination  (StompestMessage *message);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_message_get_message_id   (StompestMessage *message);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_message_get_header       (StompestMessage *message,
                                                         const char      *name);
STOMPEST_AVAILABLE_IN_ALL
GBytes               *stompest_message_get_body         (StompestMessage *message);

STOMPEST_AVAILABLE_IN_ALL
void                  stompest_message_hold             (StompestMessage *message);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_message_complete         (StompestMessage *message);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_message_fail             (StompestMessage *message,
                                                         const GError    *error);

STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_message_is_finished      (StompestMessage *message);
STOMPEST_AVAILABLE_IN_ALL
const GError         *stompest_message_get_error        (StompestMessage *message);

G_END_DECLS

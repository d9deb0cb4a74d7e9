/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "stompest-transport.h"

G_BEGIN_DECLS

#define STOMPEST_TYPE_UNIX_TRANSPORT (stompest_unix_transport_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestUnixTransport, stompest_unix_transport, STOMPEST, UNIX_TRANSPORT, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestUnixTransport *stompest_unix_transport_new (void);

G_END_DECLS

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "stompest-transport.h"

G_BEGIN_DECLS

#define STOMPEST_TYPE_TCP_TRANSPORT (stompest_tcp_transport_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestTcpTransport, stompest_tcp_transport, STOMPEST, TCP_TRANSPORT, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestTcpTransport *stompest_tcp_transport_new (void);

G_END_DECLS

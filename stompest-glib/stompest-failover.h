/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "stompest-types.h"

G_BEGIN_DECLS

#define STOMPEST_TYPE_FAILOVER (stompest_failover_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestFailover, stompest_failover, STOMPEST, FAILOVER, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestFailover   *stompest_failover_new                               (const char        *uri,
                                                                         GError           **error);

STOMPEST_AVAILABLE_IN_ALL
const char         *stompest_failover_get_uri                           (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
const char * const *stompest_failover_get_brokers                       (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
gboolean            stompest_failover_get_is_failover                   (StompestFailover  *failover);

STOMPEST_AVAILABLE_IN_ALL
guint               stompest_failover_get_initial_reconnect_delay       (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
guint               stompest_failover_get_max_reconnect_delay           (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
gboolean            stompest_failover_get_use_exponential_back_off      (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
double              stompest_failover_get_back_off_multiplier           (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
int                 stompest_failover_get_max_reconnect_attempts        (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
int                 stompest_failover_get_startup_max_reconnect_attempts (StompestFailover *failover);
STOMPEST_AVAILABLE_IN_ALL
guint               stompest_failover_get_reconnect_delay_jitter        (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
gboolean            stompest_failover_get_randomize                     (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
gboolean            stompest_failover_get_priority_backup               (StompestFailover  *failover);

STOMPEST_AVAILABLE_IN_ALL
void                stompest_failover_set_seed                          (StompestFailover  *failover,
                                                                         guint32            seed);
STOMPEST_AVAILABLE_IN_ALL
void                stompest_failover_start                             (StompestFailover  *failover);
STOMPEST_AVAILABLE_IN_ALL
gboolean            stompest_failover_next                              (StompestFailover  *failover,
                                                                         const char       **broker_uri,
                                                                         guint             *delay_ms,
                                                                         GError           **error);

G_END_DECLS

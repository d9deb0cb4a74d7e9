/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "stompest-failover.h"

G_BEGIN_DECLS

/* TRUE for brokers on this machine: unix sockets, localhost, 127.0.0.0/8
 * and ::1. priorityBackup puts these first. */
gboolean stompest_failover_broker_is_local (const char *broker_uri);

G_END_DECLS

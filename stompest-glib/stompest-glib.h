/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define __STOMPEST_GLIB_INSIDE__

#include "stompest-version.h"
#include "stompest-version-macros.h"
#include "stompest-types.h"
#include "stompest-enum-types.h"
#include "stompest-error.h"
#include "stompest-frame.h"
#include "stompest-parser.h"
#include "stompest-transport.h"
#include "stompest-tcp-transport.h"
#include "stompest-tls-transport.h"
#include "stompest-unix-transport.h"
#include "stompest-failover.h"
#include "stompest-commands.h"
#include "stompest-protocol.h"
#include "stompest-client.h"
#include "stompest-message.h"
#include "stompest-subscription.h"
#include "stompest-session.h"

#undef __STOMPEST_GLIB_INSIDE__

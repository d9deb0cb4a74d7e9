/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "stompest-protocol.h"

G_BEGIN_DECLS

/* Forgets the subscription TOKEN without an UNSUBSCRIBE, in any state, so
 * it is not replayed: for a SUBSCRIBE the broker refused, or one that was
 * never sent. Returns whether such a subscription existed. */
gboolean stompest_protocol_forget_subscription (StompestProtocol *protocol,
                                                const char       *token);

G_END_DECLS

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "stompest-protocol.h"

G_BEGIN_DECLS

/* Forgets the subscription TOKEN without an UNSUBSCRIBE, in any state, so
 * it is not replayed: for a SUBSCRIBE the broker refused, or one that was
 * never sent. Returns whether such a subscription existed. Its MESSAGEs
 * still in flight count as late (see stompest_protocol_message_is_late()). */
gboolean stompest_protocol_forget_subscription (StompestProtocol *protocol,
                                                const char       *token);

/* Awaits RECEIPT, asked for by a frame built elsewhere (a raw frame the
 * caller sent), so that stompest_protocol_receipt() accepts it. */
void     stompest_protocol_expect_receipt      (StompestProtocol *protocol,
                                                const char       *receipt);

/* Whether RECEIPT is awaited: asked for, not yet come, not abandoned. */
gboolean stompest_protocol_is_receipt_pending  (StompestProtocol *protocol,
                                                const char       *receipt);

/* Stops awaiting RECEIPT, whose wait ended (timed out, cancelled): when it
 * comes after all, stompest_protocol_receipt() still accepts it, once.
 * Only the latest abandoned receipts of a connection are remembered. */
void     stompest_protocol_abandon_receipt     (StompestProtocol *protocol,
                                                const char       *receipt);

/* Whether MESSAGE, which stompest_protocol_message() refused, belongs to
 * a subscription that ended on this connection: the broker sent it before
 * it had the UNSUBSCRIBE, so it is late, not a mistake. Only the latest
 * ended subscriptions of a connection are remembered. */
gboolean stompest_protocol_message_is_late     (StompestProtocol *protocol,
                                                StompestFrame    *message);

/* The checks of stompest_protocol_send(), for a client that writes the
 * SEND itself: connected, TRANSACTION (nullable) open, RECEIPT (nullable)
 * not awaited already. Call stompest_protocol_expect_receipt() once the
 * frame is written. */
gboolean stompest_protocol_check_send          (StompestProtocol  *protocol,
                                                const char        *transaction,
                                                const char        *receipt,
                                                GError           **error);

/* The checks of stompest_protocol_ack() and _nack() (OPERATION "ack" or
 * "nack", for the error text), and the transaction the acknowledgement
 * of MESSAGE belongs to: its `transaction` header when that one is open,
 * else NULL. */
gboolean stompest_protocol_check_acknowledgement (StompestProtocol  *protocol,
                                                  const char        *operation,
                                                  StompestFrame     *message,
                                                  const char        *receipt,
                                                  const char       **transaction,
                                                  GError           **error);

G_END_DECLS

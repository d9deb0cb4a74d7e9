/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stompest-commands.h"
#include "stompest-commands-private.h"
#include "stompest-frame-private.h"
#include "stompest-error.h"

/* Stateless builders and readers of STOMP frames: the rules of each
 * version live here, the session state in StompestProtocol. */

static gboolean
version_is_valid (StompestVersion version)
{
  return version == STOMPEST_VERSION_STOMP_1_0 ||
         version == STOMPEST_VERSION_STOMP_1_1 ||
         version == STOMPEST_VERSION_STOMP_1_2;
}

static void
add_optional_header (StompestFrame *frame,
                     const char    *name,
                     const char    *value)
{
  if (value != NULL)
    stompest_frame_add_header (frame, name, value);
}

static gboolean
check_command (StompestFrame  *frame,
               const char     *expected,
               GError        **error)
{
  const char *command = stompest_frame_get_command (frame);

  if (strcmp (command, expected) == 0)
    return TRUE;

  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
               "Expected a %s frame, got %s", expected, command);
  return FALSE;
}

/* A header the spec requires in FRAME; NULL with an error naming it. */
static const char *
require_header (StompestFrame  *frame,
                const char     *name,
                GError        **error)
{
  const char *value = stompest_frame_get_header (frame, name);

  if (value == NULL)
    g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                 "%s frame has no “%s” header",
                 stompest_frame_get_command (frame), name);
  return value;
}

static StompestFrame *
build_connect (const char      *command,
               const char      *host,
               const char      *login,
               const char      *passcode,
               StompestVersion  max_version,
               guint            heart_beat_send_ms,
               guint            heart_beat_receive_ms)
{
  StompestFrame *frame = stompest_frame_new (command);

  if (max_version >= STOMPEST_VERSION_STOMP_1_1)
    {
      GString *versions = g_string_new (NULL);
      char *heart_beat;
      StompestVersion v;

      for (v = STOMPEST_VERSION_STOMP_1_0; v <= max_version; v++)
        {
          if (versions->len > 0)
            g_string_append_c (versions, ',');
          g_string_append (versions, stompest_version_to_string (v));
        }
      stompest_frame_add_header (frame, "accept-version", versions->str);
      g_string_free (versions, TRUE);

      add_optional_header (frame, "host", host);
      add_optional_header (frame, "login", login);
      add_optional_header (frame, "passcode", passcode);

      heart_beat = g_strdup_printf ("%u,%u", heart_beat_send_ms,
                                    heart_beat_receive_ms);
      stompest_frame_add_header (frame, "heart-beat", heart_beat);
      g_free (heart_beat);
    }
  else
    {
      add_optional_header (frame, "login", login);
      add_optional_header (frame, "passcode", passcode);
      add_optional_header (frame, "host", host);
    }

  return frame;
}

/**
 * stompest_commands_connect:
 * @host: (nullable): the virtual host to connect to, or %NULL to send no
 *   `host` header
 * @login: (nullable): the user name, or %NULL to send none
 * @passcode: (nullable): the password, or %NULL to send none
 * @max_version: the highest STOMP version to offer
 * @heart_beat_send_ms: how often the client can send heart-beats, in
 *   milliseconds (0: never); ignored when @max_version is 1.0
 * @heart_beat_receive_ms: how often the client wants heart-beats from the
 *   broker, in milliseconds (0: never); ignored when @max_version is 1.0
 *
 * Builds a CONNECT frame.
 *
 * When @max_version is 1.1 or later, the frame carries `accept-version`
 * with every version up to @max_version (for example `1.0,1.1,1.2`),
 * `host` when given, `login` and `passcode` when given, and
 * `heart-beat:<send>,<receive>`. STOMP 1.1 and 1.2 require a `host`
 * header: pass the broker's virtual host (RabbitMQ expects `/` unless it
 * has a virtual host named after the machine). %NULL omits the header,
 * which most brokers accept.
 *
 * When @max_version is 1.0, it is a plain STOMP 1.0 CONNECT: `login`,
 * `passcode` and `host` when given, no `accept-version` and no
 * `heart-beat`, so the broker answers in 1.0.
 *
 * Returns: (transfer full): a new, unsealed CONNECT frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_connect (const char      *host,
                           const char      *login,
                           const char      *passcode,
                           StompestVersion  max_version,
                           guint            heart_beat_send_ms,
                           guint            heart_beat_receive_ms)
{
  g_return_val_if_fail (version_is_valid (max_version), NULL);

  return build_connect ("CONNECT", host, login, passcode, max_version,
                        heart_beat_send_ms, heart_beat_receive_ms);
}

/**
 * stompest_commands_stomp:
 * @host: (nullable): the virtual host to connect to, or %NULL to send no
 *   `host` header
 * @login: (nullable): the user name, or %NULL to send none
 * @passcode: (nullable): the password, or %NULL to send none
 * @max_version: the highest STOMP version to offer; 1.1 or later
 * @heart_beat_send_ms: how often the client can send heart-beats, in
 *   milliseconds (0: never)
 * @heart_beat_receive_ms: how often the client wants heart-beats from the
 *   broker, in milliseconds (0: never)
 * @error: return location for a #GError
 *
 * Builds a STOMP frame: the same headers as
 * [func@Stompest.commands_connect], under the command name that STOMP 1.1
 * added. A STOMP 1.0 broker does not know it, which is why CONNECT is the
 * usual choice.
 *
 * Returns: (transfer full): a new, unsealed STOMP frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when @max_version is 1.0
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_stomp (const char       *host,
                         const char       *login,
                         const char       *passcode,
                         StompestVersion   max_version,
                         guint             heart_beat_send_ms,
                         guint             heart_beat_receive_ms,
                         GError          **error)
{
  g_return_val_if_fail (version_is_valid (max_version), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (max_version < STOMPEST_VERSION_STOMP_1_1)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "The STOMP frame needs STOMP 1.1 or later (version is %s)",
                   stompest_version_to_string (max_version));
      return NULL;
    }

  return build_connect ("STOMP", host, login, passcode, max_version,
                        heart_beat_send_ms, heart_beat_receive_ms);
}

/**
 * stompest_commands_disconnect:
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 *
 * Builds a DISCONNECT frame, the same in every version. For a graceful
 * close, ask for a receipt and wait (with a timeout) for the RECEIPT
 * before closing the connection.
 *
 * Returns: (transfer full): a new, unsealed DISCONNECT frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_disconnect (const char *receipt)
{
  StompestFrame *frame = stompest_frame_new ("DISCONNECT");

  add_optional_header (frame, "receipt", receipt);
  return frame;
}

/**
 * stompest_commands_send:
 * @destination: where to send the message
 * @body: (nullable): the message body, or %NULL for an empty one
 * @transaction: (nullable): the transaction the message belongs to, or
 *   %NULL
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 *
 * Builds a SEND frame, the same in every version: `destination`, then
 * `content-length`, then `transaction` and `receipt` when given. The body
 * is referenced, not copied.
 *
 * Unlike stompest, every SEND carries a `content-length` header (`0` for
 * an empty body), so bodies holding NUL bytes arrive whole and brokers
 * need not scan for the end of the frame. Add `content-type` and other headers to
 * the returned frame as needed.
 *
 * Returns: (transfer full): a new, unsealed SEND frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_send (const char *destination,
                        GBytes     *body,
                        const char *transaction,
                        const char *receipt)
{
  StompestFrame *frame;
  gsize size = body != NULL ? g_bytes_get_size (body) : 0;
  char length[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (destination != NULL, NULL);

  frame = stompest_frame_new ("SEND");
  stompest_frame_add_header (frame, "destination", destination);
  g_snprintf (length, sizeof length, "%" G_GSIZE_FORMAT, size);
  stompest_frame_add_header (frame, "content-length", length);
  if (size > 0)
    stompest_frame_set_body (frame, body);

  add_optional_header (frame, "transaction", transaction);
  add_optional_header (frame, "receipt", receipt);
  return frame;
}

/**
 * stompest_commands_subscribe:
 * @destination: what to subscribe to
 * @id: (nullable): the subscription id, unique on the connection; %NULL is
 *   only allowed in STOMP 1.0
 * @ack_mode: how messages of the subscription are acknowledged
 * @version: the negotiated STOMP version
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds a SUBSCRIBE frame: `destination`, `id` (when given), `ack` (always
 * written, `auto` included) and `receipt` (when given).
 *
 * STOMP 1.1 and 1.2 require an `id`. %STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL
 * only exists from STOMP 1.1 on.
 *
 * Returns: (transfer full): a new, unsealed SUBSCRIBE frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when @id is %NULL in 1.1 or later, or the ack
 *   mode is `client-individual` in 1.0
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_subscribe (const char       *destination,
                             const char       *id,
                             StompestAckMode   ack_mode,
                             StompestVersion   version,
                             const char       *receipt,
                             GError          **error)
{
  StompestFrame *frame;

  g_return_val_if_fail (destination != NULL, NULL);
  g_return_val_if_fail (ack_mode <= STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL, NULL);
  g_return_val_if_fail (version_is_valid (version), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (id == NULL && version >= STOMPEST_VERSION_STOMP_1_1)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "SUBSCRIBE to “%s” needs an “id” header in STOMP %s",
                   destination, stompest_version_to_string (version));
      return NULL;
    }
  if (ack_mode == STOMPEST_ACK_MODE_CLIENT_INDIVIDUAL &&
      version < STOMPEST_VERSION_STOMP_1_1)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "Ack mode client-individual needs STOMP 1.1 or later "
                   "(version is %s)", stompest_version_to_string (version));
      return NULL;
    }

  frame = stompest_frame_new ("SUBSCRIBE");
  stompest_frame_add_header (frame, "destination", destination);
  add_optional_header (frame, "id", id);
  stompest_frame_add_header (frame, "ack",
                             stompest_ack_mode_to_string (ack_mode));
  add_optional_header (frame, "receipt", receipt);
  return frame;
}

/**
 * stompest_commands_unsubscribe:
 * @id: (nullable): the id of the subscription to end
 * @destination: (nullable): in STOMP 1.0, the destination of a
 *   subscription that has no id; ignored in 1.1 and later
 * @version: the negotiated STOMP version
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds an UNSUBSCRIBE frame.
 *
 * In STOMP 1.1 and 1.2 the frame carries `id`, which is required. In
 * STOMP 1.0 it carries `id` when given, else `destination`; one of the two
 * is required. `receipt` follows when given.
 *
 * Returns: (transfer full): a new, unsealed UNSUBSCRIBE frame, or %NULL
 *   with %STOMPEST_ERROR_PROTOCOL when the required header is missing
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_unsubscribe (const char       *id,
                               const char       *destination,
                               StompestVersion   version,
                               const char       *receipt,
                               GError          **error)
{
  StompestFrame *frame;

  g_return_val_if_fail (version_is_valid (version), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (id == NULL && version >= STOMPEST_VERSION_STOMP_1_1)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "UNSUBSCRIBE needs an “id” header in STOMP %s",
                   stompest_version_to_string (version));
      return NULL;
    }
  if (id == NULL && destination == NULL)
    {
      g_set_error_literal (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                           "UNSUBSCRIBE needs an “id” or a “destination” "
                           "header in STOMP 1.0");
      return NULL;
    }

  frame = stompest_frame_new ("UNSUBSCRIBE");
  if (id != NULL)
    stompest_frame_add_header (frame, "id", id);
  else
    stompest_frame_add_header (frame, "destination", destination);
  add_optional_header (frame, "receipt", receipt);
  return frame;
}

/* The headers that name MESSAGE in an ACK or NACK for VERSION: `id` in
 * 1.2; `message-id` and `subscription` before (the latter optional in
 * 1.0). Up to two name/value pairs in NAMES and VALUES, a NULL value for
 * one left out; FALSE with a PROTOCOL error when one is missing. */
static gboolean
identify_message (StompestFrame    *message,
                  StompestVersion   version,
                  const char       *names[2],
                  const char       *values[2],
                  GError          **error)
{
  if (!check_command (message, "MESSAGE", error))
    return FALSE;

  if (version >= STOMPEST_VERSION_STOMP_1_2)
    {
      names[0] = "id";
      values[0] = require_header (message, "ack", error);
      names[1] = NULL;
      values[1] = NULL;
      return values[0] != NULL;
    }

  names[0] = "message-id";
  values[0] = require_header (message, "message-id", error);
  if (values[0] == NULL)
    return FALSE;

  names[1] = "subscription";
  if (version == STOMPEST_VERSION_STOMP_1_1)
    values[1] = require_header (message, "subscription", error);
  else
    values[1] = stompest_frame_get_header (message, "subscription");
  return version < STOMPEST_VERSION_STOMP_1_1 || values[1] != NULL;
}

/* STOMP 1.0 has ACK but no NACK. */
static gboolean
check_acknowledgement_exists (const char       *command,
                              StompestVersion   version,
                              GError          **error)
{
  if (version >= STOMPEST_VERSION_STOMP_1_1 || strcmp (command, "NACK") != 0)
    return TRUE;

  g_set_error_literal (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                       "NACK is not part of STOMP 1.0");
  return FALSE;
}

/* ACK and NACK identify the message the same way; only the command and
 * NACK's absence from 1.0 differ. */
static StompestFrame *
build_acknowledgement (const char       *command,
                       StompestFrame    *message,
                       StompestVersion   version,
                       const char       *transaction,
                       const char       *receipt,
                       GError          **error)
{
  StompestFrame *frame;
  const char *names[2];
  const char *values[2];

  if (!identify_message (message, version, names, values, error))
    return NULL;

  frame = stompest_frame_new (command);
  stompest_frame_add_header (frame, names[0], values[0]);
  if (names[1] != NULL)
    add_optional_header (frame, names[1], values[1]);
  add_optional_header (frame, "transaction", transaction);
  add_optional_header (frame, "receipt", receipt);
  return frame;
}

/**
 * stompest_commands_ack:
 * @message: the MESSAGE frame to acknowledge
 * @version: the negotiated STOMP version
 * @transaction: (nullable): the transaction the acknowledgement belongs
 *   to, or %NULL
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds an ACK frame for @message, with the headers that identify it in
 * the version given:
 *
 * - STOMP 1.2: `id`, the value of the message's `ack` header;
 * - STOMP 1.1: `message-id` and `subscription`;
 * - STOMP 1.0: `message-id`, and `subscription` if the message has one.
 *
 * `transaction` and `receipt` follow when given. Header values are kept as
 * the parser unescaped them; the frame compiler escapes them again for the
 * wire, so ids holding `:` (as ActiveMQ's do) round-trip.
 *
 * Returns: (transfer full): a new, unsealed ACK frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when @message is not a MESSAGE frame or lacks
 *   a header that @version needs (the error names it)
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_ack (StompestFrame    *message,
                       StompestVersion   version,
                       const char       *transaction,
                       const char       *receipt,
                       GError          **error)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (version_is_valid (version), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return build_acknowledgement ("ACK", message, version, transaction,
                                receipt, error);
}

/**
 * stompest_commands_nack:
 * @message: the MESSAGE frame to reject
 * @version: the negotiated STOMP version; 1.1 or later
 * @transaction: (nullable): the transaction the rejection belongs to, or
 *   %NULL
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 * @error: return location for a #GError
 *
 * Builds a NACK frame for @message, telling the broker that the client did
 * not consume it. The message is identified as in
 * [func@Stompest.commands_ack]: `id` in STOMP 1.2, `message-id` and
 * `subscription` in STOMP 1.1. STOMP 1.0 has no NACK.
 *
 * Returns: (transfer full): a new, unsealed NACK frame, or %NULL with
 *   %STOMPEST_ERROR_PROTOCOL when @version is 1.0, when @message is not a
 *   MESSAGE frame, or when it lacks a header that @version needs
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_nack (StompestFrame    *message,
                        StompestVersion   version,
                        const char       *transaction,
                        const char       *receipt,
                        GError          **error)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (version_is_valid (version), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_acknowledgement_exists ("NACK", version, error))
    return NULL;

  return build_acknowledgement ("NACK", message, version, transaction,
                                receipt, error);
}

static StompestFrame *
build_transaction (const char *command,
                   const char *transaction,
                   const char *receipt)
{
  StompestFrame *frame = stompest_frame_new (command);

  stompest_frame_add_header (frame, "transaction", transaction);
  add_optional_header (frame, "receipt", receipt);
  return frame;
}

/**
 * stompest_commands_begin:
 * @transaction: the id of the transaction to start, unique on the
 *   connection
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 *
 * Builds a BEGIN frame, the same in every version: `transaction`, then
 * `receipt` when given.
 *
 * Returns: (transfer full): a new, unsealed BEGIN frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_begin (const char *transaction,
                         const char *receipt)
{
  g_return_val_if_fail (transaction != NULL, NULL);

  return build_transaction ("BEGIN", transaction, receipt);
}

/**
 * stompest_commands_commit:
 * @transaction: the id of the transaction to commit
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 *
 * Builds a COMMIT frame, the same in every version: `transaction`, then
 * `receipt` when given.
 *
 * Returns: (transfer full): a new, unsealed COMMIT frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_commit (const char *transaction,
                          const char *receipt)
{
  g_return_val_if_fail (transaction != NULL, NULL);

  return build_transaction ("COMMIT", transaction, receipt);
}

/**
 * stompest_commands_abort:
 * @transaction: the id of the transaction to roll back
 * @receipt: (nullable): a receipt id to ask for, or %NULL
 *
 * Builds an ABORT frame, the same in every version: `transaction`, then
 * `receipt` when given.
 *
 * Returns: (transfer full): a new, unsealed ABORT frame
 *
 * Since: 0.1
 */
StompestFrame *
stompest_commands_abort (const char *transaction,
                         const char *receipt)
{
  g_return_val_if_fail (transaction != NULL, NULL);

  return build_transaction ("ABORT", transaction, receipt);
}

/**
 * stompest_commands_beat:
 * @version: the negotiated STOMP version
 *
 * Gives the bytes of one heart-beat: a single line feed, which every
 * version from STOMP 1.1 on reads as a beat (1.2 also accepts CR LF, but
 * LF alone is valid everywhere). STOMP 1.0 has no heart-beats; its brokers
 * skip the line feed between frames, so the bytes are harmless there.
 *
 * Returns: (transfer full): the bytes to write
 *
 * Since: 0.1
 */
GBytes *
stompest_commands_beat (StompestVersion version)
{
  g_return_val_if_fail (version_is_valid (version), NULL);

  return g_bytes_new_static ("\n", 1);
}

/**
 * stompest_commands_negotiate_heart_beat:
 * @client_send_ms: how often the client can send, the `cx` of its
 *   `heart-beat` header (0: never)
 * @client_receive_ms: how often the client wants to receive, its `cy`
 *   (0: never)
 * @server_send_ms: how often the broker can send, the `sx` of the
 *   CONNECTED frame's `heart-beat` header (0: never)
 * @server_receive_ms: how often the broker wants to receive, its `sy`
 *   (0: never)
 * @send_period_ms: (out) (optional): how often the client must send, in
 *   milliseconds, 0 for never
 * @receive_period_ms: (out) (optional): how often the broker will send, in
 *   milliseconds, 0 for never
 *
 * Applies the heart-beat rule of STOMP 1.1 and 1.2: the client sends every
 * max(cx, sy) milliseconds unless cx or sy is 0, and the broker sends
 * every max(sx, cy) milliseconds unless sx or cy is 0. STOMP 1.0 has no
 * heart-beats; [func@Stompest.commands_read_connected] gives 0 for it.
 *
 * Since: 0.1
 */
void
stompest_commands_negotiate_heart_beat (guint  client_send_ms,
                                        guint  client_receive_ms,
                                        guint  server_send_ms,
                                        guint  server_receive_ms,
                                        guint *send_period_ms,
                                        guint *receive_period_ms)
{
  if (send_period_ms != NULL)
    *send_period_ms = (client_send_ms == 0 || server_receive_ms == 0)
                      ? 0 : MAX (client_send_ms, server_receive_ms);
  if (receive_period_ms != NULL)
    *receive_period_ms = (server_send_ms == 0 || client_receive_ms == 0)
                         ? 0 : MAX (server_send_ms, client_receive_ms);
}

/* One period of a heart-beat header: 1+ ASCII digits fitting a guint, no
 * sign and no spaces (STOMP forbids padding). Advances *P past it. */
static gboolean
parse_period (const char **p,
              guint       *period)
{
  guint64 value = 0;
  const char *start = *p;

  while (g_ascii_isdigit (**p))
    {
      value = value * 10 + (guint64) (**p - '0');
      if (value > G_MAXUINT)
        return FALSE;
      (*p)++;
    }

  *period = (guint) value;
  return *p > start;
}

static gboolean
parse_heart_beat (const char  *value,
                  guint       *send_ms,
                  guint       *receive_ms,
                  GError     **error)
{
  const char *p = value;

  if (!parse_period (&p, send_ms) || *p++ != ',' ||
      !parse_period (&p, receive_ms) || *p != '\0')
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PROTOCOL,
                   "CONNECTED frame has a malformed “heart-beat” header "
                   "“%s” (expected two periods in milliseconds, “sx,sy”)",
                   value);
      return FALSE;
    }
  return TRUE;
}

/**
 * stompest_commands_read_connected:
 * @frame: the broker's answer to CONNECT
 * @max_version: the highest version the CONNECT frame offered
 * @heart_beat_send_ms: the `cx` the CONNECT frame offered (0: never)
 * @heart_beat_receive_ms: the `cy` the CONNECT frame offered (0: never)
 * @version: (out) (optional): the negotiated version
 * @server: (out) (optional) (nullable) (transfer full): the broker's
 *   `server` header, or %NULL if it sent none
 * @session: (out) (optional) (nullable) (transfer full): the broker's
 *   `session` header, or %NULL if it sent none
 * @send_period_ms: (out) (optional): how often the client must send, in
 *   milliseconds, 0 for never
 * @receive_period_ms: (out) (optional): how often the broker will send, in
 *   milliseconds, 0 for never
 * @error: return location for a #GError
 *
 * Reads the broker's answer to a CONNECT or STOMP frame.
 *
 * A CONNECTED frame without a `version` header means STOMP 1.0. A version
 * above @max_version, or one stompest-glib does not know, fails with
 * %STOMPEST_ERROR_UNSUPPORTED_VERSION naming it.
 *
 * From STOMP 1.1 on, the `heart-beat` header (`sx,sy`; missing means
 * `0,0`) is negotiated with the client's offer by the rule of
 * [func@Stompest.commands_negotiate_heart_beat]. A malformed header fails
 * with %STOMPEST_ERROR_PROTOCOL. In STOMP 1.0 both periods are 0 and the
 * header is ignored.
 *
 * The out parameters are only set on success.
 *
 * Returns: %TRUE on success; %FALSE with %STOMPEST_ERROR_SERVER_ERROR
 *   (whose message holds the text of [func@Stompest.commands_read_error])
 *   when @frame is an ERROR frame, with %STOMPEST_ERROR_PROTOCOL when it is
 *   any other frame than CONNECTED or its `heart-beat` header is
 *   malformed, or with %STOMPEST_ERROR_UNSUPPORTED_VERSION
 *
 * Since: 0.1
 */
gboolean
stompest_commands_read_connected (StompestFrame    *frame,
                                  StompestVersion   max_version,
                                  guint             heart_beat_send_ms,
                                  guint             heart_beat_receive_ms,
                                  StompestVersion  *version,
                                  char            **server,
                                  char            **session,
                                  guint            *send_period_ms,
                                  guint            *receive_period_ms,
                                  GError          **error)
{
  StompestVersion negotiated = STOMPEST_VERSION_STOMP_1_0;
  const char *version_header;
  guint send_period = 0;
  guint receive_period = 0;

  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (version_is_valid (max_version), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strcmp (stompest_frame_get_command (frame), "ERROR") == 0)
    {
      char *text = stompest_commands_read_error (frame);

      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_SERVER_ERROR,
                   "The broker refused the connection: %s", text);
      g_free (text);
      return FALSE;
    }
  if (!check_command (frame, "CONNECTED", error))
    return FALSE;

  version_header = stompest_frame_get_header (frame, "version");
  if (version_header != NULL &&
      (!stompest_version_from_string (version_header, &negotiated) ||
       negotiated > max_version))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_UNSUPPORTED_VERSION,
                   "The broker chose STOMP version “%s”, which was not "
                   "offered (highest offered: %s)", version_header,
                   stompest_version_to_string (max_version));
      return FALSE;
    }

  if (negotiated >= STOMPEST_VERSION_STOMP_1_1)
    {
      const char *heart_beat = stompest_frame_get_header (frame, "heart-beat");
      guint server_send = 0;
      guint server_receive = 0;

      if (heart_beat != NULL &&
          !parse_heart_beat (heart_beat, &server_send, &server_receive, error))
        return FALSE;

      stompest_commands_negotiate_heart_beat (heart_beat_send_ms,
                                              heart_beat_receive_ms,
                                              server_send, server_receive,
                                              &send_period, &receive_period);
    }

  if (version != NULL)
    *version = negotiated;
  if (server != NULL)
    *server = g_strdup (stompest_frame_get_header (frame, "server"));
  if (session != NULL)
    *session = g_strdup (stompest_frame_get_header (frame, "session"));
  if (send_period_ms != NULL)
    *send_period_ms = send_period;
  if (receive_period_ms != NULL)
    *receive_period_ms = receive_period;
  return TRUE;
}

/**
 * stompest_commands_read_message:
 * @frame: a frame from the broker
 * @version: the negotiated STOMP version
 * @subscription: (out) (optional) (transfer none): the subscription the
 *   message belongs to
 * @ack_token: (out) (optional) (nullable) (transfer none): the value that
 *   identifies the message in an ACK or NACK, or %NULL when there is none
 * @error: return location for a #GError
 *
 * Reads the routing information of a MESSAGE frame.
 *
 * @subscription is the `subscription` header, which STOMP 1.1 and 1.2
 * require. In STOMP 1.0, which does not require it, a message without one
 * gives its `destination` instead, the token stompest uses for 1.0
 * subscriptions made without an id.
 *
 * @ack_token is the `ack` header in STOMP 1.2, %NULL when the message has
 * none (a subscription in `auto` mode); in STOMP 1.1 and 1.0 it is the
 * required `message-id` header.
 *
 * The strings point into @frame and live as long as it does.
 *
 * Returns: %TRUE on success; %FALSE with %STOMPEST_ERROR_PROTOCOL when
 *   @frame is not a MESSAGE frame or lacks a header @version requires (the
 *   error names it)
 *
 * Since: 0.1
 */
gboolean
stompest_commands_read_message (StompestFrame    *frame,
                                StompestVersion   version,
                                const char      **subscription,
                                const char      **ack_token,
                                GError          **error)
{
  const char *found_subscription;
  const char *found_token;

  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (version_is_valid (version), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_command (frame, "MESSAGE", error))
    return FALSE;

  if (version >= STOMPEST_VERSION_STOMP_1_1)
    found_subscription = require_header (frame, "subscription", error);
  else if (stompest_frame_has_header (frame, "subscription"))
    found_subscription = stompest_frame_get_header (frame, "subscription");
  else
    found_subscription = require_header (frame, "destination", error);
  if (found_subscription == NULL)
    return FALSE;

  if (version >= STOMPEST_VERSION_STOMP_1_2)
    found_token = stompest_frame_get_header (frame, "ack");
  else if ((found_token = require_header (frame, "message-id", error)) == NULL)
    return FALSE;

  if (subscription != NULL)
    *subscription = found_subscription;
  if (ack_token != NULL)
    *ack_token = found_token;
  return TRUE;
}

/**
 * stompest_commands_read_receipt:
 * @frame: a frame from the broker
 * @error: return location for a #GError
 *
 * Reads the `receipt-id` of a RECEIPT frame, the same in every version.
 *
 * Returns: (transfer none): the receipt id, pointing into @frame, or %NULL
 *   with %STOMPEST_ERROR_PROTOCOL when @frame is not a RECEIPT frame or has
 *   no `receipt-id` header
 *
 * Since: 0.1
 */
const char *
stompest_commands_read_receipt (StompestFrame  *frame,
                                GError        **error)
{
  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_command (frame, "RECEIPT", error))
    return NULL;
  return require_header (frame, "receipt-id", error);
}

/* The first non-blank line of BODY if it is text (valid UTF-8 without NUL
 * bytes), stripped, or NULL. */
static char *
first_text_line (GBytes *body)
{
  gsize size;
  const char *data;
  const char *end;
  const char *line;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &size);
  if (size == 0 || !g_utf8_validate_len (data, size, NULL))
    return NULL;

  end = data + size;
  for (line = data; line < end;)
    {
      const char *eol = memchr (line, '\n', (gsize) (end - line));
      const char *next = eol != NULL ? eol + 1 : end;
      char *text = g_strstrip (g_strndup (line, (gsize) (next - line)));

      if (*text != '\0')
        return text;
      g_free (text);
      line = next;
    }
  return NULL;
}

/**
 * stompest_commands_read_error:
 * @frame: an ERROR frame from the broker
 *
 * Gives the text to show for an ERROR frame, the same in every version:
 * its `message` header; if it has none (or an empty one), the first
 * non-blank line of its body when the body is UTF-8 text (ActiveMQ, for
 * one, puts a stack trace there); else `(no message)`.
 *
 * Returns: (transfer full): the text, never %NULL
 *
 * Since: 0.1
 */
char *
stompest_commands_read_error (StompestFrame *frame)
{
  const char *message;
  char *line;

  g_return_val_if_fail (frame != NULL, NULL);

  message = stompest_frame_get_header (frame, "message");
  if (message != NULL && *message != '\0')
    return g_strdup (message);

  line = first_text_line (stompest_frame_get_body (frame));
  return line != NULL ? line : g_strdup ("(no message)");
}

/* Writing heads without a frame: what the clients use for the frames
 * they make in bulk. */

static int
compare_names (const void *a,
               const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

const char **
stompest_commands_header_names (GHashTable         *headers,
                                const char * const *skip,
                                guint              *n_names)
{
  const char **names;
  guint n_kept = 0;
  guint n_all;

  if (headers == NULL || g_hash_table_size (headers) == 0)
    {
      *n_names = 0;
      return NULL;
    }

  names = (const char **) g_hash_table_get_keys_as_array (headers, &n_all);
  for (guint i = 0; i < n_all; i++)
    {
      if (skip == NULL || !g_strv_contains (skip, names[i]))
        names[n_kept++] = names[i];
    }
  names[n_kept] = NULL;
  qsort (names, n_kept, sizeof (char *), compare_names);
  *n_names = n_kept;
  return names;
}

static gboolean
write_optional_header (StompestHeadWriter  *writer,
                       const char          *name,
                       const char          *value,
                       GError             **error)
{
  return value == NULL || stompest_head_writer_add (writer, name, value, error);
}

gboolean
stompest_commands_write_send (GByteArray          *out,
                              StompestVersion      version,
                              const char          *destination,
                              gsize                body_size,
                              const char          *transaction,
                              const char          *receipt,
                              GHashTable          *headers,
                              const char * const  *skip,
                              GError             **error)
{
  g_autofree const char **names = NULL;
  StompestHeadWriter writer;
  guint n_names;

  if (!stompest_head_writer_init (&writer, out, "SEND", version, body_size, error) ||
      !stompest_head_writer_add (&writer, "destination", destination, error))
    return FALSE;
  stompest_head_writer_add_content_length (&writer, body_size);
  if (!write_optional_header (&writer, "transaction", transaction, error) ||
      !write_optional_header (&writer, "receipt", receipt, error))
    return FALSE;

  names = stompest_commands_header_names (headers, skip, &n_names);
  for (guint i = 0; i < n_names; i++)
    {
      if (!stompest_head_writer_add (&writer, names[i], g_hash_table_lookup (headers, names[i]), error))
        return FALSE;
    }
  stompest_head_writer_finish (&writer);
  return TRUE;
}

void
stompest_send_head_init (StompestSendHead *head)
{
  head->destination = NULL;
  head->prefix = g_byte_array_new ();
}

void
stompest_send_head_clear (StompestSendHead *head)
{
  g_clear_pointer (&head->destination, g_ref_string_release);
  g_clear_pointer (&head->prefix, g_byte_array_unref);
}

/* Makes HEAD's tail the one of a BODY_SIZE body. */
static void
send_head_set_body_size (StompestSendHead *head,
                         gsize             body_size)
{
  char digits[20];
  const char *value = stompest_format_decimal (digits, body_size);
  gsize value_len = digits + sizeof digits - value;

  memcpy (head->tail, value, value_len);
  memcpy (head->tail + value_len, "\n\n", 2);
  head->tail_len = value_len + 2;
  head->body_size = body_size;
}

guint8 *
stompest_send_head_write (StompestSendHead  *head,
                          GByteArray        *out,
                          StompestVersion    version,
                          const char        *destination,
                          gsize              body_size,
                          gsize              reserve,
                          GError           **error)
{
  gsize start = out->len;
  guint8 *p;

  if (head->destination == NULL || head->version != version ||
      strcmp (head->destination, destination) != 0)
    {
      if (!stompest_commands_write_send (out, version, destination, body_size,
                                         NULL, NULL, NULL, NULL, error))
        return NULL;

      /* With no other header, content-length is the last line. */
      send_head_set_body_size (head, body_size);
      g_clear_pointer (&head->destination, g_ref_string_release);
      head->destination = g_ref_string_new (destination);
      head->version = version;
      g_byte_array_set_size (head->prefix, 0);
      g_byte_array_append (head->prefix, out->data + start, out->len - start - head->tail_len);
      return stompest_byte_array_grow (out, reserve);
    }

  /* Bodies of one size in a row are common: their heads are the same. */
  if (body_size != head->body_size)
    send_head_set_body_size (head, body_size);

  /* One resize for the head and what follows. */
  p = stompest_byte_array_grow (out, head->prefix->len + head->tail_len + reserve);
  memcpy (p, head->prefix->data, head->prefix->len);
  p += head->prefix->len;
  memcpy (p, head->tail, head->tail_len);
  return p + head->tail_len;
}

gboolean
stompest_commands_write_acknowledgement (GByteArray       *out,
                                         const char       *command,
                                         StompestFrame    *message,
                                         StompestVersion   version,
                                         const char       *transaction,
                                         const char       *receipt,
                                         GError          **error)
{
  StompestHeadWriter writer;
  const char *names[2];
  const char *values[2];

  if (!check_acknowledgement_exists (command, version, error) ||
      !identify_message (message, version, names, values, error) ||
      !stompest_head_writer_init (&writer, out, command, version, 0, error) ||
      !stompest_head_writer_add (&writer, names[0], values[0], error) ||
      (names[1] != NULL && !write_optional_header (&writer, names[1], values[1], error)) ||
      !write_optional_header (&writer, "transaction", transaction, error) ||
      !write_optional_header (&writer, "receipt", receipt, error))
    return FALSE;
  stompest_head_writer_finish (&writer);
  return TRUE;
}

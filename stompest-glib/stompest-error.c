/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "stompest-error.h"

/**
 * stompest_error_quark:
 *
 * The quark of the %STOMPEST_ERROR domain.
 *
 * Returns: the error domain quark
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (stompest-error-quark, stompest_error)

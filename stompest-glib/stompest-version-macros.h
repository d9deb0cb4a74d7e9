/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <glib.h>

#include "stompest-version.h"

/* Symbols are hidden by default (gnu_symbol_visibility: 'hidden'); this
 * macro exports what the public headers declare. It is keyed on
 * STOMPEST_COMPILATION rather than config.h so include order never matters. */
#ifndef _STOMPEST_EXTERN
# if defined(STOMPEST_COMPILATION) && defined(__GNUC__)
#  define _STOMPEST_EXTERN __attribute__((visibility ("default"))) extern
# else
#  define _STOMPEST_EXTERN extern
# endif
#endif

#define STOMPEST_AVAILABLE_IN_ALL _STOMPEST_EXTERN

#define STOMPEST_VERSION_CUR_STABLE (G_ENCODE_VERSION (STOMPEST_MAJOR_VERSION, STOMPEST_MINOR_VERSION))
#define STOMPEST_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

#ifndef STOMPEST_VERSION_MIN_REQUIRED
# define STOMPEST_VERSION_MIN_REQUIRED (STOMPEST_VERSION_CUR_STABLE)
#endif
#ifndef STOMPEST_VERSION_MAX_ALLOWED
# define STOMPEST_VERSION_MAX_ALLOWED (STOMPEST_VERSION_CUR_STABLE)
#endif

#define STOMPEST_DEPRECATED _STOMPEST_EXTERN G_DEPRECATED
#define STOMPEST_DEPRECATED_FOR(f) _STOMPEST_EXTERN G_DEPRECATED_FOR (f)
#define STOMPEST_UNAVAILABLE(maj, min) _STOMPEST_EXTERN G_UNAVAILABLE (maj, min)

#if STOMPEST_VERSION_MAX_ALLOWED < STOMPEST_VERSION_0_1
# define STOMPEST_AVAILABLE_IN_0_1 STOMPEST_UNAVAILABLE (0, 1)
#else
# define STOMPEST_AVAILABLE_IN_0_1 _STOMPEST_EXTERN
#endif

#if STOMPEST_VERSION_MIN_REQUIRED >= STOMPEST_VERSION_0_1
# define STOMPEST_DEPRECATED_IN_0_1 STOMPEST_DEPRECATED
# define STOMPEST_DEPRECATED_IN_0_1_FOR(f) STOMPEST_DEPRECATED_FOR (f)
#else
# define STOMPEST_DEPRECATED_IN_0_1 _STOMPEST_EXTERN
# define STOMPEST_DEPRECATED_IN_0_1_FOR(f) _STOMPEST_EXTERN
#endif

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include <stompest-glib/stompest-glib.h>

/* What client-bench and session-bench share beyond bench-common.h. */

/* Exits with the message of *ERROR unless OK. ERROR is read only here,
 * after the call that set it: a GError * argument next to the call could
 * be read before it (C leaves the order open). The runner shows which
 * program and command failed. */
static inline void
bench_check (gboolean   ok,
             GError   **error)
{
  if (ok)
    return;
  fprintf (stderr, "error: %s\n",
           *error != NULL ? (*error)->message : "failed without a GError");
  exit (1);
}

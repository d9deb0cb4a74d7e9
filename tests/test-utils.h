/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stompest-glib/stompest-glib.h>

G_BEGIN_DECLS

void stompest_test_init (int    *argc,
                         char ***argv);

/* A path inside the source tree's tests/ folder (G_TEST_SRCDIR). */
char *stompest_test_get_filename (const char *first_part,
                                  ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS

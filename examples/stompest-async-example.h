/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the asynchronous C examples share (as async_example.py does for the
 * Python ones): their command line, a StompestSession on a GMainLoop with
 * a graceful end, and the JSON messages {"count": j} they exchange.
 */
#pragma once

#include <stompest-glib/stompest-glib.h>

G_BEGIN_DECLS

/* One --NAME=QUEUE option; *value is set (newly allocated) in any case. */
typedef struct {
  const char  *name;
  const char  *default_value;
  char       **value;
} ExampleDestination;

typedef struct _Example Example;

typedef void (*ExampleConnected) (Example  *example,
                                  gpointer  user_data);
typedef void (*ExampleHandler) (StompestMessage *message,
                                gpointer         user_data);

gboolean              example_parse_args      (int                  *argc,
                                               char               ***argv,
                                               const char           *description,
                                               const ExampleDestination *destinations,
                                               int                  *count,
                                               int                  *idle_timeout,
                                               const char          **uri);

Example              *example_new             (const char           *uri);
void                  example_free            (Example              *example);
StompestSession      *example_get_session     (Example              *example);
int                   example_run             (Example              *example,
                                               ExampleConnected      on_connected,
                                               gpointer              user_data);
void                  example_stop            (Example              *example,
                                               const GError         *failure);
StompestSubscription *example_consume         (Example              *example,
                                               const char           *destination,
                                               int                   count,
                                               int                   idle_timeout,
                                               GHashTable           *headers,
                                               ExampleHandler        handler,
                                               gpointer              user_data);

GQuark                example_error_quark     (void);
gboolean              example_parse_count     (GBytes               *body,
                                               gint64               *count,
                                               GError              **error);
GBytes               *example_count_new       (gint64                count);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Example, example_free)

G_END_DECLS

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__STOMPEST_GLIB_INSIDE__) && !defined(STOMPEST_COMPILATION)
#error "Only <stompest-glib/stompest-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "stompest-transport.h"

G_BEGIN_DECLS

#define STOMPEST_TYPE_TLS_TRANSPORT (stompest_tls_transport_get_type ())

STOMPEST_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (StompestTlsTransport, stompest_tls_transport, STOMPEST, TLS_TRANSPORT, GObject)

STOMPEST_AVAILABLE_IN_ALL
StompestTlsTransport *stompest_tls_transport_new                             (void);

STOMPEST_AVAILABLE_IN_ALL
GTlsDatabase         *stompest_tls_transport_get_database                    (StompestTlsTransport *self);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_tls_transport_set_database                    (StompestTlsTransport *self,
                                                                              GTlsDatabase         *database);
STOMPEST_AVAILABLE_IN_ALL
const char           *stompest_tls_transport_get_ca_file                     (StompestTlsTransport *self);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_tls_transport_set_ca_file                     (StompestTlsTransport *self,
                                                                              const char           *ca_file);
STOMPEST_AVAILABLE_IN_ALL
GTlsCertificate      *stompest_tls_transport_get_certificate                 (StompestTlsTransport *self);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_tls_transport_set_certificate                 (StompestTlsTransport *self,
                                                                              GTlsCertificate      *certificate);
STOMPEST_AVAILABLE_IN_ALL
GTlsInteraction      *stompest_tls_transport_get_interaction                 (StompestTlsTransport *self);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_tls_transport_set_interaction                 (StompestTlsTransport *self,
                                                                              GTlsInteraction      *interaction);
STOMPEST_AVAILABLE_IN_ALL
gboolean              stompest_tls_transport_get_accept_invalid_certificates (StompestTlsTransport *self);
STOMPEST_AVAILABLE_IN_ALL
void                  stompest_tls_transport_set_accept_invalid_certificates (StompestTlsTransport *self,
                                                                              gboolean              accept);

G_END_DECLS

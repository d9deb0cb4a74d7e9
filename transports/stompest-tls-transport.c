/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "stompest-tls-transport.h"
#include "stompest-transport-private.h"

/**
 * StompestTlsTransport:
 *
 * Connects `ssl://host:port` and `tls://host:port` broker URIs over TLS.
 *
 * The transport opens a TCP connection as [class@Stompest.TcpTransport]
 * does (`TCP_NODELAY`, keepalive), wraps it in a
 * [iface@Gio.TlsClientConnection] and completes the handshake before the
 * stream is given back; the `timeout_ms` of the connect covers the
 * handshake too. The host of the URI is the server identity: it is sent as
 * SNI and the certificate of the broker must be valid for it.
 *
 * Certificates are checked against the system trust store unless
 * [property@Stompest.TlsTransport:database] or
 * [property@Stompest.TlsTransport:ca-file] names other trust anchors. A
 * client certificate can be given with
 * [property@Stompest.TlsTransport:certificate], and a
 * [class@Gio.TlsInteraction] asks for PINs and passwords. Handshake errors
 * keep their %G_TLS_ERROR code (for example
 * %G_TLS_ERROR_BAD_CERTIFICATE), with the broker URI in the message.
 *
 * The stream given back is a [class@Gio.TlsConnection] whose
 * [property@Gio.TlsConnection:base-io-stream] is the
 * [class@Gio.SocketConnection].
 *
 * One instance is registered for both the `ssl` and `tls` schemes, unless
 * the library was built with `-Dtls_transport=false`. It needs a TLS
 * backend at run time (glib-networking). To use other settings for some
 * brokers only, register a second instance under a scheme of your own:
 *
 * ```c
 * g_autoptr(StompestTlsTransport) tls = stompest_tls_transport_new ();
 *
 * stompest_tls_transport_set_ca_file (tls, "/etc/stomp/ca.pem");
 * stompest_transport_register ("tls+internal", STOMPEST_TRANSPORT (tls));
 * // now "tls+internal://broker.lan:61614" trusts only that CA
 * ```
 *
 * Set the properties before the transport is used from several threads.
 *
 * Since: 0.1
 */
struct _StompestTlsTransport
{
  GObject parent_instance;

  /* Connects read the settings under the lock, so a change made meanwhile
   * in another thread never frees what a connect is using. */
  GMutex lock;
  GTlsDatabase *database;
  char *ca_file;
  GError *ca_error;     /* why ca_file could not be loaded */
  GTlsCertificate *certificate;
  GTlsInteraction *interaction;
  gboolean accept_invalid_certificates;
};

enum {
  PROP_0,
  PROP_DATABASE,
  PROP_CA_FILE,
  PROP_CERTIFICATE,
  PROP_INTERACTION,
  PROP_ACCEPT_INVALID_CERTIFICATES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void stompest_tls_transport_iface_init (StompestTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StompestTlsTransport, stompest_tls_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STOMPEST_TYPE_TRANSPORT,
                                                      stompest_tls_transport_iface_init))

#if ENABLE_TLS_TRANSPORT
/* What one connect uses: taken when it starts. */
typedef struct
{
  GSocketConnectable *address;
  GTlsDatabase *database;
  GTlsCertificate *certificate;
  GTlsInteraction *interaction;
  gboolean accept_invalid_certificates;
} TlsSettings;

static void
tls_settings_free (TlsSettings *settings)
{
  g_clear_object (&settings->address);
  g_clear_object (&settings->database);
  g_clear_object (&settings->certificate);
  g_clear_object (&settings->interaction);
  g_free (settings);
}

static gboolean
accept_invalid_certificate (GTlsConnection       *connection,
                            GTlsCertificate      *peer_cert,
                            GTlsCertificateFlags  errors,
                            gpointer              user_data)
{
  g_debug ("Accepting a TLS certificate that failed verification (flags 0x%x) "
           "because accept-invalid-certificates is set", errors);
  return TRUE;
}

typedef struct
{
  GTask *task;
  GIOStream *tls;
} PeerCheck;

static void
tls_peer_verified (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PeerCheck *check = user_data;
  GTlsCertificateFlags flags;
  GError *error = NULL;

  flags = g_tls_database_verify_chain_finish (G_TLS_DATABASE (source), result, &error);
  if (error == NULL && flags != 0)
    error = g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                         "Unacceptable TLS certificate (verification flags 0x%x)",
                         flags);

  if (error != NULL)
    stompest_transport_task_return_error (check->task, error);
  else
    stompest_transport_task_return_stream (check->task, g_steal_pointer (&check->tls));

  g_clear_object (&check->tls);
  g_object_unref (check->task);
  g_free (check);
}

/* glib-networking resumes TLS sessions by server address alone, and a
 * resumed handshake verifies no certificate: a session opened with one
 * trust database would pass under another (seen with ActiveMQ). So the
 * peer's chain is checked again against this connect's database. */
static void
tls_verify_peer (GTask          *task,
                 GTlsConnection *tls)
{
  TlsSettings *settings = stompest_transport_task_get_impl_data (task);
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (tls);
  GTlsDatabase *database = g_tls_connection_get_database (tls);
  PeerCheck *check;

  if (peer == NULL || database == NULL)
    {
      stompest_transport_task_return_error (task,
        g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                             peer == NULL ? "The server sent no TLS certificate"
                                          : "No TLS database to verify the server with"));
      g_object_unref (task);
      return;
    }

  check = g_new0 (PeerCheck, 1);
  check->task = task;
  check->tls = G_IO_STREAM (g_object_ref (tls));
  g_tls_database_verify_chain_async (database, peer,
                                     G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                     settings->address, settings->interaction,
                                     G_TLS_DATABASE_VERIFY_NONE,
                                     stompest_transport_task_get_cancellable (task),
                                     tls_peer_verified, check);
}

static void
tls_handshake_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  TlsSettings *settings = stompest_transport_task_get_impl_data (task);
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      stompest_transport_task_return_error (task, error);
      g_object_unref (task);
    }
  else if (!settings->accept_invalid_certificates)
    {
      tls_verify_peer (task, G_TLS_CONNECTION (source));
    }
  else
    {
      stompest_transport_task_return_stream (task, G_IO_STREAM (g_object_ref (source)));
      g_object_unref (task);
    }
}

static void
tls_socket_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  TlsSettings *settings = stompest_transport_task_get_impl_data (task);
  GCancellable *cancellable;
  int priority;
  GError *error = NULL;

  connection = stompest_transport_connect_socket_finish (result, &error);
  if (connection == NULL)
    {
      stompest_transport_task_return_error (task, error);
      return;
    }

  /* The address is the server identity: SNI and the host-name check. */
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), settings->address, &error);
  if (tls == NULL)
    {
      stompest_transport_task_return_error (task, error);
      return;
    }

  /* Without a database of our own the connection keeps the backend's
   * default one, the system trust store. */
  if (settings->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), settings->database);
  if (settings->certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), settings->certificate);
  if (settings->interaction != NULL)
    g_tls_connection_set_interaction (G_TLS_CONNECTION (tls), settings->interaction);
  if (settings->accept_invalid_certificates)
    g_signal_connect (tls, "accept-certificate",
                      G_CALLBACK (accept_invalid_certificate), NULL);

  /* Read from the task before handing it over: argument order is
   * unspecified. */
  cancellable = stompest_transport_task_get_cancellable (task);
  priority = g_task_get_priority (task);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), priority, cancellable,
                                    tls_handshake_done, g_steal_pointer (&task));
}
#endif

static void
stompest_tls_transport_connect_async (StompestTransport   *transport,
                                      const char          *uri,
                                      guint                timeout_ms,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = stompest_transport_task_new (transport,
                                      stompest_tls_transport_connect_async,
                                      uri, timeout_ms, cancellable,
                                      callback, user_data);
#if ENABLE_TLS_TRANSPORT
  {
    StompestTlsTransport *self = STOMPEST_TLS_TRANSPORT (transport);
    g_autoptr(GSocketConnectable) address = NULL;
    TlsSettings *settings;
    GError *error = NULL;

    address = stompest_transport_parse_network_uri (uri, &error);
    if (address == NULL)
      {
        stompest_transport_task_return_error (task, error);
        return;
      }

    g_mutex_lock (&self->lock);
    if (self->ca_error != NULL)
      {
        error = g_error_copy (self->ca_error);
        g_mutex_unlock (&self->lock);
        stompest_transport_task_return_error (task, error);
        return;
      }
    settings = g_new0 (TlsSettings, 1);
    settings->address = g_steal_pointer (&address);
    g_set_object (&settings->database, self->database);
    g_set_object (&settings->certificate, self->certificate);
    g_set_object (&settings->interaction, self->interaction);
    settings->accept_invalid_certificates = self->accept_invalid_certificates;
    g_mutex_unlock (&self->lock);

    stompest_transport_task_set_impl_data (task, settings,
                                           (GDestroyNotify) tls_settings_free);
    stompest_transport_connect_socket_async (task, settings->address,
                                             tls_socket_connected);
  }
#else
  stompest_transport_task_return_disabled (task, "tls");
#endif
}

static GIOStream *
stompest_tls_transport_connect_finish (StompestTransport  *transport,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  return stompest_transport_task_finish (transport, result,
                                         stompest_tls_transport_connect_async,
                                         error);
}

static void
stompest_tls_transport_iface_init (StompestTransportInterface *iface)
{
  iface->connect_async = stompest_tls_transport_connect_async;
  iface->connect_finish = stompest_tls_transport_connect_finish;
}

static void
stompest_tls_transport_finalize (GObject *object)
{
  StompestTlsTransport *self = STOMPEST_TLS_TRANSPORT (object);

  g_clear_object (&self->database);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_error (&self->ca_error);
  g_clear_object (&self->certificate);
  g_clear_object (&self->interaction);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (stompest_tls_transport_parent_class)->finalize (object);
}

static void
stompest_tls_transport_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  StompestTlsTransport *self = STOMPEST_TLS_TRANSPORT (object);

  g_mutex_lock (&self->lock);
  switch (prop_id)
    {
    case PROP_DATABASE:
      g_value_set_object (value, self->database);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_CERTIFICATE:
      g_value_set_object (value, self->certificate);
      break;
    case PROP_INTERACTION:
      g_value_set_object (value, self->interaction);
      break;
    case PROP_ACCEPT_INVALID_CERTIFICATES:
      g_value_set_boolean (value, self->accept_invalid_certificates);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
  g_mutex_unlock (&self->lock);
}

static void
stompest_tls_transport_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  StompestTlsTransport *self = STOMPEST_TLS_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_DATABASE:
      stompest_tls_transport_set_database (self, g_value_get_object (value));
      break;
    case PROP_CA_FILE:
      stompest_tls_transport_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_CERTIFICATE:
      stompest_tls_transport_set_certificate (self, g_value_get_object (value));
      break;
    case PROP_INTERACTION:
      stompest_tls_transport_set_interaction (self, g_value_get_object (value));
      break;
    case PROP_ACCEPT_INVALID_CERTIFICATES:
      stompest_tls_transport_set_accept_invalid_certificates (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_tls_transport_class_init (StompestTlsTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = stompest_tls_transport_finalize;
  object_class->get_property = stompest_tls_transport_get_property;
  object_class->set_property = stompest_tls_transport_set_property;

  /**
   * StompestTlsTransport:database: (getter get_database) (setter set_database)
   *
   * The trust anchors that broker certificates are checked against, or
   * %NULL for the default database of the TLS backend (the system trust
   * store).
   *
   * Setting [property@Stompest.TlsTransport:ca-file] sets this property to
   * a [iface@Gio.TlsFileDatabase] of that file; setting this property
   * clears [property@Stompest.TlsTransport:ca-file].
   *
   * Since: 0.1
   */
  properties[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL,
                         G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestTlsTransport:ca-file: (getter get_ca_file) (setter set_ca_file) (type filename)
   *
   * A PEM file holding the certificate authorities to trust instead of the
   * system trust store, or %NULL.
   *
   * A relative path is made absolute against the current directory when
   * the property is set. The file is loaded then, into
   * [property@Stompest.TlsTransport:database]; if it cannot be loaded,
   * connects fail with the reason, rather than falling back to another
   * trust store.
   *
   * Since: 0.1
   */
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestTlsTransport:certificate: (getter get_certificate) (setter set_certificate)
   *
   * The client certificate, with its private key, presented to a broker
   * that asks for one, or %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_CERTIFICATE] =
    g_param_spec_object ("certificate", NULL, NULL,
                         G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestTlsTransport:interaction: (getter get_interaction) (setter set_interaction)
   *
   * The object that asks the user for PINs and passwords, for example
   * of a client certificate on a smart card, or %NULL.
   *
   * Since: 0.1
   */
  properties[PROP_INTERACTION] =
    g_param_spec_object ("interaction", NULL, NULL,
                         G_TYPE_TLS_INTERACTION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestTlsTransport:accept-invalid-certificates: (getter get_accept_invalid_certificates) (setter set_accept_invalid_certificates)
   *
   * Whether to connect even when the certificate of the broker fails
   * verification: unknown authority, wrong host name, expired, revoked.
   *
   * This turns off the protection TLS gives against an attacker between
   * the client and the broker, and exists for tests and throwaway set-ups
   * only. It is %FALSE by default; prefer
   * [property@Stompest.TlsTransport:ca-file] to trust a private CA.
   *
   * Since: 0.1
   */
  properties[PROP_ACCEPT_INVALID_CERTIFICATES] =
    g_param_spec_boolean ("accept-invalid-certificates", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stompest_tls_transport_init (StompestTlsTransport *self)
{
  g_mutex_init (&self->lock);
}

/**
 * stompest_tls_transport_new:
 *
 * Creates a transport for `ssl://` and `tls://` URIs that trusts the
 * system certificate store. The one in the registry is usually all a
 * program needs; see [func@Stompest.Transport.lookup].
 *
 * Returns: (transfer full): a new [class@Stompest.TlsTransport]
 *
 * Since: 0.1
 */
StompestTlsTransport *
stompest_tls_transport_new (void)
{
  return g_object_new (STOMPEST_TYPE_TLS_TRANSPORT, NULL);
}

/**
 * stompest_tls_transport_get_database: (get-property database)
 * @self: a [class@Stompest.TlsTransport]
 *
 * Gets the database that broker certificates are checked against.
 *
 * Returns: (transfer none) (nullable): the database, or %NULL for the
 *   system trust store
 *
 * Since: 0.1
 */
GTlsDatabase *
stompest_tls_transport_get_database (StompestTlsTransport *self)
{
  g_return_val_if_fail (STOMPEST_IS_TLS_TRANSPORT (self), NULL);

  return self->database;
}

/**
 * stompest_tls_transport_set_database: (set-property database)
 * @self: a [class@Stompest.TlsTransport]
 * @database: (nullable): a [class@Gio.TlsDatabase], or %NULL for the
 *   system trust store
 *
 * Sets the database that broker certificates are checked against, and
 * clears [property@Stompest.TlsTransport:ca-file].
 *
 * Since: 0.1
 */
void
stompest_tls_transport_set_database (StompestTlsTransport *self,
                                     GTlsDatabase         *database)
{
  gboolean database_changed;
  gboolean ca_file_changed;

  g_return_if_fail (STOMPEST_IS_TLS_TRANSPORT (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  g_mutex_lock (&self->lock);
  database_changed = g_set_object (&self->database, database);
  ca_file_changed = self->ca_file != NULL;
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_error (&self->ca_error);
  g_mutex_unlock (&self->lock);

  if (database_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATABASE]);
  if (ca_file_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

/**
 * stompest_tls_transport_get_ca_file: (get-property ca-file)
 * @self: a [class@Stompest.TlsTransport]
 *
 * Gets the absolute path of the CA file set with
 * [method@Stompest.TlsTransport.set_ca_file].
 *
 * Returns: (transfer none) (nullable) (type filename): the path, or %NULL
 *
 * Since: 0.1
 */
const char *
stompest_tls_transport_get_ca_file (StompestTlsTransport *self)
{
  g_return_val_if_fail (STOMPEST_IS_TLS_TRANSPORT (self), NULL);

  return self->ca_file;
}

/**
 * stompest_tls_transport_set_ca_file: (set-property ca-file)
 * @self: a [class@Stompest.TlsTransport]
 * @ca_file: (nullable) (type filename): a PEM file of certificate
 *   authorities, or %NULL for the system trust store
 *
 * Trusts the certificate authorities in @ca_file instead of the system
 * trust store. The file is read now; when it cannot be, later connects
 * fail with the reason (a %G_TLS_ERROR or %G_FILE_ERROR naming the file).
 *
 * Since: 0.1
 */
void
stompest_tls_transport_set_ca_file (StompestTlsTransport *self,
                                    const char           *ca_file)
{
  g_autofree char *path = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  GError *error = NULL;
  gboolean database_changed;

  g_return_if_fail (STOMPEST_IS_TLS_TRANSPORT (self));

  /* GnuTLS wants an absolute path, else it trusts nothing. */
  if (ca_file != NULL)
    {
      path = g_canonicalize_filename (ca_file, NULL);
      database = g_tls_file_database_new (path, &error);
    }

  g_mutex_lock (&self->lock);
  if (g_strcmp0 (path, self->ca_file) == 0 && self->ca_error == NULL && error == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  g_free (self->ca_file);
  self->ca_file = g_steal_pointer (&path);
  g_clear_error (&self->ca_error);
  self->ca_error = error;
  database_changed = g_set_object (&self->database, database);
  g_mutex_unlock (&self->lock);

  if (database_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATABASE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

/**
 * stompest_tls_transport_get_certificate: (get-property certificate)
 * @self: a [class@Stompest.TlsTransport]
 *
 * Gets the client certificate presented to brokers.
 *
 * Returns: (transfer none) (nullable): the certificate, or %NULL
 *
 * Since: 0.1
 */
GTlsCertificate *
stompest_tls_transport_get_certificate (StompestTlsTransport *self)
{
  g_return_val_if_fail (STOMPEST_IS_TLS_TRANSPORT (self), NULL);

  return self->certificate;
}

/**
 * stompest_tls_transport_set_certificate: (set-property certificate)
 * @self: a [class@Stompest.TlsTransport]
 * @certificate: (nullable): a [class@Gio.TlsCertificate] with its private
 *   key, or %NULL
 *
 * Sets the client certificate presented to brokers that ask for one.
 *
 * Since: 0.1
 */
void
stompest_tls_transport_set_certificate (StompestTlsTransport *self,
                                        GTlsCertificate      *certificate)
{
  gboolean changed;

  g_return_if_fail (STOMPEST_IS_TLS_TRANSPORT (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  g_mutex_lock (&self->lock);
  changed = g_set_object (&self->certificate, certificate);
  g_mutex_unlock (&self->lock);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CERTIFICATE]);
}

/**
 * stompest_tls_transport_get_interaction: (get-property interaction)
 * @self: a [class@Stompest.TlsTransport]
 *
 * Gets the object that asks the user for PINs and passwords.
 *
 * Returns: (transfer none) (nullable): the interaction, or %NULL
 *
 * Since: 0.1
 */
GTlsInteraction *
stompest_tls_transport_get_interaction (StompestTlsTransport *self)
{
  g_return_val_if_fail (STOMPEST_IS_TLS_TRANSPORT (self), NULL);

  return self->interaction;
}

/**
 * stompest_tls_transport_set_interaction: (set-property interaction)
 * @self: a [class@Stompest.TlsTransport]
 * @interaction: (nullable): a [class@Gio.TlsInteraction], or %NULL
 *
 * Sets the object that asks the user for PINs and passwords during the
 * handshake.
 *
 * Since: 0.1
 */
void
stompest_tls_transport_set_interaction (StompestTlsTransport *self,
                                        GTlsInteraction      *interaction)
{
  gboolean changed;

  g_return_if_fail (STOMPEST_IS_TLS_TRANSPORT (self));
  g_return_if_fail (interaction == NULL || G_IS_TLS_INTERACTION (interaction));

  g_mutex_lock (&self->lock);
  changed = g_set_object (&self->interaction, interaction);
  g_mutex_unlock (&self->lock);

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERACTION]);
}

/**
 * stompest_tls_transport_get_accept_invalid_certificates: (get-property accept-invalid-certificates)
 * @self: a [class@Stompest.TlsTransport]
 *
 * Gets whether certificates that fail verification are accepted.
 *
 * Returns: %TRUE if verification failures are ignored
 *
 * Since: 0.1
 */
gboolean
stompest_tls_transport_get_accept_invalid_certificates (StompestTlsTransport *self)
{
  g_return_val_if_fail (STOMPEST_IS_TLS_TRANSPORT (self), FALSE);

  return self->accept_invalid_certificates;
}

/**
 * stompest_tls_transport_set_accept_invalid_certificates: (set-property accept-invalid-certificates)
 * @self: a [class@Stompest.TlsTransport]
 * @accept: %TRUE to connect even to brokers whose certificate fails
 *   verification
 *
 * Turns certificate verification failures into warnings in the debug log.
 * Only for tests; see
 * [property@Stompest.TlsTransport:accept-invalid-certificates].
 *
 * Since: 0.1
 */
void
stompest_tls_transport_set_accept_invalid_certificates (StompestTlsTransport *self,
                                                        gboolean              accept)
{
  g_return_if_fail (STOMPEST_IS_TLS_TRANSPORT (self));

  accept = !!accept;
  g_mutex_lock (&self->lock);
  if (self->accept_invalid_certificates == accept)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->accept_invalid_certificates = accept;
  g_mutex_unlock (&self->lock);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPT_INVALID_CERTIFICATES]);
}

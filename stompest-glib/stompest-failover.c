/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "stompest-error.h"
#include "stompest-failover-private.h"

/**
 * StompestFailover:
 *
 * A reconnect schedule read from an ActiveMQ-style failover URI.
 *
 * `StompestFailover` parses the broker URIs that stompest and ActiveMQ
 * accept: `failover:(uri1,…,uriN)?options`, `failover:uri1,…,uriN` and a
 * bare broker URI such as `tcp://broker.example:61613`. It does no I/O: a
 * client calls [method@Stompest.Failover.start] when it begins to connect,
 * then asks [method@Stompest.Failover.next] for the broker to try and how
 * long to wait first, until one attempt succeeds or the schedule gives up
 * with %STOMPEST_ERROR_RECONNECT_EXHAUSTED.
 *
 * Broker URIs are `tcp://host:port`, `ssl://host:port` and
 * `tls://host:port` (IPv6 literals in brackets, as in
 * `tcp://[::1]:61613`), `unix:///absolute/path` and `unix:@name` for an
 * abstract Unix socket. Other schemes are accepted when they are valid
 * URIs, for transports an application registers itself.
 *
 * The options are those of stompest and ActiveMQ, with their defaults,
 * separated by `,` (stompest) or `&` (ActiveMQ); each is a read-only
 * property. The first cycle after construction is limited by
 * [property@Stompest.Failover:startup-max-reconnect-attempts], later
 * cycles by [property@Stompest.Failover:max-reconnect-attempts]. A bare
 * broker URI gives one attempt per cycle.
 *
 * ```c
 * g_autoptr(GError) error = NULL;
 * g_autoptr(StompestFailover) failover = NULL;
 * const char *broker;
 * guint delay_ms;
 *
 * failover = stompest_failover_new ("failover:(tcp://a:61613,tcp://b:61613)"
 *                                   "?maxReconnectAttempts=5", &error);
 * if (failover == NULL)
 *   g_error ("%s", error->message);
 *
 * stompest_failover_start (failover);
 * while (stompest_failover_next (failover, &broker, &delay_ms, &error))
 *   {
 *     g_usleep (delay_ms * G_TIME_SPAN_MILLISECOND);
 *     if (try_broker (broker))
 *       break;
 *   }
 * ```
 *
 * Since: 0.1
 */

#define DEFAULT_INITIAL_RECONNECT_DELAY 10
#define DEFAULT_MAX_RECONNECT_DELAY 30000
#define DEFAULT_BACK_OFF_MULTIPLIER 2.0

struct _StompestFailover
{
  GObject parent_instance;

  char *uri;
  GStrv brokers;
  gboolean *local;
  guint n_brokers;
  gboolean is_failover;

  guint initial_reconnect_delay;
  guint max_reconnect_delay;
  gboolean use_exponential_back_off;
  double back_off_multiplier;
  int max_reconnect_attempts;
  int startup_max_reconnect_attempts;
  guint reconnect_delay_jitter;
  gboolean randomize;
  gboolean priority_backup;

  GRand *rand;
  guint *order;       /* broker indices of the current round */
  guint position;     /* next entry of order; n_brokers starts a round */
  guint n_cycles;
  guint attempt;      /* attempts handed out in this cycle */
  double delay;       /* next reconnect delay before jitter, in ms */
};

static void stompest_failover_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StompestFailover, stompest_failover, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      stompest_failover_initable_iface_init))

enum {
  PROP_0,
  PROP_URI,
  PROP_BROKERS,
  PROP_IS_FAILOVER,
  PROP_INITIAL_RECONNECT_DELAY,
  PROP_MAX_RECONNECT_DELAY,
  PROP_USE_EXPONENTIAL_BACK_OFF,
  PROP_BACK_OFF_MULTIPLIER,
  PROP_MAX_RECONNECT_ATTEMPTS,
  PROP_STARTUP_MAX_RECONNECT_ATTEMPTS,
  PROP_RECONNECT_DELAY_JITTER,
  PROP_RANDOMIZE,
  PROP_PRIORITY_BACKUP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum {
  OPTION_MILLISECONDS,
  OPTION_ATTEMPTS,
  OPTION_BOOLEAN,
  OPTION_MULTIPLIER,
} OptionKind;

typedef struct {
  const char *name;
  OptionKind kind;
  gsize offset;
} FailoverOption;

static const FailoverOption failover_options[] = {
  { "initialReconnectDelay", OPTION_MILLISECONDS, G_STRUCT_OFFSET (StompestFailover, initial_reconnect_delay) },
  { "maxReconnectDelay", OPTION_MILLISECONDS, G_STRUCT_OFFSET (StompestFailover, max_reconnect_delay) },
  { "useExponentialBackOff", OPTION_BOOLEAN, G_STRUCT_OFFSET (StompestFailover, use_exponential_back_off) },
  { "backOffMultiplier", OPTION_MULTIPLIER, G_STRUCT_OFFSET (StompestFailover, back_off_multiplier) },
  { "maxReconnectAttempts", OPTION_ATTEMPTS, G_STRUCT_OFFSET (StompestFailover, max_reconnect_attempts) },
  { "startupMaxReconnectAttempts", OPTION_ATTEMPTS, G_STRUCT_OFFSET (StompestFailover, startup_max_reconnect_attempts) },
  { "reconnectDelayJitter", OPTION_MILLISECONDS, G_STRUCT_OFFSET (StompestFailover, reconnect_delay_jitter) },
  { "randomize", OPTION_BOOLEAN, G_STRUCT_OFFSET (StompestFailover, randomize) },
  { "priorityBackup", OPTION_BOOLEAN, G_STRUCT_OFFSET (StompestFailover, priority_backup) },
};

/* Error texts quote broker URIs and options, even ones that do not
 * parse: hide the password of every userinfo (`scheme://user:secret@host`)
 * in TEXT. An authority ends at a URI delimiter, a list separator, a
 * parenthesis, a quote or a space: anything else, however odd, may be part
 * of a mistyped userinfo. */
static char *
redact_passwords (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;
  const char *authority;

  while ((authority = strstr (p, "://")) != NULL)
    {
      const char *end, *at, *colon;

      authority += 3;
      end = authority + strcspn (authority, "/?#,()' ");
      at = g_strrstr_len (authority, end - authority, "@");
      colon = at != NULL ? memchr (authority, ':', at - authority) : NULL;
      if (colon == NULL)
        {
          /* Scan on from here: the next "://" may start inside this
           * authority, as in "tcp://a:1;tcp://u:p@b". */
          g_string_append_len (out, p, authority - p);
          p = authority;
          continue;
        }
      g_string_append_len (out, p, colon + 1 - p);
      g_string_append (out, "***");
      p = at;
    }
  g_string_append (out, p);

  return g_string_free (out, FALSE);
}

static gboolean
set_broker_error (GError     **error,
                  const char  *text,
                  gsize        position,
                  const char  *reason)
{
  g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
               "Invalid broker URI '%s' at position %" G_GSIZE_FORMAT ": %s",
               text, position, reason);
  return FALSE;
}

static gboolean
is_network_scheme (const char *scheme)
{
  return g_str_equal (scheme, "tcp") || g_str_equal (scheme, "ssl") ||
         g_str_equal (scheme, "tls");
}

static gboolean
is_valid_host_name (const char *host)
{
  const guchar *p;

  if (g_hostname_is_ip_address (host))
    return TRUE;

  /* Letters, digits, '-', '.', '_', and non-ASCII for IDNs that GIO
   * converts when it resolves the name. */
  for (p = (const guchar *) host; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_' && *p < 0x80)
        return FALSE;
    }
  return TRUE;
}

static char *
normalise_network_uri (GUri        *uri,
                       const char  *text,
                       gsize        position,
                       GError     **error)
{
  const char *host = g_uri_get_host (uri);
  g_autofree char *reason = NULL;

  if (g_uri_get_userinfo (uri) != NULL)
    reason = g_strdup ("a login or passcode does not belong in a broker URI");
  else if (host == NULL || *host == '\0')
    reason = g_strdup ("a host is required");
  else if (!is_valid_host_name (host))
    reason = g_strdup_printf ("'%s' is not a valid host name", host);
  else if (g_uri_get_port (uri) == -1)
    reason = g_strdup ("a port is required");
  else if (g_uri_get_port (uri) == 0)
    reason = g_strdup ("port 0 is not a valid port");
  else if (*g_uri_get_path (uri) != '\0')
    reason = g_strdup_printf ("%s:// takes no path", g_uri_get_scheme (uri));
  else if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    reason = g_strdup_printf ("%s:// takes no query or fragment", g_uri_get_scheme (uri));

  if (reason != NULL)
    return set_broker_error (error, text, position, reason), NULL;

  return g_uri_to_string (uri);
}

static char *
normalise_unix_uri (GUri        *uri,
                    const char  *text,
                    gsize        position,
                    GError     **error)
{
  const char *host = g_uri_get_host (uri);
  const char *path = g_uri_get_path (uri);
  const char *reason = NULL;
  g_autoptr(GUri) normal = NULL;

  if (g_uri_get_userinfo (uri) != NULL || (host != NULL && *host != '\0') ||
      g_uri_get_port (uri) != -1)
    reason = "unix: takes no host or port; use unix:///absolute/path or unix:@name";
  else if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    reason = "unix: takes no query or fragment";
  else if (*path == '\0')
    reason = "a socket path is required";
  else if (path[0] == '@' && (host != NULL || path[1] == '\0'))
    reason = "an abstract socket is written unix:@name, with a non-empty name";
  else if (path[0] != '@' && (path[0] != '/' || path[1] == '\0'))
    reason = "the socket path must be absolute (unix:///path) or abstract (unix:@name)";

  if (reason != NULL)
    return set_broker_error (error, text, position, reason), NULL;

  /* unix:/path and unix:///path are the same socket: keep one spelling. */
  normal = g_uri_build (G_URI_FLAGS_NONE, "unix", NULL,
                        path[0] == '/' ? "" : NULL, -1, path, NULL, NULL);
  return g_uri_to_string (normal);
}

static char *
normalise_broker_uri (const char  *text,
                      gsize        position,
                      GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    return set_broker_error (error, text, position, local_error->message), NULL;

  scheme = g_uri_get_scheme (uri);
  if (is_network_scheme (scheme))
    return normalise_network_uri (uri, text, position, error);
  if (g_str_equal (scheme, "unix"))
    return normalise_unix_uri (uri, text, position, error);
  if (g_str_equal (scheme, "failover"))
    return set_broker_error (error, text, position,
                             "a failover URI cannot be nested"), NULL;
  /* Such a path (e.g. from "x:/.//a" after dot segments are removed)
   * would read back as a host: GUri refuses to write it. */
  if (g_uri_get_host (uri) == NULL && g_str_has_prefix (g_uri_get_path (uri), "//"))
    return set_broker_error (error, text, position,
                             "without a host, the path cannot start with //"), NULL;

  return g_uri_to_string (uri);
}

/* Narrows [*start, *end) past ASCII spaces around a list item. */
static void
trim_span (const char  *uri,
           gsize       *start,
           gsize       *end)
{
  while (*start < *end && g_ascii_isspace (uri[*start]))
    (*start)++;
  while (*end > *start && g_ascii_isspace (uri[*end - 1]))
    (*end)--;
}

static void
take_brokers (StompestFailover *self,
              GPtrArray        *brokers)
{
  guint i;

  self->n_brokers = brokers->len;
  g_ptr_array_add (brokers, NULL);
  self->brokers = (GStrv) g_ptr_array_free (brokers, FALSE);
  self->local = g_new (gboolean, self->n_brokers);
  for (i = 0; i < self->n_brokers; i++)
    self->local[i] = stompest_failover_broker_is_local (self->brokers[i]);
  self->order = g_new (guint, self->n_brokers);
}

static gboolean
parse_broker_list (StompestFailover  *self,
                   const char        *uri,
                   gsize              start,
                   gsize              end,
                   GError           **error)
{
  g_autoptr(GPtrArray) brokers = g_ptr_array_new_with_free_func (g_free);
  gsize item = start;
  gsize list_start = start, list_end = end;

  trim_span (uri, &list_start, &list_end);
  if (list_start == list_end)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid failover URI: empty broker list at position %" G_GSIZE_FORMAT,
                   start);
      return FALSE;
    }

  while (item <= end)
    {
      gsize item_end = item;
      gsize text_start, text_end;
      g_autofree char *text = NULL;
      char *normal;

      while (item_end < end && uri[item_end] != ',')
        item_end++;
      text_start = item;
      text_end = item_end;
      trim_span (uri, &text_start, &text_end);
      if (text_start == text_end)
        {
          g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                       "Invalid failover URI: empty broker URI at position %" G_GSIZE_FORMAT,
                       text_start);
          return FALSE;
        }

      text = g_strndup (uri + text_start, text_end - text_start);
      normal = normalise_broker_uri (text, text_start, error);
      if (normal == NULL)
        return FALSE;
      g_ptr_array_add (brokers, normal);
      item = item_end + 1;
    }

  take_brokers (self, g_steal_pointer (&brokers));
  return TRUE;
}

static gboolean
parse_option_value (StompestFailover      *self,
                    const FailoverOption  *option,
                    const char            *value,
                    GError               **error)
{
  gpointer field = G_STRUCT_MEMBER_P (self, option->offset);
  guint64 u;
  gint64 i;
  double d;
  char *end;

  switch (option->kind)
    {
    case OPTION_MILLISECONDS:
      if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &u, NULL))
        return FALSE;
      *(guint *) field = u;
      return TRUE;

    case OPTION_ATTEMPTS:
      if (!g_ascii_string_to_signed (value, 10, -1, G_MAXINT, &i, NULL))
        return FALSE;
      *(int *) field = i;
      return TRUE;

    case OPTION_BOOLEAN:
      if (g_str_equal (value, "true"))
        *(gboolean *) field = TRUE;
      else if (g_str_equal (value, "false"))
        *(gboolean *) field = FALSE;
      else
        return FALSE;
      return TRUE;

    case OPTION_MULTIPLIER:
      /* g_ascii_strtod() would also take spaces, hex, "inf" and "nan". */
      if (*value == '\0' || strspn (value, "0123456789.eE+-") != strlen (value))
        return FALSE;
      d = g_ascii_strtod (value, &end);
      if (*end != '\0' || !isfinite (d) || d <= 0.0)
        return FALSE;
      *(double *) field = d;
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

static const char *
describe_option_kind (OptionKind kind)
{
  switch (kind)
    {
    case OPTION_MILLISECONDS:
      return "an integer from 0 to 2147483647";
    case OPTION_ATTEMPTS:
      return "an integer from -1 to 2147483647";
    case OPTION_BOOLEAN:
      return "true or false";
    case OPTION_MULTIPLIER:
      return "a number greater than 0";
    default:
      g_assert_not_reached ();
    }
}

static gboolean
parse_option (StompestFailover  *self,
              const char        *uri,
              gsize              start,
              gsize              end,
              guint             *seen,
              GError           **error)
{
  const char *equals = memchr (uri + start, '=', end - start);
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  gsize value_position;
  guint i;

  if (equals == NULL)
    {
      name = g_strndup (uri + start, end - start);
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid failover URI: option '%s' at position %" G_GSIZE_FORMAT
                   " has no value (expected name=value)", name, start);
      return FALSE;
    }

  name = g_strndup (uri + start, equals - (uri + start));
  value_position = equals + 1 - uri;
  value = g_strndup (equals + 1, end - value_position);

  for (i = 0; i < G_N_ELEMENTS (failover_options); i++)
    {
      if (g_str_equal (name, failover_options[i].name))
        break;
    }
  if (i == G_N_ELEMENTS (failover_options))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid failover URI: unknown option '%s' at position %" G_GSIZE_FORMAT,
                   name, start);
      return FALSE;
    }
  if (*seen & (1u << i))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid failover URI: option '%s' at position %" G_GSIZE_FORMAT
                   " is given twice", name, start);
      return FALSE;
    }
  *seen |= 1u << i;

  if (!parse_option_value (self, &failover_options[i], value, error))
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid failover URI: bad value '%s' for option '%s' at position %"
                   G_GSIZE_FORMAT " (expected %s)", value, name, value_position,
                   describe_option_kind (failover_options[i].kind));
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_options (StompestFailover  *self,
               const char        *uri,
               gsize              start,
               gsize              end,
               GError           **error)
{
  gsize item = start;
  guint seen = 0;

  if (start == end)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                   "Invalid failover URI: no options after '?' at position %" G_GSIZE_FORMAT,
                   start - 1);
      return FALSE;
    }

  /* stompest separates options with ',', ActiveMQ with '&': take both. */
  while (item <= end)
    {
      gsize item_end = item + strcspn (uri + item, ",&");
      gsize text_start = item, text_end = MIN (item_end, end);

      trim_span (uri, &text_start, &text_end);
      if (text_start == text_end)
        {
          g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                       "Invalid failover URI: empty option at position %" G_GSIZE_FORMAT,
                       text_start);
          return FALSE;
        }
      if (!parse_option (self, uri, text_start, text_end, &seen, error))
        return FALSE;
      item = item_end + 1;
    }

  return TRUE;
}

/* Splits `failover:(list)?options` or `failover:list?options`. */
static gboolean
parse_failover_uri (StompestFailover  *self,
                    const char        *uri,
                    GError           **error)
{
  gsize length = strlen (uri);
  gsize p = strlen ("failover:");
  gsize list_start, list_end, options_start = 0;
  gboolean has_options = FALSE;

  if (strncmp (uri + p, "//(", 3) == 0)
    p += 2;

  if (uri[p] == '(')
    {
      gsize close = p + 1;
      guint depth = 1;

      for (; close < length; close++)
        {
          if (uri[close] == '(')
            depth++;
          else if (uri[close] == ')' && --depth == 0)
            break;
        }
      if (close == length)
        {
          g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                       "Invalid failover URI: no ')' closes the '(' at position %" G_GSIZE_FORMAT,
                       p);
          return FALSE;
        }
      list_start = p + 1;
      list_end = close;
      if (uri[close + 1] == '?')
        {
          has_options = TRUE;
          options_start = close + 2;
        }
      else if (uri[close + 1] != '\0')
        {
          g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                       "Invalid failover URI: unexpected '%c' at position %" G_GSIZE_FORMAT
                       " after the broker list (expected '?' and options)",
                       uri[close + 1], close + 1);
          return FALSE;
        }
    }
  else
    {
      /* Without parentheses the first '?' starts the options, so a broker
       * URI with a query needs the parenthesised form. */
      list_start = p;
      list_end = p + strcspn (uri + p, "?");
      if (list_end < length)
        {
          has_options = TRUE;
          options_start = list_end + 1;
        }
    }

  if (!parse_broker_list (self, uri, list_start, list_end, error))
    return FALSE;
  if (has_options && !parse_options (self, uri, options_start, length, error))
    return FALSE;

  self->is_failover = TRUE;
  return TRUE;
}

static gboolean
parse_uri (StompestFailover  *self,
           const char        *uri,
           GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  GPtrArray *brokers;
  char *normal;

  if (g_ascii_strncasecmp (uri, "failover:", strlen ("failover:")) == 0)
    return parse_failover_uri (self, uri, error);

  normal = normalise_broker_uri (uri, 0, &local_error);
  if (normal == NULL)
    {
      /* The likeliest cause of a comma here is a forgotten prefix. */
      if (strchr (uri, ',') != NULL)
        g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                     "%s (a list of brokers needs the failover: prefix)",
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  brokers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (brokers, normal);
  take_brokers (self, brokers);

  /* Like ActiveMQ without failover: one attempt, no retries. */
  self->max_reconnect_attempts = 0;
  self->startup_max_reconnect_attempts = 0;
  return TRUE;
}

static gboolean
stompest_failover_initable_init (GInitable     *initable,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  StompestFailover *self = STOMPEST_FAILOVER (initable);
  g_autoptr(GError) local_error = NULL;

  if (self->brokers != NULL)
    return TRUE;

  if (self->uri == NULL)
    {
      g_set_error_literal (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                           "No failover or broker URI was given");
      return FALSE;
    }

  if (!parse_uri (self, self->uri, &local_error))
    {
      /* One place hides passwords, whatever part of the URI the error
       * quotes. */
      g_autofree char *message = redact_passwords (local_error->message);

      g_set_error_literal (error, local_error->domain, local_error->code,
                           message);
      return FALSE;
    }
  return TRUE;
}

static void
stompest_failover_initable_iface_init (GInitableIface *iface)
{
  iface->init = stompest_failover_initable_init;
}

static void
stompest_failover_finalize (GObject *object)
{
  StompestFailover *self = STOMPEST_FAILOVER (object);

  g_free (self->uri);
  g_strfreev (self->brokers);
  g_free (self->local);
  g_free (self->order);
  g_rand_free (self->rand);

  G_OBJECT_CLASS (stompest_failover_parent_class)->finalize (object);
}

static void
stompest_failover_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  StompestFailover *self = STOMPEST_FAILOVER (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_BROKERS:
      g_value_set_boxed (value, self->brokers);
      break;
    case PROP_IS_FAILOVER:
      g_value_set_boolean (value, self->is_failover);
      break;
    case PROP_INITIAL_RECONNECT_DELAY:
      g_value_set_uint (value, self->initial_reconnect_delay);
      break;
    case PROP_MAX_RECONNECT_DELAY:
      g_value_set_uint (value, self->max_reconnect_delay);
      break;
    case PROP_USE_EXPONENTIAL_BACK_OFF:
      g_value_set_boolean (value, self->use_exponential_back_off);
      break;
    case PROP_BACK_OFF_MULTIPLIER:
      g_value_set_double (value, self->back_off_multiplier);
      break;
    case PROP_MAX_RECONNECT_ATTEMPTS:
      g_value_set_int (value, self->max_reconnect_attempts);
      break;
    case PROP_STARTUP_MAX_RECONNECT_ATTEMPTS:
      g_value_set_int (value, self->startup_max_reconnect_attempts);
      break;
    case PROP_RECONNECT_DELAY_JITTER:
      g_value_set_uint (value, self->reconnect_delay_jitter);
      break;
    case PROP_RANDOMIZE:
      g_value_set_boolean (value, self->randomize);
      break;
    case PROP_PRIORITY_BACKUP:
      g_value_set_boolean (value, self->priority_backup);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_failover_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  StompestFailover *self = STOMPEST_FAILOVER (object);

  switch (prop_id)
    {
    case PROP_URI:
      self->uri = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stompest_failover_class_init (StompestFailoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = stompest_failover_finalize;
  object_class->get_property = stompest_failover_get_property;
  object_class->set_property = stompest_failover_set_property;

  /**
   * StompestFailover:uri: (attributes org.gtk.Property.get=stompest_failover_get_uri)
   *
   * The failover or broker URI, as given at construction.
   *
   * Since: 0.1
   */
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * StompestFailover:brokers: (attributes org.gtk.Property.get=stompest_failover_get_brokers)
   *
   * The broker URIs in the order they were given, normalised: schemes in
   * lower case, `unix:/path` written `unix:///path`.
   *
   * Since: 0.1
   */
  properties[PROP_BROKERS] =
    g_param_spec_boxed ("brokers", NULL, NULL, G_TYPE_STRV, ro);

  /**
   * StompestFailover:is-failover: (attributes org.gtk.Property.get=stompest_failover_get_is_failover)
   *
   * Whether the URI had the `failover:` prefix. A bare broker URI gives
   * one attempt per cycle.
   *
   * Since: 0.1
   */
  properties[PROP_IS_FAILOVER] =
    g_param_spec_boolean ("is-failover", NULL, NULL, FALSE, ro);

  /**
   * StompestFailover:initial-reconnect-delay: (attributes org.gtk.Property.get=stompest_failover_get_initial_reconnect_delay)
   *
   * The delay in milliseconds before the second attempt of a connect
   * cycle (`initialReconnectDelay`, default 10). The first attempt of a
   * cycle never waits.
   *
   * Since: 0.1
   */
  properties[PROP_INITIAL_RECONNECT_DELAY] =
    g_param_spec_uint ("initial-reconnect-delay", NULL, NULL,
                       0, G_MAXINT, DEFAULT_INITIAL_RECONNECT_DELAY, ro);

  /**
   * StompestFailover:max-reconnect-delay: (attributes org.gtk.Property.get=stompest_failover_get_max_reconnect_delay)
   *
   * The longest delay in milliseconds between two attempts, jitter
   * included (`maxReconnectDelay`, default 30000).
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RECONNECT_DELAY] =
    g_param_spec_uint ("max-reconnect-delay", NULL, NULL,
                       0, G_MAXINT, DEFAULT_MAX_RECONNECT_DELAY, ro);

  /**
   * StompestFailover:use-exponential-back-off: (attributes org.gtk.Property.get=stompest_failover_get_use_exponential_back_off)
   *
   * Whether the delay is multiplied by
   * [property@Stompest.Failover:back-off-multiplier] after each
   * reconnect attempt (`useExponentialBackOff`, default %TRUE).
   *
   * Since: 0.1
   */
  properties[PROP_USE_EXPONENTIAL_BACK_OFF] =
    g_param_spec_boolean ("use-exponential-back-off", NULL, NULL, TRUE, ro);

  /**
   * StompestFailover:back-off-multiplier: (attributes org.gtk.Property.get=stompest_failover_get_back_off_multiplier)
   *
   * The factor applied to the delay after each reconnect attempt when
   * exponential back-off is on (`backOffMultiplier`, default 2.0).
   *
   * Since: 0.1
   */
  properties[PROP_BACK_OFF_MULTIPLIER] =
    g_param_spec_double ("back-off-multiplier", NULL, NULL,
                         G_MINDOUBLE, G_MAXDOUBLE, DEFAULT_BACK_OFF_MULTIPLIER, ro);

  /**
   * StompestFailover:max-reconnect-attempts: (attributes org.gtk.Property.get=stompest_failover_get_max_reconnect_attempts)
   *
   * How many attempts may follow the first one of a connect cycle
   * (`maxReconnectAttempts`, default -1): -1 retries forever, 0 makes a
   * single attempt, N allows N retries. It limits every cycle but the
   * first, and the first too when
   * [property@Stompest.Failover:startup-max-reconnect-attempts] is 0.
   * It is 0 for a bare broker URI.
   *
   * Since: 0.1
   */
  properties[PROP_MAX_RECONNECT_ATTEMPTS] =
    g_param_spec_int ("max-reconnect-attempts", NULL, NULL, -1, G_MAXINT, -1, ro);

  /**
   * StompestFailover:startup-max-reconnect-attempts: (attributes org.gtk.Property.get=stompest_failover_get_startup_max_reconnect_attempts)
   *
   * How many attempts may follow the first one in the first connect cycle
   * after construction (`startupMaxReconnectAttempts`, default 0): -1
   * retries forever, N allows N retries, and 0 means "not set", so the
   * first cycle is limited by
   * [property@Stompest.Failover:max-reconnect-attempts] like the others.
   *
   * This is the meaning ActiveMQ documents; stompest's code instead takes
   * 0 literally and makes a single attempt, so with its defaults the first
   * connect tries one broker only.
   *
   * Since: 0.1
   */
  properties[PROP_STARTUP_MAX_RECONNECT_ATTEMPTS] =
    g_param_spec_int ("startup-max-reconnect-attempts", NULL, NULL, -1, G_MAXINT, 0, ro);

  /**
   * StompestFailover:reconnect-delay-jitter: (attributes org.gtk.Property.get=stompest_failover_get_reconnect_delay_jitter)
   *
   * The upper bound in milliseconds of a random amount added to each
   * reconnect delay before it is capped (`reconnectDelayJitter`, default
   * 0), so that many clients do not retry in step.
   *
   * Since: 0.1
   */
  properties[PROP_RECONNECT_DELAY_JITTER] =
    g_param_spec_uint ("reconnect-delay-jitter", NULL, NULL, 0, G_MAXINT, 0, ro);

  /**
   * StompestFailover:randomize: (attributes org.gtk.Property.get=stompest_failover_get_randomize)
   *
   * Whether the brokers are shuffled at the start of each round through
   * the list (`randomize`, default %TRUE); otherwise they are tried in
   * the order given.
   *
   * Since: 0.1
   */
  properties[PROP_RANDOMIZE] =
    g_param_spec_boolean ("randomize", NULL, NULL, TRUE, ro);

  /**
   * StompestFailover:priority-backup: (attributes org.gtk.Property.get=stompest_failover_get_priority_backup)
   *
   * Whether brokers on this machine (Unix sockets, `localhost`,
   * 127.0.0.0/8 and ::1) are tried before the others in each round
   * (`priorityBackup`, default %FALSE). Their relative order is kept.
   *
   * Since: 0.1
   */
  properties[PROP_PRIORITY_BACKUP] =
    g_param_spec_boolean ("priority-backup", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stompest_failover_init (StompestFailover *self)
{
  self->initial_reconnect_delay = DEFAULT_INITIAL_RECONNECT_DELAY;
  self->max_reconnect_delay = DEFAULT_MAX_RECONNECT_DELAY;
  self->use_exponential_back_off = TRUE;
  self->back_off_multiplier = DEFAULT_BACK_OFF_MULTIPLIER;
  self->max_reconnect_attempts = -1;
  self->startup_max_reconnect_attempts = 0;
  self->reconnect_delay_jitter = 0;
  self->randomize = TRUE;
  self->priority_backup = FALSE;
  self->rand = g_rand_new ();
}

/**
 * stompest_failover_new:
 * @uri: a failover URI such as `failover:(tcp://a:61613,tcp://b:61613)?randomize=false`,
 *   or a single broker URI
 * @error: return location for a #GError
 *
 * Parses @uri into a reconnect schedule.
 *
 * Errors are in the %STOMPEST_ERROR domain with the code
 * %STOMPEST_ERROR_INVALID_URI; the message names the broker URI, option
 * or value that is wrong and its byte position in @uri.
 *
 * Returns: (transfer full): a new `StompestFailover`, or %NULL on error
 *
 * Since: 0.1
 */
StompestFailover *
stompest_failover_new (const char  *uri,
                       GError     **error)
{
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (STOMPEST_TYPE_FAILOVER, NULL, error, "uri", uri, NULL);
}

/**
 * stompest_failover_get_uri:
 * @failover: a `StompestFailover`
 *
 * Gets the URI the schedule was made from.
 *
 * Returns: (transfer none) (nullable): the URI as given
 *
 * Since: 0.1
 */
const char *
stompest_failover_get_uri (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), NULL);

  return failover->uri;
}

/**
 * stompest_failover_get_brokers:
 * @failover: a `StompestFailover`
 *
 * Gets the normalised broker URIs, in the order they were given.
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the
 *   broker URIs, or %NULL when the object was not initialised
 *
 * Since: 0.1
 */
const char * const *
stompest_failover_get_brokers (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), NULL);

  return (const char * const *) failover->brokers;
}

/**
 * stompest_failover_get_is_failover:
 * @failover: a `StompestFailover`
 *
 * Gets whether the URI had the `failover:` prefix.
 *
 * Returns: %FALSE for a bare broker URI
 *
 * Since: 0.1
 */
gboolean
stompest_failover_get_is_failover (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), FALSE);

  return failover->is_failover;
}

/**
 * stompest_failover_get_initial_reconnect_delay:
 * @failover: a `StompestFailover`
 *
 * Gets the delay before the second attempt of a cycle.
 *
 * Returns: the delay in milliseconds
 *
 * Since: 0.1
 */
guint
stompest_failover_get_initial_reconnect_delay (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), 0);

  return failover->initial_reconnect_delay;
}

/**
 * stompest_failover_get_max_reconnect_delay:
 * @failover: a `StompestFailover`
 *
 * Gets the cap on each delay.
 *
 * Returns: the delay in milliseconds
 *
 * Since: 0.1
 */
guint
stompest_failover_get_max_reconnect_delay (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), 0);

  return failover->max_reconnect_delay;
}

/**
 * stompest_failover_get_use_exponential_back_off:
 * @failover: a `StompestFailover`
 *
 * Gets whether the delay grows after each reconnect attempt.
 *
 * Returns: %TRUE for exponential back-off
 *
 * Since: 0.1
 */
gboolean
stompest_failover_get_use_exponential_back_off (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), FALSE);

  return failover->use_exponential_back_off;
}

/**
 * stompest_failover_get_back_off_multiplier:
 * @failover: a `StompestFailover`
 *
 * Gets the factor of the exponential back-off.
 *
 * Returns: the multiplier, greater than 0
 *
 * Since: 0.1
 */
double
stompest_failover_get_back_off_multiplier (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), 0.0);

  return failover->back_off_multiplier;
}

/**
 * stompest_failover_get_max_reconnect_attempts:
 * @failover: a `StompestFailover`
 *
 * Gets how many retries a connect cycle allows after the startup one.
 *
 * Returns: the number of retries, or -1 for no limit
 *
 * Since: 0.1
 */
int
stompest_failover_get_max_reconnect_attempts (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), 0);

  return failover->max_reconnect_attempts;
}

/**
 * stompest_failover_get_startup_max_reconnect_attempts:
 * @failover: a `StompestFailover`
 *
 * Gets how many retries the first connect cycle allows.
 *
 * Returns: the number of retries, -1 for no limit, or 0 when the first
 *   cycle uses [property@Stompest.Failover:max-reconnect-attempts]
 *
 * Since: 0.1
 */
int
stompest_failover_get_startup_max_reconnect_attempts (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), 0);

  return failover->startup_max_reconnect_attempts;
}

/**
 * stompest_failover_get_reconnect_delay_jitter:
 * @failover: a `StompestFailover`
 *
 * Gets the bound of the random amount added to each delay.
 *
 * Returns: the jitter in milliseconds
 *
 * Since: 0.1
 */
guint
stompest_failover_get_reconnect_delay_jitter (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), 0);

  return failover->reconnect_delay_jitter;
}

/**
 * stompest_failover_get_randomize:
 * @failover: a `StompestFailover`
 *
 * Gets whether the brokers are shuffled in each round.
 *
 * Returns: %TRUE when the order is random
 *
 * Since: 0.1
 */
gboolean
stompest_failover_get_randomize (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), FALSE);

  return failover->randomize;
}

/**
 * stompest_failover_get_priority_backup:
 * @failover: a `StompestFailover`
 *
 * Gets whether local brokers are tried first.
 *
 * Returns: %TRUE when local brokers come first in each round
 *
 * Since: 0.1
 */
gboolean
stompest_failover_get_priority_backup (StompestFailover *failover)
{
  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), FALSE);

  return failover->priority_backup;
}

/**
 * stompest_failover_set_seed:
 * @failover: a `StompestFailover`
 * @seed: a seed for the random numbers
 *
 * Seeds the random numbers used for
 * [property@Stompest.Failover:randomize] and
 * [property@Stompest.Failover:reconnect-delay-jitter], so that the
 * schedule can be replayed. By default the seed is random.
 *
 * Since: 0.1
 */
void
stompest_failover_set_seed (StompestFailover *failover,
                            guint32           seed)
{
  g_return_if_fail (STOMPEST_IS_FAILOVER (failover));

  g_rand_set_seed (failover->rand, seed);
}

/**
 * stompest_failover_start:
 * @failover: a `StompestFailover`
 *
 * Begins a connect cycle: the next attempt is the first of the cycle, the
 * delay goes back to [property@Stompest.Failover:initial-reconnect-delay]
 * and a new round through the brokers begins.
 *
 * The first cycle after construction is limited by
 * [property@Stompest.Failover:startup-max-reconnect-attempts] (when it is
 * not 0), every later one by
 * [property@Stompest.Failover:max-reconnect-attempts].
 * [method@Stompest.Failover.next] starts the first cycle by itself if
 * this was not called.
 *
 * Since: 0.1
 */
void
stompest_failover_start (StompestFailover *failover)
{
  g_return_if_fail (STOMPEST_IS_FAILOVER (failover));

  failover->n_cycles++;
  failover->attempt = 0;
  failover->delay = failover->initial_reconnect_delay;
  failover->position = failover->n_brokers;
}

static int
current_limit (StompestFailover *self)
{
  /* ActiveMQ: a startup limit of 0 is "not set". */
  if (self->n_cycles == 1 && self->startup_max_reconnect_attempts != 0)
    return self->startup_max_reconnect_attempts;
  return self->max_reconnect_attempts;
}

static void
begin_round (StompestFailover *self)
{
  guint i, n_local = 0;

  for (i = 0; i < self->n_brokers; i++)
    self->order[i] = i;

  if (self->randomize)
    {
      for (i = self->n_brokers - 1; i > 0; i--)
        {
          guint j = g_rand_int_range (self->rand, 0, i + 1);
          guint swap = self->order[i];

          self->order[i] = self->order[j];
          self->order[j] = swap;
        }
    }

  if (self->priority_backup)
    {
      g_autofree guint *remote = g_new (guint, self->n_brokers);
      guint n_remote = 0;

      /* A stable partition: local brokers first, each group in order. */
      for (i = 0; i < self->n_brokers; i++)
        {
          if (self->local[self->order[i]])
            self->order[n_local++] = self->order[i];
          else
            remote[n_remote++] = self->order[i];
        }
      memcpy (self->order + n_local, remote, n_remote * sizeof (guint));
    }

  self->position = 0;
}

/**
 * stompest_failover_next:
 * @failover: a `StompestFailover`
 * @broker_uri: (out) (optional) (transfer none): return location for the
 *   broker URI to try, valid as long as @failover
 * @delay_ms: (out) (optional): return location for the time in
 *   milliseconds to wait before trying it
 * @error: return location for a #GError
 *
 * Gets the next attempt of the current connect cycle.
 *
 * The brokers are taken round-robin, shuffled at the start of each round
 * when [property@Stompest.Failover:randomize] is set. The first attempt of
 * a cycle has no delay; each later one waits the current delay plus a
 * random jitter, capped at
 * [property@Stompest.Failover:max-reconnect-delay], after which the
 * current delay is multiplied by
 * [property@Stompest.Failover:back-off-multiplier] when exponential
 * back-off is on.
 *
 * When the cycle's limit of reconnect attempts is used up, this fails with
 * %STOMPEST_ERROR_RECONNECT_EXHAUSTED, and keeps failing until
 * [method@Stompest.Failover.start] begins a new cycle.
 *
 * Returns: %TRUE with an attempt to make, %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
stompest_failover_next (StompestFailover  *failover,
                        const char       **broker_uri,
                        guint             *delay_ms,
                        GError           **error)
{
  int limit;
  guint delay = 0;
  const char *broker;

  g_return_val_if_fail (STOMPEST_IS_FAILOVER (failover), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (failover->n_brokers == 0)
    {
      g_set_error_literal (error, STOMPEST_ERROR, STOMPEST_ERROR_INVALID_URI,
                           "The failover schedule has no broker URIs");
      return FALSE;
    }

  if (failover->n_cycles == 0)
    stompest_failover_start (failover);

  limit = current_limit (failover);
  if (limit >= 0 && failover->attempt > (guint) limit)
    {
      g_set_error (error, STOMPEST_ERROR, STOMPEST_ERROR_RECONNECT_EXHAUSTED,
                   "Could not connect to a broker after %u %s", failover->attempt,
                   failover->attempt == 1 ? "attempt" : "attempts");
      return FALSE;
    }

  if (failover->position >= failover->n_brokers)
    begin_round (failover);
  broker = failover->brokers[failover->order[failover->position++]];

  if (failover->attempt > 0)
    {
      double d = failover->delay;

      if (failover->reconnect_delay_jitter > 0)
        d += g_rand_double (failover->rand) * failover->reconnect_delay_jitter;
      delay = (guint) MIN (d, (double) failover->max_reconnect_delay);

      /* Capped here too, so that a long outage cannot overflow it. */
      if (failover->use_exponential_back_off)
        failover->delay = MIN (failover->delay * failover->back_off_multiplier,
                               (double) failover->max_reconnect_delay);
    }
  failover->attempt++;

  if (broker_uri != NULL)
    *broker_uri = broker;
  if (delay_ms != NULL)
    *delay_ms = delay;
  return TRUE;
}

gboolean
stompest_failover_broker_is_local (const char *broker_uri)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *host;

  g_return_val_if_fail (broker_uri != NULL, FALSE);

  uri = g_uri_parse (broker_uri, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;
  if (g_str_equal (g_uri_get_scheme (uri), "unix"))
    return TRUE;

  host = g_uri_get_host (uri);
  if (host == NULL || *host == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A STOMP "broker" that costs next to nothing, so that a benchmark of a
 * client against it measures the client alone. Per connection (each in a
 * forked child) it answers the first frame (CONNECT or STOMP) with
 * CONNECTED, then reads in large chunks and discards everything, scanning
 * only for DISCONNECT, which it answers with the RECEIPT asked for.
 *
 * It is also a source: a SUBSCRIBE to a destination that ends in a
 * number N, such as /queue/source-200000, is answered with N MESSAGE
 * frames (100-byte bodies, RabbitMQ-style ids), written in large chunks
 * while it keeps reading. See README.md. */

#define READ_CHUNK (256 * 1024)
#define BODY_SIZE 100
#define BATCH_FRAMES 512
#define MAX_FRAME_HEAD 4096

typedef struct {
  int fd;
  char *in;                   /* unread input */
  size_t in_len;
  char *out;                  /* pending output */
  size_t out_len;
  size_t out_off;
  char *batch;                /* BATCH_FRAMES MESSAGE frames */
  size_t batch_len;
  unsigned long to_source;    /* MESSAGE frames still to write */
  int done;                   /* the RECEIPT for DISCONNECT is queued */
} Conn;

static void
die (const char *what)
{
  perror (what);
  exit (1);
}

static void
queue_out (Conn       *c,
           const char *data,
           size_t      len)
{
  c->out = realloc (c->out, c->out_len + len);
  if (c->out == NULL)
    die ("realloc");
  memcpy (c->out + c->out_len, data, len);
  c->out_len += len;
}

/* The value of header NAME in the head HEAD..END, copied into VALUE. */
static int
header_value (const char *head,
              const char *end,
              const char *name,
              char       *value,
              size_t      size)
{
  size_t name_len = strlen (name);
  const char *p = head;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);

      if (eol == NULL)
        eol = end;
      if ((size_t) (eol - p) > name_len && memcmp (p, name, name_len) == 0 && p[name_len] == ':')
        {
          size_t len = eol - (p + name_len + 1);

          if (len > 0 && p[name_len + len] == '\r')
            len--;
          if (len >= size)
            len = size - 1;
          memcpy (value, p + name_len + 1, len);
          value[len] = '\0';
          return 1;
        }
      p = eol + 1;
    }
  return 0;
}

static void
build_batch (Conn       *c,
             const char *subscription)
{
  char body[BODY_SIZE];
  size_t cap = BATCH_FRAMES * (512 + BODY_SIZE + 2 * strlen (subscription));

  memset (body, 'x', sizeof body);
  free (c->batch);
  c->batch = malloc (cap);
  if (c->batch == NULL)
    die ("malloc");
  c->batch_len = 0;
  for (int i = 0; i < BATCH_FRAMES; i++)
    {
      int n = snprintf (c->batch + c->batch_len, cap - c->batch_len,
                        "MESSAGE\nsubscription:%s\ndestination:/queue/sink\n"
                        "message-id:T_%s@@session-sink@@%d\nredelivered:false\n"
                        "ack:T_%s@@session-sink@@%d\npersistent:false\n"
                        "content-length:%d\n\n",
                        subscription, subscription, i, subscription, i, BODY_SIZE);
      c->batch_len += n;
      memcpy (c->batch + c->batch_len, body, BODY_SIZE);
      c->batch_len += BODY_SIZE;
      c->batch[c->batch_len++] = '\0';
    }
}

/* Looks at a whole frame COMMAND..END (END at its NUL). */
static void
on_frame (Conn       *c,
          const char *frame,
          const char *end)
{
  char value[256];

  if (strncmp (frame, "DISCONNECT", 10) == 0)
    {
      char reply[512];
      int n;

      if (header_value (frame, end, "receipt", value, sizeof value))
        n = snprintf (reply, sizeof reply, "RECEIPT\nreceipt-id:%s\n\n", value);
      else
        n = snprintf (reply, sizeof reply, "RECEIPT\n\n");
      queue_out (c, reply, n + 1);
      c->done = 1;
    }
  else if (strncmp (frame, "SUBSCRIBE", 9) == 0)
    {
      size_t len;

      if (header_value (frame, end, "destination", value, sizeof value))
        {
          len = strlen (value);
          while (len > 0 && value[len - 1] >= '0' && value[len - 1] <= '9')
            len--;
          c->to_source = strtoul (value + len, NULL, 10);
        }
      if (c->to_source > 0)
        {
          if (!header_value (frame, end, "id", value, sizeof value) &&
              !header_value (frame, end, "destination", value, sizeof value))
            strcpy (value, "0");
          build_batch (c, value);
        }
      if (header_value (frame, end, "receipt", value, sizeof value))
        {
          char reply[512];
          int n = snprintf (reply, sizeof reply, "RECEIPT\nreceipt-id:%s\n\n", value);

          queue_out (c, reply, n + 1);
        }
    }
  else if (strncmp (frame, "CONNECT", 7) == 0 || strncmp (frame, "STOMP", 5) == 0)
    {
      static const char * const versions[] = { "1.2", "1.1" };
      char reply[256];
      const char *version = NULL;
      int n;

      if (header_value (frame, end, "accept-version", value, sizeof value))
        for (unsigned i = 0; i < 2 && version == NULL; i++)
          if (strstr (value, versions[i]) != NULL)
            version = versions[i];
      if (version != NULL)
        n = snprintf (reply, sizeof reply,
                      "CONNECTED\nversion:%s\nheart-beat:0,0\nserver:sink\nsession:sink-%d\n\n",
                      version, (int) getpid ());
      else
        n = snprintf (reply, sizeof reply, "CONNECTED\nsession:sink-%d\n\n", (int) getpid ());
      queue_out (c, reply, n + 1);
    }
}

/* Where the command of a frame that interests us starts in the input, or
 * NULL. Bodies are skipped unread: only "DISCONNECT\n" and "SUBSCRIBE\n"
 * at the start of a frame are searched for, with memmem. */
static char *
find_command (Conn *c,
              int   first)
{
  static const char * const wanted[] = { "DISCONNECT\n", "SUBSCRIBE\n" };
  char *end = c->in + c->in_len;
  char *best = NULL;

  if (first)
    {
      char *p = c->in;

      while (p < end && (*p == '\n' || *p == '\r'))
        p++;
      return p < end ? p : NULL;
    }
  for (unsigned i = 0; i < 2; i++)
    {
      size_t len = strlen (wanted[i]);
      char *p = c->in;
      char *hit;

      while ((hit = memmem (p, end - p, wanted[i], len)) != NULL)
        {
          /* A command follows a NUL or an end of line (heart-beats). */
          if (hit == c->in || hit[-1] == '\0' || hit[-1] == '\n')
            break;
          p = hit + 1;
        }
      if (hit != NULL && (best == NULL || hit < best))
        best = hit;
    }
  return best;
}

/* Consumes what can be consumed of the input. */
static void
scan_input (Conn *c,
            int  *first)
{
  for (;;)
    {
      char *start = find_command (c, *first);
      char *nul;
      size_t keep;

      if (start == NULL)
        {
          /* Keep a tail in case a command is split across reads. */
          keep = c->in_len < 16 ? c->in_len : 16;
          memmove (c->in, c->in + c->in_len - keep, keep);
          c->in_len = keep;
          return;
        }
      nul = memchr (start, '\0', c->in + c->in_len - start);
      if (nul == NULL)
        {
          if (c->in + c->in_len - start > MAX_FRAME_HEAD)
            {
              fprintf (stderr, "sink: frame head too large\n");
              exit (1);
            }
          keep = c->in + c->in_len - start;
          memmove (c->in, start, keep);
          c->in_len = keep;
          return;
        }
      on_frame (c, start, nul);
      *first = 0;
      keep = c->in + c->in_len - (nul + 1);
      memmove (c->in, nul + 1, keep);
      c->in_len = keep;
    }
}

static void
serve (int fd)
{
  Conn c = { .fd = fd };
  int first = 1;
  int eof = 0;

  c.in = malloc (READ_CHUNK + MAX_FRAME_HEAD);
  if (c.in == NULL)
    die ("malloc");

  while (!eof || c.out_off < c.out_len)
    {
      struct pollfd pfd = { .fd = fd, .events = 0 };

      if (!eof && !c.done)
        pfd.events |= POLLIN;
      if (c.out_off < c.out_len || c.to_source > 0)
        pfd.events |= POLLOUT;
      if (pfd.events == 0)
        break;
      if (poll (&pfd, 1, 30000) <= 0)
        {
          fprintf (stderr, "sink: connection idle for 30 s, closed\n");
          break;
        }

      if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t n = read (fd, c.in + c.in_len, READ_CHUNK);

          if (n <= 0)
            eof = 1;
          else
            {
              c.in_len += n;
              scan_input (&c, &first);
            }
        }

      /* Refill the output from the source while it is short. */
      while (c.to_source > 0 && c.out_len - c.out_off < READ_CHUNK)
        {
          unsigned long frames = c.to_source < BATCH_FRAMES ? c.to_source : BATCH_FRAMES;
          size_t len = c.batch_len;

          /* The ids make frames differ in length: find the last NUL. */
          if (frames < BATCH_FRAMES)
            {
              const char *p = c.batch;

              for (unsigned long i = 0; i < frames; i++)
                p = (const char *) memchr (p, '\0', c.batch + c.batch_len - p) + 1;
              len = p - c.batch;
            }
          if (c.out_off > 0)
            {
              memmove (c.out, c.out + c.out_off, c.out_len - c.out_off);
              c.out_len -= c.out_off;
              c.out_off = 0;
            }
          queue_out (&c, c.batch, len);
          c.to_source -= frames;
        }

      if ((pfd.revents & POLLOUT) && c.out_off < c.out_len)
        {
          ssize_t n = send (fd, c.out + c.out_off, c.out_len - c.out_off, MSG_DONTWAIT | MSG_NOSIGNAL);

          if (n > 0)
            c.out_off += n;
          else if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
        }
      if (c.done && c.out_off == c.out_len)
        break;
    }
  close (fd);
  free (c.in);
  free (c.out);
  free (c.batch);
}

int
main (int   argc,
      char *argv[])
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t addr_len = sizeof addr;
  int port = 0;
  int one = 1;
  int fd;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--port") == 0 && i + 1 < argc)
        port = atoi (argv[++i]);
      else
        {
          fprintf (stderr, "usage: %s [--port PORT]\n", argv[0]);
          return 2;
        }
    }

  signal (SIGCHLD, SIG_IGN);
  fd = socket (AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    die ("socket");
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons (port);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    die ("bind");
  if (listen (fd, 16) < 0)
    die ("listen");
  getsockname (fd, (struct sockaddr *) &addr, &addr_len);
  printf ("port %d\n", ntohs (addr.sin_port));
  fflush (stdout);

  for (;;)
    {
      int conn = accept (fd, NULL, NULL);

      if (conn < 0)
        {
          if (errno == EINTR)
            continue;
          die ("accept");
        }
      setsockopt (conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (fork () == 0)
        {
          close (fd);
          serve (conn);
          _exit (0);
        }
      close (conn);
    }
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-common.h"

/* The fair limit for a STOMP client: hand-written frames, writes of
 * hundreds of kilobytes, reads in 256 KiB chunks cut into frames with a
 * memchr() for the NUL (bodies hold no NUL here), no allocation per
 * message. In client-individual mode it sends one ACK per message, but
 * the ACKs for all the messages of one read go out in one write. It checks
 * little (it knows the brokers it runs against); see bench-common.h for
 * the command line and README.md. */

#define READ_CHUNK (256 * 1024)
#define WRITE_CHUNK (256 * 1024)

typedef struct {
  int fd;
  char *buf;
  size_t start;               /* first unparsed byte */
  size_t len;                 /* bytes in buf */
  char *out;                  /* buffered writes */
  size_t out_len;
} Raw;

static void
fail (const char *what)
{
  fprintf (stderr, "raw-client: %s: %s\n", what, errno != 0 ? strerror (errno) : "failed");
  exit (1);
}

static void
write_all (int         fd,
           const char *data,
           size_t      len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        fail ("write");
      data += n;
      len -= n;
    }
}

static void
out_append (Raw        *raw,
            const char *data,
            size_t      len)
{
  if (raw->out_len + len > WRITE_CHUNK)
    {
      write_all (raw->fd, raw->out, raw->out_len);
      raw->out_len = 0;
    }
  memcpy (raw->out + raw->out_len, data, len);
  raw->out_len += len;
}

static void
out_flush (Raw *raw)
{
  write_all (raw->fd, raw->out, raw->out_len);
  raw->out_len = 0;
}

/* The next whole frame (its command; *END at its NUL), reading more as
 * needed. Heart-beat EOLs between frames are skipped. */
static char *
next_frame (Raw   *raw,
            char **end)
{
  for (;;)
    {
      char *p = raw->buf + raw->start;
      char *limit = raw->buf + raw->len;
      char *nul;
      ssize_t n;

      while (p < limit && (*p == '\n' || *p == '\r'))
        p++;
      raw->start = p - raw->buf;
      nul = memchr (p, '\0', limit - p);
      if (nul != NULL)
        {
          raw->start = nul + 1 - raw->buf;
          *end = nul;
          return p;
        }

      /* Move the partial frame to the front and read more. */
      memmove (raw->buf, p, limit - p);
      raw->len = limit - p;
      raw->start = 0;
      if (raw->len == READ_CHUNK)
        fail ("frame larger than the read buffer");
      n = read (raw->fd, raw->buf + raw->len, READ_CHUNK - raw->len);
      if (n <= 0)
        fail (n == 0 ? "the broker closed the connection" : "read");
      raw->len += n;
    }
}

/* Whether the bytes read so far are all used: the caller flushes its
 * writes before the next read. */
static int
input_drained (Raw *raw)
{
  return memchr (raw->buf + raw->start, '\0', raw->len - raw->start) == NULL;
}

static const char *
header (const char *frame,
        const char *end,
        const char *name,
        size_t     *len)
{
  size_t name_len = strlen (name);
  const char *p = memchr (frame, '\n', end - frame);

  while (p != NULL && p + 1 < end && p[1] != '\n')
    {
      const char *line = p + 1;
      const char *eol = memchr (line, '\n', end - line);

      if (eol == NULL)
        eol = end;
      if ((size_t) (eol - line) > name_len && line[name_len] == ':' &&
          memcmp (line, name, name_len) == 0)
        {
          *len = eol - line - name_len - 1;
          return line + name_len + 1;
        }
      p = eol;
    }
  return NULL;
}

static void
expect (Raw        *raw,
        const char *command)
{
  char *end;
  char *frame = next_frame (raw, &end);

  if (strncmp (frame, command, strlen (command)) != 0)
    {
      fprintf (stderr, "raw-client: expected %s, got: %.*s\n", command, (int) (end - frame), frame);
      exit (1);
    }
}

static void
raw_connect (Raw        *raw,
             const char *host,
             const char *port)
{
  static const char connect_frame[] =
    "CONNECT\naccept-version:1.2\nhost:/\nlogin:guest\npasscode:guest\nheart-beat:0,0\n\n";
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
  struct addrinfo *addr;
  int one = 1;

  if (getaddrinfo (host, port, &hints, &addr) != 0)
    fail ("getaddrinfo");
  raw->fd = socket (addr->ai_family, addr->ai_socktype, 0);
  if (raw->fd < 0 || connect (raw->fd, addr->ai_addr, addr->ai_addrlen) < 0)
    fail ("connect");
  freeaddrinfo (addr);
  setsockopt (raw->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  raw->buf = malloc (READ_CHUNK);
  raw->out = malloc (WRITE_CHUNK);
  if (raw->buf == NULL || raw->out == NULL)
    fail ("malloc");

  write_all (raw->fd, connect_frame, sizeof connect_frame);
  expect (raw, "CONNECTED");
}

static void
raw_disconnect (Raw *raw)
{
  static const char disconnect_frame[] = "DISCONNECT\nreceipt:bye\n\n";
  char *end;

  out_append (raw, disconnect_frame, sizeof disconnect_frame);
  out_flush (raw);
  /* Messages still in flight may come first. */
  for (;;)
    {
      char *frame = next_frame (raw, &end);

      if (strncmp (frame, "RECEIPT", 7) == 0)
        break;
      if (strncmp (frame, "ERROR", 5) == 0)
        {
          fprintf (stderr, "raw-client: %.*s\n", (int) (end - frame), frame);
          exit (1);
        }
    }
  close (raw->fd);
}

/* One SEND frame, the bytes StompestClient writes for the same message. */
static size_t
send_frame (char       *frame,
            size_t      size,
            const char *destination)
{
  int n = snprintf (frame, size, "SEND\ndestination:%s\ncontent-length:%d\n\n",
                    destination, BENCH_BODY_SIZE);

  memset (frame + n, 'x', BENCH_BODY_SIZE);
  frame[n + BENCH_BODY_SIZE] = '\0';
  return n + BENCH_BODY_SIZE + 1;
}

static void
produce (Raw        *raw,
         const char *destination,
         long        count)
{
  char frame[1024];
  size_t frame_len = send_frame (frame, sizeof frame, destination);
  long per_write = WRITE_CHUNK / frame_len;
  size_t batch_len = per_write * frame_len;
  char *batch = malloc (batch_len);
  BenchClock clock = bench_clock_start ();

  for (long i = 0; i < per_write; i++)
    memcpy (batch + i * frame_len, frame, frame_len);
  for (long sent = 0; sent < count; sent += per_write)
    {
      long n = count - sent < per_write ? count - sent : per_write;

      write_all (raw->fd, batch, n * frame_len);
    }
  raw_disconnect (raw);
  bench_report ("produce", clock, count, NULL);
  free (batch);
}

static void
subscribe (Raw        *raw,
           const char *destination,
           const char *ack,
           int         receipt)
{
  char frame[1024];
  int n = snprintf (frame, sizeof frame, "SUBSCRIBE\nid:0\ndestination:%s\nack:%s\n%s\n",
                    destination, ack, receipt ? "receipt:sub\n" : "");

  out_append (raw, frame, n + 1);
  out_flush (raw);
  if (receipt)
    expect (raw, "RECEIPT");
}

static void
consume (Raw        *raw,
         const char *destination,
         long        count,
         const char *ack)
{
  int individual = strcmp (ack, "client-individual") == 0;
  BenchClock clock = bench_clock_start ();
  long received = 0;

  subscribe (raw, destination, ack, 0);
  while (received < count)
    {
      char *end;
      char *frame = next_frame (raw, &end);

      if (strncmp (frame, "MESSAGE", 7) != 0)
        {
          fprintf (stderr, "raw-client: unexpected %.*s\n", (int) (end - frame), frame);
          exit (1);
        }
      received++;
      if (individual)
        {
          char ack_frame[512];
          size_t len;
          const char *id = header (frame, end, "ack", &len);

          if (id == NULL || len > 400)
            fail ("MESSAGE without a usable ack header");
          memcpy (ack_frame, "ACK\nid:", 7);
          memcpy (ack_frame + 7, id, len);
          memcpy (ack_frame + 7 + len, "\n\n", 3);
          out_append (raw, ack_frame, 7 + len + 3);
          if (input_drained (raw))
            out_flush (raw);
        }
    }
  raw_disconnect (raw);
  bench_report ("consume", clock, count, NULL);
}

static void
latency (Raw        *raw,
         const char *destination,
         long        count)
{
  char frame[1024];
  size_t frame_len = send_frame (frame, sizeof frame, destination);
  double *samples = malloc (count * sizeof (double));
  BenchClock clock = { 0 };

  subscribe (raw, destination, "auto", 1);
  for (long i = -BENCH_LATENCY_WARMUP; i < count; i++)
    {
      double start;

      if (i == 0)
        clock = bench_clock_start ();
      start = bench_now ();
      write_all (raw->fd, frame, frame_len);
      expect (raw, "MESSAGE");
      if (i >= 0)
        samples[i] = bench_now () - start;
    }
  raw_disconnect (raw);
  bench_report ("latency", clock, count, samples);
  free (samples);
}

int
main (int   argc,
      char *argv[])
{
  Raw raw = { 0 };
  long count;

  if (argc < 6)
    bench_usage (argv[0]);
  count = atol (argv[5]);
  raw_connect (&raw, argv[2], argv[3]);
  if (strcmp (argv[1], "produce") == 0)
    produce (&raw, argv[4], count);
  else if (strcmp (argv[1], "consume") == 0)
    consume (&raw, argv[4], count, argc > 6 ? argv[6] : "auto");
  else if (strcmp (argv[1], "latency") == 0)
    latency (&raw, argv[4], count);
  else
    bench_usage (argv[0]);
  free (raw.buf);
  free (raw.out);
  return 0;
}

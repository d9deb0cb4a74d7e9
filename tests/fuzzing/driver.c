/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

/* Stands in for libFuzzer when it is not used: runs the target once on
 * every file named on the command line and every file in the folders
 * named there (not recursively, in name order), so the corpus and the
 * crash reproducers kept in it run as an ordinary test. */

static void
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree guint8 *exact = NULL;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "driver: %s\n", error->message);
      exit (EXIT_FAILURE);
    }

  /* A buffer of exactly LEN bytes (g_file_get_contents adds a NUL), so
   * that a sanitizer sees a read past the end. */
  exact = g_malloc (MAX (len, 1));
  memcpy (exact, contents, len);

  fprintf (stderr, "driver: %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  LLVMFuzzerTestOneInput (exact, len);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  /* g_ptr_array_sort() passes pointers to the elements. */
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static guint
run_path (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;
  guint n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      run_file (path);
      return 1;
    }

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      fprintf (stderr, "driver: %s\n", error->message);
      exit (EXIT_FAILURE);
    }

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    {
      if (g_file_test (names->pdata[i], G_FILE_TEST_IS_REGULAR))
        {
          run_file (names->pdata[i]);
          n++;
        }
    }

  return n;
}

int
main (int    argc,
      char **argv)
{
  guint n = 0;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s FILE-OR-FOLDER...\n", argv[0]);
      return EXIT_FAILURE;
    }

  for (int i = 1; i < argc; i++)
    n += run_path (argv[i]);

  /* An empty corpus would make a test that cannot fail. */
  if (n == 0)
    {
      fprintf (stderr, "driver: no inputs found\n");
      return EXIT_FAILURE;
    }

  printf ("driver: %u inputs run\n", n);
  return EXIT_SUCCESS;
}

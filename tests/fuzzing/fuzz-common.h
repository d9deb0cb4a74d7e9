/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stompest-glib/stompest-glib.h>

G_BEGIN_DECLS

/* The entry point every target defines, called by libFuzzer or driver.c. */
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

/* Makes criticals and warnings fatal, so a g_return_if_fail() hit by the
 * fuzzer is reported as a crash. Cheap after the first call. */
void fuzz_init (void);

/* Prints the message and abort()s: a found bug. */
G_NORETURN void fuzz_fail (const char *format,
                           ...) G_GNUC_PRINTF (1, 2);

/* Aborts unless the two frames have the same command, headers in the same
 * order, and body (no body and an empty one count as equal). CONTEXT
 * starts the message. */
void fuzz_assert_frames_equal (StompestFrame *expected,
                               StompestFrame *actual,
                               const char    *context);

/* Aborts unless ACTUAL is the frame that EXPECTED compiles to and parses
 * back as: same command, body and headers, where every content-length of
 * EXPECTED is replaced by the true one (only the first kept, in place) and
 * one is appended when the compiler had to add it (BODY_LENGTH_ADDED). */
void fuzz_assert_reparsed_equal (StompestFrame *expected,
                                 StompestFrame *actual,
                                 gboolean       body_length_added,
                                 const char    *context);

/* Compiles FRAME for VERSION with FLAGS (stompest_frame_to_bytes, checked
 * against stompest_frame_compile_head + body + NUL), parses the bytes back
 * with a strict parser and aborts when the result differs. Returns FALSE
 * when the compiler refused the frame: it then must have set
 * STOMPEST_ERROR_INVALID_FRAME. */
gboolean fuzz_check_compile_and_reparse (StompestFrame        *frame,
                                         StompestVersion       version,
                                         StompestCompileFlags  flags);

/* Whether COMMAND exists in VERSION (NACK and STOMP came with 1.1). */
gboolean fuzz_command_in_version (const char      *command,
                                  StompestVersion  version);

G_END_DECLS

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define __STOMPEST_GLIB_INSIDE__

#include "stompest-version.h"
#include "stompest-version-macros.h"
#include "stompest-types.h"
#include "stompest-enum-types.h"
#include "stompest-error.h"
#include "stompest-frame.h"

#undef __STOMPEST_GLIB_INSIDE__

// SPDX-License-Identifier: GPL-2.0
/* The detection core source, built into the KUnit test module. */
#include "../../module/core/window.c"

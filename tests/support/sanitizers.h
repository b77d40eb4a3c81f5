// SPDX-License-Identifier: MIT
#pragma once

#include <QTest>

// Tests that bound resident memory or need loopback speed measure the program only without
// AddressSanitizer: with it (`./dev.sh test --sanitize`), resident memory is ASan's shadow and
// quarantine and its allocator keeps what is freed, and everything runs several times slower.
// Those tests say so and stop; the rest of the suite runs sanitized.
#if defined(__SANITIZE_ADDRESS__)
#define CLICKSCOPE_SKIP_WHEN_SANITIZED()                                                                               \
    QSKIP("measures resident memory or loopback speed, which AddressSanitizer changes; run without it")
#else
#define CLICKSCOPE_SKIP_WHEN_SANITIZED()                                                                               \
    do {                                                                                                               \
    } while (false)
#endif

// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>

#include <string>

namespace Clickscope::Utf8 {

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
// Pure ASCII, the common case on the wire, is checked eight bytes at a time.
bool isValid(QByteArrayView bytes) noexcept;

// True when every byte is below 0x80. Fast enough to run over every network chunk once, so that
// fields cut from an ASCII chunk need no further check.
bool isAscii(QByteArrayView bytes) noexcept;

// Appends `bytes` to `out` with every ill-formed sequence replaced by U+FFFD, one replacement
// per maximal subpart, as the WHATWG Encoding standard's UTF-8 decoder does.
void appendSanitized(QByteArrayView bytes, std::string &out);

}   // namespace Clickscope::Utf8

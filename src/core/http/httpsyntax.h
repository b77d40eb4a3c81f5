// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/ascii.h"

#include <QByteArrayView>

#include <algorithm>
#include <string_view>

// The pieces of HTTP/1.1 message syntax (RFC 9110 §5.6, RFC 9112) that a request head and a
// response head share, so the publisher and the client read them by one rule.
namespace Clickscope::HttpSyntax {

// A header name, a method, a transfer coding.
inline bool isToken(QByteArrayView bytes)
{
    return Ascii::isHttpToken(std::string_view(bytes.data(), std::size_t(bytes.size())));
}

// A field value's bytes: no control character but a tab (RFC 9110 §5.5). A NUL or a line break
// in one would end or split it for some parsers and not for others.
inline bool isFieldValue(QByteArrayView bytes)
{
    return std::all_of(bytes.begin(), bytes.end(),
                       [](char c) { return (quint8(c) >= 0x20 && c != 0x7f) || c == '\t'; });
}

// Optional whitespace (spaces and tabs) around a field value.
constexpr bool isWhitespace(char c) { return c == ' ' || c == '\t'; }

inline QByteArrayView trimmed(QByteArrayView bytes)
{
    while (!bytes.isEmpty() && isWhitespace(bytes.front()))
        bytes = bytes.sliced(1);
    while (!bytes.isEmpty() && isWhitespace(bytes.back()))
        bytes.chop(1);
    return bytes;
}

}   // namespace Clickscope::HttpSyntax

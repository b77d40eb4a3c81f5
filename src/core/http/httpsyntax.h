// SPDX-License-Identifier: MIT
#pragma once

#include "core/text/ascii.h"

#include <QByteArrayView>

#include <string_view>

// The pieces of HTTP/1.1 message syntax (RFC 9110 §5.6, RFC 9112) that a request head and a
// response head share, so the publisher and the client read them by one rule.
namespace Clickscope::HttpSyntax {

// A header name, a method, a transfer coding.
inline bool isToken(QByteArrayView bytes)
{
    return Ascii::isHttpToken(std::string_view(bytes.data(), std::size_t(bytes.size())));
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

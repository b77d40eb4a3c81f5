// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

// Character classes for protocol text and JSON fields. ASCII only, unlike <cctype>, which asks
// the C locale for every byte and would call a Latin-1 letter a letter in some locales.
namespace Clickscope::Ascii {

constexpr bool isDigit(char c) { return c >= '0' && c <= '9'; }

constexpr bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

constexpr bool isAlnum(char c) { return isDigit(c) || isAlpha(c); }

// One or more digits and nothing else.
constexpr bool isDigits(std::string_view s)
{
    if (s.empty())
        return false;
    for (const char c : s) {
        if (!isDigit(c))
            return false;
    }
    return true;
}

// An HTTP token character (RFC 9110 §5.6.2): the characters of header names, methods and
// transfer codings.
constexpr bool isHttpTokenChar(char c)
{
    if (isAlnum(c))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

// A non-empty run of token characters: a header name, a method, a transfer coding.
constexpr bool isHttpToken(std::string_view s)
{
    if (s.empty())
        return false;
    for (const char c : s) {
        if (!isHttpTokenChar(c))
            return false;
    }
    return true;
}

// A byte a terminal shows as itself: printable ASCII (no control character, no escape).
constexpr bool isPrintable(char c) { return c >= 0x20 && c < 0x7f; }

}   // namespace Clickscope::Ascii

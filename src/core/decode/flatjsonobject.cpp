// SPDX-License-Identifier: MIT
#include "core/decode/flatjsonobject.h"

#include "core/text/ascii.h"
#include "core/text/utf8.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace Clickscope {
namespace {

constexpr bool isJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

const char *skipSpace(const char *p, const char *end)
{
    while (p < end && isJsonSpace(*p))
        ++p;
    return p;
}

const char *skipDigits(const char *p, const char *end)
{
    while (p < end && Ascii::isDigit(*p))
        ++p;
    return p;
}

// The first byte from `p` that ends a run of plain string text: a quote, a backslash, a control
// character, or `end`. Sets `nonAscii` when the run holds a byte from 0x80, which then needs the
// UTF-8 proof. Sixteen bytes at a time: a user agent is a hundred bytes or more. Inlined into
// each caller, so the constants stay in registers across the strings of an object.
[[gnu::always_inline]] inline const char *findStringStop(const char *p, const char *end, bool &nonAscii)
{
    for (;;) {
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i backslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        unsigned stops = 0;
        for (; end - p >= 16; p += 16) {
            const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
            // A signed comparison: bytes from 0x80 are negative, so they stop the run too, and
            // are told apart below; ASCII text, the common case, stops only where it ends.
            stops = unsigned(_mm_movemask_epi8(
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
                             _mm_cmplt_epi8(bytes, space))));
            if (stops != 0)
                break;
        }
        if (stops != 0) {
            p += std::countr_zero(stops);
        } else
#endif
        {
            while (p < end) {
                const auto c = static_cast<unsigned char>(*p);
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
                    break;
                ++p;
            }
            if (p == end)
                return p;
        }
        if (static_cast<unsigned char>(*p) < 0x80)
            return p;
        nonAscii = true;
        ++p;
    }
}

// Eight bytes as one little-endian word: the first byte is the lowest.
quint64 load8(const char *p)
{
    quint64 word;
    std::memcpy(&word, p, sizeof word);
    return word;
}

// Whether each of the eight bytes is an ASCII digit, in a few operations: a digit's high nibble
// is 3, and adding 6 to its low nibble must not carry into the high one.
constexpr bool areEightDigits(quint64 word)
{
    constexpr quint64 high = 0xF0F0F0F0F0F0F0F0;
    return ((word & high) | (((word + 0x0606060606060606) & high) >> 4)) == 0x3333333333333333;
}

// The value of eight digits (the first the most significant), combining neighbours pairwise: the
// digits into 2-digit numbers, those into 4-digit ones, those into the 8-digit result.
constexpr quint64 eightDigitsValue(quint64 word)
{
    word -= 0x3030303030303030;
    word = (word * 10 + (word >> 8)) & 0x00FF00FF00FF00FF;
    word = (word * 100 + (word >> 16)) & 0x0000FFFF0000FFFF;
    return (word * 10000 + (word >> 32)) & 0xFFFFFFFF;
}
static_assert(areEightDigits(0x3736353433323130) && !areEightDigits(0x3736353433323A30));
static_assert(eightDigitsValue(0x3837363534333231) == 12345678);   // "12345678"

bool validText(std::string_view text, bool nonAscii)
{
    return !nonAscii || Utf8::isValid(QByteArrayView(text.data(), qsizetype(text.size())));
}

}   // namespace

bool FlatJsonObject::parse(std::string_view json)
{
    m_count = 0;
    m_unescaped.clear();
    m_textSize = json.size();

    const char *end = json.data() + json.size();
    const char *p = skipSpace(json.data(), end);
    if (p == end || *p != '{')
        return false;
    p = skipSpace(p + 1, end);
    int count = 0;
    if (p < end && *p == '}') {
        ++p;
    } else {
        for (;;) {
            if (p == end || *p != '"' || count == kMaxMembers)
                return false;
            // Not cleared: every branch below sets the type and what the type holds.
            Member &member = m_members[std::size_t(count)];
            p = readString(p, end, member.key);
            if (!p)
                return false;
            p = skipSpace(p, end);
            if (p == end || *p != ':')
                return false;
            p = skipSpace(p + 1, end);
            if (p == end)
                return false;
            switch (*p) {
            case '"':
                member.value.type = JsonValue::Type::String;
                p = readString(p, end, member.value.string);
                break;
            case 't':
            case 'f':
            case 'n':
                p = readLiteral(p, end, member.value);
                break;
            default:
                p = readNumber(p, end, member.value);   // or nullptr: an object, an array, garbage
                break;
            }
            if (!p)
                return false;
            ++count;
            p = skipSpace(p, end);
            if (p == end)
                return false;
            if (*p == '}') {
                ++p;
                break;
            }
            if (*p != ',')
                return false;
            p = skipSpace(p + 1, end);
        }
    }
    if (skipSpace(p, end) != end)
        return false;
    m_count = count;
    return true;
}

void FlatJsonObject::release()
{
    m_count = 0;
    std::string().swap(m_unescaped);
}

const char *FlatJsonObject::readString(const char *p, const char *end, std::string_view &out)
{
    const char *begin = p + 1;   // past the opening quote
    bool nonAscii = false;
    p = findStringStop(begin, end, nonAscii);
    if (p == end)
        return nullptr;   // unterminated
    if (*p == '\\')
        return readEscaped(begin, p, end, nonAscii, out);
    if (*p != '"')
        return nullptr;   // a control character, which JSON strings must escape
    out = std::string_view(begin, std::size_t(p - begin));
    return validText(out, nonAscii) ? p + 1 : nullptr;
}

const char *FlatJsonObject::readEscaped(const char *begin, const char *p, const char *end, bool nonAscii,
                                        std::string_view &out)
{
    // Unescaped text is never longer than its source, so one reservation of the whole text's size
    // keeps every view taken into this buffer during one parse() valid. Only the first escaped
    // string of a parse() finds the capacity short: nothing in the buffer points anywhere yet.
    if (m_unescaped.capacity() < m_textSize)
        m_unescaped.reserve(m_textSize);
    const std::size_t start = m_unescaped.size();
    m_unescaped.append(begin, p);
    while (p < end) {
        if (*p == '"') {
            out = std::string_view(m_unescaped.data() + start, m_unescaped.size() - start);
            // Escapes only make ASCII, so the proof over the result is the proof over the source.
            return validText(out, nonAscii) ? p + 1 : nullptr;
        }
        if (*p == '\\') {
            if (end - p < 2)
                return nullptr;
            char c = p[1];
            switch (c) {
            case '"':
            case '\\':
            case '/':
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            default:
                return nullptr;   // \u (surrogates are a full parser's business) or no escape at all
            }
            m_unescaped += c;
            p += 2;
            continue;
        }
        const char *stop = findStringStop(p, end, nonAscii);
        if (stop == p)
            return nullptr;   // a control character
        m_unescaped.append(p, stop);
        p = stop;
    }
    return nullptr;   // unterminated
}

const char *FlatJsonObject::readNumber(const char *p, const char *end, JsonValue &out)
{
    const char *start = p;
    const bool negative = *p == '-';
    if (negative)
        ++p;
    const char *digits = p;
    if (p == end || !Ascii::isDigit(*p))
        return nullptr;
    // The integer's value as its digits go by; it wraps past 19 digits, but those are refused.
    quint64 magnitude = 0;
    if (*p == '0') {
        ++p;
        if (p < end && Ascii::isDigit(*p))
            return nullptr;   // a leading zero
    } else {
        if constexpr (std::endian::native == std::endian::little) {
            for (quint64 eight = 0; end - p >= 8 && areEightDigits(eight = load8(p)); p += 8)
                magnitude = magnitude * 100'000'000 + eightDigitsValue(eight);
        }
        for (; p < end && Ascii::isDigit(*p); ++p)
            magnitude = magnitude * 10 + quint64(*p - '0');
    }
    const char *integerEnd = p;
    bool real = false;
    if (p < end && *p == '.') {
        ++p;
        if (p == end || !Ascii::isDigit(*p))
            return nullptr;
        p = skipDigits(p, end);
        real = true;
    }
    const char *fractionEnd = p;
    const char *exponentDigits = p;   // none unless there is an exponent
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end && (*p == '+' || *p == '-'))
            ++p;
        if (p == end || !Ascii::isDigit(*p))
            return nullptr;
        exponentDigits = p;
        p = skipDigits(p, end);
        real = true;
    }

    if (real) {
        // std::from_chars rounds correctly, as a full parser does on its usual road. Long digit
        // strings and long exponents can send a full parser down another, with limits of its own
        // (simdjson 3.0 caps a long number's exponent), so those are left to it, as is what
        // from_chars refuses (overflow, underflow).
        const auto fractionDigits = fractionEnd - integerEnd - (fractionEnd > integerEnd ? 1 : 0);   // less the '.'
        if ((integerEnd - digits) + fractionDigits > 19 || p - exponentDigits > 3)
            return nullptr;
        double value = 0;
        const auto [last, error] = std::from_chars(start, p, value);
        if (error != std::errc() || last != p || !std::isfinite(value))
            return nullptr;
        out.type = JsonValue::Type::Double;
        out.real = value;
        return p;
    }
    // Up to 18 digits always fit in 64 bits; longer integers may be signed, unsigned or beyond.
    if (integerEnd - digits > 18)
        return nullptr;
    auto value = qint64(magnitude);
    if (negative) {
        if (value == 0)
            return nullptr;   // -0: an integer to some parsers, the double -0.0 to others
        value = -value;
    }
    out.type = JsonValue::Type::Int64;
    out.int64 = value;
    return p;
}

const char *FlatJsonObject::readLiteral(const char *p, const char *end, JsonValue &out)
{
    const std::string_view rest(p, std::size_t(end - p));
    if (rest.starts_with("true")) {
        out.type = JsonValue::Type::Bool;
        out.boolean = true;
        return p + 4;
    }
    if (rest.starts_with("false")) {
        out.type = JsonValue::Type::Bool;
        out.boolean = false;
        return p + 5;
    }
    if (rest.starts_with("null")) {
        out.type = JsonValue::Type::Null;
        return p + 4;
    }
    return nullptr;
}

}   // namespace Clickscope

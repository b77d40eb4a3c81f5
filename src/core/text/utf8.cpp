// SPDX-License-Identifier: MIT
#include "core/text/utf8.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace Clickscope::Utf8 {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Length of the well-formed sequence at p, or, when ill-formed, minus the length of its maximal
// subpart (the bytes that must become one U+FFFD; the next byte is then decoded afresh).
int sequenceAt(const unsigned char *p, const unsigned char *end) noexcept
{
    const unsigned char lead = p[0];
    if (lead < 0x80)
        return 1;
    int length;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            lower = 0xA0;
        else if (lead == 0xED)
            upper = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            lower = 0x90;
        else if (lead == 0xF4)
            upper = 0x8F;
    } else {
        return -1;
    }
    for (int i = 1; i < length; ++i) {
        if (p + i >= end)
            return -i;
        const unsigned char c = p[i];
        if (c < lower || c > upper)
            return -i;
        lower = 0x80;
        upper = 0xBF;
    }
    return length;
}

const unsigned char *skipAscii(const unsigned char *p, const unsigned char *end) noexcept
{
#if defined(__SSE2__)
    // Event payloads are mostly ASCII JSON: test 32 bytes per step for a set high bit.
    while (end - p >= 32) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16));
        if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0)
            break;
        p += 32;
    }
#endif
    while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if (word & kHighBits)
            break;
        p += 8;
    }
    while (p < end && *p < 0x80)
        ++p;
    return p;
}

}   // namespace

bool isAscii(QByteArrayView bytes) noexcept
{
    auto p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto end = p + bytes.size();
    return skipAscii(p, end) == end;
}

bool isValid(QByteArrayView bytes) noexcept
{
    auto p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto end = p + bytes.size();
    while (p < end) {
        p = skipAscii(p, end);
        if (p == end)
            break;
        const int n = sequenceAt(p, end);
        if (n < 0)
            return false;
        p += n;
    }
    return true;
}

void appendSanitized(QByteArrayView bytes, std::string &out)
{
    auto p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto end = p + bytes.size();
    while (p < end) {
        const auto asciiEnd = skipAscii(p, end);
        out.append(reinterpret_cast<const char *>(p), asciiEnd - p);
        p = asciiEnd;
        if (p == end)
            break;
        const int n = sequenceAt(p, end);
        if (n > 0) {
            out.append(reinterpret_cast<const char *>(p), n);
            p += n;
        } else {
            out.append(kReplacement, 3);
            p += -n;
        }
    }
}

}   // namespace Clickscope::Utf8

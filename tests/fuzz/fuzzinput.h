// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

// What the fuzz targets share: the fuzzer's bytes taken apart into the pieces a target needs, and
// the oracle's failure, which must stop the run where the fuzzer (or the corpus replay) sees it.
namespace Clickscope::Fuzz {

// Reads a fuzzer input front to back: single bytes for choices, lines for small fields, and the
// rest as the payload. Running out gives zeroes and empty views, never an error, so that every
// input is a valid case.
class FuzzInput
{
public:
    FuzzInput(const uint8_t *data, size_t size) : m_bytes(reinterpret_cast<const char *>(data), qsizetype(size)) {}

    quint8 byte()
    {
        if (m_bytes.isEmpty())
            return 0;
        const auto value = quint8(m_bytes.front());
        m_bytes = m_bytes.sliced(1);
        return value;
    }
    // Up to the next '\n' (not included), or everything left.
    QByteArrayView line()
    {
        const qsizetype end = m_bytes.indexOf('\n');
        const QByteArrayView taken = end < 0 ? m_bytes : m_bytes.first(end);
        m_bytes = end < 0 ? QByteArrayView() : m_bytes.sliced(end + 1);
        return taken;
    }
    QByteArrayView rest()
    {
        const QByteArrayView taken = m_bytes;
        m_bytes = {};
        return taken;
    }

private:
    QByteArrayView m_bytes;
};

// The oracle failed: say what, and abort, which libFuzzer reports with the input that did it.
[[noreturn]] inline void fail(const char *what)
{
    std::fprintf(stderr, "fuzz oracle failed: %s\n", what);
    std::abort();
}

}   // namespace Clickscope::Fuzz

#define FUZZ_CHECK(condition)                                                                                          \
    do {                                                                                                               \
        if (!(condition))                                                                                              \
            ::Clickscope::Fuzz::fail(#condition);                                                                      \
    } while (false)

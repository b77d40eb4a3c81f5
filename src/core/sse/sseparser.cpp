// SPDX-License-Identifier: MIT
#include "core/sse/sseparser.h"

#include "core/text/utf8.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

namespace Clickscope {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr QByteArrayView kDefaultType("message");

template<std::size_t N>
bool equals(QByteArrayView bytes, const char (&literal)[N])
{
    return bytes.size() == qsizetype(N - 1) && std::memcmp(bytes.data(), literal, N - 1) == 0;
}

// A field's value: what follows the colon, less one leading space.
QByteArrayView valueFrom(const char *p, const char *end)
{
    if (p < end && *p == ' ')
        ++p;
    return QByteArrayView(p, end - p);
}

template<std::size_t N>
bool startsWith(const char *line, qsizetype n, const char (&prefix)[N])
{
    return n >= qsizetype(N - 1) && std::memcmp(line, prefix, N - 1) == 0;
}

std::optional<qint64> parseRetry(QByteArrayView value)
{
    if (value.isEmpty())
        return std::nullopt;
    qint64 ms = 0;
    for (char c : value) {
        const unsigned digit = static_cast<unsigned char>(c) - '0';
        if (digit > 9)
            return std::nullopt;
        // Saturate rather than overflow: an absurd retry is still "wait as long as possible".
        ms = ms > (std::numeric_limits<qint64>::max() - digit) / 10 ? std::numeric_limits<qint64>::max()
                                                                    : ms * 10 + digit;
    }
    return ms;
}

// Where the lines of a stretch of the chunk end, found before any of them is read: the first
// pass is a tight vector loop with nothing else in it, and reading the lines then needs no search.
// For each end, also the last byte >= 0x80 before it, so a line is known ASCII (the usual case,
// which needs no UTF-8 check) without a second look at its bytes.
struct LineEnds
{
    static constexpr int kCapacity = 256;
    // A scan covers at most this much, so offsets fit 32 bits whatever the chunk's size.
    static constexpr qsizetype kMaxScanBytes = 1024 * 1024;

    std::uint32_t at[kCapacity];    // offset of a CR or LF from the scan's start
    std::int32_t high[kCapacity];   // offset of the last byte >= 0x80 before it, or -1: none in this scan
    int count = 0;
    std::int32_t lastHigh = -1;   // the last byte >= 0x80 anywhere in the scan, or -1
};

// Appends the ends in one 64-byte block (bit i of `eol` set: byte i is CR or LF; of `high`: it is
// >= 0x80) at `base`. Plain integer code, so the SSE2 and AVX2 scans both inline it.
inline void addBlock(std::uint64_t eol, std::uint64_t high, std::uint32_t base, LineEnds &out)
{
    int n = out.count;
    if (!high) {
        for (; eol; eol &= eol - 1, ++n) {
            out.at[n] = base + unsigned(std::countr_zero(eol));
            out.high[n] = out.lastHigh;
        }
    } else {
        for (; eol; eol &= eol - 1, ++n) {
            const unsigned bit = unsigned(std::countr_zero(eol));
            const std::uint64_t before = high & ((std::uint64_t(1) << bit) - 1);
            out.at[n] = base + bit;
            out.high[n] = before ? std::int32_t(base + 63 - unsigned(std::countl_zero(before))) : out.lastHigh;
        }
        out.lastHigh = std::int32_t(base + 63 - unsigned(std::countl_zero(high)));
    }
    out.count = n;
}

// The same for the last bytes of a chunk (fewer than 64), one at a time.
inline void addTail(const char *p, const char *end, std::uint32_t base, LineEnds &out)
{
    std::uint64_t eol = 0;
    std::uint64_t high = 0;
    for (const char *q = p; q < end; ++q) {
        const auto c = static_cast<unsigned char>(*q);
        eol |= std::uint64_t(c == '\n' || c == '\r') << (q - p);
        high |= std::uint64_t(c >= 0x80) << (q - p);
    }
    addBlock(eol, high, base, out);
}

#if !defined(__SSE2__)
// Indexes line ends from `from` on, until the chunk's end, LineEnds is nearly full or
// kMaxScanBytes are done; returns where it stopped (everything before is indexed).
const char *scanPortable(const char *from, const char *end, LineEnds &out)
{
    const char *const limit = end - from > LineEnds::kMaxScanBytes ? from + LineEnds::kMaxScanBytes : end;
    const char *p = from;
    for (; p < limit && out.count <= LineEnds::kCapacity - 64; p += 64)
        addTail(p, std::min(limit, p + 64), std::uint32_t(p - from), out);
    return std::min(p, limit);
}
#else
// The same, 16 bytes at a time (every x86-64 CPU has SSE2), then the chunk's last bytes one at a time.
const char *scanSse2(const char *from, const char *end, LineEnds &out)
{
    const char *const limit = end - from > LineEnds::kMaxScanBytes ? from + LineEnds::kMaxScanBytes : end;
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    const char *p = from;
    for (; limit - p >= 64 && out.count <= LineEnds::kCapacity - 64; p += 64) {
        std::uint64_t eol = 0;
        std::uint64_t high = 0;
#pragma GCC unroll 4
        for (int i = 0; i < 4; ++i) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * i));
            const __m128i ends = _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr));
            eol |= std::uint64_t(unsigned(_mm_movemask_epi8(ends))) << (16 * i);
            high |= std::uint64_t(unsigned(_mm_movemask_epi8(v))) << (16 * i);
        }
        addBlock(eol, high, std::uint32_t(p - from), out);
    }
    if (p < limit && limit == end && out.count <= LineEnds::kCapacity - 64) {
        addTail(p, end, std::uint32_t(p - from), out);
        p = end;
    }
    return p;
}

// The same, 32 bytes at a time, compiled for AVX2 and called only where the CPU has it.
__attribute__((target("avx2"))) const char *scanAvx2(const char *from, const char *end, LineEnds &out)
{
    const char *const limit = end - from > LineEnds::kMaxScanBytes ? from + LineEnds::kMaxScanBytes : end;
    const __m256i lf = _mm256_set1_epi8('\n');
    const __m256i cr = _mm256_set1_epi8('\r');
    const char *p = from;
    for (; limit - p >= 64 && out.count <= LineEnds::kCapacity - 64; p += 64) {
        const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
        const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p + 32));
        const __m256i endsLo = _mm256_or_si256(_mm256_cmpeq_epi8(lo, lf), _mm256_cmpeq_epi8(lo, cr));
        const __m256i endsHi = _mm256_or_si256(_mm256_cmpeq_epi8(hi, lf), _mm256_cmpeq_epi8(hi, cr));
        const std::uint64_t eol = std::uint64_t(unsigned(_mm256_movemask_epi8(endsLo)))
                                  | std::uint64_t(unsigned(_mm256_movemask_epi8(endsHi))) << 32;
        const std::uint64_t high =
            std::uint64_t(unsigned(_mm256_movemask_epi8(lo))) | std::uint64_t(unsigned(_mm256_movemask_epi8(hi))) << 32;
        addBlock(eol, high, std::uint32_t(p - from), out);
    }
    if (p < limit && limit == end && out.count <= LineEnds::kCapacity - 64) {
        addTail(p, end, std::uint32_t(p - from), out);
        p = end;
    }
    return p;
}
#endif

// Starts `out` afresh with the scan `avx2` chooses (ignored where there is no SSE2).
const char *scanLineEnds(bool avx2, const char *from, const char *end, LineEnds &out)
{
    out.count = 0;
    out.lastHigh = -1;
#if defined(__SSE2__)
    return avx2 ? scanAvx2(from, end, out) : scanSse2(from, end, out);
#else
    Q_UNUSED(avx2);
    return scanPortable(from, end, out);
#endif
}

}   // namespace

void SseParser::Field::assign(QByteArrayView v, bool ascii)
{
    m_own.assign(v.data(), v.size());
    m_isView = false;
    m_ascii = ascii;
}

void SseParser::Field::append(char c, QByteArrayView v, bool ascii)
{
    own();
    m_own.push_back(c);
    m_own.append(v.data(), v.size());
    m_ascii = m_ascii && ascii;
}

void SseParser::Field::own()
{
    if (m_isView) {
        m_own.assign(m_view.data(), m_view.size());
        m_isView = false;
    }
}

[[gnu::always_inline]] inline void SseParser::Field::clear()
{
    m_own.clear();
    m_isView = false;
    m_ascii = true;
}

SseParser::SseParser(Limits limits, LineScan scan) : m_limits(limits)
{
#if defined(__SSE2__)
    m_useAvx2 = scan == LineScan::Widest && __builtin_cpu_supports("avx2");
#else
    Q_UNUSED(scan);
#endif
}

const char *SseParser::lineScanName() const
{
#if defined(__SSE2__)
    return m_useAvx2 ? "avx2" : "sse2";
#else
    return "portable";
#endif
}

void SseParser::setLastEventId(QByteArrayView id)
{
    m_lastEventId.assign(id, true);
    m_hasPendingId = false;
}

void SseParser::reset()
{
    m_line.clear();
    m_lineAscii = true;
    clearEvent();
    m_bomMatched = 0;
    m_bomDone = false;
    m_afterCr = false;
    m_lineTooLong = false;
    m_discarding = false;
}

[[gnu::always_inline]] inline void SseParser::clearEvent()
{
    m_data.clear();
    m_dataLines = 0;
    m_type.clear();
    m_hasPendingId = false;   // an id only counts once its event is dispatched
}

void SseParser::consumeBom(const char *&p, const char *end)
{
    while (p < end && m_bomMatched < 3) {
        if (*p != kBom[m_bomMatched]) {
            // Not a BOM after all: the bytes matched so far are ordinary line content.
            m_line.append(kBom, m_bomMatched);
            m_lineAscii = m_bomMatched == 0;
            m_bomDone = true;
            return;
        }
        ++m_bomMatched;
        ++p;
    }
    if (m_bomMatched == 3)
        m_bomDone = true;
}

SseBatch SseParser::feed(QByteArrayView chunk)
{
    // A batch's events take about as many bytes as their chunk.
    m_batch.setGrowth(chunk.size());
    parseChunk(chunk.data(), chunk.data() + chunk.size());
    // The chunk is the caller's and goes away: what the unfinished event points at is copied.
    m_data.own();
    m_type.own();
    m_pendingId.own();
    m_lastEventId.own();
    return m_batch.take();
}

SseBatch SseParser::feed(const QByteArray &buffer, qsizetype from, qsizetype n)
{
    Q_ASSERT(from >= 0 && n >= 0 && from + n <= buffer.size());
    m_batch.share(buffer);
    m_shared = buffer.constData();
    SseBatch batch = feed(QByteArrayView(buffer).sliced(from, n));
    m_shared = nullptr;
    return batch;
}

void SseParser::feed(QByteArrayView chunk, QList<SseEvent> &out) { feed(chunk).appendTo(out); }

void SseParser::parseChunk(const char *p, const char *const end)
{
    if (!m_bomDone)
        consumeBom(p, end);
    if (p == end)
        return;
    if (m_afterCr) {
        m_afterCr = false;
        if (*p == '\n')
            ++p;
    }

    LineEnds ends;
    const char *lastHigh = nullptr;   // the last byte >= 0x80 scanned so far
    const auto asciiFrom = [&lastHigh](const char *from) { return lastHigh == nullptr || lastHigh < from; };
    for (const char *scanned = p; scanned < end;) {
        const char *const base = scanned;
        scanned = scanLineEnds(m_useAvx2, base, end, ends);
        for (int i = 0; i < ends.count; ++i) {
            const char *const eol = base + ends.at[i];
            if (ends.high[i] >= 0)
                lastHigh = base + ends.high[i];
            if (eol < p)
                continue;   // the LF of a CRLF, consumed with its CR
            const bool ascii = asciiFrom(p);
            if (m_lineTooLong) {
                m_lineTooLong = false;   // the oversized line ends here; its event is being discarded
            } else if (!m_line.empty()) {
                appendPartialLine(p, eol - p, ascii);
                if (!m_lineTooLong)
                    processLine(m_line.data(), qsizetype(m_line.size()), false, m_lineAscii);
                m_lineTooLong = false;
                m_line.clear();
                m_lineAscii = true;
            } else if (eol - p > m_limits.maxLineBytes) {
                startDiscarding();
            } else {
                processLine(p, eol - p, true, ascii);
            }

            if (*eol == '\r') {
                if (eol + 1 == end) {
                    m_afterCr = true;
                    return;
                }
                p = eol[1] == '\n' ? eol + 2 : eol + 1;
            } else {
                p = eol + 1;
            }
        }
        if (ends.lastHigh >= 0)
            lastHigh = base + ends.lastHigh;
    }
    if (p < end)
        appendPartialLine(p, end - p, asciiFrom(p));
}

void SseParser::appendPartialLine(const char *p, qsizetype n, bool ascii)
{
    if (m_lineTooLong)
        return;
    if (qsizetype(m_line.size()) + n > m_limits.maxLineBytes) {
        m_line.clear();
        m_lineAscii = true;
        m_lineTooLong = true;
        startDiscarding();
        return;
    }
    m_line.append(p, n);
    m_lineAscii = m_lineAscii && ascii;
}

void SseParser::startDiscarding()
{
    if (!m_discarding)
        ++m_discardedEvents;
    m_discarding = true;
    clearEvent();
}

[[gnu::always_inline]] inline void SseParser::processLine(const char *line, qsizetype n, bool inChunk, bool ascii)
{
    if (n == 0) {
        if (m_discarding) {
            m_discarding = false;
            clearEvent();
            return;
        }
        dispatch();
        return;
    }
    if (m_discarding)
        return;
    const char *const end = line + n;
    // The usual fields are recognised by prefix, which spares a search for the colon.
    switch (line[0]) {
    case ':':
        ++m_commentCount;
        m_lastComment.assign(line + 1, n - 1);
        return;
    case 'd':
        if (startsWith(line, n, "data:"))
            return setData(valueFrom(line + 5, end), inChunk, ascii);
        break;
    case 'i':
        if (startsWith(line, n, "id:"))
            return setId(valueFrom(line + 3, end), inChunk, ascii);
        break;
    case 'e':
        if (startsWith(line, n, "event:"))
            return setField(m_type, valueFrom(line + 6, end), inChunk, ascii);
        break;
    default:
        break;
    }
    const char *colon = static_cast<const char *>(std::memchr(line, ':', n));
    const QByteArrayView name(line, colon ? colon - line : n);
    const QByteArrayView value = colon ? valueFrom(colon + 1, end) : QByteArrayView(end, 0);
    if (equals(name, "data")) {
        setData(value, inChunk, ascii);
    } else if (equals(name, "event")) {
        setField(m_type, value, inChunk, ascii);
    } else if (equals(name, "id")) {
        setId(value, inChunk, ascii);
    } else if (equals(name, "retry")) {
        if (auto ms = parseRetry(value))
            m_retryMs = ms;
    }
    // Any other field is ignored, as the algorithm requires.
}

[[gnu::always_inline]] inline void SseParser::setField(Field &field, QByteArrayView value, bool inChunk, bool ascii)
{
    if (inChunk)
        field.setView(value, ascii);
    else
        field.assign(value, ascii);
}

[[gnu::always_inline]] inline void SseParser::setData(QByteArrayView value, bool inChunk, bool ascii)
{
    if (m_data.size() + value.size() + 1 > m_limits.maxEventBytes) {
        startDiscarding();
        return;
    }
    if (m_dataLines++ > 0)
        m_data.append('\n', value, ascii);
    else
        setField(m_data, value, inChunk, ascii);
}

[[gnu::always_inline]] inline void SseParser::setId(QByteArrayView value, bool inChunk, bool ascii)
{
    // Ids are short: a loop beats a call to memchr.
    if (std::find(value.begin(), value.end(), '\0') != value.end())
        return;
    setField(m_pendingId, value, inChunk, ascii);
    m_hasPendingId = true;
}

[[gnu::always_inline]] inline QByteArrayView SseParser::wellFormed(const Field &field, std::string &scratch)
{
    const QByteArrayView bytes = field.view();
    if (field.ascii() || Utf8::isValid(bytes))
        return bytes;
    scratch.clear();
    Utf8::appendSanitized(bytes, scratch);
    return {scratch.data(), qsizetype(scratch.size())};
}

[[gnu::always_inline]] inline void SseParser::dispatch()
{
    if (m_hasPendingId) {
        if (m_pendingId.ascii() || Utf8::isValid(m_pendingId.view()))
            m_lastEventId = m_pendingId;   // may stay a view into the chunk until feed() ends
        else
            m_lastEventId.assign(wellFormed(m_pendingId, m_scratch), true);
        m_hasPendingId = false;
    }
    if (m_dataLines == 0) {
        clearEvent();
        return;
    }
    // Type and data may each need replacing, so each gets its own scratch.
    const QByteArrayView type = m_type.size() == 0 ? kDefaultType : wellFormed(m_type, m_typeScratch);
    const QByteArrayView id = lastEventId();
    const QByteArrayView data = wellFormed(m_data, m_scratch);
    // A data field that is still a view (one line) lies in the chunk; if it needed no repair, the
    // batch can point at it in the shared buffer.
    if (m_shared && m_data.isView() && data.data() == m_data.view().data())
        m_batch.appendSharingData(type, id, data.data() - m_shared, data.size());
    else
        m_batch.append(type, id, data);
    ++m_eventCount;
    clearEvent();
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/sse/sseparser.h"

#include "core/text/utf8.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
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

// Copies a few bytes (an event type, an id) without a call into libc.
void copyBytes(char *out, QByteArrayView bytes)
{
    const char *in = bytes.data();
    const qsizetype n = bytes.size();
    if (n > 16) {
        std::memcpy(out, in, n);
    } else if (n >= 8) {
        std::uint64_t head, tail;
        std::memcpy(&head, in, 8);
        std::memcpy(&tail, in + n - 8, 8);
        std::memcpy(out, &head, 8);
        std::memcpy(out + n - 8, &tail, 8);
    } else {
        for (qsizetype i = 0; i < n; ++i)
            out[i] = in[i];
    }
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

// Finds line ends (CR or LF) in one forward pass over a chunk, 64 bytes at a time, and notes
// where the last non-ASCII byte was, so a line can be known ASCII without a second pass. One
// pass replaces a memchr per line plus a separate UTF-8 check.
class EolScanner
{
public:
    EolScanner(const char *begin, const char *end) : m_begin(begin), m_end(end), m_block(begin), m_blockEnd(begin) {}

    // The first CR or LF at or after `from`, or nullptr when the chunk has none.
    const char *next(const char *from)
    {
        for (;;) {
            if (from < m_blockEnd) {
                const auto shift = from > m_block ? unsigned(from - m_block) : 0u;
                const std::uint64_t mask = m_mask & (~std::uint64_t(0) << shift);
                if (mask)
                    return m_block + std::countr_zero(mask);
            }
            if (m_blockEnd == m_end)
                return nullptr;
            load();
        }
    }

    // True when no byte from `from` to the end of what was scanned is >= 0x80. Conservative:
    // a non-ASCII byte after the line in the same block makes the line "maybe not ASCII".
    bool asciiFrom(const char *from) const { return m_lastHigh < from - m_begin; }

private:
    void load()
    {
        const char *p = m_blockEnd;
        std::uint64_t eol = 0;
        std::uint64_t high = 0;
#if defined(__SSE2__)
        if (m_end - p >= 64) {
            const __m128i lf = _mm_set1_epi8('\n');
            const __m128i cr = _mm_set1_epi8('\r');
            __m128i any = _mm_setzero_si128();
#pragma GCC unroll 4
            for (int i = 0; i < 4; ++i) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * i));
                const auto ends =
                    unsigned(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr))));
                eol |= std::uint64_t(ends) << (16 * i);
                any = _mm_or_si128(any, v);
            }
            // Where in the block a high byte sits matters little: say "the block's last byte".
            high = _mm_movemask_epi8(any) ? std::uint64_t(1) << 63 : 0;
            finishBlock(p, p + 64, eol, high);
            return;
        }
#endif
        const char *const blockEnd = std::min(m_end, p + 64);
        for (const char *q = p; q < blockEnd; ++q) {
            const auto c = static_cast<unsigned char>(*q);
            eol |= std::uint64_t(c == '\n' || c == '\r') << (q - p);
            high |= std::uint64_t(c >= 0x80) << (q - p);
        }
        finishBlock(p, blockEnd, eol, high);
    }

    void finishBlock(const char *block, const char *blockEnd, std::uint64_t eol, std::uint64_t high)
    {
        m_block = block;
        m_blockEnd = blockEnd;
        m_mask = eol;
        if (high)
            m_lastHigh = (block - m_begin) + 63 - std::countl_zero(high);
    }

    const char *const m_begin;
    const char *const m_end;
    const char *m_block;
    const char *m_blockEnd;
    std::uint64_t m_mask = 0;
    qsizetype m_lastHigh = -1;   // offset of the last byte >= 0x80 scanned, -1 for none
};

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

void SseParser::Field::clear()
{
    m_own.clear();
    m_isView = false;
    m_ascii = true;
}

SseParser::SseParser(Limits limits) : m_limits(limits) {}

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

void SseParser::clearEvent()
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

void SseParser::feed(QByteArrayView chunk, QList<SseEvent> &out)
{
    m_chunkSize = chunk.size();
    parseChunk(chunk.data(), chunk.data() + chunk.size());
    // The chunk is the caller's and goes away: what the unfinished event points at is copied.
    m_data.own();
    m_type.own();
    m_pendingId.own();
    m_lastEventId.own();
    emitBatch(out);
}

void SseParser::emitBatch(QList<SseEvent> &out)
{
    if (m_batchSpans.empty())
        return;
    // The events share the buffer. Once they are all gone the next batch reuses it; while any
    // lives, the next batch gets a new one (see reserveInBatch).
    out.reserve(out.size() + qsizetype(m_batchSpans.size()));
    for (const EventSpan &span : m_batchSpans)
        out.emplace_back(m_batchBytes, span.offset, span.typeSize, span.idSize, span.dataSize);
    m_batchSpans.clear();
    m_batchSize = 0;
}

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

    EolScanner scanner(p, end);
    while (p < end) {
        if (*p == '\n' && m_line.empty() && !m_lineTooLong) {
            processLine(p, 0, true, true);   // the blank line after every event: no search needed
            ++p;
            continue;
        }
        const char *eol = scanner.next(p);
        const bool ascii = scanner.asciiFrom(p);
        if (!eol) {
            appendPartialLine(p, end - p, ascii);
            return;
        }

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

void SseParser::processLine(const char *line, qsizetype n, bool inChunk, bool ascii)
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

void SseParser::setField(Field &field, QByteArrayView value, bool inChunk, bool ascii)
{
    if (inChunk)
        field.setView(value, ascii);
    else
        field.assign(value, ascii);
}

void SseParser::setData(QByteArrayView value, bool inChunk, bool ascii)
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

void SseParser::setId(QByteArrayView value, bool inChunk, bool ascii)
{
    // Ids are short: a loop beats a call to memchr.
    if (std::find(value.begin(), value.end(), '\0') != value.end())
        return;
    setField(m_pendingId, value, inChunk, ascii);
    m_hasPendingId = true;
}

QByteArrayView SseParser::wellFormed(const Field &field, std::string &scratch)
{
    const QByteArrayView bytes = field.view();
    if (field.ascii() || Utf8::isValid(bytes))
        return bytes;
    scratch.clear();
    Utf8::appendSanitized(bytes, scratch);
    return {scratch.data(), qsizetype(scratch.size())};
}

char *SseParser::reserveInBatch(qsizetype n)
{
    // Written in place: QByteArray::append's bookkeeping shows up at this rate.
    if (m_batchSize == 0 && !m_batchBytes.isDetached())
        m_batchBytes = QByteArray();   // events of the last batch still use it: never write under them
    if (m_batchSize + n > m_batchBytes.size())
        m_batchBytes.resize(std::max({m_batchSize + n, 2 * m_batchBytes.size(), m_chunkSize}));
    char *at = m_batchBytes.data() + m_batchSize;
    m_batchSize += n;
    return at;
}

void SseParser::dispatch()
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
    const qsizetype offset = m_batchSize;
    char *out = reserveInBatch(type.size() + id.size() + data.size());
    copyBytes(out, type);
    copyBytes(out + type.size(), id);
    std::memcpy(out + type.size() + id.size(), data.data(), data.size());
    m_batchSpans.push_back({offset, type.size(), id.size(), data.size()});
    ++m_eventCount;
    clearEvent();
}

}   // namespace Clickscope

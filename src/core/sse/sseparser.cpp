// SPDX-License-Identifier: MIT
#include "sseparser.h"

#include "text/utf8.h"

#include <cstring>
#include <limits>

namespace Clickscope {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr QByteArrayView kDefaultType("message");

template<std::size_t N>
bool nameEquals(const char *name, qsizetype size, const char (&literal)[N])
{
    return size == qsizetype(N - 1) && std::memcmp(name, literal, N - 1) == 0;
}

std::optional<qint64> parseRetry(const char *value, qsizetype size)
{
    if (size == 0)
        return std::nullopt;
    qint64 ms = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const unsigned digit = static_cast<unsigned char>(value[i]) - '0';
        if (digit > 9)
            return std::nullopt;
        // Saturate rather than overflow: an absurd retry is still "wait as long as possible".
        ms = ms > (std::numeric_limits<qint64>::max() - digit) / 10 ? std::numeric_limits<qint64>::max()
                                                                     : ms * 10 + digit;
    }
    return ms;
}

} // namespace

SseParser::SseParser(Limits limits) : m_limits(limits) {}

void SseParser::setLastEventId(QByteArrayView id)
{
    m_lastEventId.assign(id.data(), id.size());
    m_idBuffer = m_lastEventId;
}

void SseParser::reset()
{
    m_line.clear();
    m_data.clear();
    m_type.clear();
    m_idBuffer = m_lastEventId;
    m_bomMatched = 0;
    m_bomDone = false;
    m_afterCr = false;
    m_lineTooLong = false;
    m_discarding = false;
}

void SseParser::consumeBom(const char *&p, const char *end)
{
    while (p < end && m_bomMatched < 3) {
        if (*p != kBom[m_bomMatched]) {
            // Not a BOM after all: the bytes matched so far are ordinary line content.
            m_line.append(kBom, m_bomMatched);
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
    const char *p = chunk.data();
    const char *const end = p + chunk.size();
    if (!m_bomDone)
        consumeBom(p, end);
    if (p == end)
        return;
    if (m_afterCr) {
        m_afterCr = false;
        if (*p == '\n')
            ++p;
    }

    // CR-terminated lines are rare: find the next CR once and only look again after passing it,
    // so an LF-only stream pays a single memchr per chunk for them.
    const char *nextCr = static_cast<const char *>(std::memchr(p, '\r', end - p));
    while (p < end) {
        if (nextCr && nextCr < p)
            nextCr = static_cast<const char *>(std::memchr(p, '\r', end - p));
        const char *eol = static_cast<const char *>(std::memchr(p, '\n', end - p));
        if (nextCr && (!eol || nextCr < eol))
            eol = nextCr;
        if (!eol) {
            appendPartialLine(p, end - p);
            return;
        }

        if (m_lineTooLong) {
            m_lineTooLong = false;   // the oversized line ends here; its event is being discarded
        } else if (!m_line.empty()) {
            appendPartialLine(p, eol - p);
            if (!m_lineTooLong)
                processLine(m_line.data(), qsizetype(m_line.size()), out);
            m_lineTooLong = false;
            m_line.clear();
        } else if (eol - p > m_limits.maxLineBytes) {
            startDiscarding();
        } else {
            processLine(p, eol - p, out);
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

void SseParser::appendPartialLine(const char *p, qsizetype n)
{
    if (m_lineTooLong)
        return;
    if (qsizetype(m_line.size()) + n > m_limits.maxLineBytes) {
        m_line.clear();
        m_lineTooLong = true;
        startDiscarding();
        return;
    }
    m_line.append(p, n);
}

void SseParser::startDiscarding()
{
    if (!m_discarding)
        ++m_discardedEvents;
    m_discarding = true;
    m_data.clear();
    m_type.clear();
}

void SseParser::processLine(const char *line, qsizetype n, QList<SseEvent> &out)
{
    if (n == 0) {
        if (m_discarding) {
            m_discarding = false;
            m_idBuffer = m_lastEventId;
            return;
        }
        dispatch(out);
        return;
    }
    if (m_discarding)
        return;
    if (line[0] == ':') {
        ++m_commentCount;
        m_lastComment.assign(line + 1, n - 1);
        return;
    }
    const char *colon = static_cast<const char *>(std::memchr(line, ':', n));
    if (!colon) {
        processField(line, n, line + n, 0);
        return;
    }
    const char *value = colon + 1;
    const char *const end = line + n;
    if (value < end && *value == ' ')
        ++value;
    processField(line, colon - line, value, end - value);
}

void SseParser::processField(const char *name, qsizetype nameSize, const char *value, qsizetype valueSize)
{
    if (nameEquals(name, nameSize, "data")) {
        if (qsizetype(m_data.size()) + valueSize + 1 > m_limits.maxEventBytes) {
            startDiscarding();
            return;
        }
        m_data.append(value, valueSize);
        m_data.push_back('\n');
    } else if (nameEquals(name, nameSize, "event")) {
        m_type.assign(value, valueSize);
    } else if (nameEquals(name, nameSize, "id")) {
        if (!std::memchr(value, '\0', valueSize))
            m_idBuffer.assign(value, valueSize);
    } else if (nameEquals(name, nameSize, "retry")) {
        if (auto ms = parseRetry(value, valueSize))
            m_retryMs = ms;
    }
    // Any other field is ignored, as the algorithm requires.
}

QByteArrayView SseParser::wellFormed(const std::string &bytes, std::string &scratch) const
{
    const QByteArrayView view(bytes.data(), qsizetype(bytes.size()));
    if (Utf8::isValid(view))
        return view;
    scratch.clear();
    Utf8::appendSanitized(view, scratch);
    return {scratch.data(), qsizetype(scratch.size())};
}

void SseParser::dispatch(QList<SseEvent> &out)
{
    m_lastEventId = m_idBuffer;
    if (m_data.empty()) {
        m_type.clear();
        return;
    }
    m_data.pop_back();   // the "\n" after the last data line
    const QByteArrayView type = m_type.empty() ? kDefaultType : wellFormed(m_type, m_typeScratch);
    out.emplace_back(type, wellFormed(m_lastEventId, m_idScratch), wellFormed(m_data, m_dataScratch));
    ++m_eventCount;
    m_data.clear();
    m_type.clear();
}

} // namespace Clickscope

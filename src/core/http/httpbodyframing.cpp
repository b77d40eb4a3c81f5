// SPDX-License-Identifier: MIT
#include "core/http/httpbodyframing.h"

#include <algorithm>
#include <limits>

namespace Clickscope {
namespace {

constexpr quint64 kMaxLength = std::numeric_limits<qint64>::max();

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Content-Length as a decimal number no larger than a qint64; a list of equal values ("5, 5")
// counts as one, as RFC 9110 allows.
std::optional<quint64> parseLength(QByteArrayView field)
{
    std::optional<quint64> length;
    const QList<QByteArray> items = field.toByteArray().split(',');
    for (const QByteArray &rawItem : items) {
        const QByteArray item = rawItem.trimmed();
        if (item.isEmpty() || item.size() > 19)
            return std::nullopt;
        quint64 value = 0;
        for (const char c : item) {
            if (c < '0' || c > '9')
                return std::nullopt;
            value = value * 10 + quint64(c - '0');
        }
        if (value > kMaxLength || (length && *length != value))
            return std::nullopt;
        length = value;
    }
    return length;
}

}   // namespace

HttpBodyFraming::HttpBodyFraming(Kind kind, quint64 length)
    : m_kind(kind)
    , m_state(kind == Kind::Empty || (kind == Kind::Length && length == 0) ? State::Done
              : kind == Kind::Chunked                                      ? State::Size
                                                                           : State::Data)
    , m_remaining(length)
{}

Result<HttpBodyFraming> HttpBodyFraming::forResponse(const HttpResponseHead &head, QByteArrayView requestMethod)
{
    if (requestMethod == "HEAD" || (head.status >= 100 && head.status < 200) || head.status == 204
        || head.status == 304)
        return HttpBodyFraming(Kind::Empty);

    const QList<QByteArray> codings = head.values("Transfer-Encoding");
    if (!codings.isEmpty()) {
        // Transfer-Encoding overrides Content-Length. Only plain chunked is read: a body under
        // another transfer coding has no decoder here, and one not ending in chunked has no end.
        QList<QByteArray> names;
        for (const QByteArray &field : codings) {
            for (const QByteArray &name : field.split(','))
                if (const QByteArray trimmed = name.trimmed().toLower(); !trimmed.isEmpty())
                    names.append(trimmed);
        }
        if (names != QList<QByteArray>{"chunked"}) {
            return unexpected(QStringLiteral("the response uses Transfer-Encoding '%1'; only chunked is supported")
                                  .arg(QString::fromLatin1(codings.join(", "))));
        }
        return HttpBodyFraming(Kind::Chunked);
    }

    const QList<QByteArray> lengths = head.values("Content-Length");
    if (!lengths.isEmpty()) {
        std::optional<quint64> length;
        for (const QByteArray &field : lengths) {
            const std::optional<quint64> value = parseLength(field);
            if (!value || (length && *length != *value)) {
                return unexpected(QStringLiteral("the response's Content-Length is ambiguous or not a number: '%1'")
                                      .arg(QString::fromLatin1(lengths.join("', '"))));
            }
            length = value;
        }
        return HttpBodyFraming(Kind::Length, *length);
    }
    return HttpBodyFraming(Kind::UntilClose);
}

bool HttpBodyFraming::fail(const QString &message)
{
    m_state = State::Failed;
    m_error = message;
    return false;
}

bool HttpBodyFraming::feed(QByteArrayView in, QByteArray &body)
{
    switch (m_state) {
    case State::Failed:
        return false;
    case State::Done:
        return true;
    default:
        break;
    }
    switch (m_kind) {
    case Kind::Empty:
        return true;
    case Kind::UntilClose:
        body += in;
        return true;
    case Kind::Length: {
        const qsizetype take = qsizetype(std::min<quint64>(m_remaining, quint64(in.size())));
        body += in.first(take);
        m_remaining -= quint64(take);
        if (m_remaining == 0)
            m_state = State::Done;
        return true;
    }
    case Kind::Chunked:
        return feedChunked(in, body);
    }
    return true;
}

bool HttpBodyFraming::feedChunked(QByteArrayView in, QByteArray &body)
{
    qsizetype i = 0;
    while (i < in.size() && m_state != State::Done) {
        const char c = in[i];
        switch (m_state) {
        case State::Size:
            if (const int digit = hexValue(c); digit >= 0) {
                if (m_remaining > (kMaxLength >> 4))
                    return fail(QStringLiteral("a chunk size in the response does not fit in 63 bits"));
                m_remaining = (m_remaining << 4) | quint64(digit);
                m_sizeDigits = true;
                if (++m_lineBytes > kMaxChunkLineBytes)   // leading zeros without end
                    return fail(QStringLiteral("a chunk-size line of the response is longer than %1 bytes")
                                    .arg(kMaxChunkLineBytes));
                ++i;
                break;
            }
            if (!m_sizeDigits)
                return fail(QStringLiteral("a chunk of the response does not start with its size in hex"));
            m_state = State::Extension;
            break;
        case State::Extension: {
            // Extensions (and whitespace before them) are ignored, up to the end of the line.
            const qsizetype lf = in.indexOf('\n', i);
            const qsizetype end = lf < 0 ? in.size() : lf;
            m_lineBytes += end - i;
            if (m_lineBytes > kMaxChunkLineBytes)
                return fail(QStringLiteral("a chunk-size line of the response is longer than %1 bytes")
                                .arg(kMaxChunkLineBytes));
            i = end;
            if (lf >= 0) {
                ++i;
                m_lineBytes = 0;
                m_sizeDigits = false;
                m_state = m_remaining == 0 ? State::Trailer : State::Data;
                m_trailerLineEmpty = true;
            }
            break;
        }
        case State::Data: {
            const qsizetype take = qsizetype(std::min<quint64>(m_remaining, quint64(in.size() - i)));
            body += in.sliced(i, take);
            i += take;
            m_remaining -= quint64(take);
            if (m_remaining == 0)
                m_state = State::DataEnd;
            break;
        }
        case State::DataEnd:
            // CRLF after the data; a bare LF is accepted, anything else means the size lied.
            if (c == '\r' && m_lineBytes == 0) {
                m_lineBytes = 1;
                ++i;
            } else if (c == '\n') {
                m_lineBytes = 0;
                m_state = State::Size;
                ++i;
            } else {
                return fail(QStringLiteral("a chunk of the response is longer than its stated size"));
            }
            break;
        case State::Trailer: {
            // Trailer fields are skipped; an empty line ends the message.
            const qsizetype lf = in.indexOf('\n', i);
            const qsizetype end = lf < 0 ? in.size() : lf;
            for (qsizetype k = i; k < end; ++k) {
                if (in[k] != '\r')
                    m_trailerLineEmpty = false;
            }
            m_lineBytes += end - i;
            if (m_lineBytes > kMaxTrailerBytes)
                return fail(
                    QStringLiteral("the response's trailer fields are longer than %1 bytes").arg(kMaxTrailerBytes));
            i = end;
            if (lf >= 0) {
                ++i;
                if (m_trailerLineEmpty)
                    m_state = State::Done;
                m_trailerLineEmpty = true;
            }
            break;
        }
        case State::Done:
        case State::Failed:
            break;
        }
    }
    return true;
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/http/httpcontentdecoder.h"

#include <zlib.h>

#include <limits>

namespace Clickscope {

struct HttpContentDecoder::Stream
{
    z_stream z{};
};

namespace {

// zlib's window bits: 15, plus 32 to accept a gzip or a zlib header alike, or negative for the
// raw deflate data some servers send as "deflate".
constexpr int kAutoHeader = 15 + 32;
constexpr int kRawDeflate = -15;

}   // namespace

Result<std::unique_ptr<HttpContentDecoder>> HttpContentDecoder::forResponse(const HttpResponseHead &head)
{
    const QList<QByteArray> fields = head.values("Content-Encoding");
    QList<QByteArray> codings;
    for (const QByteArray &field : fields) {
        for (const QByteArray &name : field.split(','))
            if (const QByteArray trimmed = name.trimmed().toLower(); !trimmed.isEmpty() && trimmed != "identity")
                codings.append(trimmed);
    }
    if (codings.isEmpty())
        return std::unique_ptr<HttpContentDecoder>();
    if (codings.size() == 1 && (codings[0] == "gzip" || codings[0] == "x-gzip" || codings[0] == "deflate")) {
        auto decoder = std::unique_ptr<HttpContentDecoder>(new HttpContentDecoder(codings[0], codings[0] != "deflate"));
        if (inflateInit2(&decoder->m_stream->z, kAutoHeader) != Z_OK)
            return unexpected(QStringLiteral("zlib could not start a decoder"));
        return decoder;
    }
    return unexpected(
        QStringLiteral("the response is compressed with '%1', which Clickscope does not decode (it asks for %2)")
            .arg(QString::fromLatin1(fields.join(", ")), QString::fromLatin1(kAcceptEncoding)));
}

HttpContentDecoder::HttpContentDecoder(QByteArray coding, bool gzip)
    : m_coding(std::move(coding))
    , m_gzip(gzip)
    , m_stream(std::make_unique<Stream>())
{}

HttpContentDecoder::~HttpContentDecoder() { inflateEnd(&m_stream->z); }

void HttpContentDecoder::append(QByteArrayView compressed)
{
    if (m_ended || compressed.isEmpty())
        return;
    if (mayRestartRaw() && m_input.size() > kMaxRetainedBytes)
        m_triedRaw = true;   // too late to start again: what comes is taken as it is
    if (m_inputPos == m_input.size() && !mayRestartRaw()) {
        m_input.clear();
        m_inputPos = 0;
    }
    m_input += compressed;
}

bool HttpContentDecoder::restartRaw()
{
    m_triedRaw = true;
    inflateEnd(&m_stream->z);
    m_stream->z = z_stream{};
    m_inputPos = 0;
    return inflateInit2(&m_stream->z, kRawDeflate) == Z_OK;
}

bool HttpContentDecoder::decode(QByteArray &out, qsizetype maxBytes)
{
    if (!m_error.isEmpty())
        return false;
    z_stream &z = m_stream->z;
    while (hasPending() && maxBytes > 0) {
        if (m_betweenMembers) {
            if (m_inputPos >= m_input.size())
                break;
            if (quint8(m_input.at(m_inputPos)) != 0x1f) {
                endBody();   // padding or junk after the last member, which browsers ignore too
                break;
            }
            if (inflateReset(&z) != Z_OK)
                return failWith(QStringLiteral("zlib could not start the next member"));
            m_betweenMembers = false;
        }
        const qsizetype oldSize = out.size();
        const qsizetype inputLeft = m_input.size() - m_inputPos;
        const uInt room = uInt(std::min<qsizetype>(maxBytes, std::numeric_limits<uInt>::max()));
        out.resize(oldSize + room);
        z.next_in = reinterpret_cast<Bytef *>(m_input.data() + m_inputPos);
        z.avail_in = uInt(std::min<qsizetype>(inputLeft, std::numeric_limits<uInt>::max()));
        z.next_out = reinterpret_cast<Bytef *>(out.data() + oldSize);
        z.avail_out = room;
        const int result = inflate(&z, Z_NO_FLUSH);
        const qsizetype produced = qsizetype(room - z.avail_out);
        const qsizetype consumed = inputLeft - qsizetype(z.avail_in);
        out.resize(oldSize + produced);
        m_inputPos += consumed;
        maxBytes -= produced;
        m_producedAny = m_producedAny || produced > 0;
        // A full output buffer may leave output inside zlib even with no input left.
        m_outputPending = z.avail_out == 0;

        if (result == Z_STREAM_END) {
            m_outputPending = false;
            if (m_gzip) {
                m_betweenMembers = true;   // another member may follow, now or in a later read
                continue;
            }
            endBody();   // after a deflate stream nothing belongs to the body
            break;
        }
        if (result == Z_DATA_ERROR && mayRestartRaw() && restartRaw())
            continue;   // "deflate" without the zlib header it should have
        if (result != Z_OK && result != Z_BUF_ERROR)
            return failWith(QStringLiteral("the %1 body is corrupt (%2)")
                                .arg(QString::fromLatin1(m_coding), QString::fromLatin1(z.msg ? z.msg : "zlib error")));
        if (produced == 0 && consumed == 0) {
            m_outputPending = false;
            break;   // needs more input than has come
        }
    }
    if (m_inputPos == m_input.size() && !mayRestartRaw()) {
        m_input.clear();
        m_inputPos = 0;
    }
    return true;
}

void HttpContentDecoder::endBody()
{
    m_ended = true;
    m_input.clear();
    m_inputPos = 0;
}

bool HttpContentDecoder::failWith(const QString &message)
{
    m_error = message;
    return false;
}

bool HttpContentDecoder::mayRestartRaw() const
{
    // Until a "deflate" body has produced something it may turn out to be raw deflate, so its
    // input is kept to start again from; not beyond a bound, though.
    return !m_gzip && !m_triedRaw && !m_producedAny;
}

}   // namespace Clickscope

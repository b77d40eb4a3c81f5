// SPDX-License-Identifier: MIT
#pragma once

#include "core/http/httpresponsehead.h"
#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace Clickscope {

// Where a response body ends (RFC 9112 section 6.3), and the body bytes of what the connection
// carries: a length, chunks, or everything until the server closes. Bytes in, body bytes out,
// errors as values; it holds no more than one chunk-size or trailer line of its own.
class HttpBodyFraming
{
public:
    enum class Kind { Empty, Length, Chunked, UntilClose };

    static constexpr qsizetype kMaxChunkLineBytes = 4 * 1024;   // size and extensions
    static constexpr qsizetype kMaxTrailerBytes = 64 * 1024;

    // The framing of `head`'s body, or nullopt and a reason when the head makes it ambiguous
    // (two different lengths, a length that is not a number, a transfer coding other than chunked).
    static Result<HttpBodyFraming> forResponse(const HttpResponseHead &head, QByteArrayView requestMethod);

    Kind kind() const { return m_kind; }
    // Appends the body bytes in `in` to `body` and consumes all of `in`; what follows the end of
    // the body is ignored. False once the framing is broken (see errorString()).
    bool feed(QByteArrayView in, QByteArray &body);
    // The body has ended by its own framing (never for UntilClose: only the close ends that).
    bool complete() const { return m_state == State::Done; }
    QString errorString() const { return m_error; }

private:
    enum class State { Size, Extension, Data, DataEnd, Trailer, Done, Failed };

    explicit HttpBodyFraming(Kind kind, quint64 length = 0);
    bool fail(const QString &message);
    bool feedChunked(QByteArrayView in, QByteArray &body);

    Kind m_kind;
    State m_state;
    quint64 m_remaining;         // of the body (Length) or of the current chunk (Chunked)
    qsizetype m_lineBytes = 0;   // of the current chunk-size or trailer line, or of all trailers
    bool m_sizeDigits = false;
    bool m_trailerLineEmpty = true;
    QString m_error;
};

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#pragma once

#include "core/http/httpresponsehead.h"
#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>

namespace Clickscope {

// Undoes a response's gzip or deflate Content-Encoding a bounded piece at a time: whatever the
// compression ratio, one decode() never yields more than it is asked for, so a small body that
// inflates to gigabytes is only ever as much work as reading that much data, never that much
// memory.
class HttpContentDecoder
{
public:
    // What a client may advertise in Accept-Encoding, given what forResponse() decodes.
    static constexpr QByteArrayView kAcceptEncoding = "gzip, deflate";

    // nullptr and no error for an identity body; nullptr and a reason for a coding not decoded.
    static Result<std::unique_ptr<HttpContentDecoder>> forResponse(const HttpResponseHead &head);

    ~HttpContentDecoder();
    HttpContentDecoder(const HttpContentDecoder &) = delete;
    HttpContentDecoder &operator=(const HttpContentDecoder &) = delete;

    QByteArray coding() const { return m_coding; }
    void append(QByteArrayView compressed);
    // Appends at most `maxBytes` decoded bytes to `out`. False once the data is corrupt.
    bool decode(QByteArray &out, qsizetype maxBytes);
    // Compressed input remains that decode() has not turned into output yet, or output that
    // did not fit the last call.
    bool hasPending() const { return !m_ended && (m_inputPos < m_input.size() || m_outputPending); }
    QString errorString() const { return m_error; }

private:
    struct Stream;
    HttpContentDecoder(QByteArray coding, bool gzip);
    static constexpr qsizetype kMaxRetainedBytes = 64 * 1024;

    void endBody();
    bool failWith(const QString &message);
    bool mayRestartRaw() const;
    bool restartRaw();

    QByteArray m_coding;
    bool m_gzip;
    std::unique_ptr<Stream> m_stream;
    QByteArray m_input;
    qsizetype m_inputPos = 0;
    bool m_producedAny = false;
    bool m_triedRaw = false;
    bool m_outputPending = false;
    bool m_betweenMembers = false;   // a gzip member has ended
    bool m_ended = false;
    QString m_error;
};

}   // namespace Clickscope

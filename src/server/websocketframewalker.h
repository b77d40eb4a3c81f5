// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace Clickscope {

// Walks the frame headers a WebSocket client sends, a piece of the byte stream at a time, for the
// two things Qt 6.4's server side lets through: a frame without a mask (RFC 6455 5.1: the server
// must fail the connection) and a close frame whose code may not be sent. Payloads are skipped
// unread. Pure arithmetic on bytes, so how the stream is cut into pieces changes nothing, and it
// is tested and fuzzed without a socket; WebSocketFrameWatch feeds it a connection's bytes.
class WebSocketFrameWalker
{
public:
    static constexpr quint16 kProtocolError = 1002;

    // Why the connection must end: the close code to send and the reason.
    struct Violation
    {
        quint16 code = kProtocolError;
        QString reason;
    };

    // Success when a client may send this close code; otherwise why not.
    static Result<void> checkCloseCode(quint16 code);

    // Walks the next bytes of the stream. Returns the violation they complete, once; after it,
    // or after a proper close frame, the walk has stopped and bytes are ignored.
    std::optional<Violation> walk(QByteArrayView bytes);
    // When the next `n` bytes all lie inside the current payload, skips them and returns true:
    // they need not be looked at.
    bool skipWithinPayload(quint64 n);
    // A violation was found or the client closed properly: nothing more is checked.
    bool stopped() const { return m_stopped; }

private:
    enum class Step { Header, Length, Mask, CloseCode, Payload };

    // One field of a frame header is complete in m_field: judge it and say what comes next.
    std::optional<Violation> fieldDone();
    void skipPayload(quint64 n);

    Step m_step = Step::Header;
    unsigned char m_field[8] = {};
    qsizetype m_fieldHave = 0;
    qsizetype m_fieldSize = 2;
    quint8 m_opcode = 0;
    quint64 m_payloadLeft = 0;
    unsigned char m_mask[4] = {};
    bool m_stopped = false;
};

}   // namespace Clickscope

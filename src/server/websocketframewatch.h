// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include <QByteArray>
#include <QObject>
#include <QString>

#include <optional>

class QTcpSocket;

namespace Clickscope {

// Reads the frame headers a WebSocket client sends, ahead of Qt, for the two things Qt 6.4's
// server side lets through: a frame without a mask (RFC 6455 5.1: the server must fail the
// connection) and a close frame whose code may not be sent (Qt answers 999 with a close that
// names the wrong code). Either ends the connection here with a close of 1002 that says why.
//
// It only peeks: the bytes stay for QWebSocket, whose readyRead slot is a queued one, so it
// reads them after this watch's. Which bytes in Qt's buffer are new is known from the kernel's count of bytes received
// less what it still holds, so the walk stays exact however much QWebSocket has taken since.
// Lives as a child of the socket.
class WebSocketFrameWatch : public QObject
{
    Q_OBJECT
public:
    explicit WebSocketFrameWatch(QTcpSocket *socket);

    // Success when a client may send this close code; otherwise why not.
    static Result<void> checkCloseCode(quint16 code);

private:
    enum class Step { Header, Length, Mask, CloseCode, Payload };

    void walkNewBytes();
    void skipPayload(quint64 n);
    bool headerDone();
    bool stopWatching();   // returns false, for headerDone()
    void fail(quint16 code, const QString &reason);
    // Bytes of the connection Qt has taken from the kernel so far, or -1 if the kernel cannot say.
    qint64 bytesTakenByQt() const;

    QTcpSocket *m_socket;
    qint64 m_walked = 0;   // bytes of the connection this watch has seen
    Step m_step = Step::Header;
    QByteArray m_field;   // the bytes of the header field being collected
    qsizetype m_fieldSize = 2;
    quint8 m_opcode = 0;
    quint64 m_payloadLeft = 0;
    quint8 m_mask[4] = {};
    bool m_done = false;   // failed, or the client closed properly
};

}   // namespace Clickscope

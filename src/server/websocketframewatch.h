// SPDX-License-Identifier: MIT
#pragma once

#include "server/websocketframewalker.h"

#include <QByteArray>
#include <QObject>
#include <QString>

class QTcpSocket;

namespace Clickscope {

// Checks the frames a WebSocket client sends with a WebSocketFrameWalker, ahead of Qt, whose
// server side lets a frame without a mask and a close with a code that may not be sent through.
// Either ends the connection here with a close of 1002 that says why.
//
// It only peeks: the bytes stay for QWebSocket, whose readyRead slot is a queued one, so it
// reads them after this watch's. Which bytes in Qt's buffer are new is known from the kernel's
// count of bytes received less what it still holds, so the walk stays exact however much
// QWebSocket has taken since. Lives as a child of the socket.
class WebSocketFrameWatch : public QObject
{
    Q_OBJECT
public:
    explicit WebSocketFrameWatch(QTcpSocket *socket);

private:
    void walkNewBytes();
    void stopWatching();
    void fail(quint16 code, const QString &reason);
    // Bytes of the connection Qt has taken from the kernel so far, or -1 if the kernel cannot say.
    qint64 bytesTakenByQt() const;

    QTcpSocket *m_socket;
    WebSocketFrameWalker m_walker;
    qint64 m_walked = 0;   // bytes of the connection the walker has seen
    bool m_done = false;   // failed, or the client closed properly
};

}   // namespace Clickscope

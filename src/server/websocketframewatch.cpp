// SPDX-License-Identifier: MIT
#include "server/websocketframewatch.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace Clickscope {
namespace {

Q_LOGGING_CATEGORY(lcFrames, "clickscope.server.websocket")

constexpr quint8 kOpClose = 0x8;
constexpr quint16 kInternalError = 1011;
constexpr qsizetype kMaxCloseReason = 123;   // a control frame carries 125 bytes, 2 are the code
// TCP states (the kernel's numbering) in which the peer's FIN has arrived.
constexpr quint8 kTimeWait = 6, kCloseWait = 8, kLastAck = 9, kClosing = 11;

}   // namespace

WebSocketFrameWatch::WebSocketFrameWatch(QTcpSocket *socket) : QObject(socket), m_socket(socket)
{
    // An urgent byte is counted as received but skipped by reads unless it stays in line.
    const int inLine = 1;
    setsockopt(int(socket->socketDescriptor()), SOL_SOCKET, SO_OOBINLINE, &inLine, sizeof inLine);
    const qint64 taken = bytesTakenByQt();
    if (taken < 0) {
        qCWarning(lcFrames) << "the kernel does not count received bytes; WebSocket frames go unchecked";
        return;
    }
    // What is buffered now (frames sent right behind the handshake) is walked as new, but for
    // the handshake request itself when Qt has not read it yet. A frame never starts with a
    // letter: that would set reserved bits no extension here allows.
    m_walked = taken - socket->bytesAvailable();
    const QByteArray buffered = socket->peek(socket->bytesAvailable());
    if (!buffered.isEmpty() && QChar::isUpper(uchar(buffered.front()))) {
        const qsizetype headEnd = buffered.indexOf("\r\n\r\n");
        if (headEnd >= 0)
            m_walked += headEnd + 4;
    }
    connect(socket, &QTcpSocket::readyRead, this, &WebSocketFrameWatch::walkNewBytes);
    walkNewBytes();
}

qint64 WebSocketFrameWatch::bytesTakenByQt() const
{
    const int fd = int(m_socket->socketDescriptor());
    // Received and still queued are read twice around each other: a packet landing in between
    // would otherwise be counted as taken.
    for (int attempt = 0; attempt < 8; ++attempt) {
        tcp_info before{}, after{};
        socklen_t size = sizeof before;
        int queued = 0;
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &before, &size) != 0 || size < sizeof before
            || ioctl(fd, SIOCINQ, &queued) != 0)
            return -1;
        size = sizeof after;
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &after, &size) != 0)
            return -1;
        if (before.tcpi_bytes_received == after.tcpi_bytes_received) {
            // The client's FIN takes one number of the sequence the kernel counts, not a byte.
            const bool finReceived = after.tcpi_state == kCloseWait || after.tcpi_state == kLastAck
                                     || after.tcpi_state == kClosing || after.tcpi_state == kTimeWait;
            return qint64(after.tcpi_bytes_received) - queued - (finReceived ? 1 : 0);
        }
    }
    return -1;
}

void WebSocketFrameWatch::walkNewBytes()
{
    // Once the connection is gone there is nothing left to protect, and the kernel has nothing
    // to count; the last frames are Qt's to deliver.
    if (m_done || m_socket->socketDescriptor() < 0)
        return;
    const qint64 taken = bytesTakenByQt();
    const qint64 buffered = m_socket->bytesAvailable();
    const qint64 fresh = taken - m_walked;
    if (taken < 0 || fresh > buffered) {
        // Qt read some before us: the walk has lost its place. Letting frames through unchecked
        // would be worse than ending the connection.
        fail(kInternalError, QStringLiteral("the server lost track of the frames"));
        return;
    }
    if (fresh <= 0)
        return;
    m_walked = taken;
    // Inside a payload nothing needs to be looked at, whatever its size.
    if (m_walker.skipWithinPayload(quint64(fresh)))
        return;
    if (const std::optional<WebSocketFrameWalker::Violation> violation =
            m_walker.walk(m_socket->peek(buffered).last(fresh)))
        fail(violation->code, violation->reason);
    else if (m_walker.stopped())
        stopWatching();   // the client has said goodbye properly; what it sends after is Qt's to ignore
}

void WebSocketFrameWatch::stopWatching()
{
    m_done = true;
    disconnect(m_socket, nullptr, this, nullptr);
}

void WebSocketFrameWatch::fail(quint16 code, const QString &reason)
{
    stopWatching();
    qCInfo(lcFrames) << "closing a WebSocket connection:" << reason;
    // Nothing of what came stays for QWebSocket, which would answer it in its own words.
    m_socket->skip(m_socket->bytesAvailable());
    const QByteArray text = reason.toUtf8().left(kMaxCloseReason);
    QByteArray frame;
    frame.append(char(0x80 | kOpClose)).append(char(2 + text.size()));
    frame.append(char(code >> 8)).append(char(code & 0xff)).append(text);
    m_socket->write(frame);
    m_socket->disconnectFromHost();
}

}   // namespace Clickscope

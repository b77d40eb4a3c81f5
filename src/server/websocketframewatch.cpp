// SPDX-License-Identifier: MIT
#include "server/websocketframewatch.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QtEndian>

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace Clickscope {
namespace {

Q_LOGGING_CATEGORY(lcFrames, "clickscope.server.websocket")

constexpr quint8 kOpClose = 0x8;
constexpr quint16 kProtocolError = 1002;
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

Result<void> WebSocketFrameWatch::checkCloseCode(quint16 code)
{
    const bool allowed =
        (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    if (allowed)
        return {};
    if (code == 1005 || code == 1006 || code == 1015)
        return unexpected(QStringLiteral("close code %1 is reserved and may not be sent").arg(code));
    return unexpected(QStringLiteral("invalid close code %1").arg(code));
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
    if (m_step == Step::Payload && m_payloadLeft >= quint64(fresh)) {
        skipPayload(quint64(fresh));
        return;
    }
    const QByteArray bytes = m_socket->peek(buffered).last(fresh);
    qsizetype at = 0;
    while (at < bytes.size()) {
        if (m_step == Step::Payload) {
            const auto n = qsizetype(std::min<quint64>(m_payloadLeft, quint64(bytes.size() - at)));
            skipPayload(quint64(n));
            at += n;
            continue;
        }
        m_field.append(bytes.at(at++));
        if (m_field.size() < m_fieldSize)
            continue;
        const bool goOn = headerDone();
        m_field.clear();
        if (!goOn)
            return;
    }
}

void WebSocketFrameWatch::skipPayload(quint64 n)
{
    m_payloadLeft -= n;
    if (m_payloadLeft == 0) {
        m_step = Step::Header;
        m_fieldSize = 2;
    }
}

// One field of a frame header is complete in m_field: judge it and say what comes next.
bool WebSocketFrameWatch::headerDone()
{
    const auto *b = reinterpret_cast<const uchar *>(m_field.constData());
    switch (m_step) {
    case Step::Header: {
        m_opcode = b[0] & 0x0f;
        if (!(b[1] & 0x80)) {
            fail(kProtocolError, QStringLiteral("a client frame without a mask"));
            return false;
        }
        const quint8 length = b[1] & 0x7f;
        if (length >= 126) {
            m_step = Step::Length;
            m_fieldSize = length == 126 ? 2 : 8;
        } else {
            m_payloadLeft = length;
            m_step = Step::Mask;
            m_fieldSize = 4;
        }
        return true;
    }
    case Step::Length:
        m_payloadLeft = m_fieldSize == 2 ? qFromBigEndian<quint16>(b) : qFromBigEndian<quint64>(b);
        m_step = Step::Mask;
        m_fieldSize = 4;
        return true;
    case Step::Mask:
        std::copy(b, b + 4, m_mask);
        if (m_opcode == kOpClose && m_payloadLeft == 1) {
            fail(kProtocolError, QStringLiteral("a close frame with a one-byte payload"));
            return false;
        }
        if (m_opcode == kOpClose && m_payloadLeft >= 2) {
            m_step = Step::CloseCode;
            m_fieldSize = 2;
            return true;
        }
        if (m_opcode == kOpClose)
            return stopWatching();
        break;
    case Step::CloseCode: {
        const uchar code[2] = {uchar(b[0] ^ m_mask[0]), uchar(b[1] ^ m_mask[1])};
        if (const Result<void> allowed = checkCloseCode(qFromBigEndian<quint16>(code)); !allowed) {
            fail(kProtocolError, allowed.error());
            return false;
        }
        // The client has said goodbye properly; what it sends after is Qt's to ignore.
        return stopWatching();
    }
    case Step::Payload:
        break;
    }
    if (m_payloadLeft > 0) {
        m_step = Step::Payload;
    } else {
        m_step = Step::Header;
        m_fieldSize = 2;
    }
    return true;
}

bool WebSocketFrameWatch::stopWatching()
{
    m_done = true;
    disconnect(m_socket, nullptr, this, nullptr);
    return false;
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

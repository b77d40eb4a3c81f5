// SPDX-License-Identifier: MIT
#include "websocketframewatch.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QtEndian>

#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace Clickscope {
namespace {

Q_LOGGING_CATEGORY(lcFrames, "clickscope.server.websocket")

constexpr quint8 kOpClose = 0x8;
constexpr quint16 kProtocolError = 1002;
constexpr qsizetype kMaxCloseReason = 123;   // a control frame carries 125 bytes, 2 are the code

} // namespace

WebSocketFrameWatch::WebSocketFrameWatch(QTcpSocket *socket)
    : QObject(socket), m_socket(socket)
{
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

std::optional<QString> WebSocketFrameWatch::closeCodeProblem(quint16 code)
{
    const bool allowed = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    if (allowed)
        return std::nullopt;
    if (code == 1005 || code == 1006 || code == 1015)
        return QStringLiteral("close code %1 is reserved and may not be sent").arg(code);
    return QStringLiteral("invalid close code %1").arg(code);
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
        if (before.tcpi_bytes_received == after.tcpi_bytes_received)
            return qint64(after.tcpi_bytes_received) - queued;
    }
    return -1;
}

void WebSocketFrameWatch::walkNewBytes()
{
    if (m_failed)
        return;
    const qint64 taken = bytesTakenByQt();
    const qint64 buffered = m_socket->bytesAvailable();
    const qint64 fresh = taken - m_walked;
    if (taken < 0 || fresh > buffered) {
        // Qt read some before us: the walk has lost its place, and guessing would be worse.
        qCWarning(lcFrames) << "lost track of the WebSocket frames; they go unchecked from here";
        disconnect(m_socket, nullptr, this, nullptr);
        return;
    }
    if (fresh <= 0)
        return;
    const QByteArray bytes = m_socket->peek(buffered).last(fresh);
    m_walked = taken;
    for (const char byte : bytes) {
        if (!feed(byte))
            return;
    }
}

bool WebSocketFrameWatch::feed(char byte)
{
    if (m_step == Step::Payload) {
        --m_payloadLeft;
        if (m_payloadLeft == 0)
            m_step = Step::Header, m_fieldSize = 2;
        return true;
    }
    m_field.append(byte);
    if (m_field.size() < m_fieldSize)
        return true;
    const bool ok = headerDone();
    m_field.clear();
    return ok;
}

// One field of a frame header is complete in m_field: judge it and say what comes next.
bool WebSocketFrameWatch::headerDone()
{
    const auto *b = reinterpret_cast<const uchar *>(m_field.constData());
    switch (m_step) {
    case Step::Header: {
        m_opcode = b[0] & 0x0f;
        if (!(b[1] & 0x80)) {
            fail(QStringLiteral("a client frame without a mask"));
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
            fail(QStringLiteral("a close frame with a one-byte payload"));
            return false;
        }
        if (m_opcode == kOpClose && m_payloadLeft >= 2) {
            m_step = Step::CloseCode;
            m_fieldSize = 2;
            return true;
        }
        break;
    case Step::CloseCode: {
        const uchar code[2] = {uchar(b[0] ^ m_mask[0]), uchar(b[1] ^ m_mask[1])};
        if (const auto problem = closeCodeProblem(qFromBigEndian<quint16>(code))) {
            fail(*problem);
            return false;
        }
        m_payloadLeft -= 2;
        break;
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

void WebSocketFrameWatch::fail(const QString &reason)
{
    m_failed = true;
    qCInfo(lcFrames) << "closing a WebSocket connection:" << reason;
    disconnect(m_socket, nullptr, this, nullptr);
    // Nothing of what came stays for QWebSocket, which would answer it in its own words.
    m_socket->skip(m_socket->bytesAvailable());
    const QByteArray text = reason.toUtf8().left(kMaxCloseReason);
    QByteArray frame;
    frame.append(char(0x80 | kOpClose)).append(char(2 + text.size()));
    frame.append(char(kProtocolError >> 8)).append(char(kProtocolError & 0xff)).append(text);
    m_socket->write(frame);
    m_socket->disconnectFromHost();
}

} // namespace Clickscope

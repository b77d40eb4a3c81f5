// SPDX-License-Identifier: MIT
#include "support/floodserver.h"

#include <QCryptographicHash>
#include <QTcpSocket>

namespace Clickscope::Testing {
namespace {

// Enough queued in the socket to keep the kernel busy, not so much that this side buffers much.
constexpr qint64 kQueuedBytes = 4 * 1024 * 1024;
constexpr qint64 kBlockBytes = 256 * 1024;

}   // namespace

FloodServer::FloodServer(QByteArray head, QByteArray pattern, qint64 maxBytes)
    : m_head(std::move(head))
    , m_pattern(std::move(pattern))
    , m_maxBytes(maxBytes)
{}

std::unique_ptr<FloodServer> FloodServer::webSocket(const QByteArray &message, qint64 maxBytes)
{
    Q_ASSERT(message.size() < 126);   // one byte of length keeps the framing here trivial
    const QByteArray frame = QByteArray(1, char(0x81)) + char(message.size()) + message;
    auto server = std::make_unique<FloodServer>(QByteArray(), frame, maxBytes);
    server->m_webSocket = true;
    return server;
}

QByteArray FloodServer::answerTo(const QByteArray &request) const
{
    if (!m_webSocket)
        return m_head;
    QByteArray key;
    for (const QByteArray &line : request.split('\n')) {
        if (line.toLower().startsWith("sec-websocket-key:"))
            key = line.mid(line.indexOf(':') + 1).trimmed();
    }
    const QByteArray accept =
        QCryptographicHash::hash(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1).toBase64();
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: "
           + accept + "\r\n\r\n";
}

QByteArray FloodServer::sseHead()
{
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";
}

bool FloodServer::listen()
{
    // Everything of the server lives in its thread: the listener, the sockets, the writing.
    return m_server.listen([this](QTcpSocket *socket) {
        const QByteArray block = m_pattern.isEmpty()
                                     ? QByteArray()
                                     : m_pattern.repeated(std::max<qsizetype>(1, kBlockBytes / m_pattern.size()));
        auto answering = std::make_shared<bool>(false);   // the request has come
        auto request = std::make_shared<QByteArray>();
        const auto refill = [this, socket, block, answering] {
            if (!*answering)
                return;
            while (socket->bytesToWrite() < kQueuedBytes && m_written.load() < m_maxBytes) {
                socket->write(block);
                m_written += block.size();
            }
            if (m_written.load() >= m_maxBytes)
                m_finished = true;
        };
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, refill, answering, request] {
            if (*answering) {
                socket->readAll();
            } else if ((*request += socket->readAll()).contains("\r\n\r\n")) {
                *answering = true;
                socket->write(answerTo(*request));
            }
            refill();
        });
        QObject::connect(socket, &QTcpSocket::bytesWritten, socket, refill);
    });
}

QUrl FloodServer::url() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2/flood").arg(m_webSocket ? "ws" : "http").arg(m_server.port()));
}

}   // namespace Clickscope::Testing

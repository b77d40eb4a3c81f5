// SPDX-License-Identifier: MIT
#include "floodserver.h"

#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>

namespace Clickscope::Testing {
namespace {

// Enough queued in the socket to keep the kernel busy, not so much that this side buffers much.
constexpr qint64 kQueuedBytes = 4 * 1024 * 1024;
constexpr qint64 kBlockBytes = 256 * 1024;

} // namespace

FloodServer::FloodServer(QByteArray head, QByteArray pattern, qint64 maxBytes)
    : m_head(std::move(head)), m_pattern(std::move(pattern)), m_maxBytes(maxBytes)
{
    m_thread.setObjectName(QStringLiteral("flood-server"));
}

FloodServer::~FloodServer()
{
    m_thread.quit();
    m_thread.wait();
}

QByteArray FloodServer::sseHead()
{
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";
}

bool FloodServer::listen()
{
    QSemaphore ready;
    // Everything of the server lives in the thread: the listener, the sockets, the writing.
    QObject::connect(&m_thread, &QThread::started, [this, &ready] {
        auto *server = new QTcpServer;
        QObject::connect(&m_thread, &QThread::finished, server, &QObject::deleteLater);
        if (server->listen(QHostAddress::LocalHost, 0))
            m_port = server->serverPort();
        ready.release();
        QObject::connect(server, &QTcpServer::newConnection, server, [this, server] {
            while (QTcpSocket *socket = server->nextPendingConnection()) {
                QByteArray block = m_pattern.repeated(std::max<qsizetype>(1, kBlockBytes / m_pattern.size()));
                auto answering = std::make_shared<bool>(false);   // the request has come
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
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, refill, answering] {
                    socket->readAll();
                    if (!*answering) {
                        *answering = true;
                        socket->write(m_head);
                    }
                    refill();
                });
                QObject::connect(socket, &QTcpSocket::bytesWritten, socket, refill);
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    });
    m_thread.start();
    ready.acquire();
    return m_port.load() != 0;
}

QUrl FloodServer::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/flood").arg(m_port.load()));
}

} // namespace Clickscope::Testing

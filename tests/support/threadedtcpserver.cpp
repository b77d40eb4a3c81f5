// SPDX-License-Identifier: MIT
#include "support/threadedtcpserver.h"

#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>

namespace Clickscope::Testing {

ThreadedTcpServer::ThreadedTcpServer(const QString &threadName) { m_thread.setObjectName(threadName); }

ThreadedTcpServer::~ThreadedTcpServer()
{
    m_thread.quit();
    m_thread.wait();
}

bool ThreadedTcpServer::listen(Handler onConnection)
{
    QSemaphore ready;
    QObject::connect(&m_thread, &QThread::started, [this, &ready, onConnection = std::move(onConnection)] {
        auto *server = new QTcpServer;
        QObject::connect(&m_thread, &QThread::finished, server, &QObject::deleteLater);
        if (server->listen(QHostAddress::LocalHost, 0))
            m_port = server->serverPort();
        ready.release();
        QObject::connect(server, &QTcpServer::newConnection, server, [server, onConnection] {
            while (QTcpSocket *socket = server->nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                onConnection(socket);
            }
        });
    });
    m_thread.start();
    ready.acquire();
    return m_port.load() != 0;
}

}   // namespace Clickscope::Testing

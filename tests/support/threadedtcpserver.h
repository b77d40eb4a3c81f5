// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QThread>

#include <atomic>
#include <functional>

class QTcpSocket;

namespace Clickscope::Testing {

// A QTcpServer on 127.0.0.1 in a thread of its own, for test servers that must not wait for the
// test's thread: the listener, its sockets and everything they do live in that thread.
class ThreadedTcpServer
{
public:
    // Called in the server's thread for each new connection; the socket is deleted when it
    // disconnects.
    using Handler = std::function<void(QTcpSocket *socket)>;

    explicit ThreadedTcpServer(const QString &threadName);
    ~ThreadedTcpServer();

    // Starts the thread and listens on an ephemeral port; false when it cannot.
    bool listen(Handler onConnection);
    quint16 port() const { return m_port.load(); }

private:
    QThread m_thread;
    std::atomic<quint16> m_port{0};
};

}   // namespace Clickscope::Testing

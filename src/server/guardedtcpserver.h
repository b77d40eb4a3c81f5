// SPDX-License-Identifier: MIT
#pragma once

#include <QTcpServer>

namespace Clickscope {

// The listening socket in front of QHttpServer (via QAbstractHttpServer::bind). QHttpServer 6.4
// reads a whole request body into memory before any handler runs, with no limit, so this server
// looks at each connection's first request head (without consuming it) and answers an oversized
// or unbounded body itself: 413 over the limit, 411 for chunked bodies, 431 for a huge head,
// 408 for a head that never completes. Only then is the connection handed to QHttpServer.
// Later requests on a kept-alive connection are bounded by a per-connection byte budget.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    struct Limits
    {
        qint64 maxHeadBytes = 16 * 1024;
        qint64 maxBodyBytes = 1024 * 1024;
        int headTimeoutMs = 10'000;
        // Everything one connection may send to QHttpServer; then it is closed (clients reconnect).
        qint64 maxConnectionBytes = 8 * 1024 * 1024;
    };

    explicit GuardedTcpServer(Limits limits, QObject *parent = nullptr);

    quint64 refusedRequests() const { return m_refused; }
    const Limits &limits() const { return m_limits; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    void onReadyRead(QTcpSocket *socket);
    void inspectHead(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, int status, const QByteArray &reason, const QString &message);
    void handOver(QTcpSocket *socket);

    Limits m_limits;
    quint64 m_refused = 0;
};

} // namespace Clickscope

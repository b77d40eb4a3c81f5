// SPDX-License-Identifier: MIT
#pragma once

#include <QTcpServer>

namespace Clickscope {

// The listening socket in front of QHttpServer (via QAbstractHttpServer::bind). QHttpServer 6.4
// reads a whole request body into memory before any handler runs, with no limit, so this server
// reads along: for every request head on a connection (found in the bytes QHttpServer has not
// consumed yet, without consuming them) it checks the announced body and answers itself, before
// QHttpServer reads on: 413 over the limit, 411 for chunked bodies, 431 for a huge head, 408 for a
// first head that never completes. Connections upgraded to WebSocket are left to QWebSocket.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    struct Limits
    {
        qint64 maxHeadBytes = 16 * 1024;
        qint64 maxBodyBytes = 1024 * 1024;
        int headTimeoutMs = 10'000;
    };

    explicit GuardedTcpServer(Limits limits, QObject *parent = nullptr);

    quint64 refusedRequests() const { return m_refused; }
    const Limits &limits() const { return m_limits; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    class Framing;

    void onReadyRead(QTcpSocket *socket, Framing *framing);
    void refuse(QTcpSocket *socket, Framing *framing, int status, const QByteArray &reason, const QString &message);
    void handOver(QTcpSocket *socket, Framing *framing);

    Limits m_limits;
    quint64 m_refused = 0;
};

} // namespace Clickscope

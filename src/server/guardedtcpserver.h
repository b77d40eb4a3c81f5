// SPDX-License-Identifier: MIT
#pragma once

#include <QTcpServer>
#include <QTimer>

namespace Clickscope {

// The listening socket in front of QHttpServer (via QAbstractHttpServer::bind). QHttpServer 6.4
// reads a whole request body into memory before any handler runs, with no limit, keeps idle
// connections forever and never closes one by itself, so this server reads along: for every
// request head on a connection (found in the bytes QHttpServer has not consumed yet, without
// consuming them) it judges the head (RequestHead) and answers itself, before QHttpServer reads
// on: 400 for an ambiguous or malformed head, 413 over the body limit, 411 for chunked bodies,
// 431 for a huge head, 408 for a head or body that does not arrive in time.
//
// It also bounds what a connection may hold: an idle kept-alive connection is closed after
// `idleTimeoutMs`; one that asked to close (Connection: close, HTTP/1.0) is closed after its
// response; one that carries an endless response (carryStream()) serves nothing else and its
// client's further bytes are discarded unread; at most `maxConnections` are open, later ones get
// 503. A connection QHttpServer hands to its WebSocket server leaves this guard.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    struct Limits
    {
        qint64 maxHeadBytes = 16 * 1024;
        qint64 maxBodyBytes = 1024 * 1024;
        int headTimeoutMs = 10'000;   // a request head, from its first byte (the first one: from connecting)
        int bodyTimeoutMs = 10'000;   // a body, from the end of its head: at least maxBodyBytes / this
        int idleTimeoutMs = 5'000;    // between requests on a kept-alive connection
        int maxConnections = 0;       // open TCP connections; 0: the file-descriptor limit less a reserve
    };

    explicit GuardedTcpServer(Limits limits, QObject *parent = nullptr);

    // The connection now carries a response without end (an event stream): it serves no other
    // request, and what its client sends from now on is discarded unread. False, and nothing
    // changes, when it already carries one or is being closed: the request is not to be served.
    bool carryStream(QTcpSocket *socket);
    // False when a request that arrived on `socket` must not be answered: the connection carries
    // a stream, or is being closed.
    bool servesRequests(const QTcpSocket *socket) const;

    quint64 refusedRequests() const { return m_refused; }
    quint64 refusedConnections() const { return m_refusedConnections; }
    quint64 idleClosed() const { return m_idleClosed; }
    int openConnections() const { return m_open; }
    const Limits &limits() const { return m_limits; }

    // The soft limit on open file descriptors of this process.
    static int fileDescriptorLimit();

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    class Framing;

    void onReadyRead(QTcpSocket *socket, Framing *framing);
    void requestComplete(QTcpSocket *socket, Framing *framing, bool close);
    void onTimeout(QTcpSocket *socket, Framing *framing);
    void refuse(QTcpSocket *socket, Framing *framing, int status, const QByteArray &reason, const QString &message);
    void handOver(QTcpSocket *socket, Framing *framing);
    void checkUpgrade(QTcpSocket *socket, Framing *framing);
    void finishClosing(QTcpSocket *socket, Framing *framing);
    void connectionClosed();
    void releaseMemory();

    Limits m_limits;
    QTimer m_releaseMemory;
    quint64 m_refused = 0;
    quint64 m_refusedConnections = 0;
    quint64 m_idleClosed = 0;
    int m_open = 0;
    int m_peakSinceRelease = 0;
};

}   // namespace Clickscope

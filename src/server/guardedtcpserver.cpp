// SPDX-License-Identifier: MIT
#include "server/guardedtcpserver.h"

#include "server/requesthead.h"
#include "server/websocketframewatch.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>

#include <algorithm>

#include <sys/resource.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace Clickscope {
namespace {

// Many dashboards reconnecting at once after a restart must not overflow Qt's default of 50.
constexpr int kListenBacklog = 1024;
// Descriptors kept free for everything but connections (files, the event loop, the listener):
// with none left, accept() fails and the listening socket stays readable, a busy loop.
constexpr int kReservedDescriptors = 128;
constexpr int kMinConnections = 16;
// A burst of at least this many connections, half of them gone again, returns freed heap pages
// to the system: glibc keeps them otherwise, and a flood would leave the process large for good.
constexpr int kBurstConnections = 256;
constexpr int kReleaseDelayMs = 1000;
// How a socket's Framing is found again (it has no meta-object of its own to search by).
constexpr auto kFramingName = "clickscope-framing";

QByteArray errorResponse(int status, const QByteArray &reason, const QString &message,
                         const QByteArray &extraHeaders = {})
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("error"), message}}).toJson(QJsonDocument::Compact);
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
           + "\r\nContent-Type: application/json\r\nConnection: close\r\n" + extraHeaders
           + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

}   // namespace

// Where a connection's byte stream is. A child of its socket, so it (and its timer) go with the
// socket, whoever deletes it.
class GuardedTcpServer::Framing : public QObject
{
public:
    enum class Stage {
        Head,         // in a request head, or waiting for the first one
        Body,         // in a request body
        Idle,         // between requests
        Closing,      // the last request has arrived; the rest is discarded
        Discarding,   // refused, or carrying a stream: what the client sends is discarded
        WebSocket,    // QHttpServer gave it to its WebSocket server; not ours to watch
    };

    Framing(QTcpSocket *socket, GuardedTcpServer *server) : QObject(socket), timer(this), m_server(server)
    {
        setObjectName(QLatin1String(kFramingName));
        timer.setSingleShot(true);
    }
    static Framing *of(const QTcpSocket *socket)
    {
        return socket ? static_cast<Framing *>(
                   socket->findChild<QObject *>(QLatin1String(kFramingName), Qt::FindDirectChildrenOnly))
                      : nullptr;
    }
    ~Framing() override
    {
        // Null while the server itself is being destroyed: it takes its connections along.
        if (m_server)
            m_server->connectionClosed();
    }

    Stage stage = Stage::Head;
    bool handedOver = false;     // QHttpServer reads this connection
    bool streaming = false;      // a request on it is answered by an endless stream
    QByteArray head;             // the part of a request head seen so far
    qsizetype walkedAhead = 0;   // bytes at the front of the socket buffer already walked through
    qint64 bodyRemaining = 0;    // bytes of the current request's body still to come
    bool closeAfterBody = false;
    QTimer timer;                      // the deadline of the current stage
    QMetaObject::Connection reading;   // cut by QHttpServer when it hands the socket on

private:
    QPointer<GuardedTcpServer> m_server;
};

GuardedTcpServer::GuardedTcpServer(Limits limits, QObject *parent) : QTcpServer(parent), m_limits(limits)
{
    setListenBacklogSize(kListenBacklog);
    if (m_limits.maxConnections <= 0)
        m_limits.maxConnections = std::max(kMinConnections, fileDescriptorLimit() - kReservedDescriptors);
    m_releaseMemory.setSingleShot(true);
    m_releaseMemory.setInterval(kReleaseDelayMs);
    connect(&m_releaseMemory, &QTimer::timeout, this, &GuardedTcpServer::releaseMemory);
}

int GuardedTcpServer::fileDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return 1024;
    return int(std::min<rlim_t>(limit.rlim_cur, 1 << 30));
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    if (m_open >= m_limits.maxConnections) {
        ++m_refusedConnections;
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->write(errorResponse(503, "Service Unavailable",
                                    QStringLiteral("too many open connections (limit %1)").arg(m_limits.maxConnections),
                                    "Retry-After: 5\r\n"));
        socket->disconnectFromHost();
        if (socket->state() == QAbstractSocket::UnconnectedState)
            socket->deleteLater();
        return;
    }
    ++m_open;
    m_peakSinceRelease = std::max(m_peakSinceRelease, m_open);
    auto *framing = new Framing(socket, this);
    // Connected before QHttpServer's own readyRead slot, so it always sees new bytes first.
    framing->reading =
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, framing] { onReadyRead(socket, framing); });
    connect(socket, &QTcpSocket::disconnected, socket, [socket, framing] {
        if (!framing->handedOver)
            socket->deleteLater();   // once handed over, QHttpServer deletes it
    });
    connect(&framing->timer, &QTimer::timeout, this, [this, socket, framing] { onTimeout(socket, framing); });
    framing->timer.start(m_limits.headTimeoutMs);
}

bool GuardedTcpServer::carryStream(QTcpSocket *socket)
{
    Framing *framing = Framing::of(socket);
    if (!framing || framing->streaming)
        return false;
    framing->streaming = true;
    if (framing->stage != Framing::Stage::Closing) {
        framing->stage = Framing::Stage::Discarding;
        framing->head.clear();
    }
    framing->timer.stop();
    return true;
}

bool GuardedTcpServer::servesRequests(const QTcpSocket *socket) const
{
    const Framing *framing = Framing::of(socket);
    return framing && !framing->streaming;
}

void GuardedTcpServer::onReadyRead(QTcpSocket *socket, Framing *framing)
{
    using Stage = Framing::Stage;
    if (framing->stage == Stage::WebSocket)
        return;
    if (framing->stage == Stage::Discarding || framing->stage == Stage::Closing) {
        if (framing->walkedAhead == 0) {
            socket->skip(socket->bytesAvailable());   // keep nothing of what still comes
            return;
        }
        // The last request, walked before the hand-over, is still for QHttpServer to read; the
        // bytes behind it cannot be dropped without it.
        if (socket->bytesAvailable() > framing->walkedAhead) {
            refuse(socket, framing, 400, "Bad Request",
                   QStringLiteral("a request after one that asked to close the connection"));
            return;
        }
        framing->walkedAhead = 0;
        return;
    }
    // Only peeked at, never read: the bytes stay for QHttpServer. It reads everything on each
    // readyRead, after this slot, so what is buffered now is new to us but for the bytes walked
    // before it had its first look (the first request, walked before the hand-over).
    const QByteArray fresh = socket->peek(socket->bytesAvailable());
    const bool readAfterUs = framing->handedOver;
    qsizetype pos = framing->walkedAhead;
    while (pos < fresh.size()) {
        if (framing->stage == Stage::Body) {
            const qint64 take = std::min<qint64>(framing->bodyRemaining, fresh.size() - pos);
            framing->bodyRemaining -= take;
            pos += take;
            if (framing->bodyRemaining == 0)
                requestComplete(socket, framing, framing->closeAfterBody);
            continue;
        }
        if (framing->stage == Stage::Closing) {
            refuse(socket, framing, 400, "Bad Request",
                   QStringLiteral("a request after one that asked to close the connection"));
            return;
        }
        if (framing->stage == Stage::Idle) {
            framing->stage = Stage::Head;
            framing->timer.start(m_limits.headTimeoutMs);
        }
        const qsizetype before = framing->head.size();
        framing->head += QByteArrayView(fresh).sliced(pos).first(
            std::min<qsizetype>(fresh.size() - pos, m_limits.maxHeadBytes + 4 - before));
        const qsizetype end = framing->head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (framing->head.size() > m_limits.maxHeadBytes) {
                refuse(socket, framing, 431, "Request Header Fields Too Large",
                       QStringLiteral("the request head is over %1 bytes").arg(m_limits.maxHeadBytes));
                return;
            }
            break;   // wait for the rest of the head
        }
        const RequestHead verdict = RequestHead::judge(QByteArrayView(framing->head).first(end), m_limits.maxBodyBytes);
        if (!verdict.acceptable()) {
            refuse(socket, framing, verdict.status, verdict.reason, verdict.message);
            return;
        }
        pos += end + 4 - before;
        framing->head.clear();
        if (!framing->handedOver)
            handOver(socket, framing);
        if (verdict.upgrade) {
            // Whether QHttpServer really switches protocols shows only after it has seen the head.
            QMetaObject::invokeMethod(
                this,
                [this, socket = QPointer<QTcpSocket>(socket), framing] {
                    if (socket)
                        checkUpgrade(socket, framing);
                },
                Qt::QueuedConnection);
        }
        if (verdict.contentLength > 0) {
            framing->stage = Stage::Body;
            framing->bodyRemaining = verdict.contentLength;
            framing->closeAfterBody = verdict.close;
            framing->timer.start(m_limits.bodyTimeoutMs);
        } else {
            requestComplete(socket, framing, verdict.close);
        }
    }
    framing->walkedAhead = readAfterUs ? 0 : fresh.size();
}

void GuardedTcpServer::requestComplete(QTcpSocket *socket, Framing *framing, bool close)
{
    if (framing->stage == Framing::Stage::Discarding)
        return;
    if (!close) {
        framing->stage = Framing::Stage::Idle;
        framing->timer.start(m_limits.idleTimeoutMs);
        return;
    }
    framing->stage = Framing::Stage::Closing;
    framing->timer.stop();
    // QHttpServer answers the request in this same readyRead, after this slot (or, for the first
    // request, in the queued one of the hand-over, queued before this): close after that.
    QMetaObject::invokeMethod(
        this,
        [this, socket = QPointer<QTcpSocket>(socket), framing] {
            if (socket)
                finishClosing(socket, framing);
        },
        Qt::QueuedConnection);
}

void GuardedTcpServer::finishClosing(QTcpSocket *socket, Framing *framing)
{
    if (!framing->streaming)            // a stream ends by closing anyway
        socket->disconnectFromHost();   // after what is queued for writing has gone out
}

void GuardedTcpServer::checkUpgrade(QTcpSocket *socket, Framing *framing)
{
    // QHttpServer cuts every connection of a socket it passes to its WebSocket server, ours too;
    // a head it answered as plain HTTP leaves them, and this guard watches on.
    if (framing->reading)
        return;
    framing->stage = Framing::Stage::WebSocket;
    framing->timer.stop();
    framing->head.clear();
    new WebSocketFrameWatch(socket);
}

void GuardedTcpServer::onTimeout(QTcpSocket *socket, Framing *framing)
{
    using Stage = Framing::Stage;
    if (!framing->reading && framing->stage != Stage::WebSocket) {
        // QHttpServer gave up on this connection (a request it could not parse) and cut its
        // connections without closing it: nobody would ever free it.
        socket->abort();
        socket->deleteLater();
        return;
    }
    switch (framing->stage) {
    case Stage::Head:
        refuse(socket, framing, 408, "Request Timeout", QStringLiteral("the request head did not arrive in time"));
        break;
    case Stage::Body:
        refuse(socket, framing, 408, "Request Timeout", QStringLiteral("the request body did not arrive in time"));
        break;
    case Stage::Idle:
        ++m_idleClosed;
        framing->stage = Stage::Closing;
        socket->disconnectFromHost();
        break;
    case Stage::Closing:
    case Stage::Discarding:
    case Stage::WebSocket:
        break;
    }
}

void GuardedTcpServer::refuse(QTcpSocket *socket, Framing *framing, int status, const QByteArray &reason,
                              const QString &message)
{
    ++m_refused;
    framing->stage = Framing::Stage::Discarding;
    framing->timer.stop();
    framing->head.clear();
    socket->write(errorResponse(status, reason, message));
    socket->skip(socket->bytesAvailable());   // QHttpServer, reading after us, finds nothing
    socket->disconnectFromHost();
}

void GuardedTcpServer::handOver(QTcpSocket *socket, Framing *framing)
{
    framing->handedOver = true;
    addPendingConnection(socket);
    emit newConnection();
    // QHttpServer connected to readyRead just now, after the head had already arrived: tell it.
    // Our slot runs first on this signal too and finds the bytes it has already walked through.
    QMetaObject::invokeMethod(
        socket, [socket] { emit socket->readyRead(); }, Qt::QueuedConnection);
}

void GuardedTcpServer::connectionClosed()
{
    --m_open;
    if (m_peakSinceRelease >= kBurstConnections && m_open <= m_peakSinceRelease / 2 && !m_releaseMemory.isActive())
        m_releaseMemory.start();
}

void GuardedTcpServer::releaseMemory()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    m_peakSinceRelease = m_open;
}

}   // namespace Clickscope

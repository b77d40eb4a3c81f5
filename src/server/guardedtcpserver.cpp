// SPDX-License-Identifier: MIT
#include "guardedtcpserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

namespace Clickscope {
namespace {

// Many dashboards reconnecting at once after a restart must not overflow Qt's default of 50.
constexpr int kListenBacklog = 1024;

} // namespace

// Where a connection's byte stream is between requests. A child of its socket, so it (and its
// timer) go with the socket.
class GuardedTcpServer::Framing : public QObject
{
public:
    enum class Stage { FirstHead, HandedOver, Upgraded, Refused };

    explicit Framing(QTcpSocket *socket) : QObject(socket), headTimer(this) {}

    Stage stage = Stage::FirstHead;
    QByteArray head;             // the part of a request head seen so far
    qsizetype walked = 0;        // bytes at the front of the socket buffer already walked through
    qint64 bodyRemaining = 0;    // bytes of the current request's body still to come
    QTimer headTimer;
};

namespace {

struct HeadVerdict
{
    int status = 0;   // 0: fine
    QByteArray reason;
    QString message;
    qint64 contentLength = 0;
    bool upgrade = false;
};

HeadVerdict judgeHead(const QByteArray &head, qint64 maxBody)
{
    HeadVerdict verdict;
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed().toLower();
        if (name == "content-length") {
            bool ok = false;
            verdict.contentLength = value.toLongLong(&ok);
            if (!ok || verdict.contentLength < 0)
                return {400, "Bad Request", QStringLiteral("invalid Content-Length"), 0, false};
        } else if (name == "transfer-encoding" && value.contains("chunked")) {
            return {411, "Length Required", QStringLiteral("chunked bodies are not accepted; send Content-Length"), 0, false};
        } else if (name == "upgrade" && value.contains("websocket")) {
            verdict.upgrade = true;
        }
    }
    if (verdict.contentLength > maxBody) {
        return {413, "Payload Too Large",
                QStringLiteral("the body is %1 bytes; the limit is %2").arg(verdict.contentLength).arg(maxBody), 0, false};
    }
    return verdict;
}

} // namespace

GuardedTcpServer::GuardedTcpServer(Limits limits, QObject *parent) : QTcpServer(parent), m_limits(limits)
{
    setListenBacklogSize(kListenBacklog);
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    auto *framing = new Framing(socket);
    // Connected before QHttpServer's own readyRead slot, so it always sees new bytes first.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket, framing] { onReadyRead(socket, framing); });
    connect(socket, &QTcpSocket::disconnected, socket, [socket, framing] {
        if (framing->stage == Framing::Stage::FirstHead || framing->stage == Framing::Stage::Refused)
            socket->deleteLater();   // once handed over, QHttpServer deletes it
    });
    framing->headTimer.setSingleShot(true);
    connect(&framing->headTimer, &QTimer::timeout, this, [this, socket, framing] {
        refuse(socket, framing, 408, "Request Timeout", QStringLiteral("the request head did not arrive in time"));
    });
    framing->headTimer.start(m_limits.headTimeoutMs);
}

void GuardedTcpServer::onReadyRead(QTcpSocket *socket, Framing *framing)
{
    using Stage = Framing::Stage;
    if (framing->stage == Stage::Upgraded)
        return;
    if (framing->stage == Stage::Refused) {
        socket->readAll();   // keep nothing of what still comes
        return;
    }
    // Only peeked at, never read: the bytes stay for QHttpServer. It reads everything on each
    // readyRead, after this slot, so what is buffered now is new to us but for the bytes walked
    // before it had its first look (the first request, walked before the hand-over).
    const QByteArray fresh = socket->peek(socket->bytesAvailable());
    const bool peekedOnly = framing->stage == Stage::FirstHead;
    qsizetype pos = framing->walked;
    const auto walkedUntilHere = [&] { framing->walked = framing->stage == Stage::HandedOver && !peekedOnly ? 0 : fresh.size(); };
    while (pos < fresh.size()) {
        if (framing->bodyRemaining > 0) {
            const qint64 take = std::min<qint64>(framing->bodyRemaining, fresh.size() - pos);
            framing->bodyRemaining -= take;
            pos += take;
            continue;
        }
        const qsizetype before = framing->head.size();
        framing->head += fresh.mid(pos, m_limits.maxHeadBytes + 4 - before);
        const qsizetype end = framing->head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (framing->head.size() > m_limits.maxHeadBytes) {
                refuse(socket, framing, 431, "Request Header Fields Too Large",
                       QStringLiteral("the request head is over %1 bytes").arg(m_limits.maxHeadBytes));
                return;
            }
            break;   // wait for the rest of the head
        }
        const HeadVerdict verdict = judgeHead(framing->head.left(end), m_limits.maxBodyBytes);
        if (verdict.status != 0) {
            refuse(socket, framing, verdict.status, verdict.reason, verdict.message);
            return;
        }
        pos += end + 4 - before;
        framing->head.clear();
        framing->bodyRemaining = verdict.contentLength;
        if (framing->stage == Stage::FirstHead)
            handOver(socket, framing);
        if (verdict.upgrade) {
            framing->stage = Stage::Upgraded;   // from here on it carries WebSocket frames
            return;
        }
    }
    walkedUntilHere();
}

void GuardedTcpServer::refuse(QTcpSocket *socket, Framing *framing, int status, const QByteArray &reason,
                              const QString &message)
{
    ++m_refused;
    framing->stage = Framing::Stage::Refused;
    framing->headTimer.stop();
    framing->head.clear();
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), message}}).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                  + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    socket->readAll();
    socket->disconnectFromHost();
}

void GuardedTcpServer::handOver(QTcpSocket *socket, Framing *framing)
{
    framing->stage = Framing::Stage::HandedOver;
    framing->headTimer.stop();
    addPendingConnection(socket);
    emit newConnection();
    // QHttpServer connected to readyRead just now, after the head had already arrived: tell it.
    // Our slot runs first on this signal too and finds the bytes it has already walked through.
    QMetaObject::invokeMethod(socket, [socket] { emit socket->readyRead(); }, Qt::QueuedConnection);
}

} // namespace Clickscope

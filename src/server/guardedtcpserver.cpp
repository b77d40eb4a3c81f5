// SPDX-License-Identifier: MIT
#include "guardedtcpserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

namespace Clickscope {
namespace {

// Per-connection state lives on the socket, so it dies with it.
constexpr char kStage[] = "clickscopeGuardStage";        // 0 inspecting, 1 handed over, 2 refused
constexpr char kBytesSeen[] = "clickscopeGuardBytes";

enum Stage { Inspecting = 0, HandedOver = 1, Refused = 2 };

} // namespace

GuardedTcpServer::GuardedTcpServer(Limits limits, QObject *parent) : QTcpServer(parent), m_limits(limits)
{
    // QAbstractHttpServer::bind() connects to newConnection; we only emit it after inspection.
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setProperty(kStage, Inspecting);
    // Connected before QHttpServer's own readyRead slot, so it always sees new bytes first.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QTcpSocket::disconnected, socket, [socket] {
        if (socket->property(kStage).toInt() != HandedOver)
            socket->deleteLater();   // once handed over, QHttpServer deletes it
    });
    QTimer::singleShot(m_limits.headTimeoutMs, socket, [this, socket] {
        if (socket->property(kStage).toInt() == Inspecting)
            refuse(socket, 408, "Request Timeout", QStringLiteral("the request head did not arrive in time"));
    });
}

void GuardedTcpServer::onReadyRead(QTcpSocket *socket)
{
    switch (socket->property(kStage).toInt()) {
    case Inspecting:
        inspectHead(socket);
        break;
    case HandedOver: {
        const qint64 seen = socket->property(kBytesSeen).toLongLong() + socket->bytesAvailable();
        socket->setProperty(kBytesSeen, seen);
        if (seen > m_limits.maxConnectionBytes) {
            ++m_refused;
            socket->abort();
        }
        break;
    }
    default:
        socket->readAll();   // refused: drain what still comes, keep nothing
        break;
    }
}

void GuardedTcpServer::inspectHead(QTcpSocket *socket)
{
    const QByteArray peeked = socket->peek(m_limits.maxHeadBytes + 4);
    const qsizetype headEnd = peeked.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        if (peeked.size() > m_limits.maxHeadBytes)
            refuse(socket, 431, "Request Header Fields Too Large",
                   QStringLiteral("the request head is over %1 bytes").arg(m_limits.maxHeadBytes));
        return;
    }
    qint64 contentLength = 0;
    bool chunked = false;
    const QList<QByteArray> lines = peeked.left(headEnd).split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            contentLength = value.toLongLong(&ok);
            if (!ok || contentLength < 0) {
                refuse(socket, 400, "Bad Request", QStringLiteral("invalid Content-Length"));
                return;
            }
        } else if (name == "transfer-encoding" && value.toLower().contains("chunked")) {
            chunked = true;
        }
    }
    if (chunked) {
        refuse(socket, 411, "Length Required", QStringLiteral("chunked bodies are not accepted; send Content-Length"));
        return;
    }
    if (contentLength > m_limits.maxBodyBytes) {
        refuse(socket, 413, "Payload Too Large",
               QStringLiteral("the body is %1 bytes; the limit is %2").arg(contentLength).arg(m_limits.maxBodyBytes));
        return;
    }
    handOver(socket);
}

void GuardedTcpServer::refuse(QTcpSocket *socket, int status, const QByteArray &reason, const QString &message)
{
    ++m_refused;
    socket->setProperty(kStage, Refused);
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), message}}).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                  + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    socket->readAll();
    socket->disconnectFromHost();
}

void GuardedTcpServer::handOver(QTcpSocket *socket)
{
    socket->setProperty(kStage, HandedOver);
    socket->setProperty(kBytesSeen, qint64(0));
    addPendingConnection(socket);
    emit newConnection();
    // QHttpServer connected to readyRead just now, after the head had already arrived: tell it.
    emit socket->readyRead();
}

} // namespace Clickscope

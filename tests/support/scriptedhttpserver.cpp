// SPDX-License-Identifier: MIT
#include "support/scriptedhttpserver.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace Clickscope::Testing {
namespace {

constexpr char kBufferProperty[] = "scriptedBuffer";

QByteArray reasonFor(int code)
{
    switch (code) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

QByteArray statusLine(int code) { return "HTTP/1.1 " + QByteArray::number(code) + ' ' + reasonFor(code) + "\r\n"; }

}   // namespace

ScriptedHttpServer::Response ScriptedHttpServer::Response::sse(const QByteArray &body)
{
    return streamingStatus(200, "text/event-stream", body);
}

ScriptedHttpServer::Response ScriptedHttpServer::Response::streamingStatus(int code, const QByteArray &contentType,
                                                                           const QByteArray &body)
{
    QByteArray head = statusLine(code) + "Content-Type: " + contentType + "\r\nCache-Control: no-cache\r\n\r\n";
    Response r;
    r.steps.append({0, head + body});
    return r;
}

ScriptedHttpServer::Response ScriptedHttpServer::Response::status(
    int code, const QByteArray &contentType, const QByteArray &body,
    const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    QByteArray head = statusLine(code);
    if (!contentType.isEmpty())
        head += "Content-Type: " + contentType + "\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    Response r;
    r.steps.append({0, head + body});
    return r;
}

ScriptedHttpServer::Response ScriptedHttpServer::Response::raw(const QByteArray &bytes)
{
    Response r;
    r.steps.append({0, bytes});
    return r;
}

ScriptedHttpServer::Response &ScriptedHttpServer::Response::then(int delayMs, const QByteArray &bytes)
{
    steps.append({delayMs, bytes});
    return *this;
}

ScriptedHttpServer::Response &ScriptedHttpServer::Response::keepAlive()
{
    closeAtEnd = false;
    servesMore = true;
    return *this;
}

ScriptedHttpServer::Response &ScriptedHttpServer::Response::keepOpen()
{
    closeAtEnd = false;
    return *this;
}

QByteArray ScriptedHttpServer::Request::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value.isNull() ? QByteArray("") : value;
    }
    return {};
}

ScriptedHttpServer::ScriptedHttpServer(QObject *parent) : QObject(parent)
{
    m_fallback = Response::status(404, "text/plain", "no script for this request\n");
    connect(&m_server, &QTcpServer::newConnection, this, &ScriptedHttpServer::accept);
}

ScriptedHttpServer::~ScriptedHttpServer() { dropConnections(); }

bool ScriptedHttpServer::listen() { return m_server.listen(QHostAddress::LocalHost, 0); }

QUrl ScriptedHttpServer::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path));
}

void ScriptedHttpServer::route(const QByteArray &path, const Response &response) { m_routes.insert(path, response); }

void ScriptedHttpServer::routeResume(const QByteArray &path, const QByteArray &lastEventId, const Response &response)
{
    m_resumeRoutes.insert(path + '\n' + lastEventId, response);
}

void ScriptedHttpServer::setFallback(const Response &response) { m_fallback = response; }

void ScriptedHttpServer::sendToAll(const QByteArray &bytes)
{
    for (QTcpSocket *socket : m_server.findChildren<QTcpSocket *>()) {
        if (socket->state() == QAbstractSocket::ConnectedState)
            socket->write(bytes);
    }
}

void ScriptedHttpServer::dropConnections()
{
    for (QTcpSocket *socket : m_server.findChildren<QTcpSocket *>())
        socket->abort();
}

void ScriptedHttpServer::accept()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readFrom(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void ScriptedHttpServer::readFrom(QTcpSocket *socket)
{
    // One request at a time: bytes after it wait until its response is done, and are ignored
    // unless that response keeps the connection alive.
    if (socket->property(kBufferProperty).toBool()) {
        socket->setProperty("pending", socket->property("pending").toByteArray() + socket->readAll());
        return;
    }
    QByteArray buffer = socket->property("pending").toByteArray() + socket->readAll();
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        socket->setProperty("pending", buffer);
        return;
    }
    Request request;
    const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    request.method = requestLine.value(0);
    request.target = requestLine.value(1);
    qsizetype contentLength = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        request.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        if (line.left(colon).trimmed().compare("content-length", Qt::CaseInsensitive) == 0)
            contentLength = line.mid(colon + 1).trimmed().toLongLong();
    }
    const QByteArray body = buffer.mid(headEnd + 4);
    if (body.size() < contentLength) {
        socket->setProperty("pending", buffer);
        return;
    }
    request.body = body.left(contentLength);
    socket->setProperty("pending", body.mid(contentLength));
    socket->setProperty(kBufferProperty, true);
    m_requests.append(request);
    const Response response = responseFor(request);
    emit requestReceived(int(m_requests.size() - 1));
    play(socket, response, 0);
}

ScriptedHttpServer::Response ScriptedHttpServer::responseFor(const Request &request)
{
    const QByteArray &target = request.target;
    const QByteArray path = target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));
    if (request.hasHeader("Last-Event-ID")) {
        if (const auto it = m_resumeRoutes.constFind(path + '\n' + request.header("Last-Event-ID"));
            it != m_resumeRoutes.cend())
            return *it;
    }
    if (const auto it = m_routes.constFind(path); it != m_routes.cend())
        return *it;
    return m_fallback;
}

void ScriptedHttpServer::play(QTcpSocket *socket, const Response &response, int step)
{
    if (step >= response.steps.size()) {
        if (response.closeAtEnd) {
            socket->disconnectFromHost();
        } else if (response.servesMore) {
            socket->setProperty(kBufferProperty, false);
            QMetaObject::invokeMethod(
                socket, [this, socket] { readFrom(socket); }, Qt::QueuedConnection);
        }
        return;
    }
    const Step &current = response.steps[step];
    const auto writeAndContinue = [this, socket = QPointer<QTcpSocket>(socket), response, step] {
        if (!socket || socket->state() != QAbstractSocket::ConnectedState)
            return;
        socket->write(response.steps[step].bytes);
        socket->flush();
        play(socket, response, step + 1);
    };
    if (current.delayMs <= 0)
        writeAndContinue();
    else
        QTimer::singleShot(current.delayMs, socket, writeAndContinue);
}

}   // namespace Clickscope::Testing

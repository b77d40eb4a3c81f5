// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

#include <utility>

namespace Clickscope::Testing {

// An HTTP/1.1 server for tests that must control every byte: statuses, headers, bodies written in
// timed steps, connections closed mid-stream or held open. It records each request it receives.
// Listens on 127.0.0.1 at an ephemeral port; everything stops when the object is destroyed.
class ScriptedHttpServer : public QObject
{
    Q_OBJECT
public:
    struct Step
    {
        int delayMs = 0;
        QByteArray bytes;
    };

    struct Response
    {
        QList<Step> steps;
        bool closeAtEnd = true;
        bool servesMore = false;   // the connection takes another request after this response

        // 200 with Content-Type: text/event-stream, then `body`.
        static Response sse(const QByteArray &body = {});
        // Any status with an optional body (sent with Content-Length) and extra header lines.
        static Response status(int code, const QByteArray &contentType = {}, const QByteArray &body = {},
                               const QList<std::pair<QByteArray, QByteArray>> &headers = {});
        // A status line and headers with no length: the body that follows streams until close.
        static Response streamingStatus(int code, const QByteArray &contentType, const QByteArray &body = {});
        // Exactly these bytes, nothing added.
        static Response raw(const QByteArray &bytes);

        Response &then(int delayMs, const QByteArray &bytes);
        Response &keepOpen();
        // After this response (one with a length), the connection serves the next request.
        Response &keepAlive();
    };

    struct Request
    {
        QByteArray method;
        QByteArray target;   // path and query, as sent
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;

        // The first header of that name (case-insensitive), or a null QByteArray.
        QByteArray header(QByteArrayView name) const;
        bool hasHeader(QByteArrayView name) const { return !header(name).isNull(); }
    };

    explicit ScriptedHttpServer(QObject *parent = nullptr);
    ~ScriptedHttpServer() override;

    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    QUrl url(const QString &path = QStringLiteral("/")) const;

    // Requests to `path` get `response` every time.
    void route(const QByteArray &path, const Response &response);
    // Requests to `path` that carry this Last-Event-ID get `response` (ahead of route()). Tests
    // of reconnection select responses by what a request carries, never by arrival order, so
    // that they hold whatever a client does between its requests.
    void routeResume(const QByteArray &path, const QByteArray &lastEventId, const Response &response);
    // Requests to other paths get the fallback (404 unless set).
    void setFallback(const Response &response);

    const QList<Request> &requests() const { return m_requests; }
    // Writes `bytes` on every open connection now: the next step of a stream when the test says.
    void sendToAll(const QByteArray &bytes);
    // Drops every open connection, as a crashing server would.
    void dropConnections();

signals:
    void requestReceived(int index);

private:
    void accept();
    void readFrom(QTcpSocket *socket);
    void play(QTcpSocket *socket, const Response &response, int step);
    Response responseFor(const Request &request);

    QTcpServer m_server;
    QHash<QByteArray, Response> m_routes;
    QHash<QByteArray, Response> m_resumeRoutes;   // key: path + '\n' + Last-Event-ID
    Response m_fallback;
    QList<Request> m_requests;
};

}   // namespace Clickscope::Testing

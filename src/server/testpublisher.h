// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include "server/clickhub.h"
#include "server/guardedtcpserver.h"
#include "server/natsstreamwriter.h"
#include "server/timelineplayback.h"

#include <QHash>
#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Clickscope {

class StreamSource;

// The embedded publisher: SSE and WebSocket click streams, a publish API, a tiny link shortener,
// stats. Used by the app's demo mode, by `clickscope-cli serve`, and by the tests as a real server.
//
// Every stream is guarded: QHttpServer deletes a socket when its client leaves while the
// responder still points at it, so subscribers hold a QPointer and are swept when it goes. Each
// subscriber's send buffer is capped; one that cannot keep up is disconnected and counted.
class TestPublisher : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QHostAddress address = QHostAddress(QHostAddress::LocalHost);
        quint16 port = 0;               // 0: any free port
        QByteArray token;               // publishing needs "Authorization: Bearer <token>"
        bool tokenForReading = false;   // …and so does reading the streams
        qsizetype history = ClickHub::kDefaultHistory;
        int heartbeatMs = 15'000;
        int retryMs = 3'000;                    // sent to SSE clients as `retry:`
        int maxConnections = 10'000;            // open streams (SSE + WebSocket)
        GuardedTcpServer::Limits connections;   // request sizes, timeouts, open TCP connections
        qint64 maxBacklogBytes = 4 * 1024 * 1024;
        // What all subscribers together may have queued. Past it, those furthest behind are
        // disconnected until the rest is within it: readers that keep up hold next to nothing and
        // stay; a crowd that never reads goes instead of holding 4 MiB each.
        qint64 maxTotalBacklogBytes = 64 * 1024 * 1024;
        QString redirectBase = QStringLiteral("https://example.com/");   // /r/<code> → base + code
        QHash<QString, QUrl> redirects;                                  // per-code targets, ahead of redirectBase
        // Set: every SSE and WebSocket stream plays this recording to its subscriber, from the
        // start (or after its Last-Event-ID), instead of the published clicks.
        struct Replay
        {
            std::shared_ptr<const RecordingTimeline> timeline;
            TimelinePlayback::Pace pace;
        };
        std::optional<Replay> replay;
        // Set: clicks go through this JetStream stream, which numbers them, and every publisher
        // naming it serves the same clicks with the same ids (the stream's sequences). Publishing
        // answers once JetStream stored the clicks (503 with Retry-After while it cannot); the
        // streams serve what the stream holds, from its first message on, and `history` becomes
        // the stream's message limit.
        std::optional<NatsStreamWriter::Settings> nats;
    };

    explicit TestPublisher(Settings settings, QObject *parent = nullptr);
    ~TestPublisher() override;

    // Binds and listens; the error says why the address or port cannot be had.
    Result<void> listen();
    quint16 port() const { return m_port; }
    QUrl baseUrl() const;

    ClickHub &hub() { return m_hub; }
    // Publishes clicks to `channel`: numbered here at once, or, with a shared stream, once
    // JetStream stored them. `done` gets their ids or why they were not taken; it may be called
    // before this returns.
    using Published = std::function<void(const Result<QList<quint64>, PublishFailure> &ids)>;
    void publish(const QList<QJsonObject> &clicks, const QString &channel, const Published &done = {});
    // With a shared stream: publishing is possible (connected, the stream there). Always true without.
    bool isPublishing() const;
    // Why publishing is not possible now (empty while it is).
    QString publishingProblem() const;
    int subscriberCount() const;
    quint64 droppedSubscribers() const { return m_dropped; }
    QJsonObject stats() const;

signals:
    void subscriberCountChanged(int count);
    // With a shared stream: isPublishing() changed.
    void publishingChanged(bool publishing);

private:
    enum class Kind { Events, Realtime, WebSocket };
    struct Subscriber
    {
        Kind kind = Kind::Events;
        QString channel = QStringLiteral("all");
        QByteArray link;                                   // Realtime: the link it follows
        std::unique_ptr<QHttpServerResponder> responder;   // SSE kinds
        QPointer<QTcpSocket> socket;                       // SSE kinds
        QPointer<QWebSocket> webSocket;                    // WebSocket kind
        std::unique_ptr<TimelinePlayback> playback;        // serving a recording
        QByteArray sentId;                                 // …the last event id the SSE reader has
        quint64 resumeAfter = 0;   // ahead of this publisher (a shared stream): only what comes after
        bool gone = false;
    };

    void setUpRoutes();
    // Routes `path` to `handler` on connections that still serve requests: a request pipelined
    // behind an event stream on the same connection is never answered (the answer would land
    // inside the stream).
    template<typename Handler>
    void route(const char *path, Handler handler);
    template<typename Handler>
    void routeWithArgument(const char *path, Handler handler);
    // HEAD of a stream: its head, no body.
    static void writeStreamHead(QHttpServerResponder &responder);
    void streamEvents(const QString &channel, const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // A stream that plays the recording (Settings::replay) from after `lastEventId`.
    void streamRecording(const QByteArray &lastEventId, QHttpServerResponder &&responder);
    void startPlayback(Subscriber &subscriber, const QByteArray &lastEventId, QByteArray opening);
    // Sends entries [first, end) of the recording: the bytes sent, or -1 when the subscriber is gone.
    qint64 playTo(Subscriber &subscriber, qsizetype first, qsizetype end);
    void streamRealtime(const QString &code, const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // The writing endpoints' guard: POST only (405 with `methodHint` otherwise) and the bearer
    // token when one is set (401). False when it has answered.
    bool admitAuthorizedPost(const QHttpServerRequest &request, QHttpServerResponder &responder,
                             const QString &methodHint) const;
    void handlePublish(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // Publishes, then `answer`s with the ids; a publication refused gets an error answer instead
    // (400 for a bad channel, 413 for a click larger than NATS takes, 503 with Retry-After while
    // a shared stream cannot take it).
    using Answer = std::function<void(QHttpServerResponder &responder, const QList<quint64> &ids)>;
    void answerWhenPublished(const QList<QJsonObject> &clicks, const QString &channel, QHttpServerResponder &&responder,
                             const Answer &answer);
    void handleFetchStream(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void handleRedirect(const QString &code, const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void acceptWebSockets();
    bool authorized(const QHttpServerRequest &request, bool forReading) const;
    // Answers 401 or 503 itself and returns false when a new stream may not open.
    bool admitStream(const QHttpServerRequest &request, QHttpServerResponder &responder);
    Subscriber *addSseSubscriber(QHttpServerResponder &&responder, Kind kind);
    void broadcast(const QList<PublishedClick> &clicks);
    void sendHeartbeat();
    bool send(Subscriber &subscriber, const QByteArray &bytes);
    // The subscriber's WebSocket when a message may go out on it: nothing when it is gone or has
    // fallen too far behind (then it is dropped).
    QWebSocket *writableWebSocket(Subscriber &subscriber);
    bool sendText(Subscriber &subscriber, const QString &text);
    bool dropIfBehind(Subscriber &subscriber, qint64 backlog);
    // Disconnects the subscribers furthest behind while all together hold more than
    // maxTotalBacklogBytes. Once a broadcast: the queues only grow by its writes.
    void enforceTotalBacklog();
    void drop(Subscriber &subscriber, qint64 backlog);
    void markGone(Subscriber *subscriber);
    void sweep();
    QByteArray realtimeEvent(const QByteArray &link) const;
    void readSharedStream();

    Settings m_settings;
    ClickHub m_hub;
    QHttpServer m_http;
    GuardedTcpServer *m_tcp;   // owned by m_http once bound
    QTimer m_heartbeat;
    QTimer m_sweep;
    // A second after subscribers went: what their queues held is handed back to the system (see
    // sweep()).
    QTimer m_trim;
    std::vector<std::unique_ptr<Subscriber>> m_subscribers;
    QElapsedTimer m_uptime;
    quint64 m_dropped = 0;
    quint16 m_port = 0;
    std::unique_ptr<NatsStreamWriter> m_natsWriter;
    std::unique_ptr<StreamSource> m_natsReader;
};

}   // namespace Clickscope

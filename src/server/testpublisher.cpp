// SPDX-License-Identifier: MIT
#include "server/testpublisher.h"

#include "core/decode/fieldparsers.h"
#include "core/nats/natssource.h"
#include "core/sse/sseencoder.h"
#include "core/system/allocatortuning.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QUrlQuery>

#include <algorithm>

Q_LOGGING_CATEGORY(lcServer, "clickscope.server", QtWarningMsg)

namespace Clickscope {
namespace {

using StatusCode = QHttpServerResponder::StatusCode;

constexpr char kRetryAfterSeconds[] = "5";
constexpr quint64 kMaxClientMessageBytes = 64 * 1024;
// How much of a client's Last-Event-ID a message quotes back to it.
constexpr qsizetype kMaxQuotedIdBytes = 64;

QByteArray json(const QJsonObject &object) { return QJsonDocument(object).toJson(QJsonDocument::Compact); }

constexpr qint64 kDefaultFetchClicks = 10;
// What a click grows by on its way into a shared stream ("ts" and "channel").
constexpr qsizetype kPreparedClickAllowance = 4096;
constexpr qint64 kMaxFetchClicks = 1000;

QByteArray sseFrame(const PublishedClick &click)
{
    return "id: " + QByteArray::number(click.sequence) + "\nevent: click\ndata: " + click.json + "\n\n";
}

void writeJson(QHttpServerResponder &responder, const QJsonObject &body, StatusCode status)
{
    responder.write(json(body), {{"Content-Type", "application/json"}, {"Cache-Control", "no-cache"}}, status);
}

// A shared stream could not take a publication: the client is told to try again shortly. (Qt's
// header lists are initializer lists: writeJson()'s cannot be extended.)
void writeUnavailable(QHttpServerResponder &responder, const QString &why)
{
    responder.write(json({{QStringLiteral("error"), why}}),
                    {{"Content-Type", "application/json"}, {"Cache-Control", "no-cache"}, {"Retry-After", "1"}},
                    StatusCode::ServiceUnavailable);
}

// "de-DE,de;q=0.9" → "DE"; a language without a region gives nothing.
QString countryFromAcceptLanguage(const QByteArray &header)
{
    static const QRegularExpression kRegion(QStringLiteral("^[a-zA-Z]{2,3}[-_]([a-zA-Z]{2})\\b"));
    const auto match = kRegion.match(QString::fromLatin1(header).trimmed());
    return match.hasMatch() ? match.captured(1).toUpper() : QString();
}

}   // namespace

TestPublisher::TestPublisher(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_hub(m_settings.nats ? qsizetype(m_settings.nats->maxMessages) : m_settings.history)
    , m_tcp(new GuardedTcpServer(m_settings.connections, &m_http))
{
    setUpRoutes();
    connect(&m_hub, &ClickHub::published, this, &TestPublisher::broadcast);
    connect(&m_heartbeat, &QTimer::timeout, this, &TestPublisher::sendHeartbeat);
    m_sweep.setSingleShot(true);
    m_trim.setSingleShot(true);
    m_trim.setInterval(1000);
    connect(&m_trim, &QTimer::timeout, this, &releaseFreedMemory);
    connect(&m_sweep, &QTimer::timeout, this, &TestPublisher::sweep);
    m_uptime.start();
}

TestPublisher::~TestPublisher()
{
    // Close every stream so clients see a clean end, not a hang, after what was published to
    // them as far as the kernel takes it now: the sockets are deleted below, before they could
    // write their queues by themselves, and a stopping publisher does not wait for slow readers.
    for (const auto &subscriber : m_subscribers) {
        if (subscriber->socket) {
            subscriber->socket->flush();
            subscriber->socket->disconnectFromHost();
        }
        if (subscriber->webSocket) {
            subscriber->webSocket->flush();
            subscriber->webSocket->close(QWebSocketProtocol::CloseCodeGoingAway);
        }
    }
    // The listening server and its connections go while QHttpServer is still whole: left to its
    // destructor, the sockets would die after QHttpServer's private part and signal into it.
    delete m_tcp;
    m_tcp = nullptr;
}

Result<void> TestPublisher::listen()
{
    if (!m_tcp->listen(m_settings.address, m_settings.port)) {
        return unexpected(QStringLiteral("cannot listen on %1:%2: %3")
                              .arg(m_settings.address.toString())
                              .arg(m_settings.port)
                              .arg(m_tcp->errorString()));
    }
    m_http.bind(m_tcp);
    m_port = m_tcp->serverPort();
    if (m_settings.heartbeatMs > 0)
        m_heartbeat.start(m_settings.heartbeatMs);
    if (m_settings.nats)
        readSharedStream();
    return {};
}

void TestPublisher::readSharedStream()
{
    const NatsStreamWriter::Settings &nats = *m_settings.nats;
    m_natsWriter = std::make_unique<NatsStreamWriter>(nats);
    connect(m_natsWriter.get(), &NatsStreamWriter::readyChanged, this, &TestPublisher::publishingChanged);
    m_natsWriter->start();
    // Every publisher reads the whole stream, its own clicks included: the stream's order is the
    // one order, and the ids are its sequences.
    NatsTarget whole = nats.server;
    whole.subject = nats.subjectPrefix + ".>";
    whole.stream = nats.stream;
    whole.start = NatsTarget::Start::First;
    SourceConfig config;
    config.url = whole.url();
    config.defaultRetryMs = NatsStreamWriter::kRetryMs;
    config.maxRetryMs = NatsStreamWriter::kMaxRetryMs;
    // A replica whose stream went quiet because its connection died notices as soon as its writer
    // would (the consumer's heartbeats and the pings come a third of this apart).
    config.idleTimeoutMs = NatsStreamWriter::kSilentMs;
    // What a publication may hold, and room for what the publisher adds to a click.
    config.limits.maxEventBytes = m_settings.connections.maxBodyBytes + kPreparedClickAllowance;
    m_natsReader = std::make_unique<NatsSource>(config);
    connect(m_natsReader.get(), &StreamSource::eventsReceived, this, [this](const SseBatch &events) {
        QList<std::pair<quint64, QByteArray>> clicks;
        clicks.reserve(events.size());
        for (const SseEventView event : events)
            clicks.append({NatsTarget::sequenceOf(event.lastEventId()), event.data().toByteArray()});
        m_hub.ingest(clicks);
    });
    // A stream deleted meanwhile refuses the reader: it waits and asks again.
    connect(m_natsReader.get(), &StreamSource::failed, this, [this](StreamSource::Error, const QString &message) {
        qCWarning(lcServer) << "reading the shared stream:" << message << "- trying again";
        QTimer::singleShot(NatsStreamWriter::kMaxRetryMs, m_natsReader.get(), [this] { m_natsReader->open(); });
    });
    // Reading starts once the writer found the stream (or made it): before, it may not exist.
    connect(m_natsWriter.get(), &NatsStreamWriter::readyChanged, m_natsReader.get(),
            [this, started = false](bool ready) mutable {
                if (ready && !std::exchange(started, true))
                    m_natsReader->open();
            });
}

bool TestPublisher::isPublishing() const { return !m_settings.nats || (m_natsWriter && m_natsWriter->isReady()); }

QString TestPublisher::publishingProblem() const { return m_natsWriter ? m_natsWriter->problem() : QString(); }

void TestPublisher::publish(const QList<QJsonObject> &clicks, const QString &channel, const Published &done)
{
    const QString to = channel.isEmpty() ? QStringLiteral("all") : channel;
    if (!m_settings.nats) {
        const QList<PublishedClick> published = m_hub.publish(clicks, to);
        if (done) {
            QList<quint64> ids;
            for (const PublishedClick &click : published)
                ids.append(click.sequence);
            done(ids);
        }
        return;
    }
    const auto refuse = [&done](PublishFailure::Kind kind, const QString &why) {
        if (done)
            done(unexpected(PublishFailure{kind, why}));
    };
    const QByteArray subject = m_settings.nats->subjectPrefix + '.' + to.toUtf8();
    if (to.contains(u'.') || !NatsTarget::isValidSubject(subject, false))
        return refuse(PublishFailure::Kind::BadRequest,
                      QStringLiteral("a channel of a shared stream is one word: no dots, spaces, * or >"));
    QList<NatsStreamWriter::Message> messages;
    messages.reserve(clicks.size());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const QJsonObject &click : clicks)
        messages.append({subject, QJsonDocument(ClickHub::prepare(click, to, now)).toJson(QJsonDocument::Compact)});
    m_natsWriter->publish(messages, [done](const Result<QList<quint64>, PublishFailure> &ids) {
        if (done)
            done(ids);
    });
}

QUrl TestPublisher::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    const QHostAddress address = m_settings.address;
    url.setHost(address == QHostAddress::Any || address == QHostAddress::AnyIPv4 ? QStringLiteral("127.0.0.1")
                                                                                 : address.toString());
    url.setPort(m_port);
    url.setPath(QStringLiteral("/"));
    return url;
}

int TestPublisher::subscriberCount() const
{
    return int(std::count_if(m_subscribers.cbegin(), m_subscribers.cend(), [](const auto &s) { return !s->gone; }));
}

QJsonObject TestPublisher::stats() const
{
    QHash<QString, qint64> perChannel;
    qint64 realtime = 0;
    qint64 webSockets = 0;
    for (const auto &s : m_subscribers) {
        if (s->gone)
            continue;
        if (s->kind == Kind::Realtime)
            ++realtime;
        else
            ++perChannel[s->channel];
        if (s->kind == Kind::WebSocket)
            ++webSockets;
    }
    QJsonObject channels;
    for (auto it = perChannel.cbegin(); it != perChannel.cend(); ++it)
        channels.insert(it.key(), it.value());
    return {{QStringLiteral("subscribers"), channels},
            {QStringLiteral("realtimeSubscribers"), realtime},
            {QStringLiteral("webSocketSubscribers"), webSockets},
            {QStringLiteral("clicksPublished"), qint64(m_hub.totalClicks())},
            {QStringLiteral("lastId"), qint64(m_hub.lastSequence())},
            {QStringLiteral("droppedSubscribers"), qint64(m_dropped)},
            {QStringLiteral("refusedRequests"), qint64(m_tcp->refusedRequests())},
            {QStringLiteral("refusedConnections"), qint64(m_tcp->refusedConnections())},
            {QStringLiteral("idleConnectionsClosed"), qint64(m_tcp->idleClosed())},
            {QStringLiteral("openConnections"), m_tcp->openConnections()},
            {QStringLiteral("uptimeSeconds"), double(m_uptime.elapsed()) / 1000.0}};
}

template<typename Handler>
void TestPublisher::route(const char *path, Handler handler)
{
    m_http.route(path, [this, handler](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        if (m_tcp->servesRequests(responder.socket()))
            handler(request, std::move(responder));
    });
}

template<typename Handler>
void TestPublisher::routeWithArgument(const char *path, Handler handler)
{
    m_http.route(path, [this, handler](const QString &argument, const QHttpServerRequest &request,
                                       QHttpServerResponder &&responder) {
        if (m_tcp->servesRequests(responder.socket()))
            handler(argument, request, std::move(responder));
    });
}

void TestPublisher::setUpRoutes()
{
    route("/events", [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        streamEvents(QStringLiteral("all"), request, std::move(responder));
    });
    routeWithArgument("/events/<arg>", [this](const QString &channel, const QHttpServerRequest &request,
                                              QHttpServerResponder &&responder) {
        streamEvents(channel, request, std::move(responder));
    });
    routeWithArgument("/realtime/<arg>",
                      [this](const QString &code, const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                          streamRealtime(code, request, std::move(responder));
                      });
    route("/publish", [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        handlePublish(request, std::move(responder));
    });
    route("/stream", [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        handleFetchStream(request, std::move(responder));
    });
    routeWithArgument("/r/<arg>",
                      [this](const QString &code, const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                          handleRedirect(code, request, std::move(responder));
                      });
    route("/stats", [this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
        writeJson(responder, stats(), StatusCode::Ok);
    });
    route("/health", [](const QHttpServerRequest &, QHttpServerResponder &&responder) {
        writeJson(responder, {{QStringLiteral("status"), QStringLiteral("ok")}}, StatusCode::Ok);
    });
    // QHttpServer 6.4 upgrades a WebSocket request only when a route matches its path; the
    // handler must not write, the socket arrives through newWebSocketConnection.
    m_http.route("/ws", [](const QHttpServerRequest &, QHttpServerResponder &&) {});
    m_http.route("/ws/<arg>", [](const QString &, const QHttpServerRequest &, QHttpServerResponder &&) {});
    connect(&m_http, &QAbstractHttpServer::newWebSocketConnection, this, &TestPublisher::acceptWebSockets);
    m_http.setMissingHandler([this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
        if (m_tcp->servesRequests(responder.socket()))
            writeJson(responder, {{QStringLiteral("error"), QStringLiteral("no such path")}}, StatusCode::NotFound);
    });
}

void TestPublisher::writeStreamHead(QHttpServerResponder &responder)
{
    responder.writeStatusLine(StatusCode::Ok);
    responder.writeHeaders({{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}});
    responder.writeBody(QByteArray());   // ends the head
}

bool TestPublisher::authorized(const QHttpServerRequest &request, bool forReading) const
{
    if (m_settings.token.isEmpty() || (forReading && !m_settings.tokenForReading))
        return true;
    return request.value("Authorization") == "Bearer " + m_settings.token;
}

bool TestPublisher::admitStream(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    if (!authorized(request, true)) {
        writeJson(responder, {{QStringLiteral("error"), QStringLiteral("missing or wrong bearer token")}},
                  StatusCode::Unauthorized);
        return false;
    }
    if (subscriberCount() < m_settings.maxConnections)
        return true;
    responder.write(json({{QStringLiteral("error"),
                           QStringLiteral("too many open streams (limit %1)").arg(m_settings.maxConnections)}}),
                    {{"Content-Type", "application/json"}, {"Retry-After", kRetryAfterSeconds}},
                    StatusCode::ServiceUnavailable);
    return false;
}

TestPublisher::Subscriber *TestPublisher::addSseSubscriber(QHttpServerResponder &&responder, Kind kind)
{
    m_tcp->carryStream(responder.socket());
    auto subscriber = std::make_unique<Subscriber>();
    subscriber->kind = kind;
    subscriber->responder = std::make_unique<QHttpServerResponder>(std::move(responder));
    subscriber->socket = subscriber->responder->socket();
    Subscriber *raw = subscriber.get();
    connect(subscriber->socket, &QAbstractSocket::disconnected, this, [this, raw] { markGone(raw); });
    subscriber->responder->writeStatusLine(StatusCode::Ok);
    subscriber->responder->writeHeaders(
        {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}});
    m_subscribers.push_back(std::move(subscriber));
    emit subscriberCountChanged(subscriberCount());
    return raw;
}

void TestPublisher::streamEvents(const QString &channel, const QHttpServerRequest &request,
                                 QHttpServerResponder &&responder)
{
    if (!admitStream(request, responder))
        return;
    if (request.method() == QHttpServerRequest::Method::Head) {
        writeStreamHead(responder);
        return;
    }
    const QUrlQuery query = request.query();
    QByteArray lastEventId = request.value("Last-Event-ID");
    if (lastEventId.isEmpty() && query.hasQueryItem(QStringLiteral("lastEventId")))
        lastEventId = query.queryItemValue(QStringLiteral("lastEventId")).toUtf8();
    if (m_settings.replay) {
        streamRecording(lastEventId, std::move(responder));
        return;
    }
    const bool wantSnapshot = query.queryItemValue(QStringLiteral("snapshot")) == u"1";

    Subscriber *subscriber = addSseSubscriber(std::move(responder), Kind::Events);
    subscriber->channel = channel;

    // The first write also ends the headers. Then: a snapshot or the missed clicks, then live.
    QByteArray opening = "retry: " + QByteArray::number(m_settings.retryMs) + "\n\n";
    std::optional<QList<PublishedClick>> missed;
    if (!lastEventId.isEmpty() && !wantSnapshot) {
        bool ok = false;
        const quint64 after = lastEventId.toULongLong(&ok);
        if (ok)
            missed = m_hub.clicksAfter(after);
        // Another publisher of the shared stream served this reader further than this one has
        // read the stream yet: it resumes there once this one catches up. An id further ahead
        // than the stream holds messages is none of this stream's: that reader gets the snapshot.
        if (ok && !missed && m_settings.nats && after > m_hub.lastSequence()
            && after - std::max(m_hub.lastSequence(), m_natsWriter->lastKnownSequence())
                   <= quint64(m_settings.nats->maxMessages)) {
            missed = QList<PublishedClick>();
            subscriber->resumeAfter = after;
        }
    }
    if (missed) {
        for (const PublishedClick &click : *missed) {
            if (channel == u"all" || click.channel == channel)
                opening += sseFrame(click);
        }
    } else if (wantSnapshot || !lastEventId.isEmpty()) {
        opening += "id: " + QByteArray::number(m_hub.lastSequence())
                   + "\nevent: snapshot\ndata: " + m_hub.snapshotJson() + "\n\n";
    }
    send(*subscriber, opening);
}

void TestPublisher::streamRecording(const QByteArray &lastEventId, QHttpServerResponder &&responder)
{
    Subscriber *subscriber = addSseSubscriber(std::move(responder), Kind::Events);
    startPlayback(*subscriber, lastEventId, "retry: " + QByteArray::number(m_settings.retryMs) + "\n\n");
}

void TestPublisher::startPlayback(Subscriber &subscriber, const QByteArray &lastEventId, QByteArray opening)
{
    const Settings::Replay &replay = *m_settings.replay;
    qsizetype from = 0;
    subscriber.sentId = lastEventId;
    if (!lastEventId.isEmpty()) {
        if (const std::optional<qsizetype> after = replay.timeline->indexAfterId(lastEventId))
            from = *after;
        else if (subscriber.kind == Kind::Events)
            appendSseComment(opening, " Last-Event-ID '" + lastEventId.left(kMaxQuotedIdBytes)
                                          + "' is not in this recording: it plays from the start");
    }
    if (!opening.isEmpty())
        send(subscriber, opening);
    Subscriber *raw = &subscriber;
    subscriber.playback = std::make_unique<TimelinePlayback>(
        replay.timeline, replay.pace, from,
        [this, raw](qsizetype first, qsizetype end) { return playTo(*raw, first, end); },
        [raw]() -> qint64 {
            if (raw->webSocket)
                return raw->webSocket->bytesToWrite();
            return raw->socket ? raw->socket->bytesToWrite() : 0;
        });
    if (subscriber.webSocket)
        connect(subscriber.webSocket, &QWebSocket::bytesWritten, subscriber.playback.get(),
                &TimelinePlayback::readerDrained);
    else if (subscriber.socket)
        connect(subscriber.socket, &QIODevice::bytesWritten, subscriber.playback.get(),
                &TimelinePlayback::readerDrained);
    subscriber.playback->start();
}

qint64 TestPublisher::playTo(Subscriber &subscriber, qsizetype first, qsizetype end)
{
    using Entry = RecordingTimeline::Entry;
    const RecordingTimeline &timeline = *m_settings.replay->timeline;
    const std::vector<Entry> &entries = timeline.entries();
    if (subscriber.kind == Kind::WebSocket) {
        // Comments have no WebSocket form; every event is a message of its data.
        qint64 handed = 0;
        for (qsizetype i = first; i < end; ++i) {
            const Entry &entry = entries[std::size_t(i)];
            if (entry.kind == RecordingTimeline::Kind::Comment)
                continue;
            QWebSocket *ws = writableWebSocket(subscriber);
            if (!ws)
                return -1;
            if (entry.kind == RecordingTimeline::Kind::BinaryMessage)
                ws->sendBinaryMessage(timeline.data(entry).toByteArray());
            else
                ws->sendTextMessage(QString::fromUtf8(timeline.data(entry)));
            handed += entry.dataSize + 1;   // an empty message is something too
        }
        return handed;
    }
    // Binary messages have no SSE form and are left out.
    QByteArray bytes;
    for (qsizetype i = first; i < end; ++i) {
        const Entry &entry = entries[std::size_t(i)];
        if (entry.kind == RecordingTimeline::Kind::Event) {
            const QByteArrayView id = timeline.id(entry);
            appendSseEvent(bytes, timeline.type(entry), id, timeline.data(entry), subscriber.sentId);
            if (id != subscriber.sentId)
                subscriber.sentId = id.toByteArray();
        } else if (entry.kind == RecordingTimeline::Kind::Comment) {
            appendSseComment(bytes, timeline.data(entry));
        }
    }
    if (subscriber.gone)
        return -1;
    if (bytes.isEmpty())
        return 0;
    return send(subscriber, bytes) ? bytes.size() : -1;
}

QByteArray TestPublisher::realtimeEvent(const QByteArray &link) const
{
    const QByteArray last = m_hub.lastClickOf(link);
    return "data: {\"clickCount\":" + QByteArray::number(m_hub.clicksOf(link))
           + ",\"clickAnalytics\":" + (last.isEmpty() ? QByteArray("false") : last) + "}\n\n";
}

void TestPublisher::streamRealtime(const QString &code, const QHttpServerRequest &request,
                                   QHttpServerResponder &&responder)
{
    if (!admitStream(request, responder))
        return;
    if (request.method() == QHttpServerRequest::Method::Head) {
        writeStreamHead(responder);
        return;
    }
    Subscriber *subscriber = addSseSubscriber(std::move(responder), Kind::Realtime);
    // Links are published as "/code" or "code"; follow whichever this one has been seen as.
    const QByteArray bare = code.toUtf8();
    subscriber->link = m_hub.clicksOf("/" + bare) > 0 || m_hub.clicksOf(bare) == 0 ? "/" + bare : bare;
    send(*subscriber, realtimeEvent(subscriber->link));
}

bool TestPublisher::admitAuthorizedPost(const QHttpServerRequest &request, QHttpServerResponder &responder,
                                        const QString &methodHint) const
{
    if (request.method() != QHttpServerRequest::Method::Post) {
        responder.write(json({{QStringLiteral("error"), methodHint}}),
                        {{"Content-Type", "application/json"}, {"Allow", "POST"}}, StatusCode::MethodNotAllowed);
        return false;
    }
    if (!authorized(request, false)) {
        responder.write(json({{QStringLiteral("error"), QStringLiteral("missing or wrong bearer token")}}),
                        {{"Content-Type", "application/json"}, {"WWW-Authenticate", "Bearer"}},
                        StatusCode::Unauthorized);
        return false;
    }
    return true;
}

void TestPublisher::handlePublish(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    if (!admitAuthorizedPost(request, responder, QStringLiteral("use POST to publish")))
        return;
    const Result<QList<QJsonObject>, PublishError> clicks = ClickHub::parseClicks(request.body());
    if (!clicks) {
        const PublishError &error = clicks.error();
        QJsonObject body{{QStringLiteral("error"), error.message}};
        if (!error.field.isEmpty())
            body.insert(QStringLiteral("field"), error.field);
        if (error.index >= 0)
            body.insert(QStringLiteral("index"), qint64(error.index));
        writeJson(responder, body, StatusCode::BadRequest);
        return;
    }
    const QString channel = request.query().queryItemValue(QStringLiteral("channel"));
    answerWhenPublished(*clicks, channel, std::move(responder),
                        [](QHttpServerResponder &answer, const QList<quint64> &ids) {
                            writeJson(answer,
                                      {{QStringLiteral("accepted"), qint64(ids.size())},
                                       {QStringLiteral("firstId"), qint64(ids.first())},
                                       {QStringLiteral("lastId"), qint64(ids.last())}},
                                      StatusCode::Accepted);
                        });
}

void TestPublisher::answerWhenPublished(const QList<QJsonObject> &clicks, const QString &channel,
                                        QHttpServerResponder &&responder, const Answer &answer)
{
    if (!m_settings.nats) {
        publish(clicks, channel, [&](const Result<QList<quint64>, PublishFailure> &ids) {
            if (ids)
                answer(responder, *ids);
        });
        return;
    }
    // Answered later, on a connection that serves nothing else meanwhile (an answer to a request
    // pipelined behind this one must not overtake it) and is closed once answered.
    const QPointer<QTcpSocket> socket = responder.socket();
    if (!m_tcp->carryStream(socket))
        return;
    const auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
    publish(clicks, channel, [held, socket, answer](const Result<QList<quint64>, PublishFailure> &ids) {
        if (!socket)
            return;   // the client left
        if (ids) {
            answer(*held, *ids);
        } else {
            const QJsonObject error{{QStringLiteral("error"), ids.error().message}};
            switch (ids.error().kind) {
            case PublishFailure::Kind::BadRequest:
                writeJson(*held, error, StatusCode::BadRequest);
                break;
            case PublishFailure::Kind::TooLarge:
                writeJson(*held, error, StatusCode::PayloadTooLarge);
                break;
            case PublishFailure::Kind::Unavailable:
                writeUnavailable(*held, ids.error().message);
                break;
            }
        }
        socket->disconnectFromHost();
    });
}

void TestPublisher::handleFetchStream(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    // The fetch-stream shape, as fetch() reads it: POST a JSON body with a bearer token, get `data:`
    // lines (no ids, no event types) that end with `data: [DONE]`, then the end of the response.
    if (!admitAuthorizedPost(request, responder, QStringLiteral("use POST with a JSON body, e.g. {\"last\": 10}")))
        return;
    qint64 last = kDefaultFetchClicks;
    if (!request.body().trimmed().isEmpty()) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(request.body(), &parseError);
        const QJsonValue value = document.object().value(QStringLiteral("last"));
        const bool ok = parseError.error == QJsonParseError::NoError && document.isObject()
                        && (value.isUndefined()
                            || (value.isDouble() && value.toDouble() == double(value.toInteger())
                                && value.toInteger() >= 0 && value.toInteger() <= kMaxFetchClicks));
        if (!ok) {
            writeJson(responder,
                      {{QStringLiteral("error"),
                        QStringLiteral("the body must be a JSON object like {\"last\": N}, N from 0 to %1")
                            .arg(kMaxFetchClicks)}},
                      StatusCode::BadRequest);
            return;
        }
        if (!value.isUndefined())
            last = value.toInteger();
    }
    QByteArray body;
    for (const PublishedClick &click : m_hub.lastClicks(last))
        body += "data: " + click.json + "\n\n";
    body += "data: [DONE]\n\n";
    responder.write(body, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}}, StatusCode::Ok);
}

void TestPublisher::handleRedirect(const QString &code, const QHttpServerRequest &request,
                                   QHttpServerResponder &&responder)
{
    const QByteArray ua = request.value("User-Agent");
    QString country = request.query().queryItemValue(QStringLiteral("country")).toUpper();
    if (country.isEmpty())
        country = countryFromAcceptLanguage(request.value("Accept-Language"));
    QJsonObject click{{QStringLiteral("link"), u'/' + code}};
    if (!country.isEmpty())
        click.insert(QStringLiteral("country"), country);
    if (const QByteArray referrer = request.value("Referer"); !referrer.isEmpty())
        click.insert(QStringLiteral("referrer"), QString::fromUtf8(referrer));
    // The dashboard's own rule, so a click recorded here decodes to the device and browser it shows.
    if (!ua.isEmpty()) {
        const UserAgentInfo derived = parseUserAgent(std::string_view(ua.constData(), std::size_t(ua.size())));
        click.insert(QStringLiteral("device"), QString::fromLatin1(derived.device));
        click.insert(QStringLiteral("browser"), QString::fromLatin1(derived.browser));
        click.insert(QStringLiteral("userAgent"), QString::fromUtf8(ua));
    }
    // The same rules as POST /publish: a link too long for it is too long here.
    if (const Result<void, PublishError> valid = ClickHub::checkClick(click, -1); !valid) {
        writeJson(responder,
                  {{QStringLiteral("error"), valid.error().message}, {QStringLiteral("field"), valid.error().field}},
                  StatusCode::BadRequest);
        return;
    }
    const QUrl target = m_settings.redirects.value(code, QUrl(m_settings.redirectBase + code));
    answerWhenPublished({click}, QStringLiteral("all"), std::move(responder),
                        [target](QHttpServerResponder &answer, const QList<quint64> &) {
                            answer.write(QByteArray(),
                                         {{"Location", target.toEncoded()}, {"Cache-Control", "no-store"}},
                                         StatusCode::Found);
                        });
}

void TestPublisher::acceptWebSockets()
{
    while (m_http.hasPendingWebSocketConnections()) {
        QWebSocket *ws = m_http.nextPendingWebSocketConnection().release();
        ws->setParent(this);
        // Clients only ever send small control messages; never buffer a huge one.
        ws->setMaxAllowedIncomingFrameSize(kMaxClientMessageBytes);
        ws->setMaxAllowedIncomingMessageSize(kMaxClientMessageBytes);
        const bool full = subscriberCount() >= m_settings.maxConnections;
        const QString path = ws->requestUrl().path();
        const bool allowed =
            !m_settings.tokenForReading || m_settings.token.isEmpty()
            || ws->request().rawHeader("Authorization") == "Bearer " + m_settings.token
            || QUrlQuery(ws->requestUrl()).queryItemValue(QStringLiteral("token")).toUtf8() == m_settings.token;
        if (full || !allowed) {
            ws->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      full ? QStringLiteral("too many open streams") : QStringLiteral("missing or wrong token"));
            connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
            continue;
        }
        auto subscriber = std::make_unique<Subscriber>();
        subscriber->kind = Kind::WebSocket;
        subscriber->webSocket = ws;
        if (path.startsWith(u"/ws/") && path.size() > 4)
            subscriber->channel = path.mid(4);
        Subscriber *raw = subscriber.get();
        connect(ws, &QWebSocket::disconnected, this, [this, raw] { markGone(raw); });
        connect(ws, &QWebSocket::textMessageReceived, this, [raw](const QString &message) {
            // {"subscribe":"<channel>"} switches the channel; anything else is ignored.
            const QJsonObject request = QJsonDocument::fromJson(message.toUtf8()).object();
            if (const QString channel = request.value(QStringLiteral("subscribe")).toString(); !channel.isEmpty())
                raw->channel = channel;
        });
        m_subscribers.push_back(std::move(subscriber));
        emit subscriberCountChanged(subscriberCount());
        if (m_settings.replay)
            startPlayback(*raw, QUrlQuery(ws->requestUrl()).queryItemValue(QStringLiteral("lastEventId")).toUtf8(), {});
    }
}

void TestPublisher::enforceTotalBacklog()
{
    qint64 queued = 0;
    QList<std::pair<qint64, Subscriber *>> behind;
    for (const auto &s : m_subscribers) {
        if (s->gone)
            continue;
        const qint64 backlog = s->socket ? s->socket->bytesToWrite() : s->webSocket ? s->webSocket->bytesToWrite() : 0;
        queued += backlog;
        if (backlog > 0)
            behind.append({backlog, s.get()});
    }
    if (queued <= m_settings.maxTotalBacklogBytes)
        return;
    std::sort(behind.begin(), behind.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (const auto &[backlog, subscriber] : behind) {
        if (queued <= m_settings.maxTotalBacklogBytes)
            break;
        drop(*subscriber, backlog);
        queued -= backlog;
    }
}

void TestPublisher::drop(Subscriber &subscriber, qint64 backlog)
{
    ++m_dropped;
    qCInfo(lcServer) << "dropping a subscriber that does not keep up," << backlog << "bytes behind";
    subscriber.gone = true;
    m_sweep.start(0);
    if (subscriber.socket)
        subscriber.socket->abort();
    else if (subscriber.webSocket)
        subscriber.webSocket->abort();
}

bool TestPublisher::dropIfBehind(Subscriber &subscriber, qint64 backlog)
{
    if (backlog <= m_settings.maxBacklogBytes)
        return false;
    drop(subscriber, backlog);
    return true;
}

bool TestPublisher::send(Subscriber &subscriber, const QByteArray &bytes)
{
    QTcpSocket *socket = subscriber.socket;
    if (subscriber.gone || !socket || socket->state() != QAbstractSocket::ConnectedState)
        return false;
    // What is still queued from earlier writes decides, so one large batch never drops a reader
    // that keeps up; memory per subscriber stays under the cap plus one batch.
    if (dropIfBehind(subscriber, socket->bytesToWrite()))
        return false;
    subscriber.responder->writeBody(bytes);
    return true;
}

QWebSocket *TestPublisher::writableWebSocket(Subscriber &subscriber)
{
    QWebSocket *ws = subscriber.webSocket;
    if (subscriber.gone || !ws || ws->state() != QAbstractSocket::ConnectedState)
        return nullptr;
    return dropIfBehind(subscriber, ws->bytesToWrite()) ? nullptr : ws;
}

bool TestPublisher::sendText(Subscriber &subscriber, const QString &text)
{
    QWebSocket *ws = writableWebSocket(subscriber);
    if (!ws)
        return false;
    ws->sendTextMessage(text);
    return true;
}

void TestPublisher::broadcast(const QList<PublishedClick> &clicks)
{
    // Serialise once per batch and channel, never once per subscriber.
    QByteArray all;
    QHash<QString, QByteArray> perChannel;
    QHash<QByteArray, bool> linksTouched;
    QList<QString> texts;   // WebSocket frames, made on first need
    for (const PublishedClick &click : clicks) {
        const QByteArray frame = sseFrame(click);
        all += frame;
        if (click.channel != u"all")
            perChannel[click.channel] += frame;
        linksTouched.insert(click.link, true);
    }
    enforceTotalBacklog();
    // A snapshot of the list: a send may abort a socket, whose disconnect marks it gone (and a
    // sweep, later, removes it), so the vector does not change under this loop.
    for (const auto &s : m_subscribers) {
        Subscriber &subscriber = *s;
        if (subscriber.playback)
            continue;   // it plays a recording
        switch (subscriber.kind) {
        case Kind::Events: {
            if (subscriber.resumeAfter > 0) {
                QByteArray ahead;
                for (const PublishedClick &click : clicks) {
                    if (click.sequence > subscriber.resumeAfter
                        && (subscriber.channel == u"all" || click.channel == subscriber.channel))
                        ahead += sseFrame(click);
                }
                if (clicks.constLast().sequence >= subscriber.resumeAfter)
                    subscriber.resumeAfter = 0;
                if (!ahead.isEmpty())
                    send(subscriber, ahead);
                break;
            }
            const QByteArray &payload = subscriber.channel == u"all" ? all : perChannel.value(subscriber.channel);
            if (!payload.isEmpty())
                send(subscriber, payload);
            break;
        }
        case Kind::Realtime:
            if (linksTouched.contains(subscriber.link))
                send(subscriber, realtimeEvent(subscriber.link));
            break;
        case Kind::WebSocket:
            if (texts.isEmpty()) {
                for (const PublishedClick &click : clicks)
                    texts.append(QString::fromUtf8(click.json));
            }
            for (qsizetype i = 0; i < clicks.size(); ++i) {
                if ((subscriber.channel == u"all" || clicks[i].channel == subscriber.channel)
                    && !sendText(subscriber, texts[i]))
                    break;
            }
            break;
        }
    }
}

void TestPublisher::sendHeartbeat()
{
    static const QByteArray kPing(": ping\n\n");
    for (const auto &s : m_subscribers) {
        if (s->kind != Kind::WebSocket)
            send(*s, kPing);
    }
}

void TestPublisher::markGone(Subscriber *subscriber)
{
    subscriber->gone = true;
    m_sweep.start(0);
}

void TestPublisher::sweep()
{
    const auto before = m_subscribers.size();
    std::erase_if(m_subscribers, [this](const auto &s) {
        if (!s->gone)
            return false;
        // No late signal may reach the freed subscriber. SSE sockets are QHttpServer's to delete;
        // WebSockets are ours.
        if (s->socket)
            s->socket->disconnect(this);
        if (s->webSocket) {
            s->webSocket->disconnect(this);
            s->webSocket->deleteLater();
        }
        return true;
    });
    if (m_subscribers.size() != before) {
        // Queues of slow readers are many small blocks, which the C library keeps after they are
        // freed: a crowd that never read would leave the publisher hundreds of MiB larger for
        // good. Once their sockets are deleted (by QHttpServer, later), it is told to return them.
        if (!m_trim.isActive())
            m_trim.start();
        emit subscriberCountChanged(subscriberCount());
    }
}

}   // namespace Clickscope

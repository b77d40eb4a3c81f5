// SPDX-License-Identifier: MIT
// What every StreamSource promises, whatever its transport: run once per transport, through
// createSource(), against a real server of that transport. A new transport joins by adding a
// row to addTransports() and a ContractServer for it.
#include "core/nats/natsreader.h"
#include "core/nats/natssource.h"
#include "core/redis/redissource.h"
#include "core/source/reconnectpolicy.h"
#include "core/source/sourcefactory.h"
#include "core/sse/eventsource.h"
#include "core/ws/websocketsource.h"
#include "support/eventcollector.h"
#include "support/ports.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <memory>

using Clickscope::SourceConfig;
using Clickscope::SseBatch;
using Clickscope::SseEvent;
using Clickscope::StreamSource;
using Clickscope::Testing::EventCollector;
using Clickscope::Testing::unusedPort;

namespace {

constexpr int kWaitMs = 5000;

// What a server does with one connection: messages at once, more after a pause, then either
// silence (the connection stays open) or a clean close.
struct Plan
{
    QStringList now;
    QStringList later;
    int laterMs = 30;
    bool close = false;
};
using Planner = std::function<Plan(int connection)>;

// One transport's server on 127.0.0.1: it plays each connection's plan and counts the
// connections that ended.
class ContractServer : public QObject
{
public:
    virtual QString scheme() const = 0;
    virtual quint16 port() const = 0;
    // What a URL of this transport names after its host.
    virtual QString path() const { return QStringLiteral("/stream"); }
    QUrl url() const { return QUrl(QStringLiteral("%1://127.0.0.1:%2%3").arg(scheme()).arg(port()).arg(path())); }
    void setPlanner(Planner planner) { m_planner = std::move(planner); }
    int disconnects() const { return m_disconnects; }

protected:
    // Plays the plan of the next connection through `send` and `close`, guarded by `connection`.
    void play(QObject *connection, const std::function<void(const QString &)> &send, const std::function<void()> &close)
    {
        const Plan plan = m_planner ? m_planner(m_connections++) : Plan{};
        for (const QString &message : plan.now)
            send(message);
        if (plan.later.isEmpty()) {
            if (plan.close)
                close();
            return;
        }
        QTimer::singleShot(plan.laterMs, connection, [plan, send, close] {
            for (const QString &message : plan.later)
                send(message);
            if (plan.close)
                close();
        });
    }
    void countDisconnect() { ++m_disconnects; }
    // Listens on `server` (127.0.0.1, a free port); each connection's bytes go to `onData`, and
    // a connection that ends is counted, handed to `onGone` and deleted.
    void serveTcp(QTcpServer &server, std::function<void(QTcpSocket *)> onData,
                  std::function<void(QTcpSocket *)> onGone = {})
    {
        server.listen(QHostAddress::LocalHost, 0);
        connect(&server, &QTcpServer::newConnection, this, [this, &server, onData, onGone] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::disconnected, this, [this, socket, onGone] {
                    countDisconnect();
                    if (onGone)
                        onGone(socket);
                    socket->deleteLater();
                });
                connect(socket, &QTcpSocket::readyRead, this, [socket, onData] { onData(socket); });
            }
        });
    }

private:
    Planner m_planner;
    int m_connections = 0;
    int m_disconnects = 0;
};

// Server-Sent Events over a plain QTcpServer: a 200 text/event-stream head once the request
// head is in, then one `data:` event per message.
class SseServer : public ContractServer
{
public:
    SseServer()
    {
        serveTcp(
            m_server, [this](QTcpSocket *socket) { readHead(socket); },
            [this](QTcpSocket *socket) { m_heads.remove(socket); });
    }
    QString scheme() const override { return QStringLiteral("http"); }
    quint16 port() const override { return m_server.serverPort(); }

private:
    void readHead(QTcpSocket *socket)
    {
        QByteArray &head = m_heads[socket];
        if (head.endsWith("\r\n\r\n"))
            return;   // answered already
        head += socket->readAll();
        if (!head.contains("\r\n\r\n"))
            return;
        head = head.left(head.indexOf("\r\n\r\n") + 4);
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n");
        const QPointer<QTcpSocket> guarded(socket);
        play(
            socket,
            [guarded](const QString &message) {
                if (guarded)
                    guarded->write("data: " + message.toUtf8() + "\n\n");
            },
            [guarded] {
                if (guarded)
                    guarded->disconnectFromHost();
            });
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_heads;
};

// WebSocket: one text message per message.
class WebSocketServer : public ContractServer
{
public:
    WebSocketServer() : m_server(QStringLiteral("contract"), QWebSocketServer::NonSecureMode)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *ws = m_server.nextPendingConnection()) {
                ws->setParent(this);
                connect(ws, &QWebSocket::disconnected, this, [this, ws] {
                    countDisconnect();
                    ws->deleteLater();
                });
                const QPointer<QWebSocket> guarded(ws);
                play(
                    ws,
                    [guarded](const QString &message) {
                        if (guarded)
                            guarded->sendTextMessage(message);
                    },
                    [guarded] {
                        if (guarded)
                            guarded->close();
                    });
            }
        });
    }
    QString scheme() const override { return QStringLiteral("ws"); }
    quint16 port() const override { return m_server.serverPort(); }

private:
    QWebSocketServer m_server;
};

// Redis pub/sub, played by a fake: a subscription is confirmed whatever was asked, then one
// "message" push per message; a PING probe goes unanswered.
class RedisServer : public ContractServer
{
public:
    RedisServer()
    {
        serveTcp(m_server, [this](QTcpSocket *socket) { subscribe(socket); });
    }
    QString scheme() const override { return QStringLiteral("redis"); }
    quint16 port() const override { return m_server.serverPort(); }
    QString path() const override { return QStringLiteral("/pubsub/stream"); }

private:
    void subscribe(QTcpSocket *socket)
    {
        socket->readAll();
        if (socket->property("subscribed").toBool())
            return;
        socket->setProperty("subscribed", true);
        socket->write("*3\r\n$9\r\nsubscribe\r\n$6\r\nstream\r\n:1\r\n");
        const QPointer<QTcpSocket> guarded(socket);
        play(
            socket,
            [guarded](const QString &message) {
                if (guarded)
                    guarded->write(Clickscope::respCommand({"message", "stream", message.toUtf8()}));
            },
            [guarded] {
                if (guarded)
                    guarded->disconnectFromHost();
            });
    }

    QTcpServer m_server;
};

// NATS, played by a fake: it greets, answers the client's first PING (after its CONNECT and SUB)
// whatever was asked, then sends one MSG per message; later PING probes go unanswered.
class NatsServer : public ContractServer
{
public:
    NatsServer()
    {
        serveTcp(m_server, [this](QTcpSocket *socket) { subscribe(socket); });
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            for (QTcpSocket *socket : findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly))
                greet(socket);
        });
    }
    QString scheme() const override { return QStringLiteral("nats"); }
    quint16 port() const override { return m_server.serverPort(); }
    QString path() const override { return QStringLiteral("/stream"); }

private:
    static void greet(QTcpSocket *socket)
    {
        if (socket->property("greeted").toBool())
            return;
        socket->setProperty("greeted", true);
        socket->write("INFO {\"server_id\":\"contract\",\"headers\":true}\r\n");
    }
    void subscribe(QTcpSocket *socket)
    {
        if (socket->property("subscribed").toBool()) {
            socket->readAll();
            return;
        }
        QByteArray &said = m_said[socket];
        said += socket->readAll();
        if (!said.contains("PING\r\n"))
            return;
        m_said.remove(socket);
        socket->setProperty("subscribed", true);
        socket->write(Clickscope::NatsCommand::pong());
        const QPointer<QTcpSocket> guarded(socket);
        play(
            socket,
            [guarded](const QString &message) {
                if (guarded) {
                    const QByteArray payload = message.toUtf8();
                    guarded->write("MSG stream 1 " + QByteArray::number(payload.size()) + "\r\n" + payload + "\r\n");
                }
            },
            [guarded] {
                if (guarded)
                    guarded->disconnectFromHost();
            });
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_said;
};

std::unique_ptr<ContractServer> serverFor(const QString &transport)
{
    if (transport == u"sse")
        return std::make_unique<SseServer>();
    if (transport == u"redis")
        return std::make_unique<RedisServer>();
    if (transport == u"nats")
        return std::make_unique<NatsServer>();
    return std::make_unique<WebSocketServer>();
}

// A source of `transport` made directly, not through createSource().
std::unique_ptr<StreamSource> directSource(const QString &transport, const SourceConfig &config)
{
    if (transport == u"sse")
        return std::make_unique<Clickscope::EventSource>(config);
    if (transport == u"websocket")
        return std::make_unique<Clickscope::WebSocketSource>(config);
    if (transport == u"redis")
        return std::make_unique<Clickscope::RedisSource>(config);
    if (transport == u"nats")
        return std::make_unique<Clickscope::NatsSource>(config);
    return Clickscope::createSource(config);
}

void addTransports()
{
    QTest::addColumn<QString>("transport");
    QTest::newRow("sse") << QStringLiteral("sse");
    QTest::newRow("websocket") << QStringLiteral("websocket");
    QTest::newRow("redis") << QStringLiteral("redis");
    QTest::newRow("nats") << QStringLiteral("nats");
}

std::unique_ptr<StreamSource> sourceFor(const QUrl &url, SourceConfig config = {})
{
    config.url = url;
    return Clickscope::createSource(config);
}

QUrl refusedUrl(const ContractServer &server)
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2%3").arg(server.scheme()).arg(unusedPort()).arg(server.path()));
}

}   // namespace

class TestStreamSourceContract : public QObject
{
    Q_OBJECT

private slots:
    void refusedConnectionFailsWithoutReconnect_data() { addTransports(); }
    void refusedConnectionFailsWithoutReconnect();
    void refusedConnectionBacksOff_data() { addTransports(); }
    void refusedConnectionBacksOff();
    void badUrlsFailAsynchronously_data();
    void badUrlsFailAsynchronously();
    void closeFromSlotStopsEverything_data() { addTransports(); }
    void closeFromSlotStopsEverything();
    void deleteFromSlotIsSafe_data();
    void deleteFromSlotIsSafe();
    void idleTimeoutReconnects_data() { addTransports(); }
    void idleTimeoutReconnects();
    void messagesShowNoSecret_data() { addTransports(); }
    void messagesShowNoSecret();
};

void TestStreamSourceContract::refusedConnectionFailsWithoutReconnect()
{
    QFETCH(QString, transport);
    const auto server = serverFor(transport);
    SourceConfig config;
    config.reconnect = false;
    const auto source = sourceFor(refusedUrl(*server), config);
    QSignalSpy failed(source.get(), &StreamSource::failed);
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    source->open();
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().first().value<StreamSource::Error>(), StreamSource::Error::Network);
    QCOMPARE(source->state(), StreamSource::State::Closed);
    QVERIFY2(source->errorString().contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(source->errorString()));
    QVERIFY(reconnects.isEmpty());
}

void TestStreamSourceContract::refusedConnectionBacksOff()
{
    QFETCH(QString, transport);
    const auto server = serverFor(transport);
    SourceConfig config;
    config.defaultRetryMs = 20;
    const auto source = sourceFor(refusedUrl(*server), config);
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    source->open();
    QTRY_VERIFY_WITH_TIMEOUT(reconnects.size() >= 3, kWaitMs);
    source->close();
    const qint64 first = reconnects.at(0).first().toLongLong();
    const qint64 second = reconnects.at(1).first().toLongLong();
    const qint64 third = reconnects.at(2).first().toLongLong();
    QCOMPARE(first, qint64(20));
    // Then doubling from the backoff floor, minus up to 25 % jitter.
    const qint64 floor = Clickscope::ReconnectPolicy::kMinBackoffMs;
    QVERIFY2(second >= floor * 2 * 3 / 4 && second <= floor * 2, qPrintable(QString::number(second)));
    QVERIFY2(third >= floor * 4 * 3 / 4 && third <= floor * 4, qPrintable(QString::number(third)));
    QCOMPARE(source->state(), StreamSource::State::Closed);
}

void TestStreamSourceContract::badUrlsFailAsynchronously_data()
{
    // Each transport, made directly, refuses what it cannot open, a URL of the other included;
    // through createSource() a URL goes to the transport its scheme names.
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("url");
    const QStringList common = {QString(), QStringLiteral("ftp://127.0.0.1/s")};
    const QList<std::pair<QString, QStringList>> transports = {
        {QStringLiteral("sse"),
         {QStringLiteral("ws://127.0.0.1/s"), QStringLiteral("127.0.0.1:80/s"), QStringLiteral("http:///s"),
          QStringLiteral("http://exa mple.com/")}},
        {QStringLiteral("websocket"),
         {QStringLiteral("http://127.0.0.1/s"), QStringLiteral("https://127.0.0.1/s"), QStringLiteral("ws:///s"),
          QStringLiteral("ws://exa mple.com/")}},
        {QStringLiteral("redis"),
         {QStringLiteral("http://127.0.0.1/s"), QStringLiteral("redis:///pubsub/s"),
          QStringLiteral("redis://127.0.0.1/s"), QStringLiteral("redis://127.0.0.1/stream/s?start=now")}},
        {QStringLiteral("nats"),
         {QStringLiteral("redis://127.0.0.1/pubsub/s"), QStringLiteral("nats:///s"), QStringLiteral("nats://127.0.0.1"),
          QStringLiteral("nats://127.0.0.1/s?stream=S&start=last")}},
        {QStringLiteral("any"),
         {QStringLiteral("http:///s"), QStringLiteral("ws://exa mple.com/"), QStringLiteral("redis://127.0.0.1/s")}},
    };
    for (const auto &[transport, urls] : transports) {
        for (const QString &url : common + urls)
            QTest::addRow("%s, '%s'", qPrintable(transport), qPrintable(url)) << transport << url;
    }
}

void TestStreamSourceContract::badUrlsFailAsynchronously()
{
    QFETCH(QString, transport);
    QFETCH(QString, url);
    SourceConfig config;
    config.url = QUrl(url, QUrl::StrictMode);
    const std::unique_ptr<StreamSource> source = directSource(transport, config);
    QSignalSpy failed(source.get(), &StreamSource::failed);
    source->open();
    QVERIFY(failed.isEmpty());   // reported from the event loop, never inside open()
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(failed.first().first().value<StreamSource::Error>(), StreamSource::Error::InvalidUrl);
    QCOMPARE(source->error(), StreamSource::Error::InvalidUrl);
    QCOMPARE(source->state(), StreamSource::State::Closed);
    QVERIFY(!source->errorString().isEmpty());
}

void TestStreamSourceContract::closeFromSlotStopsEverything()
{
    // Each connection gets "1" at once and "2" 30 ms later. The control source, which stays
    // open, tells us when "2" has had time to arrive; the closed one must not see it.
    QFETCH(QString, transport);
    const auto server = serverFor(transport);
    server->setPlanner([](int) {
        Plan plan;
        plan.now = {QStringLiteral("1")};
        plan.later = {QStringLiteral("2")};
        return plan;
    });
    const auto source = sourceFor(server->url());
    const auto control = sourceFor(server->url());
    int batches = 0;
    connect(source.get(), &StreamSource::eventsReceived, this, [&](const SseBatch &) {
        ++batches;
        source->close();
    });
    QSignalSpy states(source.get(), &StreamSource::stateChanged);
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    EventCollector controlGot(control.get());
    source->open();
    control->open();
    QTRY_COMPARE_WITH_TIMEOUT(controlGot.events.size(), 2, kWaitMs);
    QCOMPARE(source->state(), StreamSource::State::Closed);
    QCOMPARE(batches, 1);
    QCOMPARE(states.last().first().value<StreamSource::State>(), StreamSource::State::Closed);
    QVERIFY(reconnects.isEmpty());
    QCOMPARE(source->error(), StreamSource::Error::NoError);
    QTRY_COMPARE_WITH_TIMEOUT(server->disconnects(), 1, kWaitMs);   // close() let the connection go
}

void TestStreamSourceContract::deleteFromSlotIsSafe_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("signalName");
    for (const char *transport : {"sse", "websocket", "redis", "nats"}) {
        for (const char *signalName : {"open", "events", "reconnect", "failed"})
            QTest::addRow("%s, %s", transport, signalName)
                << QString::fromLatin1(transport) << QString::fromLatin1(signalName);
    }
}

void TestStreamSourceContract::deleteFromSlotIsSafe()
{
    QFETCH(QString, transport);
    QFETCH(QString, signalName);
    const auto server = serverFor(transport);
    server->setPlanner([](int) {
        Plan plan;
        plan.now = {QStringLiteral("1"), QStringLiteral("2")};
        plan.close = true;
        return plan;
    });
    SourceConfig config;
    config.url = server->url();
    config.defaultRetryMs = 20;
    if (signalName == u"failed") {
        config.url = refusedUrl(*server);
        config.reconnect = false;
    }
    QPointer<StreamSource> source = Clickscope::createSource(config).release();
    QSignalSpy destroyed(source.data(), &QObject::destroyed);
    const auto deleteIt = [&source] { delete source.data(); };
    if (signalName == u"open") {
        connect(source.data(), &StreamSource::stateChanged, this, [&](StreamSource::State s) {
            if (s == StreamSource::State::Open)
                deleteIt();
        });
    } else if (signalName == u"events") {
        connect(source.data(), &StreamSource::eventsReceived, this, deleteIt);
    } else if (signalName == u"reconnect") {
        connect(source.data(), &StreamSource::reconnectScheduled, this, deleteIt);
    } else {
        connect(source.data(), &StreamSource::failed, this, deleteIt);
    }
    source->open();
    QVERIFY(destroyed.wait(kWaitMs));
    QVERIFY(source.isNull());
    if (signalName != u"failed")   // the connection still goes away cleanly
        QTRY_COMPARE_WITH_TIMEOUT(server->disconnects(), 1, kWaitMs);
}

void TestStreamSourceContract::idleTimeoutReconnects()
{
    // One message, then silence: the idle timer must drop the connection and come back.
    QFETCH(QString, transport);
    if (transport == u"websocket")
        QSKIP("A WebSocket source pings a silent server, which answers; tst_streamfaults stalls one");
    const auto server = serverFor(transport);
    server->setPlanner([](int connection) {
        Plan plan;
        plan.now = {connection == 0 ? QStringLiteral("a") : QStringLiteral("b")};
        return plan;
    });
    SourceConfig config;
    config.idleTimeoutMs = 200;
    config.defaultRetryMs = 10;
    const auto source = sourceFor(server->url(), config);
    EventCollector got(source.get());
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.data(), (QStringList{"a", "b"}));
    QCOMPARE(reconnects.size(), 1);
    QVERIFY2(reconnects.first().at(1).toString().contains(QStringLiteral("no data")),
             qPrintable(reconnects.first().at(1).toString()));
    source->close();
}

void TestStreamSourceContract::messagesShowNoSecret()
{
    // The messages a source gives end up on stderr and in the status bar: a URL they quote shows
    // without its password or token, whether the URL is refused or cannot be reached.
    QFETCH(QString, transport);
    const auto server = serverFor(transport);
    const QString other = transport == u"sse" ? QStringLiteral("ws") : QStringLiteral("http");
    for (const QString &scheme : {server->scheme(), other}) {
        SourceConfig config;
        config.url = QUrl(QStringLiteral("%1://me:pw@127.0.0.1:%2%3?access_token=zzz")
                              .arg(scheme)
                              .arg(unusedPort())
                              .arg(scheme == server->scheme() ? server->path() : QStringLiteral("/s")));
        config.reconnect = false;
        const std::unique_ptr<StreamSource> source = directSource(transport, config);
        QSignalSpy failed(source.get(), &StreamSource::failed);
        source->open();
        QVERIFY(failed.wait(kWaitMs));
        const QString message = failed.first().at(1).toString();
        QVERIFY(!message.isEmpty());
        for (const char *secret : {"pw", "zzz", "me@"})
            QVERIFY2(!message.contains(QLatin1String(secret)), qPrintable(message));
    }
}

QTEST_GUILESS_MAIN(TestStreamSourceContract)
#include "tst_streamsourcecontract.moc"

// SPDX-License-Identifier: MIT
#include "core/source/sourcefactory.h"
#include "core/sse/eventsource.h"
#include "core/ws/websocketsource.h"
#include "support/eventcollector.h"

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

using Clickscope::EventSource;
using Clickscope::SourceConfig;
using Clickscope::SseEvent;
using Clickscope::StreamSource;
using Clickscope::WebSocketSource;
using Clickscope::Testing::EventCollector;

namespace {

constexpr int kWaitMs = 5000;

}   // namespace

class TestWebSocketSource : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void messagesArriveAsEvents();
    void messagesSentTogetherArriveInOneBatch();
    void binaryMessagesAreSanitized();
    void handshakeCarriesConfiguredHeaders();
    void serverCloseReconnectsAndMessagesFlow();
    void serverCloseWithoutReconnectEndsCleanly();
    void serverResetWithoutReconnectFails();
    void rejectedHandshakeFails();
    void doneMarkerClosesCleanly();
    void oversizeMessagesAreDroppedAndCounted();
    void aFrameLargerThanTheReadAheadArrives();
    void sendTextMessageReachesServer();
    void createSourcePicksTransport_data();
    void createSourcePicksTransport();
    void checkStreamUrlAcceptsWebSocketSchemes();

private:
    QUrl url(const QString &path = QStringLiteral("/ws")) const;
    std::unique_ptr<WebSocketSource> makeSource(SourceConfig config = {}) const;

    std::unique_ptr<QWebSocketServer> m_server;
    // Called for each accepted connection with its 0-based number; sends what the test needs.
    std::function<void(QWebSocket *, int)> m_onConnection;
    QList<QNetworkRequest> m_requests;   // the handshake of every connection
    QStringList m_received;              // text messages the server got
    int m_connections = 0;
    int m_serverDisconnects = 0;
};

void TestWebSocketSource::init()
{
    m_server = std::make_unique<QWebSocketServer>(QStringLiteral("test"), QWebSocketServer::NonSecureMode);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));
    connect(m_server.get(), &QWebSocketServer::newConnection, this, [this] {
        while (m_server->hasPendingConnections()) {
            QWebSocket *ws = m_server->nextPendingConnection();
            ws->setParent(m_server.get());
            m_requests << ws->request();
            connect(ws, &QWebSocket::textMessageReceived, this, [this](const QString &m) { m_received << m; });
            connect(ws, &QWebSocket::disconnected, this, [this, ws] {
                ++m_serverDisconnects;
                ws->deleteLater();
            });
            const int index = m_connections++;
            if (m_onConnection)
                m_onConnection(ws, index);
        }
    });
}

void TestWebSocketSource::cleanup()
{
    m_server.reset();
    m_onConnection = {};
    m_requests.clear();
    m_received.clear();
    m_connections = 0;
    m_serverDisconnects = 0;
}

QUrl TestWebSocketSource::url(const QString &path) const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(m_server->serverPort()).arg(path));
}

std::unique_ptr<WebSocketSource> TestWebSocketSource::makeSource(SourceConfig config) const
{
    if (config.url.isEmpty())
        config.url = url();
    return std::make_unique<WebSocketSource>(config);
}

void TestWebSocketSource::messagesArriveAsEvents()
{
    m_onConnection = [](QWebSocket *ws, int) {
        ws->sendTextMessage(QStringLiteral("{\"link\":\"/a\",\"country\":\"FR\"}"));
        ws->sendBinaryMessage("{\"link\":\"/b\"}");
        ws->sendTextMessage(QStringLiteral("{\"city\":\"Zürich\"}"));
    };
    auto source = makeSource();
    QSignalSpy states(source.get(), &StreamSource::stateChanged);
    EventCollector got(source.get());
    source->open();
    QCOMPARE(source->state(), StreamSource::State::Connecting);
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 3, kWaitMs);
    QCOMPARE(got.data(), (QStringList{QStringLiteral("{\"link\":\"/a\",\"country\":\"FR\"}"),
                                      QStringLiteral("{\"link\":\"/b\"}"), QStringLiteral("{\"city\":\"Zürich\"}")}));
    for (const SseEvent &e : std::as_const(got.events)) {
        QCOMPARE(e.typeString(), QStringLiteral("message"));
        QVERIFY(e.lastEventId().isEmpty());
    }
    QCOMPARE(source->state(), StreamSource::State::Open);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).first().value<StreamSource::State>(), StreamSource::State::Connecting);
    QCOMPARE(states.at(1).first().value<StreamSource::State>(), StreamSource::State::Open);
    QCOMPARE(source->totalEvents(), quint64(3));
    // Payload bytes, UTF-8: "ü" is two.
    QCOMPARE(source->totalBytes(), quint64(28 + 13 + 18));
    QCOMPARE(source->error(), StreamSource::Error::NoError);
    QCOMPARE(source->droppedFrames(), quint64(0));
}

void TestWebSocketSource::messagesSentTogetherArriveInOneBatch()
{
    m_onConnection = [](QWebSocket *ws, int) {
        for (int i = 0; i < 50; ++i)
            ws->sendTextMessage(QString::number(i));
    };
    auto source = makeSource();
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 50, kWaitMs);
    QCOMPARE(got.events.at(49).dataString(), QStringLiteral("49"));
    // 50 frames written at once reach the client in one or two reads: one signal per read, never
    // one per frame.
    QVERIFY2(got.batches <= 2, qPrintable(QString::number(got.batches)));
}

void TestWebSocketSource::binaryMessagesAreSanitized()
{
    m_onConnection = [](QWebSocket *ws, int) { ws->sendBinaryMessage(QByteArray("ok\xff!", 4)); };
    auto source = makeSource();
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QCOMPARE(got.events.first().data(), QByteArrayView("ok\xEF\xBF\xBD!"));   // U+FFFD
}

void TestWebSocketSource::handshakeCarriesConfiguredHeaders()
{
    m_onConnection = [](QWebSocket *ws, int) { ws->sendTextMessage(QStringLiteral("hi")); };
    SourceConfig config;
    config.url = url(QStringLiteral("/ws/clicks?channel=main"));
    config.headers = {{"Authorization", "Bearer sk-test-123"}, {"X-Trace", "t1"}};
    auto source = makeSource(config);
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QCOMPARE(m_requests.size(), 1);
    const QNetworkRequest &request = m_requests.first();
    QCOMPARE(request.rawHeader("Authorization"), QByteArray("Bearer sk-test-123"));
    QCOMPARE(request.rawHeader("X-Trace"), QByteArray("t1"));
    QCOMPARE(request.url().path(), QStringLiteral("/ws/clicks"));
    QCOMPARE(request.url().query(), QStringLiteral("channel=main"));
}

void TestWebSocketSource::serverCloseReconnectsAndMessagesFlow()
{
    m_onConnection = [](QWebSocket *ws, int index) {
        if (index == 0) {
            ws->sendTextMessage(QStringLiteral("first"));
            ws->close();
        } else {
            ws->sendTextMessage(QStringLiteral("second"));
        }
    };
    SourceConfig config;
    config.defaultRetryMs = 20;
    auto source = makeSource(config);
    EventCollector got(source.get());
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.data(), (QStringList{"first", "second"}));
    QCOMPARE(reconnects.size(), 1);
    QCOMPARE(reconnects.first().at(0).toLongLong(), qint64(20));   // it had opened: no backoff
    QVERIFY2(reconnects.first().at(1).toString().contains(QStringLiteral("closed")),
             qPrintable(reconnects.first().at(1).toString()));
    QCOMPARE(source->reconnectCount(), quint64(1));
    QCOMPARE(source->state(), StreamSource::State::Open);
    QCOMPARE(m_connections, 2);
}

void TestWebSocketSource::serverCloseWithoutReconnectEndsCleanly()
{
    m_onConnection = [](QWebSocket *ws, int) {
        ws->sendTextMessage(QStringLiteral("x"));
        ws->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("restarting"));
    };
    SourceConfig config;
    config.reconnect = false;
    auto source = makeSource(config);
    EventCollector got(source.get());
    QSignalSpy failed(source.get(), &StreamSource::failed);
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    int eventsWhenClosed = -1;
    connect(source.get(), &StreamSource::stateChanged, this, [&](StreamSource::State s) {
        if (s == StreamSource::State::Closed)
            eventsWhenClosed = int(got.events.size());
    });
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(eventsWhenClosed, 1);   // the message sent before the close is delivered first
    QCOMPARE(source->error(), StreamSource::Error::NoError);
    QVERIFY(failed.isEmpty());
    QVERIFY(reconnects.isEmpty());
}

void TestWebSocketSource::serverResetWithoutReconnectFails()
{
    // No closing handshake: the TCP connection just goes.
    m_onConnection = [](QWebSocket *ws, int) {
        ws->sendTextMessage(QStringLiteral("x"));
        ws->flush();
        QTimer::singleShot(10, ws, &QWebSocket::abort);
    };
    SourceConfig config;
    config.reconnect = false;
    auto source = makeSource(config);
    EventCollector got(source.get());
    QSignalSpy failed(source.get(), &StreamSource::failed);
    source->open();
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(failed.first().first().value<StreamSource::Error>(), StreamSource::Error::Network);
    QCOMPARE(source->state(), StreamSource::State::Closed);
    QCOMPARE(got.data(), QStringList{"x"});
}

void TestWebSocketSource::rejectedHandshakeFails()
{
    // An HTTP server that refuses the upgrade and keeps the connection: Qt reports the error and
    // leaves its socket connecting, so the source must end the attempt itself.
    QTcpServer http;
    QVERIFY(http.listen(QHostAddress::LocalHost, 0));
    connect(&http, &QTcpServer::newConnection, this, [&http] {
        QTcpSocket *s = http.nextPendingConnection();
        connect(s, &QTcpSocket::readyRead, s, [s] {
            s->readAll();
            s->write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        });
    });
    SourceConfig config;
    config.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(http.serverPort()));
    config.reconnect = false;
    WebSocketSource source(config);
    QSignalSpy failed(&source, &StreamSource::failed);
    source.open();
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().first().value<StreamSource::Error>(), StreamSource::Error::Network);
    QVERIFY2(source.errorString().contains(QStringLiteral("401")), qPrintable(source.errorString()));
    QCOMPARE(source.state(), StreamSource::State::Closed);
}

void TestWebSocketSource::doneMarkerClosesCleanly()
{
    m_onConnection = [](QWebSocket *ws, int) {
        ws->sendTextMessage(QStringLiteral("a"));
        ws->sendTextMessage(QStringLiteral("[DONE]"));
        ws->sendTextMessage(QStringLiteral("after"));
    };
    SourceConfig config;
    config.doneMarker = QByteArray("[DONE]");
    config.defaultRetryMs = 10;
    auto source = makeSource(config);
    EventCollector got(source.get());
    QSignalSpy failed(source.get(), &StreamSource::failed);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(got.data(), QStringList{"a"});
    QCOMPARE(source->error(), StreamSource::Error::NoError);
    QVERIFY(failed.isEmpty());
    QCOMPARE(source->reconnectCount(), quint64(0));
    QTRY_COMPARE_WITH_TIMEOUT(m_serverDisconnects, 1, kWaitMs);   // the server sees us go

    // Without the option, [DONE] is just data.
    auto plain = makeSource();
    EventCollector all(plain.get());
    plain->open();
    QTRY_COMPARE_WITH_TIMEOUT(all.events.size(), 3, kWaitMs);
}

void TestWebSocketSource::aFrameLargerThanTheReadAheadArrives()
{
    // One 3 MiB frame, under the event cap but over what is read ahead of the parser: the
    // read-ahead bound must not keep a frame from ever being complete.
    const QString big(3 * 1024 * 1024, u'x');
    m_onConnection = [big](QWebSocket *ws, int) {
        ws->sendTextMessage(big);
        ws->sendTextMessage(QStringLiteral("next"));
    };
    QVERIFY(big.size() > StreamSource::kReadAheadBytes);
    auto source = makeSource();
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.events.first().data().size(), big.size());
    QCOMPARE(source->droppedFrames(), quint64(0));
}

void TestWebSocketSource::oversizeMessagesAreDroppedAndCounted()
{
    constexpr int kCap = 100;
    m_onConnection = [](QWebSocket *ws, int index) {
        if (index == 0) {
            // 60 × "é" = 120 bytes of UTF-8 in 10-byte frames. Qt 6.4 counts a fragmented text
            // message in UTF-16 units (60) and lets it through; the source drops it itself and
            // the connection goes on.
            ws->setOutgoingFrameSize(10);
            ws->sendTextMessage(QString(60, QChar(0xE9)));
            ws->setOutgoingFrameSize(QWebSocket::maxOutgoingFrameSize());
            ws->sendTextMessage(QStringLiteral("kept"));
            // One 200-byte frame: Qt refuses to buffer it and closes the connection with 1009,
            // so the message behind it on this connection is lost too.
            ws->sendTextMessage(QString(2 * kCap, u'x'));
            ws->sendTextMessage(QStringLiteral("lost"));
        } else {
            ws->sendTextMessage(QStringLiteral("after"));
        }
    };
    SourceConfig config;
    config.limits.maxEventBytes = kCap;
    config.defaultRetryMs = 20;
    auto source = makeSource(config);
    EventCollector got(source.get());
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.data(), (QStringList{"kept", "after"}));
    QCOMPARE(source->droppedFrames(), quint64(2));
    QCOMPARE(reconnects.size(), 1);
    QVERIFY2(reconnects.first().at(1).toString().contains(QStringLiteral("100-byte limit")),
             qPrintable(reconnects.first().at(1).toString()));
    QCOMPARE(source->state(), StreamSource::State::Open);
}

void TestWebSocketSource::sendTextMessageReachesServer()
{
    auto source = makeSource();
    connect(source.get(), &StreamSource::stateChanged, this, [&](StreamSource::State s) {
        if (s == StreamSource::State::Open)
            source->sendTextMessage(QStringLiteral("{\"subscribe\":\"clicks\"}"));
    });
    source->open();
    source->sendTextMessage(QStringLiteral("too early"));   // Connecting: a no-op
    QTRY_COMPARE_WITH_TIMEOUT(m_received.size(), 1, kWaitMs);
    QCOMPARE(m_received.first(), QStringLiteral("{\"subscribe\":\"clicks\"}"));
    source->close();
    source->sendTextMessage(QStringLiteral("too late"));   // Closed: a no-op
    QTRY_COMPARE_WITH_TIMEOUT(m_serverDisconnects, 1, kWaitMs);
    QCOMPARE(m_received.size(), 1);
}

void TestWebSocketSource::createSourcePicksTransport_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("webSocket");
    QTest::newRow("ws") << QStringLiteral("ws://127.0.0.1/ws") << true;
    QTest::newRow("WSS") << QStringLiteral("WSS://example.com/ws") << true;
    QTest::newRow("Ws") << QStringLiteral("Ws://example.com/ws") << true;
    QTest::newRow("http") << QStringLiteral("http://127.0.0.1/sse") << false;
    QTest::newRow("HTTPS") << QStringLiteral("HTTPS://example.com/sse") << false;
    QTest::newRow("ftp goes to EventSource, which rejects it") << QStringLiteral("ftp://example.com/") << false;
}

void TestWebSocketSource::createSourcePicksTransport()
{
    QFETCH(QString, url);
    QFETCH(bool, webSocket);
    SourceConfig config;
    config.url = QUrl(url);
    QObject parent;
    const std::unique_ptr<StreamSource> source = Clickscope::createSource(config, &parent);
    QVERIFY(source);
    QCOMPARE(qobject_cast<WebSocketSource *>(source.get()) != nullptr, webSocket);
    QCOMPARE(qobject_cast<EventSource *>(source.get()) != nullptr, !webSocket);
    QCOMPARE(source->parent(), &parent);
    QCOMPARE(source->config().url, config.url);
}

void TestWebSocketSource::checkStreamUrlAcceptsWebSocketSchemes()
{
    using Clickscope::checkStreamUrl;
    QVERIFY(checkStreamUrl(QUrl(QStringLiteral("ws://127.0.0.1:8080/ws"))));
    QVERIFY(checkStreamUrl(QUrl(QStringLiteral("wss://example.com/ws?t=1"))));
    QVERIFY(checkStreamUrl(QUrl(QStringLiteral("WSS://example.com/ws"))));
    QVERIFY(checkStreamUrl(QUrl(QStringLiteral("https://example.com/sse"))));
    const auto ftp = checkStreamUrl(QUrl(QStringLiteral("ftp://example.com/")));
    QVERIFY(!ftp);
    QVERIFY2(ftp.error().contains(QStringLiteral("use http, https, ws, wss, redis or nats"))
                 && ftp.error().contains(QStringLiteral("ftp")),
             qPrintable(ftp.error()));
    QVERIFY(!checkStreamUrl(QUrl(QStringLiteral("ws:///ws"))));   // no host
}

QTEST_GUILESS_MAIN(TestWebSocketSource)
#include "tst_websocketsource.moc"

// SPDX-License-Identifier: MIT
#include "support/eventcollector.h"
// The publisher for real: bound on 127.0.0.1 at an ephemeral port, read by our EventSource, by
// raw sockets, by QWebSocket and by curl when it is installed.
#include "core/decode/clickdecoder.h"
#include "core/sse/eventsource.h"
#include "server/testpublisher.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace Clickscope;
using namespace Clickscope::Testing;

namespace {

constexpr int kWaitMs = 5000;

// A JSON array of 100 clicks on `link`, each padded to about 2 kB: 200 kB a publish.
QByteArray paddedBatch(const QByteArray &link)
{
    const QByteArray padding(2000, 'p');
    QByteArray batch = "[";
    for (int i = 0; i < 100; ++i)
        batch += "{\"link\":\"" + link + "\",\"pad\":\"" + padding + "\"},";
    batch.chop(1);
    return batch + "]";
}

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QList<QNetworkReply::RawHeaderPair> headers;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

}   // namespace

class TestTestPublisher : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void streamsPublishedClicks();
    void channelsSeparateClicks();
    void resumesAfterLastEventId();
    void snapshotWhenTooOld();
    void snapshotOnRequest();
    void realtimeShape();
    void webSocketFrames();
    void publishAcceptsObjectArrayAndNdjson();
    void publishRefusesBadInputAndPublishesNothing_data();
    void publishRefusesBadInputAndPublishesNothing();
    void oversizedBodyRefusedBeforeItIsRead();
    void keptAliveConnectionsAreCheckedPerRequest();
    void wrongMethodIs405();
    void tokenGuardsPublishing();
    void tokenCanGuardReading();
    void fetchStreamEndsWithDone();
    void maxConnectionsGives503();
    void slowSubscriberIsDroppedOthersContinue();
    void aCrowdThatNeverReadsIsDroppedWithinTheTotalBudget();
    void redirectRecordsAClick();
    void redirectRecordsWhatTheDashboardDerives_data();
    void redirectRecordsWhatTheDashboardDerives();
    void redirectRefusesWhatPublishRefuses();
    void statsAndHealth();
    void disconnectedClientsAreFreed();
    void shutdownEndsStreamsCleanly();
    void curlReadsTheStream();

private:
    std::unique_ptr<TestPublisher> start(TestPublisher::Settings settings = {});
    HttpResult request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                       const QList<std::pair<QByteArray, QByteArray>> &headers = {});
    std::unique_ptr<EventSource> listen(const QString &path, SourceConfig config = {});

    std::unique_ptr<TestPublisher> m_publisher;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

void TestTestPublisher::init()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_publisher = start();
    QVERIFY(m_publisher);
}

void TestTestPublisher::cleanup()
{
    m_publisher.reset();
    m_nam.reset();
}

std::unique_ptr<TestPublisher> TestTestPublisher::start(TestPublisher::Settings settings)
{
    settings.heartbeatMs = settings.heartbeatMs == 15'000 ? 0 : settings.heartbeatMs;
    auto publisher = std::make_unique<TestPublisher>(settings);
    if (!publisher->listen())
        return nullptr;
    return publisher;
}

HttpResult TestTestPublisher::request(const QByteArray &method, const QString &path, const QByteArray &body,
                                      const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest req(m_publisher->baseUrl().resolved(QUrl(path)));
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers)
        req.setRawHeader(name, value);
    if (!body.isEmpty() && !req.hasRawHeader("Content-Type"))
        req.setRawHeader("Content-Type", "application/json");
    std::unique_ptr<QNetworkReply> reply(m_nam->sendCustomRequest(req, method, body));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(kWaitMs);
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(), reply->error(),
            reply->rawHeaderPairs()};
}

std::unique_ptr<EventSource> TestTestPublisher::listen(const QString &path, SourceConfig config)
{
    config.url = m_publisher->baseUrl().resolved(QUrl(path));
    config.defaultRetryMs = 50;
    auto source = std::make_unique<EventSource>(config);
    source->open();
    return source;
}

void TestTestPublisher::streamsPublishedClicks()
{
    auto source = listen(QStringLiteral("/events"));
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    QCOMPARE(request("POST", "/publish", R"([{"link":"/a"},{"link":"/b","ts":5},{"link":"/a","id":"mine"}])").status,
             202);
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 3, kWaitMs);
    QCOMPARE(got.types(), (QStringList{"click", "click", "click"}));
    QCOMPARE(got.events[0].lastEventIdString(), QStringLiteral("1"));
    QCOMPARE(got.events[2].lastEventIdString(), QStringLiteral("3"));
    QCOMPARE(got.json(0).value("link").toString(), QStringLiteral("/a"));
    QCOMPARE(got.json(0).value("id").toInteger(), 1);                   // filled in
    QVERIFY(got.json(0).value("ts").toInteger() > 1'600'000'000'000);   // filled in: now, in ms
    QCOMPARE(got.json(1).value("ts").toInteger(), 5);                   // kept
    QCOMPARE(got.json(2).value("id").toString(), QStringLiteral("mine"));
    QCOMPARE(source->reconnectPolicy().baseDelayMs(), qint64(3000));   // the server's retry arrived
}

void TestTestPublisher::channelsSeparateClicks()
{
    auto all = listen(QStringLiteral("/events"));
    auto x = listen(QStringLiteral("/events/x"));
    auto y = listen(QStringLiteral("/events/y"));
    EventCollector gotAll(all.get()), gotX(x.get()), gotY(y.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 3, kWaitMs);
    QCOMPARE(request("POST", "/publish?channel=x", R"({"link":"/to-x"})").status, 202);
    QCOMPARE(request("POST", "/publish", R"({"link":"/to-all"})").status, 202);
    QCOMPARE(request("POST", "/publish?channel=x", R"({"link":"/to-x-again"})").status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(gotAll.events.size(), 3, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(gotX.events.size(), 2, kWaitMs);
    QCOMPARE(gotX.json(0).value("link").toString(), QStringLiteral("/to-x"));
    QCOMPARE(gotX.json(0).value("channel").toString(), QStringLiteral("x"));
    QCOMPARE(gotX.json(1).value("link").toString(), QStringLiteral("/to-x-again"));
    QVERIFY(gotY.events.isEmpty());
    const QJsonObject subscribers = request("GET", "/stats").json().value("subscribers").toObject();
    QCOMPARE(subscribers.value("x").toInt(), 1);
    QCOMPARE(subscribers.value("all").toInt(), 1);
}

void TestTestPublisher::resumesAfterLastEventId()
{
    QCOMPARE(request("POST", "/publish", "{\"link\":\"/1\"}\n{\"link\":\"/2\"}\n{\"link\":\"/3\"}\n{\"link\":\"/4\"}\n")
                 .status,
             202);
    SourceConfig config;
    config.lastEventId = "2";
    auto source = listen(QStringLiteral("/events"), config);
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.json(0).value("link").toString(), QStringLiteral("/3"));
    QCOMPARE(got.json(1).value("link").toString(), QStringLiteral("/4"));
    // ?lastEventId= does the same for clients that cannot set headers.
    auto viaQuery = listen(QStringLiteral("/events?lastEventId=3"));
    EventCollector gotQuery(viaQuery.get());
    QTRY_COMPARE_WITH_TIMEOUT(gotQuery.events.size(), 1, kWaitMs);
    QCOMPARE(gotQuery.json(0).value("link").toString(), QStringLiteral("/4"));
}

void TestTestPublisher::snapshotWhenTooOld()
{
    TestPublisher::Settings settings;
    settings.history = 5;
    m_publisher = start(settings);
    QByteArray body;
    for (int i = 0; i < 20; ++i)
        body += "{\"link\":\"/" + QByteArray(i % 3 == 0 ? "hot" : "cold") + "\"}\n";
    QCOMPARE(request("POST", "/publish", body).status, 202);
    SourceConfig config;
    config.lastEventId = "3";   // the ring holds 16..20 only
    auto source = listen(QStringLiteral("/events"), config);
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QCOMPARE(got.types(), QStringList{"snapshot"});
    QCOMPARE(got.events[0].lastEventIdString(), QStringLiteral("20"));
    const QJsonObject snapshot = got.json(0);
    QCOMPARE(snapshot.value("clickCount").toInt(), 20);
    QCOMPARE(snapshot.value("links").toObject().value("/hot").toInt(), 7);
    QCOMPARE(snapshot.value("links").toObject().value("/cold").toInt(), 13);
    // …then live.
    QCOMPARE(request("POST", "/publish", R"({"link":"/after"})").status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.events[1].lastEventIdString(), QStringLiteral("21"));
}

void TestTestPublisher::snapshotOnRequest()
{
    QCOMPARE(request("POST", "/publish", R"({"link":"/s"})").status, 202);
    auto source = listen(QStringLiteral("/events?snapshot=1"));
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QCOMPARE(got.types(), QStringList{"snapshot"});
    QCOMPARE(got.json(0).value("clickCount").toInt(), 1);
}

void TestTestPublisher::realtimeShape()
{
    auto source = listen(QStringLiteral("/realtime/abc"));
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QCOMPARE(got.types(), QStringList{"message"});   // unnamed events, as current-state streams send them
    QCOMPARE(got.json(0).value("clickCount").toInt(), 0);
    QCOMPARE(got.json(0).value("clickAnalytics"), QJsonValue(false));
    QCOMPARE(request("POST", "/publish", R"([{"link":"/other"},{"link":"/abc","country":"SE"}])").status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.json(1).value("clickCount").toInt(), 1);
    QCOMPARE(got.json(1).value("clickAnalytics").toObject().value("country").toString(), QStringLiteral("SE"));
}

void TestTestPublisher::webSocketFrames()
{
    QWebSocket all, x;
    QStringList framesAll, framesX;
    connect(&all, &QWebSocket::textMessageReceived, this, [&](const QString &m) { framesAll << m; });
    connect(&x, &QWebSocket::textMessageReceived, this, [&](const QString &m) { framesX << m; });
    QUrl url = m_publisher->baseUrl();
    url.setScheme(QStringLiteral("ws"));
    all.open(url.resolved(QUrl(QStringLiteral("/ws"))));
    x.open(url.resolved(QUrl(QStringLiteral("/ws"))));   // switches to channel x by message
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 2, kWaitMs);
    // The server counts a subscriber before the client has seen the handshake's answer, and a
    // QWebSocket drops what is sent before it is connected.
    QTRY_COMPARE_WITH_TIMEOUT(x.state(), QAbstractSocket::ConnectedState, kWaitMs);
    x.sendTextMessage(QStringLiteral(R"({"subscribe":"x"})"));
    QTRY_COMPARE_WITH_TIMEOUT(request("GET", "/stats").json().value("subscribers").toObject().value("x").toInt(), 1,
                              kWaitMs);
    QCOMPARE(request("POST", "/publish", R"({"link":"/w1"})").status, 202);
    QCOMPARE(request("POST", "/publish?channel=x", R"({"link":"/w2"})").status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(framesAll.size(), 2, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(framesX.size(), 1, kWaitMs);
    QCOMPARE(QJsonDocument::fromJson(framesAll[0].toUtf8()).object().value("link").toString(), QStringLiteral("/w1"));
    QCOMPARE(QJsonDocument::fromJson(framesX[0].toUtf8()).object().value("link").toString(), QStringLiteral("/w2"));
}

void TestTestPublisher::publishAcceptsObjectArrayAndNdjson()
{
    HttpResult one = request("POST", "/publish", R"({"link":"/o"})");
    QCOMPARE(one.status, 202);
    QCOMPARE(one.json().value("accepted").toInt(), 1);
    HttpResult array = request("POST", "/publish", R"([{"link":"/a1"},{"link":"/a2"}])");
    QCOMPARE(array.json().value("accepted").toInt(), 2);
    QCOMPARE(array.json().value("firstId").toInt(), 2);
    QCOMPARE(array.json().value("lastId").toInt(), 3);
    HttpResult ndjson =
        request("POST", "/publish", "{\"link\":\"/n1\"}\n\n{\"link\":\"/n2\",\"ts\":\"2026-11-23T10:00:00.000Z\"}\n",
                {{"Content-Type", "application/x-ndjson"}});
    QCOMPARE(ndjson.status, 202);
    QCOMPARE(ndjson.json().value("accepted").toInt(), 2);
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(5));
}

void TestTestPublisher::publishRefusesBadInputAndPublishesNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<int>("index");
    QTest::newRow("not JSON") << QByteArray("hello") << QString() << 0;
    QTest::newRow("broken array") << QByteArray("[{\"link\":\"/a\"},") << QString() << -1;
    QTest::newRow("missing link") << QByteArray(R"({"country":"DE"})") << "link" << 0;
    QTest::newRow("bad element in array") << QByteArray(R"([{"link":"/a"},{"link":"/b"},{"link":3}])") << "link" << 2;
    QTest::newRow("non-object element") << QByteArray(R"([{"link":"/a"},7])") << QString() << 1;
    QTest::newRow("bad NDJSON line") << QByteArray("{\"link\":\"/a\"}\n{oops}\n") << QString() << 1;
    QTest::newRow("wrong type") << QByteArray(R"({"link":"/a","country":49})") << "country" << 0;
    QTest::newRow("bad ts") << QByteArray(R"({"link":"/a","ts":"yesterday"})") << "ts" << 0;
    QTest::newRow("empty") << QByteArray(" ") << QString() << -1;
    QTest::newRow("empty array") << QByteArray("[]") << QString() << -1;
}

void TestTestPublisher::publishRefusesBadInputAndPublishesNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(int, index);
    auto source = listen(QStringLiteral("/events"));
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    const HttpResult r = request("POST", "/publish", body);
    QCOMPARE(r.status, 400);
    const QJsonObject error = r.json();
    QVERIFY2(!error.value("error").toString().isEmpty(), r.body.constData());
    QCOMPARE(error.value("field").toString(), field);
    QCOMPARE(error.value("index").toInt(-1), index);
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(0));
    QCOMPARE(request("POST", "/publish", R"({"link":"/good"})").status, 202);   // a fence
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QCOMPARE(got.json(0).value("link").toString(), QStringLiteral("/good"));
}

void TestTestPublisher::oversizedBodyRefusedBeforeItIsRead()
{
    TestPublisher::Settings settings;
    settings.connections.maxBodyBytes = 1000;
    m_publisher = start(settings);
    QByteArray big = "[";
    while (big.size() < 5000)
        big += "{\"link\":\"/x\"},";
    big += "{\"link\":\"/x\"}]";
    const HttpResult r = request("POST", "/publish", big);
    QCOMPARE(r.status, 413);
    QVERIFY(r.json().value("error").toString().contains(QStringLiteral("limit")));
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(0));

    // A raw client announcing 200 MB gets its answer after the head alone.
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, m_publisher->port());
    QVERIFY(raw.waitForConnected(kWaitMs));
    raw.write("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 200000000\r\n\r\n[");
    QTRY_VERIFY_WITH_TIMEOUT(raw.bytesAvailable() > 0 || raw.state() != QAbstractSocket::ConnectedState, kWaitMs);
    QVERIFY(raw.readAll().startsWith("HTTP/1.1 413"));

    QTcpSocket chunked;
    chunked.connectToHost(QHostAddress::LocalHost, m_publisher->port());
    QVERIFY(chunked.waitForConnected(kWaitMs));
    chunked.write("POST /publish HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[{}]\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(chunked.bytesAvailable() > 0, kWaitMs);
    QVERIFY(chunked.readAll().startsWith("HTTP/1.1 411"));

    QTcpSocket hugeHead;
    hugeHead.connectToHost(QHostAddress::LocalHost, m_publisher->port());
    QVERIFY(hugeHead.waitForConnected(kWaitMs));
    hugeHead.write("GET /events HTTP/1.1\r\nX-Junk: " + QByteArray(40'000, 'j'));
    QTRY_VERIFY_WITH_TIMEOUT(hugeHead.bytesAvailable() > 0, kWaitMs);
    QVERIFY(hugeHead.readAll().startsWith("HTTP/1.1 431"));
}

void TestTestPublisher::keptAliveConnectionsAreCheckedPerRequest()
{
    TestPublisher::Settings settings;
    settings.connections.maxBodyBytes = 64 * 1024;
    m_publisher = start(settings);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_publisher->port());
    QVERIFY(socket.waitForConnected(kWaitMs));
    // Many requests within the limit on one connection, far more bytes than the limit in all.
    QByteArray batch = "[";
    while (batch.size() < 60 * 1024)
        batch += "{\"link\":\"/keep-alive\"},";
    batch.chop(1);
    batch += "]";
    const int clicksPerBatch = int(batch.count("/keep-alive"));
    QByteArray responses;
    for (int i = 0; i < 30; ++i) {
        socket.write("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                     + QByteArray::number(batch.size()) + "\r\n\r\n" + batch);
        QTRY_VERIFY_WITH_TIMEOUT((responses += socket.readAll()).count("HTTP/1.1 202") == i + 1, kWaitMs);
    }
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(30 * clicksPerBatch));
    // …and a later request on the same connection that announces too much is refused before it is read.
    socket.write("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n[");
    QTRY_VERIFY_WITH_TIMEOUT((responses += socket.readAll()).contains("HTTP/1.1 413"), kWaitMs);
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(30 * clicksPerBatch));
}

void TestTestPublisher::wrongMethodIs405()
{
    for (const QByteArray method : {"GET", "PUT", "DELETE"}) {
        const HttpResult r = request(method, "/publish");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("POST"));
    }
}

void TestTestPublisher::tokenGuardsPublishing()
{
    TestPublisher::Settings settings;
    settings.token = "s3cret";
    m_publisher = start(settings);
    QCOMPARE(request("POST", "/publish", R"({"link":"/a"})").status, 401);
    QCOMPARE(request("POST", "/publish", R"({"link":"/a"})", {{"Authorization", "Bearer wrong"}}).status, 401);
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(0));
    QCOMPARE(request("POST", "/publish", R"({"link":"/a"})", {{"Authorization", "Bearer s3cret"}}).status, 202);
    // Reading stays open.
    auto source = listen(QStringLiteral("/events?lastEventId=0"));
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
}

void TestTestPublisher::fetchStreamEndsWithDone()
{
    // The fetch-stream shape: POST with a bearer token, `data:` lines, `data: [DONE]`, end.
    TestPublisher::Settings settings;
    settings.token = "s3cret";
    m_publisher = start(settings);
    const QList<std::pair<QByteArray, QByteArray>> auth = {{"Authorization", "Bearer s3cret"}};
    QCOMPARE(request("POST", "/publish", R"([{"link":"/1"},{"link":"/2"},{"link":"/3"}])", auth).status, 202);

    const HttpResult two = request("POST", "/stream", R"({"last": 2})", auth);
    QCOMPARE(two.status, 200);
    QVERIFY2(two.body.startsWith("data: {"), two.body.constData());
    QCOMPARE(two.body.count("data: "), 3);
    QVERIFY(two.body.contains("\"link\":\"/2\""));
    QVERIFY(two.body.contains("\"link\":\"/3\""));
    QVERIFY(!two.body.contains("\"link\":\"/1\""));
    QVERIFY(two.body.endsWith("data: [DONE]\n\n"));
    QCOMPARE(request("POST", "/stream", {}, auth).body.count("data: "), 4);   // default: the last 10
    QCOMPARE(request("POST", "/stream", R"({"last": 2})").status, 401);
    QCOMPARE(request("GET", "/stream", {}, auth).status, 405);
    QCOMPARE(request("POST", "/stream", R"({"last": -1})", auth).status, 400);
    QCOMPARE(request("POST", "/stream", R"({"last": 1.5})", auth).status, 400);
    QCOMPARE(request("POST", "/stream", R"([1])", auth).status, 400);
    QCOMPARE(request("POST", "/stream", "not json", auth).status, 400);

    // Our reader, the way fetch() reads it: POST, the token, stops at [DONE] without reconnecting.
    SourceConfig config;
    config.method = "POST";
    config.body = R"({"last": 3})";
    config.headers = auth;
    config.doneMarker = QByteArray("[DONE]");
    auto source = listen(QStringLiteral("/stream"), config);
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(source->error(), StreamSource::Error::NoError);
    QCOMPARE(got.events.size(), 3);
    QVERIFY(got.events.at(0).data().contains("\"link\":\"/1\""));
}

void TestTestPublisher::tokenCanGuardReading()
{
    TestPublisher::Settings settings;
    settings.token = "s3cret";
    settings.tokenForReading = true;
    m_publisher = start(settings);
    auto refused = listen(QStringLiteral("/events"));
    QTRY_COMPARE_WITH_TIMEOUT(refused->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(refused->error(), StreamSource::Error::HttpStatus);
    QVERIFY(refused->errorString().contains(QStringLiteral("401")));
    SourceConfig config;
    config.headers = {{"Authorization", "Bearer s3cret"}};
    auto allowed = listen(QStringLiteral("/events"), config);
    QTRY_COMPARE_WITH_TIMEOUT(allowed->state(), StreamSource::State::Open, kWaitMs);
}

void TestTestPublisher::maxConnectionsGives503()
{
    TestPublisher::Settings settings;
    settings.maxConnections = 2;
    m_publisher = start(settings);
    auto a = listen(QStringLiteral("/events"));
    auto b = listen(QStringLiteral("/events"));
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 2, kWaitMs);
    QNetworkRequest req(m_publisher->baseUrl().resolved(QUrl(QStringLiteral("/events"))));
    std::unique_ptr<QNetworkReply> third(m_nam->get(req));
    QSignalSpy finished(third.get(), &QNetworkReply::finished);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(third->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
    QCOMPARE(third->rawHeader("Retry-After"), QByteArray("5"));
    QCOMPARE(m_publisher->subscriberCount(), 2);
}

void TestTestPublisher::slowSubscriberIsDroppedOthersContinue()
{
    TestPublisher::Settings settings;
    settings.maxBacklogBytes = 512 * 1024;
    m_publisher = start(settings);
    auto reader = listen(QStringLiteral("/events"));
    EventCollector got(reader.get());
    // A client that asks for the stream and then reads nothing.
    QTcpSocket stalled;
    stalled.setReadBufferSize(1024);
    stalled.connectToHost(QHostAddress::LocalHost, m_publisher->port());
    QVERIFY(stalled.waitForConnected(kWaitMs));
    stalled.write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 2, kWaitMs);

    const QByteArray batch = paddedBatch("/slow");
    int published = 0;
    for (int round = 0; round < 40 && m_publisher->droppedSubscribers() == 0; ++round) {   // ≤ 8 MB
        QCOMPARE(request("POST", "/publish", batch).status, 202);
        published += 100;
    }
    QCOMPARE(m_publisher->droppedSubscribers(), quint64(1));
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), published, kWaitMs);   // the reader lost nothing
    QCOMPARE(request("GET", "/stats").json().value("droppedSubscribers").toInt(), 1);
}

void TestTestPublisher::aCrowdThatNeverReadsIsDroppedWithinTheTotalBudget()
{
    // Each of 8 readers that never read stays under its own cap (64 MiB here), but together they
    // pass the total budget (1 MiB): those furthest behind are dropped, and the reader that keeps
    // up, holding nothing, loses nothing.
    TestPublisher::Settings settings;
    settings.maxBacklogBytes = 64 * 1024 * 1024;
    settings.maxTotalBacklogBytes = 1024 * 1024;
    m_publisher = start(settings);
    auto reader = listen(QStringLiteral("/events"));
    EventCollector got(reader.get());
    std::vector<std::unique_ptr<QTcpSocket>> crowd;
    for (int i = 0; i < 8; ++i) {
        auto stalled = std::make_unique<QTcpSocket>();
        stalled->setReadBufferSize(1024);
        stalled->connectToHost(QHostAddress::LocalHost, m_publisher->port());
        QVERIFY(stalled->waitForConnected(kWaitMs));
        stalled->write("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
        crowd.push_back(std::move(stalled));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 9, kWaitMs);
    const QByteArray batch = paddedBatch("/crowd");
    int published = 0;
    // At most 8 MB each: the kernel's socket buffers take the first few MiB, then the budget.
    for (int round = 0; round < 40 && m_publisher->droppedSubscribers() < 8; ++round) {
        QCOMPARE(request("POST", "/publish", batch).status, 202);
        published += 100;
    }
    QCOMPARE(m_publisher->droppedSubscribers(), quint64(8));
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), published, kWaitMs);
}

void TestTestPublisher::redirectRecordsAClick()
{
    auto source = listen(QStringLiteral("/events"));
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    const HttpResult r =
        request("GET", "/r/promo?country=nz", {},
                {{"User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) "
                                "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1"},
                 {"Referer", "https://news.ycombinator.com/"},
                 {"Accept-Language", "de-DE,de;q=0.9"}});
    QCOMPARE(r.status, 302);
    QCOMPARE(r.header("Location"), QByteArray("https://example.com/promo"));
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    const QJsonObject click = got.json(0);
    QCOMPARE(click.value("link").toString(), QStringLiteral("/promo"));
    QCOMPARE(click.value("country").toString(), QStringLiteral("NZ"));   // the override wins
    QCOMPARE(click.value("referrer").toString(), QStringLiteral("https://news.ycombinator.com/"));
    QCOMPARE(click.value("device").toString(), QStringLiteral("mobile"));
    QCOMPARE(click.value("browser").toString(), QStringLiteral("Safari"));

    request("GET", "/r/promo", {}, {{"Accept-Language", "fr-CA,fr;q=0.8"}, {"User-Agent", "curl/8.0"}});
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.json(1).value("country").toString(), QStringLiteral("CA"));
}

void TestTestPublisher::redirectRecordsWhatTheDashboardDerives_data()
{
    QTest::addColumn<QByteArray>("userAgent");
    QTest::newRow("iPhone") << QByteArray("Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 "
                                          "(KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1");
    // Android without "Mobile" is how a tablet tells itself apart from a phone.
    QTest::newRow("Android tablet") << QByteArray("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 "
                                                  "(KHTML, like Gecko) Chrome/120.0 Safari/537.36");
    QTest::newRow("Edge on Windows") << QByteArray("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                                                   "(KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0");
    QTest::newRow("curl") << QByteArray("curl/8.0");
}

void TestTestPublisher::redirectRecordsWhatTheDashboardDerives()
{
    // A click recorded by /r/<code> carries the device and browser that the dashboard's decoder
    // derives from the same user agent when a stream sends only the user agent.
    QFETCH(QByteArray, userAgent);
    auto source = listen(QStringLiteral("/events"));
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    QCOMPARE(request("GET", "/r/promo", {}, {{"User-Agent", userAgent}}).status, 302);
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QJsonObject recorded = got.json(0);
    QCOMPARE(recorded.value("userAgent").toString().toUtf8(), userAgent);
    const QString device = recorded.take("device").toString();
    const QString browser = recorded.take("browser").toString();
    QVERIFY(!device.isEmpty() && !browser.isEmpty());

    ClickDecoder decoder;
    ClickView click;
    SnapshotView snapshot;
    const QByteArray onlyTheUserAgent = QJsonDocument(recorded).toJson(QJsonDocument::Compact);
    QCOMPARE(decoder.decode("click", onlyTheUserAgent, click, snapshot), DecodeResult::Click);
    QCOMPARE(QString::fromLatin1(click.device.toByteArray()), device);
    QCOMPARE(QString::fromLatin1(click.browser.toByteArray()), browser);
}

void TestTestPublisher::redirectRefusesWhatPublishRefuses()
{
    const QString longCode(15'000, u'a');
    const HttpResult r = request("GET", QStringLiteral("/r/") + longCode);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().value("field").toString(), QStringLiteral("link"));
    QVERIFY(r.json().value("error").toString().contains(QStringLiteral("limit is 2048")));
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(0));
    QCOMPARE(request("POST", "/publish", "{\"link\":\"/" + QByteArray(15'000, 'a') + "\"}").status, 400);
    QCOMPARE(request("GET", QStringLiteral("/r/") + QString(2047, u'a')).status, 302);   // "/" + 2047 = the limit
}

void TestTestPublisher::statsAndHealth()
{
    QCOMPARE(request("GET", "/health").json().value("status").toString(), QStringLiteral("ok"));
    request("POST", "/publish", R"([{"link":"/1"},{"link":"/2"}])");
    const QJsonObject stats = request("GET", "/stats").json();
    QCOMPARE(stats.value("clicksPublished").toInt(), 2);
    QCOMPARE(stats.value("droppedSubscribers").toInt(), 0);
    // Just started: present, and a few seconds at most (the key missing would read as 0).
    QVERIFY(stats.contains("uptimeSeconds"));
    QVERIFY(stats.value("uptimeSeconds").isDouble());
    QVERIFY(stats.value("uptimeSeconds").toDouble() >= 0 && stats.value("uptimeSeconds").toDouble() < 600);
    QCOMPARE(request("GET", "/no-such-thing").status, 404);
}

void TestTestPublisher::disconnectedClientsAreFreed()
{
    for (int round = 0; round < 5; ++round) {
        std::vector<std::unique_ptr<QTcpSocket>> clients;
        for (int i = 0; i < 40; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, m_publisher->port());
            socket->write("GET /events/c" + QByteArray::number(i % 3) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            clients.push_back(std::move(socket));
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 40, kWaitMs);
        request("POST", "/publish?channel=c1", R"({"link":"/while-open"})");
        for (auto &socket : clients)
            socket->abort();
        QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 0, kWaitMs);
    }
    // WebSocket subscribers too, whether they close politely or vanish.
    QUrl wsUrl = m_publisher->baseUrl().resolved(QUrl(QStringLiteral("/ws")));
    wsUrl.setScheme(QStringLiteral("ws"));
    std::vector<std::unique_ptr<QWebSocket>> sockets;
    for (int i = 0; i < 20; ++i) {
        sockets.push_back(std::make_unique<QWebSocket>());
        sockets.back()->open(wsUrl);
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 20, kWaitMs);
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        if (i % 2)
            sockets[i]->close();
        else
            sockets[i]->abort();
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 0, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->findChildren<QWebSocket *>().size(), 0, kWaitMs);   // freed, not parked
    // Publishing after they all left writes to nobody and crashes nothing.
    QCOMPARE(request("POST", "/publish", R"({"link":"/after"})").status, 202);
}

void TestTestPublisher::shutdownEndsStreamsCleanly()
{
    SourceConfig config;
    config.reconnect = false;
    auto source = listen(QStringLiteral("/events"), config);
    EventCollector got(source.get());
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    // Published, still queued in the socket, then the publisher stops: the clicks are delivered
    // before the end.
    QList<QJsonObject> clicks;
    for (int i = 0; i < 50; ++i)
        clicks.append({{"link", "/last-words"}});
    m_publisher->hub().publish(clicks);
    m_publisher.reset();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(source->error(), StreamSource::Error::NoError);
    QCOMPARE(got.events.size(), 50);
}

void TestTestPublisher::curlReadsTheStream()
{
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    if (curl.isEmpty())
        QSKIP("curl is not installed");
    QProcess process;
    process.start(curl, {QStringLiteral("-sN"), QStringLiteral("--max-time"), QStringLiteral("3"),
                         m_publisher->baseUrl().resolved(QUrl(QStringLiteral("/events"))).toString()});
    QVERIFY(process.waitForStarted(kWaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    request("POST", "/publish", R"({"link":"/curl"})");
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains("event: click"), kWaitMs);
    QVERIFY(out.startsWith("retry: 3000\n\n"));
    QVERIFY(out.contains("id: 1\nevent: click\ndata: {"));
    process.kill();
    process.waitForFinished(kWaitMs);
}

QTEST_GUILESS_MAIN(TestTestPublisher)
#include "tst_testpublisher.moc"

// SPDX-License-Identifier: MIT
#include "core/sse/eventsource.h"
#include "support/eventcollector.h"
#include "support/scriptedhttpserver.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using Clickscope::EventSource;
using Clickscope::SourceConfig;
using Clickscope::SseBatch;
using Clickscope::SseEvent;
using Clickscope::StreamSource;
using Clickscope::Testing::EventCollector;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 5000;

}   // namespace

class TestEventSource : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void receivesEventsAndSendsStreamHeaders();
    void eventsOfOneReadArriveInOneBatch();
    void reconnectsWithRetryAndLastEventId();
    void configuredLastEventIdIsSentFirst();
    void noContentStopsWithoutError();
    void httpErrorsFailWithoutReconnecting_data();
    void httpErrorsFailWithoutReconnecting();
    void wrongContentTypeFails();
    void followsRedirects();
    void sendsCustomHeadersMethodAndBody();
    void idleTimeoutResumesFromLastEventId();
    void droppedConnectionsAreClosed();
    void doneMarkerClosesCleanly();
    void aHeaderThatCannotBeSentFailsWithoutRetrying();
    void deleteFromCommentSlotIsSafe();
    void countsBytesEventsAndComments();
    void closedStreamKeepsLastEventId();
    void eightStreamsToOneHostAllFlow();

private:
    std::unique_ptr<EventSource> makeSource(const QString &path, SourceConfig config = {});
    std::unique_ptr<ScriptedHttpServer> m_server;
};

void TestEventSource::init()
{
    m_server = std::make_unique<ScriptedHttpServer>();
    QVERIFY(m_server->listen());
}

void TestEventSource::cleanup() { m_server.reset(); }

std::unique_ptr<EventSource> TestEventSource::makeSource(const QString &path, SourceConfig config)
{
    config.url = m_server->url(path);
    return std::make_unique<EventSource>(config);
}

void TestEventSource::receivesEventsAndSendsStreamHeaders()
{
    m_server->route("/s", Response::sse("id: 1\nevent: click\ndata: {\"link\":\"/a\"}\n\ndata: two\n\n").keepOpen());
    auto source = makeSource("/s");
    QSignalSpy states(source.get(), &StreamSource::stateChanged);
    EventCollector got(source.get());
    source->open();
    QCOMPARE(source->state(), StreamSource::State::Connecting);
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(source->state(), StreamSource::State::Open);
    QCOMPARE(got.events[0].typeString(), QStringLiteral("click"));
    QCOMPARE(got.events[0].lastEventIdString(), QStringLiteral("1"));
    QCOMPARE(got.data(), (QStringList{"{\"link\":\"/a\"}", "two"}));
    QCOMPARE(got.events[1].lastEventIdString(), QStringLiteral("1"));
    QCOMPARE(states.first().first().value<StreamSource::State>(), StreamSource::State::Connecting);
    QCOMPARE(states.at(1).first().value<StreamSource::State>(), StreamSource::State::Open);

    const auto &request = m_server->requests().first();
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.header("Accept"), QByteArray("text/event-stream"));
    QCOMPARE(request.header("Cache-Control"), QByteArray("no-cache"));
    QVERIFY(!request.hasHeader("Last-Event-ID"));
    QCOMPARE(source->error(), StreamSource::Error::NoError);
}

void TestEventSource::eventsOfOneReadArriveInOneBatch()
{
    QByteArray body;
    for (int i = 0; i < 50; ++i)
        body += "data: " + QByteArray::number(i) + "\n\n";
    m_server->route("/s", Response::sse(body).keepOpen());
    auto source = makeSource("/s");
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 50, kWaitMs);
    // One write of 50 events on loopback is one read, so one signal; never one per event.
    QVERIFY2(got.batches <= 2, qPrintable(QString::number(got.batches)));
}

void TestEventSource::reconnectsWithRetryAndLastEventId()
{
    m_server->route("/s", Response::sse("retry: 150\nid: 7\ndata: first\n\nid: 8\ndata: half"));
    m_server->routeResume("/s", "7", Response::sse("data: second\n\n").keepOpen());
    auto source = makeSource("/s");
    EventCollector got(source.get());
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.data(), (QStringList{"first", "second"}));
    QCOMPARE(reconnects.size(), 1);
    QCOMPARE(reconnects.first().first().toLongLong(), qint64(150));   // the server's retry, no backoff
    // The id of the incomplete event (8) was never dispatched, so 7 is resumed from.
    QCOMPARE(m_server->requests().last().header("Last-Event-ID"), QByteArray("7"));
    QCOMPARE(got.events[1].lastEventIdString(), QStringLiteral("7"));
    QCOMPARE(source->reconnectCount(), quint64(1));
    QCOMPARE(source->state(), StreamSource::State::Open);
}

void TestEventSource::configuredLastEventIdIsSentFirst()
{
    m_server->route("/s", Response::sse("data: x\n\n").keepOpen());
    SourceConfig config;
    config.lastEventId = "abc-41";
    auto source = makeSource("/s", config);
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QCOMPARE(m_server->requests().first().header("Last-Event-ID"), QByteArray("abc-41"));
    QCOMPARE(got.events.first().lastEventIdString(), QStringLiteral("abc-41"));
}

void TestEventSource::noContentStopsWithoutError()
{
    m_server->setFallback(Response::status(204));
    SourceConfig config;
    config.defaultRetryMs = 20;
    auto source = makeSource("/s", config);
    QSignalSpy failed(source.get(), &StreamSource::failed);
    QSignalSpy reconnects(source.get(), &StreamSource::reconnectScheduled);
    QSignalSpy ended(source.get(), &StreamSource::ended);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(source->error(), StreamSource::Error::NoError);
    QVERIFY(failed.isEmpty());
    QCOMPARE(ended.size(), 1);
    QCOMPARE(ended.first().first().toString(), QStringLiteral("the server ended the stream with 204 No Content"));
    QTest::qWait(200);   // a reconnection, if one were wrongly scheduled, would be 20 ms away
    QVERIFY(reconnects.isEmpty());
    QCOMPARE(source->reconnectCount(), quint64(0));
}

void TestEventSource::httpErrorsFailWithoutReconnecting_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("streaming");
    QTest::newRow("404") << 404 << false;
    QTest::newRow("500") << 500 << false;
    QTest::newRow("401") << 401 << false;
    QTest::newRow("streaming 500 with an event-stream body") << 500 << true;
    QTest::newRow("201") << 201 << true;
}

void TestEventSource::httpErrorsFailWithoutReconnecting()
{
    QFETCH(int, status);
    QFETCH(bool, streaming);
    m_server->setFallback(streaming ? Response::streamingStatus(status, "text/event-stream", "data: no\n\n").keepOpen()
                                    : Response::status(status, "text/plain", "nope"));
    SourceConfig config;
    config.defaultRetryMs = 20;
    auto source = makeSource("/s", config);
    EventCollector got(source.get());
    QSignalSpy failed(source.get(), &StreamSource::failed);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().first().value<StreamSource::Error>(), StreamSource::Error::HttpStatus);
    QVERIFY2(source->errorString().contains(QString::number(status)), qPrintable(source->errorString()));
    QVERIFY(got.events.isEmpty());
    QTest::qWait(200);
    QCOMPARE(source->reconnectCount(), quint64(0));
    QCOMPARE(source->state(), StreamSource::State::Closed);
}

void TestEventSource::wrongContentTypeFails()
{
    m_server->setFallback(Response::streamingStatus(200, "text/plain", "data: x\n\n").keepOpen());
    auto source = makeSource("/s");
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(source->error(), StreamSource::Error::ContentType);
    QVERIFY2(source->errorString().contains(QStringLiteral("text/plain")), qPrintable(source->errorString()));
    QVERIFY(got.events.isEmpty());

    // Parameters do not matter, the essence does.
    m_server->route("/charset",
                    Response::streamingStatus(200, "Text/Event-Stream; charset=utf-8", "data: y\n\n").keepOpen());
    auto ok = makeSource("/charset");
    EventCollector okGot(ok.get());
    ok->open();
    QTRY_COMPARE_WITH_TIMEOUT(okGot.events.size(), 1, kWaitMs);
}

void TestEventSource::followsRedirects()
{
    m_server->route("/old", Response::status(302, {}, {}, {{"Location", "/new"}}));
    m_server->route("/new", Response::sse("data: moved\n\n").keepOpen());
    auto source = makeSource("/old");
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    QCOMPARE(got.data(), QStringList{"moved"});
    QCOMPARE(m_server->requests().first().target, QByteArray("/old"));
    QCOMPARE(m_server->requests().last().target, QByteArray("/new"));
    QCOMPARE(source->state(), StreamSource::State::Open);
}

void TestEventSource::sendsCustomHeadersMethodAndBody()
{
    m_server->route("/chat", Response::sse("data: {\"delta\":\"hi\"}\n\n").keepOpen());
    SourceConfig config;
    config.method = "POST";
    config.body = R"({"messages":[{"role":"user","content":"Tell me a joke"}],"stream":true})";
    config.headers = {{"Authorization", "Bearer sk-test-123"}, {"Content-Type", "application/json"}, {"X-Trace", "t1"}};
    auto source = makeSource("/chat", config);
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 1, kWaitMs);
    const auto &request = m_server->requests().first();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.body, config.body);
    QCOMPARE(request.header("Authorization"), QByteArray("Bearer sk-test-123"));
    QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(request.header("X-Trace"), QByteArray("t1"));
    QCOMPARE(request.header("Accept"), QByteArray("text/event-stream"));
}

void TestEventSource::idleTimeoutResumesFromLastEventId()
{
    // The contract suite checks that an idle stream is dropped and reopened; an event stream
    // also resumes where it was: the second request carries the last id seen.
    m_server->route("/s", Response::sse("id: 1\ndata: a\n\n").keepOpen());
    m_server->routeResume("/s", "1", Response::sse("data: b\n\n").keepOpen());
    SourceConfig config;
    config.idleTimeoutMs = 300;
    config.defaultRetryMs = 10;
    auto source = makeSource("/s", config);
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(got.data(), (QStringList{"a", "b"}));
    QCOMPARE(m_server->requests().size(), 2);
    QVERIFY(!m_server->requests().first().hasHeader("Last-Event-ID"));
    QCOMPARE(m_server->requests().last().header("Last-Event-ID"), QByteArray("1"));
}

void TestEventSource::droppedConnectionsAreClosed()
{
    // A silent stream dropped by the idle timer, again and again: each dropped attempt must close
    // its connection, or they pile up on the server.
    m_server->route("/s", Response::sse().keepOpen());
    SourceConfig config;
    config.idleTimeoutMs = 150;
    config.defaultRetryMs = 10;
    config.maxRetryMs = 20;
    auto source = makeSource("/s", config);
    int opened = 0;
    connect(source.get(), &StreamSource::stateChanged, this,
            [&opened](StreamSource::State state) { opened += state == StreamSource::State::Open ? 1 : 0; });
    source->open();
    QTRY_VERIFY_WITH_TIMEOUT(opened >= 9, 4 * kWaitMs);
}

void TestEventSource::doneMarkerClosesCleanly()
{
    m_server->route("/s", Response::sse("data: a\n\ndata: [DONE]\n\ndata: after\n\n").keepOpen());
    SourceConfig config;
    config.doneMarker = QByteArray("[DONE]");
    config.defaultRetryMs = 10;
    auto source = makeSource("/s", config);
    EventCollector got(source.get());
    QSignalSpy ended(source.get(), &StreamSource::ended);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(got.data(), QStringList{"a"});
    QCOMPARE(source->error(), StreamSource::Error::NoError);
    QCOMPARE(ended.size(), 1);
    QCOMPARE(ended.first().first().toString(), QStringLiteral("end marker [DONE] received"));

    // Without the option, [DONE] is just data.
    auto plain = makeSource("/s");
    EventCollector all(plain.get());
    plain->open();
    QTRY_COMPARE_WITH_TIMEOUT(all.events.size(), 3, kWaitMs);
}

void TestEventSource::aHeaderThatCannotBeSentFailsWithoutRetrying()
{
    // Asking again sends the same broken request: it is a fatal error, not a reconnection.
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    config.headers = {{"X-Token", "a\r\nX-Injected: 1"}};
    config.defaultRetryMs = 20;
    EventSource source(config);
    QSignalSpy failed(&source, &StreamSource::failed);
    QSignalSpy reconnects(&source, &StreamSource::reconnectScheduled);
    source.open();
    QVERIFY(failed.wait(kWaitMs));
    QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("X-Token")),
             qPrintable(failed.first().at(1).toString()));
    QCOMPARE(reconnects.size(), 0);
    QCOMPARE(source.state(), StreamSource::State::Closed);
    QVERIFY(m_server->requests().isEmpty());
}

void TestEventSource::deleteFromCommentSlotIsSafe()
{
    m_server->route("/s", Response::sse("data: 1\n\n: comment\ndata: 2\n\n").keepOpen());
    auto *source = new EventSource([&] {
        SourceConfig c;
        c.url = m_server->url(QStringLiteral("/s"));
        return c;
    }());
    QSignalSpy destroyed(source, &QObject::destroyed);
    connect(source, &StreamSource::commentsReceived, this, [&] { delete source; });
    source->open();
    QVERIFY(destroyed.wait(kWaitMs));
}

void TestEventSource::countsBytesEventsAndComments()
{
    const QByteArray body = ": hello\n\ndata: a\n\n: ping\ndata: b\n\n";
    m_server->route("/s", Response::sse(body).keepOpen());
    auto source = makeSource("/s");
    QSignalSpy comments(source.get(), &StreamSource::commentsReceived);
    EventCollector got(source.get());
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(got.events.size(), 2, kWaitMs);
    QCOMPARE(source->totalEvents(), quint64(2));
    QCOMPARE(source->totalBytes(), quint64(body.size()));
    QVERIFY(!comments.isEmpty());
    QCOMPARE(comments.last().at(0).toULongLong(), quint64(2));
    QCOMPARE(comments.last().at(1).toString(), QStringLiteral(" ping"));
}

void TestEventSource::closedStreamKeepsLastEventId()
{
    m_server->route("/s", Response::sse("id: 99\ndata: x\n\n"));
    SourceConfig config;
    config.reconnect = false;
    auto source = makeSource("/s", config);
    source->open();
    QTRY_COMPARE_WITH_TIMEOUT(source->state(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(source->error(), StreamSource::Error::NoError);   // the server ended it: a normal end
    QCOMPARE(source->lastEventId(), QByteArray("99"));
}

void TestEventSource::eightStreamsToOneHostAllFlow()
{
    // A browser's pool of six connections per host would queue the 7th and 8th silently; each
    // source here has a connection of its own.
    m_server->route("/s", Response::sse("data: hello\n\n").keepOpen());
    std::vector<std::unique_ptr<EventSource>> sources;
    int received = 0;
    for (int i = 0; i < 8; ++i) {
        sources.push_back(makeSource("/s"));
        connect(sources.back().get(), &StreamSource::eventsReceived, this,
                [&](const SseBatch &events) { received += int(events.size()); });
        sources.back()->open();
    }
    QTRY_COMPARE_WITH_TIMEOUT(received, 8, kWaitMs);
    for (const auto &source : sources)
        QCOMPARE(source->state(), StreamSource::State::Open);
}

QTEST_GUILESS_MAIN(TestEventSource)
#include "tst_eventsource.moc"

// SPDX-License-Identifier: MIT
// `clickscope-cli watch` end to end: the built binary against the real publisher and the
// scripted server; its JSON report must equal what was published.
#include "server/testpublisher.h"
#include "support/natsserver.h"
#include "support/processrunner.h"
#include "support/redisserver.h"
#include "support/scriptedhttpserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace Clickscope;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 15000;

using Run = Clickscope::Testing::ProcessResult;

Run run(const QStringList &arguments)
{
    Clickscope::Testing::ProcessOptions options;
    options.timeoutMs = kWaitMs;
    return Clickscope::Testing::runProcess(QStringLiteral(CLICKSCOPE_CLI), arguments, options);
}

QJsonObject rowFor(const QJsonArray &rows, const QString &key, const QString &value)
{
    for (const QJsonValue &row : rows) {
        if (row.toObject().value(key).toString() == value)
            return row.toObject();
    }
    return {};
}

// `watch` running in the background with --interval --json: its reports read as they come, one
// compact JSON document a line, so a test waits for the state it needs instead of for time.
class WatchProcess
{
public:
    explicit WatchProcess(const QStringList &arguments)
    {
        m_process.start(QStringLiteral(CLICKSCOPE_CLI),
                        QStringList{"watch", "--interval", "0.1", "--json"} + arguments);
    }
    ~WatchProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    // The latest whole report.
    QJsonObject latest()
    {
        readReports();
        return m_latest;
    }
    // Ends it as Ctrl+C does and returns its last report; an exit other than `exitCode` fails the test.
    QJsonObject stop(int exitCode = 0)
    {
        QSignalSpy finished(&m_process, &QProcess::finished);
        ::kill(pid_t(m_process.processId()), SIGINT);
        if (!finished.wait(kWaitMs))
            QTest::qFail("watch did not stop on SIGINT", __FILE__, __LINE__);
        else if (m_process.exitStatus() != QProcess::NormalExit || m_process.exitCode() != exitCode)
            QTest::qFail(m_process.readAllStandardError().constData(), __FILE__, __LINE__);
        return latest();
    }
    QByteArray errors() { return m_process.readAllStandardError(); }

private:
    void readReports()
    {
        m_pending += m_process.readAllStandardOutput();
        for (qsizetype end = m_pending.indexOf('\n'); end >= 0; end = m_pending.indexOf('\n')) {
            const QJsonObject report = QJsonDocument::fromJson(m_pending.first(end)).object();
            if (!report.isEmpty())
                m_latest = report;
            m_pending.remove(0, end + 1);
        }
    }

    QProcess m_process;
    QByteArray m_pending;
    QJsonObject m_latest;
};

QJsonObject comparisonOf(const QJsonObject &report) { return report.value("comparison").toObject(); }
QJsonObject matchingOf(const QJsonObject &report) { return comparisonOf(report).value("matching").toObject(); }

QString streamUrl(TestPublisher &publisher, const QString &path)
{
    QUrl url = publisher.baseUrl().resolved(QUrl(path));
    if (path.startsWith(u"/ws"))
        url.setScheme(QStringLiteral("ws"));
    return url.toString();
}

}   // namespace

class TestWatch : public QObject
{
    Q_OBJECT

private slots:
    void totalsEqualWhatWasPublished();
    void realtimeSnapshotsGiveTheTotal();
    void mappingReadsOtherShapes();
    void undecodableAndOtherEventsAreCounted();
    void httpErrorExitsOne();
    void sseAndWebSocketOfOnePublisherAgree();
    void differencesBetweenTwoPublishersAreNamed();
    void perClickAgainstSnapshotsComparesCounts();
    void severalStreamsWithoutCompareReportEach();
    void redisStreamAndChannelTotals();
    void natsStreamAndSubjectTotals();
    void badFlagsExitTwo_data();
    void badFlagsExitTwo();
};

void TestWatch::totalsEqualWhatWasPublished()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    QList<QJsonObject> clicks;
    for (int i = 0; i < 600; ++i) {
        clicks.append({{"link", i % 3 == 0   ? "/a"
                                : i % 3 == 1 ? "/b"
                                             : QStringLiteral("/c%1").arg(i % 7)},
                       {"country", i % 2 ? "DE" : "US"},
                       {"device", "mobile"},
                       {"referrer", "https://t.co/x"}});
    }
    publisher.hub().publish(clicks);
    const QString url = publisher.baseUrl().resolved(QUrl(QStringLiteral("/events"))).toString();
    const Run r = run({"watch", url, "--last-event-id", "0", "--duration", "1.5", "--json", "--top", "20"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject report = r.json();
    const QJsonObject totals = report.value("totals").toObject();
    QCOMPARE(totals.value("clicks").toInt(), 600);
    QCOMPARE(totals.value("events").toInt(), 600);
    QCOMPARE(totals.value("gaps").toInt(), 0);
    QCOMPARE(totals.value("undecodable").toInt(), 0);
    QVERIFY(totals.value("bytes").toInt() > 600 * 50);
    const QJsonArray links = report.value("topLinks").toArray();
    QCOMPARE(rowFor(links, "link", "/a").value("count").toInt(), 200);
    QCOMPARE(rowFor(links, "link", "/b").value("count").toInt(), 200);
    const QJsonObject breakdowns = report.value("breakdowns").toObject();
    QCOMPARE(rowFor(breakdowns.value("country").toArray(), "value", "DE").value("count").toInt(), 300);
    QCOMPARE(rowFor(breakdowns.value("referrer").toArray(), "value", "t.co").value("count").toInt(), 600);
    QVERIFY(report.value("latencyMs").toObject().value("count").toInt() == 600);
}

void TestWatch::realtimeSnapshotsGiveTheTotal()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    publisher.hub().publish({QJsonObject{{"link", "/abc"}, {"country", "SE"}}, QJsonObject{{"link", "/abc"}},
                             QJsonObject{{"link", "/other"}}});
    const QString url = publisher.baseUrl().resolved(QUrl(QStringLiteral("/realtime/abc"))).toString();
    const Run r = run({"watch", url, "--duration", "1", "--json"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject totals = r.json().value("totals").toObject();
    QCOMPARE(totals.value("clicks").toInt(), 2);
    QCOMPARE(totals.value("snapshots").toInt(), 1);
}

void TestWatch::mappingReadsOtherShapes()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("data: {\"payload\":{\"slug\":\"/x\",\"geo\":\"NZ\"}}\n\n"
                                     "data: {\"payload\":{\"slug\":\"/x\",\"geo\":\"AU\"}}\n\n"
                                     "data: {\"payload\":{\"slug\":\"/y\"}}\n\n"));
    const Run r = run({"watch", server.url(QStringLiteral("/s")).toString(), "--no-reconnect", "--json", "--map",
                       "link=/payload/slug", "--map", "country=/payload/geo"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject report = r.json();
    QCOMPARE(report.value("totals").toObject().value("clicks").toInt(), 3);
    QCOMPARE(rowFor(report.value("topLinks").toArray(), "link", "/x").value("count").toInt(), 2);
    QCOMPARE(report.value("breakdowns").toObject().value("country").toArray().size(), 2);
}

void TestWatch::undecodableAndOtherEventsAreCounted()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("event: click\ndata: {\"link\":\"/ok\"}\n\n"
                                     "event: click\ndata: {\"link\":\n\n"
                                     "event: click\ndata: {\"link\":42}\n\n"
                                     "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                                     "data: [DONE]\n\n"));
    const Run r = run({"watch", server.url(QStringLiteral("/s")).toString(), "--no-reconnect", "--json"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject totals = r.json().value("totals").toObject();
    QCOMPARE(totals.value("events").toInt(), 5);
    QCOMPARE(totals.value("clicks").toInt(), 1);
    QCOMPARE(totals.value("undecodable").toInt(), 2);
    QCOMPARE(totals.value("otherEvents").toInt(), 2);
}

void TestWatch::httpErrorExitsOne()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    const Run r = run({"watch", server.url(QStringLiteral("/missing")).toString(), "--json"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("404"));
    QCOMPARE(r.json().value("totals").toObject().value("clicks").toInt(), 0);   // the report still comes
}

void TestWatch::sseAndWebSocketOfOnePublisherAgree()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    WatchProcess watch({streamUrl(publisher, "/events"), streamUrl(publisher, "/ws"), "--compare"});
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 2, kWaitMs);
    constexpr int kClicks = 300;
    QList<QJsonObject> clicks;
    for (int i = 0; i < kClicks; ++i)
        clicks.append({{"link", QStringLiteral("/l%1").arg(i % 5)}, {"country", i % 2 ? "DE" : "US"}});
    publisher.hub().publish(clicks);
    QTRY_VERIFY2_WITH_TIMEOUT(matchingOf(watch.latest()).value("matched").toInt() == kClicks, watch.errors(), kWaitMs);

    const QJsonObject report = watch.stop();
    const QJsonArray streams = report.value("streams").toArray();
    QCOMPARE(streams.size(), 2);
    QVERIFY(streams[0].toObject().value("url").toString().endsWith("/events"));
    QVERIFY(streams[1].toObject().value("url").toString().startsWith("ws://"));
    for (const QJsonValue &stream : streams)
        QCOMPARE(stream.toObject().value("totals").toObject().value("clicks").toInt(), kClicks);
    const QJsonObject comparison = comparisonOf(report);
    QCOMPARE(comparison.value("mode").toString(), QStringLiteral("events"));
    QCOMPARE(comparison.value("clicks").toObject().value("difference").toInt(-1), 0);
    QCOMPARE(comparison.value("linkDifferences").toArray().size(), 0);
    const QJsonObject matching = matchingOf(report);
    QCOMPARE(matching.value("key").toString(), QStringLiteral("id"));
    QCOMPARE(matching.value("matched").toInt(), kClicks);
    for (const char *side : {"a", "b"}) {
        const QJsonObject unmatched = matching.value(side).toObject();
        QCOMPARE(unmatched.value("clicks").toInt(), kClicks);
        for (const char *why :
             {"missingInOther", "notYetInOther", "beforeOtherStarted", "outOfWindow", "unkeyed", "duplicates"})
            QVERIFY2(unmatched.value(why).toInt(-1) == 0, why);
    }
    QCOMPARE(matching.value("lagMs").toObject().value("pairs").toInt(), kClicks);
}

void TestWatch::differencesBetweenTwoPublishersAreNamed()
{
    TestPublisher first(TestPublisher::Settings{});
    TestPublisher second(TestPublisher::Settings{});
    QVERIFY(first.listen());
    QVERIFY(second.listen());
    WatchProcess watch({streamUrl(first, "/events"), streamUrl(second, "/events"), "--compare", "--compare-key",
                        "link-ts", "--compare-settle", "0"});
    QTRY_VERIFY_WITH_TIMEOUT(first.subscriberCount() == 1 && second.subscriberCount() == 1, kWaitMs);
    constexpr qint64 kT0 = 1'700'000'000'000;
    const auto click = [](const char *link, qint64 ts) { return QJsonObject{{"link", link}, {"ts", ts}}; };
    // One click both have, so that each stream has begun before the ones that differ.
    for (TestPublisher *publisher : {&first, &second})
        publisher->hub().publish({click("/a", kT0)});
    QTRY_VERIFY2_WITH_TIMEOUT(matchingOf(watch.latest()).value("matched").toInt() == 1, watch.errors(), kWaitMs);
    QList<QJsonObject> inFirst, inSecond;
    for (qint64 i = 1; i <= 10; ++i) {
        inFirst.append(click("/a", kT0 + i));
        if (i != 5)
            inSecond.append(click("/a", kT0 + i));
    }
    inSecond.append(click("/b", kT0 + 100));
    first.hub().publish(inFirst);
    second.hub().publish(inSecond);
    QTRY_VERIFY2_WITH_TIMEOUT(matchingOf(watch.latest()).value("a").toObject().value("clicks").toInt() == 11
                                  && matchingOf(watch.latest()).value("b").toObject().value("clicks").toInt() == 11,
                              watch.errors(), kWaitMs);

    const QJsonObject report = watch.stop();
    const QJsonObject matching = matchingOf(report);
    QCOMPARE(matching.value("matched").toInt(), 10);
    const QJsonObject a = matching.value("a").toObject(), b = matching.value("b").toObject();
    QCOMPARE(a.value("missingInOther").toInt(), 1);
    QCOMPARE(a.value("missingExamples").toArray(), QJsonArray{QStringLiteral("%1 /a").arg(kT0 + 5)});
    QCOMPARE(b.value("missingInOther").toInt(), 1);
    QCOMPARE(b.value("missingExamples").toArray(), QJsonArray{QStringLiteral("%1 /b").arg(kT0 + 100)});
    const QJsonArray links = comparisonOf(report).value("linkDifferences").toArray();
    QCOMPARE(links.size(), 2);
    QCOMPARE(links[0].toObject(), (QJsonObject{{"link", "/a"}, {"a", 11}, {"b", 10}, {"difference", 1}}));
    QCOMPARE(links[1].toObject(), (QJsonObject{{"link", "/b"}, {"a", 0}, {"b", 1}, {"difference", -1}}));
}

void TestWatch::perClickAgainstSnapshotsComparesCounts()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    const QJsonObject abc{{"link", "/abc"}}, other{{"link", "/other"}};
    publisher.hub().publish({abc, abc, abc, abc});   // before anyone watched: the snapshot's history
    WatchProcess watch({streamUrl(publisher, "/events"), streamUrl(publisher, "/realtime/abc"), "--compare"});
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 2, kWaitMs);
    publisher.hub().publish({abc, other, abc, abc, other, abc, abc, other, abc});
    const auto seen = [&watch](const char *side) {
        return comparisonOf(watch.latest()).value("clicks").toObject().value(side).toInt();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(seen("a") == 6 && seen("b") == 6, watch.errors(), kWaitMs);

    const QJsonObject comparison = comparisonOf(watch.stop());
    QCOMPARE(comparison.value("mode").toString(), QStringLiteral("counts"));
    QCOMPARE(comparison.value("link").toString(), QStringLiteral("/abc"));
    QCOMPARE(comparison.value("clicks").toObject().value("difference").toInt(-1), 0);
    QCOMPARE(comparison.value("history").toObject().value("a").toInt(-1), 0);
    QCOMPARE(comparison.value("history").toObject().value("b").toInt(), 4);
    QVERIFY(!comparison.contains("matching"));
}

void TestWatch::severalStreamsWithoutCompareReportEach()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    publisher.hub().publish({QJsonObject{{"link", "/x"}}, QJsonObject{{"link", "/x"}}});
    // -1 until a report names the stream.
    const auto clicksOf = [](const QJsonObject &report, int stream) {
        const QJsonArray streams = report.value("streams").toArray();
        return streams.at(stream).toObject().value("totals").toObject().value("clicks").toInt(-1);
    };
    // Two streams resumed from the start (Last-Event-ID 0 wins over the query): the report names each.
    const QString events = streamUrl(publisher, "/events");
    {
        WatchProcess watch({events, events + "?lastEventId=1", "--last-event-id", "0"});
        QTRY_VERIFY2_WITH_TIMEOUT(clicksOf(watch.latest(), 0) == 2 && clicksOf(watch.latest(), 1) == 2, watch.errors(),
                                  kWaitMs);
        const QJsonObject report = watch.stop();
        const QJsonArray streams = report.value("streams").toArray();
        QCOMPARE(streams.size(), 2);
        QVERIFY(streams[1].toObject().value("url").toString().endsWith("?lastEventId=1"));
        QVERIFY(!report.contains("comparison"));
    }
    // One stream that fails makes the exit code an error; the other is still reported.
    WatchProcess watch({events, "http://127.0.0.1:1/events", "--last-event-id", "0", "--no-reconnect"});
    QTRY_VERIFY2_WITH_TIMEOUT(clicksOf(watch.latest(), 0) == 2, watch.errors(), kWaitMs);
    QCOMPARE(clicksOf(watch.stop(1), 0), 2);
}

void TestWatch::redisStreamAndChannelTotals()
{
    Clickscope::Testing::RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.errorString()));
    const auto click = [](int i) {
        return QByteArray(R"({"link":")") + (i % 3 == 0 ? "/a" : "/b") + R"(","country":"DE","id":)"
               + QByteArray::number(i) + '}';
    };
    // A stream, read from its first entry: a whole run's totals.
    QList<QByteArray> appends;
    for (int i = 1; i <= 300; ++i)
        appends << respCommand({"XADD", "clicks", "*", "data", click(i)});
    QVERIFY(redis.pipeline(appends));
    const Run r =
        run({"watch", redis.url(QStringLiteral("stream/clicks?start=0")).toString(), "--duration", "1.5", "--json"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject totals = r.json().value("totals").toObject();
    QCOMPARE(totals.value("clicks").toInt(), 300);
    QCOMPARE(totals.value("gaps").toInt(), 0);
    QCOMPARE(rowFor(r.json().value("topLinks").toArray(), "link", "/a").value("count").toInt(), 100);

    // A channel: what is published once watch has subscribed.
    WatchProcess watch({redis.url(QStringLiteral("pubsub/clicks")).toString()});
    const auto subscribers = [&redis] {
        const std::optional<RespValue> reply = redis.command({"PUBSUB", "NUMSUB", "clicks"});
        return reply && reply->elements.size() == 2 ? reply->elements[1].integer : -1;
    };
    QTRY_COMPARE_WITH_TIMEOUT(subscribers(), qint64(1), kWaitMs);
    QList<QByteArray> publishes;
    for (int i = 1; i <= 200; ++i)
        publishes << respCommand({"PUBLISH", "clicks", click(i)});
    QVERIFY(redis.pipeline(publishes));
    QTRY_COMPARE_WITH_TIMEOUT(watch.latest().value("totals").toObject().value("clicks").toInt(), 200, kWaitMs);
    const QJsonObject last = watch.stop();
    QCOMPARE(last.value("totals").toObject().value("duplicates").toInt(), 0);
}

void TestWatch::natsStreamAndSubjectTotals()
{
    Clickscope::Testing::NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    QList<QByteArray> clicks;
    for (int i = 1; i <= 300; ++i) {
        clicks << QByteArray("{\"link\":\"") + (i % 3 == 0 ? "/a" : "/b")
                      + "\",\"country\":\"DE\",\"n\":" + QByteArray::number(i) + '}';
    }
    // A JetStream stream, read from its first message to the end marker: a whole run's totals,
    // the stream's sequences numbering the clicks.
    QVERIFY(nats.createStream("CLICKS", "clicks.>"));
    QVERIFY(nats.publishToStream("clicks.web", clicks + QList<QByteArray>{"[DONE]"}));
    const Run r = run({"watch", nats.url(QStringLiteral("clicks.>?stream=CLICKS&start=first")).toString(),
                       "--done-marker", "--json"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject totals = r.json().value("totals").toObject();
    QCOMPARE(totals.value("clicks").toInt(), 300);
    QCOMPARE(totals.value("gaps").toInt(), 0);
    QCOMPARE(totals.value("duplicates").toInt(), 0);
    QCOMPARE(rowFor(r.json().value("topLinks").toArray(), "link", "/a").value("count").toInt(), 100);

    // A core subject: what is published once watch has subscribed.
    WatchProcess watch({nats.url(QStringLiteral("clicks.*")).toString()});
    QTRY_COMPARE_WITH_TIMEOUT(nats.subscribers("clicks.*"), 1, kWaitMs);
    QVERIFY(nats.publish("clicks.app", clicks.mid(0, 200)));
    QTRY_COMPARE_WITH_TIMEOUT(watch.latest().value("totals").toObject().value("clicks").toInt(), 200, kWaitMs);
    const QJsonObject last = watch.stop();
    QCOMPARE(last.value("totals").toObject().value("duplicates").toInt(), 0);
}

void TestWatch::badFlagsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("mentions");
    QTest::newRow("bad map") << QStringList{"watch", "http://127.0.0.1:1/", "--map", "linkpayload"}
                             << QByteArray("--map");
    QTest::newRow("unknown map field") << QStringList{"watch", "http://127.0.0.1:1/", "--map", "colour=/c"}
                                       << QByteArray("colour");
    QTest::newRow("top zero") << QStringList{"watch", "http://127.0.0.1:1/", "--top", "0"} << QByteArray("--top");
    QTest::newRow("negative duration") << QStringList{"watch", "http://127.0.0.1:1/", "--duration", "-2"}
                                       << QByteArray("--duration");
    QTest::newRow("missing URL") << QStringList{"watch"} << QByteArray("URL");
    QTest::newRow("compare one stream") << QStringList{"watch", "http://127.0.0.1:1/", "--compare"}
                                        << QByteArray("two streams");
    QTest::newRow("unknown compare key") << QStringList{"watch",     "http://127.0.0.1:1/", "http://127.0.0.1:2/",
                                                        "--compare", "--compare-key",       "uuid"}
                                         << QByteArray("uuid");
    QTest::newRow("compare key alone") << QStringList{"watch", "http://127.0.0.1:1/", "--compare-key", "id"}
                                       << QByteArray("--compare");
    QTest::newRow("negative settle") << QStringList{"watch",     "http://127.0.0.1:1/", "http://127.0.0.1:2/",
                                                    "--compare", "--compare-settle",    "-1"}
                                     << QByteArray("--compare-settle");
    QTest::newRow("bad second URL") << QStringList{"watch", "http://127.0.0.1:1/", "ftp://x/"}
                                    << QByteArray("ftp://x/");
    QTest::newRow("redis URL naming nothing")
        << QStringList{"watch", "redis://127.0.0.1:1/clicks"} << QByteArray("/pubsub/CHANNEL or /stream/KEY");
    QTest::newRow("a body for redis") << QStringList{"watch", "redis://127.0.0.1:1/pubsub/c", "--data", "x"}
                                      << QByteArray("--data does not apply to Redis");
    QTest::newRow("redis stream id") << QStringList{"watch", "redis://127.0.0.1:1/stream/s", "--last-event-id", "7x"}
                                     << QByteArray("entry id");
    QTest::newRow("nats URL naming nothing")
        << QStringList{"watch", "nats://127.0.0.1:1"} << QByteArray("names no subject");
    QTest::newRow("a header for nats") << QStringList{"watch", "nats://127.0.0.1:1/c", "-H", "A: b"}
                                       << QByteArray("--header does not apply to NATS");
    QTest::newRow("nats sequence") << QStringList{"watch", "nats://127.0.0.1:1/c?stream=S", "--last-event-id", "7x"}
                                   << QByteArray("stream sequence");
    QTest::newRow("nats sequence without a stream")
        << QStringList{"watch", "nats://127.0.0.1:1/c", "--last-event-id", "7"} << QByteArray("needs stream=NAME");
}

void TestWatch::badFlagsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, mentions);
    const Run r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(mentions), r.err.constData());
}

QTEST_GUILESS_MAIN(TestWatch)
#include "tst_watch.moc"

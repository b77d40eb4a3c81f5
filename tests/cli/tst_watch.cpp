// SPDX-License-Identifier: MIT
// `clickscope-cli watch` end to end: the built binary against the real publisher and the
// scripted server; its JSON report must equal what was published.
#include "server/testpublisher.h"
#include "support/processrunner.h"
#include "support/scriptedhttpserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

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

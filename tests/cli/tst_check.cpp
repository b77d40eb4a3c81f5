// SPDX-License-Identifier: MIT
// `clickscope-cli check` end to end: the built binary against the scripted server and the publisher
// (behind a buffering proxy); exit codes, lines, the JSON report and a JUnit file that xmllint accepts.
#include "server/syntheticpublisher.h"
#include "server/testpublisher.h"
#include "support/bufferingproxy.h"
#include "support/processrunner.h"
#include "support/scriptedhttpserver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;
using Run = Clickscope::Testing::ProcessResult;

namespace {

constexpr int kWaitMs = 20'000;
// Far beyond what any test here takes: a check that waited for it would time the test out.
constexpr auto kLongDuration = "120";

Run run(const QStringList &arguments)
{
    Clickscope::Testing::ProcessOptions options;
    options.timeoutMs = kWaitMs;
    return Clickscope::Testing::runProcess(QStringLiteral(CLICKSCOPE_CLI), QStringList{"check"} + arguments, options);
}

QByteArray clicks(std::initializer_list<int> ids)
{
    QByteArray body;
    for (const int id : ids)
        body += "id: " + QByteArray::number(id) + "\ndata: {\"link\":\"/a\",\"id\":" + QByteArray::number(id) + "}\n\n";
    return body;
}

}   // namespace

class TestCheck : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void aHealthyStreamPassesEveryCheck();
    void aGapFailsAtOnce();
    void aWrongContentTypeFails();
    void burstsFailNoBuffering();
    void silenceFailsTheHeartbeat();
    void aReplayAfterReconnectFailsDuplicates();
    void aServerThatNeverAnswersPassesNothing();
    void anInterruptedRunPassesNothingPending();
    void jsonReportsEachCheck();
    void junitNamesTheFailingCheck();
    void sameEventsPassesForTwoStreamsThatAgree();
    void sameEventsFailsAtTheFirstMissingClick();
    void sameEventsNamesTheStreamThatDeliveredNothing();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();

private:
    QString url() const { return m_server->url(QStringLiteral("/s")).toString(); }

    std::unique_ptr<ScriptedHttpServer> m_server;
};

void TestCheck::init()
{
    m_server = std::make_unique<ScriptedHttpServer>();
    QVERIFY(m_server->listen());
}

void TestCheck::cleanup() { m_server.reset(); }

void TestCheck::aHealthyStreamPassesEveryCheck()
{
    m_server->route("/s", Response::sse(clicks({1, 2, 3}) + "data: [DONE]\n\n").keepOpen());
    const Run r = run({url(), "--expect", "status=200", "--expect", "events>=3", "--expect", "gaps=0", "--expect",
                       "first-event<=10s", "--expect", "undecodable=0", "--expect", "done", "--expect", "content-type",
                       "--expect", "no-buffering", "--duration", kLongDuration});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 8);
    for (const QByteArray &line : lines)
        QVERIFY2(line.startsWith("PASS "), line.constData());
    QVERIFY(r.out.contains("PASS events>=3 (3)\n"));
    QVERIFY(r.out.contains("PASS done (arrived)\n"));
    QVERIFY(r.out.contains("PASS status=200 (200)\n"));
    QVERIFY(r.out.contains("PASS content-type (text/event-stream)\n"));
    QVERIFY(r.out.contains("PASS no-buffering (no bursts)\n"));
    QVERIFY2(r.err.contains("8 of 8 checks passed"), r.err.constData());
}

void TestCheck::aWrongContentTypeFails()
{
    m_server->route("/s", Response::status(200, "application/json", "{}"));
    const Run r = run({url(), "--expect", "content-type", "--duration", kLongDuration});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("FAIL content-type (application/json)\n"), r.out.constData());
}

void TestCheck::burstsFailNoBuffering()
{
    // The publisher's steady 200 clicks/s, passed on by a proxy in one write every 2 s.
    Clickscope::SyntheticPublisher::Settings settings;
    settings.traffic.clicksPerSecond = 200;
    settings.traffic.wobble = false;
    Clickscope::SyntheticPublisher publisher(settings);
    QVERIFY(publisher.start());
    Clickscope::Testing::BufferingProxy proxy(publisher.publisher().baseUrl().port(), 2000);
    QVERIFY(proxy.listen());
    const QUrl stream = publisher.publisher().baseUrl().resolved(QUrl(QStringLiteral("/events")));
    const Run r = run({proxy.through(stream).toString(), "--expect", "no-buffering", "--duration", "15"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("FAIL no-buffering (events arrive in bursts)\n"), r.out.constData());
}

void TestCheck::aGapFailsAtOnce()
{
    // The stream stays open; the failure is decided at the gap, not when the duration ends.
    m_server->route("/s", Response::sse(clicks({1, 3})).keepOpen());
    QElapsedTimer clock;
    clock.start();
    const Run r = run({url(), "--expect", "gaps=0", "--duration", kLongDuration});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QByteArray("FAIL gaps=0 (1)\n"));
    // Decided at the gap: far sooner than the duration (which the runner's timeout would cut).
    QVERIFY2(clock.elapsed() < kWaitMs / 2, qPrintable(QString::number(clock.elapsed())));
}

void TestCheck::silenceFailsTheHeartbeat()
{
    m_server->route("/s", Response::sse(clicks({1})).keepOpen());
    const Run r = run({url(), "--expect", "heartbeat<=300ms", "--expect", "events>=1", "--duration", kLongDuration});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("PASS events>=1 (1)\n"), r.out.constData());
    QVERIFY2(r.out.contains("FAIL heartbeat<=300ms ("), r.out.constData());
}

void TestCheck::aReplayAfterReconnectFailsDuplicates()
{
    // The server ends the stream, and when the client comes back with Last-Event-ID: 2 it starts
    // from the beginning anyway: clicks 1 and 2 come twice.
    m_server->route("/s", Response::sse(clicks({1, 2})));
    m_server->routeResume("/s", "2", Response::sse(clicks({1, 2, 3})).keepOpen());
    const Run r = run({url(), "--retry", "0.05", "--expect", "duplicates=0", "--duration", kLongDuration});
    QCOMPARE(r.exitCode, 1);
    // Decided at the first repeated id; the second may come in the same read.
    QVERIFY2(r.out == "FAIL duplicates=0 (1)\n" || r.out == "FAIL duplicates=0 (2)\n", r.out.constData());
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_server->requests().last().header("Last-Event-ID"), QByteArray("2"));
}

void TestCheck::aServerThatNeverAnswersPassesNothing()
{
    // Nothing listens there: retrying until the duration ends, with no event, is no pass.
    const QString nowhere = QStringLiteral("http://127.0.0.1:%1/s").arg(m_server->port());
    m_server.reset();
    const Run r = run({nowhere, "--expect", "gaps=0", "--expect", "undecodable=0", "--duration", "1", "--json"});
    QCOMPARE(r.exitCode, 1);
    const QJsonArray checks = r.json().value("checks").toArray();
    QCOMPARE(checks.size(), 2);
    for (const QJsonValue &check : checks) {
        QCOMPARE(check.toObject().value("result").toString(), QStringLiteral("fail"));
        QCOMPARE(check.toObject().value("measured").toString(), QStringLiteral("no event arrived"));
    }
    QCOMPARE(r.json().value("passed").toBool(true), false);
}

void TestCheck::anInterruptedRunPassesNothingPending()
{
    // Ctrl+C before the duration ends: what was decided stays, what was pending fails.
    m_server->route("/s", Response::sse(clicks({1, 2})).keepOpen());
    QProcess process;
    process.start(QStringLiteral(CLICKSCOPE_CLI),
                  {"check", url(), "--expect", "events>=2", "--expect", "gaps=0", "--duration", kLongDuration});
    QByteArray out;
    QTRY_VERIFY2_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains("PASS events>=2"),
                              process.readAllStandardError().constData(), kWaitMs);
    QSignalSpy finished(&process, &QProcess::finished);
    ::kill(pid_t(process.processId()), SIGINT);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    out += process.readAllStandardOutput();
    QCOMPARE(out, QByteArray("PASS events>=2 (2)\nFAIL gaps=0 (interrupted before it was decided)\n"));
}

void TestCheck::jsonReportsEachCheck()
{
    m_server->route("/s", Response::sse(clicks({1, 2})));   // then the server closes
    const Run r = run({url(), "--no-reconnect", "--expect", "events>=2", "--expect", "events>=5", "--json"});
    QCOMPARE(r.exitCode, 1);
    const QJsonObject report = r.json();
    QCOMPARE(report.value("passed").toBool(true), false);
    const QJsonArray checks = report.value("checks").toArray();
    QCOMPARE(checks.size(), 2);
    QCOMPARE(checks[0].toObject().value("result").toString(), QStringLiteral("pass"));
    QCOMPARE(checks[1].toObject().value("check").toString(), QStringLiteral("events>=5"));
    QCOMPARE(checks[1].toObject().value("result").toString(), QStringLiteral("fail"));
    QCOMPARE(checks[1].toObject().value("measured").toString(), QStringLiteral("2"));
}

void TestCheck::junitNamesTheFailingCheck()
{
    const QString xmllint = QStandardPaths::findExecutable(QStringLiteral("xmllint"));
    QVERIFY2(!xmllint.isEmpty(), "xmllint (libxml2-utils, installed by dev.sh) is needed");
    m_server->route("/s", Response::sse(clicks({1, 2, 4})).keepOpen());
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("report.xml"));
    const Run r =
        run({url(), "--expect", "events>=1", "--expect", "gaps=0", "--junit", file, "--duration", kLongDuration});
    QCOMPARE(r.exitCode, 1);
    const Run lint = Clickscope::Testing::runProcess(xmllint, {"--noout", file});
    QVERIFY2(lint.exitCode == 0, lint.err.constData());
    QFile report(file);
    QVERIFY(report.open(QIODevice::ReadOnly));
    const QByteArray xml = report.readAll();
    QVERIFY2(xml.contains("tests=\"2\" failures=\"1\""), xml.constData());
    QVERIFY2(xml.contains("<testcase classname=\"clickscope.check\" name=\"gaps=0\">"), xml.constData());
    QVERIFY2(xml.contains("<failure message=\"gaps=0: measured 1\">"), xml.constData());
    QVERIFY2(xml.contains("<testcase classname=\"clickscope.check\" name=\"events&gt;=1\"/>"), xml.constData());
}

void TestCheck::sameEventsPassesForTwoStreamsThatAgree()
{
    // The same clicks, with and without SSE ids (paired by the ids the clicks carry), in any order
    // of arrival; both streams end, which decides the check.
    QByteArray withoutEventIds;
    for (const int id : {1, 2, 3, 4})
        withoutEventIds += "data: {\"link\":\"/a\",\"id\":" + QByteArray::number(id) + "}\n\n";
    m_server->route("/s", Response::sse(clicks({1, 2, 3, 4})));
    m_server->route("/t", Response::sse(withoutEventIds));
    const Run r = run({url(), m_server->url(QStringLiteral("/t")).toString(), "--no-reconnect", "--expect",
                       "same-events", "--compare-settle", "60", "--duration", kLongDuration, "--json"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QJsonObject report = r.json();
    QCOMPARE(report.value("comparedWith").toString(), m_server->url(QStringLiteral("/t")).toString());
    const QJsonObject check = report.value("checks").toArray().first().toObject();
    QCOMPARE(check.value("result").toString(), QStringLiteral("pass"));
    QCOMPARE(check.value("measured").toString(),
             QStringLiteral("4 paired, 0 missing in the second, 0 missing in the first"));
}

void TestCheck::sameEventsNamesTheStreamThatDeliveredNothing()
{
    m_server->route("/s", Response::sse(clicks({1, 2, 3, 4})));
    m_server->route("/t", Response::sse(": nothing to say\n\n"));
    const Run r = run({url(), m_server->url(QStringLiteral("/t")).toString(), "--no-reconnect", "--expect",
                       "same-events", "--compare-settle", "0", "--duration", kLongDuration});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("FAIL same-events (the second stream delivered no clicks to pair (4 from the first))\n"),
             r.out.constData());
}

void TestCheck::sameEventsFailsAtTheFirstMissingClick()
{
    // The second stream (every channel) gets a click the first (one channel) does not: once the
    // first has shown its first click, one published to no channel goes to the second alone. The
    // click both get has 5 s to arrive on each; the one only the second gets is missing after that.
    Clickscope::TestPublisher publisher(Clickscope::TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    QProcess process;
    process.start(QStringLiteral(CLICKSCOPE_CLI),
                  {"check", publisher.baseUrl().resolved(QUrl("/events/team")).toString(),
                   publisher.baseUrl().resolved(QUrl("/events")).toString(), "--expect", "events>=1", "--expect",
                   "same-events", "--compare-settle", "5", "--duration", kLongDuration});
    QSignalSpy finished(&process, &QProcess::finished);
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 2, kWaitMs);
    publisher.hub().publish({QJsonObject{{"link", "/a"}}}, QStringLiteral("team"));
    QByteArray out;
    QTRY_VERIFY2_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains("PASS events>=1"),
                              process.readAllStandardError().constData(), kWaitMs);
    publisher.hub().publish({QJsonObject{{"link", "/b"}}});
    QVERIFY(finished.count() > 0 || finished.wait(kWaitMs));
    QCOMPARE(process.exitCode(), 1);
    out += process.readAllStandardOutput();
    QVERIFY2(out.contains("FAIL same-events (1 paired, 0 missing in the second, 1 missing in the first)\n"),
             out.constData());
    // A failed check is not a failed stream.
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(err.contains("1 of 2 checks passed\n"), err.constData());
}

void TestCheck::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("says");
    QTest::newRow("unknown check") << QStringList{"http://127.0.0.1:1/s", "--expect", "gapz=0"}
                                   << "unknown check 'gapz'";
    QTest::newRow("bad value") << QStringList{"http://127.0.0.1:1/s", "--expect", "heartbeat<=30"}
                               << "needs a time such as 500ms or 2s, not '30'";
    QTest::newRow("no check") << QStringList{"http://127.0.0.1:1/s"} << "no check given";
    QTest::newRow("bad duration") << QStringList{"http://127.0.0.1:1/s", "--expect", "gaps=0", "--duration", "0"}
                                  << "--duration needs a positive number";
    QTest::newRow("no URL") << QStringList{"--expect", "gaps=0"} << "missing URL";
    QTest::newRow("same-events alone") << QStringList{"http://127.0.0.1:1/s", "--expect", "same-events"}
                                       << "--expect same-events needs a second URL";
    QTest::newRow("second URL without same-events")
        << QStringList{"http://127.0.0.1:1/s", "http://127.0.0.1:1/t", "--expect", "gaps=0"}
        << "a second URL is for --expect same-events";
    QTest::newRow("three URLs") << QStringList{"http://127.0.0.1:1/s", "http://127.0.0.1:1/t", "http://127.0.0.1:1/u",
                                               "--expect", "same-events"}
                                << "at most 2 streams";
    QTest::newRow("compare key without same-events")
        << QStringList{"http://127.0.0.1:1/s", "--expect", "gaps=0", "--compare-key", "id"}
        << "go with --expect same-events";
}

void TestCheck::usageErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, says);
    const Run r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(says.toUtf8()), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TestCheck)
#include "tst_check.moc"

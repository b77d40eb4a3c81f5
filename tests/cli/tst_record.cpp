// SPDX-License-Identifier: MIT
// `clickscope-cli record` and `replay` end to end: the built binary against the publisher and the
// scripted server; a replay prints what `listen` printed live, and a recording stopped by a
// signal is complete.
#include "core/record/recordingreader.h"
#include "server/testpublisher.h"
#include "support/floodserver.h"
#include "support/processrunner.h"
#include "support/scriptedhttpserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using Clickscope::TestPublisher;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;
using Run = Clickscope::Testing::ProcessResult;

namespace {

constexpr int kWaitMs = 15'000;

Run run(const QStringList &arguments)
{
    Clickscope::Testing::ProcessOptions options;
    options.timeoutMs = kWaitMs;
    return Clickscope::Testing::runProcess(QStringLiteral(CLICKSCOPE_CLI), arguments, options);
}

}   // namespace

class TestRecord : public QObject
{
    Q_OBJECT
private slots:
    void aReplayPrintsWhatListenPrinted();
    void watchingARecordingReportsWhatWatchingLiveDid();
    void aStoppedRecorderLeavesAReplayableFile_data();
    void aStoppedRecorderLeavesAReplayableFile();
    void webSocketMessagesReplay();
    void badInputIsRefused();
    void aHarImportsAndReplays();
};

void TestRecord::aReplayPrintsWhatListenPrinted()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    QList<QJsonObject> clicks;
    for (int i = 0; i < 300; ++i)
        clicks.append({{"link", QStringLiteral("/l%1").arg(i % 7)}, {"country", i % 2 ? "DE" : "US"}});
    publisher.hub().publish(clicks);
    const QString url = publisher.baseUrl().resolved(QUrl(QStringLiteral("/events"))).toString();
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("clicks.csrec"));

    // Both from the start of the publisher's history, so both see the same 300 events.
    const Run recorded = run(
        {"record", url, "--last-event-id", "0", "--duration", "1.5", "-o", file, "-H", "Authorization: Bearer s3cret"});
    QVERIFY2(recorded.exitCode == 0, recorded.err.constData());
    QVERIFY2(recorded.err.contains("recorded 300 events"), recorded.err.constData());
    const Run live = run({"listen", url, "--last-event-id", "0", "--max-events", "300"});
    QCOMPARE(live.exitCode, 0);
    const Run replayed = run({"replay", file, "--max-events", "300"});
    QVERIFY2(replayed.exitCode == 0, replayed.err.constData());
    QCOMPARE(replayed.out, live.out);
    QCOMPARE(live.out.count('\n'), 300);
    Clickscope::RecordingReader reader;
    QVERIFY(reader.open(file));
    QCOMPARE(reader.header().value("requestHeaders").toObject().value("Authorization").toString(),
             QStringLiteral("•••"));
    QCOMPARE(reader.header().value("url").toString(), url);
    QVERIFY(reader.header().value("program").toString().startsWith(QStringLiteral("clickscope ")));
}

void TestRecord::watchingARecordingReportsWhatWatchingLiveDid()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    QList<QJsonObject> clicks;
    static const char *const countries[] = {"DE", "US", "FR"};
    for (int i = 0; i < 400; ++i)
        clicks.append({{"link", QStringLiteral("/l%1").arg(i % 11 * (i % 4))},
                       {"country", countries[i % 3]},
                       {"referrer", i % 2 ? "https://t.co/" : "https://news.ycombinator.com/"}});
    publisher.hub().publish(clicks);
    const QString url = publisher.baseUrl().resolved(QUrl(QStringLiteral("/events"))).toString();
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("clicks.csrec"));
    const Run recorded = run({"record", url, "--last-event-id", "0", "--duration", "1.5", "-o", file});
    QVERIFY2(recorded.err.contains("recorded 400 events"), recorded.err.constData());
    const Run live = run({"watch", url, "--last-event-id", "0", "--duration", "1.5", "--json"});
    QCOMPARE(live.exitCode, 0);
    const Run replayed = run({"watch", file, "--json"});   // as fast as it reads, then the report
    QVERIFY2(replayed.exitCode == 0, replayed.err.constData());
    const QJsonObject a = QJsonDocument::fromJson(live.out).object();
    const QJsonObject b = QJsonDocument::fromJson(replayed.out).object();
    QCOMPARE(a.value("totals").toObject().value("clicks").toInteger(), 400);
    for (const char *field : {"clicks", "events", "gaps", "duplicates", "undecodable", "bytes"})
        QCOMPARE(b.value("totals").toObject().value(field), a.value("totals").toObject().value(field));
    QCOMPARE(b.value("topLinks"), a.value("topLinks"));
    QCOMPARE(b.value("breakdowns"), a.value("breakdowns"));
    QVERIFY(!b.value("topLinks").toArray().isEmpty());
    const Run badSpeed = run({"watch", url, "--speed", "2"});
    QCOMPARE(badSpeed.exitCode, 2);
    QVERIFY2(badSpeed.err.contains("--speed applies to a recording FILE"), badSpeed.err.constData());
}

void TestRecord::aStoppedRecorderLeavesAReplayableFile_data()
{
    // Ctrl+C (here SIGTERM) once the progress line says the events are in: the file is closed
    // complete. SIGKILL after two progress lines: the once-a-second flush has written them.
    QTest::addColumn<int>("signal");
    QTest::addColumn<int>("progressLines");
    QTest::newRow("SIGTERM") << int(SIGTERM) << 1;
    QTest::newRow("SIGKILL") << int(SIGKILL) << 2;
}

void TestRecord::aStoppedRecorderLeavesAReplayableFile()
{
    QFETCH(int, signal);
    QFETCH(int, progressLines);
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("data: one\n\ndata: two\n\n").keepOpen());
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("stopped.csrec"));
    QProcess recorder;
    recorder.start(QStringLiteral(CLICKSCOPE_CLI), {"record", server.url(QStringLiteral("/s")).toString(), "-o", file});
    QByteArray err;
    QTRY_VERIFY_WITH_TIMEOUT((err += recorder.readAllStandardError()).count("recorded 2 events") >= progressLines,
                             kWaitMs);
    QSignalSpy finished(&recorder, &QProcess::finished);
    ::kill(pid_t(recorder.processId()), signal);
    QVERIFY(finished.wait(kWaitMs));
    if (signal == SIGTERM)
        QCOMPARE(recorder.exitCode(), 0);
    const Run replayed = run({"replay", file, "--format", "raw"});
    QVERIFY2(replayed.exitCode == 0, replayed.err.constData());
    QCOMPARE(replayed.out, QByteArray("one\ntwo\n"));
}

void TestRecord::webSocketMessagesReplay()
{
    const auto server = Clickscope::Testing::FloodServer::webSocket(R"({"link":"/ws"})", 200'000);
    QVERIFY(server->listen());
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("ws.csrec"));
    const Run recorded = run({"record", server->url().toString(), "--max-bytes", "100000", "-o", file});
    QVERIFY2(recorded.exitCode == 0, recorded.err.constData());
    // The summary is the last progress line.
    QRegularExpressionMatch summary;
    for (auto it =
             QRegularExpression(QStringLiteral("recorded (\\d+) events")).globalMatch(QString::fromUtf8(recorded.err));
         it.hasNext();)
        summary = it.next();
    QVERIFY2(summary.hasMatch(), recorded.err.constData());
    const Run replayed = run({"replay", file, "--format", "count"});
    QVERIFY2(replayed.exitCode == 0, replayed.err.constData());
    // Every message is recorded as it comes, even those still gathered into the batch the stop cut
    // short: the replay has at least what the live run delivered.
    QVERIFY2(replayed.out.trimmed().toInt() >= summary.captured(1).toInt(), replayed.out.constData());
    QVERIFY(summary.captured(1).toInt() > 1000);
    QCOMPARE(run({"replay", file, "--format", "count"}).out, replayed.out);   // the same every time
    const Run lines = run({"replay", file, "--format", "raw", "--max-events", "2"});
    QCOMPARE(lines.out, QByteArray("{\"link\":\"/ws\"}\n{\"link\":\"/ws\"}\n"));
}

void TestRecord::badInputIsRefused()
{
    QTemporaryDir dir;
    const Run noOutput = run({"record", "http://127.0.0.1:1/s"});
    QCOMPARE(noOutput.exitCode, 2);
    QVERIFY2(noOutput.err.contains("-o FILE"), noOutput.err.constData());
    const Run unwritable = run({"record", "http://127.0.0.1:1/s", "-o", "/nonexistent-dir/r.csrec"});
    QCOMPARE(unwritable.exitCode, 2);
    const QString foreign = dir.filePath(QStringLiteral("foreign.csrec"));
    QFile file(foreign);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("data: this is not a recording\n\n");
    file.close();
    const Run replayed = run({"replay", foreign});
    QCOMPARE(replayed.exitCode, 1);
    QVERIFY2(replayed.err.contains("not a Clickscope recording"), replayed.err.constData());
    const Run badSpeed = run({"replay", foreign, "--speed", "0"});
    QCOMPARE(badSpeed.exitCode, 2);
}

void TestRecord::aHarImportsAndReplays()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("from-har.csrec"));
    const QString har = QStringLiteral(CLICKSCOPE_HAR_DIR "/websocket.har");
    const Run imported = run({"import", har, "-o", file});
    QVERIFY2(imported.exitCode == 0, imported.err.constData());
    QVERIFY2(imported.err.contains("imported entry 3 (ws://127.0.0.1:") && imported.err.contains("8 messages"),
             imported.err.constData());
    const Run counted = run({"replay", file, "--format", "count"});
    QCOMPARE(counted.exitCode, 0);
    QCOMPARE(counted.out.trimmed(), QByteArray("8"));
    const Run other = run({"import", QStringLiteral(CLICKSCOPE_HAR_DIR "/other.har"), "-o", file});
    QCOMPARE(other.exitCode, 1);
    QVERIFY2(other.err.contains("holds no stream to import"), other.err.constData());
    QCOMPARE(run({"import", har}).exitCode, 2);                               // no -o
    QCOMPARE(run({"import", har, "-o", file, "--entry", "0"}).exitCode, 2);   // entries count from 1
}

QTEST_GUILESS_MAIN(TestRecord)
#include "tst_record.moc"

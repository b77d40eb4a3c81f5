// SPDX-License-Identifier: MIT
// `clickscope-cli serve` and `publish` end to end: the built binary, talking to itself on loopback.
#include "support/natsidentities.h"
#include "support/natsserver.h"
#include "support/processrunner.h"
#include "support/testcertificates.h"
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <csignal>
#include <memory>

namespace {

constexpr int kWaitMs = 10000;

using Run = Clickscope::Testing::ProcessResult;

Run run(const QStringList &arguments, const QByteArray &input = {})
{
    Clickscope::Testing::ProcessOptions options;
    options.input = input;
    options.timeoutMs = kWaitMs;
    return Clickscope::Testing::runProcess(QStringLiteral(CLICKSCOPE_CLI), arguments, options);
}

// Starts `serve` in `process` and returns its base URL once its whole banner is out (empty if it
// did not come); what it printed goes to `banner`.
QString startServe(QProcess &process, const QStringList &extra, QByteArray *banner = nullptr)
{
    process.start(QStringLiteral(CLICKSCOPE_CLI), QStringList{"serve", "--port", "0"} + extra);
    QByteArray out;
    static const QRegularExpression kListening(QStringLiteral("listening on (http://127\\.0\\.0\\.1:\\d+)"));
    QRegularExpressionMatch match;
    const bool started = QTest::qWaitFor(
        [&] {
            out += process.readAllStandardOutput();
            match = kListening.match(QString::fromUtf8(out));
            // The whole banner: its last line names /health.
            return (match.hasMatch() && out.contains("/health\n")) || process.state() == QProcess::NotRunning;
        },
        kWaitMs);
    if (banner)
        *banner = out;
    if (!started || !match.hasMatch())
        return {};
    return match.captured(1);
}

// The "lastEventId" of each line `listen` printed.
QList<QByteArray> listenedIds(const QByteArray &out)
{
    QList<QByteArray> ids;
    for (const QByteArray &line : out.trimmed().split('\n'))
        ids << QJsonDocument::fromJson(line).object().value(QStringLiteral("lastEventId")).toString().toUtf8();
    return ids;
}

}   // namespace

class TestServe : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void serveListensPublishAndListenReadIt();
    void syntheticTrafficFlows();
    void tokenIsEnforced();
    void publishReportsRejections();
    void publishToADeadServerFails();
    void badFlagsExitTwo_data();
    void badFlagsExitTwo();
    void portInUseExitsOne();
    void aRecordingIsServedToListenAndWebSockets();
    void aRecordingThatCannotBeServedExitsOne();
    void replicasOverNatsSurviveOneKilled();
    void natsWithCredentialsAndTls();

private:
    // Starts `serve` and returns its base URL, read from the line it prints.
    QString startServer(const QStringList &extra = {});
    std::unique_ptr<QProcess> m_server;
    QByteArray m_banner;   // what the last startServer() read from serve
};

void TestServe::cleanup()
{
    if (m_server && m_server->state() != QProcess::NotRunning) {
        m_server->kill();
        m_server->waitForFinished(kWaitMs);
    }
    m_server.reset();
}

QString TestServe::startServer(const QStringList &extra)
{
    m_server = std::make_unique<QProcess>();
    return startServe(*m_server, extra, &m_banner);
}

void TestServe::replicasOverNatsSurviveOneKilled()
{
    Clickscope::Testing::NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    const QString server = QStringLiteral("nats://127.0.0.1:%1").arg(nats.port());
    QProcess a;
    QProcess b;
    const QString baseA = startServe(a, {"--nats", server});
    const QString baseB = startServe(b, {"--nats", server});
    QVERIFY(!baseA.isEmpty() && !baseB.isEmpty());   // each announced once its stream was ready
    const Run first = run({"publish", baseA}, "{\"link\":\"/a\"}\n{\"link\":\"/b\"}\n{\"link\":\"/c\"}\n");
    QCOMPARE(first.out, QByteArray("accepted 3, rejected 0\n"));
    const Run readA = run({"listen", baseA + "/events", "--last-event-id", "0", "--max-events", "3"});
    QCOMPARE(readA.exitCode, 0);
    QCOMPARE(listenedIds(readA.out), (QList<QByteArray>{"1", "2", "3"}));

    a.kill();   // SIGKILL: no goodbye to anyone
    QVERIFY(a.waitForFinished(kWaitMs));
    const Run more = run({"publish", baseB}, "{\"link\":\"/d\"}\n{\"link\":\"/e\"}\n");
    QCOMPARE(more.out, QByteArray("accepted 2, rejected 0\n"));
    // The reader of A goes on at B after the last id it had: nothing lost, nothing twice.
    const Run readB = run({"listen", baseB + "/events", "--last-event-id", "3", "--max-events", "2"});
    QCOMPARE(readB.exitCode, 0);
    QCOMPARE(listenedIds(readB.out), (QList<QByteArray>{"4", "5"}));
    b.kill();
    b.waitForFinished(kWaitMs);
}

void TestServe::natsWithCredentialsAndTls()
{
    Clickscope::Testing::TestCertificates certificates;
    QVERIFY2(certificates.make(), qPrintable(certificates.errorString()));
    Clickscope::Testing::NatsIdentities identities;
    QVERIFY2(identities.isValid(), qPrintable(identities.errorString()));
    Clickscope::Testing::NatsServer nats({"-c", identities.operatorServerConfig(), "--tls", "--tlscert",
                                          certificates.serverCertificate(), "--tlskey", certificates.serverKey()});
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    const QString server =
        QStringLiteral("nats://127.0.0.1:%1?tls_ca=%2").arg(nats.port()).arg(certificates.authority());
    QProcess publisher;
    const QString base = startServe(publisher, {"--nats", server, "--nats-creds", identities.credsFile()});
    QVERIFY(!base.isEmpty());
    const Run published = run({"publish", base}, "{\"link\":\"/a\"}\n{\"link\":\"/b\"}\n");
    QCOMPARE(published.out, QByteArray("accepted 2, rejected 0\n"));
    // The stream read straight from NATS, the same way in.
    const QString stream = QStringLiteral("nats://127.0.0.1:%1/clicks.>?stream=CLICKS&start=first&tls_ca=%2&creds=%3")
                               .arg(nats.port())
                               .arg(certificates.authority(), identities.credsFile());
    const Run listened = run({"listen", stream, "--max-events", "2", "--timeout", "8"});
    QCOMPARE(listened.exitCode, 0);
    QCOMPARE(listenedIds(listened.out), (QList<QByteArray>{"1", "2"}));
    publisher.terminate();
    publisher.waitForFinished(kWaitMs);
}

void TestServe::serveListensPublishAndListenReadIt()
{
    const QString base = startServer();
    QVERIFY(!base.isEmpty());
    // The URLs it prints are ones to copy: no doubled slash after the port.
    for (const char *path : {"/events ", "/publish[", "/stream ", "/r/<code>", "/stats ", "/health"})
        QVERIFY2(m_banner.contains((base + path).toUtf8()), m_banner.constData());
    QVERIFY2(m_banner.contains((QString(base).replace(0, 4, QStringLiteral("ws")) + "/ws ").toUtf8()),
             m_banner.constData());
    const Run published = run({"publish", base}, "{\"link\":\"/one\"}\n\n{\"link\":\"/two\"}\n{\"link\":\"/three\"}\n");
    QCOMPARE(published.exitCode, 0);
    QCOMPARE(published.out, QByteArray("accepted 3, rejected 0\n"));

    const Run listened = run({"listen", base + "/events", "--last-event-id", "0", "--max-events", "3"});
    QCOMPARE(listened.exitCode, 0);
    const QList<QByteArray> lines = listened.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith("{\"type\":\"click\",\"data\":\"{\\\"id\\\":1,\\\"link\\\":\\\"/one\\\""));
    QVERIFY(lines[2].endsWith("\"lastEventId\":\"3\"}"));

    ::kill(pid_t(m_server->processId()), SIGTERM);
    QVERIFY(m_server->waitForFinished(kWaitMs));
    QCOMPARE(m_server->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_server->exitCode(), 0);
}

void TestServe::syntheticTrafficFlows()
{
    const QString base = startServer({"--rate", "500", "--links", "20", "--seed", "7"});
    QVERIFY(!base.isEmpty());
    const Run listened = run({"listen", base + "/events", "--max-events", "50", "--timeout", "8"});
    QCOMPARE(listened.exitCode, 0);
    QCOMPARE(listened.out.count('\n'), 50);
    QVERIFY(listened.out.contains("\"type\":\"click\""));
    QVERIFY(listened.out.contains("\\\"country\\\""));
}

void TestServe::tokenIsEnforced()
{
    const QString base = startServer({"--token", "t0k"});
    QVERIFY(!base.isEmpty());
    const Run refused = run({"publish", base}, "{\"link\":\"/a\"}\n");
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("401"), refused.err.constData());
    const Run accepted = run({"publish", base, "--token", "t0k"}, "{\"link\":\"/a\"}\n");
    QCOMPARE(accepted.exitCode, 0);
    QCOMPARE(accepted.out, QByteArray("accepted 1, rejected 0\n"));
}

void TestServe::publishReportsRejections()
{
    const QString base = startServer();
    QVERIFY(!base.isEmpty());
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("{\"link\":\"/ok\"}\n{\"link\":42}\n");
    file.close();
    const Run r = run({"publish", base + "/publish", "--file", file.fileName()});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QByteArray("accepted 0, rejected 2\n"));   // all or nothing per request
    QVERIFY2(r.err.contains("line 2"), r.err.constData());
    QVERIFY2(r.err.contains("link"), r.err.constData());
}

void TestServe::publishToADeadServerFails()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    const Run r = run({"publish", QStringLiteral("http://127.0.0.1:%1").arg(port)}, "{\"link\":\"/a\"}\n");
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("error:"), r.err.constData());
}

void TestServe::badFlagsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("mentions");
    QTest::newRow("port too big") << QStringList{"serve", "--port", "70000"} << QByteArray("--port");
    QTest::newRow("negative rate") << QStringList{"serve", "--rate", "-1"} << QByteArray("--rate");
    QTest::newRow("bad bind") << QStringList{"serve", "--bind", "not-an-ip"} << QByteArray("--bind");
    QTest::newRow("read-token alone") << QStringList{"serve", "--read-token"} << QByteArray("--token");
    QTest::newRow("zero links") << QStringList{"serve", "--links", "0"} << QByteArray("--links");
    QTest::newRow("serve extra argument") << QStringList{"serve", "extra"} << QByteArray("extra");
    QTest::newRow("speed without replay") << QStringList{"serve", "--speed", "2"} << QByteArray("--replay");
    QTest::newRow("loop without replay") << QStringList{"serve", "--loop"} << QByteArray("--replay");
    QTest::newRow("replay with rate") << QStringList{"serve", "--replay", "x.csrec", "--rate", "5"}
                                      << QByteArray("--rate and --replay");
    QTest::newRow("replay speed 0") << QStringList{"serve", "--replay", "x.csrec", "--speed", "0"}
                                    << QByteArray("--speed needs a number from 0.001");
    QTest::newRow("nats stream without nats") << QStringList{"serve", "--nats-stream", "S"} << QByteArray("--nats URL");
    QTest::newRow("nats creds without nats")
        << QStringList{"serve", "--nats-creds", "u.creds"} << QByteArray("--nats URL");
    QTest::newRow("nats creds missing") << QStringList{"serve", "--nats", "nats://127.0.0.1:4222", "--nats-creds",
                                                       "/nonexistent/u.creds"}
                                        << QByteArray("creds=: cannot read '/nonexistent/u.creds'");
    QTest::newRow("nats tls unknown") << QStringList{"serve", "--nats", "nats://127.0.0.1:4222?tls=maybe"}
                                      << QByteArray("the only value is tls=required");
    QTest::newRow("nats URL with a subject")
        << QStringList{"serve", "--nats", "nats://127.0.0.1:4222/clicks"} << QByteArray("--nats takes a server");
    QTest::newRow("nats not nats") << QStringList{"serve", "--nats", "http://127.0.0.1:4222"}
                                   << QByteArray("--nats takes a server");
    QTest::newRow("nats stream name") << QStringList{"serve", "--nats", "nats://127.0.0.1:4222", "--nats-stream", "a.b"}
                                      << QByteArray("not a JetStream stream name");
    QTest::newRow("nats with replay") << QStringList{"serve", "--nats", "nats://127.0.0.1:4222", "--replay", "x.csrec"}
                                      << QByteArray("exclude each other");
    QTest::newRow("publish without URL") << QStringList{"publish"} << QByteArray("URL");
    QTest::newRow("publish bad URL") << QStringList{"publish", "ftp://x"} << QByteArray("ftp://x");
    QTest::newRow("publish missing file")
        << QStringList{"publish", "http://127.0.0.1:1", "--file", "/nonexistent/x"} << QByteArray("/nonexistent/x");
}

void TestServe::badFlagsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, mentions);
    const Run r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(mentions), r.err.constData());
}

void TestServe::portInUseExitsOne()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    const Run r = run({"serve", "--port", QString::number(taken.serverPort())});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot listen"), r.err.constData());
}

void TestServe::aRecordingIsServedToListenAndWebSockets()
{
    // A recording of 200 published clicks, made by `record`.
    const QString live = startServer();
    QVERIFY(!live.isEmpty());
    QByteArray clicks;
    for (int i = 0; i < 200; ++i)
        clicks += QStringLiteral("{\"link\":\"/l%1\"}\n").arg(i % 9).toUtf8();
    QCOMPARE(run({"publish", live}, clicks).exitCode, 0);
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("clicks.csrec"));
    const Run recorded = run({"record", live + "/events", "--last-event-id", "0", "--duration", "1", "-o", file});
    QVERIFY2(recorded.exitCode == 0 && recorded.err.contains("recorded 200 events"), recorded.err.constData());
    cleanup();

    const QString served = startServer({"--replay", file, "--speed", "max"});
    QVERIFY(!served.isEmpty());
    const Run replayed = run({"replay", file, "--max-events", "200"});
    QCOMPARE(replayed.exitCode, 0);
    QCOMPARE(replayed.out.count('\n'), 200);
    for (int reader = 0; reader < 2; ++reader) {   // each from the start
        const Run listened = run({"listen", served + "/events", "--max-events", "200"});
        QVERIFY2(listened.exitCode == 0, listened.err.constData());
        QCOMPARE(listened.out, replayed.out);
    }
    // Over WebSocket the same data, as messages.
    const Run overWs =
        run({"listen", QString(served).replace(0, 4, QStringLiteral("ws")) + "/ws", "--max-events", "200"});
    QVERIFY2(overWs.exitCode == 0, overWs.err.constData());
    const auto dataOf = [](const QByteArray &jsonl) {
        QStringList data;
        for (const QByteArray &line : jsonl.trimmed().split('\n'))
            data << QJsonDocument::fromJson(line).object().value(QStringLiteral("data")).toString();
        return data;
    };
    QCOMPARE(dataOf(overWs.out), dataOf(replayed.out));
    // Resuming within the recording.
    const Run resumed = run({"listen", served + "/events", "--last-event-id", "150", "--max-events", "50"});
    QCOMPARE(resumed.exitCode, 0);
    QCOMPARE(resumed.out, replayed.out.split('\n').mid(150, 50).join('\n') + '\n');
    m_server->terminate();
    QVERIFY(m_server->waitForFinished(kWaitMs));
    const QByteArray said = m_server->readAllStandardError();
    QVERIFY2(said.contains("serving " + file.toUtf8() + ": 200 events"), said.constData());
}

void TestServe::aRecordingThatCannotBeServedExitsOne()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("missing.csrec"));
    const Run gone = run({"serve", "--port", "0", "--replay", missing});
    QCOMPARE(gone.exitCode, 1);
    QVERIFY2(gone.err.contains(missing.toUtf8()), gone.err.constData());
    QTemporaryFile foreign;
    QVERIFY(foreign.open());
    foreign.write("data: not a recording\n\n");
    foreign.close();
    const Run notOne = run({"serve", "--port", "0", "--replay", foreign.fileName()});
    QCOMPARE(notOne.exitCode, 1);
    QVERIFY2(notOne.err.contains(foreign.fileName().toUtf8()) && notOne.err.contains("recording"),
             notOne.err.constData());
}

QTEST_GUILESS_MAIN(TestServe)
#include "tst_serve.moc"

// SPDX-License-Identifier: MIT
// `clickscope-cli listen` end to end: the built binary against a scripted server on loopback.
#include "server/testpublisher.h"
#include "support/processrunner.h"
#include "support/scriptedhttpserver.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 10000;

template<std::size_t N>
QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

using Run = Clickscope::Testing::ProcessResult;

}   // namespace

class TestListen : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void jsonlIsExactAndEscaped();
    void maxEventsStopsWithZero();
    void fatalStreamErrorsExitOne_data();
    void fatalStreamErrorsExitOne();
    void normalEndsExitZero_data();
    void normalEndsExitZero();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void helpAndVersion_data();
    void helpAndVersion();
    void postsBodyAndHeaders();
    void reconnectsAndPrintsState();
    void rawAndCountFormats();
    void xrayGoesToItsFileBesideTheEvents();
    void sigtermStopsCleanly();
    void eventsAreFlushedAsTheyArrive();
    void webSocketFramesAsJsonl();

private:
    QProcess *start(const QStringList &arguments);
    Run run(const QStringList &arguments);
    QString url(const QString &path) const { return m_server->url(path).toString(); }

    std::unique_ptr<ScriptedHttpServer> m_server;
    std::unique_ptr<QProcess> m_process;
};

void TestListen::init()
{
    m_server = std::make_unique<ScriptedHttpServer>();
    QVERIFY(m_server->listen());
}

void TestListen::cleanup()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(kWaitMs);
    }
    m_process.reset();
    m_server.reset();
}

QProcess *TestListen::start(const QStringList &arguments)
{
    m_process = std::make_unique<QProcess>();
    m_process->start(QStringLiteral(CLICKSCOPE_CLI), arguments);
    return m_process.get();
}

Run TestListen::run(const QStringList &arguments)
{
    Clickscope::Testing::ProcessOptions options;
    options.timeoutMs = kWaitMs;
    return Clickscope::Testing::runProcess(QStringLiteral(CLICKSCOPE_CLI), arguments, options);
}

void TestListen::jsonlIsExactAndEscaped()
{
    m_server->route("/s", Response::sse(bytes("id: 1\nevent: click\ndata: {\"link\":\"/a\"}\n\n"
                                              "data: quote \" backslash \\ tab \t\ndata: nul \0 bell \x07 del \x7f\n\n"
                                              "id: \xE2\x82\xAC-2\ndata: bad \xFF utf8 \xF0\x9F\x98\x80\n\n")));
    const Run r = run({"listen", url("/s"), "--no-reconnect"});
    QCOMPARE(r.exitCode, 0);
    const QByteArray expected = "{\"type\":\"click\",\"data\":\"{\\\"link\\\":\\\"/a\\\"}\",\"lastEventId\":\"1\"}\n"
                                "{\"type\":\"message\",\"data\":\"quote \\\" backslash \\\\ tab \\t\\nnul \\u0000 bell "
                                "\\u0007 del \x7f\",\"lastEventId\":\"1\"}\n"
                                "{\"type\":\"message\",\"data\":\"bad \xEF\xBF\xBD utf8 "
                                "\xF0\x9F\x98\x80\",\"lastEventId\":\"\xE2\x82\xAC-2\"}\n";
    QCOMPARE(r.out, expected);
    // Every line is a JSON document that gives the data back.
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    const QJsonObject second = QJsonDocument::fromJson(lines.at(1)).object();
    QCOMPARE(second.value("data").toString(),
             QString::fromUtf8(bytes("quote \" backslash \\ tab \t\nnul \0 bell \x07 del \x7f")));
    QVERIFY(r.err.contains("open"));
}

void TestListen::maxEventsStopsWithZero()
{
    QByteArray body;
    for (int i = 0; i < 10; ++i)
        body += "data: " + QByteArray::number(i) + "\n\n";
    m_server->route("/s", Response::sse(body).keepOpen());
    const Run r = run({"listen", url("/s"), "--max-events", "3"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count('\n'), 3);
    QVERIFY(r.out.endsWith("{\"type\":\"message\",\"data\":\"2\",\"lastEventId\":\"\"}\n"));
}

void TestListen::fatalStreamErrorsExitOne_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("stderrMentions");
    QTest::newRow("404") << "/missing" << QByteArray("404");
    QTest::newRow("500") << "/broken" << QByteArray("500");
    QTest::newRow("wrong content type") << "/plain" << QByteArray("text/plain");
}

void TestListen::fatalStreamErrorsExitOne()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, stderrMentions);
    m_server->route("/broken", Response::status(500, "text/plain", "oops"));
    m_server->route("/plain", Response::streamingStatus(200, "text/plain", "data: x\n\n").keepOpen());
    const Run r = run({"listen", url(path)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(stderrMentions), r.err.constData());
    QVERIFY2(r.err.contains("error: "), r.err.constData());
}

void TestListen::normalEndsExitZero_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<int>("events");
    QTest::newRow("204") << "/nocontent" << QStringList{} << 0;
    QTest::newRow("done marker") << "/chat" << QStringList{"--done-marker"} << 2;
    QTest::newRow("timeout") << "/open" << QStringList{"--timeout", "0.5"} << 1;
    QTest::newRow("server ends, no reconnect") << "/short" << QStringList{"--no-reconnect"} << 1;
}

void TestListen::normalEndsExitZero()
{
    QFETCH(QString, path);
    QFETCH(QStringList, flags);
    QFETCH(int, events);
    m_server->route("/nocontent", Response::status(204));
    m_server->route("/chat",
                    Response::sse("data: {\"d\":\"Why\"}\n\ndata: {\"d\":\"?\"}\n\ndata: [DONE]\n\n").keepOpen());
    m_server->route("/open", Response::sse("data: x\n\n").keepOpen());
    m_server->route("/short", Response::sse("data: x\n\n"));
    const Run r = run(QStringList{"listen", url(path)} + flags);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count('\n'), events);
}

void TestListen::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("mentions");
    QTest::newRow("unknown flag") << QStringList{"listen", "http://127.0.0.1:1/", "--bogus"} << QByteArray("bogus");
    QTest::newRow("max-events not a number")
        << QStringList{"listen", "http://127.0.0.1:1/", "--max-events", "x"} << QByteArray("--max-events");
    QTest::newRow("max-events zero") << QStringList{"listen", "http://127.0.0.1:1/", "--max-events", "0"}
                                     << QByteArray("--max-events");
    QTest::newRow("timeout negative") << QStringList{"listen", "http://127.0.0.1:1/", "--timeout", "-1"}
                                      << QByteArray("--timeout");
    QTest::newRow("idle-timeout text") << QStringList{"listen", "http://127.0.0.1:1/", "--idle-timeout", "soon"}
                                       << QByteArray("--idle-timeout");
    QTest::newRow("bad format") << QStringList{"listen", "http://127.0.0.1:1/", "--format", "xml"}
                                << QByteArray("--format");
    QTest::newRow("bad header") << QStringList{"listen", "http://127.0.0.1:1/", "--header", "NoColon"}
                                << QByteArray("--header");
    QTest::newRow("bad method") << QStringList{"listen", "http://127.0.0.1:1/", "--method", "GE T"}
                                << QByteArray("--method");
    QTest::newRow("missing value") << QStringList{"listen", "http://127.0.0.1:1/", "--max-events"}
                                   << QByteArray("max-events");
    QTest::newRow("missing URL") << QStringList{"listen"} << QByteArray("URL");
    QTest::newRow("two URLs") << QStringList{"listen", "http://a/", "http://b/"} << QByteArray("http://b/");
    QTest::newRow("unsupported scheme") << QStringList{"listen", "ftp://127.0.0.1/"} << QByteArray("ftp");
    QTest::newRow("not a URL") << QStringList{"listen", "http://exa mple/"} << QByteArray("not a valid URL");
    QTest::newRow("unwritable X-ray file")
        << QStringList{"listen", "http://127.0.0.1:1/", "--xray", "/nonexistent-dir/x.jsonl"} << QByteArray("--xray");
    QTest::newRow("body for a WebSocket")
        << QStringList{"listen", "ws://127.0.0.1:1/ws", "--data", "x"} << QByteArray("--data");
    QTest::newRow("unknown command") << QStringList{"lisen"} << QByteArray("lisen");
    QTest::newRow("no command") << QStringList{} << QByteArray("command");
    QTest::newRow("bench without file") << QStringList{"bench", "parse"} << QByteArray("FILE");
    QTest::newRow("bench unknown kind") << QStringList{"bench", "fly", "x"} << QByteArray("fly");
    QTest::newRow("bench missing file") << QStringList{"bench", "parse", "/nonexistent/corpus.sse"}
                                        << QByteArray("/nonexistent/corpus.sse");
}

void TestListen::usageErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, mentions);
    const Run r = run(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(mentions), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);   // one line
}

void TestListen::helpAndVersion_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("mentions");
    QTest::newRow("top help") << QStringList{"--help"} << QByteArray("listen");
    QTest::newRow("top version") << QStringList{"--version"} << QByteArray("clickscope-cli ");
    QTest::newRow("listen help") << QStringList{"listen", "--help"} << QByteArray("--max-events");
    QTest::newRow("listen version") << QStringList{"listen", "--version"} << QByteArray("clickscope-cli ");
    QTest::newRow("bench help") << QStringList{"bench", "--help"} << QByteArray("parse");
    QTest::newRow("bench version") << QStringList{"bench", "--version"} << QByteArray("clickscope-cli ");
}

void TestListen::helpAndVersion()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, mentions);
    const Run r = run(arguments);
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(mentions), r.out.constData());
}

void TestListen::postsBodyAndHeaders()
{
    m_server->route("/chat", Response::sse("data: ok\n\ndata: [DONE]\n\n").keepOpen());
    const Run r = run({"listen", url("/chat"), "--data", R"({"stream":true})", "-H", "Authorization: Bearer T0k",
                       "--header", "Content-Type: application/json", "--done-marker"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("{\"type\":\"message\",\"data\":\"ok\",\"lastEventId\":\"\"}\n"));
    const auto &request = m_server->requests().first();
    QCOMPARE(request.method, QByteArray("POST"));
    QCOMPARE(request.body, QByteArray(R"({"stream":true})"));
    QCOMPARE(request.header("Authorization"), QByteArray("Bearer T0k"));
    QCOMPARE(request.header("Content-Type"), QByteArray("application/json"));
}

void TestListen::reconnectsAndPrintsState()
{
    m_server->route("/s", Response::sse("retry: 50\nid: 5\ndata: one\n\n"));
    m_server->routeResume("/s", "5", Response::sse("data: two\n\n").keepOpen());
    const Run r = run({"listen", url("/s"), "--max-events", "2"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.count('\n'), 2);
    QCOMPARE(m_server->requests().last().header("Last-Event-ID"), QByteArray("5"));
    QVERIFY2(r.err.contains("reconnecting in 50 ms"), r.err.constData());
    for (const QByteArray &line : r.err.trimmed().split('\n'))
        QVERIFY2(!line.isEmpty(), r.err.constData());
}

void TestListen::rawAndCountFormats()
{
    m_server->route("/s", Response::sse("data: a\ndata: b\n\ndata: c\n\n"));
    const Run raw = run({"listen", url("/s"), "--no-reconnect", "--format", "raw"});
    QCOMPARE(raw.exitCode, 0);
    QCOMPARE(raw.out, QByteArray("a\nb\nc\n"));
    const Run count = run({"listen", url("/s"), "--no-reconnect", "--format", "count"});
    QCOMPARE(count.exitCode, 0);
    QCOMPARE(count.out, QByteArray("2\n"));
}

void TestListen::xrayGoesToItsFileBesideTheEvents()
{
    m_server->route("/s", Response::sse("data: a\n\n: ping\n\ndata: b\n\n"));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("xray.jsonl"));
    const Run r = run({"listen", url("/s"), "--no-reconnect", "--format", "count", "--xray", path});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("2\n"));   // the events' output is as without it
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QStringList kinds;
    for (const QByteArray &line : file.readAll().trimmed().split('\n'))
        kinds << QJsonDocument::fromJson(line).object().value("event").toString();
    QCOMPARE(kinds, (QStringList{"attempt", "response", "end", "summary"}));
}

void TestListen::sigtermStopsCleanly()
{
    m_server->route("/s", Response::sse("data: x\n\n").keepOpen());
    QProcess *process = start({"listen", url("/s")});
    QTRY_VERIFY_WITH_TIMEOUT(process->bytesAvailable() > 0 || !process->readAllStandardOutput().isEmpty(), kWaitMs);
    QSignalSpy finished(process, &QProcess::finished);
    ::kill(pid_t(process->processId()), SIGTERM);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(process->exitCode(), 0);
    QVERIFY(process->readAllStandardError().contains("stopped by signal"));
}

void TestListen::eventsAreFlushedAsTheyArrive()
{
    // The second event comes 5 s later: the first must be readable long before that.
    m_server->route("/s", Response::sse("data: early\n\n").then(5000, "data: late\n\n").keepOpen());
    QProcess *process = start({"listen", url("/s")});
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += process->readAllStandardOutput()).contains("early"), 3000);
    QVERIFY(!out.contains("late"));
}

void TestListen::webSocketFramesAsJsonl()
{
    Clickscope::TestPublisher publisher(Clickscope::TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    QUrl url = publisher.baseUrl().resolved(QUrl(QStringLiteral("/ws")));
    url.setScheme(QStringLiteral("ws"));
    QProcess *process = start({"listen", url.toString(), "--max-events", "2"});
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
    publisher.hub().publish(
        {QJsonObject{{"link", "/w"}, {"id", "a"}, {"ts", 1}}, QJsonObject{{"link", "/\"q\""}, {"id", "b"}, {"ts", 2}}});
    QSignalSpy finished(process, &QProcess::finished);
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(process->exitCode(), 0);
    QCOMPARE(process->readAllStandardOutput(),
             QByteArray("{\"type\":\"message\",\"data\":\"{\\\"id\\\":\\\"a\\\",\\\"link\\\":\\\"/"
                        "w\\\",\\\"ts\\\":1}\",\"lastEventId\":\"\"}\n"
                        "{\"type\":\"message\",\"data\":\"{\\\"id\\\":\\\"b\\\",\\\"link\\\":\\\"/"
                        "\\\\\\\"q\\\\\\\"\\\",\\\"ts\\\":2}\",\"lastEventId\":\"\"}\n"));
}

QTEST_GUILESS_MAIN(TestListen)
#include "tst_listen.moc"

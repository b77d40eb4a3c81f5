// SPDX-License-Identifier: MIT
// The X-ray's findings: each appears when its cause is there and not otherwise. Delivery patterns
// are built as read histories (exact timings); the rest comes from a real EventSource against
// scripted servers.
#include "core/sse/eventsource.h"
#include "core/xray/diagnosis.h"
#include "support/ports.h"
#include "support/scriptedhttpserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace Clickscope;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 8000;

std::optional<Finding> find(const QList<Finding> &findings, Finding::Kind kind)
{
    for (const Finding &finding : findings) {
        if (finding.kind == kind)
            return finding;
    }
    return std::nullopt;
}

QString names(const QList<Finding> &findings)
{
    QStringList out;
    for (const Finding &finding : findings)
        out << Finding::nameOf(finding.kind) + QStringLiteral(": ") + finding.statement;
    return out.join(u'\n');
}

// One open attempt that got a 200 event stream, with `headers` in its answer.
std::deque<ConnectionAttempt> openAttempt(const QList<HttpHeader> &headers = {})
{
    ConnectionAttempt attempt;
    attempt.number = 1;
    attempt.openedMs = 1;
    HttpExchange answer;
    answer.url = QUrl(QStringLiteral("http://127.0.0.1:1/s"));
    answer.status = 200;
    answer.version = "HTTP/1.1";
    answer.responseHeaders = {{"Content-Type", "text/event-stream"}};
    answer.responseHeaders += headers;
    attempt.exchanges = {answer};
    return {attempt};
}

// Reads of `events` events each at `times` (ms), in attempt 1.
std::deque<ReadSample> reads(const QList<qint64> &times, quint32 events)
{
    std::deque<ReadSample> samples;
    for (const qint64 at : times)
        samples.push_back({at, 1, events, 0, quint64(events) * 100});
    return samples;
}

QList<Finding> diagnoseStream(ScriptedHttpServer &server, SourceConfig config, quint64 attempts,
                              const std::function<bool(const ConnectionLog &)> &until,
                              const DiagnosisSettings &settings = {})
{
    config.url = config.url.isEmpty() ? server.url(QStringLiteral("/s")) : config.url;
    EventSource source(config);
    ConnectionLog log(source);
    source.open();
    const bool reached = QTest::qWaitFor(
        [&] {
            return log.attemptCount() >= attempts && log.attempts().back().ended == !config.reconnect && until(log);
        },
        kWaitMs);
    if (!reached)
        qWarning("the stream did not reach the state the test waits for");
    const QList<Finding> findings = diagnose(log, settings);
    source.close();
    return findings;
}

}   // namespace

class TestDiagnosis : public QObject
{
    Q_OBJECT
private slots:
    void burstsAfterSilencesAreBuffering();
    void steadySparseOrSmallArrivalsAreNotBuffering_data();
    void steadySparseOrSmallArrivalsAreNotBuffering();
    void stoppedHeartbeatsAreFound();
    void steadyHeartbeatsFindNothing();
    void replayAfterReconnectIsFound_data();
    void replayAfterReconnectIsFound();
    void reconnectStormIsFound();
    void aStormIsOngoingOnlyWhileItLasts();
    void authFailureIsFound();
    void wrongContentTypeIsFound();
    void redirectToAnotherOriginIsFound_data();
    void redirectToAnotherOriginIsFound();
};

void TestDiagnosis::burstsAfterSilencesAreBuffering()
{
    // A first read, then three bursts of 2 reads × 20 events, 1.5 s apart.
    const auto attempts = openAttempt({{"Content-Encoding", "gzip"}});
    const auto samples = reads({5, 1500, 1510, 3000, 3010, 4500, 4510}, 20);
    const QList<Finding> findings = diagnose(attempts, samples, 4600);
    const std::optional<Finding> buffering = find(findings, Finding::Kind::BufferingSuspected);
    QVERIFY2(buffering, qPrintable(names(findings)));
    QCOMPARE(buffering->severity, Finding::Severity::Warning);
    QVERIFY2(buffering->statement.startsWith(QStringLiteral("120 events arrived in 3 bursts ~1.5 s apart")),
             qPrintable(buffering->statement));
    QVERIFY(buffering->ongoing);
    QVERIFY2(buffering->evidence.join(u'\n').contains(QStringLiteral("Content-Encoding: gzip")),
             qPrintable(buffering->evidence.join(u'\n')));
}

void TestDiagnosis::steadySparseOrSmallArrivalsAreNotBuffering_data()
{
    QTest::addColumn<QList<qint64>>("times");
    QTest::addColumn<quint32>("events");
    QList<qint64> steady;
    for (qint64 t = 0; t < 10'000; t += 10)
        steady << t;
    QTest::newRow("10 events every 10 ms") << steady << quint32(10);
    QTest::newRow("one event every 2 s") << QList<qint64>{0, 2000, 4000, 6000, 8000} << quint32(1);
    QTest::newRow("5 events after each silence") << QList<qint64>{0, 2000, 4000, 6000, 8000} << quint32(5);
    // Steady reads that pause now and then and resume as steadily: no burst, however many pause.
    QList<qint64> pausing;
    for (qint64 start = 0; start < 4 * 3500; start += 3500) {
        for (qint64 t = start; t < start + 2000; t += 10)
            pausing << t;
    }
    QTest::newRow("steady with pauses") << pausing << quint32(10);
}

void TestDiagnosis::steadySparseOrSmallArrivalsAreNotBuffering()
{
    QFETCH(QList<qint64>, times);
    QFETCH(quint32, events);
    const QList<Finding> findings = diagnose(openAttempt(), reads(times, events), times.last() + 10);
    QVERIFY2(!find(findings, Finding::Kind::BufferingSuspected), qPrintable(names(findings)));

    // Bursts that each open a new connection follow a connect, not a silence.
    std::deque<ReadSample> reconnecting = reads(times, 50);
    for (std::size_t i = 0; i < reconnecting.size(); ++i)
        reconnecting[i].attempt = i + 1;
    QVERIFY(!find(diagnose(openAttempt(), reconnecting, times.last() + 10), Finding::Kind::BufferingSuspected));
}

void TestDiagnosis::stoppedHeartbeatsAreFound()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route(
        "/s",
        Response::sse(": ping\n\n").then(200, ": ping\n\n").then(200, ": ping\n\n").then(200, ": ping\n\n").keepOpen());
    const QList<Finding> findings = diagnoseStream(server, {}, 1, [](const ConnectionLog &log) {
        return find(diagnose(log), Finding::Kind::HeartbeatMissing).has_value();
    });
    const std::optional<Finding> missing = find(findings, Finding::Kind::HeartbeatMissing);
    QVERIFY2(missing, qPrintable(names(findings)));
    QVERIFY(missing->ongoing);
    QVERIFY2(missing->statement.startsWith(QStringLiteral("no byte for ")), qPrintable(missing->statement));
    QVERIFY2(missing->statement.contains(QStringLiteral("although heartbeats came every ~")),
             qPrintable(missing->statement));
}

void TestDiagnosis::steadyHeartbeatsFindNothing()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    Response response = Response::sse(": ping\n\nid: 1\ndata: a\n\n");
    for (int i = 0; i < 6; ++i)
        response.then(200, QByteArray(": ping\n\nid: %1\ndata: a\n\n").replace("%1", QByteArray::number(i + 2)));
    server.route("/s", response);   // then the server closes
    SourceConfig config;
    config.reconnect = false;
    const QList<Finding> findings = diagnoseStream(server, config, 1, [](const ConnectionLog &) { return true; });
    QVERIFY2(findings.isEmpty(), qPrintable(names(findings)));
}

void TestDiagnosis::replayAfterReconnectIsFound_data()
{
    QTest::addColumn<QByteArray>("resumed");
    QTest::addColumn<bool>("replay");
    QTest::newRow("starts again at 1") << QByteArray("id: 1\ndata: a\n\n") << true;
    QTest::newRow("goes on at 3") << QByteArray("id: 3\ndata: c\n\n") << false;
    // Its first event has no id of its own: it inherits the one the client resumed from.
    QTest::newRow("a welcome without id, then 3") << QByteArray("data: hi\n\nid: 3\ndata: c\n\n") << false;
}

void TestDiagnosis::replayAfterReconnectIsFound()
{
    QFETCH(QByteArray, resumed);
    QFETCH(bool, replay);
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("retry: 20\nid: 1\ndata: a\n\nid: 2\ndata: b\n\n"));   // then it closes
    server.routeResume("/s", "2", Response::sse(resumed).keepOpen());
    const QList<Finding> findings =
        diagnoseStream(server, {}, 2, [](const ConnectionLog &log) { return log.attempts().back().events > 0; });
    const std::optional<Finding> found = find(findings, Finding::Kind::ReplayOnReconnect);
    QCOMPARE(found.has_value(), replay);
    if (replay) {
        QVERIFY2(found->statement.contains(QStringLiteral("ignores Last-Event-ID")), qPrintable(found->statement));
        QVERIFY2(found->evidence.join(u'\n').contains(QStringLiteral("began at id 1 after id 2 had arrived; "
                                                                     "Last-Event-ID sent: 2")),
                 qPrintable(found->evidence.join(u'\n')));
    }
    QVERIFY(!find(findings, Finding::Kind::ReconnectStorm));   // one reconnect is no storm
}

void TestDiagnosis::reconnectStormIsFound()
{
    // Every connection gets one event and is closed: the client keeps coming back.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("retry: 10\ndata: x\n\n"));
    DiagnosisSettings settings;
    settings.stormReconnects = 3;
    const QList<Finding> findings = diagnoseStream(
        server, {}, 4, [](const ConnectionLog &) { return true; }, settings);
    const std::optional<Finding> storm = find(findings, Finding::Kind::ReconnectStorm);
    QVERIFY2(storm, qPrintable(names(findings)));
    QVERIFY2(storm->statement.contains(QStringLiteral("retry of 10 ms")), qPrintable(storm->statement));
    QVERIFY(storm->ongoing);
}

void TestDiagnosis::aStormIsOngoingOnlyWhileItLasts()
{
    // Thirteen attempts 2 s apart, the first of them no longer kept.
    std::deque<ConnectionAttempt> attempts;
    for (quint64 n = 2; n <= 14; ++n) {
        ConnectionAttempt attempt;
        attempt.number = n;
        attempt.startedMs = qint64(n) * 2000;
        attempt.ended = n < 14;
        attempt.endReason = QStringLiteral("the server closed the stream");
        attempt.serverRetryMs = 100;
        attempts.push_back(attempt);
    }
    const auto storm = [&](qint64 nowMs) { return find(diagnose(attempts, {}, nowMs), Finding::Kind::ReconnectStorm); };
    const std::optional<Finding> now = storm(28'500);
    QVERIFY(now);
    QVERIFY(now->ongoing);
    QVERIFY2(now->statement.startsWith(QStringLiteral("13 reconnects within 24.0 s")), qPrintable(now->statement));
    QVERIFY2(now->evidence.contains(QStringLiteral("12× ended: the server closed the stream")),
             qPrintable(now->evidence.join(u'\n')));
    const std::optional<Finding> later = storm(200'000);
    QVERIFY(later);
    QVERIFY(!later->ongoing);
    attempts.resize(9);   // nine reconnects in 16 s: fewer than ten
    QVERIFY(!storm(20'000));
}

void TestDiagnosis::authFailureIsFound()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::status(401, "application/json", R"({"error":"expired"})",
                                        {{"WWW-Authenticate", "Bearer error=\"invalid_token\""}}));
    SourceConfig config;
    config.reconnect = false;
    config.headers = {{"Authorization", "Bearer old"}};
    const QList<Finding> findings = diagnoseStream(server, config, 1, [](const ConnectionLog &) { return true; });
    const std::optional<Finding> auth = find(findings, Finding::Kind::AuthFailure);
    QVERIFY2(auth, qPrintable(names(findings)));
    QCOMPARE(auth->severity, Finding::Severity::Error);
    QVERIFY2(auth->statement.contains(QStringLiteral("refused")), qPrintable(auth->statement));
    const QString evidence = auth->evidence.join(u'\n');
    QVERIFY2(evidence.contains(QStringLiteral("WWW-Authenticate: Bearer error=\"invalid_token\"")),
             qPrintable(evidence));
    QCOMPARE(findings.first().kind, Finding::Kind::AuthFailure);   // errors first
}

void TestDiagnosis::wrongContentTypeIsFound()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::status(200, "application/json", "{}"));
    SourceConfig config;
    config.reconnect = false;
    const QList<Finding> findings = diagnoseStream(server, config, 1, [](const ConnectionLog &) { return true; });
    const std::optional<Finding> wrong = find(findings, Finding::Kind::WrongContentType);
    QVERIFY2(wrong, qPrintable(names(findings)));
    QVERIFY2(wrong->statement.contains(QStringLiteral("'application/json'")), qPrintable(wrong->statement));
}

void TestDiagnosis::redirectToAnotherOriginIsFound_data()
{
    QTest::addColumn<bool>("otherOrigin");
    QTest::newRow("another port") << true;
    QTest::newRow("the same origin") << false;
}

void TestDiagnosis::redirectToAnotherOriginIsFound()
{
    QFETCH(bool, otherOrigin);
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    const QByteArray target =
        otherOrigin ? QStringLiteral("http://127.0.0.1:%1/s").arg(Clickscope::Testing::unusedPort()).toUtf8()
                    : QByteArray("/s");
    server.route("/old", Response::status(302, {}, {}, {{"Location", target}}));
    server.route("/s", Response::sse("data: a\n\n"));
    SourceConfig config;
    config.url = server.url(QStringLiteral("/old"));
    config.reconnect = false;
    config.headers = {{"Authorization", "Bearer t"}};
    const QList<Finding> findings = diagnoseStream(server, config, 1, [](const ConnectionLog &) { return true; });
    const std::optional<Finding> redirect = find(findings, Finding::Kind::CrossOriginRedirect);
    QCOMPARE(redirect.has_value(), otherOrigin);
    if (otherOrigin) {
        QCOMPARE(redirect->severity, Finding::Severity::Warning);   // the credentials stay behind
        QVERIFY2(redirect->statement.contains(QStringLiteral("credentials")), qPrintable(redirect->statement));
    }
}

QTEST_GUILESS_MAIN(TestDiagnosis)
#include "tst_diagnosis.moc"

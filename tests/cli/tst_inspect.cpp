// SPDX-License-Identifier: MIT
// `clickscope-cli inspect` end to end: the built binary against the scripted server and the
// publisher (directly and behind a buffering proxy); one JSON line per attempt, response, end and
// finding, then a summary.
#include "server/syntheticpublisher.h"
#include "support/bufferingproxy.h"
#include "support/processrunner.h"
#include "support/sanitizers.h"
#include "support/scriptedhttpserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;
using Run = Clickscope::Testing::ProcessResult;

namespace {

constexpr int kWaitMs = 20'000;

Run run(const QStringList &arguments)
{
    Clickscope::Testing::ProcessOptions options;
    options.timeoutMs = kWaitMs;
    return Clickscope::Testing::runProcess(QStringLiteral(CLICKSCOPE_CLI), QStringList{"inspect"} + arguments, options);
}

QList<QJsonObject> lines(const QByteArray &out)
{
    QList<QJsonObject> objects;
    for (const QByteArray &line : out.trimmed().split('\n'))
        objects.append(QJsonDocument::fromJson(line).object());
    return objects;
}

QList<QJsonObject> linesOf(const QList<QJsonObject> &steps, const char *event)
{
    QList<QJsonObject> out;
    for (const QJsonObject &step : steps) {
        if (step.value("event").toString() == QLatin1String(event))
            out.append(step);
    }
    return out;
}

QStringList findingNames(const QList<QJsonObject> &steps)
{
    QStringList names;
    for (const QJsonObject &finding : linesOf(steps, "finding"))
        names << finding.value("finding").toString();
    return names;
}

// The publisher with its synthetic traffic at a flat `rate`, heartbeats every second.
std::unique_ptr<Clickscope::SyntheticPublisher> publisherAt(double rate)
{
    Clickscope::SyntheticPublisher::Settings settings;
    settings.traffic.clicksPerSecond = rate;
    settings.traffic.wobble = false;
    settings.publisher.heartbeatMs = 1000;
    auto publisher = std::make_unique<Clickscope::SyntheticPublisher>(settings);
    if (!publisher->start())
        return nullptr;
    return publisher;
}

}   // namespace

class TestInspect : public QObject
{
    Q_OBJECT
private slots:
    void showsEachStepOfAStream();
    void showsWhyAServerRefused();
    void findsBufferingBehindAProxy();
    void findsNothingWrongWithAHealthyFastStream();
};

void TestInspect::showsEachStepOfAStream()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("data: a\n\n: ping\n\ndata: b\n\n"));   // then the server closes
    const Run r =
        run({server.url(QStringLiteral("/s")).toString(), "--no-reconnect", "-H", "Authorization: Bearer t0ken"});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(!r.out.contains("t0ken"));
    const QList<QJsonObject> steps = lines(r.out);
    QCOMPARE(steps.size(), 4);
    QCOMPARE(steps[0].value("event").toString(), QStringLiteral("attempt"));
    QCOMPARE(steps[1].value("event").toString(), QStringLiteral("response"));
    QCOMPARE(steps[1].value("status").toInt(), 200);
    QCOMPARE(steps[1].value("requestHeaders").toObject().value("Authorization").toString(), QStringLiteral("•••"));
    QCOMPARE(steps[2].value("event").toString(), QStringLiteral("end"));
    QCOMPARE(steps[2].value("events").toInt(), 2);
    QCOMPARE(steps[2].value("comments").toInt(), 1);
    QVERIFY(!steps[2].value("endReason").toString().isEmpty());
    QCOMPARE(steps[3].value("event").toString(), QStringLiteral("summary"));
    QCOMPARE(steps[3].value("attempts").toInt(), 1);
    QCOMPARE(steps[3].value("lastStatus").toInt(), 200);
}

void TestInspect::showsWhyAServerRefused()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::status(401, "application/json", R"({"error":"expired"})",
                                        {{"WWW-Authenticate", "Bearer error=\"invalid_token\""}}));
    const Run r = run({server.url(QStringLiteral("/s")).toString()});
    QCOMPARE(r.exitCode, 1);
    const QList<QJsonObject> steps = lines(r.out);
    QVERIFY(steps.size() >= 3);
    QCOMPARE(steps[1].value("status").toInt(), 401);
    QCOMPARE(steps[1].value("responseHeaders").toObject().value("WWW-Authenticate").toString(),
             QStringLiteral("Bearer error=\"invalid_token\""));
    const QList<QJsonObject> ends = linesOf(steps, "end");
    QCOMPARE(ends.size(), 1);
    QVERIFY2(ends[0].value("endReason").toString().contains(QStringLiteral("401")),
             qPrintable(ends[0].value("endReason").toString()));
    QCOMPARE(findingNames(steps), QStringList{QStringLiteral("auth-failure")});
    const QJsonObject finding = linesOf(steps, "finding").first();
    QCOMPARE(finding.value("severity").toString(), QStringLiteral("error"));
    QVERIFY(finding.value("evidence")
                .toArray()
                .contains(QStringLiteral("WWW-Authenticate: Bearer error=\"invalid_token\"")));
    QCOMPARE(steps.last().value("lastStatus").toInt(), 401);
    QCOMPARE(steps.last().value("findings").toArray().size(), 1);
}

void TestInspect::findsBufferingBehindAProxy()
{
    // 200 clicks/s from the publisher, passed on by a proxy in one write every 2 s: three bursts
    // after 6 s, each after 2 s of silence (the finding needs 1 s).
    const auto publisher = publisherAt(200);
    QVERIFY(publisher);
    Clickscope::Testing::BufferingProxy proxy(publisher->publisher().baseUrl().port(), 2000);
    QVERIFY(proxy.listen());
    const QUrl url = proxy.through(publisher->publisher().baseUrl().resolved(QUrl(QStringLiteral("/events"))));
    const Run r = run({url.toString(), "--timeout", "8"});
    const QList<QJsonObject> steps = lines(r.out);
    QVERIFY2(findingNames(steps).contains(QStringLiteral("buffering-suspected")), r.out.constData());
    // Held back for 2 s, the heartbeats may go missing too (under load, a burst comes in more than
    // one read): the buffering finding is the one this is about, whichever came first.
    QString statement;
    for (const QJsonObject &finding : linesOf(steps, "finding")) {
        if (finding.value("finding").toString() == u"buffering-suspected")
            statement = finding.value("statement").toString();
    }
    QVERIFY2(QRegularExpression(QStringLiteral("arrived in \\d+ bursts ~(1\\.[5-9]|2\\.[0-4]) s apart"))
                 .match(statement)
                 .hasMatch(),
             qPrintable(statement));
}

void TestInspect::findsNothingWrongWithAHealthyFastStream()
{
    CLICKSCOPE_SKIP_WHEN_SANITIZED();   // a publisher at 10,000 clicks/s in this process
    const auto publisher = publisherAt(10'000);
    QVERIFY(publisher);
    const QUrl url = publisher->publisher().baseUrl().resolved(QUrl(QStringLiteral("/events")));
    // Long enough for any finding to show: three 1 s silences, a stopped heartbeat (1 s here).
    const Run r = run({url.toString(), "--timeout", "7"});
    const QList<QJsonObject> steps = lines(r.out);
    QVERIFY2(findingNames(steps).isEmpty(), r.out.constData());
    QVERIFY2(steps.last().value("events").toInteger() > 10'000, r.out.right(400).constData());
    QCOMPARE(steps.last().value("findings").toArray().size(), 0);
}

QTEST_GUILESS_MAIN(TestInspect)
#include "tst_inspect.moc"

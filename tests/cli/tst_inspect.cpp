// SPDX-License-Identifier: MIT
// `clickscope-cli inspect` end to end: the built binary against the scripted server; one JSON
// line per attempt, response and end, then a summary.
#include "support/processrunner.h"
#include "support/scriptedhttpserver.h"

#include <QJsonDocument>
#include <QJsonObject>
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

}   // namespace

class TestInspect : public QObject
{
    Q_OBJECT
private slots:
    void showsEachStepOfAStream();
    void showsWhyAServerRefused();
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
    QVERIFY2(steps[2].value("endReason").toString().contains(QStringLiteral("401")),
             qPrintable(steps[2].value("endReason").toString()));
    QCOMPARE(steps.last().value("lastStatus").toInt(), 401);
}

QTEST_GUILESS_MAIN(TestInspect)
#include "tst_inspect.moc"

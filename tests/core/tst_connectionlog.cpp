// SPDX-License-Identifier: MIT
// The X-ray's record of connection attempts, from a real EventSource against a scripted server.
#include "core/sse/eventsource.h"
#include "core/xray/connectionlog.h"
#include "support/ports.h"
#include "support/scriptedhttpserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Clickscope;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 5000;

}   // namespace

class TestConnectionLog : public QObject
{
    Q_OBJECT
private slots:
    void recordsRequestsResponsesAndEnds();
    void keepsOnlyTheNewestAttempts();
    void showsNoSecret();
    void aRedirectChainCannotGrowIt();
};

void TestConnectionLog::recordsRequestsResponsesAndEnds()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/old", Response::status(302, {}, {}, {{"Location", "/s"}}));
    server.route("/s", Response::sse("retry: 20\nid: 1\ndata: a\n\n: ping\n\n"));   // then the server closes
    server.routeResume("/s", "1", Response::sse("data: b\n\n").keepOpen());
    SourceConfig config;
    config.url = server.url(QStringLiteral("/old"));
    config.headers = {{"Authorization", "Bearer s3cret"}, {"X-Trace", "7"}};
    EventSource source(config);
    ConnectionLog log(source);
    QSignalSpy ended(&log, &ConnectionLog::attemptEnded);
    source.open();
    QTRY_COMPARE_WITH_TIMEOUT(log.attemptCount(), quint64(2), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(log.attempts().back().events, quint64(1), kWaitMs);

    const ConnectionAttempt &first = log.attempts().front();
    QCOMPARE(first.number, quint64(1));
    QCOMPARE(first.exchanges.size(), 2);   // the redirect, then the stream
    QCOMPARE(first.exchanges[0].status, 302);
    QCOMPARE(first.exchanges[1].status, 200);
    QCOMPARE(first.exchanges[1].url, server.url(QStringLiteral("/s")));
    QVERIFY(first.exchanges[1].headMs >= 0);
    QCOMPARE(first.events, quint64(1));
    QCOMPARE(first.comments, quint64(1));
    QVERIFY(first.firstEventMs.has_value());
    QVERIFY(first.ended);
    QVERIFY(!first.endReason.isEmpty());
    QCOMPARE(first.nextDelayMs, std::optional<qint64>(20));   // the server's retry
    QCOMPARE(ended.size(), 1);

    // Shown with its secrets masked, and what matters for streaming.
    const QJsonObject shown = first.toJson();
    const QJsonObject answer = shown.value("exchanges").toArray().at(1).toObject();
    const QJsonObject sent = answer.value("requestHeaders").toObject();
    QCOMPARE(sent.value("Authorization").toString(), QStringLiteral("•••"));
    QCOMPARE(sent.value("X-Trace").toString(), QStringLiteral("7"));
    QVERIFY(!QJsonDocument(shown).toJson().contains("s3cret"));
    QCOMPARE(answer.value("responseHeaders").toObject().value("Content-Type").toString(),
             QStringLiteral("text/event-stream"));
    QCOMPARE(shown.value("exchanges")
                 .toArray()
                 .at(0)
                 .toObject()
                 .value("responseHeaders")
                 .toObject()
                 .value("Location")
                 .toString(),
             QStringLiteral("/s"));

    const ConnectionAttempt &second = log.attempts().back();
    QCOMPARE(second.number, quint64(2));
    QVERIFY(!second.ended);
    QCOMPARE(log.lastStatus(), std::optional<int>(200));
    source.close();
    QVERIFY(log.attempts().back().ended);
}

void TestConnectionLog::keepsOnlyTheNewestAttempts()
{
    SourceConfig config;
    config.url = QUrl(QStringLiteral("http://127.0.0.1:%1/s").arg(Clickscope::Testing::unusedPort()));
    config.defaultRetryMs = 10;
    EventSource source(config);
    ConnectionLog log(source, 2);
    source.open();
    QTRY_VERIFY_WITH_TIMEOUT(log.attemptCount() >= 3, kWaitMs);
    source.close();
    QCOMPARE(log.attempts().size(), std::size_t(2));
    QCOMPARE(log.attempts().back().number, log.attemptCount());
    QCOMPARE(log.attempts().front().number, log.attemptCount() - 1);
    QVERIFY(log.attempts().front().exchanges.isEmpty());   // refused: no request went out
    QVERIFY(log.attempts().front().nextDelayMs.has_value());
    QVERIFY(!log.lastStatus());
}

void TestConnectionLog::showsNoSecret()
{
    // Credentials in the URL, a token in its query, a signed redirect target, and an error
    // message that quotes the URL: none of it may show.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/old", Response::status(302, {}, {}, {{"Location", "/s?access_token=yyy"}}));
    server.route("/s", Response::status(401, "text/plain", "no", {{"WWW-Authenticate", "Bearer"}}));
    SourceConfig config;
    config.url = QUrl(QStringLiteral("http://me:pw@127.0.0.1:%1/old?token=zzz").arg(server.port()));
    config.reconnect = false;
    EventSource source(config);
    ConnectionLog log(source);
    QSignalSpy failed(&source, &StreamSource::failed);
    source.open();
    QVERIFY(failed.wait(kWaitMs));
    QCOMPARE(log.attempts().size(), std::size_t(1));
    const ConnectionAttempt &attempt = log.attempts().front();
    QCOMPARE(attempt.exchanges.size(), 2);
    QVERIFY(attempt.ended);
    const QByteArray shown = QJsonDocument(attempt.toJson()).toJson();
    for (const char *secret : {"pw", "zzz", "yyy", "me@", "Basic"})
        QVERIFY2(!shown.contains(secret), shown.constData());
    // What the source itself says, which the status bar and stderr show, hides them as well.
    for (const QString &message : {source.errorString(), failed.first().at(1).toString()}) {
        QVERIFY2(message.contains(QStringLiteral("401")), qPrintable(message));
        for (const char *secret : {"pw", "zzz", "yyy", "me@"})
            QVERIFY2(!message.contains(QLatin1String(secret)), qPrintable(message));
    }
    QCOMPARE(log.lastStatus(), std::optional<int>(401));
}

void TestConnectionLog::aRedirectChainCannotGrowIt()
{
    // Every hop redirects again to a 20 KB URL with a 4 KB Server header, until the source gives
    // up after its 20 redirects: an attempt keeps a bounded part of it.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    const QByteArray target = "/r?pad=" + QByteArray(20'000, 'a');
    server.route("/r", Response::status(302, {}, {}, {{"Location", target}, {"Server", QByteArray(4096, 's')}}));
    SourceConfig config;
    config.url = server.url(QStringLiteral("/r"));
    config.reconnect = false;
    EventSource source(config);
    ConnectionLog log(source);
    QSignalSpy failed(&source, &StreamSource::failed);
    source.open();
    QVERIFY(failed.wait(kWaitMs));
    const ConnectionAttempt &attempt = log.attempts().front();
    QCOMPARE(attempt.exchanges.size(), 21);
    qsizetype kept = 0;
    for (const HttpExchange &exchange : attempt.exchanges) {
        QVERIFY(exchange.url.toEncoded().size() <= ConnectionLog::kMaxUrlBytes);
        kept += exchange.keptBytes();
    }
    QVERIFY2(kept <= 2 * ConnectionLog::kMaxExchangeBytesPerAttempt, qPrintable(QString::number(kept)));
    QVERIFY(attempt.endReason.size() <= ConnectionLog::kMaxReasonChars);
}

QTEST_GUILESS_MAIN(TestConnectionLog)
#include "tst_connectionlog.moc"

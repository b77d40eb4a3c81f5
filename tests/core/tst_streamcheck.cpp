// SPDX-License-Identifier: MIT
#include "core/check/streamcheck.h"

#include <QTest>

using Clickscope::StreamCheck;
using Clickscope::StreamMeasurements;
using State = StreamCheck::State;

Q_DECLARE_METATYPE(Clickscope::StreamCheck::State)
Q_DECLARE_METATYPE(Clickscope::StreamMeasurements)

class TestStreamCheck : public QObject
{
    Q_OBJECT
private slots:
    void parsesAndNormalises_data();
    void parsesAndNormalises();
    void refusesWithTheBadPart_data();
    void refusesWithTheBadPart();
    void parseAllStopsAtTheFirstBadOne();
    void decidesAsSoonAsTheStreamCannotChangeIt_data();
    void decidesAsSoonAsTheStreamCannotChangeIt();
};

void TestStreamCheck::parsesAndNormalises_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("text");
    QTest::newRow("count") << "gaps=0"
                           << "gaps=0";
    QTest::newRow("spaces") << "  events >= 100 "
                            << "events>=100";
    QTest::newRow("time in s") << "first-event<=2s"
                               << "first-event<=2s";
    QTest::newRow("time in ms") << "latency.p99<500ms"
                                << "latency.p99<500ms";
    QTest::newRow("rate") << "rate>=10/s"
                          << "rate>=10/s";
    QTest::newRow("rate without unit") << "rate<1000"
                                       << "rate<1000";
    QTest::newRow("flag") << "done"
                          << "done";
}

void TestStreamCheck::parsesAndNormalises()
{
    QFETCH(QString, expression);
    QFETCH(QString, text);
    const auto check = StreamCheck::parse(expression);
    QVERIFY2(check, qPrintable(check.error()));
    QCOMPARE(check->text(), text);
}

void TestStreamCheck::refusesWithTheBadPart_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("says");
    QTest::newRow("unknown name") << "gapz=0"
                                  << "unknown check 'gapz' (known: status, events, gaps";
    QTest::newRow("empty") << ""
                           << "unknown check ''";
    QTest::newRow("no comparison") << "gaps"
                                   << "'gaps' needs a comparison, e.g. gaps=0";
    QTest::newRow("negative count") << "gaps=-1"
                                    << "needs a whole number, not '-1'";
    QTest::newRow("huge count") << "events>=100000000000000000000000"
                                << "needs a whole number";
    QTest::newRow("time without unit") << "heartbeat<=30"
                                       << "needs a time such as 500ms or 2s, not '30'";
    QTest::newRow("time lower bound") << "first-event>=2s"
                                      << "'first-event' takes <= or <, not '>='";
    QTest::newRow("rate equal") << "rate=10/s"
                                << "takes >=, >, <= or <, not '='";
    QTest::newRow("rate NaN") << "rate>=nan/s"
                              << "needs events per second";
    QTest::newRow("flag with value") << "done=1"
                                     << "'done' takes no comparison";
}

void TestStreamCheck::refusesWithTheBadPart()
{
    QFETCH(QString, expression);
    QFETCH(QString, says);
    const auto check = StreamCheck::parse(expression);
    QVERIFY(!check);
    QVERIFY2(check.error().contains(says), qPrintable(check.error()));
}

void TestStreamCheck::parseAllStopsAtTheFirstBadOne()
{
    const auto all = StreamCheck::parseAll({"gaps=0", "rate>=1/s"});
    QVERIFY(all);
    QCOMPARE(all->size(), 2);
    const auto bad = StreamCheck::parseAll({"gaps=0", "speed>1", "gaps=x"});
    QVERIFY(!bad);
    QVERIFY2(bad.error().startsWith(QStringLiteral("'speed>1'")), qPrintable(bad.error()));
}

void TestStreamCheck::decidesAsSoonAsTheStreamCannotChangeIt_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<StreamMeasurements>("measured");
    QTest::addColumn<State>("state");
    QTest::addColumn<QString>("value");

    const auto running = [](auto change) {
        StreamMeasurements m;
        m.elapsedMs = 1000;
        change(m);
        return m;
    };
    const auto over = [](auto change) {
        StreamMeasurements m;
        m.elapsedMs = 10'000;
        m.over = true;
        change(m);
        return m;
    };
    QTest::newRow("gaps=0, none yet") << "gaps=0" << running([](auto &) {}) << State::Pending << "0";
    QTest::newRow("gaps=0, one gap") << "gaps=0" << running([](auto &m) { m.gaps = 1; }) << State::Failed << "1";
    QTest::newRow("gaps=0, over") << "gaps=0" << over([](auto &m) { m.events = 5; }) << State::Passed << "0";
    QTest::newRow("gaps=0, no event at all") << "gaps=0" << over([](auto &) {}) << State::Failed << "no event arrived";
    QTest::newRow("reconnects<2 at 2") << "reconnects<2" << running([](auto &m) { m.reconnects = 2; }) << State::Failed
                                       << "2";
    QTest::newRow("undecodable<=1 at 1") << "undecodable<=1" << running([](auto &m) { m.undecodable = 1; })
                                         << State::Pending << "1";
    QTest::newRow("events=5 at 3, running")
        << "events=5" << running([](auto &m) { m.events = 3; }) << State::Pending << "3";
    QTest::newRow("events=5 at 3, over") << "events=5" << over([](auto &m) { m.events = 3; }) << State::Failed << "3";
    QTest::newRow("events>=100 reached") << "events>=100" << running([](auto &m) { m.events = 100; }) << State::Passed
                                         << "100";
    QTest::newRow("events>=100 short, over")
        << "events>=100" << over([](auto &m) { m.events = 99; }) << State::Failed << "99";
    QTest::newRow("first event in time") << "first-event<=2s" << running([](auto &m) { m.firstEventMs = 1500; })
                                         << State::Passed << "1.50 s";
    QTest::newRow("first event late") << "first-event<=2s" << running([](auto &m) {
        m.elapsedMs = 3000;
        m.firstEventMs = 2500;
    }) << State::Failed << "2.50 s";
    QTest::newRow("no first event yet") << "first-event<=2s" << running([](auto &) {}) << State::Pending << "none yet";
    QTest::newRow("no first event in time")
        << "first-event<=2s" << running([](auto &m) { m.elapsedMs = 2001; }) << State::Failed << "none after 2.00 s";
    QTest::newRow("heartbeat kept") << "heartbeat<=30s" << over([](auto &m) { m.longestSilenceMs = 29'000; })
                                    << State::Passed << "29.00 s";
    QTest::newRow("heartbeat missed") << "heartbeat<=30s" << running([](auto &m) { m.longestSilenceMs = 30'001; })
                                      << State::Failed << "30.00 s";
    QTest::newRow("latency waits for the end")
        << "latency.p99<=500ms" << running([](auto &m) { m.latencyP99Ms = 20; }) << State::Pending << "20.0 ms";
    QTest::newRow("latency over") << "latency.p99<=500ms" << over([](auto &m) { m.latencyP99Ms = 700; })
                                  << State::Failed << "700.0 ms";
    QTest::newRow("latency without times")
        << "latency.p99<=500ms" << over([](auto &) {}) << State::Failed << "no click carried its time";
    QTest::newRow("rate met") << "rate>=10/s" << over([](auto &m) { m.events = 150; }) << State::Passed << "15.0/s";
    QTest::newRow("rate missed") << "rate>=10/s" << over([](auto &m) { m.events = 50; }) << State::Failed << "5.0/s";
    QTest::newRow("rate ceiling") << "rate<=10/s" << over([](auto &m) { m.events = 150; }) << State::Failed << "15.0/s";
    QTest::newRow("status waits for a response") << "status=200" << running([](auto &) {}) << State::Pending << "";
    QTest::newRow("status met") << "status=200" << running([](auto &m) { m.status = 200; }) << State::Passed << "200";
    QTest::newRow("status missed") << "status=200" << running([](auto &m) { m.status = 401; }) << State::Failed
                                   << "401";
    QTest::newRow("no response at all") << "status=200" << over([](auto &) {}) << State::Failed << "no response";
    QTest::newRow("done arrived") << "done" << running([](auto &m) { m.doneMarker = true; }) << State::Passed
                                  << "arrived";
    QTest::newRow("done missing") << "done" << over([](auto &) {}) << State::Failed << "did not arrive";
    QTest::newRow("event stream") << "content-type"
                                  << running([](auto &m) { m.contentType = "text/event-stream; charset=utf-8"; })
                                  << State::Passed << "text/event-stream; charset=utf-8";
    QTest::newRow("json") << "content-type" << running([](auto &m) { m.contentType = "application/json"; })
                          << State::Failed << "application/json";
    QTest::newRow("control bytes") << "content-type" << running([](auto &m) { m.contentType = "text/x\x1b[2J"; })
                                   << State::Failed << "text/x?[2J";
    QTest::newRow("no content type") << "content-type" << running([](auto &m) { m.contentType = ""; }) << State::Failed
                                     << "none";
    QTest::newRow("websocket") << "content-type" << running([](auto &m) { m.webSocketAccepted = true; })
                               << State::Passed << "WebSocket";
    QTest::newRow("content type waits") << "content-type" << running([](auto &) {}) << State::Pending << "";
    QTest::newRow("bursts") << "no-buffering" << running([](auto &m) { m.bufferingSuspected = true; }) << State::Failed
                            << "events arrive in bursts";
    QTest::newRow("no bursts yet") << "no-buffering" << running([](auto &m) { m.events = 10; }) << State::Pending << "";
    QTest::newRow("no bursts") << "no-buffering" << over([](auto &m) { m.events = 10; }) << State::Passed
                               << "no bursts";
    QTest::newRow("no-buffering without events")
        << "no-buffering" << over([](auto &) {}) << State::Failed << "no event arrived";
}

void TestStreamCheck::decidesAsSoonAsTheStreamCannotChangeIt()
{
    QFETCH(QString, expression);
    QFETCH(StreamMeasurements, measured);
    QFETCH(State, state);
    QFETCH(QString, value);
    const auto check = StreamCheck::parse(expression);
    QVERIFY2(check, qPrintable(check.error()));
    const StreamCheck::Outcome outcome = check->judge(measured);
    QCOMPARE(outcome.state, state);
    QCOMPARE(outcome.measured, value);
}

QTEST_GUILESS_MAIN(TestStreamCheck)
#include "tst_streamcheck.moc"

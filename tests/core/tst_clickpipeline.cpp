// SPDX-License-Identifier: MIT
#include "core/model/clickpipeline.h"
#include "support/eventcollector.h"
#include "support/ports.h"
#include "support/scriptedhttpserver.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace Clickscope;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 5000;

QByteArray clicks(int from, int to)
{
    QByteArray body;
    for (int i = from; i <= to; ++i)
        body += "id: " + QByteArray::number(i) + "\nevent: click\ndata: {\"id\":" + QByteArray::number(i)
                + ",\"link\":\"/l" + QByteArray::number(i % 4) + "\",\"country\":\"" + (i % 2 ? "DE" : "US")
                + "\"}\n\n";
    return body;
}

}   // namespace

class TestClickPipeline : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void snapshotsCarryTheAggregateToTheUiThread();
    void snapshotsAreRateLimited();
    void disconnectAndResetKeepTheUiInformed();
    void longWindowsComeAveraged();
    void reportMatchesTheSnapshots();
    void commentsBecomeRowsWhenShown();
    void aReplacedStreamSaysNothingMore();
    void theXrayAndChecksTravelWithTheSnapshots();
    void aNewStreamsXrayIsNotFollowedByTheOldOne();
    void checksStoppedByTheUserAreNotFailedByTheStream();
    void aReplayWithoutLastEventIdIsCountedAsReplayed();

private:
    std::unique_ptr<ScriptedHttpServer> m_server;
    DashboardSnapshotPtr m_last;
    int m_snapshots = 0;
    quint64 m_rawSeen = 0;
    bool m_wrongThread = false;
    XraySnapshotPtr m_xray;   // the latest delivered
    void watch(ClickPipeline &pipeline);
};

void TestClickPipeline::init()
{
    m_server = std::make_unique<ScriptedHttpServer>();
    QVERIFY(m_server->listen());
    m_last.reset();
    m_snapshots = 0;
    m_rawSeen = 0;
    m_wrongThread = false;
    m_xray.reset();
}

void TestClickPipeline::cleanup() { m_server.reset(); }

void TestClickPipeline::watch(ClickPipeline &pipeline)
{
    connect(&pipeline, &ClickPipeline::snapshotReady, this, [this](const DashboardSnapshotPtr &snapshot) {
        m_wrongThread = m_wrongThread || QThread::currentThread() != QCoreApplication::instance()->thread();
        m_last = snapshot;
        if (snapshot->xray)
            m_xray = snapshot->xray;
        ++m_snapshots;
        m_rawSeen += quint64(snapshot->newEvents.size()) + snapshot->eventsNotShown;
    });
}

void TestClickPipeline::snapshotsCarryTheAggregateToTheUiThread()
{
    m_server->route("/s", Response::sse(clicks(1, 2000)).keepOpen());
    ClickPipeline::Settings settings;
    settings.maxNewEvents = 50;
    ClickPipeline pipeline(settings);
    watch(pipeline);
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    pipeline.connectTo(config);
    QTRY_VERIFY_WITH_TIMEOUT(m_last && m_last->totals.clicks == 2000, kWaitMs);
    QVERIFY(!m_wrongThread);
    QCOMPARE(m_rawSeen, quint64(2000));   // shown or counted as not shown, never lost
    QCOMPARE(m_last->topLinks.size(), 4);
    QCOMPARE(m_last->topLinks.first().count, quint64(500));
    QCOMPARE(m_last->breakdowns[DashboardSnapshot::Country].size(), 2);
    QCOMPARE(m_last->clicksPerSecond.size(), ClickPipeline::Settings{}.seriesWindowSeconds);
    QCOMPARE(m_last->seriesBucketSeconds, 1);
    // The series ends at the last complete second, so the clicks show there within a second.
    const auto sum = [this] {
        double total = 0;
        for (double v : m_last->clicksPerSecond)
            total += v;
        return total;
    };
    QTRY_COMPARE_WITH_TIMEOUT(sum(), 2000.0, kWaitMs);
    QVERIFY(m_last->newestSecond < QDateTime::currentSecsSinceEpoch());
}

void TestClickPipeline::snapshotsAreRateLimited()
{
    // Events every 5 ms for 1.5 s: 300 reads, but at most ~30 snapshots a second.
    Response response = Response::sse(clicks(1, 1));
    for (int i = 2; i <= 300; ++i)
        response.then(5, clicks(i, i));
    m_server->route("/s", response.keepOpen());
    ClickPipeline::Settings settings;
    settings.displayHz = 20;
    ClickPipeline pipeline(settings);
    watch(pipeline);
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    QElapsedTimer clock;
    clock.start();
    pipeline.connectTo(config);
    QTRY_VERIFY_WITH_TIMEOUT(m_last && m_last->totals.clicks == 300, kWaitMs);
    const double seconds = double(clock.elapsed()) / 1000.0;
    QVERIFY2(m_snapshots <= int(seconds * 20) + 3,
             qPrintable(QStringLiteral("%1 snapshots in %2 s").arg(m_snapshots).arg(seconds)));
    QVERIFY(m_snapshots >= 2);
}

void TestClickPipeline::disconnectAndResetKeepTheUiInformed()
{
    m_server->route("/s", Response::sse(clicks(1, 10)).keepOpen());
    ClickPipeline pipeline;
    watch(pipeline);
    QSignalSpy states(&pipeline, &ClickPipeline::stateChanged);
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    pipeline.connectTo(config);
    QTRY_VERIFY_WITH_TIMEOUT(m_last && m_last->totals.clicks == 10, kWaitMs);
    pipeline.disconnectStream();
    QTRY_COMPARE_WITH_TIMEOUT(states.last().first().value<StreamSource::State>(), StreamSource::State::Closed, kWaitMs);
    QCOMPARE(m_last->totals.clicks, quint64(10));   // the data stays
    pipeline.resetStatistics();
    QTRY_COMPARE_WITH_TIMEOUT(m_last->totals.clicks, quint64(0), kWaitMs);

    QSignalSpy failed(&pipeline, &ClickPipeline::failed);
    config.url = m_server->url(QStringLiteral("/missing"));
    pipeline.connectTo(config);
    QVERIFY(failed.wait(kWaitMs));
    QVERIFY(failed.first().first().toString().contains(QStringLiteral("404")));
}

void TestClickPipeline::longWindowsComeAveraged()
{
    QCOMPARE(ClickPipeline::bucketSecondsFor(300, 720), 1);
    QCOMPARE(ClickPipeline::bucketSecondsFor(3600, 720), 5);
    QCOMPARE(ClickPipeline::bucketSecondsFor(86400, 720), 120);
    QCOMPARE(ClickPipeline::bucketSecondsFor(721, 720), 2);

    m_server->route("/s", Response::sse(clicks(1, 600)).keepOpen());
    ClickPipeline pipeline;
    watch(pipeline);
    pipeline.setSeriesWindow(24 * 60 * 60);
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    pipeline.connectTo(config);
    QTRY_VERIFY_WITH_TIMEOUT(m_last && m_last->totals.clicks == 600, kWaitMs);
    QCOMPARE(m_last->seriesBucketSeconds, 120);
    QCOMPARE(m_last->clicksPerSecond.size(), 720);
    // Averages over buckets: a bucket's value times its seconds adds back up to the clicks (the
    // last bucket averages only the seconds it has had).
    const auto sum = [this] {
        const qint64 age = m_last->newestSecond % 120;
        double total = m_last->clicksPerSecond.last() * double(age + 1);
        for (qsizetype i = 0; i + 1 < m_last->clicksPerSecond.size(); ++i)
            total += m_last->clicksPerSecond.at(i) * 120;
        return qRound(total);
    };
    QTRY_COMPARE_WITH_TIMEOUT(sum(), 600, kWaitMs);

    pipeline.setSeriesWindow(60);
    QTRY_COMPARE_WITH_TIMEOUT(m_last->clicksPerSecond.size(), 60, kWaitMs);
    QCOMPARE(m_last->seriesBucketSeconds, 1);
}

void TestClickPipeline::reportMatchesTheSnapshots()
{
    // Clicks keep coming while the aggregate is captured: the snapshot and the report of one
    // capture agree to the click, and a capture takes no rows away from the inspector.
    Response response = Response::sse(clicks(1, 10));
    for (int i = 11; i <= 200; i += 10)
        response.then(3, clicks(i, i + 9));
    m_server->route("/s", response.keepOpen());
    ClickPipeline pipeline;
    watch(pipeline);
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    pipeline.connectTo(config);
    QTRY_VERIFY_WITH_TIMEOUT(m_last && m_last->totals.clicks > 0, kWaitMs);
    const QDeadlineTimer deadline(kWaitMs);
    while (m_last->totals.clicks < 200) {
        QVERIFY(!deadline.hasExpired());
        const ClickPipeline::Capture capture = pipeline.capture(3);
        QVERIFY(capture.snapshot);
        const QJsonObject totals = capture.report.value(QStringLiteral("totals")).toObject();
        QCOMPARE(totals.value(QStringLiteral("clicks")).toInteger(), qint64(capture.snapshot->totals.clicks));
        QCOMPARE(totals.value(QStringLiteral("bytes")).toInteger(), qint64(capture.snapshot->totals.bytes));
        const QJsonArray top = capture.report.value(QStringLiteral("topLinks")).toArray();
        QCOMPARE(top.size(), std::min<qsizetype>(3, capture.snapshot->topLinks.size()));
        for (qsizetype i = 0; i < top.size(); ++i)
            QCOMPARE(quint64(top.at(i).toObject().value(QStringLiteral("count")).toInteger()),
                     capture.snapshot->topLinks.at(i).count);
        QVERIFY(capture.snapshot->newEvents.isEmpty());
        QCoreApplication::processEvents();   // the snapshots the window would get meanwhile
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_rawSeen, quint64(200), kWaitMs);   // every row still reached the inspector
    QVERIFY(m_last->lastByteMs > QDateTime::currentMSecsSinceEpoch() - 60'000);
}

void TestClickPipeline::aReplacedStreamSaysNothingMore()
{
    // A stream that fails while the UI thread is busy: its failure is on its way when a new
    // stream replaces it, and must not be taken for the new stream's.
    m_server->route("/s", Response::sse(clicks(1, 3)).keepOpen());
    ClickPipeline pipeline;
    watch(pipeline);
    SourceConfig dead;
    dead.url = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(Clickscope::Testing::unusedPort()));
    dead.reconnect = false;
    pipeline.connectTo(dead);
    QThread::msleep(300);   // the UI thread busy: the worker fails the stream meanwhile
    SourceConfig live;
    live.url = m_server->url(QStringLiteral("/s"));
    QSignalSpy failed(&pipeline, &ClickPipeline::failed);
    QSignalSpy states(&pipeline, &ClickPipeline::stateChanged);
    pipeline.connectTo(live, {}, /*newSession=*/true);
    QTRY_VERIFY_WITH_TIMEOUT(m_last && m_last->totals.clicks == 3, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(
        !states.isEmpty() && states.last().at(0).value<StreamSource::State>() == StreamSource::State::Open, kWaitMs);
    QCOMPARE(failed.size(), 0);
    for (const QList<QVariant> &state : std::as_const(states))
        QVERIFY(state.at(0).value<StreamSource::State>() != StreamSource::State::Closed);
}

void TestClickPipeline::theXrayAndChecksTravelWithTheSnapshots()
{
    // A stream that is refused: the X-ray shows the attempt, the refusal as a finding, and the
    // checks are judged on it, those still open when it stops decided on what was seen.
    m_server->route("/s", Response::status(401, "text/plain", "no", {{"WWW-Authenticate", "Bearer realm=\"s\""}}));
    ClickPipeline pipeline;
    watch(pipeline);
    const auto checks = StreamCheck::parseAll(
        {QStringLiteral("status=200"), QStringLiteral("reconnects<=2"), QStringLiteral("no-buffering")});
    QVERIFY(checks);
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    pipeline.connectTo(config, {}, true, *checks);
    QTRY_VERIFY_WITH_TIMEOUT(m_xray && hasFinding(m_xray->findings, Finding::Kind::AuthFailure), kWaitMs);
    QVERIFY(!m_wrongThread);
    QCOMPARE(m_xray->attempts.size(), 1);
    QCOMPARE(m_xray->attempts.first().exchanges.last().status, 401);
    QCOMPARE(m_xray->checks.size(), 3);
    QCOMPARE(m_xray->outcomes[0].state, StreamCheck::State::Failed);
    QCOMPARE(m_xray->outcomes[0].measured, QStringLiteral("401"));
    QTRY_COMPARE_WITH_TIMEOUT(m_xray->outcomes[1].state, StreamCheck::State::Passed, kWaitMs);
    QCOMPARE(m_xray->outcomes[2].state, StreamCheck::State::Failed);   // no event arrived at all
    QCOMPARE(m_xray->worstFinding()->severity, Finding::Severity::Error);
}

void TestClickPipeline::aNewStreamsXrayIsNotFollowedByTheOldOne()
{
    m_server->route("/a", Response::status(401, "text/plain", "no"));
    m_server->route("/b", Response::sse(clicks(1, 3)).keepOpen());
    ClickPipeline pipeline;
    watch(pipeline);
    QList<XraySnapshotPtr> delivered;
    connect(&pipeline, &ClickPipeline::snapshotReady, this, [&](const DashboardSnapshotPtr &snapshot) {
        if (snapshot->xray)
            delivered.append(snapshot->xray);
    });
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/a"));
    pipeline.connectTo(config);
    QTRY_VERIFY_WITH_TIMEOUT(m_xray && hasFinding(m_xray->findings, Finding::Kind::AuthFailure), kWaitMs);
    config.url = m_server->url(QStringLiteral("/b"));
    pipeline.connectTo(config);   // the same session: the totals carry on, the X-ray does not
    const auto aboutB = [](const XraySnapshotPtr &xray) {
        return !xray->attempts.isEmpty() && !xray->attempts.last().exchanges.isEmpty()
               && xray->attempts.last().exchanges.last().url.path() == u"/b";
    };
    QTRY_VERIFY_WITH_TIMEOUT(aboutB(m_xray) && m_xray->attempts.last().events == 3, kWaitMs);
    const qsizetype firstAboutB = std::find_if(delivered.cbegin(), delivered.cend(), aboutB) - delivered.cbegin();
    // Two more periodic X-rays (one a second): neither may be the old stream's.
    QTRY_VERIFY_WITH_TIMEOUT(delivered.size() >= firstAboutB + 3, kWaitMs);
    for (qsizetype i = firstAboutB; i < delivered.size(); ++i)
        QVERIFY2(aboutB(delivered[i]), qPrintable(QString::number(i)));
    QVERIFY(!hasFinding(m_xray->findings, Finding::Kind::AuthFailure));
}

void TestClickPipeline::checksStoppedByTheUserAreNotFailedByTheStream()
{
    m_server->route("/s", Response::sse(clicks(1, 3)).keepOpen());
    ClickPipeline pipeline;
    watch(pipeline);
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    pipeline.connectTo(config, {}, true,
                       *StreamCheck::parseAll({QStringLiteral("events>=3"), QStringLiteral("events>=1000")}));
    QTRY_VERIFY_WITH_TIMEOUT(m_xray && m_xray->outcomes.first().state == StreamCheck::State::Passed, kWaitMs);
    pipeline.disconnectStream();
    QTRY_COMPARE_WITH_TIMEOUT(m_xray->outcomes[1].state, StreamCheck::State::Failed, kWaitMs);
    QCOMPARE(m_xray->outcomes[1].measured, QStringLiteral("interrupted before it was decided"));
    QCOMPARE(m_xray->outcomes[0].state, StreamCheck::State::Passed);
}

void TestClickPipeline::aReplayWithoutLastEventIdIsCountedAsReplayed()
{
    // Ids only in the clicks, none in the SSE fields: a reconnect cannot ask to resume, and the
    // server sends everything again from the start, then one new click.
    QByteArray first;
    QByteArray again;
    for (int i = 1; i <= 4; ++i) {
        const QByteArray click = "data: {\"id\":" + QByteArray::number(i) + ",\"link\":\"/a\"}\n\n";
        if (i <= 3)
            first += click;
        again += click;
    }
    m_server->route("/s", Response::sse("retry: 10\n" + first).keepOpen());
    ClickPipeline pipeline;
    watch(pipeline);
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    pipeline.connectTo(config, {}, true, *StreamCheck::parseAll({QStringLiteral("duplicates=0")}));
    QTRY_VERIFY_WITH_TIMEOUT(m_last && m_last->totals.clicks == 3, kWaitMs);
    m_server->route("/s", Response::sse(again).keepOpen());
    m_server->dropConnections();
    QTRY_VERIFY_WITH_TIMEOUT(m_last->totals.clicks >= 7, kWaitMs);
    QCOMPARE(m_server->requests().size(), 2);
    QVERIFY(!m_server->requests().at(1).hasHeader("Last-Event-ID"));
    // The three that came again are counted as repeats, and as replayed (they came with the
    // reconnection), not as true duplicates: a server restarted from id 1 looks the same, so they
    // stay in the clicks, never silently.
    QTRY_COMPARE_WITH_TIMEOUT(m_last->totals.clicks, quint64(7), kWaitMs);
    QCOMPARE(m_last->totals.duplicates, quint64(3));
    QCOMPARE(m_last->totals.replayed, quint64(3));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_xray && !m_xray->outcomes.isEmpty() && m_xray->outcomes.first().state == StreamCheck::State::Failed, kWaitMs);
}

void TestClickPipeline::commentsBecomeRowsWhenShown()
{
    m_server->route("/s", Response::sse(": a beat\n\n" + clicks(1, 1)).keepOpen());
    SourceConfig config;
    config.url = m_server->url(QStringLiteral("/s"));
    const auto rowsOf = [&config](bool shown) {
        ClickPipeline pipeline;
        QList<RawEventRow> rows;
        connect(&pipeline, &ClickPipeline::snapshotReady, &pipeline,
                [&rows](const DashboardSnapshotPtr &snapshot) { rows += snapshot->newEvents; });
        pipeline.setCommentsShown(shown);   // queued ahead of the connection: in force from its first byte
        pipeline.connectTo(config);
        const bool arrived = QTest::qWaitFor([&rows] { return !rows.isEmpty() && !rows.constLast().comment; }, kWaitMs);
        return arrived ? rows : QList<RawEventRow>{};
    };

    const QList<RawEventRow> hidden = rowsOf(false);
    QCOMPARE(hidden.size(), 1);   // the click only; the comment was counted, not shown
    QVERIFY(!hidden.first().comment);

    const QList<RawEventRow> shown = rowsOf(true);
    QCOMPARE(shown.size(), 2);
    QVERIFY(shown.at(0).comment);
    QCOMPARE(shown.at(0).event.data(), QByteArrayView(" a beat"));
    QVERIFY(!shown.at(1).comment);
}

QTEST_GUILESS_MAIN(TestClickPipeline)
#include "tst_clickpipeline.moc"

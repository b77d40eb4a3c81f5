// SPDX-License-Identifier: MIT
// A recording in the window: it replays into the same dashboard a live session showed (the same
// totals, top links and breakdowns), under a bar that says it is a recording, whose play/pause,
// speed and position slider move it, a move back counting afresh from the start.
#include "app/mainwindow.h"
#include "app/publisherpanel.h"
#include "app/replaybar.h"
#include "app/streamstatus.h"
#include "core/record/recordingwriter.h"
#include "core/record/streamrecorder.h"
#include "core/sse/eventsource.h"
#include "server/demoserver.h"
#include "server/testpublisher.h"
#include "support/eventcollector.h"

#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QJsonObject>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Clickscope;

namespace {

constexpr int kWaitMs = 10'000;
constexpr qint64 kMsNs = 1'000'000;

QList<std::pair<QByteArray, quint64>> rows(const QList<RankedRow> &ranked)
{
    QList<std::pair<QByteArray, quint64>> out;
    for (const RankedRow &row : ranked)
        out.append({row.key, row.count});
    return out;
}

// 100 clicks, one every 100 ms, on three links.
QString writeTenSeconds(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("ten.csrec"));
    RecordingWriter writer;
    [&] {
        QVERIFY(writer.open(path, {{QStringLiteral("transport"), QStringLiteral("sse")},
                                   {QStringLiteral("startedAt"), QStringLiteral("2026-01-02T03:04:05.000Z")}}));
        QVERIFY(writer.add(Recording::Kind::Attempt, 0, {}));
        for (int i = 0; i < 100; ++i) {
            const QByteArray event =
                "id: " + QByteArray::number(i + 1) + "\ndata: {\"link\":\"/l" + QByteArray::number(i % 3) + "\"}\n\n";
            QVERIFY(writer.add(Recording::Kind::Data, quint64(i) * 100 * kMsNs, event));
        }
        QVERIFY(writer.close());
    }();
    return path;
}

// How many of writeTenSeconds()' clicks come before `ns`.
quint64 clicksBefore(qint64 ns) { return quint64(std::clamp<qint64>((ns + 100 * kMsNs - 1) / (100 * kMsNs), 0, 100)); }

}   // namespace

class TestReplayBar : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }
    void aRecordingShowsWhatTheLiveSessionShowed();
    void aRecordingThatCannotBeWrittenSaysSo();
    void theBarMovesThePlayback();
    void aBrowsersHarOpensAsARecording();
    void theDemoServesARecording();
    void timesReadAsMinutesAndSeconds();
};

void TestReplayBar::aBrowsersHarOpensAsARecording()
{
    MainWindow window;
    window.show();
    window.openRecording(QStringLiteral(CLICKSCOPE_HAR_DIR "/websocket.har"), 0);
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(8), kWaitMs);   // the messages Chromium received
    QTRY_VERIFY_WITH_TIMEOUT(window.replayBar()->isVisible(), kWaitMs);
    QVERIFY(window.replayBar()->banner()->text().contains(QStringLiteral("websocket.har (from a HAR)")));
    QVERIFY(window.replayBar()->banner()->toolTip().contains(QStringLiteral("sent are left out")));

    MainWindow refused;
    refused.show();
    refused.openRecording(QStringLiteral(CLICKSCOPE_HAR_DIR "/other.har"), 0);
    QVERIFY(refused.findChild<QLabel *>(QStringLiteral("messageLabel"))
                ->text()
                .contains(QStringLiteral("holds no stream")));
    QVERIFY(!refused.isConnected());
}

void TestReplayBar::aRecordingShowsWhatTheLiveSessionShowed()
{
    // Recorded from the window, Stream ▸ Record, while the clicks arrive; then replayed as fast as
    // possible in another window.
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    MainWindow live;
    live.show();
    live.connectTo(publisher.baseUrl().resolved(QUrl(QStringLiteral("/events"))));
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("live.csrec"));
    QVERIFY(live.startRecording(path));
    QVERIFY(live.isRecording());
    QVERIFY(!live.startRecording(dir.filePath(QStringLiteral("second.csrec"))));   // one at a time

    QList<QJsonObject> clicks;
    static const char *const countries[] = {"DE", "US", "FR", "NL"};
    for (int i = 0; i < 300; ++i)
        clicks.append({{"link", QStringLiteral("/l%1").arg(i % 7 * (i % 5))},
                       {"country", countries[i % 4]},
                       {"device", i % 3 ? "mobile" : "desktop"}});
    publisher.hub().publish(clicks.mid(0, 100));
    publisher.hub().publish(clicks.mid(100));
    QTRY_COMPARE_WITH_TIMEOUT(live.clickCount(), quint64(300), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(live.recordingIndicator()->isVisible()
                                 && live.recordingIndicator()->text().contains(QStringLiteral("live.csrec")),
                             kWaitMs);
    QVERIFY(!live.replayBar()->isVisible());
    const DashboardSnapshotPtr shown = live.pipeline().capture().snapshot;
    QVERIFY(live.stopRecording());
    QVERIFY(!live.recordingIndicator()->isVisible());

    MainWindow replay;
    replay.show();
    replay.openRecording(path, 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        replay.lastSnapshot() && replay.lastSnapshot()->replay && replay.lastSnapshot()->replay->ended, kWaitMs);
    const DashboardSnapshotPtr replayed = replay.pipeline().capture().snapshot;
    QCOMPARE(replayed->totals.clicks, shown->totals.clicks);
    QCOMPARE(replayed->totals.events, shown->totals.events);
    QCOMPARE(replayed->totals.gaps, shown->totals.gaps);
    QCOMPARE(replayed->totals.duplicates, shown->totals.duplicates);
    QCOMPARE(rows(replayed->topLinks), rows(shown->topLinks));
    for (int d = 0; d < DashboardSnapshot::DimensionCount; ++d)
        QCOMPARE(rows(replayed->breakdowns[d]), rows(shown->breakdowns[d]));
    QVERIFY(replay.replayBar()->isVisible());
    QVERIFY2(replay.replayBar()->banner()->text().contains(QStringLiteral("live.csrec"))
                 && replay.replayBar()->banner()->text().contains(QStringLiteral("not live")),
             qPrintable(replay.replayBar()->banner()->text()));
    QCOMPARE(replay.replayBar()->progressLabel()->text(), QStringLiteral("ended"));
    // The chart holds every click, the last second's too: an ended replay fills it no more.
    double charted = 0;
    for (const double perSecond : replayed->clicksPerSecond)
        charted += perSecond * replayed->seriesBucketSeconds;
    QCOMPARE(qRound64(charted), qint64(300));
}

void TestReplayBar::aRecordingThatCannotBeWrittenSaysSo()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    MainWindow window;
    window.show();
    QVERIFY(!window.startRecording(QStringLiteral("/nonexistent-dir/r.csrec")));   // no stream yet
    window.connectTo(publisher.baseUrl().resolved(QUrl(QStringLiteral("/events"))));
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
    const Result<void> refused = window.startRecording(QStringLiteral("/nonexistent-dir/r.csrec"));
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains(QStringLiteral("/nonexistent-dir/r.csrec")), qPrintable(refused.error()));
    QVERIFY(!window.isRecording());
    if (!QFile::exists(QStringLiteral("/dev/full")))
        QSKIP("needs /dev/full for a disk that fills");
    // A disk that fills: the recording stops with a message, the stream goes on.
    QVERIFY(window.startRecording(QStringLiteral("/dev/full")));
    QList<QJsonObject> clicks;
    for (int i = 0; i < 50; ++i)
        clicks.append({{"link", QStringLiteral("/x")}});
    publisher.hub().publish(clicks);
    QTRY_VERIFY_WITH_TIMEOUT(!window.isRecording(), kWaitMs);
    QVERIFY(!window.recordingIndicator()->isVisible());
    const QString message = window.findChild<QLabel *>(QStringLiteral("messageLabel"))->text();
    QVERIFY2(message.contains(QStringLiteral("/dev/full")) && message.contains(QStringLiteral("The stream goes on")),
             qPrintable(message));
    publisher.hub().publish(clicks);
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(100), kWaitMs);
    QVERIFY(window.isConnected());
}

void TestReplayBar::theBarMovesThePlayback()
{
    QTemporaryDir dir;
    const QString path = writeTenSeconds(dir);
    MainWindow window;
    window.show();
    window.openRecording(path, 1);
    ReplayBar *bar = window.replayBar();
    bar->playButton()->click();   // pause, at once
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible(), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(bar->timeLabel()->text().section(QLatin1Char('/'), 1).trimmed(), QStringLiteral("0:09"),
                              kWaitMs);
    const auto position = [&] {
        return window.lastSnapshot() ? window.lastSnapshot()->replay.value_or(ReplayPosition{}) : ReplayPosition{};
    };
    QTRY_VERIFY_WITH_TIMEOUT(position().paused, kWaitMs);
    QCOMPARE(bar->progressLabel()->text(), QStringLiteral("paused"));
    const qint64 pausedAt = position().positionNs;

    // Forward, while paused: as fast as possible up to there, and still paused.
    const qint64 ahead = pausedAt + 3'050 * kMsNs;
    QSlider *slider = bar->slider();
    const auto moveSliderTo = [&](qint64 ns) {
        slider->setSliderDown(true);
        slider->setValue(int(ns * slider->maximum() / position().durationNs));
        slider->setSliderDown(false);   // released: the move is asked for
        return qint64(double(slider->value()) / slider->maximum() * double(position().durationNs));
    };
    const qint64 forwardTarget = moveSliderTo(ahead);
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), clicksBefore(forwardTarget), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(position().targetNs < 0 && position().positionNs >= forwardTarget, kWaitMs);
    QVERIFY(position().paused);

    // Back: from the start again, counting afresh, up to there.
    const qint64 backTarget = moveSliderTo(forwardTarget - 2'000 * kMsNs);
    QVERIFY(backTarget < forwardTarget);
    QTRY_VERIFY_WITH_TIMEOUT(position().targetNs < 0 && position().positionNs == backTarget, kWaitMs);
    QCOMPARE(window.clickCount(), clicksBefore(backTarget));
    QVERIFY(position().paused);

    // As fast as possible, playing: to the end, every click once.
    QComboBox *speed = bar->speedCombo();
    const int max = speed->findData(0.0);
    QVERIFY(max >= 0);
    speed->setCurrentIndex(max);
    emit speed->activated(max);
    bar->playButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(position().ended, kWaitMs);
    QCOMPARE(window.clickCount(), quint64(100));
    QCOMPARE(bar->progressLabel()->text(), QStringLiteral("ended"));
    QVERIFY(!bar->playButton()->isEnabled());
    // In the recording's time the last byte came as it ended, however long ago that was; also
    // once it is let go.
    QTRY_COMPARE_WITH_TIMEOUT(window.streamStatus()->lastByteText(), QStringLiteral("last byte < 1 s ago"), kWaitMs);
    QVERIFY(!window.findChild<QAction *>(QStringLiteral("actionRecord"))->isEnabled());   // the file is the recording
    window.disconnectFromStream();
    QTRY_VERIFY_WITH_TIMEOUT(window.lastSnapshot() && !window.lastSnapshot()->replay, kWaitMs);
    QCOMPARE(window.streamStatus()->lastByteText(), QStringLiteral("last byte < 1 s ago"));

    // Played again, it counts from zero: the same clicks, not more of them.
    window.openRecording(path, 0);
    QTRY_VERIFY_WITH_TIMEOUT(position().ended && window.clickCount() == 100, kWaitMs);
    QCOMPARE(window.pipeline().capture().snapshot->totals.clicks, quint64(100));

    // A speed the menu does not offer, from the command line, is shown as it is.
    window.openRecording(path, 2);
    QTRY_COMPARE_WITH_TIMEOUT(bar->speedCombo()->currentText(), QStringLiteral("2×"), kWaitMs);
}

void TestReplayBar::theDemoServesARecording()
{
    QTemporaryDir dir;
    const QString path = writeTenSeconds(dir);
    MainWindow window;
    window.show();
    QVERIFY(window.startDemo());
    PublisherPanel *panel = window.publisherPanel();
    QVERIFY(panel);
    const QUrl before = window.demoServer()->baseUrl();

    const Result<void> refused = panel->serveRecording(dir.filePath(QStringLiteral("missing.csrec")));
    QVERIFY(!refused);
    QVERIFY2(panel->findChild<QLabel *>(QStringLiteral("servedRecordingLabel"))
                 ->text()
                 .contains(QStringLiteral("missing.csrec")),
             qPrintable(panel->findChild<QLabel *>(QStringLiteral("servedRecordingLabel"))->text()));

    QVERIFY(panel->serveRecording(path));
    QCOMPARE(window.demoServer()->baseUrl(), before);   // the same port: readers come back by themselves
    QVERIFY(panel->findChild<QLabel *>(QStringLiteral("servedRecordingLabel"))
                ->text()
                .contains(QStringLiteral("ten.csrec")));
    SourceConfig config;
    config.url = window.demoServer()->url(QStringLiteral("/events"));
    EventSource reader(config);
    Testing::EventCollector events(&reader);
    reader.open();
    QTRY_VERIFY_WITH_TIMEOUT(events.events.size() >= 3, kWaitMs);
    QCOMPARE(events.data().mid(0, 3),
             (QStringList{QStringLiteral("{\"link\":\"/l0\"}"), QStringLiteral("{\"link\":\"/l1\"}"),
                          QStringLiteral("{\"link\":\"/l2\"}")}));
    QCOMPARE(events.events.first().lastEventId(), QByteArrayView("1"));

    QVERIFY(panel->serveRecording({}));   // synthetic clicks again
    QVERIFY(window.demoServer()->servedRecording().isEmpty());
}

void TestReplayBar::timesReadAsMinutesAndSeconds()
{
    QCOMPARE(ReplayBar::timeText(0), QStringLiteral("0:00"));
    QCOMPARE(ReplayBar::timeText(59'999 * kMsNs), QStringLiteral("0:59"));
    QCOMPARE(ReplayBar::timeText(65'000 * kMsNs), QStringLiteral("1:05"));
    QCOMPARE(ReplayBar::timeText(3'723'000 * kMsNs), QStringLiteral("1:02:03"));
}

QTEST_MAIN(TestReplayBar)
#include "tst_replaybar.moc"

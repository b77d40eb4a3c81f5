// SPDX-License-Identifier: MIT
#pragma once

#include "core/check/streamcheck.h"
#include "core/decode/fieldmapping.h"
#include "core/model/clickaggregator.h"
#include "core/model/dashboardsnapshot.h"
#include "core/source/streamsource.h"

#include <QObject>
#include <QThread>
#include <QTimer>

#include <memory>

namespace Clickscope {

class IngestWorker;   // the worker side, in clickpipeline.cpp

// Reading, decoding and aggregating a stream, off the UI thread. The stream and the aggregator
// live in a worker thread; the UI thread receives a DashboardSnapshot at most `displayHz` times a
// second, and only when something changed, so painting never scales with the event rate.
class ClickPipeline : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultMaxSeriesPoints = 720;
    // How often the X-ray goes out while nothing happens to the connection (silences grow).
    static constexpr qint64 kXrayEveryMs = 1000;

    struct Settings
    {
        int displayHz = 30;
        // 24 h of per-second buckets (675 KiB), so every chart window can be shown.
        ClickAggregator::Settings aggregation = {.windowSeconds = 24 * 60 * 60};
        int seriesWindowSeconds = 5 * 60;                // what snapshots carry of the series; see setSeriesWindow()
        int maxSeriesPoints = kDefaultMaxSeriesPoints;   // more seconds than this are averaged into buckets
        qsizetype topLinks = 100;
        qsizetype topValues = 50;       // per breakdown
        qsizetype maxNewEvents = 200;   // raw events per snapshot, for the inspector
    };

    ClickPipeline() : ClickPipeline(Settings{}) {}
    explicit ClickPipeline(Settings settings, QObject *parent = nullptr);
    ~ClickPipeline() override;

    // Replaces any current stream. Statistics carry on across streams until resetStatistics(),
    // or until a stream comes with a different mapping, which starts them afresh; a
    // `newSession` starts them afresh too, in the same step as the old stream goes, so that
    // nothing of the old one is counted in the new one. Signals about the stream replaced
    // (its state, failure, end, retries) still on their way are dropped.
    // `checks` are judged on the stream as it goes and travel with its X-ray in the snapshots.
    void connectTo(const SourceConfig &config, const FieldMapping &mapping = {}, bool newSession = false,
                   const QList<StreamCheck> &checks = {});
    void disconnectStream();
    // A recording being replayed (a file: URL): its speed (0: as fast as possible), a pause, and a
    // move to `positionNs` of it. A move back (from where the replay really is, which snapshots
    // may not have shown yet) starts it over, statistics included, says so with replayRestarted(),
    // and plays as fast as possible up to there; snapshots carry how far that is
    // (DashboardSnapshot::replay).
    void setReplaySpeed(double speed);
    void setReplayPaused(bool paused);
    void seekReplay(qint64 positionNs);
    // Records the current stream from now on into `path` (StreamRecorder); the error says why it
    // cannot start. Snapshots carry its progress. It ends with stopRecording(), or when the stream
    // is let go or the file cannot be written (recordingEnded()); the stream goes on either way.
    Result<void> startRecording(const QString &path);
    Result<void> stopRecording();
    // Zeroes the statistics. Snapshots made before the reset, still on their way, are dropped.
    void resetStatistics();
    // The seconds of clicks/s that snapshots carry from now on (1 s … 24 h), in at most
    // Settings::maxSeriesPoints buckets of bucketSecondsFor() seconds.
    void setSeriesWindow(int seconds);
    // Comment lines (heartbeats) go to the inspector's rows as well as to the counters.
    void setCommentsShown(bool shown);
    // One moment of the aggregate, twice: as a snapshot (what the window shows) and as the
    // report `clickscope-cli watch --json` prints, so that what is exported from both agrees.
    // Waits for the worker, which answers between two batches: a few milliseconds.
    struct Capture
    {
        DashboardSnapshotPtr snapshot;
        QJsonObject report;
    };
    Capture capture(int topN = 10);

    static int bucketSecondsFor(int windowSeconds, int maxPoints);

signals:
    void snapshotReady(const Clickscope::DashboardSnapshotPtr &snapshot);
    void stateChanged(Clickscope::StreamSource::State state);
    void failed(const QString &message);
    void ended(const QString &reason);
    void reconnectScheduled(qint64 delayMs, const QString &reason);
    // A recording ended without stopRecording(): saved (`error` empty) because its stream was let
    // go, or stopped by a failure to write.
    void recordingEnded(const QString &path, const QString &error);
    void replayRestarted();

private:
    QThread m_thread;
    IngestWorker *m_worker;   // lives in m_thread, deleted when it finishes
    quint64 m_generation = 0;
    quint64 m_streamSerial = 0;   // of the stream connectTo() asked for last
};

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/model/clickpipeline.h"

#include "core/record/replaysource.h"
#include "core/record/streamrecorder.h"
#include "core/source/sourcefactory.h"
#include "core/xray/connectionlog.h"

#include <QDateTime>

namespace Clickscope {

// The worker side, only ever touched from its own thread (through queued calls).
class IngestWorker : public QObject
{
    Q_OBJECT
public:
    explicit IngestWorker(ClickPipeline::Settings settings);

    // `serial` tags the signals about this stream; a non-zero `generation` resets first.
    void start(const SourceConfig &config, const FieldMapping &mapping, const QList<StreamCheck> &checks,
               quint64 serial, quint64 generation);
    void stop();
    void resetStatistics(quint64 generation);
    void setSeriesWindow(int seconds);
    void setCommentsShown(bool shown) { m_commentsShown = shown; }
    void setReplaySpeed(double speed);
    void setReplayPaused(bool paused);
    void seekReplay(qint64 positionNs, quint64 generation);
    Result<void> startRecording(const QString &path);
    Result<void> stopRecording();
    ClickPipeline::Capture capture(int topN);

signals:
    void snapshotReady(const Clickscope::DashboardSnapshotPtr &snapshot);
    void stateChanged(quint64 serial, Clickscope::StreamSource::State state);
    void failed(quint64 serial, const QString &message);
    void ended(quint64 serial, const QString &reason);
    void reconnectScheduled(quint64 serial, qint64 delayMs, const QString &reason);
    void recordingEnded(const QString &path, const QString &error);
    void replayRestarted(quint64 serial);

private:
    // Closes and forgets the source without a word; false when there was none.
    bool dropSource();
    ReplaySource *replay() const { return qobject_cast<ReplaySource *>(m_source.get()); }
    // The time of what arrives now: the source's clock (a recording's own), or once a replay has
    // been let go, where it stopped.
    qint64 nowMs() const;
    std::optional<ReplayPosition> replayPosition() const;
    void onEvents(const SseBatch &events);
    void onComments(const QString &lastComment);
    void countBytes(qint64 nowMs);
    void keepRow(RawEventRow row);
    void publishSnapshot();
    // The aggregate now; with `takeNewEvents`, the rows for the inspector (and the X-ray when it
    // is due) go with it.
    DashboardSnapshotPtr makeSnapshot(qint64 nowMs, bool takeNewEvents);
    // The X-ray of the current stream, its checks judged; `over` decides what is still pending.
    XraySnapshotPtr makeXray(bool over);

    ClickPipeline::Settings m_settings;
    std::unique_ptr<ClickAggregator> m_aggregator;
    std::unique_ptr<StreamSource> m_source;
    SourceConfig m_config;                        // of m_source, to start a replay over
    QList<StreamCheck> m_checkList;               // …and its checks
    qint64 m_heldClockMs = 0;                     // a replay's clock when it was let go; 0 after a live stream
    std::unique_ptr<ConnectionLog> m_log;         // of m_source; goes before it
    std::unique_ptr<StreamRecorder> m_recorder;   // of m_source; goes before it
    QString m_recordingPath;
    CheckSet m_checks;
    std::optional<QByteArray> m_doneMarker;
    bool m_bufferingSeen = false;
    bool m_streamOver = false;   // m_source stopped: pending checks are decided
    bool m_xrayOver = false;     // the last X-ray was made with the stream over
    bool m_xrayDue = false;      // the connection changed since the last X-ray
    qint64 m_xrayAtMs = 0;
    XraySnapshotPtr m_lastXrayOfDropped;   // the final X-ray of a stream let go, still to deliver
    Totals m_checkBaseline;                // the session's totals when the stream began
    quint64 m_serial = 0;                  // of m_source
    QTimer m_displayTick;
    QList<RawEventRow> m_newEvents;   // the newest since the last snapshot, at most maxNewEvents
    quint64 m_eventsNotShown = 0;
    quint64 m_bytesCounted = 0;
    qint64 m_lastByteMs = 0;
    qint64 m_lastSecondPublished = 0;
    int m_seriesWindow;
    quint64 m_generation = 0;
    // The series of the last snapshot: it ends at the last complete second, so within a second it
    // does not change, and a 24 h window is averaged once a second rather than at every tick.
    QList<double> m_series;
    qint64 m_seriesSecond = 0;
    int m_seriesFor = 0;   // the window m_series was made for; 0 = none
    bool m_commentsShown = false;
    bool m_replayPaused = false;
    std::optional<ReplayPosition> m_replayShown;   // in the last snapshot
    bool m_dirty = false;
};

ClickPipeline::ClickPipeline(Settings settings, QObject *parent) : QObject(parent), m_worker(new IngestWorker(settings))
{
    qRegisterMetaType<DashboardSnapshotPtr>();
    qRegisterMetaType<StreamSource::State>();
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    // Worker signals cross threads, so they arrive queued, in this (the UI) thread.
    connect(m_worker, &IngestWorker::snapshotReady, this, [this](const DashboardSnapshotPtr &snapshot) {
        if (snapshot && snapshot->generation >= m_generation)
            emit snapshotReady(snapshot);
    });
    // Only about the stream asked for last: one replaced may still have said something.
    connect(m_worker, &IngestWorker::stateChanged, this, [this](quint64 serial, StreamSource::State state) {
        if (serial == m_streamSerial)
            emit stateChanged(state);
    });
    connect(m_worker, &IngestWorker::failed, this, [this](quint64 serial, const QString &message) {
        if (serial == m_streamSerial)
            emit failed(message);
    });
    connect(m_worker, &IngestWorker::ended, this, [this](quint64 serial, const QString &reason) {
        if (serial == m_streamSerial)
            emit ended(reason);
    });
    connect(m_worker, &IngestWorker::recordingEnded, this, &ClickPipeline::recordingEnded);
    connect(m_worker, &IngestWorker::replayRestarted, this, [this](quint64 serial) {
        if (serial == m_streamSerial)
            emit replayRestarted();
    });
    connect(m_worker, &IngestWorker::reconnectScheduled, this,
            [this](quint64 serial, qint64 delayMs, const QString &reason) {
                if (serial == m_streamSerial)
                    emit reconnectScheduled(delayMs, reason);
            });
    m_thread.setObjectName(QStringLiteral("clickscope-ingest"));
    m_thread.start();
}

ClickPipeline::~ClickPipeline()
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->stop(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void ClickPipeline::connectTo(const SourceConfig &config, const FieldMapping &mapping, bool newSession,
                              const QList<StreamCheck> &checks)
{
    const quint64 serial = ++m_streamSerial;
    const quint64 generation = newSession ? ++m_generation : 0;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, config, mapping, checks, serial, generation] {
        worker->start(config, mapping, checks, serial, generation);
    });
}

void ClickPipeline::disconnectStream()
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->stop(); });
}

void ClickPipeline::setReplaySpeed(double speed)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, speed] { worker->setReplaySpeed(speed); });
}

void ClickPipeline::setReplayPaused(bool paused)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, paused] { worker->setReplayPaused(paused); });
}

void ClickPipeline::seekReplay(qint64 positionNs)
{
    // Whether the move goes back is the worker's to know; either way snapshots made before it
    // are not shown after it.
    const quint64 generation = ++m_generation;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, positionNs, generation] { worker->seekReplay(positionNs, generation); });
}

Result<void> ClickPipeline::startRecording(const QString &path)
{
    Result<void> result;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, path, &result] { result = worker->startRecording(path); },
        Qt::BlockingQueuedConnection);
    return result;
}

Result<void> ClickPipeline::stopRecording()
{
    Result<void> result;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, &result] { result = worker->stopRecording(); }, Qt::BlockingQueuedConnection);
    return result;
}

void ClickPipeline::resetStatistics()
{
    const quint64 generation = ++m_generation;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, generation] { worker->resetStatistics(generation); });
}

void ClickPipeline::setSeriesWindow(int seconds)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, seconds] { worker->setSeriesWindow(seconds); });
}

void ClickPipeline::setCommentsShown(bool shown)
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, shown] { worker->setCommentsShown(shown); });
}

ClickPipeline::Capture ClickPipeline::capture(int topN)
{
    Capture result;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, topN, &result] { result = worker->capture(topN); }, Qt::BlockingQueuedConnection);
    return result;
}

int ClickPipeline::bucketSecondsFor(int windowSeconds, int maxPoints)
{
    const int points = std::max(maxPoints, 1);
    return std::max(1, (std::max(windowSeconds, 1) + points - 1) / points);
}

IngestWorker::IngestWorker(ClickPipeline::Settings settings)
    : m_settings(settings)
    , m_aggregator(std::make_unique<ClickAggregator>(settings.aggregation))
    , m_displayTick(this)   // a child, so moveToThread() takes the timer along
    , m_seriesWindow(std::clamp(settings.seriesWindowSeconds, 1, TimeSeriesRing::kMaxWindowSeconds))
{
    m_displayTick.setInterval(1000 / std::clamp(settings.displayHz, 1, 120));
    connect(&m_displayTick, &QTimer::timeout, this, &IngestWorker::publishSnapshot);
}

void IngestWorker::start(const SourceConfig &config, const FieldMapping &mapping, const QList<StreamCheck> &checks,
                         quint64 serial, quint64 generation)
{
    // Replacing a stream is not closing one: the window goes from one connection to the next
    // without ever showing "Closed" in between.
    dropSource();
    m_lastXrayOfDropped.reset();   // the new stream's X-ray replaces it
    m_serial = serial;
    if (generation != 0)
        resetStatistics(generation);
    // Reconnecting keeps the totals (reset is explicit); a different mapping counts differently,
    // so it starts afresh.
    if (!(mapping == m_aggregator->mapping())) {
        m_aggregator = std::make_unique<ClickAggregator>(m_settings.aggregation, mapping);
        m_seriesFor = 0;
        m_newEvents.clear();
        m_eventsNotShown = 0;
    }
    m_aggregator->setStreamLink(ClickAggregator::linkNamedBy(config.url));
    m_config = config;
    m_checkList = checks;
    m_heldClockMs = 0;
    m_source = createSource(config);
    m_log = std::make_unique<ConnectionLog>(*m_source);
    m_checks = CheckSet(checks);
    m_checkBaseline = m_aggregator->totals();   // the checks judge this stream, not the session
    m_doneMarker = config.doneMarker;
    m_bufferingSeen = false;
    m_streamOver = false;
    const auto connectionChanged = [this] {
        m_xrayDue = true;
        m_dirty = true;
    };
    connect(m_log.get(), &ConnectionLog::attemptStarted, this, connectionChanged);
    connect(m_log.get(), &ConnectionLog::exchangeAdded, this, connectionChanged);
    connect(m_log.get(), &ConnectionLog::attemptEnded, this, connectionChanged);
    m_bytesCounted = 0;
    m_lastByteMs = 0;
    connect(m_source.get(), &StreamSource::eventsReceived, this, &IngestWorker::onEvents);
    connect(m_source.get(), &StreamSource::commentsReceived, this,
            [this](quint64, const QString &lastComment) { onComments(lastComment); });
    connect(m_source.get(), &StreamSource::stateChanged, this, [this](StreamSource::State state) {
        m_streamOver = state == StreamSource::State::Closed;
        emit stateChanged(m_serial, state);
    });
    connect(m_source.get(), &StreamSource::failed, this,
            [this](StreamSource::Error, const QString &message) { emit failed(m_serial, message); });
    connect(m_source.get(), &StreamSource::ended, this,
            [this](const QString &reason) { emit ended(m_serial, reason); });
    connect(m_source.get(), &StreamSource::eventsDiscarded, this, [this](quint64 count) {
        m_aggregator->addDiscarded(count);
        m_dirty = true;
    });
    connect(m_source.get(), &StreamSource::reconnectScheduled, this, [this](qint64 delayMs, const QString &reason) {
        m_aggregator->addReconnect();
        m_dirty = true;
        emit reconnectScheduled(m_serial, delayMs, reason);
    });
    m_replayPaused = false;   // a recording opened starts playing
    m_displayTick.start();
    m_source->open();
}

void IngestWorker::setReplaySpeed(double speed)
{
    m_config.replaySpeed = speed;
    if (ReplaySource *source = replay())
        source->setSpeed(speed);
    m_dirty = true;
}

void IngestWorker::setReplayPaused(bool paused)
{
    m_replayPaused = paused;
    if (ReplaySource *source = replay())
        source->setPaused(paused);
    m_dirty = true;
}

void IngestWorker::seekReplay(qint64 positionNs, quint64 generation)
{
    if (ReplaySource *source = replay(); source && positionNs < source->positionNs()) {
        // Back: from the start again, counting afresh, paused or not as it was.
        const bool paused = m_replayPaused;
        const qint64 durationNs = source->durationNs();
        start(m_config, m_aggregator->mapping(), m_checkList, m_serial, generation);
        replay()->setDurationNs(durationNs);
        setReplayPaused(paused);
        emit replayRestarted(m_serial);
    } else {
        m_generation = generation;   // nothing to count again
    }
    if (ReplaySource *source = replay())
        source->fastForwardTo(positionNs);
    m_dirty = true;
}

std::optional<ReplayPosition> IngestWorker::replayPosition() const
{
    const ReplaySource *source = replay();
    if (!source)
        return std::nullopt;
    return ReplayPosition{
        source->positionNs(), source->durationNs(),        source->speed(),
        source->isPaused(),   source->fastForwardTarget(), source->state() == StreamSource::State::Closed};
}

Result<void> IngestWorker::startRecording(const QString &path)
{
    if (!m_source)
        return unexpected(QStringLiteral("there is no stream to record: connect to one first"));
    if (m_recorder)
        return unexpected(QStringLiteral("the stream is already being recorded into %1").arg(m_recordingPath));
    auto recorder = std::make_unique<StreamRecorder>(*m_source);
    if (Result<void> started = recorder->start(path); !started)
        return started;
    connect(recorder.get(), &StreamRecorder::failed, this, [this](const QString &message) {
        m_recorder.release()->deleteLater();   // it has closed its file; it is still saying so
        m_dirty = true;
        emit recordingEnded(m_recordingPath, message);
    });
    m_recorder = std::move(recorder);
    m_recordingPath = path;
    m_dirty = true;
    return {};
}

Result<void> IngestWorker::stopRecording()
{
    if (!m_recorder)
        return unexpected(QStringLiteral("nothing is being recorded"));
    const std::unique_ptr<StreamRecorder> recorder = std::move(m_recorder);
    m_dirty = true;
    return recorder->stop();
}

qint64 IngestWorker::nowMs() const
{
    if (m_source)
        return m_source->clockMs();
    return m_heldClockMs != 0 ? m_heldClockMs : QDateTime::currentMSecsSinceEpoch();
}

void IngestWorker::stop()
{
    if (!dropSource())
        return;
    emit stateChanged(m_serial, StreamSource::State::Closed);
    publishSnapshot();   // the last state stays on screen
}

bool IngestWorker::dropSource()
{
    if (!m_source)
        return false;
    m_source->disconnect(this);
    m_heldClockMs = replay() ? m_source->clockMs() : 0;
    if (m_recorder) {   // a recording is of one stream: it ends with it
        const Result<void> saved = std::exchange(m_recorder, nullptr)->stop();
        emit recordingEnded(m_recordingPath, saved ? QString() : saved.error());
    }
    m_source->close();   // the log notes how it ended
    // Checks the stream could still have changed were stopped by the user, not decided by it.
    const bool stoppedByUser = !m_streamOver;
    m_streamOver = true;
    if (stoppedByUser)
        m_checks.interrupt();
    m_lastXrayOfDropped = makeXray(true);
    m_log.reset();
    m_source.reset();
    return true;
}

void IngestWorker::resetStatistics(quint64 generation)
{
    m_generation = generation;
    m_checkBaseline = Totals{};
    m_seriesFor = 0;
    m_aggregator->reset();
    m_newEvents.clear();
    m_eventsNotShown = 0;
    m_dirty = true;
    publishSnapshot();
}

void IngestWorker::setSeriesWindow(int seconds)
{
    m_seriesWindow = std::clamp(seconds, 1, TimeSeriesRing::kMaxWindowSeconds);
    m_seriesFor = 0;
    m_dirty = true;
}

void IngestWorker::countBytes(qint64 nowMs)
{
    const quint64 total = m_source->totalBytes();
    if (total == m_bytesCounted)
        return;
    m_aggregator->addBytes(total - m_bytesCounted);
    m_bytesCounted = total;
    m_lastByteMs = nowMs;
}

void IngestWorker::keepRow(RawEventRow row)
{
    m_newEvents.append(std::move(row));
    if (m_newEvents.size() > m_settings.maxNewEvents) {
        const qsizetype excess = m_newEvents.size() - m_settings.maxNewEvents;
        m_eventsNotShown += quint64(excess);
        m_newEvents.remove(0, excess);
    }
}

void IngestWorker::onEvents(const SseBatch &events)
{
    const qint64 now = nowMs();
    m_aggregator->addEvents(events, now);
    countBytes(now);
    // Only the newest can be seen in the inspector: keep those, count the rest.
    const qsizetype keep = std::min(events.size(), m_settings.maxNewEvents);
    m_eventsNotShown += quint64(events.size() - keep);
    for (qsizetype i = events.size() - keep; i < events.size(); ++i)
        keepRow({SseEvent(events.at(i)), now});
    m_dirty = true;
}

void IngestWorker::onComments(const QString &lastComment)
{
    const qint64 now = nowMs();
    countBytes(now);
    // One row per read, for its last comment: heartbeats come one per read anyway.
    if (m_commentsShown)
        keepRow({SseEvent({}, {}, lastComment.toUtf8()), now, true});
    m_dirty = true;
}

ClickPipeline::Capture IngestWorker::capture(int topN)
{
    const qint64 now = nowMs();
    m_aggregator->advanceTo(now);
    return {makeSnapshot(now, false), m_aggregator->report(topN)};
}

XraySnapshotPtr IngestWorker::makeXray(bool over)
{
    auto xray = std::make_shared<XraySnapshot>();
    const ConnectionLog &log = *m_log;
    xray->attempts = QList<ConnectionAttempt>(log.attempts().cbegin(), log.attempts().cend());
    xray->samples = QList<ReadSample>(log.samples().cbegin(), log.samples().cend());
    xray->bursts = findBursts(log.samples());
    xray->findings = diagnose(log);
    xray->nowMs = log.nowMs();
    if (!m_checks.isEmpty()) {
        StreamMeasurements measured = measureStream(log, *m_aggregator, m_doneMarker);
        // Counts since this stream began; a reset in between starts them from zero.
        const Totals &now = m_aggregator->totals();
        if (now.events < m_checkBaseline.events)
            m_checkBaseline = Totals{};
        measured.events -= std::min(measured.events, m_checkBaseline.events);
        measured.gaps -= std::min(measured.gaps, m_checkBaseline.gaps);
        measured.duplicates -= std::min(measured.duplicates, m_checkBaseline.duplicates);
        measured.undecodable -= std::min(measured.undecodable, m_checkBaseline.undecodable);
        measured.reconnects -= std::min(measured.reconnects, m_checkBaseline.reconnects);
        m_bufferingSeen = m_bufferingSeen || hasFinding(xray->findings, Finding::Kind::BufferingSuspected);
        measured.bufferingSuspected = m_bufferingSeen;
        measured.over = over;
        m_checks.judge(measured);
        xray->checks = m_checks.checks();
        xray->outcomes = m_checks.outcomes();
    }
    return xray;
}

void IngestWorker::publishSnapshot()
{
    const qint64 now = nowMs();
    m_aggregator->advanceTo(now);
    // A replay's position and a recording's size move without events: they are news too.
    if (m_recorder)
        m_dirty = true;
    if (const std::optional<ReplayPosition> position = replayPosition(); position != m_replayShown) {
        m_replayShown = position;
        m_dirty = true;
    }
    // Rates change every second even without events; otherwise only publish what changed.
    if (!m_dirty && now / 1000 == m_lastSecondPublished)
        return;
    m_dirty = false;
    m_lastSecondPublished = now / 1000;
    emit snapshotReady(makeSnapshot(now, true));
}

DashboardSnapshotPtr IngestWorker::makeSnapshot(qint64 now, bool takeNewEvents)
{
    auto snapshot = std::make_shared<DashboardSnapshot>();
    const ClickAggregator &a = *m_aggregator;
    snapshot->totals = a.totals();
    snapshot->rateNow = a.rate().smoothedRate();
    snapshot->rateAverage = a.rate().averageRate();
    snapshot->ratePeak = a.rate().peakRate();
    snapshot->clockMs = now;
    snapshot->recordedClock = replay() != nullptr || (!m_source && m_heldClockMs != 0);
    // The series ends at the last complete second: the one still filling would show as a dip. A
    // replay that has ended fills no more: its last second is as complete as it will be.
    const bool clockStopped =
        (replay() && m_source->state() == StreamSource::State::Closed) || (!m_source && m_heldClockMs != 0);
    snapshot->newestSecond = now / 1000 - (clockStopped ? 0 : 1);
    const int bucket = ClickPipeline::bucketSecondsFor(m_seriesWindow, m_settings.maxSeriesPoints);
    if (m_seriesFor != m_seriesWindow || m_seriesSecond != snapshot->newestSecond) {
        m_series = QList<double>();   // the last snapshot still shares the old list
        a.clicksPerSecond().copyAveraged((m_seriesWindow + bucket - 1) / bucket, bucket, snapshot->newestSecond,
                                         m_series);
        m_seriesFor = m_seriesWindow;
        m_seriesSecond = snapshot->newestSecond;
    }
    snapshot->clicksPerSecond = m_series;   // shared, not copied
    snapshot->seriesBucketSeconds = bucket;
    snapshot->seriesWindowSeconds = m_seriesWindow;
    snapshot->generation = m_generation;
    snapshot->lastByteMs = m_lastByteMs;
    snapshot->topLinks = rankedRows(a.links(), m_settings.topLinks);
    snapshot->topLinksExact = a.links().isExact();
    snapshot->distinctLinks = a.links().size();
    snapshot->breakdowns[DashboardSnapshot::Country] = rankedRows(a.countries(), m_settings.topValues);
    snapshot->eventTypes = rankedRows(a.eventTypes(), m_settings.topValues);
    snapshot->gapRanges = QList<GapRange>(a.gapRanges().cbegin(), a.gapRanges().cend());
    snapshot->breakdowns[DashboardSnapshot::Referrer] = rankedRows(a.referrers(), m_settings.topValues);
    snapshot->breakdowns[DashboardSnapshot::Device] = rankedRows(a.devices(), m_settings.topValues);
    snapshot->breakdowns[DashboardSnapshot::Browser] = rankedRows(a.browsers(), m_settings.topValues);
    if (takeNewEvents) {
        snapshot->newEvents = std::exchange(m_newEvents, {});
        snapshot->eventsNotShown = std::exchange(m_eventsNotShown, 0);
        if (m_log && (m_xrayDue || m_streamOver != m_xrayOver || now - m_xrayAtMs >= ClickPipeline::kXrayEveryMs)) {
            snapshot->xray = makeXray(m_streamOver);
            m_xrayDue = false;
            m_xrayOver = m_streamOver;
            m_xrayAtMs = now;
        } else if (!m_log) {
            snapshot->xray = std::exchange(m_lastXrayOfDropped, nullptr);
        }
    }
    snapshot->replay = replayPosition();
    if (m_recorder)
        snapshot->recording = RecordingProgress{m_recordingPath, m_recorder->fileBytes(), m_recorder->elapsedMs()};
    snapshot->latencyCount = a.latency().count();
    if (snapshot->latencyCount > 0) {
        snapshot->latencyP50 = a.latency().percentile(50);
        snapshot->latencyP99 = a.latency().percentile(99);
    }
    return snapshot;
}

}   // namespace Clickscope

#include "clickpipeline.moc"

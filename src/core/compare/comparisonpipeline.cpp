// SPDX-License-Identifier: MIT
#include "core/compare/comparisonpipeline.h"

#include "core/compare/streamcomparison.h"
#include "core/model/aggregatorfeed.h"
#include "core/model/clickaggregator.h"
#include "core/source/sourcefactory.h"

#include <QTimer>

#include <algorithm>

namespace Clickscope {

// The worker side: both streams and what is made of them, in the pipeline's thread.
class ComparisonWorker : public QObject
{
    Q_OBJECT
public:
    ComparisonWorker() : m_tick(this)   // a child, so moveToThread() takes the timer along
    {
        connect(&m_tick, &QTimer::timeout, this, &ComparisonWorker::publish);
    }

    void start(quint64 serial, const std::array<SourceConfig, 2> &configs, const FieldMapping &mapping,
               const EventMatcher::Settings &matching)
    {
        stop();
        m_serial = serial;
        for (std::size_t i = 0; i < 2; ++i) {
            Stream &stream = m_streams[i];
            stream.source = createSource(configs[i]);
            stream.aggregator = std::make_unique<ClickAggregator>(ClickAggregator::Settings{}, mapping);
            stream.aggregator->setStreamLink(ClickAggregator::linkNamedBy(configs[i].url));
            stream.feed = std::make_unique<AggregatorFeed>(*stream.source, *stream.aggregator);
            stream.error.clear();
            connect(stream.source.get(), &StreamSource::failed, this,
                    [&stream](StreamSource::Error, const QString &message) { stream.error = message; });
            // A stream that opens again has recovered from what failed it.
            connect(stream.source.get(), &StreamSource::stateChanged, this, [&stream](StreamSource::State state) {
                if (state == StreamSource::State::Open)
                    stream.error.clear();
            });
        }
        m_comparison = std::make_unique<StreamComparison>(*m_streams[0].aggregator, *m_streams[1].aggregator, matching);
        for (Stream &stream : m_streams)
            stream.source->open();
        m_tick.start(1000 / ComparisonPipeline::kSnapshotHz);
        publish();
    }

    void stop()
    {
        if (!m_comparison)
            return;
        m_tick.stop();
        publish();   // the state the streams were let go in
        m_comparison.reset();
        for (Stream &stream : m_streams) {
            stream.feed.reset();
            stream.source.reset();   // closes it
            stream.aggregator.reset();
        }
    }

signals:
    void snapshotReady(quint64 serial, const Clickscope::ComparisonSnapshotPtr &snapshot);

private:
    struct Stream
    {
        std::unique_ptr<StreamSource> source;
        std::unique_ptr<ClickAggregator> aggregator;
        std::unique_ptr<AggregatorFeed> feed;
        QString error;
    };

    void publish()
    {
        auto snapshot = std::make_shared<ComparisonSnapshot>();
        qint64 nowMs = 0;
        for (std::size_t i = 0; i < 2; ++i) {
            Stream &stream = m_streams[i];
            snapshot->urls[i] = stream.source->config().url;
            snapshot->states[i] = stream.source->state();
            snapshot->errors[i] = stream.error;
            const qint64 clockMs = stream.source->clockMs();
            nowMs = std::max(nowMs, clockMs);
            // Up to the last whole second: the current one is still filling and would dip.
            stream.feed->now().clicksPerSecond().copyLast(ComparisonPipeline::kSeriesSeconds, clockMs / 1000 - 1,
                                                          snapshot->clicksPerSecond[i]);
        }
        snapshot->report = m_comparison->report(nowMs, ComparisonPipeline::kTopRows);
        emit snapshotReady(m_serial, snapshot);
    }

    std::array<Stream, 2> m_streams;
    std::unique_ptr<StreamComparison> m_comparison;   // declared after the aggregators it listens to
    QTimer m_tick;
    quint64 m_serial = 0;
};

ComparisonPipeline::ComparisonPipeline(QObject *parent) : QObject(parent), m_worker(new ComparisonWorker)
{
    qRegisterMetaType<ComparisonSnapshotPtr>();
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    // Snapshots of a comparison replaced since are dropped on arrival.
    connect(m_worker, &ComparisonWorker::snapshotReady, this,
            [this](quint64 serial, const ComparisonSnapshotPtr &snapshot) {
                if (serial == m_serial)
                    emit snapshotReady(snapshot);
            });
    m_thread.setObjectName(QStringLiteral("clickscope-compare"));
    m_thread.start();
}

ComparisonPipeline::~ComparisonPipeline()
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->stop(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void ComparisonPipeline::start(const SourceConfig &a, const SourceConfig &b, const FieldMapping &mapping,
                               const EventMatcher::Settings &matching)
{
    const quint64 serial = ++m_serial;
    const std::array<SourceConfig, 2> configs{a, b};
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, serial, configs, mapping, matching] {
        worker->start(serial, configs, mapping, matching);
    });
}

void ComparisonPipeline::stop()
{
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->stop(); });
}

}   // namespace Clickscope

#include "comparisonpipeline.moc"

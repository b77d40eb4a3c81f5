// SPDX-License-Identifier: MIT
#pragma once

#include "core/compare/eventmatcher.h"
#include "core/decode/fieldmapping.h"
#include "core/source/sourceconfig.h"
#include "core/source/streamsource.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QThread>

#include <array>
#include <memory>

namespace Clickscope {

// One moment of two streams compared: what the compare view shows.
struct ComparisonSnapshot
{
    std::array<QUrl, 2> urls;
    std::array<StreamSource::State, 2> states{StreamSource::State::Closed, StreamSource::State::Closed};
    std::array<QString, 2> errors;                  // each stream's latest failure; empty when none
    std::array<QList<double>, 2> clicksPerSecond;   // the last kSeriesSeconds whole seconds, oldest first
    QJsonObject report;                             // StreamComparison::report()
};
using ComparisonSnapshotPtr = std::shared_ptr<const ComparisonSnapshot>;

class ComparisonWorker;   // the worker side, in comparisonpipeline.cpp

// Two streams read, aggregated and compared off the UI thread: both sources, their aggregators
// and the StreamComparison live in one worker thread (a click is paired where it is decoded), and
// the UI thread receives a ComparisonSnapshot kSnapshotHz times a second while a comparison runs.
class ComparisonPipeline : public QObject
{
    Q_OBJECT
public:
    static constexpr int kSnapshotHz = 10;
    static constexpr int kSeriesSeconds = 120;
    static constexpr int kTopRows = 10;

    explicit ComparisonPipeline(QObject *parent = nullptr);
    ~ComparisonPipeline() override;

    // Replaces any comparison running with one of `a` and `b`, from zero.
    void start(const SourceConfig &a, const SourceConfig &b, const FieldMapping &mapping = {},
               const EventMatcher::Settings &matching = {});
    // Lets both streams go; the last snapshot stays what it was.
    void stop();

signals:
    void snapshotReady(const Clickscope::ComparisonSnapshotPtr &snapshot);

private:
    QThread m_thread;
    ComparisonWorker *m_worker;   // lives in m_thread, deleted when it finishes
    quint64 m_serial = 0;         // of the comparison start() asked for last
};

}   // namespace Clickscope

Q_DECLARE_METATYPE(Clickscope::ComparisonSnapshotPtr)

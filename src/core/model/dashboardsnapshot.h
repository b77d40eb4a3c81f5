// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/totals.h"
#include "core/sse/sseevent.h"
#include "core/xray/xraysnapshot.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <QMetaType>
#include <optional>

#include <array>
#include <memory>

namespace Clickscope {

class TopCounter;

// One ranked value of a TopCounter, as a view shows it.
struct RankedRow
{
    QByteArray key;
    quint64 count = 0;
    quint64 error = 0;   // overestimate bound once the counter is approximate
    double share = 0;    // of the counter's total
};

// A raw event for the inspector, detached from its batch's buffer.
struct RawEventRow
{
    SseEvent event;
    qint64 arrivalMs = 0;
    bool comment = false;   // a comment line (a heartbeat, mostly): `event.data()` holds its text
};

// An immutable picture of the aggregator, made by the ingestion side at the display rate and
// handed to the UI thread, which only renders it. Everything is a bounded copy.
// Where a replayed recording stands.
struct ReplayPosition
{
    qint64 positionNs = 0;
    qint64 durationNs = 0;
    double speed = 1;   // 0: as fast as possible
    bool paused = false;
    qint64 targetNs = -1;   // a move under way, played as fast as possible; -1 when none
    bool ended = false;
    friend bool operator==(const ReplayPosition &, const ReplayPosition &) = default;
};

// A recording of the stream under way.
struct RecordingProgress
{
    QString path;
    qint64 fileBytes = 0;
    qint64 elapsedMs = 0;
};

struct DashboardSnapshot
{
    enum Dimension { Country, Referrer, Device, Browser, DimensionCount };

    Totals totals;
    double rateNow = 0;
    double rateAverage = 0;
    quint64 ratePeak = 0;
    qint64 clockMs = 0;              // the stream's time when this was made: a replay's is the recording's
    bool recordedClock = false;      // clockMs is a recording's time (a replay, or one let go), not the wall's
    qint64 newestSecond = 0;         // the second the series ends at: the last complete one
    QList<double> clicksPerSecond;   // oldest → newest, average clicks/s per bucket of the chart's window
    int seriesBucketSeconds = 1;     // aligned to multiples of it; the last bucket ends at newestSecond
    int seriesWindowSeconds = 0;     // the window the series covers (ClickPipeline::setSeriesWindow)
    quint64 generation = 0;          // counts resetStatistics(): older snapshots are never delivered
    qint64 lastByteMs = 0;           // when the stream last sent anything (0: nothing yet)
    QList<RankedRow> topLinks;
    bool topLinksExact = true;
    qsizetype distinctLinks = 0;   // all tracked, not only the ranked rows; a floor once inexact
    std::array<QList<RankedRow>, DimensionCount> breakdowns;
    QList<RankedRow> eventTypes;    // every event by its type, clicks included
    QList<GapRange> gapRanges;      // the latest missing id ranges, oldest first (bounded)
    QList<RawEventRow> newEvents;   // arrived since the previous snapshot (the newest, bounded)
    quint64 eventsNotShown = 0;     // arrived since the previous snapshot but beyond that bound
    quint64 latencyCount = 0;
    double latencyP50 = 0;
    double latencyP99 = 0;
    // The stream's X-ray when it changed (at most once a second while nothing happens to the
    // connection); null when it did not: the previous one still holds.
    XraySnapshotPtr xray;
    std::optional<ReplayPosition> replay;         // the stream is a recording
    std::optional<RecordingProgress> recording;   // the stream is being recorded
};

using DashboardSnapshotPtr = std::shared_ptr<const DashboardSnapshot>;

// Ranked rows of a counter, at most `n`.
QList<RankedRow> rankedRows(const TopCounter &counter, qsizetype n);

}   // namespace Clickscope

Q_DECLARE_METATYPE(Clickscope::DashboardSnapshotPtr)

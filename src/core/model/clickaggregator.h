// SPDX-License-Identifier: MIT
#pragma once

#include "core/decode/clickdecoder.h"
#include "core/decode/fieldmapping.h"
#include "core/model/breakdowns.h"
#include "core/model/latencyhistogram.h"
#include "core/model/timeseriesring.h"
#include "core/model/topcounter.h"
#include "core/model/totals.h"
#include "core/sse/ssebatch.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QUrl>

#include <deque>
#include <functional>

namespace Clickscope {

// Everything a person watches about a click stream, in memory that does not grow with time or
// rate: totals, clicks per second over a sliding window of 1-second buckets, top links and
// breakdowns (exact up to a bound, then Space-Saving), arrival latency, gaps in sequence ids.
// Fed with batches of raw events, which it decodes itself. Not thread-safe: one owner feeds it.
class ClickAggregator
{
public:
    struct Settings
    {
        int windowSeconds = 3600;       // up to 24 h
        qsizetype maxLinks = 100'000;   // exact below, approximate above
        qsizetype maxDimensionValues = 10'000;
        qsizetype maxEventTypes = 100;
        qsizetype keptUndecodable = 20;   // the last few, for the inspector
        // Same results either way; the benchmark sets DomOnly to show what the fast path saves.
        ClickDecoder::JsonPath jsonPath = ClickDecoder::JsonPath::FlatFirst;
    };

    using Totals = Clickscope::Totals;

    // Links are cut to this: it keeps the 100,000-link bound near 60 MB at worst.
    static constexpr qsizetype kMaxLinkKeyBytes = 512;
    // Missing id ranges kept for the window to locate; the count of gaps is in the totals.
    static constexpr qsizetype kKeptGapRanges = 100;

    struct Undecodable
    {
        QByteArray type;
        QByteArray data;   // cut to a few KiB
        QString error;
        qint64 arrivalMs = 0;
    };

    ClickAggregator() : ClickAggregator(Settings{}) {}
    explicit ClickAggregator(Settings settings, FieldMapping mapping = {});

    // Decodes and counts a batch that arrived at `arrivalMs` (ms since the epoch).
    void addEvents(const SseBatch &events, qint64 arrivalMs);
    void addBytes(quint64 n) { m_totals.bytes += n; }
    void addReconnect()
    {
        ++m_totals.reconnects;
        m_reconnectedSinceClick = true;
    }
    void addDiscarded(quint64 n) { m_totals.discarded += n; }
    // The link a snapshot stream counts when its snapshots name none: such a stream is one link's
    // counter, and its URL says which (see linkNamedBy()).
    void setStreamLink(QByteArray link) { m_streamLink = std::move(link); }
    const QByteArray &streamLink() const { return m_streamLink; }
    // The link a stream at `url` is about, when its path says so: a realtime (per-link snapshot)
    // endpoint ".../realtime/<code>" is about "/<code>". Empty for any other stream, whose
    // snapshots (a whole hub's, say) belong to no one link.
    static QByteArray linkNamedBy(const QUrl &url);
    // Told of every click decoded, with the event it came from (a comparison matches them); the
    // views are valid during the call only.
    using ClickObserver = std::function<void(SseEventView event, const ClickView &click, qint64 arrivalMs)>;
    void setClickObserver(ClickObserver observer) { m_clickObserver = std::move(observer); }
    // Brings the rate meter up to `nowMs` (call about once a second, or before reading rates).
    void advanceTo(qint64 nowMs);
    void reset();

    const Totals &totals() const { return m_totals; }
    const TopCounter &links() const { return m_links; }
    const TopCounter &countries() const { return m_breakdowns.countries; }
    const TopCounter &referrers() const { return m_breakdowns.referrers; }
    const TopCounter &devices() const { return m_breakdowns.devices; }
    const TopCounter &browsers() const { return m_breakdowns.browsers; }
    const TopCounter &eventTypes() const { return m_eventTypes; }
    // The latest kKeptGapRanges ranges of missing ids, oldest first.
    const std::deque<GapRange> &gapRanges() const { return m_gapRanges; }
    const TimeSeriesRing &clicksPerSecond() const { return m_series; }
    const RateMeter &rate() const { return m_rate; }
    const LatencyHistogram &latency() const { return m_latency; }
    const std::deque<Undecodable> &lastUndecodable() const { return m_undecodable; }
    const Settings &settings() const { return m_settings; }
    const FieldMapping &mapping() const { return m_decoder.mapping(); }

    // The state as one JSON document (what `clickscope-cli watch --json` prints).
    QJsonObject report(int topN = 10) const;

private:
    QJsonObject breakdownsJson(int topN) const;
    void countClick(const ClickView &click, qint64 arrivalMs);
    // Links, breakdowns, latency and gaps: what a click tells beyond "one more".
    void countDimensions(const ClickView &click, qint64 arrivalMs, bool countLink = true);
    // Ids firstMissing … lastMissing never arrived: counted, and the range kept.
    void countGap(qint64 firstMissing, qint64 lastMissing, qint64 arrivalMs);
    void countSnapshot(const SnapshotView &snapshot, QByteArrayView eventId, qint64 arrivalMs);
    // A snapshot right after a reconnection, in a stream whose event ids are its clicks' ids, is
    // where the server resumed us when it could not replay, and its event id, `at`, is where its
    // numbering stands now.
    void resumeAtSnapshot(qint64 at, qint64 count, qint64 arrivalMs);
    void keepUndecodable(SseEventView event, qint64 arrivalMs);

    Settings m_settings;
    ClickDecoder m_decoder;
    Totals m_totals;
    TopCounter m_links;
    Breakdowns m_breakdowns;
    TopCounter m_eventTypes;
    TimeSeriesRing m_series;
    RateMeter m_rate;
    LatencyHistogram m_latency;
    std::deque<Undecodable> m_undecodable;
    std::deque<GapRange> m_gapRanges;
    qint64 m_lastSequence = ClickView::kNoSequence;
    qint64 m_highestSequence = ClickView::kNoSequence;
    bool m_reconnectedSinceClick = false;   // no numbered click since the last reconnection
    bool m_replaying = false;               // repeated ids that began right after a reconnection
    bool m_eventIdsAreSequence = false;     // the last numbered click's event id was its id
    qint64 m_lastSnapshotCount = -1;
    QByteArray m_streamLink;
    ClickObserver m_clickObserver;
};

}   // namespace Clickscope

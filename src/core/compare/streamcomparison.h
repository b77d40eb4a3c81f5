// SPDX-License-Identifier: MIT
#pragma once

#include "core/compare/eventmatcher.h"
#include "core/model/clickaggregator.h"

#include <QJsonObject>

#include <array>

namespace Clickscope {

// Two streams that should agree, side by side: their clicks and the difference, the clicks each
// has that the other lacks with the lag between the pairs (EventMatcher), and the links and
// breakdown values whose counts differ most. Counted are the clicks a stream delivered once the
// other had begun, and earlier ones the other delivered too, so two streams that agree come out
// equal however far apart they connected (what each delivered in all is in its aggregator). When either stream sends snapshots (current totals,
// not one event per click) there are no events to pair, so counts alone are compared: the clicks
// each saw happen (a snapshot stream's history left out), for a snapshot stream's own link.
//
// Listens to both aggregators' clicks from construction to destruction: it must not outlive them.
class StreamComparison
{
public:
    StreamComparison(ClickAggregator &a, ClickAggregator &b, EventMatcher::Settings settings = {});
    ~StreamComparison();
    StreamComparison(const StreamComparison &) = delete;
    StreamComparison &operator=(const StreamComparison &) = delete;

    // A snapshot stream on either side: counts are compared, clicks are not paired.
    bool countsOnly() const;

    // The clicks side 0 or 1 saw happen, as compared: in counts mode a snapshot stream's history is
    // left out and a per-click stream counts only the snapshot stream's link.
    qint64 seenClicks(int side) const;

    // Everything above as one JSON document, at `nowMs` on the streams' clock; `topN` rows per list.
    QJsonObject report(qint64 nowMs, int topN = 10) const;

    const EventMatcher &matcher() const { return m_matcher; }

private:
    // What a side delivered that the comparison counts (see EventMatcher::Comparable).
    struct Counts
    {
        explicit Counts(const ClickAggregator::Settings &settings);
        void add(const ClickView &click);

        quint64 clicks = 0;
        TopCounter links;
        Breakdowns breakdowns;
    };

    void observe(int side, SseEventView event, const ClickView &click, qint64 arrivalMs);
    QJsonObject countsReport() const;

    ClickAggregator &m_a;
    ClickAggregator &m_b;
    EventMatcher m_matcher;
    std::array<Counts, 2> m_counts;
    // Against a snapshot stream: the clicks each per-click side delivered once the other side's
    // first snapshot (its history) had come, of that stream's link when it names one.
    std::array<quint64, 2> m_sinceOtherSnapshot{};
};

}   // namespace Clickscope

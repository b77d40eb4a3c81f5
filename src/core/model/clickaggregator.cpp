// SPDX-License-Identifier: MIT
#include "core/model/clickaggregator.h"

#include "core/text/ascii.h"

#include <QJsonArray>

#include <algorithm>
#include <charconv>
#include <optional>

namespace Clickscope {
namespace {

constexpr qsizetype kKeptUndecodableBytes = 4096;

// An event id that is a sequence number: up to 15 digits (below 2^53, as click ids are read).
std::optional<qint64> wholeNumber(QByteArrayView id)
{
    const std::string_view text(id.data(), std::size_t(id.size()));
    if (text.size() > 15 || !Ascii::isDigits(text))
        return std::nullopt;
    qint64 value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

QJsonArray ranked(const TopCounter &counter, int n, const QString &keyName)
{
    QJsonArray out;
    const quint64 total = counter.total();
    for (const TopCounter::Entry &e : counter.top(n)) {
        QJsonObject row{{keyName, QString::fromUtf8(e.key)},
                        {QStringLiteral("count"), qint64(e.count)},
                        {QStringLiteral("share"), total ? double(e.count) / double(total) : 0.0}};
        if (e.error > 0)
            row.insert(QStringLiteral("error"), qint64(e.error));
        out.append(row);
    }
    return out;
}

}   // namespace

ClickAggregator::ClickAggregator(Settings settings, FieldMapping mapping)
    : m_settings(settings)
    , m_decoder(std::move(mapping), settings.jsonPath)
    , m_links(settings.maxLinks, kMaxLinkKeyBytes)
    , m_breakdowns(settings.maxDimensionValues)
    , m_eventTypes(settings.maxEventTypes)
    , m_series(settings.windowSeconds)
{}

void ClickAggregator::reset()
{
    m_totals = {};
    m_links.clear();
    m_breakdowns.clear();
    m_eventTypes.clear();
    m_series.clear();
    m_rate.reset();
    m_latency.clear();
    m_undecodable.clear();
    m_gapRanges.clear();
    m_lastSequence = ClickView::kNoSequence;
    m_highestSequence = ClickView::kNoSequence;
    m_reconnectedSinceClick = false;
    m_replaying = false;
    m_eventIdsAreSequence = false;
    m_lastSnapshotCount = -1;
}

void ClickAggregator::addEvents(const SseBatch &events, qint64 arrivalMs)
{
    ClickView click;
    SnapshotView snapshot;
    // Whether the stream's event ids are its clicks' ids is learnt from the last numbered click
    // of each batch (and before a snapshot): once a batch, not once a click.
    std::optional<SseEventView> lastNumbered;
    qint64 lastSequence = ClickView::kNoSequence;
    const auto learnIds = [&] {
        if (lastNumbered)
            m_eventIdsAreSequence = wholeNumber(lastNumbered->lastEventId()) == lastSequence;
        lastNumbered.reset();
    };
    // Events come in runs of one type (a click stream is all "click"): the type counter takes one
    // add of the run's length instead of one per event, which counts exactly the same.
    QByteArrayView runType;
    quint64 runLength = 0;
    const auto countRun = [&] {
        if (runLength > 0)
            m_eventTypes.add(runType, runLength);
        runLength = 0;
    };
    for (const SseEventView event : events) {
        ++m_totals.events;
        if (runLength > 0 && event.type() != runType)
            countRun();
        runType = event.type();
        ++runLength;
        switch (m_decoder.decode(event.type(), event.data(), click, snapshot)) {
        case DecodeResult::Click:
            countClick(click, arrivalMs);
            if (click.sequence != ClickView::kNoSequence) {
                lastNumbered = event;
                lastSequence = click.sequence;
            }
            if (m_clickObserver)
                m_clickObserver(event, click, arrivalMs);
            break;
        case DecodeResult::Snapshot:
            learnIds();
            countSnapshot(snapshot, event.lastEventId(), arrivalMs);
            break;
        case DecodeResult::NotClick:
            ++m_totals.otherEvents;
            break;
        case DecodeResult::Undecodable:
            ++m_totals.undecodable;
            keepUndecodable(event, arrivalMs);
            break;
        }
    }
    countRun();
    learnIds();
}

void ClickAggregator::countClick(const ClickView &click, qint64 arrivalMs)
{
    ++m_totals.clicks;
    m_series.add(arrivalMs / 1000);
    countDimensions(click, arrivalMs);
}

void ClickAggregator::countDimensions(const ClickView &click, qint64 arrivalMs, bool countLink)
{
    if (countLink)
        m_links.add(click.link);
    m_breakdowns.add(click);
    if (click.timestampMs != ClickView::kNoTime)
        m_latency.add(double(arrivalMs - click.timestampMs));
    if (click.sequence != ClickView::kNoSequence) {
        // Ids that jump ahead left clicks out; ids that go back mean a replay or a restart.
        if (m_lastSequence != ClickView::kNoSequence && click.sequence > m_lastSequence + 1)
            countGap(m_lastSequence + 1, click.sequence - 1, arrivalMs);
        m_lastSequence = click.sequence;
        // An id seen before is counted, never silently: a replay when it came with a
        // reconnection (a server that resumes from the start, or was not told where to resume),
        // a true duplicate otherwise.
        if (m_highestSequence != ClickView::kNoSequence && click.sequence <= m_highestSequence) {
            ++m_totals.duplicates;
            m_replaying = m_replaying || m_reconnectedSinceClick;
            if (m_replaying)
                ++m_totals.replayed;
        } else {
            m_replaying = false;
            m_highestSequence = click.sequence;
        }
        m_reconnectedSinceClick = false;
    }
}

void ClickAggregator::countGap(qint64 firstMissing, qint64 lastMissing, qint64 arrivalMs)
{
    m_totals.gaps += quint64(lastMissing - firstMissing + 1);
    if (qsizetype(m_gapRanges.size()) >= kKeptGapRanges)
        m_gapRanges.pop_front();
    m_gapRanges.push_back({firstMissing, lastMissing, arrivalMs});
}

void ClickAggregator::countSnapshot(const SnapshotView &snapshot, QByteArrayView eventId, qint64 arrivalMs)
{
    ++m_totals.snapshots;
    const qint64 count = snapshot.clickCount;
    if (m_highestSequence != ClickView::kNoSequence && m_reconnectedSinceClick && m_eventIdsAreSequence) {
        if (const std::optional<qint64> at = wholeNumber(eventId)) {
            resumeAtSnapshot(*at, count, arrivalMs);
            return;
        }
    }
    quint64 newClicks = 0;
    if (m_lastSnapshotCount < 0) {
        // The first snapshot is history: it sets the total but did not happen "now".
        m_totals.clicks += quint64(count);
        m_totals.historyClicks = quint64(count);
    } else if (count >= m_lastSnapshotCount) {
        newClicks = quint64(count - m_lastSnapshotCount);
    } else {
        // A counter that goes backwards was reset (a restarted server): what it says now is new.
        ++m_totals.counterResets;
        newClicks = quint64(count);
    }
    m_lastSnapshotCount = count;
    if (newClicks > 0) {
        m_totals.clicks += newClicks;
        m_series.add(arrivalMs / 1000, newClicks);
    }
    const bool first = m_totals.snapshots == 1;
    // A snapshot about the stream's own link (it names that one, or none) counts every click it
    // reports for it; one about another link says only that its last click was there.
    const QByteArrayView named = snapshot.hasLastClick ? QByteArrayView(snapshot.lastClick.link) : QByteArrayView();
    const bool ownLink = !m_streamLink.isEmpty() && (named.isEmpty() || named == m_streamLink);
    const quint64 counted = first ? quint64(count) : newClicks;
    if (ownLink && counted > 0)
        m_links.add(m_streamLink, counted);
    // The last click is all that is known of what changed: it feeds the breakdowns once.
    if (snapshot.hasLastClick && (newClicks > 0 || first)) {
        ClickView last = snapshot.lastClick;
        last.sequence = ClickView::kNoSequence;   // a snapshot's click id says nothing about gaps
        countDimensions(last, arrivalMs, /*countLink=*/!ownLink);
    }
}

void ClickAggregator::resumeAtSnapshot(qint64 at, qint64 count, qint64 arrivalMs)
{
    m_lastSnapshotCount = count;
    if (at < m_highestSequence) {
        // The server numbers from the start again: it restarted. What it counted since is new to
        // us (clicks from while we were away, as a first snapshot's are), and the ids that follow
        // repeat none of ours.
        ++m_totals.counterResets;
        m_totals.clicks += quint64(count);
        m_totals.historyClicks += quint64(count);
    } else if (at > m_highestSequence) {
        // Numbered, never delivered: the server could not replay that far back. Its count holds
        // what we counted already, so it adds nothing.
        countGap(m_highestSequence + 1, at, arrivalMs);
    }
    m_lastSequence = m_highestSequence = at;
    m_reconnectedSinceClick = false;
    m_replaying = false;
}

QByteArray ClickAggregator::linkNamedBy(const QUrl &url)
{
    const QStringList segments = url.path(QUrl::FullyEncoded).split(u'/', Qt::SkipEmptyParts);
    if (segments.size() < 2 || segments.at(segments.size() - 2) != u"realtime")
        return {};
    return '/' + segments.last().toUtf8();
}

void ClickAggregator::keepUndecodable(SseEventView event, qint64 arrivalMs)
{
    if (m_settings.keptUndecodable <= 0)
        return;
    if (qsizetype(m_undecodable.size()) >= m_settings.keptUndecodable)
        m_undecodable.pop_front();
    const QByteArrayView data = event.data();
    m_undecodable.push_back({event.type().toByteArray(),
                             data.first(std::min(data.size(), kKeptUndecodableBytes)).toByteArray(),
                             m_decoder.lastError(), arrivalMs});
}

void ClickAggregator::advanceTo(qint64 nowMs) { m_rate.tick(m_series, nowMs / 1000); }

QJsonObject ClickAggregator::breakdownsJson(int topN) const
{
    QJsonObject out;
    for (std::size_t i = 0; i < Breakdowns::kNames.size(); ++i)
        out.insert(QLatin1String(Breakdowns::kNames[i]), ranked(m_breakdowns.at(i), topN, QStringLiteral("value")));
    return out;
}

QJsonObject ClickAggregator::report(int topN) const
{
    const Totals &t = m_totals;
    QJsonObject report{
        {QStringLiteral("totals"), QJsonObject{{QStringLiteral("clicks"), qint64(t.clicks)},
                                               {QStringLiteral("historyClicks"), qint64(t.historyClicks)},
                                               {QStringLiteral("events"), qint64(t.events)},
                                               {QStringLiteral("undecodable"), qint64(t.undecodable)},
                                               {QStringLiteral("otherEvents"), qint64(t.otherEvents)},
                                               {QStringLiteral("snapshots"), qint64(t.snapshots)},
                                               {QStringLiteral("bytes"), qint64(t.bytes)},
                                               {QStringLiteral("reconnects"), qint64(t.reconnects)},
                                               {QStringLiteral("discarded"), qint64(t.discarded)},
                                               {QStringLiteral("gaps"), qint64(t.gaps)},
                                               {QStringLiteral("duplicates"), qint64(t.duplicates)},
                                               {QStringLiteral("replayed"), qint64(t.replayed)},
                                               {QStringLiteral("counterResets"), qint64(t.counterResets)},
                                               {QStringLiteral("distinctLinks"), qint64(m_links.size())}}},
        {QStringLiteral("rate"), QJsonObject{{QStringLiteral("now"), m_rate.smoothedRate()},
                                             {QStringLiteral("lastSecond"), qint64(m_rate.lastSecondRate())},
                                             {QStringLiteral("peak"), qint64(m_rate.peakRate())},
                                             {QStringLiteral("average"), m_rate.averageRate()}}},
        {QStringLiteral("topLinks"), ranked(m_links, topN, QStringLiteral("link"))},
        {QStringLiteral("topLinksExact"), m_links.isExact()},
        {QStringLiteral("breakdowns"), breakdownsJson(topN)},
        {QStringLiteral("eventTypes"), ranked(m_eventTypes, topN, QStringLiteral("type"))},
    };
    if (!m_gapRanges.empty()) {
        // The latest topN, newest first, as the ranked lists are.
        QJsonArray gaps;
        for (auto it = m_gapRanges.crbegin(); it != m_gapRanges.crend() && gaps.size() < topN; ++it)
            gaps.append(QJsonObject{{QStringLiteral("firstMissing"), it->firstMissing},
                                    {QStringLiteral("lastMissing"), it->lastMissing},
                                    {QStringLiteral("arrivalMs"), it->arrivalMs}});
        report.insert(QStringLiteral("missingIds"), gaps);
    }
    if (m_latency.count() > 0) {
        report.insert(QStringLiteral("latencyMs"), QJsonObject{{QStringLiteral("count"), qint64(m_latency.count())},
                                                               {QStringLiteral("p50"), m_latency.percentile(50)},
                                                               {QStringLiteral("p99"), m_latency.percentile(99)},
                                                               {QStringLiteral("max"), m_latency.max()}});
    }
    return report;
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/compare/streamcomparison.h"

#include <QJsonArray>

#include <algorithm>
#include <cstdlib>

namespace Clickscope {
namespace {

// The keys of both counters' largest entries (enough that any large difference is among them).
constexpr qsizetype kCandidates = 200;

QJsonArray differences(const TopCounter &a, const TopCounter &b, int topN, const QString &keyName)
{
    struct Row
    {
        QByteArray key;
        qint64 a, b;
    };
    std::vector<Row> rows;
    const auto countIn = [](const TopCounter &counter, const QByteArray &key) {
        const auto entry = counter.find(key);
        return entry ? qint64(entry->count) : 0;
    };
    for (const TopCounter *counter : {&a, &b}) {
        for (const TopCounter::Entry &e : counter->top(kCandidates)) {
            if (std::any_of(rows.begin(), rows.end(), [&e](const Row &r) { return r.key == e.key; }))
                continue;
            const qint64 inA = countIn(a, e.key), inB = countIn(b, e.key);
            if (inA != inB)
                rows.push_back({e.key, inA, inB});
        }
    }
    std::sort(rows.begin(), rows.end(), [](const Row &x, const Row &y) {
        const qint64 dx = std::abs(x.a - x.b), dy = std::abs(y.a - y.b);
        return dx != dy ? dx > dy : x.key < y.key;
    });
    QJsonArray out;
    for (const Row &r : rows) {
        if (out.size() >= topN)
            break;
        out.append(QJsonObject{{keyName, QString::fromUtf8(r.key)},
                               {QStringLiteral("a"), r.a},
                               {QStringLiteral("b"), r.b},
                               {QStringLiteral("difference"), r.a - r.b}});
    }
    return out;
}

QJsonObject unmatchedJson(const EventMatcher::Side &side)
{
    QJsonArray examples;
    for (const std::string &key : side.missingExamples)
        examples.append(QString::fromUtf8(key.data(), qsizetype(key.size())));
    return QJsonObject{{QStringLiteral("clicks"), qint64(side.clicks)},
                       {QStringLiteral("missingInOther"), qint64(side.unmatched.missing)},
                       {QStringLiteral("notYetInOther"), qint64(side.unmatched.pending)},
                       {QStringLiteral("beforeOtherStarted"), qint64(side.unmatched.beforeOtherStarted)},
                       {QStringLiteral("outOfWindow"), qint64(side.outOfWindow)},
                       {QStringLiteral("unkeyed"), qint64(side.unkeyed)},
                       {QStringLiteral("duplicates"), qint64(side.duplicates)},
                       {QStringLiteral("missingExamples"), examples}};
}

}   // namespace

StreamComparison::Counts::Counts(const ClickAggregator::Settings &settings)
    : links(settings.maxLinks, ClickAggregator::kMaxLinkKeyBytes)
    , breakdowns(settings.maxDimensionValues)
{}

void StreamComparison::Counts::add(const ClickView &click)
{
    ++clicks;
    links.add(click.link);
    breakdowns.add(click);
}

StreamComparison::StreamComparison(ClickAggregator &a, ClickAggregator &b, EventMatcher::Settings settings)
    : m_a(a)
    , m_b(b)
    , m_matcher(settings)
    , m_counts{Counts(a.settings()), Counts(b.settings())}
{
    m_a.setClickObserver(
        [this](SseEventView event, const ClickView &click, qint64 arrivalMs) { observe(0, event, click, arrivalMs); });
    m_b.setClickObserver(
        [this](SseEventView event, const ClickView &click, qint64 arrivalMs) { observe(1, event, click, arrivalMs); });
}

void StreamComparison::observe(int side, SseEventView event, const ClickView &click, qint64 arrivalMs)
{
    const ClickAggregator &other = side == 0 ? m_b : m_a;
    if (other.totals().snapshots > 0 && (other.streamLink().isEmpty() || click.link == other.streamLink()))
        ++m_sinceOtherSnapshot[std::size_t(side)];
    const EventMatcher::Comparable comparable = m_matcher.add(side, event.lastEventId(), click, arrivalMs);
    // A partner is the same click by its key: what this one says of it stands for both.
    if (comparable.thisClick)
        m_counts[std::size_t(side)].add(click);
    if (comparable.partner)
        m_counts[std::size_t(1 - side)].add(click);
}

StreamComparison::~StreamComparison()
{
    m_a.setClickObserver({});
    m_b.setClickObserver({});
}

bool StreamComparison::countsOnly() const { return m_a.totals().snapshots > 0 || m_b.totals().snapshots > 0; }

qint64 StreamComparison::seenClicks(int side) const
{
    // Snapshots report a history (what the first one said) beside the clicks seen happening; only
    // the latter compare with another stream's, and a per-click stream's clicks only from the
    // same moment on (and of the snapshot stream's link alone, when it names one).
    const ClickAggregator &mine = side == 0 ? m_a : m_b;
    if (!countsOnly())
        return qint64(m_counts[std::size_t(side & 1)].clicks);
    if (mine.totals().snapshots > 0)
        return qint64(mine.totals().clicks - mine.totals().historyClicks);
    return qint64(m_sinceOtherSnapshot[std::size_t(side & 1)]);
}

QJsonObject StreamComparison::countsReport() const
{
    const qint64 a = seenClicks(0), b = seenClicks(1);
    QJsonObject out{
        {QStringLiteral("mode"), QStringLiteral("counts")},
        {QStringLiteral("why"), QStringLiteral("a snapshot stream sends totals, not one event per click: counts "
                                               "are compared, not events")},
        {QStringLiteral("clicks"),
         QJsonObject{{QStringLiteral("a"), a}, {QStringLiteral("b"), b}, {QStringLiteral("difference"), a - b}}},
        {QStringLiteral("history"), QJsonObject{{QStringLiteral("a"), qint64(m_a.totals().historyClicks)},
                                                {QStringLiteral("b"), qint64(m_b.totals().historyClicks)}}},
    };
    const QByteArray &link = m_a.streamLink().isEmpty() ? m_b.streamLink() : m_a.streamLink();
    if (!link.isEmpty())
        out.insert(QStringLiteral("link"), QString::fromUtf8(link));
    return out;
}

QJsonObject StreamComparison::report(qint64 nowMs, int topN) const
{
    if (countsOnly())
        return countsReport();
    const qint64 clicksA = seenClicks(0), clicksB = seenClicks(1);
    const Counts &a = m_counts[0], &b = m_counts[1];
    QJsonObject out{
        {QStringLiteral("mode"), QStringLiteral("events")},
        {QStringLiteral("clicks"), QJsonObject{{QStringLiteral("a"), clicksA},
                                               {QStringLiteral("b"), clicksB},
                                               {QStringLiteral("difference"), clicksA - clicksB}}},
        {QStringLiteral("delivered"), QJsonObject{{QStringLiteral("a"), qint64(m_a.totals().clicks)},
                                                  {QStringLiteral("b"), qint64(m_b.totals().clicks)}}},
        {QStringLiteral("linkDifferences"), differences(a.links, b.links, topN, QStringLiteral("link"))},
        {QStringLiteral("countsExact"), a.links.isExact() && b.links.isExact()},
    };
    QJsonObject breakdownDifferences;
    for (std::size_t i = 0; i < Breakdowns::kNames.size(); ++i)
        breakdownDifferences.insert(QLatin1String(Breakdowns::kNames[i]),
                                    differences(a.breakdowns.at(i), b.breakdowns.at(i), topN, QStringLiteral("value")));
    out.insert(QStringLiteral("breakdownDifferences"), breakdownDifferences);
    const EventMatcher::Summary s = m_matcher.summary(nowMs);
    QJsonObject matching{{QStringLiteral("key"), EventMatcher::keyName(m_matcher.settings().key)},
                         {QStringLiteral("window"), qint64(m_matcher.settings().window)},
                         {QStringLiteral("settleMs"), m_matcher.settings().settleMs},
                         {QStringLiteral("matched"), qint64(s.matched)},
                         {QStringLiteral("a"), unmatchedJson(s.sides[0])},
                         {QStringLiteral("b"), unmatchedJson(s.sides[1])}};
    if (s.lagMedianMs) {
        matching.insert(QStringLiteral("lagMs"), QJsonObject{{QStringLiteral("median"), *s.lagMedianMs},
                                                             {QStringLiteral("p10"), *s.lagP10Ms},
                                                             {QStringLiteral("p90"), *s.lagP90Ms},
                                                             {QStringLiteral("pairs"), qint64(s.lagSamples)}});
    }
    out.insert(QStringLiteral("matching"), matching);
    return out;
}

}   // namespace Clickscope

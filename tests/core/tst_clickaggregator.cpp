// SPDX-License-Identifier: MIT
#include "core/model/clickaggregator.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

#include <map>

using namespace Clickscope;

namespace {

constexpr qint64 kT0 = 1'795'400'000'000;   // ms since the epoch, a second boundary

SseEvent click(qint64 id, const QByteArray &link, const QByteArray &country, qint64 ts = -1)
{
    QByteArray json = "{\"id\":" + QByteArray::number(id) + ",\"link\":\"" + link + "\",\"country\":\"" + country
                      + "\",\"device\":\"mobile\",\"referrer\":\"https://news.ycombinator.com/item?id=1\"";
    if (ts >= 0)
        json += ",\"ts\":" + QByteArray::number(ts);
    json += "}";
    return SseEvent("click", QByteArray::number(id), json);
}

SseEvent realtime(qint64 count, const QByteArray &country)
{
    return SseEvent("message", {},
                    "{\"clickCount\":" + QByteArray::number(count)
                        + ",\"clickAnalytics\":{\"link\":\"/abc\",\"country\":\"" + country + "\"}}");
}

// Events as one batch, as a source delivers them.
void add(ClickAggregator &aggregator, const QList<SseEvent> &events, qint64 arrivalMs)
{
    aggregator.addEvents(SseBatch::fromEvents(events), arrivalMs);
}

}   // namespace

class TestClickAggregator : public QObject
{
    Q_OBJECT

private slots:
    void totalsAndBreakdownsAreExact();
    void snapshotsGiveTotalsAndResets();
    void aSnapshotStreamCountsForTheLinkItsUrlNames();
    void gapsInIdsAreCounted();
    void repeatedIdsAreCountedByCause();
    void aSnapshotAmongNumberedClicksIsWhereTheServerResumed();
    void nonClickStreamsAreCountedByType();
    void undecodableIsCountedAndKeptBounded();
    void latencyFromTimestamps();
    void ratesFromTheRing();
    void manyDistinctLinksStayBounded();
    void reportHasEverySection();
    void resetForgetsEverything();
};

void TestClickAggregator::totalsAndBreakdownsAreExact()
{
    ClickAggregator aggregator;
    QRandomGenerator random(42);
    std::map<QByteArray, quint64> links;
    std::map<QByteArray, quint64> countries;
    const QList<QByteArray> countryPool{"US", "DE", "FR", "JP", "BR"};
    QList<SseEvent> batch;
    for (int i = 1; i <= 20'000; ++i) {
        const QByteArray link = "/l" + QByteArray::number(random.bounded(300));
        const QByteArray country = countryPool[random.bounded(countryPool.size())];
        ++links[link];
        ++countries[country];
        batch.append(click(i, link, country));
        if (batch.size() == 500) {
            add(aggregator, batch, kT0 + i);
            batch.clear();
        }
    }
    add(aggregator, batch, kT0 + 20'000);
    QCOMPARE(aggregator.totals().clicks, quint64(20'000));
    QCOMPARE(aggregator.totals().events, quint64(20'000));
    QCOMPARE(aggregator.totals().gaps, quint64(0));
    QVERIFY(aggregator.links().isExact());
    for (const auto &[link, count] : links)
        QCOMPARE(aggregator.links().find(link)->count, count);
    for (const auto &[country, count] : countries)
        QCOMPARE(aggregator.countries().find(country)->count, count);
    QCOMPARE(aggregator.referrers().top(1).first().key, QByteArray("news.ycombinator.com"));
    QCOMPARE(aggregator.devices().top(1).first().count, quint64(20'000));
}

void TestClickAggregator::snapshotsGiveTotalsAndResets()
{
    ClickAggregator aggregator;
    add(aggregator, {realtime(5, "SE")}, kT0);   // history: the total, not a rate
    QCOMPARE(aggregator.totals().clicks, quint64(5));
    QCOMPARE(aggregator.clicksPerSecond().total(), quint64(0));
    add(aggregator, {realtime(6, "SE")}, kT0 + 1000);   // one new click
    add(aggregator, {realtime(8, "NO")}, kT0 + 2000);   // two more
    add(aggregator, {realtime(2, "DK")}, kT0 + 3000);   // the counter went back: a reset
    QCOMPARE(aggregator.totals().clicks, quint64(5 + 1 + 2 + 2));
    QCOMPARE(aggregator.totals().counterResets, quint64(1));
    QCOMPARE(aggregator.totals().snapshots, quint64(4));
    QCOMPARE(aggregator.clicksPerSecond().at(kT0 / 1000 + 2), quint64(2));
    // The last click of each snapshot that changed something fed the breakdowns.
    QCOMPARE(aggregator.countries().find("SE")->count, quint64(2));
    QCOMPARE(aggregator.countries().find("NO")->count, quint64(1));
    QCOMPARE(aggregator.countries().find("DK")->count, quint64(1));
    QCOMPARE(aggregator.links().find("/abc")->count, quint64(4));
    // An unchanged count adds nothing.
    add(aggregator, {realtime(2, "DK")}, kT0 + 4000);
    QCOMPARE(aggregator.totals().clicks, quint64(10));
    QCOMPARE(aggregator.countries().find("DK")->count, quint64(1));
}

void TestClickAggregator::aSnapshotStreamCountsForTheLinkItsUrlNames()
{
    QCOMPARE(ClickAggregator::linkNamedBy(QUrl(QStringLiteral("http://h:1/realtime/hello"))), QByteArray("/hello"));
    QCOMPARE(ClickAggregator::linkNamedBy(QUrl(QStringLiteral("http://h:1/realtime/hello/?x=1"))),
             QByteArray("/hello"));
    QCOMPARE(ClickAggregator::linkNamedBy(QUrl(QStringLiteral("http://h:1/api/realtime/x1"))), QByteArray("/x1"));
    QCOMPARE(ClickAggregator::linkNamedBy(QUrl(QStringLiteral("http://h:1/"))), QByteArray());
    // A stream of the whole hub is no one link's, whatever its last segment.
    QCOMPARE(ClickAggregator::linkNamedBy(QUrl(QStringLiteral("http://h:1/events"))), QByteArray());
    QCOMPARE(ClickAggregator::linkNamedBy(QUrl(QStringLiteral("http://h:1/realtime"))), QByteArray());

    // Snapshots with no link of their own: every click they report is the stream's link's.
    ClickAggregator aggregator;
    aggregator.setStreamLink("/hello");
    const auto snapshot = [](qint64 count) {
        return SseEvent("snapshot", {},
                        "{\"clickCount\":" + QByteArray::number(count) + ",\"clickAnalytics\":{\"country\":\"NZ\"}}");
    };
    add(aggregator, {snapshot(10)}, kT0);
    add(aggregator, {snapshot(13)}, kT0 + 1000);
    add(aggregator, {SseEvent("snapshot", {}, R"({"clickCount":14})")}, kT0 + 2000);
    QCOMPARE(aggregator.totals().clicks, quint64(14));
    QCOMPARE(aggregator.links().size(), qsizetype(1));
    QCOMPARE(aggregator.links().find("/hello")->count, quint64(14));
    QVERIFY(!aggregator.links().find(""));

    // One that names the stream's link is the same counter.
    ClickAggregator same;
    same.setStreamLink("/abc");
    add(same, {realtime(5, "SE")}, kT0);
    add(same, {realtime(8, "SE")}, kT0 + 1000);
    QCOMPARE(same.links().find("/abc")->count, quint64(8));

    // One that names another link (or a mapping that finds one) is taken at its word.
    ClickAggregator named;
    named.setStreamLink("/hello");
    add(named, {realtime(5, "SE")}, kT0);
    QCOMPARE(named.links().find("/abc")->count, quint64(1));
    QVERIFY(!named.links().find("/hello"));
}

void TestClickAggregator::repeatedIdsAreCountedByCause()
{
    ClickAggregator aggregator;
    add(aggregator, {click(1, "/a", "US"), click(2, "/a", "US"), click(3, "/a", "US")}, kT0);
    // A true duplicate: no reconnection brought it.
    add(aggregator, {click(3, "/a", "US"), click(4, "/a", "US")}, kT0);
    QCOMPARE(aggregator.totals().duplicates, quint64(1));
    QCOMPARE(aggregator.totals().replayed, quint64(0));
    // A reconnection, and the server starts from the beginning again: a replay, as long as the
    // ids stay at or below the highest seen.
    aggregator.addReconnect();
    add(aggregator,
        {click(1, "/a", "US"), click(2, "/a", "US"), click(3, "/a", "US"), click(4, "/a", "US"), click(5, "/a", "US")},
        kT0);
    QCOMPARE(aggregator.totals().duplicates, quint64(1 + 4));
    QCOMPARE(aggregator.totals().replayed, quint64(4));
    QCOMPARE(aggregator.totals().gaps, quint64(0));
    // Past the replay, a repeated id is a duplicate again; a reconnection that resumes in order
    // repeats nothing.
    add(aggregator, {click(5, "/a", "US")}, kT0);
    aggregator.addReconnect();
    add(aggregator, {click(6, "/a", "US")}, kT0);
    QCOMPARE(aggregator.totals().duplicates, quint64(6));
    QCOMPARE(aggregator.totals().replayed, quint64(4));
    const QJsonObject totals = aggregator.report(10).value(QStringLiteral("totals")).toObject();
    QCOMPARE(totals.value(QStringLiteral("duplicates")).toInteger(), 6);
    QCOMPARE(totals.value(QStringLiteral("replayed")).toInteger(), 4);
    aggregator.reset();
    add(aggregator, {click(1, "/a", "US")}, kT0);
    QCOMPARE(aggregator.totals().duplicates, quint64(0));
}

void TestClickAggregator::aSnapshotAmongNumberedClicksIsWhereTheServerResumed()
{
    const auto hubSnapshot = [](qint64 at) {
        return SseEvent("snapshot", QByteArray::number(at), "{\"clickCount\":" + QByteArray::number(at) + "}");
    };
    ClickAggregator aggregator;
    add(aggregator,
        {click(1, "/a", "US"), click(2, "/a", "US"), click(3, "/a", "US"), click(4, "/a", "US"), click(5, "/a", "US")},
        kT0);
    // A restarted server numbers from 1 again and resumes us with a snapshot at 2: its two clicks
    // are new to us, and the ids after it repeat none of ours.
    aggregator.addReconnect();
    add(aggregator, {hubSnapshot(2), click(3, "/a", "US"), click(4, "/a", "US")}, kT0 + 1000);
    QCOMPARE(aggregator.totals().clicks, quint64(5 + 2 + 2));
    QCOMPARE(aggregator.totals().historyClicks, quint64(2));
    QCOMPARE(aggregator.totals().counterResets, quint64(1));
    QCOMPARE(aggregator.totals().duplicates, quint64(0));
    QCOMPARE(aggregator.totals().replayed, quint64(0));
    QCOMPARE(aggregator.totals().gaps, quint64(0));
    // A server that could not replay from where we were: the ids it skipped are gaps, and its
    // count, which holds what we counted already, adds nothing.
    aggregator.addReconnect();
    add(aggregator, {hubSnapshot(10), click(11, "/a", "US")}, kT0 + 2000);
    QCOMPARE(aggregator.totals().clicks, quint64(9 + 1));
    QCOMPARE(aggregator.totals().gaps, quint64(6));
    QCOMPARE(aggregator.gapRanges().back().firstMissing, 5);
    QCOMPARE(aggregator.gapRanges().back().lastMissing, 10);
    QCOMPARE(aggregator.totals().duplicates, quint64(0));
    QCOMPARE(aggregator.totals().counterResets, quint64(1));
    // A stream that begins with a snapshot takes its count as history, whatever its id.
    ClickAggregator fresh;
    add(fresh, {hubSnapshot(7), click(8, "/a", "US")}, kT0);
    QCOMPARE(fresh.totals().clicks, quint64(7 + 1));
    QCOMPARE(fresh.totals().historyClicks, quint64(7));
    QCOMPARE(fresh.totals().counterResets, quint64(0));
    // Not after a reconnection, or where event ids are not the clicks' ids, a snapshot is no
    // resumption point: it counts as snapshots always did (its count, the first time, is history).
    for (const bool reconnected : {false, true}) {
        ClickAggregator other;
        SseEvent first = click(9'000'001, "/a", "US");
        if (reconnected)
            first = SseEvent("click", "7", first.data());   // ids of their own, not the stream's
        add(other, {first}, kT0);
        if (reconnected)
            other.addReconnect();
        add(other, {hubSnapshot(350), click(9'000'002, "/a", "US")}, kT0 + 1000);
        QCOMPARE(other.totals().gaps, quint64(0));
        QCOMPARE(other.totals().counterResets, quint64(0));
        QCOMPARE(other.totals().clicks, quint64(1 + 350 + 1));
    }
}

void TestClickAggregator::gapsInIdsAreCounted()
{
    ClickAggregator aggregator;
    add(aggregator,
        {click(1, "/a", "US"), click(2, "/a", "US"), click(5, "/a", "US"), click(6, "/a", "US"), click(10, "/a", "US")},
        kT0);
    QCOMPARE(aggregator.totals().gaps, quint64(2 + 3));
    add(aggregator, {click(1, "/a", "US"), click(2, "/a", "US")}, kT0);   // restarted ids: no gap
    QCOMPARE(aggregator.totals().gaps, quint64(5));
    // Located: which ids, and when that was noticed; the report lists them newest first.
    QCOMPARE(aggregator.gapRanges().size(), std::size_t(2));
    QCOMPARE(aggregator.gapRanges().front().firstMissing, 3);
    QCOMPARE(aggregator.gapRanges().front().lastMissing, 4);
    QCOMPARE(aggregator.gapRanges().back().firstMissing, 7);
    QCOMPARE(aggregator.gapRanges().back().lastMissing, 9);
    QCOMPARE(aggregator.gapRanges().back().arrivalMs, kT0);
    const QJsonArray missing = aggregator.report(10).value(QStringLiteral("missingIds")).toArray();
    QCOMPARE(missing.size(), 2);
    QCOMPARE(missing.at(0).toObject().value(QStringLiteral("firstMissing")).toInteger(), 7);
    // Bounded: only the latest kKeptGapRanges ranges are kept, the count goes on.
    QList<SseEvent> many;
    for (int i = 0; i < 2 * int(ClickAggregator::kKeptGapRanges); ++i)
        many.append(click(10 + 2 * i, "/a", "US"));
    add(aggregator, many, kT0 + 1000);
    QCOMPARE(aggregator.gapRanges().size(), std::size_t(ClickAggregator::kKeptGapRanges));
    QCOMPARE(aggregator.totals().gaps,
             quint64(5 + 7 + (2 * ClickAggregator::kKeptGapRanges - 1)));   // 3…9, then one per step
}

void TestClickAggregator::nonClickStreamsAreCountedByType()
{
    ClickAggregator aggregator;
    add(aggregator,
        {SseEvent("message", {}, R"({"choices":[{"delta":{"content":"Hi"}}]})"),
         SseEvent("message", {}, R"({"choices":[{"delta":{"content":"!"}}]})"), SseEvent("message", {}, "[DONE]"),
         SseEvent("status", {}, "warming up")},
        kT0);
    QCOMPARE(aggregator.totals().clicks, quint64(0));
    QCOMPARE(aggregator.totals().otherEvents, quint64(4));
    QCOMPARE(aggregator.totals().undecodable, quint64(0));
    QCOMPARE(aggregator.eventTypes().find("message")->count, quint64(3));
    QCOMPARE(aggregator.eventTypes().find("status")->count, quint64(1));
}

void TestClickAggregator::undecodableIsCountedAndKeptBounded()
{
    ClickAggregator::Settings settings;
    settings.keptUndecodable = 3;
    ClickAggregator aggregator(settings);
    QList<SseEvent> bad;
    for (int i = 0; i < 10; ++i)
        bad.append(SseEvent("click", {}, "{\"link\":" + QByteArray::number(i)));   // truncated JSON
    bad.append(SseEvent("click", {}, R"({"link":42})"));                           // wrong type
    add(aggregator, bad, kT0);
    QCOMPARE(aggregator.totals().undecodable, quint64(11));
    QCOMPARE(aggregator.lastUndecodable().size(), std::size_t(3));
    QCOMPARE(aggregator.lastUndecodable().back().data, QByteArray(R"({"link":42})"));
    QVERIFY(aggregator.lastUndecodable().back().error.contains(QStringLiteral("link")));
    QVERIFY(!aggregator.lastUndecodable().front().error.isEmpty());
}

void TestClickAggregator::latencyFromTimestamps()
{
    ClickAggregator aggregator;
    QList<SseEvent> batch;
    for (int i = 0; i < 1000; ++i)
        batch.append(click(i + 1, "/a", "US", kT0 - (i < 990 ? 40 : 900)));
    add(aggregator, batch, kT0);
    QCOMPARE(aggregator.latency().count(), quint64(1000));
    QVERIFY(qAbs(aggregator.latency().percentile(50) - 40) <= 1);
    QVERIFY(aggregator.latency().percentile(99.5) > 800);
}

void TestClickAggregator::ratesFromTheRing()
{
    ClickAggregator aggregator;
    for (int second = 0; second < 10; ++second) {
        QList<SseEvent> batch;
        for (int i = 0; i < 100; ++i)
            batch.append(click(second * 100 + i + 1, "/a", "US"));
        add(aggregator, batch, kT0 + second * 1000 + 500);
        aggregator.advanceTo(kT0 + (second + 1) * 1000 + 1);
    }
    QCOMPARE(aggregator.rate().lastSecondRate(), quint64(100));
    QCOMPARE(aggregator.rate().peakRate(), quint64(100));
    QVERIFY(qAbs(aggregator.rate().smoothedRate() - 100) < 5);
    QCOMPARE(aggregator.clicksPerSecond().sumLast(10, kT0 / 1000 + 9), quint64(1000));
}

void TestClickAggregator::manyDistinctLinksStayBounded()
{
    ClickAggregator::Settings settings;
    settings.maxLinks = 100;
    ClickAggregator aggregator(settings);
    QList<SseEvent> batch;
    for (int i = 1; i <= 20'000; ++i) {
        // Every third click goes to /hot; the rest are all different.
        batch.append(click(i, i % 3 == 0 ? QByteArray("/hot") : "/u" + QByteArray::number(i), "US"));
    }
    add(aggregator, batch, kT0);
    QVERIFY(aggregator.links().size() <= 100);
    QVERIFY(!aggregator.links().isExact());
    const TopCounter::Entry top = aggregator.links().top(1).first();
    QCOMPARE(top.key, QByteArray("/hot"));
    QVERIFY(top.count - top.error <= 6666 && 6666 <= top.count);
    QCOMPARE(aggregator.report().value("topLinksExact").toBool(), false);
}

void TestClickAggregator::reportHasEverySection()
{
    ClickAggregator aggregator;
    add(aggregator, {click(1, "/a", "US", kT0 - 10), click(2, "/b", "DE", kT0 - 10), click(3, "/a", "US", kT0 - 10)},
        kT0);
    aggregator.addBytes(1234);
    aggregator.addReconnect();
    const QJsonObject report = aggregator.report(10);
    QCOMPARE(report.value("totals").toObject().value("clicks").toInt(), 3);
    QCOMPARE(report.value("totals").toObject().value("bytes").toInt(), 1234);
    QCOMPARE(report.value("totals").toObject().value("reconnects").toInt(), 1);
    QCOMPARE(report.value("totals").toObject().value("distinctLinks").toInt(), 2);
    const QJsonArray links = report.value("topLinks").toArray();
    QCOMPARE(links.at(0).toObject().value("link").toString(), QStringLiteral("/a"));
    QCOMPARE(links.at(0).toObject().value("count").toInt(), 2);
    QVERIFY(qAbs(links.at(0).toObject().value("share").toDouble() - 2.0 / 3) < 1e-9);
    QCOMPARE(report.value("breakdowns").toObject().value("country").toArray().size(), 2);
    QVERIFY(report.value("latencyMs").toObject().value("p50").toDouble() >= 9);
    QVERIFY(report.contains("rate"));
}

void TestClickAggregator::resetForgetsEverything()
{
    ClickAggregator aggregator;
    add(aggregator, {click(1, "/a", "US"), realtime(5, "SE")}, kT0);
    aggregator.reset();
    QCOMPARE(aggregator.totals().clicks, quint64(0));
    QCOMPARE(aggregator.links().size(), 0);
    add(aggregator, {realtime(7, "SE")}, kT0);   // a first snapshot again, not a delta
    QCOMPARE(aggregator.totals().clicks, quint64(7));
}

QTEST_GUILESS_MAIN(TestClickAggregator)
#include "tst_clickaggregator.moc"

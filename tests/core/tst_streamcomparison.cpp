// SPDX-License-Identifier: MIT
// StreamComparison over two aggregators fed directly: what is counted when the streams began
// apart, what differs, and counts alone against a snapshot stream.
#include "core/compare/streamcomparison.h"

#include <QJsonArray>
#include <QTest>

using namespace Clickscope;

namespace {

SseEvent click(int id, const char *link)
{
    return SseEvent("click", QByteArray::number(id),
                    QByteArray("{\"id\":") + QByteArray::number(id) + ",\"link\":\"" + link + "\",\"country\":\"SE\"}");
}

void feed(ClickAggregator &aggregator, const SseEvent &event, qint64 arrivalMs)
{
    aggregator.addEvents(SseBatch::fromEvents({event}), arrivalMs);
}

}   // namespace

class TestStreamComparison : public QObject
{
    Q_OBJECT

private slots:
    void streamsThatBeganApartComeOutEqual();
    void aClickOnlyOneDeliveredIsTheDifference();
    void snapshotsCompareSeenCounts();
};

void TestStreamComparison::streamsThatBeganApartComeOutEqual()
{
    ClickAggregator a, b;
    StreamComparison comparison(a, b);
    // [1] connected first: 1 and 2 came before [2] began; [2] begins with 2, which [1] had too.
    feed(a, click(1, "/early"), 1000);
    feed(a, click(2, "/x"), 1001);
    feed(b, click(2, "/x"), 1002);
    for (int id = 3; id <= 6; ++id) {
        feed(b, click(id, "/x"), 1000 + 10 * id);
        feed(a, click(id, "/x"), 1001 + 10 * id);
    }
    const QJsonObject report = comparison.report(2000);
    QCOMPARE(report.value("clicks").toObject(), (QJsonObject{{"a", 5}, {"b", 5}, {"difference", 0}}));
    QCOMPARE(report.value("delivered").toObject(), (QJsonObject{{"a", 6}, {"b", 5}}));
    QCOMPARE(report.value("linkDifferences").toArray().size(), 0);
    QCOMPARE(report.value("breakdownDifferences").toObject().value("country").toArray().size(), 0);
    const QJsonObject matching = report.value("matching").toObject();
    QCOMPARE(matching.value("matched").toInt(), 5);
    QCOMPARE(matching.value("a").toObject().value("beforeOtherStarted").toInt(), 1);
}

void TestStreamComparison::aClickOnlyOneDeliveredIsTheDifference()
{
    ClickAggregator a, b;
    StreamComparison comparison(a, b, EventMatcher::Settings{EventMatcher::Key::Id, 100, 0});
    feed(a, click(1, "/x"), 1000);
    feed(b, click(1, "/x"), 1001);
    feed(a, click(2, "/lost"), 1002);   // [2] never delivers it
    feed(a, click(3, "/x"), 1003);
    feed(b, click(3, "/x"), 1004);
    const QJsonObject report = comparison.report(1005);
    QCOMPARE(report.value("clicks").toObject(), (QJsonObject{{"a", 3}, {"b", 2}, {"difference", 1}}));
    QCOMPARE(report.value("linkDifferences").toArray(),
             (QJsonArray{QJsonObject{{"link", "/lost"}, {"a", 1}, {"b", 0}, {"difference", 1}}}));
    QCOMPARE(report.value("breakdownDifferences").toObject().value("country").toArray(),
             (QJsonArray{QJsonObject{{"value", "SE"}, {"a", 3}, {"b", 2}, {"difference", 1}}}));
    QCOMPARE(report.value("matching").toObject().value("a").toObject().value("missingInOther").toInt(), 1);
    QCOMPARE(report.value("matching").toObject().value("a").toObject().value("missingExamples").toArray(),
             QJsonArray{"2"});
}

void TestStreamComparison::snapshotsCompareSeenCounts()
{
    ClickAggregator perClick, snapshots;
    snapshots.setStreamLink("/abc");
    StreamComparison comparison(perClick, snapshots);
    feed(perClick, click(9, "/abc"), 999);   // before the snapshot stream began: in its history
    feed(snapshots, SseEvent("message", "", R"({"clickCount": 10})"), 1000);   // history
    feed(perClick, click(11, "/abc"), 1001);
    feed(perClick, click(12, "/other"), 1002);
    feed(snapshots, SseEvent("message", "", R"({"clickCount": 11})"), 1003);
    QVERIFY(comparison.countsOnly());
    const QJsonObject report = comparison.report(2000);
    QCOMPARE(report.value("mode").toString(), QStringLiteral("counts"));
    QCOMPARE(report.value("link").toString(), QStringLiteral("/abc"));
    QCOMPARE(report.value("clicks").toObject(), (QJsonObject{{"a", 1}, {"b", 1}, {"difference", 0}}));
    QCOMPARE(report.value("history").toObject(), (QJsonObject{{"a", 0}, {"b", 10}}));
}

QTEST_GUILESS_MAIN(TestStreamComparison)
#include "tst_streamcomparison.moc"

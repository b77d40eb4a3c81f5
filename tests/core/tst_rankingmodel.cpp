// SPDX-License-Identifier: MIT
#include "core/model/rankingmodel.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include "support/modelmirror.h"
#include "support/modelsignalcounts.h"

#include <algorithm>
#include <memory>

using Clickscope::BreakdownModel;
using Clickscope::DashboardSnapshot;
using Clickscope::EventTypesModel;
using Clickscope::RankedRow;
using Clickscope::RankingModel;
using Clickscope::TopLinksModel;

namespace {

using SignalCounts = Clickscope::Testing::ModelSignalCounts;
using Clickscope::Testing::ModelMirror;

// "a:5,b:3" → rows a (5) and b (3), shares of their sum.
QList<RankedRow> parseRows(const QString &spec)
{
    QList<RankedRow> rows;
    quint64 total = 0;
    for (const QString &item : spec.split(u',', Qt::SkipEmptyParts)) {
        const QStringList parts = item.split(u':');
        rows.append({parts.at(0).toUtf8(), parts.at(1).toULongLong(), 0, 0});
        total += rows.last().count;
    }
    for (RankedRow &row : rows)
        row.share = total ? double(row.count) / double(total) : 0;
    return rows;
}

bool sameRow(const RankedRow &a, const RankedRow &b)
{
    return a.key == b.key && a.count == b.count && a.error == b.error && a.share == b.share;
}

}   // namespace

class TestRankingModel : public QObject
{
    Q_OBJECT

private slots:
    void eventTypesHaveTheirRates();
    void headers();
    void displayAndRoles();
    void approximateRowsExplainTheirError();
    void changeSignals_data();
    void changeSignals();
    void churnKeepsSignalsBounded();
    void capBoundsRows_data();
    void capBoundsRows();
    void clearIsTheOnlyReset();
    void applySnapshot();
    void setKeyHeader();
};

void TestRankingModel::headers()
{
    TopLinksModel links;
    BreakdownModel countries(DashboardSnapshot::Country);
    BreakdownModel browsers(DashboardSnapshot::Browser, 10);
    RankingModel custom(QStringLiteral("Campaign"));
    QAbstractItemModelTester t1(&links, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&countries, QAbstractItemModelTester::FailureReportingMode::QtTest);

    QCOMPARE(links.columnCount(), 3);
    QCOMPARE(links.headerData(RankingModel::KeyColumn, Qt::Horizontal).toString(), QStringLiteral("Link"));
    QCOMPARE(links.headerData(RankingModel::CountColumn, Qt::Horizontal).toString(), QStringLiteral("Clicks"));
    QCOMPARE(links.headerData(RankingModel::ShareColumn, Qt::Horizontal).toString(), QStringLiteral("Share"));
    QCOMPARE(links.headerData(0, Qt::Vertical).toString(), QStringLiteral("1"));
    QCOMPARE(links.headerData(4, Qt::Vertical).toString(), QStringLiteral("5"));
    QCOMPARE(countries.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Country"));
    QCOMPARE(countries.dimension(), DashboardSnapshot::Country);
    QCOMPARE(browsers.keyHeader(), QStringLiteral("Browser"));
    QCOMPARE(browsers.maxRows(), 10);
    QCOMPARE(custom.keyHeader(), QStringLiteral("Campaign"));
    QCOMPARE(links.maxRows(), RankingModel::kDefaultMaxRows);
    QCOMPARE(BreakdownModel::dimensionName(DashboardSnapshot::Referrer), QStringLiteral("Referrer"));
    QCOMPARE(BreakdownModel::dimensionName(DashboardSnapshot::Device), QStringLiteral("Device"));
}

void TestRankingModel::displayAndRoles()
{
    TopLinksModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({{"https://a.example/x", 123, 0, 0.123}, {"", 7, 0, 0.007}, {"b", 1, 0, 1.0}});

    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, RankingModel::KeyColumn).data().toString(), QStringLiteral("https://a.example/x"));
    QCOMPARE(model.index(0, RankingModel::CountColumn).data().toULongLong(), 123ULL);
    QCOMPARE(model.index(0, RankingModel::ShareColumn).data().toString(), QStringLiteral("12.3 %"));
    QCOMPARE(model.index(1, RankingModel::ShareColumn).data().toString(), QStringLiteral("0.7 %"));
    QCOMPARE(model.index(2, RankingModel::ShareColumn).data().toString(), QStringLiteral("100.0 %"));
    QCOMPARE(model.index(1, RankingModel::KeyColumn).data().toString(), QStringLiteral("(none)"));
    QCOMPARE(RankingModel::formatShare(0.0), QStringLiteral("0.0 %"));

    const QVariant rawCount = model.index(0, RankingModel::CountColumn).data(RankingModel::RawValueRole);
    QCOMPARE(rawCount.metaType(), QMetaType::fromType<qulonglong>());
    QCOMPARE(rawCount.toULongLong(), 123ULL);
    const QVariant rawShare = model.index(0, RankingModel::ShareColumn).data(RankingModel::RawValueRole);
    QCOMPARE(rawShare.metaType(), QMetaType::fromType<double>());
    QCOMPARE(rawShare.toDouble(), 0.123);
    QCOMPARE(model.index(1, RankingModel::KeyColumn).data(RankingModel::RawValueRole).toString(), QString());
    QCOMPARE(model.index(0, RankingModel::ShareColumn).data(RankingModel::KeyBytesRole).toByteArray(),
             QByteArray("https://a.example/x"));
    QCOMPARE(model.index(0, RankingModel::CountColumn).data(RankingModel::ErrorRole).toULongLong(), 0ULL);

    QCOMPARE(model.index(0, RankingModel::CountColumn).data(Qt::TextAlignmentRole).toInt(),
             int(Qt::AlignRight | Qt::AlignVCenter));
    QVERIFY(!model.index(0, RankingModel::KeyColumn).data(Qt::TextAlignmentRole).isValid());
    // Exact rows need no explanation beyond the key itself.
    QVERIFY(!model.index(0, RankingModel::CountColumn).data(Qt::ToolTipRole).isValid());
    QCOMPARE(model.rowAt(2).key, QByteArray("b"));
}

void TestRankingModel::approximateRowsExplainTheirError()
{
    RankingModel model(QStringLiteral("Link"));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRows({{"a", 100, 30, 0.5}, {"b", 10, 40, 0.05}});

    QCOMPARE(model.index(0, RankingModel::KeyColumn).data(RankingModel::ErrorRole).toULongLong(), 30ULL);
    const QString tip = model.index(0, RankingModel::CountColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(u"70") && tip.contains(u"100"), qPrintable(tip));
    // An error larger than the count never yields a negative (wrapped) lower bound.
    const QString tipB = model.index(1, RankingModel::CountColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tipB.contains(u"between 0 and 10"), qPrintable(tipB));
}

void TestRankingModel::changeSignals_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QPoint>("inserted");   // first, last; (-1, -1) for none
    QTest::addColumn<QPoint>("removed");
    QTest::addColumn<QPoint>("changedRows");
    QTest::addColumn<int>("changedFirstColumn");

    const QPoint none(-1, -1);
    QTest::newRow("grow from empty") << ""
                                     << "a:3,b:2,c:1" << QPoint(0, 2) << none << none << -1;
    QTest::newRow("grow the tail") << "a:3,b:2"
                                   << "a:3,b:2,c:0" << QPoint(2, 2) << none << none << -1;
    QTest::newRow("shrink the tail") << "a:3,b:2,c:0"
                                     << "a:3,b:2" << none << QPoint(2, 2) << none << -1;
    QTest::newRow("shrink, share moves") << "a:3,b:2,c:1"
                                         << "a:3" << none << QPoint(1, 2) << QPoint(0, 0)
                                         << int(RankingModel::CountColumn);
    QTest::newRow("to empty") << "a:3,b:2"
                              << "" << none << QPoint(0, 1) << none << -1;
    QTest::newRow("unchanged") << "a:3,b:2"
                               << "a:3,b:2" << none << none << none << -1;
    QTest::newRow("empty to empty") << ""
                                    << "" << none << none << none << -1;
    QTest::newRow("swap in the middle") << "a:9,b:5,c:5,d:1"
                                        << "a:9,c:5,b:5,d:1" << none << none << QPoint(1, 2)
                                        << int(RankingModel::KeyColumn);
    QTest::newRow("count of the top") << "a:5,b:3,c:2"
                                      << "a:6,b:3,c:2" << none << none << QPoint(0, 2)
                                      << int(RankingModel::CountColumn);   // shares move too
    QTest::newRow("grow and reorder") << "a:4,b:3"
                                      << "b:4,a:3,c:1" << QPoint(2, 2) << none << QPoint(0, 1)
                                      << int(RankingModel::KeyColumn);
    QTest::newRow("shrink and replace last")
        << "a:4,b:3,c:2,d:1"
        << "a:4,x:3" << none << QPoint(2, 3) << QPoint(0, 1) << int(RankingModel::KeyColumn);
    QTest::newRow("all new keys") << "a:1,b:1"
                                  << "x:1,y:1" << none << none << QPoint(0, 1) << int(RankingModel::KeyColumn);
}

void TestRankingModel::changeSignals()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(QPoint, inserted);
    QFETCH(QPoint, removed);
    QFETCH(QPoint, changedRows);
    QFETCH(int, changedFirstColumn);

    RankingModel model(QStringLiteral("Key"));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&model);
    model.setRows(parseRows(before));
    SignalCounts counts(&model);

    const QList<RankedRow> next = parseRows(after);
    model.setRows(next);

    QCOMPARE(counts.reset.size(), 0);
    QCOMPARE(counts.layout.size(), 0);
    QCOMPARE(counts.moved.size(), 0);
    QCOMPARE(counts.inserted.size(), inserted.x() < 0 ? 0 : 1);
    if (inserted.x() >= 0)
        QCOMPARE(QPoint(counts.inserted.first().at(1).toInt(), counts.inserted.first().at(2).toInt()), inserted);
    QCOMPARE(counts.removed.size(), removed.x() < 0 ? 0 : 1);
    if (removed.x() >= 0)
        QCOMPARE(QPoint(counts.removed.first().at(1).toInt(), counts.removed.first().at(2).toInt()), removed);
    QCOMPARE(counts.changed.size(), changedRows.x() < 0 ? 0 : 1);
    if (changedRows.x() >= 0) {
        const auto topLeft = counts.changed.first().at(0).value<QModelIndex>();
        const auto bottomRight = counts.changed.first().at(1).value<QModelIndex>();
        QCOMPARE(QPoint(topLeft.row(), bottomRight.row()), changedRows);
        QCOMPARE(topLeft.column(), changedFirstColumn);
        QCOMPARE(bottomRight.column(), RankingModel::ColumnCount - 1);
    }

    QCOMPARE(model.rowCount(), next.size());
    for (int r = 0; r < next.size(); ++r)
        QVERIFY(sameRow(model.rowAt(r), next.at(r)));
    QVERIFY(mirror.matchesModel());
}

// Many ticks of random rankings (longer than the cap, shorter, empty, reordered, with errors),
// the occasional clear(): every call emits at most one signal of each kind, never a reset, and a
// view following the signals alone shows what the model holds.
void TestRankingModel::churnKeepsSignalsBounded()
{
    constexpr int kCap = 40;
    RankingModel model(QStringLiteral("Link"), kCap);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&model);
    SignalCounts counts(&model);
    QRandomGenerator rng(20240611);

    QList<RankedRow> previous;
    int grew = 0, shrank = 0, reordered = 0, cleared = 0;
    for (int tick = 0; tick < 1500; ++tick) {
        counts.clear();
        if (tick % 250 == 249) {
            model.clear();
            QCOMPARE(counts.reset.size(), 1);
            QCOMPARE(counts.inserted.size() + counts.removed.size() + counts.changed.size(), 0);
            QCOMPARE(model.rowCount(), 0);
            QVERIFY(mirror.matchesModel());
            previous.clear();
            ++cleared;
            continue;
        }

        // Mostly small steps from the previous ranking (as a live stream does), sometimes a jump.
        QList<RankedRow> rows = previous;
        const int mode = rng.bounded(10);
        if (mode == 0) {
            rows.clear();
        } else if (mode == 1) {
            rows.resize(rng.bounded(kCap + 20));
            for (qsizetype i = 0; i < rows.size(); ++i)
                rows[i] = {"k" + QByteArray::number(rng.bounded(200)), 0, 0, 0};
        } else {
            const int grow = rng.bounded(-3, 4);
            if (grow < 0)
                rows.resize(std::max<qsizetype>(0, rows.size() + grow));
            for (int i = 0; i < grow; ++i)
                rows.append({"k" + QByteArray::number(rng.bounded(200)), 0, 0, 0});
            if (rows.size() > 1 && rng.bounded(2)) {
                const int a = rng.bounded(int(rows.size()));
                const int b = rng.bounded(int(rows.size()));
                std::swap(rows[a], rows[b]);
            }
        }
        quint64 total = 0;
        for (qsizetype i = rows.size() - 1; i >= 0; --i) {
            rows[i].count = (i + 1 < rows.size() ? rows.at(i + 1).count : 0) + quint64(rng.bounded(3));
            rows[i].error = rng.bounded(20) == 0 ? quint64(rng.bounded(5)) : 0;
            total += rows[i].count;
        }
        for (RankedRow &row : rows)
            row.share = total ? double(row.count) / double(total) : 0;

        model.setRows(rows);

        const QList<RankedRow> shown = rows.mid(0, kCap);
        const qsizetype common = std::min(previous.size(), shown.size());
        qsizetype firstChange = -1, lastChange = -1;
        for (qsizetype i = 0; i < common; ++i) {
            if (!sameRow(previous.at(i), shown.at(i))) {
                if (firstChange < 0)
                    firstChange = i;
                lastChange = i;
            }
        }

        QCOMPARE(counts.reset.size(), 0);
        QCOMPARE(counts.layout.size() + counts.moved.size(), 0);
        QCOMPARE(counts.columnsInserted.size() + counts.columnsRemoved.size(), 0);
        QVERIFY(counts.inserted.size() + counts.removed.size() <= 1);
        QCOMPARE(counts.inserted.size(), shown.size() > previous.size() ? 1 : 0);
        QCOMPARE(counts.removed.size(), shown.size() < previous.size() ? 1 : 0);
        QCOMPARE(counts.changed.size(), firstChange >= 0 ? 1 : 0);
        if (firstChange >= 0) {
            QCOMPARE(counts.changed.first().at(0).value<QModelIndex>().row(), int(firstChange));
            QCOMPARE(counts.changed.first().at(1).value<QModelIndex>().row(), int(lastChange));
        }
        grew += counts.inserted.size();
        shrank += counts.removed.size();
        reordered += counts.changed.size();

        QCOMPARE(model.rowCount(), shown.size());
        QCOMPARE(model.rowsBeyondCap(), rows.size() - shown.size());
        for (qsizetype i = 0; i < shown.size(); ++i)
            QVERIFY(sameRow(model.rowAt(int(i)), shown.at(i)));
        QVERIFY(mirror.matchesModel());
        previous = shown;
    }
    // The churn did exercise every path.
    QVERIFY(grew > 100);
    QVERIFY(shrank > 100);
    QVERIFY(reordered > 500);
    QCOMPARE(cleared, 6);
}

void TestRankingModel::capBoundsRows_data()
{
    QTest::addColumn<int>("requested");
    QTest::addColumn<int>("expected");
    QTest::newRow("negative") << -1 << 1;
    QTest::newRow("zero") << 0 << 1;
    QTest::newRow("five") << 5 << 5;
    QTest::newRow("above max") << RankingModel::kMaxRows + 1 << RankingModel::kMaxRows;
}

void TestRankingModel::capBoundsRows()
{
    QFETCH(int, requested);
    QFETCH(int, expected);
    RankingModel model(QStringLiteral("Key"), requested);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.maxRows(), expected);

    QList<RankedRow> rows;
    for (int i = 0; i < 20; ++i)
        rows.append({QByteArray::number(i), quint64(100 - i), 0, 0.01});
    model.setRows(rows);
    QCOMPARE(model.rowCount(), std::min(20, expected));
    QCOMPARE(model.rowsBeyondCap(), qsizetype(20 - std::min(20, expected)));
    QCOMPARE(model.rows().size(), qsizetype(std::min(20, expected)));
    QCOMPARE(model.rowAt(0).key, QByteArray("0"));
}

void TestRankingModel::clearIsTheOnlyReset()
{
    BreakdownModel model(DashboardSnapshot::Referrer, 10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SignalCounts counts(&model);
    model.setRows(parseRows("a:3,b:2"));
    model.setRows(parseRows("c:9"));
    model.setRows({});
    QCOMPARE(counts.reset.size(), 0);

    model.setRows(parseRows("a:3,b:2"));
    counts.clear();
    model.clear();
    QCOMPARE(counts.reset.size(), 1);
    QCOMPARE(counts.removed.size() + counts.inserted.size() + counts.changed.size(), 0);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.rowsBeyondCap(), 0);

    counts.clear();
    model.setRows(parseRows("z:1"));
    QCOMPARE(counts.inserted.size(), 1);
    QCOMPARE(counts.reset.size(), 0);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("z"));
}

void TestRankingModel::applySnapshot()
{
    TopLinksModel links(3);
    BreakdownModel devices(DashboardSnapshot::Device);
    QAbstractItemModelTester t1(&links, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&devices, QAbstractItemModelTester::FailureReportingMode::QtTest);

    DashboardSnapshot snapshot;
    snapshot.topLinks = parseRows("/a:5,/b:4,/c:3,/d:2");
    snapshot.breakdowns[DashboardSnapshot::Country] = parseRows("DE:9");
    snapshot.breakdowns[DashboardSnapshot::Device] = parseRows("mobile:7,desktop:3");
    links.applySnapshot(snapshot);
    devices.applySnapshot(snapshot);

    QCOMPARE(links.rowCount(), 3);
    QCOMPARE(links.rowsBeyondCap(), 1);
    QCOMPARE(links.index(2, 0).data().toString(), QStringLiteral("/c"));
    QCOMPARE(devices.rowCount(), 2);
    QCOMPARE(devices.index(0, 0).data().toString(), QStringLiteral("mobile"));
    QCOMPARE(devices.index(0, RankingModel::ShareColumn).data().toString(), QStringLiteral("70.0 %"));
}

void TestRankingModel::setKeyHeader()
{
    RankingModel model(QStringLiteral("Key"));
    QSignalSpy spy(&model, &QAbstractItemModel::headerDataChanged);
    model.setKeyHeader(QStringLiteral("Key"));
    QCOMPARE(spy.size(), 0);
    model.setKeyHeader(QStringLiteral("Campaign"));
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.first().at(0).value<Qt::Orientation>(), Qt::Horizontal);
    QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Campaign"));
}

void TestRankingModel::eventTypesHaveTheirRates()
{
    EventTypesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.columnCount(), 4);
    QCOMPARE(model.headerData(EventTypesModel::RateColumn, Qt::Horizontal).toString(), QStringLiteral("Events/s"));
    QCOMPARE(model.headerData(RankingModel::CountColumn, Qt::Horizontal).toString(), QStringLiteral("Events"));
    DashboardSnapshot snapshot;
    snapshot.eventTypes = {{"message", 10, 0, 1.0}};
    model.applySnapshot(snapshot, 0);
    QCOMPARE(model.rateOf("message"), 0.0);   // one sample is no rate yet
    snapshot.eventTypes = {{"message", 20, 0, 1.0}};
    model.applySnapshot(snapshot, 500);   // too soon to measure
    QCOMPARE(model.rateOf("message"), 0.0);
    snapshot.eventTypes = {{"message", 30, 0, 0.88}, {"status", 4, 0, 0.12}};
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.applySnapshot(snapshot, 2000);
    QCOMPARE(model.rateOf("message"), 10.0);
    QCOMPARE(model.rateOf("status"), 2.0);
    QCOMPARE(model.index(0, EventTypesModel::RateColumn).data().toString(), QLocale().toString(10.0, 'f', 0));
    QCOMPARE(model.index(1, EventTypesModel::RateColumn).data().toString(), QLocale().toString(2.0, 'f', 1));
    QVERIFY(std::any_of(changed.cbegin(), changed.cend(), [](const QList<QVariant> &args) {
        return args.at(0).toModelIndex().column() == EventTypesModel::RateColumn;
    }));
    // Nothing more: the rate falls to 0. After a reset (counts go back), it starts again.
    model.applySnapshot(snapshot, 3000);
    QCOMPARE(model.rateOf("message"), 0.0);
    snapshot.eventTypes = {{"message", 2, 0, 1.0}};
    model.applySnapshot(snapshot, 3100);
    QCOMPARE(model.rateOf("message"), 0.0);
    snapshot.eventTypes = {{"message", 7, 0, 1.0}};
    model.applySnapshot(snapshot, 4100);
    QCOMPARE(model.rateOf("message"), 5.0);
}

QTEST_GUILESS_MAIN(TestRankingModel)
#include "tst_rankingmodel.moc"

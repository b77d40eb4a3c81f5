// SPDX-License-Identifier: MIT
#include "core/model/rateseries.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include "support/modelmirror.h"
#include "support/modelsignalcounts.h"

using Clickscope::DashboardSnapshot;
using Clickscope::RateSeries;

namespace {

using SignalCounts = Clickscope::Testing::ModelSignalCounts;
using Clickscope::Testing::ModelMirror;

QList<double> values(const RateSeries &series)
{
    QList<double> out;
    for (int r = 0; r < series.rowCount(); ++r)
        out.append(series.index(r, RateSeries::ClicksColumn).data().toDouble());
    return out;
}

}   // namespace

class TestRateSeries : public QObject
{
    Q_OBJECT

private slots:
    void windowClamped_data();
    void windowClamped();
    void rowsAreRelativeSeconds();
    void shortSeriesIsZeroPaddedOnTheLeft();
    void longSeriesKeepsTheNewest();
    void oneDataChangedOverTheChangedRows();
    void maxValueTracksTheWindow();
    void setWindowResetsAndKeepsNewest();
    void clearZeroesWithoutReset();
    void fillPointsReusesCapacity();
    void bucketsShiftTheSecondColumn();
    void applySnapshot();
    void churnKeepsSignalsBounded();
};

void TestRateSeries::windowClamped_data()
{
    QTest::addColumn<int>("requested");
    QTest::addColumn<int>("expected");
    QTest::newRow("negative") << -1 << 1;
    QTest::newRow("zero") << 0 << 1;
    QTest::newRow("one") << 1 << 1;
    QTest::newRow("hour") << RateSeries::kDefaultWindowSeconds << 3600;
    QTest::newRow("above 24 h") << RateSeries::kMaxWindowSeconds + 1 << RateSeries::kMaxWindowSeconds;
}

void TestRateSeries::windowClamped()
{
    QFETCH(int, requested);
    QFETCH(int, expected);
    RateSeries series(requested);
    QCOMPARE(series.window(), expected);
    QCOMPARE(series.rowCount(), expected);
    series.setWindow(requested);
    QCOMPARE(series.window(), expected);
}

void TestRateSeries::rowsAreRelativeSeconds()
{
    RateSeries series(5);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(series.columnCount(), 2);
    QCOMPARE(series.headerData(RateSeries::SecondColumn, Qt::Horizontal).toString(), QStringLiteral("Second"));
    QCOMPARE(series.headerData(RateSeries::ClicksColumn, Qt::Horizontal).toString(), QStringLiteral("Clicks/s"));
    for (int r = 0; r < 5; ++r) {
        const QVariant second = series.index(r, RateSeries::SecondColumn).data();
        QCOMPARE(second.metaType(), QMetaType::fromType<double>());
        QCOMPARE(second.toDouble(), double(r - 4));
        QCOMPARE(series.secondAt(r), double(r - 4));
        QCOMPARE(series.index(r, RateSeries::ClicksColumn).data().toDouble(), 0.0);
        QCOMPARE(series.index(r, RateSeries::ClicksColumn).data(Qt::UserRole).toDouble(), 0.0);
    }
    QCOMPARE(series.maxValue(), 0.0);
    QCOMPARE(series.newestSecond(), 0);
}

void TestRateSeries::shortSeriesIsZeroPaddedOnTheLeft()
{
    RateSeries series(6);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    series.setSeries({1, 2, 3}, 1000);
    QCOMPARE(values(series), (QList<double>{0, 0, 0, 1, 2, 3}));
    QCOMPARE(series.newestSecond(), 1000);
    series.setSeries({}, 1001);
    QCOMPARE(values(series), QList<double>(6, 0.0));
}

void TestRateSeries::longSeriesKeepsTheNewest()
{
    RateSeries series(3);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    series.setSeries({9, 9, 9, 4, 5, 6}, 77);
    QCOMPARE(values(series), (QList<double>{4, 5, 6}));
    QCOMPARE(series.maxValue(), 6.0);
}

void TestRateSeries::oneDataChangedOverTheChangedRows()
{
    RateSeries series(8);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SignalCounts counts(&series);

    series.setSeries({1, 2, 3, 4}, 10);
    QCOMPARE(counts.total(), 1);
    QCOMPARE(counts.changed.size(), 1);
    QCOMPARE(counts.changedRows(), QPoint(4, 7));
    QCOMPARE(counts.changed.first().at(0).value<QModelIndex>().column(), int(RateSeries::ClicksColumn));
    QCOMPARE(counts.changed.first().at(1).value<QModelIndex>().column(), int(RateSeries::ClicksColumn));

    counts.clear();
    series.setSeries({1, 2, 3, 4}, 10);   // the same: nothing to repaint
    QCOMPARE(counts.total(), 0);

    counts.clear();
    series.setSeries({1, 2, 3, 5}, 10);   // the newest second still filling
    QCOMPARE(counts.total(), 1);
    QCOMPARE(counts.changedRows(), QPoint(7, 7));

    counts.clear();
    series.setSeries({1, 2, 3, 5, 1}, 11);   // slid by a second: every non-zero row moves
    QCOMPARE(counts.total(), 1);
    QCOMPARE(counts.changedRows(), QPoint(3, 7));
    QCOMPARE(values(series), (QList<double>{0, 0, 0, 1, 2, 3, 5, 1}));
}

void TestRateSeries::maxValueTracksTheWindow()
{
    RateSeries series(4);
    series.setSeries({50, 1, 2, 3}, 1);
    QCOMPARE(series.maxValue(), 50.0);
    series.setSeries({50, 1, 2, 3, 4}, 2);   // the peak left the window
    QCOMPARE(series.maxValue(), 4.0);
    series.setSeries({0, 0}, 3);
    QCOMPARE(series.maxValue(), 0.0);
}

void TestRateSeries::setWindowResetsAndKeepsNewest()
{
    RateSeries series(6);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&series);
    series.setSeries({1, 2, 3, 4, 5, 6}, 100);
    SignalCounts counts(&series);

    series.setWindow(6);
    QCOMPARE(counts.total(), 0);

    series.setWindow(3);
    QCOMPARE(counts.reset.size(), 1);
    QCOMPARE(counts.total(), 1);
    QCOMPARE(series.rowCount(), 3);
    QCOMPARE(values(series), (QList<double>{4, 5, 6}));
    QCOMPARE(series.index(0, RateSeries::SecondColumn).data().toDouble(), -2.0);
    QCOMPARE(series.maxValue(), 6.0);

    counts.clear();
    series.setWindow(5);
    QCOMPARE(counts.reset.size(), 1);
    QCOMPARE(counts.total(), 1);
    QCOMPARE(values(series), (QList<double>{0, 0, 4, 5, 6}));
    QCOMPARE(series.index(0, RateSeries::SecondColumn).data().toDouble(), -4.0);
    QVERIFY(mirror.matchesModel());

    counts.clear();
    series.setSeries({7, 8, 9, 10, 11, 12}, 101);
    QCOMPARE(counts.reset.size(), 0);
    QCOMPARE(values(series), (QList<double>{8, 9, 10, 11, 12}));
}

void TestRateSeries::clearZeroesWithoutReset()
{
    RateSeries series(4);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    series.setSeries({0, 3, 0, 1}, 5);
    SignalCounts counts(&series);
    series.clear();
    QCOMPARE(counts.reset.size(), 0);
    QCOMPARE(counts.changed.size(), 1);
    QCOMPARE(counts.changedRows(), QPoint(1, 3));
    QCOMPARE(values(series), QList<double>(4, 0.0));
    QCOMPARE(series.maxValue(), 0.0);
}

void TestRateSeries::fillPointsReusesCapacity()
{
    RateSeries series(100);
    QList<QPointF> points;
    series.setSeries({1, 2, 3}, 9);
    series.fillPoints(points);
    QCOMPARE(points.size(), 100);
    QCOMPARE(points.first(), QPointF(-99, 0));
    QCOMPARE(points.at(97), QPointF(-2, 1));
    QCOMPARE(points.last(), QPointF(0, 3));

    const QPointF *buffer = points.constData();
    for (int tick = 0; tick < 10; ++tick) {
        series.setSeries({double(tick), 1}, 10 + tick);
        series.fillPoints(points);
        QCOMPARE(points.constData(), buffer);   // no allocation per tick
        QCOMPARE(points.size(), 100);
        QCOMPARE(points.at(98).y(), double(tick));
    }

    series.setWindow(10);
    series.fillPoints(points);
    QCOMPARE(points.size(), 10);
    QCOMPARE(points.first().x(), -9.0);
}

void TestRateSeries::bucketsShiftTheSecondColumn()
{
    RateSeries series(3);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&series, &QAbstractItemModel::dataChanged);
    // Buckets of 10 s; the newest second 1007 is 7 s into its bucket [1000, 1009].
    series.setSeries({1, 2, 3}, 1007, 10);
    QCOMPARE(series.bucketSeconds(), 10);
    QCOMPARE(series.secondAt(2), -7.0);
    QCOMPARE(series.secondAt(0), -27.0);
    QCOMPARE(series.index(1, RateSeries::SecondColumn).data().toDouble(), -17.0);
    QVERIFY(!changed.isEmpty());
    const auto first = changed.first();
    QCOMPARE(first.at(0).toModelIndex().column(), int(RateSeries::SecondColumn));
    changed.clear();
    // Same bucket geometry, same values: nothing to tell.
    series.setSeries({1, 2, 3}, 1007, 10);
    QVERIFY(changed.isEmpty());
}

void TestRateSeries::applySnapshot()
{
    RateSeries series(3);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    DashboardSnapshot snapshot;
    snapshot.clicksPerSecond = {4, 5};
    snapshot.newestSecond = 1'700'000'000;
    series.applySnapshot(snapshot);
    QCOMPARE(values(series), (QList<double>{0, 4, 5}));
    QCOMPARE(series.newestSecond(), 1'700'000'000);
    QCOMPARE(series.valueAt(2), 5.0);
}

// A sliding series with bursts and idle spells, lengths that vary, and window changes: one
// dataChanged at most per tick (and exactly over the changed rows), a reset only per window change.
void TestRateSeries::churnKeepsSignalsBounded()
{
    RateSeries series(120);
    QAbstractItemModelTester tester(&series, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&series);
    SignalCounts counts(&series);
    QRandomGenerator rng(99);

    QList<double> ring;
    qint64 second = 1000;
    int windowChanges = 0;
    for (int tick = 0; tick < 1500; ++tick) {
        counts.clear();
        if (tick % 200 == 199) {
            const int window = rng.bounded(1, 300);
            const bool changes = window != series.window();
            series.setWindow(window);
            QCOMPARE(counts.reset.size(), changes ? 1 : 0);
            QCOMPARE(counts.total(), counts.reset.size());
            windowChanges += changes ? 1 : 0;
            QVERIFY(mirror.matchesModel());
            continue;
        }

        const QList<double> before = values(series);
        if (rng.bounded(3) == 0) {
            ring.append(rng.bounded(5) == 0 ? 0.0 : double(rng.bounded(1000)));   // a new second
            ++second;
        } else if (!ring.isEmpty()) {
            ring.last() += double(rng.bounded(3));   // the newest second still filling
        }
        if (ring.size() > 400)
            ring.remove(0, ring.size() - 400);
        series.setSeries(ring, second);

        QList<double> want(series.window(), 0.0);
        const qsizetype n = std::min(ring.size(), want.size());
        std::copy(ring.cend() - n, ring.cend(), want.end() - n);
        QCOMPARE(values(series), want);
        QCOMPARE(series.maxValue(), want.isEmpty() ? 0.0 : *std::max_element(want.cbegin(), want.cend()));

        int first = -1, last = -1;
        for (int r = 0; r < want.size(); ++r) {
            if (before.at(r) != want.at(r)) {
                if (first < 0)
                    first = r;
                last = r;
            }
        }
        QCOMPARE(counts.reset.size() + counts.inserted.size() + counts.removed.size() + counts.layout.size(), 0);
        QCOMPARE(counts.changed.size(), first >= 0 ? 1 : 0);
        if (first >= 0)
            QCOMPARE(counts.changedRows(), QPoint(first, last));
        QVERIFY(mirror.matchesModel());
    }
    QVERIFY(windowChanges >= 5);
}

QTEST_GUILESS_MAIN(TestRateSeries)
#include "tst_rateseries.moc"

// SPDX-License-Identifier: MIT
#include "core/model/timeseriesring.h"

#include <QTest>

#include <cmath>
#include <limits>

using Clickscope::RateMeter;
using Clickscope::TimeSeriesRing;

class TestTimeSeriesRing : public QObject
{
    Q_OBJECT

private slots:
    void windowClamped_data();
    void windowClamped();
    void addAndAt();
    void emptyRing();
    void windowSlides();
    void lateSecondsDropped_data();
    void lateSecondsDropped();
    void jumpsClearSkippedBuckets_data();
    void jumpsClearSkippedBuckets();
    void negativeAndExtremeSeconds();
    void copyLastZeroFills();
    void copyLastReusesCapacity();
    void sumAndMaxLast();
    void copyAveragedAlignsBuckets();
    void copyAveragedOfOneSecondIsCopyLast();
    void memoryIndependentOfTimeAndRate();
    void clearForgetsEverything();

    void rateMeterSteadyRate();
    void rateMeterSmoothsAStep();
    void rateMeterIgnoresIncompleteSecond();
    void rateMeterPeakSlidesWithWindow();
    void rateMeterIdleSecondsDecay();
    void rateMeterSparseStreamDoesNotFlicker();
    void rateMeterLongPauseIsBounded();
};

void TestTimeSeriesRing::windowClamped_data()
{
    QTest::addColumn<int>("requested");
    QTest::addColumn<int>("expected");
    QTest::newRow("negative") << -5 << 1;
    QTest::newRow("zero") << 0 << 1;
    QTest::newRow("one") << 1 << 1;
    QTest::newRow("default") << TimeSeriesRing::kDefaultWindowSeconds << 3600;
    QTest::newRow("24 h") << 86400 << 86400;
    QTest::newRow("above 24 h") << 86401 << 86400;
    QTest::newRow("int max") << std::numeric_limits<int>::max() << 86400;
}

void TestTimeSeriesRing::windowClamped()
{
    QFETCH(int, requested);
    QFETCH(int, expected);
    const TimeSeriesRing ring(requested);
    QCOMPARE(ring.windowSeconds(), expected);
    QCOMPARE(ring.memoryBytes(), qsizetype(sizeof(TimeSeriesRing) + std::size_t(expected) * sizeof(quint64)));
}

void TestTimeSeriesRing::addAndAt()
{
    TimeSeriesRing ring(60);
    ring.add(1'700'000'000);
    ring.add(1'700'000'000, 4);
    ring.add(1'700'000'001);
    QCOMPARE(ring.at(1'700'000'000), quint64(5));
    QCOMPARE(ring.at(1'700'000'001), quint64(1));
    QCOMPARE(ring.at(1'699'999'999), quint64(0));
    QCOMPARE(ring.at(1'700'000'002), quint64(0));   // in the future: nothing yet
    QCOMPARE(ring.newestSecond(), 1'700'000'001);
    QCOMPARE(ring.oldestSecond(), 1'700'000'001 - 59);
    QCOMPARE(ring.firstSecond(), 1'700'000'000);
    QCOMPARE(ring.total(), quint64(6));
    QCOMPARE(ring.droppedLate(), quint64(0));

    // An earlier second still inside the window counts, and moves firstSecond back.
    ring.add(1'699'999'990, 2);
    QCOMPARE(ring.at(1'699'999'990), quint64(2));
    QCOMPARE(ring.firstSecond(), 1'699'999'990);
    QCOMPARE(ring.newestSecond(), 1'700'000'001);
}

void TestTimeSeriesRing::emptyRing()
{
    const TimeSeriesRing ring(10);
    QVERIFY(ring.isEmpty());
    QCOMPARE(ring.newestSecond(), TimeSeriesRing::kNoSecond);
    QCOMPARE(ring.oldestSecond(), TimeSeriesRing::kNoSecond);
    QCOMPARE(ring.at(0), quint64(0));
    QCOMPARE(ring.sumLast(10, 100), quint64(0));
    QList<double> out;
    ring.copyLast(3, 100, out);
    QCOMPARE(out, (QList<double>{0, 0, 0}));
}

void TestTimeSeriesRing::windowSlides()
{
    TimeSeriesRing ring(10);
    for (qint64 s = 0; s < 10; ++s)
        ring.add(s, quint64(s + 1));
    QCOMPARE(ring.sumLast(10, 9), quint64(55));
    QCOMPARE(ring.at(0), quint64(1));

    // Second 10 pushes second 0 out; each later second pushes one more.
    ring.add(10, 100);
    QCOMPARE(ring.at(0), quint64(0));
    QCOMPARE(ring.at(1), quint64(2));
    QCOMPARE(ring.at(10), quint64(100));
    QCOMPARE(ring.oldestSecond(), 1);
    QCOMPARE(ring.sumLast(10, 10), quint64(55 - 1 + 100));

    ring.add(13);
    for (qint64 s = 0; s <= 3; ++s)
        QCOMPARE(ring.at(s), quint64(0));
    QCOMPARE(ring.at(4), quint64(5));
    QCOMPARE(ring.at(11), quint64(0));   // skipped, so zero
    QCOMPARE(ring.at(12), quint64(0));
    QCOMPARE(ring.at(13), quint64(1));
    QCOMPARE(ring.total(), quint64(55 + 100 + 1));   // total() keeps what slid out
}

void TestTimeSeriesRing::lateSecondsDropped_data()
{
    QTest::addColumn<qint64>("second");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("newest") << qint64(100) << true;
    QTest::newRow("oldest in window") << qint64(91) << true;
    QTest::newRow("just out") << qint64(90) << false;
    QTest::newRow("long ago") << qint64(-1'000'000) << false;
    QTest::newRow("int64 min + 1") << std::numeric_limits<qint64>::min() + 1 << false;
}

void TestTimeSeriesRing::lateSecondsDropped()
{
    QFETCH(qint64, second);
    QFETCH(bool, accepted);
    TimeSeriesRing ring(10);
    ring.add(100);
    ring.add(second, 7);
    QCOMPARE(ring.at(second), accepted ? quint64(second == 100 ? 8 : 7) : quint64(0));
    QCOMPARE(ring.droppedLate(), accepted ? quint64(0) : quint64(7));
    QCOMPARE(ring.total(), accepted ? quint64(8) : quint64(1));
    QCOMPARE(ring.newestSecond(), 100);
}

void TestTimeSeriesRing::jumpsClearSkippedBuckets_data()
{
    QTest::addColumn<qint64>("gap");
    QTest::newRow("1") << qint64(1);
    QTest::newRow("5") << qint64(5);
    QTest::newRow("window - 1") << qint64(9);
    QTest::newRow("window") << qint64(10);
    QTest::newRow("window + 1") << qint64(11);
    QTest::newRow("a billion") << qint64(1'000'000'000);
}

void TestTimeSeriesRing::jumpsClearSkippedBuckets()
{
    QFETCH(qint64, gap);
    constexpr int kWindow = 10;
    TimeSeriesRing ring(kWindow);
    // Every bucket full before the jump, so a bucket that is not cleared shows.
    for (qint64 s = 0; s < kWindow; ++s)
        ring.add(s, 1000 + quint64(s));
    const qint64 newest = kWindow - 1 + gap;
    ring.add(newest, 1);

    QCOMPARE(ring.newestSecond(), newest);
    for (qint64 s = newest - kWindow + 1; s <= newest; ++s) {
        quint64 expected = 0;
        if (s == newest)
            expected = 1;
        else if (s < kWindow)
            expected = 1000 + quint64(s);   // survived: still inside the window
        QCOMPARE(ring.at(s), expected);
    }
    QCOMPARE(
        ring.sumLast(kWindow, newest), ring.total() - [&] {
            quint64 gone = 0;
            for (qint64 s = 0; s < std::min<qint64>(kWindow, newest - kWindow + 1); ++s)
                gone += 1000 + quint64(s);
            return gone;
        }());
}

void TestTimeSeriesRing::negativeAndExtremeSeconds()
{
    TimeSeriesRing ring(10);
    ring.add(-3, 2);
    ring.add(-1);
    ring.add(0, 5);
    QCOMPARE(ring.at(-3), quint64(2));
    QCOMPARE(ring.at(-2), quint64(0));
    QCOMPARE(ring.at(-1), quint64(1));
    QCOMPARE(ring.at(0), quint64(5));

    // From one end of the range to the other: no overflow, everything cleared.
    const qint64 far = std::numeric_limits<qint64>::max();
    ring.add(far, 3);
    QCOMPARE(ring.at(far), quint64(3));
    QCOMPARE(ring.at(0), quint64(0));
    QCOMPARE(ring.sumLast(10, far), quint64(3));
    QCOMPARE(ring.oldestSecond(), far - 9);
    ring.add(0);
    QCOMPARE(ring.droppedLate(), quint64(1));

    TimeSeriesRing low(10);
    low.add(std::numeric_limits<qint64>::min() + 1);
    QCOMPARE(low.at(std::numeric_limits<qint64>::min() + 1), quint64(1));
    low.add(std::numeric_limits<qint64>::max());
    QCOMPARE(low.at(std::numeric_limits<qint64>::min() + 1), quint64(0));
}

void TestTimeSeriesRing::copyLastZeroFills()
{
    TimeSeriesRing ring(10);
    ring.add(5, 3);
    ring.add(7, 2);
    QList<double> out;
    ring.copyLast(5, 8, out);
    QCOMPARE(out, (QList<double>{0, 3, 0, 2, 0}));   // seconds 4..8

    ring.copyLast(3, 6, out);
    QCOMPARE(out, (QList<double>{0, 3, 0}));   // seconds 4..6: shrinks to fit

    ring.copyLast(2, 100, out);
    QCOMPARE(out, (QList<double>{0, 0}));   // far past the newest second

    ring.copyLast(50, 7, out);
    QCOMPARE(out.size(), 10);   // clamped to the window
    QCOMPARE(out.back(), 2.0);
    QCOMPARE(out[8], 0.0);
    QCOMPARE(out[7], 3.0);

    ring.copyLast(0, 7, out);
    QVERIFY(out.isEmpty());
    ring.copyLast(-4, 7, out);
    QVERIFY(out.isEmpty());
}

void TestTimeSeriesRing::copyLastReusesCapacity()
{
    TimeSeriesRing ring(3600);
    for (qint64 s = 0; s < 5000; s += 3)
        ring.add(s, quint64(s));
    QList<double> out;
    out.reserve(3600);
    const double *storage = out.constData();
    for (qint64 now = 4000; now < 4010; ++now) {
        ring.copyLast(3600, now, out);
        QCOMPARE(out.size(), 3600);
        QCOMPARE(out.constData(), storage);   // the same buffer: nothing allocated per tick
        QCOMPARE(out.back(), now % 3 == 0 ? double(now) : 0.0);
    }
}

void TestTimeSeriesRing::sumAndMaxLast()
{
    TimeSeriesRing ring(100);
    for (qint64 s = 1; s <= 100; ++s)
        ring.add(s, quint64(s));
    QCOMPARE(ring.sumLast(100, 100), quint64(5050));
    QCOMPARE(ring.sumLast(10, 100), quint64(955));
    QCOMPARE(ring.sumLast(10, 50), quint64(455));
    QCOMPARE(ring.sumLast(1000, 100), quint64(5050));   // clamped to the window
    QCOMPARE(ring.sumLast(0, 100), quint64(0));
    QCOMPARE(ring.maxLast(100, 100), quint64(100));
    QCOMPARE(ring.maxLast(10, 50), quint64(50));
    QCOMPARE(ring.maxLast(5, 200), quint64(0));
}

void TestTimeSeriesRing::memoryIndependentOfTimeAndRate()
{
    TimeSeriesRing ring(3600);
    const qsizetype before = ring.memoryBytes();
    for (qint64 s = 0; s < 200'000; ++s)
        ring.add(s, quint64(s % 7) * 1'000'000);
    QCOMPARE(ring.memoryBytes(), before);
    QCOMPARE(ring.windowSeconds(), 3600);
}

void TestTimeSeriesRing::clearForgetsEverything()
{
    TimeSeriesRing ring(10);
    ring.add(50, 4);
    ring.add(10);
    ring.clear();
    QVERIFY(ring.isEmpty());
    QCOMPARE(ring.total(), quint64(0));
    QCOMPARE(ring.droppedLate(), quint64(0));
    QCOMPARE(ring.at(50), quint64(0));
    QCOMPARE(ring.firstSecond(), TimeSeriesRing::kNoSecond);
    // After a clear, any second is accepted again, even one "older" than before.
    ring.add(3, 2);
    QCOMPARE(ring.at(3), quint64(2));
    QCOMPARE(ring.droppedLate(), quint64(0));
}

void TestTimeSeriesRing::rateMeterSteadyRate()
{
    TimeSeriesRing ring(60);
    RateMeter meter;
    meter.tick(ring, 0);   // empty: nothing to read
    QCOMPARE(meter.smoothedRate(), 0.0);

    for (qint64 s = 0; s < 20; ++s) {
        ring.add(s, 100);
        meter.tick(ring, s + 1);
    }
    QCOMPARE(meter.smoothedRate(), 100.0);
    QCOMPARE(meter.peakRate(), quint64(100));
    QCOMPARE(meter.averageRate(), 100.0);
    QCOMPARE(meter.lastSecondRate(), quint64(100));
}

void TestTimeSeriesRing::rateMeterSmoothsAStep()
{
    TimeSeriesRing ring(60);
    RateMeter meter;
    for (qint64 s = 0; s < 10; ++s)
        ring.add(s, 100);
    for (qint64 s = 10; s < 20; ++s)
        ring.add(s, 200);
    // Ticking once after all twenty seconds reads them in order, the same as ticking each second.
    meter.tick(ring, 20);

    const double expected = 200.0 - 100.0 * std::pow(1.0 - RateMeter::kSmoothing, 10);
    QVERIFY(std::abs(meter.smoothedRate() - expected) < 1e-9);
    QCOMPARE(meter.peakRate(), quint64(200));
    QCOMPARE(meter.averageRate(), 150.0);
    QCOMPARE(meter.lastSecondRate(), quint64(200));

    // One second after the step, the rate shows kSmoothing of it.
    TimeSeriesRing ring2(60);
    RateMeter meter2;
    for (qint64 s = 0; s < 5; ++s)
        ring2.add(s, 100);
    ring2.add(5, 200);
    meter2.tick(ring2, 6);
    QVERIFY(std::abs(meter2.smoothedRate() - (100.0 + 100.0 * RateMeter::kSmoothing)) < 1e-9);
}

void TestTimeSeriesRing::rateMeterIgnoresIncompleteSecond()
{
    TimeSeriesRing ring(60);
    RateMeter meter;
    for (qint64 s = 0; s < 5; ++s)
        ring.add(s, 10);
    ring.add(5, 1000);   // the second still filling
    ring.add(7, 50);     // stamped ahead of our clock
    meter.tick(ring, 5);
    QCOMPARE(meter.smoothedRate(), 10.0);
    QCOMPARE(meter.peakRate(), quint64(10));
    QCOMPARE(meter.averageRate(), 10.0);

    // Ticking again within the same second changes nothing.
    ring.add(5, 1000);
    meter.tick(ring, 5);
    QCOMPARE(meter.smoothedRate(), 10.0);
    QCOMPARE(meter.lastSecondRate(), quint64(10));

    meter.tick(ring, 6);
    QCOMPARE(meter.lastSecondRate(), quint64(2000));
    QCOMPARE(meter.peakRate(), quint64(2000));
    QCOMPARE(meter.averageRate(), 2050.0 / 6);
}

void TestTimeSeriesRing::rateMeterPeakSlidesWithWindow()
{
    TimeSeriesRing ring(10);
    RateMeter meter;
    ring.add(0, 500);
    for (qint64 s = 1; s <= 30; ++s) {
        ring.add(s, 10);
        meter.tick(ring, s + 1);
        // The burst at second 0 is the peak while it is in the window (seconds s-9..s).
        QCOMPARE(meter.peakRate(), s <= 9 ? quint64(500) : quint64(10));
    }
    // The average is since the start, not over the window.
    QCOMPARE(meter.averageRate(), (500.0 + 30 * 10) / 31);
}

void TestTimeSeriesRing::rateMeterIdleSecondsDecay()
{
    TimeSeriesRing ring(60);
    RateMeter meter;
    for (qint64 s = 0; s < 10; ++s)
        ring.add(s, 100);
    meter.tick(ring, 10);
    QCOMPARE(meter.smoothedRate(), 100.0);

    // No clicks: nothing is added, but the clock keeps ticking. One quiet second decays the
    // rate; kQuietSecondsToZero of them make it 0 rather than the tail of a long decay.
    meter.tick(ring, 11);
    QVERIFY(std::abs(meter.smoothedRate() - 100.0 * (1.0 - RateMeter::kSmoothing)) < 1e-9);
    for (qint64 now = 12; now < 10 + RateMeter::kQuietSecondsToZero; ++now)
        meter.tick(ring, now);
    QVERIFY(meter.smoothedRate() > 0);
    meter.tick(ring, 10 + RateMeter::kQuietSecondsToZero);
    QCOMPARE(meter.smoothedRate(), 0.0);
    for (qint64 now = 13; now <= 20; ++now)
        meter.tick(ring, now);
    QCOMPARE(meter.smoothedRate(), 0.0);
    // A click after the quiet starts the rate again.
    ring.add(20, 10);
    meter.tick(ring, 21);
    QVERIFY(std::abs(meter.smoothedRate() - 10.0 * RateMeter::kSmoothing) < 1e-9);
    QCOMPARE(meter.lastSecondRate(), quint64(10));
    QCOMPARE(meter.peakRate(), quint64(100));
    QCOMPARE(meter.averageRate(), 1010.0 / 21);

    meter.reset();
    QCOMPARE(meter.smoothedRate(), 0.0);
    QCOMPARE(meter.peakRate(), quint64(0));
}

void TestTimeSeriesRing::rateMeterSparseStreamDoesNotFlicker()
{
    // One busy second every 4 s (a snapshot stream, a slow feed): once that interval has been
    // seen, the rate never reads 0 while it goes on, and does once the stream has been quiet
    // for twice its usual interval.
    TimeSeriesRing ring(60);
    RateMeter meter;
    for (qint64 s = 0; s <= 40; s += 4) {
        ring.add(s, 2);
        for (qint64 now = s + 1; now <= s + 4; ++now) {
            meter.tick(ring, now);
            if (s > 0)
                QVERIFY2(meter.smoothedRate() > 0, qPrintable(QString::number(now)));
        }
    }
    for (qint64 now = 45; now <= 48; ++now)
        meter.tick(ring, now);
    QVERIFY(meter.smoothedRate() > 0);   // seconds 41 to 47 quiet: 7, less than twice 4
    meter.tick(ring, 49);                // and 48: 8
    QCOMPARE(meter.smoothedRate(), 0.0);
}

void TestTimeSeriesRing::rateMeterLongPauseIsBounded()
{
    // A tick a century later reads at most one window of seconds, not three billion.
    TimeSeriesRing ring(60);
    RateMeter meter;
    ring.add(0, 100);
    meter.tick(ring, 1);
    meter.tick(ring, qint64(100) * 365 * 86400);
    QVERIFY(meter.smoothedRate() < 1e-6);
    QCOMPARE(meter.peakRate(), quint64(0));
    QVERIFY(meter.averageRate() > 0);
}

void TestTimeSeriesRing::copyAveragedAlignsBuckets()
{
    TimeSeriesRing ring(100);
    // Seconds 90..101: 1, 2, …, 12 clicks.
    for (int s = 90; s <= 101; ++s)
        ring.add(s, quint64(s - 89));
    QList<double> out;
    // Buckets of 5 aligned to multiples of 5: [85,89] [90,94] [95,99] [100,101 (so far)].
    ring.copyAveraged(4, 5, 101, out);
    QCOMPARE(out, (QList<double>{0.0, 3.0, 8.0, 11.5}));
    QCOMPARE(TimeSeriesRing::bucketStart(101, 5), 100);
    QCOMPARE(TimeSeriesRing::bucketStart(-1, 5), -5);
    QCOMPARE(TimeSeriesRing::bucketStart(-5, 5), -5);
    QCOMPARE(TimeSeriesRing::bucketStart(7, 1), 7);
    // A second later the finished buckets keep their values.
    ring.add(102, 13);
    ring.copyAveraged(4, 5, 102, out);
    QCOMPARE(out, (QList<double>{0.0, 3.0, 8.0, 12.0}));
}

void TestTimeSeriesRing::copyAveragedOfOneSecondIsCopyLast()
{
    TimeSeriesRing ring(60);
    for (int s = 0; s < 200; s += 3)
        ring.add(1000 + s, quint64(s % 7));
    QList<double> averaged;
    QList<double> copied;
    ring.copyAveraged(60, 1, 1199, averaged);
    ring.copyLast(60, 1199, copied);
    QCOMPARE(averaged, copied);
}

QTEST_GUILESS_MAIN(TestTimeSeriesRing)
#include "tst_timeseriesring.moc"

// SPDX-License-Identifier: MIT
#include "core/model/latencyhistogram.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

using Clickscope::LatencyHistogram;

namespace {

// The nearest-rank percentile of sorted, non-negative samples: what percentile()
// estimates.
double exactPercentile(const std::vector<double> &sorted, double p)
{
    const auto n = quint64(sorted.size());
    const quint64 rank = std::clamp<quint64>(quint64(std::ceil(p / 100.0 * double(n))), 1, n);
    return sorted[std::size_t(rank - 1)];
}

// The error the header promises for a sample of this size.
double allowedError(double exact)
{
    return exact < 1.0 ? LatencyHistogram::kAbsoluteErrorMs : exact * LatencyHistogram::kRelativeError;
}

}   // namespace

class TestLatencyHistogram : public QObject
{
    Q_OBJECT

private slots:
    void empty();
    void percentilesWithinStatedError_data();
    void percentilesWithinStatedError();
    void everySingleValueWithinError_data();
    void everySingleValueWithinError();
    void negativesRankAsZero();
    void overflowIsALowerBound();
    void percentileArgumentClamped();
    void nanIgnored();
    void maxIsExact();
    void clearForgetsEverything();
};

void TestLatencyHistogram::empty()
{
    const LatencyHistogram h;
    QCOMPARE(h.count(), quint64(0));
    QCOMPARE(h.percentile(50), 0.0);
    QCOMPARE(h.max(), 0.0);
    QVERIFY(sizeof(LatencyHistogram) < 8 * 1024);   // the whole bounded footprint
}

void TestLatencyHistogram::percentilesWithinStatedError_data()
{
    QTest::addColumn<QString>("distribution");
    QTest::newRow("uniform 0-1000 ms") << "uniform";
    QTest::newRow("sub-millisecond") << "submilli";
    QTest::newRow("exponential, mean 50 ms") << "exponential";
    QTest::newRow("log-normal, 10 us to a minute") << "lognormal";
    QTest::newRow("constant 42 ms") << "constant";
    QTest::newRow("bimodal 2 ms / 3 s") << "bimodal";
}

void TestLatencyHistogram::percentilesWithinStatedError()
{
    QFETCH(QString, distribution);
    std::mt19937_64 random(1234);
    std::uniform_real_distribution<double> uniform(0.0, 1000.0);
    std::uniform_real_distribution<double> submilli(0.0, 1.0);
    std::exponential_distribution<double> exponential(1.0 / 50.0);
    std::lognormal_distribution<double> lognormal(std::log(100.0), 2.0);

    std::vector<double> samples;
    constexpr int kSamples = 200000;
    samples.reserve(kSamples);
    for (int i = 0; i < kSamples; ++i) {
        double v = 0;
        if (distribution == "uniform")
            v = uniform(random);
        else if (distribution == "submilli")
            v = submilli(random);
        else if (distribution == "exponential")
            v = exponential(random);
        else if (distribution == "lognormal")
            v = std::clamp(lognormal(random), 0.01, 60000.0);
        else if (distribution == "constant")
            v = 42.0;
        else
            v = (i % 10 == 0) ? 3000.0 + uniform(random) : 2.0 + submilli(random);
        samples.push_back(v);
    }

    LatencyHistogram h;
    for (double v : samples)
        h.add(v);
    QCOMPARE(h.count(), quint64(kSamples));
    QCOMPARE(h.negative(), quint64(0));
    QCOMPARE(h.overflow(), quint64(0));

    std::sort(samples.begin(), samples.end());
    for (double p : {0.0, 0.1, 1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
        const double exact = exactPercentile(samples, p);
        const double got = h.percentile(p);
        QVERIFY2(std::abs(got - exact) <= allowedError(exact) + 1e-12,
                 qPrintable(QStringLiteral("p%1: got %2, exact %3").arg(p).arg(got).arg(exact)));
    }
}

void TestLatencyHistogram::everySingleValueWithinError_data()
{
    QTest::addColumn<double>("value");
    for (double v : {0.0,     0.05,    0.1,     0.5,    0.9999, std::nextafter(1.0, 0.0),
                     1.0,     1.015,   1.03,    1.999,  2.0,    3.0,
                     10.0,    99.7,    1000.0,  1024.0, 1055.0, 4095.9,
                     30000.0, 60000.0, 65535.99}) {
        QTest::addRow("%g", v) << v;
    }
}

void TestLatencyHistogram::everySingleValueWithinError()
{
    // A negative below and an overflow above, so the middle ranks read the value's bucket, not
    // the exact smallest or largest sample.
    QFETCH(double, value);
    LatencyHistogram h;
    h.add(-1);
    h.add(value);
    h.add(value);
    h.add(2 * LatencyHistogram::kMaxTrackableMs);
    for (double p : {50.0, 75.0}) {
        const double got = h.percentile(p);
        QVERIFY2(std::abs(got - value) <= allowedError(value) + 1e-12, qPrintable(QString::number(got, 'g', 17)));
    }
    QCOMPARE(h.overflow(), quint64(1));
}

void TestLatencyHistogram::negativesRankAsZero()
{
    LatencyHistogram h;
    h.add(-5);
    h.add(-1);
    h.add(10);
    h.add(20);
    QCOMPARE(h.count(), quint64(4));
    QCOMPARE(h.negative(), quint64(2));
    QCOMPARE(h.percentile(25), 0.0);
    QCOMPARE(h.percentile(50), 0.0);
    QVERIFY(std::abs(h.percentile(75) - 10.0) <= 10.0 * LatencyHistogram::kRelativeError);
    QCOMPARE(h.percentile(100), 20.0);
    QCOMPARE(h.max(), 20.0);

    LatencyHistogram allNegative;
    allNegative.add(-30);
    allNegative.add(-2);
    QCOMPARE(allNegative.percentile(50), 0.0);
    QCOMPARE(allNegative.percentile(100), 0.0);
    QCOMPARE(allNegative.max(), -2.0);
    allNegative.add(-std::numeric_limits<double>::infinity());
    QCOMPARE(allNegative.negative(), quint64(3));
}

void TestLatencyHistogram::overflowIsALowerBound()
{
    LatencyHistogram h;
    for (int i = 0; i < 8; ++i)
        h.add(5.0);
    h.add(100000.0);
    h.add(LatencyHistogram::kMaxTrackableMs);
    QCOMPARE(h.overflow(), quint64(2));
    QCOMPARE(h.count(), quint64(10));
    QCOMPARE(h.percentile(90), LatencyHistogram::kMaxTrackableMs);
    QCOMPARE(h.percentile(100), 100000.0);
    QCOMPARE(h.max(), 100000.0);
    QVERIFY(std::abs(h.percentile(80) - 5.0) <= 5.0 * LatencyHistogram::kRelativeError);

    h.add(std::numeric_limits<double>::infinity());
    QCOMPARE(h.overflow(), quint64(3));
}

void TestLatencyHistogram::percentileArgumentClamped()
{
    LatencyHistogram h;
    for (int i = 1; i <= 100; ++i)
        h.add(double(i));
    QCOMPARE(h.percentile(-10), h.percentile(0));
    QCOMPARE(h.percentile(250), h.percentile(100));
    QCOMPARE(h.percentile(std::numeric_limits<double>::quiet_NaN()), h.percentile(0));
    QCOMPARE(h.percentile(0), 1.0);   // the smallest sample, exactly
    QCOMPARE(h.percentile(100), 100.0);
}

void TestLatencyHistogram::nanIgnored()
{
    LatencyHistogram h;
    h.add(std::numeric_limits<double>::quiet_NaN());
    QCOMPARE(h.count(), quint64(0));
    QCOMPARE(h.ignored(), quint64(1));
    h.add(3.0);
    QCOMPARE(h.max(), 3.0);
}

void TestLatencyHistogram::maxIsExact()
{
    LatencyHistogram h;
    for (double v : {12.345, 0.2, 999.999, 7.0})
        h.add(v);
    QCOMPARE(h.max(), 999.999);
    QCOMPARE(h.percentile(100), 999.999);
}

void TestLatencyHistogram::clearForgetsEverything()
{
    LatencyHistogram h;
    h.add(-1);
    h.add(5);
    h.add(1e9);
    h.add(std::numeric_limits<double>::quiet_NaN());
    h.clear();
    QCOMPARE(h.count(), quint64(0));
    QCOMPARE(h.negative(), quint64(0));
    QCOMPARE(h.overflow(), quint64(0));
    QCOMPARE(h.ignored(), quint64(0));
    QCOMPARE(h.max(), 0.0);
    QCOMPARE(h.percentile(50), 0.0);
    h.add(2.5);
    QVERIFY(std::abs(h.percentile(50) - 2.5) <= 2.5 * LatencyHistogram::kRelativeError);
}

QTEST_GUILESS_MAIN(TestLatencyHistogram)
#include "tst_latencyhistogram.moc"

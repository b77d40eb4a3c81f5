// SPDX-License-Identifier: MIT
#include "core/model/topcounter.h"

#include <QTest>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

using Clickscope::TopCounter;

namespace {

using TrueCounts = std::unordered_map<std::string, quint64>;

QByteArrayView view(const std::string &s) { return QByteArrayView(s.data(), qsizetype(s.size())); }

// Zipf-distributed key ids (rank 0 most frequent): the shape of real link popularity.
class Zipf
{
public:
    Zipf(int keys, double exponent, quint64 seed) : m_random(seed)
    {
        double sum = 0;
        m_cdf.reserve(std::size_t(keys));
        for (int k = 1; k <= keys; ++k) {
            sum += 1.0 / std::pow(k, exponent);
            m_cdf.push_back(sum);
        }
        for (double &c : m_cdf)
            c /= sum;
    }
    int next()
    {
        const double u = std::uniform_real_distribution<double>(0.0, 1.0)(m_random);
        return int(std::lower_bound(m_cdf.begin(), m_cdf.end(), u) - m_cdf.begin());
    }

private:
    std::mt19937_64 m_random;
    std::vector<double> m_cdf;
};

// The Space-Saving guarantees from topcounter.h, checked against the true counts.
void verifyGuarantees(const TopCounter &counter, const TrueCounts &truth)
{
    const quint64 total = counter.total();
    const quint64 errorBound = total / quint64(counter.capacity());

    const QList<TopCounter::Entry> entries = counter.top(counter.size());
    QCOMPARE(entries.size(), counter.size());
    quint64 sumOfCounts = 0;
    for (const TopCounter::Entry &e : entries) {
        const auto it = truth.find(e.key.toStdString());
        const quint64 real = it == truth.end() ? 0 : it->second;
        QVERIFY2(e.count >= real, e.key.constData());
        QVERIFY2(e.count - e.error <= real, e.key.constData());
        QVERIFY2(e.error <= errorBound, e.key.constData());
        sumOfCounts += e.count;
    }
    // Every add of n raises exactly one entry by n, so the counts always sum to N.
    QCOMPARE(sumOfCounts, total);
    QVERIFY(counter.maxError() <= errorBound);

    // Every key above N / capacity is present.
    for (const auto &[key, real] : truth) {
        if (real > errorBound)
            QVERIFY2(counter.find(view(key)).has_value(), key.c_str());
    }

    // Ranks are right wherever the true counts differ by more than N / capacity.
    for (qsizetype i = 0; i + 1 < entries.size(); ++i) {
        for (qsizetype j = i + 1; j < entries.size() && j < i + 50; ++j) {
            const quint64 a = truth.count(entries[i].key.toStdString()) ? truth.at(entries[i].key.toStdString()) : 0;
            const quint64 b = truth.count(entries[j].key.toStdString()) ? truth.at(entries[j].key.toStdString()) : 0;
            QVERIFY2(!(b > a + errorBound), entries[j].key.constData());
        }
    }
}

}   // namespace

class TestTopCounter : public QObject
{
    Q_OBJECT

private slots:
    void capacityClamped_data();
    void capacityClamped();
    void exactBelowCapacity_data();
    void exactBelowCapacity();
    void tiesSortByKey();
    void topClampsN();
    void evictionFollowsSpaceSaving();
    void zeroIncrementChangesNothing();
    void evictsTheTrueMinimum_data();
    void evictsTheTrueMinimum();
    void spaceSavingWithinBound_data();
    void spaceSavingWithinBound();
    void tenMillionDistinctKeysStayBounded();
    void longKeysAreTruncated();
    void memoryNeverExceedsBound_data();
    void memoryNeverExceedsBound();
    void clearForgetsEverything();
};

void TestTopCounter::capacityClamped_data()
{
    QTest::addColumn<qsizetype>("requested");
    QTest::addColumn<qsizetype>("expected");
    QTest::newRow("negative") << qsizetype(-5) << qsizetype(1);
    QTest::newRow("zero") << qsizetype(0) << qsizetype(1);
    QTest::newRow("one") << qsizetype(1) << qsizetype(1);
    QTest::newRow("100k") << qsizetype(100000) << qsizetype(100000);
    QTest::newRow("max") << TopCounter::kMaxCapacity << TopCounter::kMaxCapacity;
    QTest::newRow("above max") << TopCounter::kMaxCapacity + 1 << TopCounter::kMaxCapacity;
}

void TestTopCounter::capacityClamped()
{
    QFETCH(qsizetype, requested);
    QFETCH(qsizetype, expected);
    const TopCounter counter(requested);
    QCOMPARE(counter.capacity(), expected);
    QCOMPARE(counter.size(), 0);
    QVERIFY(counter.isExact());
}

void TestTopCounter::exactBelowCapacity_data()
{
    QTest::addColumn<qsizetype>("capacity");
    QTest::addColumn<int>("distinct");
    QTest::addColumn<int>("adds");
    QTest::addColumn<bool>("weighted");

    QTest::newRow("one key") << qsizetype(1) << 1 << 100 << false;
    QTest::newRow("half full") << qsizetype(1000) << 500 << 20000 << false;
    QTest::newRow("exactly full") << qsizetype(1000) << 1000 << 50000 << false;
    QTest::newRow("exactly full, weighted") << qsizetype(1000) << 1000 << 50000 << true;
    QTest::newRow("100k bound") << qsizetype(100000) << 100000 << 400000 << false;
}

void TestTopCounter::exactBelowCapacity()
{
    QFETCH(qsizetype, capacity);
    QFETCH(int, distinct);
    QFETCH(int, adds);
    QFETCH(bool, weighted);

    TopCounter counter(capacity);
    std::map<std::string, quint64> expected;
    std::mt19937_64 random(42);
    quint64 total = 0;
    // Every key once first, so "exactly full" really reaches the capacity; then random repeats.
    for (int i = 0; i < adds; ++i) {
        const int id = i < distinct ? i : int(random() % quint64(distinct));
        const std::string key = "/link/" + std::to_string(id);
        const quint64 n = weighted ? 1 + random() % 5 : 1;
        counter.add(view(key), n);
        expected[key] += n;
        total += n;
    }

    QVERIFY(counter.isExact());
    QCOMPARE(counter.evictions(), quint64(0));
    QCOMPARE(counter.maxError(), quint64(0));
    QCOMPARE(counter.size(), qsizetype(expected.size()));
    QCOMPARE(counter.total(), total);

    std::vector<std::pair<std::string, quint64>> sorted(expected.begin(), expected.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    const QList<TopCounter::Entry> top = counter.top(counter.size());
    QCOMPARE(top.size(), qsizetype(sorted.size()));
    for (qsizetype i = 0; i < top.size(); ++i) {
        QCOMPARE(top[i].key.toStdString(), sorted[std::size_t(i)].first);
        QCOMPARE(top[i].count, sorted[std::size_t(i)].second);
        QCOMPARE(top[i].error, quint64(0));
    }
    for (const auto &[key, count] : expected)
        QCOMPARE(counter.find(view(key))->count, count);
    QVERIFY(!counter.find("/not/there").has_value());
}

void TestTopCounter::tiesSortByKey()
{
    TopCounter counter(10);
    for (const char *key : {"delta", "alpha", "charlie", "bravo"})
        counter.add(key, 3);
    counter.add("echo", 5);
    counter.add("", 3);   // the empty key is a key like any other

    const QList<TopCounter::Entry> top = counter.top(10);
    QStringList keys;
    for (const TopCounter::Entry &e : top)
        keys << QString::fromLatin1(e.key);
    QCOMPARE(keys, (QStringList{"echo", "", "alpha", "bravo", "charlie", "delta"}));
    QCOMPARE(top.front().count, quint64(5));
}

void TestTopCounter::topClampsN()
{
    TopCounter counter(10);
    counter.add("a");
    counter.add("b");
    QCOMPARE(counter.top(0).size(), 0);
    QCOMPARE(counter.top(-1).size(), 0);
    QCOMPARE(counter.top(1).size(), 1);
    QCOMPARE(counter.top(100).size(), 2);
    QCOMPARE(TopCounter(5).top(3).size(), 0);
}

void TestTopCounter::evictionFollowsSpaceSaving()
{
    TopCounter counter(3);
    counter.add("a", 3);
    counter.add("b", 2);
    counter.add("c", 1);
    QVERIFY(counter.isExact());

    // A new key replaces the smallest entry (c, 1), inherits its count and records it as error.
    counter.add("d");
    QVERIFY(!counter.isExact());
    QCOMPARE(counter.evictions(), quint64(1));
    QCOMPARE(counter.size(), 3);
    QVERIFY(!counter.find("c").has_value());
    QCOMPARE(counter.find("d")->count, quint64(2));
    QCOMPARE(counter.find("d")->error, quint64(1));
    QCOMPARE(counter.maxError(), quint64(1));

    // Weighted: e replaces one of the two entries at 2, gets 2 + 5 with error 2.
    counter.add("e", 5);
    QCOMPARE(counter.evictions(), quint64(2));
    QCOMPARE(counter.find("e")->count, quint64(7));
    QCOMPARE(counter.find("e")->error, quint64(2));
    QCOMPARE(counter.maxError(), quint64(2));
    QVERIFY(counter.find("b").has_value() != counter.find("d").has_value());
    QCOMPARE(counter.find("a")->count, quint64(3));
    QCOMPARE(counter.total(), quint64(12));

    // An existing key only counts up, evicting nobody.
    counter.add("a", 10);
    QCOMPARE(counter.evictions(), quint64(2));
    QCOMPARE(counter.top(1).front().key, QByteArray("a"));
    QCOMPARE(counter.top(1).front().count, quint64(13));
}

void TestTopCounter::zeroIncrementChangesNothing()
{
    TopCounter counter(1);
    counter.add("a", 4);
    counter.add("b", 0);
    QCOMPARE(counter.total(), quint64(4));
    QCOMPARE(counter.evictions(), quint64(0));
    QVERIFY(counter.find("a").has_value());
}

void TestTopCounter::evictsTheTrueMinimum_data()
{
    QTest::addColumn<qsizetype>("capacity");
    QTest::addColumn<int>("keys");
    QTest::addColumn<int>("maxWeight");
    QTest::newRow("cap 1") << qsizetype(1) << 5 << 3;
    QTest::newRow("cap 3, unit") << qsizetype(3) << 10 << 1;
    QTest::newRow("cap 8, weighted") << qsizetype(8) << 30 << 50;
    QTest::newRow("cap 21, weighted") << qsizetype(21) << 60 << 1000;   // a partial last heap level
}

void TestTopCounter::evictsTheTrueMinimum()
{
    // The heap is updated lazily: increments leave stale heap counts behind. Whatever the heap
    // holds, each eviction must take an entry whose count is the true minimum, found here by a
    // full scan.
    QFETCH(qsizetype, capacity);
    QFETCH(int, keys);
    QFETCH(int, maxWeight);

    TopCounter counter(capacity);
    std::mt19937_64 random(99);
    for (int i = 0; i < 5000; ++i) {
        const QByteArray key = "k" + QByteArray::number(int(random() % quint64(keys)));
        const quint64 n = 1 + random() % quint64(maxWeight);
        const bool present = counter.find(key).has_value();
        quint64 min = std::numeric_limits<quint64>::max();
        for (const TopCounter::Entry &e : counter.top(counter.size()))
            min = std::min(min, e.count);
        const quint64 evictionsBefore = counter.evictions();

        counter.add(key, n);
        if (counter.evictions() == evictionsBefore) {
            QVERIFY(present || counter.size() <= capacity);   // counted up, or took a free entry
            continue;
        }
        QVERIFY(!present);
        QCOMPARE(counter.find(key)->error, min);
        QCOMPARE(counter.find(key)->count, min + n);
        QCOMPARE(counter.maxError(), min);
    }
    QVERIFY(counter.evictions() > 100);
}

void TestTopCounter::spaceSavingWithinBound_data()
{
    QTest::addColumn<qsizetype>("capacity");
    QTest::addColumn<int>("keys");
    QTest::addColumn<double>("exponent");
    QTest::addColumn<int>("adds");
    QTest::addColumn<bool>("weighted");

    QTest::newRow("zipf 1.1, 5k keys, cap 100") << qsizetype(100) << 5000 << 1.1 << 200000 << false;
    QTest::newRow("zipf 0.8, 50k keys, cap 500") << qsizetype(500) << 50000 << 0.8 << 300000 << false;
    QTest::newRow("zipf 1.5, 1k keys, cap 10") << qsizetype(10) << 1000 << 1.5 << 100000 << false;
    QTest::newRow("zipf 1.1, weighted") << qsizetype(100) << 5000 << 1.1 << 100000 << true;
    QTest::newRow("uniform-ish, cap 1") << qsizetype(1) << 100 << 0.0 << 10000 << false;
}

void TestTopCounter::spaceSavingWithinBound()
{
    QFETCH(qsizetype, capacity);
    QFETCH(int, keys);
    QFETCH(double, exponent);
    QFETCH(int, adds);
    QFETCH(bool, weighted);

    TopCounter counter(capacity);
    TrueCounts truth;
    Zipf zipf(keys, exponent, 7);
    std::mt19937_64 weights(11);
    for (int i = 0; i < adds; ++i) {
        const std::string key = "https://example.com/" + std::to_string(zipf.next());
        const quint64 n = weighted ? 1 + weights() % 9 : 1;
        counter.add(view(key), n);
        truth[key] += n;
    }

    QVERIFY(!counter.isExact());
    QVERIFY(counter.evictions() > 0);
    QCOMPARE(counter.size(), capacity);
    verifyGuarantees(counter, truth);
}

void TestTopCounter::tenMillionDistinctKeysStayBounded()
{
    // 20 heavy links among 10 million links seen once, interleaved at random. Their true counts are
    // 30k + i × 15k, steps larger than N / capacity (N ≈ 13.45 M, capacity 1000), so their order
    // is guaranteed too.
    constexpr qsizetype kCapacity = 1000;
    constexpr int kHeavy = 20;
    constexpr int kUnique = 10'000'000;
    constexpr quint64 kHeavyBase = 30000;
    constexpr quint64 kHeavyStep = 15000;
    // A fixed bound, independent of the stream: 1000 entries at 128 bytes each.
    constexpr qsizetype kMemoryBound = kCapacity * 128;

    std::vector<quint8> heavyStream;
    for (int i = 0; i < kHeavy; ++i)
        heavyStream.insert(heavyStream.end(), kHeavyBase + quint64(i) * kHeavyStep, quint8(i));
    std::shuffle(heavyStream.begin(), heavyStream.end(), std::mt19937_64(3));
    const std::size_t heavyTotal = heavyStream.size();

    TopCounter counter(kCapacity);
    char key[32] = "/u/";
    std::size_t heavyDone = 0;
    qsizetype bytesAfterOneMillion = 0;
    for (int u = 0; u < kUnique; ++u) {
        const auto end = std::to_chars(key + 3, key + sizeof key, u).ptr;
        counter.add(QByteArrayView(key, end - key));
        // Spread the heavy clicks evenly over the unique ones.
        const std::size_t due = std::size_t(quint64(u + 1) * heavyTotal / kUnique);
        for (; heavyDone < due; ++heavyDone) {
            const char heavy[] = {'/', 'h', '/', char('a' + heavyStream[heavyDone])};
            counter.add(QByteArrayView(heavy, 4));
        }
        if (u + 1 == 1'000'000) {
            bytesAfterOneMillion = counter.memoryBytes();
            QCOMPARE(counter.size(), kCapacity);
            QVERIFY2(bytesAfterOneMillion <= kMemoryBound, QByteArray::number(bytesAfterOneMillion).constData());
        }
    }

    const quint64 total = counter.total();
    QCOMPARE(total, quint64(kUnique) + heavyTotal);
    QCOMPARE(counter.size(), kCapacity);
    QVERIFY2(counter.memoryBytes() <= kMemoryBound, QByteArray::number(counter.memoryBytes()).constData());
    QCOMPARE(counter.memoryBytes(), bytesAfterOneMillion);   // flat, not merely bounded
    QVERIFY(counter.memoryBytes() <= TopCounter::memoryBound(kCapacity));
    // Every unique link beyond the first (capacity) ones evicted someone.
    QVERIFY(counter.evictions() >= quint64(kUnique - kCapacity));
    QVERIFY(counter.maxError() <= total / kCapacity);

    const QList<TopCounter::Entry> top = counter.top(kHeavy);
    QCOMPARE(top.size(), kHeavy);
    for (int rank = 0; rank < kHeavy; ++rank) {
        const int heavy = kHeavy - 1 - rank;
        const quint64 real = kHeavyBase + quint64(heavy) * kHeavyStep;
        const TopCounter::Entry &e = top[rank];
        QCOMPARE(e.key, QByteArray("/h/") + char('a' + heavy));
        QVERIFY(e.count >= real);
        QVERIFY(e.count - e.error <= real);
        QVERIFY(e.error <= total / kCapacity);
    }
}

void TestTopCounter::longKeysAreTruncated()
{
    constexpr qsizetype kMaxKey = 64;
    TopCounter counter(100, kMaxKey);
    const QByteArray prefix(kMaxKey, 'x');
    counter.add(prefix + "first tail");
    counter.add(prefix + "second tail");
    counter.add(prefix);
    QCOMPARE(counter.size(), 1);
    QCOMPARE(counter.find(prefix)->count, quint64(3));
    QCOMPARE(counter.find(prefix + "any tail")->count, quint64(3));
    QCOMPARE(counter.truncatedKeys(), quint64(2));
    QCOMPARE(counter.top(1).front().key, prefix);

    std::mt19937_64 random(5);
    for (int i = 0; i < 20000; ++i) {
        QByteArray key = QByteArray::number(i) + '/';
        key += QByteArray(qsizetype(random() % 300), 'k');
        counter.add(key);
    }
    for (const TopCounter::Entry &e : counter.top(counter.size()))
        QVERIFY(e.key.size() <= kMaxKey);
    QVERIFY(counter.memoryBytes() <= TopCounter::memoryBound(100, kMaxKey));
}

void TestTopCounter::memoryNeverExceedsBound_data()
{
    QTest::addColumn<qsizetype>("capacity");
    QTest::addColumn<qsizetype>("maxKeyBytes");
    QTest::addColumn<int>("keyLength");

    QTest::newRow("cap 1, short") << qsizetype(1) << TopCounter::kDefaultMaxKeyBytes << 4;
    QTest::newRow("cap 7, long") << qsizetype(7) << qsizetype(100) << 100;
    QTest::newRow("cap 1000, 15 bytes (inline)") << qsizetype(1000) << qsizetype(15) << 15;
    QTest::newRow("cap 1000, 16 bytes") << qsizetype(1000) << qsizetype(16) << 16;
    QTest::newRow("cap 4099, 200 bytes") << qsizetype(4099) << qsizetype(200) << 200;
    QTest::newRow("cap 100000, 40 bytes") << qsizetype(100000) << qsizetype(64) << 40;
}

void TestTopCounter::memoryNeverExceedsBound()
{
    QFETCH(qsizetype, capacity);
    QFETCH(qsizetype, maxKeyBytes);
    QFETCH(int, keyLength);

    TopCounter counter(capacity, maxKeyBytes);
    const qsizetype bound = TopCounter::memoryBound(capacity, maxKeyBytes);
    QByteArray key(keyLength, '-');
    // Fill, then churn with keys that grow from short to the longest allowed, the worst case
    // for the reused strings.
    for (qsizetype i = 0; i < 3 * capacity + 10; ++i) {
        const QByteArray id = QByteArray::number(i);
        const qsizetype length = std::max<qsizetype>(id.size(), keyLength * (i % 4 + 1) / 4);
        counter.add(QByteArray(id + key).left(length));
        QVERIFY(counter.memoryBytes() <= bound);
    }
    QCOMPARE(counter.size(), capacity);
}

void TestTopCounter::clearForgetsEverything()
{
    TopCounter counter(2);
    for (const char *key : {"a", "b", "c", "a", "d"})
        counter.add(key);
    QVERIFY(!counter.isExact());
    const qsizetype bytes = counter.memoryBytes();

    counter.clear();
    QCOMPARE(counter.size(), 0);
    QCOMPARE(counter.total(), quint64(0));
    QCOMPARE(counter.evictions(), quint64(0));
    QCOMPARE(counter.maxError(), quint64(0));
    QVERIFY(counter.isExact());
    QVERIFY(counter.top(5).isEmpty());
    QVERIFY(counter.memoryBytes() <= bytes);

    // Exact again until the capacity is reached.
    counter.add("x", 2);
    counter.add("y");
    QCOMPARE(counter.top(2).front().count, quint64(2));
    QVERIFY(counter.isExact());
    counter.add("z");
    QCOMPARE(counter.evictions(), quint64(1));
    QCOMPARE(counter.find("z")->count, quint64(2));
}

QTEST_GUILESS_MAIN(TestTopCounter)
#include "tst_topcounter.moc"

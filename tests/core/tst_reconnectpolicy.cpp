// SPDX-License-Identifier: MIT
#include "core/source/reconnectpolicy.h"

#include <QTest>

#include <limits>

using Clickscope::ReconnectPolicy;

class TestReconnectPolicy : public QObject
{
    Q_OBJECT

private slots:
    void firstAttemptWaitsTheBaseDelay();
    void serverRetryReplacesTheDefault();
    void consecutiveFailuresBackOffWithinJitter();
    void backoffIsCapped();
    void serverRetryAboveTheCapIsHonoured();
    void sameSeedSameDelays();
    void absurdServerRetryIsClamped_data();
    void absurdServerRetryIsClamped();
    void tinyServerRetryBacksOffAfterTheFirstTime();
};

void TestReconnectPolicy::absurdServerRetryIsClamped_data()
{
    QTest::addColumn<qint64>("retry");
    QTest::newRow("4000000000 (46 days)") << qint64(4'000'000'000);
    QTest::newRow("10^23, saturated by the parser") << std::numeric_limits<qint64>::max();
}

void TestReconnectPolicy::absurdServerRetryIsClamped()
{
    QFETCH(qint64, retry);
    ReconnectPolicy policy(ReconnectPolicy::Settings{3000, 30000, 0.25}, 1);
    policy.setServerRetryMs(retry);
    QCOMPARE(policy.baseDelayMs(), ReconnectPolicy::kMaxServerRetryMs);
    QCOMPARE(policy.clampedServerRetryMs(), std::optional<qint64>(retry));
    QCOMPARE(policy.delayMs(0), ReconnectPolicy::kMaxServerRetryMs);
    QCOMPARE(policy.delayMs(40), ReconnectPolicy::kMaxServerRetryMs);
    policy.setServerRetryMs(5000);
    QCOMPARE(policy.clampedServerRetryMs(), std::nullopt);
}

void TestReconnectPolicy::tinyServerRetryBacksOffAfterTheFirstTime()
{
    for (const qint64 retry : {qint64(0), qint64(100)}) {
        ReconnectPolicy policy(ReconnectPolicy::Settings{3000, 30000, 0.25}, 5);
        policy.setServerRetryMs(retry);
        QCOMPARE(policy.delayMs(0), retry);   // honoured as sent, the first time
        QCOMPARE(policy.delayMs(1), retry);
        qint64 total = 0;
        for (int failures = 2; failures <= 6; ++failures) {
            const qint64 full = ReconnectPolicy::kMinBackoffMs << (failures - 1);
            const qint64 d = policy.delayMs(failures);
            QVERIFY2(d <= full && d >= full * 3 / 4,
                     qPrintable(QStringLiteral("%1 ms after %2 failures").arg(d).arg(failures)));
            total += d;
        }
        // Five short connections in a row cost seconds of waiting, not milliseconds.
        QVERIFY(total >= 5000);
    }
}

void TestReconnectPolicy::firstAttemptWaitsTheBaseDelay()
{
    ReconnectPolicy policy(ReconnectPolicy::Settings{3000, 30000, 0.25}, 1);
    QCOMPARE(policy.delayMs(0), qint64(3000));
    QCOMPARE(policy.delayMs(1), qint64(3000));
}

void TestReconnectPolicy::serverRetryReplacesTheDefault()
{
    ReconnectPolicy policy(ReconnectPolicy::Settings{3000, 30000, 0.25}, 1);
    policy.setServerRetryMs(120);
    QCOMPARE(policy.baseDelayMs(), qint64(120));
    QCOMPARE(policy.delayMs(0), qint64(120));
    policy.setServerRetryMs(-5);   // nonsense from a caller is clamped, never negative
    QCOMPARE(policy.delayMs(0), qint64(0));
}

void TestReconnectPolicy::consecutiveFailuresBackOffWithinJitter()
{
    ReconnectPolicy policy(ReconnectPolicy::Settings{1000, 1'000'000, 0.25}, 7);
    for (int failures = 2; failures <= 8; ++failures) {
        const qint64 full = qint64(1000) << (failures - 1);
        for (int i = 0; i < 50; ++i) {
            const qint64 d = policy.delayMs(failures);
            QVERIFY2(d <= full && d >= full * 3 / 4, qPrintable(QStringLiteral("failures %1: %2 ms not in [%3, %4]")
                                                                    .arg(failures)
                                                                    .arg(d)
                                                                    .arg(full * 3 / 4)
                                                                    .arg(full)));
        }
    }
}

void TestReconnectPolicy::backoffIsCapped()
{
    ReconnectPolicy policy(ReconnectPolicy::Settings{1000, 30000, 0.25}, 7);
    for (int failures : {6, 10, 40, 1000}) {
        const qint64 d = policy.delayMs(failures);
        QVERIFY(d <= 30000);
        QVERIFY(d >= 30000 * 3 / 4);
    }
}

void TestReconnectPolicy::serverRetryAboveTheCapIsHonoured()
{
    ReconnectPolicy policy(ReconnectPolicy::Settings{1000, 30000, 0.25}, 7);
    policy.setServerRetryMs(60000);
    QCOMPARE(policy.delayMs(1), qint64(60000));
    QCOMPARE(policy.delayMs(5), qint64(60000));
}

void TestReconnectPolicy::sameSeedSameDelays()
{
    ReconnectPolicy a(ReconnectPolicy::Settings{}, 99);
    ReconnectPolicy b(ReconnectPolicy::Settings{}, 99);
    QList<qint64> da, db;
    for (int f = 2; f < 6; ++f) {
        da << a.delayMs(f);
        db << b.delayMs(f);
    }
    QCOMPARE(da, db);
    QVERIFY(da[0] != da[1]);
}

QTEST_GUILESS_MAIN(TestReconnectPolicy)
#include "tst_reconnectpolicy.moc"

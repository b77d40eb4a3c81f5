// SPDX-License-Identifier: MIT
#include "source/reconnectpolicy.h"

#include <QTest>

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
};

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
            QVERIFY2(d <= full && d >= full * 3 / 4,
                     qPrintable(QStringLiteral("failures %1: %2 ms not in [%3, %4]").arg(failures).arg(d).arg(full * 3 / 4).arg(full)));
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

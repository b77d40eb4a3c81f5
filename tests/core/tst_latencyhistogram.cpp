// SPDX-License-Identifier: MIT
#include <QTest>

class Testlatencyhistogram : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Testlatencyhistogram)
#include "tst_latencyhistogram.moc"

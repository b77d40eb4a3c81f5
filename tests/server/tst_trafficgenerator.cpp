// SPDX-License-Identifier: MIT
#include "trafficgenerator.h"

#include <QTest>

class TestTrafficGenerator : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(TestTrafficGenerator)
#include "tst_trafficgenerator.moc"

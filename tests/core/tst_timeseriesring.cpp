// SPDX-License-Identifier: MIT
#include <QTest>

class Testtimeseriesring : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Testtimeseriesring)
#include "tst_timeseriesring.moc"

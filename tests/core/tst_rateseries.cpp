// SPDX-License-Identifier: MIT
#include <QTest>

class Testrateseries : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Testrateseries)
#include "tst_rateseries.moc"

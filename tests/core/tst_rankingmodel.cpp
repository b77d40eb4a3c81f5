// SPDX-License-Identifier: MIT
#include <QTest>

class Testrankingmodel : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Testrankingmodel)
#include "tst_rankingmodel.moc"

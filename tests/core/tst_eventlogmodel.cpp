// SPDX-License-Identifier: MIT
#include <QTest>

class Testeventlogmodel : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Testeventlogmodel)
#include "tst_eventlogmodel.moc"

// SPDX-License-Identifier: MIT
#include <QTest>

class Testtopcounter : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Testtopcounter)
#include "tst_topcounter.moc"

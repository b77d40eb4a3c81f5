// SPDX-License-Identifier: MIT
#include <QTest>

class Testfieldmapping : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Testfieldmapping)
#include "tst_fieldmapping.moc"

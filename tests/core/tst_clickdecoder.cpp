// SPDX-License-Identifier: MIT
#include <QTest>

class Testclickdecoder : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Testclickdecoder)
#include "tst_clickdecoder.moc"

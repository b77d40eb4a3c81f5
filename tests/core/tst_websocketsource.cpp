// SPDX-License-Identifier: MIT
#include "ws/websocketsource.h"

#include <QTest>

class TestWebSocketSource : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(TestWebSocketSource)
#include "tst_websocketsource.moc"

// SPDX-License-Identifier: MIT
#include "server/requesthead.h"

#include <QTest>

using namespace Clickscope;

class TestRequestHead : public QObject
{
    Q_OBJECT

private slots:
    void judges_data();
    void judges();
};

void TestRequestHead::judges_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("status");
    QTest::addColumn<qint64>("contentLength");
    QTest::addColumn<bool>("upgrade");
    QTest::addColumn<bool>("close");
    const QByteArray get = "GET /events HTTP/1.1\r\nHost: x";
    QTest::newRow("plain GET") << get << 0 << qint64(0) << false << false;
    QTest::newRow("leading empty lines") << "\r\n\r\n" + get << 0 << qint64(0) << false << false;
    QTest::newRow("body") << QByteArray("POST /publish HTTP/1.1\r\nHost: x\r\ncontent-length: 42") << 0 << qint64(42)
                          << false << false;
    QTest::newRow("over the limit") << QByteArray("POST /p HTTP/1.1\r\nContent-Length: 1001") << 413 << qint64(0)
                                    << false << true;
    QTest::newRow("10^23") << QByteArray("POST /p HTTP/1.1\r\nContent-Length: 100000000000000000000000") << 400
                           << qint64(0) << false << true;
    QTest::newRow("empty Content-Length")
        << QByteArray("POST /p HTTP/1.1\r\nContent-Length:") << 400 << qint64(0) << false << true;
    QTest::newRow("websocket") << get + "\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade" << 0 << qint64(0)
                               << true << false;
    QTest::newRow("upgrade without Connection") << get + "\r\nUpgrade: websocket" << 0 << qint64(0) << false << false;
    QTest::newRow("Connection: upgrade without Upgrade")
        << get + "\r\nConnection: upgrade" << 0 << qint64(0) << false << false;
    QTest::newRow("Connection: close") << get + "\r\nConnection: Close" << 0 << qint64(0) << false << true;
    QTest::newRow("HTTP/1.0") << QByteArray("GET / HTTP/1.0") << 0 << qint64(0) << false << true;
    QTest::newRow("HTTP/1.0 keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive") << 0 << qint64(0)
                                         << false << false;
    QTest::newRow("tab in a value") << get + "\r\nX-A: a\tb" << 0 << qint64(0) << false << false;
    QTest::newRow("NUL in a value") << get + QByteArray("\r\nX-A: a\0b", 10) << 400 << qint64(0) << false << true;
    QTest::newRow("no target") << QByteArray("GET  HTTP/1.1") << 400 << qint64(0) << false << true;
    QTest::newRow("two spaces") << QByteArray("GET /a /b HTTP/1.1") << 400 << qint64(0) << false << true;
    QTest::newRow("lower-case version") << QByteArray("GET / http/1.1") << 400 << qint64(0) << false << true;
    QTest::newRow("HTTP/0.9 style") << QByteArray("GET /") << 400 << qint64(0) << false << true;
    QTest::newRow("bad method") << QByteArray("G(T / HTTP/1.1") << 400 << qint64(0) << false << true;
    QTest::newRow("chunked") << QByteArray("POST /p HTTP/1.1\r\nTransfer-Encoding: gzip, chunked") << 411 << qint64(0)
                             << false << true;
}

void TestRequestHead::judges()
{
    QFETCH(QByteArray, head);
    QFETCH(int, status);
    QFETCH(qint64, contentLength);
    QFETCH(bool, upgrade);
    QFETCH(bool, close);
    const RequestHead verdict = RequestHead::judge(head, 1000);
    QCOMPARE(verdict.status, status);
    QCOMPARE(verdict.acceptable(), status == 0);
    QCOMPARE(verdict.contentLength, contentLength);
    QCOMPARE(verdict.upgrade, upgrade);
    QCOMPARE(verdict.close, close);
    QVERIFY(verdict.acceptable() || !verdict.message.isEmpty());
}

QTEST_GUILESS_MAIN(TestRequestHead)
#include "tst_requesthead.moc"

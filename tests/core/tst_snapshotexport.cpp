// SPDX-License-Identifier: MIT
#include "core/model/snapshotexport.h"

#include <QTest>

using namespace Clickscope;

class TestSnapshotExport : public QObject
{
    Q_OBJECT

private slots:
    void fieldsAreQuotedOnlyWhenNeeded_data();
    void fieldsAreQuotedOnlyWhenNeeded();
    void seriesRowsAreBucketStarts();
    void rankingRowsKeepTheirOrder();
};

void TestSnapshotExport::fieldsAreQuotedOnlyWhenNeeded_data()
{
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("plain") << QByteArray("/abc") << QByteArray("/abc");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("comma") << QByteArray("a,b") << QByteArray("\"a,b\"");
    QTest::newRow("quote") << QByteArray("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
    QTest::newRow("newline") << QByteArray("a\nb") << QByteArray("\"a\nb\"");
    QTest::newRow("cr") << QByteArray("a\rb") << QByteArray("\"a\rb\"");
}

void TestSnapshotExport::fieldsAreQuotedOnlyWhenNeeded()
{
    QFETCH(QByteArray, in);
    QFETCH(QByteArray, out);
    QCOMPARE(SnapshotExport::csvField(in), out);
}

void TestSnapshotExport::seriesRowsAreBucketStarts()
{
    DashboardSnapshot snapshot;
    snapshot.newestSecond = 1'700'000'125;   // 2023-11-14T22:15:25Z
    snapshot.seriesBucketSeconds = 60;
    snapshot.clicksPerSecond = {1.5, 2, 0.25};
    const QList<QByteArray> lines = SnapshotExport::seriesCsv(snapshot).split('\n');
    QCOMPARE(lines.size(), 5);   // header, 3 rows, and the empty tail after the last CRLF
    QCOMPARE(lines.at(0), QByteArray("time_utc,seconds_ago,clicks_per_second\r"));
    // The last bucket starts at 1'700'000'100 (a multiple of 60), 25 s before the newest second.
    QCOMPARE(lines.at(3), QByteArray("2023-11-14T22:15:00Z,25,0.25\r"));
    QCOMPARE(lines.at(2), QByteArray("2023-11-14T22:14:00Z,85,2\r"));
    QCOMPARE(lines.at(1), QByteArray("2023-11-14T22:13:00Z,145,1.5\r"));
    QCOMPARE(lines.at(4), QByteArray());
}

void TestSnapshotExport::rankingRowsKeepTheirOrder()
{
    const QList<RankedRow> rows = {{"/a,b", 10, 0, 0.625}, {"\"q\"", 6, 2, 0.375}};
    const QByteArray csv = SnapshotExport::rankingCsv(rows, "link");
    QCOMPARE(csv, QByteArray("rank,link,clicks,share,max_overcount\r\n"
                             "1,\"/a,b\",10,0.625000,0\r\n"
                             "2,\"\"\"q\"\"\",6,0.375000,2\r\n"));
}

QTEST_GUILESS_MAIN(TestSnapshotExport)
#include "tst_snapshotexport.moc"

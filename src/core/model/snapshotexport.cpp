// SPDX-License-Identifier: MIT
#include "core/model/snapshotexport.h"

#include "core/model/timeseriesring.h"

#include <QDateTime>

namespace Clickscope::SnapshotExport {

QByteArray csvField(QByteArrayView text)
{
    const bool quote = text.contains(',') || text.contains('"') || text.contains('\n') || text.contains('\r');
    if (!quote)
        return text.toByteArray();
    QByteArray out;
    out.reserve(text.size() + 2);
    out.append('"');
    for (const char c : text) {
        if (c == '"')
            out.append('"');
        out.append(c);
    }
    out.append('"');
    return out;
}

QByteArray seriesCsv(const DashboardSnapshot &snapshot)
{
    QByteArray out = "time_utc,seconds_ago,clicks_per_second\r\n";
    const qsizetype n = snapshot.clicksPerSecond.size();
    const int bucket = std::max(snapshot.seriesBucketSeconds, 1);
    const qint64 lastStart = TimeSeriesRing::bucketStart(snapshot.newestSecond, bucket);
    for (qsizetype i = 0; i < n; ++i) {
        const qint64 start = lastStart - qint64(n - 1 - i) * bucket;
        out += QDateTime::fromSecsSinceEpoch(start, Qt::UTC).toString(Qt::ISODate).toLatin1();
        out += ',';
        out += QByteArray::number(snapshot.newestSecond - start);
        out += ',';
        out += QByteArray::number(snapshot.clicksPerSecond.at(i), 'g', 10);
        out += "\r\n";
    }
    return out;
}

QByteArray rankingCsv(const QList<RankedRow> &rows, QByteArrayView keyHeader)
{
    QByteArray out = "rank," + csvField(keyHeader) + ",clicks,share,max_overcount\r\n";
    int rank = 0;
    for (const RankedRow &row : rows) {
        out += QByteArray::number(++rank);
        out += ',';
        out += csvField(row.key);
        out += ',';
        out += QByteArray::number(row.count);
        out += ',';
        out += QByteArray::number(row.share, 'f', 6);
        out += ',';
        out += QByteArray::number(row.error);
        out += "\r\n";
    }
    return out;
}

}   // namespace Clickscope::SnapshotExport

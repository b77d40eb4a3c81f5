// SPDX-License-Identifier: MIT
#include "core/model/dashboardsnapshot.h"

#include "core/model/topcounter.h"

namespace Clickscope {

QList<RankedRow> rankedRows(const TopCounter &counter, qsizetype n)
{
    QList<RankedRow> rows;
    const quint64 total = counter.total();
    const QList<TopCounter::Entry> top = counter.top(n);
    rows.reserve(top.size());
    for (const TopCounter::Entry &e : top)
        rows.append({e.key, e.count, e.error, total ? double(e.count) / double(total) : 0.0});
    return rows;
}

}   // namespace Clickscope

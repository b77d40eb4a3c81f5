// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Clickscope {

// What the dashboard's Export writes as CSV (RFC 4180: comma-separated, CRLF line ends, fields
// with a comma, quote or line break quoted, quotes doubled), from one snapshot, so every file of
// an export describes the same moment.
namespace SnapshotExport {

// time_utc,seconds_ago,clicks_per_second: one row per bucket of the snapshot's series, oldest
// first; time_utc is the bucket's start (ISO 8601), the rate its average.
QByteArray seriesCsv(const DashboardSnapshot &snapshot);

// rank,<keyHeader>,clicks,share,max_overcount: ranked rows as the tables show them; share is a
// fraction of the counter's total, max_overcount the Space-Saving error bound (0 while exact).
QByteArray rankingCsv(const QList<RankedRow> &rows, QByteArrayView keyHeader);

// One CSV field, quoted when it must be.
QByteArray csvField(QByteArrayView text);

}   // namespace SnapshotExport

}   // namespace Clickscope

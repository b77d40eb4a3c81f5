// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"

#include <QAbstractTableModel>
#include <QList>
#include <QPointF>

namespace Clickscope {

// Clicks per second over a fixed window, for a chart: exactly window() rows, oldest first.
// Column 0 is the second relative to the newest (-window() + 1 … 0) as a double; column 1 is
// the clicks in that second. With buckets of more than a second (long windows come averaged,
// see DashboardSnapshot), a row is a bucket: column 0 is its start relative to the newest second
// and column 1 its average clicks/s.
//
// setSeries() is called once per display tick and emits at most one dataChanged over the rows
// whose value changed, plus one over column 0 when the bucket geometry moved. The row set changes only with setWindow(), which resets. Memory is the
// window's doubles, allocated when the window is set, never growing with uptime or rate.
//
// A chart can also skip the model mapper: fillPoints() writes the window into a QList<QPointF>
// that keeps its capacity, for one QXYSeries::replace() per tick on a fixed X axis.
class RateSeries : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { SecondColumn, ClicksColumn, ColumnCount };

    static constexpr int kDefaultWindowSeconds = 60 * 60;
    static constexpr int kMaxWindowSeconds = 24 * 60 * 60;

    // windowSeconds is clamped to 1..kMaxWindowSeconds.
    explicit RateSeries(int windowSeconds = kDefaultWindowSeconds, QObject *parent = nullptr);

    // `oldestToNewest` ends at newestSecond. Fills the rows right-aligned: when shorter than the
    // window the oldest rows read 0, when longer only its newest window() values are used.
    // `bucketSeconds` is the width of a value; buckets are aligned to its multiples.
    void setSeries(const QList<double> &oldestToNewest, qint64 newestSecond, int bucketSeconds = 1);
    // Once per display tick: setSeries(snapshot.clicksPerSecond, snapshot.newestSecond).
    void applySnapshot(const DashboardSnapshot &snapshot);

    int window() const { return int(m_values.size()); }
    // Changes the number of rows with one model reset; the newest values stay (right-aligned).
    // Clamped like the constructor's; no signal when it stays the same.
    void setWindow(int seconds);

    // Every value back to 0 (rows stay: a dataChanged, no reset).
    void clear();

    double valueAt(int row) const { return m_values.at(row); }
    // The relative second of `row`'s start: row - window() + 1 with 1-second buckets.
    double secondAt(int row) const { return double(qint64(row - window() + 1) * m_bucketSeconds - m_lastBucketAge); }
    int bucketSeconds() const { return m_bucketSeconds; }
    // The largest value in the window (0 when all are 0), for axis scaling.
    double maxValue() const { return m_max; }
    // The second the last setSeries() ended at (0 before any).
    qint64 newestSecond() const { return m_newestSecond; }

    // Resizes `out` to window() points (secondAt(row), valueAt(row)). Allocates nothing when `out`
    // is unshared and already has the capacity, as it has from the previous tick.
    void fillPoints(QList<QPointF> &out) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // Writes `values` right-aligned into m_values; emits one dataChanged over what changed.
    void assign(const double *values, qsizetype count);

    QList<double> m_values;
    double m_max = 0;
    qint64 m_newestSecond = 0;
    int m_bucketSeconds = 1;
    int m_lastBucketAge = 0;   // newest second - start of the last bucket
};

}   // namespace Clickscope

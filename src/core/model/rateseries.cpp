// SPDX-License-Identifier: MIT
#include "core/model/rateseries.h"

#include "core/model/timeseriesring.h"

#include <algorithm>

namespace Clickscope {

RateSeries::RateSeries(int windowSeconds, QObject *parent)
    : QAbstractTableModel(parent)
    , m_values(std::clamp(windowSeconds, 1, kMaxWindowSeconds), 0.0)
{}

void RateSeries::setSeries(const QList<double> &oldestToNewest, qint64 newestSecond, int bucketSeconds)
{
    m_newestSecond = newestSecond;
    bucketSeconds = std::max(bucketSeconds, 1);
    const int age = int(newestSecond - TimeSeriesRing::bucketStart(newestSecond, bucketSeconds));
    if (bucketSeconds != m_bucketSeconds || age != m_lastBucketAge) {
        m_bucketSeconds = bucketSeconds;
        m_lastBucketAge = age;
        if (!m_values.isEmpty())
            emit dataChanged(index(0, SecondColumn), index(window() - 1, SecondColumn));
    }
    const qsizetype count = std::min(oldestToNewest.size(), m_values.size());
    assign(oldestToNewest.constData() + (oldestToNewest.size() - count), count);
}

void RateSeries::applySnapshot(const DashboardSnapshot &snapshot)
{
    setSeries(snapshot.clicksPerSecond, snapshot.newestSecond, snapshot.seriesBucketSeconds);
}

void RateSeries::clear() { assign(nullptr, 0); }

void RateSeries::assign(const double *values, qsizetype count)
{
    const qsizetype rows = m_values.size();
    const qsizetype padding = rows - count;
    double *out = m_values.data();
    qsizetype first = -1;
    qsizetype last = -1;
    double max = 0;
    for (qsizetype row = 0; row < rows; ++row) {
        const double value = row < padding ? 0.0 : values[row - padding];
        max = std::max(max, value);
        if (out[row] == value)
            continue;
        out[row] = value;
        if (first < 0)
            first = row;
        last = row;
    }
    m_max = max;
    if (first >= 0)
        emit dataChanged(index(int(first), ClicksColumn), index(int(last), ClicksColumn));
}

void RateSeries::setWindow(int seconds)
{
    seconds = std::clamp(seconds, 1, kMaxWindowSeconds);
    if (seconds == window())
        return;
    beginResetModel();
    QList<double> values(seconds, 0.0);
    const qsizetype keep = std::min(m_values.size(), values.size());
    std::copy(m_values.cend() - keep, m_values.cend(), values.end() - keep);
    m_values = std::move(values);
    m_max = m_values.isEmpty() ? 0.0 : std::max(0.0, *std::max_element(m_values.cbegin(), m_values.cend()));
    endResetModel();
}

void RateSeries::fillPoints(QList<QPointF> &out) const
{
    const qsizetype rows = m_values.size();
    out.resize(rows);
    QPointF *points = out.data();
    for (qsizetype row = 0; row < rows; ++row)
        points[row] = QPointF(secondAt(int(row)), m_values.at(row));
}

int RateSeries::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_values.size()); }

int RateSeries::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RateSeries::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
    case Qt::UserRole:
        return index.column() == SecondColumn ? secondAt(index.row()) : m_values.at(index.row());
    case Qt::TextAlignmentRole:
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant RateSeries::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SecondColumn:
        return tr("Second");
    case ClicksColumn:
        return tr("Clicks/s");
    }
    return {};
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/model/rankingmodel.h"

#include <QLocale>

#include <algorithm>

namespace Clickscope {

namespace {

bool sameRow(const RankedRow &a, const RankedRow &b)
{
    return a.count == b.count && a.error == b.error && a.share == b.share && a.key == b.key;
}

QString keyText(const QByteArray &key)
{
    // An empty key is a real value (a click without a referrer, say); an empty cell would read
    // as a rendering fault.
    return key.isEmpty() ? RankingModel::tr("(none)") : QString::fromUtf8(key);
}

}   // namespace

RankingModel::RankingModel(const QString &keyHeader, int maxRows, QObject *parent)
    : QAbstractTableModel(parent)
    , m_keyHeader(keyHeader)
    , m_maxRows(std::clamp(maxRows, 1, kMaxRows))
{}

void RankingModel::setRows(const QList<RankedRow> &rows)
{
    const qsizetype newCount = std::min<qsizetype>(rows.size(), m_maxRows);
    const qsizetype oldCount = m_rows.size();
    m_rowsBeyondCap = rows.size() - newCount;

    // Structure first, on the untouched old rows, so that the rows either side of the removed or
    // inserted range read the same before and after it (what views and proxies rely on).
    if (newCount < oldCount) {
        beginRemoveRows({}, int(newCount), int(oldCount - 1));
        m_rows.resize(newCount);
        endRemoveRows();
    } else if (newCount > oldCount) {
        beginInsertRows({}, int(oldCount), int(newCount - 1));
        m_rows.reserve(newCount);
        for (qsizetype i = oldCount; i < newCount; ++i)
            m_rows.append(rows.at(i));
        endInsertRows();
    }

    // Then the ranks both lists share: one dataChanged from the first to the last that differs.
    const qsizetype common = std::min(oldCount, newCount);
    qsizetype first = -1;
    qsizetype last = -1;
    bool keyChanged = false;
    for (qsizetype i = 0; i < common; ++i) {
        const RankedRow &row = rows.at(i);
        if (sameRow(m_rows.at(i), row))
            continue;
        if (first < 0)
            first = i;
        last = i;
        keyChanged = keyChanged || m_rows.at(i).key != row.key;
        m_rows[i] = row;
    }
    if (first >= 0)
        emit dataChanged(index(int(first), keyChanged ? KeyColumn : CountColumn), index(int(last), ColumnCount - 1));
}

void RankingModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_rows.squeeze();
    m_rowsBeyondCap = 0;
    endResetModel();
}

void RankingModel::setKeyHeader(const QString &header)
{
    if (header == m_keyHeader)
        return;
    m_keyHeader = header;
    emit headerDataChanged(Qt::Horizontal, KeyColumn, KeyColumn);
}

QString RankingModel::formatShare(double share)
{
    return QString::number(share * 100.0, 'f', 1) + QStringLiteral(" %");
}

int RankingModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int RankingModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RankingModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RankedRow &row = m_rows.at(index.row());

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn:
            return keyText(row.key);
        case CountColumn:
            return qulonglong(row.count);
        case ShareColumn:
            return formatShare(row.share);
        }
        break;
    case RawValueRole:
        switch (index.column()) {
        case KeyColumn:
            return QString::fromUtf8(row.key);
        case CountColumn:
            return qulonglong(row.count);
        case ShareColumn:
            return row.share;
        }
        break;
    case ErrorRole:
        return qulonglong(row.error);
    case KeyBytesRole:
        return row.key;
    case Qt::ToolTipRole:
        // The key's own tip is the whole key (a long link is elided in its cell). The bounds of
        // an approximate count go on the count, so a count-only change stays in CountColumn on.
        if (index.column() == KeyColumn)
            return keyText(row.key);
        if (index.column() != CountColumn || row.error == 0)
            return {};
        return tr("%1: between %2 and %3 clicks (the counter is approximate)")
            .arg(keyText(row.key))
            .arg(row.count - std::min(row.error, row.count))
            .arg(row.count);
    case Qt::TextAlignmentRole:
        if (index.column() != KeyColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant RankingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (section) {
    case KeyColumn:
        return m_keyHeader;
    case CountColumn:
        return m_countHeader;
    case ShareColumn:
        return tr("Share");
    }
    return {};
}

TopLinksModel::TopLinksModel(int maxRows, QObject *parent) : RankingModel(tr("Link"), maxRows, parent) {}

void TopLinksModel::applySnapshot(const DashboardSnapshot &snapshot) { setRows(snapshot.topLinks); }

BreakdownModel::BreakdownModel(DashboardSnapshot::Dimension dimension, int maxRows, QObject *parent)
    : RankingModel(dimensionName(dimension), maxRows, parent)
    , m_dimension(dimension)
{
    Q_ASSERT(dimension >= 0 && dimension < DashboardSnapshot::DimensionCount);
}

QString BreakdownModel::dimensionName(DashboardSnapshot::Dimension dimension)
{
    switch (dimension) {
    case DashboardSnapshot::Country:
        return tr("Country");
    case DashboardSnapshot::Referrer:
        return tr("Referrer");
    case DashboardSnapshot::Device:
        return tr("Device");
    case DashboardSnapshot::Browser:
        return tr("Browser");
    case DashboardSnapshot::DimensionCount:
        break;
    }
    return {};
}

void BreakdownModel::applySnapshot(const DashboardSnapshot &snapshot)
{
    if (m_dimension >= 0 && m_dimension < DashboardSnapshot::DimensionCount)
        setRows(snapshot.breakdowns[std::size_t(m_dimension)]);
}

EventTypesModel::EventTypesModel(QObject *parent) : RankingModel(tr("Type"), kDefaultMaxRows, parent)
{
    setCountHeader(tr("Events"));
}

void EventTypesModel::applySnapshot(const DashboardSnapshot &snapshot, qint64 nowMs)
{
    setRows(snapshot.eventTypes);
    const bool restarted =
        std::any_of(snapshot.eventTypes.cbegin(), snapshot.eventTypes.cend(),
                    [this](const RankedRow &row) { return row.count < m_sampleCounts.value(row.key, 0); });
    if (m_sampleMs < 0 || restarted || snapshot.eventTypes.isEmpty()) {   // first, or after a reset
        m_sampleMs = nowMs;
        m_sampleCounts.clear();
        m_rates.clear();
        for (const RankedRow &row : snapshot.eventTypes)
            m_sampleCounts.insert(row.key, row.count);
        return;
    }
    const qint64 elapsed = nowMs - m_sampleMs;
    if (elapsed < kRateSampleMs)
        return;
    m_rates.clear();
    for (const RankedRow &row : snapshot.eventTypes)
        m_rates.insert(row.key, double(row.count - m_sampleCounts.value(row.key, 0)) * 1000.0 / double(elapsed));
    m_sampleCounts.clear();
    for (const RankedRow &row : snapshot.eventTypes)
        m_sampleCounts.insert(row.key, row.count);
    m_sampleMs = nowMs;
    if (rowCount() > 0)
        emit dataChanged(index(0, RateColumn), index(rowCount() - 1, RateColumn));
}

double EventTypesModel::rateOf(QByteArrayView type) const { return m_rates.value(type.toByteArray(), 0.0); }

int EventTypesModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount + 1; }

QVariant EventTypesModel::data(const QModelIndex &index, int role) const
{
    if (index.column() != RateColumn)
        return RankingModel::data(index, role);
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const double rate = rateOf(rowAt(index.row()).key);
    switch (role) {
    case Qt::DisplayRole:
        return QLocale().toString(rate, 'f', rate < 10 ? 1 : 0);
    case RawValueRole:
        return rate;
    case Qt::TextAlignmentRole:
        return int(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant EventTypesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && section == RateColumn && role == Qt::DisplayRole)
        return tr("Events/s");
    return RankingModel::headerData(section, orientation, role);
}

}   // namespace Clickscope

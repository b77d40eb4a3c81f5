// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QString>

namespace Clickscope {

// A ranked table (row = rank - 1) of a TopCounter's rows, for a view: key, clicks, share.
//
// setRows() is called once per display tick with the snapshot's rows. It diffs them against the
// rows shown and emits at most one rowsRemoved (the tail, when the ranking got shorter) or one
// rowsInserted (the tail, when it got longer), then at most one dataChanged covering the first to
// the last rank whose contents changed (a reorder is a change of the ranks it touches). It never
// resets: selections and scroll positions survive every tick. Only clear() resets.
//
// Memory is bounded by the constructor's maxRows: rows past it are not kept, and how many the last
// setRows() brought beyond it is in rowsBeyondCap().
//
// The "possible overestimate" of an approximate counter (RankedRow::error) is not a column of its
// own, since it is zero while the counter is exact: it is in ErrorRole, and the tool tip of the
// key and clicks cells says "between count - error and count".
class RankingModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { KeyColumn, CountColumn, ShareColumn, ColumnCount };

    enum Role {
        // Raw values for sorting and charts: key as QString, count as qulonglong, share as double
        // (a fraction, 0..1).
        RawValueRole = Qt::UserRole,
        // The row's possible overestimate as qulonglong, in every column.
        ErrorRole,
        // The key as the counter holds it (QByteArray), in every column.
        KeyBytesRole,
    };

    static constexpr int kDefaultMaxRows = 100;
    static constexpr int kMaxRows = 100'000;

    // maxRows is clamped to 1..kMaxRows. keyHeader titles the key column ("Link", "Country").
    explicit RankingModel(const QString &keyHeader, int maxRows = kDefaultMaxRows, QObject *parent = nullptr);

    // Shows `rows` (ranked, highest first; at most maxRows() of them are kept) with the minimal
    // signals described above.
    void setRows(const QList<RankedRow> &rows);
    // Removes every row with one model reset.
    void clear();

    const QList<RankedRow> &rows() const { return m_rows; }
    const RankedRow &rowAt(int row) const { return m_rows.at(row); }
    int maxRows() const { return m_maxRows; }
    // Rows the last setRows() brought beyond maxRows() (so not shown).
    qsizetype rowsBeyondCap() const { return m_rowsBeyondCap; }

    QString keyHeader() const { return m_keyHeader; }
    void setKeyHeader(const QString &header);
    // What the counts are: "Clicks" unless set ("Events" for a table of event types).
    void setCountHeader(const QString &header) { m_countHeader = header; }

    // The display text of a share (a fraction): "12.3 %".
    static QString formatShare(double share);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    // Horizontal: the column titles. Vertical: the rank ("1", "2"…).
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString m_keyHeader;
    QString m_countHeader = tr("Clicks");
    QList<RankedRow> m_rows;
    int m_maxRows = kDefaultMaxRows;
    qsizetype m_rowsBeyondCap = 0;
};

// The "top links" table: a ranking keyed by link.
class TopLinksModel : public RankingModel
{
    Q_OBJECT

public:
    explicit TopLinksModel(int maxRows = kDefaultMaxRows, QObject *parent = nullptr);

    // Once per display tick: shows snapshot.topLinks.
    void applySnapshot(const DashboardSnapshot &snapshot);
};

// A breakdown table (country, referrer, device, browser): a ranking keyed by one dimension.
class BreakdownModel : public RankingModel
{
    Q_OBJECT

public:
    explicit BreakdownModel(DashboardSnapshot::Dimension dimension, int maxRows = kDefaultMaxRows,
                            QObject *parent = nullptr);

    DashboardSnapshot::Dimension dimension() const { return m_dimension; }
    // "Country", "Referrer", "Device", "Browser".
    static QString dimensionName(DashboardSnapshot::Dimension dimension);

    // Once per display tick: shows snapshot.breakdowns[dimension()].
    void applySnapshot(const DashboardSnapshot &snapshot);

private:
    DashboardSnapshot::Dimension m_dimension;
};

// Every event by type (clicks included), with each type's rate: events per second between
// samples at least kRateSampleMs apart, 0 for a type that sent nothing since the last one.
class EventTypesModel : public RankingModel
{
    Q_OBJECT

public:
    static constexpr int RateColumn = ColumnCount;   // after the ranking's own columns
    static constexpr qint64 kRateSampleMs = 1000;

    explicit EventTypesModel(QObject *parent = nullptr);

    // Once per display tick: shows snapshot.eventTypes; `nowMs` times the rates.
    void applySnapshot(const DashboardSnapshot &snapshot, qint64 nowMs);
    // Events per second of `type` at the last sample (0 when unknown).
    double rateOf(QByteArrayView type) const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QHash<QByteArray, quint64> m_sampleCounts;   // at the last sample
    QHash<QByteArray, double> m_rates;
    qint64 m_sampleMs = -1;
};

}   // namespace Clickscope

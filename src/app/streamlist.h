// SPDX-License-Identifier: MIT
#pragma once

#include "app/watchedstream.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>

#include <memory>
#include <vector>

namespace Clickscope {

// The window's streams, in the user's order, as one table: the sidebar shows its name column,
// the overview every column. It owns the streams; a stream taken out stops with its pipeline.
//
// Rows are not updated on every snapshot: markChanged() notes a row, and refresh(), called on the
// window's display tick, sends one dataChanged per changed row, so that eight streams cost one
// repaint of the list per tick, not eight.
class StreamList : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        StateColumn,
        ClicksColumn,
        RateColumn,
        GapsColumn,
        UndecodableColumn,
        FindingColumn,
        ColumnCount
    };
    enum Role {
        // The rate column's clicks/s of the last kSparklineSeconds, oldest first (QList<double>).
        SparklineRole = Qt::UserRole + 1,
        // The row's WatchedStream*, as quintptr.
        StreamRole,
    };
    static constexpr int kSparklineSeconds = 120;
    // Streams in one window: each has a worker thread and up to ~30 MB of aggregates.
    static constexpr int kMaxStreams = 32;

    explicit StreamList(QObject *parent = nullptr);
    ~StreamList() override;

    // A new stream, last; null when the list holds kMaxStreams.
    WatchedStream *append();
    // Takes the stream out of the list; the caller ends it (or lets the pointer go).
    std::unique_ptr<WatchedStream> take(int row);
    // Moves the stream at `from` to `to`; false when either is out of range.
    bool move(int from, int to);

    int size() const { return int(m_streams.size()); }
    WatchedStream *at(int row) const;
    int rowOf(const WatchedStream *stream) const;   // -1 when not in the list
    WatchedStream *find(quint64 id) const;          // null when it is no longer in the list
    QModelIndex indexOf(const WatchedStream *stream, int column = NameColumn) const;

    void markChanged(const WatchedStream *stream);
    // Sends the changes marked since the last call; also moves the retry countdowns.
    void refresh();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Renames (the name column); an empty name goes back to the one made from the URL.
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;

private:
    QVariant display(const WatchedStream &stream, int column) const;
    QVariant toolTip(const WatchedStream &stream, int column) const;
    QVariant foreground(const WatchedStream &stream, int column) const;
    // A small round mark of `color`, made once per colour.
    QIcon dot(const QColor &color) const;

    std::vector<std::unique_ptr<WatchedStream>> m_streams;
    std::vector<bool> m_changed;   // by row
    quint64 m_nextId = 1;
    mutable QHash<QRgb, QIcon> m_dots;
};

}   // namespace Clickscope

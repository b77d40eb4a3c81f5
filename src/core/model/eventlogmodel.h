// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <vector>

namespace Clickscope {

// The inspector's log: the last `capacity` raw events, oldest first, as a table of arrival time,
// type, id, size and a one-line data preview.
//
// appendEvents() is called once per display tick with the events that arrived since the last one.
// Each call emits at most one rowsRemoved (at the front, for the events the new ones push out) and
// one rowsInserted (at the end). A call that brings more than capacity() events keeps the newest
// capacity() of them. Nothing but clear() resets the model.
//
// Memory is bounded by the constructor: at most capacity() events in the log plus, while paused,
// at most capacity() waiting. Events are stored detached (SseEvent::detached()), so a logged event
// never keeps its whole network read's buffer alive. Every event handed to the model and then not
// kept, for whatever reason but clear(), is counted in evicted().
//
// Paused, the table stands still: appended events wait in a buffer of capacity() events (the
// oldest dropped past that, counted in droppedWhilePaused() and evicted()) and are appended in one
// batch on resume. Events within the bound are never lost.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { TimeColumn, TypeColumn, IdColumn, SizeColumn, DataColumn, ColumnCount };

    enum Role {
        // Raw values for sorting and the inspector: arrival time as qint64 ms since the epoch,
        // type and id as QString, size as qlonglong bytes, data as the full QByteArray.
        RawValueRole = Qt::UserRole,
        // The full data (QByteArray) in every column, for the inspector's pretty-printer.
        FullDataRole,
    };

    static constexpr int kDefaultCapacity = 1000;
    static constexpr int kMaxCapacity = 100'000;
    // Characters of data shown in the preview column.
    static constexpr int kPreviewChars = 200;

    // capacity is clamped to 1..kMaxCapacity.
    explicit EventLogModel(int capacity = kDefaultCapacity, QObject *parent = nullptr);

    // Appends `rows` (oldest first) as described above; buffers them while paused.
    void appendEvents(const QList<RawEventRow> &rows);
    // Once per display tick: appends snapshot.newEvents and counts snapshot.eventsNotShown.
    void applySnapshot(const DashboardSnapshot &snapshot);
    // Forgets every event, the waiting ones too, and every counter, with one model reset.
    void clear();

    bool isPaused() const { return m_paused; }
    // Resuming appends what waited in one batch (one rowsRemoved at most, one rowsInserted).
    void setPaused(bool paused);

    int capacity() const { return int(m_log.capacity()); }
    // Events waiting for the resume.
    qsizetype pendingCount() const { return m_pending.size(); }

    // Events handed to the model that it no longer holds and never will: pushed out of the log,
    // beyond capacity() in one call, or dropped while paused. clear() does not count.
    quint64 evicted() const { return m_evicted; }
    // The part of evicted() dropped from the pause buffer.
    quint64 droppedWhilePaused() const { return m_droppedWhilePaused; }
    // The sum of the snapshots' eventsNotShown: events that never reached the model.
    quint64 notShownUpstream() const { return m_notShownUpstream; }

    // The event in `row` (0 = oldest); row must be valid.
    const RawEventRow &eventAt(int row) const { return m_log.at(row); }
    // The event's whole data, for the inspector; empty for an invalid row.
    QByteArray fullData(int row) const;
    // A comment line (a heartbeat) rather than an event.
    bool isComment(int row) const;

    // `data` as one line of at most maxChars characters: line breaks shown as ⏎, an ellipsis when
    // cut. Decodes only the bytes it shows, however large the data.
    static QString previewText(QByteArrayView data, int maxChars = kPreviewChars);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    void pausedChanged(bool paused);

private:
    // A bounded FIFO: grows to its capacity, then each push overwrites the oldest. O(1) access by
    // position, so the log evicts from the front without moving what stays.
    class Ring
    {
    public:
        explicit Ring(qsizetype capacity) : m_capacity(capacity) {}
        qsizetype size() const { return m_size; }
        qsizetype capacity() const { return m_capacity; }
        const RawEventRow &at(qsizetype i) const { return m_slots[std::size_t(physical(i))]; }
        // Returns true when this dropped the oldest row to make room.
        bool push(RawEventRow row);
        void popFront(qsizetype n);
        // Releases the slots too.
        void clear();

    private:
        qsizetype physical(qsizetype i) const;

        std::vector<RawEventRow> m_slots;
        qsizetype m_capacity;
        qsizetype m_head = 0;
        qsizetype m_size = 0;
    };

    // Appends the newest capacity() of `count` rows given oldest first by rowAt(i), with one
    // rowsRemoved at the front at most and one rowsInserted.
    template<typename RowAt>
    void insertBatch(qsizetype count, RowAt rowAt);

    Ring m_log;
    Ring m_pending;
    bool m_paused = false;
    quint64 m_evicted = 0;
    quint64 m_droppedWhilePaused = 0;
    quint64 m_notShownUpstream = 0;
};

}   // namespace Clickscope

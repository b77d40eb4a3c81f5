// SPDX-License-Identifier: MIT
#include "core/model/eventlogmodel.h"

#include <QDateTime>

#include <algorithm>
#include <utility>

namespace Clickscope {

namespace {

constexpr char16_t kLineBreakSymbol = u'\u23CE';   // ⏎
constexpr char16_t kEllipsis = u'\u2026';          // …
constexpr char kDefaultEventType[] = "message";    // what an untyped SSE event is dispatched as

// The row with an event that owns exactly its own bytes. An event parsed from a network read
// shares that read's buffer; kept for minutes in the log, it would keep the whole buffer alive.
RawEventRow ownRow(const RawEventRow &row)
{
    if (row.event.retainedBytes() <= row.event.byteSize())
        return row;   // already detached: sharing it costs nothing extra
    return {row.event.detached(), row.arrivalMs, row.comment};
}

QString typeText(const RawEventRow &row)
{
    const SseEvent &event = row.event;
    if (row.comment)
        return QStringLiteral(": comment");
    return event.type().isEmpty() ? QString::fromLatin1(kDefaultEventType) : event.typeString();
}

}   // namespace

// --- Ring ---------------------------------------------------------------------------------------

qsizetype EventLogModel::Ring::physical(qsizetype i) const
{
    // Until the slots reach capacity the ring has never wrapped: m_head is 0.
    const auto filled = qsizetype(m_slots.size());
    return filled < m_capacity ? i : (m_head + i) % m_capacity;
}

bool EventLogModel::Ring::push(RawEventRow row)
{
    const auto filled = qsizetype(m_slots.size());
    if (m_size < filled) {
        m_slots[std::size_t(physical(m_size))] = std::move(row);
        ++m_size;
        return false;
    }
    if (filled < m_capacity) {
        m_slots.push_back(std::move(row));
        ++m_size;
        return false;
    }
    m_slots[std::size_t(m_head)] = std::move(row);
    m_head = (m_head + 1) % m_capacity;
    return true;
}

void EventLogModel::Ring::popFront(qsizetype n)
{
    n = std::min(n, m_size);
    if (qsizetype(m_slots.size()) < m_capacity) {
        // Not yet wrapped (rare: only while the log is filling): keep m_head at 0.
        m_slots.erase(m_slots.begin(), m_slots.begin() + n);
    } else {
        for (qsizetype i = 0; i < n; ++i)
            m_slots[std::size_t(physical(i))] = {};   // release the event's bytes now
        m_head = (m_head + n) % m_capacity;
    }
    m_size -= n;
}

void EventLogModel::Ring::clear()
{
    std::vector<RawEventRow>().swap(m_slots);
    m_head = 0;
    m_size = 0;
}

// --- EventLogModel ------------------------------------------------------------------------------

EventLogModel::EventLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_log(std::clamp(capacity, 1, kMaxCapacity))
    , m_pending(m_log.capacity())
{}

template<typename RowAt>
void EventLogModel::insertBatch(qsizetype count, RowAt rowAt)
{
    const qsizetype capacity = m_log.capacity();
    const qsizetype keep = std::min(count, capacity);
    const qsizetype skip = count - keep;
    m_evicted += quint64(skip);
    if (keep == 0)
        return;

    const qsizetype overflow = m_log.size() + keep - capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, int(overflow - 1));
        m_log.popFront(overflow);
        endRemoveRows();
        m_evicted += quint64(overflow);
    }

    const auto first = int(m_log.size());
    beginInsertRows({}, first, first + int(keep) - 1);
    for (qsizetype i = skip; i < count; ++i)
        m_log.push(ownRow(rowAt(i)));   // never evicts: room was made above
    endInsertRows();
}

void EventLogModel::appendEvents(const QList<RawEventRow> &rows)
{
    if (!m_paused) {
        insertBatch(rows.size(), [&rows](qsizetype i) -> const RawEventRow & { return rows.at(i); });
        return;
    }

    const qsizetype keep = std::min(rows.size(), m_pending.capacity());
    qsizetype dropped = rows.size() - keep;
    for (qsizetype i = rows.size() - keep; i < rows.size(); ++i)
        dropped += m_pending.push(ownRow(rows.at(i))) ? 1 : 0;
    m_droppedWhilePaused += quint64(dropped);
    m_evicted += quint64(dropped);
}

void EventLogModel::applySnapshot(const DashboardSnapshot &snapshot)
{
    appendEvents(snapshot.newEvents);
    m_notShownUpstream += snapshot.eventsNotShown;
}

void EventLogModel::clear()
{
    beginResetModel();
    m_log.clear();
    m_pending.clear();
    m_evicted = 0;
    m_droppedWhilePaused = 0;
    m_notShownUpstream = 0;
    endResetModel();
}

void EventLogModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused) {
        insertBatch(m_pending.size(), [this](qsizetype i) -> const RawEventRow & { return m_pending.at(i); });
        m_pending.clear();
    }
    emit pausedChanged(paused);
}

bool EventLogModel::isComment(int row) const { return row >= 0 && row < rowCount() && m_log.at(row).comment; }

QByteArray EventLogModel::fullData(int row) const
{
    if (row < 0 || row >= m_log.size())
        return {};
    return m_log.at(row).event.data().toByteArray();
}

QString EventLogModel::previewText(QByteArrayView data, int maxChars)
{
    maxChars = std::max(maxChars, 1);
    // A UTF-16 unit takes at most 3 bytes of UTF-8, so maxChars units lie within the first
    // 3 * maxChars bytes; decoding a little more means a sequence cut at the end is cut off again.
    const qsizetype bytes = std::min(data.size(), qsizetype(maxChars) * 3 + 4);
    QString text = QString::fromUtf8(data.first(bytes));
    bool cut = bytes < data.size();
    if (text.size() > maxChars) {
        qsizetype length = maxChars;
        if (text.at(length - 1).isHighSurrogate())
            --length;   // never split a surrogate pair
        text.truncate(length);
        cut = true;
    }
    text.replace(QStringLiteral("\r\n"), QString(QChar(kLineBreakSymbol)));
    text.replace(u'\n', QChar(kLineBreakSymbol));
    text.replace(u'\r', QChar(kLineBreakSymbol));
    if (cut)
        text += QChar(kEllipsis);
    return text;
}

int EventLogModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_log.size()); }

int EventLogModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RawEventRow &row = m_log.at(index.row());
    const SseEvent &event = row.event;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(row.arrivalMs).toString(QStringLiteral("HH:mm:ss.zzz"));
        case TypeColumn:
            return typeText(row);
        case IdColumn:
            return event.lastEventIdString();
        case SizeColumn:
            return qlonglong(event.byteSize());
        case DataColumn:
            return previewText(event.data());
        }
        break;
    case RawValueRole:
        switch (index.column()) {
        case TimeColumn:
            return qint64(row.arrivalMs);
        case TypeColumn:
            return typeText(row);
        case IdColumn:
            return event.lastEventIdString();
        case SizeColumn:
            return qlonglong(event.byteSize());
        case DataColumn:
            return event.data().toByteArray();
        }
        break;
    case FullDataRole:
        return event.data().toByteArray();
    case Qt::ToolTipRole:
        if (index.column() == TimeColumn)
            return QDateTime::fromMSecsSinceEpoch(row.arrivalMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    return {};
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole || orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case TypeColumn:
        return tr("Type");
    case IdColumn:
        return tr("Id");
    case SizeColumn:
        return tr("Size");
    case DataColumn:
        return tr("Data");
    }
    return {};
}

}   // namespace Clickscope

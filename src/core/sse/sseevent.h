// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QMetaType>
#include <QString>

namespace Clickscope {

// One event's three strings, borrowed from whatever holds their bytes (an SseEvent, an SseBatch):
// valid as long as that lives. Trivially copied, so a consumer that reads events as they pass
// costs nothing per event.
class SseEventView
{
public:
    constexpr SseEventView() = default;
    constexpr SseEventView(QByteArrayView type, QByteArrayView lastEventId, QByteArrayView data)
        : m_type(type)
        , m_lastEventId(lastEventId)
        , m_data(data)
    {}

    constexpr QByteArrayView type() const { return m_type; }
    constexpr QByteArrayView lastEventId() const { return m_lastEventId; }
    constexpr QByteArrayView data() const { return m_data; }
    constexpr qsizetype byteSize() const { return m_type.size() + m_lastEventId.size() + m_data.size(); }

private:
    QByteArrayView m_type;
    QByteArrayView m_lastEventId;
    QByteArrayView m_data;
};

// One dispatched Server-Sent Event. Its three strings are well-formed UTF-8.
//
// Events parsed from one network read share a single implicitly shared buffer, so a batch costs
// one allocation, not one per event. A copy shares too; an event kept for long (an inspector's
// history) should be detached(), or it keeps its whole batch's buffer alive.
class SseEvent
{
public:
    SseEvent() = default;
    // An event with a buffer of its own.
    SseEvent(QByteArrayView type, QByteArrayView lastEventId, QByteArrayView data);
    // An event whose type, id and data lie back to back in `storage` from `offset` on.
    SseEvent(const QByteArray &storage, qsizetype offset, qsizetype typeSize, qsizetype idSize, qsizetype dataSize);
    // An event with a buffer of its own, copied from a borrowed one.
    explicit SseEvent(SseEventView view) : SseEvent(view.type(), view.lastEventId(), view.data()) {}

    QByteArrayView type() const { return {begin(), m_typeSize}; }
    QByteArrayView lastEventId() const { return {begin() + m_typeSize, m_idSize}; }
    QByteArrayView data() const { return {begin() + m_typeSize + m_idSize, m_dataSize}; }
    // The event's strings, borrowed from this event: valid while it lives.
    SseEventView view() const { return {type(), lastEventId(), data()}; }

    QString typeString() const { return QString::fromUtf8(type()); }
    QString lastEventIdString() const { return QString::fromUtf8(lastEventId()); }
    QString dataString() const { return QString::fromUtf8(data()); }

    // Bytes of the event itself (type + id + data), whatever buffer holds them.
    qsizetype byteSize() const { return m_typeSize + m_idSize + m_dataSize; }
    // Bytes of the buffer this event keeps alive.
    qsizetype retainedBytes() const { return m_storage.size(); }
    // The same event in a buffer of its own size.
    SseEvent detached() const { return SseEvent(type(), lastEventId(), data()); }

    friend bool operator==(const SseEvent &a, const SseEvent &b)
    {
        return a.type() == b.type() && a.lastEventId() == b.lastEventId() && a.data() == b.data();
    }

private:
    const char *begin() const { return m_storage.constData() + m_offset; }

    QByteArray m_storage;
    qsizetype m_offset = 0;
    qsizetype m_typeSize = 0;
    qsizetype m_idSize = 0;
    qsizetype m_dataSize = 0;
};

}   // namespace Clickscope

Q_DECLARE_METATYPE(Clickscope::SseEvent)

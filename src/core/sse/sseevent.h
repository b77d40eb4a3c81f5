// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QMetaType>
#include <QString>

namespace Clickscope {

// One dispatched Server-Sent Event. Its three strings are well-formed UTF-8 and live in a single
// allocation, so a parsed event costs one malloc however many fields it had.
class SseEvent
{
public:
    SseEvent() = default;
    SseEvent(QByteArrayView type, QByteArrayView lastEventId, QByteArrayView data);

    QByteArrayView type() const { return {m_bytes.constData(), m_typeSize}; }
    QByteArrayView lastEventId() const { return {m_bytes.constData() + m_typeSize, m_idSize}; }
    QByteArrayView data() const
    {
        return {m_bytes.constData() + m_typeSize + m_idSize, m_bytes.size() - m_typeSize - m_idSize};
    }

    QString typeString() const { return QString::fromUtf8(type()); }
    QString lastEventIdString() const { return QString::fromUtf8(lastEventId()); }
    QString dataString() const { return QString::fromUtf8(data()); }

    // Bytes held by the event (type + id + data).
    qsizetype byteSize() const { return m_bytes.size(); }

    friend bool operator==(const SseEvent &a, const SseEvent &b)
    {
        return a.m_typeSize == b.m_typeSize && a.m_idSize == b.m_idSize && a.m_bytes == b.m_bytes;
    }

private:
    QByteArray m_bytes;
    qsizetype m_typeSize = 0;
    qsizetype m_idSize = 0;
};

} // namespace Clickscope

Q_DECLARE_METATYPE(Clickscope::SseEvent)

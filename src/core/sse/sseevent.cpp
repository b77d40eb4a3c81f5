// SPDX-License-Identifier: MIT
#include "core/sse/sseevent.h"

namespace Clickscope {

SseEvent::SseEvent(QByteArrayView type, QByteArrayView lastEventId, QByteArrayView data)
    : m_storage(type.size() + lastEventId.size() + data.size(), Qt::Uninitialized)
    , m_typeSize(type.size())
    , m_idSize(lastEventId.size())
    , m_dataSize(data.size())
{
    char *out = m_storage.data();
    std::copy(type.begin(), type.end(), out);
    std::copy(lastEventId.begin(), lastEventId.end(), out + m_typeSize);
    std::copy(data.begin(), data.end(), out + m_typeSize + m_idSize);
}

SseEvent::SseEvent(const QByteArray &storage, qsizetype offset, qsizetype typeSize, qsizetype idSize,
                   qsizetype dataSize)
    : m_storage(storage)
    , m_offset(offset)
    , m_typeSize(typeSize)
    , m_idSize(idSize)
    , m_dataSize(dataSize)
{
    Q_ASSERT(offset >= 0 && offset + typeSize + idSize + dataSize <= storage.size());
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "sseevent.h"

#include <cstring>

namespace Clickscope {

SseEvent::SseEvent(QByteArrayView type, QByteArrayView lastEventId, QByteArrayView data)
    : m_bytes(type.size() + lastEventId.size() + data.size(), Qt::Uninitialized)
    , m_typeSize(type.size())
    , m_idSize(lastEventId.size())
{
    char *out = m_bytes.data();
    if (!type.isEmpty())
        std::memcpy(out, type.data(), type.size());
    if (!lastEventId.isEmpty())
        std::memcpy(out + m_typeSize, lastEventId.data(), lastEventId.size());
    if (!data.isEmpty())
        std::memcpy(out + m_typeSize + m_idSize, data.data(), data.size());
}

} // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/sse/ssebatch.h"

#include <cstring>

namespace Clickscope {

SseBatch::SseBatch(QByteArray bytes, QList<Span> spans) : m_bytes(std::move(bytes)), m_spans(std::move(spans))
{
#ifndef QT_NO_DEBUG
    for (const Span &s : std::as_const(m_spans))
        Q_ASSERT(s.offset >= 0 && s.offset + s.typeSize + s.idSize + s.dataSize <= m_bytes.size());
#endif
}

SseBatch SseBatch::fromEvents(const QList<SseEvent> &events)
{
    qsizetype total = 0;
    for (const SseEvent &e : events)
        total += e.byteSize();
    QByteArray bytes(total, Qt::Uninitialized);
    QList<Span> spans;
    spans.reserve(events.size());
    char *out = bytes.data();
    qsizetype offset = 0;
    for (const SseEvent &e : events) {
        for (const QByteArrayView part : {e.type(), e.lastEventId(), e.data()}) {
            if (!part.isEmpty())
                std::memcpy(out + offset, part.data(), std::size_t(part.size()));
            offset += part.size();
        }
        spans.append({offset - e.byteSize(), e.type().size(), e.lastEventId().size(), e.data().size()});
    }
    return SseBatch(std::move(bytes), std::move(spans));
}

SseEvent SseBatch::event(qsizetype i) const
{
    const Span &s = m_spans.at(i);
    return SseEvent(m_bytes, s.offset, s.typeSize, s.idSize, s.dataSize);
}

void SseBatch::appendTo(QList<SseEvent> &out) const
{
    out.reserve(out.size() + m_spans.size());
    for (const Span &s : m_spans)
        out.emplace_back(m_bytes, s.offset, s.typeSize, s.idSize, s.dataSize);
}

QList<SseEvent> SseBatch::toList() const
{
    QList<SseEvent> out;
    appendTo(out);
    return out;
}

qsizetype SseBatch::byteSize() const
{
    qsizetype total = 0;
    for (const Span &s : m_spans)
        total += s.typeSize + s.idSize + s.dataSize;
    return total;
}

}   // namespace Clickscope

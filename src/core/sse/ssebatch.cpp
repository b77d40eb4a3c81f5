// SPDX-License-Identifier: MIT
#include "core/sse/ssebatch.h"

namespace Clickscope {

SseBatch SseBatch::fromEvents(const QList<SseEvent> &events)
{
    SseBatchBuilder builder;
    for (const SseEvent &e : events)
        builder.append(e.view());
    return builder.take();
}

SseBatch SseBatch::first(qsizetype n) const
{
    return n >= size() ? *this : SseBatch(m_bytes, m_spans.first(std::max<qsizetype>(n, 0)), m_shared);
}

SseEvent SseBatch::event(qsizetype i) const
{
    const Span &s = m_spans.at(i);
    if (s.dataOffset >= 0)
        return SseEvent(at(i));
    return SseEvent(m_bytes, s.offset, s.typeSize, s.idSize, s.dataSize);
}

void SseBatch::appendTo(QList<SseEvent> &out) const
{
    out.reserve(out.size() + m_spans.size());
    for (qsizetype i = 0; i < size(); ++i)
        out.append(event(i));
}

QList<SseEvent> SseBatch::toList() const
{
    QList<SseEvent> out;
    appendTo(out);
    return out;
}

SseBatch SseBatchBuilder::take()
{
    if (m_count == 0) {
        clear();
        return {};
    }
    m_spans.resize(m_count);
    SseBatch batch(m_bytes, m_spans, m_sharing ? m_shared : QByteArray());
    clear();
    return batch;
}

void SseBatchBuilder::startBatch()
{
    // A batch handed out earlier that is still alive shares these. Writing through data() would
    // copy them (Qt detaches a shared array) only to overwrite the copy: start empty ones instead.
    if (!m_bytes.isDetached() || m_bytes.size() > std::max(kRetainedBytes, 4 * m_growth))
        m_bytes = QByteArray();
    if (!m_spans.isDetached() || m_spans.size() * qsizetype(sizeof(SseBatch::Span)) > kRetainedBytes)
        m_spans = QList<SseBatch::Span>();
    m_used = 0;
}

qsizetype SseBatch::byteSize() const
{
    qsizetype total = 0;
    for (const Span &s : m_spans)
        total += s.typeSize + s.idSize + s.dataSize;
    return total;
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#pragma once

#include "core/sse/sseevent.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>

#include <iterator>

namespace Clickscope {

// The events one parse of a chunk dispatched, in order, in one implicitly shared buffer: a batch
// costs one reference count for all its events, where a list of SseEvent takes one per event (an
// atomic increment and decrement each, which at millions of events a second is a cost of its own).
// Reading an event gives an SseEventView into the batch, valid while the batch (or a copy) lives;
// event() gives an SseEvent to keep. Immutable: copies are cheap and safe to hand to other threads.
class SseBatch
{
public:
    // Where one event's type, id and data lie, back to back, in the batch's bytes.
    struct Span
    {
        qsizetype offset = 0;
        qsizetype typeSize = 0;
        qsizetype idSize = 0;
        qsizetype dataSize = 0;
    };

    class const_iterator
    {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = SseEventView;
        using difference_type = qsizetype;
        using pointer = void;
        using reference = SseEventView;

        const_iterator() = default;
        const_iterator(const SseBatch *batch, qsizetype index) : m_batch(batch), m_index(index) {}
        SseEventView operator*() const { return m_batch->at(m_index); }
        const_iterator &operator++()
        {
            ++m_index;
            return *this;
        }
        const_iterator operator++(int)
        {
            const_iterator before = *this;
            ++m_index;
            return before;
        }
        friend bool operator==(const const_iterator &a, const const_iterator &b) { return a.m_index == b.m_index; }
        friend bool operator!=(const const_iterator &a, const const_iterator &b) { return a.m_index != b.m_index; }

    private:
        const SseBatch *m_batch = nullptr;
        qsizetype m_index = 0;
    };

    SseBatch() = default;
    // Every span must lie within `bytes`, and the bytes of each event must be well-formed UTF-8.
    SseBatch(QByteArray bytes, QList<Span> spans);
    // The same events as `events`, copied into one buffer.
    static SseBatch fromEvents(const QList<SseEvent> &events);

    qsizetype size() const { return m_spans.size(); }
    bool isEmpty() const { return m_spans.isEmpty(); }
    SseEventView at(qsizetype i) const
    {
        const Span &s = m_spans.at(i);
        const char *p = m_bytes.constData() + s.offset;
        return {{p, s.typeSize}, {p + s.typeSize, s.idSize}, {p + s.typeSize + s.idSize, s.dataSize}};
    }
    SseEventView operator[](qsizetype i) const { return at(i); }
    SseEventView last() const { return at(size() - 1); }
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size()}; }

    // Event `i` as an SseEvent that shares this batch's buffer (see SseEvent::detached()).
    SseEvent event(qsizetype i) const;
    // Appends every event, each sharing this batch's buffer.
    void appendTo(QList<SseEvent> &out) const;
    QList<SseEvent> toList() const;

    // Bytes of the events themselves.
    qsizetype byteSize() const;
    // Bytes of the buffer this batch keeps alive.
    qsizetype retainedBytes() const { return m_bytes.size(); }

private:
    QByteArray m_bytes;
    QList<Span> m_spans;
};

}   // namespace Clickscope

Q_DECLARE_METATYPE(Clickscope::SseBatch)

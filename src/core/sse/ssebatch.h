// SPDX-License-Identifier: MIT
#pragma once

#include "core/sse/sseevent.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace Clickscope {

// Events that arrived together (what one read parsed to, or the messages of one event-loop pass),
// in order, in one implicitly shared buffer: however many events it holds, a batch is one
// reference count, so handing events on costs nothing per event. Reading an event gives an
// SseEventView into the batch, valid while the batch (or a copy) lives; an event to keep for long
// is SseEvent(view), which copies only its own bytes (event() shares the whole buffer). Made by
// SseBatchBuilder; immutable, so copies are cheap and may go to other threads.
class SseBatch
{
public:
    // Where one event's type, id and data lie: back to back in the batch's bytes from `offset`
    // on, or, when dataOffset is not -1, the data at dataOffset in the buffer the batch shares.
    struct Span
    {
        qsizetype offset = 0;
        qsizetype typeSize = 0;
        qsizetype idSize = 0;
        qsizetype dataSize = 0;
        qsizetype dataOffset = -1;
    };

    class const_iterator
    {
    public:
        // operator* gives a value, not a reference: an input iterator, which is all range-for needs.
        using iterator_category = std::input_iterator_tag;
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
        friend bool operator==(const const_iterator &a, const const_iterator &b)
        {
            return a.m_batch == b.m_batch && a.m_index == b.m_index;
        }
        friend bool operator!=(const const_iterator &a, const const_iterator &b) { return !(a == b); }

    private:
        const SseBatch *m_batch = nullptr;
        qsizetype m_index = 0;
    };

    SseBatch() = default;
    // The same events as `events`, copied into one buffer.
    static SseBatch fromEvents(const QList<SseEvent> &events);

    qsizetype size() const { return m_spans.size(); }
    bool isEmpty() const { return m_spans.isEmpty(); }
    SseEventView at(qsizetype i) const
    {
        const Span &s = m_spans.at(i);
        const char *p = m_bytes.constData() + s.offset;
        const char *data = s.dataOffset < 0 ? p + s.typeSize + s.idSize : m_shared.constData() + s.dataOffset;
        return {{p, s.typeSize}, {p + s.typeSize, s.idSize}, {data, s.dataSize}};
    }
    SseEventView operator[](qsizetype i) const { return at(i); }
    SseEventView last() const { return at(size() - 1); }
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size()}; }

    // The first n events (all of them when n >= size()), sharing this batch's buffer.
    SseBatch first(qsizetype n) const;

    // Event `i` as an SseEvent that shares this batch's whole buffer (see SseEvent::detached()),
    // or has its own when its data lies in the shared buffer.
    SseEvent event(qsizetype i) const;
    // Appends every event, as event() makes them.
    void appendTo(QList<SseEvent> &out) const;
    QList<SseEvent> toList() const;

    // Bytes of the events themselves.
    qsizetype byteSize() const;
    // Bytes of the buffers this batch keeps alive.
    qsizetype retainedBytes() const { return m_bytes.size() + m_shared.size(); }

private:
    friend class SseBatchBuilder;
    // Every span lies within `bytes` (and its data, if shared, within `shared`): only the builder
    // and first() make batches.
    SseBatch(QByteArray bytes, QList<Span> spans, QByteArray shared = {})
        : m_bytes(std::move(bytes))
        , m_spans(std::move(spans))
        , m_shared(std::move(shared))
    {}

    QByteArray m_bytes;
    QList<Span> m_spans;
    QByteArray m_shared;   // a buffer some events' data lies in (a read the batch was parsed from)
};

// Gathers events into a batch: every source's events (parsed, or one per message) go out as one.
// The bytes and spans are written in place, in buffers that take() hands out and that are reused
// once nobody holds the batch any more; while someone does, the next events go to new ones. A
// buffer that one large event grew past kRetainedBytes (and past four times the growth hint) is
// let go at the next batch, so that event does not pin its memory for the source's life.
class SseBatchBuilder
{
public:
    static constexpr qsizetype kRetainedBytes = 1024 * 1024;

    // The bytes of a batch grow to at least this at once (what one read brings is a good guess).
    void setGrowth(qsizetype bytes) { m_growth = bytes; }

    // Appends one event; its strings must be well-formed UTF-8.
    [[gnu::always_inline]] inline void append(QByteArrayView type, QByteArrayView lastEventId, QByteArrayView data)
    {
        if (m_count == 0)
            startBatch();
        const qsizetype n = type.size() + lastEventId.size() + data.size();
        if (m_used + n > m_bytes.size())
            m_bytes.resize(std::max({m_used + n, 2 * m_bytes.size(), m_growth}));
        char *out = m_bytes.data() + m_used;
        copySmall(out, type);
        copySmall(out + type.size(), lastEventId);
        if (!data.isEmpty())
            std::memcpy(out + type.size() + lastEventId.size(), data.data(), std::size_t(data.size()));
        if (m_count == m_spans.size())
            m_spans.resize(std::max<qsizetype>(64, 2 * m_count));
        m_spans.data()[m_count++] = {m_used, type.size(), lastEventId.size(), data.size(), -1};
        m_used += n;
    }
    void append(SseEventView event) { append(event.type(), event.lastEventId(), event.data()); }
    // The buffer appendSharingData() refers to, until the next take().
    void share(const QByteArray &buffer) { m_shared = buffer; }
    // Appends one event whose data is not copied: it is `dataSize` bytes at `dataOffset` in the
    // shared buffer, which the batch keeps alive.
    [[gnu::always_inline]] inline void appendSharingData(QByteArrayView type, QByteArrayView lastEventId,
                                                         qsizetype dataOffset, qsizetype dataSize)
    {
        Q_ASSERT(dataOffset >= 0 && dataOffset + dataSize <= m_shared.size());
        append(type, lastEventId, {});
        SseBatch::Span &span = m_spans.data()[m_count - 1];
        span.dataOffset = dataOffset;
        span.dataSize = dataSize;
        m_sharing = true;
    }

    qsizetype size() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    // The events appended since the last take(); the builder starts empty again.
    SseBatch take();
    // Forgets the events appended since the last take(), and the shared buffer.
    void clear()
    {
        m_count = 0;
        m_used = 0;
        m_shared = QByteArray();
        m_sharing = false;
    }

private:
    void startBatch();
    // Copies a few bytes (an event type, an id) without a call into libc.
    [[gnu::always_inline]] static inline void copySmall(char *out, QByteArrayView bytes)
    {
        const char *in = bytes.data();
        const qsizetype n = bytes.size();
        if (n > 16) {
            std::memcpy(out, in, std::size_t(n));
        } else if (n >= 8) {
            std::uint64_t head, tail;
            std::memcpy(&head, in, 8);
            std::memcpy(&tail, in + n - 8, 8);
            std::memcpy(out, &head, 8);
            std::memcpy(out + n - 8, &tail, 8);
        } else {
            for (qsizetype i = 0; i < n; ++i)
                out[i] = in[i];
        }
    }

    // Their size() is their capacity; m_used bytes and m_count spans are this batch's.
    QByteArray m_bytes;
    QList<SseBatch::Span> m_spans;
    QByteArray m_shared;
    bool m_sharing = false;   // an event of this batch has its data in m_shared
    qsizetype m_used = 0;
    qsizetype m_count = 0;
    qsizetype m_growth = 0;
};

}   // namespace Clickscope

Q_DECLARE_METATYPE(Clickscope::SseBatch)

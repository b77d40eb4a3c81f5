// SPDX-License-Identifier: MIT
#include "core/record/recordingtimeline.h"

#include "core/record/recordingreader.h"
#include "core/sse/sseparser.h"

#include <QLocale>

#include <algorithm>

namespace Clickscope {

// Feeds the recording's reads to the parser a line at a time, so that each comment takes its
// place among the events (the parser reports comments by count, not by position).
class RecordingTimeline::Builder
{
public:
    Builder(RecordingTimeline &timeline, qint64 maxBytes) : m_timeline(timeline), m_maxBytes(maxBytes) {}

    Result<void> add(const Recording::Record &record)
    {
        m_timeline.m_durationNs = std::max(m_timeline.m_durationNs, record.timeNs);
        switch (record.kind) {
        case Recording::Kind::Attempt:
            m_parser.reset();   // what the last connection left unfinished was dropped live too
            return {};
        case Recording::Kind::Data:
            return feed(record.timeNs, record.payload);
        case Recording::Kind::TextMessage:
            return addEntry(Kind::Event, record.timeNs, "message", {}, record.payload);
        case Recording::Kind::BinaryMessage:
            return addEntry(Kind::BinaryMessage, record.timeNs, {}, {}, record.payload);
        case Recording::Kind::Header:
        case Recording::Kind::Response:
        case Recording::Kind::End:
            return {};
        }
        return {};
    }

private:
    Result<void> feed(quint64 timeNs, QByteArrayView bytes)
    {
        qsizetype start = 0;
        while (start < bytes.size()) {
            const char *begin = bytes.data() + start;
            const char *end = bytes.data() + bytes.size();
            const char *lineEnd = std::find_if(begin, end, [](char c) { return c == '\n' || c == '\r'; });
            const qsizetype length = lineEnd == end ? end - begin : lineEnd - begin + 1;
            const SseBatch events = m_parser.feed(bytes.sliced(start, length));
            start += length;
            if (m_parser.commentCount() != m_comments) {
                m_comments = m_parser.commentCount();
                if (Result<void> ok = addEntry(Kind::Comment, timeNs, {}, {}, m_parser.lastComment()); !ok)
                    return ok;
            }
            for (const SseEventView event : events) {
                if (Result<void> ok = addEntry(Kind::Event, timeNs, event.type(), event.lastEventId(), event.data());
                    !ok)
                    return ok;
            }
        }
        return {};
    }

    Result<void> addEntry(Kind kind, quint64 timeNs, QByteArrayView type, QByteArrayView id, QByteArrayView data)
    {
        QByteArray &bytes = m_timeline.m_bytes;
        // Most events share their type with the one before: keep it once.
        const bool sameType = !type.isEmpty() && type == m_lastType;
        // Each entry costs its bookkeeping too: a file of empty events must not hold gigabytes of it.
        m_entryBytes += qint64(sizeof(Entry));
        if (m_entryBytes + bytes.size() + (sameType ? 0 : type.size()) + id.size() + data.size() > m_maxBytes)
            return unexpected(QStringLiteral("its events take more than %1, the most that is held in memory")
                                  .arg(QLocale::c().formattedDataSize(m_maxBytes, 1, QLocale::DataSizeIecFormat)));
        Entry entry{kind, timeNs};
        if (sameType) {
            entry.typeOffset = m_lastTypeOffset;
        } else {
            entry.typeOffset = bytes.size();
            bytes.append(type);
            m_lastType = type.toByteArray();
            m_lastTypeOffset = entry.typeOffset;
        }
        entry.typeSize = type.size();
        entry.idOffset = bytes.size();
        entry.idSize = id.size();
        bytes.append(id);
        entry.dataOffset = bytes.size();
        entry.dataSize = data.size();
        bytes.append(data);
        m_timeline.m_entries.push_back(entry);
        return {};
    }

    RecordingTimeline &m_timeline;
    const qint64 m_maxBytes;
    SseParser m_parser;
    quint64 m_comments = 0;
    QByteArray m_lastType;
    qsizetype m_lastTypeOffset = 0;
    qint64 m_entryBytes = 0;
};

Result<RecordingTimeline> RecordingTimeline::load(const QString &path, qint64 maxBytes)
{
    RecordingTimeline timeline;
    RecordingReader reader;
    if (const Result<void> opened = reader.open(path); !opened)
        return unexpected(opened.error());
    timeline.m_header = reader.header();
    Builder builder(timeline, maxBytes);
    for (;;) {
        auto record = reader.next();
        if (!record) {
            timeline.m_damage = record.error();
            break;
        }
        if (!*record)
            break;
        if (const Result<void> added = builder.add(**record); !added)
            return unexpected(QStringLiteral("cannot load %1: %2").arg(path, added.error()));
    }
    timeline.m_bytes.squeeze();
    timeline.m_entries.shrink_to_fit();
    return timeline;
}

QString RecordingTimeline::transport() const
{
    return m_header.value(QStringLiteral("transport")).toString(QStringLiteral("sse"));
}

std::optional<qsizetype> RecordingTimeline::indexAfterId(QByteArrayView id) const
{
    const auto found = std::find_if(m_entries.cbegin(), m_entries.cend(), [&](const Entry &entry) {
        return entry.kind == Kind::Event && this->id(entry) == id;
    });
    if (found == m_entries.cend())
        return std::nullopt;
    return qsizetype(found - m_entries.cbegin()) + 1;
}

qsizetype RecordingTimeline::count(Kind kind) const
{
    return qsizetype(
        std::count_if(m_entries.cbegin(), m_entries.cend(), [kind](const Entry &e) { return e.kind == kind; }));
}

}   // namespace Clickscope

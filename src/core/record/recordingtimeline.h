// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace Clickscope {

// What a recording's reader saw, in order and with its times: the events the parser dispatched
// (with the id each carried), the comments, and binary WebSocket messages. Built once from the
// recording's raw bytes by the same parser a live stream goes through (a connection cut in the
// middle of an event loses it, as it did live), and held in memory, so that anything can play it
// again from any point: the publisher serves it to each subscriber, resuming after an id.
//
// Memory is bounded: loading refuses a recording whose events and comments, with what it takes
// to keep each, take more than `maxBytes`. A damaged recording loads up to the damage; damage() says where and what.
class RecordingTimeline
{
public:
    static constexpr qint64 kDefaultMaxBytes = qint64(1) << 30;

    enum class Kind : quint8 { Event, Comment, BinaryMessage };
    struct Entry
    {
        Kind kind = Kind::Event;
        quint64 timeNs = 0;   // since the recording began
        // Where the entry's strings lie in bytes(): type and id for events, data for all.
        qsizetype typeOffset = 0, typeSize = 0;
        qsizetype idOffset = 0, idSize = 0;
        qsizetype dataOffset = 0, dataSize = 0;
    };

    static Result<RecordingTimeline> load(const QString &path, qint64 maxBytes = kDefaultMaxBytes);

    const QJsonObject &header() const { return m_header; }
    // "sse" or "websocket": what the recording was read from.
    QString transport() const;
    const std::vector<Entry> &entries() const { return m_entries; }
    QByteArrayView type(const Entry &entry) const { return view(entry.typeOffset, entry.typeSize); }
    QByteArrayView id(const Entry &entry) const { return view(entry.idOffset, entry.idSize); }
    QByteArrayView data(const Entry &entry) const { return view(entry.dataOffset, entry.dataSize); }

    // The index of the entry after the first event that carries `id`; nothing when none does.
    std::optional<qsizetype> indexAfterId(QByteArrayView id) const;

    // The time of the recording's last record: how long it lasts.
    quint64 durationNs() const { return m_durationNs; }
    qsizetype count(Kind kind) const;
    // Empty when the recording was read to its end; else why it stopped there.
    const QString &damage() const { return m_damage; }

private:
    class Builder;
    QByteArrayView view(qsizetype offset, qsizetype size) const { return {m_bytes.constData() + offset, size}; }

    QJsonObject m_header;
    QByteArray m_bytes;
    std::vector<Entry> m_entries;
    quint64 m_durationNs = 0;
    QString m_damage;
};

}   // namespace Clickscope

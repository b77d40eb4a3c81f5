// SPDX-License-Identifier: MIT
#pragma once

#include "core/record/recordingreader.h"
#include "core/source/streamsource.h"
#include "core/sse/sseparser.h"

#include <QElapsedTimer>
#include <QTimer>

namespace Clickscope {

// A recording played back as a live stream: its raw reads go through the same parser as they did
// live, its messages become events, and its attempts, response heads and ends give the same
// signals, at the recorded pace times `speed` (0: as fast as possible). Whatever reads a
// StreamSource reads a recording with it. A damaged file plays up to the damage, then fails with
// where and what.
class ReplaySource : public StreamSource
{
    Q_OBJECT
public:
    ReplaySource(const QString &path, double speed, SourceConfig config = {});

    // The recording's header, once open() has read it.
    const QJsonObject &header() const { return m_reader.header(); }
    quint64 recordsPlayed() const { return m_records; }

protected:
    void connectNow() override;
    void dropConnection() override;

private:
    void playDue();
    // Plays one record; false when the replay has stopped.
    bool play(const Recording::Record &record);
    bool deliverParsed();
    bool flushMessages();

    QString m_path;
    double m_speed;
    RecordingReader m_reader;
    SseParser m_parser;
    QList<SseEvent> m_batch;
    quint64 m_commentsSeen = 0;
    quint64 m_records = 0;
    std::optional<Recording::Record> m_pending;   // read, not yet due
    QElapsedTimer m_clock;
    QTimer m_next;
    bool m_playing = false;
    bool m_attemptSeen = false;
};

}   // namespace Clickscope

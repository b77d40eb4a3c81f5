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
//
// Its clock is the recording's: clockMs() is the time the recording started plus how far it has
// played, so rates and latencies come out as they were live, at any speed. It can be paused, sped
// up or down, and moved forward (as fast as possible up to a point); going back is starting over.
class ReplaySource : public StreamSource
{
    Q_OBJECT
public:
    ReplaySource(const QString &path, double speed, SourceConfig config = {}, QObject *parent = nullptr);

    // The recording's header (empty when the file cannot be read).
    const QJsonObject &header() const { return m_reader.header(); }
    quint64 recordsPlayed() const { return m_records; }

    // How long the recording lasts (up to any damage), known once it is open; 0 before.
    qint64 durationNs() const { return m_durationNs; }
    // The duration, when it is known already (the same file played over), so that opening does
    // not read the whole file for it again.
    void setDurationNs(qint64 durationNs);
    // How far it has played, in the recording's time.
    qint64 positionNs() const;
    double speed() const { return m_speed; }
    void setSpeed(double speed);
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    // Plays as fast as possible up to `targetNs`, then goes on at its speed (or stays paused there).
    // A target behind the position is ignored.
    void fastForwardTo(qint64 targetNs);
    // Where a fast-forward goes; -1 when none is under way.
    qint64 fastForwardTarget() const { return m_targetNs; }
    qint64 clockMs() const override;

protected:
    void connectNow() override;
    void dropConnection() override;

private:
    void playDue();
    // The recording's time `positionNs` is now: later records are due after it at the speed.
    void rebase(qint64 positionNs);
    // Reads the whole file once for its duration.
    void measureDuration();
    // Plays one record; false when the replay has stopped.
    bool play(const Recording::Record &record);
    bool joinedIfNeeded();
    // Delivers what one read of an event stream parsed to (its comments, then its events).
    bool deliverParsed(const SseBatch &parsed);
    // Delivers the messages gathered so far.
    bool flushMessages();
    bool deliver(const SseBatch &batch);

    QString m_path;
    double m_speed;
    RecordingReader m_reader;
    Result<void> m_opened;   // of m_reader, opened with the source
    SseParser m_parser;
    SseBatchBuilder m_batch;
    quint64 m_commentsSeen = 0;
    quint64 m_records = 0;
    std::optional<Recording::Record> m_pending;   // read, not yet due
    QElapsedTimer m_clock;                        // since m_baseNs
    qint64 m_baseNs = 0;
    qint64 m_playedNs = 0;   // the time of the last record played
    qint64 m_durationNs = 0;
    qint64 m_targetNs = -1;     // of a fast-forward
    qint64 m_startedAtMs = 0;   // the recording's start, on the wall clock
    QTimer m_next;
    bool m_paused = false;
    bool m_inRecord = false;   // a record's signals are going out
    bool m_playing = false;
    bool m_attemptSeen = false;
};

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#pragma once

#include "core/record/recordingtimeline.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace Clickscope {

// Plays a recording's timeline to one reader: from a given entry, at the recorded pace times
// `speed` (0: as fast as the reader takes it), from the start again at the end when looping.
//
// It never buffers ahead of a slow reader: while the reader has more than kHighWaterBytes not yet
// taken, it waits for readerDrained() and then delivers what has come due meanwhile (late, not
// dropped). As fast as possible hands the event loop back after each slice. A loop whose whole
// pass gave the reader nothing (comments only, to a WebSocket) ends instead of going round idle.
class TimelinePlayback : public QObject
{
    Q_OBJECT
public:
    struct Pace
    {
        double speed = 1;   // 0: as fast as possible
        bool loop = false;
    };
    // Delivers entries [first, end) of the timeline, which are due: the bytes it handed to the
    // reader (0 when none of them has a form for it), or -1 when the reader is gone.
    using Deliver = std::function<qint64(qsizetype first, qsizetype end)>;
    // Bytes handed to the reader that it has not taken yet.
    using Backlog = std::function<qint64()>;

    static constexpr qint64 kHighWaterBytes = 256 * 1024;
    static constexpr qint64 kSliceBytes = 256 * 1024;   // of data, ids and types
    static constexpr qsizetype kSliceEntries = 4096;

    TimelinePlayback(std::shared_ptr<const RecordingTimeline> timeline, Pace pace, qsizetype from, Deliver deliver,
                     Backlog backlog, QObject *parent = nullptr);

    void start();
    // The reader took some of its backlog.
    void readerDrained();
    // True once the last entry has gone out and the playback does not loop.
    bool finished() const { return m_finished; }

private:
    void playDue();
    // Milliseconds from the playback's clock start at which entry `index` is due.
    qint64 dueMs(qsizetype index) const;
    void startFrom(qsizetype index);

    std::shared_ptr<const RecordingTimeline> m_timeline;
    Pace m_pace;
    Deliver m_deliver;
    Backlog m_backlog;
    qsizetype m_next = 0;
    quint64 m_originNs = 0;   // the recording's time at the clock's start
    QElapsedTimer m_clock;
    QTimer m_timer;
    qint64 m_passBytes = 0;   // handed over since the playback last started from the top
    bool m_waitingForReader = false;
    bool m_finished = false;
    bool m_stopped = false;
};

}   // namespace Clickscope

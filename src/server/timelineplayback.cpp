// SPDX-License-Identifier: MIT
#include "server/timelineplayback.h"

#include <algorithm>
#include <cmath>

namespace Clickscope {
namespace {

// A timer is never set further ahead than this; a long silence in the recording takes several.
constexpr qint64 kMaxWaitMs = 60'000;

}   // namespace

TimelinePlayback::TimelinePlayback(std::shared_ptr<const RecordingTimeline> timeline, Pace pace, qsizetype from,
                                   Deliver deliver, Backlog backlog, QObject *parent)
    : QObject(parent)
    , m_timeline(std::move(timeline))
    , m_pace{std::isfinite(pace.speed) && pace.speed > 0 ? pace.speed : 0, pace.loop}
    , m_deliver(std::move(deliver))
    , m_backlog(std::move(backlog))
    , m_next(std::clamp<qsizetype>(from, 0, qsizetype(m_timeline->entries().size())))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &TimelinePlayback::playDue);
}

void TimelinePlayback::start() { startFrom(m_next); }

void TimelinePlayback::startFrom(qsizetype index)
{
    // A resumed playback goes on with the gap that followed the event it resumed after.
    const auto &entries = m_timeline->entries();
    m_next = index;
    m_originNs = index > 0 && index <= qsizetype(entries.size()) ? entries[std::size_t(index - 1)].timeNs : 0;
    m_passBytes = 0;
    m_clock.start();
    m_timer.start(0);
}

qint64 TimelinePlayback::dueMs(qsizetype index) const
{
    if (m_pace.speed == 0)
        return 0;
    const quint64 timeNs = m_timeline->entries()[std::size_t(index)].timeNs;
    const double sinceOriginMs = double(timeNs > m_originNs ? timeNs - m_originNs : 0) / 1e6;
    return qint64(std::llround(sinceOriginMs / m_pace.speed));
}

void TimelinePlayback::readerDrained()
{
    if (m_waitingForReader && m_backlog() <= kHighWaterBytes) {
        m_waitingForReader = false;
        playDue();
    }
}

void TimelinePlayback::playDue()
{
    if (m_stopped || m_finished)
        return;
    if (m_backlog() > kHighWaterBytes) {
        m_waitingForReader = true;
        return;
    }
    const auto &entries = m_timeline->entries();
    const qsizetype size = qsizetype(entries.size());
    const qint64 now = m_clock.elapsed();
    qsizetype end = m_next;
    qint64 bytes = 0;
    while (end < size && bytes < kSliceBytes && end - m_next < kSliceEntries && dueMs(end) <= now) {
        const RecordingTimeline::Entry &entry = entries[std::size_t(end)];
        bytes += entry.dataSize + entry.idSize + entry.typeSize;
        ++end;
    }
    if (end > m_next) {
        const qsizetype first = std::exchange(m_next, end);
        const qint64 handed = m_deliver(first, end);
        if (handed < 0) {
            m_stopped = true;
            return;
        }
        m_passBytes += handed;
    }
    if (m_next < size) {
        // A full slice goes on at once, after the event loop has had its turn.
        const qint64 wait = std::clamp<qint64>(dueMs(m_next) - m_clock.elapsed(), 0, kMaxWaitMs);
        m_timer.start(int(wait));
        return;
    }
    if (!m_pace.loop || size == 0 || m_passBytes == 0) {
        m_finished = true;
        return;
    }
    // Again from the start once the recording's own end has passed (what followed its last entry).
    const quint64 durationNs = m_timeline->durationNs();
    const qint64 restMs =
        m_pace.speed == 0
            ? 0
            : qint64(double(durationNs - std::min(durationNs, m_originNs)) / 1e6 / m_pace.speed) - m_clock.elapsed();
    if (restMs > 0) {
        m_timer.start(int(std::min(restMs, kMaxWaitMs)));
        return;
    }
    startFrom(0);
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/model/timeseriesring.h"

#include <limits>

#include <algorithm>

namespace Clickscope {

TimeSeriesRing::TimeSeriesRing(int windowSeconds)
    : m_buckets(std::size_t(std::clamp(windowSeconds, 1, kMaxWindowSeconds)), 0)
{}

std::size_t TimeSeriesRing::indexOf(qint64 second) const
{
    const qint64 window = qint64(m_buckets.size());
    qint64 index = second % window;
    if (index < 0)
        index += window;
    return std::size_t(index);
}

bool TimeSeriesRing::inWindow(qint64 second) const
{
    // Unsigned differences: correct for any two qint64, where a signed subtraction could overflow.
    return !isEmpty() && second <= m_newest && quint64(m_newest) - quint64(second) < m_buckets.size();
}

qint64 TimeSeriesRing::oldestSecond() const
{
    if (isEmpty())
        return kNoSecond;
    const qint64 span = qint64(m_buckets.size()) - 1;
    return m_newest < std::numeric_limits<qint64>::min() + span ? std::numeric_limits<qint64>::min() + 1
                                                                : m_newest - span;
}

void TimeSeriesRing::add(qint64 epochSecond, quint64 n)
{
    if (epochSecond == kNoSecond)
        epochSecond += 1;   // kNoSecond means "empty"; one second later is indistinguishable in practice
    if (isEmpty()) {
        m_newest = epochSecond;
        m_first = epochSecond;
    } else if (epochSecond > m_newest) {
        const quint64 gap = quint64(epochSecond) - quint64(m_newest);
        if (gap >= m_buckets.size()) {
            std::fill(m_buckets.begin(), m_buckets.end(), 0);
        } else {
            for (quint64 i = 1; i <= gap; ++i)
                m_buckets[indexOf(m_newest + qint64(i))] = 0;
        }
        m_newest = epochSecond;
    } else if (!inWindow(epochSecond)) {
        m_droppedLate += n;
        return;
    }
    m_first = std::min(m_first, epochSecond);
    m_buckets[indexOf(epochSecond)] += n;
    m_total += n;
}

quint64 TimeSeriesRing::at(qint64 epochSecond) const
{
    return inWindow(epochSecond) ? m_buckets[indexOf(epochSecond)] : 0;
}

void TimeSeriesRing::copyLast(int seconds, qint64 nowSecond, QList<double> &out) const
{
    seconds = std::clamp(seconds, 0, windowSeconds());
    out.resize(seconds);
    double *data = out.data();
    const qint64 from = nowSecond - (seconds - 1);
    for (int i = 0; i < seconds; ++i)
        data[i] = double(at(from + i));
}

qint64 TimeSeriesRing::bucketStart(qint64 second, int bucketSeconds)
{
    const qint64 b = std::max(bucketSeconds, 1);
    const qint64 q = second / b;
    return (q - ((second % b) < 0 ? 1 : 0)) * b;
}

void TimeSeriesRing::copyAveraged(int count, int bucketSeconds, qint64 nowSecond, QList<double> &out) const
{
    const int b = std::max(bucketSeconds, 1);
    count = std::max(count, 0);
    out.resize(count);
    double *data = out.data();
    const qint64 lastStart = bucketStart(nowSecond, b);
    for (int i = 0; i < count; ++i) {
        const qint64 start = lastStart - qint64(count - 1 - i) * b;
        const qint64 end = std::min(start + b - 1, nowSecond);
        quint64 sum = 0;
        for (qint64 s = start; s <= end; ++s)
            sum += at(s);
        data[i] = double(sum) / double(end - start + 1);
    }
}

quint64 TimeSeriesRing::sumLast(int seconds, qint64 nowSecond) const
{
    seconds = std::clamp(seconds, 0, windowSeconds());
    quint64 sum = 0;
    const qint64 from = nowSecond - (seconds - 1);
    for (int i = 0; i < seconds; ++i)
        sum += at(from + i);
    return sum;
}

quint64 TimeSeriesRing::maxLast(int seconds, qint64 nowSecond) const
{
    seconds = std::clamp(seconds, 0, windowSeconds());
    quint64 peak = 0;
    const qint64 from = nowSecond - (seconds - 1);
    for (int i = 0; i < seconds; ++i)
        peak = std::max(peak, at(from + i));
    return peak;
}

void TimeSeriesRing::clear()
{
    std::fill(m_buckets.begin(), m_buckets.end(), 0);
    m_newest = kNoSecond;
    m_first = kNoSecond;
    m_total = 0;
    m_droppedLate = 0;
}

void RateMeter::tick(const TimeSeriesRing &ring, qint64 nowSecond)
{
    if (ring.isEmpty())
        return;
    const qint64 lastComplete = nowSecond - 1;
    const int window = ring.windowSeconds();

    // Only seconds still in the ring can be read, and no more than one window of them, so a tick
    // after a long pause (or a clock jump) costs O(window) at most.
    qint64 from = m_next == TimeSeriesRing::kNoSecond ? ring.firstSecond() : m_next;
    const qint64 unread = from;
    from = std::max({from, ring.oldestSecond(), lastComplete - (window - 1)});
    if (from > lastComplete)
        return;
    if (m_seeded && from > unread)   // seconds that left the ring unread were quiet ones
        m_quietSeconds = int(std::min<qint64>(m_quietSeconds + (from - unread), std::numeric_limits<int>::max() / 2));

    for (qint64 s = from; s <= lastComplete; ++s) {
        const quint64 clicks = ring.at(s);
        if (!m_seeded) {
            m_smoothed = double(clicks);
            m_seeded = true;
        } else {
            m_smoothed += kSmoothing * (double(clicks) - m_smoothed);
        }
        // Seconds without a click: after a few (more for a sparse stream), the stream is idle and
        // the rate is 0, not the tail of a decay that would take twenty seconds to reach it.
        if (clicks == 0) {
            ++m_quietSeconds;
        } else {
            m_usualInterval += 0.5 * (double(m_quietSeconds + 1) - m_usualInterval);
            m_quietSeconds = 0;
        }
        if (m_quietSeconds >= std::max(double(kQuietSecondsToZero), 2 * m_usualInterval))
            m_smoothed = 0;
        m_last = clicks;
    }
    m_next = lastComplete + 1;
    m_peak = ring.maxLast(window, lastComplete);

    // The clicks counted so far minus those of seconds not complete yet (the current one, and
    // any the sender stamped ahead of our clock).
    quint64 incomplete = 0;
    if (ring.newestSecond() >= nowSecond)
        incomplete =
            ring.sumLast(int(std::min<qint64>(ring.newestSecond() - nowSecond + 1, window)), ring.newestSecond());
    const qint64 seconds = lastComplete - ring.firstSecond() + 1;
    m_average = seconds > 0 ? double(ring.total() - incomplete) / double(seconds) : 0.0;
}

}   // namespace Clickscope

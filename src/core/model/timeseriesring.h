// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QtGlobal>

#include <limits>
#include <vector>

namespace Clickscope {

// Clicks per second over a sliding window, in a ring of per-second buckets allocated once by the
// constructor: memory depends on the window only, never on uptime or input rate.
//
// The window is the `windowSeconds` seconds ending at the newest second added. Adding a newer
// second slides it forward and zeroes the buckets it skips (a jump of a window or more zeroes
// them all, in O(window), and allocates nothing). A second that has already left the window is
// not counted: its clicks go to droppedLate().
//
// Seconds are whatever the caller counts in (epoch seconds, normally); any qint64 works,
// negative ones included.
class TimeSeriesRing
{
public:
    static constexpr int kDefaultWindowSeconds = 60 * 60;
    static constexpr int kMaxWindowSeconds = 24 * 60 * 60;
    static constexpr qint64 kNoSecond = std::numeric_limits<qint64>::min();

    // windowSeconds is clamped to 1..kMaxWindowSeconds.
    explicit TimeSeriesRing(int windowSeconds);

    void add(qint64 epochSecond, quint64 n = 1);

    // The count for one second; 0 outside the window (or before anything was added).
    quint64 at(qint64 epochSecond) const;

    // The `seconds` buckets ending at nowSecond, oldest first, as doubles for a chart series;
    // seconds outside the window read 0. `seconds` is clamped to 0..windowSeconds(). Resizes `out`,
    // which allocates nothing when `out` is unshared and already has the capacity. Pass
    // nowSecond - 1 to leave out the second that is still filling.
    void copyLast(int seconds, qint64 nowSecond, QList<double> &out) const;
    // Like copyLast(), but `count` values each averaging `bucketSeconds` seconds, for charts of
    // long windows (24 h in 720 points). Buckets are aligned to multiples of bucketSeconds, so a
    // bar keeps its value as time passes; the last one ends at nowSecond and averages only the
    // seconds it has had so far. bucketSeconds 1 gives copyLast(count, nowSecond).
    void copyAveraged(int count, int bucketSeconds, qint64 nowSecond, QList<double> &out) const;
    // The start of the bucket of `bucketSeconds` that holds `second` (floor, negatives too).
    static qint64 bucketStart(qint64 second, int bucketSeconds);
    // The sum and the largest bucket over the same seconds as copyLast().
    quint64 sumLast(int seconds, qint64 nowSecond) const;
    quint64 maxLast(int seconds, qint64 nowSecond) const;

    bool isEmpty() const { return m_newest == kNoSecond; }
    // kNoSecond while empty.
    qint64 newestSecond() const { return m_newest; }
    // The oldest second still in the window: newestSecond() - windowSeconds() + 1.
    qint64 oldestSecond() const;
    // The earliest second ever accepted (it may have left the window since).
    qint64 firstSecond() const { return m_first; }
    // Clicks accepted since construction or clear(), whether or not still in the window.
    quint64 total() const { return m_total; }
    // Clicks dropped because their second had already left the window.
    quint64 droppedLate() const { return m_droppedLate; }
    int windowSeconds() const { return int(m_buckets.size()); }

    void clear();

    qsizetype memoryBytes() const { return qsizetype(sizeof(*this) + m_buckets.capacity() * sizeof(quint64)); }

private:
    bool inWindow(qint64 second) const;
    std::size_t indexOf(qint64 second) const;

    std::vector<quint64> m_buckets;
    qint64 m_newest = kNoSecond;
    qint64 m_first = kNoSecond;
    quint64 m_total = 0;
    quint64 m_droppedLate = 0;
};

// "Clicks/s now, peak, average" from a TimeSeriesRing, for the counters panel. It reads only
// complete seconds (those before nowSecond), so the second that is still filling never shows as
// a dip. Holds no buckets of its own.
//
// Call tick() at least once per window (the display clock does, many times a second); seconds
// that left the ring's window before a tick read as 0 for the smoothed rate. The ring needs a
// window of 2 s or more, or no complete second is ever still in it.
class RateMeter
{
public:
    // Weight of the newest complete second in the smoothed rate (an exponential moving average):
    // a step in the rate shows 30 % at once, 83 % after 5 s, 97 % after 10 s; steady enough to
    // read, quick enough to follow a burst.
    static constexpr double kSmoothing = 0.3;
    // Complete seconds without a click after which the smoothed rate is 0, at least; a sparse
    // stream gets twice its usual interval between busy seconds, so it does not flicker to 0.
    static constexpr int kQuietSecondsToZero = 3;

    // Reads the seconds that completed since the last tick. Ticking twice for the same second
    // changes nothing.
    void tick(const TimeSeriesRing &ring, qint64 nowSecond);

    // Clicks/s, smoothed over the recent complete seconds; 0 once the stream has been quiet for
    // kQuietSecondsToZero seconds, or twice its usual interval if that is longer.
    double smoothedRate() const { return m_smoothed; }
    // The busiest complete second within the ring's window.
    quint64 peakRate() const { return m_peak; }
    // Clicks in complete seconds divided by complete seconds, since the ring's first second.
    double averageRate() const { return m_average; }
    // The newest complete second's count.
    quint64 lastSecondRate() const { return m_last; }

    // Forget everything: call with TimeSeriesRing::clear().
    void reset() { *this = RateMeter(); }

private:
    qint64 m_next = TimeSeriesRing::kNoSecond;   // the first second not read yet
    double m_smoothed = 0;
    double m_average = 0;
    quint64 m_peak = 0;
    quint64 m_last = 0;
    int m_quietSeconds = 0;
    double m_usualInterval = 1;   // seconds from one second with clicks to the next, smoothed
    bool m_seeded = false;
};

}   // namespace Clickscope

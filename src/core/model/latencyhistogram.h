// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

#include <array>

namespace Clickscope {

// The distribution of click latencies (arrival time - the click's own timestamp, in ms) in a fixed
// array of log-linear buckets, HdrHistogram-style: memory is sizeof(LatencyHistogram), whatever
// the number or spread of samples.
//
// Buckets: 0-1 ms in 0.1 ms steps; then 32 equal steps per power of two from 1 ms up to
// kMaxTrackableMs (2^16 ms, about 65 s). Error of percentile(): the value returned is within
// 0.05 ms of the sample at that rank below 1 ms, and within 1/64 (1.6 %) of it from 1 ms to
// kMaxTrackableMs (a bucket spans at most 1/32 of its lower edge and the midpoint is reported).
//
// Negative latencies (the sender's clock ahead of ours) are counted in negative() and rank as
// 0 ms; they are included in count(). Latencies of kMaxTrackableMs or more are counted in
// overflow(); a percentile that falls among them reads kMaxTrackableMs, a lower bound. NaN is
// not a latency: it is ignored and counted in ignored().
class LatencyHistogram
{
public:
    static constexpr double kMaxTrackableMs = 65536.0;
    static constexpr int kLinearBuckets = 10;   // 0.1 ms each, below 1 ms
    static constexpr int kSubBucketBits = 5;    // 32 steps per power of two
    static constexpr int kOctaves = 16;         // 1 ms .. 2^16 ms
    static constexpr int kBucketCount = kLinearBuckets + (kOctaves << kSubBucketBits);
    static constexpr double kRelativeError = 1.0 / 64;   // above 1 ms
    static constexpr double kAbsoluteErrorMs = 0.05;     // below 1 ms

    void add(double ms);

    quint64 count() const { return m_count; }
    quint64 negative() const { return m_negative; }
    quint64 overflow() const { return m_overflow; }
    quint64 ignored() const { return m_ignored; }

    // The nearest-rank percentile (p in [0, 100], clamped): the sample at rank ceil(p/100 × count),
    // to within the error above, never outside the range of the samples (negatives as 0).
    // percentile(0) and percentile(100) are the smallest and the largest sample, exactly (0 for a
    // negative one). 0 when empty.
    double percentile(double p) const;
    // The largest latency added, exactly as added (negative if every sample was); 0 when empty.
    double max() const { return m_count ? m_max : 0.0; }

    void clear() { *this = LatencyHistogram(); }

private:
    static double bucketValue(int index);

    std::array<quint64, kBucketCount> m_buckets{};
    quint64 m_count = 0;
    quint64 m_negative = 0;
    quint64 m_overflow = 0;
    quint64 m_ignored = 0;
    double m_min = 0;
    double m_max = 0;
};

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/model/latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace Clickscope {

namespace {

constexpr int kMantissaBits = 52;
constexpr int kExponentBias = 1023;

}   // namespace

void LatencyHistogram::add(double ms)
{
    if (std::isnan(ms)) {
        ++m_ignored;
        return;
    }
    if (m_count == 0) {
        m_min = ms;
        m_max = ms;
    } else {
        m_min = std::min(m_min, ms);
        m_max = std::max(m_max, ms);
    }
    ++m_count;

    if (ms < 0) {
        ++m_negative;
    } else if (ms < 1.0) {
        // min(): the largest double below 1, times 10, rounds to 10.
        ++m_buckets[std::size_t(std::min(int(ms * kLinearBuckets), kLinearBuckets - 1))];
    } else if (ms < kMaxTrackableMs) {
        // A double is 2^e × 1.m: e picks the octave, the mantissa's top bits the step within it.
        // Exact, and cheaper than a logarithm.
        const quint64 bits = std::bit_cast<quint64>(ms);
        const int octave = int(bits >> kMantissaBits) - kExponentBias;
        const int step = int(bits >> (kMantissaBits - kSubBucketBits)) & ((1 << kSubBucketBits) - 1);
        ++m_buckets[std::size_t(kLinearBuckets + (octave << kSubBucketBits) + step)];
    } else {
        ++m_overflow;
    }
}

double LatencyHistogram::bucketValue(int index)
{
    if (index < kLinearBuckets)
        return (index + 0.5) / kLinearBuckets;
    index -= kLinearBuckets;
    const int octave = index >> kSubBucketBits;
    const int step = index & ((1 << kSubBucketBits) - 1);
    return std::ldexp(1.0 + (step + 0.5) / (1 << kSubBucketBits), octave);
}

double LatencyHistogram::percentile(double p) const
{
    if (m_count == 0)
        return 0.0;
    if (!(p >= 0))   // also NaN
        p = 0;
    p = std::min(p, 100.0);

    const double low = std::max(m_min, 0.0);
    const double high = std::max(m_max, 0.0);
    const quint64 rank = std::clamp<quint64>(quint64(std::ceil(p / 100.0 * double(m_count))), 1, m_count);
    // The extremes are known exactly; no need to read them off a bucket.
    if (rank == m_count)
        return high;
    if (rank == 1)
        return low;

    quint64 seen = m_negative;
    if (rank <= seen)
        return 0.0;
    for (int i = 0; i < kBucketCount; ++i) {
        seen += m_buckets[std::size_t(i)];
        if (rank <= seen)
            return std::clamp(bucketValue(i), low, high);
    }
    return kMaxTrackableMs;   // among the overflow
}

}   // namespace Clickscope

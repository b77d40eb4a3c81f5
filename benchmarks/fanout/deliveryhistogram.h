// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

#include <algorithm>
#include <vector>

namespace Clickscope::Bench {

using namespace std::chrono_literals;

// Delivery latency in fixed memory whatever the number of events (a full fan-out run is ten
// million of them): 0.1 ms buckets up to 10 s, then 10 ms buckets up to 10 min for a server that
// falls far behind, exact to the bucket width.
class DeliveryHistogram
{
public:
    static constexpr qint64 kFineMicros = 100;
    static constexpr qint64 kFineBuckets = 100'000;   // 0 … 10 s
    static constexpr qint64 kCoarseMicros = 10'000;
    static constexpr qint64 kCoarseBuckets = 59'000;   // 10 s … 600 s; beyond: the last bucket

    void add(qint64 micros)
    {
        micros = std::max<qint64>(micros, 0);
        m_max = std::max(m_max, micros);
        const qint64 fineEnd = kFineMicros * kFineBuckets;
        const qint64 index = micros < fineEnd
                                 ? micros / kFineMicros
                                 : kFineBuckets + std::min((micros - fineEnd) / kCoarseMicros, kCoarseBuckets);
        ++m_buckets[std::size_t(index)];
        ++m_count;
    }
    quint64 count() const { return m_count; }
    double maxMs() const { return double(m_max) / 1000.0; }
    // The upper edge of the bucket holding the q-quantile, in ms (never better than the truth),
    // and never above the largest sample.
    double quantileMs(double q) const
    {
        if (m_count == 0)
            return 0;
        const auto rank = quint64(q * double(m_count - 1)) + 1;
        quint64 seen = 0;
        for (std::size_t i = 0; i < m_buckets.size(); ++i) {
            seen += m_buckets[i];
            if (seen < rank)
                continue;
            const qint64 index = qint64(i);
            const qint64 edge = index < kFineBuckets
                                    ? (index + 1) * kFineMicros
                                    : kFineMicros * kFineBuckets + (index - kFineBuckets + 1) * kCoarseMicros;
            return std::min(double(edge), double(m_max)) / 1000.0;
        }
        return maxMs();
    }

private:
    std::vector<quint64> m_buckets = std::vector<quint64>(std::size_t(kFineBuckets + kCoarseBuckets + 1), 0);
    quint64 m_count = 0;
    qint64 m_max = 0;
};

}   // namespace Clickscope::Bench

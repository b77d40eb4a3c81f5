// SPDX-License-Identifier: MIT
#include "core/source/reconnectpolicy.h"

#include <algorithm>

namespace Clickscope {

ReconnectPolicy::ReconnectPolicy() : ReconnectPolicy(Settings{}) {}

ReconnectPolicy::ReconnectPolicy(Settings settings) : ReconnectPolicy(settings, QRandomGenerator::global()->generate())
{}

ReconnectPolicy::ReconnectPolicy(Settings settings, quint32 seed) : m_settings(settings), m_random(seed) {}

void ReconnectPolicy::setServerRetryMs(qint64 ms)
{
    m_clampedFrom = ms > kMaxServerRetryMs ? std::optional<qint64>(ms) : std::nullopt;
    m_serverRetryMs = std::clamp<qint64>(ms, 0, kMaxServerRetryMs);
}

qint64 ReconnectPolicy::delayMs(int consecutiveFailures)
{
    const qint64 base = baseDelayMs();
    if (consecutiveFailures <= 1)
        return base;
    // A server that asks for a long retry gets it even when that exceeds our cap.
    const qint64 cap = std::max<qint64>(m_settings.maxDelayMs, base);
    const qint64 step = std::max(base, kMinBackoffMs);
    const int doublings = std::min(consecutiveFailures - 1, 30);
    const qint64 grown = step > (cap >> doublings) ? cap : step << doublings;
    const double shortenBy = m_settings.jitter * m_random.generateDouble();
    return std::max<qint64>(std::min(grown, cap) * (1.0 - shortenBy), std::min<qint64>(base, cap));
}

}   // namespace Clickscope

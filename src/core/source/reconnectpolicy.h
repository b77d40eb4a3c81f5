// SPDX-License-Identifier: MIT
#pragma once

#include <QRandomGenerator>

namespace Clickscope {

// How long to wait before reconnecting. The base is the server's `retry` (or our default); each
// consecutive failure to open doubles it, up to a cap, with jitter so that many clients dropped
// together do not return together. Pure arithmetic, so it is tested without a network.
class ReconnectPolicy
{
public:
    struct Settings
    {
        int defaultRetryMs = 3000;
        int maxDelayMs = 30000;
        double jitter = 0.25;   // a backoff delay is shortened by up to this fraction
    };

    ReconnectPolicy();
    explicit ReconnectPolicy(Settings settings);
    ReconnectPolicy(Settings settings, quint32 seed);

    // A `retry` field from the stream replaces the default base delay.
    void setServerRetryMs(qint64 ms);
    qint64 baseDelayMs() const { return m_serverRetryMs >= 0 ? m_serverRetryMs : m_settings.defaultRetryMs; }

    // Delay before the next attempt, given how many attempts in a row failed to open (0 after a
    // stream that was open and then ended).
    qint64 delayMs(int consecutiveFailures);

    const Settings &settings() const { return m_settings; }

private:
    Settings m_settings;
    QRandomGenerator m_random;
    qint64 m_serverRetryMs = -1;
};

} // namespace Clickscope

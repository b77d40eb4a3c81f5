// SPDX-License-Identifier: MIT
#pragma once

#include <QRandomGenerator>

#include <optional>

namespace Clickscope {

// How long to wait before reconnecting. The base is the server's `retry` (or our default), taken
// as it is the first time, even 0. Each further consecutive failure (a connection that did not
// open, or ended within a second) doubles it from at least kMinBackoffMs, up to a cap, with
// jitter so that many clients dropped together do not return together: a server that sends
// `retry: 0` and closes at once gets a few attempts a second, not a storm. A server's `retry`
// above kMaxServerRetryMs is clamped to it. Pure arithmetic, so it is tested without a network.
class ReconnectPolicy
{
public:
    static constexpr qint64 kMaxServerRetryMs = 10 * 60 * 1000;
    static constexpr qint64 kMinBackoffMs = 250;

    struct Settings
    {
        int defaultRetryMs = 3000;
        int maxDelayMs = 30000;
        double jitter = 0.25;   // a backoff delay is shortened by up to this fraction
    };

    ReconnectPolicy();
    explicit ReconnectPolicy(Settings settings);
    ReconnectPolicy(Settings settings, quint32 seed);

    // A `retry` field from the stream replaces the default base delay (clamped, see above).
    void setServerRetryMs(qint64 ms);
    // The server's `retry` in force (clamped), if it sent one.
    std::optional<qint64> serverRetryMs() const
    {
        return m_serverRetryMs >= 0 ? std::optional<qint64>(m_serverRetryMs) : std::nullopt;
    }
    // The server's last `retry` when it was above kMaxServerRetryMs, else nullopt.
    std::optional<qint64> clampedServerRetryMs() const { return m_clampedFrom; }
    qint64 baseDelayMs() const { return m_serverRetryMs >= 0 ? m_serverRetryMs : m_settings.defaultRetryMs; }

    // Delay before the next attempt, given how many attempts in a row failed to open (0 after a
    // stream that was open and then ended).
    qint64 delayMs(int consecutiveFailures);

    const Settings &settings() const { return m_settings; }

private:
    Settings m_settings;
    QRandomGenerator m_random;
    qint64 m_serverRetryMs = -1;
    std::optional<qint64> m_clampedFrom;
};

}   // namespace Clickscope

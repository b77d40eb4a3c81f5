// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QRandomGenerator>
#include <QString>
#include <QTimer>

#include <vector>

namespace Clickscope {

// Synthetic click traffic for the embedded publisher: Zipf-popular links with plausible country,
// referrer, device, browser and user-agent mixes. It only produces clicks (JSON objects without
// "ts" or "id", which the publisher fills in); whoever connects clicksGenerated() publishes them.
//
// Everything the clicks contain comes from one QRandomGenerator seeded with Settings::seed, so
// generate() is reproducible. Timed emission draws from the same generator, so interleaving the
// two changes what either yields, but never the distributions.
//
// Memory is fixed at construction: a cumulative Zipf table of `links` doubles (8 MB at the
// 1,000,000-link cap) and nothing that grows with uptime or rate.
class TrafficGenerator : public QObject
{
    Q_OBJECT
public:
    static constexpr int kTickMs = 20;
    static constexpr double kMaxClicksPerSecond = 1'000'000;
    // One tick's worth at the maximum rate; anything beyond is dropped, so a stalled event loop
    // never turns into a burst that the publisher and its subscribers must then swallow.
    static constexpr int kMaxBatch = 20'000;
    // Codes are four base-62 characters (62^4 ≈ 14.8 M), so this leaves room and keeps the table small.
    static constexpr int kMaxLinks = 1'000'000;
    static constexpr double kZipfExponent = 1.1;
    static constexpr double kWobbleAmplitude = 0.4;
    static constexpr double kDefaultWobblePeriodSeconds = 120;
    static constexpr double kMinWobblePeriodSeconds = 1;

    struct Settings
    {
        double clicksPerSecond = 0;   // 0 = off; clamped to [0, kMaxClicksPerSecond], NaN → 0
        int links = 50;               // distinct link codes, Zipf (s = kZipfExponent); clamped to [1, kMaxLinks]
        quint32 seed = 1;
        bool wobble = true;   // slow sine-like variation of the rate (± ~40 %) so charts are not flat
        double wobblePeriodSeconds = kDefaultWobblePeriodSeconds;   // a compressed "day"
    };

    explicit TrafficGenerator(Settings settings, QObject *parent = nullptr);

    // The settings after clamping, with the current rate.
    Settings settings() const;
    static Settings sanitized(Settings settings);

    // Takes effect from the next tick; 0 stops emitting without stopping the generator.
    void setRate(double clicksPerSecond);
    double rate() const { return m_settings.clicksPerSecond; }
    // The slow variation around the rate, on or off (a flat rate); from the next tick.
    void setWobble(bool wobble) { m_settings.wobble = wobble; }

    // Running means "started": with a rate of 0 it is running but idle (and its timer is off).
    void start();
    void stop();
    bool isRunning() const { return m_running; }

    // The next n clicks, deterministic for a seed (no timer, no clock): for tests and benchmarks.
    QList<QJsonObject> generate(int n);
    // The code of the rank-th most popular link ("/k3x9"): stable per seed, distinct per rank.
    // Ranks outside [0, links) are clamped.
    QString linkCode(int rank) const;
    // The probability of the rank-th link, from the same table generate() samples.
    double linkShare(int rank) const;

    // Clicks owed by the rate but dropped because a tick would have exceeded kMaxBatch.
    quint64 skippedClicks() const { return m_skipped; }

    // The rate multiplier `seconds` after start: 1 + 0.4·sin(2πt/period) plus a little smooth,
    // non-repeating noise. Always within [0.45, 1.55], so never 0 or negative.
    static double wobbleFactor(double seconds, double periodSeconds);

signals:
    void clicksGenerated(const QList<QJsonObject> &clicks);   // one batch per tick, never empty

private:
    void onTick();
    void updateTimer();
    QJsonObject nextClick();
    int nextRank();

    Settings m_settings;
    QRandomGenerator m_random;
    std::vector<double> m_cumulative;   // P(rank <= i), last entry exactly 1
    quint32 m_codeKeys[4] = {};         // round keys of the seed's link-code permutation
    QJsonObject m_prototype;            // every field present, values empty
    QTimer m_timer;
    QElapsedTimer m_clock;   // since start(): drives the owed clicks and the wobble
    qint64 m_lastTickNs = 0;
    double m_owed = 0;   // fractional clicks carried between ticks
    quint64 m_skipped = 0;
    bool m_running = false;
};

}   // namespace Clickscope

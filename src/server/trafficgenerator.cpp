// SPDX-License-Identifier: MIT
#include "server/trafficgenerator.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace Clickscope {
namespace {

struct Weighted
{
    QLatin1String value;
    quint32 weight;
};

// Roughly the shape of a global link shortener's audience: a US-heavy head and a long tail.
constexpr Weighted kCountries[] = {
    {QLatin1String("US"), 280}, {QLatin1String("DE"), 70}, {QLatin1String("IN"), 70}, {QLatin1String("GB"), 65},
    {QLatin1String("BR"), 50},  {QLatin1String("FR"), 45}, {QLatin1String("JP"), 40}, {QLatin1String("CA"), 40},
    {QLatin1String("AU"), 30},  {QLatin1String("NL"), 25}, {QLatin1String("ES"), 25}, {QLatin1String("IT"), 25},
    {QLatin1String("MX"), 20},  {QLatin1String("KR"), 20}, {QLatin1String("PL"), 15}, {QLatin1String("SE"), 15},
    {QLatin1String("ID"), 15},  {QLatin1String("TR"), 12}, {QLatin1String("NG"), 10}, {QLatin1String("ZA"), 10},
    {QLatin1String("AR"), 10},  {QLatin1String("CH"), 10}, {QLatin1String("SG"), 8},  {QLatin1String("IE"), 8},
};

// Origins only, because browsers' default referrer policy (strict-origin-when-cross-origin) strips
// the path on cross-site navigation; a real stream looks like this, and breakdowns stay readable.
// "" is a direct visit (typed, bookmarked, or from an app that sends no referrer).
constexpr Weighted kReferrers[] = {
    {QLatin1String(""), 300},
    {QLatin1String("https://www.google.com/"), 250},
    {QLatin1String("https://t.co/"), 80},
    {QLatin1String("https://news.ycombinator.com/"), 60},
    {QLatin1String("https://www.reddit.com/"), 60},
    {QLatin1String("https://l.facebook.com/"), 50},
    {QLatin1String("https://www.linkedin.com/"), 40},
    {QLatin1String("https://www.bing.com/"), 30},
    {QLatin1String("https://duckduckgo.com/"), 25},
    {QLatin1String("https://github.com/"), 25},
    {QLatin1String("https://www.youtube.com/"), 20},
    {QLatin1String("https://l.instagram.com/"), 20},
    {QLatin1String("https://www.producthunt.com/"), 10},
};

// One row per device+browser+platform, so the three fields can never contradict each other (no
// Safari on Windows, no "Mobile" token on a desktop). Weights are per mille of all clicks; their
// sums give the device mix (desktop 50 %, mobile 44 %, tablet 6 %).
struct Profile
{
    QLatin1String device;
    QLatin1String browser;
    QLatin1String userAgent;
    quint32 weight;
};
constexpr Profile kProfiles[] = {
    {QLatin1String("desktop"), QLatin1String("Chrome"),
     QLatin1String("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Safari/537.36"),
     240},
    {QLatin1String("desktop"), QLatin1String("Chrome"),
     QLatin1String("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Safari/537.36"),
     80},
    {QLatin1String("desktop"), QLatin1String("Chrome"),
     QLatin1String("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Safari/537.36"),
     20},
    {QLatin1String("desktop"), QLatin1String("Edge"),
     QLatin1String("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"),
     60},
    {QLatin1String("desktop"), QLatin1String("Safari"),
     QLatin1String("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                   "Version/17.2 Safari/605.1.15"),
     50},
    {QLatin1String("desktop"), QLatin1String("Firefox"),
     QLatin1String("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"), 30},
    {QLatin1String("desktop"), QLatin1String("Firefox"),
     QLatin1String("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0"), 10},
    {QLatin1String("desktop"), QLatin1String("Firefox"),
     QLatin1String("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"), 10},
    {QLatin1String("mobile"), QLatin1String("Chrome"),
     QLatin1String("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Mobile Safari/537.36"),
     200},
    {QLatin1String("mobile"), QLatin1String("Safari"),
     QLatin1String("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                   "Version/17.2 Mobile/15E148 Safari/604.1"),
     170},
    // Chrome on iOS is WebKit underneath; its UA says so, with a CriOS token.
    {QLatin1String("mobile"), QLatin1String("Chrome"),
     QLatin1String("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                   "CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1"),
     20},
    {QLatin1String("mobile"), QLatin1String("Samsung Internet"),
     QLatin1String("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36"),
     40},
    {QLatin1String("mobile"), QLatin1String("Firefox"),
     QLatin1String("Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0"), 10},
    {QLatin1String("tablet"), QLatin1String("Safari"),
     QLatin1String("Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                   "Version/17.2 Mobile/15E148 Safari/604.1"),
     35},
    // Android tablets omit the "Mobile" token; that is how sites tell them from phones.
    {QLatin1String("tablet"), QLatin1String("Chrome"),
     QLatin1String("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Safari/537.36"),
     20},
    {QLatin1String("tablet"), QLatin1String("Samsung Internet"),
     QLatin1String("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36"),
     5},
};

template<typename T, std::size_t N>
constexpr quint32 totalWeight(const T (&table)[N])
{
    quint32 sum = 0;
    for (const T &row : table)
        sum += row.weight;
    return sum;
}

constexpr quint32 kCountryTotal = totalWeight(kCountries);
constexpr quint32 kReferrerTotal = totalWeight(kReferrers);
constexpr quint32 kProfileTotal = totalWeight(kProfiles);

// Integer weights and QRandomGenerator::bounded keep the picks identical on every platform.
template<typename T, std::size_t N>
const T &pick(QRandomGenerator &random, const T (&table)[N], quint32 total)
{
    quint32 ticket = random.bounded(total);
    for (const T &row : table) {
        if (ticket < row.weight)
            return row;
        ticket -= row.weight;
    }
    return table[N - 1];
}

constexpr QLatin1String kLinkKey("link");
constexpr QLatin1String kCountryKey("country");
constexpr QLatin1String kReferrerKey("referrer");
constexpr QLatin1String kDeviceKey("device");
constexpr QLatin1String kBrowserKey("browser");
constexpr QLatin1String kUserAgentKey("userAgent");

constexpr char kBase62[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr int kCodeLength = 4;
constexpr quint32 kCodeSpace = 62 * 62 * 62 * 62;   // 14,776,336 four-character codes
constexpr int kHalfBits = 12;                       // the Feistel network permutes 2^24 ≥ kCodeSpace
constexpr quint32 kHalfMask = (1u << kHalfBits) - 1;

// MurmurHash3's finaliser: a cheap, well-mixing 32-bit hash, the same on every platform.
constexpr quint32 mix32(quint32 h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

double sanitizedRate(double clicksPerSecond)
{
    if (!(clicksPerSecond > 0))   // negative, zero and NaN
        return 0;
    return std::min(clicksPerSecond, TrafficGenerator::kMaxClicksPerSecond);
}

}   // namespace

TrafficGenerator::TrafficGenerator(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(sanitized(settings))
    , m_random(m_settings.seed)
{
    static_assert(kMaxLinks <= int(kCodeSpace), "every rank needs its own four-character code");

    const auto links = std::size_t(m_settings.links);
    m_cumulative.resize(links);
    double sum = 0;
    for (std::size_t i = 0; i < links; ++i) {
        sum += std::pow(double(i + 1), -kZipfExponent);
        m_cumulative[i] = sum;
    }
    for (double &c : m_cumulative)
        c /= sum;
    // Rounding could leave the last entry a hair under 1; a draw above it would fall off the table.
    m_cumulative.back() = 1.0;

    // The link codes are a seed-keyed permutation of the code space, so they are distinct per rank
    // without storing any of them.
    for (std::size_t i = 0; i < std::size(m_codeKeys); ++i)
        m_codeKeys[i] = mix32(m_settings.seed + 0x9e3779b9u * quint32(i + 1));

    for (QLatin1String key : {kLinkKey, kCountryKey, kReferrerKey, kDeviceKey, kBrowserKey, kUserAgentKey})
        m_prototype.insert(key, QString());

    m_timer.setInterval(kTickMs);
    connect(&m_timer, &QTimer::timeout, this, &TrafficGenerator::onTick);
}

TrafficGenerator::Settings TrafficGenerator::sanitized(Settings settings)
{
    settings.clicksPerSecond = sanitizedRate(settings.clicksPerSecond);
    settings.links = std::clamp(settings.links, 1, kMaxLinks);
    if (!std::isfinite(settings.wobblePeriodSeconds) || settings.wobblePeriodSeconds <= 0)
        settings.wobblePeriodSeconds = kDefaultWobblePeriodSeconds;
    settings.wobblePeriodSeconds = std::max(settings.wobblePeriodSeconds, kMinWobblePeriodSeconds);
    return settings;
}

TrafficGenerator::Settings TrafficGenerator::settings() const { return m_settings; }

void TrafficGenerator::setRate(double clicksPerSecond)
{
    m_settings.clicksPerSecond = sanitizedRate(clicksPerSecond);
    updateTimer();
}

void TrafficGenerator::start()
{
    if (m_running)
        return;
    m_running = true;
    m_clock.start();
    updateTimer();
}

void TrafficGenerator::stop()
{
    m_running = false;
    updateTimer();
}

void TrafficGenerator::updateTimer()
{
    const bool wanted = m_running && m_settings.clicksPerSecond > 0;
    if (wanted == m_timer.isActive())
        return;
    if (wanted) {
        // Owe nothing for the time spent stopped or at rate 0.
        m_lastTickNs = m_clock.nsecsElapsed();
        m_owed = 0;
        m_timer.start();
    } else {
        m_timer.stop();
    }
}

void TrafficGenerator::onTick()
{
    const qint64 nowNs = m_clock.nsecsElapsed();
    const double seconds = double(nowNs - m_lastTickNs) / 1e9;
    const double midpoint = double(nowNs + m_lastTickNs) / 2e9;
    m_lastTickNs = nowNs;

    const double factor = m_settings.wobble ? wobbleFactor(midpoint, m_settings.wobblePeriodSeconds) : 1.0;
    m_owed += m_settings.clicksPerSecond * factor * seconds;
    if (m_owed < 1)
        return;
    const double whole = std::floor(m_owed);
    m_owed -= whole;
    int count = kMaxBatch;
    if (whole > kMaxBatch)
        m_skipped += quint64(whole) - kMaxBatch;
    else
        count = int(whole);
    emit clicksGenerated(generate(count));
}

double TrafficGenerator::wobbleFactor(double seconds, double periodSeconds)
{
    if (!std::isfinite(seconds))
        return 1.0;
    if (!std::isfinite(periodSeconds) || periodSeconds <= 0)
        periodSeconds = kDefaultWobblePeriodSeconds;
    const double phase = 2 * std::numbers::pi * seconds / periodSeconds;
    // The noise terms have periods irrational relative to the day, so no two "days" look alike,
    // and small amplitudes, so the factor stays within 1 ± 0.53.
    const double noise = 0.08 * std::sin(phase / (0.1 * std::numbers::phi) + 1.3)
                         + 0.05 * std::sin(phase / (0.05 * std::numbers::sqrt2) + 0.4);
    return std::max(0.05, 1.0 + kWobbleAmplitude * std::sin(phase) + noise);
}

QList<QJsonObject> TrafficGenerator::generate(int n)
{
    QList<QJsonObject> clicks;
    if (n <= 0)
        return clicks;
    clicks.reserve(n);
    for (int i = 0; i < n; ++i)
        clicks.append(nextClick());
    return clicks;
}

QJsonObject TrafficGenerator::nextClick()
{
    const int rank = nextRank();
    const Weighted &country = pick(m_random, kCountries, kCountryTotal);
    const Weighted &referrer = pick(m_random, kReferrers, kReferrerTotal);
    const Profile &profile = pick(m_random, kProfiles, kProfileTotal);
    // Overwriting a copy of a prototype that already has every key is about twice as fast as
    // inserting six keys into an empty object, which matters at the top of the rate range.
    QJsonObject click = m_prototype;
    click[kLinkKey] = linkCode(rank);
    click[kCountryKey] = country.value;
    click[kReferrerKey] = referrer.value;
    click[kDeviceKey] = profile.device;
    click[kBrowserKey] = profile.browser;
    click[kUserAgentKey] = profile.userAgent;
    return click;
}

int TrafficGenerator::nextRank()
{
    const double u = m_random.generateDouble();   // [0, 1)
    const auto it = std::upper_bound(m_cumulative.cbegin(), m_cumulative.cend(), u);
    return int(std::min<std::ptrdiff_t>(it - m_cumulative.cbegin(), m_settings.links - 1));
}

double TrafficGenerator::linkShare(int rank) const
{
    rank = std::clamp(rank, 0, m_settings.links - 1);
    return m_cumulative[std::size_t(rank)] - (rank > 0 ? m_cumulative[std::size_t(rank) - 1] : 0.0);
}

QString TrafficGenerator::linkCode(int rank) const
{
    // A balanced Feistel network is a bijection on 24 bits whatever its round function; walking the
    // cycle until the value lands inside the code space keeps it a bijection on that space.
    quint32 x = quint32(std::clamp(rank, 0, m_settings.links - 1));
    do {
        quint32 left = x >> kHalfBits;
        quint32 right = x & kHalfMask;
        for (quint32 key : m_codeKeys) {
            const quint32 next = left ^ (mix32(right ^ key) & kHalfMask);
            left = right;
            right = next;
        }
        x = (left << kHalfBits) | right;
    } while (x >= kCodeSpace);

    QString code(kCodeLength + 1, Qt::Uninitialized);
    code[0] = QLatin1Char('/');
    for (int i = kCodeLength; i >= 1; --i) {
        code[i] = QLatin1Char(kBase62[x % 62]);
        x /= 62;
    }
    return code;
}

}   // namespace Clickscope

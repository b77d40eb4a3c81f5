// SPDX-License-Identifier: MIT
// clickscope-gencorpus OUT [--events N] [--seed S]
//
// Writes the SSE corpus the parser benchmarks run on: a `retry` line, then N click events shaped
// like the ones the dashboard receives, with a `: ping` keep-alive comment every kPingEvery events.
// The values vary the way real traffic does (a few links take most clicks, a long tail takes the
// rest) so that line lengths are not uniform and branch predictors cannot learn the stream.
#include "core/options/optionreader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSaveFile>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

constexpr std::int64_t kDefaultEvents = 1'000'000;
constexpr std::int64_t kPingEvery = 1'000;
constexpr std::size_t kLinkCount = 20'000;
// Zipf exponent slightly above 1: the top link takes about an eighth of all clicks, as a running
// campaign does, while nearly all 20,000 links still appear.
constexpr double kZipfExponent = 1.07;
constexpr std::int64_t kStartMs = 1'717'200'000'000;   // 2024-06-01T00:00:00Z
constexpr double kMeanGapMs = 5.0;                     // ~200 clicks/s
constexpr std::size_t kFlushBytes = 1 << 20;

// Only std::mt19937_64's raw output is specified bit-for-bit by the standard; the std::*_distribution
// classes are not, so they would give a different corpus per standard library. These helpers keep
// the corpus identical for a seed on every platform.
class Random
{
public:
    explicit Random(std::uint64_t seed) : m_engine(seed) {}

    double uniform() { return double(m_engine() >> 11) * 0x1.0p-53; }
    std::size_t below(std::size_t n) { return std::size_t(uniform() * double(n)); }
    double exponential(double mean) { return -std::log1p(-uniform()) * mean; }

    // Index into `cumulative` (ascending, last element = total weight).
    template<typename T>
    std::size_t pick(const std::vector<T> &cumulative)
    {
        const double target = uniform() * double(cumulative.back());
        const auto at = std::upper_bound(cumulative.begin(), cumulative.end(), T(target));
        // Rounding can make `target` equal the total; that draw belongs to the last item.
        return std::min(std::size_t(at - cumulative.begin()), cumulative.size() - 1);
    }

private:
    std::mt19937_64 m_engine;
};

template<typename Item>
std::vector<double> cumulativeWeights(const std::vector<Item> &items)
{
    std::vector<double> cumulative;
    double total = 0;
    for (const Item &item : items) {
        total += item.weight;
        cumulative.push_back(total);
    }
    return cumulative;
}

struct Country
{
    std::string_view code;
    double weight;
};

// The dashboard's first users are German publishers; traffic leans that way.
const std::vector<Country> kCountries = {
    {"DE", 30}, {"US", 18}, {"AT", 6}, {"CH", 5}, {"FR", 6}, {"GB", 7}, {"NL", 4}, {"PL", 4},
    {"ES", 3},  {"IT", 3},  {"SE", 2}, {"IN", 3}, {"BR", 2}, {"CA", 2}, {"JP", 1}, {"CZ", 1},
};

struct Client
{
    std::string_view device;
    std::string_view browser;
    std::string_view ua;   // "{v}" is replaced by a version drawn from [minVersion, maxVersion]
    int minVersion;
    int maxVersion;
    double weight;
};

const std::vector<Client> kClients = {
    {"mobile", "Chrome",
     "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile "
     "Safari/537.36",
     120, 126, 20},
    {"mobile", "Safari",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} "
     "Mobile/15E148 Safari/604.1",
     0, 5, 18},
    {"mobile", "Samsung Internet",
     "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/{v}.0 "
     "Chrome/121.0.0.0 Mobile Safari/537.36",
     23, 25, 4},
    {"mobile", "Firefox", "Mozilla/5.0 (Android 14; Mobile; rv:{v}.0) Gecko/{v}.0 Firefox/{v}.0", 122, 127, 2},
    {"tablet", "Safari",
     "Mozilla/5.0 (iPad; CPU OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} "
     "Mobile/15E148 Safari/604.1",
     0, 5, 3},
    {"desktop", "Chrome",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36",
     119, 126, 24},
    {"desktop", "Edge",
     "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 "
     "Edg/{v}.0.0.0",
     122, 125, 6},
    {"desktop", "Firefox", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0", 122, 127,
     9},
    {"desktop", "Firefox", "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0", 122, 127, 4},
    {"desktop", "Safari",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} "
     "Safari/605.1.15",
     0, 5, 8},
};

struct Referrer
{
    std::string_view url;   // "{id}" is replaced by a random base-36 token
    double weight;
};

// Most browsers send only the origin cross-site (strict-origin-when-cross-origin), so most referrers
// are short; apps and typed URLs send none at all.
const std::vector<Referrer> kReferrers = {
    {"", 14},
    {"https://www.google.com/", 22},
    {"https://www.google.de/", 12},
    {"https://t.co/{id}", 9},
    {"https://l.facebook.com/", 6},
    {"https://l.instagram.com/", 6},
    {"https://www.linkedin.com/feed/", 5},
    {"https://www.reddit.com/r/de/comments/{id}/", 4},
    {"https://news.ycombinator.com/item?id={id}", 2},
    {"https://duckduckgo.com/", 4},
    {"https://www.bing.com/", 3},
    {"https://mail.google.com/", 5},
    {"https://newsletter.example.de/w/{id}?utm_source=mail", 6},
    {"https://www.heise.de/news/", 4},
    {"https://web.whatsapp.com/", 5},
    {"https://github.com/", 2},
    {"https://www.spiegel.de/", 3},
};

constexpr std::string_view kBase62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

// Short-link codes of 4 to 7 characters, unique, ordered by popularity (index 0 is the top link).
std::vector<std::string> makeLinkCodes(Random &random)
{
    std::vector<std::string> codes;
    std::unordered_set<std::string> seen;
    codes.reserve(kLinkCount);
    while (codes.size() < kLinkCount) {
        std::string code(4 + random.below(4), '\0');
        for (char &c : code)
            c = kBase62[random.below(kBase62.size())];
        if (seen.insert(code).second)
            codes.push_back(std::move(code));
    }
    return codes;
}

std::vector<double> zipfCumulative()
{
    std::vector<double> cumulative(kLinkCount);
    double total = 0;
    for (std::size_t rank = 0; rank < kLinkCount; ++rank) {
        total += 1.0 / std::pow(double(rank + 1), kZipfExponent);
        cumulative[rank] = total;
    }
    return cumulative;
}

void appendNumber(std::string &out, std::int64_t value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr);
}

// Appends `pattern` with every `placeholder` replaced by `value`.
void appendReplacing(std::string &out, std::string_view pattern, std::string_view placeholder, std::string_view value)
{
    for (;;) {
        const std::size_t at = pattern.find(placeholder);
        if (at == std::string_view::npos) {
            out.append(pattern);
            return;
        }
        out.append(pattern.substr(0, at));
        out.append(value);
        pattern.remove_prefix(at + placeholder.size());
    }
}

struct Stats
{
    std::int64_t bytes = 0;
    std::size_t minJson = SIZE_MAX;
    std::size_t maxJson = 0;
    std::int64_t totalJson = 0;
};

class CorpusWriter
{
public:
    explicit CorpusWriter(QSaveFile &file) : m_file(file) { m_buffer.reserve(kFlushBytes + 4096); }

    std::string &buffer() { return m_buffer; }

    bool flushIfFull() { return m_buffer.size() < kFlushBytes || flush(); }

    bool flush()
    {
        const qint64 written = m_file.write(m_buffer.data(), qint64(m_buffer.size()));
        if (written != qint64(m_buffer.size()))
            return false;
        m_bytes += written;
        m_buffer.clear();
        return true;
    }

    std::int64_t bytes() const { return m_bytes; }

private:
    QSaveFile &m_file;
    std::string m_buffer;
    std::int64_t m_bytes = 0;
};

bool generate(QSaveFile &file, std::int64_t events, std::uint64_t seed, Stats &stats)
{
    Random random(seed);
    const std::vector<std::string> links = makeLinkCodes(random);
    const std::vector<double> linkWeights = zipfCumulative();
    const std::vector<double> countryWeights = cumulativeWeights(kCountries);
    const std::vector<double> clientWeights = cumulativeWeights(kClients);
    const std::vector<double> referrerWeights = cumulativeWeights(kReferrers);

    CorpusWriter writer(file);
    std::string &out = writer.buffer();
    std::string scratch;
    out.append("retry: 3000\n\n");

    double clock = double(kStartMs);
    for (std::int64_t id = 1; id <= events; ++id) {
        clock += random.exponential(kMeanGapMs);
        const Client &client = kClients[random.pick(clientWeights)];
        const Referrer &referrer = kReferrers[random.pick(referrerWeights)];

        out.append("id: ");
        appendNumber(out, id);
        out.append("\nevent: click\ndata: ");
        const std::size_t jsonStart = out.size();
        out.append("{\"ts\":");
        appendNumber(out, std::int64_t(clock));
        out.append(",\"link\":\"/");
        out.append(links[random.pick(linkWeights)]);
        out.append("\",\"country\":\"");
        out.append(kCountries[random.pick(countryWeights)].code);
        out.append("\",\"referrer\":\"");
        scratch.clear();
        for (std::size_t i = 0, n = 6 + random.below(5); i < n; ++i)
            scratch.push_back(kBase62[random.below(36)]);
        appendReplacing(out, referrer.url, "{id}", scratch);
        out.append("\",\"device\":\"");
        out.append(client.device);
        out.append("\",\"browser\":\"");
        out.append(client.browser);
        out.append("\",\"ua\":\"");
        scratch.clear();
        appendNumber(scratch, client.minVersion
                                  + std::int64_t(random.below(std::size_t(client.maxVersion - client.minVersion + 1))));
        appendReplacing(out, client.ua, "{v}", scratch);
        out.append("\"}");
        const std::size_t jsonSize = out.size() - jsonStart;
        out.append("\n\n");

        stats.minJson = std::min(stats.minJson, jsonSize);
        stats.maxJson = std::max(stats.maxJson, jsonSize);
        stats.totalJson += std::int64_t(jsonSize);

        if (id % kPingEvery == 0)
            out.append(": ping\n\n");
        if (!writer.flushIfFull())
            return false;
    }
    if (!writer.flush())
        return false;
    stats.bytes = writer.bytes();
    return true;
}

}   // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clickscope-gencorpus"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes a Server-Sent Events corpus of click events for the benchmarks."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("The file to write."));
    const QCommandLineOption eventsOption(QStringLiteral("events"),
                                          QStringLiteral("Number of click events (default %1).").arg(kDefaultEvents),
                                          QStringLiteral("N"), QString::number(kDefaultEvents));
    const QCommandLineOption seedOption(QStringLiteral("seed"), QStringLiteral("Random seed (default 1)."),
                                        QStringLiteral("S"), QStringLiteral("1"));
    parser.addOption(eventsOption);
    parser.addOption(seedOption);
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        std::fputs("clickscope-gencorpus: expected one OUT file (try --help)\n", stderr);
        return 2;
    }
    qint64 events = kDefaultEvents;
    qint64 seed = 1;
    Clickscope::OptionReader read(parser);
    read.wholeNumber(eventsOption, 0, Clickscope::OptionReader::kNoMax, events);
    read.wholeNumber(seedOption, 0, Clickscope::OptionReader::kNoMax, seed);
    if (const auto ok = read.result(); !ok) {
        std::fprintf(stderr, "clickscope-gencorpus: %s\n", qPrintable(ok.error()));
        return 2;
    }

    // QSaveFile: an interrupted run leaves no half corpus that run.sh would then reuse.
    QSaveFile file(positional.first());
    if (!file.open(QIODevice::WriteOnly)) {
        std::fprintf(stderr, "clickscope-gencorpus: cannot write '%s': %s\n", qPrintable(file.fileName()),
                     qPrintable(file.errorString()));
        return 1;
    }
    Stats stats;
    if (!generate(file, events, seed, stats) || !file.commit()) {
        std::fprintf(stderr, "clickscope-gencorpus: writing '%s' failed: %s\n", qPrintable(file.fileName()),
                     qPrintable(file.errorString()));
        return 1;
    }
    std::fprintf(stderr, "clickscope-gencorpus: %lld events, %lld bytes, JSON %zu..%zu bytes (mean %.0f)\n",
                 static_cast<long long>(events), static_cast<long long>(stats.bytes), events ? stats.minJson : 0,
                 stats.maxJson, events ? double(stats.totalJson) / double(events) : 0.0);
    return 0;
}

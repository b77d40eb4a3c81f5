// SPDX-License-Identifier: MIT
// clickscope-gencorpus OUT [--events N] [--seed S]
//
// Writes the SSE corpus the parser benchmarks run on: a `retry` line, then N click events with
// a `: ping` keep-alive comment every kPingEvery events. The clicks are the publisher's synthetic
// ones (TrafficGenerator: a few links take most clicks, a long tail takes the rest, with
// plausible countries, referrers, devices, browsers and user agents), so that line lengths are
// not uniform and branch predictors cannot learn the stream. Everything is fixed by the seed.
#include "common/syntheticclicks.h"
#include "core/options/optionreader.h"
#include "server/trafficgenerator.h"

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

namespace {

constexpr std::int64_t kDefaultEvents = 1'000'000;
constexpr std::int64_t kPingEvery = 1'000;
constexpr int kLinkCount = 20'000;
constexpr int kClicksPerDraw = 10'000;
constexpr std::int64_t kStartMs = 1'717'200'000'000;   // 2024-06-01T00:00:00Z
constexpr double kMeanGapMs = 5.0;                     // ~200 clicks/s
constexpr std::size_t kFlushBytes = 1 << 20;

// Gaps between clicks, exponential around kMeanGapMs. Only std::mt19937_64's raw output is
// specified bit-for-bit by the standard (the std::*_distribution classes are not), so the gap is
// computed here, and the corpus is the same for a seed on every platform.
class ClickClock
{
public:
    explicit ClickClock(std::uint64_t seed) : m_engine(seed) {}

    std::int64_t next()
    {
        const double uniform = double(m_engine() >> 11) * 0x1.0p-53;
        m_ms += -std::log1p(-uniform) * kMeanGapMs;
        return std::int64_t(m_ms);
    }

private:
    std::mt19937_64 m_engine;
    double m_ms = double(kStartMs);
};

void appendNumber(std::string &out, std::int64_t value)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr);
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
    Clickscope::TrafficGenerator::Settings settings;
    settings.links = kLinkCount;
    settings.seed = quint32(seed);
    Clickscope::TrafficGenerator traffic(settings);
    ClickClock clock(seed);

    CorpusWriter writer(file);
    std::string &out = writer.buffer();
    out.append("retry: 3000\n\n");

    for (std::int64_t id = 1; id <= events;) {
        const auto draw = int(std::min<std::int64_t>(kClicksPerDraw, events - id + 1));
        for (const QJsonObject &click : traffic.generate(draw)) {
            const QByteArray fields = Clickscope::Bench::openClickJson(click);
            out.append("id: ");
            appendNumber(out, id);
            out.append("\nevent: click\ndata: ");
            const std::size_t jsonStart = out.size();
            out.append("{\"ts\":");
            appendNumber(out, clock.next());
            out.append(",");
            out.append(fields.constData() + 1, std::size_t(fields.size() - 1));   // after its '{'
            out.append("}");
            const std::size_t jsonSize = out.size() - jsonStart;
            out.append("\n\n");

            stats.minJson = std::min(stats.minJson, jsonSize);
            stats.maxJson = std::max(stats.maxJson, jsonSize);
            stats.totalJson += std::int64_t(jsonSize);

            if (id % kPingEvery == 0)
                out.append(": ping\n\n");
            if (!writer.flushIfFull())
                return false;
            ++id;
        }
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
    const QCommandLineOption seedOption(QStringLiteral("seed"),
                                        QStringLiteral("Random seed, 0 to 4294967295 (default 1)."),
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
    read.wholeNumber(seedOption, 0, 0xFFFFFFFFLL, seed);
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

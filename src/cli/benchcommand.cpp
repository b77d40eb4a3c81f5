// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "core/options/optionreader.h"
#include "core/system/processstats.h"

#include "core/model/clickaggregator.h"
#include "core/record/replaysource.h"
#include "core/source/streamsource.h"
#include "core/sse/sseparser.h"
#include "core/xray/connectionlog.h"
#include "core/xray/diagnosis.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "bench";
constexpr qsizetype kChunkBytes = 64 * 1024;

// Parses the whole file, already in memory, in network-sized chunks; only parsing is timed. Each
// round parses it with the widest line scan the CPU has, then with the baseline one (SSE2). The
// batches share the file's buffer, as EventSource's share each read.
int benchParse(const QByteArray &corpus, int repeat)
{
    double best[2] = {0, 0};
    quint64 events = 0;
    for (int round = 0; round < repeat; ++round) {
        for (const SseParser::LineScan scan : {SseParser::LineScan::Widest, SseParser::LineScan::Baseline}) {
            SseParser parser({}, scan);
            QElapsedTimer timer;
            timer.start();
            for (qsizetype offset = 0; offset < corpus.size(); offset += kChunkBytes) {
                const SseBatch batch = parser.feed(corpus, offset, std::min(kChunkBytes, corpus.size() - offset));
                Q_UNUSED(batch);
            }
            const double seconds = double(timer.nsecsElapsed()) / 1e9;
            double &b = best[scan == SseParser::LineScan::Widest ? 0 : 1];
            if (round == 0 || seconds < b)
                b = seconds;
            events = parser.eventCount();
        }
    }
    std::printf("events=%llu bytes=%lld seconds=%.6f seconds_baseline=%.6f scan=%s\n",
                static_cast<unsigned long long>(events), static_cast<long long>(corpus.size()), best[0], best[1],
                SseParser().lineScanName());
    return kExitOk;
}

// Parses, decodes and aggregates the whole file `passes` times into one aggregator (so 20 passes
// over a million-click corpus are 20 million clicks), timing everything but the file read. Each
// pass is timed too: the first runs over pages the kernel has just filled, which this kind of VM
// makes several times slower for any program, so the best pass is the steady rate. With
// `withDom`, a second aggregator whose decoder reads every event with the full DOM parse takes
// its passes in turn with the first, so both rates come from the same minutes of a noisy machine.
int benchAggregate(const QByteArray &corpus, int passes, bool withDom)
{
    struct Run
    {
        explicit Run(ClickDecoder::JsonPath path) : aggregator(settingsFor(path)) {}
        static ClickAggregator::Settings settingsFor(ClickDecoder::JsonPath path)
        {
            ClickAggregator::Settings settings;
            settings.jsonPath = path;
            return settings;
        }
        // One pass over the corpus; answers its seconds.
        double pass(const QByteArray &corpus)
        {
            QElapsedTimer timer;
            timer.start();
            SseParser parser;
            for (qsizetype offset = 0; offset < corpus.size(); offset += kChunkBytes) {
                const SseBatch batch = parser.feed(corpus, offset, std::min(kChunkBytes, corpus.size() - offset));
                aggregator.addEvents(batch, QDateTime::currentMSecsSinceEpoch());
            }
            const double seconds = double(timer.nsecsElapsed()) / 1e9;
            if (passes++ == 0)
                first = best = seconds;
            best = std::min(best, seconds);
            return seconds;
        }
        ClickAggregator aggregator;
        int passes = 0;
        double first = 0;
        double best = 0;
    };

    Run flat(ClickDecoder::JsonPath::FlatFirst);
    std::unique_ptr<Run> dom = withDom ? std::make_unique<Run>(ClickDecoder::JsonPath::DomOnly) : nullptr;
    qint64 rssAfterFirst = 0;
    double seconds = 0;
    for (int pass = 0; pass < passes; ++pass) {
        seconds += flat.pass(corpus);
        if (pass == 0)
            rssAfterFirst = ProcessStats::residentBytes() / 1024;
        if (dom)
            dom->pass(corpus);
    }
    std::printf("events=%llu bytes=%lld seconds=%.6f seconds_first_pass=%.6f seconds_best_pass=%.6f clicks=%llu "
                "rss_first_pass_kb=%lld rss_last_pass_kb=%lld",
                static_cast<unsigned long long>(flat.aggregator.totals().events),
                static_cast<long long>(corpus.size()) * passes, seconds, flat.first, flat.best,
                static_cast<unsigned long long>(flat.aggregator.totals().clicks), rssAfterFirst,
                ProcessStats::residentBytes() / 1024);
    if (dom)
        std::printf(" seconds_best_pass_dom=%.6f", dom->best);
    std::printf("\n");
    return kExitOk;
}

// A stream source that plays a corpus held in memory as one connection, in network-sized reads,
// with the signals a real source gives: what the X-ray listens to, without a network's noise.
class CorpusReplay : public StreamSource
{
public:
    CorpusReplay() : StreamSource(SourceConfig{}) {}

    // Plays it all; returns the events delivered.
    quint64 play(const QByteArrayView corpus)
    {
        emit attemptStarted();
        HttpExchange answer;
        answer.status = 200;
        answer.responseHeaders = {{"Content-Type", "text/event-stream"}};
        emit exchangeRecorded(answer);
        markOpen();
        SseParser parser;
        quint64 comments = 0;
        for (qsizetype offset = 0; offset < corpus.size(); offset += kChunkBytes) {
            const QByteArrayView chunk = corpus.sliced(offset, std::min(kChunkBytes, corpus.size() - offset));
            countBytes(chunk.size());
            const SseBatch batch = parser.feed(chunk);
            if (parser.commentCount() != comments) {
                comments = parser.commentCount();
                emit commentsReceived(comments, QString());
            }
            if (!batch.isEmpty()) {
                countEvents(batch.size());
                emit eventsReceived(batch);
            }
        }
        stop(QStringLiteral("the corpus ended"));
        return parser.eventCount();
    }

protected:
    void connectNow() override {}
    void dropConnection() override {}
};

// What the connection X-ray costs the path from a read to its events: the corpus played through a
// source with a counter listening (as `listen --format count` does), with and without an X-ray
// (a ConnectionLog, and the findings looked for every 1,000 reads: more often than `inspect` or
// the window look, every 500 ms and every second),
// interleaved, the fastest of `repeat` rounds each.
int benchXray(const QByteArray &corpus, int repeat)
{
    double best[2] = {0, 0};
    quint64 events = 0;
    for (int round = 0; round < repeat; ++round) {
        for (const bool withXray : {false, true}) {
            CorpusReplay source;
            quint64 counted = 0;
            QObject::connect(&source, &StreamSource::eventsReceived,
                             [&counted](const SseBatch &batch) { counted += quint64(batch.size()); });
            std::unique_ptr<ConnectionLog> log;
            quint64 reads = 0;
            if (withXray) {
                log = std::make_unique<ConnectionLog>(source);
                QObject::connect(&source, &StreamSource::eventsReceived, [&] {
                    if (++reads % 1000 == 0)
                        diagnose(*log);
                });
            }
            QElapsedTimer timer;
            timer.start();
            events = source.play(corpus);
            const double seconds = double(timer.nsecsElapsed()) / 1e9;
            if (counted != events)
                return kExitStreamError;
            double &b = best[withXray ? 1 : 0];
            if (round == 0 || seconds < b)
                b = seconds;
        }
    }
    std::printf("events=%llu bytes=%lld seconds=%.6f seconds_xray=%.6f\n", static_cast<unsigned long long>(events),
                static_cast<long long>(corpus.size()), best[0], best[1]);
    return kExitOk;
}

// How closely a replay keeps the recorded pace: the recording FILE played at `speed` through
// ReplaySource, as the window and `replay` play it, and for each batch of events how late (or, if
// negative, early) it came against its recorded time divided by the speed. Prints the batches'
// median, 99th percentile and extremes in ms.
int benchPace(const QString &path, double speed)
{
    ReplaySource source(path, speed);
    QElapsedTimer clock;
    QObject::connect(&source, &StreamSource::attemptStarted, [&clock] {
        if (!clock.isValid())
            clock.start();   // the replay's clock starts as its first attempt is made
    });
    std::vector<double> lateMs;
    quint64 events = 0;
    QObject::connect(&source, &StreamSource::eventsReceived, [&](const SseBatch &batch) {
        events += quint64(batch.size());
        lateMs.push_back(double(clock.nsecsElapsed()) / 1e6 - double(source.positionNs()) / 1e6 / speed);
    });
    QEventLoop loop;
    QObject::connect(&source, &StreamSource::stateChanged, &loop, [&loop](StreamSource::State state) {
        if (state == StreamSource::State::Closed)
            loop.quit();
    });
    source.open();
    loop.exec();
    if (source.error() != StreamSource::Error::NoError) {
        std::fprintf(stderr, "error: %s\n", qPrintable(source.errorString()));
        return kExitStreamError;
    }
    if (lateMs.empty()) {
        std::fprintf(stderr, "error: %s holds no events\n", qPrintable(path));
        return kExitStreamError;
    }
    std::sort(lateMs.begin(), lateMs.end());
    const auto at = [&lateMs](double q) { return lateMs[std::size_t(q * double(lateMs.size() - 1))]; };
    std::printf("events=%llu batches=%zu speed=%g late_ms_p50=%.2f late_ms_p99=%.2f late_ms_max=%.2f "
                "early_ms_max=%.2f\n",
                static_cast<unsigned long long>(events), lateMs.size(), speed, at(0.5), at(0.99), lateMs.back(),
                std::max(0.0, -lateMs.front()));
    return kExitOk;
}

}   // namespace

int runBench(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures a hot path on a file held in memory and prints 'events=N bytes=B seconds=S'.\n"
        "Kinds: parse (the SSE parser, fed 64 KiB chunks, with the widest line scan the CPU has and the\n"
        "baseline one: also prints seconds_baseline and scan=avx2|sse2); aggregate (parse, decode and aggregate;\n"
        "--repeat N feeds the file N times into one aggregator and also prints resident memory\n"
        "after the first and the last pass; --dom also runs as many passes, in turn with those, with every\n"
        "event read by the full JSON parse, and prints seconds_best_pass_dom);\n"
        "xray (the file played as one stream's reads, counted,\n"
        "with and without the connection X-ray; also prints seconds_xray); pace (FILE is a recording,\n"
        "replayed at --speed: how late its events come against their recorded times, in ms)."));
    parser.addPositionalArgument(QStringLiteral("KIND"),
                                 QStringLiteral("What to measure: parse, aggregate, xray or pace."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The corpus."));
    const QCommandLineOption repeat(
        QStringLiteral("repeat"),
        QStringLiteral("parse, xray: runs N times, reports the fastest; aggregate: N passes (default 1)."),
        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("pace: N times the recorded pace (default 1)."), QStringLiteral("N"),
                                   QStringLiteral("1"));
    const QCommandLineOption dom(QStringLiteral("dom"),
                                 QStringLiteral("aggregate: also time passes that read every event with the full "
                                                "JSON parse, in turn with the others."));
    parser.addOptions({repeat, speed, dom});
    if (auto code = parseCommandLine(parser, arguments, kCommand,
                                     QStringLiteral("bench [options] parse|aggregate|xray|pace FILE")))
        return *code;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(kCommand, QStringLiteral("expected KIND and FILE, e.g. 'bench parse corpus.sse'"));
    const QString kind = positional.at(0);
    if (kind != u"parse" && kind != u"aggregate" && kind != u"xray" && kind != u"pace")
        return usageError(kCommand,
                          QStringLiteral("unknown kind '%1' (known: parse, aggregate, xray, pace)").arg(kind));
    int rounds = 1;
    double pace = 1;
    OptionReader read(parser);
    read.wholeNumber(repeat, 1, std::numeric_limits<int>::max(), rounds);
    read.number(speed, OptionReader::kMinPace, OptionReader::kMaxPace, pace);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kCommand, ok.error());
    if (kind == u"pace")
        return benchPace(positional.at(1), pace);
    QFile file(positional.at(1));
    if (!file.open(QIODevice::ReadOnly))
        return usageError(kCommand, QStringLiteral("cannot read '%1': %2").arg(file.fileName(), file.errorString()));
    const QByteArray corpus = file.readAll();
    if (kind == u"xray")
        return benchXray(corpus, rounds);
    return kind == u"parse" ? benchParse(corpus, rounds) : benchAggregate(corpus, rounds, parser.isSet(dom));
}

}   // namespace Clickscope::Cli

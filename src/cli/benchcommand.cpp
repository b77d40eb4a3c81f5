// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "core/options/optionreader.h"
#include "core/system/processstats.h"

#include "core/model/clickaggregator.h"
#include "core/sse/sseparser.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>

#include <cstdio>
#include <limits>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "bench";
constexpr qsizetype kChunkBytes = 64 * 1024;

// Parses the whole file, already in memory, in network-sized chunks; only parsing is timed.
int benchParse(const QByteArray &corpus, int repeat)
{
    double best = 0;
    quint64 events = 0;
    for (int round = 0; round < repeat; ++round) {
        SseParser parser;
        QList<SseEvent> batch;
        QElapsedTimer timer;
        timer.start();
        for (qsizetype offset = 0; offset < corpus.size(); offset += kChunkBytes) {
            parser.feed(QByteArrayView(corpus).sliced(offset, std::min(kChunkBytes, corpus.size() - offset)), batch);
            batch.clear();
        }
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        if (round == 0 || seconds < best)
            best = seconds;
        events = parser.eventCount();
    }
    std::printf("events=%llu bytes=%lld seconds=%.6f\n", static_cast<unsigned long long>(events),
                static_cast<long long>(corpus.size()), best);
    return kExitOk;
}

// Parses, decodes and aggregates the whole file `passes` times into one aggregator (so 20 passes
// over a million-click corpus are 20 million clicks), timing everything but the file read.
int benchAggregate(const QByteArray &corpus, int passes)
{
    ClickAggregator aggregator;
    QList<SseEvent> batch;
    qint64 rssAfterFirst = 0;
    QElapsedTimer timer;
    timer.start();
    for (int pass = 0; pass < passes; ++pass) {
        SseParser parser;
        for (qsizetype offset = 0; offset < corpus.size(); offset += kChunkBytes) {
            parser.feed(QByteArrayView(corpus).sliced(offset, std::min(kChunkBytes, corpus.size() - offset)), batch);
            aggregator.addEvents(batch, QDateTime::currentMSecsSinceEpoch());
            batch.clear();
        }
        if (pass == 0)
            rssAfterFirst = ProcessStats::residentBytes() / 1024;
    }
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    std::printf("events=%llu bytes=%lld seconds=%.6f clicks=%llu rss_first_pass_kb=%lld rss_last_pass_kb=%lld\n",
                static_cast<unsigned long long>(aggregator.totals().events),
                static_cast<long long>(corpus.size()) * passes, seconds,
                static_cast<unsigned long long>(aggregator.totals().clicks), rssAfterFirst,
                ProcessStats::residentBytes() / 1024);
    return kExitOk;
}

}   // namespace

int runBench(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures a hot path on a file held in memory and prints 'events=N bytes=B seconds=S'.\n"
                       "Kinds: parse (the SSE parser, fed 64 KiB chunks); aggregate (parse, decode and aggregate;\n"
                       "--repeat N feeds the file N times into one aggregator and also prints resident memory\n"
                       "after the first and the last pass)."));
    parser.addPositionalArgument(QStringLiteral("KIND"), QStringLiteral("What to measure: parse or aggregate."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The corpus."));
    const QCommandLineOption repeat(
        QStringLiteral("repeat"),
        QStringLiteral("parse: runs N times, reports the fastest; aggregate: N passes (default 1)."),
        QStringLiteral("N"), QStringLiteral("1"));
    parser.addOption(repeat);
    if (auto code =
            parseCommandLine(parser, arguments, kCommand, QStringLiteral("bench [options] parse|aggregate FILE")))
        return *code;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(kCommand, QStringLiteral("expected KIND and FILE, e.g. 'bench parse corpus.sse'"));
    if (positional.at(0) != u"parse" && positional.at(0) != u"aggregate")
        return usageError(kCommand,
                          QStringLiteral("unknown kind '%1' (known: parse, aggregate)").arg(positional.at(0)));
    int rounds = 1;
    OptionReader read(parser);
    read.wholeNumber(repeat, 1, std::numeric_limits<int>::max(), rounds);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kCommand, ok.error());
    QFile file(positional.at(1));
    if (!file.open(QIODevice::ReadOnly))
        return usageError(kCommand, QStringLiteral("cannot read '%1': %2").arg(file.fileName(), file.errorString()));
    const QByteArray corpus = file.readAll();
    return positional.at(0) == u"parse" ? benchParse(corpus, rounds) : benchAggregate(corpus, rounds);
}

}   // namespace Clickscope::Cli

// SPDX-License-Identifier: MIT
#include "commands.h"

#include "sse/sseparser.h"

#include <QElapsedTimer>
#include <QFile>

#include <cstdio>

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

} // namespace

int runBench(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures a hot path on a file held in memory and prints 'events=N bytes=B seconds=S'.\n"
        "Kinds: parse (the SSE parser, fed 64 KiB chunks)."));
    parser.addPositionalArgument(QStringLiteral("KIND"), QStringLiteral("What to measure: parse."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The corpus."));
    const QCommandLineOption repeat(QStringLiteral("repeat"),
                                    QStringLiteral("Runs N times and reports the fastest (default 1)."),
                                    QStringLiteral("N"), QStringLiteral("1"));
    parser.addOption(repeat);
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("bench [options] parse FILE")))
        return *code;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(kCommand, QStringLiteral("expected KIND and FILE, e.g. 'bench parse corpus.sse'"));
    if (positional.at(0) != u"parse")
        return usageError(kCommand, QStringLiteral("unknown kind '%1' (known: parse)").arg(positional.at(0)));
    bool ok = false;
    const int rounds = parser.value(repeat).toInt(&ok);
    if (!ok || rounds < 1)
        return usageError(kCommand, QStringLiteral("--repeat needs a positive whole number, not '%1'")
                                        .arg(parser.value(repeat)));
    QFile file(positional.at(1));
    if (!file.open(QIODevice::ReadOnly))
        return usageError(kCommand, QStringLiteral("cannot read '%1': %2").arg(file.fileName(), file.errorString()));
    return benchParse(file.readAll(), rounds);
}

} // namespace Clickscope::Cli

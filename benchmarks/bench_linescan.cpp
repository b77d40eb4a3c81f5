// SPDX-License-Identifier: MIT
// clickscope-bench-linescan FILE [--repeat N]
//
// The ceiling for any SSE parser on this machine: finding every line end with memchr and doing
// nothing else. It reads the file the way `clickscope-cli bench parse` does (whole file in memory,
// 64 KiB chunks, best of N) so that the two figures are comparable, and prints
// `lines=N bytes=B seconds=S`.
#include "core/options/optionreader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

namespace {

constexpr qsizetype kChunkBytes = 64 * 1024;

// Counts '\n' bytes chunk by chunk. A line split across chunks is counted once, in the chunk
// holding its terminator, as a parser would do.
quint64 countLines(const QByteArray &corpus)
{
    quint64 lines = 0;
    const char *const data = corpus.constData();
    for (qsizetype offset = 0; offset < corpus.size(); offset += kChunkBytes) {
        const char *p = data + offset;
        const char *const end = p + std::min(kChunkBytes, corpus.size() - offset);
        while (const void *hit = std::memchr(p, '\n', std::size_t(end - p))) {
            ++lines;
            p = static_cast<const char *>(hit) + 1;
        }
    }
    return lines;
}

}   // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clickscope-bench-linescan"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Times a bare memchr('\\n') scan of FILE, held in memory, in 64 "
                                                    "KiB chunks; prints 'lines=N bytes=B seconds=S'."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The corpus."));
    const QCommandLineOption repeat(QStringLiteral("repeat"),
                                    QStringLiteral("Runs N times and reports the fastest (default 5)."),
                                    QStringLiteral("N"), QStringLiteral("5"));
    parser.addOption(repeat);
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    int rounds = 5;
    Clickscope::OptionReader read(parser);
    read.wholeNumber(repeat, 1, std::numeric_limits<int>::max(), rounds);
    if (const auto ok = read.result(); positional.size() != 1 || !ok) {
        std::fprintf(stderr, "clickscope-bench-linescan: %s (try --help)\n",
                     ok ? "expected one FILE" : qPrintable(ok.error()));
        return 2;
    }
    QFile file(positional.first());
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "clickscope-bench-linescan: cannot read '%s': %s\n", qPrintable(file.fileName()),
                     qPrintable(file.errorString()));
        return 1;
    }
    const QByteArray corpus = file.readAll();

    double best = 0;
    quint64 lines = 0;
    for (int round = 0; round < rounds; ++round) {
        QElapsedTimer timer;
        timer.start();
        lines = countLines(corpus);
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        if (round == 0 || seconds < best)
            best = seconds;
    }
    std::printf("lines=%llu bytes=%lld seconds=%.6f\n", static_cast<unsigned long long>(lines),
                static_cast<long long>(corpus.size()), best);
    return 0;
}

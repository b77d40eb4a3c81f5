// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "core/options/optionreader.h"
#include "core/record/harimport.h"

#include <cstdio>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "import";

}   // namespace

int runImport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Turns a stream saved in a HAR file (a browser's network panel: Save all as HAR) into a recording that\n"
        "replay, watch, serve --replay and the window play: a WebSocket's received messages with their times, or\n"
        "an event-stream response (its events with their times when the browser kept them, else spread evenly\n"
        "over the response, as the summary says). Exit codes: 0 imported; 1 the HAR holds no stream to import or\n"
        "cannot be read; 2 a usage error."));
    parser.addPositionalArgument(QStringLiteral("HAR"), QStringLiteral("The HAR file."));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("The recording to write."), QStringLiteral("FILE"));
    const QCommandLineOption entry(QStringLiteral("entry"),
                                   QStringLiteral("Which entry of the HAR, from 1, when it holds several streams."),
                                   QStringLiteral("N"));
    parser.addOptions({output, entry});
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("import [options] HAR -o FILE")))
        return *code;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(kCommand, QStringLiteral("expected one HAR file"));
    if (!parser.isSet(output))
        return usageError(kCommand, QStringLiteral("-o FILE names the recording to write"));
    qsizetype chosen = 0;
    OptionReader read(parser);
    read.wholeNumber(entry, 1, OptionReader::kNoMax, chosen);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kCommand, ok.error());

    const Result<HarImportSummary> imported = HarImport::toRecording(positional.first(), parser.value(output), chosen);
    if (!imported) {
        std::fprintf(stderr, "error: %s\n", qPrintable(imported.error()));
        return kExitStreamError;
    }
    std::fprintf(stderr, "imported entry %lld (%s, %s): %lld %s into %s\n", qlonglong(imported->entry),
                 qPrintable(imported->url), qPrintable(imported->transport), qlonglong(imported->messages),
                 imported->transport == u"websocket" ? "messages" : "events", qPrintable(parser.value(output)));
    for (const QString &note : imported->notes)
        std::fprintf(stderr, "  note: %s\n", qPrintable(note));
    return kExitOk;
}

}   // namespace Clickscope::Cli

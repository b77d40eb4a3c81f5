// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/connectionflags.h"
#include "cli/eventwriter.h"
#include "cli/streamsession.h"
#include "core/options/optionreader.h"

#include <limits>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "listen";

}   // namespace

int runListen(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Reads a Server-Sent Events stream (http/https) or WebSocket frames (ws/wss) and prints\n"
                       "each event as it is dispatched; a frame is printed as an event of type \"message\".\n"
                       "Exit codes: 0 the stream ended normally (max events, timeout, HTTP 204, end marker,\n"
                       "the server closed it with --no-reconnect, SIGINT/SIGTERM); 1 a fatal stream error;\n"
                       "2 a usage error."));
    const ConnectionFlags connection;
    connection.addTo(parser);
    const QCommandLineOption maxEvents(QStringLiteral("max-events"), QStringLiteral("Stops after N events."),
                                       QStringLiteral("N"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("jsonl (default): {\"type\",\"data\",\"lastEventId\"} per line; "
                                                   "raw: the data per line; count: the number of events at the end."),
                                    QStringLiteral("F"), QStringLiteral("jsonl"));
    parser.addOptions({maxEvents, format});
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("listen [options] URL")))
        return *code;

    SourceConfig config;
    if (const Result<void> ok = connection.read(parser, config); !ok)
        return usageError(kCommand, ok.error());
    qint64 limit = std::numeric_limits<qint64>::max();
    OptionReader read(parser);
    read.wholeNumber(maxEvents, 1, OptionReader::kNoMax, limit);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kCommand, ok.error());
    EventWriter::Format outputFormat;
    if (const QString f = parser.value(format); f == u"jsonl")
        outputFormat = EventWriter::Format::Jsonl;
    else if (f == u"raw")
        outputFormat = EventWriter::Format::Raw;
    else if (f == u"count")
        outputFormat = EventWriter::Format::Count;
    else
        return usageError(kCommand, QStringLiteral("--format must be jsonl, raw or count, not '%1'").arg(f));

    StreamSession session(config, connection.timeoutSeconds(parser));
    EventWriter writer(outputFormat, stdout);
    QObject::connect(&session.source(), &StreamSource::eventsReceived, &session, [&](const QList<SseEvent> &events) {
        if (!writer.write(events, limit - qint64(writer.written()))) {
            StreamSession::logLine(QStringLiteral("error: cannot write to standard output"));
            session.finish(kExitStreamError);
        } else if (qint64(writer.written()) >= limit) {
            session.finish(kExitOk);
        }
    });
    QObject::connect(&session, &StreamSession::finishing, &session, [&] {
        if (!writer.finish())
            session.markOutputFailed();
    });
    return session.run();
}

}   // namespace Clickscope::Cli

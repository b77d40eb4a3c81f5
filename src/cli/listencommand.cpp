// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/connectionflags.h"
#include "cli/eventwriter.h"
#include "cli/streamsession.h"
#include "cli/xrayprinter.h"
#include "core/options/optionreader.h"

#include <QFile>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

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
    const QCommandLineOption xray(QStringLiteral("xray"),
                                  QStringLiteral("Also writes the connection X-ray to FILE, as `inspect` prints it."),
                                  QStringLiteral("FILE"));
    parser.addOptions({maxEvents, format, xray});
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

    // Opened before the stream, so that a path that cannot be written is a usage error.
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> xrayFile(nullptr, &std::fclose);
    if (parser.isSet(xray)) {
        xrayFile.reset(std::fopen(QFile::encodeName(parser.value(xray)).constData(), "w"));
        if (!xrayFile)
            return usageError(kCommand, QStringLiteral("--xray: cannot write '%1': %2")
                                            .arg(parser.value(xray), QString::fromLocal8Bit(std::strerror(errno))));
    }

    StreamSession session(config, connection.timeoutSeconds(parser));
    std::unique_ptr<XrayPrinter> xrayPrinter;
    if (xrayFile)
        xrayPrinter = std::make_unique<XrayPrinter>(session.source(), xrayFile.get());
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
        if (xrayPrinter) {
            xrayPrinter->printSummary();
            if (!xrayPrinter->ok()) {
                StreamSession::logLine(QStringLiteral("error: cannot write the X-ray to '%1'").arg(parser.value(xray)));
                session.markOutputFailed();
            }
        }
    });
    return session.run();
}

}   // namespace Clickscope::Cli

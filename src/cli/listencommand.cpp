// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/connectionflags.h"
#include "cli/eventwriter.h"
#include "cli/streamsession.h"
#include "cli/xrayprinter.h"
#include "core/options/optionreader.h"
#include "core/record/replaysource.h"

#include <QFile>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "listen";
constexpr auto kReplayCommand = "replay";

QCommandLineOption formatOption()
{
    return {QStringLiteral("format"),
            QStringLiteral("jsonl (default): {\"type\",\"data\",\"lastEventId\"} per line; "
                           "raw: the data per line; count: the number of events at the end."),
            QStringLiteral("F"), QStringLiteral("jsonl")};
}

Result<EventWriter::Format> readFormat(const QString &f)
{
    if (f == u"jsonl")
        return EventWriter::Format::Jsonl;
    if (f == u"raw")
        return EventWriter::Format::Raw;
    if (f == u"count")
        return EventWriter::Format::Count;
    return unexpected(QStringLiteral("--format must be jsonl, raw or count, not '%1'").arg(f));
}

// Prints the session's events in `format`, at most `limit` of them, then runs it.
int printEvents(StreamSession &session, EventWriter::Format format, qint64 limit,
                const std::function<void()> &atFinish = {})
{
    EventWriter writer(format, stdout);
    QObject::connect(&session.source(), &StreamSource::eventsReceived, &session, [&](const SseBatch &events) {
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
        if (atFinish)
            atFinish();
    });
    return session.run();
}

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
    const QCommandLineOption format = formatOption();
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
    const Result<EventWriter::Format> outputFormat = readFormat(parser.value(format));
    if (!outputFormat)
        return usageError(kCommand, outputFormat.error());

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
    return printEvents(session, *outputFormat, limit, [&] {
        if (xrayPrinter) {
            xrayPrinter->printSummary();
            if (!xrayPrinter->ok()) {
                StreamSession::logLine(QStringLiteral("error: cannot write the X-ray to '%1'").arg(parser.value(xray)));
                session.markOutputFailed();
            }
        }
    });
}

int runReplay(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Plays a recording made by `record` and prints its events as `listen` prints a live stream's:\n"
                       "the recorded bytes go through the same parser, at the recorded pace times --speed.\n"
                       "Exit codes: 0 the recording played to its end; 1 it is damaged (what came before the\n"
                       "damage is printed) or cannot be read; 2 a usage error."));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("N times the recorded pace, or max: as fast as possible (default)."),
                                   QStringLiteral("N|max"), QStringLiteral("max"));
    const QCommandLineOption maxEvents(QStringLiteral("max-events"), QStringLiteral("Stops after N events."),
                                       QStringLiteral("N"));
    const QCommandLineOption format = formatOption();
    parser.addOptions({speed, maxEvents, format});
    if (auto code = parseCommandLine(parser, arguments, kReplayCommand, QStringLiteral("replay [options] FILE")))
        return *code;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(kReplayCommand, QStringLiteral("expected one recording FILE"));
    double pace = 0;
    qint64 limit = std::numeric_limits<qint64>::max();
    OptionReader read(parser);
    read.pace(speed, pace);
    read.wholeNumber(maxEvents, 1, OptionReader::kNoMax, limit);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kReplayCommand, ok.error());
    const Result<EventWriter::Format> outputFormat = readFormat(parser.value(format));
    if (!outputFormat)
        return usageError(kReplayCommand, outputFormat.error());
    StreamSession session(std::make_unique<ReplaySource>(positional.first(), pace), std::nullopt);
    return printEvents(session, *outputFormat, limit);
}

}   // namespace Clickscope::Cli

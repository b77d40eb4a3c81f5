// SPDX-License-Identifier: MIT
#include "commands.h"
#include "eventwriter.h"
#include "signalwatcher.h"

#include "source/sourcefactory.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QTimer>

#include <cstdio>
#include <limits>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "listen";

struct ListenOptions
{
    SourceConfig config;
    EventWriter::Format format = EventWriter::Format::Jsonl;
    qint64 maxEvents = std::numeric_limits<qint64>::max();
    std::optional<double> timeoutSeconds;
};

void logLine(const QString &line)
{
    std::fprintf(stderr, "%s\n", qPrintable(line));
    std::fflush(stderr);
}

// Fills `options` from the command line; returns an exit code when listen must not run.
std::optional<int> parseListenOptions(const QStringList &arguments, ListenOptions &options)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Reads a Server-Sent Events stream (http/https) or WebSocket frames (ws/wss) and prints\n"
        "each event as it is dispatched; a frame is printed as an event of type \"message\".\n"
        "Exit codes: 0 the stream ended normally (max events, timeout, HTTP 204, end marker,\n"
        "the server closed it with --no-reconnect, SIGINT/SIGTERM); 1 a fatal stream error;\n"
        "2 a usage error."));
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("The stream: http(s):// for SSE, ws(s):// for WebSocket."));
    const QCommandLineOption header({QStringLiteral("H"), QStringLiteral("header")},
                                    QStringLiteral("Adds a request header, e.g. 'Authorization: Bearer T'."),
                                    QStringLiteral("K: V"));
    const QCommandLineOption method({QStringLiteral("X"), QStringLiteral("method")},
                                    QStringLiteral("Request method (default GET, or POST with --data)."),
                                    QStringLiteral("M"));
    const QCommandLineOption data({QStringLiteral("d"), QStringLiteral("data")},
                                  QStringLiteral("Request body, sent on every (re)connection."), QStringLiteral("BODY"));
    const QCommandLineOption lastEventId(QStringLiteral("last-event-id"),
                                         QStringLiteral("Sends Last-Event-ID from the first request on."),
                                         QStringLiteral("ID"));
    const QCommandLineOption maxEvents(QStringLiteral("max-events"),
                                       QStringLiteral("Stops after N events."), QStringLiteral("N"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Stops after S seconds."), QStringLiteral("S"));
    const QCommandLineOption idleTimeout(QStringLiteral("idle-timeout"),
                                         QStringLiteral("Reconnects when no byte arrived for S seconds."),
                                         QStringLiteral("S"));
    const QCommandLineOption retry(QStringLiteral("retry"),
                                   QStringLiteral("Reconnection delay until the server sends one (default 3)."),
                                   QStringLiteral("S"));
    const QCommandLineOption noReconnect(QStringLiteral("no-reconnect"),
                                         QStringLiteral("Stops when the stream ends or fails instead of reconnecting."));
    const QCommandLineOption doneMarker(QStringLiteral("done-marker"),
                                        QStringLiteral("Ends cleanly on an event whose data is [DONE]."));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("jsonl (default): {\"type\",\"data\",\"lastEventId\"} per line; "
                                                   "raw: the data per line; count: the number of events at the end."),
                                    QStringLiteral("F"), QStringLiteral("jsonl"));
    parser.addOptions({header, method, data, lastEventId, maxEvents, timeout, idleTimeout, retry, noReconnect,
                       doneMarker, format});
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("listen [options] URL")))
        return code;

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return usageError(kCommand, QStringLiteral("missing URL"));
    if (positional.size() > 1)
        return usageError(kCommand, QStringLiteral("unexpected argument '%1'").arg(positional.at(1)));

    SourceConfig &config = options.config;
    config.url = QUrl(positional.first(), QUrl::StrictMode);
    if (const QString problem = validateStreamUrl(config.url); !problem.isEmpty())
        return usageError(kCommand, problem);

    for (const QString &line : parser.values(header)) {
        QString error;
        const auto parsed = parseHeaderLine(line, &error);
        if (!parsed)
            return usageError(kCommand, QStringLiteral("--header: ") + error);
        config.headers.append(*parsed);
    }
    const bool webSocket = config.url.scheme().toLower().startsWith(u"ws");
    for (const QCommandLineOption &httpOnly : {data, method, lastEventId}) {
        if (webSocket && parser.isSet(httpOnly))
            return usageError(kCommand, QStringLiteral("--%1 applies to http(s) streams, not to WebSocket URLs")
                                            .arg(httpOnly.names().constLast()));
    }
    if (parser.isSet(data))
        config.body = parser.value(data).toUtf8();
    if (parser.isSet(method)) {
        const QString m = parser.value(method);
        static const QRegularExpression kToken(QStringLiteral("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"));
        if (!kToken.match(m).hasMatch())
            return usageError(kCommand, QStringLiteral("--method '%1' is not an HTTP method").arg(m));
        config.method = m.toLatin1();
    } else if (parser.isSet(data)) {
        config.method = "POST";
    }
    if (parser.isSet(lastEventId))
        config.lastEventId = parser.value(lastEventId).toUtf8();
    config.reconnect = !parser.isSet(noReconnect);
    if (parser.isSet(doneMarker))
        config.doneMarker = QByteArray("[DONE]");

    QString error;
    if (parser.isSet(maxEvents)) {
        bool ok = false;
        options.maxEvents = parser.value(maxEvents).toLongLong(&ok);
        if (!ok || options.maxEvents <= 0)
            return usageError(kCommand, QStringLiteral("--max-events needs a positive whole number, not '%1'")
                                            .arg(parser.value(maxEvents)));
    }
    options.timeoutSeconds = positiveNumber(parser, timeout.names().constFirst(), &error);
    const auto idle = positiveNumber(parser, idleTimeout.names().constFirst(), &error);
    const auto retrySeconds = positiveNumber(parser, retry.names().constFirst(), &error);
    if (!error.isEmpty())
        return usageError(kCommand, error);
    if (idle)
        config.idleTimeoutMs = int(std::min(*idle * 1000.0, double(std::numeric_limits<int>::max())));
    if (retrySeconds)
        config.defaultRetryMs = int(std::min(*retrySeconds * 1000.0, double(std::numeric_limits<int>::max())));

    const QString f = parser.value(format);
    if (f == u"jsonl")
        options.format = EventWriter::Format::Jsonl;
    else if (f == u"raw")
        options.format = EventWriter::Format::Raw;
    else if (f == u"count")
        options.format = EventWriter::Format::Count;
    else
        return usageError(kCommand, QStringLiteral("--format must be jsonl, raw or count, not '%1'").arg(f));
    return std::nullopt;
}

} // namespace

int runListen(const QStringList &arguments)
{
    ListenOptions options;
    if (auto code = parseListenOptions(arguments, options))
        return *code;

    const std::unique_ptr<StreamSource> created = createSource(options.config);
    StreamSource &source = *created;
    EventWriter writer(options.format, stdout);
    SignalWatcher signalWatcher;
    QTimer deadline;
    int exitCode = -1;

    const auto finish = [&](int code) {
        if (exitCode >= 0)
            return;
        exitCode = code;
        source.close();
        if (!writer.finish() && exitCode == kExitOk)
            exitCode = kExitStreamError;
        QCoreApplication::exit(exitCode);
    };

    QObject::connect(&source, &StreamSource::eventsReceived, &source, [&](const QList<SseEvent> &events) {
        const qint64 remaining = options.maxEvents - qint64(writer.written());
        if (!writer.write(events, remaining)) {
            logLine(QStringLiteral("error: cannot write to standard output"));
            finish(kExitStreamError);
        } else if (qint64(writer.written()) >= options.maxEvents) {
            finish(kExitOk);
        }
    });
    QObject::connect(&source, &StreamSource::stateChanged, &source, [&](StreamSource::State state) {
        switch (state) {
        case StreamSource::State::Connecting:
            logLine(QStringLiteral("connecting to %1").arg(options.config.url.toString()));
            break;
        case StreamSource::State::Open:
            logLine(QStringLiteral("open"));
            break;
        case StreamSource::State::Closed:
            if (exitCode < 0) {
                logLine(QStringLiteral("closed"));
                finish(source.error() == StreamSource::Error::NoError ? kExitOk : kExitStreamError);
            }
            break;
        }
    });
    QObject::connect(&source, &StreamSource::failed, &source,
                     [](StreamSource::Error, const QString &message) { logLine(QStringLiteral("error: ") + message); });
    QObject::connect(&source, &StreamSource::reconnectScheduled, &source, [](qint64 delayMs, const QString &reason) {
        logLine(QStringLiteral("reconnecting in %1 ms: %2").arg(delayMs).arg(reason));
    });
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &source, [&](int signalNumber) {
        logLine(QStringLiteral("stopped by signal %1").arg(signalNumber));
        finish(kExitOk);
    });
    if (options.timeoutSeconds) {
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, &source, [&] { finish(kExitOk); });
        deadline.start(int(std::min(*options.timeoutSeconds * 1000.0, double(std::numeric_limits<int>::max()))));
    }

    source.open();
    const int code = QCoreApplication::exec();
    return exitCode >= 0 ? exitCode : code;
}

} // namespace Clickscope::Cli

// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/connectionflags.h"
#include "cli/streamsession.h"
#include "core/options/optionreader.h"
#include "core/record/streamrecorder.h"

#include <QLocale>
#include <QTimer>

#include <limits>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "record";
constexpr int kProgressEveryMs = 1000;

QString progressLine(const StreamRecorder &recorder, const StreamSource &source)
{
    const QLocale c = QLocale::c();
    return QStringLiteral("recorded %1 events, %2 received, %3 written, %4 s")
        .arg(source.totalEvents())
        .arg(c.formattedDataSize(qint64(source.totalBytes()), 1, QLocale::DataSizeSIFormat),
             c.formattedDataSize(recorder.fileBytes(), 1, QLocale::DataSizeSIFormat))
        .arg(double(recorder.elapsedMs()) / 1000.0, 0, 'f', 1);
}

}   // namespace

int runRecord(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Records a stream into FILE as it arrives: the raw bytes of every read (or every WebSocket message) with\n"
        "its time, and the connection attempts, response heads and ends around them (secrets masked), compressed.\n"
        "`replay FILE` plays it back. Progress goes to stderr every second, a summary at the end; Ctrl+C ends it\n"
        "with a complete file. Exit codes: 0 recorded to the end (duration, size, the stream's end, Ctrl+C);\n"
        "1 the stream or the file failed (what was recorded before stays readable); 2 a usage error."));
    ConnectionFlags connection;
    connection.addTo(parser);
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("The recording to write (replaced if it exists)."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption duration(QStringLiteral("duration"), QStringLiteral("Stops after S seconds."),
                                      QStringLiteral("S"));
    const QCommandLineOption maxBytes(QStringLiteral("max-bytes"),
                                      QStringLiteral("Stops once N bytes of the stream are recorded."),
                                      QStringLiteral("N"));
    parser.addOptions({output, duration, maxBytes});
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("record [options] URL -o FILE")))
        return *code;
    SourceConfig config;
    if (const Result<void> ok = connection.read(parser, config); !ok)
        return usageError(kCommand, ok.error());
    if (!parser.isSet(output) || parser.value(output).isEmpty())
        return usageError(kCommand, QStringLiteral("-o FILE is required: where the recording goes"));
    qint64 byteLimit = std::numeric_limits<qint64>::max();
    OptionReader read(parser);
    std::optional<double> seconds = read.positiveNumber(duration);
    read.wholeNumber(maxBytes, 1, OptionReader::kNoMax, byteLimit);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kCommand, ok.error());
    if (const std::optional<double> timeout = connection.timeoutSeconds(parser); timeout)
        seconds = seconds ? std::min(*seconds, *timeout) : *timeout;

    StreamSession session(config, seconds);
    StreamRecorder recorder(session.source());
    if (const Result<void> ok = recorder.start(parser.value(output)); !ok)
        return usageError(kCommand, ok.error());
    QObject::connect(&recorder, &StreamRecorder::failed, &session, [&](const QString &message) {
        StreamSession::logLine(QStringLiteral("error: the recording stopped: %1").arg(message));
        session.finish(kExitStreamError);
    });
    QObject::connect(&session.source(), &StreamSource::rawReceived, &session, [&] {
        if (qint64(session.source().totalBytes()) >= byteLimit)
            session.finish(kExitOk);
    });
    QTimer progress;
    QObject::connect(&progress, &QTimer::timeout, &session,
                     [&] { StreamSession::logLine(progressLine(recorder, session.source())); });
    progress.start(kProgressEveryMs);
    QObject::connect(&session, &StreamSession::finishing, &session, [&] {
        progress.stop();
        if (const Result<void> closed = recorder.stop(); !closed) {
            StreamSession::logLine(QStringLiteral("error: %1").arg(closed.error()));
            session.markOutputFailed();
        }
        StreamSession::logLine(progressLine(recorder, session.source())
                               + QStringLiteral(" into %1").arg(parser.value(output)));
    });
    return session.run();
}

}   // namespace Clickscope::Cli

// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/connectionflags.h"
#include "cli/streamsession.h"
#include "core/xray/connectionlog.h"
#include "core/xray/diagnosis.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTimer>

#include <cstdio>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "inspect";
// How often findings that need no new data (a silence) are looked for.
constexpr int kDiagnoseEveryMs = 500;

bool printLine(QJsonObject line, const char *kind)
{
    line.insert(QStringLiteral("event"), QLatin1String(kind));
    const QByteArray out = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    return std::fwrite(out.constData(), 1, size_t(out.size()), stdout) == size_t(out.size())
           && std::fflush(stdout) == 0;
}

}   // namespace

int runInspect(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Shows how a stream is delivered, as it happens: one JSON line per connection attempt, per response head\n"
        "(status, the headers that matter for streaming, time to the head; secrets masked) and per attempt's end\n"
        "(events, comments, heartbeat intervals, longest silence, why it ended, the wait before the next one), one\n"
        "per finding when it first shows (buffering, missing heartbeats, reconnect storms, replays, auth failures,\n"
        "wrong content type, redirects to another origin; each with its evidence), then a summary."));
    ConnectionFlags connection;
    connection.addTo(parser);
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("inspect [options] URL")))
        return *code;
    SourceConfig config;
    if (const Result<void> ok = connection.read(parser, config); !ok)
        return usageError(kCommand, ok.error());

    StreamSession session(config, connection.timeoutSeconds(parser));
    StreamSource &source = session.source();
    ConnectionLog log(source);
    bool written = true;
    QObject::connect(&log, &ConnectionLog::attemptStarted, &session, [&](const ConnectionAttempt &attempt) {
        written = written
                  && printLine({{QStringLiteral("attempt"), qint64(attempt.number)},
                                {QStringLiteral("startedMs"), attempt.startedMs}},
                               "attempt");
    });
    QObject::connect(&log, &ConnectionLog::exchangeAdded, &session,
                     [&](const ConnectionAttempt &attempt, const HttpExchange &exchange) {
                         QJsonObject line = exchange.toJson();
                         line.insert(QStringLiteral("attempt"), qint64(attempt.number));
                         written = written && printLine(line, "response");
                     });
    QObject::connect(&log, &ConnectionLog::attemptEnded, &session, [&](const ConnectionAttempt &attempt) {
        QJsonObject line = attempt.toJson();
        line.remove(QStringLiteral("exchanges"));   // already shown as they came
        written = written && printLine(line, "end");
    });
    // A finding is printed when it first shows, and again when it comes back after it had passed.
    QMap<Finding::Kind, bool> shown;   // kind → ongoing when last printed
    const auto diagnoseNow = [&] {
        const QList<Finding> findings = diagnose(log);
        // One that passed entirely is printed again when it comes back.
        shown.removeIf([&findings](const auto &entry) { return !hasFinding(findings, entry.key()); });
        for (const Finding &finding : findings) {
            const auto it = shown.constFind(finding.kind);
            if (it != shown.cend() && (*it || !finding.ongoing)) {
                shown[finding.kind] = finding.ongoing;
                continue;
            }
            shown[finding.kind] = finding.ongoing;
            written = written && printLine(finding.toJson(), "finding");
        }
    };
    QObject::connect(&log, &ConnectionLog::exchangeAdded, &session, diagnoseNow);
    QObject::connect(&log, &ConnectionLog::attemptEnded, &session, diagnoseNow);
    QTimer diagnosing;
    QObject::connect(&diagnosing, &QTimer::timeout, &session, diagnoseNow);
    diagnosing.start(kDiagnoseEveryMs);
    QObject::connect(&session, &StreamSession::finishing, &session, [&] {
        diagnoseNow();
        QJsonObject summary{{QStringLiteral("attempts"), qint64(log.attemptCount())},
                            {QStringLiteral("events"), qint64(source.totalEvents())},
                            {QStringLiteral("bytes"), qint64(source.totalBytes())},
                            {QStringLiteral("reconnects"), qint64(source.reconnectCount())}};
        if (log.lastStatus())
            summary.insert(QStringLiteral("lastStatus"), *log.lastStatus());
        QJsonArray findings;
        for (const Finding &finding : diagnose(log))
            findings.append(finding.toJson());
        summary.insert(QStringLiteral("findings"), findings);
        if (!printLine(summary, "summary") || !written)
            session.markOutputFailed();
    });
    return session.run();
}

}   // namespace Clickscope::Cli

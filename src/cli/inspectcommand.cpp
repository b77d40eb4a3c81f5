// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/connectionflags.h"
#include "cli/streamsession.h"
#include "cli/xrayprinter.h"

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "inspect";

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
    XrayPrinter printer(session.source(), stdout);
    QObject::connect(&session, &StreamSession::finishing, &session, [&] {
        printer.printSummary();
        if (!printer.ok())
            session.markOutputFailed();
    });
    return session.run();
}

}   // namespace Clickscope::Cli

// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/signalwatcher.h"

#include "core/nats/natstarget.h"
#include "core/options/optionreader.h"
#include "core/record/recordingtimeline.h"
#include "core/source/sourceconfig.h"
#include "server/syntheticpublisher.h"

#include <QCoreApplication>
#include <QTimer>
#include <QUrlQuery>

#include <cstdio>
#include <utility>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "serve";

QCommandLineOption option(const char *name, const QString &description, const char *valueName = nullptr,
                          const char *defaultValue = nullptr)
{
    return QCommandLineOption(QString::fromLatin1(name), description,
                              valueName ? QString::fromLatin1(valueName) : QString(),
                              defaultValue ? QString::fromLatin1(defaultValue) : QString());
}

// The options of `serve`, declared once for parsing and for reading.
struct ServeOptions
{
    const GuardedTcpServer::Limits limits;
    const QCommandLineOption port =
        option("port", QStringLiteral("Port (default 8080; 0 picks a free one)."), "P", "8080");
    const QCommandLineOption bind =
        option("bind", QStringLiteral("Address to listen on (default 127.0.0.1)."), "ADDR", "127.0.0.1");
    const QCommandLineOption rate = option("rate", QStringLiteral("Synthetic clicks per second (0 = off)."), "R", "0");
    const QCommandLineOption links =
        option("links", QStringLiteral("Distinct synthetic links (default 50)."), "N", "50");
    const QCommandLineOption seed = option("seed", QStringLiteral("Seed of the synthetic traffic."), "S", "1");
    const QCommandLineOption noWobble = option("no-wobble", QStringLiteral("Keep the synthetic rate flat."));
    const QCommandLineOption token =
        option("token", QStringLiteral("Publishing needs 'Authorization: Bearer T'."), "T");
    const QCommandLineOption readToken =
        option("read-token", QStringLiteral("Reading the streams needs the token too."));
    const QCommandLineOption history =
        option("history", QStringLiteral("Clicks kept for resuming (default 10000)."), "N");
    const QCommandLineOption heartbeat =
        option("heartbeat", QStringLiteral("Seconds between ': ping' comments (default 15)."), "S");
    const QCommandLineOption maxConnections =
        option("max-connections", QStringLiteral("Open streams allowed; more get 503 (default 10000)."), "N");
    const QCommandLineOption headTimeout = option(
        "head-timeout",
        QStringLiteral("Seconds a request head may take; then 408 (default %1).").arg(limits.headTimeoutMs / 1000),
        "S");
    const QCommandLineOption bodyTimeout =
        option("body-timeout",
               QStringLiteral("Seconds a request body may take after its head; then 408 (default %1).")
                   .arg(limits.bodyTimeoutMs / 1000),
               "S");
    const QCommandLineOption idleTimeout =
        option("idle-timeout",
               QStringLiteral("Seconds a kept-alive connection may stay idle between requests (default %1).")
                   .arg(limits.idleTimeoutMs / 1000),
               "S");
    const QCommandLineOption replay =
        option("replay",
               QStringLiteral(
                   "Serves this recording (made by `record`) on every SSE and WebSocket stream instead of published "
                   "clicks: to each subscriber from its start, or after its Last-Event-ID, at the recorded pace."),
               "FILE");
    const QCommandLineOption speed =
        option("speed", QStringLiteral("With --replay: N times the recorded pace, or max (default 1)."), "N|max");
    const QCommandLineOption loop =
        option("loop", QStringLiteral("With --replay: plays the recording again at its end."));
    const QCommandLineOption maxTcpConnections = option(
        "max-tcp-connections",
        QStringLiteral("Open TCP connections allowed; more get 503 (default: the file-descriptor limit less 128)."),
        "N");

    const QCommandLineOption nats =
        option("nats",
               QStringLiteral("Shares the clicks through a NATS JetStream stream (nats://[user:pw@]HOST:PORT, with "
                              "?tls=required, tls_ca=, tls_cert=, tls_key=, creds= or nkey= as a NATS source URL takes "
                              "them): every publisher naming it serves the same clicks with the stream's sequences as "
                              "ids."),
               "URL");
    const QCommandLineOption natsCreds = option(
        "nats-creds", QStringLiteral("With --nats: the NATS credentials file (user JWT and nkey seed)."), "FILE");
    const QCommandLineOption natsStream = option(
        "nats-stream",
        QStringLiteral("With --nats: the stream's name (default CLICKS; made if missing, over subjects clicks.>, "
                       "keeping --history messages for at most --nats-max-age)."),
        "NAME");
    const QCommandLineOption natsMaxAge = option(
        "nats-max-age", QStringLiteral("With --nats: seconds a new stream keeps a message (default 86400)."), "S");

    void addTo(QCommandLineParser &parser) const
    {
        parser.addOptions({port,           bind,        rate,        links,       seed,
                           noWobble,       token,       readToken,   history,     heartbeat,
                           maxConnections, headTimeout, bodyTimeout, idleTimeout, maxTcpConnections,
                           replay,         speed,       loop,        nats,        natsStream,
                           natsMaxAge,     natsCreds});
    }
};

Result<SyntheticPublisher::Settings> readSettings(const QCommandLineParser &parser, const ServeOptions &options)
{
    SyntheticPublisher::Settings settings;
    TestPublisher::Settings &publisher = settings.publisher;
    TrafficGenerator::Settings &traffic = settings.traffic;
    OptionReader read(parser);
    read.wholeNumber(options.port, 0, 65535, publisher.port);
    read.wholeNumber(options.links, 1, 10'000'000, traffic.links);
    read.wholeNumber(options.seed, 0, 0xFFFFFFFFLL, traffic.seed);
    read.wholeNumber(options.history, 1, 10'000'000, publisher.history);
    read.wholeSeconds(options.heartbeat, 0, 86'400, publisher.heartbeatMs);
    read.wholeNumber(options.maxConnections, 1, 1'000'000, publisher.maxConnections);
    read.wholeSeconds(options.headTimeout, 1, 3600, publisher.connections.headTimeoutMs);
    read.wholeSeconds(options.bodyTimeout, 1, 3600, publisher.connections.bodyTimeoutMs);
    read.wholeSeconds(options.idleTimeout, 1, 3600, publisher.connections.idleTimeoutMs);
    read.wholeNumber(options.maxTcpConnections, 1, 1'000'000, publisher.connections.maxConnections);
    read.number(options.rate, 0, TrafficGenerator::kMaxClicksPerSecond, traffic.clicksPerSecond);
    NatsStreamWriter::Settings nats;
    read.wholeNumber(options.natsMaxAge, 1, 10LL * 365 * 86'400, nats.maxAgeSeconds);
    TimelinePlayback::Pace pace;
    read.pace(options.speed, pace.speed);
    pace.loop = parser.isSet(options.loop);
    if (const Result<void> ok = read.result(); !ok)
        return unexpected(ok.error());
    if (parser.isSet(options.replay)) {
        if (traffic.clicksPerSecond > 0)
            return unexpected(QStringLiteral("--rate and --replay exclude each other: a stream plays the recording"));
        // What the recording holds is served as it was, its own pings included.
        if (!parser.isSet(options.heartbeat))
            publisher.heartbeatMs = 0;
        publisher.replay = TestPublisher::Settings::Replay{nullptr, pace};
    } else if (parser.isSet(options.speed) || parser.isSet(options.loop)) {
        return unexpected(QStringLiteral("--speed and --loop need --replay FILE"));
    }

    if (parser.isSet(options.nats)) {
        if (parser.isSet(options.replay))
            return unexpected(QStringLiteral("--nats and --replay exclude each other"));
        QUrl server(parser.value(options.nats), QUrl::StrictMode);
        QUrlQuery query(server);
        if (server.scheme() != u"nats" || server.host().isEmpty() || !(server.path().isEmpty() || server.path() == u"/")
            || query.hasQueryItem(QStringLiteral("stream")) || query.hasQueryItem(QStringLiteral("start")))
            return unexpected(
                QStringLiteral("--nats takes a server, nats://[user:password@]HOST[:PORT][?tls=…], not '%1'")
                    .arg(shownUrl(server)));
        if (parser.isSet(options.natsCreds)) {
            query.addQueryItem(QStringLiteral("creds"),
                               QString::fromUtf8(QUrl::toPercentEncoding(parser.value(options.natsCreds), "/")));
            server.setQuery(query);
        }
        server.setPath(QStringLiteral("/clicks"));
        Result<NatsTarget> target = NatsTarget::fromUrl(server);
        if (!target)
            return unexpected(QStringLiteral("--nats: %1").arg(target.error()));
        // Read again at each connection; a file that cannot be read now is a mistake to say now.
        if (const Result<void> loaded = target->loadFiles(); !loaded)
            return unexpected(QStringLiteral("--nats: %1").arg(loaded.error()));
        nats.server = std::move(*target);
        nats.maxMessages = publisher.history;
        if (parser.isSet(options.natsStream))
            nats.stream = parser.value(options.natsStream).toUtf8();
        if (!NatsTarget::isValidStreamName(nats.stream))
            return unexpected(QStringLiteral("--nats-stream: '%1' is not a JetStream stream name")
                                  .arg(QString::fromUtf8(nats.stream)));
        publisher.nats = std::move(nats);
    } else if (parser.isSet(options.natsStream) || parser.isSet(options.natsMaxAge)
               || parser.isSet(options.natsCreds)) {
        return unexpected(QStringLiteral("--nats-stream, --nats-max-age and --nats-creds need --nats URL"));
    }

    publisher.address = QHostAddress(parser.value(options.bind));
    if (publisher.address.isNull())
        return unexpected(QStringLiteral("--bind needs an IP address, not '%1'").arg(parser.value(options.bind)));
    if (parser.isSet(options.readToken) && !parser.isSet(options.token))
        return unexpected(QStringLiteral("--read-token needs --token"));
    publisher.token = parser.value(options.token).toUtf8();
    publisher.tokenForReading = parser.isSet(options.readToken);
    traffic.wobble = !parser.isSet(options.noWobble);
    return settings;
}

// Loads the recording to serve into `settings`, saying on stderr what it holds and any damage.
Result<void> loadReplay(const QString &path, TestPublisher::Settings &settings)
{
    Result<RecordingTimeline> timeline = RecordingTimeline::load(path);
    if (!timeline)
        return unexpected(timeline.error());
    using Kind = RecordingTimeline::Kind;
    const TimelinePlayback::Pace pace = settings.replay->pace;
    std::fprintf(stderr, "serving %s: %lld events, %lld comments over %.1f s, recorded from %s (%s), at %s%s\n",
                 qPrintable(path), qlonglong(timeline->count(Kind::Event)), qlonglong(timeline->count(Kind::Comment)),
                 double(timeline->durationNs()) / 1e9,
                 qPrintable(timeline->header().value(QStringLiteral("url")).toString()),
                 qPrintable(timeline->transport()),
                 pace.speed == 0 ? "full speed" : qPrintable(QStringLiteral("%1x the recorded pace").arg(pace.speed)),
                 pace.loop ? ", again and again" : "");
    if (const qsizetype binary = timeline->count(Kind::BinaryMessage); binary > 0)
        std::fprintf(stderr, "  its %lld binary messages go to WebSocket subscribers only: SSE cannot carry them\n",
                     qlonglong(binary));
    if (!timeline->damage().isEmpty())
        std::fprintf(stderr, "warning: %s; what came before is served\n", qPrintable(timeline->damage()));
    settings.replay->timeline = std::make_shared<const RecordingTimeline>(std::move(*timeline));
    return {};
}

// How long `serve --nats` waits for its stream before it says so.
constexpr int kWaitingNoteMs = 2000;

void printEndpoints(const QUrl &baseUrl)
{
    const QString base = baseUrl.adjusted(QUrl::RemovePath).toString();   // no trailing '/'
    QString wsBase = base;
    wsBase.replace(0, 4, QStringLiteral("ws"));
    const QByteArray b = base.toUtf8();
    const QByteArray ws = wsBase.toUtf8();
    std::printf("listening on %s/\n"
                "  SSE        %s/events  %s/events/<channel>  %s/realtime/<code>\n"
                "  WebSocket  %s/ws  %s/ws/<channel>\n"
                "  publish    POST %s/publish[?channel=<channel>]  (JSON object, array or NDJSON)\n"
                "  fetch      POST %s/stream  ({\"last\": N}: the last N clicks as data: lines, then [DONE])\n"
                "  shortener  %s/r/<code>\n"
                "  stats      %s/stats  %s/health\n",
                b.constData(), b.constData(), b.constData(), b.constData(), ws.constData(), ws.constData(),
                b.constData(), b.constData(), b.constData(), b.constData(), b.constData());
    std::fflush(stdout);
}

}   // namespace

int runServe(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs the test publisher: SSE and WebSocket click streams, POST /publish, POST /stream (fetch-style, ends with "
        "[DONE]), /r/<code>, /stats; or, with --replay, a recording on every stream.\n"
        "Stops cleanly on SIGINT/SIGTERM."));
    const ServeOptions options;
    options.addTo(parser);
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("serve [options]")))
        return *code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(kCommand,
                          QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));

    Result<SyntheticPublisher::Settings> settings = readSettings(parser, options);
    if (!settings)
        return usageError(kCommand, settings.error());
    if (settings->publisher.replay) {
        if (const Result<void> loaded = loadReplay(parser.value(options.replay), settings->publisher); !loaded) {
            std::fprintf(stderr, "error: %s\n", qPrintable(loaded.error()));
            return kExitStreamError;
        }
    }
    const TestPublisher::Settings &publisherSettings = settings->publisher;
    if (!publisherSettings.address.isLoopback())
        std::fprintf(stderr,
                     "warning: listening on %s, which is not a loopback address: anyone who can reach it can "
                     "read%s\n",
                     qPrintable(publisherSettings.address.toString()),
                     publisherSettings.token.isEmpty() ? " and publish" : "");

    SyntheticPublisher synthetic(*settings);
    if (const Result<void> started = synthetic.start(); !started) {
        std::fprintf(stderr, "error: %s\n", qPrintable(started.error()));
        return kExitStreamError;
    }
    // With a shared stream, the endpoints are announced once publishing works: a script that waits
    // for them may publish at once.
    TestPublisher &publisher = synthetic.publisher();
    bool announced = publisher.isPublishing();
    if (announced) {
        printEndpoints(publisher.baseUrl());
    } else {
        QObject::connect(&publisher, &TestPublisher::publishingChanged, &publisher, [&](bool publishing) {
            if (publishing && !std::exchange(announced, true))
                printEndpoints(publisher.baseUrl());
        });
        QTimer::singleShot(kWaitingNoteMs, &publisher, [&publisher] {
            if (!publisher.isPublishing())
                std::fprintf(stderr, "waiting for the NATS JetStream stream: %s\n",
                             qPrintable(publisher.publishingProblem()));
        });
    }

    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &synthetic, [](int signalNumber) {
        std::fprintf(stderr, "stopped by signal %d\n", signalNumber);
        QCoreApplication::exit(kExitOk);
    });
    return QCoreApplication::exec();
}

}   // namespace Clickscope::Cli

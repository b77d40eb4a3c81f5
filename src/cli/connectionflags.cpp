// SPDX-License-Identifier: MIT
#include "cli/connectionflags.h"

#include "core/http/httpsyntax.h"
#include "core/nats/natstarget.h"
#include "core/options/optionreader.h"
#include "core/redis/redistarget.h"

#include <QFileInfo>

#include <limits>

namespace Clickscope::Cli {
namespace {

int milliseconds(double seconds) { return int(std::min(seconds * 1000.0, double(std::numeric_limits<int>::max()))); }

}   // namespace

ConnectionFlags::ConnectionFlags()
    : m_header({QStringLiteral("H"), QStringLiteral("header")},
               QStringLiteral("Adds a request header, e.g. 'Authorization: Bearer T' (with several URLs, only to those "
                              "on the first one's server)."),
               QStringLiteral("K: V"))
    , m_method({QStringLiteral("X"), QStringLiteral("method")},
               QStringLiteral("Request method (default GET, or POST with --data)."), QStringLiteral("M"))
    , m_data({QStringLiteral("d"), QStringLiteral("data")},
             QStringLiteral("Request body, sent on every (re)connection."), QStringLiteral("BODY"))
    , m_lastEventId(QStringLiteral("last-event-id"),
                    QStringLiteral("Sends Last-Event-ID from the first request on (a Redis stream: reads from "
                                   "the entry after this id; a JetStream stream: after this sequence)."),
                    QStringLiteral("ID"))
    , m_timeout(QStringLiteral("timeout"), QStringLiteral("Stops after S seconds."), QStringLiteral("S"))
    , m_idleTimeout(QStringLiteral("idle-timeout"),
                    QStringLiteral("Reconnects when no byte arrived for S seconds (default %1 for GET, else "
                                   "never; 0: never).")
                        .arg(SourceConfig::kDefaultIdleTimeoutMs / 1000),
                    QStringLiteral("S"))
    , m_connectTimeout(QStringLiteral("connect-timeout"),
                       QStringLiteral("Gives an attempt up when no response head came within S seconds (default %1).")
                           .arg(SourceConfig::kDefaultConnectTimeoutMs / 1000),
                       QStringLiteral("S"))
    , m_retry(QStringLiteral("retry"), QStringLiteral("Reconnection delay until the server sends one (default 3)."),
              QStringLiteral("S"))
    , m_noReconnect(QStringLiteral("no-reconnect"),
                    QStringLiteral("Stops when the stream ends or fails instead of reconnecting."))
    , m_doneMarker(QStringLiteral("done-marker"), QStringLiteral("Ends cleanly on an event whose data is [DONE]."))
{}

void ConnectionFlags::addTo(QCommandLineParser &parser) const
{
    parser.addPositionalArgument(
        QStringLiteral("URL"), QStringLiteral("The stream: http(s):// for SSE, ws(s):// for WebSocket, or a recording "
                                              "FILE (from `record`), replayed."));
    parser.addOptions({m_header, m_method, m_data, m_lastEventId, m_timeout, m_idleTimeout, m_connectTimeout, m_retry,
                       m_noReconnect, m_doneMarker});
}

std::optional<double> ConnectionFlags::timeoutSeconds(const QCommandLineParser &parser) const
{
    return OptionReader(parser).positiveNumber(m_timeout);
}

Result<void> ConnectionFlags::read(const QCommandLineParser &parser, SourceConfig &config) const
{
    Result<QList<SourceConfig>> configs = readAll(parser, 1);
    if (!configs)
        return unexpected(configs.error());
    config = configs->first();
    return {};
}

Result<QList<SourceConfig>> ConnectionFlags::readAll(const QCommandLineParser &parser, qsizetype maxStreams) const
{
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return unexpected(QStringLiteral("missing URL"));
    if (positional.size() > maxStreams)
        return unexpected(maxStreams == 1 ? QStringLiteral("unexpected argument '%1'").arg(positional.at(1))
                                          : QStringLiteral("at most %1 streams at once").arg(maxStreams));
    QList<SourceConfig> configs;
    for (const QString &argument : positional) {
        SourceConfig config;
        if (Result<void> ok = readOne(parser, argument, config); !ok)
            return unexpected(positional.size() > 1 ? argument + QStringLiteral(": ") + ok.error() : ok.error());
        // Headers may be secrets (a token): they go to the first stream's server only.
        if (!configs.isEmpty() && !sameServer(config.url, configs.first().url))
            config.headers.clear();
        configs.append(config);
    }
    return configs;
}

Result<void> ConnectionFlags::readOne(const QCommandLineParser &parser, const QString &argument,
                                      SourceConfig &config) const
{
    // A file is a recording, replayed as fast as it is read (a command's --speed may change that).
    if (const QFileInfo file(argument); file.isFile()) {
        config.url = QUrl::fromLocalFile(file.absoluteFilePath());
        config.replaySpeed = 0;
    } else {
        config.url = streamUrlFromText(argument);
    }
    if (Result<void> usable = checkStreamUrl(config.url); !usable)
        return usable;

    for (const QString &line : parser.values(m_header)) {
        const auto parsed = parseHeaderLine(line);
        if (!parsed)
            return unexpected(QStringLiteral("--header: ") + parsed.error());
        config.headers.append(*parsed);
    }
    const QString scheme = config.url.scheme().toLower();
    const bool webSocket = scheme.startsWith(u"ws");
    const bool redis = scheme == u"redis";
    const bool nats = scheme == u"nats";
    for (const QCommandLineOption &httpOnly : {m_data, m_method, m_header}) {
        if ((redis || nats) && parser.isSet(httpOnly))
            return unexpected(
                QStringLiteral("--%1 does not apply to %2 URLs")
                    .arg(httpOnly.names().constLast(), redis ? QStringLiteral("Redis") : QStringLiteral("NATS")));
    }
    for (const QCommandLineOption &httpOnly : {m_data, m_method, m_lastEventId}) {
        if (webSocket && parser.isSet(httpOnly))
            return unexpected(QStringLiteral("--%1 applies to http(s) streams, not to WebSocket URLs")
                                  .arg(httpOnly.names().constLast()));
    }
    if (redis && parser.isSet(m_lastEventId) && !RedisTarget::isEntryId(parser.value(m_lastEventId).toUtf8()))
        return unexpected(QStringLiteral("--last-event-id for a Redis stream is an entry id like 1700000000000-0"));
    if (nats && parser.isSet(m_lastEventId)) {
        const Result<NatsTarget> target = NatsTarget::fromUrl(config.url);
        if (!target->isJetStream() || NatsTarget::sequenceOf(parser.value(m_lastEventId).toUtf8()) == 0)
            return unexpected(QStringLiteral(
                "--last-event-id for NATS needs stream=NAME in the URL and is a stream sequence like 42"));
    }
    if (parser.isSet(m_data))
        config.body = parser.value(m_data).toUtf8();
    if (parser.isSet(m_method)) {
        const QString method = parser.value(m_method);
        if (!HttpSyntax::isToken(method.toLatin1()))
            return unexpected(QStringLiteral("--method '%1' is not an HTTP method").arg(method));
        config.method = method.toLatin1();
    } else if (parser.isSet(m_data)) {
        config.method = "POST";
    }
    if (parser.isSet(m_lastEventId))
        config.lastEventId = parser.value(m_lastEventId).toUtf8();
    config.reconnect = !parser.isSet(m_noReconnect);
    if (parser.isSet(m_doneMarker))
        config.doneMarker = QByteArray("[DONE]");

    OptionReader read(parser);
    read.positiveNumber(m_timeout);
    double idleSeconds = -1;
    read.number(m_idleTimeout, 0, 86'400, idleSeconds);
    const auto connectTimeout = read.positiveNumber(m_connectTimeout);
    const auto retry = read.positiveNumber(m_retry);
    if (Result<void> ok = read.result(); !ok)
        return ok;
    if (idleSeconds >= 0)
        config.idleTimeoutMs = idleSeconds > 0 ? std::max(1, milliseconds(idleSeconds)) : 0;
    if (connectTimeout)
        config.connectTimeoutMs = std::max(1, milliseconds(*connectTimeout));
    if (retry)
        config.defaultRetryMs = milliseconds(*retry);
    return {};
}

}   // namespace Clickscope::Cli

// SPDX-License-Identifier: MIT
#include "commands.h"
#include "signalwatcher.h"

#include "testpublisher.h"
#include "trafficgenerator.h"

#include <QCoreApplication>

#include <cstdio>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "serve";

std::optional<qint64> wholeNumber(const QCommandLineParser &parser, const QString &option, qint64 min, qint64 max,
                                  QString *error)
{
    if (!parser.isSet(option))
        return std::nullopt;
    bool ok = false;
    const qint64 value = parser.value(option).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        *error = QStringLiteral("--%1 needs a whole number from %2 to %3, not '%4'")
                     .arg(option)
                     .arg(min)
                     .arg(max)
                     .arg(parser.value(option));
        return std::nullopt;
    }
    return value;
}

} // namespace

int runServe(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs the test publisher: SSE and WebSocket click streams, POST /publish, POST /stream (fetch-style, ends with [DONE]), /r/<code>, /stats.\n"
        "Stops cleanly on SIGINT/SIGTERM."));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port (default 8080; 0 picks a free one)."),
                                  QStringLiteral("P"), QStringLiteral("8080"));
    const QCommandLineOption bind(QStringLiteral("bind"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
                                  QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Synthetic clicks per second (0 = off)."),
                                  QStringLiteral("R"), QStringLiteral("0"));
    const QCommandLineOption links(QStringLiteral("links"), QStringLiteral("Distinct synthetic links (default 50)."),
                                   QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption seed(QStringLiteral("seed"), QStringLiteral("Seed of the synthetic traffic."),
                                  QStringLiteral("S"), QStringLiteral("1"));
    const QCommandLineOption noWobble(QStringLiteral("no-wobble"), QStringLiteral("Keep the synthetic rate flat."));
    const QCommandLineOption token(QStringLiteral("token"), QStringLiteral("Publishing needs 'Authorization: Bearer T'."),
                                   QStringLiteral("T"));
    const QCommandLineOption readToken(QStringLiteral("read-token"),
                                       QStringLiteral("Reading the streams needs the token too."));
    const QCommandLineOption history(QStringLiteral("history"), QStringLiteral("Clicks kept for resuming (default 10000)."),
                                     QStringLiteral("N"));
    const QCommandLineOption heartbeat(QStringLiteral("heartbeat"), QStringLiteral("Seconds between ': ping' comments (default 15)."),
                                       QStringLiteral("S"));
    const QCommandLineOption maxConnections(QStringLiteral("max-connections"),
                                            QStringLiteral("Open streams allowed; more get 503 (default 10000)."),
                                            QStringLiteral("N"));
    const GuardedTcpServer::Limits defaults;
    const QCommandLineOption headTimeout(
        QStringLiteral("head-timeout"),
        QStringLiteral("Seconds a request head may take; then 408 (default %1).").arg(defaults.headTimeoutMs / 1000),
        QStringLiteral("S"));
    const QCommandLineOption bodyTimeout(
        QStringLiteral("body-timeout"),
        QStringLiteral("Seconds a request body may take after its head; then 408 (default %1).")
            .arg(defaults.bodyTimeoutMs / 1000),
        QStringLiteral("S"));
    const QCommandLineOption idleTimeout(
        QStringLiteral("idle-timeout"),
        QStringLiteral("Seconds a kept-alive connection may stay idle between requests (default %1).")
            .arg(defaults.idleTimeoutMs / 1000),
        QStringLiteral("S"));
    const QCommandLineOption maxTcpConnections(
        QStringLiteral("max-tcp-connections"),
        QStringLiteral("Open TCP connections allowed; more get 503 (default: the file-descriptor limit less 128)."),
        QStringLiteral("N"));
    parser.addOptions({port, bind, rate, links, seed, noWobble, token, readToken, history, heartbeat, maxConnections,
                       headTimeout, bodyTimeout, idleTimeout, maxTcpConnections});
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("serve [options]")))
        return *code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(kCommand, QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));

    TestPublisher::Settings settings;
    QString error;
    const auto portValue = wholeNumber(parser, port.names().constFirst(), 0, 65535, &error);
    const auto linksValue = wholeNumber(parser, links.names().constFirst(), 1, 10'000'000, &error);
    const auto seedValue = wholeNumber(parser, seed.names().constFirst(), 0, 0xFFFFFFFFLL, &error);
    const auto historyValue = wholeNumber(parser, history.names().constFirst(), 1, 10'000'000, &error);
    const auto heartbeatValue = wholeNumber(parser, heartbeat.names().constFirst(), 0, 86'400, &error);
    const auto maxConnectionsValue = wholeNumber(parser, maxConnections.names().constFirst(), 1, 1'000'000, &error);
    const auto headTimeoutValue = wholeNumber(parser, headTimeout.names().constFirst(), 1, 3600, &error);
    const auto bodyTimeoutValue = wholeNumber(parser, bodyTimeout.names().constFirst(), 1, 3600, &error);
    const auto idleTimeoutValue = wholeNumber(parser, idleTimeout.names().constFirst(), 1, 3600, &error);
    const auto maxTcpValue = wholeNumber(parser, maxTcpConnections.names().constFirst(), 1, 1'000'000, &error);
    bool rateOk = false;
    const double rateValue = parser.value(rate).toDouble(&rateOk);
    if (!rateOk || rateValue < 0 || rateValue > 1'000'000)
        error = QStringLiteral("--rate needs clicks per second from 0 to 1000000, not '%1'").arg(parser.value(rate));
    const QHostAddress address(parser.value(bind));
    if (error.isEmpty() && address.isNull())
        error = QStringLiteral("--bind needs an IP address, not '%1'").arg(parser.value(bind));
    if (error.isEmpty() && parser.isSet(readToken) && !parser.isSet(token))
        error = QStringLiteral("--read-token needs --token");
    if (!error.isEmpty())
        return usageError(kCommand, error);

    settings.address = address;
    settings.port = quint16(portValue.value_or(8080));
    settings.token = parser.value(token).toUtf8();
    settings.tokenForReading = parser.isSet(readToken);
    if (historyValue)
        settings.history = *historyValue;
    if (heartbeatValue)
        settings.heartbeatMs = int(*heartbeatValue * 1000);
    if (maxConnectionsValue)
        settings.maxConnections = int(*maxConnectionsValue);
    if (headTimeoutValue)
        settings.connections.headTimeoutMs = int(*headTimeoutValue * 1000);
    if (bodyTimeoutValue)
        settings.connections.bodyTimeoutMs = int(*bodyTimeoutValue * 1000);
    if (idleTimeoutValue)
        settings.connections.idleTimeoutMs = int(*idleTimeoutValue * 1000);
    if (maxTcpValue)
        settings.connections.maxConnections = int(*maxTcpValue);
    if (!address.isLoopback())
        std::fprintf(stderr, "warning: listening on %s, which is not a loopback address: anyone who can reach it can "
                             "read%s\n",
                     qPrintable(address.toString()), settings.token.isEmpty() ? " and publish" : "");

    TestPublisher publisher(settings);
    if (!publisher.listen()) {
        std::fprintf(stderr, "error: %s\n", qPrintable(publisher.errorString()));
        return kExitStreamError;
    }
    TrafficGenerator::Settings traffic;
    traffic.clicksPerSecond = rateValue;
    traffic.links = int(linksValue.value_or(50));
    traffic.seed = quint32(seedValue.value_or(1));
    traffic.wobble = !parser.isSet(noWobble);
    TrafficGenerator generator(traffic);
    QObject::connect(&generator, &TrafficGenerator::clicksGenerated, &publisher,
                     [&publisher](const QList<QJsonObject> &clicks) { publisher.hub().publish(clicks); });
    if (rateValue > 0)
        generator.start();

    const QString base = publisher.baseUrl().adjusted(QUrl::RemovePath).toString();   // no trailing '/'
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

    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &publisher, [](int signalNumber) {
        std::fprintf(stderr, "stopped by signal %d\n", signalNumber);
        QCoreApplication::exit(kExitOk);
    });
    return QCoreApplication::exec();
}

} // namespace Clickscope::Cli

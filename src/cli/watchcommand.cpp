// SPDX-License-Identifier: MIT
#include "cli/aggregatorfeed.h"
#include "cli/commands.h"
#include "cli/connectionflags.h"
#include "cli/streamsession.h"
#include "core/options/optionreader.h"

#include "core/model/clickaggregator.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>
#include <limits>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "watch";

QString percent(double share) { return QString::number(share * 100.0, 'f', 1) + u'%'; }

QString rankedLine(const QJsonArray &rows)
{
    QStringList parts;
    for (const QJsonValue &row : rows) {
        const QJsonObject o = row.toObject();
        parts << QStringLiteral("%1 %2 (%3)")
                     .arg(o.value(QStringLiteral("value")).toString(),
                          percent(o.value(QStringLiteral("share")).toDouble()))
                     .arg(o.value(QStringLiteral("count")).toInteger());
    }
    return parts.isEmpty() ? QStringLiteral("-") : parts.join(QStringLiteral(", "));
}

// The report as a person reads it.
QString text(const QJsonObject &report)
{
    const QJsonObject t = report.value(QStringLiteral("totals")).toObject();
    const QJsonObject r = report.value(QStringLiteral("rate")).toObject();
    QString out =
        QStringLiteral(
            "clicks %1  events %2  undecodable %3  other %4  gaps %5  duplicates %6  reconnects %7  bytes %8  "
            "discarded %9\n")
            .arg(t.value(QStringLiteral("clicks")).toInteger())
            .arg(t.value(QStringLiteral("events")).toInteger())
            .arg(t.value(QStringLiteral("undecodable")).toInteger())
            .arg(t.value(QStringLiteral("otherEvents")).toInteger())
            .arg(t.value(QStringLiteral("gaps")).toInteger())
            .arg(t.value(QStringLiteral("duplicates")).toInteger())
            .arg(t.value(QStringLiteral("reconnects")).toInteger())
            .arg(t.value(QStringLiteral("bytes")).toInteger())
            .arg(t.value(QStringLiteral("discarded")).toInteger());
    out += QStringLiteral("rate now %1/s  peak %2/s  average %3/s\n")
               .arg(r.value(QStringLiteral("now")).toDouble(), 0, 'f', 1)
               .arg(r.value(QStringLiteral("peak")).toInteger())
               .arg(r.value(QStringLiteral("average")).toDouble(), 0, 'f', 1);
    if (report.contains(QStringLiteral("latencyMs"))) {
        const QJsonObject l = report.value(QStringLiteral("latencyMs")).toObject();
        out += QStringLiteral("latency p50 %1 ms  p99 %2 ms  max %3 ms  (%4 clicks with a time)\n")
                   .arg(l.value(QStringLiteral("p50")).toDouble(), 0, 'f', 1)
                   .arg(l.value(QStringLiteral("p99")).toDouble(), 0, 'f', 1)
                   .arg(l.value(QStringLiteral("max")).toDouble(), 0, 'f', 1)
                   .arg(l.value(QStringLiteral("count")).toInteger());
    }
    out += report.value(QStringLiteral("topLinksExact")).toBool() ? QStringLiteral("top links:\n")
                                                                  : QStringLiteral("top links (approximate):\n");
    for (const QJsonValue &row : report.value(QStringLiteral("topLinks")).toArray()) {
        const QJsonObject o = row.toObject();
        out += QStringLiteral("  %1  %2  %3\n")
                   .arg(o.value(QStringLiteral("count")).toInteger(), 9)
                   .arg(percent(o.value(QStringLiteral("share")).toDouble()), 6)
                   .arg(o.value(QStringLiteral("link")).toString());
    }
    const QJsonObject b = report.value(QStringLiteral("breakdowns")).toObject();
    for (const QString &dimension :
         {QStringLiteral("country"), QStringLiteral("referrer"), QStringLiteral("device"), QStringLiteral("browser")})
        out += dimension + QStringLiteral(": ") + rankedLine(b.value(dimension).toArray()) + u'\n';
    return out;
}

}   // namespace

int runWatch(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Connects to a click stream (or replays a recording FILE), aggregates it and prints the state\n"
                       "at the end (or every --interval): totals, rate, top links, breakdowns, gaps, latency. Same\n"
                       "exit codes as listen."));
    const ConnectionFlags connection;
    connection.addTo(parser);
    const QCommandLineOption duration(QStringLiteral("duration"),
                                      QStringLiteral("Watches for S seconds, then reports."), QStringLiteral("S"));
    const QCommandLineOption interval(QStringLiteral("interval"), QStringLiteral("Also reports every S seconds."),
                                      QStringLiteral("S"));
    const QCommandLineOption map(
        QStringLiteral("map"),
        QStringLiteral("Reads a field from a JSON pointer, e.g. link=/payload/slug (repeatable; "
                       "fields: link, country, referrer, device, browser, ts, id)."),
        QStringLiteral("FIELD=POINTER"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Prints JSON (one document per report)."));
    const QCommandLineOption top(QStringLiteral("top"), QStringLiteral("Rows per ranking (default 10)."),
                                 QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption speed(QStringLiteral("speed"),
                                   QStringLiteral("A recording FILE's pace: N times as recorded, or max (default)."),
                                   QStringLiteral("N|max"));
    parser.addOptions({duration, interval, map, json, top, speed});
    if (auto code = parseCommandLine(parser, arguments, kCommand, QStringLiteral("watch [options] URL|FILE")))
        return *code;

    SourceConfig config;
    if (const Result<void> ok = connection.read(parser, config); !ok)
        return usageError(kCommand, ok.error());
    OptionReader read(parser);
    const auto durationSeconds = read.positiveNumber(duration);
    const auto intervalSeconds = read.positiveNumber(interval);
    int topRows = 10;
    read.wholeNumber(top, 1, 1000, topRows);
    read.pace(speed, config.replaySpeed);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kCommand, ok.error());
    if (parser.isSet(speed) && !config.url.isLocalFile())
        return usageError(kCommand, QStringLiteral("--speed applies to a recording FILE, not to a URL"));
    const auto mapping = FieldMapping::parse(parser.values(map));
    if (!mapping)
        return usageError(kCommand, QStringLiteral("--map: ") + mapping.error());

    std::optional<double> deadline = connection.timeoutSeconds(parser);
    if (durationSeconds)
        deadline = deadline ? std::min(*deadline, *durationSeconds) : *durationSeconds;

    StreamSession session(config, deadline);
    StreamSource &source = session.source();
    ClickAggregator aggregator(ClickAggregator::Settings{}, *mapping);
    aggregator.setStreamLink(ClickAggregator::linkNamedBy(config.url));
    AggregatorFeed feed(source, aggregator);
    const bool asJson = parser.isSet(json);
    const auto print = [&](bool final) {
        const QJsonObject report = feed.now().report(topRows);
        const QByteArray out = asJson ? QJsonDocument(report).toJson(final && !intervalSeconds ? QJsonDocument::Indented
                                                                                               : QJsonDocument::Compact)
                                      : (text(report) + u'\n').toUtf8();
        const bool ok = std::fwrite(out.constData(), 1, size_t(out.size()), stdout) == size_t(out.size())
                        && (!asJson || out.endsWith('\n') || std::fputc('\n', stdout) != EOF)
                        && std::fflush(stdout) == 0;
        if (!ok)
            StreamSession::logLine(QStringLiteral("error: cannot write to standard output"));
        return ok;
    };

    QTimer reportTick;
    if (intervalSeconds) {
        QObject::connect(&reportTick, &QTimer::timeout, &session, [&] {
            if (!print(false))
                session.finish(kExitStreamError);
        });
        reportTick.start(int(std::min(*intervalSeconds * 1000.0, double(std::numeric_limits<int>::max()))));
    }
    QObject::connect(&session, &StreamSession::finishing, &session, [&] {
        feed.stop();
        reportTick.stop();
        if (!print(true))
            session.markOutputFailed();
    });
    return session.run();
}

}   // namespace Clickscope::Cli

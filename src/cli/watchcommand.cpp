// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/compareflags.h"
#include "cli/connectionflags.h"
#include "cli/streamsession.h"
#include "core/options/optionreader.h"

#include "core/compare/streamcomparison.h"
#include "core/model/aggregatorfeed.h"
#include "core/model/clickaggregator.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <vector>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "watch";
constexpr qsizetype kMaxStreams = 16;

QString percent(double share) { return QString::number(share * 100.0, 'f', 1) + u'%'; }

QString rankedLine(const QJsonArray &rows)
{
    QStringList parts;
    for (const QJsonValue &row : rows) {
        const QJsonObject o = row.toObject();
        // One arg() for all: a value the stream chose ("%3") must not take the place of a number.
        parts << QStringLiteral("%1 %2 (%3)")
                     .arg(o.value(QStringLiteral("value")).toString(),
                          percent(o.value(QStringLiteral("share")).toDouble()),
                          QString::number(o.value(QStringLiteral("count")).toInteger()));
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

QString count(const QJsonObject &o, const char *key)
{
    return QString::number(o.value(QLatin1String(key)).toInteger());
}

QString differencesLine(const QJsonArray &rows, const QString &keyName)
{
    QStringList parts;
    for (const QJsonValue &row : rows) {
        const QJsonObject o = row.toObject();
        const qint64 difference = o.value(QStringLiteral("difference")).toInteger();
        parts << QStringLiteral("%1 %2 vs %3 (%4)")
                     .arg(o.value(keyName).toString(), count(o, "a"), count(o, "b"),
                          (difference > 0 ? QStringLiteral("+") : QString()) + QString::number(difference));
    }
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

QString unmatchedLine(const QJsonObject &side, const QString &other)
{
    return QStringLiteral(
               "%1 missing in %2, %3 not yet in %2, %4 before %2 started, %5 out of the window, %6 without a key")
        .arg(count(side, "missingInOther"), other, count(side, "notYetInOther"), count(side, "beforeOtherStarted"),
             count(side, "outOfWindow"), count(side, "unkeyed"));
}

// The comparison of [1] and [2] as a person reads it.
QString comparisonText(const QJsonObject &c)
{
    const QJsonObject clicks = c.value(QStringLiteral("clicks")).toObject();
    QString out = QStringLiteral("compare [1] with [2]\n  clicks [1] %1  [2] %2  difference %3\n")
                      .arg(count(clicks, "a"), count(clicks, "b"), count(clicks, "difference"));
    if (c.value(QStringLiteral("mode")).toString() == u"counts") {
        const QJsonObject history = c.value(QStringLiteral("history")).toObject();
        out += QStringLiteral("  counts only%1: %2; before watching [1] had %3, [2] %4\n")
                   .arg(c.contains(QStringLiteral("link"))
                            ? QStringLiteral(" of ") + c.value(QStringLiteral("link")).toString()
                            : QString(),
                        c.value(QStringLiteral("why")).toString(), count(history, "a"), count(history, "b"));
        return out;
    }
    const QJsonObject m = c.value(QStringLiteral("matching")).toObject();
    out += QStringLiteral("  matched by %1: %2 pairs\n")
               .arg(m.value(QStringLiteral("key")).toString(), count(m, "matched"));
    out += QStringLiteral("  [1] only: ")
           + unmatchedLine(m.value(QStringLiteral("a")).toObject(), QStringLiteral("[2]")) + u'\n';
    out += QStringLiteral("  [2] only: ")
           + unmatchedLine(m.value(QStringLiteral("b")).toObject(), QStringLiteral("[1]")) + u'\n';
    if (m.contains(QStringLiteral("lagMs"))) {
        const QJsonObject lag = m.value(QStringLiteral("lagMs")).toObject();
        out += QStringLiteral("  [2] behind [1]: median %1 ms (p10 %2, p90 %3)\n")
                   .arg(lag.value(QStringLiteral("median")).toDouble(), 0, 'f', 1)
                   .arg(lag.value(QStringLiteral("p10")).toDouble(), 0, 'f', 1)
                   .arg(lag.value(QStringLiteral("p90")).toDouble(), 0, 'f', 1);
    }
    out += QStringLiteral("  links that differ: ")
           + differencesLine(c.value(QStringLiteral("linkDifferences")).toArray(), QStringLiteral("link")) + u'\n';
    const QJsonObject b = c.value(QStringLiteral("breakdownDifferences")).toObject();
    for (const QString &dimension :
         {QStringLiteral("country"), QStringLiteral("referrer"), QStringLiteral("device"), QStringLiteral("browser")})
        out += QStringLiteral("  differ by %1: ").arg(dimension)
               + differencesLine(b.value(dimension).toArray(), QStringLiteral("value")) + u'\n';
    return out;
}

// What one stream is, for the comparison and the reports: what its clocks and counts come from.
struct WatchedStream
{
    WatchedStream(StreamSource &source, const FieldMapping &mapping)
        : aggregator(ClickAggregator::Settings{}, mapping)
        , feed(source, aggregator)
    {
        aggregator.setStreamLink(ClickAggregator::linkNamedBy(source.config().url));
    }
    ClickAggregator aggregator;
    AggregatorFeed feed;
};

}   // namespace

int runWatch(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Connects to a click stream (or replays a recording FILE), aggregates it and prints the state\n"
                       "at the end (or every --interval): totals, rate, top links, breakdowns, gaps, latency. Same\n"
                       "exit codes as listen. Several streams are watched at once and reported each under its URL;\n"
                       "--compare adds how the first two differ."));
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
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("Compares the first two streams: totals, clicks only one has, the lag\n"
                       "between them, the links and values that differ."));
    parser.addOptions({duration, interval, map, json, top, speed, compare});
    const CompareFlags compareFlags;
    compareFlags.addTo(parser);
    if (auto code =
            parseCommandLine(parser, arguments, kCommand, QStringLiteral("watch [options] URL|FILE [URL|FILE...]")))
        return *code;

    Result<QList<SourceConfig>> configs = connection.readAll(parser, kMaxStreams);
    if (!configs)
        return usageError(kCommand, configs.error());
    OptionReader read(parser);
    const auto durationSeconds = read.positiveNumber(duration);
    const auto intervalSeconds = read.positiveNumber(interval);
    int topRows = 10;
    read.wholeNumber(top, 1, 1000, topRows);
    for (SourceConfig &config : *configs)
        read.pace(speed, config.replaySpeed);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kCommand, ok.error());
    if (parser.isSet(speed)
        && std::any_of(configs->cbegin(), configs->cend(), [](const SourceConfig &c) { return !c.url.isLocalFile(); }))
        return usageError(kCommand, QStringLiteral("--speed applies to a recording FILE, not to a URL"));
    const bool comparing = parser.isSet(compare);
    if (comparing && configs->size() < 2)
        return usageError(kCommand, QStringLiteral("--compare needs two streams"));
    if (compareFlags.anySet(parser) && !comparing)
        return usageError(kCommand, CompareFlags::names() + QStringLiteral(" go with --compare"));
    const Result<EventMatcher::Settings> matching = compareFlags.read(parser);
    if (!matching)
        return usageError(kCommand, matching.error());
    const auto mapping = FieldMapping::parse(parser.values(map));
    if (!mapping)
        return usageError(kCommand, QStringLiteral("--map: ") + mapping.error());

    std::optional<double> deadline = connection.timeoutSeconds(parser);
    if (durationSeconds)
        deadline = deadline ? std::min(*deadline, *durationSeconds) : *durationSeconds;

    StreamSession session(*configs, deadline);
    std::vector<std::unique_ptr<WatchedStream>> streams;
    for (qsizetype i = 0; i < session.sourceCount(); ++i)
        streams.push_back(std::make_unique<WatchedStream>(session.source(i), *mapping));
    std::unique_ptr<StreamComparison> comparison;
    if (comparing)
        comparison = std::make_unique<StreamComparison>(streams[0]->aggregator, streams[1]->aggregator, *matching);
    const bool asJson = parser.isSet(json);
    // One stream reports as it always has; several report each under its URL, and the comparison.
    const auto reportNow = [&]() -> std::pair<QJsonObject, QString> {
        if (streams.size() == 1) {
            const QJsonObject report = streams.front()->feed.now().report(topRows);
            return {report, asJson ? QString() : text(report)};
        }
        QJsonArray reports;
        QString shown;
        for (qsizetype i = 0; i < qsizetype(streams.size()); ++i) {
            QJsonObject report = streams[std::size_t(i)]->feed.now().report(topRows);
            const QString url = shownUrl(session.source(i).config().url);
            if (!asJson)
                shown += QStringLiteral("[%1] %2\n").arg(i + 1).arg(url) + text(report) + u'\n';
            report.insert(QStringLiteral("url"), url);
            reports.append(report);
        }
        QJsonObject all{{QStringLiteral("streams"), reports}};
        if (comparison) {
            const QJsonObject compared = comparison->report(session.clockMs(), topRows);
            all.insert(QStringLiteral("comparison"), compared);
            if (!asJson)
                shown += comparisonText(compared);
        }
        return {all, shown};
    };
    const auto print = [&](bool final) {
        const auto [report, shown] = reportNow();
        const QByteArray out = asJson ? QJsonDocument(report).toJson(final && !intervalSeconds ? QJsonDocument::Indented
                                                                                               : QJsonDocument::Compact)
                                      : (shown + u'\n').toUtf8();
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
        for (const auto &stream : streams)
            stream->feed.stop();
        reportTick.stop();
        if (!print(true))
            session.markOutputFailed();
    });
    return session.run();
}

}   // namespace Clickscope::Cli

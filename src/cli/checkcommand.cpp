// SPDX-License-Identifier: MIT
#include "cli/commands.h"
#include "cli/compareflags.h"
#include "cli/connectionflags.h"
#include "cli/streamsession.h"
#include "core/check/streamcheck.h"
#include "core/compare/streamcomparison.h"
#include "core/model/aggregatorfeed.h"
#include "core/options/optionreader.h"
#include "core/source/httpexchange.h"
#include "core/xray/connectionlog.h"
#include "core/xray/diagnosis.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QXmlStreamWriter>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace Clickscope::Cli {
namespace {

constexpr auto kCommand = "check";
constexpr double kDefaultDurationSeconds = 30;
// How often silences and times are looked at between deliveries.
constexpr int kJudgeTickMs = 50;
// How often the X-ray's findings are looked at, for the checks that rest on them.
constexpr qint64 kDiagnoseEveryMs = 250;
// How often two streams are compared, for same-events.
constexpr qint64 kCompareEveryMs = 250;

const char *stateName(StreamCheck::State state)
{
    switch (state) {
    case StreamCheck::State::Pending:
        return "pending";
    case StreamCheck::State::Passed:
        return "pass";
    case StreamCheck::State::Failed:
        return "fail";
    }
    return "pending";
}

// The checks and what the stream has shown them, measured as the stream goes.
class CheckRun : public QObject
{
public:
    // `comparison`, when given, pairs the session's first stream with its second.
    CheckRun(QList<StreamCheck> checks, StreamSession &session, AggregatorFeed &feed, const ConnectionLog &log,
             const StreamComparison *comparison, bool printLines)
        : m_checks(std::move(checks))
        , m_session(session)
        , m_feed(feed)
        , m_log(log)
        , m_comparison(comparison)
        , m_printLines(printLines)
    {
        // Whatever arrives or ends may decide a check at once.
        for (qsizetype i = 0; i < session.sourceCount(); ++i) {
            StreamSource &source = session.source(i);
            connect(&source, &StreamSource::eventsReceived, this, [this] { judge(false); });
            connect(&source, &StreamSource::commentsReceived, this, [this] { judge(false); });
            connect(&source, &StreamSource::ended, this, [this] { judge(false); });
        }
        connect(&m_tick, &QTimer::timeout, this, [this] { judge(false); });
        m_tick.start(kJudgeTickMs);
    }

    // Judges every check; `over` decides the ones still pending. Ends the session once none is.
    void judge(bool over)
    {
        judgeNow(over);
        if (!over && !m_checks.anyPending()) {
            m_tick.stop();
            // The stream itself did fine: the exit code comes from the failures, not from it.
            m_session.finish(kExitOk);
        }
    }
    // The run was stopped before its end: what is still pending is not a pass.
    void interrupt()
    {
        judgeNow(false);
        printLines(m_checks.interrupt());
    }

    int failures() const { return m_checks.failures(); }
    qint64 elapsedMs() const { return m_measured.elapsedMs; }
    const QList<StreamCheck> &checks() const { return m_checks.checks(); }
    const QList<StreamCheck::Outcome> &outcomes() const { return m_checks.outcomes(); }

private:
    void judgeNow(bool over)
    {
        const bool bufferingSeen = m_measured.bufferingSuspected;
        const std::optional<StreamMeasurements::Comparison> compared = m_measured.comparison;
        m_measured = measureStream(m_log, m_feed.now(), m_session.source().config().doneMarker);
        m_measured.bufferingSuspected = bufferingSeen;
        m_measured.comparison = compared;
        // Looking through the read history costs more than the rest: not at every read.
        if (m_checks.needsFindings() && (over || m_measured.elapsedMs - m_diagnosedMs >= kDiagnoseEveryMs)) {
            m_diagnosedMs = m_measured.elapsedMs;
            m_measured.bufferingSuspected =
                bufferingSeen || hasFinding(diagnose(m_log), Finding::Kind::BufferingSuspected);
        }
        // Pairing up the unpaired clicks walks the whole window: not at every read either.
        if (m_comparison
            && (over || !m_measured.comparison || m_measured.elapsedMs - m_comparedMs >= kCompareEveryMs)) {
            m_comparedMs = m_measured.elapsedMs;
            m_measured.comparison = measureComparison(*m_comparison, m_session.clockMs());
        }
        m_measured.over = over;
        printLines(m_checks.judge(m_measured));
    }
    void printLines(const QList<qsizetype> &decided) const
    {
        if (!m_printLines)
            return;
        for (const qsizetype i : decided) {
            const StreamCheck::Outcome &outcome = outcomes()[i];
            std::printf("%s %s (%s)\n", outcome.state == StreamCheck::State::Passed ? "PASS" : "FAIL",
                        qPrintable(checks()[i].text()), qPrintable(outcome.measured));
        }
        std::fflush(stdout);
    }

    CheckSet m_checks;
    StreamSession &m_session;
    AggregatorFeed &m_feed;
    const ConnectionLog &m_log;
    const StreamComparison *m_comparison;
    bool m_printLines;
    qint64 m_diagnosedMs = 0;
    qint64 m_comparedMs = 0;
    StreamMeasurements m_measured;
    QTimer m_tick;
};

QJsonObject jsonReport(const CheckRun &run, const QList<SourceConfig> &configs, bool streamFailed)
{
    const QUrl &url = configs.first().url;
    QJsonArray checks;
    for (qsizetype i = 0; i < run.checks().size(); ++i) {
        checks.append(QJsonObject{{QStringLiteral("check"), run.checks()[i].text()},
                                  {QStringLiteral("result"), QString::fromLatin1(stateName(run.outcomes()[i].state))},
                                  {QStringLiteral("measured"), run.outcomes()[i].measured}});
    }
    QJsonObject report{{QStringLiteral("url"), shownUrl(url)},
                       {QStringLiteral("passed"), run.failures() == 0 && !streamFailed},
                       {QStringLiteral("streamFailed"), streamFailed},
                       {QStringLiteral("seconds"), double(run.elapsedMs()) / 1000.0},
                       {QStringLiteral("checks"), checks}};
    if (configs.size() > 1)
        report.insert(QStringLiteral("comparedWith"), shownUrl(configs.at(1).url));
    return report;
}

// JUnit XML, the report CI servers read: one testcase per check, a failure with its value.
Result<void> writeJunit(const QString &path, const CheckRun &run, const QUrl &url)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return unexpected(QStringLiteral("cannot write '%1': %2").arg(path, file.errorString()));
    QXmlStreamWriter xml(&file);
    xml.setAutoFormatting(true);
    xml.writeStartDocument();
    xml.writeStartElement(QStringLiteral("testsuites"));
    xml.writeStartElement(QStringLiteral("testsuite"));
    xml.writeAttribute(QStringLiteral("name"), QStringLiteral("clickscope check %1").arg(shownUrl(url)));
    xml.writeAttribute(QStringLiteral("tests"), QString::number(run.checks().size()));
    xml.writeAttribute(QStringLiteral("failures"), QString::number(run.failures()));
    xml.writeAttribute(QStringLiteral("time"), QString::number(double(run.elapsedMs()) / 1000.0, 'f', 3));
    for (qsizetype i = 0; i < run.checks().size(); ++i) {
        xml.writeStartElement(QStringLiteral("testcase"));
        xml.writeAttribute(QStringLiteral("classname"), QStringLiteral("clickscope.check"));
        xml.writeAttribute(QStringLiteral("name"), run.checks()[i].text());
        if (run.outcomes()[i].state == StreamCheck::State::Failed) {
            xml.writeStartElement(QStringLiteral("failure"));
            xml.writeAttribute(
                QStringLiteral("message"),
                QStringLiteral("%1: measured %2").arg(run.checks()[i].text(), run.outcomes()[i].measured));
            xml.writeCharacters(run.outcomes()[i].measured);
            xml.writeEndElement();
        }
        xml.writeEndElement();
    }
    xml.writeEndElement();
    xml.writeEndElement();
    xml.writeEndDocument();
    if (xml.hasError() || !file.commit())
        return unexpected(QStringLiteral("cannot write '%1': %2").arg(path, file.errorString()));
    return {};
}

}   // namespace

int runCheck(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Checks a live stream against expectations and exits 0 when all hold, 1 when one fails, 2 on a usage error.\n"
        "Each check is decided as soon as the stream can no longer change it, the rest when the duration ends.\n"
        "Checks: status (=, e.g. status=200); events, gaps, duplicates, undecodable, reconnects (=, <=, <, >=, > a\n"
        "count); first-event, heartbeat (longest silence), latency.p99 (<= or < a time: 500ms, 2s); rate (events/s\n"
        "over the run: rate>=10/s); done (the end marker [DONE] arrives); content-type (the answer is\n"
        "text/event-stream); no-buffering (events do not arrive in bursts after silences, as `inspect` finds);\n"
        "same-events (with a second URL: both deliver the same clicks, paired as `watch --compare` pairs them;\n"
        "the other checks judge the first URL)."));
    ConnectionFlags connection;
    connection.addTo(parser);
    const QCommandLineOption expect(QStringLiteral("expect"),
                                    QStringLiteral("A check, e.g. gaps=0 or first-event<=2s (repeatable)."),
                                    QStringLiteral("CHECK"));
    const QCommandLineOption duration(
        QStringLiteral("duration"),
        QStringLiteral("Seconds to watch before deciding what is still open (default %1).")
            .arg(kDefaultDurationSeconds),
        QStringLiteral("S"));
    const QCommandLineOption map(QStringLiteral("map"),
                                 QStringLiteral("Reads a field from a JSON pointer, as watch does (repeatable)."),
                                 QStringLiteral("FIELD=POINTER"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Prints one JSON report at the end instead of lines."));
    const QCommandLineOption junit(QStringLiteral("junit"), QStringLiteral("Writes a JUnit XML report to FILE."),
                                   QStringLiteral("FILE"));
    parser.addOptions({expect, duration, map, json, junit});
    const CompareFlags compareFlags;
    compareFlags.addTo(parser);
    if (auto code = parseCommandLine(parser, arguments, kCommand,
                                     QStringLiteral("check [options] URL [SECOND-URL] --expect CHECK...")))
        return *code;

    Result<QList<SourceConfig>> configs = connection.readAll(parser, 2);
    if (!configs)
        return usageError(kCommand, configs.error());
    if (!parser.isSet(expect))
        return usageError(kCommand, QStringLiteral("no check given; add --expect, e.g. --expect gaps=0"));
    auto checks = StreamCheck::parseAll(parser.values(expect));
    if (!checks)
        return usageError(kCommand, QStringLiteral("--expect ") + checks.error());
    const bool comparing = CheckSet(*checks).needsComparison();
    if (comparing != (configs->size() == 2))
        return usageError(kCommand, comparing ? QStringLiteral("--expect same-events needs a second URL")
                                              : QStringLiteral("a second URL is for --expect same-events"));
    if (compareFlags.anySet(parser) && !comparing)
        return usageError(kCommand, CompareFlags::names() + QStringLiteral(" go with --expect same-events"));
    const Result<EventMatcher::Settings> matching = compareFlags.read(parser);
    if (!matching)
        return usageError(kCommand, matching.error());
    OptionReader read(parser);
    const double durationSeconds = read.positiveNumber(duration).value_or(kDefaultDurationSeconds);
    if (const Result<void> ok = read.result(); !ok)
        return usageError(kCommand, ok.error());
    const auto mapping = FieldMapping::parse(parser.values(map));
    if (!mapping)
        return usageError(kCommand, QStringLiteral("--map: ") + mapping.error());
    for (SourceConfig &config : *configs)
        prepareForChecks(config, *checks);
    const SourceConfig &config = configs->first();

    const std::optional<double> timeout = connection.timeoutSeconds(parser);
    StreamSession session(*configs, timeout ? std::min(*timeout, durationSeconds) : durationSeconds);
    std::vector<std::unique_ptr<ClickAggregator>> aggregators;
    std::vector<std::unique_ptr<AggregatorFeed>> feeds;
    for (qsizetype i = 0; i < session.sourceCount(); ++i) {
        aggregators.push_back(std::make_unique<ClickAggregator>(ClickAggregator::Settings{}, *mapping));
        aggregators.back()->setStreamLink(ClickAggregator::linkNamedBy(session.source(i).config().url));
        feeds.push_back(std::make_unique<AggregatorFeed>(session.source(i), *aggregators.back()));
    }
    AggregatorFeed &feed = *feeds.front();
    std::unique_ptr<StreamComparison> comparison;
    if (comparing)
        comparison = std::make_unique<StreamComparison>(*aggregators[0], *aggregators[1], *matching);
    const bool asJson = parser.isSet(json);
    ConnectionLog log(session.source(), 1);   // only the latest response's status is judged
    CheckRun run(std::move(*checks), session, feed, log, comparison.get(), !asJson);
    QObject::connect(&session, &StreamSession::finishing, &session, [&](int exitCode) {
        for (const auto &each : feeds)
            each->stop();
        if (session.interrupted())
            run.interrupt();
        else
            run.judge(true);
        // A stream that could not be read fails the run even when every check held.
        const bool streamFailed = exitCode != kExitOk;
        if (asJson) {
            const QByteArray out =
                QJsonDocument(jsonReport(run, *configs, streamFailed)).toJson(QJsonDocument::Indented);
            if (std::fwrite(out.constData(), 1, size_t(out.size()), stdout) != size_t(out.size()))
                session.markOutputFailed();
        }
        if (parser.isSet(junit)) {
            if (const Result<void> written = writeJunit(parser.value(junit), run, config.url); !written) {
                StreamSession::logLine(QStringLiteral("error: ") + written.error());
                session.markOutputFailed();
            }
        }
        StreamSession::logLine(QStringLiteral("%1 of %2 checks passed%3")
                                   .arg(run.checks().size() - run.failures())
                                   .arg(run.checks().size())
                                   .arg(streamFailed ? QStringLiteral(", but the stream failed") : QString()));
    });
    const int code = session.run();
    // The session's own code says whether the stream could be read; the checks say the rest.
    return run.failures() > 0 ? kExitStreamError : code;
}

}   // namespace Clickscope::Cli

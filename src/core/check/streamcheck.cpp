// SPDX-License-Identifier: MIT
#include "core/check/streamcheck.h"

#include "core/compare/streamcomparison.h"
#include "core/model/clickaggregator.h"
#include "core/source/httpexchange.h"
#include "core/text/ascii.h"
#include "core/xray/connectionlog.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace Clickscope {
namespace {

enum class Kind { Status, Count, Time, Rate, Flag };

struct MetricInfo
{
    const char *name;
    StreamCheck::Metric metric;
    Kind kind;
};

constexpr std::array kMetrics = {
    MetricInfo{"status", StreamCheck::Metric::Status, Kind::Status},
    MetricInfo{"events", StreamCheck::Metric::Events, Kind::Count},
    MetricInfo{"gaps", StreamCheck::Metric::Gaps, Kind::Count},
    MetricInfo{"duplicates", StreamCheck::Metric::Duplicates, Kind::Count},
    MetricInfo{"undecodable", StreamCheck::Metric::Undecodable, Kind::Count},
    MetricInfo{"reconnects", StreamCheck::Metric::Reconnects, Kind::Count},
    MetricInfo{"first-event", StreamCheck::Metric::FirstEvent, Kind::Time},
    MetricInfo{"heartbeat", StreamCheck::Metric::Heartbeat, Kind::Time},
    MetricInfo{"latency.p99", StreamCheck::Metric::LatencyP99, Kind::Time},
    MetricInfo{"rate", StreamCheck::Metric::Rate, Kind::Rate},
    MetricInfo{"done", StreamCheck::Metric::Done, Kind::Flag},
    MetricInfo{"content-type", StreamCheck::Metric::ContentType, Kind::Flag},
    MetricInfo{"no-buffering", StreamCheck::Metric::NoBuffering, Kind::Flag},
    MetricInfo{"same-events", StreamCheck::Metric::SameEvents, Kind::Flag},
};

// Longest first, so that "<=" is not read as "<" followed by "=".
constexpr std::array<std::pair<const char *, StreamCheck::Op>, 5> kOps = {{
    {"<=", StreamCheck::Op::AtMost},
    {">=", StreamCheck::Op::AtLeast},
    {"=", StreamCheck::Op::Equal},
    {"<", StreamCheck::Op::Below},
    {">", StreamCheck::Op::Above},
}};

const MetricInfo &infoOf(StreamCheck::Metric metric)
{
    for (const MetricInfo &info : kMetrics) {
        if (info.metric == metric)
            return info;
    }
    return kMetrics.back();
}

// A time: a number followed by "ms" or "s", in milliseconds.
std::optional<double> parseMilliseconds(QStringView text)
{
    double scale = 0;
    if (text.endsWith(u"ms")) {
        scale = 1;
        text.chop(2);
    } else if (text.endsWith(u's')) {
        scale = 1000;
        text.chop(1);
    } else {
        return std::nullopt;
    }
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < 0)
        return std::nullopt;
    return value * scale;
}

QString seconds(double ms) { return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 2); }

}   // namespace

StreamMeasurements measureStream(const ConnectionLog &log, const ClickAggregator &aggregate,
                                 const std::optional<QByteArray> &doneMarker)
{
    StreamMeasurements m;
    m.elapsedMs = log.nowMs();
    m.status = log.lastStatus();
    if (const std::optional<HttpExchange> &answer = log.lastAnswer()) {
        m.webSocketAccepted = answer->status == 101;
        if (!m.webSocketAccepted)
            m.contentType = QString::fromLatin1(answer->responseHeader("Content-Type"));
    }
    m.firstEventMs = log.firstEventMs();
    m.longestSilenceMs = log.longestSilenceMs();
    const Totals &totals = aggregate.totals();
    m.events = totals.events;
    m.gaps = totals.gaps;
    m.duplicates = totals.duplicates;
    m.undecodable = totals.undecodable;
    m.reconnects = totals.reconnects;
    if (aggregate.latency().count() > 0)
        m.latencyP99Ms = aggregate.latency().percentile(99);
    m.doneMarker = doneMarker && !log.attempts().empty() && log.attempts().back().ended
                   && log.attempts().back().endReason == StreamSource::endMarkerReason(*doneMarker);
    return m;
}

StreamMeasurements::Comparison measureComparison(const StreamComparison &comparison, qint64 nowMs)
{
    StreamMeasurements::Comparison c;
    c.countsOnly = comparison.countsOnly();
    c.counted = {comparison.seenClicks(0), comparison.seenClicks(1)};
    if (c.countsOnly)
        return c;
    const EventMatcher::Summary s = comparison.matcher().summary(nowMs, 0);
    c.keyed = {s.sides[0].clicks - s.sides[0].unkeyed, s.sides[1].clicks - s.sides[1].unkeyed};
    c.matched = s.matched;
    c.missingInSecond = s.sides[0].unmatched.missing;
    c.missingInFirst = s.sides[1].unmatched.missing;
    c.inFlight = s.sides[0].unmatched.pending + s.sides[1].unmatched.pending;
    return c;
}

StreamCheck::StreamCheck(Metric metric, Op op, double target, QString text)
    : m_metric(metric)
    , m_op(op)
    , m_target(target)
    , m_text(std::move(text))
{}

QString StreamCheck::knownNames()
{
    QStringList names;
    for (const MetricInfo &info : kMetrics)
        names << QString::fromLatin1(info.name);
    return names.join(QStringLiteral(", "));
}

Result<StreamCheck> StreamCheck::parse(const QString &expression)
{
    const QString text = expression.trimmed();
    qsizetype opAt = -1;
    for (qsizetype i = 0; i < text.size() && opAt < 0; ++i) {
        if (text[i] == u'<' || text[i] == u'>' || text[i] == u'=')
            opAt = i;
    }
    const QString name = (opAt < 0 ? text : text.left(opAt)).trimmed();
    const MetricInfo *info = nullptr;
    for (const MetricInfo &candidate : kMetrics) {
        if (name == QLatin1String(candidate.name))
            info = &candidate;
    }
    if (!info)
        return unexpected(QStringLiteral("'%1': unknown check '%2' (known: %3)").arg(text, name, knownNames()));
    if (info->kind == Kind::Flag) {
        if (opAt >= 0)
            return unexpected(QStringLiteral("'%1': '%2' takes no comparison").arg(text, name));
        return StreamCheck(info->metric, Op::Equal, 1, name);
    }
    if (opAt < 0)
        return unexpected(QStringLiteral("'%1': '%2' needs a comparison, e.g. %2%3")
                              .arg(text, name,
                                   info->kind == Kind::Status  ? QStringLiteral("=200")
                                   : info->kind == Kind::Count ? QStringLiteral("=0")
                                   : info->kind == Kind::Time  ? QStringLiteral("<=2s")
                                                               : QStringLiteral(">=10/s")));
    Op op = Op::Equal;
    QStringView rest = QStringView(text).sliced(opAt);
    for (const auto &[symbol, candidate] : kOps) {
        if (rest.startsWith(QLatin1String(symbol))) {
            op = candidate;
            rest = rest.sliced(qsizetype(qstrlen(symbol)));
            break;
        }
    }
    const QString opText = text.mid(opAt, text.size() - opAt - rest.size());
    rest = rest.trimmed();
    const auto refuseOp = [&](const char *allowed) {
        return unexpected(
            QStringLiteral("'%1': '%2' takes %3, not '%4'").arg(text, name, QLatin1String(allowed), opText));
    };
    double target = 0;
    switch (info->kind) {
    case Kind::Status: {
        if (op != Op::Equal)
            return refuseOp("=");
        bool ok = false;
        const int value = rest.toInt(&ok);
        if (!ok || value < 100 || value > 599)
            return unexpected(
                QStringLiteral("'%1': '%2' needs an HTTP status from 100 to 599, not '%3'").arg(text, name, rest));
        target = value;
        break;
    }
    case Kind::Count: {
        bool ok = false;
        const qint64 value = rest.toLongLong(&ok);
        if (!ok || value < 0)
            return unexpected(QStringLiteral("'%1': '%2' needs a whole number, not '%3'").arg(text, name, rest));
        target = double(value);
        break;
    }
    case Kind::Time: {
        if (op != Op::AtMost && op != Op::Below)
            return refuseOp("<= or <");
        const std::optional<double> ms = parseMilliseconds(rest);
        if (!ms)
            return unexpected(
                QStringLiteral("'%1': '%2' needs a time such as 500ms or 2s, not '%3'").arg(text, name, rest));
        target = *ms;
        break;
    }
    case Kind::Rate: {
        if (op == Op::Equal)
            return refuseOp(">=, >, <= or <");
        QStringView number = rest;
        if (number.endsWith(u"/s"))
            number.chop(2);
        bool ok = false;
        target = number.toDouble(&ok);
        if (!ok || !std::isfinite(target) || target < 0)
            return unexpected(
                QStringLiteral("'%1': '%2' needs events per second such as 10/s, not '%3'").arg(text, name, rest));
        break;
    }
    case Kind::Flag:
        break;
    }
    return StreamCheck(info->metric, op, target, name + opText + rest.toString());
}

Result<QList<StreamCheck>> StreamCheck::parseAll(const QStringList &expressions)
{
    QList<StreamCheck> checks;
    for (const QString &expression : expressions) {
        Result<StreamCheck> check = parse(expression);
        if (!check)
            return unexpected(check.error());
        checks.append(std::move(*check));
    }
    return checks;
}

bool StreamCheck::holds(double value) const
{
    switch (m_op) {
    case Op::Equal:
        return value == m_target;
    case Op::AtMost:
        return value <= m_target;
    case Op::Below:
        return value < m_target;
    case Op::AtLeast:
        return value >= m_target;
    case Op::Above:
        return value > m_target;
    }
    return false;
}

StreamCheck::Outcome StreamCheck::judge(const StreamMeasurements &m) const
{
    const auto decided = [](bool passed, QString measured) {
        return Outcome{passed ? State::Passed : State::Failed, std::move(measured)};
    };
    const auto pending = [](QString measured) { return Outcome{State::Pending, std::move(measured)}; };
    switch (infoOf(m_metric).kind) {
    case Kind::Status:
        if (m.status)
            return decided(holds(*m.status), QString::number(*m.status));
        return m.over ? decided(false, QStringLiteral("no response")) : pending(QString());
    case Kind::Count: {
        const quint64 count = m_metric == Metric::Events        ? m.events
                              : m_metric == Metric::Gaps        ? m.gaps
                              : m_metric == Metric::Duplicates  ? m.duplicates
                              : m_metric == Metric::Undecodable ? m.undecodable
                                                                : m.reconnects;
        const double value = double(count);
        const QString measured = QString::number(count);
        // No gap, duplicate or broken event among no events at all says nothing: a server that
        // never answered must not pass.
        const bool aboutEvents =
            m_metric == Metric::Gaps || m_metric == Metric::Duplicates || m_metric == Metric::Undecodable;
        if (m.over && aboutEvents && m.events == 0)
            return decided(false, QStringLiteral("no event arrived"));
        // A count only grows: once past an upper bound it stays failed, once over a lower bound
        // it stays passed.
        const bool upper = m_op == Op::Equal || m_op == Op::AtMost || m_op == Op::Below;
        const bool pastUpper = m_op == Op::Below ? value >= m_target : value > m_target;
        if (upper && pastUpper)
            return decided(false, measured);
        if (!upper && holds(value))
            return decided(true, measured);
        return m.over ? decided(holds(value), measured) : pending(measured);
    }
    case Kind::Time:
        if (m_metric == Metric::FirstEvent) {
            if (m.firstEventMs)
                return decided(holds(double(*m.firstEventMs)), seconds(double(*m.firstEventMs)));
            if (!holds(double(m.elapsedMs)) || m.over)
                return decided(false, QStringLiteral("none after %1").arg(seconds(double(m.elapsedMs))));
            return pending(QStringLiteral("none yet"));
        }
        if (m_metric == Metric::Heartbeat) {
            const QString measured = seconds(double(m.longestSilenceMs));
            if (!holds(double(m.longestSilenceMs)))
                return decided(false, measured);
            return m.over ? decided(true, measured) : pending(measured);
        }
        if (!m.over)
            return pending(m.latencyP99Ms ? QStringLiteral("%1 ms").arg(*m.latencyP99Ms, 0, 'f', 1) : QString());
        if (!m.latencyP99Ms)
            return decided(false, QStringLiteral("no click carried its time"));
        return decided(holds(*m.latencyP99Ms), QStringLiteral("%1 ms").arg(*m.latencyP99Ms, 0, 'f', 1));
    case Kind::Rate: {
        const double rate = m.elapsedMs > 0 ? double(m.events) * 1000.0 / double(m.elapsedMs) : 0.0;
        const QString measured = QStringLiteral("%1/s").arg(rate, 0, 'f', 1);
        return m.over ? decided(holds(rate), measured) : pending(measured);
    }
    case Kind::Flag:
        if (m_metric == Metric::ContentType) {
            if (m.webSocketAccepted)
                return decided(true, QStringLiteral("WebSocket"));
            if (m.contentType) {
                // Shown as measured, on a terminal too: what the server sent, without its control bytes.
                QByteArray shown = m.contentType->toLatin1();
                std::replace_if(
                    shown.begin(), shown.end(), [](char c) { return !Ascii::isPrintable(c); }, '?');
                return decided(HttpExchange::isEventStreamType(shown),
                               shown.isEmpty() ? QStringLiteral("none") : QString::fromLatin1(shown));
            }
            return m.over ? decided(false, QStringLiteral("no response")) : pending(QString());
        }
        if (m_metric == Metric::NoBuffering) {
            if (m.bufferingSuspected)
                return decided(false, QStringLiteral("events arrive in bursts"));
            if (m.over && m.events == 0)
                return decided(false, QStringLiteral("no event arrived"));
            return m.over ? decided(true, QStringLiteral("no bursts")) : pending(QString());
        }
        if (m_metric == Metric::SameEvents)
            return judgeSameEvents(m);
        if (m.doneMarker)
            return decided(true, QStringLiteral("arrived"));
        return m.over ? decided(false, QStringLiteral("did not arrive")) : pending(QString());
    }
    return pending(QString());
}

StreamCheck::Outcome StreamCheck::judgeSameEvents(const StreamMeasurements &m) const
{
    if (!m.comparison)
        return {State::Failed, QStringLiteral("needs a second stream")};
    const StreamMeasurements::Comparison &c = *m.comparison;
    if (c.countsOnly) {
        const QString measured = QStringLiteral("%1 clicks against %2 (a snapshot stream: counts compared)")
                                     .arg(c.counted[0])
                                     .arg(c.counted[1]);
        if (!m.over)
            return {State::Pending, measured};
        if (c.counted[0] == 0 && c.counted[1] == 0)
            return {State::Failed, QStringLiteral("no clicks to compare")};
        return {c.counted[0] == c.counted[1] ? State::Passed : State::Failed, measured};
    }
    // A click the other stream did not deliver in time stays missing: decided at once.
    const QString measured = QStringLiteral("%1 paired, %2 missing in the second, %3 missing in the first")
                                 .arg(c.matched)
                                 .arg(c.missingInSecond)
                                 .arg(c.missingInFirst);
    if (c.missingInFirst + c.missingInSecond > 0)
        return {State::Failed, measured};
    if (!m.over)
        return {State::Pending, measured};
    if (c.matched == 0) {
        // The usual reason: one stream delivered nothing (or nothing with a key) to pair.
        for (const std::size_t silent : {std::size_t(0), std::size_t(1)}) {
            if (c.keyed[silent] == 0 && c.keyed[1 - silent] > 0)
                return {State::Failed, QStringLiteral("the %1 stream delivered no clicks to pair (%2 from the %3)")
                                           .arg(silent == 0 ? QStringLiteral("first") : QStringLiteral("second"))
                                           .arg(c.keyed[1 - silent])
                                           .arg(silent == 0 ? QStringLiteral("second") : QStringLiteral("first"))};
        }
        return {State::Failed, QStringLiteral("no clicks to compare")};
    }
    // Clicks still on their way when the run ended had no chance to pair; said, not held against.
    return {State::Passed,
            c.inFlight > 0 ? measured + QStringLiteral(" (%1 still in flight at the end)").arg(c.inFlight) : measured};
}

void prepareForChecks(SourceConfig &config, const QList<StreamCheck> &checks)
{
    const bool wantsDone = std::any_of(checks.cbegin(), checks.cend(),
                                       [](const StreamCheck &c) { return c.metric() == StreamCheck::Metric::Done; });
    if (wantsDone && !config.doneMarker)
        config.doneMarker = QByteArray("[DONE]");
}

CheckSet::CheckSet(QList<StreamCheck> checks) : m_checks(std::move(checks)), m_outcomes(m_checks.size()) {}

QList<qsizetype> CheckSet::judge(const StreamMeasurements &measured)
{
    QList<qsizetype> decided;
    for (qsizetype i = 0; i < m_checks.size(); ++i) {
        if (m_outcomes[i].state != StreamCheck::State::Pending)
            continue;
        m_outcomes[i] = m_checks[i].judge(measured);
        if (m_outcomes[i].state != StreamCheck::State::Pending)
            decided.append(i);
    }
    return decided;
}

QList<qsizetype> CheckSet::interrupt()
{
    QList<qsizetype> decided;
    for (qsizetype i = 0; i < m_checks.size(); ++i) {
        if (m_outcomes[i].state == StreamCheck::State::Pending) {
            m_outcomes[i] = {StreamCheck::State::Failed, QStringLiteral("interrupted before it was decided")};
            decided.append(i);
        }
    }
    return decided;
}

bool CheckSet::anyPending() const
{
    return std::any_of(m_outcomes.cbegin(), m_outcomes.cend(),
                       [](const StreamCheck::Outcome &o) { return o.state == StreamCheck::State::Pending; });
}

int CheckSet::failures() const
{
    return int(std::count_if(m_outcomes.cbegin(), m_outcomes.cend(),
                             [](const StreamCheck::Outcome &o) { return o.state == StreamCheck::State::Failed; }));
}

bool CheckSet::needsComparison() const
{
    return std::any_of(m_checks.cbegin(), m_checks.cend(),
                       [](const StreamCheck &check) { return check.metric() == StreamCheck::Metric::SameEvents; });
}

bool CheckSet::needsFindings() const
{
    return std::any_of(m_checks.cbegin(), m_checks.cend(),
                       [](const StreamCheck &check) { return check.metric() == StreamCheck::Metric::NoBuffering; });
}

}   // namespace Clickscope

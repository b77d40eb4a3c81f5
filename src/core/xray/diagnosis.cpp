// SPDX-License-Identifier: MIT
#include "core/xray/diagnosis.h"

#include <QJsonArray>
#include <QMap>

#include <algorithm>

namespace Clickscope {
namespace {

QString seconds(qint64 ms) { return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1); }

QString origin(const QUrl &url)
{
    return QStringLiteral("%1://%2%3")
        .arg(url.scheme().toLower(), url.host().toLower(),
             url.port(-1) < 0 ? QString() : QStringLiteral(":%1").arg(url.port()));
}

bool sameOrigin(const QUrl &a, const QUrl &b) { return origin(a) == origin(b); }

// The answer an attempt ended with: its last exchange, unless that was a redirect.
const HttpExchange *answerOf(const ConnectionAttempt &attempt)
{
    if (attempt.exchanges.isEmpty() || attempt.exchanges.back().isRedirect())
        return nullptr;
    return &attempt.exchanges.back();
}

// The latest attempt that got an answer: what the server says now.
const HttpExchange *latestAnswer(const std::deque<ConnectionAttempt> &attempts)
{
    for (auto it = attempts.crbegin(); it != attempts.crend(); ++it) {
        if (const HttpExchange *answer = answerOf(*it))
            return answer;
    }
    return nullptr;
}

void authFailure(const std::deque<ConnectionAttempt> &attempts, QList<Finding> &out)
{
    const HttpExchange *answer = latestAnswer(attempts);
    if (!answer || (answer->status != 401 && answer->status != 403))
        return;
    Finding f{Finding::Kind::AuthFailure, Finding::Severity::Error, {}, {}, true};
    const bool sentCredentials = std::any_of(answer->requestHeaders.cbegin(), answer->requestHeaders.cend(),
                                             [](const HttpHeader &h) { return isCredentialHeader(h.first); });
    f.statement = answer->status == 401
                      ? QStringLiteral("the server wants credentials (HTTP 401)%1")
                            .arg(sentCredentials ? QStringLiteral(": the ones sent were refused (expired token?)")
                                                 : QStringLiteral(" and none were sent"))
                      : QStringLiteral("the server refuses these credentials access to the stream (HTTP 403)");
    f.evidence << QStringLiteral("HTTP %1 %2 from %3")
                      .arg(answer->status)
                      .arg(QString::fromLatin1(answer->reason), shownUrl(answer->url));
    if (const QByteArray challenge = answer->responseHeader("WWW-Authenticate"); !challenge.isEmpty())
        f.evidence << QStringLiteral("WWW-Authenticate: %1").arg(QString::fromLatin1(challenge));
    f.evidence << (sentCredentials ? QStringLiteral("an Authorization or Cookie header was sent")
                                   : QStringLiteral("no Authorization or Cookie header was sent"));
    out.append(f);
}

void wrongContentType(const std::deque<ConnectionAttempt> &attempts, QList<Finding> &out)
{
    const HttpExchange *answer = latestAnswer(attempts);
    if (!answer || answer->status != 200)
        return;
    const QByteArray type = answer->responseHeader("Content-Type");
    if (HttpExchange::isEventStreamType(type))
        return;
    Finding f{Finding::Kind::WrongContentType, Finding::Severity::Error, {}, {}, true};
    f.statement = QStringLiteral("the server answers with %1, not text/event-stream: it is not sending an event stream")
                      .arg(type.isEmpty() ? QStringLiteral("no Content-Type")
                                          : QStringLiteral("Content-Type '%1'").arg(QString::fromLatin1(type)));
    f.evidence << QStringLiteral("HTTP 200 from %1").arg(shownUrl(answer->url));
    f.evidence << QStringLiteral("Content-Type: %1").arg(QString::fromLatin1(type));
    out.append(f);
}

void crossOriginRedirect(const std::deque<ConnectionAttempt> &attempts, QList<Finding> &out)
{
    for (auto it = attempts.crbegin(); it != attempts.crend(); ++it) {
        for (const HttpExchange &hop : it->exchanges) {
            if (!hop.isRedirect())
                continue;
            const QUrl target = hop.url.resolved(QUrl::fromEncoded(hop.responseHeader("Location")));
            if (!target.isValid() || sameOrigin(hop.url, target))
                continue;
            const bool credentials = std::any_of(hop.requestHeaders.cbegin(), hop.requestHeaders.cend(),
                                                 [](const HttpHeader &h) { return isCredentialHeader(h.first); });
            Finding f{Finding::Kind::CrossOriginRedirect,
                      credentials ? Finding::Severity::Warning : Finding::Severity::Info,
                      {},
                      {},
                      true};
            f.statement =
                QStringLiteral("the stream is redirected to another origin, %1%2")
                    .arg(origin(target),
                         credentials ? QStringLiteral(": the credentials sent are not sent there") : QString());
            f.evidence
                << QStringLiteral("HTTP %1 from %2 to %3").arg(hop.status).arg(shownUrl(hop.url), shownUrl(target));
            out.append(f);
            return;   // the latest one says it
        }
    }
}

void buffering(const std::deque<ConnectionAttempt> &attempts, const std::deque<ReadSample> &samples,
               const DiagnosisSettings &settings, QList<Finding> &out)
{
    const QList<Burst> bursts = findBursts(samples, settings);
    quint64 events = 0;
    for (const ReadSample &sample : samples)
        events += sample.events;
    quint64 burstEvents = 0;
    for (const Burst &burst : bursts)
        burstEvents += burst.events;
    if (bursts.isEmpty() || bursts.size() < settings.bufferingBursts || burstEvents * 2 < events)
        return;
    QList<qint64> spacing;
    for (qsizetype i = 1; i < bursts.size(); ++i)
        spacing.append(bursts[i].atMs - bursts[i - 1].atMs);
    std::nth_element(spacing.begin(), spacing.begin() + spacing.size() / 2, spacing.end());
    const qint64 typicalSpacing = spacing.isEmpty() ? 0 : spacing[spacing.size() / 2];

    Finding f{Finding::Kind::BufferingSuspected, Finding::Severity::Warning, {}, {}, false};
    f.statement = QStringLiteral("%1 events arrived in %2 bursts ~%3 apart: something between the server and you "
                                 "holds them back (a proxy, compression)")
                      .arg(burstEvents)
                      .arg(bursts.size())
                      .arg(seconds(typicalSpacing));
    f.evidence << QStringLiteral("%1 of the %2 events in the last %3 reads came in bursts of %4 or more after %5 "
                                 "or more of silence")
                      .arg(burstEvents)
                      .arg(events)
                      .arg(samples.size())
                      .arg(settings.burstMinEvents)
                      .arg(seconds(settings.burstSilenceMs));
    if (const HttpExchange *answer = latestAnswer(attempts)) {
        if (const QByteArray encoding = answer->responseHeader("Content-Encoding"); !encoding.isEmpty())
            f.evidence << QStringLiteral("Content-Encoding: %1: a compressed stream is often held until a block fills")
                              .arg(QString::fromLatin1(encoding));
        if (const QByteArray via = answer->responseHeader("Via"); !via.isEmpty())
            f.evidence << QStringLiteral("Via: %1: a proxy is in the path").arg(QString::fromLatin1(via));
        if (answer->version == "HTTP/1.0")
            f.evidence << QStringLiteral("an HTTP/1.0 response, delimited by closing the connection");
        if (answer->responseHeader("X-Accel-Buffering").trimmed().compare("no", Qt::CaseInsensitive) != 0)
            f.evidence << QStringLiteral("no 'X-Accel-Buffering: no' in the response (nginx buffers without it)");
    }
    // Ongoing when the newest reads still come that way.
    f.ongoing = bursts.back().atMs >= samples.back().atMs - 2 * typicalSpacing;
    out.append(f);
}

void heartbeatMissing(const std::deque<ConnectionAttempt> &attempts, qint64 nowMs, const DiagnosisSettings &settings,
                      QList<Finding> &out)
{
    for (auto it = attempts.crbegin(); it != attempts.crend(); ++it) {
        const ConnectionAttempt &attempt = *it;
        if (attempt.heartbeats.count < settings.heartbeatMinIntervals)
            continue;
        const qint64 interval = attempt.heartbeats.meanMs();
        const qint64 limit = std::max(interval * settings.heartbeatFactor, settings.heartbeatMinSilenceMs);
        const std::optional<qint64> heard = attempt.lastHeardMs();
        // The silence that was still going on at its end (or now, for an open one).
        const qint64 until = attempt.ended ? attempt.startedMs + attempt.endedMs.value_or(0) : nowMs;
        const qint64 trailing = heard ? until - *heard : 0;
        const qint64 silence = std::max(trailing, attempt.longestSilenceMs);
        if (silence <= limit)
            continue;
        Finding f{Finding::Kind::HeartbeatMissing, Finding::Severity::Warning, {}, {}, false};
        f.ongoing = !attempt.ended && trailing > limit;
        f.statement = f.ongoing ? QStringLiteral("no byte for %1 although heartbeats came every ~%2: the server or "
                                                 "the path to it has stalled")
                                      .arg(seconds(trailing), seconds(interval))
                                : QStringLiteral("attempt %1 went silent for %2 although heartbeats came every ~%3")
                                      .arg(attempt.number)
                                      .arg(seconds(silence), seconds(interval));
        f.evidence << QStringLiteral("%1 heartbeat intervals: last %2, mean %3, longest %4")
                          .arg(attempt.heartbeats.count)
                          .arg(seconds(attempt.heartbeats.lastMs), seconds(interval),
                               seconds(attempt.heartbeats.maxMs));
        f.evidence << QStringLiteral("silence allowed: %1 × the mean interval").arg(settings.heartbeatFactor);
        if (attempt.ended)
            f.evidence << QStringLiteral("it ended: %1").arg(attempt.endReason);
        out.append(f);
        return;
    }
}

void reconnectStorm(const std::deque<ConnectionAttempt> &attempts, qint64 nowMs, const DiagnosisSettings &settings,
                    QList<Finding> &out)
{
    // The most reconnects (attempts after the first) that began within one window.
    int most = 0;
    qsizetype mostEndsAt = 0;
    qsizetype from = 0;
    for (qsizetype to = 0; to < qsizetype(attempts.size()); ++to) {
        if (attempts[to].number == 1) {
            from = to + 1;
            continue;
        }
        while (from < to && attempts[to].startedMs - attempts[from].startedMs >= settings.stormWindowMs)
            ++from;
        if (int(to - from + 1) > most) {
            most = int(to - from + 1);
            mostEndsAt = to;
        }
    }
    if (most < settings.stormReconnects)
        return;
    const ConnectionAttempt &last = attempts[size_t(mostEndsAt)];
    const qint64 window = last.startedMs - attempts[size_t(mostEndsAt - most + 1)].startedMs;
    std::optional<qint64> retry;
    QMap<QString, int> reasons;
    for (qsizetype i = std::max<qsizetype>(mostEndsAt - most, 0); i < mostEndsAt; ++i) {
        const ConnectionAttempt &ended = attempts[size_t(i)];
        if (ended.serverRetryMs)
            retry = ended.serverRetryMs;
        if (ended.ended)
            ++reasons[ended.endReason];
    }
    Finding f{Finding::Kind::ReconnectStorm, Finding::Severity::Warning, {}, {}, false};
    // Still going on when the last window holds a storm too, however long ago the worst was.
    const auto recent = std::count_if(attempts.cbegin(), attempts.cend(), [&](const ConnectionAttempt &a) {
        return a.number > 1 && nowMs - a.startedMs < settings.stormWindowMs;
    });
    f.ongoing = recent >= settings.stormReconnects;
    f.statement = QStringLiteral("%1 reconnects within %2%3")
                      .arg(most)
                      .arg(seconds(std::max<qint64>(window, 1)),
                           retry ? QStringLiteral(": the server ends the stream and its retry of %1 ms brings "
                                                  "every client straight back")
                                       .arg(*retry)
                                 : QStringLiteral(": the stream keeps ending soon after it opens"));
    if (retry)
        f.evidence << QStringLiteral("the server's retry: %1 ms").arg(*retry);
    QList<std::pair<int, QString>> ranked;
    for (auto it = reasons.cbegin(); it != reasons.cend(); ++it)
        ranked.append({it.value(), it.key()});
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (qsizetype i = 0; i < std::min<qsizetype>(ranked.size(), 3); ++i)
        f.evidence << QStringLiteral("%1× ended: %2").arg(ranked[i].first).arg(ranked[i].second);
    out.append(f);
}

void replayOnReconnect(const std::deque<ConnectionAttempt> &attempts, QList<Finding> &out)
{
    std::optional<quint64> highest;
    QStringList cases;
    bool withoutLastEventId = false;
    const ConnectionAttempt *latestCase = nullptr;
    for (const ConnectionAttempt &attempt : attempts) {
        bool ok = false;
        const quint64 first = attempt.firstId.toULongLong(&ok);
        const bool sent = attempt.lastEventIdSent && !attempt.lastEventIdSent->isEmpty();
        // The id an event without one of its own inherits is the one the attempt resumed from.
        const bool inherited = sent && attempt.firstId == *attempt.lastEventIdSent;
        if (ok && highest && attempt.number > 1 && first <= *highest && !inherited) {
            withoutLastEventId = withoutLastEventId || !sent;
            latestCase = &attempt;
            cases << QStringLiteral("attempt %1 began at id %2 after id %3 had arrived; Last-Event-ID sent: %4")
                         .arg(attempt.number)
                         .arg(first)
                         .arg(*highest)
                         .arg(sent ? QString::fromUtf8(*attempt.lastEventIdSent) : QStringLiteral("none"));
        }
        if (attempt.highestNumericId)
            highest = std::max(highest.value_or(0), *attempt.highestNumericId);
    }
    if (!latestCase)
        return;
    Finding f{Finding::Kind::ReplayOnReconnect, Finding::Severity::Warning, {}, {}, latestCase == &attempts.back()};
    f.statement = withoutLastEventId
                      ? QStringLiteral("events came again after %1 reconnect(s) without Last-Event-ID: counted as "
                                       "replayed, not as new")
                            .arg(cases.size())
                      : QStringLiteral("the server ignores Last-Event-ID and replays from an earlier id after "
                                       "reconnects (%1 times): counted as replayed, not as new")
                            .arg(cases.size());
    f.evidence = cases.mid(std::max<qsizetype>(0, cases.size() - 3));
    out.append(f);
}

}   // namespace

QString Finding::nameOf(Kind kind)
{
    switch (kind) {
    case Kind::AuthFailure:
        return QStringLiteral("auth-failure");
    case Kind::WrongContentType:
        return QStringLiteral("wrong-content-type");
    case Kind::BufferingSuspected:
        return QStringLiteral("buffering-suspected");
    case Kind::HeartbeatMissing:
        return QStringLiteral("heartbeat-missing");
    case Kind::ReconnectStorm:
        return QStringLiteral("reconnect-storm");
    case Kind::ReplayOnReconnect:
        return QStringLiteral("replay-on-reconnect");
    case Kind::CrossOriginRedirect:
        return QStringLiteral("cross-origin-redirect");
    }
    return {};
}

QString Finding::nameOf(Severity severity)
{
    switch (severity) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        return QStringLiteral("error");
    }
    return {};
}

QJsonObject Finding::toJson() const
{
    return {{QStringLiteral("finding"), nameOf(kind)},
            {QStringLiteral("severity"), nameOf(severity)},
            {QStringLiteral("statement"), statement},
            {QStringLiteral("evidence"), QJsonArray::fromStringList(evidence)},
            {QStringLiteral("ongoing"), ongoing}};
}

QList<Burst> findBursts(const std::deque<ReadSample> &samples, const DiagnosisSettings &settings)
{
    QList<Burst> bursts;
    // The group of reads being gathered: its start, its events, and the silence before it.
    Burst group;
    qint64 silenceBefore = -1;   // unknown for an attempt's first read: it follows the connect
    const auto closeGroup = [&] {
        if (silenceBefore >= settings.burstSilenceMs && group.events >= settings.burstMinEvents
            && group.spanMs <= settings.burstMaxSpanMs)
            bursts.append(group);
    };
    const ReadSample *previous = nullptr;
    for (const ReadSample &sample : samples) {
        const bool sameAttempt = previous && previous->attempt == sample.attempt;
        if (sameAttempt && sample.atMs - previous->atMs <= settings.burstJoinMs) {
            group.events += sample.events;
            group.spanMs = sample.atMs - group.atMs;
        } else {
            if (previous)
                closeGroup();
            silenceBefore = sameAttempt ? sample.atMs - previous->atMs : -1;
            group = {sample.atMs, sample.events, 0};
        }
        previous = &sample;
    }
    if (previous)
        closeGroup();
    return bursts;
}

bool hasFinding(const QList<Finding> &findings, Finding::Kind kind)
{
    return std::any_of(findings.cbegin(), findings.cend(), [kind](const Finding &f) { return f.kind == kind; });
}

QList<Finding> diagnose(const std::deque<ConnectionAttempt> &attempts, const std::deque<ReadSample> &samples,
                        qint64 nowMs, const DiagnosisSettings &settings)
{
    QList<Finding> findings;
    authFailure(attempts, findings);
    wrongContentType(attempts, findings);
    buffering(attempts, samples, settings, findings);
    heartbeatMissing(attempts, nowMs, settings, findings);
    reconnectStorm(attempts, nowMs, settings, findings);
    replayOnReconnect(attempts, findings);
    crossOriginRedirect(attempts, findings);
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding &a, const Finding &b) { return int(a.severity) > int(b.severity); });
    return findings;
}

QList<Finding> diagnose(const ConnectionLog &log, const DiagnosisSettings &settings)
{
    return diagnose(log.attempts(), log.samples(), log.nowMs(), settings);
}

}   // namespace Clickscope

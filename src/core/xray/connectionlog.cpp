// SPDX-License-Identifier: MIT
#include "core/xray/connectionlog.h"

#include <QJsonArray>

#include <algorithm>

namespace Clickscope {
namespace {

// A source follows at most this many redirects; a hostile server cannot grow an attempt more.
constexpr qsizetype kMaxExchanges = 21;

}   // namespace

QJsonObject ConnectionAttempt::toJson() const
{
    QJsonArray hops;
    for (const HttpExchange &exchange : exchanges)
        hops.append(exchange.toJson());
    QJsonObject json{{QStringLiteral("attempt"), qint64(number)},
                     {QStringLiteral("startedMs"), startedMs},
                     {QStringLiteral("exchanges"), hops},
                     {QStringLiteral("events"), qint64(events)},
                     {QStringLiteral("comments"), qint64(comments)},
                     {QStringLiteral("longestSilenceMs"), longestSilenceMs}};
    if (firstEventMs)
        json.insert(QStringLiteral("firstEventMs"), *firstEventMs);
    if (ended)
        json.insert(QStringLiteral("endReason"), endReason);
    if (nextDelayMs)
        json.insert(QStringLiteral("nextDelayMs"), *nextDelayMs);
    return json;
}

ConnectionLog::ConnectionLog(StreamSource &source, qsizetype keptAttempts, QObject *parent)
    : QObject(parent)
    , m_keptAttempts(std::max<qsizetype>(1, keptAttempts))
    , m_streamUrl(source.config().url)
{
    m_clock.start();
    connect(&source, &StreamSource::attemptStarted, this, &ConnectionLog::start);
    connect(&source, &StreamSource::stateChanged, this, [this](StreamSource::State state) {
        if (state == StreamSource::State::Closed)
            end(QStringLiteral("closed"), std::nullopt);
    });
    connect(&source, &StreamSource::exchangeRecorded, this, [this](const HttpExchange &exchange) {
        ConnectionAttempt *attempt = current();
        if (!attempt || attempt->exchanges.size() >= kMaxExchanges)
            return;
        attempt->exchanges.append(exchange);
        if (exchange.status < 300 || exchange.status >= 400)
            m_lastStatus = exchange.status;
        emit exchangeAdded(*attempt, exchange);
    });
    connect(&source, &StreamSource::eventsReceived, this,
            [this](const QList<SseEvent> &events) { arrived(true, events.size()); });
    connect(&source, &StreamSource::commentsReceived, this, [this](quint64 total) {
        arrived(false, qsizetype(total - m_commentsSeen));
        m_commentsSeen = total;
    });
    connect(&source, &StreamSource::reconnectScheduled, this,
            [this](qint64 delayMs, const QString &reason) { end(reason, delayMs); });
    connect(&source, &StreamSource::ended, this, [this](const QString &reason) { end(reason, std::nullopt); });
    connect(&source, &StreamSource::failed, this,
            [this](StreamSource::Error, const QString &message) { end(message, std::nullopt); });
}

ConnectionAttempt *ConnectionLog::current() { return m_attempts.empty() ? nullptr : &m_attempts.back(); }

void ConnectionLog::start()
{
    if (ConnectionAttempt *attempt = current(); attempt && !attempt->ended)
        end(QStringLiteral("replaced by a new attempt"), std::nullopt);
    if (qsizetype(m_attempts.size()) >= m_keptAttempts)
        m_attempts.pop_front();
    ConnectionAttempt attempt;
    attempt.number = ++m_count;
    attempt.startedMs = m_clock.elapsed();
    m_attempts.push_back(std::move(attempt));
    m_attemptClock.start();
    m_lastArrivalMs = 0;
    emit attemptStarted(m_attempts.back());
}

void ConnectionLog::arrived(bool event, qsizetype count)
{
    ConnectionAttempt *attempt = current();
    if (!attempt || attempt->ended)
        return;
    const qint64 now = m_attemptClock.elapsed();
    attempt->longestSilenceMs = std::max(attempt->longestSilenceMs, now - m_lastArrivalMs);
    m_lastArrivalMs = now;
    if (event) {
        attempt->events += quint64(count);
        if (!attempt->firstEventMs)
            attempt->firstEventMs = now;
    } else {
        attempt->comments += quint64(count);
    }
}

void ConnectionLog::end(const QString &reason, std::optional<qint64> nextDelayMs)
{
    ConnectionAttempt *attempt = current();
    if (!attempt || attempt->ended)
        return;
    attempt->ended = true;
    // Messages quote the URLs they are about; shown, those lose their secrets like the rest.
    QList<QUrl> urls{m_streamUrl};
    for (const HttpExchange &exchange : std::as_const(attempt->exchanges))
        urls.append(exchange.url);
    attempt->endReason = maskUrls(reason, urls);
    attempt->nextDelayMs = nextDelayMs;
    emit attemptEnded(*attempt);
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/xray/connectionlog.h"

#include <QJsonArray>

#include <algorithm>
#include <cstring>

namespace Clickscope {
namespace {

// A source follows at most this many redirects; a hostile server cannot grow an attempt more.
constexpr qsizetype kMaxExchanges = 21;

std::optional<quint64> numericId(QByteArrayView id)
{
    bool ok = false;
    const quint64 value = id.toULongLong(&ok);
    return ok ? std::optional<quint64>(value) : std::nullopt;
}

}   // namespace

void IntervalStats::add(qint64 ms)
{
    ++count;
    lastMs = ms;
    maxMs = std::max(maxMs, ms);
    sumMs += ms;
}

std::optional<qint64> ConnectionAttempt::lastHeardMs() const
{
    if (lastArrivalMs)
        return startedMs + *lastArrivalMs;
    if (openedMs)
        return startedMs + *openedMs;
    return std::nullopt;
}

QJsonObject ConnectionAttempt::toJson() const
{
    QJsonArray hops;
    for (const HttpExchange &exchange : exchanges)
        hops.append(exchange.toJson());
    QJsonObject json{{QStringLiteral("attempt"), qint64(number)},
                     {QStringLiteral("startedMs"), startedMs},
                     {QStringLiteral("exchanges"), hops},
                     {QStringLiteral("bytes"), qint64(bytes)},
                     {QStringLiteral("events"), qint64(events)},
                     {QStringLiteral("comments"), qint64(comments)},
                     {QStringLiteral("longestSilenceMs"), longestSilenceMs}};
    const auto insertTime = [&json](const char *name, const std::optional<qint64> &ms) {
        if (ms)
            json.insert(QLatin1String(name), *ms);
    };
    insertTime("openedMs", openedMs);
    insertTime("firstByteMs", firstByteMs);
    insertTime("firstEventMs", firstEventMs);
    insertTime("endedMs", endedMs);
    if (heartbeats.count > 0) {
        json.insert(QStringLiteral("heartbeatIntervalMs"), QJsonObject{{QStringLiteral("last"), heartbeats.lastMs},
                                                                       {QStringLiteral("mean"), heartbeats.meanMs()},
                                                                       {QStringLiteral("max"), heartbeats.maxMs}});
    }
    if (!firstId.isEmpty())
        json.insert(QStringLiteral("firstId"), QString::fromUtf8(firstId));
    if (!lastId.isEmpty())
        json.insert(QStringLiteral("lastId"), QString::fromUtf8(lastId));
    if (lastEventIdSent)
        json.insert(QStringLiteral("lastEventIdSent"), QString::fromUtf8(*lastEventIdSent));
    if (ended)
        json.insert(QStringLiteral("endReason"), endReason);
    insertTime("nextDelayMs", nextDelayMs);
    insertTime("serverRetryMs", serverRetryMs);
    return json;
}

ConnectionLog::ConnectionLog(StreamSource &source, qsizetype keptAttempts, qsizetype keptSamples, QObject *parent)
    : QObject(parent)
    , m_source(&source)
    , m_keptAttempts(std::max<qsizetype>(1, keptAttempts))
    , m_keptSamples(std::max<qsizetype>(1, keptSamples))
    , m_streamUrl(source.config().url)
{
    m_clock.start();
    connect(&source, &StreamSource::attemptStarted, this, &ConnectionLog::start);
    connect(&source, &StreamSource::stateChanged, this, [this](StreamSource::State state) {
        if (state == StreamSource::State::Closed) {
            end(QStringLiteral("closed"), std::nullopt);
        } else if (state == StreamSource::State::Open) {
            if (ConnectionAttempt *attempt = current(); attempt && !attempt->ended && !attempt->openedMs) {
                attempt->openedMs = m_attemptClock.elapsed();
                // An empty sample marks the opening: the wait for the first read is a silence too.
                addSample({attempt->startedMs + *attempt->openedMs, attempt->number, 0, 0, 0});
            }
        }
    });
    connect(&source, &StreamSource::exchangeRecorded, this, [this](const HttpExchange &exchange) {
        ConnectionAttempt *attempt = current();
        if (!attempt || attempt->exchanges.size() >= kMaxExchanges)
            return;
        HttpExchange kept = exchange;
        keepWithinBudget(*attempt, kept);
        if (attempt->exchanges.isEmpty()) {
            for (const auto &[name, value] : exchange.requestHeaders) {
                if (name.compare("Last-Event-ID", Qt::CaseInsensitive) == 0)
                    attempt->lastEventIdSent = value.left(kMaxIdBytes);
            }
        }
        attempt->exchanges.append(kept);
        if (!kept.isRedirect())
            m_lastAnswer = kept;
        emit exchangeAdded(*attempt, kept);
    });
    connect(&source, &StreamSource::eventsReceived, this, [this](const SseBatch &events) { arrived(&events, 0); });
    connect(&source, &StreamSource::commentsReceived, this, [this](quint64 total) {
        arrived(nullptr, qsizetype(total - m_commentsSeen));
        m_commentsSeen = total;
    });
    connect(&source, &StreamSource::reconnectScheduled, this,
            [this](qint64 delayMs, const QString &reason) { end(reason, delayMs); });
    connect(&source, &StreamSource::ended, this, [this](const QString &reason) { end(reason, std::nullopt); });
    connect(&source, &StreamSource::failed, this,
            [this](StreamSource::Error, const QString &message) { end(message, std::nullopt); });
}

qint64 ConnectionLog::longestSilenceMs() const
{
    qint64 longest = m_longestSilenceMs;
    if (!m_attempts.empty() && !m_attempts.back().ended) {
        if (const std::optional<qint64> heard = m_attempts.back().lastHeardMs())
            longest = std::max(longest, nowMs() - *heard);
    }
    return longest;
}

void ConnectionLog::keepWithinBudget(ConnectionAttempt &attempt, HttpExchange &exchange)
{
    // A redirect target may be as long as a response head allows; the X-ray keeps its start.
    if (const QByteArray encoded = exchange.url.toEncoded(); encoded.size() > kMaxUrlBytes)
        exchange.url = QUrl::fromEncoded(encoded.left(kMaxUrlBytes));
    exchange.reason.truncate(kMaxReasonBytes);
    qsizetype size = 0;
    for (const HttpExchange &earlier : std::as_const(attempt.exchanges))
        size += earlier.keptBytes();
    // Beyond the attempt's budget (a long chain of redirects with big heads), headers go.
    if (size + exchange.keptBytes() > kMaxExchangeBytesPerAttempt) {
        exchange.requestHeaders.clear();
        exchange.responseHeaders.removeIf([](const HttpHeader &h) { return h.first != "Location"; });
        for (auto &[name, value] : exchange.responseHeaders)
            value.truncate(kMaxUrlBytes);
    }
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
    m_lastHeartbeatMs.reset();
    emit attemptStarted(m_attempts.back());
}

void ConnectionLog::arrived(const SseBatch *events, qsizetype comments)
{
    // The byte count moves on even when no attempt takes it, so the next read is not charged.
    const quint64 totalBytes = m_source ? m_source->totalBytes() : m_bytesSeen;
    const quint64 bytes = totalBytes - m_bytesSeen;
    m_bytesSeen = totalBytes;
    ConnectionAttempt *attempt = current();
    if (!attempt || attempt->ended)
        return;
    const qint64 now = m_attemptClock.elapsed();
    const qint64 heardBefore = attempt->lastArrivalMs.value_or(attempt->openedMs.value_or(now));
    attempt->longestSilenceMs = std::max(attempt->longestSilenceMs, now - heardBefore);
    m_longestSilenceMs = std::max(m_longestSilenceMs, attempt->longestSilenceMs);
    attempt->lastArrivalMs = now;
    attempt->bytes += bytes;
    if (!attempt->firstByteMs)
        attempt->firstByteMs = now;
    const qsizetype eventCount = events ? events->size() : 0;
    if (events && !events->isEmpty()) {
        attempt->events += quint64(eventCount);
        if (!attempt->firstEventMs)
            attempt->firstEventMs = now;
        if (!m_firstEventMs)
            m_firstEventMs = attempt->startedMs + now;
        noteIds(*attempt, *events);
    }
    if (comments > 0) {
        attempt->comments += quint64(comments);
        if (m_lastHeartbeatMs)
            attempt->heartbeats.add(now - *m_lastHeartbeatMs);
        m_lastHeartbeatMs = now;
    }
    addSample({attempt->startedMs + now, attempt->number, quint32(std::min<qsizetype>(eventCount, UINT32_MAX)),
               quint32(std::min<qsizetype>(comments, UINT32_MAX)), bytes});
}

void ConnectionLog::addSample(const ReadSample &read)
{
    if (!m_samples.empty() && m_samples.back().atMs == read.atMs && m_samples.back().attempt == read.attempt) {
        ReadSample &sample = m_samples.back();
        sample.events = quint32(std::min<quint64>(quint64(sample.events) + read.events, UINT32_MAX));
        sample.comments = quint32(std::min<quint64>(quint64(sample.comments) + read.comments, UINT32_MAX));
        sample.bytes += read.bytes;
        return;
    }
    if (qsizetype(m_samples.size()) >= m_keptSamples)
        m_samples.pop_front();
    m_samples.push_back(read);
}

void ConnectionLog::noteIds(ConnectionAttempt &attempt, const SseBatch &events)
{
    // The first and the last event of a read: ids that restart show at an attempt's start, and a
    // read's last id is its highest in any stream that counts up. An event's id carries on to
    // the events after it, so a read whose last event has none has none at all.
    if (events.last().lastEventId().isEmpty())
        return;
    if (attempt.firstId.isEmpty()) {
        for (const SseEventView event : events) {
            if (!event.lastEventId().isEmpty()) {
                attempt.firstId =
                    event.lastEventId().first(std::min(event.lastEventId().size(), kMaxIdBytes)).toByteArray();
                break;
            }
        }
    }
    const QByteArrayView last = events.last().lastEventId();
    // Copied into the buffer it already has: one read does not cost an allocation.
    const qsizetype size = std::min(last.size(), kMaxIdBytes);
    attempt.lastId.resize(size);
    std::memcpy(attempt.lastId.data(), last.data(), size_t(size));
    if (const std::optional<quint64> value = numericId(last))
        attempt.highestNumericId = std::max(attempt.highestNumericId.value_or(0), *value);
}

void ConnectionLog::end(const QString &reason, std::optional<qint64> nextDelayMs)
{
    ConnectionAttempt *attempt = current();
    if (!attempt || attempt->ended)
        return;
    attempt->ended = true;
    attempt->endedMs = m_attemptClock.elapsed();
    // A silence that lasted to the end (an idle timeout, a stall) is the attempt's too.
    if (attempt->openedMs) {
        const qint64 heard = attempt->lastArrivalMs.value_or(*attempt->openedMs);
        attempt->longestSilenceMs = std::max(attempt->longestSilenceMs, *attempt->endedMs - heard);
        m_longestSilenceMs = std::max(m_longestSilenceMs, attempt->longestSilenceMs);
    }
    // Messages quote the URLs they are about; shown, those lose their secrets like the rest.
    QList<QUrl> urls{m_streamUrl};
    for (const HttpExchange &exchange : std::as_const(attempt->exchanges))
        urls.append(exchange.url);
    attempt->endReason = maskUrls(reason, urls).left(kMaxReasonChars);
    attempt->nextDelayMs = nextDelayMs;
    if (m_source)
        attempt->serverRetryMs = m_source->reconnectPolicy().serverRetryMs();
    emit attemptEnded(*attempt);
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/httpexchange.h"
#include "core/source/streamsource.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <deque>
#include <optional>

namespace Clickscope {

// Intervals between consecutive arrivals of one kind (heartbeat comments): the last, the mean
// and the longest.
struct IntervalStats
{
    quint64 count = 0;
    qint64 lastMs = 0;
    qint64 maxMs = 0;
    qint64 sumMs = 0;

    void add(qint64 ms);
    qint64 meanMs() const { return count ? sumMs / qint64(count) : 0; }
};

// One network read of a stream as it arrived: what it carried and when (an empty one marks the
// moment a connection opened). The X-ray keeps a ring of these to see how events are delivered
// (steadily, or in bursts after silences).
struct ReadSample
{
    qint64 atMs = 0;   // since the log began
    quint64 attempt = 0;
    quint32 events = 0;
    quint32 comments = 0;
    quint64 bytes = 0;   // since the previous read
};

// One connection attempt of a stream, as the X-ray shows it: the requests it sent (redirect
// hops, then the answer), what arrived while it was open, and how it ended.
struct ConnectionAttempt
{
    quint64 number = 0;                    // 1 for the first attempt of the source
    qint64 startedMs = 0;                  // since the log began
    QList<HttpExchange> exchanges;         // bounded: at most a source's redirects plus one
    std::optional<qint64> openedMs;        // since the attempt started: the stream was accepted
    std::optional<qint64> firstByteMs;     // since the attempt started
    std::optional<qint64> firstEventMs;    // since the attempt started
    std::optional<qint64> lastArrivalMs;   // since the attempt started: the latest read
    quint64 bytes = 0;
    quint64 events = 0;
    quint64 comments = 0;
    IntervalStats heartbeats;      // between reads that carried comments
    qint64 longestSilenceMs = 0;   // between arrivals while it was open
    // The ids of its first and latest events (capped), the highest numeric id, and the
    // Last-Event-ID it asked to resume from: what says whether a reconnect replays.
    QByteArray firstId;
    QByteArray lastId;
    std::optional<quint64> highestNumericId;
    std::optional<QByteArray> lastEventIdSent;
    bool ended = false;
    std::optional<qint64> endedMs;         // since the attempt started
    QString endReason;                     // why it ended ("idle for 30 s: no data", "end marker …")
    std::optional<qint64> nextDelayMs;     // the wait before the next attempt, when there is one
    std::optional<qint64> serverRetryMs;   // the stream's `retry` in force when it ended

    // When it last heard from the server (the latest read, else the moment it opened), since
    // the log began; nothing for an attempt that never opened.
    std::optional<qint64> lastHeardMs() const;
    QJsonObject toJson() const;
};

// The X-ray's record of a stream's connection attempts, from the source's signals: a bounded
// history (the newest `keptAttempts`, and the newest `keptSamples` reads) and a signal for each
// step, so a reader can show them as they happen. Lives in the source's thread.
class ConnectionLog : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype kDefaultKeptAttempts = 100;
    static constexpr qsizetype kDefaultKeptSamples = 10'000;
    static constexpr qsizetype kMaxIdBytes = 64;
    // What one attempt may hold, so that a hostile server cannot grow the X-ray: URLs and
    // reasons are cut, and past a budget redirect hops keep no headers but Location.
    static constexpr qsizetype kMaxUrlBytes = 2048;
    static constexpr qsizetype kMaxReasonBytes = 256;
    static constexpr qsizetype kMaxReasonChars = 1024;   // why an attempt ended
    static constexpr qsizetype kMaxExchangeBytesPerAttempt = 64 * 1024;

    explicit ConnectionLog(StreamSource &source, qsizetype keptAttempts = kDefaultKeptAttempts,
                           qsizetype keptSamples = kDefaultKeptSamples, QObject *parent = nullptr);

    const std::deque<ConnectionAttempt> &attempts() const { return m_attempts; }
    const std::deque<ReadSample> &samples() const { return m_samples; }
    quint64 attemptCount() const { return m_count; }
    // The latest response that was not a redirect (the stream's answer), if one came.
    const std::optional<HttpExchange> &lastAnswer() const { return m_lastAnswer; }
    std::optional<int> lastStatus() const
    {
        return m_lastAnswer ? std::optional<int>(m_lastAnswer->status) : std::nullopt;
    }
    // Milliseconds since the log began: the clock of every time in it.
    qint64 nowMs() const { return m_clock.elapsed(); }
    // When the stream's first event arrived, since the log began; kept when its attempt is not.
    std::optional<qint64> firstEventMs() const { return m_firstEventMs; }
    // The longest wait for the next byte while a connection was open, the current one included.
    qint64 longestSilenceMs() const;

signals:
    void attemptStarted(const Clickscope::ConnectionAttempt &attempt);
    void exchangeAdded(const Clickscope::ConnectionAttempt &attempt, const Clickscope::HttpExchange &exchange);
    void attemptEnded(const Clickscope::ConnectionAttempt &attempt);

private:
    ConnectionAttempt *current();
    void start();
    void arrived(const SseBatch *events, qsizetype comments);
    void noteIds(ConnectionAttempt &attempt, const SseBatch &events);
    static void keepWithinBudget(ConnectionAttempt &attempt, HttpExchange &exchange);
    // Reads within one millisecond make one sample: at most a thousand a second, so the ring
    // spans at least ten seconds of a stream however fast it reads.
    void addSample(const ReadSample &read);
    void end(const QString &reason, std::optional<qint64> nextDelayMs);

    QPointer<StreamSource> m_source;
    qsizetype m_keptAttempts;
    qsizetype m_keptSamples;
    std::deque<ConnectionAttempt> m_attempts;
    std::deque<ReadSample> m_samples;
    quint64 m_count = 0;
    std::optional<HttpExchange> m_lastAnswer;
    std::optional<qint64> m_firstEventMs;
    qint64 m_longestSilenceMs = 0;             // of every attempt, those no longer kept included
    QElapsedTimer m_clock;                     // since the log began
    QElapsedTimer m_attemptClock;              // since the current attempt began
    std::optional<qint64> m_lastHeartbeatMs;   // in the current attempt
    quint64 m_commentsSeen = 0;                // the source's running total
    quint64 m_bytesSeen = 0;                   // the source's running total
    QUrl m_streamUrl;
};

}   // namespace Clickscope

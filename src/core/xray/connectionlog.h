// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/httpexchange.h"
#include "core/source/streamsource.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

#include <deque>
#include <optional>

namespace Clickscope {

// One connection attempt of a stream, as the X-ray shows it: the requests it sent (redirect
// hops, then the answer), what arrived while it was open, and how it ended.
struct ConnectionAttempt
{
    quint64 number = 0;                   // 1 for the first attempt of the source
    qint64 startedMs = 0;                 // since the log began
    QList<HttpExchange> exchanges;        // bounded: at most a source's redirects plus one
    std::optional<qint64> firstEventMs;   // since the attempt started
    quint64 events = 0;
    quint64 comments = 0;
    qint64 longestSilenceMs = 0;   // between arrivals while it was open
    bool ended = false;
    QString endReason;                   // why it ended ("idle for 30 s: no data", "end marker …")
    std::optional<qint64> nextDelayMs;   // the wait before the next attempt, when there is one

    QJsonObject toJson() const;
};

// The X-ray's record of a stream's connection attempts, from the source's signals: a bounded
// history (the newest `keptAttempts`) and a signal for each step, so a reader can show them as
// they happen. Lives in the source's thread.
class ConnectionLog : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype kDefaultKeptAttempts = 100;

    explicit ConnectionLog(StreamSource &source, qsizetype keptAttempts = kDefaultKeptAttempts,
                           QObject *parent = nullptr);

    const std::deque<ConnectionAttempt> &attempts() const { return m_attempts; }
    quint64 attemptCount() const { return m_count; }
    // The status of the latest response that was not a redirect; nothing before one came.
    std::optional<int> lastStatus() const { return m_lastStatus; }

signals:
    void attemptStarted(const Clickscope::ConnectionAttempt &attempt);
    void exchangeAdded(const Clickscope::ConnectionAttempt &attempt, const Clickscope::HttpExchange &exchange);
    void attemptEnded(const Clickscope::ConnectionAttempt &attempt);

private:
    ConnectionAttempt *current();
    void start();
    void arrived(bool event, qsizetype count);
    void end(const QString &reason, std::optional<qint64> nextDelayMs);

    qsizetype m_keptAttempts;
    std::deque<ConnectionAttempt> m_attempts;
    quint64 m_count = 0;
    std::optional<int> m_lastStatus;
    QElapsedTimer m_clock;          // since the log began
    QElapsedTimer m_attemptClock;   // since the current attempt began
    qint64 m_lastArrivalMs = 0;     // in the current attempt
    quint64 m_commentsSeen = 0;     // the source's running total
    QUrl m_streamUrl;
};

}   // namespace Clickscope

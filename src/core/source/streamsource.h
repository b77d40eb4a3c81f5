// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/httpexchange.h"
#include "core/source/reconnectpolicy.h"
#include "core/source/sourceconfig.h"
#include "core/sse/ssebatch.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

namespace Clickscope {

// What the rest of the app sees of a live stream, whatever carries it. Events arrive in batches,
// one signal per network read, never one per event.
//
// The connection lifecycle is shared: open() schedules the first attempt, transports report each
// ended attempt through retryOrStop() or fail(), and the reconnection delay follows the
// ReconnectPolicy. Attempts that fail to open, and connections that end within
// kShortLivedMs of opening, count as consecutive failures and back off; a connection that
// lasted longer resets them. An attempt that has not opened after `connectTimeoutMs` (no
// connection, or no response head) is given up and counts as a failure.
class StreamSource : public QObject
{
    Q_OBJECT
public:
    enum class State { Connecting, Open, Closed };
    Q_ENUM(State)

    // What rawReceived() carries.
    enum class RawKind { StreamBytes, TextMessage, BinaryMessage };
    Q_ENUM(RawKind)

    enum class Error {
        NoError,
        InvalidUrl,    // malformed, unsupported scheme, no host
        HttpStatus,    // anything but 200 (204 is a clean stop, not an error)
        ContentType,   // not text/event-stream
        Network,       // refused, reset, timed out … with reconnection off
        Recording,     // a recording that cannot be read (a replay)
    };
    Q_ENUM(Error)

    static constexpr qint64 kShortLivedMs = 1000;
    // What a source lets the network layer read ahead of the parser. Beyond it the socket is not
    // read, so TCP slows a sender faster than we are: a reader falls behind, never buffers.
    static constexpr qint64 kReadAheadBytes = 1024 * 1024;

    explicit StreamSource(SourceConfig config, QObject *parent = nullptr);

    const SourceConfig &config() const { return m_config; }
    State state() const { return m_state; }
    Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }

    quint64 totalBytes() const { return m_bytesReceived; }
    quint64 totalEvents() const { return m_eventsReceived; }
    quint64 reconnectCount() const { return m_reconnects; }

    const ReconnectPolicy &reconnectPolicy() const { return m_policy; }

    // The reason ended() gives when the stream's end marker arrived.
    static QString endMarkerReason(const QByteArray &marker)
    {
        return QStringLiteral("end marker %1 received").arg(QString::fromUtf8(marker));
    }

    // The time, in ms since the epoch, at which what arrives now arrived: the wall clock for a live
    // stream, the recorded time for a replay.
    virtual qint64 clockMs() const;

    // Where the reading stands in the stream's bytes, for a recording begun now: at the start of
    // an event it needs nothing before; otherwise it joins at the next one. Message transports are
    // always between events.
    struct ReadPosition
    {
        bool atEventBoundary = true;
        bool atLineStart = true;
        bool afterCr = false;   // the last byte was a CR: a LF next ends no further line
    };
    virtual ReadPosition readPosition() const { return {}; }

    // Starts connecting; returns at once. Failures, even of a bad URL, arrive as signals.
    void open();
    // Stops at once: no signal about this connection is emitted after it returns (but
    // stateChanged(Closed)). Safe from any slot, including one connected to this object.
    virtual void close() { stop(); }

signals:
    void stateChanged(Clickscope::StreamSource::State state);
    // A connection attempt begins: the first, and each one after a reconnection delay.
    void attemptStarted();
    void eventsReceived(const Clickscope::SseBatch &events);
    // What arrived, before it is parsed: the bytes of one read of an event stream (after transfer
    // and content decoding), or one WebSocket message. For recording; emitted before the events
    // these bytes hold.
    void rawReceived(const QByteArray &bytes, Clickscope::StreamSource::RawKind kind);
    // Comment lines (heartbeats): the running total and the text of the latest one.
    void commentsReceived(quint64 total, const QString &lastComment);
    void reconnectScheduled(qint64 delayMs, const QString &reason);
    // A request and its response head (every redirect hop, then the answer), for the X-ray.
    void exchangeRecorded(const Clickscope::HttpExchange &exchange);
    // Data the stream sent that was dropped unread because it exceeds a limit (an SSE line or
    // event over SseParser's cap): how many events this time, and why.
    void eventsDiscarded(quint64 count, const QString &reason);
    // A fatal error; the source is Closed and will not reconnect.
    void failed(Clickscope::StreamSource::Error error, const QString &message);
    // The stream ended cleanly and will not reconnect (a 204, the end marker, the server's close
    // with reconnection off), and why; then Closed. Not emitted for close().
    void ended(const QString &reason);

protected:
    // One connection attempt. It ends in markOpen(), retryOrStop() or fail().
    virtual void connectNow() = 0;
    // Lets go of the current connection, if any, so that nothing of it reaches us any more.
    virtual void dropConnection() = 0;

    void markOpen();
    // The attempt ended: reconnect after the policy's delay, or, with reconnection off, stop
    // (cleanly when `errorIfStopping` is NoError). `failedToOpen` counts towards the backoff.
    void retryOrStop(const QString &reason, Error errorIfStopping, bool failedToOpen);
    // Fatal: failed(), then Closed, never reconnecting.
    void fail(Error error, const QString &message);
    // Closed, without an error; a non-empty `reason` is announced with ended().
    void stop(const QString &reason = {});
    ReconnectPolicy &policy() { return m_policy; }

    void setState(State state);
    void setError(Error error, const QString &message);
    void countBytes(qint64 n) { m_bytesReceived += quint64(n); }
    void countEvents(qsizetype n) { m_eventsReceived += quint64(n); }
    void countReconnect() { ++m_reconnects; }

    SourceConfig m_config;

private:
    void startAttempt();
    void connectTimedOut();

    ReconnectPolicy m_policy;
    QTimer m_reconnectTimer;
    QTimer m_connectTimer;
    QElapsedTimer m_openedAt;
    int m_consecutiveFailures = 0;
    State m_state = State::Closed;
    Error m_error = Error::NoError;
    QString m_errorString;
    quint64 m_bytesReceived = 0;
    quint64 m_eventsReceived = 0;
    quint64 m_reconnects = 0;
};

}   // namespace Clickscope

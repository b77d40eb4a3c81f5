// SPDX-License-Identifier: MIT
#include "core/source/streamsource.h"

#include "core/logging.h"

#include <QDateTime>
#include <QPointer>

#include <algorithm>
#include <limits>

namespace Clickscope {

StreamSource::StreamSource(SourceConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_policy(ReconnectPolicy::Settings{m_config.defaultRetryMs, m_config.maxRetryMs, 0.25})
{
    qRegisterMetaType<SseBatch>();
    qRegisterMetaType<HttpExchange>();
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &StreamSource::startAttempt);
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, &StreamSource::connectTimedOut);
}

void StreamSource::open()
{
    if (m_state != State::Closed)
        return;
    setError(Error::NoError, {});
    m_consecutiveFailures = 0;
    setState(State::Connecting);
    // Even a bad URL is reported from the event loop, so callers can connect signals after open().
    m_reconnectTimer.start(0);
}

void StreamSource::startAttempt()
{
    const QPointer<StreamSource> self(this);
    emit attemptStarted();
    if (!self || m_state != State::Connecting)
        return;   // deleted or closed by a receiver
    if (m_config.connectTimeoutMs > 0)
        m_connectTimer.start(m_config.connectTimeoutMs);
    connectNow();
}

void StreamSource::connectTimedOut()
{
    if (m_state != State::Connecting)
        return;
    dropConnection();
    retryOrStop(QStringLiteral("no response within %1 s").arg(m_config.connectTimeoutMs / 1000.0), Error::Network,
                true);
}

void StreamSource::markOpen()
{
    m_connectTimer.stop();
    m_openedAt.start();
    setState(State::Open);
}

void StreamSource::retryOrStop(const QString &reason, Error errorIfStopping, bool failedToOpen)
{
    m_connectTimer.stop();
    // A connection that ends as soon as it opened is no better than one that did not open.
    const bool shortLived = !failedToOpen && m_openedAt.isValid() && m_openedAt.elapsed() < kShortLivedMs;
    m_openedAt.invalidate();
    if (failedToOpen || shortLived)
        ++m_consecutiveFailures;
    else
        m_consecutiveFailures = 0;
    if (!m_config.reconnect) {
        if (errorIfStopping == Error::NoError)
            stop(reason);
        else
            fail(errorIfStopping, reason);
        return;
    }
    const qint64 delay = m_policy.delayMs(m_consecutiveFailures);
    QString why = maskUrls(reason, {m_config.url});
    if (m_consecutiveFailures >= 2)
        why += QStringLiteral(" (backing off: %1 attempts in a row failed or ended within %2 s)")
                   .arg(m_consecutiveFailures)
                   .arg(kShortLivedMs / 1000);
    if (const auto asked = m_policy.clampedServerRetryMs())
        why += QStringLiteral(" (the server's retry of %1 ms is capped at %2 ms)")
                   .arg(*asked)
                   .arg(ReconnectPolicy::kMaxServerRetryMs);
    qCDebug(lcSource) << "reconnecting in" << delay << "ms:" << why;
    countReconnect();
    setState(State::Connecting);
    m_reconnectTimer.start(int(std::min<qint64>(delay, std::numeric_limits<int>::max())));
    emit reconnectScheduled(delay, why);
}

void StreamSource::fail(Error error, const QString &text)
{
    const QString message = maskUrls(text, {m_config.url});
    dropConnection();
    m_reconnectTimer.stop();
    m_connectTimer.stop();
    setError(error, message);
    qCDebug(lcSource) << "failed:" << message;
    QPointer<StreamSource> self(this);
    emit failed(error, message);
    if (self)
        setState(State::Closed);
}

void StreamSource::stop(const QString &text)
{
    const QString reason = maskUrls(text, {m_config.url});
    dropConnection();
    m_reconnectTimer.stop();
    m_connectTimer.stop();
    if (!reason.isEmpty() && m_state != State::Closed) {
        QPointer<StreamSource> self(this);
        emit ended(reason);
        if (!self)
            return;
    }
    setState(State::Closed);
}

void StreamSource::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void StreamSource::setError(Error error, const QString &message)
{
    m_error = error;
    m_errorString = message;
}

qint64 StreamSource::clockMs() const { return QDateTime::currentMSecsSinceEpoch(); }

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "streamsource.h"

#include "logging.h"

#include <QPointer>

#include <algorithm>
#include <limits>

namespace Clickscope {

StreamSource::StreamSource(SourceConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_policy(ReconnectPolicy::Settings{m_config.defaultRetryMs, m_config.maxRetryMs, 0.25})
{
    qRegisterMetaType<QList<SseEvent>>();
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, [this] { connectNow(); });
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

void StreamSource::markOpen()
{
    m_consecutiveFailures = 0;
    setState(State::Open);
}

void StreamSource::retryOrStop(const QString &reason, Error errorIfStopping, bool failedToOpen)
{
    if (failedToOpen)
        ++m_consecutiveFailures;
    if (!m_config.reconnect) {
        if (errorIfStopping == Error::NoError)
            stop();
        else
            fail(errorIfStopping, reason);
        return;
    }
    const qint64 delay = m_policy.delayMs(m_consecutiveFailures);
    qCDebug(lcSource) << "reconnecting in" << delay << "ms:" << reason;
    countReconnect();
    setState(State::Connecting);
    m_reconnectTimer.start(int(std::min<qint64>(delay, std::numeric_limits<int>::max())));
    emit reconnectScheduled(delay, reason);
}

void StreamSource::fail(Error error, const QString &message)
{
    dropConnection();
    m_reconnectTimer.stop();
    setError(error, message);
    qCDebug(lcSource) << "failed:" << message;
    QPointer<StreamSource> self(this);
    emit failed(error, message);
    if (self)
        setState(State::Closed);
}

void StreamSource::stop()
{
    dropConnection();
    m_reconnectTimer.stop();
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

} // namespace Clickscope

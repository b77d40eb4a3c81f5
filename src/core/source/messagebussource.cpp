// SPDX-License-Identifier: MIT
#include "core/source/messagebussource.h"

#include "core/logging.h"
#include "core/text/utf8.h"

#include <algorithm>
#include <string>
#include <utility>

namespace Clickscope {
namespace {

constexpr QByteArrayView kEventType = "message";

}   // namespace

MessageBusSource::MessageBusSource(SourceConfig config, QString serverName, QObject *parent)
    : StreamSource(std::move(config), parent)
    , m_serverName(std::move(serverName))
{
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &MessageBusSource::idleTimedOut);
    m_probeTimer.setSingleShot(true);
    connect(&m_probeTimer, &QTimer::timeout, this, [this] {
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
            probe();
    });
}

MessageBusSource::~MessageBusSource() { MessageBusSource::dropConnection(); }

void MessageBusSource::connectTo(const QString &host, quint16 port)
{
    MessageBusSource::dropConnection();
    ++m_generation;
    m_batch.clear();
    // A QSslSocket speaks in the clear until told otherwise: one kind of socket for both.
    m_socket.reset(new QSslSocket);
    QSslSocket *socket = m_socket.get();
    socket->setReadBufferSize(kReadAheadBytes);
    connect(socket, &QSslSocket::connected, this, [this] { connected(); });
    connect(socket, &QSslSocket::encrypted, this, [this] { tlsStarted(); });
    connect(socket, &QSslSocket::readyRead, this, &MessageBusSource::socketReadyRead);
    connect(socket, &QSslSocket::disconnected, this,
            [this] { connectionEnded(QStringLiteral("the %1 server closed the connection").arg(m_serverName)); });
    connect(socket, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError || !m_socket)
            return;
        const QString reason = m_socket->errorString();
        const bool tls = error == QAbstractSocket::SslHandshakeFailedError || error == QAbstractSocket::SslInternalError
                         || error == QAbstractSocket::SslInvalidUserDataError;
        if (!tls)
            connectionEnded(reason);
        else if (!m_socket->sslHandshakeErrors().isEmpty())   // its certificate refused
            connectionFailed(QStringLiteral("TLS with the %1 server failed: %2").arg(m_serverName, reason));
        else   // cut during the handshake, a bad record, a refusal of ours: as any broken connection
            connectionEnded(QStringLiteral("TLS with the %1 server broke: %2").arg(m_serverName, reason));
    });
    if (m_config.idleTimeout() > 0)
        m_idleTimer.start(m_config.idleTimeout());
    qCDebug(lcSource) << "connecting to" << m_serverName << host << port;
    socket->connectToHost(host, port);
}

void MessageBusSource::dropConnection()
{
    m_idleTimer.stop();
    m_probeTimer.stop();
    m_socket.reset();
}

void MessageBusSource::send(const QByteArray &bytes)
{
    if (m_socket)
        m_socket->write(bytes);
}

void MessageBusSource::socketReadyRead()
{
    // Slots may close or even delete us, and a transport may end the connection: stop touching
    // anything once either happened.
    const Liveness live = liveness();
    while (isCurrent(live) && m_socket->bytesAvailable() > 0) {
        m_readBuffer.resize(kReadAheadBytes);
        const qint64 n = m_socket->read(m_readBuffer.data(), m_readBuffer.size());
        if (n <= 0)
            return;
        countBytes(n);
        noteActivity();
        if (!received(QByteArrayView(m_readBuffer).first(n)) || !flushBatch())
            return;
    }
}

bool MessageBusSource::addEvent(const QByteArray &id, QByteArray payload)
{
    // A bus carries bytes; an SseEvent promises well-formed UTF-8.
    if (!Utf8::isValid(payload)) {
        std::string clean;
        Utf8::appendSanitized(payload, clean);
        payload = QByteArray(clean.data(), qsizetype(clean.size()));
    }
    if (payload.size() > m_config.limits.maxEventBytes)
        return discardOversize(payload.size());
    if (m_config.doneMarker && payload == *m_config.doneMarker) {
        if (flushBatch())
            stop(endMarkerReason(*m_config.doneMarker));
        return false;
    }
    // What is recorded is what is delivered: the payload as the event carries it.
    const Liveness live = liveness();
    emit rawReceived(payload, RawKind::TextMessage);
    if (!isCurrent(live))
        return false;   // a receiver closed or deleted us
    m_batch.append(kEventType, id, payload);
    return true;
}

bool MessageBusSource::discardOversize(qsizetype bytes)
{
    const Liveness live = liveness();
    emit eventsDiscarded(1, QStringLiteral("a message of %1 bytes, over the limit of %2, was dropped")
                                .arg(bytes)
                                .arg(m_config.limits.maxEventBytes));
    return isCurrent(live);
}

bool MessageBusSource::flushBatch()
{
    if (m_batch.isEmpty())
        return state() != State::Closed;
    const SseBatch batch = m_batch.take();
    countEvents(batch.size());
    // A reconnection resumes after what was delivered, not after what was only received.
    delivered(batch);
    const QPointer<MessageBusSource> self(this);
    const quint64 generation = m_generation;
    emit eventsReceived(batch);
    return self && m_generation == generation && state() != State::Closed;
}

void MessageBusSource::noteActivity()
{
    const int idle = m_config.idleTimeout();
    if (idle <= 0 || !m_socket)
        return;
    m_idleTimer.start(idle);
    if (m_probing)
        m_probeTimer.start(std::max(1, idle / 3));
}

void MessageBusSource::idleTimedOut()
{
    const bool wasOpen = state() == State::Open;
    if (!flushBatch())
        return;
    dropConnection();
    retryOrStop(QStringLiteral("no data for %1 ms").arg(m_config.idleTimeout()), Error::Network, !wasOpen);
}

void MessageBusSource::connectionEnded(const QString &reason)
{
    if (!m_socket)
        return;
    const bool wasOpen = state() == State::Open;
    if (!flushBatch())
        return;
    dropConnection();
    retryOrStop(reason, Error::Network, !wasOpen);
}

void MessageBusSource::connectionFailed(const QString &reason)
{
    if (!flushBatch())
        return;
    dropConnection();
    fail(Error::Network, reason);
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/ws/websocketsource.h"

#include "core/logging.h"
#include "core/text/utf8.h"

#include <QNetworkRequest>
#include <QPointer>
#include <QWebSocket>

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace Clickscope {
namespace {

// WebSocket messages carry no event type; "message" is what an EventSource gives untyped events,
// so consumers handle both transports alike.
constexpr QByteArrayView kEventType = "message";

bool isWebSocketScheme(const QUrl &url)
{
    const QString scheme = url.scheme();
    return scheme.compare(u"ws", Qt::CaseInsensitive) == 0 || scheme.compare(u"wss", Qt::CaseInsensitive) == 0;
}

}   // namespace

void WebSocketSource::SocketDeleter::operator()(QWebSocket *socket) const
{
    // A close frame tells the server we left on purpose; a socket that is not (or no longer)
    // connected has nothing to say goodbye on.
    if (socket->state() == QAbstractSocket::ConnectedState)
        socket->close(QWebSocketProtocol::CloseCodeNormal);
    else
        socket->abort();
    // Later, not now: we may be inside one of the socket's own signals.
    socket->deleteLater();
}

WebSocketSource::WebSocketSource(SourceConfig config, QObject *parent) : StreamSource(std::move(config), parent)
{
    m_idleTimer.setSingleShot(true);
    m_pingTimer.setSingleShot(true);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->ping();
    });
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_idleTimer, &QTimer::timeout, this, &WebSocketSource::idleTimedOut);
    connect(&m_flushTimer, &QTimer::timeout, this, &WebSocketSource::flushBatch);
}

WebSocketSource::~WebSocketSource() { dropSocket(Goodbye::Close); }

void WebSocketSource::close()
{
    dropSocket(Goodbye::Close);   // with a close frame: the server learns we left on purpose
    stop();
}

void WebSocketSource::sendTextMessage(const QString &message)
{
    if (state() != State::Open || !m_socket)
        return;
    m_socket->sendTextMessage(message);
}

void WebSocketSource::connectNow()
{
    if (const Result<void> usable = checkStreamUrl(m_config.url); !usable) {
        fail(Error::InvalidUrl, usable.error());
        return;
    }
    if (!isWebSocketScheme(m_config.url)) {
        fail(Error::InvalidUrl,
             QStringLiteral("'%1' is not a WebSocket URL; use ws:// or wss://").arg(shownUrl(m_config.url)));
        return;
    }
    dropSocket(Goodbye::Abort);   // normally none is left; a stale one must not signal us
    m_batch.clear();

    // The handshake is an HTTP request, so the configured headers (Authorization …) go with it.
    QNetworkRequest request(m_config.url);
    for (const auto &[name, value] : std::as_const(m_config.headers))
        request.setRawHeader(name, value);

    m_socket.reset(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, nullptr));
    QWebSocket *socket = m_socket.get();
    // Qt refuses a larger frame or message before buffering it (closing with 1009), so one huge
    // message cannot take the memory that maxEventBytes promises to bound.
    const auto cap = quint64(std::max<qsizetype>(m_config.limits.maxEventBytes, 0));
    socket->setMaxAllowedIncomingFrameSize(cap);
    socket->setMaxAllowedIncomingMessageSize(cap);
    socket->setReadBufferSize(kReadAheadBytes);   // Qt reads a larger frame in parts (tested)
    connect(socket, &QWebSocket::connected, this, &WebSocketSource::socketConnected);
    connect(socket, &QWebSocket::disconnected, this, &WebSocketSource::socketDisconnected);
    connect(socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            &WebSocketSource::socketError);
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &message) { messageReceived(message.toUtf8(), true); });
    connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this](const QByteArray &message) { messageReceived(message, false); });
    // Every frame, even one in the middle of a long message, proves the stream alive.
    connect(socket, &QWebSocket::textFrameReceived, this, &WebSocketSource::noteActivity);
    connect(socket, &QWebSocket::binaryFrameReceived, this, &WebSocketSource::noteActivity);
    connect(socket, &QWebSocket::pong, this, &WebSocketSource::noteActivity);
    if (m_config.idleTimeout() > 0)
        m_idleTimer.start(m_config.idleTimeout());   // a handshake that never completes is idle too
    qCDebug(lcSource) << "connecting" << m_config.url;
    m_requestClock.start();
    socket->open(request);   // may report an error at once, dropping the socket: do not touch it after
}

void WebSocketSource::socketConnected()
{
    // Qt does not show the handshake's response headers; the status is what completing it means.
    HttpExchange exchange;
    exchange.url = m_config.url;
    exchange.method = "GET";
    exchange.requestHeaders = m_config.headers;
    exchange.status = 101;
    exchange.reason = "Switching Protocols";
    exchange.version = "HTTP/1.1";
    exchange.headMs = m_requestClock.elapsed();
    const QPointer<WebSocketSource> self(this);
    emit exchangeRecorded(exchange);
    if (!self || !m_socket)
        return;
    noteActivity();
    qCDebug(lcSource) << "open" << m_config.url;
    markOpen();
}

void WebSocketSource::socketDisconnected()
{
    if (!m_socket)
        return;
    // Qt 6.4 reports a refused connection with disconnected() first and error() after, and a
    // reset one with error() first: whichever comes first ends the attempt.
    if (state() != State::Open) {
        const QString reason = m_socket->error() != QAbstractSocket::UnknownSocketError
                                   ? m_socket->errorString()
                                   : QStringLiteral("the connection closed during the WebSocket handshake");
        connectionEnded(reason, false, true);
        return;
    }
    if (m_socket->error() != QAbstractSocket::UnknownSocketError) {
        connectionEnded(m_socket->errorString(), false, false);
        return;
    }
    const QWebSocketProtocol::CloseCode code = m_socket->closeCode();
    const QString closeReason = m_socket->closeReason();
    const QString detail =
        closeReason.isEmpty() ? QString::number(int(code)) : QStringLiteral("%1, %2").arg(int(code)).arg(closeReason);
    switch (code) {
    case QWebSocketProtocol::CloseCodeNormal:
    case QWebSocketProtocol::CloseCodeGoingAway:
        connectionEnded(QStringLiteral("the server closed the connection (%1)").arg(detail), true, false);
        break;
    case QWebSocketProtocol::CloseCodeTooMuchData:
        // Qt cannot skip a frame it refused to buffer: it closes the connection instead. The
        // message is lost all the same, so it counts as dropped.
        ++m_droppedFrames;
        connectionEnded(
            QStringLiteral("a message exceeded the %1-byte limit (%2)").arg(m_config.limits.maxEventBytes).arg(detail),
            false, false);
        break;
    default:
        connectionEnded(QStringLiteral("the connection closed with code %1").arg(detail), false, false);
        break;
    }
}

void WebSocketSource::socketError(QAbstractSocket::SocketError error)
{
    if (!m_socket)
        return;
    qCDebug(lcSource) << "socket error" << error;
    // A rejected handshake (401, 404 …) leaves the socket connecting: the error is the end.
    connectionEnded(m_socket->errorString(), false, state() != State::Open);
}

void WebSocketSource::messageReceived(QByteArray data, bool wasText)
{
    countBytes(data.size());
    {
        const QPointer<WebSocketSource> self(this);
        emit rawReceived(data, wasText ? RawKind::TextMessage : RawKind::BinaryMessage);
        if (!self || state() != State::Open)
            return;   // a receiver closed or deleted us
    }
    // Text messages are valid UTF-8 (Qt closes the connection otherwise); binary ones may not be,
    // and an SseEvent promises well-formed UTF-8.
    if (!wasText && !Utf8::isValid(data)) {
        std::string clean;
        clean.reserve(size_t(data.size()) + 16);
        Utf8::appendSanitized(data, clean);
        data = QByteArray(clean.data(), qsizetype(clean.size()));
    }
    // Qt counts a fragmented text message in UTF-16 units, and replacement characters grow a
    // binary one, so the cap is checked again on the bytes we would deliver.
    if (data.size() > m_config.limits.maxEventBytes) {
        ++m_droppedFrames;
        qCDebug(lcSource) << "dropped a message of" << data.size() << "bytes";
        return;
    }
    if (m_config.doneMarker && data == *m_config.doneMarker) {
        qCDebug(lcSource) << "end marker received";
        // Messages before the marker are delivered; stop() disconnects the socket, so none after.
        if (flushBatch()) {
            dropSocket(Goodbye::Close);
            stop(endMarkerReason(*m_config.doneMarker));
        }
        return;
    }
    m_batch.append(kEventType, {}, data);
    if (m_batch.size() >= kMaxBatchEvents)
        flushBatch();   // whatever a slot did to us, this message was delivered
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void WebSocketSource::noteActivity()
{
    if (m_config.idleTimeout() > 0 && m_socket) {
        m_idleTimer.start(m_config.idleTimeout());
        if (state() == State::Open || m_socket->state() == QAbstractSocket::ConnectedState)
            m_pingTimer.start(std::max(1, m_config.idleTimeout() / 3));
    }
}

bool WebSocketSource::flushBatch()
{
    m_flushTimer.stop();
    if (m_batch.isEmpty())
        return true;
    const SseBatch batch = m_batch.take();
    countEvents(batch.size());
    // Slots may close or even delete us; stop touching anything once they have.
    QPointer<WebSocketSource> self(this);
    const quint64 generation = m_generation;
    emit eventsReceived(batch);
    return self && m_generation == generation && state() != State::Closed;
}

void WebSocketSource::idleTimedOut()
{
    if (!flushBatch())
        return;
    const bool wasOpen = state() == State::Open;
    dropSocket(Goodbye::Abort);
    retryOrStop(QStringLiteral("no data for %1 ms").arg(m_config.idleTimeout()), Error::Network, !wasOpen);
}

void WebSocketSource::connectionEnded(const QString &reason, bool clean, bool failedToOpen)
{
    // Messages that arrived before the end are delivered before anything is said about it.
    if (!flushBatch())
        return;
    dropSocket(Goodbye::Abort);
    retryOrStop(reason, clean ? Error::NoError : Error::Network, failedToOpen);
}

void WebSocketSource::dropSocket(Goodbye goodbye)
{
    m_idleTimer.stop();
    m_pingTimer.stop();
    if (!m_socket)
        return;
    ++m_generation;
    // Our slots go first, so that closing or aborting reaches nothing of ours.
    m_socket->disconnect(this);
    if (goodbye == Goodbye::Abort)
        m_socket->abort();
    m_socket.reset();
}

void WebSocketSource::dropConnection()
{
    dropSocket(Goodbye::Abort);
    m_flushTimer.stop();
    m_batch.clear();
}

}   // namespace Clickscope

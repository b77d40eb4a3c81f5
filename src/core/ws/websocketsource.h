// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/streamsource.h"

#include <QAbstractSocket>
#include <QElapsedTimer>
#include <QTimer>

#include <memory>

QT_FORWARD_DECLARE_CLASS(QWebSocket)

namespace Clickscope {

// The WebSocket transport, for servers that push one JSON object per message: each text or
// binary message becomes a "message" event (binary ones with ill-formed UTF-8 replaced), and the
// events of one event-loop pass go out as one batch of at most kMaxBatchEvents. Qt reads at most
// kReadAheadBytes ahead of us, so a server faster than the reader is slowed by TCP. A full batch goes out from inside Qt's frame
// processing: slots of eventsReceived must not start a nested event loop. Reconnection, the idle timeout and the done
// marker behave as in EventSource; the config's method, body and lastEventId have no WebSocket
// meaning and are ignored, its headers go into the opening handshake.
//
// Each connection attempt gets a fresh QWebSocket, owned here and deleted with deleteLater(), so
// that a slot may close or delete this source while the socket is still inside its own signal.
class WebSocketSource : public StreamSource
{
    Q_OBJECT
public:
    static constexpr qsizetype kMaxBatchEvents = 4096;

    explicit WebSocketSource(SourceConfig config, QObject *parent = nullptr);
    ~WebSocketSource() override;

    void close() override;

    // Sends a text message, e.g. {"subscribe":"channel"}. Does nothing unless the source is Open:
    // a subscription belongs to one connection, so resend it on every stateChanged(Open).
    void sendTextMessage(const QString &message);

    // Messages larger than config().limits.maxEventBytes, not delivered. One that Qt refused to
    // buffer also cost the connection (Qt closes it with 1009); the source reconnects if allowed.
    quint64 droppedFrames() const { return m_droppedFrames; }

private:
    struct SocketDeleter
    {
        void operator()(QWebSocket *socket) const;
    };
    // How a connection we end is left: with a close frame (close(), the done marker) or cut.
    enum class Goodbye { Close, Abort };

    void connectNow() override;
    void dropConnection() override;
    void socketConnected();
    void socketDisconnected();
    void socketError(QAbstractSocket::SocketError error);
    void messageReceived(QByteArray data, bool wasText);
    void noteActivity();
    bool flushBatch();
    void idleTimedOut();
    void connectionEnded(const QString &reason, bool clean, bool failedToOpen);
    void dropSocket(Goodbye goodbye);

    std::unique_ptr<QWebSocket, SocketDeleter> m_socket;
    QTimer m_idleTimer;
    // A third of the idle timeout without a frame: a ping, so that a server with nothing to say
    // still answers (with a pong), and only one that stopped answering reaches the timeout.
    QTimer m_pingTimer;
    QElapsedTimer m_requestClock;   // since the handshake was sent
    QTimer m_flushTimer;            // zero-interval: one eventsReceived per event-loop pass
    SseBatchBuilder m_batch;
    quint64 m_droppedFrames = 0;
    quint64 m_generation = 0;   // bumped whenever the socket goes, to spot a slot that closed us
};

}   // namespace Clickscope

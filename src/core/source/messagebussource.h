// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/streamsource.h"
#include "core/source/tcpsocketdeleter.h"
#include "core/sse/sseevent.h"

#include <QByteArray>
#include <QList>
#include <QPointer>
#include <QSslSocket>
#include <QTimer>

#include <memory>

namespace Clickscope {

// What the sources of a message bus (Redis, NATS) share: one TCP connection per attempt, read in
// this thread as it arrives (never by a blocking call), at most kReadAheadBytes ahead of us, so a
// fast or hostile server is slowed by TCP instead of filling memory; each message becomes a
// "message" event whose data is the payload, so it goes through the same decoders and field
// mapping as an SSE event's data; what rawReceived() gives (for a recording) is each payload as
// its event carries it. The events a read produced are delivered as one batch, and everything
// that arrived before a connection ended is delivered before the end is announced.
//
// A connection that stays silent is probed (probe(), when probing is on) every third of the idle
// timeout, so only a server that stopped answering reaches the timeout.
class MessageBusSource : public StreamSource
{
    Q_OBJECT
public:
    ~MessageBusSource() override;

protected:
    // `serverName` says whose server it is in messages ("Redis", "NATS").
    MessageBusSource(SourceConfig config, QString serverName, QObject *parent);

    // Whether a slot run since `Liveness` was taken closed us, deleted us or ended the connection.
    struct Liveness
    {
        QPointer<MessageBusSource> self;
        quint64 generation = 0;
    };
    Liveness liveness() { return {this, m_generation}; }
    // Static, and reading members through `live.self` only: once a slot deleted us, `this` must
    // not be touched at all. As a member function it was, under AddressSanitizer: the compiler may
    // load a member of a `this` it can assume alive before the null check has run.
    static bool isCurrent(const Liveness &live)
    {
        return live.self && live.self->m_generation == live.generation && live.self->m_socket;
    }

    // This attempt's connection (any earlier one dropped first); connected(), then received().
    void connectTo(const QString &host, quint16 port);
    void dropConnection() override;
    bool isConnected() const { return bool(m_socket); }
    void send(const QByteArray &bytes);
    // This attempt's connection, which a transport may turn into TLS (startClientEncryption());
    // tlsStarted() once it is. A certificate refused during the handshake ends the source: trying
    // again cannot cure it; any other TLS failure is a broken connection. Null between attempts.
    QSslSocket *socket() const { return m_socket.get(); }
    void setProbing(bool probing) { m_probing = probing; }

    // The connection is up.
    virtual void connected() = 0;
    // The connection is encrypted, after socket()->startClientEncryption().
    virtual void tlsStarted() {}
    // What arrived, in order; false once handling it ended the connection or closed us.
    virtual bool received(QByteArrayView bytes) = 0;
    // Asks the server for an answer (a ping); only called while probing is on.
    virtual void probe() {}
    // A batch was delivered: a resuming transport moves its cursor to the last event's id.
    virtual void delivered(const SseBatch &batch) { Q_UNUSED(batch) }

    // Queues one message as an event (the payload made valid UTF-8; one over maxEventBytes is
    // dropped and counted in eventsDiscarded()); false when that ended the connection (a receiver
    // closed us, or it was the end marker).
    bool addEvent(const QByteArray &id, QByteArray payload);
    // Announces a message dropped for its size; false when a receiver closed us.
    bool discardOversize(qsizetype bytes);
    // Delivers the queued events; false when a receiver closed us.
    bool flushBatch();

    // The attempt ended: what arrived is delivered, then the source reconnects or stops.
    void connectionEnded(const QString &reason);
    // An error no reconnection will cure (a refused password, a wrong name): delivered, then failed.
    void connectionFailed(const QString &reason);

private:
    void socketReadyRead();
    void noteActivity();
    void idleTimedOut();

    QString m_serverName;
    std::unique_ptr<QSslSocket, TcpSocketDeleter> m_socket;
    QByteArray m_readBuffer;   // reused by every read
    SseBatchBuilder m_batch;
    QTimer m_idleTimer;
    QTimer m_probeTimer;
    bool m_probing = true;
    quint64 m_generation = 0;   // one per connection: a slot that closed us is noticed
};

}   // namespace Clickscope

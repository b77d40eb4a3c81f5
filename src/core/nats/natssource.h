// SPDX-License-Identifier: MIT
#pragma once

#include "core/nats/natshandshake.h"
#include "core/nats/natsreader.h"
#include "core/nats/natstarget.h"
#include "core/source/messagebussource.h"

#include <memory>

namespace Clickscope {

// Clicks straight from NATS (nats:// URLs, see NatsTarget), each message an event as
// MessageBusSource says:
//   - core NATS: a subscription to the subject (wildcards allowed); the event has no id. Core
//     NATS keeps nothing, so what is published while the source is away is not seen.
//   - JetStream (stream=NAME): an ephemeral push consumer on the stream, filtered to the subject,
//     with flow control, so the server sends no faster than we read. The event's id is the
//     message's stream sequence, which the window's gap and duplicate accounting reads; a
//     reconnection makes a new consumer that starts right after the last message delivered, so
//     nothing is lost or read twice. config().lastEventId, when it is a sequence, is where the
//     first connection resumes.
//
// The protocol is read by NatsReader, which bounds every operation; a message over
// config().limits.maxEventBytes is dropped unread and counted in eventsDiscarded(). Reconnection
// follows the ReconnectPolicy; a refusal about the request itself (credentials, permissions, a
// stream that does not exist, a server without JetStream) is fatal. A silent connection is probed
// with PING, and the consumer sends heartbeats, a third of the idle timeout apart.
class NatsSource : public MessageBusSource
{
    Q_OBJECT
public:
    // The consumer's heartbeat when no idle timeout is set.
    static constexpr int kDefaultHeartbeatMs = 5000;
    // Room for a message's headers beside the largest payload.
    static constexpr qsizetype kHeaderAllowance = 64 * 1024;

    explicit NatsSource(SourceConfig config, QObject *parent = nullptr);
    ~NatsSource() override;

    // JetStream: the stream sequence of the last message delivered, or where reading started; 0
    // before the first consumer was made.
    quint64 lastSequence() const { return m_lastSequence; }

private:
    // What the connection waits for.
    enum class Phase { Handshake, Pong, Consumer, Messages };

    void connectNow() override;
    void dropConnection() override;
    void connected() override {}   // the server speaks first
    void tlsStarted() override;
    bool received(QByteArrayView bytes) override;
    void probe() override;
    void delivered(const SseBatch &batch) override;

    // Each returns false when the connection ended or we were closed.
    bool handle(NatsOp &op);
    bool greeted();
    // Says who we are and subscribes (after TLS, when the connection uses it).
    void sayHello();
    bool subscribed();
    bool consumerAnswered(const NatsOp &reply);
    // The consumer answered or sent a message: the source is open.
    bool consumerWorks();
    bool message(NatsOp &op);
    bool serverError(const QByteArray &text);
    QByteArray consumerRequest() const;

    NatsTarget m_target;
    std::unique_ptr<NatsHandshake> m_handshake;   // this connection's
    std::unique_ptr<NatsReader> m_reader;
    Phase m_phase = Phase::Handshake;
    bool m_consumerAnswered = false;
    QByteArray m_inbox;           // this connection's own subjects
    quint64 m_lastSequence = 0;   // delivered
    quint64 m_readSequence = 0;   // received on this connection
    // A consumer was made once: where the stream was then is known, so a reconnection starts
    // after m_readSequence (0 included) instead of at the URL's start (new would skip the gap).
    bool m_positioned = false;
    bool m_serverHasJetStream = false;   // as the server's INFO says
};

}   // namespace Clickscope

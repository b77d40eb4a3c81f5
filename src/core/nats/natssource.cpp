// SPDX-License-Identifier: MIT
#include "core/nats/natssource.h"

#include "core/logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <algorithm>
#include <array>
#include <utility>

namespace Clickscope {
namespace {

// The subscriptions of one connection.
constexpr QByteArrayView kMessagesSid = "1";
constexpr QByteArrayView kApiSid = "2";

// Refusals that trying again will not change: the request itself is wrong.
bool isFatal(const QByteArray &error)
{
    for (const char *prefix : {"Authorization Violation", "Authentication Expired", "User Authentication Expired",
                               "Account Authentication Expired", "Permissions Violation", "Invalid Subject"}) {
        if (error.startsWith(prefix))
            return true;
    }
    return false;
}

// The stream sequence a JetStream message's reply subject carries:
// $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>, or, from
// newer servers, with a domain and an account hash after ACK (and sometimes a token at the end).
quint64 streamSequenceOf(QByteArrayView replyTo)
{
    if (!replyTo.startsWith("$JS.ACK."))
        return 0;
    // Where each of the first 12 tokens starts, and how many tokens there are; no allocation.
    std::array<qsizetype, 13> starts{};
    qsizetype tokens = 1;
    for (qsizetype i = 0; i < replyTo.size(); ++i) {
        if (replyTo[i] == '.') {
            if (tokens < qsizetype(starts.size()))
                starts[std::size_t(tokens)] = i + 1;
            ++tokens;
        }
    }
    const qsizetype at = tokens == 9 ? 5 : tokens >= 11 ? 7 : -1;
    if (at < 0)
        return 0;
    const qsizetype start = starts[std::size_t(at)];
    const qsizetype end = starts[std::size_t(at + 1)] - 1;
    return NatsTarget::sequenceOf(replyTo.sliced(start, end - start));
}

QString firstLineOf(const QByteArray &headers) { return QString::fromUtf8(headers.left(headers.indexOf('\r'))); }

}   // namespace

NatsSource::NatsSource(SourceConfig config, QObject *parent)
    : MessageBusSource(std::move(config), QStringLiteral("NATS"), parent)
{}

NatsSource::~NatsSource() { dropConnection(); }

void NatsSource::connectNow()
{
    Result<NatsTarget> target = NatsTarget::fromUrl(m_config.url);
    if (!target) {
        fail(Error::InvalidUrl, target.error());
        return;
    }
    m_target = std::move(*target);
    if (const Result<void> loaded = m_target.loadFiles(); !loaded) {
        // At first a file that cannot be read is a mistake in the URL; later, maybe a credential
        // being renewed: tried again.
        if (reconnectCount() == 0)
            fail(Error::InvalidUrl, loaded.error());
        else
            retryOrStop(loaded.error(), Error::Network, true);
        return;
    }
    if (m_lastSequence == 0 && m_target.isJetStream())
        m_lastSequence = NatsTarget::sequenceOf(m_config.lastEventId);
    m_readSequence = m_lastSequence;   // what was received but not delivered is asked for again
    m_phase = Phase::Handshake;
    m_consumerAnswered = false;
    NatsReader::Limits limits;
    limits.maxMessageBytes = m_config.limits.maxEventBytes + kHeaderAllowance;
    m_reader = std::make_unique<NatsReader>(limits);
    m_handshake = std::make_unique<NatsHandshake>(m_target);
    m_inbox = "_INBOX.clickscope." + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    connectTo(m_target.host, m_target.port);
}

void NatsSource::dropConnection()
{
    MessageBusSource::dropConnection();
    m_phase = Phase::Handshake;
}

bool NatsSource::received(QByteArrayView bytes)
{
    m_reader->feed(bytes);
    while (std::optional<NatsOp> op = m_reader->next()) {
        if (!handle(*op))
            return false;
    }
    if (m_reader->failed()) {
        connectionEnded(QStringLiteral("the NATS server sent what NATS does not: %1").arg(m_reader->errorString()));
        return false;
    }
    return true;
}

bool NatsSource::handle(NatsOp &op)
{
    const Liveness live = liveness();
    if (m_phase == Phase::Handshake) {
        const Result<bool> taken = m_handshake->take(op, *socket(), *m_reader);
        if (!taken) {
            // TLS that cannot be had as the URL asks will not be had next time either; a server
            // that spoke out of turn during TLS's setup may do better.
            if (m_handshake->step() == NatsHandshake::Step::Tls)
                connectionEnded(taken.error());
            else
                connectionFailed(taken.error());
            return false;
        }
        if (*taken)
            return greeted();
    }
    switch (op.type) {
    case NatsOp::Type::Info:
        return true;   // a cluster's news: nothing for a reader
    case NatsOp::Type::Ping:
        send(NatsCommand::pong());
        return true;
    case NatsOp::Type::Pong:
        if (m_phase == Phase::Pong)
            return subscribed();
        return true;   // a probe's answer: the connection is alive
    case NatsOp::Type::Ok:
        return true;
    case NatsOp::Type::Err:
        return serverError(op.payload);
    case NatsOp::Type::Msg:
        if (op.sid == kMessagesSid)
            return message(op);
        if (op.sid == kApiSid && !m_consumerAnswered)
            return consumerAnswered(op);
        return isCurrent(live);
    }
    return isCurrent(live);
}

bool NatsSource::greeted()
{
    const QJsonObject &info = m_handshake->serverInfo();
    m_serverHasJetStream = info.value(u"jetstream").toBool();
    if (m_target.isJetStream() && !info.value(u"headers").toBool()) {
        connectionFailed(QStringLiteral("the NATS server does not support message headers, which JetStream needs"));
        return false;
    }
    if (m_handshake->step() == NatsHandshake::Step::Hello)
        sayHello();
    return true;
}

void NatsSource::tlsStarted()
{
    if (m_phase == Phase::Handshake && m_handshake->step() == NatsHandshake::Step::Tls)
        sayHello();
}

void NatsSource::sayHello()
{
    // The PONG that answers this PING says the subscriptions before it are in place: what is
    // published from then on reaches us.
    QByteArray out = m_handshake->hello();
    if (m_target.isJetStream()) {
        out += NatsCommand::subscribe(m_inbox + ".messages", kMessagesSid);
        out += NatsCommand::subscribe(m_inbox + ".api", kApiSid);
    } else {
        out += NatsCommand::subscribe(m_target.subject, kMessagesSid);
    }
    out += NatsCommand::ping();
    send(out);
    m_phase = Phase::Pong;
}

bool NatsSource::subscribed()
{
    if (!m_target.isJetStream()) {
        qCDebug(lcSource) << "subscribed to NATS subject" << m_target.subject;
        m_phase = Phase::Messages;
        const Liveness live = liveness();
        markOpen();
        return isCurrent(live);
    }
    send(NatsCommand::publish("$JS.API.CONSUMER.CREATE." + m_target.stream, m_inbox + ".api", consumerRequest()));
    m_phase = Phase::Consumer;
    return true;
}

QByteArray NatsSource::consumerRequest() const
{
    const int idle = m_config.idleTimeout();
    const qint64 heartbeatMs = idle > 0 ? std::max(100, idle / 3) : kDefaultHeartbeatMs;
    QJsonObject consumer{{QStringLiteral("deliver_subject"), QString::fromUtf8(m_inbox + ".messages")},
                         {QStringLiteral("ack_policy"), QStringLiteral("none")},
                         {QStringLiteral("replay_policy"), QStringLiteral("instant")},
                         {QStringLiteral("flow_control"), true},
                         {QStringLiteral("idle_heartbeat"), heartbeatMs * 1'000'000},
                         {QStringLiteral("mem_storage"), true},
                         {QStringLiteral("description"), QStringLiteral("clickscope")}};
    if (m_target.subject != ">")
        consumer.insert(QStringLiteral("filter_subject"), QString::fromUtf8(m_target.subject));
    const auto startAt = [&](quint64 sequence) {
        consumer.insert(QStringLiteral("deliver_policy"), QStringLiteral("by_start_sequence"));
        consumer.insert(QStringLiteral("opt_start_seq"), qint64(sequence));
    };
    if (m_positioned || m_readSequence > 0) {
        startAt(m_readSequence + 1);
    } else {
        switch (m_target.start) {
        case NatsTarget::Start::New:
            consumer.insert(QStringLiteral("deliver_policy"), QStringLiteral("new"));
            break;
        case NatsTarget::Start::First:
            consumer.insert(QStringLiteral("deliver_policy"), QStringLiteral("all"));
            break;
        case NatsTarget::Start::Sequence:
            startAt(m_target.startSequence);
            break;
        case NatsTarget::Start::Time:
            consumer.insert(QStringLiteral("deliver_policy"), QStringLiteral("by_start_time"));
            consumer.insert(QStringLiteral("opt_start_time"), m_target.startTime.toString(Qt::ISODateWithMs));
            break;
        }
    }
    const QJsonObject request{{QStringLiteral("stream_name"), QString::fromUtf8(m_target.stream)},
                              {QStringLiteral("config"), consumer}};
    return QJsonDocument(request).toJson(QJsonDocument::Compact);
}

bool NatsSource::consumerAnswered(const NatsOp &reply)
{
    m_consumerAnswered = true;
    if (reply.status() == 503) {
        // Nobody answers the API: a server without JetStream, or one that has not started it yet.
        if (m_serverHasJetStream)
            connectionEnded(QStringLiteral("JetStream does not answer yet"));
        else
            connectionFailed(QStringLiteral("the NATS server has no JetStream (nobody answered its API)"));
        return false;
    }
    const QJsonObject answer = QJsonDocument::fromJson(reply.payload).object();
    if (answer.contains(u"error")) {
        const QJsonObject error = answer.value(u"error").toObject();
        const QString text = QStringLiteral("JetStream refused a consumer on stream %1: %2 (error %3)")
                                 .arg(QString::fromUtf8(m_target.stream), error.value(u"description").toString())
                                 .arg(error.value(u"err_code").toInteger());
        // 503: JetStream is there but not ready (starting, electing a leader); it will be.
        if (error.value(u"code").toInteger() == 503)
            connectionEnded(text);
        else
            connectionFailed(text);
        return false;
    }
    if (!answer.contains(u"name")) {
        connectionEnded(QStringLiteral("JetStream answered the consumer request with something else"));
        return false;
    }
    // Where the consumer starts: what a reconnection resumes after, even before any message.
    const auto startedAfter = quint64(answer.value(u"delivered").toObject().value(u"stream_seq").toInteger());
    m_positioned = true;   // from now on every consumer starts after m_readSequence, even at 0
    if (m_readSequence == 0) {
        m_readSequence = startedAfter;
        m_lastSequence = startedAfter;
    }
    qCDebug(lcSource) << "JetStream consumer" << answer.value(u"name").toString() << "on stream" << m_target.stream
                      << "after sequence" << m_readSequence;
    return consumerWorks();
}

bool NatsSource::consumerWorks()
{
    if (m_phase == Phase::Messages)
        return true;
    m_phase = Phase::Messages;
    const Liveness live = liveness();
    markOpen();   // a receiver may close or delete us
    return isCurrent(live);
}

bool NatsSource::message(NatsOp &op)
{
    if (!m_target.isJetStream()) {
        if (op.dropped)
            return discardOversize(op.size);
        return addEvent({}, std::move(op.payload));
    }
    // The consumer may send before its creation is answered: its first message says it works.
    if (m_phase == Phase::Consumer && !consumerWorks())
        return false;
    if (const int status = op.status(); status == 100) {
        // Flow control (answered to let the server send more) or a heartbeat; a stalled
        // consumer's heartbeat names where to say we are ready again.
        if (!op.replyTo.isEmpty())
            send(NatsCommand::publish(op.replyTo, {}, {}));
        if (const QByteArray stalled = op.header("Nats-Consumer-Stalled"); !stalled.isEmpty())
            send(NatsCommand::publish(stalled, {}, {}));
        return true;
    } else if (status != 0) {
        connectionEnded(QStringLiteral("JetStream ended the consumer: %1").arg(firstLineOf(op.headers)));
        return false;
    }
    const quint64 sequence = streamSequenceOf(op.replyTo);
    if (sequence == 0) {
        connectionEnded(QStringLiteral("a JetStream message came without its stream sequence"));
        return false;
    }
    if (sequence <= m_readSequence)
        return true;   // delivered already
    m_readSequence = sequence;
    if (op.dropped)
        return discardOversize(op.size);
    return addEvent(QByteArray::number(sequence), std::move(op.payload));
}

bool NatsSource::serverError(const QByteArray &text)
{
    const QString message = QStringLiteral("NATS answered: %1").arg(QString::fromUtf8(text));
    if (isFatal(text))
        connectionFailed(message);
    else
        connectionEnded(message);
    return false;
}

void NatsSource::probe()
{
    // Before CONNECT a PING would be the first thing said, which a server with users refuses.
    if (m_phase != Phase::Handshake)
        send(NatsCommand::ping());
}

void NatsSource::delivered(const SseBatch &batch)
{
    if (const quint64 sequence = NatsTarget::sequenceOf(batch.last().lastEventId()); sequence > 0)
        m_lastSequence = sequence;
}

}   // namespace Clickscope

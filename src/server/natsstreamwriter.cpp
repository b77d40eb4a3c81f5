// SPDX-License-Identifier: MIT
#include "server/natsstreamwriter.h"

#include "core/logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSslSocket>

#include <algorithm>
#include <utility>

namespace Clickscope {
namespace {

constexpr QByteArrayView kInboxSid = "1";
constexpr int kDeadlineCheckMs = 250;
constexpr qint64 kNanosecondsPerSecond = 1'000'000'000;

QString descriptionOf(const QJsonObject &answer)
{
    const QJsonObject error = answer.value(u"error").toObject();
    return QStringLiteral("%1 (error %2)")
        .arg(error.value(u"description").toString())
        .arg(error.value(u"err_code").toInteger());
}

}   // namespace

NatsStreamWriter::NatsStreamWriter(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_problem(QStringLiteral("not connected yet"))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &NatsStreamWriter::connectNow);
    m_deadlineTimer.setInterval(kDeadlineCheckMs);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &NatsStreamWriter::checkDeadlines);
    m_pingTimer.setInterval(kPingMs);
    connect(&m_pingTimer, &QTimer::timeout, this, &NatsStreamWriter::keepAlive);
}

NatsStreamWriter::~NatsStreamWriter() = default;

void NatsStreamWriter::start() { connectNow(); }

void NatsStreamWriter::connectNow()
{
    // The files are read at each connection: renewed credentials are picked up.
    if (const Result<void> loaded = m_settings.server.loadFiles(); !loaded) {
        setReady(false, loaded.error());
        retryLater();
        return;
    }
    m_socket.reset(new QSslSocket);
    m_reader = std::make_unique<NatsReader>();
    m_handshake = std::make_unique<NatsHandshake>(m_settings.server);
    m_inbox = "_INBOX.clickscope-writer." + QByteArray::number(QRandomGenerator::global()->generate64(), 16) + '.';
    QSslSocket *socket = m_socket.get();
    connect(socket, &QSslSocket::readyRead, this, &NatsStreamWriter::readyRead);
    connect(socket, &QSslSocket::encrypted, this, [this] {
        if (m_handshake->step() == NatsHandshake::Step::Tls)
            sayHello();
    });
    connect(socket, &QSslSocket::disconnected, this,
            [this] { lost(QStringLiteral("the NATS server closed the connection")); });
    connect(socket, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError && m_socket)
            lost(m_socket->errorString());
    });
    m_lastHeard.start();
    m_pingTimer.start();
    socket->connectToHost(m_settings.server.host, m_settings.server.port);
}

void NatsStreamWriter::keepAlive()
{
    if (!m_socket)
        return;
    if (m_lastHeard.hasExpired(kSilentMs)) {
        lost(QStringLiteral("the NATS server said nothing for %1 s").arg(kSilentMs / 1000));
        return;
    }
    if (m_handshake->step() == NatsHandshake::Step::Done)
        m_socket->write(NatsCommand::ping());
}

void NatsStreamWriter::readyRead()
{
    while (m_socket && m_socket->bytesAvailable() > 0) {
        m_lastHeard.start();
        m_reader->feed(m_socket->read(64 * 1024));
        while (m_socket) {
            std::optional<NatsOp> op = m_reader->next();
            if (!op)
                break;
            handle(*op);
        }
        if (m_socket && m_reader->failed()) {
            lost(QStringLiteral("the NATS server sent what NATS does not: %1").arg(m_reader->errorString()));
            return;
        }
    }
}

void NatsStreamWriter::handle(NatsOp &op)
{
    const Result<bool> taken = m_handshake->take(op, *m_socket, *m_reader);
    if (!taken) {
        lost(taken.error());
        return;
    }
    if (*taken) {
        if (const qint64 max = m_handshake->serverInfo().value(u"max_payload").toInteger(); max > 0)
            m_maxPayload = qsizetype(max);
        if (m_handshake->step() == NatsHandshake::Step::Hello)
            sayHello();
        return;
    }
    switch (op.type) {
    case NatsOp::Type::Info:
        return;   // a cluster's news
    case NatsOp::Type::Pong:
        if (!m_ready && m_setupRequests.empty())
            request("$JS.API.STREAM.INFO." + m_settings.stream, {}, Setup::StreamInfo);
        return;
    case NatsOp::Type::Ping:
        m_socket->write(NatsCommand::pong());
        return;
    case NatsOp::Type::Ok:
        return;
    case NatsOp::Type::Err:
        lost(QStringLiteral("NATS answered: %1").arg(QString::fromUtf8(op.payload)));
        return;
    case NatsOp::Type::Msg:
        if (op.sid == kInboxSid && op.subject.startsWith(m_inbox))
            answered(op.subject.mid(m_inbox.size()), op);
        return;
    }
}

void NatsStreamWriter::sayHello()
{
    m_socket->write(m_handshake->hello() + NatsCommand::subscribe(m_inbox + '*', kInboxSid) + NatsCommand::ping());
}

void NatsStreamWriter::request(const QByteArray &subject, const QByteArray &payload, Setup setup)
{
    const quint64 token = ++m_nextToken;
    m_setupRequests[token] = setup;
    m_socket->write(NatsCommand::publish(subject, m_inbox + QByteArray::number(token), payload));
}

void NatsStreamWriter::answered(const QByteArray &tokenText, const NatsOp &reply)
{
    bool ok = false;
    const quint64 token = tokenText.toULongLong(&ok);
    if (!ok)
        return;
    if (const auto setup = m_setupRequests.find(token); setup != m_setupRequests.end()) {
        const Setup what = setup->second;
        m_setupRequests.erase(setup);
        if (reply.status() == 503)
            lost(QStringLiteral("the NATS server has no JetStream (nobody answered its API)"));
        else
            setupAnswered(what, reply.payload);
        return;
    }
    const auto message = m_messageTokens.find(token);
    if (message == m_messageTokens.end())
        return;   // its publication was answered already (timed out)
    const auto [id, index] = message->second;
    m_messageTokens.erase(message);
    --m_outstanding;
    const auto publication = m_publications.find(id);
    if (publication == m_publications.end())
        return;
    if (reply.status() == 503) {
        fail(id, QStringLiteral("no JetStream stream takes the subject (is %1 still there?)")
                     .arg(QString::fromUtf8(m_settings.stream)));
        return;
    }
    const QJsonObject ack = QJsonDocument::fromJson(reply.payload).object();
    if (ack.contains(u"error") || !ack.contains(u"seq")) {
        fail(id, QStringLiteral("JetStream refused a message: %1").arg(descriptionOf(ack)));
        return;
    }
    Publication &p = publication->second;
    p.sequences[index] = quint64(ack.value(u"seq").toInteger());
    m_lastKnownSequence = std::max(m_lastKnownSequence, p.sequences[index]);
    if (--p.outstanding == 0) {
        const Answer answer = std::move(p.answer);
        const QList<quint64> sequences = std::move(p.sequences);
        m_publications.erase(publication);
        answer(sequences);
    }
}

void NatsStreamWriter::setupAnswered(Setup setup, const QByteArray &payload)
{
    const QJsonObject answer = QJsonDocument::fromJson(payload).object();
    const bool missing = answer.value(u"error").toObject().value(u"code").toInt() == 404;
    if (setup == Setup::StreamInfo && missing) {
        const qint64 maxAge = m_settings.maxAgeSeconds * kNanosecondsPerSecond;
        const QJsonObject config{
            {QStringLiteral("name"), QString::fromUtf8(m_settings.stream)},
            {QStringLiteral("subjects"), QJsonArray{QString::fromUtf8(m_settings.subjectPrefix + ".>")}},
            {QStringLiteral("retention"), QStringLiteral("limits")},
            {QStringLiteral("max_msgs"), m_settings.maxMessages},
            {QStringLiteral("max_age"), maxAge},
            {QStringLiteral("duplicate_window"), std::min<qint64>(maxAge, 120 * kNanosecondsPerSecond)},
            {QStringLiteral("storage"), QStringLiteral("file")},
            {QStringLiteral("discard"), QStringLiteral("old")},
            {QStringLiteral("num_replicas"), 1}};
        request("$JS.API.STREAM.CREATE." + m_settings.stream, QJsonDocument(config).toJson(QJsonDocument::Compact),
                Setup::StreamCreate);
        return;
    }
    if (answer.contains(u"error") || !answer.contains(u"config")) {
        lost(
            QStringLiteral("JetStream stream %1: %2").arg(QString::fromUtf8(m_settings.stream), descriptionOf(answer)));
        return;
    }
    m_lastKnownSequence = std::max<quint64>(m_lastKnownSequence,
                                            quint64(answer.value(u"state").toObject().value(u"last_seq").toInteger()));
    qCDebug(lcSource) << "JetStream stream" << m_settings.stream << "ready";
    m_retryMs = kRetryMs;
    setReady(true);
}

void NatsStreamWriter::publish(const QList<Message> &messages, Answer answer)
{
    const auto refuse = [this, &answer](PublishFailure::Kind kind, const QString &why) {
        QMetaObject::invokeMethod(
            this, [answer = std::move(answer), failure = PublishFailure{kind, why}] { answer(unexpected(failure)); },
            Qt::QueuedConnection);
    };
    for (const Message &message : messages) {
        if (message.payload.size() > m_maxPayload)
            return refuse(PublishFailure::Kind::TooLarge,
                          QStringLiteral("a click of %1 bytes is more than the NATS server takes (%2)")
                              .arg(message.payload.size())
                              .arg(m_maxPayload));
    }
    if (!m_ready)
        return refuse(PublishFailure::Kind::Unavailable,
                      QStringLiteral("not connected to JetStream: %1").arg(m_problem));
    if (m_outstanding + messages.size() > kMaxOutstanding || m_socket->bytesToWrite() > kMaxUnsentBytes)
        return refuse(PublishFailure::Kind::Unavailable,
                      QStringLiteral("%1 messages already await JetStream's acknowledgement").arg(m_outstanding));
    if (messages.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [answer = std::move(answer)] { answer(QList<quint64>()); }, Qt::QueuedConnection);
        return;
    }
    const quint64 id = ++m_nextPublication;
    Publication &p = m_publications[id];
    p.sequences.resize(messages.size());
    p.outstanding = messages.size();
    p.deadline = QDeadlineTimer(m_settings.ackTimeoutMs);
    p.answer = std::move(answer);
    QByteArray out;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const quint64 token = ++m_nextToken;
        m_messageTokens[token] = {id, i};
        p.tokens.append(token);
        out += NatsCommand::publish(messages[i].subject, m_inbox + QByteArray::number(token), messages[i].payload);
    }
    m_outstanding += messages.size();
    m_socket->write(out);
    if (!m_deadlineTimer.isActive())
        m_deadlineTimer.start();
}

void NatsStreamWriter::fail(quint64 id, const QString &why)
{
    const auto publication = m_publications.find(id);
    if (publication == m_publications.end())
        return;
    const Answer answer = std::move(publication->second.answer);
    // Its messages still awaiting an answer are forgotten; their answers are ignored.
    for (const quint64 token : publication->second.tokens) {
        if (m_messageTokens.erase(token) > 0)
            --m_outstanding;
    }
    m_publications.erase(publication);
    answer(unexpected(PublishFailure{PublishFailure::Kind::Unavailable, why}));
}

void NatsStreamWriter::checkDeadlines()
{
    QList<quint64> late;
    for (const auto &[id, publication] : m_publications) {
        if (publication.deadline.hasExpired())
            late.append(id);
    }
    for (const quint64 id : late)
        fail(id, QStringLiteral("JetStream did not acknowledge within %1 ms").arg(m_settings.ackTimeoutMs));
    if (m_publications.empty())
        m_deadlineTimer.stop();
}

void NatsStreamWriter::lost(const QString &reason)
{
    if (!m_socket)
        return;
    qCDebug(lcSource) << "NATS writer:" << reason;
    m_socket.reset();
    m_pingTimer.stop();
    m_setupRequests.clear();
    m_messageTokens.clear();
    m_outstanding = 0;
    setReady(false, reason);
    std::map<quint64, Publication> unanswered = std::exchange(m_publications, {});
    for (auto &[id, publication] : unanswered)
        publication.answer(unexpected(PublishFailure{
            PublishFailure::Kind::Unavailable, QStringLiteral("the connection to NATS was lost: %1").arg(reason)}));
    retryLater();
}

void NatsStreamWriter::retryLater()
{
    m_retryTimer.start(m_retryMs);
    m_retryMs = std::min(kMaxRetryMs, m_retryMs * 2);
}

void NatsStreamWriter::setReady(bool ready, const QString &problem)
{
    m_problem = problem;
    if (m_ready == ready)
        return;
    m_ready = ready;
    emit readyChanged(ready);
}

}   // namespace Clickscope

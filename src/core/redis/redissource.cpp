// SPDX-License-Identifier: MIT
#include "core/redis/redissource.h"

#include "core/logging.h"
#include "core/text/utf8.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>

#include <algorithm>
#include <string>
#include <utility>

namespace Clickscope {
namespace {

constexpr QByteArrayView kEventType = "message";

// Error replies that asking again will not change: the request itself is wrong.
bool isFatal(const QByteArray &message)
{
    for (const char *prefix :
         {"NOAUTH", "WRONGPASS", "NOPERM", "WRONGTYPE", "DENIED", "MOVED", "ASK", "CLUSTERDOWN", "ERR unknown command",
          "ERR wrong number", "ERR invalid password", "ERR AUTH", "ERR Client sent AUTH", "ERR Invalid stream ID"}) {
        if (message.startsWith(prefix))
            return true;
    }
    return false;
}

// A stream entry's fields ([name, value, name, value …]) as one payload.
QByteArray payloadOf(const RespValue &fields)
{
    const auto &f = fields.elements;
    for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
        if (f[i].text == "data")
            return f[i + 1].text;
    }
    if (f.size() == 2)
        return f[1].text;
    QJsonObject object;
    for (std::size_t i = 0; i + 1 < f.size(); i += 2)
        object.insert(QString::fromUtf8(f[i].text), QString::fromUtf8(f[i + 1].text));
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

}   // namespace

void RedisSource::SocketDeleter::operator()(QTcpSocket *socket) const
{
    socket->disconnect();
    socket->abort();
    socket->deleteLater();   // we may be inside one of its signals
}

RedisSource::RedisSource(SourceConfig config, QObject *parent) : StreamSource(std::move(config), parent)
{
    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &RedisSource::idleTimedOut);
    m_probeTimer.setSingleShot(true);
    connect(&m_probeTimer, &QTimer::timeout, this, &RedisSource::probe);
}

RedisSource::~RedisSource() { dropConnection(); }

void RedisSource::connectNow()
{
    Result<RedisTarget> target = RedisTarget::fromUrl(m_config.url);
    if (!target) {
        fail(Error::InvalidUrl, target.error());
        return;
    }
    m_target = std::move(*target);
    if (m_cursor.isEmpty()) {
        m_cursor = m_target.start;
        if (RedisTarget::isEntryId(m_config.lastEventId))
            m_cursor = m_config.lastEventId;
    }
    m_readCursor = m_cursor;   // what was received but not delivered is asked for again
    dropConnection();
    ++m_generation;
    m_batch.clear();
    m_awaiting.clear();
    // A reply holds one message, or one XREAD batch: twice the largest event, or 4 MiB of small
    // ones, whichever is more. A larger one ends the connection (and makes the next XREAD ask
    // for fewer entries).
    RespReader::Limits limits;
    limits.maxReplyBytes = std::max<qsizetype>(kMinReplyBytes, 2 * m_config.limits.maxEventBytes);
    limits.maxArrayElements = kMaxArrayElements;
    limits.maxValues = kMaxReplyValues;
    m_reader = std::make_unique<RespReader>(limits);

    m_socket.reset(new QTcpSocket);
    QTcpSocket *socket = m_socket.get();
    socket->setReadBufferSize(kReadAheadBytes);
    connect(socket, &QTcpSocket::connected, this, &RedisSource::socketConnected);
    connect(socket, &QTcpSocket::readyRead, this, &RedisSource::socketReadyRead);
    connect(socket, &QTcpSocket::disconnected, this,
            [this] { socketEnded(QStringLiteral("the Redis server closed the connection")); });
    connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError && m_socket)
            socketEnded(m_socket->errorString());
    });
    if (m_config.idleTimeout() > 0)
        m_idleTimer.start(m_config.idleTimeout());
    qCDebug(lcSource) << "connecting to Redis" << m_target.host << m_target.port;
    socket->connectToHost(m_target.host, m_target.port);
}

void RedisSource::dropConnection()
{
    m_idleTimer.stop();
    m_probeTimer.stop();
    m_socket.reset();
    m_awaiting.clear();
}

void RedisSource::send(const QByteArray &command, Awaiting awaiting)
{
    m_awaiting.push_back(awaiting);
    m_socket->write(command);
}

void RedisSource::socketConnected()
{
    if (!m_target.password.isEmpty()) {
        send(m_target.user.isEmpty() ? respCommand({"AUTH", m_target.password})
                                     : respCommand({"AUTH", m_target.user, m_target.password}),
             Awaiting::Auth);
    }
    switch (m_target.kind) {
    case RedisTarget::Kind::Channel:
        m_socket->write(respCommand({"SUBSCRIBE", m_target.name}));   // answered by a push
        break;
    case RedisTarget::Kind::Pattern:
        m_socket->write(respCommand({"PSUBSCRIBE", m_target.name}));
        break;
    case RedisTarget::Kind::Stream:
        send(respCommand({"PING"}), Awaiting::Ping);
        if (m_readCursor == "$")
            send(respCommand({"XREVRANGE", m_target.name, "+", "-", "COUNT", "1"}), Awaiting::LastEntry);
        else
            sendRead();
        break;
    }
}

void RedisSource::sendRead()
{
    const int idle = m_config.idleTimeout();
    const int blockMs = idle > 0 ? std::max(1, idle / 3) : kDefaultBlockMs;
    send(respCommand({"XREAD", "COUNT", QByteArray::number(m_readCount), "BLOCK", QByteArray::number(blockMs),
                      "STREAMS", m_target.name, m_readCursor}),
         Awaiting::Read);
}

void RedisSource::socketReadyRead()
{
    if (!m_socket)
        return;
    // Slots may close or even delete us, and an error reply ends the connection: stop touching
    // anything once either happened.
    const QPointer<RedisSource> self(this);
    const quint64 generation = m_generation;
    const auto stillCurrent = [&] { return self && m_generation == generation && m_socket; };
    while (stillCurrent() && m_socket->bytesAvailable() > 0) {
        const QByteArray bytes = m_socket->read(kReadAheadBytes);
        countBytes(bytes.size());
        noteActivity();
        for (qsizetype at = 0; at < bytes.size(); at += RespReader::kFeedBytes) {
            m_reader->feed(QByteArrayView(bytes).sliced(at, std::min(RespReader::kFeedBytes, bytes.size() - at)));
            while (std::optional<RespValue> reply = m_reader->next()) {
                handle(*reply);
                if (!stillCurrent())
                    return;
            }
            if (m_reader->failed()) {
                readerFailed();
                return;
            }
        }
        if (!flushBatch())
            return;
    }
}

void RedisSource::readerFailed()
{
    const QString reason = m_reader->errorString();
    const bool reading = !m_awaiting.empty() && m_awaiting.front() == Awaiting::Read;
    if (reading && m_readCount == 1) {
        // One entry alone is over the limit: every later read would stop at it.
        if (flushBatch()) {
            dropConnection();
            fail(Error::Network, QStringLiteral("the stream's entry after %1 is too large to read: %2")
                                     .arg(QString::fromUtf8(m_readCursor), reason));
        }
        return;
    }
    if (reading)
        m_readCount = std::max(1, m_readCount / 2);   // the next connection asks for fewer at once
    socketEnded(reason);
}

void RedisSource::handle(const RespValue &reply)
{
    if (m_awaiting.empty()) {
        handlePush(reply);   // pub/sub: everything after SUBSCRIBE is pushed
        return;
    }
    const Awaiting awaiting = m_awaiting.front();
    m_awaiting.pop_front();
    if (reply.type == RespValue::Type::Error) {
        redisError(reply.text);
        return;
    }
    switch (awaiting) {
    case Awaiting::Auth:
        return;
    case Awaiting::Ping:
        if (state() != State::Open)
            markOpen();
        return;
    case Awaiting::LastEntry: {
        // The stream's last entry, or none: reading starts after it.
        if (!reply.isArray()) {
            socketEnded(QStringLiteral("XREVRANGE answered with something that is not a list of entries"));
            return;
        }
        QByteArray last = "0-0";
        if (!reply.elements.empty()) {
            const RespValue &entry = reply.elements[0];
            if (!entry.isArray() || entry.elements.empty() || !RedisTarget::isEntryId(entry.elements[0].text)) {
                socketEnded(QStringLiteral("XREVRANGE answered with an entry that is not [id, fields]"));
                return;
            }
            last = entry.elements[0].text;
        }
        m_cursor = m_readCursor = last;
        sendRead();
        return;
    }
    case Awaiting::Read:
        if (handleEntries(reply) && m_socket)
            sendRead();
        return;
    }
}

void RedisSource::handlePush(const RespValue &push)
{
    if (push.type == RespValue::Type::Error) {
        redisError(push.text);
        return;
    }
    if (push.isPush("message") && push.elements.size() == 3) {
        (void)addEvent({}, push.elements[2].text);   // the caller checks whether we are still current
    } else if (push.isPush("pmessage") && push.elements.size() == 4) {
        (void)addEvent({}, push.elements[3].text);
    } else if (push.isPush("subscribe") || push.isPush("psubscribe")) {
        if (state() != State::Open) {
            qCDebug(lcSource) << "subscribed to" << m_target.name;
            markOpen();
        }
    }
    // Anything else (a pong) only proves the connection alive.
}

bool RedisSource::handleEntries(const RespValue &reply)
{
    if (reply.type == RespValue::Type::Nil)
        return true;   // BLOCK ran out: nothing new
    // [[key, [[id, [field, value, …]], …]]]
    if (!reply.isArray() || reply.elements.size() != 1 || !reply.elements[0].isArray()
        || reply.elements[0].elements.size() != 2 || !reply.elements[0].elements[1].isArray()) {
        socketEnded(QStringLiteral("XREAD answered with something that is not a stream's entries"));
        return false;
    }
    for (const RespValue &entry : reply.elements[0].elements[1].elements) {
        if (!entry.isArray() || entry.elements.size() != 2 || !RedisTarget::isEntryId(entry.elements[0].text)) {
            socketEnded(QStringLiteral("XREAD answered with an entry that is not [id, fields]"));
            return false;
        }
        m_readCursor = entry.elements[0].text;
        if (!addEvent(m_readCursor, payloadOf(entry.elements[1])))
            return false;
    }
    return true;
}

bool RedisSource::addEvent(const QByteArray &id, QByteArray payload)
{
    // Redis carries bytes; an SseEvent promises well-formed UTF-8.
    if (!Utf8::isValid(payload)) {
        std::string clean;
        Utf8::appendSanitized(payload, clean);
        payload = QByteArray(clean.data(), qsizetype(clean.size()));
    }
    if (payload.size() > m_config.limits.maxEventBytes) {
        const QPointer<RedisSource> self(this);
        const quint64 generation = m_generation;
        emit eventsDiscarded(1, QStringLiteral("a message of %1 bytes, over the limit of %2, was dropped")
                                    .arg(payload.size())
                                    .arg(m_config.limits.maxEventBytes));
        return self && m_generation == generation && m_socket;
    }
    if (m_config.doneMarker && payload == *m_config.doneMarker) {
        if (flushBatch())
            stop(endMarkerReason(*m_config.doneMarker));
        return false;
    }
    {
        // What is recorded is what is delivered: the payload as the event carries it.
        const QPointer<RedisSource> self(this);
        const quint64 generation = m_generation;
        emit rawReceived(payload, RawKind::TextMessage);
        if (!self || m_generation != generation || !m_socket)
            return false;   // a receiver closed or deleted us
    }
    m_batch.append(SseEvent(kEventType, id, payload));
    return true;
}

bool RedisSource::flushBatch()
{
    if (m_batch.isEmpty())
        return state() != State::Closed;
    const QList<SseEvent> batch = std::exchange(m_batch, {});
    countEvents(batch.size());
    // A reconnection resumes after what was delivered, not after what was only received.
    if (!batch.constLast().lastEventId().isEmpty())
        m_cursor = batch.constLast().lastEventId().toByteArray();
    const QPointer<RedisSource> self(this);
    const quint64 generation = m_generation;
    emit eventsReceived(batch);
    return self && m_generation == generation && state() != State::Closed;
}

void RedisSource::noteActivity()
{
    const int idle = m_config.idleTimeout();
    if (idle <= 0 || !m_socket)
        return;
    m_idleTimer.start(idle);
    // A stream's XREAD answers by itself within a third of the timeout; a channel is asked.
    if (m_target.kind != RedisTarget::Kind::Stream)
        m_probeTimer.start(std::max(1, idle / 3));
}

void RedisSource::probe()
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->write(respCommand({"PING"}));   // in subscribed mode, answered by a "pong" push
}

void RedisSource::idleTimedOut()
{
    const bool wasOpen = state() == State::Open;
    if (!flushBatch())
        return;
    dropConnection();
    retryOrStop(QStringLiteral("no data for %1 ms").arg(m_config.idleTimeout()), Error::Network, !wasOpen);
}

void RedisSource::socketEnded(const QString &reason)
{
    if (!m_socket)
        return;
    const bool wasOpen = state() == State::Open;
    // What arrived before the end is delivered before anything is said about it.
    if (!flushBatch())
        return;
    dropConnection();
    retryOrStop(reason, Error::Network, !wasOpen);
}

void RedisSource::redisError(const QByteArray &message)
{
    const QString text = QStringLiteral("Redis answered: %1").arg(QString::fromUtf8(message));
    if (!flushBatch())
        return;
    dropConnection();
    if (isFatal(message))
        fail(Error::Network, text);
    else
        retryOrStop(text, Error::Network, state() != State::Open);
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/redis/redissource.h"

#include "core/logging.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <utility>

namespace Clickscope {
namespace {

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

RedisSource::RedisSource(SourceConfig config, QObject *parent)
    : MessageBusSource(std::move(config), QStringLiteral("Redis"), parent)
{}

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
    m_awaiting.clear();
    // A reply holds one message, or one XREAD batch: twice the largest event, or 4 MiB of small
    // ones, whichever is more. A larger one ends the connection (and makes the next XREAD ask
    // for fewer entries).
    RespReader::Limits limits;
    limits.maxReplyBytes = std::max<qsizetype>(kMinReplyBytes, 2 * m_config.limits.maxEventBytes);
    limits.maxArrayElements = kMaxArrayElements;
    limits.maxValues = kMaxReplyValues;
    m_reader = std::make_unique<RespReader>(limits);

    // A stream's XREAD answers by itself within its BLOCK time.
    setProbing(m_target.kind != RedisTarget::Kind::Stream);
    connectTo(m_target.host, m_target.port);
}

void RedisSource::dropConnection()
{
    MessageBusSource::dropConnection();
    m_awaiting.clear();
}

void RedisSource::send(const QByteArray &command, Awaiting awaiting)
{
    m_awaiting.push_back(awaiting);
    MessageBusSource::send(command);
}

void RedisSource::connected()
{
    if (!m_target.password.isEmpty()) {
        send(m_target.user.isEmpty() ? respCommand({"AUTH", m_target.password})
                                     : respCommand({"AUTH", m_target.user, m_target.password}),
             Awaiting::Auth);
    }
    switch (m_target.kind) {
    case RedisTarget::Kind::Channel:
        MessageBusSource::send(respCommand({"SUBSCRIBE", m_target.name}));   // answered by a push
        break;
    case RedisTarget::Kind::Pattern:
        MessageBusSource::send(respCommand({"PSUBSCRIBE", m_target.name}));
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

bool RedisSource::received(QByteArrayView bytes)
{
    const Liveness live = liveness();
    for (qsizetype at = 0; at < bytes.size(); at += RespReader::kFeedBytes) {
        m_reader->feed(bytes.sliced(at, std::min(RespReader::kFeedBytes, bytes.size() - at)));
        while (std::optional<RespValue> reply = m_reader->next()) {
            handle(*reply);
            if (!isCurrent(live))
                return false;
        }
        if (m_reader->failed()) {
            readerFailed();
            return false;
        }
    }
    return true;
}

void RedisSource::readerFailed()
{
    const QString reason = m_reader->errorString();
    const bool reading = !m_awaiting.empty() && m_awaiting.front() == Awaiting::Read;
    if (reading && m_readCount == 1) {
        // One entry alone is over the limit: every later read would stop at it.
        connectionFailed(QStringLiteral("the stream's entry after %1 is too large to read: %2")
                             .arg(QString::fromUtf8(m_readCursor), reason));
        return;
    }
    if (reading)
        m_readCount = std::max(1, m_readCount / 2);   // the next connection asks for fewer at once
    connectionEnded(reason);
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
            connectionEnded(QStringLiteral("XREVRANGE answered with something that is not a list of entries"));
            return;
        }
        QByteArray last = "0-0";
        if (!reply.elements.empty()) {
            const RespValue &entry = reply.elements[0];
            if (!entry.isArray() || entry.elements.empty() || !RedisTarget::isEntryId(entry.elements[0].text)) {
                connectionEnded(QStringLiteral("XREVRANGE answered with an entry that is not [id, fields]"));
                return;
            }
            last = entry.elements[0].text;
        }
        m_cursor = m_readCursor = last;
        sendRead();
        return;
    }
    case Awaiting::Read:
        if (handleEntries(reply) && isConnected())
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
        connectionEnded(QStringLiteral("XREAD answered with something that is not a stream's entries"));
        return false;
    }
    for (const RespValue &entry : reply.elements[0].elements[1].elements) {
        if (!entry.isArray() || entry.elements.size() != 2 || !RedisTarget::isEntryId(entry.elements[0].text)) {
            connectionEnded(QStringLiteral("XREAD answered with an entry that is not [id, fields]"));
            return false;
        }
        m_readCursor = entry.elements[0].text;
        if (!addEvent(m_readCursor, payloadOf(entry.elements[1])))
            return false;
    }
    return true;
}

void RedisSource::delivered(const SseBatch &batch)
{
    if (!batch.last().lastEventId().isEmpty())
        m_cursor = batch.last().lastEventId().toByteArray();
}

void RedisSource::probe()
{
    MessageBusSource::send(respCommand({"PING"}));   // in subscribed mode, answered by a "pong" push
}

void RedisSource::redisError(const QByteArray &message)
{
    const QString text = QStringLiteral("Redis answered: %1").arg(QString::fromUtf8(message));
    if (isFatal(message))
        connectionFailed(text);
    else
        connectionEnded(text);
}

}   // namespace Clickscope

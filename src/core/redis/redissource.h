// SPDX-License-Identifier: MIT
#pragma once

#include "core/redis/redistarget.h"
#include "core/redis/respreader.h"
#include "core/source/messagebussource.h"

#include <deque>
#include <memory>

namespace Clickscope {

// Clicks straight from Redis (redis:// URLs, see RedisTarget): a pub/sub channel or pattern, or a
// stream read with XREAD, each message an event as MessageBusSource says:
//   - pub/sub: the published message; the event has no id. Pub/sub keeps nothing, so what is
//     published while the source is away is not seen.
//   - stream: the entry's field "data", else its only field, else all its fields as one JSON
//     object of strings; the event's id is the entry's id. A reconnection resumes right after the
//     last entry read (start=$ is resolved to the stream's last entry on the first connection), so
//     nothing is lost or read twice; config().lastEventId, when it is an entry id, is where the
//     first read starts.
//
// The protocol is read by hiredis's reader (RespReader), which bounds a reply. Reconnection follows
// the ReconnectPolicy; an error Redis gives for the request itself (a wrong password, a key that
// is not a stream) is fatal. A silent channel is probed with PING; a stream's XREAD answers by
// itself within its BLOCK time, a third of the idle timeout.
class RedisSource : public MessageBusSource
{
    Q_OBJECT
public:
    // Entries asked for by one XREAD.
    static constexpr int kReadCount = 1000;
    // XREAD's BLOCK when no idle timeout is set: it answers at least this often anyway.
    static constexpr int kDefaultBlockMs = 15'000;
    // The least a reply may hold (see connectNow()), and what else bounds one.
    static constexpr qsizetype kMinReplyBytes = 4 * 1024 * 1024;
    static constexpr qsizetype kMaxArrayElements = 4096;
    static constexpr qsizetype kMaxReplyValues = 100'000;

    explicit RedisSource(SourceConfig config, QObject *parent = nullptr);
    ~RedisSource() override;

    // For a stream: the id of the last entry delivered, where a reconnection resumes; "$" before
    // the stream's end was resolved.
    QByteArray cursor() const { return m_cursor; }
    // Entries the next XREAD asks for: kReadCount, halved after each reply over the size limit (a
    // stream of large entries); an entry over the limit on its own is an error.
    int readCount() const { return m_readCount; }

private:
    // What the reply at the front of the queue answers.
    enum class Awaiting { Auth, Ping, LastEntry, Read };

    void connectNow() override;
    void dropConnection() override;
    void connected() override;
    bool received(QByteArrayView bytes) override;
    void probe() override;
    void delivered(const SseBatch &batch) override;
    void readerFailed();
    void send(const QByteArray &command, Awaiting awaiting);
    void sendRead();
    // Handles one reply or pushed message; may end the connection (an error reply).
    void handle(const RespValue &reply);
    void handlePush(const RespValue &push);
    // False when the entries were not a stream's, or reading them ended the connection.
    bool handleEntries(const RespValue &reply);
    // An error reply: fatal when it is about our request (auth, permissions, type), else retried.
    void redisError(const QByteArray &message);

    RedisTarget m_target;
    std::unique_ptr<RespReader> m_reader;
    std::deque<Awaiting> m_awaiting;
    QByteArray m_cursor;       // delivered
    QByteArray m_readCursor;   // received: where this connection's next XREAD starts
    int m_readCount = kReadCount;
};

}   // namespace Clickscope

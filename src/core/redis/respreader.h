// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

struct redisReader;

namespace Clickscope {

struct RespBudget;

// One value of the Redis protocol (RESP2): what a reply or a pushed message is made of.
struct RespValue
{
    enum class Type { String, Status, Error, Integer, Nil, Array };

    Type type = Type::Nil;
    QByteArray text;   // String, Status, Error
    qint64 integer = 0;
    std::vector<RespValue> elements;   // Array

    bool isArray() const { return type == Type::Array; }
    bool isString() const { return type == Type::String; }
    // An array whose first element is the string `kind` ("message", "subscribe" …).
    bool isPush(QByteArrayView kind) const
    {
        return isArray() && !elements.empty() && elements.front().isString() && elements.front().text == kind;
    }
};

// Replies from the bytes a Redis server sends, parsed by hiredis's own reader (the protocol as
// the Redis project reads it) into RespValues.
//
// Memory is bounded, whatever the server sends: hiredis keeps a value's bytes until the whole
// value has arrived and builds arrays as their elements come, so a reply larger than
// `maxReplyBytes` (the bytes held unparsed plus what the reply being built takes: its values,
// arrays as announced, strings with their blocks), an array longer than `maxArrayElements` or a
// reply of more than `maxValues` values in all is refused: the reader fails, and errorString()
// says what was too large. A failed reader stays failed.
//
// hiredis moves its unparsed bytes down after each reply once it has consumed 1 KiB, so feed()
// a few KiB at a time (kFeedBytes) and take the replies in between: fed a megabyte at once, it
// copies that megabyte again for every few replies.
class RespReader
{
public:
    struct Limits
    {
        qsizetype maxReplyBytes = 64 * 1024 * 1024;
        qsizetype maxArrayElements = 100'000;
        qsizetype maxValues = 1'000'000;
    };

    static constexpr qsizetype kFeedBytes = 8 * 1024;

    explicit RespReader(Limits limits);
    RespReader() : RespReader(Limits{}) {}
    ~RespReader();
    RespReader(const RespReader &) = delete;
    RespReader &operator=(const RespReader &) = delete;

    // Adds bytes as they arrived; false once the reader has failed.
    bool feed(QByteArrayView bytes);
    // The next complete reply, or nothing when none is complete yet or the reader has failed.
    std::optional<RespValue> next();

    bool failed() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    // Bytes held: unparsed input plus what the reply being built takes.
    qsizetype bufferedBytes() const;
    const Limits &limits() const { return m_limits; }

private:
    struct ReaderDeleter
    {
        void operator()(redisReader *reader) const;
    };

    void failWith(const QString &message);

    Limits m_limits;
    std::unique_ptr<RespBudget> m_budget;   // what the reply being built has used; hiredis's callbacks see it
    std::unique_ptr<redisReader, ReaderDeleter> m_reader;
    QString m_error;
};

// A command as Redis reads it: an array of bulk strings ("SUBSCRIBE", "clicks").
QByteArray respCommand(std::initializer_list<QByteArrayView> parts);

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/redis/respreader.h"

#include <hiredis/read.h>

#include <cstring>

namespace Clickscope {

// What the reply being built has used, shared with hiredis's callbacks through the reader's
// privdata.
struct RespBudget
{
    RespReader::Limits limits;
    qsizetype values = 0;
    qsizetype bytes = 0;   // the values and strings built so far
    QString overLimit;     // why a callback refused a value

    void reset()
    {
        values = 0;
        bytes = 0;
    }
};

namespace {

RespBudget &budgetOf(const redisReadTask *task) { return *static_cast<RespBudget *>(task->privdata); }

// What a value costs besides its string's bytes: itself, or a string's heap block header.
constexpr qsizetype kValueBytes = qsizetype(sizeof(RespValue));
constexpr qsizetype kStringOverheadBytes = 32;

// Charges `bytes` to the reply; false (with the reason noted) once it is over its limit.
bool charge(RespBudget &budget, qsizetype bytes)
{
    budget.bytes += bytes;
    if (budget.bytes <= budget.limits.maxReplyBytes)
        return true;
    budget.overLimit = QStringLiteral("a reply of more than %1 bytes").arg(budget.limits.maxReplyBytes);
    return false;
}

// Where a new value goes: a new root, or its place in the parent array (sized when the parent was
// made, so the place stays put). nullptr when the budget is spent, or when hiredis's count of the
// parent's elements is not ours: hiredis then fails the reader.
RespValue *place(const redisReadTask *task, RespValue::Type type)
{
    RespBudget &budget = budgetOf(task);
    if (++budget.values > budget.limits.maxValues) {
        budget.overLimit = QStringLiteral("a reply of more than %1 values").arg(budget.limits.maxValues);
        return nullptr;
    }
    RespValue *value = nullptr;
    if (task->parent) {
        auto *parent = static_cast<RespValue *>(task->parent->obj);
        if (task->idx < 0 || std::size_t(task->idx) >= parent->elements.size()) {
            budget.overLimit = QStringLiteral("an array with more elements than it announced");
            return nullptr;
        }
        value = &parent->elements[std::size_t(task->idx)];
    } else {
        if (!charge(budget, kValueBytes))
            return nullptr;
        value = new RespValue;
    }
    value->type = type;
    return value;
}

void *createString(const redisReadTask *task, char *bytes, size_t length)
{
    if (!charge(budgetOf(task), qsizetype(length) + kStringOverheadBytes))
        return nullptr;
    const RespValue::Type type = task->type == REDIS_REPLY_ERROR    ? RespValue::Type::Error
                                 : task->type == REDIS_REPLY_STATUS ? RespValue::Type::Status
                                                                    : RespValue::Type::String;
    RespValue *value = place(task, type);
    if (value)
        value->text = QByteArray(bytes, qsizetype(length));
    return value;
}

void *createArray(const redisReadTask *task, int elements)
{
    RespBudget &budget = budgetOf(task);
    if (elements < 0 || elements > budget.limits.maxArrayElements) {
        budget.overLimit = QStringLiteral("an array of %1 elements (at most %2 are read)")
                               .arg(elements)
                               .arg(budget.limits.maxArrayElements);
        return nullptr;
    }
    // The elements are made now, in one block: they are what the reply costs from here on.
    if (!charge(budget, qsizetype(elements) * kValueBytes))
        return nullptr;
    RespValue *value = place(task, RespValue::Type::Array);
    if (value)
        value->elements.resize(std::size_t(elements));
    return value;
}

void *createInteger(const redisReadTask *task, long long integer)
{
    RespValue *value = place(task, RespValue::Type::Integer);
    if (value)
        value->integer = integer;
    return value;
}

void *createNil(const redisReadTask *task) { return place(task, RespValue::Type::Nil); }

// hiredis frees only a root this way: every other value lives inside one.
void freeObject(void *value) { delete static_cast<RespValue *>(value); }

redisReplyObjectFunctions kFunctions = {createString, createArray, createInteger, createNil, freeObject};

}   // namespace

void RespReader::ReaderDeleter::operator()(redisReader *reader) const { redisReaderFree(reader); }

RespReader::RespReader(Limits limits)
    : m_limits(limits)
    , m_budget(std::make_unique<RespBudget>())
    , m_reader(redisReaderCreateWithFunctions(&kFunctions))
{
    m_budget->limits = limits;
    if (!m_reader) {
        m_error = QStringLiteral("out of memory");
        return;
    }
    m_reader->privdata = m_budget.get();
}

RespReader::~RespReader() = default;

void RespReader::failWith(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
}

bool RespReader::feed(QByteArrayView bytes)
{
    if (failed())
        return false;
    if (redisReaderFeed(m_reader.get(), bytes.data(), size_t(bytes.size())) != REDIS_OK) {
        failWith(QStringLiteral("out of memory"));
        return false;
    }
    return true;
}

std::optional<RespValue> RespReader::next()
{
    if (failed())
        return std::nullopt;
    void *reply = nullptr;
    if (redisReaderGetReply(m_reader.get(), &reply) != REDIS_OK) {
        failWith(!m_budget->overLimit.isEmpty()
                     ? QStringLiteral("the server sent %1").arg(m_budget->overLimit)
                     : QStringLiteral("not the Redis protocol: %1").arg(QString::fromUtf8(m_reader->errstr)));
        return std::nullopt;
    }
    if (!reply) {
        // Incomplete: hiredis holds the bytes of the value it is waiting for until it is whole.
        if (bufferedBytes() > m_limits.maxReplyBytes)
            failWith(QStringLiteral("the server sent a reply of more than %1 bytes").arg(m_limits.maxReplyBytes));
        return std::nullopt;
    }
    std::unique_ptr<RespValue> root(static_cast<RespValue *>(reply));
    m_budget->reset();
    return std::move(*root);
}

qsizetype RespReader::bufferedBytes() const
{
    if (!m_reader)
        return 0;
    return qsizetype(m_reader->len - m_reader->pos) + m_budget->bytes;
}

QByteArray respCommand(std::initializer_list<QByteArrayView> parts)
{
    QByteArray out;
    out += '*' + QByteArray::number(qsizetype(parts.size())) + "\r\n";
    for (const QByteArrayView part : parts) {
        out += '$' + QByteArray::number(part.size()) + "\r\n";
        out += part;
        out += "\r\n";
    }
    return out;
}

}   // namespace Clickscope

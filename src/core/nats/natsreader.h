// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace Clickscope {

// One operation a NATS server sends.
struct NatsOp
{
    enum class Type { Info, Msg, Ping, Pong, Ok, Err };

    Type type = Type::Ok;
    // Msg: where it was published, the subscription it is for and where to answer (may be empty).
    QByteArray subject;
    QByteArray sid;
    QByteArray replyTo;
    // Msg sent with headers (HMSG): the header block from "NATS/1.0" to its blank line.
    QByteArray headers;
    // Msg: the payload. Info: the JSON object. Err: the server's message, quotes removed.
    QByteArray payload;
    // Msg: headers and payload as the server announced them, even when dropped.
    qsizetype size = 0;
    // Msg: over the reader's limit, so neither headers nor payload were kept.
    bool dropped = false;

    // The status a header block carries ("NATS/1.0 100 Idle Heartbeat": 100), or 0.
    int status() const;
    // The value of header `name` (compared without case), or a null array.
    QByteArray header(QByteArrayView name) const;
};

// Reads what a NATS server sends (INFO, MSG, HMSG, PING, PONG, +OK, -ERR), as it arrives, in any
// pieces. Memory stays bounded whatever the server sends: a control line over maxControlLine is an
// error, and a message over maxMessageBytes is announced with `dropped` and its bytes skipped as
// they arrive, never buffered. The caller feeds at most a read's worth and then takes every
// operation with next() before feeding more.
class NatsReader
{
public:
    struct Limits
    {
        qsizetype maxControlLine = 64 * 1024;   // INFO lists a cluster's addresses
        qsizetype maxMessageBytes = 1024 * 1024;
    };

    NatsReader() : NatsReader(Limits{}) {}
    explicit NatsReader(Limits limits) : m_limits(limits) {}

    void feed(QByteArrayView bytes);
    // The next whole operation, or nullopt until more bytes come (or after a failure).
    std::optional<NatsOp> next();

    Limits limits() const { return m_limits; }
    bool failed() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    // Bytes held for an operation not yet whole.
    qsizetype bufferedBytes() const { return m_buffer.size() - m_pos; }
    // Forgets everything fed so far and any failure: what comes next is a new stream, read with the
    // same limits.
    void restart() { *this = NatsReader(m_limits); }

private:
    std::optional<NatsOp> fail(const QString &error);
    // Parses a MSG or HMSG control line's arguments into m_message; false on a malformed one.
    bool parseMessageLine(QByteArrayView arguments, bool withHeaders);

    Limits m_limits;
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    // A message whose control line was read and whose body is awaited.
    std::optional<NatsOp> m_message;
    qsizetype m_headerBytes = 0;
    // Bytes of a dropped message (and its CRLF) still to skip.
    qsizetype m_skip = 0;
    QString m_error;
};

// Commands a client sends.
namespace NatsCommand {
QByteArray connect(const QByteArray &json);
QByteArray subscribe(QByteArrayView subject, QByteArrayView sid);
QByteArray publish(QByteArrayView subject, QByteArrayView replyTo, QByteArrayView payload);
inline QByteArray ping() { return QByteArrayLiteral("PING\r\n"); }
inline QByteArray pong() { return QByteArrayLiteral("PONG\r\n"); }
}   // namespace NatsCommand

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/nats/natsreader.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace Clickscope {
namespace {

// No NATS server sends a larger message (its max_payload tops out far below): a size beyond this
// is not a message, and skipping it would keep reading garbage as its body.
constexpr qsizetype kMaxAnnouncedBytes = qsizetype(1) << 30;

bool isBlank(char c) { return c == ' ' || c == '\t'; }

// The blank-separated fields of a message line: at most kMaxFields (a line with more is
// malformed, which count > kMaxFields says), with no allocation per message.
struct Fields
{
    static constexpr qsizetype kMaxFields = 5;
    std::array<QByteArrayView, kMaxFields> at;
    qsizetype count = 0;
};

Fields fieldsOf(QByteArrayView line)
{
    Fields fields;
    qsizetype i = 0;
    while (i < line.size()) {
        while (i < line.size() && isBlank(line[i]))
            ++i;
        const qsizetype start = i;
        while (i < line.size() && !isBlank(line[i]))
            ++i;
        if (i > start) {
            if (fields.count == Fields::kMaxFields) {
                ++fields.count;
                return fields;
            }
            fields.at[std::size_t(fields.count++)] = line.sliced(start, i - start);
        }
    }
    return fields;
}

// A size field: decimal digits, at most kMaxAnnouncedBytes; -1 otherwise.
qsizetype sizeOf(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 10)
        return -1;
    qsizetype value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return -1;
        value = value * 10 + (c - '0');
    }
    return value <= kMaxAnnouncedBytes ? value : -1;
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && isBlank(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isBlank(text.back()))
        text.chop(1);
    return text;
}

// What a server's line says, fit for a message: printable ASCII, shortened.
QString shownLine(QByteArrayView line)
{
    QString shown;
    for (char c : line.first(std::min<qsizetype>(line.size(), 40)))
        shown += c >= 0x20 && c < 0x7f ? QChar(c) : QChar(u'?');
    return line.size() > 40 ? shown + QStringLiteral("…") : shown;
}

}   // namespace

int NatsOp::status() const
{
    // "NATS/1.0 100 Idle Heartbeat\r\n…"
    if (!headers.startsWith("NATS/"))
        return 0;
    const qsizetype space = headers.indexOf(' ');
    const qsizetype lineEnd = headers.indexOf('\r');
    if (space < 0 || (lineEnd >= 0 && space > lineEnd) || space + 4 > headers.size())
        return 0;
    int code = 0;
    for (qsizetype i = space + 1; i < space + 4; ++i) {
        if (headers[i] < '0' || headers[i] > '9')
            return 0;
        code = code * 10 + (headers[i] - '0');
    }
    return code;
}

QByteArray NatsOp::header(QByteArrayView name) const
{
    qsizetype at = headers.indexOf('\n');
    while (at >= 0 && at + 1 < headers.size()) {
        const qsizetype start = at + 1;
        qsizetype end = headers.indexOf('\n', start);
        if (end < 0)
            end = headers.size();
        QByteArrayView line = QByteArrayView(headers).sliced(start, end - start);
        if (line.endsWith('\r'))
            line.chop(1);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && trimmed(line.first(colon)).compare(name, Qt::CaseInsensitive) == 0)
            return trimmed(line.sliced(colon + 1)).toByteArray();
        at = end < headers.size() ? end : -1;
    }
    return {};
}

void NatsReader::feed(QByteArrayView bytes)
{
    if (failed())
        return;
    if (m_skip > 0) {
        const qsizetype n = std::min(m_skip, bytes.size());
        m_skip -= n;
        bytes = bytes.sliced(n);
    }
    if (m_pos > 0) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    m_buffer.append(bytes.data(), bytes.size());
}

std::optional<NatsOp> NatsReader::fail(const QString &error)
{
    m_error = error;
    m_buffer.clear();
    m_pos = 0;
    m_message.reset();
    return std::nullopt;
}

bool NatsReader::parseMessageLine(QByteArrayView arguments, bool withHeaders)
{
    const Fields f = fieldsOf(arguments);
    const qsizetype counts = withHeaders ? 4 : 3;
    if (f.count != counts && f.count != counts + 1)
        return false;
    NatsOp op;
    op.type = NatsOp::Type::Msg;
    op.subject = f.at[0].toByteArray();
    op.sid = f.at[1].toByteArray();
    if (f.count == counts + 1)
        op.replyTo = f.at[2].toByteArray();
    const qsizetype total = sizeOf(f.at[std::size_t(f.count - 1)]);
    const qsizetype headerBytes = withHeaders ? sizeOf(f.at[std::size_t(f.count - 2)]) : 0;
    if (total < 0 || headerBytes < 0 || headerBytes > total)
        return false;
    op.size = total;
    m_headerBytes = headerBytes;
    m_message = std::move(op);
    return true;
}

std::optional<NatsOp> NatsReader::next()
{
    if (failed() || m_skip > 0)
        return std::nullopt;
    const qsizetype available = m_buffer.size() - m_pos;
    if (m_message) {
        const qsizetype needed = m_message->size + 2;
        if (available < needed)
            return std::nullopt;
        const char *body = m_buffer.constData() + m_pos;
        if (body[m_message->size] != '\r' || body[m_message->size + 1] != '\n')
            return fail(QStringLiteral("a message's %1 bytes are not followed by CRLF").arg(m_message->size));
        NatsOp op = std::move(*m_message);
        m_message.reset();
        op.headers = QByteArray(body, m_headerBytes);
        op.payload = QByteArray(body + m_headerBytes, op.size - m_headerBytes);
        m_pos += needed;
        return op;
    }

    const char *start = m_buffer.constData() + m_pos;
    const qsizetype searched = std::min(available, m_limits.maxControlLine + 2);
    const char *newline = static_cast<const char *>(std::memchr(start, '\n', size_t(searched)));
    if (!newline) {
        if (available > m_limits.maxControlLine + 1)
            return fail(QStringLiteral("the server sent a line longer than %1 bytes").arg(m_limits.maxControlLine));
        return std::nullopt;
    }
    QByteArrayView line(start, newline - start);
    m_pos += line.size() + 1;
    if (line.endsWith('\r'))
        line.chop(1);
    qsizetype nameEnd = 0;
    while (nameEnd < line.size() && !isBlank(line[nameEnd]))
        ++nameEnd;
    const QByteArrayView name = line.first(nameEnd);
    const QByteArrayView rest = line.sliced(nameEnd);
    const auto is = [&](QByteArrayView op) { return name.compare(op, Qt::CaseInsensitive) == 0; };

    NatsOp op;
    if (is("MSG") || is("HMSG")) {
        if (!parseMessageLine(rest, is("HMSG")))
            return fail(QStringLiteral("the server sent a malformed message line '%1'").arg(shownLine(line)));
        if (m_message->size <= m_limits.maxMessageBytes)
            return next();
        // Too large to keep: said, and its bytes passed over as they come.
        op = std::move(*m_message);
        m_message.reset();
        op.dropped = true;
        const qsizetype body = op.size + 2;
        const qsizetype here = std::min(body, m_buffer.size() - m_pos);
        m_pos += here;
        m_skip = body - here;
        return op;
    }
    if (is("PING")) {
        op.type = NatsOp::Type::Ping;
    } else if (is("PONG")) {
        op.type = NatsOp::Type::Pong;
    } else if (is("+OK")) {
        op.type = NatsOp::Type::Ok;
    } else if (is("-ERR")) {
        op.type = NatsOp::Type::Err;
        QByteArrayView text = trimmed(rest);
        if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'')
            text = text.sliced(1, text.size() - 2);
        op.payload = text.toByteArray();
    } else if (is("INFO")) {
        op.type = NatsOp::Type::Info;
        op.payload = trimmed(rest).toByteArray();
    } else {
        return fail(QStringLiteral("the server sent '%1', which is not a NATS operation").arg(shownLine(line)));
    }
    return op;
}

namespace NatsCommand {

QByteArray connect(const QByteArray &json) { return "CONNECT " + json + "\r\n"; }

QByteArray subscribe(QByteArrayView subject, QByteArrayView sid)
{
    QByteArray command = "SUB ";
    command.append(subject).append(' ').append(sid).append("\r\n");
    return command;
}

QByteArray publish(QByteArrayView subject, QByteArrayView replyTo, QByteArrayView payload)
{
    QByteArray command = "PUB ";
    command.append(subject).append(' ');
    if (!replyTo.isEmpty())
        command.append(replyTo).append(' ');
    command.append(QByteArray::number(payload.size())).append("\r\n").append(payload).append("\r\n");
    return command;
}

}   // namespace NatsCommand
}   // namespace Clickscope

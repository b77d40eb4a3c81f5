// SPDX-License-Identifier: MIT
#include "server/requesthead.h"

#include "core/http/httpsyntax.h"

#include <QList>

namespace Clickscope {
namespace {

constexpr int kMaxContentLengthDigits = 18;   // below 2^63, so it never overflows

using HttpSyntax::isToken;
using HttpSyntax::isWhitespace;
using HttpSyntax::trimmed;

// Field values may hold tabs, visible ASCII and obs-text, never other control characters.
bool isFieldValue(QByteArrayView bytes)
{
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

// Whether a comma-separated list such as a Connection header holds `token`, in any case.
bool listContains(QByteArrayView list, QByteArrayView token)
{
    while (!list.isEmpty()) {
        const qsizetype comma = list.indexOf(',');
        const QByteArrayView item = trimmed(comma < 0 ? list : list.first(comma));
        if (item.compare(token, Qt::CaseInsensitive) == 0)
            return true;
        list = comma < 0 ? QByteArrayView() : list.sliced(comma + 1);
    }
    return false;
}

QByteArrayView lastListItem(QByteArrayView list)
{
    const qsizetype comma = list.lastIndexOf(',');
    return trimmed(comma < 0 ? list : list.sliced(comma + 1));
}

RequestHead refusal(int status, const char *reason, const QString &message)
{
    RequestHead head;
    head.status = status;
    head.reason = reason;
    head.message = message;
    head.close = true;
    return head;
}

RequestHead badRequest(const QString &message) { return refusal(400, "Bad Request", message); }

}   // namespace

RequestHead RequestHead::judge(QByteArrayView head, qint64 maxBodyBytes)
{
    while (head.startsWith("\r\n"))
        head = head.sliced(2);

    qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArrayView requestLine = lineEnd < 0 ? head : head.first(lineEnd);
    if (requestLine.contains('\r') || requestLine.contains('\n'))
        return badRequest(QStringLiteral("a bare CR or LF in the request line"));
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace == firstSpace)
        return badRequest(QStringLiteral("the request line is not 'METHOD target HTTP/1.1'"));
    const QByteArrayView method = requestLine.first(firstSpace);
    const QByteArrayView target = requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = requestLine.sliced(lastSpace + 1);
    if (!isToken(method) || target.isEmpty() || target.contains(' ') || !isFieldValue(target) || target.contains('\t'))
        return badRequest(QStringLiteral("the request line is not 'METHOD target HTTP/1.1'"));
    const bool http10 = version == "HTTP/1.0";
    if (!http10 && version != "HTTP/1.1") {
        if (version.size() == 8 && version.startsWith("HTTP/") && version[6] == '.')
            return refusal(505, "HTTP Version Not Supported", QStringLiteral("only HTTP/1.0 and HTTP/1.1 are served"));
        return badRequest(QStringLiteral("the request line is not 'METHOD target HTTP/1.1'"));
    }
    if (method == "CONNECT")
        return refusal(405, "Method Not Allowed", QStringLiteral("CONNECT is not supported"));

    RequestHead verdict;
    int contentLengths = 0;
    int hosts = 0;
    bool transferEncoding = false;
    bool chunked = false;
    bool connectionClose = false;
    bool connectionKeepAlive = false;
    bool connectionUpgrade = false;
    bool upgradeWebSocket = false;
    QByteArrayView rest = lineEnd < 0 ? QByteArrayView() : head.sliced(lineEnd + 2);
    while (!rest.isEmpty()) {
        lineEnd = rest.indexOf("\r\n");
        const QByteArrayView line = lineEnd < 0 ? rest : rest.first(lineEnd);
        rest = lineEnd < 0 ? QByteArrayView() : rest.sliced(lineEnd + 2);
        if (line.contains('\r') || line.contains('\n'))
            return badRequest(QStringLiteral("a bare CR or LF in a header line"));
        if (!line.isEmpty() && isWhitespace(line.front()))
            return badRequest(QStringLiteral("folded header lines are not accepted"));
        const qsizetype colon = line.indexOf(':');
        if (colon < 0 || !isToken(line.first(colon)))
            return badRequest(QStringLiteral("a header line is not 'Name: value' (no space before the colon)"));
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (!isFieldValue(value))
            return badRequest(QStringLiteral("a control character in the value of %1").arg(QString::fromLatin1(name)));
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            if (++contentLengths > 1)
                return badRequest(QStringLiteral("more than one Content-Length"));
            if (value.isEmpty() || value.size() > kMaxContentLengthDigits)
                return badRequest(QStringLiteral("invalid Content-Length"));
            qint64 length = 0;
            for (char c : value) {
                if (c < '0' || c > '9')
                    return badRequest(QStringLiteral("invalid Content-Length"));
                length = length * 10 + (c - '0');
            }
            verdict.contentLength = length;
        } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            transferEncoding = true;
            chunked = lastListItem(value).compare("chunked", Qt::CaseInsensitive) == 0;
        } else if (name.compare("Host", Qt::CaseInsensitive) == 0) {
            if (++hosts > 1)
                return badRequest(QStringLiteral("more than one Host"));
        } else if (name.compare("Connection", Qt::CaseInsensitive) == 0) {
            connectionClose = connectionClose || listContains(value, "close");
            connectionKeepAlive = connectionKeepAlive || listContains(value, "keep-alive");
            connectionUpgrade = connectionUpgrade || listContains(value, "upgrade");
        } else if (name.compare("Upgrade", Qt::CaseInsensitive) == 0) {
            upgradeWebSocket = upgradeWebSocket || listContains(value, "websocket");
        }
    }
    if (transferEncoding && contentLengths > 0)
        return badRequest(QStringLiteral("both Content-Length and Transfer-Encoding"));
    if (transferEncoding && chunked)
        return refusal(411, "Length Required", QStringLiteral("chunked bodies are not accepted; send Content-Length"));
    if (transferEncoding)
        return badRequest(QStringLiteral("a Transfer-Encoding other than chunked"));
    if (verdict.contentLength > maxBodyBytes) {
        return refusal(
            413, "Payload Too Large",
            QStringLiteral("the body is %1 bytes; the limit is %2").arg(verdict.contentLength).arg(maxBodyBytes));
    }
    verdict.upgrade = connectionUpgrade && upgradeWebSocket;
    verdict.close = connectionClose || (http10 && !connectionKeepAlive);
    return verdict;
}

}   // namespace Clickscope

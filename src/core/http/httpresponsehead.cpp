// SPDX-License-Identifier: MIT
#include "core/http/httpresponsehead.h"

#include "core/http/httpsyntax.h"

#include <algorithm>

namespace Clickscope {
namespace {

QString shown(QByteArrayView bytes)
{
    constexpr qsizetype kShown = 40;
    QString text;
    for (const char c : bytes.first(std::min(bytes.size(), kShown)))
        text += (c >= 0x20 && c < 0x7f) ? QChar(QLatin1Char(c)) : QChar(u'.');
    return bytes.size() > kShown ? text + u'…' : text;
}

}   // namespace

QByteArray HttpResponseHead::value(QByteArrayView name) const
{
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            return v;
    }
    return {};
}

QList<QByteArray> HttpResponseHead::values(QByteArrayView name) const
{
    QList<QByteArray> found;
    for (const auto &[n, v] : headers) {
        if (n.compare(name, Qt::CaseInsensitive) == 0)
            found.append(v);
    }
    return found;
}

qsizetype HttpResponseHead::endIn(QByteArrayView buffer, qsizetype from)
{
    for (qsizetype lf = buffer.indexOf('\n', std::max<qsizetype>(0, from)); lf >= 0;
         lf = buffer.indexOf('\n', lf + 1)) {
        qsizetype next = lf + 1;
        if (next < buffer.size() && buffer[next] == '\r')
            ++next;
        if (next < buffer.size() && buffer[next] == '\n')
            return next + 1;
    }
    return -1;
}

Result<HttpResponseHead> HttpResponseHead::parse(QByteArrayView head)
{
    const auto failWith = [](const QString &message) { return unexpected(message); };
    HttpResponseHead result;
    bool statusSeen = false;
    while (!head.isEmpty()) {
        qsizetype lf = head.indexOf('\n');
        if (lf < 0)
            lf = head.size();
        QByteArrayView line = head.first(lf);
        head = head.sliced(std::min(lf + 1, head.size()));
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.contains('\r'))
            return failWith(
                QStringLiteral("a response header line holds a bare carriage return: '%1'").arg(shown(line)));

        if (!statusSeen) {
            // HTTP-version SP 3DIGIT SP reason-phrase; some servers leave out the last space.
            if (!line.startsWith("HTTP/1.") || line.size() < 12 || line[8] != ' ')
                return failWith(QStringLiteral("the server did not answer with HTTP/1.x (its answer starts '%1')")
                                    .arg(shown(line)));
            const QByteArrayView code = line.sliced(9, 3);
            if (!std::all_of(code.begin(), code.end(), Ascii::isDigit) || (line.size() > 12 && line[12] != ' '))
                return failWith(QStringLiteral("the status line '%1' has no three-digit status code").arg(shown(line)));
            result.version = line.first(8).toByteArray();
            result.status = code.toInt();
            result.reason = line.size() > 13 ? line.sliced(13).toByteArray() : QByteArray();
            statusSeen = true;
            continue;
        }
        if (line.isEmpty())
            break;
        if (line.front() == ' ' || line.front() == '\t') {
            if (result.headers.isEmpty())
                return failWith(
                    QStringLiteral("the first response header line is a continuation: '%1'").arg(shown(line)));
            QByteArray &value = result.headers.last().second;
            value += ' ';
            value += HttpSyntax::trimmed(line);
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        const QByteArrayView name = colon > 0 ? line.first(colon) : QByteArrayView();
        if (!HttpSyntax::isToken(name))
            return failWith(QStringLiteral("malformed response header line '%1'").arg(shown(line)));
        result.headers.append({name.toByteArray(), HttpSyntax::trimmed(line.sliced(colon + 1)).toByteArray()});
    }
    if (!statusSeen)
        return failWith(QStringLiteral("the server sent an empty response"));
    return result;
}

}   // namespace Clickscope

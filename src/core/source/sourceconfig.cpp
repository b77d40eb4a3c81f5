// SPDX-License-Identifier: MIT
#include "sourceconfig.h"

namespace Clickscope {
namespace {

bool isHeaderNameChar(QChar c)
{
    // RFC 9110 token characters.
    static const QString kSpecials = QStringLiteral("!#$%&'*+-.^_`|~");
    return (c.unicode() < 128 && c.isLetterOrNumber()) || kSpecials.contains(c);
}

} // namespace

std::optional<HttpHeader> parseHeaderLine(const QString &line, QString *error)
{
    const qsizetype colon = line.indexOf(u':');
    const QString name = colon < 0 ? QString() : line.left(colon).trimmed();
    if (name.isEmpty() || !std::all_of(name.cbegin(), name.cend(), isHeaderNameChar)) {
        if (error)
            *error = QStringLiteral("'%1' is not a header; expected 'Name: value'").arg(line);
        return std::nullopt;
    }
    const QString value = line.mid(colon + 1).trimmed();
    if (value.contains(u'\r') || value.contains(u'\n')) {
        if (error)
            *error = QStringLiteral("header '%1' contains a line break").arg(name);
        return std::nullopt;
    }
    return HttpHeader{name.toLatin1(), value.toUtf8()};
}

QString validateStreamUrl(const QUrl &url)
{
    if (url.isEmpty())
        return QStringLiteral("no URL given");
    if (!url.isValid())
        return QStringLiteral("'%1' is not a valid URL: %2").arg(url.toString(), url.errorString());
    const QString scheme = url.scheme().toLower();
    if (scheme.isEmpty())
        return QStringLiteral("'%1' has no scheme; try http://%1").arg(url.toString());
    if (scheme != u"http" && scheme != u"https" && scheme != u"ws" && scheme != u"wss")
        return QStringLiteral("unsupported scheme '%1' in '%2' (use http, https, ws or wss)")
            .arg(scheme, url.toString());
    if (url.host().isEmpty())
        return QStringLiteral("'%1' has no host").arg(url.toString());
    return {};
}

} // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "core/source/httpexchange.h"

#include <QJsonArray>

namespace Clickscope {
namespace {

QJsonObject headersJson(const QList<HttpHeader> &headers, bool mask)
{
    QJsonObject out;
    for (const auto &[name, value] : headers) {
        const QString key = QString::fromLatin1(name);
        QString shown = QString::fromUtf8(value);
        if (mask && isSecretHeader(name))
            shown = QStringLiteral("•••");
        else if (name.compare("Location", Qt::CaseInsensitive) == 0)
            shown = shownUrl(QUrl(shown));   // a signed redirect target
        // A repeated field keeps every value, comma-joined, as HTTP allows.
        out.insert(key, out.contains(key) ? out.value(key).toString() + QStringLiteral(", ") + shown : shown);
    }
    return out;
}

}   // namespace

QJsonObject HttpExchange::toJson() const
{
    QJsonObject json{{QStringLiteral("url"), shownUrl(url)},
                     {QStringLiteral("method"), QString::fromLatin1(method)},
                     {QStringLiteral("requestHeaders"), headersJson(requestHeaders, true)},
                     {QStringLiteral("status"), status},
                     {QStringLiteral("version"), QString::fromLatin1(version)},
                     {QStringLiteral("responseHeaders"), headersJson(responseHeaders, false)},   // none holds a secret
                     {QStringLiteral("headMs"), headMs}};
    if (requestBodyBytes > 0)
        json.insert(QStringLiteral("requestBodyBytes"), qint64(requestBodyBytes));
    if (!reason.isEmpty())
        json.insert(QStringLiteral("reason"), QString::fromLatin1(reason));
    return json;
}

qsizetype HttpExchange::keptBytes() const
{
    qsizetype size = url.toEncoded().size() + method.size() + reason.size() + version.size();
    for (const QList<HttpHeader> *headers : {&requestHeaders, &responseHeaders}) {
        for (const auto &[name, value] : *headers)
            size += name.size() + value.size();
    }
    return size;
}

QByteArray HttpExchange::responseHeader(QByteArrayView name) const
{
    for (const auto &[key, value] : responseHeaders) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpExchange::isEventStreamType(QByteArrayView contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    const QByteArrayView essence = (semicolon < 0 ? contentType : contentType.first(semicolon)).trimmed();
    return essence.compare("text/event-stream", Qt::CaseInsensitive) == 0;
}

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "app/savedrequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QObject>

namespace Clickscope {

SavedRequest SavedRequest::withoutSecrets(const StreamRequest &request)
{
    SavedRequest saved{request, {}};
    for (const auto &[name, value] : request.config.headers) {
        if (isSecretHeader(name))
            saved.missingCredentials.append(QString::fromLatin1(name));
    }
    QStringList fromUrl;
    saved.request.config.url = urlWithoutSecrets(request.config.url, &fromUrl);
    for (const QString &name : std::as_const(fromUrl))
        saved.missingCredentials.append(QObject::tr("the URL's %1").arg(name));
    saved.request.config.headers.removeIf([](const HttpHeader &h) { return isSecretHeader(h.first); });
    return saved;
}

QString SavedRequest::label() const
{
    const QString url = request.config.url.adjusted(QUrl::RemovePassword).toString();
    return request.config.method == "GET" ? url : QString::fromLatin1(request.config.method) + u' ' + url;
}

QJsonObject SavedRequest::toJson() const
{
    const SourceConfig &config = request.config;
    QJsonArray headers;
    for (const auto &[name, value] : config.headers) {
        if (!isSecretHeader(name))
            headers.append(QJsonArray{QString::fromLatin1(name), QString::fromUtf8(value)});
    }
    QJsonObject object{{QStringLiteral("url"), urlWithoutSecrets(config.url).toString()},
                       {QStringLiteral("method"), QString::fromLatin1(config.method)},
                       {QStringLiteral("headers"), headers},
                       {QStringLiteral("credentials"), QJsonArray::fromStringList(missingCredentials)},
                       {QStringLiteral("body"), QString::fromUtf8(config.body)},
                       {QStringLiteral("mapping"), QJsonArray::fromStringList(request.mapping.toStrings())}};
    QStringList checks;
    for (const StreamCheck &check : request.checks)
        checks << check.text();
    if (!checks.isEmpty())
        object.insert(QStringLiteral("checks"), QJsonArray::fromStringList(checks));
    if (config.doneMarker)
        object.insert(QStringLiteral("doneMarker"), QString::fromUtf8(*config.doneMarker));
    return object;
}

std::optional<SavedRequest> SavedRequest::fromJson(const QJsonObject &object)
{
    SavedRequest saved;
    SourceConfig &config = saved.request.config;
    config.url = streamUrlFromText(object.value(QStringLiteral("url")).toString());
    if (!checkStreamUrl(config.url))
        return std::nullopt;
    config.method = object.value(QStringLiteral("method")).toString(QStringLiteral("GET")).toLatin1();
    for (const QJsonValue &header : object.value(QStringLiteral("headers")).toArray()) {
        const QJsonArray pair = header.toArray();
        const QByteArray name = pair.at(0).toString().toLatin1();
        // A header written into the file by hand is held to what this program would write.
        if (!name.isEmpty() && !isSecretHeader(name))
            config.headers.append({name, pair.at(1).toString().toUtf8()});
    }
    for (const QJsonValue &name : object.value(QStringLiteral("credentials")).toArray())
        saved.missingCredentials.append(name.toString());
    config.body = object.value(QStringLiteral("body")).toString().toUtf8();
    if (object.contains(QStringLiteral("doneMarker")))
        config.doneMarker = object.value(QStringLiteral("doneMarker")).toString().toUtf8();
    QStringList specs;
    for (const QJsonValue &spec : object.value(QStringLiteral("mapping")).toArray())
        specs.append(spec.toString());
    if (const auto mapping = FieldMapping::parse(specs))
        saved.request.mapping = *mapping;
    QStringList checks;
    for (const QJsonValue &check : object.value(QStringLiteral("checks")).toArray())
        checks.append(check.toString());
    if (auto parsed = StreamCheck::parseAll(checks))   // a check this version cannot read is dropped with the rest
        saved.request.checks = std::move(*parsed);
    return saved;
}

QByteArray SavedRequest::secretsOf(const StreamRequest &request)
{
    QJsonArray headers;
    for (const auto &[name, value] : request.config.headers) {
        if (isSecretHeader(name))
            headers.append(QJsonArray{QString::fromLatin1(name), QString::fromUtf8(value)});
    }
    const QUrl &url = request.config.url;
    if (headers.isEmpty() && urlWithoutSecrets(url) == url)
        return {};
    const QJsonObject secrets{{QStringLiteral("url"), url.toString()}, {QStringLiteral("headers"), headers}};
    return QJsonDocument(secrets).toJson(QJsonDocument::Compact);
}

bool SavedRequest::restoreSecrets(const QByteArray &secrets)
{
    const QJsonObject object = QJsonDocument::fromJson(secrets).object();
    const QUrl url = streamUrlFromText(object.value(QStringLiteral("url")).toString());
    // The secrets are those of this stream: the same URL once they are taken out again.
    if (!checkStreamUrl(url) || urlWithoutSecrets(url) != request.config.url)
        return false;
    request.config.url = url;
    for (const QJsonValue &header : object.value(QStringLiteral("headers")).toArray()) {
        const QJsonArray pair = header.toArray();
        request.config.headers.append({pair.at(0).toString().toLatin1(), pair.at(1).toString().toUtf8()});
    }
    missingCredentials.clear();
    return true;
}

}   // namespace Clickscope

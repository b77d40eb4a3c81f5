// SPDX-License-Identifier: MIT
#include "app/recentstreams.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QSettings>

namespace Clickscope {
namespace {

const QString kKey = QStringLiteral("connect/recentStreams");
const QString kOldKey = QStringLiteral("connect/recentUrls");   // URLs only, before requests were kept

QJsonObject toJson(const RecentStreams::Entry &entry)
{
    const SourceConfig &config = entry.request.config;
    QJsonArray headers;
    for (const auto &[name, value] : config.headers) {
        if (!isSecretHeader(name))
            headers.append(QJsonArray{QString::fromLatin1(name), QString::fromUtf8(value)});
    }
    QJsonObject object{{QStringLiteral("url"), urlWithoutSecrets(config.url).toString()},
                       {QStringLiteral("method"), QString::fromLatin1(config.method)},
                       {QStringLiteral("headers"), headers},
                       {QStringLiteral("credentials"), QJsonArray::fromStringList(entry.missingCredentials)},
                       {QStringLiteral("body"), QString::fromUtf8(config.body)},
                       {QStringLiteral("mapping"), QJsonArray::fromStringList(entry.request.mapping.toStrings())}};
    QStringList checks;
    for (const StreamCheck &check : entry.request.checks)
        checks << check.text();
    if (!checks.isEmpty())
        object.insert(QStringLiteral("checks"), QJsonArray::fromStringList(checks));
    if (config.doneMarker)
        object.insert(QStringLiteral("doneMarker"), QString::fromUtf8(*config.doneMarker));
    return object;
}

std::optional<RecentStreams::Entry> fromJson(const QJsonObject &object)
{
    RecentStreams::Entry entry;
    SourceConfig &config = entry.request.config;
    config.url = QUrl(object.value(QStringLiteral("url")).toString(), QUrl::StrictMode);
    if (!checkStreamUrl(config.url))
        return std::nullopt;
    config.method = object.value(QStringLiteral("method")).toString(QStringLiteral("GET")).toLatin1();
    for (const QJsonValue &header : object.value(QStringLiteral("headers")).toArray()) {
        const QJsonArray pair = header.toArray();
        config.headers.append({pair.at(0).toString().toLatin1(), pair.at(1).toString().toUtf8()});
    }
    for (const QJsonValue &name : object.value(QStringLiteral("credentials")).toArray())
        entry.missingCredentials.append(name.toString());
    config.body = object.value(QStringLiteral("body")).toString().toUtf8();
    if (object.contains(QStringLiteral("doneMarker")))
        config.doneMarker = object.value(QStringLiteral("doneMarker")).toString().toUtf8();
    QStringList specs;
    for (const QJsonValue &spec : object.value(QStringLiteral("mapping")).toArray())
        specs.append(spec.toString());
    if (const auto mapping = FieldMapping::parse(specs))
        entry.request.mapping = *mapping;
    QStringList checks;
    for (const QJsonValue &check : object.value(QStringLiteral("checks")).toArray())
        checks.append(check.toString());
    if (auto parsed = StreamCheck::parseAll(checks))   // a check this version cannot read is dropped with the rest
        entry.request.checks = std::move(*parsed);
    return entry;
}

}   // namespace

QString RecentStreams::Entry::label() const
{
    const QString url = request.config.url.adjusted(QUrl::RemovePassword).toString();
    return request.config.method == "GET" ? url : QString::fromLatin1(request.config.method) + u' ' + url;
}

QList<RecentStreams::Entry> RecentStreams::load()
{
    const QSettings settings;
    QList<Entry> entries;
    if (!settings.contains(kKey)) {
        for (const QString &url : settings.value(kOldKey).toStringList()) {
            Entry entry;
            entry.request.config.url = QUrl(url, QUrl::StrictMode);
            if (checkStreamUrl(entry.request.config.url))
                entries.append(entry);
        }
        return entries;
    }
    const QJsonArray array = QJsonDocument::fromJson(settings.value(kKey).toByteArray()).array();
    for (const QJsonValue &value : array) {
        if (auto entry = fromJson(value.toObject()); entry && entries.size() < kMax)
            entries.append(*entry);
    }
    return entries;
}

void RecentStreams::remember(const StreamRequest &request)
{
    Entry entry{request, {}};
    for (const auto &[name, value] : request.config.headers) {
        if (isSecretHeader(name))
            entry.missingCredentials.append(QString::fromLatin1(name));
    }
    QStringList fromUrl;
    entry.request.config.url = urlWithoutSecrets(request.config.url, &fromUrl);
    for (const QString &name : std::as_const(fromUrl))
        entry.missingCredentials.append(QObject::tr("the URL's %1").arg(name));
    entry.request.config.headers.removeIf([](const HttpHeader &h) { return isSecretHeader(h.first); });

    QList<Entry> entries = load();
    entries.removeIf([&](const Entry &e) { return opensSameStream(e.request.config, entry.request.config); });
    entries.prepend(entry);
    while (entries.size() > kMax)
        entries.removeLast();
    QJsonArray array;
    for (const Entry &e : std::as_const(entries))
        array.append(toJson(e));
    QSettings settings;
    settings.setValue(kKey, QJsonDocument(array).toJson(QJsonDocument::Compact));
    settings.remove(kOldKey);
}

}   // namespace Clickscope

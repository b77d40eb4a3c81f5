// SPDX-License-Identifier: MIT
#include "app/recentstreams.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

namespace Clickscope {
namespace {

const QString kKey = QStringLiteral("connect/recentStreams");
const QString kOldKey = QStringLiteral("connect/recentUrls");   // URLs only, before requests were kept

}   // namespace

QList<RecentStreams::Entry> RecentStreams::load()
{
    const QSettings settings;
    QList<Entry> entries;
    if (!settings.contains(kKey)) {
        for (const QString &url : settings.value(kOldKey).toStringList()) {
            Entry entry;
            entry.request.config.url = streamUrlFromText(url);
            if (checkStreamUrl(entry.request.config.url))
                entries.append(entry);
        }
        return entries;
    }
    const QJsonArray array = QJsonDocument::fromJson(settings.value(kKey).toByteArray()).array();
    for (const QJsonValue &value : array) {
        if (auto entry = SavedRequest::fromJson(value.toObject()); entry && entries.size() < kMax)
            entries.append(*entry);
    }
    return entries;
}

void RecentStreams::remember(const StreamRequest &request)
{
    const Entry entry = SavedRequest::withoutSecrets(request);
    QList<Entry> entries = load();
    entries.removeIf([&](const Entry &e) { return opensSameStream(e.request.config, entry.request.config); });
    entries.prepend(entry);
    while (entries.size() > kMax)
        entries.removeLast();
    QJsonArray array;
    for (const Entry &e : std::as_const(entries))
        array.append(e.toJson());
    QSettings settings;
    settings.setValue(kKey, QJsonDocument(array).toJson(QJsonDocument::Compact));
    settings.remove(kOldKey);
}

}   // namespace Clickscope

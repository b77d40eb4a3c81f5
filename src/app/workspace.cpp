// SPDX-License-Identifier: MIT
#include "app/workspace.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace Clickscope {

namespace {

const QString kFormat = QStringLiteral("clickscope-workspace");

QString base64(const QByteArray &bytes) { return QString::fromLatin1(bytes.toBase64()); }

QByteArray fromBase64(const QJsonValue &value) { return QByteArray::fromBase64(value.toString().toLatin1()); }

}   // namespace

Result<void> Workspace::save(const QString &path) const
{
    QJsonArray list;
    for (const Stream &stream : streams) {
        QJsonObject object{{QStringLiteral("request"), stream.saved.toJson()},
                           {QStringLiteral("connected"), stream.connected}};
        if (!stream.name.isEmpty())
            object.insert(QStringLiteral("name"), stream.name);
        if (!stream.secretsKey.isEmpty())
            object.insert(QStringLiteral("secretsKey"), stream.secretsKey);
        list.append(object);
    }
    const QJsonObject layout{{QStringLiteral("geometry"), base64(geometry)},
                             {QStringLiteral("state"), base64(windowState)},
                             {QStringLiteral("mainSplitter"), base64(mainSplitter)},
                             {QStringLiteral("chartsSplitter"), base64(chartsSplitter)},
                             {QStringLiteral("chartWindowSeconds"), chartWindowSeconds}};
    const QJsonObject root{{QStringLiteral("format"), kFormat},    {QStringLiteral("version"), kVersion},
                           {QStringLiteral("streams"), list},      {QStringLiteral("current"), current},
                           {QStringLiteral("overview"), overview}, {QStringLiteral("layout"), layout}};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return unexpected(QObject::tr("cannot write %1: %2").arg(path, file.errorString()));
    file.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return unexpected(QObject::tr("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

Result<Workspace> Workspace::load(const QString &path, int maxStreams)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return unexpected(QObject::tr("cannot open %1: %2").arg(path, file.errorString()));
    if (file.size() > kMaxFileBytes)
        return unexpected(QObject::tr("%1 is not a workspace: %2 bytes, a workspace is under %3")
                              .arg(path)
                              .arg(file.size())
                              .arg(kMaxFileBytes));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.read(kMaxFileBytes), &error);
    if (error.error != QJsonParseError::NoError)
        return unexpected(
            QObject::tr("%1 is not a workspace: %2 at byte %3").arg(path, error.errorString()).arg(error.offset));
    const QJsonObject root = document.object();
    if (root.value(QStringLiteral("format")).toString() != kFormat)
        return unexpected(QObject::tr("%1 is not a Clickscope workspace").arg(path));
    if (const int version = root.value(QStringLiteral("version")).toInt(); version != kVersion)
        return unexpected(QObject::tr("%1 is a workspace of version %2; this Clickscope reads version %3")
                              .arg(path)
                              .arg(version)
                              .arg(kVersion));
    const QJsonArray list = root.value(QStringLiteral("streams")).toArray();
    // Opening one replaces the window's streams: one without any would only take them away.
    if (list.isEmpty())
        return unexpected(QObject::tr("%1 holds no stream").arg(path));
    if (list.size() > maxStreams)
        return unexpected(
            QObject::tr("%1 holds %2 streams; a window watches at most %3").arg(path).arg(list.size()).arg(maxStreams));
    Workspace workspace;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject object = list.at(i).toObject();
        const std::optional<SavedRequest> saved =
            SavedRequest::fromJson(object.value(QStringLiteral("request")).toObject());
        if (!saved)
            return unexpected(QObject::tr("%1: stream %2 has no usable URL").arg(path).arg(i + 1));
        workspace.streams.append({object.value(QStringLiteral("name")).toString().left(200), *saved,
                                  object.value(QStringLiteral("connected")).toBool(),
                                  object.value(QStringLiteral("secretsKey")).toString().left(100)});
    }
    workspace.current =
        std::clamp(root.value(QStringLiteral("current")).toInt(), 0, std::max(0, int(workspace.streams.size()) - 1));
    workspace.overview = root.value(QStringLiteral("overview")).toBool();
    const QJsonObject layout = root.value(QStringLiteral("layout")).toObject();
    workspace.geometry = fromBase64(layout.value(QStringLiteral("geometry")));
    workspace.windowState = fromBase64(layout.value(QStringLiteral("state")));
    workspace.mainSplitter = fromBase64(layout.value(QStringLiteral("mainSplitter")));
    workspace.chartsSplitter = fromBase64(layout.value(QStringLiteral("chartsSplitter")));
    workspace.chartWindowSeconds = layout.value(QStringLiteral("chartWindowSeconds")).toInt();
    return workspace;
}

}   // namespace Clickscope

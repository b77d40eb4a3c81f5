// SPDX-License-Identifier: MIT
#include "app/dashboardexport.h"

#include "core/model/snapshotexport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QPixmap>
#include <QSaveFile>
#include <QWidget>

namespace Clickscope {

namespace {

QString tr(const char *text) { return QCoreApplication::translate("Clickscope::DashboardExport", text); }

// QSaveFile: a failed write leaves no half file behind under the final name.
Clickscope::Result<void> writeFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
        return {};
    return Clickscope::unexpected(tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
}

Clickscope::Result<void> writePng(const QString &path, QWidget *widget)
{
    if (widget->grab().save(path, "PNG"))
        return {};
    return Clickscope::unexpected(tr("Cannot write %1").arg(QDir::toNativeSeparators(path)));
}

}   // namespace

Result<QStringList> DashboardExport::write(const QString &directory, const Contents &contents)
{
    if (!contents.snapshot)
        return unexpected(tr("Nothing to export yet: connect to a stream first."));
    const QDir dir(directory);
    if (!dir.exists() && !QDir().mkpath(directory))
        return unexpected(tr("Cannot create the folder %1").arg(QDir::toNativeSeparators(directory)));
    const DashboardSnapshot &s = *contents.snapshot;
    const QString prefix = dir.filePath(
        QStringLiteral("clickscope-%1-").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
    const std::pair<const char *, QByteArray> texts[] = {
        {"series.csv", SnapshotExport::seriesCsv(s)},
        {"top-links.csv", SnapshotExport::rankingCsv(s.topLinks, "link")},
        {"country.csv", SnapshotExport::rankingCsv(s.breakdowns[DashboardSnapshot::Country], "country")},
        {"referrer.csv", SnapshotExport::rankingCsv(s.breakdowns[DashboardSnapshot::Referrer], "referrer")},
        {"device.csv", SnapshotExport::rankingCsv(s.breakdowns[DashboardSnapshot::Device], "device")},
        {"browser.csv", SnapshotExport::rankingCsv(s.breakdowns[DashboardSnapshot::Browser], "browser")},
        {"report.json", QJsonDocument(contents.report).toJson(QJsonDocument::Indented)},
    };
    QStringList written;
    for (const auto &[name, bytes] : texts) {
        const QString path = prefix + QString::fromLatin1(name);
        if (const Result<void> done = writeFile(path, bytes); !done)
            return unexpected(done.error());
        written << path;
    }
    for (const auto &[name, widget] : contents.images) {
        const QString path = prefix + name;
        if (const Result<void> done = writePng(path, widget); !done)
            return unexpected(done.error());
        written << path;
    }
    return written;
}

}   // namespace Clickscope

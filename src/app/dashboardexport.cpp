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

QString tr(const char *text)
{
    return QCoreApplication::translate("Clickscope::DashboardExport", text);
}

// QSaveFile: a failed write leaves no half file behind under the final name.
bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
        return true;
    *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
    return false;
}

bool writePng(const QString &path, QWidget *widget, QString *error)
{
    if (widget->grab().save(path, "PNG"))
        return true;
    *error = tr("Cannot write %1").arg(QDir::toNativeSeparators(path));
    return false;
}

} // namespace

QStringList DashboardExport::write(const QString &directory, const Contents &contents, QString *error)
{
    QString ignored;
    error = error ? error : &ignored;
    error->clear();
    if (!contents.snapshot) {
        *error = tr("Nothing to export yet: connect to a stream first.");
        return {};
    }
    const QDir dir(directory);
    if (!dir.exists() && !QDir().mkpath(directory)) {
        *error = tr("Cannot create the folder %1").arg(QDir::toNativeSeparators(directory));
        return {};
    }
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
        if (!writeFile(path, bytes, error))
            return {};
        written << path;
    }
    for (const auto &[name, widget] : contents.images) {
        const QString path = prefix + name;
        if (!writePng(path, widget, error))
            return {};
        written << path;
    }
    return written;
}

} // namespace Clickscope

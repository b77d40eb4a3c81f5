// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"
#include "core/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

class QWidget;

namespace Clickscope {

// What File ▸ Export writes into a folder, all named clickscope-<yyyyMMdd-HHmmss>-…: CSV of the
// series and of every table (from one snapshot), report.json, and a PNG of each given widget.
class DashboardExport
{
public:
    struct Contents
    {
        const DashboardSnapshot *snapshot = nullptr;
        QJsonObject report;                            // `clickscope-cli watch --json`'s document
        QList<std::pair<QString, QWidget *>> images;   // file suffix ("dashboard.png") → what to grab
    };

    // The paths written; on failure the error says why (files written before it stay).
    static Result<QStringList> write(const QString &directory, const Contents &contents);
};

}   // namespace Clickscope

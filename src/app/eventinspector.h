// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/eventlogmodel.h"

#include <QSortFilterProxyModel>
#include <QWidget>

#include <memory>

namespace Ui {
class EventInspector;
}

namespace Clickscope {

// The raw events: a log table that follows the newest (unless paused or scrolled up), a filter
// over type, id and data, and the selected event's data, pretty-printed when it is JSON. It shows
// a log it is given (each stream of the window has its own), or one of its own.
class EventInspector : public QWidget
{
    Q_OBJECT
public:
    explicit EventInspector(QWidget *parent = nullptr);
    ~EventInspector() override;

    // Shows `log` (not owned; it must outlive the inspector or be replaced first); null: its own.
    void setLog(EventLogModel *log);

    // Once per snapshot of the log's stream.
    void applySnapshot(const DashboardSnapshot &snapshot);
    void setPaused(bool paused);
    bool isPaused() const { return m_log->isPaused(); }
    // Empties the log, the detail pane and the counts above the table.
    void clear();
    // The selected event's data as the detail pane shows it.
    QString detailText() const;
    QString statusText() const;

    EventLogModel *model() { return m_log; }
    // What the table shows: the log, filtered by the filter box.
    QSortFilterProxyModel *filteredModel() { return &m_filtered; }

    // `data` indented when it is a JSON object or array, as text otherwise.
    static QString prettyData(const QByteArray &data);

signals:
    // The shown log was paused or resumed (its Pause button, or setPaused()).
    void pausedChanged(bool paused);

private:
    void showSelected();
    void updateStatus();
    void showPauseButton(bool paused);

    std::unique_ptr<Ui::EventInspector> m_ui;
    EventLogModel m_ownLog;
    EventLogModel *m_log = &m_ownLog;
    QMetaObject::Connection m_pausedConnection;
    QSortFilterProxyModel m_filtered;
};

}   // namespace Clickscope

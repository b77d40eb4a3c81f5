// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/rankingmodel.h"

#include <QSortFilterProxyModel>
#include <QWidget>

#include <array>
#include <memory>

class QTableView;

namespace Ui {
class RankingPanel;
}

namespace Clickscope {

// The top links (filterable, sortable) and the four breakdowns, one tab each.
class RankingPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RankingPanel(QWidget *parent = nullptr);
    ~RankingPanel() override;

    // Once per snapshot.
    void applySnapshot(const DashboardSnapshot &snapshot);

    TopLinksModel *topLinksModel() { return &m_topLinks; }
    QSortFilterProxyModel *topLinksProxy() { return &m_topLinksProxy; }
    BreakdownModel *breakdownModel(DashboardSnapshot::Dimension dimension) { return m_breakdowns[dimension].get(); }
    // Every event by type: its tab shows once a stream carries events that are not clicks.
    EventTypesModel *eventTypesModel() { return &m_eventTypes; }
    bool showsEventTypes() const;

private:
    static void setUpTable(QTableView *view);
    // A ranking table in its own tab beside the breakdowns.
    QTableView *addTabTable(const QString &objectName, RankingModel *model, const QString &title);

    std::unique_ptr<Ui::RankingPanel> m_ui;
    TopLinksModel m_topLinks;
    QSortFilterProxyModel m_topLinksProxy;
    std::array<std::unique_ptr<BreakdownModel>, DashboardSnapshot::DimensionCount> m_breakdowns;
    EventTypesModel m_eventTypes;
    QTableView *m_eventTypesView = nullptr;
};

}   // namespace Clickscope

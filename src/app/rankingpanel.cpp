// SPDX-License-Identifier: MIT
#include "app/rankingpanel.h"

#include "ui_rankingpanel.h"

#include <QDateTime>
#include <QHeaderView>

namespace Clickscope {

RankingPanel::RankingPanel(QWidget *parent) : QWidget(parent), m_ui(std::make_unique<Ui::RankingPanel>())
{
    m_ui->setupUi(this);

    m_topLinksProxy.setSourceModel(&m_topLinks);
    m_topLinksProxy.setSortRole(RankingModel::RawValueRole);
    m_topLinksProxy.setFilterKeyColumn(RankingModel::KeyColumn);
    m_topLinksProxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_ui->topLinksView->setModel(&m_topLinksProxy);
    setUpTable(m_ui->topLinksView);
    m_ui->topLinksView->sortByColumn(RankingModel::CountColumn, Qt::DescendingOrder);
    connect(m_ui->linkFilterEdit, &QLineEdit::textChanged, &m_topLinksProxy,
            &QSortFilterProxyModel::setFilterFixedString);

    for (int d = 0; d < DashboardSnapshot::DimensionCount; ++d) {
        const auto dimension = DashboardSnapshot::Dimension(d);
        m_breakdowns[d] = std::make_unique<BreakdownModel>(dimension);
        addTabTable(BreakdownModel::dimensionName(dimension).toLower() + QStringLiteral("View"), m_breakdowns[d].get(),
                    BreakdownModel::dimensionName(dimension));
    }
    m_eventTypesView = addTabTable(QStringLiteral("eventTypesView"), &m_eventTypes, tr("Event types"));
    m_eventTypesView->horizontalHeader()->setSectionResizeMode(EventTypesModel::RateColumn,
                                                               QHeaderView::ResizeToContents);
    m_ui->breakdownTabs->setTabVisible(m_ui->breakdownTabs->indexOf(m_eventTypesView), false);
    m_ui->rankingSplitter->setStretchFactor(0, 3);
    m_ui->rankingSplitter->setStretchFactor(1, 2);
}

RankingPanel::~RankingPanel() = default;

QTableView *RankingPanel::addTabTable(const QString &objectName, RankingModel *model, const QString &title)
{
    auto *view = new QTableView(m_ui->breakdownTabs);
    view->setObjectName(objectName);
    view->setModel(model);
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setWordWrap(false);
    setUpTable(view);
    m_ui->breakdownTabs->addTab(view, title);
    return view;
}

void RankingPanel::setUpTable(QTableView *view)
{
    QHeaderView *header = view->horizontalHeader();
    header->setSectionResizeMode(RankingModel::KeyColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(RankingModel::CountColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(RankingModel::ShareColumn, QHeaderView::ResizeToContents);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
}

void RankingPanel::applySnapshot(const DashboardSnapshot &snapshot)
{
    m_topLinks.applySnapshot(snapshot);
    for (const auto &model : m_breakdowns)
        model->applySnapshot(snapshot);
    // Rates in the stream's own time: a replay's at 100× are not 100 times the recorded ones.
    m_eventTypes.applySnapshot(snapshot, snapshot.clockMs > 0 ? snapshot.clockMs : QDateTime::currentMSecsSinceEpoch());
    // Events that are not clicks (an LLM's tokens, status messages) would show nowhere else.
    const int tab = m_ui->breakdownTabs->indexOf(m_eventTypesView);
    const bool carriesOthers = snapshot.totals.otherEvents > 0;
    if (carriesOthers != m_ui->breakdownTabs->isTabVisible(tab)) {
        m_ui->breakdownTabs->setTabVisible(tab, carriesOthers);
        if (carriesOthers && snapshot.totals.clicks == 0)
            m_ui->breakdownTabs->setCurrentIndex(tab);   // nothing else to see
    }
}

bool RankingPanel::showsEventTypes() const { return m_ui->breakdownTabs->currentWidget() == m_eventTypesView; }

}   // namespace Clickscope

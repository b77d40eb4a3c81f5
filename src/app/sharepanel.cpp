// SPDX-License-Identifier: MIT
#include "app/sharepanel.h"

#include "ui_sharepanel.h"

namespace Clickscope {

SharePanel::SharePanel(QWidget *parent) : QWidget(parent), m_ui(std::make_unique<Ui::SharePanel>())
{
    m_ui->setupUi(this);
    connect(m_ui->subjectCombo, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_ui->shareChart->setSubject(index - 1); });
    connect(m_ui->styleCombo, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_ui->shareChart->setStyle(ShareChartView::Style(index)); });
}

SharePanel::~SharePanel() = default;

ShareChartView *SharePanel::chart() const { return m_ui->shareChart; }

void SharePanel::setSubject(int subject)
{
    m_ui->subjectCombo->setCurrentIndex(
        std::clamp(subject, ShareChartView::kTopLinks, int(DashboardSnapshot::DimensionCount) - 1) + 1);
}

void SharePanel::setStyle(ShareChartView::Style style) { m_ui->styleCombo->setCurrentIndex(int(style)); }

}   // namespace Clickscope

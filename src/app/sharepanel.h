// SPDX-License-Identifier: MIT
#pragma once

#include "app/sharechartview.h"

#include <QWidget>

#include <memory>

namespace Ui {
class SharePanel;
}

namespace Clickscope {

// The share chart with its two choices: what it shows (top links or a breakdown) and how (bars
// or a donut).
class SharePanel : public QWidget
{
    Q_OBJECT
public:
    explicit SharePanel(QWidget *parent = nullptr);
    ~SharePanel() override;

    ShareChartView *chart() const;
    // Combo index 0 is the top links, then the breakdowns in Dimension order.
    void setSubject(int subject);
    void setStyle(ShareChartView::Style style);

private:
    std::unique_ptr<Ui::SharePanel> m_ui;
};

}   // namespace Clickscope

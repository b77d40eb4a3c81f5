// SPDX-License-Identifier: MIT
#include "ratechartview.h"

#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include <cmath>

namespace Clickscope {

RateChartView::RateChartView(QWidget *parent)
    : QChartView(parent)
    , m_rates(kWindowSeconds)
    , m_line(new QLineSeries)
    , m_area(nullptr)
    , m_axisX(new QValueAxis)
    , m_axisY(new QValueAxis)
{
    auto *chart = new QChart;   // the view takes it
    chart->legend()->hide();
    chart->setTitle(tr("Clicks per second, last 5 minutes"));
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);

    m_area = new QAreaSeries(m_line);   // takes m_line
    m_area->setName(tr("Clicks/s"));
    QColor fill(0x2e, 0x86, 0xde);
    QPen pen(fill);
    pen.setWidthF(1.6);
    m_area->setPen(pen);
    fill.setAlpha(70);
    m_area->setBrush(fill);
    chart->addSeries(m_area);   // takes m_area

    m_axisX->setRange(-kWindowSeconds, 0);
    m_axisX->setTickCount(7);   // every 50 s
    m_axisX->setLabelFormat(QStringLiteral("%d s"));
    m_axisY->setRange(0, niceYMax(0));
    m_axisY->setLabelFormat(QStringLiteral("%.0f"));
    m_axisY->setTickCount(6);
    chart->addAxis(m_axisX, Qt::AlignBottom);
    chart->addAxis(m_axisY, Qt::AlignLeft);
    m_area->attachAxis(m_axisX);
    m_area->attachAxis(m_axisY);

    setChart(chart);
    setRenderHint(QPainter::Antialiasing, true);
    setMinimumHeight(200);

    m_rates.fillPoints(m_points);
    m_line->replace(m_points);
}

double RateChartView::niceYMax(double maxValue)
{
    const double wanted = std::max(10.0, maxValue * 1.25);
    const double power = std::pow(10.0, std::floor(std::log10(wanted)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * power >= wanted)
            return step * power;
    }
    return 10 * power;
}

void RateChartView::applySnapshot(const DashboardSnapshot &snapshot)
{
    m_rates.applySnapshot(snapshot);
    m_rates.fillPoints(m_points);
    m_line->replace(m_points);   // the one series call of this tick

    // Rescale only when the data leaves the axis or uses less than a fifth of it.
    const double top = m_axisY->max();
    const double max = m_rates.maxValue();
    if (max > top || (top > niceYMax(0) && max * 5 < top))
        m_axisY->setRange(0, niceYMax(max));
}

} // namespace Clickscope

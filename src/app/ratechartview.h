// SPDX-License-Identifier: MIT
#pragma once

#include "model/rateseries.h"

#include <QChartView>
#include <QList>
#include <QPointF>

class QAreaSeries;
class QLineSeries;
class QValueAxis;

namespace Clickscope {

// Clicks per second over the last five minutes. The X axis is fixed (-300 … 0 s); each snapshot
// costs one QXYSeries::replace() of a preallocated point list, and the Y axis changes only when
// the data outgrows it or shrinks far below it. Antialiased, never OpenGL.
class RateChartView : public QChartView
{
    Q_OBJECT
public:
    static constexpr int kWindowSeconds = 5 * 60;

    explicit RateChartView(QWidget *parent = nullptr);

    // Once per snapshot.
    void applySnapshot(const DashboardSnapshot &snapshot);

    QLineSeries *series() const { return m_line; }
    QValueAxis *axisX() const { return m_axisX; }
    QValueAxis *axisY() const { return m_axisY; }
    const RateSeries &rates() const { return m_rates; }

    // The upper end of the Y axis for data peaking at `maxValue`: 25 % headroom, rounded up to
    // 1, 2 or 5 times a power of ten, at least 10.
    static double niceYMax(double maxValue);

private:
    RateSeries m_rates;
    QList<QPointF> m_points;   // reused every tick
    QLineSeries *m_line;       // owned by m_area / the chart
    QAreaSeries *m_area;
    QValueAxis *m_axisX;
    QValueAxis *m_axisY;
};

} // namespace Clickscope

// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/rateseries.h"

#include <QChartView>
#include <QList>
#include <QPointF>

class QAreaSeries;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace Clickscope {

// Clicks per second over the selected window (1 min … 24 h). The X axis is fixed (-window … 0, in
// seconds, minutes or hours); each snapshot costs one QXYSeries::replace() of a preallocated
// point list, and the Y axis changes only when the data outgrows it or shrinks far below it.
// Long windows arrive averaged into buckets (see ClickPipeline::setSeriesWindow), so a 24 h
// chart draws 720 points, not 86,400. Antialiased, never OpenGL.
class RateChartView : public QChartView
{
    Q_OBJECT
public:
    static constexpr int kDefaultWindowSeconds = 5 * 60;
    static constexpr int kWindowChoices[] = {60, 5 * 60, 15 * 60, 60 * 60, 24 * 60 * 60};

    explicit RateChartView(QWidget *parent = nullptr);

    // Once per snapshot.
    void applySnapshot(const DashboardSnapshot &snapshot);

    // The seconds the X axis spans. The snapshots must carry the same window (the owner tells
    // the pipeline: see windowSecondsChanged); those made for another window are not drawn.
    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }
    // True from a window change until a snapshot for the new window has been drawn.
    bool awaitsData() const { return m_awaitsData; }
    // "1 min", "5 min", "1 h", "24 h".
    static QString windowName(int seconds);

    QLineSeries *series() const { return m_line; }
    // A mark on the time axis where ids went missing (the latest gap ranges in the window).
    QScatterSeries *gapMarks() const { return m_gapMarks; }
    QValueAxis *axisX() const { return m_axisX; }
    QValueAxis *axisY() const { return m_axisY; }
    const RateSeries &rates() const { return m_rates; }

    // The upper end of the Y axis for data peaking at `maxValue`: 25 % headroom, rounded up to
    // 1, 2 or 5 times a power of ten, at least 10.
    static double niceYMax(double maxValue);
    // The axis top to use when data peaking at `maxValue` is drawn on an axis up to `currentTop`:
    // unchanged unless the data leaves it or uses less than a fifth of it, so axes do not jitter.
    static double rescaledMax(double currentTop, double maxValue);

signals:
    void windowSecondsChanged(int seconds);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateTitle();
    // As many time ticks as have room for their labels: the window's own count, or fewer that
    // still fall on round values (every divisor of its intervals), down to the two ends.
    void fitTimeTicks();

    int m_windowSeconds = kDefaultWindowSeconds;
    int m_timeIntervals = 6;    // what the window divides into on a wide chart
    double m_unitSeconds = 1;   // X values are divided by it: s, min or h
    int m_bucketSeconds = 1;
    bool m_awaitsData = true;
    RateSeries m_rates;
    QList<QPointF> m_points;   // reused every tick
    QLineSeries *m_line;       // owned by m_area / the chart
    QAreaSeries *m_area;
    QScatterSeries *m_gapMarks;   // owned by the chart
    QValueAxis *m_axisX;
    QValueAxis *m_axisY;
};

}   // namespace Clickscope

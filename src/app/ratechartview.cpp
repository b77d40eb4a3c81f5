// SPDX-License-Identifier: MIT
#include "app/ratechartview.h"

#include "app/chartstyle.h"
#include "core/model/clickpipeline.h"

#include <QAreaSeries>
#include <QChart>
#include <QEvent>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <cmath>

namespace Clickscope {

RateChartView::RateChartView(QWidget *parent)
    // The chart given here is the view's to delete. (The default constructor makes a chart of its
    // own, which a later setChart() lets go of without deleting.)
    : QChartView(new QChart, parent)
    , m_rates(kDefaultWindowSeconds)
    , m_line(new QLineSeries(this))   // ours: an area series uses its boundary, never deletes it
    , m_area(nullptr)
    , m_axisX(new QValueAxis)
    , m_axisY(new QValueAxis)
{
    QChart *chart = this->chart();
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);

    m_area = new QAreaSeries(m_line);
    m_area->setName(tr("Clicks/s"));
    QColor fill(0x2e, 0x86, 0xde);
    QPen pen(fill);
    pen.setWidthF(1.6);
    m_area->setPen(pen);
    fill.setAlpha(70);
    m_area->setBrush(fill);
    chart->addSeries(m_area);   // takes m_area

    m_axisY->setRange(0, niceYMax(0));
    m_axisY->setLabelFormat(QStringLiteral("%.0f"));
    m_axisY->setTickCount(6);
    chart->addAxis(m_axisX, Qt::AlignBottom);
    chart->addAxis(m_axisY, Qt::AlignLeft);
    m_area->attachAxis(m_axisX);
    m_area->attachAxis(m_axisY);
    m_gapMarks = new QScatterSeries;
    m_gapMarks->setName(tr("Missing ids"));
    m_gapMarks->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    m_gapMarks->setMarkerSize(10);
    m_gapMarks->setColor(QColor(0xc0, 0x39, 0x2b));
    m_gapMarks->setBorderColor(QColor(0xc0, 0x39, 0x2b));
    chart->addSeries(m_gapMarks);   // takes it
    m_gapMarks->attachAxis(m_axisX);
    m_gapMarks->attachAxis(m_axisY);

    setRenderHint(QPainter::Antialiasing, true);
    setMinimumHeight(200);
    m_windowSeconds = 0;
    setWindowSeconds(kDefaultWindowSeconds);
    styleChart(chart, palette());
}

QString RateChartView::windowName(int seconds)
{
    if (seconds % 3600 == 0)
        return tr("%1 h").arg(seconds / 3600);
    if (seconds % 60 == 0)
        return tr("%1 min").arg(seconds / 60);
    return tr("%1 s").arg(seconds);
}

void RateChartView::setWindowSeconds(int seconds)
{
    seconds = std::clamp(seconds, 2, RateSeries::kMaxWindowSeconds);
    if (seconds == m_windowSeconds)
        return;
    m_windowSeconds = seconds;
    // Ticks at round values of the unit: 6 intervals for 1, 5, 15 min, 1 h and 24 h alike.
    int ticks = 7;
    if (seconds <= 5 * 60) {
        m_unitSeconds = 1;
        m_axisX->setLabelFormat(QStringLiteral("%d s"));
    } else if (seconds < 24 * 60 * 60) {
        m_unitSeconds = 60;
        m_axisX->setLabelFormat(QStringLiteral("%d min"));
        ticks = seconds == 15 * 60 ? 6 : 7;   // every 3 or 10 minutes
    } else {
        m_unitSeconds = 3600;
        m_axisX->setLabelFormat(QStringLiteral("%d h"));
        ticks = 9;   // every 3 hours
    }
    m_axisX->setRange(-double(seconds) / m_unitSeconds, 0);
    m_timeIntervals = ticks - 1;
    fitTimeTicks();
    // As many rows as the pipeline's snapshots will carry for this window (720 for 24 h, not
    // 86,400); until the first of them, a zero line.
    m_bucketSeconds = ClickPipeline::bucketSecondsFor(seconds, ClickPipeline::kDefaultMaxSeriesPoints);
    m_rates.setWindow((seconds + m_bucketSeconds - 1) / m_bucketSeconds);
    m_rates.clear();
    m_awaitsData = true;
    m_rates.fillPoints(m_points);
    m_line->replace(m_points);
    m_axisY->setRange(0, niceYMax(0));
    updateTitle();
    emit windowSecondsChanged(seconds);
}

void RateChartView::updateTitle()
{
    QString title = tr("Clicks per second, last %1").arg(windowName(m_windowSeconds));
    if (m_bucketSeconds > 1)
        title += tr(" (averaged over %1)").arg(windowName(m_bucketSeconds));
    chart()->setTitle(title);
}

void RateChartView::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    fitTimeTicks();
}

void RateChartView::fitTimeTicks()
{
    const QFontMetrics metrics(m_axisX->labelsFont());
    // The widest label is the leftmost ("-300 s"); a label needs its width and a gap of two digits.
    const QString widest =
        QString(m_axisX->labelFormat()).replace(QStringLiteral("%d"), QString::number(qint64(m_axisX->min())));
    const int labelWidth = metrics.horizontalAdvance(widest) + 2 * metrics.horizontalAdvance(u'0');
    const qreal plotWidth = chart()->plotArea().width() > 0 ? chart()->plotArea().width() : qreal(width());
    int intervals = 1;
    for (int candidate = m_timeIntervals; candidate >= 1; --candidate) {
        if (m_timeIntervals % candidate == 0 && plotWidth / candidate >= labelWidth) {
            intervals = candidate;
            break;
        }
    }
    if (m_axisX->tickCount() != intervals + 1)
        m_axisX->setTickCount(intervals + 1);
}

void RateChartView::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        styleChart(chart(), palette());
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

double RateChartView::rescaledMax(double currentTop, double maxValue)
{
    if (maxValue > currentTop || (currentTop > niceYMax(0) && maxValue * 5 < currentTop))
        return niceYMax(maxValue);
    return currentTop;
}

void RateChartView::applySnapshot(const DashboardSnapshot &snapshot)
{
    if (snapshot.seriesWindowSeconds != 0 && snapshot.seriesWindowSeconds != m_windowSeconds)
        return;   // made before the pipeline heard of the window shown now (0: a window not said)
    m_awaitsData = false;
    if (snapshot.clicksPerSecond.size() != m_rates.window() && !snapshot.clicksPerSecond.isEmpty())
        m_rates.setWindow(int(snapshot.clicksPerSecond.size()));
    if (snapshot.seriesBucketSeconds != m_bucketSeconds) {
        m_bucketSeconds = snapshot.seriesBucketSeconds;
        updateTitle();
    }
    m_rates.applySnapshot(snapshot);
    m_rates.fillPoints(m_points);
    if (m_unitSeconds != 1) {
        for (QPointF &point : m_points)
            point.setX(point.x() / m_unitSeconds);
    }
    m_line->replace(m_points);   // the one series call of this tick

    // Gaps at the second they were noticed, on the time axis; only those still in the window.
    QList<QPointF> marks;
    for (const GapRange &gap : snapshot.gapRanges) {
        const double secondsAgo = double(std::min<qint64>(gap.arrivalMs / 1000 - snapshot.newestSecond, 0));
        if (-secondsAgo <= m_windowSeconds)
            marks.append({secondsAgo / m_unitSeconds, 0});
    }
    if (marks != m_gapMarks->points())
        m_gapMarks->replace(marks);

    if (const double top = rescaledMax(m_axisY->max(), m_rates.maxValue()); top != m_axisY->max())
        m_axisY->setRange(0, top);
}

}   // namespace Clickscope

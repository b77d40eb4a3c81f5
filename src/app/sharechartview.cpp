// SPDX-License-Identifier: MIT
#include "app/sharechartview.h"

#include "app/chartstyle.h"
#include "app/ratechartview.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QEvent>
#include <QFontMetrics>
#include <QHorizontalBarSeries>
#include <QLegend>
#include <QPieSeries>
#include <QPieSlice>
#include <QValueAxis>

#include <algorithm>

namespace Clickscope {

namespace {

// Distinct in light and dark palettes alike; "other" is the grey at the end.
const QColor kColors[] = {0x2e86de, 0xe67e22, 0x27ae60, 0x8e44ad, 0xc0392b, 0x16a085, 0xd4ac0d, 0xe84393};
const QColor kOtherColor(0x95, 0xa5, 0xa6);

constexpr int kMaxLabelChars = 28;

// The key as a label: "(none)" for the empty key, long ones (URLs) cut in the middle.
QString keyLabel(const QByteArray &key)
{
    if (key.isEmpty())
        return QObject::tr("(none)");
    QString text = QString::fromUtf8(key);
    if (text.size() > kMaxLabelChars)
        text = text.left(kMaxLabelChars / 2 - 1) + QChar(0x2026) + text.right(kMaxLabelChars / 2 - 1);
    return text;
}

}   // namespace

// The chart given to the view is the view's to delete. (The default constructor makes a chart of
// its own, which a later setChart() lets go of without deleting.)
ShareChartView::ShareChartView(QWidget *parent) : QChartView(new QChart, parent), m_redrawLater(this)
{
    chart()->setMargins(QMargins(4, 4, 4, 4));
    chart()->setAnimationOptions(QChart::NoAnimation);
    setRenderHint(QPainter::Antialiasing, true);
    setMinimumSize(260, 200);
    m_redrawLater.setSingleShot(true);
    connect(&m_redrawLater, &QTimer::timeout, this, &ShareChartView::redraw);
    rebuild();
}

void ShareChartView::setStyle(Style style)
{
    if (style == m_style)
        return;
    m_style = style;
    rebuild();
}

void ShareChartView::setSubject(int subject)
{
    subject = std::clamp(subject, kTopLinks, int(DashboardSnapshot::DimensionCount) - 1);
    if (subject == m_subject)
        return;
    m_subject = subject;
    rebuild();
}

QString ShareChartView::subjectName() const
{
    switch (m_subject) {
    case DashboardSnapshot::Country:
        return tr("Clicks by country");
    case DashboardSnapshot::Referrer:
        return tr("Clicks by referrer");
    case DashboardSnapshot::Device:
        return tr("Clicks by device");
    case DashboardSnapshot::Browser:
        return tr("Clicks by browser");
    }
    return tr("Top links");
}

void ShareChartView::applySnapshot(const DashboardSnapshotPtr &snapshot)
{
    m_latest = snapshot;
    if (!m_sinceRedraw.isValid() || m_sinceRedraw.elapsed() >= kMinIntervalMs)
        redraw();
    else if (!m_redrawLater.isActive())
        m_redrawLater.start(int(kMinIntervalMs - m_sinceRedraw.elapsed()));
}

void ShareChartView::rebuild()
{
    QChart *c = chart();
    c->removeAllSeries();   // deletes them
    for (QAbstractAxis *axis : c->axes())
        c->removeAxis(axis), delete axis;
    m_bars = nullptr;
    m_barSet = nullptr;
    m_categories = nullptr;
    m_valueAxis = nullptr;
    m_pie = nullptr;
    m_labels.clear();
    m_values.clear();
    m_shares.clear();
    // The subject combo above names what is shown; a title would take the height the legend needs.
    setToolTip(subjectName());

    if (m_style == Style::Bars) {
        m_bars = new QHorizontalBarSeries;
        m_barSet = new QBarSet(tr("Clicks"));
        m_barSet->setColor(kColors[0]);
        m_barSet->setBorderColor(kColors[0]);
        m_bars->append(m_barSet);   // takes it
        m_bars->setBarWidth(0.7);
        m_bars->setLabelsVisible(true);
        // At the base: Qt Charts 6.4 clips an inside-end label on a short bar and draws no
        // outside-end label on horizontal bars at all.
        m_bars->setLabelsPosition(QAbstractBarSeries::LabelsInsideBase);
        m_bars->setLabelsFormat(QStringLiteral("@value"));
        c->addSeries(m_bars);
        m_categories = new QBarCategoryAxis;
        // Qt Charts 6.4 sizes a left category axis before its labels arrive and then elides them
        // all to "…"; the labels are short (a rank, a key cut to 28 characters, a share).
        m_categories->setTruncateLabels(false);
        m_valueAxis = new QValueAxis;
        m_valueAxis->setLabelFormat(QStringLiteral("%.0f"));
        m_valueAxis->setTickCount(6);   // 5 intervals: round steps on 10, 20, 50 × 10^n
        m_valueAxis->setRange(0, RateChartView::niceYMax(0));
        c->addAxis(m_categories, Qt::AlignLeft);
        c->addAxis(m_valueAxis, Qt::AlignBottom);
        m_bars->attachAxis(m_categories);
        m_bars->attachAxis(m_valueAxis);
        c->legend()->hide();
    } else {
        m_pie = new QPieSeries;
        m_pie->setHoleSize(0.45);
        m_pie->setPieSize(0.9);
        c->addSeries(m_pie);
        c->legend()->show();
        c->legend()->setAlignment(Qt::AlignRight);
        // Nine entries (eight values and "other") must fit beside a 200-pixel-high donut.
        QFont small = font();
        small.setPointSizeF(small.pointSizeF() * 0.85);
        c->legend()->setFont(small);
    }
    applyPalette();
    redraw();
}

void ShareChartView::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    fitValueTicks();
    if (m_bars)
        redrawBars();   // the labels are cut to the new width
}

void ShareChartView::fitValueTicks()
{
    if (!m_valueAxis)
        return;
    const QFontMetrics metrics(m_valueAxis->labelsFont());
    // The widest label is the largest value's; a label needs its width and a gap of two digits.
    const int labelWidth =
        metrics.horizontalAdvance(QString::number(m_valueAxis->max(), 'f', 0)) + 2 * metrics.horizontalAdvance(u'0');
    // The plot area before the first layout is not known yet; the widget's width bounds it.
    const qreal plotWidth = chart()->plotArea().width() > 0 ? chart()->plotArea().width() : qreal(width());
    int ticks = 2;
    for (const int candidate : {6, 3}) {
        if (plotWidth / (candidate - 1) >= labelWidth) {
            ticks = candidate;
            break;
        }
    }
    if (m_valueAxis->tickCount() != ticks)
        m_valueAxis->setTickCount(ticks);
}

void ShareChartView::applyPalette()
{
    styleChart(chart(), palette());
    if (m_barSet)
        m_barSet->setLabelColor(palette().color(QPalette::Text));
}

void ShareChartView::redraw()
{
    m_redrawLater.stop();
    m_sinceRedraw.start();
    QStringList labels;
    QList<double> values;
    QList<double> shares;
    if (m_latest) {
        const QList<RankedRow> &rows =
            m_subject == kTopLinks ? m_latest->topLinks : m_latest->breakdowns[std::size_t(m_subject)];
        const qsizetype shown = std::min<qsizetype>(rows.size(), kMaxItems);
        double shownCount = 0;
        for (qsizetype i = 0; i < shown; ++i) {
            labels << keyLabel(rows.at(i).key);
            values << double(rows.at(i).count);
            shares << rows.at(i).share;
            shownCount += double(rows.at(i).count);
        }
        // Shares are of the counter's total, so the first row tells the total.
        if (shown > 0 && rows.first().share > 0) {
            const double total = double(rows.first().count) / rows.first().share;
            if (const double other = total - shownCount; other >= 0.5) {
                labels << tr("other");
                values << other;
                shares << other / total;
            }
        }
    }
    m_labels = labels;
    m_values = values;
    m_shares = shares;
    if (m_style == Style::Bars)
        redrawBars();
    else
        redrawDonut();
}

void ShareChartView::redrawBars()
{
    // Bars show the ranking itself, without "other": horizontal bars draw the first category at
    // the bottom, so they go in reversed and the largest ends up on top.
    const qsizetype n = std::min<qsizetype>(m_labels.size(), kMaxItems);
    // Qt Charts gives a left axis at most about a third of the chart and draws longer labels
    // past the chart's edge: each key is cut (in its middle) so its whole label fits, and where
    // even a short key would not fit beside its share, the share (which the table shows) goes.
    const QFontMetrics metrics(m_categories->labelsFont());
    const int room = int(width() * kLabelShare);
    const int shortKey = metrics.horizontalAdvance(QStringLiteral("/abcd…"));
    QStringList categories;
    QList<double> values;
    for (qsizetype i = n - 1; i >= 0; --i) {
        // The rank keeps categories distinct (two long URLs can shorten to the same label, and
        // the axis drops duplicates, which would shift every label below them).
        const QString rank = QStringLiteral("%1. ").arg(i + 1);
        QString share = QStringLiteral("  (%1 %)").arg(m_shares.at(i) * 100, 0, 'f', 1);
        if (room - metrics.horizontalAdvance(rank) - metrics.horizontalAdvance(share) < shortKey)
            share.clear();
        const int keyRoom = room - metrics.horizontalAdvance(rank) - metrics.horizontalAdvance(share);
        categories << rank + metrics.elidedText(m_labels.at(i), Qt::ElideMiddle, std::max(keyRoom, 0)) + share;
        values << m_values.at(i);
    }
    if (categories.isEmpty()) {
        // One blank category rather than none: an axis left without categories (or with an
        // empty one, which it takes for none) keeps painting its old labels.
        categories << QStringLiteral(" ");
        values << 0.0;
    }
    if (categories != m_categories->categories()) {
        // In place: the axis was made with truncation off (see rebuild()), so new labels are
        // measured whole. A new axis per change would be 4 a second while a ranking reshuffles.
        m_categories->setCategories(categories);
        m_barSet->remove(0, m_barSet->count());
        m_barSet->append(values);
    } else {
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (m_barSet->at(int(i)) != values.at(i))
                m_barSet->replace(int(i), values.at(i));
        }
    }
    const double max = values.isEmpty() ? 0.0 : *std::max_element(values.cbegin(), values.cend());
    if (const double top = RateChartView::rescaledMax(m_valueAxis->max(), max); top != m_valueAxis->max()) {
        m_valueAxis->setRange(0, top);
        fitValueTicks();
    }
}

void ShareChartView::redrawDonut()
{
    QList<QPieSlice *> slices = m_pie->slices();
    if (slices.size() != m_labels.size()) {
        m_pie->clear();
        for (qsizetype i = 0; i < m_labels.size(); ++i) {
            auto *slice = new QPieSlice;
            const bool other = i >= kMaxItems;
            slice->setColor(other ? kOtherColor : kColors[i % std::size(kColors)]);
            slice->setBorderColor(palette().color(QPalette::Base));
            m_pie->append(slice);   // takes it
        }
        slices = m_pie->slices();
        styleChart(chart(), palette());
    }
    for (qsizetype i = 0; i < slices.size(); ++i) {
        const QString label = QStringLiteral("%1  %2 %").arg(m_labels.at(i)).arg(m_shares.at(i) * 100, 0, 'f', 1);
        if (slices.at(i)->label() != label)
            slices.at(i)->setLabel(label);
        if (slices.at(i)->value() != m_values.at(i))
            slices.at(i)->setValue(m_values.at(i));
    }
}

void ShareChartView::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

}   // namespace Clickscope

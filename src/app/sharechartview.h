// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"

#include <QChartView>
#include <QElapsedTimer>
#include <QList>
#include <QTimer>

class QBarCategoryAxis;
class QBarSet;
class QHorizontalBarSeries;
class QPieSeries;
class QValueAxis;

namespace Clickscope {

// Shares of one ranking (top links or a breakdown) as horizontal bars or a donut: the first
// kMaxItems values plus "other" for the rest. Shares do not move visibly thirty times a second,
// so it redraws at most every kMinIntervalMs; a change of what it shows redraws at once.
class ShareChartView : public QChartView
{
    Q_OBJECT
public:
    enum class Style { Bars, Donut };
    // What it shows: the top links or one of the snapshot's breakdowns.
    static constexpr int kTopLinks = -1;
    static constexpr int kMaxItems = 8;
    static constexpr int kMinIntervalMs = 250;
    // The part of the view's width a bar's label may take.
    static constexpr double kLabelShare = 0.33;

    explicit ShareChartView(QWidget *parent = nullptr);

    void setStyle(Style style);
    Style style() const { return m_style; }
    // kTopLinks or a DashboardSnapshot::Dimension.
    void setSubject(int subject);
    int subject() const { return m_subject; }

    void applySnapshot(const DashboardSnapshotPtr &snapshot);

    // What is drawn now: labels (with shares) and values, largest first, "other" last.
    QStringList labels() const { return m_labels; }
    QList<double> values() const { return m_values; }

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuild();   // a new style or subject: new series, drawn at once
    void redraw();    // the latest snapshot's values into the current series
    void redrawBars();
    void redrawDonut();
    void applyPalette();
    // As many value ticks as have room for their labels: 6, 3 or 2 (each a round step of the
    // range), so that "0 400 800 1600" never run together on a narrow chart.
    void fitValueTicks();
    QString subjectName() const;

    Style m_style = Style::Bars;
    int m_subject = kTopLinks;
    DashboardSnapshotPtr m_latest;
    QStringList m_labels;
    QList<double> m_values;
    QList<double> m_shares;
    QElapsedTimer m_sinceRedraw;
    QTimer m_redrawLater;
    // Bars
    QHorizontalBarSeries *m_bars = nullptr;
    QBarSet *m_barSet = nullptr;
    QBarCategoryAxis *m_categories = nullptr;
    QValueAxis *m_valueAxis = nullptr;
    // Donut
    QPieSeries *m_pie = nullptr;
};

}   // namespace Clickscope

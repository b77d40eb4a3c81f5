// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"

#include <QWidget>

namespace Clickscope {

class CounterTile;

// The counter tiles: totals, rates and latency of the latest snapshot, in a grid of as many
// columns as fit the width whole (one row on a wide window, two or three on a narrow one), so
// that no tile is ever cut.
class CountersPanel : public QWidget
{
    Q_OBJECT
public:
    explicit CountersPanel(QWidget *parent = nullptr);

    // Once per snapshot: shows its totals.
    void applySnapshot(const DashboardSnapshot &snapshot);

    CounterTile *clicksTile() const { return m_clicks; }
    CounterTile *rateTile() const { return m_rate; }
    CounterTile *peakTile() const { return m_peak; }
    CounterTile *linksTile() const { return m_links; }
    CounterTile *eventsTile() const { return m_events; }
    CounterTile *undecodableTile() const { return m_undecodable; }
    CounterTile *gapsTile() const { return m_gaps; }
    CounterTile *reconnectsTile() const { return m_reconnects; }
    CounterTile *latencyTile() const { return m_latency; }
    int columnCount() const { return m_columns; }

    QSize minimumSizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    static constexpr int kMinColumns = 3;
    static constexpr qsizetype kGapsListed = 10;   // of the latest gap ranges, in the tooltip

    // What the Gaps tile says on hover: what it counts, and the latest missing ids.
    static QString gapsToolTip(const QList<GapRange> &ranges, const Totals &totals);

    CounterTile *addTile(const QString &objectName, const QString &title, const QString &toolTip);
    // The width `columns` columns need, each as wide as its widest tile.
    int widthFor(int columns) const;
    // The column count for the current width and the current values.
    void reflow();
    void arrange(int columns);

    CounterTile *m_clicks;
    CounterTile *m_rate;
    CounterTile *m_peak;
    CounterTile *m_links;
    CounterTile *m_events;
    CounterTile *m_undecodable;
    CounterTile *m_gaps;
    CounterTile *m_reconnects;
    CounterTile *m_latency;
    QList<CounterTile *> m_all;
    int m_columns = 0;
};

}   // namespace Clickscope

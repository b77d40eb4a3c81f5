// SPDX-License-Identifier: MIT
#pragma once

#include "model/dashboardsnapshot.h"

#include <QWidget>

namespace Clickscope {

class CounterTile;

// The counter tiles: totals, rates and latency of the latest snapshot, in a grid.
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

private:
    CounterTile *addTile(const QString &objectName, const QString &title, const QString &toolTip);

    CounterTile *m_clicks;
    CounterTile *m_rate;
    CounterTile *m_peak;
    CounterTile *m_links;
    CounterTile *m_events;
    CounterTile *m_undecodable;
    CounterTile *m_gaps;
    CounterTile *m_reconnects;
    CounterTile *m_latency;
    int m_tiles = 0;
};

} // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "app/counterspanel.h"

#include "app/countertile.h"

#include <QDateTime>
#include <QGridLayout>
#include <QLocale>
#include <QResizeEvent>

#include <algorithm>

namespace Clickscope {
namespace {

QString formatRate(double rate)
{
    if (rate == 0)
        return QStringLiteral("0");   // idle, not "0.0" of something still decaying
    return QLocale().toString(rate, 'f', rate < 10 ? 1 : 0);
}

QString formatMs(double ms) { return ms < 10 ? QLocale().toString(ms, 'f', 1) : QLocale().toString(ms, 'f', 0); }

}   // namespace

CountersPanel::CountersPanel(QWidget *parent) : QWidget(parent)
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    m_clicks = addTile(QStringLiteral("clicksTile"), tr("Clicks"), tr("Clicks counted since the start"));
    m_rate = addTile(QStringLiteral("rateTile"), tr("Clicks/s"), tr("Clicks per second now (smoothed)"));
    m_peak = addTile(QStringLiteral("peakTile"), tr("Peak/s"), tr("Most clicks in one second"));
    m_links = addTile(QStringLiteral("linksTile"), tr("Links"),
                      tr("Distinct links seen (exact up to 100,000; beyond that, \"+\": at least this many)"));
    m_events = addTile(QStringLiteral("eventsTile"), tr("Events"), tr("Stream events received"));
    m_undecodable =
        addTile(QStringLiteral("undecodableTile"), tr("Undecodable / dropped"),
                tr("Events that could not be decoded / events dropped unread for being over the size limit"));
    m_gaps = addTile(QStringLiteral("gapsTile"), tr("Gaps / repeats"), gapsToolTip({}, {}));
    m_reconnects = addTile(QStringLiteral("reconnectsTile"), tr("Retries"),
                           tr("Reconnection attempts: one after each stream that ended and each attempt that failed "
                              "(while a server is down, every failed attempt counts)"));
    m_latency = addTile(QStringLiteral("latencyTile"), tr("Latency p50 / p99 (ms)"),
                        tr("Arrival time minus the click's own timestamp"));
    m_latency->setValueText(QStringLiteral("–"));
}

QString CountersPanel::gapsToolTip(const QList<GapRange> &ranges, const Totals &totals)
{
    const QLocale locale;
    QString tip = tr("Gaps: event ids missing between consecutive clicks (marked on the clicks/s chart)\n"
                     "Repeats: clicks whose id had come before, counted in Clicks too: %1 replayed after a "
                     "reconnection (a server that resumed from an earlier id, or was not told where), %2 true "
                     "duplicates")
                      .arg(locale.toString(totals.replayed), locale.toString(totals.duplicates - totals.replayed));
    if (ranges.isEmpty())
        return tip;
    tip += tr("\n\nLatest missing ids:");
    for (qsizetype i = ranges.size() - 1; i >= std::max<qsizetype>(0, ranges.size() - kGapsListed); --i) {
        const GapRange &gap = ranges.at(i);
        const QString ids = gap.firstMissing == gap.lastMissing
                                ? locale.toString(gap.firstMissing)
                                : tr("%1–%2").arg(locale.toString(gap.firstMissing), locale.toString(gap.lastMissing));
        tip += tr("\n%1 (noticed %2)")
                   .arg(ids, QDateTime::fromMSecsSinceEpoch(gap.arrivalMs).toString(QStringLiteral("HH:mm:ss")));
    }
    return tip;
}

CounterTile *CountersPanel::addTile(const QString &objectName, const QString &title, const QString &toolTip)
{
    auto *tile = new CounterTile(title, this);
    tile->setObjectName(objectName);
    tile->setToolTipText(toolTip);
    m_all.append(tile);
    arrange(int(m_all.size()));
    return tile;
}

int CountersPanel::widthFor(int columns) const
{
    const auto *grid = static_cast<const QGridLayout *>(layout());
    int width = grid->horizontalSpacing() * (columns - 1);
    for (int column = 0; column < columns; ++column) {
        int widest = 0;
        for (qsizetype i = column; i < m_all.size(); i += columns)
            widest = std::max(widest, m_all[i]->sizeHint().width());
        width += widest;
    }
    return width;
}

void CountersPanel::arrange(int columns)
{
    if (columns == m_columns)
        return;
    m_columns = columns;
    auto *grid = static_cast<QGridLayout *>(layout());
    for (CounterTile *tile : std::as_const(m_all))
        grid->removeWidget(tile);
    for (int column = 0; column < grid->columnCount(); ++column)
        grid->setColumnStretch(column, 0);
    for (qsizetype i = 0; i < m_all.size(); ++i) {
        grid->addWidget(m_all[i], int(i) / columns, int(i) % columns);
        grid->setColumnStretch(int(i) % columns, 1);
    }
}

QSize CountersPanel::minimumSizeHint() const
{
    // Narrower than one row: the tiles go into more rows instead of being cut.
    const int columns = std::min<int>(kMinColumns, int(m_all.size()));
    return {widthFor(std::max(columns, 1)), QWidget::minimumSizeHint().height()};
}

void CountersPanel::resizeEvent(QResizeEvent *event)
{
    reflow();
    QWidget::resizeEvent(event);
}

void CountersPanel::reflow()
{
    int columns = int(m_all.size());
    while (columns > kMinColumns && widthFor(columns) > width())
        --columns;
    // As many rows as needed, filled evenly: 5 + 4 rather than 7 + 2.
    const int rows = int((m_all.size() + columns - 1) / columns);
    if (const int even = int((m_all.size() + rows - 1) / rows); widthFor(even) <= width())
        columns = even;
    arrange(columns);
}

void CountersPanel::applySnapshot(const DashboardSnapshot &s)
{
    const QLocale locale;
    m_clicks->setValueText(locale.toString(s.totals.clicks));
    m_rate->setValueText(formatRate(s.rateNow));
    m_peak->setValueText(locale.toString(s.ratePeak));
    m_links->setValueText(locale.toString(s.distinctLinks) + (s.topLinksExact ? QString() : QStringLiteral("+")));
    m_events->setValueText(locale.toString(s.totals.events));
    m_undecodable->setValueText(locale.toString(s.totals.undecodable) + QStringLiteral(" / ")
                                + locale.toString(s.totals.discarded));
    m_gaps->setValueText(locale.toString(s.totals.gaps) + QStringLiteral(" / ") + locale.toString(s.totals.duplicates));
    if (const QString tip = gapsToolTip(s.gapRanges, s.totals); tip != m_gaps->toolTip())
        m_gaps->setToolTipText(tip);
    m_reconnects->setValueText(locale.toString(s.totals.reconnects));
    m_latency->setValueText(s.latencyCount == 0
                                ? QStringLiteral("–")
                                : formatMs(s.latencyP50) + QStringLiteral(" / ") + formatMs(s.latencyP99));
    // Longer numbers make wider tiles: when the row no longer holds them, it wraps.
    if (widthFor(m_columns) > width())
        reflow();
}

}   // namespace Clickscope

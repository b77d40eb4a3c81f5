// SPDX-License-Identifier: MIT
#include "app/connectiontimeline.h"

#include <QPainter>

#include <cmath>

namespace Clickscope {
namespace {

constexpr int kGutter = 64;   // the lanes' names
constexpr int kLaneGap = 6;
constexpr int kConnectionLane = 14;
constexpr int kReadsLane = 44;
constexpr int kBeatsLane = 12;
constexpr int kAxis = 16;

const QColor kOpen(0x2e, 0x9d, 0x57);
const QColor kConnecting(0xd9, 0xa4, 0x00);
const QColor kFailed(0xd6, 0x45, 0x41);
const QColor kRead(0x3a, 0x7b, 0xd5);
const QColor kBurst(0xef, 0x7d, 0x22);
const QColor kBeat(0x8e, 0x6c, 0xc8);

QString spanText(qint64 ms)
{
    const qint64 s = (ms + 500) / 1000;
    return s >= 60 ? QStringLiteral("−%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'))
                   : QStringLiteral("−%1 s").arg(s);
}

}   // namespace

ConnectionTimeline::ConnectionTimeline(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("connectionTimeline"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void ConnectionTimeline::setXray(XraySnapshotPtr xray)
{
    m_xray = std::move(xray);
    update();
}

void ConnectionTimeline::clear()
{
    m_xray.reset();
    update();
}

QSize ConnectionTimeline::sizeHint() const { return {480, minimumSizeHint().height()}; }

QSize ConnectionTimeline::minimumSizeHint() const
{
    return {kGutter + 120, kConnectionLane + kReadsLane + kBeatsLane + 3 * kLaneGap + kAxis + 4};
}

void ConnectionTimeline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, false);
    const QPalette &pal = palette();
    painter.fillRect(rect(), pal.color(QPalette::Base));
    const QColor text = pal.color(QPalette::Text);
    QColor faint = text;
    faint.setAlphaF(0.25);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter.setFont(small);

    const int top = 2;
    const QRect connectionLane(kGutter, top, width() - kGutter - 8, kConnectionLane);
    const QRect readsLane(kGutter, connectionLane.bottom() + kLaneGap, connectionLane.width(), kReadsLane);
    const QRect beatsLane(kGutter, readsLane.bottom() + kLaneGap, connectionLane.width(), kBeatsLane);
    const QRect axis(kGutter, beatsLane.bottom() + kLaneGap, connectionLane.width(), kAxis);
    painter.setPen(text);
    const auto laneName = [&](const QRect &lane, const QString &name) {
        painter.drawText(QRect(4, lane.top(), kGutter - 10, lane.height()), Qt::AlignVCenter | Qt::AlignRight, name);
        painter.fillRect(QRect(lane.left(), lane.bottom(), lane.width(), 1), faint);
    };
    laneName(connectionLane, tr("connection"));
    laneName(readsLane, tr("events"));
    laneName(beatsLane, tr("heartbeats"));

    if (!m_xray || m_xray->attempts.isEmpty()) {
        painter.drawText(readsLane, Qt::AlignCenter, tr("No connection yet"));
        return;
    }
    const XraySnapshot &xray = *m_xray;
    const qint64 end = xray.nowMs;
    const qint64 begin = end - std::clamp(end - xray.attempts.first().startedMs, kMinSpanMs, kSpanMs);
    const double scale = double(readsLane.width()) / double(end - begin);
    const auto xOf = [&](qint64 ms) { return readsLane.left() + int(std::lround(double(ms - begin) * scale)); };

    // Axis: a tick a minute (or every 10 s for a short span), labelled at both ends.
    const qint64 step = end - begin > 2 * 60 * 1000 ? 60 * 1000 : 10 * 1000;
    for (qint64 back = step; back < end - begin; back += step)
        painter.fillRect(QRect(xOf(end - back), readsLane.top(), 1, beatsLane.bottom() - readsLane.top()), faint);
    painter.setPen(text);
    painter.drawText(axis, Qt::AlignLeft | Qt::AlignVCenter, spanText(end - begin));
    painter.drawText(axis, Qt::AlignRight | Qt::AlignVCenter, tr("now"));

    // Connection: connecting in amber, open in green, an attempt that failed to open in red.
    for (const ConnectionAttempt &attempt : xray.attempts) {
        const qint64 start = attempt.startedMs;
        const qint64 opened = attempt.openedMs ? start + *attempt.openedMs : -1;
        const qint64 stop = attempt.ended ? start + attempt.endedMs.value_or(0) : end;
        if (stop < begin)
            continue;
        const int x0 = std::max(xOf(start), readsLane.left());
        const int xOpen = opened >= 0 ? std::max(xOf(opened), readsLane.left()) : xOf(stop);
        const int x1 = std::max(xOf(stop), x0 + 1);
        painter.fillRect(QRect(x0, connectionLane.top() + 4, std::max(xOpen - x0, 1), connectionLane.height() - 8),
                         opened >= 0 ? kConnecting : kFailed);
        if (opened >= 0)
            painter.fillRect(
                QRect(xOpen, connectionLane.top() + 1, std::max(x1 - xOpen, 1), connectionLane.height() - 2), kOpen);
    }

    // Reads: a bar per read, its height the log of its events; heartbeats as ticks.
    quint32 most = 1;
    for (const ReadSample &sample : xray.samples)
        most = std::max(most, sample.events);
    const double logMost = std::log1p(double(most));
    for (const ReadSample &sample : xray.samples) {
        if (sample.atMs < begin)
            continue;
        const int x = xOf(sample.atMs);
        if (sample.events > 0) {
            const int h = std::max(
                2, int(std::lround(double(readsLane.height() - 2) * std::log1p(double(sample.events)) / logMost)));
            painter.fillRect(QRect(x, readsLane.bottom() - h, 1, h), kRead);
        }
        if (sample.comments > 0)
            painter.fillRect(QRect(x, beatsLane.top() + 1, 2, beatsLane.height() - 2), kBeat);
    }
    // A silence the heartbeats say should not be: shaded from the last byte to now.
    if (const ConnectionAttempt &last = xray.attempts.last(); !last.ended) {
        const std::optional<qint64> heard = last.lastHeardMs();
        const bool stalled = std::any_of(xray.findings.cbegin(), xray.findings.cend(), [](const Finding &f) {
            return f.kind == Finding::Kind::HeartbeatMissing && f.ongoing;
        });
        if (heard && stalled) {
            QColor shade = kFailed;
            shade.setAlphaF(0.25);
            const int x0 = std::max(xOf(*heard), readsLane.left());
            painter.fillRect(QRect(x0, readsLane.top(), xOf(end) - x0, beatsLane.bottom() - readsLane.top()), shade);
            painter.setPen(kFailed);
            painter.drawText(QRect(x0 + 4, readsLane.top(), xOf(end) - x0 - 4, readsLane.height()),
                             Qt::AlignLeft | Qt::AlignTop, tr("silent"));
        }
    }
    // Bursts: a marker above the read that brought them.
    painter.setPen(kBurst);
    for (const Burst &burst : xray.bursts) {
        if (burst.atMs < begin)
            continue;
        const int x = xOf(burst.atMs);
        const QPolygon marker(
            {QPoint(x - 4, readsLane.top()), QPoint(x + 4, readsLane.top()), QPoint(x, readsLane.top() + 6)});
        painter.setBrush(kBurst);
        painter.drawPolygon(marker);
    }
}

}   // namespace Clickscope

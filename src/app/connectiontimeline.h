// SPDX-License-Identifier: MIT
#pragma once

#include "core/xray/xraysnapshot.h"

#include <QWidget>

namespace Clickscope {

// The X-ray's attempts and reads on one time axis, the latest minutes of them: a lane of
// connection spans (connecting, open, and the gaps between attempts), a lane of reads (a bar per
// read, taller for more events; bursts after silences marked) and a lane of heartbeat ticks.
// Reading it shows at a glance whether a stream flows, stalls, comes in bursts or keeps
// reconnecting.
class ConnectionTimeline : public QWidget
{
    Q_OBJECT
public:
    // The span shown: the latest minutes, or less when the stream is younger.
    static constexpr qint64 kSpanMs = 5 * 60 * 1000;
    static constexpr qint64 kMinSpanMs = 10 * 1000;

    explicit ConnectionTimeline(QWidget *parent = nullptr);

    void setXray(XraySnapshotPtr xray);
    void clear();
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    XraySnapshotPtr m_xray;
};

}   // namespace Clickscope

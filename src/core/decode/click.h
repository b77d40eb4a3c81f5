// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>

namespace Clickscope {

// One decoded click, as views into bytes the decoder owns. Valid until the decoder decodes the
// next event: the aggregator copies what it keeps (interned link and dimension names).
struct ClickView
{
    static constexpr qint64 kNoTime = -1;
    static constexpr qint64 kNoSequence = -1;

    QByteArrayView link;       // required
    QByteArrayView country;    // empty when absent
    QByteArrayView referrer;   // the referrer's host only ("news.ycombinator.com"), empty when direct
    QByteArrayView device;
    QByteArrayView browser;
    qint64 timestampMs = kNoTime;    // when the click happened (ms since the epoch), if the stream says
    qint64 sequence = kNoSequence;   // a numeric id, when the stream numbers its clicks (gap detection)
};

// A current-state snapshot ({"clickCount": N, …}): totals come from it, not from counting events.
struct SnapshotView
{
    qint64 clickCount = 0;
    bool hasLastClick = false;   // a snapshot's "clickAnalytics" object: it feeds the breakdowns
    ClickView lastClick;
};

}   // namespace Clickscope

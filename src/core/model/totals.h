// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

// What a stream has delivered, counted: small value types that snapshots and reports carry, apart
// from the aggregator that counts them, so that whoever shows them needs nothing else.
namespace Clickscope {

// Running totals of one stream session.
struct Totals
{
    quint64 clicks = 0;   // clicks counted one by one plus what snapshots reported
    quint64 historyClicks =
        0;   // of those, what snapshots reported of clicks from before they were watched (the first, a restarted server's)
    quint64 events = 0;
    quint64 undecodable = 0;
    quint64 otherEvents = 0;   // events that are not clicks (LLM chunks, heartbeats' data …)
    quint64 snapshots = 0;
    quint64 bytes = 0;
    quint64 reconnects = 0;
    quint64 discarded = 0;    // events the source dropped unread, over its size limit
    quint64 gaps = 0;         // ids missing between consecutive numbered clicks
    quint64 duplicates = 0;   // numbered clicks whose id is at or below the highest seen (repeated or out of order)…
    quint64 replayed = 0;     // …of which those a reconnection brought again (a replay, not a true duplicate)
    quint64 counterResets = 0;   // snapshots whose count (or, in a numbered stream, whose id) went backwards
};

// Ids a stream skipped: firstMissing … lastMissing never arrived, noticed at arrivalMs.
struct GapRange
{
    qint64 firstMissing = 0;
    qint64 lastMissing = 0;
    qint64 arrivalMs = 0;
};

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#pragma once

#include "core/check/streamcheck.h"
#include "core/xray/connectionlog.h"
#include "core/xray/diagnosis.h"

#include <QList>

#include <memory>

namespace Clickscope {

// The X-ray of a stream at one moment, as the window shows it: an immutable, bounded copy of its
// connection log, the findings and the checks' outcomes, made in the ingest thread.
struct XraySnapshot
{
    QList<ConnectionAttempt> attempts;   // oldest first, at most the log's kept attempts
    QList<ReadSample> samples;           // oldest first, at most the log's kept reads
    QList<Burst> bursts;
    QList<Finding> findings;   // the most severe first
    QList<StreamCheck> checks;
    QList<StreamCheck::Outcome> outcomes;   // one per check
    qint64 nowMs = 0;                       // the log's clock when it was made

    // The most severe finding, if any.
    const Finding *worstFinding() const { return findings.isEmpty() ? nullptr : &findings.first(); }
};

using XraySnapshotPtr = std::shared_ptr<const XraySnapshot>;

}   // namespace Clickscope

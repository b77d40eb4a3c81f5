// SPDX-License-Identifier: MIT
#pragma once

#include "core/record/replaysource.h"
#include "support/eventcollector.h"

#include <QSignalSpy>

namespace Clickscope::Testing {

// Every event a recording replays to, as fast as possible, through the parser a live stream goes
// through: what its reader saw.
inline QList<SseEvent> replayedEvents(const QString &path, int waitMs = 10'000)
{
    ReplaySource replay(path, 0);
    EventCollector events(&replay);
    QSignalSpy ended(&replay, &StreamSource::ended);
    replay.open();
    ended.wait(waitMs);
    return events.events;
}

}   // namespace Clickscope::Testing

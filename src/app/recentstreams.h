// SPDX-License-Identifier: MIT
#pragma once

#include "app/savedrequest.h"

#include <QList>

namespace Clickscope {

// The streams that opened lately, newest first, as the user asked for them: URL, method,
// headers, body, end marker and mapping, so that picking one asks for the same stream again.
// Kept in QSettings without secrets (SavedRequest): those must be given again.
class RecentStreams
{
public:
    static constexpr int kMax = 10;

    using Entry = SavedRequest;

    static QList<Entry> load();
    // Puts `request` first (replacing an entry for the same stream) and saves.
    static void remember(const StreamRequest &request);
};

}   // namespace Clickscope

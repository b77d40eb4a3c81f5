// SPDX-License-Identifier: MIT
#pragma once

#include "app/streamrequest.h"

#include <QList>
#include <QStringList>

namespace Clickscope {

// The streams that opened lately, newest first, as the user asked for them: URL, method,
// headers, body, end marker and mapping, so that picking one asks for the same stream again.
// Kept in QSettings without secrets: a header that may hold one (isSecretHeader) is stored by
// name only and must be given again, and so must a password or a token in the URL.
class RecentStreams
{
public:
    static constexpr int kMax = 10;

    struct Entry
    {
        StreamRequest request;
        QStringList missingCredentials;   // header names whose values were not kept, or "the URL's password"

        // What the lists show: the URL, with the method when it is not GET.
        QString label() const;
    };

    static QList<Entry> load();
    // Puts `request` first (replacing an entry for the same stream) and saves.
    static void remember(const StreamRequest &request);
};

}   // namespace Clickscope

// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace Clickscope {

// What a redis:// URL asks to read:
//   redis://[user[:password]@]host[:port]/pubsub/CHANNEL   a pub/sub channel; a CHANNEL with
//                                                           * ? or [ is a pattern (PSUBSCRIBE)
//   redis://[user[:password]@]host[:port]/stream/KEY[?start=$|0|ID]
//                                                           a stream (XREAD), from its next entry
//                                                           ($, the default), its first (0), or
//                                                           the entry after ID
// The port defaults to 6379; names are percent-decoded; the database is 0.
struct RedisTarget
{
    static constexpr int kDefaultPort = 6379;

    enum class Kind { Channel, Pattern, Stream };

    QString host;
    quint16 port = kDefaultPort;
    QByteArray user;       // empty: AUTH with the password alone (or no AUTH)
    QByteArray password;   // empty: no AUTH
    Kind kind = Kind::Channel;
    QByteArray name;    // channel, pattern or stream key
    QByteArray start;   // streams: "$", "0" or an entry id

    static Result<RedisTarget> fromUrl(const QUrl &url);
    // A stream entry id as Redis writes them: MILLISECONDS-SEQUENCE, or MILLISECONDS alone.
    static bool isEntryId(QByteArrayView id);
};

}   // namespace Clickscope

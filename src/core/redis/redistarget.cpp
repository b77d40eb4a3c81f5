// SPDX-License-Identifier: MIT
#include "core/redis/redistarget.h"

#include "core/source/sourceconfig.h"

#include <QUrlQuery>

#include <algorithm>

namespace Clickscope {
namespace {

// A whole number Redis reads into 64 bits unsigned, as the two parts of an entry id are.
bool isUnsigned64(QByteArrayView text)
{
    constexpr QByteArrayView kMax = "18446744073709551615";
    if (text.isEmpty() || text.size() > kMax.size()
        || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    return text.size() < kMax.size() || text.compare(kMax) <= 0;
}

}   // namespace

bool RedisTarget::isEntryId(QByteArrayView id)
{
    const qsizetype dash = id.indexOf('-');
    if (dash < 0)
        return isUnsigned64(id);
    return isUnsigned64(id.first(dash)) && isUnsigned64(id.sliced(dash + 1));
}

Result<RedisTarget> RedisTarget::fromUrl(const QUrl &url)
{
    const QString shown = shownUrl(url);
    Result<BusServer> server = busServerOf(url, u"redis", kDefaultPort);
    if (!server)
        return unexpected(server.error());
    RedisTarget target;
    target.host = server->host;
    target.port = server->port;
    target.user = server->user;
    target.password = server->password;
    if (target.password.isEmpty() && !target.user.isEmpty()) {
        // redis://secret@host: the user info alone is the password, as redis-cli reads it.
        target.password = std::exchange(target.user, {});
    }

    const QString path = url.path(QUrl::FullyDecoded);
    const qsizetype slash = path.indexOf(u'/', 1);
    const QString kind = slash > 0 ? path.mid(1, slash - 1) : path.mid(1);
    const QString name = slash > 0 ? path.mid(slash + 1) : QString();
    const QString usage = QStringLiteral("a Redis URL names /pubsub/CHANNEL or /stream/KEY, e.g. "
                                         "redis://localhost:6379/pubsub/clicks");
    if (kind != u"pubsub" && kind != u"stream")
        return unexpected(QStringLiteral("'%1': %2").arg(shown, usage));
    if (name.isEmpty())
        return unexpected(
            QStringLiteral("'%1' names no %2: %3")
                .arg(shown, kind == u"pubsub" ? QStringLiteral("channel") : QStringLiteral("stream key"), usage));
    target.name = name.toUtf8();

    const QUrlQuery query(url);
    if (kind == u"pubsub") {
        if (!query.isEmpty())
            return unexpected(QStringLiteral("'%1': a pub/sub URL takes no query").arg(shown));
        target.kind =
            std::any_of(name.cbegin(), name.cend(), [](QChar c) { return c == u'*' || c == u'?' || c == u'['; })
                ? Kind::Pattern
                : Kind::Channel;
        return target;
    }
    target.kind = Kind::Stream;
    target.start = "$";
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key != u"start")
            return unexpected(QStringLiteral("'%1': unknown query item '%2' (a stream takes start=$, 0 or an entry id)")
                                  .arg(shown, key));
        const QByteArray start = value.toUtf8();
        if (start != "$" && !isEntryId(start))
            return unexpected(
                QStringLiteral("'%1': start=%2 is not $, 0 or an entry id like 1700000000000-0").arg(shown, value));
        target.start = start;
    }
    return target;
}

}   // namespace Clickscope

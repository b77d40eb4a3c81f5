// SPDX-License-Identifier: MIT
#include "core/source/sourcefactory.h"

#include "core/nats/natssource.h"
#include "core/record/replaysource.h"
#include "core/redis/redissource.h"
#include "core/sse/eventsource.h"
#include "core/ws/websocketsource.h"

namespace Clickscope {

std::unique_ptr<StreamSource> createSource(const SourceConfig &config, QObject *parent)
{
    // Anything that is not ws(s), redis or nats goes to EventSource, which reports a bad URL as InvalidUrl itself.
    if (config.url.isLocalFile())
        return std::make_unique<ReplaySource>(config.url.toLocalFile(), config.replaySpeed, config, parent);
    const QString scheme = config.url.scheme();
    if (scheme.compare(u"ws", Qt::CaseInsensitive) == 0 || scheme.compare(u"wss", Qt::CaseInsensitive) == 0)
        return std::make_unique<WebSocketSource>(config, parent);
    if (scheme.compare(u"redis", Qt::CaseInsensitive) == 0)
        return std::make_unique<RedisSource>(config, parent);
    if (scheme.compare(u"nats", Qt::CaseInsensitive) == 0)
        return std::make_unique<NatsSource>(config, parent);
    return std::make_unique<EventSource>(config, parent);
}

}   // namespace Clickscope

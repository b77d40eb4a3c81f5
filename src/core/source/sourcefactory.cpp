// SPDX-License-Identifier: MIT
#include "sourcefactory.h"

#include "sse/eventsource.h"

namespace Clickscope {

std::unique_ptr<StreamSource> createSource(const SourceConfig &config, QObject *parent)
{
    return std::make_unique<EventSource>(config, parent);
}

} // namespace Clickscope

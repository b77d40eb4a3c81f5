// SPDX-License-Identifier: MIT
#pragma once

#include "core/source/streamsource.h"

#include <memory>

namespace Clickscope {

// The source for the URL's scheme, in any case: ws(s) → WebSocketSource, anything else →
// EventSource (which reports a scheme it cannot open as InvalidUrl, from the event loop).
std::unique_ptr<StreamSource> createSource(const SourceConfig &config, QObject *parent = nullptr);

}   // namespace Clickscope

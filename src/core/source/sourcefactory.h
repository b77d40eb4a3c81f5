// SPDX-License-Identifier: MIT
#pragma once

#include "source/streamsource.h"

#include <memory>

namespace Clickscope {

// The source for the URL's scheme: http(s) → EventSource, ws(s) → WebSocketSource.
std::unique_ptr<StreamSource> createSource(const SourceConfig &config, QObject *parent = nullptr);

} // namespace Clickscope

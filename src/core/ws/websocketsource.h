// SPDX-License-Identifier: MIT
#pragma once

#include "source/streamsource.h"

namespace Clickscope {

// Placeholder: being written (WebSocket transport with the StreamSource interface).
class WebSocketSource : public StreamSource
{
    Q_OBJECT
public:
    explicit WebSocketSource(SourceConfig config, QObject *parent = nullptr);
    void open() override;
    void close() override;
};

} // namespace Clickscope

// SPDX-License-Identifier: MIT
#include "websocketsource.h"

namespace Clickscope {

WebSocketSource::WebSocketSource(SourceConfig config, QObject *parent) : StreamSource(std::move(config), parent) {}
void WebSocketSource::open() {}
void WebSocketSource::close() { setState(State::Closed); }

} // namespace Clickscope

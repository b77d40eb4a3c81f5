// SPDX-License-Identifier: MIT
#pragma once

#include "support/threadedtcpserver.h"

#include <QUrl>

namespace Clickscope::Testing {

// A TCP proxy that behaves like a buffering reverse proxy in front of a stream: what the client
// sends goes upstream at once, but what the upstream answers is held and passed on in one write
// every `flushMs` (the first bytes, the response head among them, go at once). Events produced
// steadily upstream therefore reach the client in bursts. Runs in a thread of its own.
class BufferingProxy
{
public:
    BufferingProxy(quint16 upstreamPort, int flushMs);

    bool listen();
    quint16 port() const { return m_server.port(); }
    // `url` with the proxy's port instead of the upstream's.
    QUrl through(QUrl url) const;

private:
    quint16 m_upstreamPort;
    int m_flushMs;
    ThreadedTcpServer m_server{QStringLiteral("buffering-proxy")};
};

}   // namespace Clickscope::Testing

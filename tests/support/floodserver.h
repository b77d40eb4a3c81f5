// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QUrl>

#include "support/threadedtcpserver.h"

#include <atomic>
#include <memory>

namespace Clickscope::Testing {

// A hostile SSE server that answers every request with a 200 event stream and then writes one
// pattern over and over, as fast as the client's TCP window lets it, until `maxBytes` are written
// or it is destroyed. It runs in a thread of its own, so a slow client in the test's thread
// cannot slow it down; what it managed to write shows how much the client let in.
class FloodServer
{
public:
    // `pattern`: e.g. "data: {...}\n\n" for events at loopback speed, or "x" for a line that never ends.
    FloodServer(QByteArray head, QByteArray pattern, qint64 maxBytes);
    // A WebSocket server instead: it completes the opening handshake, then sends `message` as
    // unmasked text frames, over and over.
    static std::unique_ptr<FloodServer> webSocket(const QByteArray &message, qint64 maxBytes);

    bool listen();
    QUrl url() const;
    qint64 bytesWritten() const { return m_written.load(); }
    bool finished() const { return m_finished.load(); }

    static QByteArray sseHead();

private:
    QByteArray answerTo(const QByteArray &request) const;

    bool m_webSocket = false;
    QByteArray m_head;
    QByteArray m_pattern;
    qint64 m_maxBytes;
    std::atomic<qint64> m_written{0};
    std::atomic<bool> m_finished{false};
    // Last, so that its thread stops before the members it uses go.
    ThreadedTcpServer m_server{QStringLiteral("flood-server")};
};

}   // namespace Clickscope::Testing

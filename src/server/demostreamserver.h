// SPDX-License-Identifier: MIT
#pragma once

#include <QHttpServer>
#include <QHttpServerResponder>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <vector>

namespace Clickscope {

// A loopback SSE server that streams made-up clicks, so `clickscope --demo` shows a live stream
// with no setup. Every GET /events gets the same clicks as `event: click` with sequential ids.
class DemoStreamServer : public QObject
{
    Q_OBJECT
public:
    explicit DemoStreamServer(int clicksPerSecond, QObject *parent = nullptr);
    ~DemoStreamServer() override;

    // Listens on 127.0.0.1 at a free port; false when no port could be had.
    bool listen();
    QUrl streamUrl() const;
    int subscriberCount() const { return int(m_streams.size()); }

private:
    // One open response. QHttpServer deletes the socket when the client leaves while the responder
    // still points at it, so every write goes through the guarded pointer.
    struct Stream
    {
        explicit Stream(QHttpServerResponder &&r) : responder(std::move(r)), socket(responder.socket()) {}
        QHttpServerResponder responder;
        QPointer<QTcpSocket> socket;
    };

    void accept(QHttpServerResponder &&responder);
    void tick();
    QByteArray nextClick();

    QHttpServer m_http;
    QTimer m_tick;
    QRandomGenerator m_random{20261123};
    std::vector<std::unique_ptr<Stream>> m_streams;
    quint64 m_sequence = 0;
    double m_clicksPerTick = 0;
    double m_owed = 0;
    quint16 m_port = 0;
};

} // namespace Clickscope

// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QUrl>

class QTcpServer;

namespace Clickscope::Testing {

class FaultLink;

// A TCP proxy between a client and a real server that fails on demand the way servers and
// networks fail. Without a fault it passes bytes both ways as they come. It runs in the thread
// that made it (a test's, beside the client and the publisher it sits between).
//
// What it holds of the server's bytes, for a drip or a delay, is bounded (kMaxHeldBytes per
// connection): beyond that it stops reading, and TCP slows the server, as a slow network would.
class FaultProxy : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxHeldBytes = 256 * 1024;

    enum class Fault {
        // On the connections open now:
        CutMidEvent,   // pass the server's next bytes up to the middle of an event's data, then close
                       // (bytes passed as they come: not during a drip or a delay)
        Reset,         // reset the client's connection (RST), as a crashed host's kernel does
        Stall,         // pass nothing more either way and close nothing: to the client, a half-open connection
        // On the connections open now and those to come, until heal():
        Drip,    // pass the server's bytes one every `intervalMs`
        Delay,   // pass the server's bytes `intervalMs` after they came
        // On the connections to come, until heal():
        Blackhole,   // accept them, and never answer nor reach the server
    };
    Q_ENUM(Fault)

    explicit FaultProxy(quint16 upstreamPort, QObject *parent = nullptr);
    ~FaultProxy() override;

    bool listen();
    quint16 port() const;
    // `url` with the proxy's port instead of the server's.
    QUrl through(QUrl url) const;

    void inject(Fault fault, int intervalMs = 0);
    // Drip, Delay and Blackhole end: what was held is passed at once; new connections work.
    void heal();

    int connectionsAccepted() const { return m_accepted; }
    int openConnections() const { return int(m_links.size()); }
    // What the proxy holds of the server's bytes now, over all connections.
    qint64 heldBytes() const;
    // What clients sent that was passed to the server, over all connections so far.
    qint64 bytesFromClients() const { return m_bytesFromClients; }

signals:
    void connectionAccepted();

private:
    friend class FaultLink;
    // How the server's bytes go to the client.
    enum class Pace { AsItComes, Drip, Delay };

    void accept();
    void forget(FaultLink *link);

    quint16 m_upstreamPort;
    QTcpServer *m_server;
    QList<FaultLink *> m_links;
    int m_accepted = 0;
    qint64 m_bytesFromClients = 0;
    // What new connections get.
    bool m_blackhole = false;
    Pace m_pace = Pace::AsItComes;
    int m_intervalMs = 0;
};

}   // namespace Clickscope::Testing

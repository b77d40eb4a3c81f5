// SPDX-License-Identifier: MIT
#include "support/faultproxy.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

#include <deque>
#include <utility>

namespace Clickscope::Testing {

// One client's connection and the proxy's own to the server, with what is held between them.
// Owns both sockets; deletes itself when the client's connection ends.
class FaultLink : public QObject
{
public:
    using Pace = FaultProxy::Pace;

    FaultLink(FaultProxy *proxy, QTcpSocket *client, bool blackholed, Pace pace, int intervalMs);
    ~FaultLink() override
    {
        if (m_proxy)
            m_proxy->forget(this);
    }
    // The proxy goes first: nothing to tell it any more.
    void detach() { m_proxy = nullptr; }

    void cutMidEvent();
    void reset();
    void stall();
    void setPace(Pace pace, int intervalMs);
    qint64 held() const { return m_held.size(); }

private:
    static constexpr qint64 kSocketBufferBytes = 64 * 1024;

    void forwardRequest();
    void readUpstream();
    void pass();
    void tick();
    void writeToClient(qsizetype n);
    void upstreamEnded();
    void close();

    FaultProxy *m_proxy;
    QTcpSocket *m_client;
    QTcpSocket *m_upstream = nullptr;
    QTimer m_pacer;
    QElapsedTimer m_clock;
    QByteArray m_request;   // what the client sent before the server's connection was up
    QByteArray m_held;      // the server's bytes not passed yet
    // With a delay: when each read of m_held's bytes becomes due (ms on m_clock), and how many.
    std::deque<std::pair<qint64, qsizetype>> m_due;
    Pace m_pace;
    int m_intervalMs;
    bool m_stalled = false;
    bool m_cutting = false;
    bool m_upstreamGone = false;
    bool m_closed = false;
};

FaultLink::FaultLink(FaultProxy *proxy, QTcpSocket *client, bool blackholed, Pace pace, int intervalMs)
    : QObject(proxy)
    , m_proxy(proxy)
    , m_client(client)
    , m_pace(pace)
    , m_intervalMs(intervalMs)
{
    m_client->setParent(this);
    // Each write its own segment: a drip is one byte at a time on the wire, not what Nagle's
    // algorithm gathers while it waits for an acknowledgement.
    m_client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_clock.start();
    m_pacer.setTimerType(Qt::PreciseTimer);
    connect(&m_pacer, &QTimer::timeout, this, &FaultLink::tick);
    connect(m_client, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    if (blackholed)
        return;   // the client waits for an answer that never comes
    m_upstream = new QTcpSocket(this);
    m_upstream->setReadBufferSize(kSocketBufferBytes);
    connect(m_client, &QTcpSocket::readyRead, this, &FaultLink::forwardRequest);
    connect(m_client, &QTcpSocket::bytesWritten, this, &FaultLink::readUpstream);
    connect(m_upstream, &QTcpSocket::connected, this, &FaultLink::forwardRequest);
    connect(m_upstream, &QTcpSocket::readyRead, this, &FaultLink::readUpstream);
    connect(m_upstream, &QTcpSocket::disconnected, this, &FaultLink::upstreamEnded);
    connect(m_upstream, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error != QAbstractSocket::RemoteHostClosedError)
            upstreamEnded();
    });
    m_upstream->connectToHost(QHostAddress::LocalHost, m_proxy->m_upstreamPort);
}

void FaultLink::cutMidEvent()
{
    m_cutting = true;
    pass();
}

void FaultLink::reset()
{
    // A zero linger makes closing the socket send RST instead of FIN.
    if (const qintptr fd = m_client->socketDescriptor(); fd != -1) {
        const linger abortive{1, 0};
        ::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
    }
    m_closed = true;
    if (m_upstream)
        m_upstream->abort();
    m_client->abort();
    deleteLater();
}

void FaultLink::stall()
{
    m_stalled = true;
    m_pacer.stop();
}

void FaultLink::setPace(Pace pace, int intervalMs)
{
    m_pace = pace;
    m_intervalMs = intervalMs;
    m_pacer.stop();
    m_due.clear();
    if (pace == Pace::Delay && !m_held.isEmpty())
        m_due.emplace_back(m_clock.elapsed() + intervalMs, m_held.size());
    pass();
}

void FaultLink::forwardRequest()
{
    if (m_stalled || m_closed)
        return;
    m_request += m_client->readAll();
    if (m_upstream->state() == QAbstractSocket::ConnectedState && !m_request.isEmpty()) {
        if (m_proxy)
            m_proxy->m_bytesFromClients += m_request.size();
        m_upstream->write(std::exchange(m_request, {}));
    }
}

void FaultLink::readUpstream()
{
    if (!m_upstream || !m_upstream->isOpen() || m_stalled || m_closed)
        return;
    const qint64 room = FaultProxy::kMaxHeldBytes - m_held.size() - m_client->bytesToWrite();
    if (room <= 0)
        return;   // bytesWritten brings us back
    const QByteArray got = m_upstream->read(room);
    if (!got.isEmpty()) {
        m_held += got;
        if (m_pace == Pace::Delay)
            m_due.emplace_back(m_clock.elapsed() + m_intervalMs, got.size());
    }
    pass();
}

void FaultLink::pass()
{
    if (m_stalled || m_closed)
        return;
    switch (m_pace) {
    case Pace::AsItComes:
        writeToClient(m_held.size());
        break;
    case Pace::Drip:
        if (!m_held.isEmpty() && !m_pacer.isActive()) {
            m_pacer.setSingleShot(false);
            m_pacer.start(m_intervalMs);
        }
        break;
    case Pace::Delay:
        if (!m_due.empty() && !m_pacer.isActive()) {
            m_pacer.setSingleShot(true);
            m_pacer.start(int(std::max<qint64>(0, m_due.front().first - m_clock.elapsed())));
        }
        break;
    }
    if (m_upstreamGone && m_held.isEmpty() && m_upstream->bytesAvailable() == 0)
        close();
}

void FaultLink::tick()
{
    if (m_pace == Pace::Drip) {
        writeToClient(std::min<qsizetype>(1, m_held.size()));
        if (m_held.isEmpty())
            m_pacer.stop();
    } else if (m_pace == Pace::Delay) {
        qsizetype due = 0;
        while (!m_due.empty() && m_due.front().first <= m_clock.elapsed()) {
            due += m_due.front().second;
            m_due.pop_front();
        }
        writeToClient(due);
    }
    readUpstream();   // room again, and the next due time
}

void FaultLink::writeToClient(qsizetype n)
{
    if (n <= 0 || m_closed)
        return;
    if (m_cutting) {
        // Into the data of the next event: the client has its start and never its end.
        if (const qsizetype data = QByteArrayView(m_held).first(n).indexOf("data:"); data >= 0) {
            m_client->write(m_held.first(std::min(data + 6, n)));
            close();
            return;
        }
    }
    m_client->write(m_held.first(n));
    m_held.remove(0, n);
}

void FaultLink::upstreamEnded()
{
    m_upstreamGone = true;
    readUpstream();
    if (m_held.isEmpty() && m_upstream->bytesAvailable() == 0 && !m_stalled)
        close();
}

void FaultLink::close()
{
    if (m_closed)
        return;
    m_closed = true;
    m_pacer.stop();
    if (m_upstream)
        m_upstream->abort();
    m_client->disconnectFromHost();   // after what was written; then `disconnected` deletes us
    if (m_client->state() == QAbstractSocket::UnconnectedState)
        deleteLater();
}

FaultProxy::FaultProxy(quint16 upstreamPort, QObject *parent)
    : QObject(parent)
    , m_upstreamPort(upstreamPort)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &FaultProxy::accept);
}

FaultProxy::~FaultProxy()
{
    // The links are children, deleted after this body: they must not report to a proxy half gone.
    for (FaultLink *link : std::as_const(m_links))
        link->detach();
    m_links.clear();
}

bool FaultProxy::listen() { return m_server->listen(QHostAddress::LocalHost, 0); }

quint16 FaultProxy::port() const { return m_server->serverPort(); }

QUrl FaultProxy::through(QUrl url) const
{
    url.setPort(port());
    return url;
}

void FaultProxy::inject(Fault fault, int intervalMs)
{
    const QList<FaultLink *> links = m_links;
    switch (fault) {
    case Fault::CutMidEvent:
        for (FaultLink *link : links)
            link->cutMidEvent();
        break;
    case Fault::Reset:
        for (FaultLink *link : links)
            link->reset();
        break;
    case Fault::Stall:
        for (FaultLink *link : links)
            link->stall();
        break;
    case Fault::Drip:
    case Fault::Delay:
        m_pace = fault == Fault::Drip ? Pace::Drip : Pace::Delay;
        m_intervalMs = intervalMs;
        for (FaultLink *link : links)
            link->setPace(m_pace, intervalMs);
        break;
    case Fault::Blackhole:
        m_blackhole = true;
        break;
    }
}

void FaultProxy::heal()
{
    m_blackhole = false;
    m_pace = Pace::AsItComes;
    for (FaultLink *link : std::as_const(m_links))
        link->setPace(Pace::AsItComes, 0);
}

qint64 FaultProxy::heldBytes() const
{
    qint64 total = 0;
    for (const FaultLink *link : m_links)
        total += link->held();
    return total;
}

void FaultProxy::accept()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        ++m_accepted;
        m_links.append(new FaultLink(this, socket, m_blackhole, m_pace, m_intervalMs));
        emit connectionAccepted();
    }
}

void FaultProxy::forget(FaultLink *link) { m_links.removeOne(link); }

}   // namespace Clickscope::Testing

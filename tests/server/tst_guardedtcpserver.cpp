// SPDX-License-Identifier: MIT
// The connection guard in front of the publisher, attacked the way a hostile client would: raw
// sockets against the real TestPublisher on 127.0.0.1, with memory measured where memory is the
// point.
#include "core/sse/eventsource.h"
#include "core/system/processstats.h"
#include "server/testpublisher.h"
#include "support/sanitizers.h"

#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace Clickscope;
using Clickscope::ProcessStats::residentBytes;

namespace {

constexpr int kWaitMs = 5000;
constexpr int kShortTimeoutMs = 300;
constexpr int kBurstWaitMs = 60'000;
constexpr qint64 kMiB = 1024 * 1024;

// A client that writes whatever bytes it is told to and keeps everything it receives.
class RawClient
{
public:
    RawClient()
    {
        // Read as bytes come: once the server has closed, what was left unread is gone.
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { m_received += m_socket.readAll(); });
    }
    bool open(quint16 port)
    {
        connectTo(port);
        return m_socket.waitForConnected(kWaitMs);
    }
    // Connects without waiting: the server accepts only while the event loop runs.
    void connectTo(quint16 port) { m_socket.connectToHost(QHostAddress::LocalHost, port); }
    void send(const QByteArray &bytes) { m_socket.write(bytes); }
    // Waits until `text` has arrived; false if it did not within the wait, or the server closed first.
    bool waitFor(const QByteArray &text, int count = 1, int waitMs = kWaitMs)
    {
        return QTest::qWaitFor([&] { return take().count(text) >= count || closed(); }, waitMs)
               && take().count(text) >= count;
    }
    bool waitClosed()
    {
        return QTest::qWaitFor([&] { return closed(); }, kWaitMs);
    }
    bool closed() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    const QByteArray &take() { return m_received; }
    QTcpSocket &socket() { return m_socket; }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

// A client-to-server WebSocket frame: final, with the opcode given, masked unless told not to.
QByteArray webSocketFrame(quint8 opcode, const QByteArray &payload, bool masked = true)
{
    QByteArray frame(1, char(0x80 | opcode));
    const char maskBit = masked ? char(0x80) : char(0);
    if (payload.size() < 126) {
        frame.append(char(maskBit | payload.size()));
    } else {
        Q_ASSERT(payload.size() <= 0xffff);
        frame.append(char(maskBit | 126)).append(char(payload.size() >> 8)).append(char(payload.size() & 0xff));
    }
    if (!masked)
        return frame + payload;
    const char key[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ key[i % 4]));
    return frame;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    return QByteArray(1, char(code >> 8)) + char(code & 0xff) + reason;
}

const QByteArray kWebSocketHandshake =
    "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

// Connects and completes the WebSocket opening handshake on /ws.
bool openWebSocket(RawClient &client, quint16 port)
{
    if (!client.open(port))
        return false;
    client.send(kWebSocketHandshake);
    return client.waitFor("HTTP/1.1 101");
}

}   // namespace

class TestGuardedTcpServer : public QObject
{
    Q_OBJECT

private slots:
    void ambiguousHeadsAreRefused_data();
    void ambiguousHeadsAreRefused();
    void smuggledBodyIsNeverRead();
    void anUpgradeNotTakenLeavesTheGuardOn();
    void idleConnectionsAreClosedAndTheirMemoryReturned();
    void aBodyThatNeverComesTimesOut();
    void aLaterHeadThatNeverEndsTimesOut();
    void oneConnectionCarriesOneStream();
    void closeIsHonoured_data();
    void closeIsHonoured();
    void headOfAStreamHasNoBody();
    void tooManyConnectionsGet503();
    void webSocketFramesQtLetsThroughAreRefused_data();
    void webSocketFramesQtLetsThroughAreRefused();
    void aWebSocketCloseWithAGoodCodeIsAnswered();

private:
    std::unique_ptr<TestPublisher> start(GuardedTcpServer::Limits limits = {}, int maxStreams = 10'000);
    std::unique_ptr<TestPublisher> m_publisher;
};

std::unique_ptr<TestPublisher> TestGuardedTcpServer::start(GuardedTcpServer::Limits limits, int maxStreams)
{
    TestPublisher::Settings settings;
    settings.heartbeatMs = 0;
    settings.connections = limits;
    settings.maxConnections = maxStreams;
    auto publisher = std::make_unique<TestPublisher>(settings);
    if (!publisher->listen())
        return nullptr;
    return publisher;
}

void TestGuardedTcpServer::ambiguousHeadsAreRefused_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("status");
    const QByteArray post = "POST /publish HTTP/1.1\r\nHost: x\r\n";
    QTest::newRow("two Content-Length") << post + "Content-Length: 300000000\r\nContent-Length: 13\r\n\r\n" << 400;
    QTest::newRow("equal Content-Length twice") << post + "Content-Length: 13\r\nContent-Length: 13\r\n\r\n" << 400;
    QTest::newRow("Content-Length and Transfer-Encoding")
        << post + "Content-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n"
        << 400;
    QTest::newRow("signed Content-Length") << post + "Content-Length: +13\r\n\r\n" << 400;
    QTest::newRow("Content-Length list") << post + "Content-Length: 13, 13\r\n\r\n" << 400;
    QTest::newRow("space before the colon") << post + "Content-Length : 13\r\n\r\n" << 400;
    QTest::newRow("folded header") << post + "X-A: 1\r\n Content-Length: 13\r\n\r\n" << 400;
    QTest::newRow("bare LF inside the head") << post + "X-A: 1\nContent-Length: 13\r\n\r\n" << 400;
    QTest::newRow("gzip transfer coding") << post + "Transfer-Encoding: gzip\r\n\r\n" << 400;
    QTest::newRow("two Host") << post + "Host: y\r\nContent-Length: 13\r\n\r\n" << 400;
    QTest::newRow("no header colon") << post + "Bad Header\r\n\r\n" << 400;
    QTest::newRow("HTTP/2.0") << QByteArray("GET /health HTTP/2.0\r\nHost: x\r\n\r\n") << 505;
    QTest::newRow("CONNECT") << QByteArray("CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n") << 405;
}

void TestGuardedTcpServer::ambiguousHeadsAreRefused()
{
    QFETCH(QByteArray, head);
    QFETCH(int, status);
    m_publisher = start();
    QVERIFY(m_publisher);
    RawClient client;
    QVERIFY(client.open(m_publisher->port()));
    client.send(head + R"({"link":"/a"})");
    QVERIFY(client.waitClosed());
    QVERIFY2(client.take().startsWith("HTTP/1.1 " + QByteArray::number(status)), client.take().constData());
    QCOMPARE(client.take().count("\r\n\r\n"), 1);   // one answer, nothing of the rest
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(0));
}

void TestGuardedTcpServer::smuggledBodyIsNeverRead()
{
    // The first Content-Length is what Qt's parser would read; the second would satisfy a guard
    // that kept the last one. The client pushes a 300 MB body for as long as the server lets it.
    m_publisher = start();
    QVERIFY(m_publisher);
    const qint64 before = residentBytes();
    RawClient client;
    QVERIFY(client.open(m_publisher->port()));
    client.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 300000000\r\nContent-Length: 13\r\n\r\n");
    const QByteArray chunk(kMiB, 'x');
    qint64 pushed = 0;
    const bool closed = QTest::qWaitFor(
        [&] {
            if (!client.closed() && client.socket().bytesToWrite() < kMiB && pushed < 300'000'000) {
                client.send(chunk);
                pushed += chunk.size();
            }
            return client.closed();
        },
        kWaitMs * 4);
    QVERIFY(closed);
    // The 400 itself may be lost to the reset a closed socket answers further bytes with.
    QCOMPARE(m_publisher->stats().value("refusedRequests").toInt(), 1);
    QVERIFY2(pushed < 64 * kMiB, qPrintable(QStringLiteral("%1 MiB pushed").arg(pushed / kMiB)));
    const qint64 grown = residentBytes() - before;
    QVERIFY2(grown < 64 * kMiB, qPrintable(QStringLiteral("RSS grew by %1 MiB").arg(grown / kMiB)));
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(0));
}

void TestGuardedTcpServer::anUpgradeNotTakenLeavesTheGuardOn()
{
    m_publisher = start();
    QVERIFY(m_publisher);
    // "Upgrade: websocket" without "Connection: Upgrade" is plain HTTP to Qt: the request is
    // answered as such, and the next ones on the connection are judged as before.
    RawClient client;
    QVERIFY(client.open(m_publisher->port()));
    client.send("GET /health HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n");
    QVERIFY(client.waitFor("HTTP/1.1 200"));
    client.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 524288000\r\n\r\n[");
    QVERIFY(client.waitFor("HTTP/1.1 413"));

    RawClient header;
    QVERIFY(header.open(m_publisher->port()));
    header.send("GET /health HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n");
    QVERIFY(header.waitFor("HTTP/1.1 200"));
    header.send("GET /health HTTP/1.1\r\nX-Junk: " + QByteArray(64 * 1024, 'j'));
    QVERIFY(header.waitFor("HTTP/1.1 431"));
}

void TestGuardedTcpServer::idleConnectionsAreClosedAndTheirMemoryReturned()
{
    CLICKSCOPE_SKIP_WHEN_SANITIZED();
    GuardedTcpServer::Limits limits;
    limits.idleTimeoutMs = 1000;
    m_publisher = start(limits);
    QVERIFY(m_publisher);
    constexpr int kClients = 3000;
    const qint64 before = residentBytes();
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<RawClient>());
        clients.back()->connectTo(m_publisher->port());
        clients.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");   // written once connected
    }
    // A burst of 3000 on a loaded machine may take the server longer than one client's wait.
    for (auto &client : clients)
        QVERIFY2(client->waitFor("HTTP/1.1 200", 1, kBurstWaitMs),
                 qPrintable(QStringLiteral("state %1 error %2 got %3")
                                .arg(client->socket().state())
                                .arg(client->socket().errorString(), QString::fromLatin1(client->take()))));
    const qint64 peak = residentBytes();
    // Each answered client sits idle: the server closes every one of them by itself.
    for (auto &client : clients)
        QVERIFY(client->waitClosed());
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->stats().value("openConnections").toInt(), 0, kWaitMs);
    QCOMPARE(m_publisher->stats().value("idleConnectionsClosed").toInteger(), kClients);
    clients.clear();
    // What the burst took is given back (glibc keeps freed heap pages unless asked).
    QTRY_VERIFY_WITH_TIMEOUT(residentBytes() - before < (peak - before) / 2, kWaitMs);
    qInfo("RSS before %lld MiB, with %d idle connections %lld MiB, after %lld MiB", before / kMiB, kClients,
          peak / kMiB, residentBytes() / kMiB);
    RawClient late;
    QVERIFY(late.open(m_publisher->port()));
    late.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(late.waitFor("HTTP/1.1 200"));
}

void TestGuardedTcpServer::aBodyThatNeverComesTimesOut()
{
    GuardedTcpServer::Limits limits;
    limits.bodyTimeoutMs = kShortTimeoutMs;
    m_publisher = start(limits);
    QVERIFY(m_publisher);
    RawClient client;
    QVERIFY(client.open(m_publisher->port()));
    client.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 1048000\r\n\r\n[{\"link\":");
    QVERIFY(client.waitClosed());
    QVERIFY2(client.take().startsWith("HTTP/1.1 408"), client.take().constData());
    QVERIFY(client.take().contains("body"));
}

void TestGuardedTcpServer::aLaterHeadThatNeverEndsTimesOut()
{
    GuardedTcpServer::Limits limits;
    limits.headTimeoutMs = kShortTimeoutMs * 3;
    limits.idleTimeoutMs = kWaitMs * 10;
    m_publisher = start(limits);
    QVERIFY(m_publisher);
    RawClient client;
    QVERIFY(client.open(m_publisher->port()));
    client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(client.waitFor("HTTP/1.1 200"));
    client.send("GET /health HTTP/1.1\r\nHost: x\r\n");
    QVERIFY(client.waitClosed());
    QVERIFY2(client.take().contains("HTTP/1.1 408"), client.take().constData());
}

void TestGuardedTcpServer::oneConnectionCarriesOneStream()
{
    m_publisher = start({}, 3);
    QVERIFY(m_publisher);
    RawClient pipeliner;
    QVERIFY(pipeliner.open(m_publisher->port()));
    QByteArray requests;
    for (int i = 0; i < 50; ++i)
        requests += "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
    requests += "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\n\r\n{\"link\":\"/p\"}\n";
    requests += "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n";
    pipeliner.send(requests);
    QVERIFY(pipeliner.waitFor("retry:"));
    QCOMPARE(m_publisher->subscriberCount(), 1);

    // Two more streams fit under the limit of three.
    SourceConfig config;
    config.url = m_publisher->baseUrl().resolved(QUrl(QStringLiteral("/events")));
    EventSource first(config), second(config);
    first.open();
    second.open();
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 3, kWaitMs);

    // Nothing pipelined behind the stream was served: no publish, no answer inside the stream.
    m_publisher->hub().publish({QJsonObject{{QStringLiteral("link"), QStringLiteral("/later")}}});
    QVERIFY(pipeliner.waitFor("/later"));
    QCOMPARE(m_publisher->hub().totalClicks(), quint64(1));
    QCOMPARE(pipeliner.take().count("HTTP/1.1"), 1);
}

void TestGuardedTcpServer::closeIsHonoured_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("closes");
    QTest::newRow("Connection: close") << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                       << true;
    QTest::newRow("HTTP/1.0") << QByteArray("GET /health HTTP/1.0\r\n\r\n") << true;
    QTest::newRow("HTTP/1.0 keep-alive") << QByteArray("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                                         << false;
    QTest::newRow("HTTP/1.1") << QByteArray("GET /health HTTP/1.1\r\nHost: x\r\n\r\n") << false;
}

void TestGuardedTcpServer::closeIsHonoured()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, closes);
    GuardedTcpServer::Limits limits;
    limits.idleTimeoutMs = kWaitMs * 10;
    m_publisher = start(limits);
    QVERIFY(m_publisher);
    RawClient client;
    QVERIFY(client.open(m_publisher->port()));
    client.send(request);
    QVERIFY(client.waitFor("{\"status\":\"ok\"}"));
    if (closes) {
        QVERIFY(client.waitClosed());
    } else {
        client.send(request);   // the connection serves a second request
        QVERIFY(client.waitFor("{\"status\":\"ok\"}", 2));
    }
}

void TestGuardedTcpServer::headOfAStreamHasNoBody()
{
    m_publisher = start();
    QVERIFY(m_publisher);
    RawClient client;
    QVERIFY(client.open(m_publisher->port()));
    client.send("HEAD /events HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(client.waitFor("{\"status\":\"ok\"}"));
    const QByteArray received = client.take();
    QVERIFY2(received.startsWith("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream"), received.constData());
    const qsizetype headEnd = received.indexOf("\r\n\r\n");
    QVERIFY2(received.mid(headEnd + 4).startsWith("HTTP/1.1 200"), received.constData());
    QCOMPARE(m_publisher->subscriberCount(), 0);
}

void TestGuardedTcpServer::tooManyConnectionsGet503()
{
    GuardedTcpServer::Limits limits;
    limits.maxConnections = 4;
    m_publisher = start(limits);
    QVERIFY(m_publisher);
    RawClient held[4];
    for (RawClient &client : held)
        QVERIFY(client.open(m_publisher->port()));
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->stats().value("openConnections").toInt(), 4, kWaitMs);
    RawClient refused;
    QVERIFY(refused.open(m_publisher->port()));
    QVERIFY(refused.waitClosed());
    QVERIFY2(refused.take().startsWith("HTTP/1.1 503"), refused.take().constData());
    QCOMPARE(m_publisher->stats().value("refusedConnections").toInt(), 1);
    // A held one is still served.
    held[0].send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(held[0].waitFor("HTTP/1.1 200"));
}

QTEST_GUILESS_MAIN(TestGuardedTcpServer)
void TestGuardedTcpServer::webSocketFramesQtLetsThroughAreRefused_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QByteArray>("reason");
    QTest::newRow("unmasked") << webSocketFrame(0x1, "{\"subscribe\":\"b\"}", false)
                              << QByteArray("a client frame without a mask");
    QTest::newRow("close 999") << webSocketFrame(0x8, closePayload(999, "bye")) << QByteArray("invalid close code 999");
    QTest::newRow("close 1005") << webSocketFrame(0x8, closePayload(1005))
                                << QByteArray("close code 1005 is reserved and may not be sent");
    QTest::newRow("close 5000") << webSocketFrame(0x8, closePayload(5000)) << QByteArray("invalid close code 5000");
    QTest::newRow("one-byte close") << webSocketFrame(0x8, "x") << QByteArray("a close frame with a one-byte payload");
}

void TestGuardedTcpServer::webSocketFramesQtLetsThroughAreRefused()
{
    QFETCH(QByteArray, frame);
    QFETCH(QByteArray, reason);
    m_publisher = start();
    QVERIFY(m_publisher);
    RawClient client;
    QVERIFY(openWebSocket(client, m_publisher->port()));
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->subscriberCount(), 1, kWaitMs);
    // Good frames first, one with a 16-bit length, each in a read of its own, so the watch must
    // keep its place in the stream while Qt takes what it has seen.
    client.send(webSocketFrame(0x1, "{\"subscribe\":\"a\"}"));
    QTRY_COMPARE_WITH_TIMEOUT(m_publisher->stats().value("subscribers").toObject().value("a").toInt(), 1, kWaitMs);
    client.send(webSocketFrame(0x9, "ping"));
    QVERIFY(client.waitFor(QByteArray(1, char(0x8a))));   // the pong
    client.send(webSocketFrame(0x2, QByteArray(300, 'b')));
    client.send(webSocketFrame(0x9, "ping"));
    QVERIFY(client.waitFor(QByteArray(1, char(0x8a)), 2));
    QVERIFY(!client.closed());

    client.send(frame);
    QVERIFY(client.waitClosed());
    const QByteArray expected = QByteArray(1, char(0x88)) + char(2 + reason.size()) + closePayload(1002, reason);
    QVERIFY2(client.take().endsWith(expected), client.take().toHex().constData());
}

void TestGuardedTcpServer::aWebSocketCloseWithAGoodCodeIsAnswered()
{
    m_publisher = start();
    QVERIFY(m_publisher);
    RawClient client;
    QVERIFY(openWebSocket(client, m_publisher->port()));
    client.send(webSocketFrame(0x8, closePayload(4000, "done")));
    QVERIFY(client.waitClosed());
    // Qt answers the close itself, with the code it was given; nothing of ours came in between.
    QVERIFY2(client.take().contains(QByteArray(1, char(0x88)) + char(2 + 4) + closePayload(4000, "done")),
             client.take().toHex().constData());
    QVERIFY(!client.take().contains(closePayload(1002)));
}

#include "tst_guardedtcpserver.moc"

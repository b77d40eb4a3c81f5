// SPDX-License-Identifier: MIT
// HttpStream against real servers on 127.0.0.1: what it sends, what it makes of what comes back,
// and how it ends when a server misbehaves.
#include "core/http/httpstream.h"
#include "core/system/processstats.h"
#include "support/floodserver.h"
#include "support/gzipped.h"
#include "support/scriptedhttpserver.h"

#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Clickscope;
using namespace Clickscope::Testing;
using Clickscope::ProcessStats::residentBytes;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 5000;
constexpr qint64 kMiB = 1024 * 1024;

struct Outcome
{
    bool finished = false;
    int status = 0;
    QByteArray body;
    HttpStream::Error error = HttpStream::Error::NoError;
    QString message;
};

HttpStream::Request get(const QUrl &url)
{
    HttpStream::Request request;
    request.url = url;
    return request;
}

// Runs one request to its end, reading the body 7 bytes at a time so that every piece of the
// framing and decoding is crossed mid-way.
Outcome fetch(HttpStream::Request request, QNetworkCookieJar *cookies = nullptr)
{
    HttpStream stream(std::move(request), cookies, 1024 * 1024);
    Outcome outcome;
    QObject::connect(&stream, &HttpStream::headReceived, &stream, [&] { outcome.status = stream.head().status; });
    QObject::connect(&stream, &HttpStream::readyRead, &stream, [&] {
        for (QByteArray piece = stream.read(7); !piece.isEmpty(); piece = stream.read(7))
            outcome.body += piece;
    });
    QSignalSpy finished(&stream, &HttpStream::finished);
    stream.start();
    outcome.finished = finished.wait(kWaitMs);
    outcome.error = stream.error();
    outcome.message = stream.errorString();
    return outcome;
}

}   // namespace

class TestHttpStream : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void sendsOneWellFormedRequest();
    void credentialsInTheUrlAreSent();
    void cookiesGoBothWays();
    void bodiesAreReadWhateverTheirFraming_data();
    void bodiesAreReadWhateverTheirFraming();
    void gzipMembersArrivingApartAreAllRead();
    void oneAnnouncementHandsOutAtMostTheReadAhead();
    void brokenResponsesEndWithAReason_data();
    void brokenResponsesEndWithAReason();
    void aLineBreakInAHeaderIsNeverSent();
    void endlessHeadsAreCut_data();
    void endlessHeadsAreCut();
    void refusedConnectionsSayWhy_data();
    void refusedConnectionsSayWhy();
    void tlsToAServerThatDoesNotSpeakItIsATlsError();
    void abortStopsEverySignal();

private:
    std::unique_ptr<ScriptedHttpServer> m_server;
};

void TestHttpStream::init()
{
    m_server = std::make_unique<ScriptedHttpServer>();
    QVERIFY(m_server->listen());
}

void TestHttpStream::cleanup() { m_server.reset(); }

void TestHttpStream::sendsOneWellFormedRequest()
{
    m_server->route("/post", Response::status(200, "text/plain", "ok"));
    HttpStream::Request request;
    request.url = m_server->url(QStringLiteral("/post?q=a%20b&x=1#fragment"));
    request.method = "POST";
    request.body = "{\"a\":1}";
    request.headers = {{"Content-Type", "application/json"},
                       {"X-Token", "t"},
                       {"Content-Length", "999"},
                       {"Transfer-Encoding", "chunked"}};
    const Outcome outcome = fetch(request);
    QVERIFY2(outcome.finished && outcome.error == HttpStream::Error::NoError, qPrintable(outcome.message));
    QCOMPARE(outcome.status, 200);
    QCOMPARE(outcome.body, QByteArray("ok"));
    QCOMPARE(m_server->requests().size(), 1);
    const ScriptedHttpServer::Request &sent = m_server->requests().constFirst();
    QCOMPARE(sent.method, QByteArray("POST"));
    QCOMPARE(sent.target, QByteArray("/post?q=a%20b&x=1"));
    QCOMPARE(sent.header("Host"), QByteArray("127.0.0.1:") + QByteArray::number(m_server->port()));
    QCOMPARE(sent.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(sent.header("X-Token"), QByteArray("t"));
    QCOMPARE(sent.header("Accept-Encoding"), QByteArray("gzip, deflate"));
    QVERIFY2(sent.header("User-Agent").startsWith("Clickscope"), sent.header("User-Agent").constData());
    // Our own framing only: the caller's length and coding would contradict the body.
    QCOMPARE(sent.header("Content-Length"), QByteArray("7"));
    QVERIFY(!sent.hasHeader("Transfer-Encoding"));
    QCOMPARE(sent.body, QByteArray("{\"a\":1}"));
}

void TestHttpStream::credentialsInTheUrlAreSent()
{
    m_server->route("/s", Response::status(200, "text/plain", "ok"));
    QUrl url = m_server->url(QStringLiteral("/s"));
    url.setUserName(QStringLiteral("ann"));
    url.setPassword(QStringLiteral("p:w"));
    QVERIFY(fetch(get(url)).finished);
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(m_server->requests().constFirst().header("Authorization"), "Basic " + QByteArray("ann:p:w").toBase64());
}

void TestHttpStream::cookiesGoBothWays()
{
    m_server->route("/set", Response::status(200, "text/plain", "",
                                             {{"Set-Cookie", "a=1; Path=/"}, {"Set-Cookie", "b=2; Path=/"}}));
    m_server->route("/get", Response::status(200, "text/plain", ""));
    QNetworkCookieJar jar;
    QVERIFY(fetch(get(m_server->url(QStringLiteral("/set"))), &jar).finished);
    QVERIFY(fetch(get(m_server->url(QStringLiteral("/get"))), &jar).finished);
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_server->requests().at(1).header("Cookie"), QByteArray("a=1; b=2"));
}

void TestHttpStream::bodiesAreReadWhateverTheirFraming_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("holdOpen");   // the server keeps the connection after the response
    const QByteArray text = "data: one\n\ndata: two\n\n";
    QTest::newRow("length") << "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n" + text << text << false;
    QTest::newRow("chunked with a trailer")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nB\r\ndata: one\n\n\r\nb;x=y\r\ndata: "
                      "two\n\n\r\n0\r\nT: 1\r\n\r\n")
        << text << false;
    QTest::newRow("until close, HTTP/1.0") << "HTTP/1.0 200 OK\r\n\r\n" + text << text << false;
    QTest::newRow("after 100 and 103") << "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                                          "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n"
                                              + text
                                       << text << false;
    const QByteArray zlib = qCompress(text.repeated(100), 9).mid(4);
    QTest::newRow("deflate, chunked")
        << "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n"
               + QByteArray::number(zlib.size(), 16) + "\r\n" + zlib + "\r\n0\r\n\r\n"
        << text.repeated(100) << false;
    QTest::newRow("raw deflate, until close")
        << "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n" + zlib.sliced(2) << text.repeated(100) << false;
    QTest::newRow("404 with a body") << QByteArray("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope")
                                     << QByteArray("nope") << false;
    QTest::newRow("length, held open") << "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n" + text << text << true;
    QTest::newRow("chunked, held open") << QByteArray(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                                        << QByteArray("abc") << true;
    QTest::newRow("stray bytes after an empty body")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\r\n") << QByteArray() << true;
    QTest::newRow("stray bytes after a 204")
        << QByteArray("HTTP/1.1 204 No Content\r\n\r\njunk") << QByteArray() << true;
    QTest::newRow("stray bytes after a body")
        << "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n" + text + "junk" << text << true;
}

void TestHttpStream::bodiesAreReadWhateverTheirFraming()
{
    QFETCH(QByteArray, response);
    QFETCH(QByteArray, body);
    QFETCH(bool, holdOpen);
    m_server->route("/s", holdOpen ? Response::raw(response).keepOpen() : Response::raw(response));
    const Outcome outcome = fetch(get(m_server->url(QStringLiteral("/s"))));
    QVERIFY(outcome.finished);
    QVERIFY2(outcome.error == HttpStream::Error::NoError, qPrintable(outcome.message));
    QCOMPARE(outcome.body, body);
}

void TestHttpStream::gzipMembersArrivingApartAreAllRead()
{
    // A proxy that flushes its compressor as a new gzip member per event: each member comes in
    // its own read, and zeros padding the last one are ignored.
    m_server->route("/s", Response::raw("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + gzipped("data: one\n\n"))
                              .then(20, gzipped("data: two\n\n"))
                              .then(20, gzipped("data: three\n\n") + QByteArray(8, '\0'))
                              .keepOpen());
    HttpStream stream(get(m_server->url(QStringLiteral("/s"))), nullptr, 1024 * 1024);
    QByteArray body;
    connect(&stream, &HttpStream::readyRead, &stream, [&] {
        for (QByteArray piece = stream.read(5); !piece.isEmpty(); piece = stream.read(5))
            body += piece;
    });
    stream.start();
    QVERIFY2(QTest::qWaitFor([&] { return body.contains("three"); }, kWaitMs), body.constData());
    QCOMPARE(body, QByteArray("data: one\n\ndata: two\n\ndata: three\n\n"));
    QCOMPARE(stream.error(), HttpStream::Error::NoError);
}

void TestHttpStream::oneAnnouncementHandsOutAtMostTheReadAhead()
{
    // 64 MiB gzipped to 64 KiB, all in the socket at once: a reader that takes whatever read()
    // gives gets it in portions of at most the read-ahead, one per turn of the event loop, so a
    // small compressed read never turns into seconds without the event loop.
    const QByteArray plain = QByteArray("data: ") + QByteArray(1000, 'z') + "\n\n";
    const QByteArray body = gzipped(plain.repeated(64 * 1024));
    m_server->route("/s", Response::raw("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: "
                                        + QByteArray::number(body.size()) + "\r\n\r\n" + body));
    constexpr qint64 kReadAhead = 256 * 1024;
    HttpStream stream(get(m_server->url(QStringLiteral("/s"))), nullptr, kReadAhead);
    qint64 total = 0;
    qint64 largest = 0;
    connect(&stream, &HttpStream::readyRead, &stream, [&] {
        qint64 thisTime = 0;
        for (QByteArray piece = stream.read(1 << 30); !piece.isEmpty(); piece = stream.read(1 << 30))
            thisTime += piece.size();
        total += thisTime;
        largest = std::max(largest, thisTime);
    });
    QSignalSpy finished(&stream, &HttpStream::finished);
    stream.start();
    QVERIFY(finished.wait(kWaitMs * 2));
    QCOMPARE(stream.error(), HttpStream::Error::NoError);
    QCOMPARE(total, plain.size() * 64 * 1024);
    QVERIFY2(largest <= kReadAhead, qPrintable(QString::number(largest)));
}

void TestHttpStream::brokenResponsesEndWithAReason_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<HttpStream::Error>("error");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QByteArray>("bodyBefore");   // what was delivered before the break
    using E = HttpStream::Error;
    QTest::newRow("two lengths") << QByteArray(
        "HTTP/1.1 200 OK\r\nContent-Length: 300000000\r\nContent-Length: 2\r\n\r\nhi")
                                 << E::Protocol << QStringLiteral("ambiguous") << QByteArray();
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n") << E::Protocol << QStringLiteral("HTTP/1.x")
                              << QByteArray();
    QTest::newRow("101 unasked") << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
                                 << E::Protocol << QStringLiteral("switched protocols") << QByteArray();
    QTest::newRow("brotli") << QByteArray("HTTP/1.1 200 OK\r\nContent-Encoding: br\r\n\r\nxx") << E::Protocol
                            << QStringLiteral("does not decode") << QByteArray();
    QTest::newRow("corrupt gzip") << QByteArray(
        "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x01xxxxxx\x07garbage")
                                  << E::Protocol << QStringLiteral("corrupt") << QByteArray();
    QTest::newRow("chunk lies") << QByteArray(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n2\r\nhello\r\n0\r\n\r\n")
                                << E::Protocol << QStringLiteral("longer than its stated size") << QByteArray("hihe");
    QTest::newRow("length cut short") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
                                      << E::Network << QStringLiteral("before the end of the response")
                                      << QByteArray("only this");
    QTest::newRow("chunks cut short") << QByteArray(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nsome\r\n")
                                      << E::Network << QStringLiteral("before the end of the response")
                                      << QByteArray("some");
    QTest::newRow("head cut short") << QByteArray("HTTP/1.1 200 OK\r\nContent-") << E::Network
                                    << QStringLiteral("in the middle of the response head") << QByteArray();
    QTest::newRow("no answer") << QByteArray() << E::Network << QStringLiteral("without answering") << QByteArray();
}

void TestHttpStream::brokenResponsesEndWithAReason()
{
    QFETCH(QByteArray, response);
    QFETCH(HttpStream::Error, error);
    QFETCH(QString, reason);
    QFETCH(QByteArray, bodyBefore);
    m_server->route("/s", Response::raw(response));
    const Outcome outcome = fetch(get(m_server->url(QStringLiteral("/s"))));
    QVERIFY(outcome.finished);
    QCOMPARE(outcome.error, error);
    QVERIFY2(outcome.message.contains(reason), qPrintable(outcome.message));
    QCOMPARE(outcome.body, bodyBefore);
}

void TestHttpStream::aLineBreakInAHeaderIsNeverSent()
{
    m_server->route("/s", Response::status(200, "text/plain", "ok"));
    HttpStream::Request request = get(m_server->url(QStringLiteral("/s")));
    request.headers = {{"X-Evil", "a\r\nX-Injected: 1"}};
    const Outcome outcome = fetch(request);
    QVERIFY(outcome.finished);
    QCOMPARE(outcome.error, HttpStream::Error::Request);
    QVERIFY2(outcome.message.contains(QStringLiteral("X-Evil")), qPrintable(outcome.message));
    // A request after it: had the first been sent, the server would have had it long before.
    QVERIFY(fetch(get(m_server->url(QStringLiteral("/after")))).finished);
    QCOMPARE(m_server->requests().size(), 1);
    QCOMPARE(m_server->requests().constFirst().target, QByteArray("/after"));
}

void TestHttpStream::endlessHeadsAreCut_data()
{
    QTest::addColumn<QByteArray>("start");
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QString>("reason");
    QTest::newRow("a header line that never ends")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Long: ") << QByteArray("a") << QStringLiteral("longer than 64 KiB");
    QTest::newRow("headers that never end")
        << QByteArray("HTTP/1.1 200 OK\r\n") << QByteArray("X-Many: 1\r\n") << QStringLiteral("longer than 64 KiB");
    QTest::newRow("interim answers that never end")
        << QByteArray() << QByteArray("HTTP/1.1 103 Early Hints\r\n\r\n") << QStringLiteral("interim");
    QTest::newRow("a chunk-size line that never ends")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;") << QByteArray("x")
        << QStringLiteral("chunk-size line");
    QTest::newRow("trailers that never end") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
                                             << QByteArray("X-T: 1\r\n") << QStringLiteral("trailer");
}

void TestHttpStream::endlessHeadsAreCut()
{
    // A server that sends 256 MiB of head, chunk line or trailer at loopback speed: the stream
    // gives up at its cap, long before the server is done, and holds no more than the cap.
    QFETCH(QByteArray, start);
    QFETCH(QByteArray, pattern);
    QFETCH(QString, reason);
    FloodServer flood(start, pattern, 256 * kMiB);
    QVERIFY(flood.listen());
    const qint64 before = residentBytes();
    const Outcome outcome = fetch(get(flood.url()));
    const qint64 grown = residentBytes() - before;
    QVERIFY(outcome.finished);
    QCOMPARE(outcome.error, HttpStream::Error::Protocol);
    QVERIFY2(outcome.message.contains(reason), qPrintable(outcome.message));
    QVERIFY2(!flood.finished(), "the whole flood was read");
    QVERIFY2(grown < 16 * kMiB, qPrintable(QString::number(grown / kMiB)));
}

void TestHttpStream::refusedConnectionsSayWhy_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("reason");
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    QTest::newRow("refused") << QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(probe.serverPort()))
                             << QStringLiteral("refused");
    // Qt fails a connection to this address before connectToHost() returns.
    QTest::newRow("broadcast") << QUrl(QStringLiteral("http://255.255.255.255:9/")) << QString();
}

void TestHttpStream::refusedConnectionsSayWhy()
{
    QFETCH(QUrl, url);
    QFETCH(QString, reason);
    HttpStream stream(get(url), nullptr, 1024 * 1024);
    QSignalSpy finished(&stream, &HttpStream::finished);
    stream.start();
    QCOMPARE(finished.size(), 0);   // never from inside start()
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(stream.error(), HttpStream::Error::Network);
    QVERIFY2(!stream.errorString().isEmpty() && stream.errorString().contains(reason, Qt::CaseInsensitive),
             qPrintable(stream.errorString()));
}

void TestHttpStream::tlsToAServerThatDoesNotSpeakItIsATlsError()
{
    // A plain HTTP server behind an https URL answers the TLS hello with text.
    QTcpServer plain;
    QVERIFY(plain.listen(QHostAddress::LocalHost, 0));
    connect(&plain, &QTcpServer::newConnection, &plain, [&plain] {
        while (QTcpSocket *socket = plain.nextPendingConnection()) {
            socket->write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    const Outcome outcome = fetch(get(QUrl(QStringLiteral("https://127.0.0.1:%1/").arg(plain.serverPort()))));
    QVERIFY(outcome.finished);
    QCOMPARE(outcome.error, HttpStream::Error::Tls);
    QVERIFY2(!outcome.message.isEmpty(), "no reason given");
}

void TestHttpStream::abortStopsEverySignal()
{
    m_server->route("/s", Response::sse("data: 1\n\n").then(20, "data: 2\n\n"));
    HttpStream stream(get(m_server->url(QStringLiteral("/s"))), nullptr, 1024 * 1024);
    QSignalSpy head(&stream, &HttpStream::headReceived);
    QSignalSpy ready(&stream, &HttpStream::readyRead);
    QSignalSpy finished(&stream, &HttpStream::finished);
    connect(&stream, &HttpStream::headReceived, &stream, &HttpStream::abort);
    stream.start();
    QVERIFY(head.wait(kWaitMs));
    // The same response to a second stream, read to its end: the first one's, had it been read
    // on, would have been signalled by then.
    const Outcome second = fetch(get(m_server->url(QStringLiteral("/s"))));
    QCOMPARE(second.body, QByteArray("data: 1\n\ndata: 2\n\n"));
    QCOMPARE(ready.size(), 0);
    QCOMPARE(finished.size(), 0);
}

QTEST_GUILESS_MAIN(TestHttpStream)
#include "tst_httpstream.moc"

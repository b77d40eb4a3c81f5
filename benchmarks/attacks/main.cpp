// SPDX-License-Identifier: MIT
// clickscope-bench-attacks CLI [--seconds S] [--only NAME,...] [--rate R]
//
// The attacks the hostile-input work closed, kept proven with figures (`./dev.sh bench attacks`).
// First the publisher: `clickscope-cli serve` (with its defaults, at R clicks/s) as a child
// process, a normal subscriber (our EventSource) reading /events, and each attack for S seconds
// from this process; per attack the publisher's peak RSS and open descriptors (sampled every
// 100 ms from /proc), the subscriber's longest wait between two deliveries, and the statuses the
// attackers got. Then the client: `clickscope-cli listen` as a child process against each hostile
// server of tests/support for S seconds, with its peak RSS and how it ended. Only 127.0.0.1; every
// connection count, loop and child process is bounded, and every child is killed at the end.
#include "common/eventloopwait.h"
#include "core/options/optionreader.h"
#include "core/sse/eventsource.h"
#include "core/system/processstats.h"
#include "support/floodserver.h"
#include "support/gzipped.h"
#include "support/scriptedhttpserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>

#include <sys/resource.h>

#include <cstdio>
#include <functional>
#include <memory>

using namespace Clickscope;
using namespace Clickscope::Testing;
using Clickscope::Bench::runFor;

namespace {

constexpr qint64 kMiB = 1024 * 1024;

// Resident memory and open descriptors of a process, from /proc.
struct ProcessSample
{
    qint64 rssBytes = 0;
    int fds = 0;
};

ProcessSample sample(qint64 pid) { return {ProcessStats::residentBytes(pid), ProcessStats::openDescriptors(pid)}; }

// The publisher's /stats counters (dropped subscribers, refused requests and connections, idle
// connections closed), fetched with a plain blocking request.
QJsonObject publisherStats(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write("GET /stats HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    QByteArray response;
    while (socket.waitForReadyRead(5000))
        response += socket.readAll();
    response += socket.readAll();
    return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
}

// What one attack does on each of its connections.
struct Attack
{
    QString name;
    QString what;
    int connections = 1;
    QByteArray opening;     // written once connected
    QByteArray everyTick;   // then written every tickMs (empty: nothing more)
    int tickMs = 1000;
    bool neverRead = false;   // leave what the server sends unread, so TCP fills up
};

// Keeps `attack.connections` connections to the publisher doing the attack, opening a new one when
// one is closed, and tallies the statuses the server answered.
class Attacker : public QObject
{
public:
    Attacker(Attack attack, quint16 port) : m_attack(std::move(attack)), m_port(port)
    {
        connect(&m_tick, &QTimer::timeout, this, [this] { tick(); });
        m_tick.start(m_attack.everyTick.isEmpty() ? 100 : m_attack.tickMs);
        for (int i = 0; i < m_attack.connections; ++i)
            open();
    }
    ~Attacker() override
    {
        for (QTcpSocket *s : std::as_const(m_sockets)) {
            s->disconnect(this);
            s->abort();
        }
    }

    QString statuses() const
    {
        QStringList out;
        for (auto it = m_statuses.cbegin(); it != m_statuses.cend(); ++it)
            out << QStringLiteral("%1×%2").arg(it.key()).arg(it.value());
        out << QStringLiteral("closed×%1").arg(m_closed);
        return out.join(u' ');
    }

private:
    void open()
    {
        auto *socket = new QTcpSocket(this);
        if (m_attack.neverRead)
            socket->setReadBufferSize(1);
        m_sockets.append(socket);
        connect(socket, &QTcpSocket::connected, this, [this, socket] { socket->write(m_attack.opening); });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
            if (m_attack.neverRead)
                return;
            const QByteArray got = socket->readAll();
            static const QRegularExpression statusLine(QStringLiteral("HTTP/1\\.[01] (\\d{3})"));
            auto it = statusLine.globalMatch(QString::fromLatin1(got.left(4096)));
            while (it.hasNext())
                ++m_statuses[it.next().captured(1).toInt()];
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] { closed(socket); });
        connect(socket, &QTcpSocket::errorOccurred, this, [this, socket](QAbstractSocket::SocketError e) {
            if (e != QAbstractSocket::RemoteHostClosedError)
                closed(socket);
        });
        socket->connectToHost(QHostAddress::LocalHost, m_port);
    }

    void closed(QTcpSocket *socket)
    {
        if (!m_sockets.removeOne(socket))
            return;
        ++m_closed;
        socket->disconnect(this);
        socket->deleteLater();
    }

    void tick()
    {
        // Closed connections come back once a tick: a steady attack, not a reconnection storm.
        while (m_sockets.size() < m_attack.connections)
            open();
        if (m_attack.everyTick.isEmpty())
            return;
        for (QTcpSocket *s : std::as_const(m_sockets)) {
            if (s->state() == QAbstractSocket::ConnectedState && s->bytesToWrite() < kMiB)
                s->write(m_attack.everyTick);
        }
    }

    Attack m_attack;
    quint16 m_port;
    QTimer m_tick;
    QList<QTcpSocket *> m_sockets;
    QMap<int, int> m_statuses;
    int m_closed = 0;
};

QList<Attack> attacksOnThePublisher()
{
    const QByteArray big(64 * 1024, 'a');
    return {
        {"slowloris", "request heads sent a byte a second, never ended", 500,
         "GET /events HTTP/1.1\r\nHost: a\r\nX-Slow: ", "a", 1000},
        {"no-body",
         "POST /publish promising 1 MB, sending 8 bytes",
         500,
         "POST /publish HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
         "{\"link\":",
         {}},
        {"smuggling",
         "Content-Length and chunked together, a request behind",
         50,
         "POST /publish HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
         "POST /publish HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n{\"link\":\"/evil\"}",
         {}},
        {"idle", "a request, then the connection kept idle", 2000, "GET /health HTTP/1.1\r\nHost: a\r\n\r\n", {}},
        {"conn-flood", "connections opened and held, nothing sent", 4000, {}, {}},
        {"endless-head", "a header line growing 6.4 MB/s per connection", 50,
         "GET /events HTTP/1.1\r\nHost: a\r\nX-Big: ", big, 10},
        {"huge-body", "POST /publish declaring 1 TB, streaming it", 20,
         "POST /publish HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n",
         big, 10},
        {"never-read",
         "subscribers that never read what they asked for",
         500,
         "GET /events HTTP/1.1\r\nHost: a\r\n\r\n",
         {},
         1000,
         true},
    };
}

// The publisher as a child process: `clickscope-cli serve --port 0`, until destroyed.
class PublisherProcess
{
public:
    PublisherProcess(const QString &cli, int rate)
    {
        m_process.setProgram(cli);
        m_process.setArguments({"serve", "--port", "0", "--rate", QString::number(rate), "--seed", "1"});
        m_process.setProcessChannelMode(QProcess::MergedChannels);
    }
    ~PublisherProcess()
    {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    quint16 start()
    {
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return 0;
        QByteArray out;
        QElapsedTimer clock;
        clock.start();
        static const QRegularExpression listening(QStringLiteral("listening on http://127\\.0\\.0\\.1:(\\d+)/"));
        while (clock.elapsed() < 10'000 && m_process.waitForReadyRead(1000)) {
            out += m_process.readAll();
            if (const auto m = listening.match(QString::fromUtf8(out)); m.hasMatch())
                return quint16(m.captured(1).toUInt());
        }
        return 0;
    }
    qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
};

int attackThePublisher(const QString &cli, int rate, int seconds, const QStringList &only)
{
    PublisherProcess publisher(cli, rate);
    const quint16 port = publisher.start();
    if (port == 0) {
        std::fprintf(stderr, "clickscope-bench-attacks: the publisher did not start\n");
        return 1;
    }
    SourceConfig config;
    config.url = QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(port));
    EventSource subscriber(config);
    QElapsedTimer sinceDelivery;
    qint64 longestGap = 0;
    quint64 delivered = 0;
    QObject::connect(&subscriber, &StreamSource::eventsReceived, &subscriber, [&](const SseBatch &events) {
        if (sinceDelivery.isValid())
            longestGap = std::max(longestGap, sinceDelivery.elapsed());
        sinceDelivery.start();
        delivered += quint64(events.size());
    });
    subscriber.open();
    runFor(2000);
    const ProcessSample calm = sample(publisher.pid());
    std::printf("publisher (clickscope-cli serve, %d clicks/s; at rest %.1f MiB, %d fds), %d s per attack\n", rate,
                double(calm.rssBytes) / kMiB, calm.fds, seconds);
    std::printf("%-13s %-6s %-10s %-8s %-11s %-9s %s\n", "attack", "conns", "peak MiB", "max fds", "longest gap",
                "after MiB", "what the attackers got; what /stats counted");
    int failures = 0;
    for (const Attack &attack : attacksOnThePublisher()) {
        if (!only.isEmpty() && !only.contains(attack.name))
            continue;
        std::fprintf(stderr, "clickscope-bench-attacks: %s (%s)…\n", qPrintable(attack.name), qPrintable(attack.what));
        ProcessSample peak;
        longestGap = 0;
        const quint64 deliveredBefore = delivered;
        const QJsonObject statsBefore = publisherStats(port);
        QString answers;
        {
            Attacker attacker(attack, port);
            QTimer sampling;
            QObject::connect(&sampling, &QTimer::timeout, [&] {
                const ProcessSample now = sample(publisher.pid());
                peak.rssBytes = std::max(peak.rssBytes, now.rssBytes);
                peak.fds = std::max(peak.fds, now.fds);
            });
            sampling.start(100);
            runFor(qint64(seconds) * 1000);
            if (sinceDelivery.isValid())
                longestGap = std::max(longestGap, sinceDelivery.elapsed());
            answers = attacker.statuses();
        }
        // The attack's connections are gone; the publisher returns what they held a second after.
        runFor(2500);
        const ProcessSample after = sample(publisher.pid());
        const QJsonObject statsAfter = publisherStats(port);
        QStringList counted;
        for (const char *key :
             {"droppedSubscribers", "refusedRequests", "refusedConnections", "idleConnectionsClosed"}) {
            const qint64 n =
                statsAfter.value(QLatin1String(key)).toInteger() - statsBefore.value(QLatin1String(key)).toInteger();
            if (n > 0)
                counted << QStringLiteral("%1 %2").arg(QLatin1String(key)).arg(n);
        }
        std::printf("%-13s %-6d %-10.1f %-8d %-11s %-9.1f %s; %s\n", qPrintable(attack.name), attack.connections,
                    double(peak.rssBytes) / kMiB, peak.fds, qPrintable(QStringLiteral("%1 ms").arg(longestGap)),
                    double(after.rssBytes) / kMiB, qPrintable(answers), qPrintable(counted.join(u", ")));
        std::fflush(stdout);
        if (delivered == deliveredBefore || subscriber.state() != StreamSource::State::Open) {
            std::fprintf(stderr, "clickscope-bench-attacks: %s: the subscriber stopped receiving\n",
                         qPrintable(attack.name));
            ++failures;
        }
    }
    return failures;
}

// The client against one hostile server: `clickscope-cli listen URL --timeout S` as a child.
struct ClientRun
{
    qint64 peakRss = 0;
    QString ended;
};

ClientRun listenTo(const QString &cli, const QUrl &url, int seconds)
{
    QProcess listen;
    listen.setStandardOutputFile(QProcess::nullDevice());
    listen.start(cli, {"listen", url.toString(), "--timeout", QString::number(seconds)});
    ClientRun out;
    if (!listen.waitForStarted(5000)) {
        out.ended = QStringLiteral("did not start");
        return out;
    }
    const qint64 pid = listen.processId();
    QElapsedTimer clock;
    clock.start();
    // The event loop runs meanwhile: a hostile server in this thread (the scripted one) must answer.
    while (listen.state() != QProcess::NotRunning && clock.elapsed() < (seconds + 10) * 1000LL) {
        out.peakRss = std::max(out.peakRss, sample(pid).rssBytes);
        runFor(100);
    }
    if (listen.state() != QProcess::NotRunning) {
        listen.kill();
        listen.waitForFinished(5000);
        out.ended = QStringLiteral("killed: did not stop at --timeout");
        return out;
    }
    const QList<QByteArray> said = listen.readAllStandardError().trimmed().split('\n');
    out.ended = QStringLiteral("exit %1: %2").arg(listen.exitCode()).arg(QString::fromUtf8(said.constLast().left(70)));
    return out;
}

int attackTheClient(const QString &cli, int seconds, const QStringList &only)
{
    constexpr qint64 kEndless = qint64(1) << 50;
    const QByteArray event = "data: {\"link\":\"/flood\",\"country\":\"SE\"}\n\n";
    struct Hostile
    {
        QString name;
        QString what;
        std::function<QUrl()> start;
    };
    std::unique_ptr<FloodServer> flood;
    std::unique_ptr<ScriptedHttpServer> scripted;
    const QList<Hostile> servers{
        {"event-flood", "events at loopback speed",
         [&] {
             flood = std::make_unique<FloodServer>(FloodServer::sseHead(), event, kEndless);
             return flood->listen() ? flood->url() : QUrl();
         }},
        {"endless-line", "a line that never ends",
         [&] {
             flood = std::make_unique<FloodServer>(FloodServer::sseHead(), QByteArray(4096, 'x'), kEndless);
             return flood->listen() ? flood->url() : QUrl();
         }},
        {"endless-head", "a response header that never ends",
         [&] {
             flood = std::make_unique<FloodServer>("HTTP/1.1 200 OK\r\nX-Endless: ", QByteArray(4096, 'a'), kEndless);
             return flood->listen() ? flood->url() : QUrl();
         }},
        {"ws-flood", "WebSocket messages at loopback speed",
         [&] {
             flood = FloodServer::webSocket("{\"link\":\"/flood\",\"country\":\"SE\"}", kEndless);
             return flood->listen() ? flood->url() : QUrl();
         }},
        {"gzip-bomb", "1 GiB of events gzipped to about 1 MiB, again on each reconnection",
         [&] {
             const QByteArray piece = "data: " + QByteArray(1000, 'x') + "\n\n";
             const QByteArray bomb = gzipped(piece, int(1024 * kMiB / piece.size()));
             scripted = std::make_unique<ScriptedHttpServer>();
             scripted->route("/bomb", ScriptedHttpServer::Response::raw(
                                          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: "
                                          "gzip\r\nContent-Length: "
                                          + QByteArray::number(bomb.size()) + "\r\n\r\n" + bomb));
             return scripted->listen() ? scripted->url(QStringLiteral("/bomb")) : QUrl();
         }},
    };
    std::printf("\nclient (clickscope-cli listen, %d s per server)\n", seconds);
    std::printf("%-13s %-10s %s\n", "server", "peak MiB", "how it ended");
    int failures = 0;
    for (const Hostile &server : servers) {
        if (!only.isEmpty() && !only.contains(server.name))
            continue;
        std::fprintf(stderr, "clickscope-bench-attacks: %s (%s)…\n", qPrintable(server.name), qPrintable(server.what));
        const QUrl url = server.start();
        if (url.isEmpty()) {
            std::fprintf(stderr, "clickscope-bench-attacks: %s did not start\n", qPrintable(server.name));
            ++failures;
            continue;
        }
        const ClientRun run = listenTo(cli, url, seconds);
        std::printf("%-13s %-10.1f %s\n", qPrintable(server.name), double(run.peakRss) / kMiB, qPrintable(run.ended));
        std::fflush(stdout);
        if (run.ended.startsWith(u"killed") || run.ended.startsWith(u"did not"))
            ++failures;
        flood.reset();
        scripted.reset();
    }
    return failures;
}

}   // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clickscope-bench-attacks"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Attacks on the publisher and hostile servers for the client."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("CLI"), QStringLiteral("The built clickscope-cli."));
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Seconds per attack (default 60)."),
                                     QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("The publisher's clicks/s (default 1000)."),
                                  QStringLiteral("R"), QStringLiteral("1000"));
    const QCommandLineOption only(QStringLiteral("only"),
                                  QStringLiteral("Only these attacks or servers (comma-separated)."),
                                  QStringLiteral("LIST"));
    parser.addOptions({seconds, rate, only});
    parser.process(app);
    if (parser.positionalArguments().size() != 1) {
        parser.showHelp(2);
    }
    OptionReader read(parser);
    int attackSeconds = 0;
    int clicksPerSecond = 0;
    read.wholeNumber(seconds, 1, 3600, attackSeconds);
    read.wholeNumber(rate, 1, 100'000, clicksPerSecond);
    if (const Result<void> ok = read.result(); !ok) {
        std::fprintf(stderr, "clickscope-bench-attacks: %s\n", qPrintable(ok.error()));
        return 2;
    }
    const QStringList wanted = parser.isSet(only) ? parser.value(only).split(u',') : QStringList();
    // Thousands of connections need descriptors: as many as the hard limit allows, for us and for
    // the publisher, which inherits it.
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    const QString cli = parser.positionalArguments().constFirst();
    int failures = attackThePublisher(cli, clicksPerSecond, attackSeconds, wanted);
    failures += attackTheClient(cli, attackSeconds, wanted);
    return failures == 0 ? 0 : 1;
}

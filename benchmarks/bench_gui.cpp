// SPDX-License-Identifier: MIT
// clickscope-bench-gui [--seconds N] [--rss-seconds N] [--rates 10000,100000,1000000,0] [--impl ours|peer|both]
//                      [--streams N] [--stream-rate R]
//
// The dashboard under load, offscreen at 1280x800: a feeder process streams SSE clicks over
// loopback at 10k/s, 100k/s, 1M/s and as fast as the socket drains (rate 0), into our MainWindow and into a naive peer (one
// EventSource on the UI thread, a label and a QLineSeries updated per network read: what a
// straightforward app does without a worker thread or display-rate coalescing). Per run it
// measures how late the UI thread's event loop runs, what a repaint and a queued call cost on it,
// the events/s the window consumed beside what the feeder sent, and resident memory; one longer
// run of ours at 100k/s gives the RSS after --rss-seconds (60). Prints one table, ours beside
// the peer at each rate, all from this one invocation. Then several streams in one window:
// --streams (8) feeders at --stream-rate (10k/s) each into one MainWindow, beside one stream at
// their sum (80k/s), with the same figures, RSS per stream, and whether every event sent was
// counted once the feeders stopped.
//
// Each run is a child process of this one (`--single IMPL:RATE`, which prints one `key=value`
// line): a fresh window, feeder and heap per run, so one run's resident memory never includes what
// an earlier run left in the allocator, and a run that hangs is killed at its deadline instead of
// stalling the rest. Progress goes to stderr.
#include "app/mainwindow.h"
#include "app/streamlist.h"
#include "common/progress.h"
#include "common/syntheticclicks.h"
#include "core/options/optionreader.h"
#include "core/sse/eventsource.h"
#include "core/system/processstats.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QLabel>
#include <QLineSeries>
#include <QMainWindow>
#include <QMap>
#include <QPointer>
#include <QProcess>
#include <QSettings>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>
#include <QValueAxis>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace Clickscope {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr int kWindowWidth = 1280;
constexpr int kWindowHeight = 800;
// Connecting, the first layout and the first paint of a fresh window are not the steady state
// the run is about: no figure counts them.
constexpr int kWarmUpMs = 1000;
constexpr int kLagProbeMs = 5;
constexpr int kRssSampleMs = 1000;
// The rate of the long run that measures resident memory, as the issue asks.
constexpr int kRssRunRate = 100'000;
// A run whose process holds more than this is stopped early (and says so). A window whose UI
// thread falls behind holds what it has not handled yet: QNAM's thread goes on reading into memory
// whatever the peer's UI thread has not taken, without bound, and the machine is shared.
constexpr qint64 kRssLimitKb = 3 * 1024 * 1024;
// Startup and teardown of a child on top of its measured seconds; past that it is killed.
constexpr int kChildGraceMs = 30'000;
// Once the feeders stop, how long the window may take to count what they sent.
constexpr int kDrainMs = 10'000;
// A feeder process ends by itself after this, even if its parent never closes its stdin.
constexpr int kFeederLifetimeMs = 2 * 3600 * 1000;

// The feeder: ticks of 5 ms keep a 100k/s stream smooth (500 events a write); its socket backlog
// is capped so that a consumer that stops reading makes the feeder send less (the sent/s column
// shows it) rather than queue without bound.
constexpr int kFeedTickMs = 5;
constexpr qint64 kMaxBacklogBytes = 1024 * 1024;
constexpr int kFeedEvents = 10'000;
constexpr int kFeedLinks = 200;
constexpr qsizetype kMaxHeadBytes = 16 * 1024;
constexpr qsizetype kMaxEventsPerWrite = 1000;

constexpr const char kResponseHead[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                       "Cache-Control: no-cache\r\n\r\n";

using Clickscope::Bench::progress;

// VmRSS or VmHWM of this process, in kB; 0 when unreadable.
qint64 ownStatusKb(const char *field) { return Clickscope::ProcessStats::statusBytes(field) / 1024; }

QString rateLabel(int rate)
{
    if (rate == 0)
        return QStringLiteral("max");
    if (rate % 1000 == 0)
        return QStringLiteral("%1k/s").arg(rate / 1000);
    return QStringLiteral("%1/s").arg(rate);
}

// 10,000 pre-formatted click events (the publisher's synthetic clicks, ~350 bytes each), written
// back to back and sliced by the feeder, so that feeding costs a memcpy and not the formatting of
// a million events a second (the feeder shares the machine's cores with what it measures). Ids
// repeat every cycle, which the aggregator counts as no gap; `ts` is when the feed was built, so
// arrival latency is meaningless here (and not measured).
class ClickFeed
{
public:
    ClickFeed()
    {
        const Clickscope::Bench::SyntheticClicks clicks(kFeedEvents, kFeedLinks);
        const QByteArray ts = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
        m_offsets.reserve(kFeedEvents + 1);
        m_bytes.reserve(kFeedEvents * 400);
        for (int i = 0; i < kFeedEvents; ++i) {
            const QByteArray id = QByteArray::number(i + 1);
            m_offsets.push_back(m_bytes.size());
            m_bytes += "id: " + id + "\nevent: click\ndata: ";
            m_bytes += clicks.openObject(i);
            m_bytes += ",\"id\":" + id + ",\"ts\":" + ts + "}\n\n";
        }
        m_offsets.push_back(m_bytes.size());
    }

    qsizetype eventCount() const { return qsizetype(m_offsets.size()) - 1; }
    // Events [first, first + count), which must lie within the feed.
    QByteArrayView slice(qsizetype first, qsizetype count) const
    {
        const qsizetype begin = m_offsets[std::size_t(first)];
        return QByteArrayView(m_bytes).sliced(begin, m_offsets[std::size_t(first + count)] - begin);
    }

private:
    QByteArray m_bytes;
    std::vector<qsizetype> m_offsets;   // eventCount() + 1 entries, the last one is the end
};

// A bare SSE endpoint on 127.0.0.1: answers any request with a close-delimited event stream and
// writes the feed at `rate` events/s (0: as fast as the socket drains). One client at a time; a
// new connection replaces the current one. Runs in a `--feed` process of its own.
class FeedServer : public QObject
{
    Q_OBJECT
public:
    explicit FeedServer(int rate) : m_rate(rate)
    {
        m_tick.setTimerType(Qt::PreciseTimer);
        m_tick.setInterval(kFeedTickMs);
        connect(&m_tick, &QTimer::timeout, this, &FeedServer::tick);
        connect(&m_server, &QTcpServer::newConnection, this, &FeedServer::accept);
    }

    // Returns the bound port, 0 on failure.
    quint16 listen() { return m_server.listen(QHostAddress::LocalHost, 0) ? m_server.serverPort() : 0; }
    // Drops the client and stops listening.
    void shutDown()
    {
        m_tick.stop();
        if (m_socket)
            m_socket->abort();
        m_server.close();
    }
    quint64 sentEvents() const { return m_sent; }
    // No more events; what was written still goes out.
    void stopFeeding() { m_tick.stop(); }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            // Cleared first: abort() emits disconnected() at once.
            if (QTcpSocket *previous = std::exchange(m_socket, nullptr)) {
                previous->abort();
                previous->deleteLater();
            }
            m_socket = socket;
            m_head.clear();
            m_tick.stop();
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readHead(socket); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                if (socket == m_socket) {
                    m_tick.stop();
                    m_socket = nullptr;
                }
                socket->deleteLater();
            });
        }
    }

    void readHead(QTcpSocket *socket)
    {
        if (socket != m_socket || m_tick.isActive()) {
            socket->readAll();   // nothing is expected after the head; don't let it pile up
            return;
        }
        m_head += socket->readAll();
        if (!m_head.contains("\r\n\r\n")) {
            if (m_head.size() > kMaxHeadBytes)
                socket->abort();
            return;
        }
        socket->write(kResponseHead, qint64(sizeof kResponseHead - 1));
        m_clock.start();
        m_scheduled = 0;
        m_tick.start();
    }

    void tick()
    {
        if (!m_socket)
            return;
        if (m_rate == 0) {
            while (m_socket->bytesToWrite() < kMaxBacklogBytes)
                write(kMaxEventsPerWrite);
            return;
        }
        const auto due = qint64(double(m_rate) * double(m_clock.nsecsElapsed()) / 1e9);
        const qint64 owed = due - m_scheduled;
        m_scheduled = due;
        // Events owed while the backlog is full are skipped, not sent later in a burst: a
        // consumer that fell behind is shown by a lower sent/s, not hidden by a catch-up.
        if (m_socket->bytesToWrite() >= kMaxBacklogBytes)
            return;
        for (qint64 left = owed; left > 0;)
            left -= write(std::min(left, kMaxEventsPerWrite));
    }

    // Writes up to `count` events from where the last write stopped; returns how many it wrote.
    qsizetype write(qsizetype count)
    {
        count = std::min(count, m_feed.eventCount() - m_next);
        const QByteArrayView bytes = m_feed.slice(m_next, count);
        m_socket->write(bytes.data(), bytes.size());
        m_next = (m_next + count) % m_feed.eventCount();
        m_sent += quint64(count);
        return count;
    }

    const int m_rate;
    const ClickFeed m_feed;
    QTcpServer m_server{this};   // parented, so moveToThread() takes them along
    QTimer m_tick{this};
    QPointer<QTcpSocket> m_socket;
    QByteArray m_head;
    QElapsedTimer m_clock;
    qint64 m_scheduled = 0;
    qsizetype m_next = 0;
    quint64 m_sent = 0;
};

// `--feed RATE`: a FeedServer alone in a process, so that what the window is measured on reaches it
// over a real socket from another process, as a server's events do, and feeding costs the
// window's process nothing. Prints `port=P`, then answers each line on stdin: `sent` with
// `sent=N`, `stop` (no more events; the connection stays, so what was written is delivered) with
// `sent=N`. Ends when stdin closes (its parent went) or after kFeederLifetimeMs, whichever is first.
int runFeeder(int rate)
{
    FeedServer server(rate);
    const quint16 port = server.listen();
    if (port == 0) {
        progress("the feeder could not listen on 127.0.0.1");
        return kExitFailed;
    }
    std::printf("port=%u\n", unsigned(port));
    std::fflush(stdout);
    QByteArray pending;
    QSocketNotifier commands(fileno(stdin), QSocketNotifier::Read);
    QObject::connect(&commands, &QSocketNotifier::activated, &server, [&] {
        char buffer[256];
        const ssize_t n = ::read(fileno(stdin), buffer, sizeof buffer);
        if (n <= 0) {
            commands.setEnabled(false);
            QCoreApplication::quit();
            return;
        }
        pending.append(buffer, n);
        for (qsizetype end; (end = pending.indexOf('\n')) >= 0; pending.remove(0, end + 1)) {
            if (pending.startsWith("stop"))
                server.stopFeeding();
            std::printf("sent=%llu\n", static_cast<unsigned long long>(server.sentEvents()));
            std::fflush(stdout);
        }
    });
    QTimer::singleShot(kFeederLifetimeMs, QCoreApplication::instance(), &QCoreApplication::quit);
    const int code = QCoreApplication::exec();
    server.shutDown();
    return code;
}

// The parent's side of one `--feed` child: starts it, asks it how many events it sent, stops it.
// The calls wait for the child's answer (a few ms); none is made while a run is being measured.
class Feeder
{
public:
    explicit Feeder(int rate)
    {
        m_child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--feed"), QString::number(rate)});
        const QByteArray line = readLine();
        if (line.startsWith("port="))
            m_port = quint16(line.mid(5).trimmed().toUInt());
    }
    ~Feeder() { stop(); }
    Feeder(const Feeder &) = delete;
    Feeder &operator=(const Feeder &) = delete;

    bool isListening() const { return m_port != 0; }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(m_port)); }
    quint64 sentEvents() { return m_running ? ask("sent\n") : m_sentAtStop; }
    // Writes no more events; the connection stays, so that what was written is delivered.
    void stopFeeding()
    {
        if (m_running)
            m_sentAtStop = ask("stop\n");
        m_running = false;
    }

    void stop()
    {
        stopFeeding();
        if (m_child.state() == QProcess::NotRunning)
            return;
        m_child.closeWriteChannel();   // the child ends when its stdin does
        if (!m_child.waitForFinished(kChildGraceMs)) {
            m_child.kill();
            m_child.waitForFinished();
        }
    }

private:
    // The next line from the child, empty when none came in time.
    QByteArray readLine()
    {
        QElapsedTimer waited;
        waited.start();
        while (!m_child.canReadLine() && waited.elapsed() < kChildGraceMs) {
            if (!m_child.waitForReadyRead(int(kChildGraceMs - waited.elapsed())))
                break;
        }
        return m_child.canReadLine() ? m_child.readLine() : QByteArray();
    }

    quint64 ask(const char *command)
    {
        if (m_child.state() != QProcess::Running)
            return m_sentAtStop;
        m_child.write(command);
        const QByteArray line = readLine();
        if (line.startsWith("sent="))
            m_sentAtStop = line.mid(5).trimmed().toULongLong();
        return m_sentAtStop;
    }

    QProcess m_child;
    quint16 m_port = 0;
    quint64 m_sentAtStop = 0;
    bool m_running = true;
};

// What delivering one kind of event cost the UI thread: count, total and worst.
struct DeliveryCost
{
    quint64 count = 0;
    qint64 totalNs = 0;
    qint64 maxNs = 0;

    void add(qint64 ns)
    {
        ++count;
        totalNs += ns;
        maxNs = std::max(maxNs, ns);
    }
    double meanMs() const { return count ? double(totalNs) / double(count) / 1e6 : 0; }
    double maxMs() const { return double(maxNs) / 1e6; }
};

// Times, on the UI thread only, the deliveries that make up a frame and what feeds it:
//  - repaint: a QEvent::UpdateRequest (or a stray QEvent::Paint) delivered to a widget. Qt
//    repaints a window by sending its top-level widget one UpdateRequest, inside which every
//    dirty widget gets its Paint: one repaint is a whole frame (painting every dirty widget and
//    flushing the backing store), not one widget.
//  - queued call: a QEvent::MetaCall, i.e. a queued signal or invokeMethod, most from another
//    thread. For our window that is mostly the snapshot hand-over from the pipeline's worker with
//    the panel updates it drives; for the peer, QNetworkAccessManager handing over each network
//    read with the parsing, label and series updates it triggers. Both windows' charts also
//    process their scene in a queued call of their own.
// A QGraphicsScene (every chart's) flushes the window's pending UpdateRequest synchronously from
// its queued call, so a repaint often runs inside a queued call: it is counted as a repaint and
// its time is taken out of the queued call around it. Anything else delivered inside a timed
// event is part of that event's time, never counted twice.
class TimingApplication : public QApplication
{
    Q_OBJECT
public:
    using QApplication::QApplication;

    void setRecording(bool on) { m_recording = on; }
    const DeliveryCost &repaints() const { return m_repaints; }
    const DeliveryCost &queuedCalls() const { return m_queuedCalls; }

    bool notify(QObject *receiver, QEvent *event) override
    {
        const QEvent::Type type = event->type();
        const bool repaint = (type == QEvent::UpdateRequest || type == QEvent::Paint) && receiver->isWidgetType();
        const bool queued = type == QEvent::MetaCall;
        // Every thread's events pass through here (the pipeline's worker, QNAM's, the feeder's):
        // only the UI thread's are this benchmark's business, and only it touches the members.
        if ((!repaint && !queued) || !m_recording || QThread::currentThread() != thread() || m_inRepaint
            || (queued && m_inQueuedCall))
            return QApplication::notify(receiver, event);

        QElapsedTimer timer;
        if (repaint) {
            m_inRepaint = true;
            timer.start();
            const bool handled = QApplication::notify(receiver, event);
            const qint64 ns = timer.nsecsElapsed();
            m_inRepaint = false;
            m_repaints.add(ns);
            if (m_inQueuedCall)
                m_repaintNsInQueuedCall += ns;
            return handled;
        }
        m_inQueuedCall = true;
        m_repaintNsInQueuedCall = 0;
        timer.start();
        const bool handled = QApplication::notify(receiver, event);
        const qint64 ns = timer.nsecsElapsed();
        m_inQueuedCall = false;
        m_queuedCalls.add(ns - m_repaintNsInQueuedCall);
        return handled;
    }

private:
    DeliveryCost m_repaints;
    DeliveryCost m_queuedCalls;
    qint64 m_repaintNsInQueuedCall = 0;
    bool m_recording = false;
    bool m_inRepaint = false;
    bool m_inQueuedCall = false;
};

// How late the UI thread's event loop runs: a precise 5 ms timer, and for each timeout how much
// longer than 5 ms it took. Anything that holds the UI thread (a paint, a flood of queued calls)
// shows up here as it would to a user's click.
class LoopLagProbe : public QObject
{
    Q_OBJECT
public:
    LoopLagProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kLagProbeMs);
        connect(&m_timer, &QTimer::timeout, this, &LoopLagProbe::tick);
        m_lagNs.reserve(1 << 16);
    }

    void start()
    {
        m_clock.start();
        m_lastNs = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    void setRecording(bool on) { m_recording = on; }

    qsizetype sampleCount() const { return qsizetype(m_lagNs.size()); }
    double maxMs() const
    {
        return m_lagNs.empty() ? 0 : double(*std::max_element(m_lagNs.begin(), m_lagNs.end())) / 1e6;
    }
    double quantileMs(double q) const
    {
        if (m_lagNs.empty())
            return 0;
        std::vector<qint64> sorted = m_lagNs;
        const auto rank = std::size_t(q * double(sorted.size() - 1));
        std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(rank), sorted.end());
        return double(sorted[rank]) / 1e6;
    }

private:
    void tick()
    {
        const qint64 now = m_clock.nsecsElapsed();
        // A precise timer may fire a little early; early is not lag.
        if (m_recording)
            m_lagNs.push_back(std::max<qint64>(0, now - m_lastNs - qint64(kLagProbeMs) * 1'000'000));
        m_lastNs = now;
    }

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    std::vector<qint64> m_lagNs;
    bool m_recording = false;
};

// The baseline: the dashboard a straightforward app would write. One EventSource on the UI thread,
// and for every batch it emits (one per network read) the counter label is set and a point is
// appended to a line chart that keeps the last kKeptPoints, with a sliding X axis. No worker
// thread, no coalescing to the display rate; it does not even decode the JSON, so its work per
// event is less than ours.
class NaivePeerWindow : public QMainWindow
{
    Q_OBJECT
public:
    static constexpr int kKeptPoints = 300;

    explicit NaivePeerWindow(const QUrl &url) : m_source(configFor(url))
    {
        auto *central = new QWidget(this);
        auto *layout = new QVBoxLayout(central);
        m_counter = new QLabel(QStringLiteral("0 events"), central);
        layout->addWidget(m_counter);

        m_series = new QLineSeries;
        auto *chart = new QChart;
        chart->legend()->hide();
        chart->setTitle(QStringLiteral("Events per read"));
        chart->addSeries(m_series);   // the chart owns the series, the view owns the chart
        m_axisX = new QValueAxis;
        m_axisY = new QValueAxis;
        chart->addAxis(m_axisX, Qt::AlignBottom);
        chart->addAxis(m_axisY, Qt::AlignLeft);
        m_series->attachAxis(m_axisX);
        m_series->attachAxis(m_axisY);
        auto *view = new QChartView(chart, central);
        view->setRenderHint(QPainter::Antialiasing);
        layout->addWidget(view, 1);
        setCentralWidget(central);

        connect(&m_source, &StreamSource::eventsReceived, this, &NaivePeerWindow::onEvents);
        m_source.open();
    }

    quint64 eventCount() const { return m_events; }

private:
    static SourceConfig configFor(const QUrl &url)
    {
        SourceConfig config;
        config.url = url;
        config.reconnect = false;   // the feeder closing ends the run; nothing to reconnect to
        return config;
    }

    void onEvents(const SseBatch &events)
    {
        m_events += quint64(events.size());
        m_counter->setText(QStringLiteral("%1 events").arg(m_events));
        ++m_reads;
        m_series->append(qreal(m_reads), qreal(events.size()));
        if (m_series->count() > kKeptPoints)
            m_series->remove(0);
        m_maxY = std::max(m_maxY, qreal(events.size()));
        m_axisX->setRange(qreal(std::max<qint64>(0, m_reads - kKeptPoints)), qreal(m_reads));
        m_axisY->setRange(0, m_maxY);
    }

    QLabel *m_counter;
    QLineSeries *m_series;
    QValueAxis *m_axisX;
    QValueAxis *m_axisY;
    quint64 m_events = 0;
    qint64 m_reads = 0;
    qreal m_maxY = 1;
    EventSource m_source;   // last: it stops before the widgets it updates go
};

QtMessageHandler g_nextMessageHandler = nullptr;

// The offscreen platform warns at every window geometry change that it cannot propagate size
// hints: known and harmless (docs/qt64-notes.md), and a dozen lines of noise per run.
void dropOffscreenNoise(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message == QLatin1String("This plugin does not support propagateSizeHints()"))
        return;
    if (g_nextMessageHandler)
        g_nextMessageHandler(type, context, message);
}

enum class Impl { Ours, Peer };

const char *implName(Impl impl) { return impl == Impl::Ours ? "ours" : "peer"; }

// The events or clicks every stream of `window` has counted, from their latest snapshots.
quint64 countedByAll(MainWindow *window, quint64 Totals::*field)
{
    const StreamList *streams = window->streams();
    quint64 sum = 0;
    for (int row = 0; row < streams->size(); ++row) {
        const WatchedStream *stream = streams->at(row);
        // The newest, taken in or not: the count is the pipeline's, not what is drawn.
        const DashboardSnapshotPtr &latest = stream->arrived ? stream->arrived : stream->snapshot;
        sum += latest ? latest->totals.*field : 0;
    }
    return sum;
}

// One run in this process: `streams` fresh feeders at `rate` each (the peer reads one) and a
// fresh window, `seconds` of load, then the figures as one `key=value` line on stdout. Returns
// false when the run could not be set up.
bool runSingle(TimingApplication &app, Impl impl, int rate, int seconds, int streams)
{
    std::vector<std::unique_ptr<Feeder>> feeders;
    for (int i = 0; i < streams; ++i) {
        feeders.push_back(std::make_unique<Feeder>(rate));
        if (!feeders.back()->isListening()) {
            progress("the feeder could not listen on 127.0.0.1");
            return false;
        }
    }
    const auto sentByAll = [&feeders] {
        quint64 sent = 0;
        for (const auto &feeder : feeders)
            sent += feeder->sentEvents();
        return sent;
    };
    Feeder &feeder = *feeders.front();

    std::unique_ptr<QMainWindow> window;
    std::function<quint64()> consumed;
    std::function<quint64()> clicks = [] { return quint64(0); };
    std::function<quint64()> ticks = [] { return quint64(0); };
    if (impl == Impl::Ours) {
        auto ours = std::make_unique<MainWindow>();
        ours->resize(kWindowWidth, kWindowHeight);
        ours->show();
        ours->connectTo(feeder.url());
        for (std::size_t i = 1; i < feeders.size(); ++i) {
            StreamRequest request;
            request.config.url = feeders[i]->url();
            ours->openStream(request);
        }
        ours->showStream(0);   // the first one's dashboard, beside the list of them all
        consumed = [w = ours.get()] { return countedByAll(w, &Totals::events); };
        clicks = [w = ours.get()] { return countedByAll(w, &Totals::clicks); };
        ticks = [w = ours.get()] { return w->displayTicks(); };
        window = std::move(ours);
    } else {
        auto peer = std::make_unique<NaivePeerWindow>(feeder.url());
        peer->resize(kWindowWidth, kWindowHeight);
        peer->show();
        consumed = [w = peer.get()] { return w->eventCount(); };
        window = std::move(peer);
    }

    LoopLagProbe probe;
    QElapsedTimer clock;
    QEventLoop loop;
    qint64 warmNs = 0;
    quint64 sentAtWarm = 0;
    quint64 consumedAtWarm = 0;
    quint64 ticksAtWarm = 0;
    std::vector<qint64> rssKb;   // one sample per second from the start
    const char *stoppedBy = "time";

    clock.start();
    probe.start();
    QTimer::singleShot(kWarmUpMs, Qt::PreciseTimer, &loop, [&] {
        warmNs = clock.nsecsElapsed();
        sentAtWarm = sentByAll();
        consumedAtWarm = consumed();
        ticksAtWarm = ticks();
        probe.setRecording(true);
        app.setRecording(true);
    });
    QTimer rssTimer;
    rssTimer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&rssTimer, &QTimer::timeout, &loop, [&] {
        rssKb.push_back(ownStatusKb("VmRSS"));
        if (rssKb.back() > kRssLimitKb) {
            stoppedBy = "rss-limit";
            loop.quit();
        }
    });
    rssTimer.start(kRssSampleMs);
    QTimer::singleShot(seconds * 1000, Qt::PreciseTimer, &loop, [&] { loop.quit(); });
    loop.exec();

    // The figures, before any teardown moves them.
    app.setRecording(false);
    probe.stop();
    rssTimer.stop();
    const qint64 endNs = clock.nsecsElapsed();
    const quint64 sentAtEnd = sentByAll();
    const quint64 consumedAtEnd = consumed();
    const quint64 clicksAtEnd = clicks();
    const quint64 ticksInRun = ticks() - ticksAtWarm;
    const qint64 rssEndKb = ownStatusKb("VmRSS");
    // Every event sent is counted once the feeders stop and the window catches up: nothing lost.
    for (const auto &each : feeders)
        each->stopFeeding();
    const quint64 sentInAll = sentByAll();
    QElapsedTimer drain;
    drain.start();
    while (consumed() < sentInAll && drain.elapsed() < kDrainMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    const quint64 countedInAll = consumed();
    const double measuredSeconds = warmNs > 0 ? double(endNs - warmNs) / 1e9 : 0;
    const auto perSecond = [measuredSeconds](quint64 n) {
        return measuredSeconds > 0 ? double(n) / measuredSeconds : 0.0;
    };

    QStringList rssSeries;
    for (qint64 kb : rssKb)
        rssSeries << QString::number(kb);
    const DeliveryCost &repaints = app.repaints();
    const DeliveryCost &queued = app.queuedCalls();
    std::printf("impl=%s rate=%d platform=%s seconds=%.2f sent_per_s=%.0f consumed_per_s=%.0f consumed=%llu "
                "clicks=%llu lag_samples=%lld lag_max_ms=%.2f lag_p99_ms=%.2f repaints=%llu repaint_mean_ms=%.2f "
                "repaint_max_ms=%.2f queued=%llu queued_mean_ms=%.3f queued_max_ms=%.2f rss_kb=%lld hwm_kb=%lld "
                "rss_series_kb=%s stopped_by=%s streams=%d sent_all=%llu counted_all=%llu display_ticks=%llu\n",
                implName(impl), rate, qPrintable(QGuiApplication::platformName()), measuredSeconds,
                perSecond(sentAtEnd - sentAtWarm), perSecond(consumedAtEnd - consumedAtWarm),
                static_cast<unsigned long long>(consumedAtEnd), static_cast<unsigned long long>(clicksAtEnd),
                static_cast<long long>(probe.sampleCount()), probe.maxMs(), probe.quantileMs(0.99),
                static_cast<unsigned long long>(repaints.count), repaints.meanMs(), repaints.maxMs(),
                static_cast<unsigned long long>(queued.count), queued.meanMs(), queued.maxMs(),
                static_cast<long long>(rssEndKb), static_cast<long long>(ownStatusKb("VmHWM")),
                rssSeries.isEmpty() ? "-" : qPrintable(rssSeries.join(u',')), stoppedBy, streams,
                static_cast<unsigned long long>(sentInAll), static_cast<unsigned long long>(countedInAll),
                static_cast<unsigned long long>(ticksInRun));
    std::fflush(stdout);

    window.reset();
    feeders.clear();
    return true;
}

using Figures = QMap<QString, QString>;

// One run as a child process (see the top of the file for why); nullopt when it failed or gave
// no figures.
std::optional<Figures> runChild(Impl impl, int rate, int seconds, int streams = 1)
{
    progress("%s: %d stream(s) at %s for %d s", implName(impl), streams, qPrintable(rateLabel(rate)), seconds);
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--single"), QStringLiteral("%1:%2:%3").arg(implName(impl)).arg(rate).arg(streams),
                 QStringLiteral("--seconds"), QString::number(seconds)});
    if (!child.waitForStarted()) {
        progress("could not start a run: %s", qPrintable(child.errorString()));
        return std::nullopt;
    }
    const bool finished = child.waitForFinished(seconds * 1000 + kChildGraceMs);
    if (!finished) {
        progress("the run did not end within %d s; killed", seconds + kChildGraceMs / 1000);
        child.kill();
        child.waitForFinished(5000);
    } else if (child.exitStatus() != QProcess::NormalExit || child.exitCode() != kExitOk) {
        progress("the run ended badly (%s, exit code %d)",
                 child.exitStatus() == QProcess::NormalExit ? "normal exit" : "crashed", child.exitCode());
    }
    for (const QByteArray &line : child.readAllStandardOutput().split('\n')) {
        if (!line.startsWith("impl="))
            continue;
        Figures figures;
        for (const QByteArray &pair : line.split(' ')) {
            const qsizetype eq = pair.indexOf('=');
            if (eq > 0)
                figures.insert(QString::fromUtf8(pair.first(eq)), QString::fromUtf8(pair.sliced(eq + 1)));
        }
        // Figures taken before a failed teardown are still figures, but the reader should know.
        if (!finished || child.exitCode() != kExitOk)
            figures.insert(QStringLiteral("note"), QStringLiteral("teardown failed"));
        return figures;
    }
    progress("the run printed no figures");
    return std::nullopt;
}

QString megabytes(const QString &kb) { return QString::number(kb.toDouble() / 1024.0, 'f', 1); }

void printRow(const QString &rate, Impl impl, const std::optional<Figures> &f)
{
    const char *name = impl == Impl::Ours ? "clickscope" : "naive peer";
    if (!f) {
        std::printf("%-8s %-11s (no figures: see stderr)\n", qPrintable(rate), name);
        return;
    }
    const auto v = [&f](const char *key) { return f->value(QString::fromLatin1(key), QStringLiteral("?")); };
    const double seconds = v("seconds").toDouble();
    const auto perSecond = [seconds](const QString &n) {
        return seconds > 0 ? QString::number(n.toDouble() / seconds, 'f', 0) : QStringLiteral("?");
    };
    QString note = v("stopped_by") == QLatin1String("rss-limit")
                       ? QStringLiteral("  stopped at %1 s: RSS limit").arg(seconds + kWarmUpMs / 1000.0, 0, 'f', 0)
                       : QString();
    if (f->contains(QStringLiteral("note")))
        note += QStringLiteral("  ") + v("note");
    if (impl == Impl::Ours && v("clicks") != v("consumed"))
        note += QStringLiteral("  only %1 of %2 events decoded as clicks").arg(v("clicks"), v("consumed"));
    std::printf("%-8s %-11s %9s %11s %11s %11s %10s %13s %9s %14s %8s%s\n", qPrintable(rate), name,
                qPrintable(v("sent_per_s")), qPrintable(v("consumed_per_s")), qPrintable(v("lag_max_ms")),
                qPrintable(v("lag_p99_ms")), qPrintable(perSecond(v("repaints"))),
                qPrintable(v("repaint_mean_ms") + u'/' + v("repaint_max_ms")), qPrintable(perSecond(v("queued"))),
                qPrintable(v("queued_mean_ms") + u'/' + v("queued_max_ms")), qPrintable(megabytes(v("rss_kb"))),
                qPrintable(note));
}

// The RSS of the long run at a few points: just after warm-up, at the normal run length, at the end.
void printLongRun(const std::optional<Figures> &f, int shortSeconds, int longSeconds)
{
    std::printf("\nclickscope at %s for %d s (resident memory over time):\n", qPrintable(rateLabel(kRssRunRate)),
                longSeconds);
    if (!f) {
        std::printf("  (no figures: see stderr)\n");
        return;
    }
    const QStringList series = f->value(QStringLiteral("rss_series_kb")).split(u',');
    QList<int> seconds = {1, shortSeconds, longSeconds};
    std::sort(seconds.begin(), seconds.end());
    seconds.erase(std::unique(seconds.begin(), seconds.end()), seconds.end());
    QStringList points;
    for (int second : seconds) {
        if (second <= series.size())
            points << QStringLiteral("%1 MB at %2 s").arg(megabytes(series[second - 1])).arg(second);
    }
    std::printf(
        "  RSS %s (peak %s MB); consumed %s/s of %s/s sent; max lag %s ms, p99 %s ms\n",
        qPrintable(points.join(QStringLiteral(", "))), qPrintable(megabytes(f->value(QStringLiteral("hwm_kb")))),
        qPrintable(f->value(QStringLiteral("consumed_per_s"))), qPrintable(f->value(QStringLiteral("sent_per_s"))),
        qPrintable(f->value(QStringLiteral("lag_max_ms"))), qPrintable(f->value(QStringLiteral("lag_p99_ms"))));
    if (f->value(QStringLiteral("stopped_by")) != QLatin1String("time"))
        std::printf("  stopped early: %s\n", qPrintable(f->value(QStringLiteral("stopped_by"))));
}

struct Options
{
    int seconds = 20;
    int rssSeconds = 60;
    QList<int> rates = {10'000, 100'000, 1'000'000, 0};
    QList<Impl> impls = {Impl::Ours, Impl::Peer};
    int streams = 8;           // several streams in one window (0: not measured)…
    int streamRate = 10'000;   // …each fed at this rate, beside one stream at their sum
    struct Single
    {
        Impl impl = Impl::Ours;
        int rate = 0;
        int streams = 1;
    };
    std::optional<Single> single;
    std::optional<int> feedRate;   // `--feed RATE`: be a feeder process (see runFeeder)
};

// One row of the several-streams table.
void printStreamsRow(int streams, int rate, const std::optional<Figures> &f)
{
    const QString label = QStringLiteral("%1 x %2").arg(streams).arg(rateLabel(rate));
    if (!f) {
        std::printf("%-11s (no figures: see stderr)\n", qPrintable(label));
        return;
    }
    const auto v = [&f](const char *key) { return f->value(QString::fromLatin1(key), QStringLiteral("?")); };
    const double seconds = v("seconds").toDouble();
    const auto perSecond = [seconds](const QString &n) {
        return seconds > 0 ? QString::number(n.toDouble() / seconds, 'f', 0) : QStringLiteral("?");
    };
    const double rssMb = v("rss_kb").toDouble() / 1024.0;
    const QString counted = v("sent_all") == v("counted_all")
                                ? QStringLiteral("all %1").arg(v("sent_all"))
                                : QStringLiteral("%1 of %2").arg(v("counted_all"), v("sent_all"));
    std::printf("%-11s %9s %11s %11s %11s %8s %10s %9s %8.1f %10.1f  %s\n", qPrintable(label),
                qPrintable(v("sent_per_s")), qPrintable(v("consumed_per_s")), qPrintable(v("lag_max_ms")),
                qPrintable(v("lag_p99_ms")), qPrintable(perSecond(v("display_ticks"))),
                qPrintable(perSecond(v("repaints"))), qPrintable(perSecond(v("queued"))), rssMb,
                rssMb / std::max(1, streams), qPrintable(counted));
}

std::optional<Impl> implFrom(const QString &name)
{
    if (name == QLatin1String("ours"))
        return Impl::Ours;
    if (name == QLatin1String("peer"))
        return Impl::Peer;
    return std::nullopt;
}

// Parsed before any QApplication exists, so that bad flags cost no window system and exit 2.
// Returns the exit code to leave with when the process should not go on.
std::optional<int> parseOptions(int argc, char *argv[], Options &options)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The dashboard under load, offscreen: event-loop lag, repaint and queued-call cost, events/s "
        "consumed and RSS, for Clickscope's window and a naive peer, fed over loopback by an SSE feeder process."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Seconds per run (2-3600, default 20)."),
                                     QStringLiteral("N"));
    const QCommandLineOption rssSeconds(
        QStringLiteral("rss-seconds"),
        QStringLiteral("Seconds of the long run of ours at 100k/s whose RSS is reported "
                       "(0 skips it, else 2-3600; default 60)."),
        QStringLiteral("N"));
    const QCommandLineOption rates(QStringLiteral("rates"),
                                   QStringLiteral("Events/s to feed, comma-separated; 0 = as fast as the socket drains "
                                                  "(default 10000,100000,1000000,0)."),
                                   QStringLiteral("LIST"));
    const QCommandLineOption impl(QStringLiteral("impl"), QStringLiteral("ours, peer or both (default)."),
                                  QStringLiteral("WHICH"));
    const QCommandLineOption streams(QStringLiteral("streams"),
                                     QStringLiteral("Streams in one window for the several-streams table "
                                                    "(0 skips it, else 2-32; default 8)."),
                                     QStringLiteral("N"));
    const QCommandLineOption streamRate(QStringLiteral("stream-rate"),
                                        QStringLiteral("Events/s fed to each of those streams (1-1000000, default "
                                                       "10000); one stream at their sum runs beside them."),
                                        QStringLiteral("R"));
    const QCommandLineOption single(QStringLiteral("single"),
                                    QStringLiteral("One run in this process, printed as one key=value line "
                                                   "(what the tables are made of), e.g. ours:100000 or ours:10000:8 "
                                                   "(8 streams at 10k/s each)."),
                                    QStringLiteral("IMPL:RATE[:STREAMS]"));
    const QCommandLineOption feed(QStringLiteral("feed"),
                                  QStringLiteral("Be a feeder process at RATE events/s (what every run starts: its "
                                                 "window is fed over a socket from another process)."),
                                  QStringLiteral("RATE"));
    parser.addOptions({help, seconds, rssSeconds, rates, impl, streams, streamRate, single, feed});

    const auto usageError = [](const QString &message) {
        std::fprintf(stderr, "clickscope-bench-gui: %s (see --help)\n", qPrintable(message));
        return kExitUsage;
    };
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(help)) {
        // Without a QCoreApplication yet, the parser does not know the program's name.
        std::printf("%s", qPrintable(parser.helpText().replace(QLatin1String("<executable_name>"),
                                                               QLatin1String("clickscope-bench-gui"))));
        return kExitOk;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()));
    if (parser.isSet(seconds)) {
        const auto value = Clickscope::wholeNumberIn(parser.value(seconds), 2, 3600);
        if (!value)
            return usageError(QStringLiteral("--seconds needs a whole number from 2 to 3600"));
        options.seconds = int(*value);
    }
    if (parser.isSet(rssSeconds)) {
        const auto value = Clickscope::wholeNumberIn(parser.value(rssSeconds), 0, 3600);
        if (!value || *value == 1)
            return usageError(QStringLiteral("--rss-seconds needs 0 or a whole number from 2 to 3600"));
        options.rssSeconds = int(*value);
    }
    if (parser.isSet(rates)) {
        options.rates.clear();
        for (const QString &text : parser.value(rates).split(u',')) {
            const auto value = Clickscope::wholeNumberIn(text.trimmed(), 0, 10'000'000);
            if (!value)
                return usageError(QStringLiteral("--rates needs whole numbers from 0 to 10000000, comma-separated"));
            options.rates << int(*value);
        }
    }
    if (parser.isSet(impl)) {
        const QString which = parser.value(impl);
        if (which == QLatin1String("both"))
            options.impls = {Impl::Ours, Impl::Peer};
        else if (const auto one = implFrom(which))
            options.impls = {*one};
        else
            return usageError(QStringLiteral("--impl needs ours, peer or both"));
    }
    if (parser.isSet(streams)) {
        const auto value = Clickscope::wholeNumberIn(parser.value(streams), 0, StreamList::kMaxStreams);
        if (!value || *value == 1)
            return usageError(
                QStringLiteral("--streams needs 0 or a whole number from 2 to %1").arg(StreamList::kMaxStreams));
        options.streams = int(*value);
    }
    if (parser.isSet(streamRate)) {
        const auto value = Clickscope::wholeNumberIn(parser.value(streamRate), 1, 1'000'000);
        if (!value)
            return usageError(QStringLiteral("--stream-rate needs a whole number from 1 to 1000000"));
        options.streamRate = int(*value);
    }
    if (parser.isSet(feed)) {
        const auto value = Clickscope::wholeNumberIn(parser.value(feed), 0, 10'000'000);
        if (!value)
            return usageError(QStringLiteral("--feed needs a whole number from 0 to 10000000"));
        options.feedRate = int(*value);
    }
    if (parser.isSet(single)) {
        const QStringList parts = parser.value(single).split(u':');
        const QString usage = QStringLiteral("--single needs ours:RATE[:STREAMS] or peer:RATE[:1]");
        if (parts.size() != 2 && parts.size() != 3)
            return usageError(usage);
        Options::Single run;
        if (parts[0] == QLatin1String("peer"))
            run.impl = Impl::Peer;
        else if (parts[0] != QLatin1String("ours"))
            return usageError(usage);
        const auto rate = Clickscope::wholeNumberIn(parts[1], 0, 10'000'000);
        const auto count = parts.size() == 3 ? Clickscope::wholeNumberIn(parts[2], 1, StreamList::kMaxStreams)
                                             : std::optional<qint64>(1);
        // The peer window shows one stream: the parent asks it for exactly that.
        if (!rate || !count || (run.impl == Impl::Peer && *count != 1))
            return usageError(usage);
        run.rate = int(*rate);
        run.streams = int(*count);
        options.single = run;
    }
    return std::nullopt;
}

int runAll(const Options &options)
{
    const bool longRun = options.rssSeconds > 0 && options.impls.contains(Impl::Ours);

    std::vector<std::pair<int, std::vector<std::pair<Impl, std::optional<Figures>>>>> rows;
    for (int rate : options.rates) {
        rows.push_back({rate, {}});
        for (Impl impl : options.impls)
            rows.back().second.emplace_back(impl, runChild(impl, rate, options.seconds));
    }
    std::optional<Figures> rssRun;
    if (longRun)
        rssRun = runChild(Impl::Ours, kRssRunRate, options.rssSeconds);
    std::optional<Figures> oneStream;
    std::optional<Figures> severalStreams;
    if (options.streams > 0) {
        oneStream = runChild(Impl::Ours, options.streams * options.streamRate, options.seconds);
        severalStreams = runChild(Impl::Ours, options.streamRate, options.seconds, options.streams);
    }

    QString platform = QStringLiteral("offscreen");
    for (const auto &row : rows) {
        for (const auto &run : row.second) {
            if (run.second)
                platform = run.second->value(QStringLiteral("platform"), platform);
        }
    }
    std::printf("\nGUI load (%s, %dx%d, %d s per run, the first %d s of each not counted; one process per run)\n",
                qPrintable(platform), kWindowWidth, kWindowHeight, options.seconds, kWarmUpMs / 1000);
    std::printf("%-8s %-11s %9s %11s %11s %11s %10s %13s %9s %14s %8s\n", "rate", "impl", "sent/s", "consumed/s",
                "max lag ms", "p99 lag ms", "repaints/s", "repaint ms", "queued/s", "queued ms", "RSS MB");
    std::printf("%-8s %-11s %9s %11s %11s %11s %10s %13s %9s %14s %8s\n", "", "", "", "", "", "", "", "(mean/max)", "",
                "(mean/max)", "");
    for (const auto &row : rows) {
        for (const auto &run : row.second)
            printRow(rateLabel(row.first), run.first, run.second);
    }
    std::printf("\n"
                "lag: how much later than 5 ms a UI-thread timer fired.\n"
                "repaint: one repaint of the window on the UI thread, every dirty widget's paint in it.\n"
                "queued: one queued call on the UI thread, repaints inside it excluded. Ours: mostly a snapshot\n"
                "  from the worker and the panel updates it drives. The peer: each network read, with its parse\n"
                "  and its label and series updates. Both: the charts' deferred scene updates.\n"
                "sent/s, consumed/s: events the feeder wrote and the window counted, from 1 s to the end.\n"
                "RSS: resident at the end of the run; every run is a fresh process.\n");
    if (longRun)
        printLongRun(rssRun, options.seconds, options.rssSeconds);

    if (options.streams > 0) {
        std::printf("\nSeveral streams in one window (clickscope, %d s per run; the list and the first stream's "
                    "dashboard shown)\n",
                    options.seconds);
        std::printf("%-11s %9s %11s %11s %11s %8s %10s %9s %8s %10s  %s\n", "streams", "sent/s", "consumed/s",
                    "max lag ms", "p99 lag ms", "ticks/s", "repaints/s", "queued/s", "RSS MB", "MB/stream",
                    "events counted after the feed stopped");
        printStreamsRow(1, options.streams * options.streamRate, oneStream);
        printStreamsRow(options.streams, options.streamRate, severalStreams);
        if (oneStream && severalStreams) {
            const double extra = (severalStreams->value(QStringLiteral("rss_kb")).toDouble()
                                  - oneStream->value(QStringLiteral("rss_kb")).toDouble())
                                 / 1024.0 / double(options.streams - 1);
            std::printf("each stream beyond the first: %+.1f MB resident (the same events/s in all)\n"
                        "ticks: the window's display ticks, one frame for every stream; a tick repaints the\n"
                        "  window, and the charts' scenes repaint their part just after it.\n",
                        extra);
        }
    }

    bool complete = (rssRun.has_value() || !longRun)
                    && (options.streams == 0 || (oneStream.has_value() && severalStreams.has_value()));
    for (const auto &row : rows) {
        for (const auto &run : row.second)
            complete = complete && run.second.has_value();
    }
    return complete ? kExitOk : kExitFailed;
}

}   // namespace
}   // namespace Clickscope

int main(int argc, char *argv[])
{
    using namespace Clickscope;
    Options options;
    if (const auto exitCode = parseOptions(argc, argv, options))
        return *exitCode;

    if (options.feedRate) {
        QCoreApplication app(argc, argv);
        return runFeeder(*options.feedRate);
    }
    if (!options.single) {
        QCoreApplication app(argc, argv);
        return runAll(options);
    }
    // A dashboard is what is measured, not a display: offscreen unless the caller chose otherwise.
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    g_nextMessageHandler = qInstallMessageHandler(dropOffscreenNoise);
    TimingApplication app(argc, argv);
    // The window keeps layout, chart window, theme and recent URLs in QSettings: every run starts
    // from the defaults, and writes nothing into the user's configuration.
    const QTemporaryDir settingsDir;
    if (!settingsDir.isValid()) {
        progress("could not create a temporary folder for the window's settings");
        return kExitFailed;
    }
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    const Options::Single &single = *options.single;
    return runSingle(app, single.impl, single.rate, options.seconds, single.streams) ? kExitOk : kExitFailed;
}

#include "bench_gui.moc"

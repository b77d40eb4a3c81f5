// SPDX-License-Identifier: MIT
#pragma once

#include "fanout/deliveryhistogram.h"
#include "fanout/publisherclients.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QTcpSocket>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace Clickscope::Bench {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// fanout: many raw SSE subscribers, clicks at a steady rate, latency and loss.

// One raw SSE subscriber: counts click frames and measures each one's delay from its "sentUs".
struct Subscriber
{
    QTcpSocket *socket = nullptr;   // --qt-sockets: owned by the run (QObject parent)
    int fd = -1;                    // otherwise: a plain non-blocking socket in the run's epoll set
    bool requestSent = false;
    QByteArray carry;   // an incomplete head or frame, waiting for the rest
    bool headSeen = false;
    bool closed = false;
    qint64 clicks = 0;
    qint64 gaps = 0;   // ids that were not the previous id + 1
    qint64 lastId = -1;
};

class FanoutRun : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QUrl base;
        int subscribers = 1000;
        qint64 rate = 1000;
        int seconds = 10;
        int completeWaitSeconds = 45;
        qint64 serverPid = 0;
        bool qtSockets = false;
        // Replicas of the publisher (sharing its clicks): the subscribers are spread over `base`
        // and these in turn, and the publisher CPU is the sum over serverPid and these.
        QList<QUrl> replicas;
        QList<qint64> replicaPids;
    };

    explicit FanoutRun(Settings settings)
        : m_settings(std::move(settings))
        , m_poster(m_settings.base)
        , m_subscribers(std::size_t(m_settings.subscribers))
        , m_scratch(std::size_t(kScratchBytes))
        , m_firstSeen(std::size_t(m_settings.rate * m_settings.seconds + 1), false)
    {
        m_publishTimer.setTimerType(Qt::PreciseTimer);
        connect(&m_publishTimer, &QTimer::timeout, this, &FanoutRun::publishTick);
        connect(&m_progressTimer, &QTimer::timeout, this, &FanoutRun::checkProgress);
    }

    ~FanoutRun() override
    {
        for (Subscriber &s : m_subscribers) {
            if (s.fd >= 0)
                ::close(s.fd);
        }
        m_epollNotifier.reset();   // before its descriptor goes
        if (m_epoll >= 0)
            ::close(m_epoll);
    }

    void start()
    {
        if (!m_settings.qtSockets && !setUpEpoll()) {
            QCoreApplication::exit(kExitFailed);
            return;
        }
        progress("opening %d subscribers (%s)", m_settings.subscribers,
                 m_settings.qtSockets ? "QTcpSocket each" : "plain sockets, one epoll set");
        m_phase.start();
        openMore();
    }

private:
    // Why plain sockets by default: with a QTcpSocket each, this client needed 85-100 % of a core
    // at the full load (100,000 readyReads a second, each through Qt's notifier, buffer and
    // signal), and on two cores shared with the server its own queueing showed up as server
    // latency. One epoll set behind one QSocketNotifier reads the same bytes for 55-60 %.
    bool setUpEpoll()
    {
        for (const QUrl &url : QList<QUrl>{m_settings.base} + m_settings.replicas) {
            const QHostAddress host(url.host());
            bool ok = false;
            const quint32 ipv4 = host.toIPv4Address(&ok);
            if (!ok) {
                progress("plain sockets need a numeric IPv4 host, not '%s' (or use --qt-sockets)",
                         qPrintable(url.host()));
                return false;
            }
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(quint16(url.port()));
            address.sin_addr.s_addr = htonl(ipv4);
            m_addresses.push_back(address);
        }
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        if (m_epoll < 0) {
            progress("epoll_create1: %s", std::strerror(errno));
            return false;
        }
        m_epollNotifier = std::make_unique<QSocketNotifier>(m_epoll, QSocketNotifier::Read);
        connect(m_epollNotifier.get(), &QSocketNotifier::activated, this, &FanoutRun::pollSockets);
        return true;
    }

    void openPlain(int index)
    {
        Subscriber &s = m_subscribers[std::size_t(index)];
        s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s.fd < 0) {
            lost(index, QString::fromLocal8Bit(std::strerror(errno)));
            return;
        }
        const sockaddr_in &address = m_addresses[std::size_t(index) % m_addresses.size()];
        if (::connect(s.fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
            && errno != EINPROGRESS) {
            lost(index, QString::fromLocal8Bit(std::strerror(errno)));
            return;
        }
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
        event.data.u32 = quint32(index);
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, s.fd, &event);
    }

    // Level-triggered: at most kEpollBatch sockets per call, then back to the event loop so the
    // publishing timer and the POST replies are never starved; the rest fire again at once.
    void pollSockets()
    {
        static constexpr int kEpollBatch = 256;
        std::array<epoll_event, kEpollBatch> events;
        const int n = epoll_wait(m_epoll, events.data(), kEpollBatch, 0);
        for (int i = 0; i < n; ++i) {
            const int index = int(events[std::size_t(i)].data.u32);
            Subscriber &s = m_subscribers[std::size_t(index)];
            if (s.closed)
                continue;
            if (!s.requestSent && (events[std::size_t(i)].events & EPOLLOUT)) {
                int error = 0;
                socklen_t size = sizeof error;
                getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &error, &size);
                if (error != 0
                    || ::send(s.fd, kSseRequest, std::size_t(kSseRequestSize), MSG_NOSIGNAL) != kSseRequestSize) {
                    lost(index, QString::fromLocal8Bit(std::strerror(error ? error : errno)));
                    continue;
                }
                s.requestSent = true;
                epoll_event event{};
                event.events = EPOLLIN | EPOLLRDHUP;
                event.data.u32 = quint32(index);
                epoll_ctl(m_epoll, EPOLL_CTL_MOD, s.fd, &event);
            }
            if (events[std::size_t(i)].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                readFrom(index);
        }
    }

    // Bytes into `buffer`: > 0 read, 0 nothing more for now, -1 the stream ended (already handled).
    qint64 readSome(int index, char *buffer, qint64 capacity)
    {
        Subscriber &s = m_subscribers[std::size_t(index)];
        if (s.socket) {
            const qint64 n = s.socket->read(buffer, capacity);
            return n > 0 ? n : 0;   // an ended stream arrives as disconnected() instead
        }
        const ssize_t n = ::recv(s.fd, buffer, std::size_t(capacity), 0);
        if (n > 0)
            return n;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;
        lost(index, n == 0 ? QStringLiteral("closed by the server") : QString::fromLocal8Bit(std::strerror(errno)));
        return -1;
    }

    void openMore()
    {
        while (m_opened < m_settings.subscribers && m_opened - m_connected < kConnectWindow) {
            const int index = m_opened++;
            if (!m_settings.qtSockets) {
                openPlain(index);
                continue;
            }
            Subscriber &s = m_subscribers[std::size_t(index)];
            s.socket = new QTcpSocket(this);
            connect(s.socket, &QTcpSocket::connected, s.socket, [socket = s.socket] { socket->write(kSseRequest); });
            connect(s.socket, &QTcpSocket::readyRead, this, [this, index] { readFrom(index); });
            connect(s.socket, &QTcpSocket::disconnected, this,
                    [this, index] { lost(index, QStringLiteral("closed by the server")); });
            connect(s.socket, &QTcpSocket::errorOccurred, this,
                    [this, index] { lost(index, m_subscribers[std::size_t(index)].socket->errorString()); });
            const QList<QUrl> bases = QList<QUrl>{m_settings.base} + m_settings.replicas;
            const QUrl &url = bases[index % bases.size()];
            s.socket->connectToHost(url.host(), quint16(url.port()));
        }
    }

    void lost(int index, const QString &why)
    {
        Subscriber &s = m_subscribers[std::size_t(index)];
        if (s.closed)
            return;
        s.closed = true;
        ++m_closed;
        if (s.fd >= 0) {
            ::close(s.fd);   // leaves the epoll set with it
            s.fd = -1;
        }
        if (!s.headSeen || !m_publishing.isValid()) {
            progress("subscriber %d failed before the run: %s", index, qPrintable(why));
            QCoreApplication::exit(kExitFailed);
            return;
        }
        if (m_closed <= 3)
            progress("subscriber %d lost its stream at %.2f s: %s", index, seconds(m_publishing), qPrintable(why));
    }

    void readFrom(int index)
    {
        Subscriber &s = m_subscribers[std::size_t(index)];
        if (s.closed)
            return;
        char *const scratch = m_scratch.data();
        qsizetype held = s.carry.size();
        std::memcpy(scratch, s.carry.constData(), std::size_t(held));
        const qint64 now = wallMicros();
        for (;;) {
            const qint64 n = readSome(index, scratch + held, kScratchBytes - held);
            if (n < 0)
                return;
            if (n == 0)
                break;
            held += n;
            const qsizetype used = consume(s, scratch, held, now);
            if (used < 0) {
                QCoreApplication::exit(kExitFailed);
                return;
            }
            std::memmove(scratch, scratch + used, std::size_t(held - used));
            held -= used;
            if (held >= kScratchBytes) {
                progress("subscriber %d: over %lld bytes without a complete frame", index,
                         static_cast<long long>(held));
                QCoreApplication::exit(kExitFailed);
                return;
            }
        }
        s.carry = QByteArray(scratch, held);
    }

    // Handles the complete head and frames at the start of `data`; returns the bytes used, or -1
    // on a refused stream. A bare byte scan rather than an SSE parser: it measures the server.
    qsizetype consume(Subscriber &s, const char *data, qsizetype size, qint64 now)
    {
        qsizetype used = 0;
        if (!s.headSeen) {
            const char *headEnd = static_cast<const char *>(memmem(data, std::size_t(size), "\r\n\r\n", 4));
            if (!headEnd)
                return size > kMaxHeadBytes ? -1 : 0;
            if (size < 12 || std::memcmp(data + 9, "200", 3) != 0) {
                progress("subscriber refused: %s", QByteArray(data, std::min<qsizetype>(size, 200)).constData());
                return -1;
            }
            s.headSeen = true;
            used = headEnd + 4 - data;
            ++m_connected;
            if (m_connected == m_settings.subscribers)
                allConnected();
            else
                openMore();
        }
        // Line by line (memchr for '\n' is the fast path; a generic substring search per frame cost
        // this client more than the server it measures). A frame counts once its blank line is
        // here; a partial one waits in the carry. Node's chunked framing ("\r\n1a4\r\n") sits
        // between frames as lines of its own, which match nothing and are skipped.
        const char *const end = data + size;
        const char *p = data + used;
        qint64 id = -1;
        bool click = false;
        const char *json = nullptr;
        const char *jsonEnd = nullptr;
        while (const char *nl = static_cast<const char *>(std::memchr(p, '\n', std::size_t(end - p)))) {
            const std::size_t length = std::size_t(nl - p);
            if (length == 0) {
                if (click)
                    countClick(s, id, json, jsonEnd, now);
                id = -1;
                click = false;
                json = nullptr;
                used = nl + 1 - data;
            } else if (length > 4 && std::memcmp(p, "id: ", 4) == 0) {
                id = parseNumber(p + 4, nl).value_or(-1);
            } else if (length == 12 && std::memcmp(p, "event: click", 12) == 0) {
                click = true;
            } else if (length > 6 && std::memcmp(p, "data: ", 6) == 0) {
                json = p + 6;
                jsonEnd = nl;
            }
            p = nl + 1;
        }
        return used;
    }

    static std::optional<qint64> parseNumber(const char *p, const char *end)
    {
        qint64 value = 0;
        const char *const start = p;
        for (; p < end && *p >= '0' && *p <= '9'; ++p)
            value = value * 10 + (*p - '0');
        return p == start ? std::nullopt : std::optional<qint64>(value);
    }

    void countClick(Subscriber &s, qint64 id, const char *json, const char *jsonEnd, qint64 now)
    {
        ++s.clicks;
        ++m_received;
        if (id >= 0) {
            if (s.lastId >= 0 && id != s.lastId + 1)
                ++s.gaps;
            s.lastId = id;
        }
        if (!json)
            return;
        // The two numbers we put in, found by the ':' after their key (either key order: our
        // publisher re-serialises objects with sorted keys, node keeps the order we sent).
        static constexpr char kSent[] = "\"sentUs\"";
        static constexpr char kSeq[] = "\"seq\"";
        std::optional<qint64> sent;
        std::optional<qint64> seq;
        for (const char *q = json; !(sent && seq);) {
            const char *colon = static_cast<const char *>(std::memchr(q, ':', std::size_t(jsonEnd - q)));
            if (!colon)
                break;
            if (colon - json >= qsizetype(sizeof kSent - 1)
                && std::memcmp(colon - (sizeof kSent - 1), kSent, sizeof kSent - 1) == 0)
                sent = parseNumber(colon + 1, jsonEnd);
            else if (colon - json >= qsizetype(sizeof kSeq - 1)
                     && std::memcmp(colon - (sizeof kSeq - 1), kSeq, sizeof kSeq - 1) == 0)
                seq = parseNumber(colon + 1, jsonEnd);
            q = colon + 1;
        }
        if (!sent)
            return;
        const qint64 latency = now - *sent;
        m_latency.add(latency);
        if (seq && *seq > 0 && std::size_t(*seq) < m_firstSeen.size() && !m_firstSeen[std::size_t(*seq)]) {
            m_firstSeen[std::size_t(*seq)] = true;
            m_firstLatency.add(latency);
        }
    }

    void allConnected()
    {
        progress("%d subscribers connected in %.2f s; publishing %lld clicks/s for %d s", m_settings.subscribers,
                 seconds(m_phase), static_cast<long long>(m_settings.rate), m_settings.seconds);
        // Let the last heads and "retry:" lines settle so the CPU window holds only the fan-out.
        QTimer::singleShot(200ms, this, [this] {
            m_serverCpuBefore = publisherCpuSeconds();
            m_clientCpuBefore = ProcessStats::ownCpuSeconds();
            m_received = 0;
            for (Subscriber &s : m_subscribers) {
                s.clicks = 0;
                s.gaps = 0;
                s.lastId = -1;
            }
            m_publishing.start();
            m_publishTimer.start(kPublishTickMs);
            publishTick();
        });
    }

    void publishTick()
    {
        const qint64 total = m_settings.rate * m_settings.seconds;
        // Owed by the clock, not by the tick count: late ticks catch up, the rate stays exact.
        const qint64 due = std::min(total, qint64(double(m_settings.rate) * seconds(m_publishing)));
        while (m_published < due) {
            const qint64 n = std::min(kMaxClicksPerPost, due - m_published);
            m_published += n;
            m_poster.publish(n, [this, n] { m_accepted += n; });
        }
        if (m_published >= total) {
            m_publishTimer.stop();
            m_publishSeconds = seconds(m_publishing);
            m_afterPublishing.start();
            m_progressTimer.start(5ms);
        }
    }

    // After publishing: the loss figure is taken when every open subscriber has everything or
    // kStragglerWait has passed; then the run goes on until everything is delivered (or a limit),
    // so the server's CPU is compared over the whole of the same work, not over a window that
    // ends while a slower server is still writing.
    void checkProgress()
    {
        qint64 missing = 0;
        for (const Subscriber &s : m_subscribers) {
            if (!s.closed)
                missing += std::max<qint64>(0, m_published - s.clicks);
        }
        const bool complete = missing == 0 && m_poster.inFlight() == 0;
        const auto waited = std::chrono::milliseconds(m_afterPublishing.elapsed());
        if (!m_cutoffTaken && (complete || waited >= kStragglerWait)) {
            m_cutoffTaken = true;
            m_receivedAtCutoff = m_received;
            if (!complete)
                progress("%lld deliveries missing %.1f s after publishing; waiting up to %d s more for them",
                         static_cast<long long>(missing), double(waited.count()) / 1000.0,
                         m_settings.completeWaitSeconds);
        }
        if (complete || waited >= kStragglerWait + std::chrono::seconds(m_settings.completeWaitSeconds)) {
            m_progressTimer.stop();
            report();
        }
    }

    // The CPU seconds of the publisher and its replicas; nothing when one cannot be read.
    std::optional<double> publisherCpuSeconds() const
    {
        std::optional<double> sum = ProcessStats::cpuSeconds(m_settings.serverPid);
        for (const qint64 pid : m_settings.replicaPids) {
            const std::optional<double> one = ProcessStats::cpuSeconds(pid);
            sum = sum && one ? std::optional<double>(*sum + *one) : std::nullopt;
        }
        return sum;
    }

    void report()
    {
        const double window = seconds(m_publishing);
        const auto serverCpuAfter = publisherCpuSeconds();
        const double clientCpu = ProcessStats::ownCpuSeconds() - m_clientCpuBefore;
        const qint64 expected = m_published * m_settings.subscribers;
        qint64 gaps = 0;
        int behind = 0;
        for (const Subscriber &s : m_subscribers) {
            gaps += s.gaps;
            if (s.clicks < m_published)
                ++behind;
        }
        const double serverCpu = m_serverCpuBefore && serverCpuAfter ? *serverCpuAfter - *m_serverCpuBefore : -1;
        std::printf(
            "replicas=%lld subscribers=%d expected=%lld received=%lld lost=%lld p50_ms=%.1f p99_ms=%.1f max_ms=%.1f "
            "publisher_cpu_s=%.2f publisher_cpu_pct=%.1f publish_s=%.2f complete_s=%.2f late=%lld "
            "undelivered=%lld first_p50_ms=%.1f first_p99_ms=%.1f subscribers_short=%d subscribers_closed=%d "
            "id_gaps=%lld post_retries=%lld client_cpu_pct=%.1f\n",
            static_cast<long long>(1 + m_settings.replicas.size()), m_settings.subscribers,
            static_cast<long long>(expected), static_cast<long long>(m_receivedAtCutoff),
            static_cast<long long>(expected - m_receivedAtCutoff), m_latency.quantileMs(0.50),
            m_latency.quantileMs(0.99), m_latency.maxMs(), serverCpu,
            serverCpu >= 0 ? 100.0 * serverCpu / window : -1.0, m_publishSeconds, window,
            static_cast<long long>(m_received - m_receivedAtCutoff), static_cast<long long>(expected - m_received),
            m_firstLatency.quantileMs(0.50), m_firstLatency.quantileMs(0.99), behind, m_closed,
            static_cast<long long>(gaps), static_cast<long long>(m_poster.retries()), 100.0 * clientCpu / window);
        std::fflush(stdout);
        // Close the streams ourselves, so the server sees clean ends, not a dying process.
        for (Subscriber &s : m_subscribers) {
            s.closed = true;
            if (s.socket)
                s.socket->abort();
            if (s.fd >= 0) {
                ::close(s.fd);
                s.fd = -1;
            }
        }
        QCoreApplication::exit(kExitOk);
    }

    Settings m_settings;
    Poster m_poster;
    std::vector<Subscriber> m_subscribers;
    int m_epoll = -1;
    std::unique_ptr<QSocketNotifier> m_epollNotifier;
    std::vector<sockaddr_in> m_addresses;   // the publisher's, then each replica's
    std::vector<char> m_scratch;            // shared read buffer: one socket is read at a time
    std::vector<bool> m_firstSeen;          // by click sequence: has any subscriber had it yet
    DeliveryHistogram m_latency;            // every delivery
    DeliveryHistogram m_firstLatency;       // each click's first delivery: the server without the fan-out
    QTimer m_publishTimer;
    QTimer m_progressTimer;
    QElapsedTimer m_phase;
    QElapsedTimer m_publishing;
    QElapsedTimer m_afterPublishing;
    std::optional<double> m_serverCpuBefore;
    double m_clientCpuBefore = 0;
    double m_publishSeconds = 0;
    int m_opened = 0;
    int m_connected = 0;
    int m_closed = 0;
    qint64 m_published = 0;
    qint64 m_accepted = 0;
    qint64 m_received = 0;
    qint64 m_receivedAtCutoff = 0;
    bool m_cutoffTaken = false;
};

}   // namespace Clickscope::Bench

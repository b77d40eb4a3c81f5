// SPDX-License-Identifier: MIT
// clickscope-bench-fanout throughput BASE_URL [--clicks N] [--batch N]
// clickscope-bench-fanout fanout BASE_URL [--subscribers S] [--rate R] [--seconds T] [--server-pid PID]
//                                         [--complete-wait S] [--qt-sockets]
// clickscope-bench-fanout churn BASE_URL [--cycles N] [--concurrency C] [--warmup N] [--server-pid PID]
//                                        [--rounds N] [--pause S]
//
// Load against a running publisher (ours, or the Node peer in benchmarks/peer/): end-to-end
// throughput into our EventSource, fan-out latency and loss over many SSE subscribers, and
// connect/disconnect churn with the server's RSS before and after. Each prints one
// `key=value …` line on stdout for benchmarks/run-server.sh; progress goes to stderr.
//
// fanout, in short: `lost` is what had not arrived 2 s after publishing ended; the run then waits
// (--complete-wait) for late deliveries, so that `p50_ms`/`p99_ms`/`max_ms` cover every delivery,
// late ones included, and `publisher_cpu_s` covers the whole of the same work whatever the server
// (`complete_s`: publishing start to last delivery). `first_p50_ms` is each click's first delivery
// to any subscriber: the server's own delay, without the fan-out behind it.
//
// One process, one thread, event-loop driven. The subscribers are plain sockets, not
// EventSources: each EventSource owns a QNetworkAccessManager and so an HTTP thread, and a
// thousand of those would measure the client, not the server (see FanoutRun::setUpEpoll for why
// not a QTcpSocket each either). Every phase has a deadline; on one the tool says which and exits
// 1, so a run can never hang on it.
#include "core/options/optionreader.h"
#include "core/sse/eventsource.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr qint64 kMaxPostAttempts = 5;
// Enough POSTs in flight to hide one round trip, few enough that the 202s pace the publisher.
constexpr int kThroughputInFlight = 3;
constexpr int kPublishTickMs = 10;
// A burst of clicks owed after a stall is split so no body nears the servers' 1 MiB limit.
constexpr qint64 kMaxClicksPerPost = 1000;
// Connections being opened at once. QTcpServer's default listen backlog is 50: a thousand SYNs
// at once overflow it and the kernel retries the dropped ones only after a second.
constexpr int kConnectWindow = 40;
constexpr qsizetype kScratchBytes = 256 * 1024;
constexpr qsizetype kMaxHeadBytes = 16 * 1024;
constexpr auto kStragglerWait = 2s;
constexpr auto kStatsPollInterval = 50ms;

// Ten realistic values per field; a click picks by its sequence so runs are reproducible.
constexpr std::array kLinks = {"/spring-sale", "/docs/getting-started",     "/blog/2024/launch-week", "/pricing",
                               "/r/x8Kq2",     "/careers/backend-engineer", "/promo/black-friday-24", "/app/download",
                               "/changelog",   "/events/meetup-berlin"};
constexpr std::array kCountries = {"DE", "US", "FR", "GB", "IN", "BR", "JP", "NL", "PL", "ES"};
constexpr std::array kReferrers = {"https://news.ycombinator.com/item?id=41234567",
                                   "https://www.google.com/",
                                   "https://t.co/abcXYZ123",
                                   "https://www.reddit.com/r/programming/",
                                   "https://duckduckgo.com/",
                                   "https://www.linkedin.com/feed/",
                                   "https://github.com/trending",
                                   "https://mail.google.com/",
                                   "",
                                   "https://www.bing.com/search?q=clickscope"};
constexpr std::array kDevices = {"desktop", "mobile", "mobile",  "desktop", "tablet",
                                 "desktop", "mobile", "desktop", "mobile",  "desktop"};
constexpr std::array kBrowsers = {"Chrome",           "Safari", "Firefox", "Edge",    "Chrome",
                                  "Samsung Internet", "Chrome", "Safari",  "Firefox", "Chrome"};

qint64 wallMicros()
{
    // Wall clock, so a click's "sentUs" means the same to any reader of the stream. Sender and
    // receiver are this one process, so only a clock step could skew it, and would show as an outlier.
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double seconds(const QElapsedTimer &timer) { return double(timer.nsecsElapsed()) / 1e9; }

void progress(const char *format, auto... args)
{
    std::fprintf(stderr, "clickscope-bench-fanout: ");
    std::fprintf(stderr, format, args...);
    std::fputc('\n', stderr);
}

// utime + stime of a process, in seconds; nullopt when it cannot be read (no pid, gone).
std::optional<double> processCpuSeconds(qint64 pid)
{
    if (pid <= 0)
        return std::nullopt;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    std::FILE *file = std::fopen(path, "r");
    if (!file)
        return std::nullopt;
    char line[1024];
    const bool read = std::fgets(line, sizeof line, file) != nullptr;
    std::fclose(file);
    if (!read)
        return std::nullopt;
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const char *p = std::strrchr(line, ')');
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    if (!p || std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return std::nullopt;
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

double ownCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto toSeconds = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return toSeconds(usage.ru_utime) + toSeconds(usage.ru_stime);
}

std::optional<qint64> residentKb(qint64 pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/status", static_cast<long long>(pid));
    std::FILE *file = std::fopen(path, "r");
    if (!file)
        return std::nullopt;
    std::optional<qint64> kb;
    char line[256];
    long long value = 0;
    while (std::fgets(line, sizeof line, file)) {
        if (std::sscanf(line, "VmRSS: %lld kB", &value) == 1) {
            kb = value;
            break;
        }
    }
    std::fclose(file);
    return kb;
}

// A thousand subscribers need a thousand descriptors here; the soft limit is often 1024.
bool ensureDescriptors(qint64 needed)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return false;
    if (limit.rlim_cur != RLIM_INFINITY && qint64(limit.rlim_cur) < needed) {
        limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t(needed) : std::min(limit.rlim_max, rlim_t(needed));
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur != RLIM_INFINITY && qint64(limit.rlim_cur) < needed) {
        progress("needs %lld open files but the limit is %llu; raise it (ulimit -n %lld)",
                 static_cast<long long>(needed), static_cast<unsigned long long>(limit.rlim_cur),
                 static_cast<long long>(needed));
        return false;
    }
    return true;
}

// Delivery latency in fixed memory whatever the number of events (a full fan-out run is ten
// million of them): 0.1 ms buckets up to 10 s, then 10 ms buckets up to 10 min for a server that
// falls far behind, exact to the bucket width.
class DeliveryHistogram
{
public:
    static constexpr qint64 kFineMicros = 100;
    static constexpr qint64 kFineBuckets = 100'000;   // 0 … 10 s
    static constexpr qint64 kCoarseMicros = 10'000;
    static constexpr qint64 kCoarseBuckets = 59'000;   // 10 s … 600 s; beyond: the last bucket

    void add(qint64 micros)
    {
        micros = std::max<qint64>(micros, 0);
        m_max = std::max(m_max, micros);
        const qint64 fineEnd = kFineMicros * kFineBuckets;
        const qint64 index = micros < fineEnd
                                 ? micros / kFineMicros
                                 : kFineBuckets + std::min((micros - fineEnd) / kCoarseMicros, kCoarseBuckets);
        ++m_buckets[std::size_t(index)];
        ++m_count;
    }
    quint64 count() const { return m_count; }
    double maxMs() const { return double(m_max) / 1000.0; }
    // The upper edge of the bucket holding the q-quantile, in ms (never better than the truth),
    // and never above the largest sample.
    double quantileMs(double q) const
    {
        if (m_count == 0)
            return 0;
        const auto rank = quint64(q * double(m_count - 1)) + 1;
        quint64 seen = 0;
        for (std::size_t i = 0; i < m_buckets.size(); ++i) {
            seen += m_buckets[i];
            if (seen < rank)
                continue;
            const qint64 index = qint64(i);
            const qint64 edge = index < kFineBuckets
                                    ? (index + 1) * kFineMicros
                                    : kFineMicros * kFineBuckets + (index - kFineBuckets + 1) * kCoarseMicros;
            return std::min(double(edge), double(m_max)) / 1000.0;
        }
        return maxMs();
    }

private:
    std::vector<quint64> m_buckets = std::vector<quint64>(std::size_t(kFineBuckets + kCoarseBuckets + 1), 0);
    quint64 m_count = 0;
    qint64 m_max = 0;
};

// Makes publish bodies: JSON arrays of ~200-byte clicks, each with its own sequence and the time
// its batch was sent.
class ClickFactory
{
public:
    QByteArray batch(qint64 count, qint64 sentMicros)
    {
        QByteArray body;
        body.reserve(count * 240 + 2);
        body += '[';
        for (qint64 i = 0; i < count; ++i) {
            const auto n = std::size_t(m_next % 10);
            const auto m = std::size_t((m_next / 10) % 10);
            if (i > 0)
                body += ',';
            body += "{\"link\":\"";
            body += kLinks[n];
            body += "\",\"country\":\"";
            body += kCountries[m];
            body += "\",\"referrer\":\"";
            body += kReferrers[(n + m) % 10];
            body += "\",\"device\":\"";
            body += kDevices[m];
            body += "\",\"browser\":\"";
            body += kBrowsers[n];
            body += "\",\"seq\":";
            body += QByteArray::number(m_next);
            body += ",\"sentUs\":";
            body += QByteArray::number(sentMicros);
            body += '}';
            ++m_next;
        }
        body += ']';
        return body;
    }

private:
    qint64 m_next = 1;
};

// POSTs publish bodies and reads the 202s. A POST that failed on the network is sent again and
// counted: a connection closed before the server read the request leaves it unhandled.
class Poster : public QObject
{
    Q_OBJECT
public:
    // accepted < 0: the POST failed for good; `error` says why.
    using Done = std::function<void(qint64 accepted, const QString &error)>;

    explicit Poster(const QUrl &base, QObject *parent = nullptr)
        : QObject(parent)
        , m_publishUrl(base.resolved(QUrl(QStringLiteral("/publish"))))
    {}

    void post(const QByteArray &body, Done done, int attempt = 1)
    {
        QNetworkRequest request(m_publishUrl);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setTransferTimeout(30'000);
        QNetworkReply *reply = m_nam.post(request, body);
        ++m_inFlight;
        connect(reply, &QNetworkReply::finished, this, [this, reply, body, done = std::move(done), attempt] {
            reply->deleteLater();
            --m_inFlight;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 0 && attempt < kMaxPostAttempts) {
                ++m_retries;
                post(body, done, attempt + 1);
                return;
            }
            const QByteArray answer = reply->readAll();
            if (status != 202) {
                done(-1, QStringLiteral("POST /publish: HTTP %1 %2 %3")
                             .arg(status)
                             .arg(reply->errorString(), QString::fromUtf8(answer.left(200))));
                return;
            }
            done(QJsonDocument::fromJson(answer).object().value(QStringLiteral("accepted")).toInteger(-1), {});
        });
    }

    int inFlight() const { return m_inFlight; }
    qint64 retries() const { return m_retries; }

private:
    QNetworkAccessManager m_nam;
    QUrl m_publishUrl;
    int m_inFlight = 0;
    qint64 m_retries = 0;
};

// Polls GET /stats until the stream count ({"subscribers":{"all":n}}, both servers) satisfies a
// condition, or a deadline passes.
class StatsPoller : public QObject
{
    Q_OBJECT
public:
    explicit StatsPoller(const QUrl &base, QObject *parent = nullptr)
        : QObject(parent)
        , m_statsUrl(base.resolved(QUrl(QStringLiteral("/stats"))))
    {
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, &StatsPoller::poll);
    }

    // done(count, met): the last count read (-1 if none) and whether `condition` held in time.
    void waitFor(std::function<bool(qint64)> condition, std::chrono::milliseconds deadline,
                 std::function<void(qint64, bool)> done)
    {
        m_condition = std::move(condition);
        m_done = std::move(done);
        m_deadline.setRemainingTime(deadline);
        m_last = -1;
        poll();
    }

    // One GET /stats; an empty object when it failed.
    void fetch(std::function<void(const QJsonObject &)> done)
    {
        QNetworkRequest request(m_statsUrl);
        request.setTransferTimeout(5'000);
        QNetworkReply *reply = m_nam.get(request);
        connect(reply, &QNetworkReply::finished, this, [reply, done = std::move(done)] {
            reply->deleteLater();
            done(reply->error() == QNetworkReply::NoError ? QJsonDocument::fromJson(reply->readAll()).object()
                                                          : QJsonObject());
        });
    }

private:
    void poll()
    {
        fetch([this](const QJsonObject &stats) {
            if (!stats.isEmpty())
                m_last =
                    stats.value(QStringLiteral("subscribers")).toObject().value(QStringLiteral("all")).toInteger(0);
            const bool met = m_last >= 0 && m_condition(m_last);
            if (met || m_deadline.hasExpired()) {
                std::exchange(m_done, {})(m_last, met);
                return;
            }
            m_timer.start(kStatsPollInterval);
        });
    }

    QNetworkAccessManager m_nam;
    QUrl m_statsUrl;
    QTimer m_timer;
    QDeadlineTimer m_deadline;
    std::function<bool(qint64)> m_condition;
    std::function<void(qint64, bool)> m_done;
    qint64 m_last = -1;
};

// ---------------------------------------------------------------------------------------------
// throughput: publisher → one EventSource, as fast as the publisher takes the POSTs.

class ThroughputRun : public QObject
{
    Q_OBJECT
public:
    ThroughputRun(const QUrl &base, qint64 clicks, qint64 batch)
        : m_clicks(clicks)
        , m_batch(batch)
        , m_poster(base)
        , m_stats(base)
        , m_source(makeConfig(base))
    {
        connect(&m_source, &Clickscope::StreamSource::stateChanged, this, [this](Clickscope::StreamSource::State s) {
            if (s == Clickscope::StreamSource::State::Open && !m_clock.isValid()) {
                m_clock.start();
                postMore();
            }
        });
        connect(&m_source, &Clickscope::StreamSource::failed, this,
                [](Clickscope::StreamSource::Error, const QString &message) {
                    progress("EventSource failed: %s", qPrintable(message));
                    QCoreApplication::exit(kExitFailed);
                });
        connect(&m_source, &Clickscope::StreamSource::eventsReceived, this, &ThroughputRun::countEvents);
    }

    // The publisher's count first, so that what this run published can be told from earlier runs.
    void start()
    {
        m_stats.fetch([this](const QJsonObject &stats) {
            m_publishedBefore = stats.value(QStringLiteral("clicksPublished")).toInteger(-1);
            m_refusedBefore = stats.value(QStringLiteral("refusedRequests")).toInteger(-1);
            m_source.open();
        });
    }

private:
    static Clickscope::SourceConfig makeConfig(const QUrl &base)
    {
        Clickscope::SourceConfig config;
        config.url = base.resolved(QUrl(QStringLiteral("/events")));
        config.reconnect = false;   // a reconnection would lose clicks and hide it
        return config;
    }

    void postMore()
    {
        while (m_poster.inFlight() < kThroughputInFlight && m_posted < m_clicks) {
            const qint64 n = std::min(m_batch, m_clicks - m_posted);
            m_posted += n;
            m_poster.post(m_factory.batch(n, wallMicros()), [this, n](qint64 accepted, const QString &error) {
                if (accepted != n) {
                    progress("publish failed (accepted %lld of %lld): %s", static_cast<long long>(accepted),
                             static_cast<long long>(n), qPrintable(error));
                    QCoreApplication::exit(kExitFailed);
                    return;
                }
                postMore();
            });
        }
    }

    void countEvents(const QList<Clickscope::SseEvent> &events)
    {
        for (const Clickscope::SseEvent &event : events) {
            if (event.type() == "click")
                ++m_received;
        }
        if (m_received < m_clicks || m_reported)
            return;
        m_reported = true;
        const double elapsed = seconds(m_clock);
        m_source.close();
        // Our publisher counts what it published and the requests it refused (the connections it
        // closed at its per-connection byte budget among them); a peer without them reports -1.
        m_stats.fetch([this, elapsed](const QJsonObject &stats) {
            const auto since = [&stats](const char *key, qint64 before) -> long long {
                const qint64 now = stats.value(QLatin1String(key)).toInteger(-1);
                return before < 0 || now < 0 ? -1 : now - before;
            };
            std::printf("clicks=%lld bytes=%llu seconds=%.6f post_retries=%lld server_published=%lld "
                        "server_refused=%lld\n",
                        static_cast<long long>(m_received), static_cast<unsigned long long>(m_source.totalBytes()),
                        elapsed, static_cast<long long>(m_poster.retries()),
                        since("clicksPublished", m_publishedBefore), since("refusedRequests", m_refusedBefore));
            std::fflush(stdout);
            QCoreApplication::exit(kExitOk);
        });
    }

    qint64 m_clicks;
    qint64 m_batch;
    qint64 m_posted = 0;
    qint64 m_received = 0;
    qint64 m_publishedBefore = -1;
    qint64 m_refusedBefore = -1;
    bool m_reported = false;
    ClickFactory m_factory;
    Poster m_poster;
    StatsPoller m_stats;
    Clickscope::EventSource m_source;
    QElapsedTimer m_clock;
};

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

constexpr char kSseRequest[] = "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
constexpr auto kSseRequestSize = qint64(sizeof kSseRequest - 1);

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
        const QHostAddress host(m_settings.base.host());
        bool ok = false;
        const quint32 ipv4 = host.toIPv4Address(&ok);
        if (!ok) {
            progress("plain sockets need a numeric IPv4 host, not '%s' (or use --qt-sockets)",
                     qPrintable(m_settings.base.host()));
            return false;
        }
        m_address.sin_family = AF_INET;
        m_address.sin_port = htons(quint16(m_settings.base.port()));
        m_address.sin_addr.s_addr = htonl(ipv4);
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
        if (::connect(s.fd, reinterpret_cast<const sockaddr *>(&m_address), sizeof m_address) != 0
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
            s.socket->connectToHost(m_settings.base.host(), quint16(m_settings.base.port()));
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
            m_serverCpuBefore = processCpuSeconds(m_settings.serverPid);
            m_clientCpuBefore = ownCpuSeconds();
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
            m_poster.post(m_factory.batch(n, wallMicros()), [this, n](qint64 accepted, const QString &error) {
                if (accepted != n) {
                    progress("publish failed (accepted %lld of %lld): %s", static_cast<long long>(accepted),
                             static_cast<long long>(n), qPrintable(error));
                    QCoreApplication::exit(kExitFailed);
                    return;
                }
                m_accepted += accepted;
            });
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

    void report()
    {
        const double window = seconds(m_publishing);
        const auto serverCpuAfter = processCpuSeconds(m_settings.serverPid);
        const double clientCpu = ownCpuSeconds() - m_clientCpuBefore;
        const qint64 expected = m_published * m_settings.subscribers;
        qint64 gaps = 0;
        int behind = 0;
        for (const Subscriber &s : m_subscribers) {
            gaps += s.gaps;
            if (s.clicks < m_published)
                ++behind;
        }
        const double serverCpu = m_serverCpuBefore && serverCpuAfter ? *serverCpuAfter - *m_serverCpuBefore : -1;
        std::printf("subscribers=%d expected=%lld received=%lld lost=%lld p50_ms=%.1f p99_ms=%.1f max_ms=%.1f "
                    "publisher_cpu_s=%.2f publisher_cpu_pct=%.1f publish_s=%.2f complete_s=%.2f late=%lld "
                    "undelivered=%lld first_p50_ms=%.1f first_p99_ms=%.1f subscribers_short=%d subscribers_closed=%d "
                    "id_gaps=%lld post_retries=%lld client_cpu_pct=%.1f\n",
                    m_settings.subscribers, static_cast<long long>(expected),
                    static_cast<long long>(m_receivedAtCutoff), static_cast<long long>(expected - m_receivedAtCutoff),
                    m_latency.quantileMs(0.50), m_latency.quantileMs(0.99), m_latency.maxMs(), serverCpu,
                    serverCpu >= 0 ? 100.0 * serverCpu / window : -1.0, m_publishSeconds, window,
                    static_cast<long long>(m_received - m_receivedAtCutoff),
                    static_cast<long long>(expected - m_received), m_firstLatency.quantileMs(0.50),
                    m_firstLatency.quantileMs(0.99), behind, m_closed, static_cast<long long>(gaps),
                    static_cast<long long>(m_poster.retries()), 100.0 * clientCpu / window);
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
    ClickFactory m_factory;
    std::vector<Subscriber> m_subscribers;
    int m_epoll = -1;
    std::unique_ptr<QSocketNotifier> m_epollNotifier;
    sockaddr_in m_address{};
    std::vector<char> m_scratch;        // shared read buffer: one socket is read at a time
    std::vector<bool> m_firstSeen;      // by click sequence: has any subscriber had it yet
    DeliveryHistogram m_latency;        // every delivery
    DeliveryHistogram m_firstLatency;   // each click's first delivery: the server without the fan-out
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

// ---------------------------------------------------------------------------------------------
// churn: open, see the response head, abort; many times; the server's RSS before and after.

class ChurnRun : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QUrl base;
        qint64 cycles = 10'000;
        int concurrency = 100;
        qint64 warmup = 1'000;
        qint64 serverPid = 0;
        int rounds = 1;
        int pauseSeconds = 0;
    };

    explicit ChurnRun(Settings settings) : m_settings(std::move(settings)), m_stats(m_settings.base) {}

    void start()
    {
        progress("warm-up: %lld cycles", static_cast<long long>(m_settings.warmup));
        runCycles(m_settings.warmup, [this] { settleThen([this](qint64) { measureBefore(); }); });
    }

private:
    void measureBefore()
    {
        m_rssBefore = residentKb(m_settings.serverPid);
        if (!m_rssBefore) {
            progress("cannot read VmRSS of pid %lld", static_cast<long long>(m_settings.serverPid));
            QCoreApplication::exit(kExitFailed);
            return;
        }
        progress("server RSS %lld kB; churning %d x %lld cycles, %d at a time", static_cast<long long>(*m_rssBefore),
                 m_settings.rounds, static_cast<long long>(m_settings.cycles), m_settings.concurrency);
        runRound();
    }

    // One round: `cycles` connections, then the server's RSS once it counts no stream. Later
    // rounds come after a pause, so that whatever the server keeps for a while after a connection
    // (not leaked, just not yet released) is gone before the next round: memory a round needs
    // afresh is then growth, not timing.
    void runRound()
    {
        m_clock.start();
        runCycles(m_settings.cycles, [this] {
            if (m_roundSeconds.isEmpty())
                m_roundSeconds.append(seconds(m_clock));
            settleThen([this](qint64 subscribersAfter) {
                m_rssAfterRounds.append(residentKb(m_settings.serverPid).value_or(-1));
                if (m_rssAfterRounds.size() < m_settings.rounds) {
                    progress("round %lld: RSS %lld kB; pausing %d s", static_cast<long long>(m_rssAfterRounds.size()),
                             static_cast<long long>(m_rssAfterRounds.last()), m_settings.pauseSeconds);
                    QTimer::singleShot(std::chrono::seconds(m_settings.pauseSeconds), this, &ChurnRun::runRound);
                    return;
                }
                QByteArray rounds;
                for (qint64 kb : std::as_const(m_rssAfterRounds))
                    rounds += (rounds.isEmpty() ? "" : ",") + QByteArray::number(kb);
                std::printf("cycles=%lld rss_before_kb=%lld rss_after_kb=%lld rss_rounds_kb=%s subscribers_after=%lld "
                            "refused=%lld seconds=%.2f\n",
                            static_cast<long long>(m_settings.cycles), static_cast<long long>(*m_rssBefore),
                            static_cast<long long>(m_rssAfterRounds.first()), rounds.constData(),
                            static_cast<long long>(subscribersAfter), static_cast<long long>(m_refused),
                            m_roundSeconds.first());
                std::fflush(stdout);
                QCoreApplication::exit(kExitOk);
            });
        });
    }

    // Waits until the server counts no stream (it frees them on disconnect), then calls `then`.
    void settleThen(std::function<void(qint64)> then)
    {
        m_stats.waitFor([](qint64 n) { return n == 0; }, 10s,
                        [then = std::move(then)](qint64 count, bool met) {
                            if (!met)
                                progress("the server still counts %lld streams 10 s after the last disconnect",
                                         static_cast<long long>(count));
                            then(count);
                        });
    }

    void runCycles(qint64 count, std::function<void()> done)
    {
        m_target = count;
        m_started = 0;
        m_finished = 0;
        m_done = std::move(done);
        if (count == 0) {
            QTimer::singleShot(0, this, [this] { std::exchange(m_done, {})(); });
            return;
        }
        launchMore();
    }

    void launchMore()
    {
        while (m_started < m_target && m_started - m_finished < m_settings.concurrency) {
            ++m_started;
            auto *socket = new QTcpSocket(this);
            auto head = std::make_shared<QByteArray>();
            connect(socket, &QTcpSocket::connected, socket, [socket] { socket->write(kSseRequest); });
            connect(socket, &QTcpSocket::readyRead, this, [this, socket, head] {
                *head += socket->readAll();
                if (!head->contains("\r\n\r\n"))
                    return;
                if (!head->startsWith("HTTP/1.1 200"))
                    ++m_refused;
                cycleDone(socket);
            });
            connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] {
                progress("a churn connection failed: %s", qPrintable(socket->errorString()));
                QCoreApplication::exit(kExitFailed);
            });
            socket->connectToHost(m_settings.base.host(), quint16(m_settings.base.port()));
        }
    }

    void cycleDone(QTcpSocket *socket)
    {
        socket->disconnect(this);
        socket->abort();   // a client that vanishes, as a closed browser tab does
        socket->deleteLater();
        ++m_finished;
        if (m_finished == m_target) {
            std::exchange(m_done, {})();
            return;
        }
        launchMore();
    }

    Settings m_settings;
    StatsPoller m_stats;
    QElapsedTimer m_clock;
    std::optional<qint64> m_rssBefore;
    QList<qint64> m_rssAfterRounds;
    QList<double> m_roundSeconds;
    std::function<void()> m_done;
    qint64 m_target = 0;
    qint64 m_started = 0;
    qint64 m_finished = 0;
    qint64 m_refused = 0;
};

// ---------------------------------------------------------------------------------------------

}   // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clickscope-bench-fanout"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Load against a running publisher at BASE_URL (http://127.0.0.1:PORT).\n"
                       "  throughput  POSTs batches as fast as they are taken; one EventSource receives them.\n"
                       "  fanout      raw SSE subscribers; clicks at a steady rate; latency, loss, server CPU.\n"
                       "  churn       connect, read the head, abort, many times; server RSS before and after."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("COMMAND"), QStringLiteral("throughput, fanout or churn."));
    parser.addPositionalArgument(QStringLiteral("BASE_URL"),
                                 QStringLiteral("The publisher, e.g. http://127.0.0.1:8080."));
    const QCommandLineOption clicks(QStringLiteral("clicks"), QStringLiteral("throughput: clicks to send (200000)."),
                                    QStringLiteral("N"), QStringLiteral("200000"));
    const QCommandLineOption batch(QStringLiteral("batch"), QStringLiteral("throughput: clicks per POST (1000)."),
                                   QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption subscribers(QStringLiteral("subscribers"), QStringLiteral("fanout: streams (1000)."),
                                         QStringLiteral("S"), QStringLiteral("1000"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("fanout: clicks per second (1000)."),
                                  QStringLiteral("R"), QStringLiteral("1000"));
    const QCommandLineOption duration(QStringLiteral("seconds"), QStringLiteral("fanout: seconds of publishing (10)."),
                                      QStringLiteral("T"), QStringLiteral("10"));
    const QCommandLineOption completeWait(
        QStringLiteral("complete-wait"),
        QStringLiteral("fanout: seconds to wait for late deliveries after the 2 s cut-off (45)."), QStringLiteral("S"),
        QStringLiteral("45"));
    const QCommandLineOption qtSockets(QStringLiteral("qt-sockets"),
                                       QStringLiteral("fanout: a QTcpSocket per subscriber instead of one epoll set."));
    const QCommandLineOption cycles(QStringLiteral("cycles"), QStringLiteral("churn: measured connections (10000)."),
                                    QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption warmup(QStringLiteral("warmup"),
                                    QStringLiteral("churn: connections before measuring (1000)."), QStringLiteral("N"),
                                    QStringLiteral("1000"));
    const QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                         QStringLiteral("churn: connections at once (100)."), QStringLiteral("C"),
                                         QStringLiteral("100"));
    const QCommandLineOption rounds(QStringLiteral("rounds"),
                                    QStringLiteral("churn: rounds of --cycles, RSS read after each (1)."),
                                    QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption pause(QStringLiteral("pause"), QStringLiteral("churn: seconds between rounds (11)."),
                                   QStringLiteral("S"), QStringLiteral("11"));
    const QCommandLineOption serverPid(QStringLiteral("server-pid"),
                                       QStringLiteral("The publisher's pid, for its CPU time and RSS."),
                                       QStringLiteral("PID"), QStringLiteral("0"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Gives up after this many seconds (default: per command)."),
                                     QStringLiteral("S"), QStringLiteral("0"));
    parser.addOptions({clicks, batch, subscribers, rate, duration, completeWait, qtSockets, cycles, warmup, concurrency,
                       rounds, pause, serverPid, timeout});
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    const QUrl base = positional.size() == 2 ? QUrl(positional.at(1)) : QUrl();
    if (positional.size() != 2 || !base.isValid() || base.scheme() != u"http" || base.port() <= 0) {
        std::fputs(
            "usage: clickscope-bench-fanout throughput|fanout|churn http://127.0.0.1:PORT [options] (try --help)\n",
            stderr);
        return kExitUsage;
    }
    const QString command = positional.first();
    Clickscope::OptionReader read(parser);
    // Reports the first bad option; every value below is read before this is called.
    const auto refused = [&read] {
        if (const auto ok = read.result(); !ok) {
            progress("%s", qPrintable(ok.error()));
            return true;
        }
        return false;
    };
    const auto pid = read.whole(serverPid, 0, 1LL << 31);
    const auto limit = read.whole(timeout, 0, 3600);
    if (refused())
        return kExitUsage;

    std::unique_ptr<QObject> run;
    qint64 defaultTimeout = 0;
    std::function<void()> start;
    if (command == u"throughput") {
        const auto n = read.whole(clicks, 1, 100'000'000);
        const auto b = read.whole(batch, 1, kMaxClicksPerPost * 4);
        if (refused())
            return kExitUsage;
        auto *r = new ThroughputRun(base, *n, *b);
        run.reset(r);
        start = [r] { r->start(); };
        defaultTimeout = 120;
    } else if (command == u"fanout") {
        const auto s = read.whole(subscribers, 1, 100'000);
        const auto r = read.whole(rate, 1, 1'000'000);
        const auto t = read.whole(duration, 1, 3600);
        const auto w = read.whole(completeWait, 0, 3600);
        if (refused())
            return kExitUsage;
        // Descriptors: the streams, the publishing and stats connections, Qt's own.
        if (!ensureDescriptors(*s + 64))
            return kExitFailed;
        auto *f = new FanoutRun({base, int(*s), *r, int(*t), int(*w), *pid, parser.isSet(qtSockets)});
        run.reset(f);
        start = [f] { f->start(); };
        // Connecting, publishing, stragglers, late deliveries, and room for a slow machine.
        defaultTimeout = *t + *w + 60;
    } else if (command == u"churn") {
        const auto n = read.whole(cycles, 1, 10'000'000);
        const auto c = read.whole(concurrency, 1, 10'000);
        const auto w = read.whole(warmup, 0, 10'000'000);
        const auto r = read.whole(rounds, 1, 100);
        const auto p = read.whole(pause, 0, 600);
        if (refused())
            return kExitUsage;
        if (*pid == 0) {
            progress("churn needs --server-pid, to read the server's RSS");
            return kExitUsage;
        }
        if (!ensureDescriptors(*c + 64))
            return kExitFailed;
        auto *c2 = new ChurnRun({base, *n, int(*c), *w, *pid, int(*r), int(*p)});
        run.reset(c2);
        start = [c2] { c2->start(); };
        defaultTimeout = 120 + *r * (60 + *p);
    } else {
        progress("unknown command '%s' (throughput, fanout or churn)", qPrintable(command));
        return kExitUsage;
    }

    const qint64 seconds = *limit > 0 ? *limit : defaultTimeout;
    QTimer::singleShot(std::chrono::seconds(seconds), &app, [&command, seconds] {
        progress("%s did not finish within %lld s; giving up", qPrintable(command), static_cast<long long>(seconds));
        QCoreApplication::exit(kExitFailed);
    });
    QTimer::singleShot(0, &app, start);
    return QCoreApplication::exec();
}

#include "bench_fanout.moc"
